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

/// The metrics of several reports as one exposition: each metric's `# HELP` and `# TYPE`
/// once, then its samples from every report in order (the `target` label tells them apart).
pub(crate) fn render_all(reports: &[Report]) -> String {
    // (name, header lines, sample lines), in the order names first appear.
    let mut metrics: Vec<(String, String, String)> = Vec::new();
    for report in reports {
        let text = render(report);
        let mut current: Option<usize> = None;
        for line in text.lines() {
            let header = line
                .strip_prefix("# HELP ")
                .or_else(|| line.strip_prefix("# TYPE "));
            if let Some(rest) = header {
                let name = rest.split(' ').next().unwrap_or_default();
                let i = match metrics.iter().position(|(n, _, _)| n == name) {
                    Some(i) => {
                        current = Some(i);
                        // The first report with the metric wrote its header.
                        if !metrics[i].1.lines().any(|l| l == line) {
                            metrics[i].1.push_str(line);
                            metrics[i].1.push('\n');
                        }
                        continue;
                    }
                    None => {
                        metrics.push((name.to_owned(), String::new(), String::new()));
                        metrics.len() - 1
                    }
                };
                metrics[i].1.push_str(line);
                metrics[i].1.push('\n');
                current = Some(i);
            } else if let Some(i) = current {
                metrics[i].2.push_str(line);
                metrics[i].2.push('\n');
            }
        }
    }
    metrics
        .into_iter()
        .map(|(_, header, samples)| header + &samples)
        .collect()
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
