//! A session opened once and its steps run again and again over it ([`Prober::open`]): what
//! a load run with reused sessions does. The steps are the probe's own ([`Run::step`]); only
//! the clock is new for each run.

use std::sync::Arc;
use std::time::SystemTime;

use tokio::time::Instant;

use super::{planned_steps, Held, Prober, Run};
use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::model::{FailureFamily, Report, Scenario, SessionClose, Step, Surface};

impl Prober {
    /// Opens a session to the scenario's target: spawns the stdio server or prepares the
    /// connection, gets an OAuth token if one is configured, and runs the scenario's steps up
    /// to and including the handshake (`initialize`, or `server/discover` in the 2026-07-28
    /// era, as [`Prober::check`] would). The steps after the handshake are then run as often as
    /// wanted with [`OpenSession::run_steps`], all over this one session.
    ///
    /// `Err` only for the caller's mistakes, as with [`Prober::check`]. `Ok(Err(report))` when
    /// the session could not be opened: the report says why (the handshake step failed), and
    /// what was opened is already closed. `waitUntilReady` and `matrix` do not apply.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), mcp_probe_core::Error> {
    /// use mcp_probe_core::{Prober, Scenario};
    ///
    /// let scenario = Scenario::for_url("http://127.0.0.1:8000/mcp")
    ///     .call_tool("add", serde_json::json!({"a": 2, "b": 3}));
    /// match Prober::new().open(&scenario).await? {
    ///     Ok(mut session) => {
    ///         println!("handshake: {} ms", session.opening().steps[0].duration_ms);
    ///         for _ in 0..100 {
    ///             // tools/list and tools/call, over the same session each time.
    ///             let run = session.run_steps().await?;
    ///             if !session.is_usable() {
    ///                 eprintln!("{:?}", run.failure);
    ///                 break;
    ///             }
    ///         }
    ///         session.close().await; // DELETE, or stop the stdio server
    ///     }
    ///     Err(report) => eprintln!("{:?}", report.failure),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn open(&self, scenario: &Scenario) -> Result<Result<OpenSession, Report>, Error> {
        scenario.validate()?;
        let expected = match &scenario.expect_surface {
            Some(path) => Some(Surface::from_path(path)?),
            None => None,
        };
        let spec = scenario
            .target
            .clone()
            .ok_or_else(|| Error::new(ErrorKind::InvalidUrl, "no URL given"))?;
        let prepared = self.shared.prepare(scenario, &spec)?;
        let list_all = expected.is_some();
        let mut opening = planned_steps(scenario, list_all);
        let repeated = match opening.iter().position(|s| matches!(s, Step::Handshake(_))) {
            Some(at) => opening.split_off(at + 1),
            None => std::mem::take(&mut opening),
        };
        let started_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = Instant::now();
        let clock = Clock::start(scenario.timeouts.total, scenario.timeouts.request);
        let mut run = Run::start(
            Held::Shared(self.shared.clone()),
            Held::Shared(Arc::new(scenario.clone())),
            Held::Shared(Arc::new(spec)),
            prepared,
            clock,
        )
        .await?;
        run.list_all = list_all;
        let mut steps = Vec::with_capacity(opening.len());
        for step in &opening {
            steps.push(run.step(step).await?);
        }
        if run.failed() {
            return Ok(Err(run.finish(steps, started_at, started).await.0));
        }
        run.stop_recovering();
        let (opening, _) = run.report(steps, started_at, started);
        Ok(Ok(OpenSession {
            run,
            steps: repeated,
            expected,
            opening,
            usable: true,
        }))
    }
}

/// A session [`Prober::open`] opened: the scenario's steps after the handshake run over it
/// again and again ([`OpenSession::run_steps`]) until [`OpenSession::close`].
///
/// Each run has its own clock (the scenario's timeouts apply to each run) and its own report.
/// A session the server forgets is not re-initialized: the run fails with `session_expired`
/// and the session is no longer usable ([`OpenSession::is_usable`]). Dropping it without
/// [`OpenSession::close`] stops a stdio server's process group but sends no DELETE.
pub struct OpenSession {
    run: Run<'static>,
    /// The steps each run repeats: those after the handshake.
    steps: Vec<Step>,
    /// The surface an `expectSurface` scenario must stay compatible with.
    expected: Option<Surface>,
    opening: Report,
    usable: bool,
}

impl std::fmt::Debug for OpenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSession")
            .field("target", &self.opening.target)
            .field("steps", &self.steps.len())
            .field("usable", &self.usable)
            .finish_non_exhaustive()
    }
}

impl OpenSession {
    /// The report of opening the session: its steps are the handshake (and an `auth` check
    /// before it, if the scenario has one), its timings the handshake's.
    pub fn opening(&self) -> &Report {
        &self.opening
    }

    /// Runs the scenario's steps after the handshake once more over this session and reports
    /// them as [`Prober::check`] would (`steps` holds only these; `durationMs` is this run's;
    /// a top-level `expect: {maxMs}` judges this run). After a failure the session may be
    /// unusable: see [`OpenSession::is_usable`].
    ///
    /// `Err` only for the caller's mistakes (as with [`Prober::check`]).
    pub async fn run_steps(&mut self) -> Result<Report, Error> {
        let started_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let started = Instant::now();
        self.run.restart();
        let mut steps = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            steps.push(self.run.step(step).await?);
        }
        if let Some(expected) = &self.expected {
            self.run.judge_surface(&mut steps, expected);
        }
        let (report, _) = self.run.report(steps, started_at, started);
        // A tool's error or an expectation says nothing about the session; anything else
        // (a forgotten session, a timeout, a refused connection, a protocol error) may mean
        // it is gone.
        self.usable = report
            .failure
            .as_ref()
            .is_none_or(|f| f.code.family() == FailureFamily::Tool);
        Ok(report)
    }

    /// Whether the last run left the session usable: it passed, or failed only by a tool's
    /// error or an expectation (failure family `tool`). Otherwise close it and open another.
    pub fn is_usable(&self) -> bool {
        self.usable
    }

    /// Ends the session: DELETE over Streamable HTTP, closing the stream over legacy
    /// HTTP+SSE, stopping the stdio server and its process group; within the clean-up budget
    /// (one second). Says how that went, when something was ended.
    pub async fn close(mut self) -> Option<SessionClose> {
        self.run.close_session().await
    }
}
