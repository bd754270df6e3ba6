//! Driving the load: the open model (probes due at a fixed rate, latency counted from when
//! each was due, so a slow server cannot hide its queue) and the closed model (C virtual
//! clients, each starting its next probe when the last one ended).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_probe_core::{Prober, Scenario};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::stats::Stats;

/// How the load is shaped.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Model {
    /// Probes due at `rate` per second; at most `in_flight` running at once (a due probe waits
    /// for a slot, and its latency still counts from when it was due).
    Open { rate: f64, in_flight: usize },
    /// `clients` virtual clients, each running probes back to back.
    Closed { clients: usize },
}

/// One load run's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) model: Model,
    pub(crate) duration: Duration,
    pub(crate) ramp: Duration,
    pub(crate) max_probes: u64,
}

/// The measurements, shared with the progress line and the metrics endpoint.
pub(crate) type Shared = Arc<Mutex<Stats>>;

/// Runs the plan until its duration has passed or `max_probes` were started, then lets the
/// running probes end. Dropping the future stops every probe (their connections close, stdio
/// servers' process groups are killed).
pub(crate) async fn run(plan: Plan, scenario: Arc<Scenario>, stats: Shared) {
    let prober = Prober::new();
    let start = Instant::now();
    let started = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    match plan.model {
        Model::Open { rate, in_flight } => {
            let slots = Arc::new(Semaphore::new(in_flight.max(1)));
            let mut i: u64 = 0;
            loop {
                let due = start + due_offset(i, rate, plan.ramp);
                if due.duration_since(start) >= plan.duration || i >= plan.max_probes {
                    break;
                }
                tokio::time::sleep_until(due).await;
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    break;
                };
                if Instant::now().duration_since(start) >= plan.duration {
                    // The run is over while this probe waited for a slot.
                    stats_lock(&stats).not_started += 1;
                    break;
                }
                started.fetch_add(1, Ordering::Relaxed);
                let (prober, scenario, stats) = (prober.clone(), scenario.clone(), stats.clone());
                tasks.spawn(async move {
                    probe_once(&prober, &scenario, due, &stats).await;
                    drop(slot);
                });
                i += 1;
                // Reap what ended, so the set stays as small as what runs.
                while tasks.try_join_next().is_some() {}
            }
        }
        Model::Closed { clients } => {
            for k in 0..clients.max(1) {
                let offset = plan.ramp.mul_f64(k as f64 / clients.max(1) as f64);
                let (prober, scenario, stats) = (prober.clone(), scenario.clone(), stats.clone());
                let started = started.clone();
                tasks.spawn(async move {
                    tokio::time::sleep_until(start + offset).await;
                    loop {
                        let now = Instant::now();
                        if now.duration_since(start) >= plan.duration {
                            break;
                        }
                        if started.fetch_add(1, Ordering::Relaxed) >= plan.max_probes {
                            break;
                        }
                        probe_once(&prober, &scenario, now, &stats).await;
                    }
                });
            }
        }
    }
    while tasks.join_next().await.is_some() {}
}

/// Runs one probe that was due at `due` and records it.
async fn probe_once(prober: &Prober, scenario: &Scenario, due: Instant, stats: &Shared) {
    // The scenario was validated before the run: a caller's mistake cannot happen here, and
    // if it did there would be no report to count.
    if let Ok(report) = prober.check(scenario).await {
        let latency = Instant::now().duration_since(due);
        stats_lock(stats).record(latency, &report);
    }
}

/// The stats, even if a thread panicked while holding them (they stay consistent: every
/// update is a whole record).
pub(crate) fn stats_lock(stats: &Shared) -> std::sync::MutexGuard<'_, Stats> {
    stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// When probe `i` is due, from the start: evenly at `rate` per second, after a linear ramp
/// from 0 to `rate` over `ramp` (during which the arrivals follow rate·t/ramp).
pub(crate) fn due_offset(i: u64, rate: f64, ramp: Duration) -> Duration {
    let i = i as f64;
    let ramp_s = ramp.as_secs_f64();
    let during_ramp = rate * ramp_s / 2.0;
    let seconds = if ramp_s > 0.0 && i < during_ramp {
        (2.0 * ramp_s * i / rate).sqrt()
    } else {
        ramp_s + (i - during_ramp) / rate
    };
    Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrivals_are_even_without_a_ramp() {
        let at = |i| due_offset(i, 10.0, Duration::ZERO).as_secs_f64();
        assert_eq!(at(0), 0.0);
        assert!((at(1) - 0.1).abs() < 1e-9);
        assert!((at(50) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn a_ramp_starts_slow_and_reaches_the_rate() {
        // 10/s after a 2 s ramp: 10 probes during the ramp, then one every 100 ms.
        let at = |i| due_offset(i, 10.0, Duration::from_secs(2)).as_secs_f64();
        assert_eq!(at(0), 0.0);
        assert!((at(10) - 2.0).abs() < 1e-9);
        assert!((at(11) - 2.1).abs() < 1e-9);
        // The first gaps are longer than the steady 100 ms.
        assert!(at(1) - at(0) > 0.5);
        let mut previous = 0.0;
        for i in 1..40 {
            assert!(at(i) > previous);
            previous = at(i);
        }
    }
}
