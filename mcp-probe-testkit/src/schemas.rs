//! The tools of [`Mode::Schemas`](crate::Mode::Schemas): tools with an `outputSchema` and
//! one whose `inputSchema` is not valid JSON Schema.

use serde_json::{json, Value};

/// Where the `outputSchema` of `remote_schema` points: a probe must never fetch it.
pub const REMOTE_SCHEMA_URL: &str = "http://127.0.0.1:9/never-fetched.json";

/// The output schema of `sum` and `sum_text`: an object with a number `sum`.
fn sum_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"sum": {"type": "number"}},
        "required": ["sum"]
    })
}

fn two_numbers() -> Value {
    json!({
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
        "required": ["a", "b"]
    })
}

/// The extra tools, as listed.
pub(crate) fn tools() -> [Value; 4] {
    [
        json!({
            "name": "sum",
            "description": "Add two numbers; the sum as text and as structuredContent.",
            "inputSchema": two_numbers(),
            "outputSchema": sum_schema()
        }),
        json!({
            "name": "sum_text",
            "description": "Like sum, but its structuredContent gives the sum as a string, against its outputSchema.",
            "inputSchema": two_numbers(),
            "outputSchema": sum_schema()
        }),
        json!({
            "name": "remote_schema",
            "description": "Its outputSchema is a $ref to an http URL.",
            "inputSchema": two_numbers(),
            "outputSchema": {"$ref": REMOTE_SCHEMA_URL}
        }),
        json!({
            "name": "loose",
            "description": "Its inputSchema is not valid JSON Schema.",
            "inputSchema": {"type": "objekt", "properties": {"a": {"type": 5}}}
        }),
    ]
}

/// Whether `name` is one of the extra tools.
pub(crate) fn handles(name: &str) -> bool {
    matches!(name, "sum" | "sum_text" | "remote_schema" | "loose")
}

/// The result of calling the extra tool `name`.
pub(crate) fn call(name: &str, params: &Value) -> Value {
    let arg = |k: &str| {
        params
            .get("arguments")
            .and_then(|a| a.get(k))
            .and_then(Value::as_f64)
    };
    let sum = match (arg("a"), arg("b")) {
        (Some(a), Some(b)) => a + b,
        _ => 0.0,
    };
    // Whole sums print without a fraction (`5`, not `5.0`).
    #[allow(clippy::cast_possible_truncation)]
    let text = if sum.fract() == 0.0 && sum.abs() < 1e15 {
        (sum as i64).to_string()
    } else {
        sum.to_string()
    };
    let structured = match name {
        "sum_text" => json!({"sum": text}),
        "loose" => return json!({"content": [{"type": "text", "text": "ok"}]}),
        _ => json!({"sum": serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)}),
    };
    json!({
        "content": [{"type": "text", "text": text}],
        "structuredContent": structured
    })
}
