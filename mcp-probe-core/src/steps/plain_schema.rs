//! Input schemas that are plainly valid JSON Schema, recognised without jsonschema's
//! meta-schema validator.
//!
//! Checking a schema against its meta-schema needs that meta-schema's validator, which takes
//! about 1.3 ms to build, once per process: a third of a whole `mcp-probe check`. Yet most
//! tools list small schemas made of a handful of keywords (`type`, `properties`, `required`,
//! `description`, `enum`, …). [`plainly_valid`] accepts a schema only when every keyword, at
//! every depth, is one of a small set whose meta-schema rule it checks exactly. It says
//! nothing about anything else (`$ref`, `pattern`, `$defs`, unknown keywords, deep nesting,
//! another `$schema`): the full compilation decides those.
//!
//! The rules are those of draft 2020-12 (the default when a schema names no `$schema`), and
//! every schema they accept is also valid under draft-07, which SDKs that convert from zod
//! name.

use serde_json::Value;

/// Deepest nesting checked here; deeper schemas go to the full compilation.
const MAX_DEPTH: usize = 16;

/// Longest `required` or `type` list checked here (their items must be unique).
const MAX_LIST: usize = 256;

/// The `$schema` values a plainly valid schema may name at its root.
const DIALECTS: [&str; 3] = [
    "https://json-schema.org/draft/2020-12/schema",
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/draft-07/schema",
];

/// The simple types a `type` keyword may name.
const TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// Whether `schema` is, beyond doubt, a valid JSON Schema that compiles without fetching
/// anything. `false` means "not known": ask the full compilation.
pub(crate) fn plainly_valid(schema: &Value) -> bool {
    subschema(schema, 0)
}

/// A schema at `depth` (the root at 0, the only place `$schema` may be).
fn subschema(schema: &Value, depth: usize) -> bool {
    match schema {
        Value::Bool(_) => true,
        Value::Object(map) => {
            depth < MAX_DEPTH && map.iter().all(|(name, value)| keyword(name, value, depth))
        }
        _ => false,
    }
}

/// Whether `value` meets the meta-schema's rule for the keyword `name`; `false` for
/// keywords not checked here.
fn keyword(name: &str, value: &Value, depth: usize) -> bool {
    let schema = |v: &Value| subschema(v, depth + 1);
    match name {
        "$schema" => depth == 0 && value.as_str().is_some_and(|d| DIALECTS.contains(&d)),
        "type" => match value {
            Value::String(t) => TYPES.contains(&t.as_str()),
            Value::Array(items) => {
                !items.is_empty()
                    && unique_strings(items)
                    && items
                        .iter()
                        .all(|t| t.as_str().is_some_and(|t| TYPES.contains(&t)))
            }
            _ => false,
        },
        "properties" => value.as_object().is_some_and(|m| m.values().all(schema)),
        "additionalProperties" | "items" | "not" => schema(value),
        "anyOf" | "oneOf" | "allOf" => value
            .as_array()
            .is_some_and(|all| !all.is_empty() && all.iter().all(schema)),
        "required" => value.as_array().is_some_and(|r| unique_strings(r)),
        "title" | "description" | "$comment" | "format" => value.is_string(),
        "default" | "const" => true,
        "enum" | "examples" => value.is_array(),
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => value.is_number(),
        "multipleOf" => value.as_f64().is_some_and(|n| n > 0.0),
        "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
            value.is_u64()
        }
        "uniqueItems" | "deprecated" | "readOnly" | "writeOnly" => value.is_boolean(),
        _ => false,
    }
}

/// Whether `items` are all strings, none twice (and few enough to check here).
fn unique_strings(items: &[Value]) -> bool {
    if items.len() > MAX_LIST {
        return false;
    }
    let mut seen: Vec<&str> = Vec::with_capacity(items.len());
    for item in items {
        let Some(s) = item.as_str() else {
            return false;
        };
        seen.push(s);
    }
    seen.sort_unstable();
    seen.windows(2).all(|pair| pair[0] != pair[1])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::steps::schema::compile;
    use serde_json::json;

    /// Schemas tools really list: each is plainly valid, and compiles.
    #[test]
    fn common_input_schemas_are_plainly_valid() {
        let schemas = [
            json!({"type": "object"}),
            json!({"type": "object", "properties": {}, "additionalProperties": false}),
            json!({
                "type": "object",
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                "required": ["a", "b"]
            }),
            // What pydantic writes (the Python SDK).
            json!({
                "properties": {
                    "city": {"title": "City", "type": "string"},
                    "days": {"default": 3, "title": "Days", "type": "integer", "minimum": 1}
                },
                "required": ["city"],
                "title": "forecastArguments",
                "type": "object"
            }),
            // What zod-to-json-schema writes (the TypeScript SDK).
            json!({
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {
                    "level": {"type": "string", "enum": ["debug", "info"], "description": "how much"},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10, "uniqueItems": true},
                    "when": {"type": "string", "format": "date-time"},
                    "either": {"anyOf": [{"type": "string"}, {"type": "null"}]}
                },
                "required": ["level"],
                "additionalProperties": false
            }),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": ["string", "null"]}),
            json!(true),
        ];
        for schema in schemas {
            assert!(plainly_valid(&schema), "{schema}");
            assert!(compile(&schema).is_ok(), "{schema}");
        }
    }

    /// Invalid schemas are never plainly valid (the full compilation names what is wrong).
    #[test]
    fn invalid_schemas_are_not_plainly_valid() {
        let invalid = [
            json!({"type": "objekt"}),
            json!({"type": []}),
            json!({"type": ["string", "string"]}),
            json!({"required": ["a", "a"]}),
            json!({"required": "a"}),
            json!({"properties": {"a": {"minLength": -1}}}),
            json!({"anyOf": []}),
            json!({"items": [{"type": "string"}], "maxItems": 1.5}),
            json!({"multipleOf": 0}),
            json!({"additionalProperties": "no"}),
            json!({"enum": "a"}),
            json!({"description": 3}),
            json!({"not": null}),
            json!(1),
        ];
        for schema in invalid {
            assert!(!plainly_valid(&schema), "{schema}");
            assert!(compile(&schema).is_err(), "{schema}");
        }
    }

    /// What is not checked here is left to the full compilation, valid or not.
    #[test]
    fn other_keywords_and_dialects_are_left_to_the_compilation() {
        let unknown = [
            json!({"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}}),
            json!({"type": "string", "pattern": "^a+$"}),
            json!({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}),
            json!({"properties": {"a": {"$schema": "https://json-schema.org/draft/2020-12/schema"}}}),
            json!({"x-vendor": 1}),
            json!({"minLength": 2.0}),
            json!({"required": (0..=MAX_LIST).map(|i| i.to_string()).collect::<Vec<_>>()}),
        ];
        for schema in unknown {
            assert!(!plainly_valid(&schema), "{schema}");
        }
        // The root is at depth 0: the innermost of these is at MAX_DEPTH - 1.
        let mut deep = json!({"type": "string"});
        for _ in 1..MAX_DEPTH {
            deep = json!({ "items": deep });
        }
        assert!(plainly_valid(&deep));
        let deeper = json!({ "items": deep });
        assert!(!plainly_valid(&deeper));
        assert!(compile(&deeper).is_ok());
    }

    /// A small deterministic generator (xorshift), so the cross-check needs no dependency.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }

        /// A schema of the keywords checked here, with values that are sometimes wrong.
        fn schema(&mut self, depth: usize) -> Value {
            if depth > 3 || self.next().is_multiple_of(8) {
                return json!(self.next().is_multiple_of(2));
            }
            let mut map = serde_json::Map::new();
            for _ in 0..self.next() % 4 {
                let name = self.pick(&[
                    "type",
                    "properties",
                    "items",
                    "anyOf",
                    "required",
                    "enum",
                    "minimum",
                    "maxLength",
                    "multipleOf",
                    "uniqueItems",
                    "description",
                    "format",
                    "additionalProperties",
                    "not",
                    "const",
                    "minItems",
                ]);
                let value = self.value(name, depth);
                map.insert(name.to_owned(), value);
            }
            Value::Object(map)
        }

        fn value(&mut self, name: &str, depth: usize) -> Value {
            let wrong = self.next().is_multiple_of(6);
            let odd = [
                json!(-1),
                json!(0),
                json!(1.5),
                json!("x"),
                json!([]),
                json!(null),
            ];
            if wrong {
                return odd[(self.next() % odd.len() as u64) as usize].clone();
            }
            match name {
                "type" => match self.next() % 3 {
                    0 => json!(self.pick(&TYPES)),
                    1 => json!([self.pick(&TYPES), self.pick(&TYPES)]),
                    _ => json!(self.pick(&["objekt", "int", "Number"])),
                },
                "properties" => json!({"a": self.schema(depth + 1), "b": self.schema(depth + 1)}),
                "items" | "additionalProperties" | "not" => self.schema(depth + 1),
                "anyOf" => json!([self.schema(depth + 1), self.schema(depth + 1)]),
                "required" => json!([self.pick(&["a", "b"]), self.pick(&["a", "c"])]),
                "enum" => json!([1, "a", null]),
                "minimum" | "multipleOf" => json!(self.next() % 5),
                "maxLength" | "minItems" => json!(self.next() % 3),
                "uniqueItems" => json!(true),
                "format" => json!(self.pick(&["uri", "date-time", "email", "no-such-format"])),
                _ => json!("text"),
            }
        }
    }

    /// Whatever is plainly valid compiles; and generated schemas reach both answers.
    #[test]
    fn what_is_plainly_valid_always_compiles() {
        let mut generator = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut plain, mut not_plain) = (0, 0);
        for _ in 0..3000 {
            let mut schema = generator.schema(0);
            if let (Value::Object(map), 0) = (&mut schema, generator.next() % 3) {
                let dialect = generator.pick(&DIALECTS);
                map.insert("$schema".into(), json!(dialect));
            }
            if plainly_valid(&schema) {
                plain += 1;
                assert!(compile(&schema).is_ok(), "{schema}");
            } else {
                not_plain += 1;
            }
        }
        assert!(
            plain > 500 && not_plain > 500,
            "{plain} plain, {not_plain} not"
        );
    }
}
