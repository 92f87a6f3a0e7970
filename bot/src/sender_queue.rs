//! The order in which a channel's deliveries are handled: each sender's one at a time, in the
//! order they arrived (a "yes" never overtakes the question it answers), and different senders'
//! first come, first served, on whichever worker is free.
//!
//! Why not a fixed lane per sender (hashing senders onto N workers)? Because then a slow turn
//! (a Slack API call waiting out a rate limit, a retry's back-off, later an LLM call) holds up
//! every other person who happens to hash onto the same lane, and under load the people on a
//! crowded lane wait several turns while other lanes idle. Here a sender's later deliveries wait
//! only for that sender's own earlier ones.
//!
//! This is the bookkeeping only, with no tasks or locks, so it is tested on its own; the Slack
//! dispatcher (`slack::worker`) runs it behind a mutex and a semaphore.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// Deliveries waiting to be handled, keyed by sender.
#[derive(Debug)]
pub struct SenderQueue<K, J> {
    /// Deliveries a worker may take now, oldest first: at most one per sender.
    ready: VecDeque<(K, J)>,
    /// Every sender with a delivery ready or being handled, and what of theirs waits behind it.
    busy: HashMap<K, VecDeque<J>>,
}

impl<K: Eq + Hash + Clone, J> Default for SenderQueue<K, J> {
    fn default() -> Self {
        Self {
            ready: VecDeque::new(),
            busy: HashMap::new(),
        }
    }
}

impl<K: Eq + Hash + Clone, J> SenderQueue<K, J> {
    /// Adds a delivery. True when it is ready to be taken at once (its sender had nothing
    /// waiting or being handled); false when it waits for the sender's earlier deliveries.
    pub fn push(&mut self, sender: K, job: J) -> bool {
        match self.busy.get_mut(&sender) {
            Some(behind) => {
                behind.push_back(job);
                false
            }
            None => {
                self.busy.insert(sender.clone(), VecDeque::new());
                self.ready.push_back((sender, job));
                true
            }
        }
    }

    /// The oldest ready delivery, which is then being handled until `done` or `again`.
    pub fn take(&mut self) -> Option<(K, J)> {
        self.ready.pop_front()
    }

    /// The sender's delivery that was taken is finished. True when the sender's next one became
    /// ready.
    pub fn done(&mut self, sender: &K) -> bool {
        let next = self.busy.get_mut(sender).and_then(VecDeque::pop_front);
        match next {
            Some(job) => {
                self.ready.push_back((sender.clone(), job));
                true
            }
            None => {
                self.busy.remove(sender);
                false
            }
        }
    }

    /// A delivery that was taken goes back to be tried again, still ahead of everything else of
    /// its sender's (who stays busy meanwhile). It joins the back of the ready deliveries.
    pub fn again(&mut self, sender: K, job: J) {
        self.busy.entry(sender.clone()).or_default();
        self.ready.push_back((sender, job));
    }

    /// Nothing ready, nothing being handled, nothing waiting.
    pub fn is_idle(&self) -> bool {
        self.busy.is_empty()
    }

    /// Deliveries ready to be taken now.
    pub fn ready_len(&self) -> usize {
        self.ready.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes everything ready, in order.
    fn take_all(queue: &mut SenderQueue<&'static str, u32>) -> Vec<(&'static str, u32)> {
        std::iter::from_fn(|| queue.take()).collect()
    }

    #[test]
    fn different_senders_are_served_in_arrival_order() {
        let mut queue = SenderQueue::default();
        assert!(queue.push("ana", 1));
        assert!(queue.push("ben", 2));
        assert!(queue.push("cat", 3));
        assert_eq!(take_all(&mut queue), [("ana", 1), ("ben", 2), ("cat", 3)]);
    }

    #[test]
    fn a_senders_later_messages_wait_for_the_earlier_one() {
        let mut queue = SenderQueue::default();
        assert!(queue.push("ana", 1));
        assert!(!queue.push("ana", 2), "ana's second waits for her first");
        assert!(queue.push("ben", 3));
        assert_eq!(take_all(&mut queue), [("ana", 1), ("ben", 3)]);
        assert!(!queue.push("ana", 4));

        assert!(queue.done(&"ana"), "ana's next becomes ready");
        assert_eq!(take_all(&mut queue), [("ana", 2)]);
        assert!(queue.done(&"ana"));
        assert_eq!(take_all(&mut queue), [("ana", 4)]);
        assert!(!queue.done(&"ana"), "nothing more of ana's");
        assert!(!queue.is_idle(), "ben is still being handled");
        assert!(!queue.done(&"ben"));
        assert!(queue.is_idle());
    }

    #[test]
    fn a_slow_sender_holds_up_nobody_else() {
        let mut queue = SenderQueue::default();
        queue.push("slow", 1);
        queue.push("slow", 2);
        assert_eq!(queue.take(), Some(("slow", 1)));
        // While slow's first is being handled, others come and go.
        for n in 10..20 {
            assert!(queue.push("quick", n));
            assert_eq!(queue.take(), Some(("quick", n)));
            assert!(!queue.done(&"quick"));
        }
        assert_eq!(queue.ready_len(), 0, "slow's second still waits");
        assert!(queue.done(&"slow"));
        assert_eq!(queue.take(), Some(("slow", 2)));
    }

    #[test]
    fn a_retried_delivery_stays_ahead_of_its_senders_later_ones() {
        let mut queue = SenderQueue::default();
        queue.push("ana", 1);
        queue.push("ana", 2);
        let (sender, job) = queue.take().expect("ready");
        queue.push("ben", 3);
        queue.again(sender, job);
        assert_eq!(take_all(&mut queue), [("ben", 3), ("ana", 1)]);
        assert!(queue.done(&"ana"));
        assert_eq!(take_all(&mut queue), [("ana", 2)]);
    }
}
