//! The scheduler: one Tokio task per target (no threads), each probing on its interval. First
//! runs are spread evenly over the interval plus a little jitter, so many targets do not
//! start at once; a global semaphore bounds how many probes run together; a target's next
//! probe starts only after its previous one ended, so it never overlaps itself.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use super::alerts::Alert;
use super::config::Target;
use super::state::Shared;
use super::App;

/// The running probes of one configuration: dropping or [`Schedule::stop`]ping it cancels them
/// (a stdio server's process group is killed when its probe is dropped).
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    tasks: JoinSet<()>,
}

impl Schedule {
    /// Starts watching `targets`; the `i`-th of `n` first runs `i/n` of its interval from now,
    /// plus up to one slot (at most a second) of jitter.
    pub(crate) fn start(app: &Arc<App>, targets: Vec<(Arc<Target>, Arc<Shared>)>) -> Schedule {
        let mut tasks = JoinSet::new();
        let n = targets.len().max(1) as u32;
        for (i, (target, state)) in targets.into_iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let slot = target.interval / n;
            let jitter_ms =
                u64::try_from(slot.min(Duration::from_secs(1)).as_millis()).unwrap_or(0);
            let jitter = Duration::from_millis(rand::random_range(0..=jitter_ms));
            let first = slot.saturating_mul(i) + jitter;
            tasks.spawn(watch(Arc::clone(app), target, state, first));
        }
        Schedule { tasks }
    }

    /// Cancels every probe and waits until they are gone.
    pub(crate) async fn stop(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Probes `target` forever, first after `first`, then every interval.
async fn watch(app: Arc<App>, target: Arc<Target>, state: Arc<Shared>, first: Duration) {
    let mut due = Instant::now() + first;
    loop {
        tokio::time::sleep_until(due).await;
        let Ok(permit) = Arc::clone(&app.permits).acquire_owned().await else {
            return;
        };
        app.stats
            .lag
            .observe(Instant::now().saturating_duration_since(due).as_secs_f64());
        // Boxed: a probe's future is large, and a task's future is as large as the largest
        // thing it awaits inline; boxing keeps each idle target's task small (the probe is
        // allocated only while it runs).
        let outcome = Box::pin(app.prober.check(&target.scenario)).await;
        drop(permit);
        // Kept terminal-safe, as every text output shows server text: the status page, the
        // metrics' label values and `/api` read it from here.
        let outcome = outcome
            .map(crate::output::make_terminal_safe)
            .map_err(|e| (e.code(), e.to_string()));
        match &outcome {
            Ok(r) => tracing::debug!(
                name = %target.name,
                ok = r.ok,
                code = r.failure.as_ref().map(|f| f.code.as_str()),
                duration_ms = r.duration_ms,
                "probed"
            ),
            Err((code, _)) => tracing::warn!(name = %target.name, code, "the probe could not run"),
        }
        let change = state.lock().record(
            outcome,
            target.failure_threshold,
            target.success_threshold,
            app.alerter.reminder_interval(),
        );
        if let Some(change) = change {
            app.alerter.send(Alert {
                target: target.name.clone(),
                labels: target.labels.clone(),
                change,
            });
        }
        // Fixed rate; after a probe longer than the interval, the next starts at once.
        due += target.interval;
        let now = Instant::now();
        if due < now {
            due = now;
        }
    }
}
