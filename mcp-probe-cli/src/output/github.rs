//! `--format github`: GitHub Actions workflow commands (`::error` for the failure,
//! `::warning` for each warning) and a last plain verdict line; [`summary`] is the Markdown
//! table for the job summary (`GITHUB_STEP_SUMMARY`).

use std::fmt::Write;

use mcp_probe_core::{Report, StepStatus};

/// The report as workflow commands (server text made terminal-safe first).
pub(crate) fn render(report: &Report) -> String {
    let safe = super::terminal_safe_report(report);
    let report = &safe;
    let mut out = String::new();
    for w in &report.warnings {
        let text = match &w.step {
            Some(step) => format!("{step}: {}", w.message),
            None => w.message.clone(),
        };
        let _ = writeln!(
            out,
            "::warning title={}::{}",
            escape_property(&format!("mcp-probe {}", w.code)),
            escape_data(&text)
        );
    }
    if let Some(f) = &report.failure {
        let _ = writeln!(
            out,
            "::error title={}::{}: {}",
            escape_property(&format!("mcp-probe {}", f.code)),
            escape_data(f.step.as_deref().unwrap_or("?")),
            escape_data(&f.message)
        );
    }
    out.push_str(&verdict(report));
    out.push('\n');
    out
}

/// The one-line verdict, as `--format text` ends.
fn verdict(report: &Report) -> String {
    match &report.failure {
        None => format!(
            "OK: {} healthy in {:.1} ms",
            report.target, report.duration_ms
        ),
        Some(f) => format!(
            "FAIL at {} ({}): {}",
            f.step.as_deref().unwrap_or("?"),
            f.code,
            f.message
        ),
    }
}

/// A Markdown job summary: a heading, a table (step, status, duration, message) and the
/// verdict. Server text cannot add rows, HTML or control characters.
pub(crate) fn summary(report: &Report) -> String {
    let safe = super::terminal_safe_report(report);
    let report = &safe;
    let mut out = String::new();
    let _ = writeln!(out, "### mcp-probe check {}\n", markdown(&report.target));
    out.push_str("| step | status | duration | message |\n|---|---|---|---|\n");
    for step in &report.steps {
        let message = match &step.failure {
            Some(f) => format!("{}: {}", f.code, f.message),
            None => step
                .warnings
                .iter()
                .map(|w| format!("{}: {}", w.code, w.message))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let duration = if step.status == StepStatus::Skip {
            String::new()
        } else {
            format!("{:.1} ms", step.duration_ms)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            markdown(&step.name),
            step.status.as_str(),
            duration,
            markdown(&message)
        );
    }
    let _ = writeln!(out, "\n{}\n", markdown(&verdict(report)));
    out
}

/// Escapes a workflow command's message as GitHub documents: `%`, CR, LF.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as [`escape_data`], plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Text for a Markdown table cell: no line breaks, no column breaks, no HTML.
fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_and_warnings_are_commands_and_the_verdict_is_last() {
        let report = super::super::hostile_report();
        let out = render(&report);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert_eq!(
            lines[0],
            "::warning title=mcp-probe cert_expiring::handshake: expires in 3 days: 100%25, a:b,c\\u{d}\\u{a}::error::forged"
        );
        assert!(
            lines[1]
                .starts_with("::error title=mcp-probe tool_error::tools/call: tools/call add: "),
            "{out}"
        );
        assert!(
            lines[2].starts_with("FAIL at tools/call (tool_error): "),
            "{out}"
        );
        let md = summary(&report);
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 4, "{md}");
        assert_eq!(rows[1].matches(" | ").count(), 3, "{md}");
        assert!(
            rows[3].starts_with("| tools/call | fail | 9.8 ms | tool_error: "),
            "{md}"
        );
        assert!(rows[3].contains("back\\|slash"), "{md}");
    }

    #[test]
    fn workflow_command_escapes() {
        assert_eq!(escape_data("100%\r\nnext"), "100%25%0D%0Anext");
        assert_eq!(escape_property("a: b, c%"), "a%3A b%2C c%25");
        assert_eq!(markdown("a|b<i>\nc"), "a\\|b&lt;i&gt; c");
    }
}
