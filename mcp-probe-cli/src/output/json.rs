//! `--format json`: the report exactly as the engine produced it.

use mcp_probe_core::Report;

/// The report as pretty JSON with a trailing newline.
pub(crate) fn render(report: &Report) -> String {
    let mut out = report.to_json_pretty();
    out.push('\n');
    out
}

/// Several reports as a pretty JSON array with a trailing newline.
pub(crate) fn render_all(reports: &[Report]) -> String {
    // Serializing reports cannot fail: every map key is a string.
    let mut out = serde_json::to_string_pretty(reports).unwrap_or_default();
    out.push('\n');
    out
}
