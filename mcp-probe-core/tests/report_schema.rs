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

/// A value of `schema` with `canary` in every free-text string (enum-valued strings get their
/// first value), one item in every array, every property present, one extra key in open
/// objects: the fullest report the schema allows.
fn instance(schema: &Value, root: &Value, canary: &str, depth: usize) -> Value {
    assert!(depth < 20, "the schema nests too deep");
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return instance(&root["$defs"][name], root, canary, depth + 1);
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|v| v.get(0)) {
            return instance(first, root, canary, depth + 1);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .find(|t| *t != "null")
            .and_then(Value::as_str)
            .unwrap_or("null"),
        Some(Value::String(t)) => t.as_str(),
        _ => "object",
    };
    match ty {
        "string" => json!(format!("{canary} text")),
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        "number" => json!(1.5),
        "boolean" => json!(true),
        "null" => Value::Null,
        "array" => json!([instance(&schema["items"], root, canary, depth + 1)]),
        _ => {
            let mut object = serde_json::Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    object.insert(name.clone(), instance(prop, root, canary, depth + 1));
                }
            }
            if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
                object.insert(
                    format!("{canary}-key"),
                    json!({"nested": [format!("{canary} deep")]}),
                );
            }
            Value::Object(object)
        }
    }
}

/// `Report::visit_text_mut` reaches every free-text string the schema allows (front ends use
/// it to make text terminal-safe; the engine uses it to scrub secrets): a report with a canary
/// in every such string holds none after the visit.
#[test]
fn text_visiting_reaches_every_free_text_string_of_the_schema() {
    let schema = schema();
    let canary = "CANARY-3c1f";
    let full = instance(&schema, &schema, canary, 0);
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&full)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut report: mcp_probe_core::Report = serde_json::from_value(full.clone()).unwrap();
    let mut visited = 0;
    report.visit_text_mut(&mut |s| {
        visited += 1;
        *s = s.replace(canary, "seen");
    });
    let after = serde_json::to_string(&report).unwrap();
    assert!(!after.contains(canary), "not visited: {after}");
    // Nothing was lost on the way through the Rust types either.
    let before = full.to_string().matches(canary).count();
    assert!(visited >= before, "{visited} visits for {before} canaries");
}
