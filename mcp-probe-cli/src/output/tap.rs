//! `--format tap`: TAP version 14, one test point per step; a failed step has a YAML
//! diagnostic block with the failure code, family and message.

use std::fmt::Write;

use mcp_probe_core::{Report, StepStatus};

/// The report as a TAP 14 stream (server text made terminal-safe first).
pub(crate) fn render(report: &Report) -> String {
    let safe = super::terminal_safe_report(report);
    let report = &safe;
    let mut out = String::from("TAP version 14\n");
    let _ = writeln!(out, "# mcp-probe check {}", report.target);
    let _ = writeln!(out, "1..{}", report.steps.len());
    for (i, step) in report.steps.iter().enumerate() {
        let n = i + 1;
        let name = description(&step.name);
        match step.status {
            StepStatus::Skip => {
                let _ = writeln!(
                    out,
                    "ok {n} - {name} # SKIP not run: an earlier step failed"
                );
            }
            StepStatus::Pass | StepStatus::Warn => {
                let _ = writeln!(out, "ok {n} - {name}");
                if !step.warnings.is_empty() {
                    out.push_str("  ---\n  warnings:\n");
                    for w in &step.warnings {
                        let _ = writeln!(out, "    - code: {}", w.code);
                        let _ = writeln!(out, "      message: {}", yaml_string(&w.message));
                    }
                    let _ = writeln!(out, "  duration_ms: {}", step.duration_ms);
                    out.push_str("  ...\n");
                }
            }
            StepStatus::Fail => {
                let _ = writeln!(out, "not ok {n} - {name}");
                out.push_str("  ---\n");
                if let Some(f) = step.failure.as_ref().or(report.failure.as_ref()) {
                    let _ = writeln!(out, "  code: {}", f.code);
                    let _ = writeln!(out, "  family: {}", f.family.as_str());
                    let _ = writeln!(out, "  message: {}", yaml_string(&f.message));
                }
                let _ = writeln!(out, "  duration_ms: {}", step.duration_ms);
                out.push_str("  ...\n");
            }
        }
    }
    match &report.failure {
        None => {
            let _ = writeln!(out, "# healthy");
        }
        Some(f) => {
            let _ = writeln!(
                out,
                "# FAIL at {} ({})",
                f.step.as_deref().unwrap_or("?"),
                f.code
            );
        }
    }
    out
}

/// Several reports as one TAP 14 stream: one subtest per target, its test point passing when
/// the target was healthy.
pub(crate) fn render_all(reports: &[Report]) -> String {
    let mut out = String::from("TAP version 14\n");
    let _ = writeln!(out, "1..{}", reports.len());
    for (i, report) in reports.iter().enumerate() {
        let target = description(&super::terminal_safe(&report.target));
        let _ = writeln!(out, "# Subtest: {target}");
        for line in render(report).lines().skip(1) {
            let _ = writeln!(out, "    {line}");
        }
        let verdict = if report.ok { "ok" } else { "not ok" };
        let _ = writeln!(out, "{verdict} {} - {target}", i + 1);
    }
    out
}

/// A test point description: `#` starts a directive in TAP, so it is escaped.
fn description(name: &str) -> String {
    name.replace('\\', "\\\\").replace('#', "\\#")
}

/// A YAML double-quoted scalar (a JSON string is one).
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_and_failure_have_yaml_blocks() {
        let out = render(&super::super::hostile_report());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "TAP version 14",
                "# mcp-probe check https://mcp.example.com/mcp?token=[redacted]",
                "1..3"
            ]
        );
        assert!(lines.contains(&"ok 1 - handshake"), "{out}");
        assert!(lines.contains(&"    - code: cert_expiring"), "{out}");
        assert!(lines.contains(&"not ok 3 - tools/call"), "{out}");
        assert!(lines.contains(&"  code: tool_error"), "{out}");
        assert!(lines.contains(&"  family: tool"), "{out}");
        // One line, quoted: the server's newline and quotes cannot end the block.
        assert!(
            lines.contains(
                &r#"  message: "tools/call add: \"quoted\" \\ back|slash # hash\\u{a}\\u{1b}[2Jnext""#
            ),
            "{out}"
        );
        assert_eq!(description("a#b\\"), "a\\#b\\\\");
    }
}
