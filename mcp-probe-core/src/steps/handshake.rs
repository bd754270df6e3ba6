//! The handshake step: `server/discover` (2026-07-28), `initialize` (handshake era), or
//! detection between them with the fewest round trips (mcp-wire-notes §5).

use crate::http::log::StepLog;
use crate::model::{
    Era, ProtocolChoice, HANDSHAKE_ERA_VERSIONS, LATEST_HANDSHAKE_VERSION, MODERN_VERSION,
};
use serde_json::{json, Map, Value};

use super::{expectation, malformed, record_cache_hints, rpc_failure, EraPlan, StepContext};
use crate::jsonrpc::{RpcError, RpcOutcome};
use crate::model::{
    Failure, FailureCode, FailureFamily, FailureReason, Negotiation, ServerInfo, StepReport,
    WarningCode,
};
use crate::model::{HandshakeStep, NegotiationMode, TransportChoice};
use crate::negotiate::is_known_handshake_version;
use crate::session::Session;
use crate::transport::legacy_sse::OpenError;

/// The version that defined the legacy HTTP+SSE transport.
const LEGACY_VERSION: &str = "2024-11-05";

/// Runs the handshake as the plan says and records how the era was chosen.
pub(crate) async fn handshake(cx: StepContext<'_>, step: &HandshakeStep) -> Result<(), Failure> {
    let mut evidence = Vec::new();
    let (mode, try_discover) = match (cx.plan.choice, cx.plan.cached) {
        (ProtocolChoice::Modern, _) => (NegotiationMode::Pinned, true),
        (ProtocolChoice::Handshake, _) => (NegotiationMode::Pinned, false),
        (ProtocolChoice::Auto, Some(era)) => {
            evidence.push(format!(
                "{} era remembered from an earlier probe of this URL",
                era.as_str()
            ));
            (NegotiationMode::Cached, era == Era::Modern)
        }
        (ProtocolChoice::Auto, None) => (NegotiationMode::Auto, true),
    };
    let mut cx = cx;
    let outcome = run(&mut cx, step, try_discover, &mut evidence).await;
    cx.learnt.negotiation = Some(Negotiation { mode, evidence });
    outcome
}

/// Does the work of [`handshake`], collecting the evidence for the era verdict.
async fn run(
    cx: &mut StepContext<'_>,
    step: &HandshakeStep,
    try_discover: bool,
    evidence: &mut Vec<String>,
) -> Result<(), Failure> {
    let plan = cx.plan;
    let session = &mut *cx.session;
    let learnt = &mut *cx.learnt;
    let log = &mut *cx.log;
    let report = &mut *cx.report;
    if plan.transport == TransportChoice::Sse {
        // Legacy HTTP+SSE is the 2024-11-05 transport: handshake era only.
        open_legacy(session, log, evidence).await?;
    }
    let try_discover = try_discover && plan.transport != TransportChoice::Sse;
    if try_discover {
        if let Some(server) = try_modern(session, plan, step, log, report, evidence).await? {
            learnt.era = Some(Era::Modern);
            learnt.protocol_version = Some(MODERN_VERSION.to_owned());
            learnt.server = Some(server);
            return Ok(());
        }
    }
    let (version, server) = initialize_era(session, plan, step, log, evidence).await?;
    learnt.era = Some(Era::Handshake);
    learnt.protocol_version = Some(version);
    learnt.server = Some(server);
    Ok(())
}

/// Opens the event stream of the legacy HTTP+SSE transport, noting what the GET found.
async fn open_legacy(
    session: &mut Session,
    log: &mut StepLog,
    evidence: &mut Vec<String>,
) -> Result<(), Failure> {
    let opened = session
        .switch_to_legacy(log)
        .await
        .map_err(OpenError::into_failure);
    evidence.push(match &opened {
        Ok(()) => "GET → event stream with an endpoint (legacy HTTP+SSE)".to_owned(),
        Err(f) => format!("GET → {}", f.code),
    });
    opened
}

/// `server/discover`: the server it describes when it speaks 2026-07-28, `None` when it
/// does not and the plan allows falling back to `initialize`.
async fn try_modern(
    session: &mut Session,
    plan: EraPlan<'_>,
    step: &HandshakeStep,
    log: &mut StepLog,
    report: &mut StepReport,
    evidence: &mut Vec<String>,
) -> Result<Option<ServerInfo>, Failure> {
    session.set_modern(true);
    let outcome = session.discover(log).await;
    let mut verdict = judge_discover(outcome, log.http_status, evidence);
    if matches!(verdict, Verdict::Retry(_)) {
        // SEP-2575: after -32022 the client asks again with a version from `supported`;
        // 2026-07-28 is the one this era speaks. Once: a second refusal is final.
        evidence.push(format!(
            "asked again with {MODERN_VERSION}, which the refusal lists as supported"
        ));
        let outcome = session.discover(log).await;
        verdict = judge_discover(outcome, log.http_status, evidence);
    }
    match verdict {
        Verdict::Modern(result) => {
            record_cache_hints(report, &Value::Object(result.clone()));
            accept_modern(&result, step, log).map(Some)
        }
        Verdict::Final(f) | Verdict::Retry(f) => Err(f),
        Verdict::NotModern(why) => {
            if plan.choice == ProtocolChoice::Modern {
                let f = Failure::new(
                    FailureCode::ProtocolVersion,
                    format!("server/discover: the server does not speak {MODERN_VERSION} ({why})"),
                )
                .with("requested", MODERN_VERSION)
                .with("evidence", evidence.clone());
                return Err(f);
            }
            session.set_modern(false);
            Ok(None)
        }
    }
}

/// The handshake era: `initialize`, falling back to legacy HTTP+SSE when the plan allows
/// and the POST was refused; the negotiated version and the server.
async fn initialize_era(
    session: &mut Session,
    plan: EraPlan<'_>,
    step: &HandshakeStep,
    log: &mut StepLog,
    evidence: &mut Vec<String>,
) -> Result<(String, ServerInfo), Failure> {
    // Legacy HTTP+SSE is the transport of 2024-11-05: ask for that version over it.
    let requested = plan
        .requested_version
        .unwrap_or(if plan.transport == TransportChoice::Sse {
            LEGACY_VERSION
        } else {
            LATEST_HANDSHAKE_VERSION
        });
    match initialize(session, requested, plan, step, log, evidence).await {
        // §5: an `initialize` POST refused with 400/404/405 may mean a 2024-11-05 server that
        // only speaks legacy HTTP+SSE at this URL: try GET.
        Err(f)
            if plan.transport == TransportChoice::Auto
                && session.can_switch_to_legacy()
                && f.code == FailureCode::HttpStatus
                && matches!(f.http_status(), Some(400 | 404 | 405)) =>
        {
            match session.switch_to_legacy(log).await {
                Ok(()) => {
                    evidence
                        .push("GET → event stream with an endpoint (legacy HTTP+SSE)".to_owned());
                    let requested = plan.requested_version.unwrap_or(LEGACY_VERSION);
                    initialize(session, requested, plan, step, log, evidence).await
                }
                // An event stream opened: the server is a legacy one, and that stream's
                // failure is what happened.
                Err(OpenError::Broken(legacy)) => {
                    evidence.push(format!(
                        "GET → an event stream, then {} (legacy HTTP+SSE)",
                        legacy.code
                    ));
                    Err(legacy)
                }
                Err(OpenError::NoStream(legacy)) => {
                    evidence.push(format!("GET → {}", legacy.code));
                    Err(modern_only_hint(f))
                }
            }
        }
        other => other.map_err(modern_only_hint),
    }
}

enum Verdict {
    /// A DiscoverResult listing 2026-07-28.
    Modern(Map<String, Value>),
    /// Not a 2026-07-28 server: fall back to `initialize` (unless pinned).
    NotModern(String),
    /// A health failure: no era verdict can be drawn from it.
    Final(Failure),
    /// `-32022` listing 2026-07-28 as supported: worth asking once more; the failure if
    /// that was the second time.
    Retry(Failure),
}

/// Reads the answer to `server/discover` per mcp-wire-notes §5.
fn judge_discover(
    outcome: Result<RpcOutcome, Failure>,
    http_status: Option<u16>,
    evidence: &mut Vec<String>,
) -> Verdict {
    match outcome {
        Err(f) => judge_discover_failure(f, evidence),
        Ok(Err(e)) => judge_discover_error(e, http_status, evidence),
        Ok(Ok(Value::Object(result))) => {
            let supported = supported_versions(Some(&Value::Object(result.clone())));
            if supported.iter().any(|v| v == MODERN_VERSION) {
                evidence.push(format!(
                    "server/discover → 200, supportedVersions {}",
                    supported.join(", ")
                ));
                Verdict::Modern(result)
            } else {
                evidence.push(format!(
                    "server/discover → 200 without {MODERN_VERSION} in supportedVersions"
                ));
                Verdict::NotModern("its discover result does not list it".into())
            }
        }
        Ok(Ok(other)) => {
            evidence.push(format!(
                "server/discover → a {} result",
                crate::text::kind(&other)
            ));
            Verdict::NotModern("its discover result is not an object".into())
        }
    }
}

/// `server/discover` failed before a JSON-RPC answer: final when `initialize` would fail
/// the same way, otherwise not a 2026-07-28 server.
fn judge_discover_failure(f: Failure, evidence: &mut Vec<String>) -> Verdict {
    let final_failure = matches!(
        f.family,
        FailureFamily::Unreachable
            | FailureFamily::Timeout
            | FailureFamily::Tls
            | FailureFamily::Auth
    ) || matches!(
        f.code,
        // An HTML page or stray output on stdout would be there for `initialize` too.
        FailureCode::Redirect | FailureCode::ResponseTooLarge | FailureCode::NotMcp
    ) || f.reason() == Some(FailureReason::InvalidHttp);
    let seen = match f.http_status() {
        Some(status) => match f.rpc_error().map(|e| e.code) {
            Some(code) => format!("HTTP {status}, JSON-RPC error {code}"),
            None => format!("HTTP {status}"),
        },
        None => f.code.as_str().to_owned(),
    };
    evidence.push(format!("server/discover → {seen}"));
    if final_failure {
        Verdict::Final(f)
    } else {
        Verdict::NotModern(seen)
    }
}

/// `server/discover` answered with a JSON-RPC error: a version or request error of
/// 2026-07-28 is final, any other means the server does not speak it.
fn judge_discover_error(
    e: RpcError,
    http_status: Option<u16>,
    evidence: &mut Vec<String>,
) -> Verdict {
    evidence.push(match http_status {
        Some(status) => {
            format!("server/discover → HTTP {status}, JSON-RPC error {}", e.code)
        }
        None => format!("server/discover → JSON-RPC error {}", e.code),
    });
    match e.code {
        -32022 => {
            let supported = supported_versions(e.data.as_ref());
            if supported.iter().any(|v| v == MODERN_VERSION) {
                Verdict::Retry(rpc_failure("server/discover", e))
            } else {
                Verdict::NotModern(format!(
                    "it supports {}",
                    if supported.is_empty() {
                        "no version it names".into()
                    } else {
                        supported.join(", ")
                    }
                ))
            }
        }
        -32020 | -32021 => Verdict::Final(rpc_failure("server/discover", e)),
        code => Verdict::NotModern(format!("JSON-RPC error {code}")),
    }
}

/// `supported` / `supportedVersions` strings of an error's data or a discover result.
fn supported_versions(v: Option<&Value>) -> Vec<String> {
    v.and_then(|d| d.get("supportedVersions").or_else(|| d.get("supported")))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .take(20)
                .filter_map(Value::as_str)
                .map(|s| crate::text::truncate(s, 40))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks a DiscoverResult against the step's expectations.
fn accept_modern(
    result: &Map<String, Value>,
    step: &HandshakeStep,
    log: &mut StepLog,
) -> Result<ServerInfo, Failure> {
    if let Some(accepted) = &step.expect.protocol_versions {
        if !accepted.iter().any(|v| v == MODERN_VERSION) {
            return Err(Failure::new(
                FailureCode::ProtocolVersion,
                format!(
                    "server/discover: the server speaks {MODERN_VERSION}, which this scenario does not accept (accepted: {})",
                    accepted.join(", ")
                ),
            )
            .with("negotiated", MODERN_VERSION)
            .with("accepted", accepted.clone()));
        }
    }
    match result.get("resultType").and_then(Value::as_str) {
        None | Some("complete") => {}
        Some(other) => log.warn(
            WarningCode::UnexpectedResultType,
            format!(
                "server/discover: resultType is {:?}",
                crate::text::truncate(other, 40)
            ),
        ),
    }
    // The server describes itself in `_meta`; capabilities are in the result.
    let mut shaped = Map::new();
    if let Some(info) = result
        .get("_meta")
        .and_then(|m| m.get("io.modelcontextprotocol/serverInfo"))
    {
        shaped.insert("serverInfo".into(), info.clone());
    }
    if let Some(caps) = result.get("capabilities") {
        shaped.insert("capabilities".into(), caps.clone());
    }
    let server = server_info(&shaped, "server/discover", log);
    check_server_name(step, &server)?;
    Ok(server)
}

/// `initialize`, version check, `notifications/initialized`; the negotiated version and server.
async fn initialize(
    session: &mut Session,
    requested: &str,
    plan: EraPlan<'_>,
    step: &HandshakeStep,
    log: &mut StepLog,
    evidence: &mut Vec<String>,
) -> Result<(String, ServerInfo), Failure> {
    // A probe offers no client capability, except answering elicitations when a step does.
    let capabilities = if plan.elicitation {
        json!({"elicitation": {}})
    } else {
        json!({})
    };
    let params = json!({
        "protocolVersion": requested,
        "capabilities": capabilities,
        "clientInfo": {"name": "mcp-probe", "version": env!("CARGO_PKG_VERSION")},
    });
    let init = session.initialize(params, log).await;
    match &init {
        Ok(i) => evidence.push(match &i.outcome {
            Ok(_) => format!(
                "initialize → {}",
                log.http_status.map_or("answered".into(), |s| s.to_string())
            ),
            Err(e) => format!("initialize → JSON-RPC error {}", e.code),
        }),
        Err(f) => evidence.push(match f.http_status() {
            Some(status) => format!("initialize → HTTP {status}"),
            None => format!("initialize → {}", f.code),
        }),
    }
    let result = match init?.outcome {
        Ok(result) => result,
        Err(e) => return Err(initialize_error(e, requested)),
    };
    let Value::Object(result) = result else {
        return Err(malformed(
            "initialize: the result is not an object",
            FailureReason::MissingField,
        ));
    };
    let Some(version) = result.get("protocolVersion").and_then(Value::as_str) else {
        return Err(malformed(
            "initialize: the result has no protocolVersion",
            FailureReason::MissingField,
        )
        .with("field", "protocolVersion"));
    };
    let version = crate::text::truncate(version, 40);
    let accepted: Vec<String> = match &step.expect.protocol_versions {
        Some(v) => v.clone(),
        None => HANDSHAKE_ERA_VERSIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    if !accepted.contains(&version) {
        let why = if is_known_handshake_version(&version) {
            "which this scenario does not accept"
        } else {
            "which this probe does not speak"
        };
        return Err(Failure::new(
            FailureCode::ProtocolVersion,
            format!(
                "initialize: asked for {requested}, the server answered {version}, {why} (accepted: {})",
                accepted.join(", ")
            ),
        )
        .with("requested", requested)
        .with("negotiated", version)
        .with("accepted", accepted));
    }
    let server = server_info(&result, "initialize", log);
    session.initialized(&version, log).await?;
    check_server_name(step, &server)?;
    Ok((version, server))
}

/// `initialize` answered HTTP 404 with JSON-RPC -32601 ("method not found"): the server knows
/// only the 2026-07-28 era, which has no `initialize`. Said as a version problem, with the way
/// out, rather than as a bare HTTP status.
fn modern_only_hint(f: Failure) -> Failure {
    let status = f.http_status();
    let rpc = f.rpc_error().map(|e| e.code);
    if f.code != FailureCode::HttpStatus || status != Some(404) || rpc != Some(-32601) {
        return f;
    }
    let mut hinted = Failure::new(
        FailureCode::ProtocolVersion,
        format!(
            "initialize: the server does not know `initialize` (HTTP 404, JSON-RPC -32601): it \
             speaks only {MODERN_VERSION}; probe it with protocol auto or modern"
        ),
    );
    hinted.details = f.details;
    hinted
}

fn check_server_name(step: &HandshakeStep, server: &ServerInfo) -> Result<(), Failure> {
    match &step.expect.server_name {
        Some(expected) if &server.name != expected => Err(expectation(
            "serverName",
            format!(
                "serverInfo.name is {:?}, expected {expected:?}",
                server.name
            ),
            json!(expected),
            json!(server.name),
        )),
        _ => Ok(()),
    }
}

fn initialize_error(e: RpcError, requested: &str) -> Failure {
    let supported = e
        .data
        .as_ref()
        .and_then(|d| d.get("supported"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .take(20)
                .filter_map(Value::as_str)
                .map(|s| crate::text::truncate(s, 40))
                .collect::<Vec<_>>()
        });
    if let (-32602, Some(supported)) = (e.code, supported) {
        return Failure::new(
            FailureCode::ProtocolVersion,
            format!(
                "initialize: the server does not support {requested}; it supports {}",
                if supported.is_empty() {
                    "nothing it names".into()
                } else {
                    supported.join(", ")
                }
            ),
        )
        .with("requested", requested)
        .with("supported", supported)
        .with_jsonrpc_error(e);
    }
    rpc_failure("initialize", e)
}

fn server_info(result: &Map<String, Value>, what: &str, log: &mut StepLog) -> ServerInfo {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(|s| crate::text::truncate(s, 200))
    };
    let info = result.get("serverInfo");
    if !info.is_some_and(Value::is_object) {
        log.warn(
            WarningCode::MissingServerInfo,
            format!("{what}: the result has no serverInfo object"),
        );
    }
    let mut capabilities: Vec<String> = match result.get("capabilities") {
        Some(Value::Object(c)) => c
            .keys()
            .take(50)
            .map(|k| crate::text::truncate(k, 60))
            .collect(),
        _ => {
            log.warn(
                WarningCode::MissingCapabilities,
                format!("{what}: the result has no capabilities object"),
            );
            Vec::new()
        }
    };
    capabilities.sort();
    ServerInfo {
        name: text(info.and_then(|i| i.get("name"))).unwrap_or_default(),
        version: text(info.and_then(|i| i.get("version"))).unwrap_or_default(),
        title: text(info.and_then(|i| i.get("title"))),
        capabilities,
    }
}
