//! The prober: runs a scenario against its target and turns everything that happens into a
//! [`Report`].

mod matrix;
mod open;
mod run;
mod shared;
mod wait;

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use tokio::time::Instant;

use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::model::{
    ListPromptsStep, ListResourceTemplatesStep, ListResourcesStep, ListToolsStep, Report, Scenario,
    Step, Surface,
};
pub use open::OpenSession;
use run::Run;
use shared::{Held, Shared};

/// Runs probes. Cheap to clone; clones share TLS configurations and detected eras. Every
/// probe opens its own connections, so each one reports fresh DNS, connect and TLS timings and
/// the certificate the server presents now.
///
/// ```no_run
/// # async fn demo() -> Result<(), mcp_probe_core::Error> {
/// use mcp_probe_core::{Prober, Scenario};
///
/// let prober = Prober::new();
/// let report = prober
///     .check(&Scenario::for_url("http://127.0.0.1:8000/mcp").call_tool("add", serde_json::json!({"a": 2, "b": 3})))
///     .await?;
/// if !report.ok {
///     eprintln!("{}", report.failure.as_ref().map_or("", |f| f.message.as_str()));
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Prober {
    shared: Arc<Shared>,
}

/// Runs one probe with a process-wide shared [`Prober`].
pub async fn check(scenario: &Scenario) -> Result<Report, Error> {
    static SHARED: OnceLock<Prober> = OnceLock::new();
    SHARED.get_or_init(Prober::new).check(scenario).await
}

impl Prober {
    /// A prober with no connections yet.
    pub fn new() -> Self {
        Prober::default()
    }

    /// Runs `scenario` against its target.
    ///
    /// `Err` only for the caller's mistakes (no or bad URL, unreadable credential, invalid
    /// scenario); whatever the server does ends up in the [`Report`].
    ///
    /// With [`Scenario::wait_until_ready`], the whole probe is repeated until it is healthy or
    /// the wait is over, with exponential backoff and full jitter between attempts (250 ms
    /// doubling up to 5 s, never past the deadline); each attempt keeps its own timeouts, and
    /// one attempt may start right at the deadline, so it all takes at most the wait plus one
    /// attempt. The report is the last attempt's, with `attempts` and, when the first
    /// attempt failed differently, `firstFailure`. A caller's mistake ends it at once; dropping
    /// the future stops it.
    ///
    /// With [`Scenario::matrix`](Scenario::matrix()), the scenario then runs once more in each
    /// era, protocol version and transport the target could speak, one after the other; the
    /// report gains `matrix`, and its verdict stays the probe's as asked for.
    pub async fn check(&self, scenario: &Scenario) -> Result<Report, Error> {
        Ok(self.probe(scenario, false).await?.0)
    }

    /// Runs `scenario` as [`Prober::check`] does, also listing resources, resource templates
    /// and prompts (those the server advertises), and returns the report with the server's
    /// [`Surface`]: what the listings found (empty when the probe failed before listing).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), mcp_probe_core::Error> {
    /// use mcp_probe_core::{Prober, Scenario};
    ///
    /// let (report, surface) = Prober::new()
    ///     .snapshot(&Scenario::for_url("http://127.0.0.1:8000/mcp"))
    ///     .await?;
    /// if report.ok {
    ///     println!("{}", surface.to_snapshot_json());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn snapshot(&self, scenario: &Scenario) -> Result<(Report, Surface), Error> {
        self.probe(scenario, true).await
    }

    /// Runs the probe (repeated with `waitUntilReady`, then in every variant with `matrix`);
    /// with `snapshot` or `expectSurface` every listing the server advertises is made.
    async fn probe(&self, scenario: &Scenario, snapshot: bool) -> Result<(Report, Surface), Error> {
        scenario.validate()?;
        let expected = match &scenario.expect_surface {
            Some(path) => Some(Surface::from_path(path)?),
            None => None,
        };
        let mode = SurfaceMode {
            list_all: snapshot || expected.is_some(),
            expected: expected.as_ref(),
        };
        let (mut report, surface) = self.check_waiting(scenario, mode).await?;
        if scenario.matrix {
            let mut entries = Vec::new();
            for variant in matrix::variants(scenario) {
                let variant_scenario = matrix::scenario_for(scenario, variant);
                variant_scenario.validate()?;
                // Boxed: a matrix is rare, and this would double the size of every probe's
                // future.
                let (run, _) = Box::pin(self.check_once(&variant_scenario, mode)).await?;
                entries.push(matrix::entry(variant, run));
            }
            report.matrix = Some(entries);
        }
        Ok((report, surface))
    }

    /// The probe as asked for: once, or until healthy with `waitUntilReady`.
    async fn check_waiting(
        &self,
        scenario: &Scenario,
        mode: SurfaceMode<'_>,
    ) -> Result<(Report, Surface), Error> {
        let Some(wait) = scenario.wait_until_ready else {
            return self.check_once(scenario, mode).await;
        };
        let deadline = crate::clock::instant_after(Instant::now(), wait);
        let mut backoff = wait::Backoff::new();
        let mut attempts: u32 = 0;
        let mut first_failure = None;
        loop {
            let (mut report, surface) = self.check_once(scenario, mode).await?;
            attempts = attempts.saturating_add(1);
            if attempts == 1 {
                first_failure = report.failure.clone();
            }
            let now = Instant::now();
            if report.ok || now >= deadline {
                report.attempts = Some(attempts);
                report.first_failure = first_failure.filter(|first| {
                    report
                        .failure
                        .as_ref()
                        .is_none_or(|last| (last.code, &last.step) != (first.code, &first.step))
                });
                return Ok((report, surface));
            }
            tokio::time::sleep(backoff.next_pause(deadline.saturating_duration_since(now))).await;
        }
    }

    /// One attempt: runs `scenario` once; the caller has validated it (once per probe, not
    /// once per attempt).
    async fn check_once(
        &self,
        scenario: &Scenario,
        mode: SurfaceMode<'_>,
    ) -> Result<(Report, Surface), Error> {
        let spec = scenario
            .target
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::InvalidUrl, "no URL given"))?;
        let prepared = self.shared.prepare(scenario, spec)?;
        let started_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = Instant::now();
        let clock = Clock::start(scenario.timeouts.total, scenario.timeouts.request);
        let mut run = Run::start(
            Held::Borrowed(&self.shared),
            Held::Borrowed(scenario),
            Held::Borrowed(spec),
            prepared,
            clock,
        )
        .await?;
        run.list_all = mode.list_all;
        let mut steps = Vec::new();
        for step in planned_steps(scenario, mode.list_all) {
            steps.push(run.step(&step).await?);
        }
        if let Some(expected) = mode.expected {
            run.judge_surface(&mut steps, expected);
        }
        Ok(run.finish(steps, started_at, started).await)
    }
}

/// Whether a probe makes every listing, and the surface it must stay compatible with.
#[derive(Debug, Clone, Copy)]
struct SurfaceMode<'a> {
    list_all: bool,
    expected: Option<&'a Surface>,
}

/// The scenario's steps; with `list_all`, the listings it lacks are added at the end
/// (tools, resources, resource templates, prompts).
fn planned_steps(scenario: &Scenario, list_all: bool) -> Vec<Step> {
    let mut steps = scenario.effective_steps();
    if !list_all {
        return steps;
    }
    let listings = [
        Step::ListTools(ListToolsStep::default()),
        Step::ListResources(ListResourcesStep::default()),
        Step::ListResourceTemplates(ListResourceTemplatesStep::default()),
        Step::ListPrompts(ListPromptsStep::default()),
    ];
    for listing in listings {
        let kind = std::mem::discriminant(&listing);
        if !steps.iter().any(|s| std::mem::discriminant(s) == kind) {
            steps.push(listing);
        }
    }
    let mut with_handshake = scenario.clone();
    with_handshake.steps = steps;
    with_handshake.effective_steps()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bindings run probes on multi-threaded runtimes: the future must stay `Send`.
    #[test]
    fn a_probe_is_a_send_future() {
        fn assert_send<T: Send>(_: &T) {}
        let prober = Prober::new();
        let scenario = Scenario::for_url("http://127.0.0.1:9/mcp");
        let probe = prober.check(&scenario);
        assert_send(&probe);
        let shared = check(&scenario);
        assert_send(&shared);
    }
}
