//! docs/report.schema.json is generated from the report types (and is up to date), real
//! reports, healthy and failing, validate against it, and its code lists match the engine's.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mcp_probe_core::{check, FailureCode, FailureFamily, Report, Scenario};
use mcp_probe_testkit::{FixtureServer, Mode};
use schemars::generate::SchemaSettings;
use serde_json::{json, Value};

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/report.schema.json");

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap()
}

/// The report's JSON Schema as the Rust types describe what they serialize (JSON Schema
/// 2020-12), in the form docs/report.schema.json has it.
fn generated_schema() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Report>().to_value();
    tidy(&mut schema);
    let object = schema.as_object_mut().unwrap();
    object.insert(
        "$id".into(),
        json!("https://github.com/mcp-probe/mcp-probe/docs/report.schema.json"),
    );
    object.insert("title".into(), json!("mcp-probe report"));
    let description = object["description"].as_str().unwrap().to_owned();
    object.insert(
        "description".into(),
        json!(format!("{description} See docs/report-schema.md.")),
    );
    schema
}

/// What the generated schema says beyond what the report's JSON holds, removed: `null` for
/// optional fields (the engine leaves them out instead), the Rust number formats (`uint32`,
/// `double`, …; the ranges stay), and the rustdoc link brackets in descriptions.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(branches)) = object.get("anyOf") {
                let not_null: Vec<Value> = branches
                    .iter()
                    .filter(|b| **b != json!({"type": "null"}))
                    .cloned()
                    .collect();
                if let [Value::Object(only)] = not_null.as_slice() {
                    let only = only.clone();
                    object.remove("anyOf");
                    object.extend(only);
                }
            }
            if let Some(Value::String(format)) = object.get("format") {
                let rust_number = [
                    "uint8", "uint16", "uint32", "uint64", "uint", "int8", "int16", "int32",
                    "int64", "int", "float", "double",
                ];
                if rust_number.contains(&format.as_str()) {
                    object.remove("format");
                }
            }
            if let Some(Value::String(text)) = object.get_mut("description") {
                // Doc comment lines joined into paragraphs; rustdoc links as plain code.
                let paragraphs: Vec<String> =
                    text.split("\n\n").map(|p| p.replace('\n', " ")).collect();
                *text = paragraphs
                    .join("\n\n")
                    .replace("[`", "`")
                    .replace("`]", "`");
            }
            object.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// The committed schema is what the report types generate; `MCP_PROBE_UPDATE_SCHEMA=1`
/// rewrites it.
#[test]
fn the_committed_schema_is_generated_from_the_report_types() {
    let generated = generated_schema();
    let text = format!("{}\n", serde_json::to_string_pretty(&generated).unwrap());
    if std::env::var_os("MCP_PROBE_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(SCHEMA_PATH, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(SCHEMA_PATH).unwrap_or_default();
    assert!(
        committed == text,
        "docs/report.schema.json is stale: it is generated from the report types. Run \
         `MCP_PROBE_UPDATE_SCHEMA=1 cargo test -p mcp-probe-core --test report_schema` and commit \
         it (then regenerate the bindings' report types: `python3 scripts/gen_report_types.py`)."
    );
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
    let failure = &schema["$defs"]["Failure"]["properties"];
    assert_eq!(failure["code"]["$ref"], "#/$defs/FailureCode");
    assert_eq!(failure["family"]["$ref"], "#/$defs/FailureFamily");
    let codes = schema["$defs"]["FailureCode"]["enum"].as_array().unwrap();
    for code in codes {
        let parsed: FailureCode = serde_json::from_value(code.clone()).unwrap();
        assert_eq!(parsed.as_str(), code.as_str().unwrap());
        let family = serde_json::to_value(parsed.family()).unwrap();
        assert!(schema["$defs"]["FailureFamily"]["enum"]
            .as_array()
            .unwrap()
            .contains(&family));
    }
    let families = schema["$defs"]["FailureFamily"]["enum"].as_array().unwrap();
    for f in families {
        let _: FailureFamily = serde_json::from_value(f.clone()).unwrap();
    }
    // Every engine code is listed: a code missing from the schema fails to parse above only
    // in one direction, so count them too (the engine has 27 codes).
    assert_eq!(codes.len(), 27);
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
        // A string with a pattern is not free text (the one such is `surfaceHash`).
        "string" if schema.get("pattern").is_some() => {
            assert_eq!(schema["pattern"], "^sha256:[0-9a-f]{64}$");
            json!(format!("sha256:{}", "0".repeat(64)))
        }
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
