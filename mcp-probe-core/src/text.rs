//! Text shown to people: truncation, body snippets, short renderings of JSON values. It
//! imports nothing from the engine.

use serde_json::{Map, Value};

/// The JSON type name of a value, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A short rendering of a value for messages.
pub(crate) fn short(v: &Value) -> String {
    truncate(&v.to_string(), 80)
}

/// Cuts `text` to at most `max` characters, marking the cut with `…` (so a cut text has
/// `max + 1`).
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

/// A copy of a server-sent value small enough for a report (strings and arrays cut).
pub(crate) fn bounded_value(v: &Value) -> Value {
    fn walk(v: &Value, depth: usize) -> Value {
        if depth > 6 {
            return Value::String("…".into());
        }
        match v {
            Value::String(s) => Value::String(truncate(s, 300)),
            Value::Array(a) => {
                Value::Array(a.iter().take(20).map(|x| walk(x, depth + 1)).collect())
            }
            Value::Object(o) => Value::Object(
                o.iter()
                    .take(30)
                    .map(|(k, x)| (truncate(k, 100), walk(x, depth + 1)))
                    .collect::<Map<String, Value>>(),
            ),
            other => other.clone(),
        }
    }
    walk(v, 0)
}

/// A body excerpt safe to show: valid UTF-8, control characters replaced, at most `max` chars.
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max * 4)]);
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate(&collapsed, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded_and_clean() {
        let s = snippet(b"<html>\r\n<body>\x07 502 Bad Gateway</body></html>", 30);
        assert_eq!(s, "<html> <body> 502 Bad Gateway<…");
        assert_eq!(snippet(&[0xff, b'a'], 10), "\u{fffd}a");
    }
}
