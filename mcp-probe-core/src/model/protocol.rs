//! The protocol's vocabulary that scenarios and reports share: eras, versions, transports,
//! redirect modes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Protocol versions of the handshake era (`initialize` → `notifications/initialized`), oldest first.
pub const HANDSHAKE_ERA_VERSIONS: &[&str] =
    &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// The version a probe asks for by default.
pub const LATEST_HANDSHAKE_VERSION: &str = "2025-11-25";

/// The version of the modern era (`server/discover`, per-request `_meta`, no sessions).
pub const MODERN_VERSION: &str = "2026-07-28";

/// A protocol era: how a client starts talking to a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
#[schemars(transform = crate::model::codes::values_as_enum)]
pub enum Era {
    /// `initialize` + `notifications/initialized`, optional sessions (2024-11-05 … 2025-11-25).
    Handshake,
    /// `server/discover`, a `_meta` envelope on every request, no sessions (2026-07-28).
    Modern,
}

/// Which era a probe speaks: detected (`auto`, the default) or pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ProtocolChoice {
    /// Try `server/discover`, fall back to `initialize` (mcp-wire-notes §5).
    #[default]
    Auto,
    /// Only the 2026-07-28 era.
    Modern,
    /// Only the handshake era.
    Handshake,
}

impl ProtocolChoice {
    /// The stable name used in documents and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolChoice::Auto => "auto",
            ProtocolChoice::Modern => "modern",
            ProtocolChoice::Handshake => "handshake",
        }
    }
}

impl Era {
    /// The stable name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Handshake => "handshake",
            Era::Modern => "modern",
        }
    }
}

/// Which transport a probe uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TransportChoice {
    /// Streamable HTTP for a URL (falling back to legacy HTTP+SSE when `initialize` is
    /// refused with 400/404/405), stdio for a command.
    #[default]
    Auto,
    /// Streamable HTTP only.
    StreamableHttp,
    /// Legacy HTTP+SSE (2024-11-05) only: the URL is the event stream.
    Sse,
    /// A child process speaking newline-delimited JSON-RPC.
    Stdio,
}

impl TransportChoice {
    /// The stable name used in documents and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportChoice::Auto => "auto",
            TransportChoice::StreamableHttp => "streamable-http",
            TransportChoice::Sse => "sse",
            TransportChoice::Stdio => "stdio",
        }
    }

    pub(crate) fn is_auto(&self) -> bool {
        *self == TransportChoice::Auto
    }
}

/// The transport a probe spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
#[schemars(transform = crate::model::codes::values_as_enum)]
pub enum TransportKind {
    /// Streamable HTTP (one endpoint, POST, JSON or SSE answers).
    StreamableHttp,
    /// Legacy HTTP+SSE (2024-11-05): a GET event stream plus a POST endpoint.
    Sse,
    /// A child process speaking newline-delimited JSON-RPC on stdin/stdout.
    Stdio,
}

impl TransportKind {
    /// The stable name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::StreamableHttp => "streamable-http",
            TransportKind::Sse => "sse",
            TransportKind::Stdio => "stdio",
        }
    }
}

/// Which redirects a probe follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FollowRedirects {
    /// None: a 3xx fails the probe with `redirect` and the location.
    #[default]
    None,
    /// 307 and 308 (which keep the method and body) to the same origin (scheme, host and
    /// port), at most 5 in a row. A redirect to another origin is never followed, so
    /// credentials never leave the origin they are for; a 301/302/303 (which would turn the
    /// POST into a GET) is not followed either.
    SameOrigin,
}

impl FollowRedirects {
    /// The stable name used in documents and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FollowRedirects::None => "none",
            FollowRedirects::SameOrigin => "same-origin",
        }
    }

    pub(crate) fn is_none(&self) -> bool {
        *self == FollowRedirects::None
    }
}
