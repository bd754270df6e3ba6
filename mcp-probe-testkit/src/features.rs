//! Resources and prompts of the healthy fixtures: two resources, one resource template and
//! one prompt (`greet`), one item per page in [`Mode::Paginated`]. The resource
//! `fixture://broken` and the prompt `broken` answer without their required field.

use serde_json::{json, Map, Value};

use crate::protocol::{error, result, INVALID_PARAMS};
use crate::Mode;

/// JSON-RPC code for an unknown resource (2025-11-25 and earlier).
pub(crate) const RESOURCE_NOT_FOUND: i64 = -32002;

const CURSOR_PREFIX: &str = "ZmVhdHVyZS1wYWdlLQ";

/// Whether `method` is one of the resource and prompt methods answered here.
pub(crate) fn handles(method: &str) -> bool {
    matches!(
        method,
        "resources/list"
            | "resources/templates/list"
            | "resources/read"
            | "prompts/list"
            | "prompts/get"
    )
}

/// The answer to one of the methods [`handles`] takes.
pub(crate) fn respond(mode: Mode, id: &Value, method: &str, params: &Value) -> Value {
    let paginated = mode == Mode::Paginated;
    let listed = match method {
        "resources/list" => page("resources", resources(), params, paginated),
        "resources/templates/list" => page(
            "resourceTemplates",
            vec![json!({
                "uriTemplate": "fixture://notes/{id}",
                "name": "note",
                "description": "A note by its number.",
                "mimeType": "text/plain"
            })],
            params,
            paginated,
        ),
        "prompts/list" => page("prompts", vec![greet_prompt()], params, paginated),
        "resources/read" => return read(id, params),
        _ => return get_prompt(id, params),
    };
    match listed {
        Ok(page) => result(id, page),
        Err(message) => error(id, INVALID_PARAMS, message, None),
    }
}

fn resources() -> Vec<Value> {
    vec![
        json!({"uri": "fixture://readme", "name": "readme", "title": "Read me",
               "mimeType": "text/plain"}),
        json!({"uri": "fixture://config", "name": "config", "mimeType": "application/json"}),
    ]
}

fn greet_prompt() -> Value {
    json!({
        "name": "greet",
        "title": "Greet",
        "description": "A greeting for someone.",
        "arguments": [{"name": "who", "description": "Whom to greet", "required": true}]
    })
}

/// One page of `items` under `field`: all of them, or one per page when `paginated`.
fn page(
    field: &str,
    items: Vec<Value>,
    params: &Value,
    paginated: bool,
) -> Result<Value, &'static str> {
    if !paginated {
        return Ok(json!({ field: items }));
    }
    let start = match params.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) => cursor
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..items.len()).contains(n))
            .ok_or("Invalid cursor")?,
        Some(_) => return Err("Invalid cursor"),
    };
    let mut page = Map::new();
    page.insert(field.into(), Value::Array(vec![items[start].clone()]));
    if start + 1 < items.len() {
        page.insert(
            "nextCursor".into(),
            format!("{CURSOR_PREFIX}{}", start + 1).into(),
        );
    }
    Ok(Value::Object(page))
}

/// `resources/read`: the two resources, any note, `fixture://broken` without `contents`.
fn read(id: &Value, params: &Value) -> Value {
    let uri = params.get("uri").and_then(Value::as_str).unwrap_or("");
    let text = match uri {
        "fixture://readme" => "This is the fixture server.".to_owned(),
        "fixture://config" => r#"{"debug": false}"#.to_owned(),
        "fixture://broken" => return result(id, json!({})),
        _ => match uri.strip_prefix("fixture://notes/") {
            Some(n) if !n.is_empty() => format!("Note {n}"),
            _ => {
                return error(
                    id,
                    RESOURCE_NOT_FOUND,
                    "Resource not found",
                    Some(json!({ "uri": uri })),
                )
            }
        },
    };
    let mime = if uri == "fixture://config" {
        "application/json"
    } else {
        "text/plain"
    };
    result(
        id,
        json!({"contents": [{"uri": uri, "mimeType": mime, "text": text}]}),
    )
}

/// `prompts/get`: `greet` (needs `who`), `broken` without `messages`.
fn get_prompt(id: &Value, params: &Value) -> Value {
    match params.get("name").and_then(Value::as_str).unwrap_or("") {
        "greet" => match params.pointer("/arguments/who").and_then(Value::as_str) {
            Some(who) => result(
                id,
                json!({
                    "description": "A greeting",
                    "messages": [{"role": "user", "content": {"type": "text", "text": format!("Say hello to {who}.")}}]
                }),
            ),
            None => error(id, INVALID_PARAMS, "Missing required argument: who", None),
        },
        "broken" => result(id, json!({"description": "no messages"})),
        other => error(
            id,
            INVALID_PARAMS,
            &format!("Unknown prompt: {other}"),
            None,
        ),
    }
}
