//! How many wrong invite codes someone may try before `join` stops checking theirs: a pure rule
//! over the wrong codes of the last [`WINDOW`], kept in the database (`join_failures`) so that it
//! holds across restarts and across several bots on one PostgreSQL.
//!
//! **Per sender.** [`PER_SENDER`] wrong codes in [`WINDOW`]; the next try is answered "too many
//! tries, wait N minutes" without the code being looked at, until the oldest of them is
//! [`WINDOW`] old. The sender is the person the channel identity belongs to (a WhatsApp number, a
//! Slack user, a console name): an identity belongs to one person, and a person with two
//! identities has one allowance, not two. The table holds person ids, never a phone number.
//!
//! **Per family, honestly.** A wrong code names no family: it matches no invite, so there is no
//! family to count it against, and a count "per family" could only be invented. What "many wrong
//! codes aimed at one family's invites from many senders" can be measured as is every wrong
//! code from everyone: every guess at any family's invites is in that one count. When it reaches
//! [`FLOOD`] in [`WINDOW`] (a flood: a family's typos never come near), each sender may get
//! [`PER_SENDER_IN_FLOOD`] code wrong instead of five, so a guesser needs a new WhatsApp number or
//! Slack account for every guess. Someone trying a code for the first time is still checked:
//! a flood cannot lock a real invitee out, which a cap on everyone's tries would (twenty numbers
//! could then keep every family from joining by code). Replying JOIN to an invite sent to one's
//! phone uses no code and is never throttled.
//!
//! Why this is enough: a code is 10 characters of 31 (31^10, about 8 × 10^14 codes) and lives
//! 72 hours by default (`security.invite_ttl_hours`). Even at five guesses per 15 minutes
//! from each of 10,000 numbers, the chance of finding one of a family's three open invites in a
//! day is about 2 × 10^-8. The limits keep the guessing that slow and the audit trail readable.

use chrono::{DateTime, Duration, Utc};

/// Wrong codes a sender may try in a [`WINDOW`].
pub const PER_SENDER: usize = 5;
/// How far back wrong codes count.
pub const WINDOW: Duration = Duration::minutes(15);
/// Everyone's wrong codes in a [`WINDOW`] that make a flood.
pub const FLOOD: u64 = 100;
/// Wrong codes a sender may try in a [`WINDOW`] during a flood.
pub const PER_SENDER_IN_FLOOD: usize = 1;

/// Which limit stopped a try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinLimit {
    /// This sender got [`PER_SENDER`] codes wrong.
    Sender,
    /// Many wrong codes from many senders ([`FLOOD`]), and this sender got one wrong.
    Flood,
}

/// A try that is not checked, and how long until one would be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinWait {
    pub limit: JoinLimit,
    /// Whole minutes, rounded up (at least 1).
    pub minutes: i64,
}

/// Whether a sender may try a code at `now`, given their wrong codes (`mine`, any order; older
/// ones than the window are ignored) and the number of everyone's in the window (`everyone`).
pub fn wait(mine: &[DateTime<Utc>], everyone: u64, now: DateTime<Utc>) -> Option<JoinWait> {
    let (allowed, limit) = if everyone >= FLOOD {
        (PER_SENDER_IN_FLOOD, JoinLimit::Flood)
    } else {
        (PER_SENDER, JoinLimit::Sender)
    };
    let mut recent: Vec<DateTime<Utc>> = mine
        .iter()
        .copied()
        .filter(|at| *at > now - WINDOW && *at <= now)
        .collect();
    if recent.len() < allowed {
        return None;
    }
    recent.sort();
    // Fewer than `allowed` remain once this one is out of the window.
    let frees = recent[recent.len() - allowed];
    let left = (frees + WINDOW - now).num_seconds().max(1);
    Some(JoinWait {
        limit,
        minutes: (left + 59) / 60,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0)
            .single()
            .map(|t| t + Duration::minutes(minute))
            .expect("a time")
    }

    fn minutes(of: &[i64]) -> Vec<DateTime<Utc>> {
        of.iter().map(|m| at(*m)).collect()
    }

    #[test]
    fn the_rule_in_a_table() {
        use JoinLimit::{Flood, Sender};
        let wait_of = |limit, minutes| Some(JoinWait { limit, minutes });
        // (this sender's wrong codes, everyone's, now) → the wait
        let cases: &[(&[i64], u64, i64, Option<JoinWait>)] = &[
            (&[], 0, 0, None),
            (&[0, 1, 2, 3], 4, 4, None),
            // The fifth wrong code: the next try waits until the first is 15 minutes old.
            (&[0, 1, 2, 3, 4], 5, 4, wait_of(Sender, 11)),
            (&[0, 1, 2, 3, 4], 5, 14, wait_of(Sender, 1)),
            (&[0, 1, 2, 3, 4], 5, 15, None),
            // More than five (two bots at once): until enough are out that four remain.
            (&[0, 1, 2, 3, 4, 5, 6], 7, 6, wait_of(Sender, 11)),
            // Codes older than the window do not count.
            (&[-30, -20, -16, 1, 2], 5, 3, None),
            // A flood: one wrong code is enough to wait, until it is 15 minutes old.
            (&[2], 100, 3, wait_of(Flood, 14)),
            (&[], 100, 3, None),
            (&[2], 99, 3, None),
            (&[0, 1, 2, 3, 4], 500, 5, wait_of(Flood, 14)),
        ];
        for (mine, everyone, now, expected) in cases {
            assert_eq!(
                wait(&minutes(mine), *everyone, at(*now)),
                *expected,
                "{mine:?}, {everyone} in all, at minute {now}"
            );
        }
    }

    #[test]
    fn the_wait_is_rounded_up_to_whole_minutes() {
        let mine = [at(0) + Duration::seconds(1); 5];
        let now = at(14);
        assert_eq!(
            wait(&mine, 5, now).map(|w| w.minutes),
            Some(2),
            "61 s left reads as 2 minutes, never as 1"
        );
        let now = at(15);
        assert_eq!(wait(&mine, 5, now).map(|w| w.minutes), Some(1));
    }
}
