//! The report handed back to JavaScript: the engine's [`Report`](mcp_probe_core::Report) as
//! its JSON (exactly what `mcp-probe check --format json` prints), in one conversion.
//!
//! Its TypeScript declarations (`report.d.ts`) are generated from `docs/report.schema.json`,
//! which is generated from the engine's report types.

use mcp_probe_core::Report;
use serde_json::{Number, Value};

/// The report as the JSON value JavaScript gets.
pub(crate) fn to_js(report: &Report) -> Value {
    // Serializing the report cannot fail: every map key is a string.
    js_number_safe(serde_json::to_value(report).unwrap_or(Value::Null))
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
    fn the_report_is_its_engine_json() {
        let json = serde_json::json!({
            "schemaVersion": 1, "ok": true, "target": "https://h/mcp",
            "transport": "streamable-http", "startedAt": "2026-01-01T00:00:00.000Z",
            "durationMs": 1.0, "steps": [{
                "name": "handshake", "status": "pass", "durationMs": 1.0, "requests": 1,
                "ttlMs": 6_000_000_000u64,
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
        let report: Report = serde_json::from_value(json.clone()).unwrap();
        let mut expected = json;
        expected["steps"][0]["ttlMs"] = serde_json::json!(6e9);
        assert_eq!(to_js(&report), expected);
    }
}
