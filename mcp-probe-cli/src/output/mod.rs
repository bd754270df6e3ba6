//! Report renderers: one module per `--format`.

use std::borrow::Cow;

use mcp_probe_core::{Failure, Report, StepStatus};

pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod metrics;
pub(crate) mod prometheus;
pub(crate) mod tap;
pub(crate) mod text;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One line per step for humans.
    Text,
    /// The report as JSON (docs/report-schema.md).
    Json,
    /// JUnit XML: one testsuite per target, one testcase per step.
    Junit,
    /// GitHub Actions workflow commands (::error, ::warning) and a job summary.
    Github,
    /// TAP version 14: one test point per step.
    Tap,
    /// Prometheus text exposition format (node_exporter textfile collector; docs/metrics.md).
    Prometheus,
}

impl Format {
    /// The format's name on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Tap => "tap",
            Format::Prometheus => "prometheus",
        }
    }
}

/// The report rendered in `format`.
pub(crate) fn render(format: Format, report: &Report) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Tap => tap::render(report),
        Format::Prometheus => prometheus::render(report),
    }
}

/// The reports of several targets rendered in `format` as one document: one report renders
/// as [`render`] does; several are a JSON array, one JUnit testsuite each, TAP subtests, the
/// text reports one after the other with a summary line, or one metrics exposition whose
/// series are told apart by `target`.
pub(crate) fn render_all(format: Format, reports: &[Report]) -> String {
    if let [report] = reports {
        return render(format, report);
    }
    match format {
        Format::Text => text::render_all(reports),
        Format::Json => json::render_all(reports),
        Format::Junit => junit::render_all(reports),
        Format::Github => reports.iter().map(github::render).collect(),
        Format::Tap => tap::render_all(reports),
        Format::Prometheus => prometheus::render_all(reports),
    }
}

/// An `--output FORMAT:FILE`: also write the report in `format` to `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputFile {
    /// The format written to the file.
    pub(crate) format: Format,
    /// The file written (created or truncated).
    pub(crate) path: std::path::PathBuf,
}

/// Parses `FORMAT:FILE` (for clap).
pub(crate) fn parse_output_file(value: &str) -> Result<OutputFile, String> {
    use clap::ValueEnum;
    let names = Format::value_variants()
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ");
    let Some((format, path)) = value.split_once(':') else {
        return Err(format!(
            "expected FORMAT:FILE, where FORMAT is one of {names}"
        ));
    };
    let format = Format::from_str(format, true).map_err(|_| {
        format!(
            "unknown format `{}` (one of {names})",
            terminal_safe(format)
        )
    })?;
    if path.is_empty() {
        return Err(format!("no file after `{}:`", format.name()));
    }
    Ok(OutputFile {
        format,
        path: path.into(),
    })
}

/// `text` safe for a terminal: control characters (C0, DEL, C1) and the bidirectional
/// formatting characters that reorder what a terminal shows are written as `\u{…}` escapes,
/// so a server cannot move the cursor, clear a line, retitle the window or forge a verdict.
pub(crate) fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The report's failure when no step failed: a failure of the whole probe (the scenario's
/// top-level `maxMs`, step `probe`), which the per-step formats show as one more test.
pub(crate) fn probe_failure(report: &Report) -> Option<&Failure> {
    let any_step_failed = report.steps.iter().any(|s| s.status == StepStatus::Fail);
    report.failure.as_ref().filter(|_| !any_step_failed)
}

/// A copy of the report whose every free-text string is [`terminal_safe`].
pub(crate) fn terminal_safe_report(report: &Report) -> Report {
    make_terminal_safe(report.clone())
}

/// [`terminal_safe_report`] for a report that is no longer needed as it was: escaped in
/// place, without a copy.
pub(crate) fn make_terminal_safe(mut report: Report) -> Report {
    report.visit_text_mut(&mut |s| {
        if let Cow::Owned(escaped) = terminal_safe(s) {
            *s = escaped;
        }
    });
    report
}

/// A report with TLS facts, a warning, a failed tool call and server text that tries to
/// break every format (quotes, backslashes, newlines, `%`, `|`, `#`, escape sequences).
#[cfg(test)]
pub(crate) fn hostile_report() -> Report {
    let json = serde_json::json!({
        "schemaVersion": 1,
        "ok": false,
        "target": "https://mcp.example.com/mcp?token=[redacted]",
        "transport": "streamable-http",
        "era": "handshake",
        "protocolVersion": "2025-11-25",
        "server": {"name": "evil\"}\n", "version": "1%0A", "capabilities": ["tools"]},
        "startedAt": "2026-11-24T05:18:32.005Z",
        "durationMs": 31.25,
        "steps": [
            {"name": "handshake", "status": "warn", "durationMs": 12.5, "requests": 1,
             "warnings": [{"code": "cert_expiring", "step": "handshake",
                           "message": "expires in 3 days: 100%, a:b,c\r\n::error::forged"}],
             "timings": {"dnsMs": 1.0, "connectMs": 2.0, "tlsMs": 3.0, "ttfbMs": 4.0,
                         "bodyMs": 0.5, "totalMs": 10.5, "reusedConnection": false}},
            {"name": "tools/list", "status": "pass", "durationMs": 6.0, "requests": 1,
             "tools": [{"name": "a|b"}, {"name": "c"}], "pages": 1,
             "timings": {"ttfbMs": 1.0, "bodyMs": 0.5, "totalMs": 1.5, "reusedConnection": true}},
            {"name": "tools/call", "status": "fail", "durationMs": 9.75, "requests": 1,
             "tool": "add",
             "failure": {"code": "tool_error", "family": "tool", "step": "tools/call",
                         "message": "tools/call add: \"quoted\" \\ back|slash # hash\n\u{1b}[2Jnext"}}
        ],
        "failure": {"code": "tool_error", "family": "tool", "step": "tools/call",
                    "message": "tools/call add: \"quoted\" \\ back|slash # hash\n\u{1b}[2Jnext"},
        "warnings": [{"code": "cert_expiring", "step": "handshake",
                      "message": "expires in 3 days: 100%, a:b,c\r\n::error::forged"}],
        "session": {"issued": true, "reinitialized": 0},
        "tls": {"host": "mcp.example.com", "subject": "CN=mcp.example.com",
                "sans": ["mcp.example.com"], "issuer": "CN=Test CA", "serial": "01",
                "notBefore": "2026-01-01T00:00:00Z", "notAfter": "2026-11-27T00:00:00Z",
                "daysLeft": 3, "chainLength": 2, "verified": true, "insecure": false}
    });
    serde_json::from_value(json).expect("a valid report")
}

/// A report whose steps all passed but whose whole probe was too slow (top-level `maxMs`).
#[cfg(test)]
pub(crate) fn slow_probe_report() -> Report {
    let json = serde_json::json!({
        "schemaVersion": 1, "ok": false, "target": "http://127.0.0.1:1/mcp",
        "transport": "streamable-http", "startedAt": "2026-11-24T05:18:32.005Z",
        "durationMs": 12.5,
        "steps": [{"name": "handshake", "status": "pass", "durationMs": 12.0, "requests": 1}],
        "failure": {"code": "expectation_failed", "family": "tool", "step": "probe",
                    "message": "probe: took 12.5 ms, expected at most 10 ms",
                    "details": {"expectation": "maxMs", "expected": 10, "actual": 12.5}},
        "warnings": [], "session": {"issued": false, "reinitialized": 0}
    });
    serde_json::from_value(json).expect("a valid report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_format_lets_a_control_character_through() {
        let report = hostile_report();
        for format in [
            Format::Text,
            Format::Junit,
            Format::Github,
            Format::Tap,
            Format::Prometheus,
        ] {
            let out = render(format, &report);
            let bad: Vec<char> = out
                .chars()
                .filter(|c| *c != '\n' && is_unsafe(*c))
                .collect();
            assert!(bad.is_empty(), "{format:?}: {bad:?} in {out}");
        }
    }

    #[test]
    fn output_files_are_format_colon_path() {
        assert_eq!(
            parse_output_file("junit:out/report.xml"),
            Ok(OutputFile {
                format: Format::Junit,
                path: "out/report.xml".into()
            })
        );
        assert_eq!(
            parse_output_file("prometheus:C:/x.prom").map(|o| o.path),
            Ok("C:/x.prom".into())
        );
        assert!(parse_output_file("junit").is_err());
        assert!(parse_output_file("junit:").is_err());
        assert!(parse_output_file("xml:a.xml").is_err());
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(terminal_safe("plain ü"), "plain ü");
        assert_eq!(
            terminal_safe("evil\u{1b}[2K\rOK\u{7}\u{9b}31m\u{202e}x\n"),
            "evil\\u{1b}[2K\\u{d}OK\\u{7}\\u{9b}31m\\u{202e}x\\u{a}"
        );
    }
}
