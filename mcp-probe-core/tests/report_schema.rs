//! Real reports, healthy and failing, validate against docs/report.schema.json, and the
//! schema's code lists match the engine's.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mcp_probe_core::{check, FailureCode, FailureFamily, Scenario};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::{json, Value};

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn reports_of_every_fixture_mode_match_the_schema() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let server = FixtureServer::start().await.unwrap();
    let mut codes_seen = Vec::new();
    for mode in Mode::all() {
        let scenario = Scenario::for_url(server.url(*mode))
            .call_tool("add", json!({"a": 2, "b": 3}))
            .timeout(Duration::from_millis(800))
            .max_sse_event_bytes(1 << 20);
        let report = check(&scenario).await.unwrap();
        let value = serde_json::to_value(&report).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{mode:?}: {errors:#?}\n{value:#}");
        if let Some(f) = &report.failure {
            codes_seen.push(f.code);
        }
    }
    // The fixture covers most codes; the rest are covered by network tests.
    assert!(codes_seen.len() >= 12, "{codes_seen:?}");
}

#[test]
fn the_schema_lists_exactly_the_engine_codes() {
    let schema = schema();
    let codes = schema["$defs"]["failure"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap();
    for code in codes {
        let parsed: FailureCode = serde_json::from_value(code.clone()).unwrap();
        assert_eq!(parsed.as_str(), code.as_str().unwrap());
        let family = serde_json::to_value(parsed.family()).unwrap();
        assert!(schema["$defs"]["failure"]["properties"]["family"]["enum"]
            .as_array()
            .unwrap()
            .contains(&family));
    }
    let families = schema["$defs"]["failure"]["properties"]["family"]["enum"]
        .as_array()
        .unwrap();
    for f in families {
        let _: FailureFamily = serde_json::from_value(f.clone()).unwrap();
    }
    // Every engine code is listed: a code missing from the schema fails to parse above only
    // in one direction, so count them too (the engine has 26 codes).
    assert_eq!(codes.len(), 26);
}
