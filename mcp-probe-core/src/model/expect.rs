//! What a step (or the whole probe) must show: one [`Expect`] block for every step, judged
//! by the engine once for all of them.
//!
//! Not every key makes sense on every step; [`Expect::problem`] names a key a step cannot
//! take (and an invalid `textMatches` pattern or JSON pointer) when the scenario is
//! validated.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Largest compiled size of a `textMatches` pattern (bytes); larger patterns are refused when
/// the scenario is validated.
pub const MAX_PATTERN_BYTES: usize = 1 << 20;

/// Expectations on a step's result; in documents the step's `expect:` block. Also the
/// scenario's top-level `expect:` block, which takes only `maxMs` (the whole probe's duration).
///
/// | key | steps | what it checks |
/// |---|---|---|
/// | `protocolVersions`, `serverName` | handshake | the negotiated version, `serverInfo.name` |
/// | `toolsPresent`, `toolsAbsent`, `toolsExactly` | listTools | the listed tool names |
/// | `textEquals`, `textContains`, `textMatches` | callTool, readResource, getPrompt, request | the step's text |
/// | `json`, `jsonExists` | listing, callTool, readResource, getPrompt, request | JSON pointers into the result |
/// | `maxMs` | every step but checkAuth, and the probe | the duration in milliseconds |
/// | `allowError` | callTool | accept `isError: true` |
///
/// The text of a step: for `callTool` its text content items, for `readResource` the `text`
/// of its contents, for `getPrompt` the text of its messages, each joined by a newline; for
/// `request` the whole result as compact JSON. The JSON result of a listing is its items of
/// every page under the listing's field (`{"tools": […]}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Expect {
    /// Handshake: protocol versions the probe accepts (default: every version it speaks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_versions: Option<Vec<String>>,
    /// Handshake: the exact `serverInfo.name` expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// listTools: tools that must be listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_present: Vec<String>,
    /// listTools: tools that must not be listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_absent: Vec<String>,
    /// listTools: the tools listed must be exactly these (in any order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_exactly: Option<Vec<String>>,
    /// The step's text must equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_equals: Option<String>,
    /// The step's text must contain this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_contains: Option<String>,
    /// The step's text must match this regular expression (the `regex` crate's syntax,
    /// unanchored: add `^…$` to match the whole text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_matches: Option<String>,
    /// Values at JSON pointers (RFC 6901) into the step's result: `{"/structuredContent/sum":
    /// 5}`. Numbers compare by value (`5` equals `5.0`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub json: Map<String, Value>,
    /// JSON pointers (RFC 6901) that must exist in the step's result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub json_exists: Vec<String>,
    /// The step (at the top level: the whole probe) must take at most this many milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<u64>,
    /// callTool: accept `isError: true` results.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_error: bool,
}

/// The keys of the handshake step.
pub(crate) const HANDSHAKE_KEYS: &[&str] = &["protocolVersions", "serverName", "maxMs"];
/// The keys of the ping step and of the scenario's top-level `expect`.
pub(crate) const TIME_KEYS: &[&str] = &["maxMs"];
/// The keys of the resource and prompt listings.
pub(crate) const LISTING_KEYS: &[&str] = &["json", "jsonExists", "maxMs"];
/// The keys of the tool listing.
pub(crate) const LIST_TOOLS_KEYS: &[&str] = &[
    "toolsPresent",
    "toolsAbsent",
    "toolsExactly",
    "json",
    "jsonExists",
    "maxMs",
];
/// The keys of `readResource`, `getPrompt` and `request`.
pub(crate) const RESULT_KEYS: &[&str] = &[
    "textEquals",
    "textContains",
    "textMatches",
    "json",
    "jsonExists",
    "maxMs",
];
/// The keys of `callTool`.
pub(crate) const CALL_TOOL_KEYS: &[&str] = &[
    "textEquals",
    "textContains",
    "textMatches",
    "json",
    "jsonExists",
    "maxMs",
    "allowError",
];

impl Expect {
    /// Whether nothing is expected.
    pub fn is_empty(&self) -> bool {
        self.keys().is_empty()
    }

    /// The document names of the keys that are set, in the order of the fields.
    pub fn keys(&self) -> Vec<&'static str> {
        let set = [
            (self.protocol_versions.is_some(), "protocolVersions"),
            (self.server_name.is_some(), "serverName"),
            (!self.tools_present.is_empty(), "toolsPresent"),
            (!self.tools_absent.is_empty(), "toolsAbsent"),
            (self.tools_exactly.is_some(), "toolsExactly"),
            (self.text_equals.is_some(), "textEquals"),
            (self.text_contains.is_some(), "textContains"),
            (self.text_matches.is_some(), "textMatches"),
            (!self.json.is_empty(), "json"),
            (!self.json_exists.is_empty(), "jsonExists"),
            (self.max_ms.is_some(), "maxMs"),
            (self.allow_error, "allowError"),
        ];
        set.into_iter()
            .filter(|(is_set, _)| *is_set)
            .map(|(_, k)| k)
            .collect()
    }

    /// Whether a JSON expectation (`json`, `jsonExists`) is set.
    pub(crate) fn wants_json(&self) -> bool {
        !self.json.is_empty() || !self.json_exists.is_empty()
    }

    /// What is wrong with the block on the step named `step` (of kind `kind`, e.g.
    /// `listTools`) that takes the keys `allowed`: a key it cannot take, a `textMatches`
    /// that is not a valid pattern, a JSON pointer that is not one.
    pub(crate) fn problem(&self, step: &str, kind: &str, allowed: &[&str]) -> Option<String> {
        if let Some(key) = self.keys().into_iter().find(|k| !allowed.contains(k)) {
            return Some(format!(
                "step `{step}`: a `{kind}` step cannot expect `{key}` (it can expect: {})",
                allowed.join(", ")
            ));
        }
        if let Some(pattern) = &self.text_matches {
            if let Err(e) = compile_pattern(pattern) {
                return Some(format!(
                    "step `{step}`: `textMatches` is not a valid regular expression: {e}"
                ));
            }
        }
        let pointers = self.json.keys().chain(self.json_exists.iter());
        if let Some(bad) = pointers
            .into_iter()
            .find(|p| !p.is_empty() && !p.starts_with('/'))
        {
            return Some(format!(
                "step `{step}`: {bad:?} is not a JSON pointer (it must be empty or start with `/`)"
            ));
        }
        None
    }
}

/// Compiles a `textMatches` pattern, its compiled size bounded by [`MAX_PATTERN_BYTES`].
pub(crate) fn compile_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(MAX_PATTERN_BYTES)
        .dfa_size_limit(MAX_PATTERN_BYTES)
        .build()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_a_step_cannot_take_are_named_with_the_step() {
        let e: Expect = serde_json::from_value(json!({"textEquals": "x", "maxMs": 5})).unwrap();
        assert_eq!(e.keys(), ["textEquals", "maxMs"]);
        assert_eq!(
            e.problem("ping", "ping", TIME_KEYS).unwrap(),
            "step `ping`: a `ping` step cannot expect `textEquals` (it can expect: maxMs)"
        );
        assert_eq!(e.problem("tools/call", "callTool", CALL_TOOL_KEYS), None);
    }

    #[test]
    fn bad_patterns_and_pointers_are_refused() {
        let e: Expect = serde_json::from_value(json!({"textMatches": "(unclosed"})).unwrap();
        let p = e.problem("s", "request", RESULT_KEYS).unwrap();
        assert!(
            p.starts_with("step `s`: `textMatches` is not a valid regular expression: "),
            "{p}"
        );
        let huge = Expect {
            text_matches: Some("\\w{1000}{1000}".into()),
            ..Expect::default()
        };
        assert!(huge.problem("s", "request", RESULT_KEYS).is_some());
        let e: Expect = serde_json::from_value(json!({"jsonExists": ["a/b"]})).unwrap();
        assert_eq!(
            e.problem("s", "request", RESULT_KEYS).unwrap(),
            "step `s`: \"a/b\" is not a JSON pointer (it must be empty or start with `/`)"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = serde_json::from_value::<Expect>(json!({"textEqual": "x"})).unwrap_err();
        assert!(e.to_string().contains("unknown field `textEqual`"), "{e}");
    }
}
