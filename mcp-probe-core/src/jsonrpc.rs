//! JSON-RPC 2.0 messages as a probe sends and reads them.

use crate::text::kind;
use crate::text::short;
use crate::text::truncate;
use serde_json::{json, Value};

/// An error object from a JSON-RPC response (the report's typed fact of it).
pub(crate) use crate::model::RpcErrorFact as RpcError;

impl RpcError {
    /// The error as report details (`{code, message, data?}`), the message cut to a sane length.
    pub(crate) fn to_value(&self) -> Value {
        let mut v = json!({"code": self.code, "message": truncate(&self.message, 500)});
        if let Some(data) = &self.data {
            v["data"] = crate::text::bounded_value(data);
        }
        v
    }
}

impl crate::model::Failure {
    /// Records the JSON-RPC error the server answered: typed, and bounded in
    /// `details.jsonrpcError`.
    #[must_use]
    pub(crate) fn with_jsonrpc_error(self, error: RpcError) -> Self {
        let shown = error.to_value();
        self.with_rpc_error(error, shown)
    }
}

/// What a response carried: a result or an error.
pub(crate) type RpcOutcome = Result<Value, RpcError>;

/// A message received from the server, classified.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Incoming {
    /// The answer to a request (`id` may be `null` for errors).
    Response { id: Value, outcome: RpcOutcome },
    /// A request the server expects an answer to (`params` is `null` when absent).
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    /// A notification.
    Notification { method: String },
}

/// Why a JSON value is not a usable JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NotRpc {
    /// Not a JSON-RPC message at all (no `jsonrpc` member, not an object).
    Foreign(String),
    /// JSON-RPC, but broken.
    Broken(String),
}

/// Most JSON values one message may hold (numbers, strings, … each count one).
pub(crate) const MAX_JSON_VALUES: usize = 1_000_000;
/// Most JSON objects one message may hold (each costs far more memory than its bytes).
pub(crate) const MAX_JSON_OBJECTS: usize = 200_000;

/// Why a message could not be parsed.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// It is not valid JSON.
    Invalid(serde_json::Error),
    /// It holds more values or objects than a probe keeps in memory.
    TooBig { values: usize, objects: usize },
}

/// Parses a JSON message whose memory, once parsed, stays proportional to its size: a
/// pre-scan counts its values and objects (an upper bound, strings skipped) and refuses
/// messages over [`MAX_JSON_VALUES`] or [`MAX_JSON_OBJECTS`] before anything is built —
/// 15 MB of `[1,1,1,…]` would otherwise take some 250 MB as values.
pub(crate) fn parse_bounded(bytes: &[u8]) -> Result<Value, ParseError> {
    let (values, objects) = count_values(bytes);
    if values > MAX_JSON_VALUES || objects > MAX_JSON_OBJECTS {
        return Err(ParseError::TooBig { values, objects });
    }
    serde_json::from_slice(bytes).map_err(ParseError::Invalid)
}

/// An upper bound of the values and the objects in a JSON text: one value plus one per comma
/// and per container opened, outside strings.
fn count_values(bytes: &[u8]) -> (usize, usize) {
    let (mut values, mut objects) = (1usize, 0usize);
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b',' | b'[' => values += 1,
            b'{' => {
                values += 1;
                objects += 1;
            }
            _ => {}
        }
    }
    (values, objects)
}

/// Builds a request body.
pub(crate) fn request(id: i64, method: &str, params: Option<Value>) -> Value {
    let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
    if let Some(params) = params {
        msg["params"] = params;
    }
    msg
}

/// A request or notification as sent, borrowing its parts; its fields in the order a
/// [`Value`] object of it has them (sorted keys), so its JSON is that of [`request`] or
/// [`notification`] byte for byte, without building the value first.
#[derive(serde::Serialize)]
struct Outgoing<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    jsonrpc: &'static str,
    method: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    params: Option<&'a Value>,
}

/// The JSON text of [`request`]`(id, method, params)`.
pub(crate) fn request_body(id: i64, method: &str, params: Option<&Value>) -> Vec<u8> {
    let message = Outgoing {
        id: Some(id),
        jsonrpc: "2.0",
        method,
        params,
    };
    serde_json::to_vec(&message).unwrap_or_default()
}

/// The JSON text of [`notification`]`(method, params)`.
pub(crate) fn notification_body(method: &str, params: Option<&Value>) -> Vec<u8> {
    let message = Outgoing {
        id: None,
        jsonrpc: "2.0",
        method,
        params,
    };
    serde_json::to_vec(&message).unwrap_or_default()
}

/// Builds a notification body.
pub(crate) fn notification(method: &str, params: Option<Value>) -> Value {
    let mut msg = json!({"jsonrpc": "2.0", "method": method});
    if let Some(params) = params {
        msg["params"] = params;
    }
    msg
}

/// Builds a success response to a server request.
pub(crate) fn result_response(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// Builds an error response to a server request.
pub(crate) fn error_response(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Classifies one received JSON value.
pub(crate) fn classify(value: Value) -> Result<Incoming, NotRpc> {
    let Value::Object(mut obj) = value else {
        return Err(match value {
            Value::Array(_) => {
                NotRpc::Broken("a JSON array (batch) where one message was expected".into())
            }
            other => NotRpc::Foreign(format!(
                "a JSON {} instead of a JSON-RPC object",
                kind(&other)
            )),
        });
    };
    match obj.get("jsonrpc") {
        Some(Value::String(v)) if v == "2.0" => {}
        Some(other) => {
            return Err(NotRpc::Broken(format!(
                "`jsonrpc` is {} instead of \"2.0\"",
                short(other)
            )))
        }
        None => {
            return Err(NotRpc::Foreign(
                "a JSON object without `jsonrpc: \"2.0\"`".into(),
            ))
        }
    }
    let id = obj.remove("id");
    if let Some(method) = obj.get("method") {
        let Value::String(method) = method else {
            return Err(NotRpc::Broken("`method` is not a string".into()));
        };
        let method = truncate(method, 200);
        return Ok(match id {
            Some(Value::Null) | None => Incoming::Notification { method },
            Some(id @ (Value::String(_) | Value::Number(_))) => Incoming::Request {
                id,
                method,
                params: obj.remove("params").unwrap_or(Value::Null),
            },
            Some(other) => {
                return Err(NotRpc::Broken(format!(
                    "request id is {} (must be a string or a number)",
                    kind(&other)
                )))
            }
        });
    }
    let id = id.unwrap_or(Value::Null);
    match (obj.remove("result"), obj.remove("error")) {
        (Some(_), Some(_)) => Err(NotRpc::Broken(
            "a response with both `result` and `error`".into(),
        )),
        (Some(result), None) => Ok(Incoming::Response {
            id,
            outcome: Ok(result),
        }),
        (None, Some(error)) => Ok(Incoming::Response {
            id,
            outcome: Err(parse_error(error)?),
        }),
        (None, None) => Err(NotRpc::Broken(
            "a message with neither `method`, `result` nor `error`".into(),
        )),
    }
}

fn parse_error(error: Value) -> Result<RpcError, NotRpc> {
    let Value::Object(mut e) = error else {
        return Err(NotRpc::Broken("`error` is not an object".into()));
    };
    let code = e
        .get("code")
        .and_then(Value::as_i64)
        .ok_or_else(|| NotRpc::Broken("`error.code` is missing or not an integer".into()))?;
    let message = match e.remove("message") {
        Some(Value::String(m)) => m,
        _ => String::new(),
    };
    Ok(RpcError {
        code,
        message,
        data: e.remove("data"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::bounded_value;

    #[test]
    fn bodies_are_the_messages_json_byte_for_byte() {
        let params = json!({"name": "add", "arguments": {"b": 3, "a": 2}, "z": [1, "é\n"]});
        for p in [None, Some(&params)] {
            assert_eq!(
                request_body(7, "tools/call", p),
                serde_json::to_vec(&request(7, "tools/call", p.cloned())).unwrap()
            );
            assert_eq!(
                notification_body("notifications/initialized", p),
                serde_json::to_vec(&notification("notifications/initialized", p.cloned())).unwrap()
            );
        }
    }

    #[test]
    fn value_counts_bound_what_parsing_builds() {
        assert_eq!(count_values(br#"{"a":[1,2,{"b":"x,{[\"y"}]}"#), (6, 2));
        assert!(parse_bounded(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#).is_ok());
        let many = format!("[{}1]", "1,".repeat(MAX_JSON_VALUES));
        assert!(matches!(
            parse_bounded(many.as_bytes()),
            Err(ParseError::TooBig { .. })
        ));
        let objects = format!("[{}{{}}]", "{},".repeat(MAX_JSON_OBJECTS));
        assert!(matches!(
            parse_bounded(objects.as_bytes()),
            Err(ParseError::TooBig { .. })
        ));
        assert!(matches!(parse_bounded(b"[1,"), Err(ParseError::Invalid(_))));
    }

    #[test]
    fn classifies_messages() {
        assert_eq!(
            classify(json!({"jsonrpc":"2.0","id":1,"result":{}})),
            Ok(Incoming::Response {
                id: json!(1),
                outcome: Ok(json!({}))
            })
        );
        assert_eq!(
            classify(json!({"jsonrpc":"2.0","id":"s1","method":"ping"})),
            Ok(Incoming::Request {
                id: json!("s1"),
                method: "ping".into(),
                params: Value::Null,
            })
        );
        assert_eq!(
            classify(json!({"jsonrpc":"2.0","method":"notifications/message","params":{}})),
            Ok(Incoming::Notification {
                method: "notifications/message".into()
            })
        );
        let err =
            classify(json!({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}}));
        assert_eq!(
            err,
            Ok(Incoming::Response {
                id: Value::Null,
                outcome: Err(RpcError {
                    code: -32600,
                    message: "bad".into(),
                    data: None
                })
            })
        );
    }

    #[test]
    fn tells_foreign_from_broken() {
        assert!(matches!(
            classify(json!({"status":"ok"})),
            Err(NotRpc::Foreign(_))
        ));
        assert!(matches!(classify(json!("hi")), Err(NotRpc::Foreign(_))));
        assert!(matches!(classify(json!([])), Err(NotRpc::Broken(_))));
        assert!(matches!(
            classify(json!({"jsonrpc":"1.0","id":1,"result":1})),
            Err(NotRpc::Broken(_))
        ));
        assert!(matches!(
            classify(json!({"jsonrpc":"2.0","id":1})),
            Err(NotRpc::Broken(_))
        ));
        assert!(matches!(
            classify(json!({"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1}})),
            Err(NotRpc::Broken(_))
        ));
        assert!(matches!(
            classify(json!({"jsonrpc":"2.0","id":1,"error":{"message":"no code"}})),
            Err(NotRpc::Broken(_))
        ));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 2), "hi");
        let long = Value::String("x".repeat(1000));
        assert_eq!(
            bounded_value(&long).as_str().map(|s| s.chars().count()),
            Some(301)
        );
    }
}
