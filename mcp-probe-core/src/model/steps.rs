//! The steps of a scenario and what each expects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One step of a scenario. In documents: `{"step": "callTool", "name": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Step {
    /// `initialize` + `notifications/initialized`.
    Handshake(HandshakeStep),
    /// `tools/list`, following `nextCursor`.
    ListTools(ListToolsStep),
    /// `tools/call` with arguments.
    CallTool(CallToolStep),
    /// The authorization check, done without credentials: 401 challenge, protected-resource
    /// and authorization-server metadata, PKCE S256.
    CheckAuth(CheckAuthStep),
}

impl Step {
    /// The name the report gives this step.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Handshake(_) => "handshake",
            Step::ListTools(_) => "tools/list",
            Step::CallTool(_) => "tools/call",
            Step::CheckAuth(_) => "auth",
        }
    }

    /// Whether the step talks MCP over a session (and so needs the handshake first).
    pub(crate) fn needs_session(&self) -> bool {
        matches!(self, Step::ListTools(_) | Step::CallTool(_))
    }
}

/// The authorization check step (no options yet).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CheckAuthStep {}

/// The handshake step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct HandshakeStep {
    /// What the handshake must show.
    #[serde(default)]
    pub expect: HandshakeExpect,
}

/// Expectations on the handshake.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct HandshakeExpect {
    /// Protocol versions the probe accepts (default: every version it speaks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_versions: Option<Vec<String>>,
    /// The exact `serverInfo.name` expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
}

/// The tools/list step.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ListToolsStep {
    /// What the listing must show.
    #[serde(default)]
    pub expect: ListToolsExpect,
}

/// Expectations on the tool listing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ListToolsExpect {
    /// Tools that must be listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools_present: Vec<String>,
}

/// The tools/call step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CallToolStep {
    /// The tool to call.
    pub name: String,
    /// Its arguments (default `{}`).
    #[serde(default)]
    pub arguments: Map<String, Value>,
    /// Answers to give when a 2026-07-28 server asks for input (`input_required`), keyed as
    /// the server's `inputRequests` are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<Map<String, Value>>,
    /// What the result must show.
    #[serde(default)]
    pub expect: CallToolExpect,
}

/// Expectations on a tool's result. A result with `isError: true` fails the step unless
/// `allowError` is set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CallToolExpect {
    /// The result's text (text items joined by a newline) must equal this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_equals: Option<String>,
    /// The result's text must contain this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_contains: Option<String>,
    /// Accept `isError: true` results.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_error: bool,
}
