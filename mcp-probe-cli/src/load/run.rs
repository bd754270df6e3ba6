//! Driving the load: the open model (probes due at a fixed rate, latency counted from when
//! each was due, so a slow server cannot hide its queue) and the closed model (C virtual
//! clients, each starting its next probe when the last one ended); each probe a whole probe
//! over a fresh session, or the steps after the handshake over a reused one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_probe_core::{OpenSession, Prober, Scenario};
use tokio::sync::{watch, Semaphore};
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

/// What each probe of a load run speaks over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Sessions {
    /// A whole probe each time: connections, handshake, steps, DELETE.
    Fresh,
    /// A session opened once (per virtual client, or per slot of the open model) and the
    /// steps after the handshake repeated over it.
    Reuse,
}

impl Sessions {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Sessions::Fresh => "fresh",
            Sessions::Reuse => "reuse",
        }
    }
}

/// One load run's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) model: Model,
    pub(crate) duration: Duration,
    pub(crate) ramp: Duration,
    pub(crate) max_probes: u64,
    pub(crate) sessions: Sessions,
}

/// The measurements, shared with the progress line and the metrics endpoint.
pub(crate) type Shared = Arc<Mutex<Stats>>;

/// The longest the close of one reused session may take (the engine's own clean-up budget
/// is one second).
const CLOSE_LIMIT: Duration = Duration::from_secs(2);

/// Runs the plan until its duration has passed, `max_probes` were started or `stop` turns
/// true, lets the running probes end (on `stop`: drops them), then closes the reused sessions.
/// Returns how long the load ran, from the start until the last probe ended (the closing
/// after it not counted). Dropping the future stops every probe (their connections close,
/// stdio servers' process groups are killed) without closing sessions.
pub(crate) async fn run(
    plan: Plan,
    scenario: Arc<Scenario>,
    stats: Shared,
    stop: watch::Receiver<bool>,
) -> Duration {
    let prober = Prober::new();
    let start = Instant::now();
    let started = Arc::new(AtomicU64::new(0));
    let pool: Pool = Arc::default();
    let mut tasks = JoinSet::new();
    match plan.model {
        Model::Open { rate, in_flight } => {
            let slots = Arc::new(Semaphore::new(in_flight.max(1)));
            let mut waiting = stop.clone();
            let mut i: u64 = 0;
            loop {
                let due = start + due_offset(i, rate, plan.ramp);
                if due.duration_since(start) >= plan.duration || i >= plan.max_probes {
                    break;
                }
                let slot = tokio::select! {
                    slot = async {
                        tokio::time::sleep_until(due).await;
                        slots.clone().acquire_owned().await
                    } => slot,
                    () = stopped(&mut waiting) => break,
                };
                let Ok(slot) = slot else {
                    break;
                };
                if Instant::now().duration_since(start) >= plan.duration {
                    // The run is over while this probe waited for a slot.
                    stats_lock(&stats).not_started += 1;
                    break;
                }
                started.fetch_add(1, Ordering::Relaxed);
                let (prober, scenario, stats) = (prober.clone(), scenario.clone(), stats.clone());
                let (pool, mut stop) = (pool.clone(), stop.clone());
                tasks.spawn(async move {
                    // A session from the pool, or none (one is opened); back to the pool after.
                    let mut session = pool_lock(&pool).pop();
                    tokio::select! {
                        () = probe_once(&prober, &scenario, plan.sessions, &mut session, due, &stats) => {}
                        () = stopped(&mut stop) => {}
                    }
                    if let Some(session) = session {
                        if *stop.borrow() {
                            close(session).await;
                        } else {
                            pool_lock(&pool).push(session);
                        }
                    }
                    drop(slot);
                    None
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
                let (started, mut stop) = (started.clone(), stop.clone());
                tasks.spawn(async move {
                    tokio::select! {
                        () = tokio::time::sleep_until(start + offset) => {}
                        () = stopped(&mut stop) => return None,
                    }
                    let mut session = None;
                    loop {
                        let now = Instant::now();
                        if now.duration_since(start) >= plan.duration {
                            break;
                        }
                        if started.fetch_add(1, Ordering::Relaxed) >= plan.max_probes {
                            break;
                        }
                        tokio::select! {
                            () = probe_once(&prober, &scenario, plan.sessions, &mut session, now, &stats) => {}
                            () = stopped(&mut stop) => break,
                        }
                    }
                    let ended = Instant::now();
                    if let Some(session) = session {
                        close(session).await;
                    }
                    Some(ended)
                });
            }
        }
    }
    // When the last probe ended: a closed model's clients close their sessions after that.
    let mut last_ended = None;
    while let Some(joined) = tasks.join_next().await {
        if let Ok(Some(ended)) = joined {
            last_ended = last_ended.max(Some(ended));
        }
    }
    let ran = last_ended
        .unwrap_or_else(Instant::now)
        .duration_since(start);
    // The open model's idle sessions, closed together.
    let idle = std::mem::take(&mut *pool_lock(&pool));
    let mut closing: JoinSet<()> = idle.into_iter().map(close).collect();
    while closing.join_next().await.is_some() {}
    ran
}

/// The open model's idle reused sessions: a probe takes one (or opens one when none is idle)
/// and puts it back when done, so there are never more than the probes in flight.
type Pool = Arc<Mutex<Vec<OpenSession>>>;

fn pool_lock(pool: &Pool) -> std::sync::MutexGuard<'_, Vec<OpenSession>> {
    pool.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Resolves once `stop` is true (or its sender is gone: nothing will stop the run then).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Ends a reused session (DELETE, or the stdio server stopped), within [`CLOSE_LIMIT`].
async fn close(session: OpenSession) {
    // Past the limit the session is dropped: its connections close, a stdio server's process
    // group is killed.
    let _ = tokio::time::timeout(CLOSE_LIMIT, session.close()).await;
}

/// Runs one probe that was due at `due` and records it: a whole probe, or with reused
/// sessions the steps after the handshake over `session` (opened first when there is none;
/// closed and left empty when it failed in a way that may have ended it).
async fn probe_once(
    prober: &Prober,
    scenario: &Scenario,
    sessions: Sessions,
    session: &mut Option<OpenSession>,
    due: Instant,
    stats: &Shared,
) {
    // The scenario was validated before the run: a caller's mistake cannot happen here, and
    // if it did there would be no report to count.
    if sessions == Sessions::Fresh {
        if let Ok(report) = prober.check(scenario).await {
            let latency = Instant::now().duration_since(due);
            stats_lock(stats).record(latency, &report);
        }
        return;
    }
    if session.is_none() {
        match prober.open(scenario).await {
            Ok(Ok(opened)) => {
                stats_lock(stats).record_opening(opened.opening());
                *session = Some(opened);
            }
            Ok(Err(report)) => {
                let latency = Instant::now().duration_since(due);
                stats_lock(stats).record_failed_opening(latency, &report);
                return;
            }
            Err(_) => return,
        }
    }
    let Some(open) = session.as_mut() else {
        return;
    };
    if let Ok(report) = open.run_steps().await {
        let latency = Instant::now().duration_since(due);
        stats_lock(stats).record(latency, &report);
    }
    if !open.is_usable() {
        if let Some(broken) = session.take() {
            close(broken).await;
        }
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
