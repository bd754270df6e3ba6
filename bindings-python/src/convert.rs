//! Conversions: the options document the Python layer builds from its keyword arguments onto
//! the engine's [`CheckOptions`] (which owns every rule about options), scenario documents in,
//! reports out as JSON text.

use mcp_probe_core::{CheckOptions, OptionsError, Report, Scenario};
use pyo3::PyResult;

use crate::errors;

/// How Python spells a canonical option: `oauthScope` is `oauth_scope`.
fn snake_case(option: &str) -> String {
    let mut name = String::with_capacity(option.len() + 4);
    for c in option.chars() {
        if c.is_ascii_uppercase() {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// An engine's options error as the exception for its kind, in Python's spelling.
fn options_error(e: OptionsError) -> pyo3::PyErr {
    errors::from_kind(
        e.kind(),
        e.message_with(|name| format!("`{}`", snake_case(name))),
    )
}

/// Builds and validates the scenario `options` (a JSON object with the canonical names)
/// describe, on top of `document` (a scenario document as JSON text) if one is given.
pub(crate) fn scenario(options: &str, document: Option<&str>) -> PyResult<Scenario> {
    let options = CheckOptions::from_json(options).map_err(options_error)?;
    match document {
        None => options.into_scenario(),
        Some(text) => options.apply(scenario_from_json(text)?),
    }
    .map_err(options_error)
}

/// Parses a scenario document given as JSON text (what the Python layer passes around).
pub(crate) fn scenario_from_json(text: &str) -> PyResult<Scenario> {
    Scenario::from_json(text).map_err(errors::from_core)
}

/// The scenario's document form as JSON text.
pub(crate) fn scenario_to_json(scenario: &Scenario) -> String {
    scenario.to_value().to_string()
}

/// The report as the compact JSON text of the engine's model (the CLI prints the same model).
pub(crate) fn report_to_json(report: &Report) -> String {
    // Serializing the report cannot fail: every map key is a string.
    serde_json::to_string(report).unwrap_or_default()
}
