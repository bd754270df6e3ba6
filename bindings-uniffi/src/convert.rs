//! The records and errors Kotlin and Swift see, converted from the engine's types.

use mcp_probe_core::{CheckOptions, Report, Scenario};

/// A probe's report: the parts callers branch on as fields, the whole report as JSON.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProbeReport {
    /// Whether the server was healthy.
    pub ok: bool,
    /// The target as the report shows it (credentials redacted).
    pub target: String,
    /// The transport used: `streamable-http`, `sse` or `stdio`.
    pub transport: String,
    /// The protocol version agreed on, when the handshake got that far.
    pub protocol_version: Option<String>,
    /// How long the probe took, in milliseconds.
    pub duration_ms: f64,
    /// Why the probe failed, when it did.
    pub failure: Option<ProbeFailure>,
    /// Each step, in order.
    pub steps: Vec<ProbeStep>,
    /// The stable codes of the warnings (`insecure_tls`, `cert_expiring`, …).
    pub warnings: Vec<String>,
    /// The whole report as JSON (docs/report.schema.json).
    pub json: String,
}

/// Why a probe failed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProbeFailure {
    /// The stable failure code (`timeout`, `tool_error`, …).
    pub code: String,
    /// Its family (`unreachable`, `timeout`, `tls`, `http`, `auth`, `protocol`, `tool`).
    pub family: String,
    /// The step that failed.
    pub step: Option<String>,
    /// One sentence for a person.
    pub message: String,
}

/// One step of a report.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProbeStep {
    /// The step's name (its `id`, or what it does: `handshake`, `tools/call`, …).
    pub name: String,
    /// `pass`, `warn`, `fail` or `skip`.
    pub status: String,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
}

/// What is not the server's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ProbeError {
    /// The options or scenario are wrong: `code` is the engine's stable code
    /// (`invalid_option`, `invalid_url`, `invalid_scenario`, `credentials`, …).
    #[error("{message} ({code})")]
    Config {
        /// The stable code.
        code: String,
        /// What is wrong, naming the option.
        message: String,
    },
    /// The probe was cancelled through its `Cancellation`.
    #[error("the probe was cancelled")]
    Cancelled,
    /// mcp-probe itself failed (the environment, or a bug).
    #[error("{message}")]
    Internal {
        /// What happened.
        message: String,
    },
}

impl ProbeError {
    /// A caller's mistake the engine found.
    pub(crate) fn from_core(e: &mcp_probe_core::Error) -> Self {
        ProbeError::Config {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

/// The scenario the options (a JSON object, canonical names) make.
pub(crate) fn scenario_from_options(options_json: &str) -> Result<Scenario, ProbeError> {
    CheckOptions::from_json(options_json)
        .and_then(CheckOptions::into_scenario)
        .map_err(|e| ProbeError::Config {
            code: e.code().to_owned(),
            message: e.message_with(|name| format!("`{name}`")),
        })
}

/// The scenario of a document (YAML or JSON; JSON is YAML), which must name its target.
pub(crate) fn scenario_from_document(document: &str) -> Result<Scenario, ProbeError> {
    let scenario = Scenario::from_yaml(document).map_err(|e| ProbeError::from_core(&e))?;
    if scenario.target.is_none() {
        return Err(ProbeError::Config {
            code: mcp_probe_core::ErrorKind::InvalidUrl.as_str().to_owned(),
            message: "the scenario names no target".to_owned(),
        });
    }
    Ok(scenario)
}

impl From<&Report> for ProbeReport {
    fn from(r: &Report) -> Self {
        ProbeReport {
            ok: r.ok,
            target: r.target.clone(),
            transport: r.transport.as_str().to_owned(),
            protocol_version: r.protocol_version.clone(),
            duration_ms: r.duration_ms,
            failure: r.failure.as_ref().map(|f| ProbeFailure {
                code: f.code.to_string(),
                family: f.family.as_str().to_owned(),
                step: f.step.clone(),
                message: f.message.clone(),
            }),
            steps: r
                .steps
                .iter()
                .map(|s| ProbeStep {
                    name: s.name.clone(),
                    status: s.status.as_str().to_owned(),
                    duration_ms: s.duration_ms,
                })
                .collect(),
            warnings: r.warnings.iter().map(|w| w.code.to_string()).collect(),
            json: r.to_json_pretty(),
        }
    }
}
