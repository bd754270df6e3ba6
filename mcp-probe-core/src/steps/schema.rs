//! Tools' JSON Schemas: input schemas from `tools/list` must be valid JSON Schema, and a
//! tool's `structuredContent` must match the `outputSchema` it was listed with.
//!
//! Schemas are compiled offline: a `$ref` to anything outside the schema is never fetched
//! (it fails to resolve, which makes the schema unusable), and `pattern` keywords run with
//! a bounded backtracking budget. Since a compilation depends on the schema's text alone,
//! input-schema verdicts (at most 10,000) and compiled output schemas (at most 1,000) are
//! kept process-wide by a hash of the schema (of its structure: equal schemas, equal text,
//! equal hash; no text is written); when full, a store is emptied at once.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::{PatternOptions, Validator};
use serde_json::{json, Value};

use super::expectation;
use super::plain_schema::plainly_valid;
use crate::http::log::StepLog;
use crate::model::{Failure, WarningCode, MAX_PATTERN_BYTES};

/// Backtracking budget of a schema's `pattern` keywords.
const BACKTRACK_LIMIT: usize = 10_000;
/// Most schemas whose verdict is remembered (identical schemas are compiled once).
const MAX_REMEMBERED: usize = 10_000;
/// Most tools with an invalid input schema named in warnings.
const MAX_WARNINGS: usize = 20;
/// Longest schema error shown.
const SHOWN: usize = 300;

/// Compiles a schema without fetching anything; `Err` says why it is not usable.
pub(crate) fn compile(schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .offline()
        .with_pattern_options(
            PatternOptions::fancy_regex()
                .backtrack_limit(BACKTRACK_LIMIT)
                .size_limit(MAX_PATTERN_BYTES)
                .dfa_size_limit(MAX_PATTERN_BYTES),
        )
        .build(schema)
        .map_err(|e| {
            let at = e.instance_path().to_string();
            let why = crate::text::truncate(&e.to_string(), SHOWN);
            if at.is_empty() {
                why
            } else {
                format!("at {}: {why}", crate::text::truncate(&at, 200))
            }
        })
}

/// The key under which `schema` is remembered: a hash of the value itself, walked in the
/// map's order, so equal schemas (equal text) get equal keys without the text being written.
fn schema_key(hasher: &RandomState, schema: &Value) -> u64 {
    fn walk(value: &Value, h: &mut impl Hasher) {
        match value {
            Value::Null => h.write_u8(0),
            Value::Bool(b) => {
                h.write_u8(1);
                b.hash(h);
            }
            Value::Number(n) => {
                h.write_u8(2);
                n.hash(h);
            }
            Value::String(s) => {
                h.write_u8(3);
                s.hash(h);
            }
            Value::Array(items) => {
                h.write_u8(4);
                h.write_usize(items.len());
                items.iter().for_each(|item| walk(item, h));
            }
            Value::Object(map) => {
                h.write_u8(5);
                h.write_usize(map.len());
                for (key, item) in map {
                    key.hash(h);
                    walk(item, h);
                }
            }
        }
    }
    let mut h = hasher.build_hasher();
    walk(schema, &mut h);
    h.finish()
}

/// What was compiled from schemas, kept across probes: compiling is a function of the schema
/// alone (it fetches nothing), so a monitor probing the same servers compiles each schema
/// once, not once per probe.
struct Remembered<T> {
    hasher: RandomState,
    /// Schema (by [`schema_key`]) → what compiling it gave.
    by_key: Mutex<HashMap<u64, T>>,
    /// Most entries kept; when full, all are forgotten at once.
    max: usize,
}

impl<T: Clone> Remembered<T> {
    fn new(max: usize) -> Self {
        Remembered {
            hasher: RandomState::new(),
            by_key: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// What `compile` gives for `schema`, compiled only when not remembered. Compiled
    /// outside the lock: two probes may both compile a new schema, with one result kept.
    fn get(&self, schema: &Value, compile: impl FnOnce(&Value) -> T) -> T {
        let key = schema_key(&self.hasher, schema);
        let lock = || self.by_key.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = lock().get(&key) {
            return known.clone();
        }
        let compiled = compile(schema);
        let mut remembered = lock();
        if remembered.len() >= self.max {
            remembered.clear();
        }
        remembered.insert(key, compiled.clone());
        compiled
    }
}

/// Why `schema` is not a usable JSON Schema, `None` when it is; compiled only when it is not
/// [plainly valid](plainly_valid), and remembered for the first [`MAX_REMEMBERED`] distinct
/// input schemas.
fn verdict(schema: &Value) -> Option<String> {
    if plainly_valid(schema) {
        return None;
    }
    static VERDICTS: OnceLock<Remembered<Option<String>>> = OnceLock::new();
    VERDICTS
        .get_or_init(|| Remembered::new(MAX_REMEMBERED))
        .get(schema, |s| compile(s).err())
}

/// Most compiled output schemas remembered (a compiled validator is larger than a verdict).
const MAX_OUTPUT_VALIDATORS: usize = 1_000;

/// A compiled `outputSchema`, or why it is not usable.
type Compiled = Result<Arc<Validator>, String>;

/// `schema` compiled; remembered for the first [`MAX_OUTPUT_VALIDATORS`] distinct output
/// schemas.
fn output_validator(schema: &Value) -> Compiled {
    static VALIDATORS: OnceLock<Remembered<Compiled>> = OnceLock::new();
    VALIDATORS
        .get_or_init(|| Remembered::new(MAX_OUTPUT_VALIDATORS))
        .get(schema, |s| compile(s).map(Arc::new))
}

/// The input schemas of a listing, checked tool by tool.
#[derive(Default)]
pub(crate) struct InputSchemas {
    /// The first tools with an invalid schema, and why.
    invalid: Vec<(String, String)>,
    invalid_count: u64,
}

impl InputSchemas {
    /// Checks the `inputSchema` of the tool `name` (a tool without one is not checked).
    pub(crate) fn check(&mut self, name: &str, tool: &Value) {
        let Some(schema) = tool.get("inputSchema") else {
            return;
        };
        if let Some(why) = verdict(schema) {
            self.invalid_count += 1;
            if self.invalid.len() < MAX_WARNINGS {
                self.invalid.push((crate::text::truncate(name, 200), why));
            }
        }
    }

    /// A warning `invalid_input_schema` per invalid schema (the first [`MAX_WARNINGS`]), or
    /// with `strict` a failure for the first.
    pub(crate) fn finish(self, log: &mut StepLog, strict: bool) -> Result<(), Failure> {
        let message = |name: &str, why: &str| {
            format!("tools/list: the inputSchema of the tool {name:?} is not a valid JSON Schema: {why}")
        };
        if strict {
            if let Some((name, why)) = self.invalid.first() {
                return Err(expectation(
                    "inputSchema",
                    message(name, why),
                    json!("a valid JSON Schema"),
                    json!(why),
                )
                .with("tool", name.as_str()));
            }
        }
        for (name, why) in &self.invalid {
            log.warn(WarningCode::InvalidInputSchema, message(name, why));
        }
        let more = self.invalid_count.saturating_sub(self.invalid.len() as u64);
        if more > 0 {
            log.warn(
                WarningCode::InvalidInputSchema,
                format!("tools/list: {more} more tools have an inputSchema that is not a valid JSON Schema"),
            );
        }
        Ok(())
    }
}

/// Judges a `tools/call` result (not an error) of a tool listed with `schema` as its
/// `outputSchema`: its `structuredContent` must be there and match.
pub(crate) fn check_output(label: &str, schema: &Value, result: &Value) -> Result<(), Failure> {
    let failed = |message: String, expected: Value, actual: Value| {
        Err(expectation("outputSchema", message, expected, actual))
    };
    let validator = match output_validator(schema) {
        Ok(v) => v,
        Err(why) => {
            return failed(
                format!("{label}: the tool's outputSchema is not a usable JSON Schema: {why}"),
                json!("a valid JSON Schema"),
                json!(why),
            )
        }
    };
    let Some(structured) = result.get("structuredContent") else {
        return failed(
            format!(
                "{label}: the tool has an outputSchema but the result has no structuredContent"
            ),
            json!("structuredContent"),
            Value::Null,
        );
    };
    match validator.validate(structured) {
        Ok(()) => Ok(()),
        Err(e) => {
            let at = e.instance_path().to_string();
            let why = crate::text::truncate(&e.to_string(), SHOWN);
            let place = if at.is_empty() {
                String::new()
            } else {
                format!(" at {}", crate::text::truncate(&at, 200))
            };
            failed(
                format!("{label}: structuredContent does not match the tool's outputSchema{place}: {why}"),
                crate::text::bounded_value(schema),
                crate::text::bounded_value(structured),
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::FailureCode;

    fn sum_schema() -> Value {
        json!({"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]})
    }

    #[test]
    fn equal_schemas_share_a_key_and_different_ones_do_not() {
        let hasher = RandomState::new();
        let key = |v: Value| schema_key(&hasher, &v);
        assert_eq!(key(sum_schema()), key(sum_schema()));
        let different = [
            json!(null),
            json!(false),
            json!(1),
            json!(1.0),
            json!("1"),
            json!([1]),
            json!([[1]]),
            json!({"1": null}),
            json!({"a": 1, "b": 2}),
            json!({"a": {"b": 2}}),
            json!({"ab": 2}),
            sum_schema(),
        ];
        for (i, a) in different.iter().enumerate() {
            for b in &different[i + 1..] {
                assert_ne!(key(a.clone()), key(b.clone()), "{a} and {b}");
            }
        }
    }

    #[test]
    fn a_schema_is_compiled_once_while_remembered() {
        let store = Remembered::new(2);
        let mut compiled = Vec::new();
        let mut get = |schema: Value| {
            store.get(&schema, |s| {
                compiled.push(s.clone());
                s.to_string()
            })
        };
        assert_eq!(get(json!({"a": 1})), r#"{"a":1}"#);
        assert_eq!(get(json!({"a": 1})), r#"{"a":1}"#);
        get(json!({"b": 2}));
        get(json!({"b": 2}));
        // Full: the third distinct schema empties the store, so the first is compiled again.
        get(json!({"c": 3}));
        get(json!({"a": 1}));
        assert_eq!(
            compiled,
            [
                json!({"a": 1}),
                json!({"b": 2}),
                json!({"c": 3}),
                json!({"a": 1})
            ]
        );
    }

    #[test]
    fn structured_content_is_checked_against_the_output_schema() {
        let ok = json!({"content": [], "structuredContent": {"sum": 5}});
        assert!(check_output("tools/call sum", &sum_schema(), &ok).is_ok());
        let wrong = json!({"content": [], "structuredContent": {"sum": "five"}});
        let f = check_output("tools/call sum", &sum_schema(), &wrong).unwrap_err();
        assert_eq!(f.code, FailureCode::ExpectationFailed);
        assert_eq!(f.details["expectation"], json!("outputSchema"));
        assert_eq!(
            f.message,
            r#"tools/call sum: structuredContent does not match the tool's outputSchema at /sum: "five" is not of type "number""#
        );
        let missing = json!({"content": []});
        assert_eq!(
            check_output("tools/call sum", &sum_schema(), &missing)
                .unwrap_err()
                .message,
            "tools/call sum: the tool has an outputSchema but the result has no structuredContent"
        );
    }

    #[test]
    fn invalid_input_schemas_warn_or_fail() {
        let mut schemas = InputSchemas::default();
        schemas.check("good", &json!({"inputSchema": {"type": "object"}}));
        schemas.check("bad", &json!({"inputSchema": {"type": "objekt"}}));
        schemas.check("none", &json!({}));
        let mut log = StepLog::default();
        schemas.finish(&mut log, false).unwrap();
        assert_eq!(log.warnings.len(), 1);
        assert_eq!(log.warnings[0].code, WarningCode::InvalidInputSchema);
        assert!(
            log.warnings[0].message.starts_with(
                r#"tools/list: the inputSchema of the tool "bad" is not a valid JSON Schema: "#
            ),
            "{}",
            log.warnings[0].message
        );
        let mut schemas = InputSchemas::default();
        schemas.check("bad", &json!({"inputSchema": {"type": "objekt"}}));
        let f = schemas.finish(&mut StepLog::default(), true).unwrap_err();
        assert_eq!(f.details["expectation"], json!("inputSchema"));
        assert_eq!(f.details["tool"], json!("bad"));
    }

    /// A `$ref` to an http URL is never fetched: a listener on loopback sees no connection,
    /// and the schema is unusable.
    #[test]
    fn remote_refs_are_never_fetched() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/schema.json", listener.local_addr().unwrap());
        let schema = json!({"$ref": url});
        let result = json!({"content": [], "structuredContent": {"sum": 5}});
        let f = check_output("tools/call remote", &schema, &result).unwrap_err();
        assert!(
            f.message.starts_with(
                "tools/call remote: the tool's outputSchema is not a usable JSON Schema: "
            ),
            "{}",
            f.message
        );
        assert!(f.message.contains(&url), "{}", f.message);
        let mut schemas = InputSchemas::default();
        schemas.check("remote", &json!({ "inputSchema": schema }));
        assert_eq!(schemas.invalid_count, 1);
        // Compiling is synchronous: a connection attempt would be waiting by now.
        let accepted = listener.accept();
        assert!(
            matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "the schema's $ref was fetched: {accepted:?}"
        );
    }
}
