//! Where the process runs: optionally pinning it to CPUs before the async runtime starts.
//!
//! By default (`runtime.cpus = auto`) MedNanny runs on every CPU it was started with, on SQLite and
//! on PostgreSQL alike. A number pins it to that many CPUs: for an operator who runs several
//! processes on one host (the bot and the WhatsApp bridge, say) and wants them apart.
//!
//! History, because the default used to differ: while SQLite went through sqlx, every statement
//! was a hand-off to a thread of sqlx's and back, and a hand-off across CPUs woke the other core
//! (a `SELECT 1` took 0.055 ms across CPUs, 0.012 on one), so with SQLite `auto` meant one CPU.
//! SQLite now runs on the calling thread (`db::sqlite`): a statement is a function call, and every
//! CPU measured faster in both benchmarks (docs/benchmarks.md, docs/architecture.md "CPU placement").
//!
//! [`place_process`] must run before any other thread is started (so before the Tokio runtime is
//! built): threads inherit the CPUs of the thread that starts them, and the runtime sizes its worker
//! pool from the CPUs it may use.

use crate::settings::{CpuPolicy, RuntimeSettings, SettingsError};

/// What [`place_process`] did, for a log line once logging is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The CPUs the process now runs on.
    pub cpus: Vec<usize>,
    /// How many CPUs it could have used.
    pub available: usize,
    /// Set when pinning was wanted but the system refused it (the process then uses every CPU).
    pub refused: Option<String>,
}

/// Pins the calling thread, and so every thread it starts later, to the CPUs `settings` asks for.
///
/// The CPUs are taken from those the process may use, starting at the one it is running on (the
/// scheduler started it on a CPU that had room). A system that refuses pinning (some container
/// sandboxes) is not an error: the process runs unpinned and [`Placement::refused`] says why.
pub fn place_process(settings: &RuntimeSettings) -> Result<Placement, SettingsError> {
    let policy = settings.cpus()?;
    Ok(platform::place(wanted_cpus(policy)))
}

/// How many CPUs `policy` asks for; `None` means all of them.
fn wanted_cpus(policy: CpuPolicy) -> Option<usize> {
    match policy {
        CpuPolicy::Auto | CpuPolicy::All => None,
        CpuPolicy::Count(n) => Some(n),
    }
}

/// `wanted` CPUs out of `allowed`, consecutive from the one at `current` (wrapping around).
fn choose(allowed: &[usize], current: Option<usize>, wanted: usize) -> Vec<usize> {
    let start = current
        .and_then(|cpu| allowed.iter().position(|&a| a == cpu))
        .unwrap_or(0);
    let mut chosen: Vec<usize> = allowed
        .iter()
        .cycle()
        .skip(start)
        .take(wanted.min(allowed.len()))
        .copied()
        .collect();
    chosen.sort_unstable();
    chosen
}

#[cfg(target_os = "linux")]
mod platform {
    use nix::sched::{sched_getaffinity, sched_getcpu, sched_setaffinity, CpuSet};
    use nix::unistd::Pid;

    use super::{choose, Placement};

    pub(super) fn place(wanted: Option<usize>) -> Placement {
        let this_thread = Pid::from_raw(0);
        let allowed: Vec<usize> = match sched_getaffinity(this_thread) {
            Ok(set) => (0..CpuSet::count())
                .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
                .collect(),
            Err(error) => {
                return Placement {
                    cpus: Vec::new(),
                    available: 0,
                    refused: Some(format!(
                        "cannot read the CPUs this process may use: {error}"
                    )),
                }
            }
        };
        let unchanged = |refused: Option<String>| Placement {
            cpus: allowed.clone(),
            available: allowed.len(),
            refused,
        };
        let Some(wanted) = wanted.filter(|&n| n < allowed.len()) else {
            return unchanged(None);
        };
        let chosen = choose(&allowed, sched_getcpu().ok(), wanted);
        let mut set = CpuSet::new();
        for &cpu in &chosen {
            if let Err(error) = set.set(cpu) {
                return unchanged(Some(format!("CPU {cpu}: {error}")));
            }
        }
        match sched_setaffinity(this_thread, &set) {
            Ok(()) => Placement {
                cpus: chosen,
                available: allowed.len(),
                refused: None,
            },
            Err(error) => unchanged(Some(format!(
                "the system refused to pin the process: {error}"
            ))),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use super::Placement;

    /// Pinning is implemented for Linux only; elsewhere the process uses every CPU.
    pub(super) fn place(wanted: Option<usize>) -> Placement {
        let available = std::thread::available_parallelism().map_or(1, usize::from);
        Placement {
            cpus: (0..available).collect(),
            available,
            refused: wanted
                .filter(|&n| n < available)
                .map(|_| "pinning to CPUs is implemented for Linux only".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_and_all_use_every_cpu_and_a_number_pins() {
        assert_eq!(wanted_cpus(CpuPolicy::Auto), None);
        assert_eq!(wanted_cpus(CpuPolicy::All), None);
        assert_eq!(wanted_cpus(CpuPolicy::Count(3)), Some(3));
    }

    #[test]
    fn chosen_cpus_start_at_the_current_one_and_wrap_around() {
        let allowed = [0, 2, 4, 6];
        assert_eq!(choose(&allowed, Some(4), 1), vec![4]);
        assert_eq!(choose(&allowed, Some(6), 2), vec![0, 6]);
        // A current CPU outside the allowed set (or unknown) starts at the first allowed one.
        assert_eq!(choose(&allowed, Some(5), 2), vec![0, 2]);
        assert_eq!(choose(&allowed, None, 1), vec![0]);
        // Never more than there are.
        assert_eq!(choose(&allowed, Some(0), 9), vec![0, 2, 4, 6]);
    }
}
