//! Protocol eras and versions, and which answers a probe can live with.

use serde::{Deserialize, Serialize};

/// Protocol versions of the handshake era (`initialize` → `notifications/initialized`), oldest first.
pub const HANDSHAKE_ERA_VERSIONS: &[&str] =
    &["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// The version a probe asks for by default.
pub const LATEST_HANDSHAKE_VERSION: &str = "2025-11-25";

/// The first version that requires `MCP-Protocol-Version` on every request after `initialize`.
const PROTOCOL_HEADER_SINCE: &str = "2025-06-18";

/// A protocol era: how a client starts talking to a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Era {
    /// `initialize` + `notifications/initialized`, optional sessions (2024-11-05 … 2025-11-25).
    Handshake,
}

impl Era {
    /// The stable name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Handshake => "handshake",
        }
    }
}

/// Whether `version` is a handshake-era version this probe speaks.
pub(crate) fn is_known_handshake_version(version: &str) -> bool {
    HANDSHAKE_ERA_VERSIONS.contains(&version)
}

/// Whether requests after `initialize` must carry `MCP-Protocol-Version` for `version`.
///
/// Versions compare as dates, so string order is date order.
pub(crate) fn sends_protocol_header(version: &str) -> bool {
    version >= PROTOCOL_HEADER_SINCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_header_from_2025_06_18() {
        assert!(!sends_protocol_header("2025-03-26"));
        assert!(sends_protocol_header("2025-06-18"));
        assert!(sends_protocol_header("2025-11-25"));
    }

    #[test]
    fn known_versions() {
        assert!(is_known_handshake_version("2025-03-26"));
        assert!(!is_known_handshake_version("2024-01-01"));
    }
}
