//! `--format json`: the report exactly as the engine produced it.

use mcp_probe_core::Report;

/// The report as pretty JSON with a trailing newline.
pub(crate) fn render(report: &Report) -> String {
    let mut out = report.to_json_pretty();
    out.push('\n');
    out
}
