//! Server-sent events framing.

use bytes::Bytes;
use serde_json::Value;

/// The SSE media type.
pub(crate) const CONTENT_TYPE: &str = "text/event-stream";

/// One `message` event carrying a JSON-RPC message, with an `id:` line.
pub(crate) fn message(event_id: &str, msg: &Value) -> Bytes {
    // Compact serde_json output never contains a raw newline, so one data line suffices.
    Bytes::from(format!("id: {event_id}\nevent: message\ndata: {msg}\n\n"))
}

/// A priming event (2025-11-25): an id, a retry hint and empty data, in CRLF line endings
/// so clients meet both line-ending styles on one stream.
pub(crate) fn priming(event_id: &str) -> Bytes {
    Bytes::from(format!("id: {event_id}\r\nretry: 1000\r\ndata:\r\n\r\n"))
}

/// A comment line (ignored by parsers; used as a keep-alive).
pub(crate) fn comment(text: &str) -> Bytes {
    Bytes::from(format!(": {text}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        let msg = serde_json::json!({"a": "x\ny"});
        assert_eq!(
            message("s1-1", &msg),
            "id: s1-1\nevent: message\ndata: {\"a\":\"x\\ny\"}\n\n"
        );
        assert_eq!(comment("keep-alive"), ": keep-alive\n\n");
    }
}
