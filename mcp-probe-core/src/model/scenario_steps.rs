//! The builder methods and checks of the resource, prompt, ping and raw request steps.

use serde_json::{Map, Value};

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
