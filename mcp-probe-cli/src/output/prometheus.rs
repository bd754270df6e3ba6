//! `--format prometheus`: the metrics of [`super::metrics`] in the Prometheus text exposition
//! format, for node_exporter's textfile collector.

use mcp_probe_core::Report;

/// The report's metrics as Prometheus text (no OpenMetrics `# EOF` line). Label values are
/// escaped by the encoder; server text is made terminal-safe first.
pub(crate) fn render(report: &Report) -> String {
    render_all(std::slice::from_ref(report))
}

/// The metrics of several reports as one exposition: each metric's `# HELP` and `# TYPE`
/// once, then its samples from every report (the `target` label tells them apart).
pub(crate) fn render_all(reports: &[Report]) -> String {
    let mut families = super::metrics::ReportFamilies::default();
    for report in reports {
        let safe = super::terminal_safe_report(report);
        families.add(&safe, &[("target".to_owned(), safe.target.clone())]);
    }
    let mut registry = prometheus_client::registry::Registry::default();
    families.register(&mut registry);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode_registry(&mut out, &registry);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_of_a_tls_probe_with_hostile_text() {
        let out = render(&super::super::hostile_report());
        let target = r#"target="https://mcp.example.com/mcp?token=[redacted]""#;
        for expected in [
            format!("mcp_probe_success{{{target}}} 0"),
            format!("mcp_probe_duration_seconds{{{target}}} 0.03125"),
            format!("mcp_probe_step_duration_seconds{{{target},step=\"tools/call\"}} 0.00975"),
            format!("mcp_probe_phase_duration_seconds{{{target},phase=\"tls\"}} 0.003"),
            format!("mcp_probe_phase_duration_seconds{{{target},phase=\"ttfb\"}} 0.005"),
            format!(
                "mcp_probe_failure_info{{{target},code=\"tool_error\",family=\"tool\",step=\"tools/call\"}} 1"
            ),
            // 2026-11-27T00:00:00Z
            format!("mcp_probe_tls_cert_not_after_timestamp_seconds{{{target}}} 1795737600"),
            format!("mcp_probe_tools{{{target}}} 2"),
            format!(
                "mcp_probe_protocol_info{{{target},version=\"2025-11-25\",era=\"handshake\",transport=\"streamable-http\"}} 1"
            ),
        ] {
            assert!(
                out.lines().any(|l| l.starts_with(&expected)),
                "{expected}\nnot in\n{out}"
            );
        }
        assert!(!out.contains("# EOF"), "{out}");
    }
}
