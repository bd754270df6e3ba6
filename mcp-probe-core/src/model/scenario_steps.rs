//! The builder methods and checks of the resource, prompt, ping and raw request steps.

use serde_json::{Map, Value};

use crate::model::expect::Expect;
use crate::model::scenario::Scenario;
use crate::model::steps::{
    GetPromptStep, ListPromptsStep, ListResourceTemplatesStep, ListResourcesStep, PingStep,
    ReadResourceStep, RequestStep, Step,
};

/// Steps beyond the tool listing and call. Each appends one step; a `handshake` is put
/// before it when the scenario has none, and the default `listTools` is not added.
impl Scenario {
    /// Appends a `ping` step (skipped, with a note, in the 2026-07-28 era).
    #[must_use]
    pub fn ping(self) -> Self {
        self.step(Step::Ping(PingStep::default()))
    }

    /// Appends a `resources/list` step.
    #[must_use]
    pub fn list_resources(self) -> Self {
        self.step(Step::ListResources(ListResourcesStep::default()))
    }

    /// Appends a `resources/templates/list` step.
    #[must_use]
    pub fn list_resource_templates(self) -> Self {
        self.step(Step::ListResourceTemplates(
            ListResourceTemplatesStep::default(),
        ))
    }

    /// Appends a `prompts/list` step.
    #[must_use]
    pub fn list_prompts(self) -> Self {
        self.step(Step::ListPrompts(ListPromptsStep::default()))
    }

    /// Appends a `resources/read` step for `uri`.
    #[must_use]
    pub fn read_resource(self, uri: impl Into<String>) -> Self {
        self.step(Step::ReadResource(ReadResourceStep {
            id: None,
            uri: uri.into(),
            expect: Expect::default(),
        }))
    }

    /// Appends a `prompts/get` step. `arguments` should be a JSON object; anything else is
    /// sent as `{}`.
    #[must_use]
    pub fn get_prompt(self, name: impl Into<String>, arguments: Value) -> Self {
        let arguments = match arguments {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        self.step(Step::GetPrompt(GetPromptStep {
            id: None,
            name: name.into(),
            arguments,
            expect: Expect::default(),
        }))
    }

    /// Appends a request of any method (`params` left out when `None`); its result is
    /// recorded in the step's report.
    #[must_use]
    pub fn request(self, method: impl Into<String>, params: Option<Value>) -> Self {
        self.step(Step::Request(RequestStep {
            id: None,
            method: method.into(),
            params,
            expect: Expect::default(),
        }))
    }

    /// Names the last step in the report (its `id`).
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        if let Some(step) = self.steps.last_mut() {
            *step.id_mut() = Some(id.into());
        }
        self
    }
}

/// Expectations beyond the ones of the tool call: on the last step, on the tool listing and
/// on the whole probe. Each is one key of the step's `expect` block; the scenario's
/// [`validate`](Scenario::validate) refuses a key the step cannot take.
///
/// ```
/// use mcp_probe_core::Scenario;
/// use serde_json::json;
///
/// let scenario = Scenario::for_url("http://127.0.0.1:8000/mcp")
///     .expect_tool_absent("drop_database")
///     .call_tool("add", json!({"a": 2, "b": 3}))
///     .expect_json("/structuredContent/sum", json!(5))
///     .expect_matches("^[0-9]+$")
///     .expect_max_ms(2000)
///     .expect_probe_max_ms(5000)
///     .strict_schemas(true);
/// assert!(scenario.validate().is_ok());
/// let document = scenario.to_value();
/// assert_eq!(document["expect"], json!({"maxMs": 5000}));
/// assert_eq!(document["strictSchemas"], json!(true));
/// assert_eq!(
///     document["steps"][2]["expect"],
///     json!({"textMatches": "^[0-9]+$", "json": {"/structuredContent/sum": 5}, "maxMs": 2000})
/// );
/// assert_eq!(
///     document["steps"][1]["expect"],
///     json!({"toolsPresent": ["add"], "toolsAbsent": ["drop_database"]})
/// );
/// ```
impl Scenario {
    /// The last step (after filling in the default steps when there are none).
    fn last_expect_mut(&mut self) -> Option<&mut Expect> {
        if self.steps.is_empty() {
            self.steps = self.effective_steps();
        }
        self.steps.last_mut().and_then(Step::expect_mut)
    }

    /// The value at the JSON pointer `pointer` (RFC 6901) in the last step's result must
    /// equal `value` (`expect: {json: {pointer: value}}`).
    #[must_use]
    pub fn expect_json(mut self, pointer: impl Into<String>, value: Value) -> Self {
        if let Some(e) = self.last_expect_mut() {
            e.json.insert(pointer.into(), value);
        }
        self
    }

    /// The JSON pointer `pointer` must exist in the last step's result (`jsonExists`).
    #[must_use]
    pub fn expect_json_exists(mut self, pointer: impl Into<String>) -> Self {
        if let Some(e) = self.last_expect_mut() {
            e.json_exists.push(pointer.into());
        }
        self
    }

    /// The last step's text must match the regular expression `pattern` (`textMatches`).
    #[must_use]
    pub fn expect_matches(mut self, pattern: impl Into<String>) -> Self {
        if let Some(e) = self.last_expect_mut() {
            e.text_matches = Some(pattern.into());
        }
        self
    }

    /// The last step must take at most `ms` milliseconds (`maxMs`).
    #[must_use]
    pub fn expect_max_ms(mut self, ms: u64) -> Self {
        if let Some(e) = self.last_expect_mut() {
            e.max_ms = Some(ms);
        }
        self
    }

    /// The tool must not be listed (`toolsAbsent`; adds a `tools/list` step if there is
    /// none).
    #[must_use]
    pub fn expect_tool_absent(mut self, name: impl Into<String>) -> Self {
        self.list_tools_expect().tools_absent.push(name.into());
        self
    }

    /// The tools listed must be exactly these, in any order (`toolsExactly`; adds a
    /// `tools/list` step if there is none).
    #[must_use]
    pub fn expect_tools_exactly<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.list_tools_expect().tools_exactly = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The whole probe must take at most `ms` milliseconds (the scenario's top-level
    /// `expect: {maxMs}`).
    #[must_use]
    pub fn expect_probe_max_ms(mut self, ms: u64) -> Self {
        self.expect.max_ms = Some(ms);
        self
    }

    /// Input schemas that are not valid JSON Schema fail the tool listing instead of
    /// raising a warning (`strictSchemas`).
    #[must_use]
    pub fn strict_schemas(mut self, strict: bool) -> Self {
        self.strict_schemas = strict;
        self
    }
}
