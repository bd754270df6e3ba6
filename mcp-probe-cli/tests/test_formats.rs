//! `--format junit|github|tap|prometheus` and `--output FORMAT:FILE` against the fixture server.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use mcp_probe_testkit::{FixtureServer, Mode, TestCa, TlsFront};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
}

/// Runs the CLI off the async runtime so the in-process fixture keeps serving.
async fn run(args: Vec<String>, envs: Vec<(String, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        bin()
            .args(&args)
            .env_remove("GITHUB_STEP_SUMMARY")
            .envs(envs)
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("the blocking task ran")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `check URL --tool add --args {...} --format FORMAT extra…`
fn check(url: &str, format: &str, extra: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = [
        "check",
        url,
        "--tool",
        "add",
        "--args",
        r#"{"a":2,"b":3}"#,
        "--format",
        format,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    argv.extend(extra.iter().map(|s| s.to_string()));
    argv
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-probe-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The healthy fixture (exit 0) and the one whose tool reports an error (exit 9 at tools/call).
const CASES: [(Mode, i32); 2] = [(Mode::Json, 0), (Mode::ToolIsError, 9)];

/// The value of `attr="…"` in an XML start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// The start tags `<name …>` of a document.
fn tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name} ");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find('>').unwrap() + i;
        found.push(&rest[i..=end]);
        rest = &rest[end..];
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junit_has_one_suite_one_case_per_step_and_the_failure() {
    let server = FixtureServer::start().await.unwrap();
    for (mode, code) in CASES {
        let url = server.url(mode);
        let out = run(check(&url, "junit", &[]), vec![]).await;
        let xml = stdout(&out);
        assert_eq!(out.status.code(), Some(code), "{mode:?}: {xml}");
        assert!(xml.starts_with("<?xml"), "{xml}");
        let suites = tags(&xml, "testsuite");
        assert_eq!(suites.len(), 1, "{xml}");
        assert_eq!(attr(suites[0], "name"), Some(url.as_str()));
        assert!(attr(suites[0], "time").unwrap().parse::<f64>().unwrap() < 60.0);
        let cases = tags(&xml, "testcase");
        let names: Vec<_> = cases.iter().map(|c| attr(c, "name").unwrap()).collect();
        assert_eq!(names, ["handshake", "tools/list", "tools/call"], "{xml}");
        for case in &cases {
            attr(case, "time").unwrap().parse::<f64>().unwrap();
        }
        let failures = tags(&xml, "failure");
        assert!(xml.contains("<system-out>{"), "{xml}");
        assert!(xml.contains("&quot;schemaVersion&quot;: 1"), "{xml}");
        if code == 0 {
            assert!(failures.is_empty(), "{xml}");
            assert_eq!(attr(suites[0], "failures"), Some("0"));
        } else {
            assert_eq!(failures.len(), 1, "{xml}");
            assert_eq!(attr(failures[0], "type"), Some("tool_error"));
            assert!(attr(failures[0], "message")
                .unwrap()
                .contains("tools/call add"));
            assert_eq!(attr(suites[0], "failures"), Some("1"));
            // The failure belongs to the tools/call test case.
            let call = xml.find("name=\"tools/call\"").unwrap();
            assert!(xml[call..].find("<failure ").is_some());
            assert!(xml[..call].find("<failure ").is_none(), "{xml}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_has_a_plan_and_one_point_per_step() {
    let server = FixtureServer::start().await.unwrap();
    for (mode, code) in CASES {
        let out = run(check(&server.url(mode), "tap", &[]), vec![]).await;
        let tap = stdout(&out);
        assert_eq!(out.status.code(), Some(code), "{mode:?}: {tap}");
        let lines: Vec<&str> = tap.lines().collect();
        assert_eq!(lines[0], "TAP version 14");
        assert!(lines.contains(&"1..3"), "{tap}");
        let points: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("ok ") || l.starts_with("not ok "))
            .collect();
        if code == 0 {
            assert_eq!(
                points,
                ["ok 1 - handshake", "ok 2 - tools/list", "ok 3 - tools/call"],
                "{tap}"
            );
            assert!(!tap.contains("  ---"), "{tap}");
        } else {
            assert_eq!(
                points,
                [
                    "ok 1 - handshake",
                    "ok 2 - tools/list",
                    "not ok 3 - tools/call"
                ],
                "{tap}"
            );
            let block = tap.split("not ok 3 - tools/call\n").nth(1).unwrap();
            let block: Vec<&str> = block.lines().collect();
            assert_eq!(block[0], "  ---", "{tap}");
            assert_eq!(block[1], "  code: tool_error");
            assert_eq!(block[2], "  family: tool");
            assert!(block[3].starts_with("  message: \"tools/call add"), "{tap}");
            assert!(block.contains(&"  ..."), "{tap}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_prints_workflow_commands_and_appends_the_summary() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("github");
    for (mode, code) in CASES {
        let summary = dir.join(format!("summary-{code}.md"));
        std::fs::write(&summary, "earlier content\n").unwrap();
        let env = vec![(
            "GITHUB_STEP_SUMMARY".to_owned(),
            summary.display().to_string(),
        )];
        let out = run(check(&server.url(mode), "github", &[]), env).await;
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(code), "{mode:?}: {text}");
        let lines: Vec<&str> = text.lines().collect();
        let last = *lines.last().unwrap();
        let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::error ")).collect();
        if code == 0 {
            assert!(last.starts_with("OK: "), "{text}");
            assert!(errors.is_empty(), "{text}");
        } else {
            assert_eq!(errors.len(), 1, "{text}");
            assert!(
                errors[0]
                    .starts_with("::error title=mcp-probe tool_error::tools/call: tools/call add"),
                "{text}"
            );
            assert!(
                last.starts_with("FAIL at tools/call (tool_error): "),
                "{text}"
            );
        }
        for line in &lines[..lines.len() - 1] {
            assert!(
                line.starts_with("::error ") || line.starts_with("::warning "),
                "{text}"
            );
        }
        let md = std::fs::read_to_string(&summary).unwrap();
        assert!(md.starts_with("earlier content\n"), "{md}");
        assert!(
            md.contains("| step | status | duration | message |"),
            "{md}"
        );
        let rows: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| step "))
            .collect();
        assert_eq!(rows.len(), 3, "{md}");
        assert!(rows[0].starts_with("| handshake | pass | "), "{md}");
        if code == 0 {
            assert!(rows[2].starts_with("| tools/call | pass | "), "{md}");
        } else {
            assert!(rows[2].starts_with("| tools/call | fail | "), "{md}");
            assert!(rows[2].contains("tool_error: tools/call add"), "{md}");
        }
    }
    // Without GITHUB_STEP_SUMMARY nothing else is written.
    let out = run(check(&server.url(Mode::Json), "github", &[]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

const METRICS: [&str; 9] = [
    "mcp_probe_success",
    "mcp_probe_duration_seconds",
    "mcp_probe_step_duration_seconds",
    "mcp_probe_phase_duration_seconds",
    "mcp_probe_failure_info",
    "mcp_probe_tls_cert_not_after_timestamp_seconds",
    "mcp_probe_tools",
    "mcp_probe_protocol_info",
    "mcp_probe_surface_info",
];

/// One sample line `name{label="value",…} value`: its name, labels and value.
fn sample(line: &str) -> (String, Vec<(String, String)>, f64) {
    let brace = line
        .find('{')
        .unwrap_or_else(|| panic!("no labels: {line}"));
    let name = line[..brace].to_owned();
    let mut labels = Vec::new();
    let mut rest = &line[brace + 1..];
    loop {
        let eq = rest
            .find("=\"")
            .unwrap_or_else(|| panic!("bad label: {line}"));
        let label = rest[..eq].to_owned();
        assert!(
            label.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{line}"
        );
        let mut value = String::new();
        let mut chars = rest[eq + 2..].char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    other => panic!("bad escape {other:?}: {line}"),
                },
                Some((i, '"')) => break eq + 2 + i + 1,
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value: {line}"),
            }
        };
        labels.push((label, value));
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix("} ") {
            let value: f64 = r.parse().unwrap_or_else(|_| panic!("bad value: {line}"));
            return (name, labels, value);
        } else {
            panic!("bad sample: {line}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_text_has_the_documented_series() {
    let server = FixtureServer::start().await.unwrap();
    for (mode, code) in CASES {
        let url = server.url(mode);
        let out = run(check(&url, "prometheus", &[]), vec![]).await;
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(code), "{mode:?}: {text}");
        let mut typed = Vec::new();
        let mut samples = Vec::new();
        for line in text.lines() {
            if let Some(t) = line.strip_prefix("# TYPE ") {
                let (name, kind) = t.split_once(' ').unwrap();
                assert_eq!(kind, "gauge", "{line}");
                typed.push(name.to_owned());
            } else if !line.starts_with("# HELP ") {
                samples.push(sample(line));
            }
        }
        for (name, labels, _) in &samples {
            assert!(METRICS.contains(&name.as_str()), "unknown metric {name}");
            assert!(typed.contains(name), "no # TYPE for {name}");
            assert_eq!(labels[0], ("target".to_owned(), url.clone()), "{name}");
        }
        let value = |name: &str| {
            samples
                .iter()
                .find(|s| s.0 == name)
                .map(|s| s.2)
                .unwrap_or_else(|| panic!("no {name}: {text}"))
        };
        let series = |name: &str| samples.iter().filter(|s| s.0 == name).count();
        assert_eq!(
            value("mcp_probe_success"),
            if code == 0 { 1.0 } else { 0.0 }
        );
        assert!(value("mcp_probe_duration_seconds") > 0.0);
        assert_eq!(series("mcp_probe_step_duration_seconds"), 3, "{text}");
        assert!(value("mcp_probe_tools") >= 1.0, "{text}");
        // Tools were listed: the surface hash, as the value of a label.
        let surface = samples
            .iter()
            .find(|s| s.0 == "mcp_probe_surface_info")
            .unwrap_or_else(|| panic!("{text}"));
        assert_eq!(surface.2, 1.0);
        assert_eq!(surface.1[1].0, "hash");
        assert!(surface.1[1].1.starts_with("sha256:"), "{text}");
        // Plain HTTP: no TLS phase, no certificate.
        let phases: Vec<&str> = samples
            .iter()
            .filter(|s| s.0 == "mcp_probe_phase_duration_seconds")
            .map(|s| s.1[1].1.as_str())
            .collect();
        assert!(
            phases.contains(&"ttfb") && phases.contains(&"body"),
            "{text}"
        );
        assert!(!phases.contains(&"tls"), "{text}");
        assert_eq!(series("mcp_probe_tls_cert_not_after_timestamp_seconds"), 0);
        let protocol = samples
            .iter()
            .find(|s| s.0 == "mcp_probe_protocol_info")
            .unwrap();
        assert_eq!(
            protocol.1[3],
            ("transport".into(), "streamable-http".into())
        );
        assert_eq!(protocol.1[2], ("era".into(), "handshake".into()));
        assert!(!protocol.1[1].1.is_empty(), "{text}");
        if code == 0 {
            assert_eq!(series("mcp_probe_failure_info"), 0, "{text}");
        } else {
            let failure = samples
                .iter()
                .find(|s| s.0 == "mcp_probe_failure_info")
                .unwrap();
            assert_eq!(failure.2, 1.0);
            assert_eq!(
                failure.1[1..],
                [
                    ("code".to_owned(), "tool_error".to_owned()),
                    ("family".to_owned(), "tool".to_owned()),
                    ("step".to_owned(), "tools/call".to_owned()),
                ]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promtool_accepts_the_metrics() {
    let promtool = mcp_probe_testkit::prometheus_program("promtool");
    let server = FixtureServer::start().await.unwrap();
    for (mode, _) in CASES {
        let out = run(check(&server.url(mode), "prometheus", &[]), vec![]).await;
        let mut child = Command::new(&promtool)
            .args(["check", "metrics"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
        let checked = child.wait_with_output().unwrap();
        assert!(
            checked.status.success(),
            "{}{}",
            String::from_utf8_lossy(&checked.stdout),
            String::from_utf8_lossy(&checked.stderr)
        );
    }
}

/// The Python of `interop/.venv`, where `interop/setup.sh` installs `junitparser`.
fn interop_python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop/.venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run interop/setup.sh",
        python.display()
    );
    python
}

/// A real JUnit consumer, `junitparser`, reads the XML: the suite, its cases and the failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn junitparser_reads_the_junit_output() {
    const READ: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
# junitparser reads system-out of test cases only; the suite's is read as plain XML.
system_out = [s.findtext("system-out") for s in ET.parse(sys.argv[1]).getroot().iter("testsuite")]
out = []
for i, suite in enumerate(xml):
    cases = []
    for case in suite:
        failures = [r for r in case.result if isinstance(r, Failure)]
        cases.append({"name": case.name, "time": case.time,
                      "failures": [{"type": f.type, "message": f.message} for f in failures]})
    out.append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                "errors": suite.errors, "cases": cases,
                "systemOut": json.loads(system_out[i])})
print(json.dumps(out))
"#;
    let python = interop_python();
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("junitparser");
    for (mode, code) in CASES {
        let url = server.url(mode);
        let file = dir.join(format!("{mode:?}.xml"));
        let out = run(check(&url, "junit", &[]), vec![]).await;
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        std::fs::write(&file, &out.stdout).unwrap();
        let parsed = Command::new(&python)
            .args(["-c", READ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(parsed.status.success(), "{}", stderr(&parsed));
        let suites: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
        let suite = &suites[0];
        assert_eq!(suites.as_array().unwrap().len(), 1);
        assert_eq!(suite["name"], url.as_str());
        assert_eq!(suite["tests"], 3);
        assert_eq!(suite["errors"], 0);
        let names: Vec<&str> = suite["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["handshake", "tools/list", "tools/call"]);
        // The report in system-out is the JSON report.
        assert_eq!(suite["systemOut"]["ok"], code == 0);
        let failures = &suite["cases"][2]["failures"];
        if code == 0 {
            assert_eq!(suite["failures"], 0);
            assert_eq!(failures.as_array().unwrap().len(), 0);
        } else {
            assert_eq!(suite["failures"], 1);
            assert_eq!(failures[0]["type"], "tool_error");
            let message = failures[0]["message"].as_str().unwrap();
            assert!(message.starts_with("tools/call add"), "{message}");
            assert_eq!(suite["cases"][0]["failures"].as_array().unwrap().len(), 0);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_files_get_their_own_format() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("output");
    let junit = dir.join("report.xml");
    let prom = dir.join("mcp.prom");
    let json = dir.join("report.json");
    let out = run(
        check(
            &server.url(Mode::ToolIsError),
            "tap",
            &[
                "--output",
                &format!("junit:{}", junit.display()),
                "--output",
                &format!("prometheus:{}", prom.display()),
                "--output",
                &format!("json:{}", json.display()),
            ],
        ),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(9), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("TAP version 14\n"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(tags(&xml, "failure").len(), 1, "{xml}");
    let metrics = std::fs::read_to_string(&prom).unwrap();
    assert!(
        metrics.contains("# TYPE mcp_probe_success gauge"),
        "{metrics}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["failure"]["code"], "tool_error");

    // A file that cannot be written: exit 1 naming it, after the terminal output.
    let missing = dir.join("no-such-dir").join("report.xml");
    let out = run(
        check(
            &server.url(Mode::Json),
            "text",
            &["--output", &format!("junit:{}", missing.display())],
        ),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("OK: healthy"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&missing.display().to_string()),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_output_arguments_are_usage_errors() {
    for bad in ["junit", "xml:report.xml", "junit:", ":report.xml"] {
        let out = bin()
            .args(["check", "http://127.0.0.1:9/mcp", "--output", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "{bad}");
        assert!(stderr(&out).contains("--output"), "{bad}: {}", stderr(&out));
    }
}

#[test]
fn help_lists_the_formats() {
    let out = bin().args(["check", "--help"]).output().unwrap();
    let help = stdout(&out);
    for format in ["text", "json", "junit", "github", "tap", "prometheus"] {
        assert!(help.contains(format), "{format}: {help}");
    }
    assert!(help.contains("--output <FORMAT:FILE>"), "{help}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_cannot_drive_the_terminal_in_any_format() {
    let server = FixtureServer::start().await.unwrap();
    for format in ["junit", "github", "tap", "prometheus"] {
        let argv = check(
            &server.url(Mode::ControlChars),
            format,
            &["--expect-text", "6"],
        );
        let out = run(argv, vec![]).await;
        let text = String::from_utf8([out.stdout.clone(), out.stderr.clone()].concat()).unwrap();
        assert_eq!(out.status.code(), Some(9), "{format}: {text}");
        for forbidden in ['\u{1b}', '\r', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(
                !text.contains(forbidden),
                "{format} printed {forbidden:?} raw: {text:?}"
            );
        }
        if format == "github" {
            // Only the probe's own verdict is a plain line.
            let plain: Vec<&str> = text.lines().filter(|l| !l.starts_with("::")).collect();
            assert_eq!(plain.len(), 1, "{text}");
            assert!(plain[0].starts_with("FAIL at tools/call"), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_probe_has_certificate_and_tls_phase_metrics_and_an_insecure_warning() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let front = TlsFront::start(
        server.addr(),
        &ca.leaf(&["localhost", "127.0.0.1"], -1, 90),
        None,
    )
    .await
    .unwrap();
    let dir = temp_dir("tls");
    let prom = dir.join("mcp.prom");
    let out = run(
        check(
            &front.url(Mode::Json),
            "github",
            &[
                "--insecure",
                "--output",
                &format!("prometheus:{}", prom.display()),
            ],
        ),
        vec![],
    )
    .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("::warning title=mcp-probe insecure_tls::"),
        "{text}"
    );
    assert!(lines.last().unwrap().starts_with("OK: "), "{text}");
    let metrics = std::fs::read_to_string(&prom).unwrap();
    let samples: Vec<_> = metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(sample)
        .collect();
    let not_after = samples
        .iter()
        .find(|s| s.0 == "mcp_probe_tls_cert_not_after_timestamp_seconds")
        .unwrap_or_else(|| panic!("no certificate metric: {metrics}"))
        .2;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let days = (not_after - now) / 86_400.0;
    assert!((88.0..=91.0).contains(&days), "{days} days: {metrics}");
    assert!(
        samples
            .iter()
            .any(|s| s.0 == "mcp_probe_phase_duration_seconds" && s.1[1].1 == "tls"),
        "{metrics}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
