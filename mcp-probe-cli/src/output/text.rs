//! `--format text`: one line per step, then a verdict naming the failing step and the reason.

use std::fmt::Write;

use mcp_probe_core::{AuthFacts, MatrixEntry, Report, StepReport, StepStatus, Timings, TlsFacts};

/// Renders the report for a terminal or a CI log; every text the server could have shaped is
/// made terminal-safe first (see [`super::terminal_safe`]).
pub(crate) fn render(report: &Report) -> String {
    let safe = super::terminal_safe_report(report);
    let report = &safe;
    let mut out = String::new();
    let _ = writeln!(out, "mcp-probe check {}", report.target);
    if let Some(tls) = &report.tls {
        let _ = writeln!(out, "  {}", tls_line(tls));
    }
    if let Some(auth) = &report.auth {
        let _ = writeln!(out, "  {}", auth_line(auth));
    }
    let width = report.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for step in &report.steps {
        let _ = writeln!(out, "  {}", step_line(report, step, width));
        if let Some(t) = &step.timings {
            let _ = writeln!(out, "       timings: {}", timings_text(t));
        }
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
    // Warnings of the whole probe (insecure_tls), not of one step.
    for w in report.warnings.iter().filter(|w| w.step.is_none()) {
        let _ = writeln!(out, "  warning: {}", w.message);
    }
    if let Some(line) = attempts_line(report) {
        let _ = writeln!(out, "  {line}");
    }
    if let Some(entries) = &report.matrix {
        out.push_str(&matrix_table(entries));
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

/// Several reports one after the other, then how many targets were healthy.
pub(crate) fn render_all(reports: &[Report]) -> String {
    let mut out = String::new();
    for report in reports {
        out.push_str(&render(report));
        out.push('\n');
    }
    let healthy = reports.iter().filter(|r| r.ok).count();
    let _ = writeln!(
        out,
        "{healthy} of {} targets healthy{}",
        reports.len(),
        if healthy == reports.len() {
            ""
        } else {
            "; failed:"
        }
    );
    for report in reports.iter().filter(|r| !r.ok) {
        if let Some(f) = &report.failure {
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                super::terminal_safe(&report.target),
                f.code,
                super::terminal_safe(&f.message)
            );
        }
    }
    out
}

/// `--wait-until-ready` only: how many attempts it took, and how the first one failed.
fn attempts_line(report: &Report) -> Option<String> {
    let n = report.attempts?;
    let attempts = if n == 1 { "attempt" } else { "attempts" };
    if report.ok {
        return Some(format!("ready after {n} {attempts}"));
    }
    let mut line = format!("not ready after {n} {attempts}");
    if let Some(f) = report.first_failure.as_ref().or(report.failure.as_ref()) {
        let _ = write!(
            line,
            " (first failure: {} at {}: {})",
            f.code,
            f.step.as_deref().unwrap_or("?"),
            f.message
        );
    }
    Some(line)
}

/// `--matrix` only: one row per era, version and transport, and what happened.
fn matrix_table(entries: &[MatrixEntry]) -> String {
    let mut out = String::from("  matrix:\n");
    let _ = writeln!(
        out,
        "    {:<16} {:<10} {:<11} {:>10}  result",
        "transport", "era", "version", "time"
    );
    for e in entries {
        let result = match &e.failure {
            None => match &e.protocol_version {
                Some(v) if *v != e.requested_version => format!("ok (agreed {v})"),
                _ => "ok".to_owned(),
            },
            Some(f) => format!(
                "FAIL at {} ({}): {}",
                f.step.as_deref().unwrap_or("?"),
                f.code,
                f.message
            ),
        };
        let _ = writeln!(
            out,
            "    {:<16} {:<10} {:<11} {:>10}  {result}",
            e.transport.as_str(),
            e.era.as_str(),
            e.requested_version,
            ms(e.duration_ms)
        );
    }
    let working = entries.iter().filter(|e| e.ok).count();
    let _ = writeln!(out, "    {working} of {} work", entries.len());
    out
}

/// How the OAuth access token was had (never the token itself).
fn auth_line(auth: &AuthFacts) -> String {
    let grant = match auth.method.as_str() {
        "authorization_code" => "authorization code",
        "refresh_token" => "refresh token",
        "jwt_bearer" => "JWT bearer (workload identity)",
        _ => "client credentials",
    };
    let spent = format!(
        "{} request{}, {}",
        auth.requests,
        if auth.requests == 1 { "" } else { "s" },
        ms(auth.duration_ms)
    );
    match (&auth.token_endpoint, auth.cached) {
        (Some(endpoint), true) => format!("oauth: {grant}, cached token from {endpoint}"),
        (Some(endpoint), false) => format!("oauth: {grant}, token from {endpoint} ({spent})"),
        (None, _) => format!("oauth: {grant}, no token ({spent})"),
    }
}

fn step_line(report: &Report, step: &StepReport, width: usize) -> String {
    let status = match step.status {
        StepStatus::Pass => "PASS",
        StepStatus::Warn => "WARN",
        StepStatus::Fail => "FAIL",
        StepStatus::Skip => "SKIP",
    };
    if step.status == StepStatus::Skip {
        // A step skipped on purpose says why (ping in the 2026-07-28 era).
        let why = step.note.as_deref().unwrap_or("not run");
        return format!("{status} {:width$}  ({why})", step.name);
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

/// `TLS  CN=… (names), issued by CN=…; expires … (89 days left); verified`.
fn tls_line(tls: &TlsFacts) -> String {
    let mut line = format!("TLS  {}", tls.subject);
    if !tls.sans.is_empty() {
        let names: Vec<&str> = tls.sans.iter().take(4).map(String::as_str).collect();
        let more = if tls.sans.len() > names.len() {
            ", …"
        } else {
            ""
        };
        let _ = write!(line, " ({}{more})", names.join(", "));
    }
    let left = match tls.days_left {
        1 => "1 day left".to_owned(),
        d if d >= 0 => format!("{d} days left"),
        -1 => "expired 1 day ago".to_owned(),
        d => format!("expired {} days ago", -d),
    };
    let _ = write!(
        line,
        ", issued by {}; expires {} ({left}); ",
        tls.issuer, tls.not_after
    );
    match (&tls.problem, tls.insecure) {
        (None, false) => line.push_str("verified"),
        (None, true) => line.push_str("not verified (insecure)"),
        (Some(p), true) => {
            let _ = write!(line, "not verified (insecure), would fail with {p}");
        }
        (Some(p), false) => {
            let _ = write!(line, "rejected: {p}");
        }
    }
    line
}

/// `dns 0.4 ms, connect 0.2 ms, tls 3.1 ms, ttfb 1.2 ms, body 0.1 ms`, or for a reused
/// connection `reused connection, ttfb …`.
fn timings_text(t: &Timings) -> String {
    let mut parts = Vec::new();
    if t.reused_connection {
        parts.push("reused connection".to_owned());
    }
    for (name, value) in [
        ("dns", t.dns_ms),
        ("connect", t.connect_ms),
        ("tls", t.tls_ms),
    ] {
        if let Some(v) = value {
            parts.push(format!("{name} {}", ms(v)));
        }
    }
    parts.push(format!("ttfb {}", ms(t.ttfb_ms)));
    parts.push(format!("body {}", ms(t.body_ms)));
    parts.join(", ")
}

fn ms(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} s", value / 1000.0)
    } else {
        format!("{value:.1} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_line_names_the_grant() {
        let facts = |v: serde_json::Value| serde_json::from_value::<AuthFacts>(v).unwrap();
        assert_eq!(
            auth_line(&facts(serde_json::json!({
                "method": "authorization_code", "tokenEndpoint": "https://as.example/token",
                "cached": false, "requests": 6, "durationMs": 12.5
            }))),
            "oauth: authorization code, token from https://as.example/token (6 requests, 12.5 ms)"
        );
        assert_eq!(
            auth_line(&facts(serde_json::json!({
                "method": "refresh_token", "tokenEndpoint": "https://as.example/token",
                "cached": true, "requests": 0, "durationMs": 0.0
            }))),
            "oauth: refresh token, cached token from https://as.example/token"
        );
        assert_eq!(
            auth_line(&facts(serde_json::json!({
                "method": "authorization_code", "cached": false, "requests": 1,
                "durationMs": 1.0
            }))),
            "oauth: authorization code, no token (1 request, 1.0 ms)"
        );
        assert_eq!(
            auth_line(&facts(serde_json::json!({
                "method": "jwt_bearer", "tokenEndpoint": "https://as.example/token",
                "cached": false, "requests": 1, "durationMs": 2.0
            }))),
            "oauth: JWT bearer (workload identity), token from https://as.example/token \
             (1 request, 2.0 ms)"
        );
    }
}
