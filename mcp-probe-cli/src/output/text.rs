//! `--format text`: one line per step, then a verdict naming the failing step and the reason.

use std::fmt::Write;

use mcp_probe_core::{Report, StepReport, StepStatus};

/// Renders the report for a terminal or a CI log.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "mcp-probe check {}", report.target);
    let width = report.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for step in &report.steps {
        let _ = writeln!(out, "  {}", step_line(report, step, width));
        for finding in step.auth_findings.iter().flatten() {
            let _ = writeln!(
                out,
                "       {:<4} {}: {}",
                finding.status.as_str(),
                finding.check,
                finding.message
            );
        }
        for w in &step.warnings {
            let _ = writeln!(out, "       warning: {}", w.message);
        }
    }
    match &report.failure {
        None => {
            let _ = write!(out, "OK: healthy in {}", ms(report.duration_ms));
            if let Some(v) = &report.protocol_version {
                let _ = write!(out, " (protocol {v}");
                if let Some(s) = &report.server {
                    let _ = write!(out, ", server {} {}", s.name, s.version);
                }
                out.push(')');
            }
            out.push('\n');
        }
        Some(f) => {
            let _ = writeln!(
                out,
                "FAIL at {} ({}): {}",
                f.step.as_deref().unwrap_or("?"),
                f.code,
                f.message
            );
        }
    }
    out
}

fn step_line(report: &Report, step: &StepReport, width: usize) -> String {
    let status = match step.status {
        StepStatus::Pass => "PASS",
        StepStatus::Warn => "WARN",
        StepStatus::Fail => "FAIL",
        StepStatus::Skip => "SKIP",
    };
    if step.status == StepStatus::Skip {
        return format!("{status} {:width$}  (not run)", step.name);
    }
    let mut line = format!("{status} {:width$} {:>10}", step.name, ms(step.duration_ms));
    if let Some(code) = step.http_status {
        let _ = write!(line, "  HTTP {code}");
    }
    if let Some(f) = &step.failure {
        let _ = write!(line, "  {}", f.code);
        return line;
    }
    if step.name == "handshake" {
        if let Some(v) = &report.protocol_version {
            let _ = write!(line, "  protocol {v}");
        }
        if let Some(s) = &report.server {
            let _ = write!(line, ", server {} {}", s.name, s.version);
        }
    }
    if let Some(tools) = &step.tools {
        let names: Vec<&str> = tools.iter().take(8).map(|t| t.name.as_str()).collect();
        let more = if tools.len() > names.len() {
            ", …"
        } else {
            ""
        };
        let _ = write!(
            line,
            "  {} tool{}{}{}{}",
            tools.len(),
            if tools.len() == 1 { "" } else { "s" },
            if names.is_empty() { "" } else { ": " },
            names.join(", "),
            more
        );
    }
    if let Some(result) = &step.result {
        let text: String = result.text.chars().take(60).collect();
        let _ = write!(
            line,
            "  {} → {:?}",
            step.tool.as_deref().unwrap_or("?"),
            text
        );
    }
    line
}

fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} s", value / 1000.0)
    } else {
        format!("{value:.1} ms")
    }
}
