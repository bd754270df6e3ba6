//! `--format prometheus`: the metrics of [`super::metrics`] in the Prometheus text exposition
//! format, for node_exporter's textfile collector.

use mcp_probe_core::Report;

/// The report's metrics as Prometheus text (no OpenMetrics `# EOF` line). Label values are
/// escaped by the encoder; server text is made terminal-safe first.
pub(crate) fn render(report: &Report) -> String {
    let safe = super::terminal_safe_report(report);
    let registry = super::metrics::registry(&safe);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode_registry(&mut out, &registry);
    out
}
