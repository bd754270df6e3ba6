//! The result of a probe: one serde model that the CLI, Python and Node emit unchanged.
//!
//! The JSON shape is documented in `docs/report-schema.md` and `docs/report.schema.json`; a
//! field is only ever added, never renamed or removed, without bumping [`REPORT_SCHEMA_VERSION`].

use crate::model::codes::{NegotiationMode, SessionClose, WarningCode};
use crate::model::failure::Failure;
use crate::model::protocol::TransportKind;
use crate::model::visit::{opt, visit_map};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the report's JSON shape; bumped only on incompatible changes.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// What a probe found: never an error for a failing server, always a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct Report {
    /// Version of this JSON shape ([`REPORT_SCHEMA_VERSION`]).
    #[schemars(extend("const" = REPORT_SCHEMA_VERSION))]
    pub schema_version: u32,
    /// `true` when every step passed (warnings allowed).
    pub ok: bool,
    /// The probed URL with credentials and query values redacted.
    pub target: String,
    /// The transport that was spoken.
    pub transport: TransportKind,
    /// The protocol era that was spoken, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub era: Option<crate::Era>,
    /// The negotiated protocol version, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// How the era was chosen, and the evidence (`server/discover → …; initialize → 200`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negotiation: Option<Negotiation>,
    /// What the server says it is, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerInfo>,
    /// When the probe started (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"))]
    pub started_at: String,
    /// Wall-clock duration of the whole probe in milliseconds.
    #[schemars(range(min = 0))]
    pub duration_ms: f64,
    /// One entry per scenario step, in order; steps after a failure are `skip`.
    pub steps: Vec<StepReport>,
    /// The first failure, if any (the same object as in its step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Things worth knowing that did not fail the probe.
    pub warnings: Vec<Warning>,
    /// What happened to the MCP session (handshake era), the stream or the child process.
    pub session: SessionFacts,
    /// stdio only: the end of what the server wrote to stderr (at most 8 KiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// `https` only: the certificate the server presented on the probe's first connection.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tls: Option<crate::model::facts::TlsFacts>,
    /// OAuth client credentials only: how the access token was had.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub auth: Option<crate::model::facts::AuthFacts>,
    /// `waitUntilReady` only: how many times the whole probe ran (the report is the last run's).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schemars(range(min = 1))]
    pub attempts: Option<u32>,
    /// `waitUntilReady` only: the first attempt's failure, when the last attempt's differs (or
    /// the last one passed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_failure: Option<Failure>,
    /// `matrix` only: the probe again in every era, protocol version and transport the target
    /// could speak, one entry each, in a fixed order. The rest of the report (and the verdict)
    /// is the probe as asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub matrix: Option<Vec<MatrixEntry>>,
    /// When the probe listed tools (or resources, resource templates, prompts): the
    /// `sha256:` hash of the canonical surface of what it listed (see `docs/surface.md`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schemars(regex(pattern = r"^sha256:[0-9a-f]{64}$"))]
    pub surface_hash: Option<String>,
}

/// One entry of the report's `matrix`: the scenario run in one era, version and transport.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct MatrixEntry {
    /// The transport used.
    pub transport: TransportKind,
    /// The era spoken.
    pub era: crate::model::protocol::Era,
    /// The protocol version asked for.
    pub requested_version: String,
    /// Whether the scenario passed this way.
    pub ok: bool,
    /// The version the server agreed to, when the handshake got that far.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub protocol_version: Option<String>,
    /// How long this run took, in milliseconds.
    pub duration_ms: f64,
    /// Why this run failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub failure: Option<Failure>,
}

impl MatrixEntry {
    /// The entry for one run of the matrix, from that run's report.
    pub(crate) fn of(requested_version: &str, report: Report) -> Self {
        MatrixEntry {
            transport: report.transport,
            era: report.era.unwrap_or(
                if requested_version == crate::model::protocol::MODERN_VERSION {
                    crate::model::protocol::Era::Modern
                } else {
                    crate::model::protocol::Era::Handshake
                },
            ),
            requested_version: requested_version.to_owned(),
            ok: report.ok,
            protocol_version: report.protocol_version,
            duration_ms: report.duration_ms,
            failure: report.failure,
        }
    }
}

impl Report {
    /// Calls `f` on every free-text string of the report: everything a server sent or a
    /// probe wrote into it (names, messages, details, stderr, certificate fields, object keys
    /// inside `details`), but not the enum-valued fields (codes, statuses, transport).
    ///
    /// Front ends use it to make text safe where it goes (a terminal, HTML); the engine uses
    /// it to scrub secrets.
    pub fn visit_text_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.target);
        f(&mut self.started_at);
        opt(&mut self.protocol_version, f);
        if let Some(n) = &mut self.negotiation {
            n.evidence.iter_mut().for_each(&mut *f);
        }
        if let Some(server) = &mut self.server {
            f(&mut server.name);
            f(&mut server.version);
            opt(&mut server.title, f);
            server.capabilities.iter_mut().for_each(&mut *f);
        }
        for step in &mut self.steps {
            step.visit_text_mut(f);
        }
        if let Some(failure) = &mut self.failure {
            failure.visit_text_mut(f);
        }
        if let Some(failure) = &mut self.first_failure {
            failure.visit_text_mut(f);
        }
        for entry in self.matrix.iter_mut().flatten() {
            f(&mut entry.requested_version);
            opt(&mut entry.protocol_version, f);
            if let Some(failure) = &mut entry.failure {
                failure.visit_text_mut(f);
            }
        }
        for warning in &mut self.warnings {
            warning.visit_text_mut(f);
        }
        if let Some(text) = self
            .session
            .closed
            .as_mut()
            .and_then(SessionClose::text_mut)
        {
            f(text);
        }
        opt(&mut self.stderr, f);
        if let Some(tls) = &mut self.tls {
            for field in [
                &mut tls.host,
                &mut tls.subject,
                &mut tls.issuer,
                &mut tls.serial,
                &mut tls.not_before,
                &mut tls.not_after,
            ] {
                f(field);
            }
            tls.sans.iter_mut().for_each(&mut *f);
            opt(&mut tls.problem, f);
        }
        if let Some(auth) = &mut self.auth {
            f(&mut auth.method);
            opt(&mut auth.token_endpoint, f);
        }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        // Serializing this model cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The step that failed, if any.
    pub fn failed_step(&self) -> Option<&StepReport> {
        self.steps.iter().find(|s| s.status == StepStatus::Fail)
    }
}

/// How a probe chose its protocol era.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct Negotiation {
    /// `auto` (detected now), `cached` (detected by an earlier probe of the same URL in this
    /// process), or `pinned` (the scenario fixed the era or version).
    pub mode: NegotiationMode,
    /// What was sent and what came back, in order, e.g. `server/discover → HTTP 400, JSON-RPC
    /// error -32000`, `initialize → 200`.
    pub evidence: Vec<String>,
}

/// The server's self-description from the handshake.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct ServerInfo {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.version`.
    pub version: String,
    /// `serverInfo.title`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Names of the capabilities the server declared (`tools`, `resources`, …), sorted.
    pub capabilities: Vec<String>,
}

/// Outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::model::codes::values_as_enum)]
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

impl StepStatus {
    /// The stable name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pass => "pass",
            StepStatus::Warn => "warn",
            StepStatus::Fail => "fail",
            StepStatus::Skip => "skip",
        }
    }
}

/// What one step did and found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct StepReport {
    /// The step's name: `handshake`, `tools/list`, `tools/call`.
    pub name: String,
    /// Pass, warn, fail or skip.
    pub status: StepStatus,
    /// Time spent in the step in milliseconds (0 for skipped steps).
    #[schemars(range(min = 0))]
    pub duration_ms: f64,
    /// HTTP status of the step's last exchange, when there was one.
    #[schemars(range(min = 100, max = 599))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Number of HTTP requests the step made (pages, re-initialization and answers included).
    pub requests: u32,
    /// Why the step failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Warnings raised during this step (also listed in the report's `warnings`).
    #[schemars(extend("default" = []))]
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub warnings: Vec<Warning>,
    /// Notifications and requests the server sent while the step waited for its answer.
    #[schemars(extend("default" = []))]
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub server_messages: Vec<ServerMessage>,
    /// How often an SSE answer was resumed with GET + `Last-Event-ID` after the server closed
    /// the stream (2025-11-25 resumability).
    #[schemars(range(min = 1))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sse_resumptions: Option<u32>,
    /// For 2026-07-28 results: how long the result may be cached (`ttlMs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// For 2026-07-28 results: who may share a cached result (`cacheScope`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<String>,
    /// For `auth`: what the authorization check found, one entry per check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_findings: Option<Vec<crate::model::facts::AuthFinding>>,
    /// For `tools/call`: the tool called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// For `tools/list`: the tools listed, across all pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<ToolInfo>>,
    /// For `tools/list`: the number of pages read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// For `tools/call`: what the tool returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<CallResult>,
    /// For `resources/read`: the resource read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// For `prompts/get`: the prompt got.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// How many items the step got: resources, resource templates or prompts listed (across
    /// all pages), contents read, or prompt messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<u64>,
    /// For a `request` step: the result object, bounded in size (a result that is not an
    /// object is kept under `value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<serde_json::Map<String, serde_json::Value>>,
    /// Why the step passed without running (`ping` in the 2026-07-28 era, which has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the time of the step's HTTP exchanges went, summed over them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timings: Option<crate::model::facts::Timings>,
    /// The timings of each HTTP exchange of the step, in order (at most 32).
    #[schemars(extend("default" = []))]
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exchanges: Vec<crate::model::facts::ExchangeTimings>,
}

impl StepReport {
    /// Calls `f` on every free-text string of the step (see [`Report::visit_text_mut`]).
    pub fn visit_text_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        f(&mut self.name);
        if let Some(failure) = &mut self.failure {
            failure.visit_text_mut(f);
        }
        for warning in &mut self.warnings {
            warning.visit_text_mut(f);
        }
        for m in &mut self.server_messages {
            f(&mut m.method);
            opt(&mut m.answer, f);
        }
        opt(&mut self.cache_scope, f);
        for finding in self.auth_findings.iter_mut().flatten() {
            f(&mut finding.message);
            opt(&mut finding.url, f);
        }
        opt(&mut self.tool, f);
        opt(&mut self.uri, f);
        opt(&mut self.prompt, f);
        opt(&mut self.note, f);
        if let Some(response) = &mut self.response {
            visit_map(response, f);
        }
        for tool in self.tools.iter_mut().flatten() {
            f(&mut tool.name);
            opt(&mut tool.title, f);
            opt(&mut tool.description, f);
        }
        if let Some(result) = &mut self.result {
            f(&mut result.text);
            result.content_types.iter_mut().for_each(&mut *f);
        }
        for exchange in &mut self.exchanges {
            f(&mut exchange.request);
        }
    }

    /// A step that has not run (yet), named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        StepReport {
            name: name.into(),
            status: StepStatus::Skip,
            duration_ms: 0.0,
            http_status: None,
            requests: 0,
            failure: None,
            warnings: Vec::new(),
            server_messages: Vec::new(),
            sse_resumptions: None,
            ttl_ms: None,
            cache_scope: None,
            auth_findings: None,
            tool: None,
            tools: None,
            pages: None,
            result: None,
            uri: None,
            prompt: None,
            items: None,
            response: None,
            note: None,
            timings: None,
            exchanges: Vec::new(),
        }
    }
}

/// One tool as listed by `tools/list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct ToolInfo {
    /// The tool's name.
    pub name: String,
    /// Its title, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its description, when given (truncated to 500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a `tools/call` returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct ServerMessage {
    /// Notification or request.
    pub kind: ServerMessageKind,
    /// The JSON-RPC method.
    pub method: String,
    /// For requests: how the probe answered (`result` or `error -32601`), or `unanswered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// Whether a server message expected an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::model::codes::values_as_enum)]
pub enum ServerMessageKind {
    /// No answer expected.
    Notification,
    /// The server expected an answer.
    Request,
}

/// What happened to the MCP session.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct SessionFacts {
    /// Whether the server issued a session id (the id itself is a secret and never shown).
    pub issued: bool,
    /// How many times the probe had to re-initialize after the server forgot the session.
    pub reinitialized: u32,
    /// How the session was ended, absent when it was not: Streamable HTTP `deleted`,
    /// `already_gone` (404), `not_supported` (405), `failed` or `timed_out`; legacy HTTP+SSE
    /// `closed`; stdio how the server process ended, in words (`exited (code 0)`, `terminated`,
    /// `killed; its remaining processes were killed`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<SessionClose>,
}

/// Something worth knowing that did not fail the probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct Warning {
    /// A stable `snake_case` code (`session_reinitialized`, `page_cap_reached`, …).
    pub code: WarningCode,
    /// The step that raised it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// One sentence for a human.
    pub message: String,
}

impl Warning {
    /// Calls `f` on every free-text string of the warning.
    pub fn visit_text_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        opt(&mut self.step, f);
        f(&mut self.message);
    }

    /// A warning with a code and a message.
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            code,
            step: None,
            message: message.into(),
        }
    }
}
