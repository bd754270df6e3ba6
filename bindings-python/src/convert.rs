//! Conversions: Python keyword arguments onto the engine's [`Scenario`] builder (the same calls
//! `mcp-probe check` makes for its flags), scenario documents in, reports out as JSON text.

use std::path::PathBuf;
use std::time::Duration;

use mcp_probe_core::{ProtocolChoice, Report, Scenario};
use pyo3::PyResult;
use serde_json::Value;

use crate::errors;

/// Everything `mcp_probe.check(...)` accepts besides the call itself, already type-checked by
/// the Python layer.
#[derive(Debug, Default)]
pub(crate) struct ScenarioOptions {
    /// The URL to probe; replaces the document's target URL (keeping its headers).
    pub(crate) url: Option<String>,
    /// A scenario document as JSON text (a Python mapping, dumped).
    pub(crate) document: Option<String>,
    /// A scenario file (`.json`, `.yaml`, `.yml`).
    pub(crate) path: Option<PathBuf>,
    /// The tool to call after listing tools.
    pub(crate) tool: Option<String>,
    /// Its arguments as JSON text (must be an object).
    pub(crate) arguments: Option<String>,
    /// The tool's text must equal this.
    pub(crate) expect_text: Option<String>,
    /// The tool's text must contain this.
    pub(crate) expect_contains: Option<String>,
    /// Accept `isError: true`.
    pub(crate) allow_tool_error: bool,
    /// Extra headers, in the caller's order.
    pub(crate) headers: Vec<(String, String)>,
    /// Environment variable holding a bearer token.
    pub(crate) bearer_env: Option<String>,
    /// File holding a bearer token.
    pub(crate) bearer_file: Option<PathBuf>,
    /// Whole-probe limit, seconds.
    pub(crate) timeout: Option<f64>,
    /// Connection limit, seconds.
    pub(crate) connect_timeout: Option<f64>,
    /// Per-request limit, seconds.
    pub(crate) request_timeout: Option<f64>,
    /// Protocol era: `auto`, `modern` or `handshake`.
    pub(crate) protocol: Option<String>,
    /// Protocol version to ask for and require.
    pub(crate) protocol_version: Option<String>,
    /// Largest body or SSE stream, bytes.
    pub(crate) max_body_bytes: Option<u64>,
    /// Largest SSE event, bytes.
    pub(crate) max_sse_event_bytes: Option<u64>,
    /// Most pages a list step reads.
    pub(crate) max_pages: Option<u32>,
}

/// Builds and validates the scenario the options describe, like `mcp-probe check` does for its
/// flags: the document (or file) first, then the URL, then every option on top of it.
pub(crate) fn scenario(o: ScenarioOptions) -> PyResult<Scenario> {
    let mut s = match (&o.document, &o.path) {
        (Some(_), Some(_)) => {
            return Err(errors::invalid_option(
                "give a scenario either as a document or as a file, not both",
            ))
        }
        (Some(text), None) => Scenario::from_json(text).map_err(errors::from_core)?,
        (None, Some(path)) => Scenario::from_path(path).map_err(errors::from_core)?,
        (None, None) => Scenario::new(),
    };
    if let Some(url) = o.url {
        s = s.url(url);
    }
    for (name, value) in o.headers {
        s = s.header(name, value);
    }
    if let Some(var) = o.bearer_env {
        s = s.bearer_env(var);
    }
    if let Some(path) = o.bearer_file {
        s = s.bearer_file(path);
    }
    if let Some(d) = o.timeout {
        s = s.timeout(duration("timeout", d)?);
    }
    if let Some(d) = o.connect_timeout {
        s = s.connect_timeout(duration("connect_timeout", d)?);
    }
    if let Some(d) = o.request_timeout {
        s = s.request_timeout(duration("request_timeout", d)?);
    }
    if let Some(n) = o.max_body_bytes {
        s = s.max_body_bytes(n);
    }
    if let Some(n) = o.max_sse_event_bytes {
        s = s.max_sse_event_bytes(n);
    }
    if let Some(n) = o.max_pages {
        s = s.max_pages(n);
    }
    if let Some(era) = o.protocol {
        s = s.protocol(protocol_choice(&era)?);
    }
    if let Some(v) = o.protocol_version {
        s = s.protocol_version(v);
    }
    match o.tool {
        Some(tool) => {
            let arguments = match o.arguments {
                None => Value::Object(Default::default()),
                Some(text) => match serde_json::from_str::<Value>(&text) {
                    Ok(v @ Value::Object(_)) => v,
                    Ok(_) => {
                        return Err(errors::invalid_option("`arguments` must be a JSON object"))
                    }
                    Err(e) => {
                        return Err(errors::invalid_option(format!(
                            "`arguments` is not valid JSON: {e}"
                        )))
                    }
                },
            };
            if o.expect_text.is_some() && o.expect_contains.is_some() {
                return Err(errors::invalid_option(
                    "give either `expect_text` or `expect_contains`, not both",
                ));
            }
            s = s.call_tool(tool, arguments);
            if let Some(t) = o.expect_text {
                s = s.expect_text(t);
            }
            if let Some(t) = o.expect_contains {
                s = s.expect_contains(t);
            }
            if o.allow_tool_error {
                s = s.allow_tool_error();
            }
        }
        None => {
            let needs_tool = [
                (o.arguments.is_some(), "arguments"),
                (o.expect_text.is_some(), "expect_text"),
                (o.expect_contains.is_some(), "expect_contains"),
                (o.allow_tool_error, "allow_tool_error"),
            ];
            if let Some((_, name)) = needs_tool.iter().find(|(given, _)| *given) {
                return Err(errors::invalid_option(format!(
                    "`{name}` needs `tool` (the tool to call)"
                )));
            }
        }
    }
    s.validate().map_err(errors::from_core)?;
    Ok(s)
}

/// `auto`, `modern` or `handshake`, as the scenario document spells them.
fn protocol_choice(name: &str) -> PyResult<ProtocolChoice> {
    serde_json::from_value(Value::String(name.to_owned())).map_err(|_| {
        errors::invalid_option(format!(
            "`protocol` must be \"auto\", \"modern\" or \"handshake\", got {name:?}"
        ))
    })
}

/// Seconds as a Python float onto a [`Duration`]; zero is left to the engine's validation.
fn duration(name: &str, seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        errors::invalid_option(format!(
            "`{name}` must be a finite, non-negative number of seconds, got {seconds}"
        ))
    })
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
