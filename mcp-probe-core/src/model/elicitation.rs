//! How a probe answers a server's `elicitation/create` request during a tool call: a probe
//! has no person to ask, so the scenario says what to answer.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Most fields of a requested schema whose defaults are taken.
const MAX_FIELDS: usize = 100;

/// The answer to `elicitation/create` requests the server sends while a `callTool` step
/// waits (handshake era). With one in the scenario the probe declares the `elicitation`
/// client capability; without, it answers "method not found" as to any request it does not
/// serve.
///
/// `accept` sends the defaults of the requested schema's fields (SEP-1034) with `content`
/// laid over them; a URL-mode request (`mode: url`) gets the action alone.
///
/// ```
/// use mcp_probe_core::{ElicitationAction, ElicitationAnswer};
/// use serde_json::json;
///
/// let answer: ElicitationAnswer = serde_json::from_value(json!({
///     "action": "accept", "content": {"name": "probe"}
/// })).unwrap();
/// assert_eq!(answer.action, ElicitationAction::Accept);
/// let request = json!({
///     "message": "Who are you?",
///     "requestedSchema": {"type": "object", "properties": {
///         "name": {"type": "string", "default": "John Doe"},
///         "age": {"type": "integer", "default": 30},
///         "note": {"type": "string"}
///     }}
/// });
/// assert_eq!(
///     answer.result_for(&request),
///     json!({"action": "accept", "content": {"name": "probe", "age": 30}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ElicitationAnswer {
    /// What to answer.
    pub action: ElicitationAction,
    /// With `accept`: values given for fields, over the schema's defaults.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub content: Map<String, Value>,
}

/// The action of an elicitation answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ElicitationAction {
    /// Accept, with the schema's defaults and the given content.
    #[default]
    Accept,
    /// Decline.
    Decline,
    /// Cancel.
    Cancel,
}

impl ElicitationAction {
    /// The action's name on the wire: `accept`, `decline` or `cancel`.
    pub fn as_str(self) -> &'static str {
        match self {
            ElicitationAction::Accept => "accept",
            ElicitationAction::Decline => "decline",
            ElicitationAction::Cancel => "cancel",
        }
    }
}

impl ElicitationAnswer {
    /// An answer with `action` and no content.
    pub fn new(action: ElicitationAction) -> Self {
        ElicitationAnswer {
            action,
            content: Map::new(),
        }
    }

    /// The `ElicitResult` for a request with these `params`.
    pub fn result_for(&self, params: &Value) -> Value {
        let url_mode = params.get("mode").and_then(Value::as_str) == Some("url");
        if self.action != ElicitationAction::Accept || url_mode {
            return json!({"action": self.action.as_str()});
        }
        let mut content = defaults(params.get("requestedSchema"));
        for (k, v) in &self.content {
            content.insert(k.clone(), v.clone());
        }
        json!({"action": "accept", "content": content})
    }
}

/// The `default` of each field of a requested schema whose default is a string, number,
/// boolean or list of strings (the field types an elicitation may ask for), at most
/// [`MAX_FIELDS`].
fn defaults(schema: Option<&Value>) -> Map<String, Value> {
    let Some(properties) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return Map::new();
    };
    properties
        .iter()
        .take(MAX_FIELDS)
        .filter_map(|(name, field)| match field.get("default") {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                Some((name.clone(), v.clone()))
            }
            // A multi-select enum's default: a list of strings.
            Some(v @ Value::Array(items)) if items.iter().all(Value::is_string) => {
                Some((name.clone(), v.clone()))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({"requestedSchema": {"type": "object", "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "score": {"type": "number", "default": 95.5},
            "verified": {"type": "boolean", "default": true},
            "status": {"type": "string", "enum": ["active", "inactive"], "default": "active"},
            "tags": {"type": "array", "items": {"enum": ["x", "y"]}, "default": ["x"]},
            "nested": {"type": "object", "default": {"a": 1}},
            "mixed": {"type": "array", "default": ["x", 1]},
            "free": {"type": "string"}
        }}})
    }

    #[test]
    fn accept_sends_the_primitive_defaults() {
        let result = ElicitationAnswer::new(ElicitationAction::Accept).result_for(&schema());
        assert_eq!(
            result,
            json!({"action": "accept", "content": {
                "name": "John Doe", "score": 95.5, "verified": true, "status": "active",
                "tags": ["x"]
            }})
        );
    }

    #[test]
    fn decline_cancel_and_url_mode_send_the_action_alone() {
        for action in [ElicitationAction::Decline, ElicitationAction::Cancel] {
            assert_eq!(
                ElicitationAnswer::new(action).result_for(&schema()),
                json!({"action": action.as_str()})
            );
        }
        let url = json!({"mode": "url", "url": "https://example.com/consent", "message": "m"});
        assert_eq!(
            ElicitationAnswer::new(ElicitationAction::Accept).result_for(&url),
            json!({"action": "accept"})
        );
    }

    #[test]
    fn a_request_without_a_schema_gets_the_given_content() {
        let mut answer = ElicitationAnswer::new(ElicitationAction::Accept);
        answer.content.insert("ok".into(), json!(true));
        assert_eq!(
            answer.result_for(&json!({"requestedSchema": "nonsense"})),
            json!({"action": "accept", "content": {"ok": true}})
        );
    }
}
