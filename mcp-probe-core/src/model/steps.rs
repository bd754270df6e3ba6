//! The steps of a scenario and what each expects.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::elicitation::ElicitationAnswer;
use crate::model::expect::{self, Expect};

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
    /// `ping` (handshake era; skipped in the 2026-07-28 era, which has no ping).
    Ping(PingStep),
    /// `resources/list`, following `nextCursor`.
    ListResources(ListResourcesStep),
    /// `resources/templates/list`, following `nextCursor`.
    ListResourceTemplates(ListResourceTemplatesStep),
    /// `prompts/list`, following `nextCursor`.
    ListPrompts(ListPromptsStep),
    /// `resources/read` of one URI.
    ReadResource(ReadResourceStep),
    /// `prompts/get` with arguments.
    GetPrompt(GetPromptStep),
    /// Any JSON-RPC request (custom methods too); its result is recorded.
    Request(RequestStep),
}

impl Step {
    /// The name the report gives this step: its `id` when it has one, else what it does
    /// (`tools/list`, or the method of a `request` step).
    pub fn name(&self) -> &str {
        match self.id() {
            Some(id) => id,
            None => self.kind_name(),
        }
    }

    /// What the step does on the wire (`handshake`, `tools/list`, …), whatever its `id`.
    pub fn kind_name(&self) -> &str {
        match self {
            Step::Handshake(_) => "handshake",
            Step::ListTools(_) => "tools/list",
            Step::CallTool(_) => "tools/call",
            Step::CheckAuth(_) => "auth",
            Step::Ping(_) => "ping",
            Step::ListResources(_) => "resources/list",
            Step::ListResourceTemplates(_) => "resources/templates/list",
            Step::ListPrompts(_) => "prompts/list",
            Step::ReadResource(_) => "resources/read",
            Step::GetPrompt(_) => "prompts/get",
            Step::Request(r) => &r.method,
        }
    }

    /// The `id` the scenario gave the step.
    pub fn id(&self) -> Option<&str> {
        let id = match self {
            Step::Handshake(s) => &s.id,
            Step::ListTools(s) => &s.id,
            Step::CallTool(s) => &s.id,
            Step::CheckAuth(s) => &s.id,
            Step::Ping(s) => &s.id,
            Step::ListResources(s) => &s.id,
            Step::ListResourceTemplates(s) => &s.id,
            Step::ListPrompts(s) => &s.id,
            Step::ReadResource(s) => &s.id,
            Step::GetPrompt(s) => &s.id,
            Step::Request(s) => &s.id,
        };
        id.as_deref()
    }

    pub(crate) fn id_mut(&mut self) -> &mut Option<String> {
        match self {
            Step::Handshake(s) => &mut s.id,
            Step::ListTools(s) => &mut s.id,
            Step::CallTool(s) => &mut s.id,
            Step::CheckAuth(s) => &mut s.id,
            Step::Ping(s) => &mut s.id,
            Step::ListResources(s) => &mut s.id,
            Step::ListResourceTemplates(s) => &mut s.id,
            Step::ListPrompts(s) => &mut s.id,
            Step::ReadResource(s) => &mut s.id,
            Step::GetPrompt(s) => &mut s.id,
            Step::Request(s) => &mut s.id,
        }
    }

    /// The step's `expect` block (`checkAuth` has none).
    pub fn expect(&self) -> Option<&Expect> {
        match self {
            Step::Handshake(s) => Some(&s.expect),
            Step::ListTools(s) => Some(&s.expect),
            Step::CallTool(s) => Some(&s.expect),
            Step::CheckAuth(_) => None,
            Step::Ping(s) => Some(&s.expect),
            Step::ListResources(s) => Some(&s.expect),
            Step::ListResourceTemplates(s) => Some(&s.expect),
            Step::ListPrompts(s) => Some(&s.expect),
            Step::ReadResource(s) => Some(&s.expect),
            Step::GetPrompt(s) => Some(&s.expect),
            Step::Request(s) => Some(&s.expect),
        }
    }

    pub(crate) fn expect_mut(&mut self) -> Option<&mut Expect> {
        match self {
            Step::Handshake(s) => Some(&mut s.expect),
            Step::ListTools(s) => Some(&mut s.expect),
            Step::CallTool(s) => Some(&mut s.expect),
            Step::CheckAuth(_) => None,
            Step::Ping(s) => Some(&mut s.expect),
            Step::ListResources(s) => Some(&mut s.expect),
            Step::ListResourceTemplates(s) => Some(&mut s.expect),
            Step::ListPrompts(s) => Some(&mut s.expect),
            Step::ReadResource(s) => Some(&mut s.expect),
            Step::GetPrompt(s) => Some(&mut s.expect),
            Step::Request(s) => Some(&mut s.expect),
        }
    }

    /// The step's `step:` name in documents and the expectation keys it takes.
    fn expect_keys(&self) -> (&'static str, &'static [&'static str]) {
        match self {
            Step::Handshake(_) => ("handshake", expect::HANDSHAKE_KEYS),
            Step::ListTools(_) => ("listTools", expect::LIST_TOOLS_KEYS),
            Step::CallTool(_) => ("callTool", expect::CALL_TOOL_KEYS),
            Step::CheckAuth(_) => ("checkAuth", &[]),
            Step::Ping(_) => ("ping", expect::TIME_KEYS),
            Step::ListResources(_) => ("listResources", expect::LISTING_KEYS),
            Step::ListResourceTemplates(_) => ("listResourceTemplates", expect::LISTING_KEYS),
            Step::ListPrompts(_) => ("listPrompts", expect::LISTING_KEYS),
            Step::ReadResource(_) => ("readResource", expect::RESULT_KEYS),
            Step::GetPrompt(_) => ("getPrompt", expect::RESULT_KEYS),
            Step::Request(_) => ("request", expect::RESULT_KEYS),
        }
    }

    /// What is wrong with the step's own fields (an empty `id`, `uri`, `name`, `method`) or
    /// its `expect` block (a key the step cannot take, an invalid pattern or pointer).
    pub(crate) fn problem(&self) -> Option<String> {
        self.field_problem().or_else(|| {
            let (kind, allowed) = self.expect_keys();
            self.expect()?.problem(self.name(), kind, allowed)
        })
    }

    fn field_problem(&self) -> Option<String> {
        if self.id().is_some_and(|id| id.trim().is_empty()) {
            return Some(format!(
                "a `{}` step's `id` must not be empty",
                self.kind_name()
            ));
        }
        let (kind, field) = match self {
            Step::CallTool(s) if s.name.trim().is_empty() => ("callTool", "a tool `name`"),
            Step::ReadResource(s) if s.uri.trim().is_empty() => ("readResource", "a `uri`"),
            Step::GetPrompt(s) if s.name.trim().is_empty() => ("getPrompt", "a prompt `name`"),
            Step::Request(s) if s.method.trim().is_empty() => ("request", "a `method`"),
            _ => return None,
        };
        Some(format!("a `{kind}` step needs {field}"))
    }

    /// Whether the step talks MCP over a session (and so needs the handshake first).
    pub(crate) fn needs_session(&self) -> bool {
        !matches!(self, Step::Handshake(_) | Step::CheckAuth(_))
    }
}

/// The authorization check step (no options yet).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CheckAuthStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The handshake step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct HandshakeStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the handshake must show.
    #[serde(default)]
    pub expect: HandshakeExpect,
}

/// Expectations on the handshake (`protocolVersions`, `serverName`, `maxMs`): the shared
/// [`Expect`] block.
pub type HandshakeExpect = Expect;

/// The tools/list step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ListToolsStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the listing must show.
    #[serde(default)]
    pub expect: ListToolsExpect,
}

/// Expectations on the tool listing (`toolsPresent`, `toolsAbsent`, `toolsExactly`, `json`,
/// `jsonExists`, `maxMs`): the shared [`Expect`] block.
pub type ListToolsExpect = Expect;

/// The tools/call step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CallToolStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The tool to call.
    pub name: String,
    /// Its arguments (default `{}`).
    #[serde(default)]
    pub arguments: Map<String, Value>,
    /// Answers to give when a 2026-07-28 server asks for input (`input_required`), keyed as
    /// the server's `inputRequests` are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<Map<String, Value>>,
    /// How to answer `elicitation/create` requests the server sends during the call
    /// (handshake era); without it they get "method not found".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<ElicitationAnswer>,
    /// What the result must show.
    #[serde(default)]
    pub expect: CallToolExpect,
}

/// Expectations on a tool's result: the shared [`Expect`] block. A result with `isError: true`
/// fails the step unless `allowError` is set.
pub type CallToolExpect = Expect;

/// The ping step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct PingStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}

/// The resources/list step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ListResourcesStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}

/// The resources/templates/list step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ListResourceTemplatesStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}

/// The prompts/list step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ListPromptsStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}

/// The resources/read step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ReadResourceStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The resource to read.
    pub uri: String,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}

/// The prompts/get step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct GetPromptStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The prompt to get.
    pub name: String,
    /// Its arguments (default `{}`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub arguments: Map<String, Value>,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}

/// A request of any method; the result is recorded in the report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RequestStep {
    /// The name the report gives the step (default: what it does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The JSON-RPC method.
    pub method: String,
    /// Its params (left out of the request when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// What the result must show.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
}
