//! Visiting every free-text string of a report: what scrubbing and terminal escaping go through.

use serde_json::{Map, Value};

/// Calls `f` on the text, if any.
pub(super) fn opt(text: &mut Option<String>, f: &mut dyn FnMut(&mut String)) {
    if let Some(t) = text {
        f(t);
    }
}

/// Every string of a JSON value, object keys included.
pub(super) fn visit_value(value: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| visit_value(v, f)),
        Value::Object(map) => visit_map(map, f),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Every key and string of a JSON object.
pub(super) fn visit_map(map: &mut Map<String, Value>, f: &mut dyn FnMut(&mut String)) {
    let old = std::mem::take(map);
    for (mut key, mut value) in old {
        f(&mut key);
        visit_value(&mut value, f);
        map.insert(key, value);
    }
}
