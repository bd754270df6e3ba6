//! One probe in progress: open the target (spawn, connect, get a token), run each step,
//! close what was opened, and assemble the [`Report`].

use crate::clock::Clock;
use crate::http::log::StepLog;
use std::time::Duration;

use tokio::time::Instant;

use crate::auth::{Credentials, StepUp, TokenPhase, MAX_STEP_UPS};
use crate::error::Error;
use crate::http::client::HttpClient;
use crate::http::dns::AddressPolicy;
use crate::http::target::Target;
use crate::model::{ChangeKind, Era, ProtocolChoice, Surface, SurfaceChange, WarningCode};
use crate::model::{CommandSpec, Limits, Scenario, Step, TargetSpec, TransportChoice};
use crate::model::{
    Failure, FailureCode, Report, SessionClose, SessionFacts, StepReport, StepStatus,
    TransportKind, Warning, REPORT_SCHEMA_VERSION,
};
use crate::probe::shared::{Held, Prepared, Shared};
use crate::scrub::Secrets;
use crate::session::{LegacyOpener, Session};
use crate::steps::{self, EraPlan, Learnt, StepContext};
use crate::transport::stdio::Stdio;
use crate::transport::streamable_http::StreamableHttp;
use crate::transport::Transport;
use reqwest::header::AUTHORIZATION;
use serde_json::{Map, Value};

/// The step a failed whole-probe expectation (`expect: {maxMs}` at the top of the scenario)
/// names: no step of the report is marked failed.
const PROBE_STEP: &str = "probe";

/// One probe between start and report: borrowing the prober and scenario for one probe, or
/// holding them for an open session's runs ([`crate::probe::OpenSession`]).
pub(crate) struct Run<'a> {
    prober: Held<'a, Shared>,
    scenario: Held<'a, Scenario>,
    spec: Held<'a, TargetSpec>,
    clock: Clock,
    connect: Duration,
    /// The era an earlier probe of the URL found (auto only), when this one started.
    cached_era: Option<Era>,
    /// The URL target (with any OAuth token in it) and its client: for the auth step, token
    /// refreshes and the report's TLS facts.
    http: Option<(Target, HttpClient)>,
    credentials: Option<Credentials>,
    token: Option<TokenPhase>,
    display_url: String,
    session: Option<Session>,
    /// Why the server could not be reached at all; the first step fails with it.
    start_failure: Option<Failure>,
    learnt: Learnt,
    failure: Option<Failure>,
    warnings: Vec<Warning>,
    /// Every secret the probe was given or learnt, scrubbed from the report.
    secrets: Secrets,
    /// Re-authorizations (authorization-code flow) made during steps so far.
    step_ups: u32,
    /// Whether the probe makes every listing the server advertises (a snapshot, or a check
    /// against `expectSurface`): a listing the server does not advertise is skipped.
    pub(crate) list_all: bool,
}

impl<'a> Run<'a> {
    /// Gets an OAuth token if one is configured, then opens the transport (nothing is sent
    /// to the server yet for HTTP; a stdio server is spawned).
    pub(crate) async fn start(
        prober: Held<'a, Shared>,
        scenario: Held<'a, Scenario>,
        spec: Held<'a, TargetSpec>,
        prepared: Prepared,
        clock: Clock,
    ) -> Result<Run<'a>, Error> {
        let Prepared {
            mut http,
            credentials,
            connect,
        } = prepared;
        let mut secrets = given_secrets(&spec, credentials.as_ref());
        // Getting the token is part of the probe's time; it goes into the target before
        // anything is sent with it.
        let mut token = None;
        if let (Some(credentials), Some((target, client))) = (&credentials, http.as_mut()) {
            // Boxed: only probes with OAuth get a token, and its future is large.
            let phase = Box::pin(prober.tokens.authorize(
                credentials,
                target,
                client,
                &clock,
                true,
                |url, guard| prober.token_client(&spec, url, connect, guard),
            ))
            .await?;
            phase.collect_secrets(&mut secrets);
            token = Some(phase);
        }
        let (display_url, mut opened) = open_transport(http.as_ref(), &spec, scenario.limits);
        if let Some(f) = token.as_mut().and_then(|p| p.failure.take()) {
            opened = Err(f);
        }
        let (session, start_failure) = match opened {
            Ok((transport, legacy)) => (Some(Session::new(transport, legacy, clock)), None),
            Err(f) => (None, Some(f)),
        };
        let cached_era = cached_era(&prober, &scenario, &spec);
        Ok(Run {
            prober,
            scenario,
            spec,
            clock,
            connect,
            cached_era,
            http,
            credentials,
            token,
            display_url,
            session,
            start_failure,
            learnt: Learnt::default(),
            failure: None,
            warnings: Vec::new(),
            secrets,
            step_ups: 0,
            list_all: false,
        })
    }

    /// Runs one step and reports it; after a failure, later steps are skipped.
    ///
    /// `Err` only when a token refresh needs a client that cannot be made (a caller mistake).
    pub(crate) async fn step(&mut self, step: &Step) -> Result<StepReport, Error> {
        let mut report = StepReport::new(step.name());
        if self.failure.is_some() {
            return Ok(report);
        }
        if self.session.is_none() {
            // The server could not be started, or no token could be had.
            if let Some(f) = self.start_failure.take() {
                self.fail(&mut report, step, f);
            }
            return Ok(report);
        }
        let started = Instant::now();
        let mut log = StepLog::default();
        let mut outcome = self.execute(step, &mut log, &mut report).await;
        // The retries below are boxed: they happen only with OAuth, and their futures (a
        // token request, then the step again) would double the size of every step's.
        if self.token_refused(step, &outcome) {
            if let Some(retried) =
                Box::pin(self.retry_with_fresh_token(step, &mut log, &mut report)).await?
            {
                outcome = retried;
            }
        }
        while let Some(challenges) = self.step_up_challenges(&outcome) {
            match Box::pin(self.reauthorize(step, challenges, &mut log, &mut report)).await? {
                Some(retried) => outcome = retried,
                None => break,
            }
        }
        report.duration_ms = millis(started.elapsed());
        if let (Ok(()), None, Some(max)) =
            (&outcome, &report.note, step.expect().and_then(|e| e.max_ms))
        {
            outcome =
                steps::expect::judge_duration(&steps::expect::label(step), max, report.duration_ms);
        }
        self.record(step, &mut report, log, outcome);
        Ok(report)
    }

    async fn execute(
        &mut self,
        step: &Step,
        log: &mut StepLog,
        report: &mut StepReport,
    ) -> Result<(), Failure> {
        if let Some(capability) = self.unadvertised_listing(step) {
            report.note = Some(format!(
                "the server does not advertise the `{capability}` capability; not listed"
            ));
            return Ok(());
        }
        let Some(session) = self.session.as_mut() else {
            return Ok(());
        };
        let cx = StepContext {
            session,
            learnt: &mut self.learnt,
            log,
            report,
            limits: self.scenario.limits,
            plan: era_plan(&self.scenario, self.cached_era),
            strict_schemas: self.scenario.strict_schemas,
        };
        match step {
            Step::Handshake(s) => steps::handshake(cx, s).await,
            Step::ListTools(s) => steps::list_tools(cx, s).await,
            Step::CallTool(s) => steps::call_tool(cx, s).await,
            Step::CheckAuth(_) => match &self.http {
                Some((target, client)) => {
                    // URLs the server names may lead only where the target itself is.
                    let guard = AddressPolicy::for_target(target.url()).await;
                    let metadata = match self.prober.token_client(
                        &self.spec,
                        target.url(),
                        self.connect,
                        Some(guard),
                    ) {
                        Ok(c) => c,
                        Err(e) => return Err(Failure::new(FailureCode::Connect, e.to_string())),
                    };
                    steps::check_auth(cx, client, &metadata, guard, target).await
                }
                // Validation allows `checkAuth` only for URL targets.
                None => Ok(()),
            },
            other => steps::feature_step(cx, other).await,
        }
    }

    /// When every listing is made: the capability a listing step needs, if the server's
    /// handshake did not advertise it.
    fn unadvertised_listing(&self, step: &Step) -> Option<&'static str> {
        if !self.list_all {
            return None;
        }
        let capability = match step {
            Step::ListTools(_) => "tools",
            Step::ListResources(_) | Step::ListResourceTemplates(_) => "resources",
            Step::ListPrompts(_) => "prompts",
            _ => return None,
        };
        let server = self.learnt.server.as_ref()?;
        (!server.capabilities.iter().any(|c| c == capability)).then_some(capability)
    }

    /// Compares what the listings found with the `expectSurface` snapshot: a breaking change
    /// fails the probe (`surface_changed`, naming the first change and counting all),
    /// compatible changes are a warning. Both go on the last listing step that ran.
    pub(crate) fn judge_surface(&mut self, steps: &mut [StepReport], expected: &Surface) {
        if self.failure.is_some() {
            return;
        }
        let changes = expected.diff(&self.learnt.surface.surface);
        if changes.is_empty() {
            return;
        }
        let listing = |s: &StepReport| {
            s.status != StepStatus::Skip
                && matches!(
                    s.name.as_str(),
                    "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list"
                )
        };
        let at = steps
            .iter()
            .rposition(listing)
            .or_else(|| steps.iter().rposition(|s| s.status != StepStatus::Skip))
            .unwrap_or(0);
        let Some(report) = steps.get_mut(at) else {
            return;
        };
        let breaking: Vec<&SurfaceChange> = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Breaking)
            .collect();
        let listed: Vec<String> = changes
            .iter()
            .take(50)
            .map(|c| {
                let line = format!("{} {}: {}", c.kind.as_str(), c.path, c.message);
                crate::text::truncate(&line, 1000)
            })
            .collect();
        let step_name = report.name.clone();
        if let Some(first) = breaking.first() {
            let mut failure = Failure::new(
                FailureCode::SurfaceChanged,
                format!(
                    "the surface changed in a breaking way: {}: {} ({} breaking change{}, {} in all)",
                    crate::text::truncate(&first.path, 300),
                    crate::text::truncate(&first.message, 300),
                    breaking.len(),
                    if breaking.len() == 1 { "" } else { "s" },
                    changes.len()
                ),
            )
            .with("firstChange", crate::text::truncate(&first.path, 1000))
            .with("breaking", breaking.len())
            .with("changes", listed);
            failure.step = Some(step_name);
            report.status = StepStatus::Fail;
            report.failure = Some(failure.clone());
            self.failure = Some(failure);
            return;
        }
        let first = &changes[0];
        let mut warning = Warning::new(
            WarningCode::SurfaceChangedCompatible,
            format!(
                "the surface changed compatibly: {}: {} ({} change{})",
                crate::text::truncate(&first.path, 300),
                crate::text::truncate(&first.message, 300),
                changes.len(),
                if changes.len() == 1 { "" } else { "s" }
            ),
        );
        warning.step = Some(step_name);
        report.warnings.push(warning.clone());
        if report.status == StepStatus::Pass {
            report.status = StepStatus::Warn;
        }
        self.warnings.push(warning);
    }

    /// Whether the server refused the OAuth token at the handshake.
    fn token_refused(&self, step: &Step, outcome: &Result<(), Failure>) -> bool {
        matches!(step, Step::Handshake(_))
            && self.credentials.is_some()
            && matches!(outcome, Err(f) if crate::auth::token_refused(f))
    }

    /// The server's challenges when the authorization-code flow should (re-)authorize: a 401
    /// (no token yet, or one refused), or a 403 whose Bearer challenge says
    /// `insufficient_scope` (step-up); at most [`MAX_STEP_UPS`] times per probe.
    fn step_up_challenges(&self, outcome: &Result<(), Failure>) -> Option<Vec<Map<String, Value>>> {
        let Err(f) = outcome else { return None };
        let code_flow = self
            .credentials
            .as_ref()
            .is_some_and(Credentials::is_authorization_code);
        if !code_flow || self.step_ups >= MAX_STEP_UPS || f.code != FailureCode::AuthRequired {
            return None;
        }
        let challenges: Vec<Map<String, Value>> = match f.details.get("challenges") {
            Some(Value::Array(list)) => {
                list.iter().filter_map(|c| c.as_object().cloned()).collect()
            }
            _ => Vec::new(),
        };
        let insufficient = challenges.iter().any(|c| {
            c.get("scheme")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
                && c.get("error").and_then(Value::as_str) == Some("insufficient_scope")
        });
        match f.http_status() {
            Some(401) => Some(challenges),
            Some(403) if insufficient => Some(challenges),
            _ => None,
        }
    }

    /// Runs the authorization-code flow again from the server's challenges, then the step
    /// again with the new token (over a new session for the handshake). `None` when no
    /// retry was made.
    async fn reauthorize(
        &mut self,
        step: &Step,
        challenges: Vec<Map<String, Value>>,
        log: &mut StepLog,
        report: &mut StepReport,
    ) -> Result<Option<Result<(), Failure>>, Error> {
        let (Some(credentials), Some((target, client))) = (&self.credentials, self.http.as_mut())
        else {
            return Ok(None);
        };
        self.step_ups += 1;
        let previous = self
            .token
            .as_ref()
            .and_then(|p| p.scope().map(str::to_owned));
        let (prober, spec, connect): (&Shared, &TargetSpec, _) =
            (&self.prober, &self.spec, self.connect);
        let fresh = prober
            .tokens
            .step_up(
                credentials,
                target,
                client,
                &self.clock,
                StepUp {
                    challenges,
                    previous_scope: previous,
                },
                |url, guard| prober.token_client(spec, url, connect, guard),
            )
            .await?;
        fresh.collect_secrets(&mut self.secrets);
        let failure = match self.token.as_mut() {
            Some(phase) => phase.replace(fresh),
            None => {
                let failure = fresh.failure.clone();
                self.token = Some(fresh);
                failure
            }
        };
        if let Some(f) = failure {
            return Ok(Some(Err(f)));
        }
        let Some(header) = target.headers().get(AUTHORIZATION).cloned() else {
            return Ok(None);
        };
        if matches!(step, Step::Handshake(_)) {
            let (transport, legacy) =
                open_http(client.clone(), target.clone(), self.scenario.limits);
            if let Some(old) = &self.session {
                old.collect_secrets(&mut self.secrets);
            }
            self.session = Some(Session::new(transport, Some(legacy), self.clock));
            self.learnt = Learnt::default();
        } else if let Some(session) = self.session.as_mut() {
            session.set_authorization(header);
        }
        let refused_requests = log.requests;
        *log = StepLog::default();
        log.requests = refused_requests;
        *report = StepReport::new(step.name());
        Ok(Some(self.execute(step, log, report).await))
    }

    /// A refused token is never reused; one from the cache is replaced once, and the step
    /// runs again over a new session. `None` when no retry was made.
    async fn retry_with_fresh_token(
        &mut self,
        step: &Step,
        log: &mut StepLog,
        report: &mut StepReport,
    ) -> Result<Option<Result<(), Failure>>, Error> {
        let (Some(credentials), Some(phase), Some((target, client))) =
            (&self.credentials, self.token.as_mut(), self.http.as_mut())
        else {
            return Ok(None);
        };
        self.prober.tokens.forget(credentials);
        if !phase.may_refresh() {
            return Ok(None);
        }
        let (prober, spec, connect): (&Shared, &TargetSpec, _) =
            (&self.prober, &self.spec, self.connect);
        let fresh = prober
            .tokens
            .authorize(
                credentials,
                target,
                client,
                &self.clock,
                false,
                |url, guard| prober.token_client(spec, url, connect, guard),
            )
            .await?;
        fresh.collect_secrets(&mut self.secrets);
        if let Some(f) = phase.replace(fresh) {
            return Ok(Some(Err(f)));
        }
        let (transport, legacy) = open_http(client.clone(), target.clone(), self.scenario.limits);
        if let Some(old) = &self.session {
            old.collect_secrets(&mut self.secrets);
        }
        self.session = Some(Session::new(transport, Some(legacy), self.clock));
        self.learnt = Learnt::default();
        let refused_requests = log.requests;
        *log = StepLog::default();
        log.requests = refused_requests;
        *report = StepReport::new(step.name());
        Ok(Some(self.execute(step, log, report).await))
    }

    /// Moves what the step's exchanges did into its report and decides its status.
    fn record(
        &mut self,
        step: &Step,
        report: &mut StepReport,
        mut log: StepLog,
        outcome: Result<(), Failure>,
    ) {
        report.requests = log.requests;
        report.http_status = log.http_status;
        (report.timings, report.exchanges) = log.timing.finish();
        if log.dropped_messages > 0 {
            log.warn(
                WarningCode::ServerMessagesDropped,
                format!(
                    "{} more server messages arrived and were not recorded",
                    log.dropped_messages
                ),
            );
        }
        report.server_messages = log.server_messages;
        report.sse_resumptions = (log.resumptions > 0).then_some(log.resumptions);
        report.warnings = log
            .warnings
            .into_iter()
            .map(|mut w| {
                w.step = Some(step.name().to_owned());
                w
            })
            .collect();
        self.warnings.extend(report.warnings.iter().cloned());
        match outcome {
            // A step that did not apply (a `ping` in the 2026-07-28 era) says why in `note`.
            Ok(()) if report.note.is_some() => report.status = StepStatus::Skip,
            Ok(()) if report.warnings.is_empty() => report.status = StepStatus::Pass,
            Ok(()) => report.status = StepStatus::Warn,
            Err(f) => self.fail(report, step, f),
        }
    }

    fn fail(&mut self, report: &mut StepReport, step: &Step, mut failure: Failure) {
        failure.step = Some(step.name().to_owned());
        report.status = StepStatus::Fail;
        report.failure = Some(failure.clone());
        self.failure = Some(failure);
    }

    /// Starts the next run of an open session: a new clock for it and its session, no
    /// failure, warnings or listings yet (what the handshake and listings learnt stays).
    pub(crate) fn restart(&mut self) {
        let clock = Clock::start(self.scenario.timeouts.total, self.scenario.timeouts.request);
        self.clock = clock;
        if let Some(session) = self.session.as_mut() {
            session.set_clock(clock);
        }
        self.failure = None;
        self.warnings.clear();
        self.learnt.surface = steps::SurfaceLog::default();
    }

    /// Whether a step failed.
    pub(crate) fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// From now on a session the server forgot fails the step with `session_expired`
    /// instead of being re-initialized.
    pub(crate) fn stop_recovering(&mut self) {
        if let Some(session) = self.session.as_mut() {
            session.stop_recovering();
        }
    }

    /// Ends the session (DELETE, closing the stream, stopping the server process) with a
    /// clean-up budget from now; says how that went.
    pub(crate) async fn close_session(&mut self) -> Option<SessionClose> {
        self.restart();
        let session = self.session.as_mut()?;
        session.close().await;
        session.facts.closed.clone()
    }

    /// Closes what the probe opened and assembles the report; returns it with the surface
    /// the listings found.
    ///
    /// Borrows the run rather than taking it: a future that owned it would hold it twice.
    pub(crate) async fn finish(
        &mut self,
        steps: Vec<StepReport>,
        started_at: String,
        started: Instant,
    ) -> (Report, Surface) {
        if let Some(session) = self.session.as_mut() {
            session.close().await;
        }
        self.report(steps, started_at, started)
    }

    /// Assembles the report of the steps run since `started` (the session stays as it is);
    /// returns it with the surface the listings found. What the steps learnt stays; the
    /// failure and warnings go into the report.
    pub(crate) fn report(
        &mut self,
        steps: Vec<StepReport>,
        started_at: String,
        started: Instant,
    ) -> (Report, Surface) {
        let mut surface = std::mem::take(&mut self.learnt.surface.surface);
        let mut session_facts = SessionFacts::default();
        let mut transport = match self.scenario.effective_transport() {
            TransportChoice::Stdio => TransportKind::Stdio,
            _ => TransportKind::StreamableHttp,
        };
        let mut stderr = None;
        if let Some(session) = self.session.as_ref() {
            session_facts = session.facts.clone();
            transport = session.transport_kind();
            stderr = session.stderr_tail();
            session.collect_secrets(&mut self.secrets);
        }
        if let Some((target, _)) = &self.http {
            self.secrets.extend(target.secrets());
        }
        if self.scenario.effective_protocol() == ProtocolChoice::Auto {
            self.prober.remember_era(
                cache_key(&self.spec),
                self.learnt.era,
                self.failure.as_ref(),
            );
        }
        let duration_ms = millis(started.elapsed());
        if let (None, Some(max)) = (&self.failure, self.scenario.expect.max_ms) {
            if let Err(mut f) = steps::expect::judge_duration(PROBE_STEP, max, duration_ms) {
                f.step = Some(PROBE_STEP.to_owned());
                self.failure = Some(f);
            }
        }
        let tls = self.http.as_ref().and_then(|(_, c)| c.tls_facts());
        if self.spec.tls.insecure && self.http.is_some() {
            self.warnings
                .insert(0, crate::http::tls::insecure_warning(tls.as_ref()));
        }
        let mut report = Report {
            schema_version: REPORT_SCHEMA_VERSION,
            ok: self.failure.is_none(),
            target: self.display_url.clone(),
            transport,
            era: self.learnt.era,
            protocol_version: self.learnt.protocol_version.clone(),
            negotiation: self.learnt.negotiation.clone(),
            server: self.learnt.server.clone(),
            started_at,
            duration_ms,
            steps,
            failure: self.failure.take(),
            warnings: std::mem::take(&mut self.warnings),
            session: session_facts,
            stderr,
            tls,
            auth: self.token.as_ref().map(|p| p.facts.clone()),
            attempts: None,
            first_failure: None,
            surface_hash: None,
            matrix: None,
        };
        self.secrets.scrub_report(&mut report);
        // A secret a server echoed into what it lists is scrubbed before the hash is taken.
        if !self.secrets.is_empty() {
            surface.visit_text_mut(&mut |s| self.secrets.scrub_string(s));
        }
        report.surface_hash = (!surface.is_empty()).then(|| surface.hash());
        (report, surface)
    }
}

/// The secrets a probe is given: the stdio server's environment and the credentials.
fn given_secrets(spec: &TargetSpec, credentials: Option<&Credentials>) -> Secrets {
    let mut secrets = Secrets::new();
    if let Some(command) = &spec.command {
        command.env.values().for_each(|v| secrets.add(v));
    }
    if let Some(c) = credentials {
        c.collect_secrets(&mut secrets);
    }
    secrets
}

/// Opens the transport to the URL target (nothing is sent yet) or spawns the stdio server;
/// how the target is shown, and the transport with its legacy HTTP+SSE opener.
fn open_transport(
    http: Option<&(Target, HttpClient)>,
    spec: &TargetSpec,
    limits: Limits,
) -> (String, Result<(Transport, Option<LegacyOpener>), Failure>) {
    match http {
        Some((target, client)) => {
            let (transport, legacy) = open_http(client.clone(), target.clone(), limits);
            (target.display_url(), Ok((transport, Some(legacy))))
        }
        None => {
            let command = spec.command.clone().unwrap_or_default();
            let spawned = Stdio::spawn(&command, limits).map(|t| (Transport::Stdio(t), None));
            (stdio_display(&command), spawned)
        }
    }
}

/// The era an earlier probe of the URL found, if the probe is to use it (auto over
/// Streamable HTTP).
fn cached_era(prober: &Shared, scenario: &Scenario, spec: &TargetSpec) -> Option<Era> {
    match (
        scenario.effective_protocol(),
        scenario.effective_transport(),
    ) {
        (ProtocolChoice::Auto, TransportChoice::Auto | TransportChoice::StreamableHttp) => {
            prober.cached_era(cache_key(spec))
        }
        _ => None,
    }
}

/// How the probe picks its era: the scenario's choices, and the era an earlier probe found.
fn era_plan(scenario: &Scenario, cached: Option<Era>) -> EraPlan<'_> {
    EraPlan {
        choice: scenario.effective_protocol(),
        transport: scenario.effective_transport(),
        requested_version: scenario.protocol_version.as_deref(),
        cached,
        elicitation: scenario.answers_elicitation(),
    }
}

/// The key under which a URL's detected era is remembered.
fn cache_key(spec: &TargetSpec) -> &str {
    spec.url.trim()
}

/// How a stdio target is shown: the program and how many arguments (they may hold secrets).
fn stdio_display(command: &CommandSpec) -> String {
    let args = match command.args.len() {
        0 => String::new(),
        1 => " (1 argument)".to_owned(),
        n => format!(" ({n} arguments)"),
    };
    format!("stdio:{}{args}", command.program)
}

/// The Streamable HTTP transport for a URL target, and the way to switch to legacy HTTP+SSE.
fn open_http(client: HttpClient, target: Target, limits: Limits) -> (Transport, LegacyOpener) {
    let legacy = LegacyOpener {
        client: client.clone(),
        target: target.clone(),
        limits,
    };
    let transport = Transport::StreamableHttp(StreamableHttp::new(client, target, limits));
    (transport, legacy)
}

/// Milliseconds with microsecond precision.
fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
