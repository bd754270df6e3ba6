//! Facts a report carries about the connection and the authorization set-up: the TLS
//! certificate, timings, how an OAuth token was had, what the authorization check found.

use crate::model::codes::AuthCheck;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Facts of the certificate a server presented (the end-entity certificate of its chain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
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
    #[schemars(extend("format" = "date-time"))]
    pub not_before: String,
    /// End of validity (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"))]
    pub not_after: String,
    /// Whole days from the probe until `notAfter`, rounded down; negative once expired.
    pub days_left: i64,
    /// Certificates the server presented (end entity plus intermediates).
    #[schemars(range(min = 1))]
    pub chain_length: u32,
    /// Whether the chain was verified and found valid for the host.
    pub verified: bool,
    /// Whether verification was switched off (the certificate was accepted whatever it is).
    pub insecure: bool,
    /// What verification found wrong (a failure code such as `tls_expired`), also when
    /// `insecure` let the connection go ahead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// How the probe got its access token: the report's `auth`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct AuthFacts {
    /// The grant that got the token: `client_credentials`, `authorization_code` (the headless
    /// authorization-code flow with PKCE), `refresh_token` (a refresh of an earlier grant, or
    /// of a refresh token the user gave) or `jwt_bearer` (a workload's JWT, RFC 7523).
    #[schemars(extend("enum" = ["client_credentials", "authorization_code", "refresh_token", "jwt_bearer"]))]
    pub method: String,
    /// The token endpoint (user info removed, query values redacted), once known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub token_endpoint: Option<String>,
    /// Whether the token was one an earlier probe of the same `Prober` got (no request made).
    pub cached: bool,
    /// HTTP requests made for the token: discovery, registration, the authorization request
    /// and the token request (0 when cached).
    pub requests: u32,
    /// Time spent getting the token, in milliseconds (part of the probe's `durationMs`).
    #[schemars(range(min = 0))]
    pub duration_ms: f64,
}

/// One thing the authorization check looked at, and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct AuthFinding {
    /// Stable `snake_case` id of the check: `challenge_status`, `bearer_challenge`,
    /// `resource_metadata`, `authorization_servers`, `resource_match`, `as_metadata`,
    /// `issuer_match`, `pkce_s256` or `metadata_url_safe`.
    pub check: AuthCheck,
    /// Whether the check passed, deserves a warning, or failed.
    pub status: FindingStatus,
    /// One sentence for a human.
    pub message: String,
    /// The URL the finding is about, redacted (no user info, query values hidden).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The verdict of one [`AuthFinding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(transform = crate::model::codes::values_as_enum)]
pub enum FindingStatus {
    /// As the specifications require.
    Pass,
    /// Works, but not as the specifications recommend, or not with every client.
    Warn,
    /// Clients following the specifications cannot authorize.
    Fail,
}

impl FindingStatus {
    /// The stable name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Pass => "pass",
            FindingStatus::Warn => "warn",
            FindingStatus::Fail => "fail",
        }
    }
}

/// Time spent in each phase of HTTP exchanges, in milliseconds.
///
/// For a step, the sums over its exchanges; `dnsMs`, `connectMs` and `tlsMs` are present only
/// when an exchange opened a new connection (`tlsMs` only for `https`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct Timings {
    /// Resolving the host name (0 for an IP address).
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_ms: Option<f64>,
    /// Establishing the TCP connection.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_ms: Option<f64>,
    /// The TLS handshake.
    #[schemars(range(min = 0))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_ms: Option<f64>,
    /// From the connection being ready (or the request start, on a reused connection) until the
    /// response headers arrived: blackbox_exporter's `processing`.
    #[schemars(range(min = 0))]
    pub ttfb_ms: f64,
    /// Reading the response body (for an SSE answer: until the response event arrived).
    #[schemars(range(min = 0))]
    pub body_ms: f64,
    /// The whole exchange, from sending the request to the end of the body.
    #[schemars(range(min = 0))]
    pub total_ms: f64,
    /// `true` when no new connection was opened: the exchange (every exchange of a step) went
    /// over a connection kept from an earlier one, so it had no DNS, connect or TLS phase.
    pub reused_connection: bool,
}

/// The timings of one HTTP exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
#[schemars(deny_unknown_fields)]
pub struct ExchangeTimings {
    /// What was sent: the JSON-RPC method, or the HTTP request (`GET stream`).
    pub request: String,
    /// The phases.
    #[serde(flatten)]
    pub timings: Timings,
}
