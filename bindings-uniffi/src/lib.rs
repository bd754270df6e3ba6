//! Kotlin and Swift bindings of mcp-probe, generated with UniFFI: the engine's `check` taking
//! the shared options (or a scenario document), returning the report's JSON plus typed
//! records for what callers branch on. The binding only converts; every rule is the engine's.
//!
//! The sources UniFFI generates from this crate are in `generated/` (checked for staleness
//! by `run-tests.sh`); see README.md for building and loading the library.

mod cancel;
mod convert;
mod runtime;

use std::sync::Arc;

pub use cancel::Cancellation;
pub use convert::{ProbeError, ProbeFailure, ProbeReport, ProbeStep};

uniffi::setup_scaffolding!();

/// Probes a server with the options as a JSON object with the canonical option names
/// (`{"url": "https://…/mcp", "tool": "add", "arguments": {"a": 2}, "timeout": "10s"}`, the
/// same names as the CLI's flags in camelCase). A failing server is a report, never an error;
/// an error is the caller's mistake (`ProbeError::Config` with a stable code) or a
/// cancellation through `cancellation`.
#[uniffi::export(default(cancellation = None))]
pub async fn check(
    options_json: String,
    cancellation: Option<Arc<Cancellation>>,
) -> Result<ProbeReport, ProbeError> {
    let scenario = convert::scenario_from_options(&options_json)?;
    runtime::run(scenario, cancellation).await
}

/// Probes with a scenario document (YAML or JSON, the CLI's `--scenario` format), which must
/// name its target.
#[uniffi::export(default(cancellation = None))]
pub async fn check_scenario(
    document: String,
    cancellation: Option<Arc<Cancellation>>,
) -> Result<ProbeReport, ProbeError> {
    let scenario = convert::scenario_from_document(&document)?;
    runtime::run(scenario, cancellation).await
}

/// The version of the report's JSON schema (`schemaVersion` in [`ProbeReport::json`]).
#[uniffi::export]
pub fn report_schema_version() -> u32 {
    mcp_probe_core::REPORT_SCHEMA_VERSION
}
