//! JSON-RPC message handling: classification, results, errors, the tools.

use serde_json::{json, Map, Value};

use crate::{abuse, terminal, Mode};

/// Protocol versions the fixture negotiates (handshake era, Streamable HTTP).
pub(crate) const SUPPORTED_VERSIONS: [&str; 3] = ["2025-03-26", "2025-06-18", "2025-11-25"];
/// Answered when the client asks for a version the fixture does not speak.
pub(crate) const LATEST_VERSION: &str = "2025-11-25";

pub(crate) const PARSE_ERROR: i64 = -32700;
pub(crate) const INVALID_REQUEST: i64 = -32600;
pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
pub(crate) const INVALID_PARAMS: i64 = -32602;
pub(crate) const INTERNAL_ERROR: i64 = -32603;
/// SDK-style "Bad Request" code used on transport-level errors.
pub(crate) const SERVER_ERROR: i64 = -32000;
/// SDK-style "Session not found" code.
pub(crate) const SESSION_NOT_FOUND: i64 = -32001;

/// A JSON-RPC message POSTed by the client.
#[derive(Debug)]
pub(crate) enum Message {
    /// A request: it expects a response.
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    /// A notification (no id): answered 202.
    Notification,
    /// A response to a server request: answered 202.
    Response { id: Value },
}

/// Classifies a parsed body, or says why it is not a single JSON-RPC message.
pub(crate) fn classify(body: &Value) -> Result<Message, &'static str> {
    let obj = body
        .as_object()
        .ok_or("a single JSON-RPC message object is expected")?;
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err("jsonrpc must be \"2.0\"");
    }
    match obj.get("method") {
        Some(Value::String(method)) => match obj.get("id") {
            None => Ok(Message::Notification),
            Some(id @ (Value::String(_) | Value::Number(_))) => Ok(Message::Request {
                id: id.clone(),
                method: method.clone(),
                params: obj.get("params").cloned().unwrap_or(Value::Null),
            }),
            Some(_) => Err("id must be a string or a number"),
        },
        Some(_) => Err("method must be a string"),
        None if obj.contains_key("result") || obj.contains_key("error") => Ok(Message::Response {
            id: obj.get("id").cloned().unwrap_or(Value::Null),
        }),
        None => Err("neither a request, a notification nor a response"),
    }
}

/// A JSON-RPC success response.
pub(crate) fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// A JSON-RPC error response.
pub(crate) fn error(id: &Value, code: i64, message: &str, data: Option<Value>) -> Value {
    let mut err = Map::new();
    err.insert("code".into(), code.into());
    err.insert("message".into(), message.into());
    if let Some(data) = data {
        err.insert("data".into(), data);
    }
    json!({"jsonrpc": "2.0", "id": id, "error": err})
}

/// A server-to-client notification.
pub(crate) fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// A server-to-client request.
pub(crate) fn request(id: &str, method: &str, params: Option<Value>) -> Value {
    let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
    if let (Some(params), Some(obj)) = (params, msg.as_object_mut()) {
        obj.insert("params".into(), params);
    }
    msg
}

/// The version the fixture answers for the client's requested one.
pub(crate) fn negotiate(requested: Option<&str>) -> &'static str {
    SUPPORTED_VERSIONS
        .iter()
        .copied()
        .find(|v| Some(*v) == requested)
        .unwrap_or(LATEST_VERSION)
}

/// The `initialize` result announcing `version`.
pub(crate) fn initialize_result(version: &str, mode: Mode) -> Value {
    let mut capabilities = json!({"tools": {"listChanged": false}});
    if let Some(caps) = capabilities.as_object_mut() {
        match mode {
            Mode::Notifications => {
                caps.insert("logging".into(), json!({}));
            }
            // The one mode that advertises its resources and prompts (for surface snapshots).
            Mode::Paginated => {
                caps.insert("resources".into(), json!({}));
                caps.insert("prompts".into(), json!({}));
            }
            _ => {}
        }
    }
    let server_info = if mode == Mode::ControlChars {
        terminal::server_info()
    } else {
        json!({"name": "mcp-probe-fixture", "version": env!("CARGO_PKG_VERSION")})
    };
    json!({
        "protocolVersion": version,
        "capabilities": capabilities,
        "serverInfo": server_info,
    })
}

/// The fixture tool `add`, as listed.
pub(crate) fn add_tool() -> Value {
    let [add, ..] = tools();
    add
}

/// The three fixture tools: `add`, `echo`, `fail`.
fn tools() -> [Value; 3] {
    [
        json!({
            "name": "add",
            "title": "Add",
            "description": "Add two numbers and return the sum as text.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "a": {"type": "number", "description": "First addend"},
                    "b": {"type": "number", "description": "Second addend"}
                },
                "required": ["a", "b"],
                "additionalProperties": false
            },
            "annotations": {"readOnlyHint": true, "openWorldHint": false}
        }),
        json!({
            "name": "echo",
            "title": "Echo",
            "description": "Return the given text unchanged.",
            "inputSchema": {
                "type": "object",
                "properties": {"text": {"type": "string", "description": "Text to return"}},
                "required": ["text"],
                "additionalProperties": false
            },
            "annotations": {"readOnlyHint": true, "openWorldHint": false}
        }),
        json!({
            "name": "fail",
            "title": "Fail",
            "description": "Always fails the way a tool whose upstream API is down does.",
            "inputSchema": {"type": "object", "properties": {}, "additionalProperties": false}
        }),
    ]
}

/// The response to a request other than `initialize`, for a mode whose protocol layer is sound.
pub(crate) fn respond(mode: Mode, id: &Value, method: &str, params: &Value) -> Value {
    match method {
        "ping" => result(id, json!({})),
        "tools/list" => match list_tools(mode, params) {
            Ok(page) => result(id, page),
            Err(message) => error(id, INVALID_PARAMS, message, None),
        },
        "tools/call" => match mode {
            Mode::ToolIsError => result(id, tool_error("database connection refused")),
            Mode::JsonrpcErrorOnCall => error(
                id,
                INTERNAL_ERROR,
                "internal error: tool registry unavailable",
                None,
            ),
            _ => match mode_call_tool(mode, params) {
                Ok(outcome) => result(id, outcome),
                Err(message) => error(id, INVALID_PARAMS, &message, None),
            },
        },
        m if crate::features::handles(m) => crate::features::respond(mode, id, m, params),
        _ => error(
            id,
            METHOD_NOT_FOUND,
            &format!("Method not found: {method}"),
            None,
        ),
    }
}

const CURSOR_PREFIX: &str = "bXBmLXBhZ2Ut";

fn list_tools(mode: Mode, params: &Value) -> Result<Value, &'static str> {
    let all = tools();
    match mode {
        Mode::Paginated => {}
        Mode::ControlChars => return Ok(json!({"tools": terminal::tools(add_tool())})),
        Mode::ToolPastCap => return abuse::past_cap_page(params, add_tool()),
        _ => return Ok(json!({"tools": all})),
    }
    let start = match params.get("cursor") {
        None | Some(Value::Null) => 0,
        Some(Value::String(cursor)) => cursor
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..all.len()).contains(n))
            .ok_or("Invalid cursor")?,
        Some(_) => return Err("Invalid cursor"),
    };
    let mut page = Map::new();
    page.insert("tools".into(), Value::Array(vec![all[start].clone()]));
    if start + 1 < all.len() {
        page.insert(
            "nextCursor".into(),
            format!("{CURSOR_PREFIX}{}", start + 1).into(),
        );
    }
    Ok(Value::Object(page))
}

fn text_content(text: &str) -> Value {
    json!([{"type": "text", "text": text}])
}

/// A `tools/call` result with `isError: true` and one text content.
pub(crate) fn tool_error(text: &str) -> Value {
    json!({"content": text_content(text), "isError": true})
}

/// Runs a tool the way `mode` does; `Err` is a JSON-RPC invalid-params message (unknown tool).
fn mode_call_tool(mode: Mode, params: &Value) -> Result<Value, String> {
    let name = params.get("name").and_then(Value::as_str).unwrap_or("");
    match mode {
        Mode::ControlChars if name == terminal::EVIL_TOOL => Ok(terminal::evil_result()),
        Mode::ControlChars => call_tool(params).map(terminal::clear_screen_first),
        Mode::ToolPastCap if name == abuse::NEEDLE => {
            Ok(json!({"content": text_content(abuse::NEEDLE_TEXT)}))
        }
        _ => call_tool(params),
    }
}

/// Runs a healthy tool; `Err` is a JSON-RPC invalid-params message (unknown tool).
fn call_tool(params: &Value) -> Result<Value, String> {
    let name = params.get("name").and_then(Value::as_str).unwrap_or("");
    let args = params.get("arguments").cloned().unwrap_or(Value::Null);
    match name {
        "add" => Ok(
            match (
                args.get("a").and_then(as_number),
                args.get("b").and_then(as_number),
            ) {
                (Some(a), Some(b)) => json!({"content": text_content(&add(a, b))}),
                _ => tool_error("arguments a and b must be numbers"),
            },
        ),
        "echo" => Ok(match args.get("text").and_then(Value::as_str) {
            Some(text) => json!({"content": text_content(text)}),
            None => tool_error("argument text must be a string"),
        }),
        "fail" => Ok(tool_error("upstream API unavailable")),
        _ => Err(format!("Unknown tool: {name}")),
    }
}

#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

fn as_number(value: &Value) -> Option<Number> {
    value
        .as_i64()
        .map(Number::Int)
        .or_else(|| value.as_f64().map(Number::Float))
}

fn to_f64(n: Number) -> f64 {
    match n {
        // Precision loss only beyond 2^53, where JSON numbers are lossy anyway.
        #[allow(clippy::cast_precision_loss)]
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

/// The sum formatted the way JSON (and JavaScript) prints numbers: `2 + 3` → `"5"`, `0.5 + 2` → `"2.5"`.
fn add(a: Number, b: Number) -> String {
    if let (Number::Int(a), Number::Int(b)) = (a, b) {
        if let Some(sum) = a.checked_add(b) {
            return sum.to_string();
        }
    }
    let sum = to_f64(a) + to_f64(b);
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if sum.fract() == 0.0 && sum.abs() < EXACT {
        #[allow(clippy::cast_possible_truncation)]
        return (sum as i64).to_string();
    }
    serde_json::Number::from_f64(sum).map_or_else(|| "null".to_owned(), |n| n.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn add_formats_like_json() {
        let call = |a: Value, b: Value| {
            call_tool(&json!({"name": "add", "arguments": {"a": a, "b": b}})).unwrap()["content"][0]
                ["text"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(call(json!(2), json!(3)), "5");
        assert_eq!(call(json!(2.5), json!(2.5)), "5");
        assert_eq!(call(json!(0.5), json!(2)), "2.5");
        assert_eq!(call(json!(-1), json!(1)), "0");
    }

    #[test]
    fn pagination_walks_three_pages() {
        let mut cursor = Value::Null;
        let mut names = Vec::new();
        for _ in 0..5 {
            let page = list_tools(Mode::Paginated, &json!({"cursor": cursor})).unwrap();
            names.push(page["tools"][0]["name"].as_str().unwrap().to_owned());
            match page.get("nextCursor") {
                Some(next) => cursor = next.clone(),
                None => break,
            }
        }
        assert_eq!(names, ["add", "echo", "fail"]);
        assert!(list_tools(Mode::Paginated, &json!({"cursor": "bogus"})).is_err());
    }

    #[test]
    fn negotiation_echoes_known_versions() {
        assert_eq!(negotiate(Some("2025-03-26")), "2025-03-26");
        assert_eq!(negotiate(Some("2024-11-05")), "2025-11-25");
        assert_eq!(negotiate(None), "2025-11-25");
    }
}
