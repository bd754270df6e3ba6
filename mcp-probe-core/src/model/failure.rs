//! Why a probe failed: the stable [`FailureCode`] and its [`FailureFamily`], a message, and
//! details of which the ones the engine decides on are typed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::codes::{AuthCheck, FailureReason, TimeoutPhase};

/// Why a probe failed: a stable code, a human message, machine-readable details.
///
/// The facts the engine decides on (reason, timeout phase, HTTP status, JSON-RPC error,
/// authorization check) are typed ([`Failure::reason`], …) and also written into `details`
/// under their documented keys; a failure read back from JSON gets them from there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", from = "FailureDoc")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct Failure {
    /// The stable code.
    pub code: FailureCode,
    /// The family of the code (what the CLI's exit code is chosen by).
    pub family: FailureFamily,
    /// The step that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// One sentence for a human.
    #[schemars(length(min = 1))]
    pub message: String,
    /// Facts behind the failure (HTTP status, JSON-RPC error, timeout phase, expected vs actual…).
    #[schemars(extend("default" = {}))]
    #[serde(skip_serializing_if = "Map::is_empty", default)]
    pub details: Map<String, Value>,
    /// The typed facts among the details.
    #[serde(skip)]
    facts: Facts,
}

/// The typed facts of a [`Failure`].
#[derive(Debug, Clone, PartialEq, Default)]
struct Facts {
    reason: Option<FailureReason>,
    phase: Option<TimeoutPhase>,
    http_status: Option<u16>,
    check: Option<AuthCheck>,
    rpc_error: Option<Box<RpcErrorFact>>,
}

/// A JSON-RPC error a server answered, as a failure's typed fact.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcErrorFact {
    /// The error code.
    pub code: i64,
    /// The error message (as sent).
    pub message: String,
    /// The error data, if any.
    pub data: Option<Value>,
}

/// A [`Failure`] as JSON has it: the typed facts are read back from `details`.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct FailureDoc {
    code: FailureCode,
    family: FailureFamily,
    #[serde(default)]
    step: Option<String>,
    message: String,
    #[serde(default)]
    details: Map<String, Value>,
}

impl From<FailureDoc> for Failure {
    fn from(doc: FailureDoc) -> Self {
        let text = |key: &str| doc.details.get(key).and_then(Value::as_str);
        let rpc_error = doc.details.get("jsonrpcError").and_then(|e| {
            Some(Box::new(RpcErrorFact {
                code: e.get("code")?.as_i64()?,
                message: e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
                data: e.get("data").cloned(),
            }))
        });
        let facts = Facts {
            reason: text("reason").and_then(|t| t.parse().ok()),
            phase: text("phase").and_then(|t| t.parse().ok()),
            http_status: doc
                .details
                .get("httpStatus")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok()),
            check: text("check").and_then(|t| t.parse().ok()),
            rpc_error,
        };
        Failure {
            code: doc.code,
            family: doc.family,
            step: doc.step,
            message: doc.message,
            details: doc.details,
            facts,
        }
    }
}

impl Failure {
    /// A failure with `code` and `message` and no details yet.
    pub fn new(code: FailureCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            family: code.family(),
            step: None,
            message: message.into(),
            details: Map::new(),
            facts: Facts::default(),
        }
    }

    /// Why, more precisely than the code (`details.reason`).
    pub fn reason(&self) -> Option<FailureReason> {
        self.facts.reason
    }

    /// For timeouts: what the probe was doing (`details.phase`).
    pub fn phase(&self) -> Option<TimeoutPhase> {
        self.facts.phase
    }

    /// The HTTP status of the answer that failed, when there was one (`details.httpStatus`).
    pub fn http_status(&self) -> Option<u16> {
        self.facts.http_status
    }

    /// The authorization check that failed (`details.check`).
    pub fn check(&self) -> Option<AuthCheck> {
        self.facts.check
    }

    /// The JSON-RPC error the server answered (`details.jsonrpcError`).
    pub fn rpc_error(&self) -> Option<&RpcErrorFact> {
        self.facts.rpc_error.as_deref()
    }

    /// Sets the reason (and `details.reason`).
    #[must_use]
    pub fn with_reason(mut self, reason: FailureReason) -> Self {
        self.facts.reason = Some(reason);
        self.with("reason", reason.as_str())
    }

    /// Sets the timeout phase (and `details.phase`).
    #[must_use]
    pub fn with_phase(mut self, phase: TimeoutPhase) -> Self {
        self.facts.phase = Some(phase);
        self.with("phase", phase.as_str())
    }

    /// Sets the HTTP status (and `details.httpStatus`).
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.facts.http_status = Some(status);
        self.with("httpStatus", status)
    }

    /// Sets the authorization check (and `details.check`).
    #[must_use]
    pub fn with_check(mut self, check: AuthCheck) -> Self {
        self.facts.check = Some(check);
        self.with("check", check.as_str())
    }

    /// Sets the JSON-RPC error; `shown` is how `details.jsonrpcError` shows it (bounded).
    #[must_use]
    pub fn with_rpc_error(mut self, error: RpcErrorFact, shown: Value) -> Self {
        self.facts.rpc_error = Some(Box::new(error));
        self.with("jsonrpcError", shown)
    }

    /// Calls `f` on every free-text string of the failure, the keys and strings of its
    /// `details` included (see [`super::Report::visit_text_mut`]).
    pub fn visit_text_mut(&mut self, f: &mut dyn FnMut(&mut String)) {
        if let Some(step) = &mut self.step {
            f(step);
        }
        f(&mut self.message);
        crate::model::visit::visit_map(&mut self.details, f);
    }

    /// Adds one detail. The typed facts have their own setters ([`Failure::with_reason`], …).
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }
}

/// Stable failure codes. Serialized in `snake_case`; never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[schemars(transform = crate::model::codes::values_as_enum)]
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
    /// The server's certificate is not issued by a trusted authority.
    TlsUntrusted,
    /// The server's certificate expires sooner than the scenario requires (`certFailDays`).
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
    /// The server's surface (its tools, resources, templates and prompts) changed from
    /// `expectSurface` in a way that breaks its clients (`details.changes`,
    /// `details.breaking`, `details.firstChange`).
    SurfaceChanged,
}

impl FailureCode {
    /// The stable `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::Dns => "dns",
            FailureCode::ConnectRefused => "connect_refused",
            FailureCode::ConnectUnreachable => "connect_unreachable",
            FailureCode::Connect => "connect",
            FailureCode::ConnectionReset => "connection_reset",
            FailureCode::TlsHandshake => "tls_handshake",
            FailureCode::TlsExpired => "tls_expired",
            FailureCode::TlsNotYetValid => "tls_not_yet_valid",
            FailureCode::TlsHostnameMismatch => "tls_hostname_mismatch",
            FailureCode::TlsUntrusted => "tls_untrusted",
            FailureCode::CertExpiring => "cert_expiring",
            FailureCode::Timeout => "timeout",
            FailureCode::HttpStatus => "http_status",
            FailureCode::Redirect => "redirect",
            FailureCode::AuthRequired => "auth_required",
            FailureCode::NotMcp => "not_mcp",
            FailureCode::Malformed => "malformed",
            FailureCode::ResponseTooLarge => "response_too_large",
            FailureCode::SessionExpired => "session_expired",
            FailureCode::ProtocolVersion => "protocol_version",
            FailureCode::JsonrpcError => "jsonrpc_error",
            FailureCode::ToolError => "tool_error",
            FailureCode::ExpectationFailed => "expectation_failed",
            FailureCode::InputRequired => "input_required",
            FailureCode::AuthCheck => "auth_check",
            FailureCode::AuthToken => "auth_token",
            FailureCode::SurfaceChanged => "surface_changed",
        }
    }

    /// The family this code belongs to.
    pub fn family(self) -> FailureFamily {
        match self {
            FailureCode::Dns
            | FailureCode::ConnectRefused
            | FailureCode::ConnectUnreachable
            | FailureCode::Connect => FailureFamily::Unreachable,
            FailureCode::ConnectionReset => FailureFamily::Unreachable,
            FailureCode::TlsHandshake
            | FailureCode::TlsExpired
            | FailureCode::TlsNotYetValid
            | FailureCode::TlsHostnameMismatch
            | FailureCode::TlsUntrusted
            | FailureCode::CertExpiring => FailureFamily::Tls,
            FailureCode::Timeout => FailureFamily::Timeout,
            FailureCode::HttpStatus | FailureCode::Redirect => FailureFamily::Http,
            FailureCode::AuthRequired | FailureCode::AuthCheck | FailureCode::AuthToken => {
                FailureFamily::Auth
            }
            FailureCode::NotMcp
            | FailureCode::Malformed
            | FailureCode::ResponseTooLarge
            | FailureCode::SessionExpired
            | FailureCode::ProtocolVersion
            | FailureCode::JsonrpcError => FailureFamily::Protocol,
            FailureCode::ToolError
            | FailureCode::ExpectationFailed
            | FailureCode::InputRequired
            | FailureCode::SurfaceChanged => FailureFamily::Tool,
        }
    }
}

impl std::fmt::Display for FailureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Families of failure codes; the CLI maps each to one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[schemars(transform = crate::model::codes::values_as_enum)]
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

impl FailureFamily {
    /// The stable `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureFamily::Unreachable => "unreachable",
            FailureFamily::Timeout => "timeout",
            FailureFamily::Tls => "tls",
            FailureFamily::Http => "http",
            FailureFamily::Auth => "auth",
            FailureFamily::Protocol => "protocol",
            FailureFamily::Tool => "tool",
        }
    }
}
