//! The prober: runs a scenario against its target and turns everything that happens into a
//! [`Report`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::client::{ClientCache, HttpClient};
use crate::error::{Error, ErrorKind};
use crate::negotiate::{Era, ProtocolChoice};
use crate::oauth::{self, Credentials, TokenCache};
use crate::report::TransportKind;
use crate::report::{Failure, Report, StepReport, StepStatus, Warning, REPORT_SCHEMA_VERSION};
use crate::scenario::{Limits, TargetSpec, TransportChoice};
use crate::scenario::{Scenario, Step};
use crate::session::LegacyOpener;
use crate::session::{Clock, Session};
use crate::steps::{self, EraPlan, Learnt, StepContext};
use crate::target::Target;
use crate::transport::stdio::Stdio;
use crate::transport::streamable_http::StreamableHttp;
use crate::transport::{StepLog, Transport};

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
    clients: Arc<ClientCache>,
    /// The era found for each URL by `auto` detection, so repeated probes skip it.
    eras: Arc<Mutex<HashMap<String, Era>>>,
    /// OAuth access tokens, reused until shortly before they expire.
    tokens: Arc<TokenCache>,
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
    pub async fn check(&self, scenario: &Scenario) -> Result<Report, Error> {
        scenario.validate()?;
        let spec = scenario
            .target
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::InvalidUrl, "no URL given"))?;
        let timeouts = scenario.timeouts;
        let transport_choice = scenario.effective_transport();
        // Resolve everything that can be the caller's mistake before the clock starts.
        let mut http = match transport_choice {
            TransportChoice::Stdio => None,
            _ => {
                let target = Target::resolve(spec)?;
                let client = self.clients.client(
                    spec,
                    target.url(),
                    timeouts.connect.min(timeouts.total),
                )?;
                Some((target, client))
            }
        };
        let credentials = match (&spec.oauth, &http) {
            (Some(oauth), Some((target, _))) => Some(Credentials::resolve(oauth, target.url())?),
            _ => None,
        };
        let connect = timeouts.connect.min(timeouts.total);
        let started_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let t0 = Instant::now();
        let clock = Clock::start(timeouts.total, timeouts.request);
        // OAuth: getting the token is part of the probe's time; it goes into the target before
        // anything is sent with it. Failing to get one fails the first step.
        let mut token_phase = None;
        if let (Some(credentials), Some((target, client))) = (&credentials, http.as_mut()) {
            let phase = self
                .tokens
                .authorize(credentials, target, client, &clock, true, |url| {
                    self.token_client(spec, url, connect)
                })
                .await?;
            token_phase = Some(phase);
        }
        let mut auth_access = http.clone();
        let probe_client: Option<HttpClient> = http.as_ref().map(|(_, c)| c.clone());
        let (display_url, mut opened) = match http {
            Some((target, client)) => {
                let display = target.display_url();
                let (transport, legacy) = open_http(client, target, scenario.limits);
                (display, Ok((transport, Some(legacy))))
            }
            None => {
                let command = spec.command.clone().unwrap_or_default();
                let display = format!(
                    "stdio:{}{}",
                    command.program,
                    match command.args.len() {
                        0 => String::new(),
                        1 => " (1 argument)".to_owned(),
                        n => format!(" ({n} arguments)"),
                    }
                );
                let spawned =
                    Stdio::spawn(&command, scenario.limits).map(|t| (Transport::Stdio(t), None));
                (display, spawned)
            }
        };
        if let Some(f) = token_phase.as_mut().and_then(|p| p.failure.take()) {
            opened = Err(f);
        }
        let (mut session, mut start_failure) = match opened {
            Ok((transport, legacy)) => (Some(Session::new(transport, legacy, clock)), None),
            Err(f) => (None, Some(f)),
        };
        let mut learnt = Learnt::default();
        let choice = scenario.effective_protocol();
        let cache_key = spec.url.trim().to_owned();
        let cached = match (choice, transport_choice) {
            (ProtocolChoice::Auto, TransportChoice::Auto | TransportChoice::StreamableHttp) => {
                lock(&self.eras).get(&cache_key).copied()
            }
            _ => None,
        };
        let plan = EraPlan {
            choice,
            transport: transport_choice,
            requested_version: scenario.protocol_version.as_deref(),
            cached,
        };
        let mut reports = Vec::new();
        let mut warnings: Vec<Warning> = Vec::new();
        let mut failure = None;

        for step in scenario.effective_steps() {
            let mut report = StepReport::new(step.name());
            if failure.is_some() {
                reports.push(report);
                continue;
            }
            let Some(session) = session.as_mut() else {
                // The server could not be started: the first step fails with that.
                if let Some(mut f) = start_failure.take() {
                    f.step = Some(step.name().to_owned());
                    report.status = StepStatus::Fail;
                    report.failure = Some(f.clone());
                    failure = Some(f);
                }
                reports.push(report);
                continue;
            };
            let started = Instant::now();
            let mut log = StepLog::default();
            let cx = StepContext {
                session,
                learnt: &mut learnt,
                log: &mut log,
                report: &mut report,
                limits: scenario.limits,
                plan,
            };
            let mut outcome = run_step(&step, cx, auth_access.as_ref()).await;
            if let (Err(f), Some(credentials)) = (&outcome, &credentials) {
                if matches!(step, Step::Handshake(_)) && oauth::token_refused(f) {
                    // A refused token is never reused; one from the cache is replaced once.
                    self.tokens.forget(credentials);
                    if let (Some(phase), Some((target, client))) =
                        (token_phase.as_mut(), auth_access.as_mut())
                    {
                        if phase.may_refresh() {
                            let fresh = self
                                .tokens
                                .authorize(credentials, target, client, &clock, false, |url| {
                                    self.token_client(spec, url, connect)
                                })
                                .await?;
                            outcome = match phase.replace(fresh) {
                                Some(f) => Err(f),
                                None => {
                                    let (transport, legacy) =
                                        open_http(client.clone(), target.clone(), scenario.limits);
                                    *session = Session::new(transport, Some(legacy), clock);
                                    learnt = Learnt::default();
                                    let refused = log.requests;
                                    log = StepLog::default();
                                    log.requests = refused;
                                    report = StepReport::new(step.name());
                                    let cx = StepContext {
                                        session,
                                        learnt: &mut learnt,
                                        log: &mut log,
                                        report: &mut report,
                                        limits: scenario.limits,
                                        plan,
                                    };
                                    run_step(&step, cx, auth_access.as_ref()).await
                                }
                            };
                        }
                    }
                }
            }
            report.duration_ms = millis(started.elapsed());
            report.requests = log.requests;
            report.http_status = log.http_status;
            (report.timings, report.exchanges) = log.timing.finish();
            if log.dropped_messages > 0 {
                log.warn(
                    "server_messages_dropped",
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
            warnings.extend(report.warnings.iter().cloned());
            report.status = match outcome {
                Ok(()) if report.warnings.is_empty() => StepStatus::Pass,
                Ok(()) => StepStatus::Warn,
                Err(mut f) => {
                    f.step = Some(step.name().to_owned());
                    report.failure = Some(f.clone());
                    failure = Some(f);
                    StepStatus::Fail
                }
            };
            reports.push(report);
        }

        let mut session_facts = Default::default();
        let mut transport_kind = match transport_choice {
            TransportChoice::Stdio => TransportKind::Stdio,
            _ => TransportKind::StreamableHttp,
        };
        let mut stderr = None;
        if let Some(session) = session.as_mut() {
            session.close().await;
            session_facts = session.facts.clone();
            transport_kind = session.transport_kind();
            stderr = session.stderr_tail();
        }
        if choice == ProtocolChoice::Auto {
            self.remember_era(&cache_key, learnt.era, failure.as_ref());
        }
        let tls = probe_client.as_ref().and_then(HttpClient::tls_facts);
        if spec.tls.insecure && probe_client.is_some() {
            warnings.insert(0, crate::tls::insecure_warning(tls.as_ref()));
        }
        Ok(Report {
            schema_version: REPORT_SCHEMA_VERSION,
            ok: failure.is_none(),
            target: display_url,
            transport: transport_kind,
            era: learnt.era,
            protocol_version: learnt.protocol_version,
            negotiation: learnt.negotiation,
            server: learnt.server,
            started_at,
            duration_ms: millis(t0.elapsed()),
            steps: reports,
            failure,
            warnings,
            session: session_facts,
            stderr,
            tls,
            auth: token_phase.map(|p| p.facts),
        })
    }

    /// The client for an OAuth token endpoint: the target's TLS options, its own connections
    /// (so the report's certificate stays the MCP server's).
    fn token_client(
        &self,
        spec: &TargetSpec,
        url: &url::Url,
        connect: Duration,
    ) -> Result<reqwest::Client, Error> {
        let client = self.clients.client(spec, url, connect)?;
        Ok(reqwest::Client::clone(&client))
    }
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

/// Runs one step.
async fn run_step(
    step: &Step,
    cx: StepContext<'_>,
    auth_access: Option<&(Target, HttpClient)>,
) -> Result<(), Failure> {
    match step {
        Step::Handshake(s) => steps::handshake(cx, s).await,
        Step::ListTools(s) => steps::list_tools(cx, s).await,
        Step::CallTool(s) => steps::call_tool(cx, s).await,
        Step::CheckAuth(_) => match auth_access {
            Some((target, client)) => steps::check_auth(cx, client, target).await,
            // Validation allows `checkAuth` only for URL targets.
            None => Ok(()),
        },
    }
}

impl Prober {
    /// Keeps a detected era for the URL; forgets it when the handshake failed, so the next
    /// probe detects again (a redeploy may have changed the server).
    fn remember_era(&self, key: &str, era: Option<Era>, failure: Option<&Failure>) {
        let mut eras = lock(&self.eras);
        match (era, failure) {
            (_, Some(f)) if f.step.as_deref() == Some("handshake") => {
                eras.remove(key);
            }
            (Some(era), _) => {
                // Bounded: a monitor probes a fixed set of URLs; anything beyond is not cached.
                if eras.len() < 10_000 || eras.contains_key(key) {
                    eras.insert(key.to_owned(), era);
                }
            }
            (None, _) => {}
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Milliseconds with microsecond precision.
fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
