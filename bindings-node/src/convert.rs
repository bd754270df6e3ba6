//! Conversions between JavaScript values and the engine's types: the [`Report`] mirror handed
//! back (the options a caller passes in are read in `options.rs`).
//!
//! The report mirror has exactly the JSON shape of `mcp_probe_core::Report` (what the CLI prints
//! with `--format json`): the same camelCase keys, the same strings for every enum, and the
//! fields the engine leaves out of its JSON when empty are absent (`undefined`) here too.

use mcp_probe_core as engine;
use napi_derive::napi;
use serde_json::{Map, Number, Value};

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/// The transport a probe spoke.
#[napi(string_enum = "kebab-case")]
pub enum TransportKind {
    /// Streamable HTTP (one endpoint, POST, JSON or SSE answers).
    StreamableHttp,
    /// Legacy HTTP+SSE (2024-11-05): a GET event stream plus a POST endpoint.
    Sse,
    /// A child process speaking newline-delimited JSON-RPC on stdin/stdout.
    Stdio,
}

/// Which transport a probe speaks: detected (`auto`, the default) or pinned.
#[napi(string_enum = "kebab-case")]
pub enum TransportChoice {
    /// Streamable HTTP for a URL (falling back to legacy HTTP+SSE when `initialize` is refused
    /// with 400/404/405), stdio for a command.
    Auto,
    /// Streamable HTTP only.
    StreamableHttp,
    /// Legacy HTTP+SSE (2024-11-05) only: the URL is the event stream.
    Sse,
    /// A child process speaking newline-delimited JSON-RPC.
    Stdio,
}

/// Which era a probe speaks: detected (`auto`, the default) or pinned.
#[napi(string_enum = "lowercase")]
pub enum ProtocolChoice {
    /// Try `server/discover`, fall back to `initialize`.
    Auto,
    /// Only the 2026-07-28 era.
    Modern,
    /// Only the handshake era.
    Handshake,
}

/// Which redirects a probe follows.
#[napi(string_enum = "kebab-case")]
pub enum FollowRedirects {
    /// None (the default): a 3xx fails the probe with `redirect` and the location.
    None,
    /// 307 and 308 (which keep the method and body) within the same origin (scheme, host and
    /// port), at most 5 in a row. A redirect to another origin is never followed, so
    /// credentials never leave the origin they are for.
    SameOrigin,
}

/// How an OAuth client authenticates to the token endpoint.
#[napi(string_enum = "lowercase")]
pub enum OAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret (the default).
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

/// How a probe chose its protocol era.
#[napi(string_enum = "lowercase")]
pub enum NegotiationMode {
    /// Detected now.
    Auto,
    /// Detected by an earlier probe of the same URL in this process.
    Cached,
    /// The scenario fixed the era or version.
    Pinned,
}

/// A protocol era: how a client starts talking to a server.
#[napi(string_enum = "lowercase")]
pub enum Era {
    /// `initialize` + `notifications/initialized`, optional sessions (2024-11-05 … 2025-11-25).
    Handshake,
    /// `server/discover`, a `_meta` envelope on every request, no sessions (2026-07-28).
    Modern,
}

/// Outcome of one step.
#[napi(string_enum = "lowercase")]
pub enum StepStatus {
    /// The step did what it should.
    Pass,
    /// The step passed with warnings.
    Warn,
    /// The step failed; its `failure` says why.
    Fail,
    /// The step did not run because an earlier one failed.
    Skip,
}

/// Whether a server message expected an answer.
#[napi(string_enum = "lowercase")]
pub enum ServerMessageKind {
    /// No answer expected.
    Notification,
    /// The server expected an answer.
    Request,
}

/// Stable failure codes; never renamed.
#[napi(string_enum = "snake_case")]
pub enum FailureCode {
    /// The host name did not resolve.
    Dns,
    /// The TCP connection was refused.
    ConnectRefused,
    /// The network or host is unreachable (no route).
    ConnectUnreachable,
    /// Another connection failure.
    Connect,
    /// The connection broke in the middle of an exchange.
    ConnectionReset,
    /// The TLS handshake failed for another reason than the certificate's validity.
    TlsHandshake,
    /// The server's certificate has expired.
    TlsExpired,
    /// The server's certificate is not valid yet.
    TlsNotYetValid,
    /// The server's certificate is not valid for the host name probed.
    TlsHostnameMismatch,
    /// The server's certificate is not issued by a trusted authority (trust a private CA with
    /// `caCert`).
    TlsUntrusted,
    /// The server's certificate expires sooner than `certFailDays` allows.
    CertExpiring,
    /// A phase took longer than allowed (`details.phase`).
    Timeout,
    /// An HTTP status the protocol does not allow here (`details.httpStatus`).
    HttpStatus,
    /// The server redirected (`details.location`) and the redirect was not followed.
    Redirect,
    /// The server wants credentials (401/403, with the parsed challenge).
    AuthRequired,
    /// The answer is not MCP at all (HTML page, wrong content type, not JSON-RPC).
    NotMcp,
    /// The answer is MCP-shaped but broken (invalid JSON or SSE, id mismatch, missing fields).
    Malformed,
    /// A body or SSE event exceeded the configured size limit.
    ResponseTooLarge,
    /// The server kept forgetting the session (404 again after re-initializing).
    SessionExpired,
    /// No protocol version both sides accept.
    ProtocolVersion,
    /// The server answered a request with a JSON-RPC error.
    JsonrpcError,
    /// The tool ran and reported failure (`isError: true`).
    ToolError,
    /// An expectation of the scenario did not hold.
    ExpectationFailed,
    /// The server needs input (2026-07-28 `input_required`) the scenario did not give.
    InputRequired,
    /// The authorization check found a problem (`details.check` names which).
    AuthCheck,
    /// No OAuth access token could be had: the token endpoint refused the client credentials
    /// or answered wrongly, or it could not be discovered (`details.oauthError`,
    /// `details.httpStatus`, `details.tokenEndpoint`, `details.stage`).
    AuthToken,
}

/// Families of failure codes; the CLI maps each to one exit code.
#[napi(string_enum = "snake_case")]
pub enum FailureFamily {
    /// DNS, connection refused / unreachable / reset.
    Unreachable,
    /// A phase timed out.
    Timeout,
    /// TLS could not be established or the certificate is not acceptable.
    Tls,
    /// An unexpected HTTP status or a redirect.
    Http,
    /// Credentials are required or were refused.
    Auth,
    /// The server does not speak MCP correctly.
    Protocol,
    /// A tool failed or an expectation did not hold.
    Tool,
}

/// What a probe found: never an error for a failing server, always a report.
///
/// A plain object with exactly the JSON shape `mcp-probe check --format json` prints.
#[napi(object, object_from_js = false)]
pub struct Report {
    /// Version of this JSON shape.
    pub schema_version: u32,
    /// `true` when every step passed (warnings allowed).
    pub ok: bool,
    /// The probed URL with credentials and query values redacted.
    pub target: String,
    /// The transport that was spoken.
    #[napi(ts_type = "TransportKind")]
    pub transport: String,
    /// The protocol era that was spoken, once known.
    #[napi(ts_type = "Era")]
    pub era: Option<String>,
    /// The negotiated protocol version, once known.
    pub protocol_version: Option<String>,
    /// How the era was chosen, and the evidence (`server/discover → …; initialize → 200`).
    pub negotiation: Option<Negotiation>,
    /// What the server says it is, once known.
    pub server: Option<ServerInfo>,
    /// When the probe started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall-clock duration of the whole probe in milliseconds.
    pub duration_ms: f64,
    /// One entry per scenario step, in order; steps after a failure are `skip`.
    pub steps: Vec<StepReport>,
    /// The first failure, if any (the same object as in its step).
    pub failure: Option<Failure>,
    /// Things worth knowing that did not fail the probe.
    pub warnings: Vec<Warning>,
    /// What happened to the MCP session (handshake era), the stream or the child process.
    pub session: SessionFacts,
    /// stdio only: the end of what the server wrote to stderr (at most 8 KiB).
    pub stderr: Option<String>,
    /// `https` only: the certificate the server presented on the probe's first connection
    /// (also when verification failed or was switched off).
    pub tls: Option<TlsFacts>,
    /// OAuth client credentials only: how the access token was had.
    pub auth: Option<AuthFacts>,
}

/// Facts of the certificate a server presented (the end-entity certificate of its chain).
#[napi(object, object_from_js = false)]
pub struct TlsFacts {
    /// The host name (or IP address) the certificate was checked against.
    pub host: String,
    /// The subject's distinguished name, e.g. `CN=mcp.example.com`.
    pub subject: String,
    /// The DNS names and IP addresses of the subject alternative names.
    pub sans: Vec<String>,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// The serial number in hex, bytes separated by colons.
    pub serial: String,
    /// Start of validity (RFC 3339, UTC).
    pub not_before: String,
    /// End of validity (RFC 3339, UTC).
    pub not_after: String,
    /// Whole days from the probe until `notAfter`, rounded down; negative once expired.
    pub days_left: i64,
    /// Certificates the server presented (end entity plus intermediates).
    pub chain_length: u32,
    /// Whether the chain was verified and found valid for the host.
    pub verified: bool,
    /// Whether verification was switched off (`insecure`: the certificate was accepted
    /// whatever it is).
    pub insecure: bool,
    /// What verification found wrong (a failure code such as `tls_expired`), also when
    /// `insecure` let the connection go ahead.
    pub problem: Option<String>,
}

/// How the probe got its OAuth access token (client credentials).
#[napi(object, object_from_js = false)]
pub struct AuthFacts {
    /// The grant: `client_credentials`.
    #[napi(ts_type = "'client_credentials'")]
    pub method: String,
    /// The token endpoint (user info removed, query values redacted), once known.
    pub token_endpoint: Option<String>,
    /// Whether the token was one an earlier probe in this process got (no request made).
    pub cached: bool,
    /// HTTP requests made for the token: discovery and the token request (0 when cached).
    pub requests: u32,
    /// Time spent getting the token, in milliseconds (part of the report's `durationMs`, not
    /// of a step's).
    pub duration_ms: f64,
}

/// Where the time of HTTP exchanges went, in milliseconds: the phases of curl's `-w`.
///
/// For a step, the sums over its exchanges. The phases are consecutive: `dnsMs + connectMs +
/// tlsMs + ttfbMs + bodyMs` is `totalMs` up to scheduling noise.
#[napi(object, object_from_js = false)]
pub struct Timings {
    /// Resolving the host name (0 for an IP address); only when a new connection was opened.
    pub dns_ms: Option<f64>,
    /// Establishing the TCP connection; only when a new connection was opened.
    pub connect_ms: Option<f64>,
    /// The TLS handshake; only for a new `https` connection.
    pub tls_ms: Option<f64>,
    /// From the connection being ready (or the request start, on a reused connection) until
    /// the response headers arrived.
    pub ttfb_ms: f64,
    /// Reading the response body (for an SSE answer: until the response event arrived).
    pub body_ms: f64,
    /// The whole exchange, from sending the request to the end of the body.
    pub total_ms: f64,
    /// `true` when no new connection was opened (for a step: by any of its exchanges), so
    /// there were no DNS, connect or TLS phases.
    pub reused_connection: bool,
}

/// The timings of one HTTP exchange: what was sent, and the `Timings` fields.
#[napi(object, object_from_js = false)]
pub struct ExchangeTimings {
    /// What was sent: the JSON-RPC method, or the HTTP request (`GET SSE stream`).
    pub request: String,
    /// Resolving the host name (0 for an IP address); only when this exchange opened a
    /// connection.
    pub dns_ms: Option<f64>,
    /// Establishing the TCP connection; only when this exchange opened a connection.
    pub connect_ms: Option<f64>,
    /// The TLS handshake; only when this exchange opened an `https` connection.
    pub tls_ms: Option<f64>,
    /// From the connection being ready (or the request start, on a reused connection) until
    /// the response headers arrived.
    pub ttfb_ms: f64,
    /// Reading the response body (for an SSE answer: until the response event arrived).
    pub body_ms: f64,
    /// The whole exchange, from sending the request to the end of the body.
    pub total_ms: f64,
    /// `true` when the exchange went over a connection kept from an earlier one.
    pub reused_connection: bool,
}

/// How a probe chose its protocol era.
#[napi(object, object_from_js = false)]
pub struct Negotiation {
    /// `auto` (detected now), `cached` (detected by an earlier probe of the same URL in this
    /// process), or `pinned` (the scenario fixed the era or version).
    #[napi(ts_type = "NegotiationMode")]
    pub mode: String,
    /// What was sent and what came back, in order, e.g. `server/discover → HTTP 400, JSON-RPC
    /// error -32000`, `initialize → 200`.
    pub evidence: Vec<String>,
}

/// The server's self-description from the handshake.
#[napi(object, object_from_js = false)]
pub struct ServerInfo {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.version`.
    pub version: String,
    /// `serverInfo.title`, when given.
    pub title: Option<String>,
    /// Names of the capabilities the server declared (`tools`, `resources`, …), sorted.
    pub capabilities: Vec<String>,
}

/// What one step did and found.
#[napi(object, object_from_js = false)]
pub struct StepReport {
    /// The step's name: `handshake`, `tools/list`, `tools/call`.
    pub name: String,
    /// Pass, warn, fail or skip.
    #[napi(ts_type = "StepStatus")]
    pub status: String,
    /// Time spent in the step in milliseconds (0 for skipped steps).
    pub duration_ms: f64,
    /// HTTP status of the step's last exchange, when there was one.
    pub http_status: Option<u32>,
    /// Number of HTTP requests the step made (pages, re-initialization and answers included).
    pub requests: u32,
    /// Why the step failed.
    pub failure: Option<Failure>,
    /// Warnings raised during this step (also listed in the report's `warnings`); absent when
    /// there are none.
    pub warnings: Option<Vec<Warning>>,
    /// Notifications and requests the server sent while the step waited for its answer; absent
    /// when there were none.
    pub server_messages: Option<Vec<ServerMessage>>,
    /// How often an SSE answer was resumed with GET + `Last-Event-ID` after the server closed
    /// the stream (2025-11-25 resumability).
    pub sse_resumptions: Option<u32>,
    /// For 2026-07-28 results: how long the result may be cached (`ttlMs`).
    pub ttl_ms: Option<f64>,
    /// For 2026-07-28 results: who may share a cached result (`cacheScope`).
    pub cache_scope: Option<String>,
    /// For `auth`: what the authorization check found, one entry per check.
    pub auth_findings: Option<Vec<AuthFinding>>,
    /// For `tools/call`: the tool called.
    pub tool: Option<String>,
    /// For `tools/list`: the tools listed, across all pages.
    pub tools: Option<Vec<ToolInfo>>,
    /// For `tools/list`: the number of pages read.
    pub pages: Option<u32>,
    /// For `tools/call`: what the tool returned.
    pub result: Option<CallResult>,
    /// Where the time of the step's HTTP exchanges went, summed over them; absent for stdio
    /// and for steps without an exchange.
    pub timings: Option<Timings>,
    /// The timings of each HTTP exchange of the step, in order (at most 32; the sums in
    /// `timings` count all); absent when there were none.
    pub exchanges: Option<Vec<ExchangeTimings>>,
}

/// One thing the authorization check looked at, and what it found.
#[napi(object, object_from_js = false)]
pub struct AuthFinding {
    /// Stable `snake_case` id of the check: `challenge_status`, `bearer_challenge`,
    /// `resource_metadata`, `authorization_servers`, `resource_match`, `as_metadata`,
    /// `issuer_match`, `pkce_s256` or `metadata_url_safe`.
    pub check: String,
    /// Whether the check passed, deserves a warning, or failed.
    #[napi(ts_type = "FindingStatus")]
    pub status: String,
    /// One sentence for a human.
    pub message: String,
    /// The URL the finding is about, redacted (no user info, query values hidden).
    pub url: Option<String>,
}

/// The verdict of one `AuthFinding`.
#[napi(string_enum = "lowercase")]
pub enum FindingStatus {
    /// As the specifications require.
    Pass,
    /// Works, but not as the specifications recommend, or not with every client.
    Warn,
    /// Clients following the specifications cannot authorize.
    Fail,
}

/// One tool as listed by `tools/list`.
#[napi(object, object_from_js = false)]
pub struct ToolInfo {
    /// The tool's name.
    pub name: String,
    /// Its title, when given.
    pub title: Option<String>,
    /// Its description, when given (truncated to 500 characters).
    pub description: Option<String>,
}

/// What a `tools/call` returned.
#[napi(object, object_from_js = false)]
pub struct CallResult {
    /// `isError` as the server sent it (absent = false).
    pub is_error: bool,
    /// The text content items joined with a newline (truncated to 4,096 characters).
    pub text: String,
    /// The types of the content items, in order (`text`, `image`, …).
    pub content_types: Vec<String>,
    /// Whether the result carried `structuredContent`.
    pub structured: bool,
}

/// A message the server sent on its own while a request was pending.
#[napi(object, object_from_js = false)]
pub struct ServerMessage {
    /// Notification or request.
    #[napi(ts_type = "ServerMessageKind")]
    pub kind: String,
    /// The JSON-RPC method.
    pub method: String,
    /// For requests: how the probe answered (`result` or `error -32601`), or `unanswered`.
    pub answer: Option<String>,
}

/// What happened to the MCP session.
#[napi(object, object_from_js = false)]
pub struct SessionFacts {
    /// Whether the server issued a session id (the id itself is a secret and never shown).
    pub issued: bool,
    /// How many times the probe had to re-initialize after the server forgot the session.
    pub reinitialized: u32,
    /// How the session was ended: `deleted`, `not_supported` (405), `failed`, or absent.
    pub closed: Option<String>,
}

/// Why a probe failed: a stable code, a human message, machine-readable details.
#[napi(object, object_from_js = false)]
pub struct Failure {
    /// The stable code.
    #[napi(ts_type = "FailureCode")]
    pub code: String,
    /// The family of the code (what the CLI's exit code is chosen by).
    #[napi(ts_type = "FailureFamily")]
    pub family: String,
    /// The step that failed.
    pub step: Option<String>,
    /// One sentence for a human.
    pub message: String,
    /// Facts behind the failure (HTTP status, JSON-RPC error, timeout phase, expected vs
    /// actual…); absent when there are none.
    #[napi(ts_type = "Record<string, unknown>")]
    pub details: Option<Map<String, Value>>,
}

/// Something worth knowing that did not fail the probe.
#[napi(object, object_from_js = false)]
pub struct Warning {
    /// A stable `snake_case` code (`session_reinitialized`, `page_cap_reached`, …).
    pub code: String,
    /// The step that raised it.
    pub step: Option<String>,
    /// One sentence for a human.
    pub message: String,
}

impl From<&engine::Report> for Report {
    fn from(r: &engine::Report) -> Self {
        Report {
            schema_version: r.schema_version,
            ok: r.ok,
            target: r.target.clone(),
            transport: r.transport.as_str().to_owned(),
            era: r.era.map(|e| e.as_str().to_owned()),
            protocol_version: r.protocol_version.clone(),
            negotiation: r.negotiation.as_ref().map(Negotiation::from),
            server: r.server.as_ref().map(ServerInfo::from),
            started_at: r.started_at.clone(),
            duration_ms: r.duration_ms,
            steps: r.steps.iter().map(StepReport::from).collect(),
            failure: r.failure.as_ref().map(Failure::from),
            warnings: r.warnings.iter().map(Warning::from).collect(),
            session: SessionFacts::from(&r.session),
            stderr: r.stderr.clone(),
            tls: r.tls.as_ref().map(TlsFacts::from),
            auth: r.auth.as_ref().map(AuthFacts::from),
        }
    }
}

impl From<&engine::TlsFacts> for TlsFacts {
    fn from(t: &engine::TlsFacts) -> Self {
        TlsFacts {
            host: t.host.clone(),
            subject: t.subject.clone(),
            sans: t.sans.clone(),
            issuer: t.issuer.clone(),
            serial: t.serial.clone(),
            not_before: t.not_before.clone(),
            not_after: t.not_after.clone(),
            days_left: t.days_left,
            chain_length: t.chain_length,
            verified: t.verified,
            insecure: t.insecure,
            problem: t.problem.clone(),
        }
    }
}

impl From<&engine::AuthFacts> for AuthFacts {
    fn from(a: &engine::AuthFacts) -> Self {
        AuthFacts {
            method: a.method.clone(),
            token_endpoint: a.token_endpoint.clone(),
            cached: a.cached,
            requests: a.requests,
            duration_ms: a.duration_ms,
        }
    }
}

impl From<&engine::Timings> for Timings {
    fn from(t: &engine::Timings) -> Self {
        Timings {
            dns_ms: t.dns_ms,
            connect_ms: t.connect_ms,
            tls_ms: t.tls_ms,
            ttfb_ms: t.ttfb_ms,
            body_ms: t.body_ms,
            total_ms: t.total_ms,
            reused_connection: t.reused_connection,
        }
    }
}

impl From<&engine::ExchangeTimings> for ExchangeTimings {
    fn from(e: &engine::ExchangeTimings) -> Self {
        let t = &e.timings;
        ExchangeTimings {
            request: e.request.clone(),
            dns_ms: t.dns_ms,
            connect_ms: t.connect_ms,
            tls_ms: t.tls_ms,
            ttfb_ms: t.ttfb_ms,
            body_ms: t.body_ms,
            total_ms: t.total_ms,
            reused_connection: t.reused_connection,
        }
    }
}

impl From<&engine::Negotiation> for Negotiation {
    fn from(n: &engine::Negotiation) -> Self {
        Negotiation {
            mode: n.mode.to_string(),
            evidence: n.evidence.clone(),
        }
    }
}

impl From<&engine::ServerInfo> for ServerInfo {
    fn from(s: &engine::ServerInfo) -> Self {
        ServerInfo {
            name: s.name.clone(),
            version: s.version.clone(),
            title: s.title.clone(),
            capabilities: s.capabilities.clone(),
        }
    }
}

impl From<&engine::StepReport> for StepReport {
    fn from(s: &engine::StepReport) -> Self {
        StepReport {
            name: s.name.clone(),
            status: s.status.as_str().to_owned(),
            duration_ms: s.duration_ms,
            http_status: s.http_status.map(u32::from),
            requests: s.requests,
            failure: s.failure.as_ref().map(Failure::from),
            warnings: non_empty(&s.warnings, |w| Warning::from(w)),
            server_messages: non_empty(&s.server_messages, |m| ServerMessage::from(m)),
            sse_resumptions: s.sse_resumptions,
            // Milliseconds are exact in a double up to 2^53, far beyond any cache lifetime.
            ttl_ms: s.ttl_ms.map(|ms| ms as f64),
            cache_scope: s.cache_scope.clone(),
            auth_findings: s
                .auth_findings
                .as_ref()
                .map(|findings| findings.iter().map(AuthFinding::from).collect()),
            tool: s.tool.clone(),
            tools: s
                .tools
                .as_ref()
                .map(|tools| tools.iter().map(ToolInfo::from).collect()),
            pages: s.pages,
            result: s.result.as_ref().map(CallResult::from),
            timings: s.timings.as_ref().map(Timings::from),
            exchanges: non_empty(&s.exchanges, |e| ExchangeTimings::from(e)),
        }
    }
}

impl From<&engine::AuthFinding> for AuthFinding {
    fn from(f: &engine::AuthFinding) -> Self {
        AuthFinding {
            check: f.check.to_string(),
            status: f.status.as_str().to_owned(),
            message: f.message.clone(),
            url: f.url.clone(),
        }
    }
}

impl From<&engine::ToolInfo> for ToolInfo {
    fn from(t: &engine::ToolInfo) -> Self {
        ToolInfo {
            name: t.name.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
        }
    }
}

impl From<&engine::CallResult> for CallResult {
    fn from(c: &engine::CallResult) -> Self {
        CallResult {
            is_error: c.is_error,
            text: c.text.clone(),
            content_types: c.content_types.clone(),
            structured: c.structured,
        }
    }
}

impl From<&engine::ServerMessage> for ServerMessage {
    fn from(m: &engine::ServerMessage) -> Self {
        let kind = match m.kind {
            engine::ServerMessageKind::Notification => "notification",
            engine::ServerMessageKind::Request => "request",
        };
        ServerMessage {
            kind: kind.to_owned(),
            method: m.method.clone(),
            answer: m.answer.clone(),
        }
    }
}

impl From<&engine::SessionFacts> for SessionFacts {
    fn from(s: &engine::SessionFacts) -> Self {
        SessionFacts {
            issued: s.issued,
            reinitialized: s.reinitialized,
            closed: s.closed.as_ref().map(ToString::to_string),
        }
    }
}

impl From<&engine::Failure> for Failure {
    fn from(f: &engine::Failure) -> Self {
        let details = (!f.details.is_empty()).then(|| {
            f.details
                .iter()
                .map(|(k, v)| (k.clone(), js_number_safe(v.clone())))
                .collect()
        });
        Failure {
            code: f.code.as_str().to_owned(),
            family: f.family.as_str().to_owned(),
            step: f.step.clone(),
            message: f.message.clone(),
            details,
        }
    }
}

impl From<&engine::Warning> for Warning {
    fn from(w: &engine::Warning) -> Self {
        Warning {
            code: w.code.to_string(),
            step: w.step.clone(),
            message: w.message.clone(),
        }
    }
}

/// `None` for an empty list (the engine leaves empty lists out of its JSON).
fn non_empty<T, U>(items: &[T], convert: impl Fn(&T) -> U) -> Option<Vec<U>> {
    (!items.is_empty()).then(|| items.iter().map(convert).collect())
}

/// Makes every number of a JSON value come out of napi as a JavaScript number, as `JSON.parse`
/// of the CLI's output would give it: napi turns integers above `u32::MAX` into strings.
fn js_number_safe(value: Value) -> Value {
    match value {
        Value::Number(n) if n.as_u64().is_some_and(|u| u > u64::from(u32::MAX)) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(js_number_safe).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, js_number_safe(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn large_integers_become_floats_and_small_ones_stay() {
        let v = js_number_safe(serde_json::json!({"a": 5_000_000_000u64, "b": [7], "c": -3}));
        assert_eq!(v["a"].as_f64(), Some(5e9));
        assert!(v["a"].is_f64());
        assert!(v["b"][0].is_u64());
        assert!(v["c"].is_i64());
    }

    #[test]
    fn report_fields_keep_the_engine_json_keys() {
        let json = serde_json::json!({
            "schemaVersion": 1, "ok": true, "target": "https://h/mcp",
            "transport": "streamable-http", "startedAt": "2026-01-01T00:00:00.000Z",
            "durationMs": 1.0, "steps": [{
                "name": "handshake", "status": "pass", "durationMs": 1.0, "requests": 1,
                "timings": {"dnsMs": 0.1, "connectMs": 0.2, "tlsMs": 0.3, "ttfbMs": 0.4,
                            "bodyMs": 0.5, "totalMs": 1.5, "reusedConnection": false},
                "exchanges": [{"request": "initialize", "ttfbMs": 0.4, "bodyMs": 0.5,
                               "totalMs": 0.9, "reusedConnection": true}]
            }],
            "warnings": [], "session": {"issued": false, "reinitialized": 0},
            "tls": {"host": "h", "subject": "CN=h", "sans": ["h"], "issuer": "CN=ca",
                    "serial": "01", "notBefore": "2026-01-01T00:00:00Z",
                    "notAfter": "2026-02-01T00:00:00Z", "daysLeft": -3, "chainLength": 1,
                    "verified": false, "insecure": true, "problem": "tls_expired"},
            "auth": {"method": "client_credentials", "cached": true, "requests": 0,
                     "durationMs": 0.0}
        });
        let engine_report: engine::Report = serde_json::from_value(json).unwrap();
        let report = Report::from(&engine_report);
        let tls = report.tls.unwrap();
        assert_eq!(tls.days_left, -3);
        assert_eq!(tls.problem.as_deref(), Some("tls_expired"));
        let auth = report.auth.unwrap();
        assert!(auth.cached && auth.token_endpoint.is_none());
        let step = &report.steps[0];
        let timings = step.timings.as_ref().unwrap();
        assert_eq!(timings.tls_ms, Some(0.3));
        assert!(!timings.reused_connection);
        let exchanges = step.exchanges.as_ref().unwrap();
        assert_eq!(exchanges[0].request, "initialize");
        assert_eq!(exchanges[0].dns_ms, None);
        assert!(exchanges[0].reused_connection);
    }
}
