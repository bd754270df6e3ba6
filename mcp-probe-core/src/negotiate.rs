//! Protocol eras and versions, and which answers a probe can live with.

use crate::model::{HANDSHAKE_ERA_VERSIONS, MODERN_VERSION};

/// The first version that requires `MCP-Protocol-Version` on every request after `initialize`.
const PROTOCOL_HEADER_SINCE: &str = "2025-06-18";

/// The `_meta` envelope every 2026-07-28 request carries.
pub(crate) fn envelope() -> serde_json::Value {
    serde_json::json!({
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "mcp-probe", "version": env!("CARGO_PKG_VERSION")},
    })
}

/// `params` with the envelope merged into `params._meta` (existing `_meta` keys kept).
pub(crate) fn with_envelope(params: Option<serde_json::Value>) -> serde_json::Value {
    let mut params = match params {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let meta = params
        .entry("_meta")
        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    if !meta.is_object() {
        *meta = serde_json::Value::Object(serde_json::Map::new());
    }
    if let (Some(meta), serde_json::Value::Object(env)) = (meta.as_object_mut(), envelope()) {
        for (k, v) in env {
            meta.entry(k).or_insert(v);
        }
    }
    serde_json::Value::Object(params)
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
    fn envelopes_merge_into_params() {
        let p = with_envelope(Some(serde_json::json!({"name": "add", "_meta": {"x": 1}})));
        assert_eq!(p["name"], "add");
        assert_eq!(p["_meta"]["x"], 1);
        assert_eq!(
            p["_meta"]["io.modelcontextprotocol/protocolVersion"],
            MODERN_VERSION
        );
        assert_eq!(
            p["_meta"]["io.modelcontextprotocol/clientCapabilities"],
            serde_json::json!({})
        );
        let p = with_envelope(None);
        assert!(p["_meta"]["io.modelcontextprotocol/clientInfo"]["name"].is_string());
    }

    #[test]
    fn known_versions() {
        assert!(is_known_handshake_version("2025-03-26"));
        assert!(!is_known_handshake_version("2024-01-01"));
    }
}
