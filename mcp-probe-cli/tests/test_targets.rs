//! Several targets in one `check` (URLs or `--scenario` files), and `--matrix`, against the
//! fixture server.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::Value;

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
            .args(&args)
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("the blocking task ran")
}

fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-probe-targets-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_urls_give_a_report_each_and_the_worst_exit_code() {
    let server = FixtureServer::start().await.unwrap();
    let (ok, tool, gateway) = (
        server.url(Mode::Json),
        server.url(Mode::ToolIsError),
        server.url(Mode::BadGateway),
    );
    let base = [
        "check",
        &ok,
        &tool,
        &gateway,
        "--tool",
        "add",
        "--args",
        r#"{"a":1,"b":2}"#,
    ];

    let out = run(argv(&[&base[..], &["--format", "json"]].concat())).await;
    // http_status (6) is more fundamental than tool_error (9).
    assert_eq!(out.status.code(), Some(6), "{}", stdout(&out));
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets: Vec<&str> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, [ok.as_str(), tool.as_str(), gateway.as_str()]);
    let codes: Vec<&Value> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["failure"]["code"])
        .collect();
    assert_eq!(
        codes,
        [
            &Value::Null,
            &Value::from("tool_error"),
            &Value::from("http_status")
        ]
    );

    let out = run(argv(&base)).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(6), "{text}");
    assert_eq!(text.matches("mcp-probe check ").count(), 3, "{text}");
    assert!(text.contains("1 of 3 targets healthy; failed:\n"), "{text}");
    assert!(
        text.contains(&format!(
            "  {gateway} (http_status): initialize: HTTP 502 Bad Gateway"
        )),
        "{text}"
    );

    // A target that cannot be reached outranks the others.
    let closed = "http://127.0.0.1:9/mcp";
    let out = run(argv(&["check", &ok, closed, &tool, "--tool", "add", "-q"])).await;
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("mcp-probe: {closed}: ")), "{err}");
    assert!(err.contains(&format!("mcp-probe: {tool}: ")), "{err}");

    let out = run(argv(&["check", &ok, &ok])).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).ends_with("2 of 2 targets healthy\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_targets_in_junit_tap_and_prometheus() {
    let server = FixtureServer::start().await.unwrap();
    let (ok, gateway) = (server.url(Mode::Json), server.url(Mode::BadGateway));

    let out = run(argv(&["check", &ok, &gateway, "--format", "junit"])).await;
    let xml = stdout(&out);
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(
        xml.contains(r#"<testsuites name="mcp-probe" tests="4" skipped="1" failures="1""#),
        "{xml}"
    );

    let out = run(argv(&["check", &ok, &gateway, "--format", "tap"])).await;
    let tap = stdout(&out);
    let top: Vec<&str> = tap.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        top,
        [
            "TAP version 14".to_owned(),
            "1..2".to_owned(),
            format!("# Subtest: {ok}"),
            format!("ok 1 - {ok}"),
            format!("# Subtest: {gateway}"),
            format!("not ok 2 - {gateway}"),
        ]
    );
    assert!(tap.contains("\n    not ok 1 - handshake\n"), "{tap}");

    let out = run(argv(&["check", &ok, &gateway, "--format", "prometheus"])).await;
    let text = stdout(&out);
    assert_eq!(
        text.matches("# TYPE mcp_probe_success gauge").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(&format!("mcp_probe_success{{target=\"{ok}\"}} 1")),
        "{text}"
    );
    assert!(
        text.contains(&format!("mcp_probe_success{{target=\"{gateway}\"}} 0")),
        "{text}"
    );
    // Each metric's samples follow its own header.
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let mut unique = names.clone();
    unique.dedup();
    assert_eq!(names, unique, "{text}");
    let promtool = mcp_probe_testkit::prometheus_program("promtool");
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let checked = child.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_scenarios_and_one_scenario_for_several_urls() {
    let server = FixtureServer::start().await.unwrap();
    let dir = temp_dir("scenarios");
    let (add, echo) = (dir.join("add.yaml"), dir.join("echo.yaml"));
    let url = server.url(Mode::Json);
    std::fs::write(
        &add,
        format!(
            "target: {{url: \"{url}\"}}\nsteps:\n  - step: callTool\n    name: add\n    arguments: {{a: 2, b: 3}}\n    expect: {{textEquals: \"5\"}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &echo,
        "steps:\n  - step: callTool\n    name: echo\n    arguments: {text: hi}\n    expect: {textEquals: nope}\n",
    )
    .unwrap();
    let (add_s, echo_s) = (add.display().to_string(), echo.display().to_string());

    // Two scenarios against one URL: each its own report.
    let out = run(argv(&[
        "check",
        &url,
        "--scenario",
        &add_s,
        "--scenario",
        &echo_s,
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(9),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["ok"], true);
    assert_eq!(reports[1]["failure"]["code"], "expectation_failed");

    // One scenario, two URLs: the scenario runs against each.
    let other = server.url(Mode::Sse);
    let out = run(argv(&[
        "check",
        &url,
        &other,
        "--scenario",
        &add_s,
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[1]["target"], other.as_str());
    let call = reports[1]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "tools/call")
        .unwrap();
    assert_eq!(call["result"]["text"], "5");

    let out = run(argv(&[
        "check",
        &url,
        &other,
        "--scenario",
        &add_s,
        "--scenario",
        &echo_s,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "mcp-probe: give several URLs or several --scenario files, not both\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matrix_prints_a_table_and_keeps_the_verdict() {
    let server = FixtureServer::start().await.unwrap();
    let out = run(argv(&["check", &server.url(Mode::Json), "--matrix"])).await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let table: Vec<String> = text
        .lines()
        .skip_while(|l| *l != "  matrix:")
        .skip(2)
        .take(6)
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        table,
        [
            "streamable-http modern 2026-07-28",
            "streamable-http handshake 2025-11-25",
            "streamable-http handshake 2025-06-18",
            "streamable-http handshake 2025-03-26",
            "sse handshake 2024-11-05",
            "3 of 5",
        ]
    );
    assert!(
        text.contains("  FAIL at handshake (protocol_version): server/discover:"),
        "{text}"
    );
    let out = run(argv(&[
        "check",
        &server.url(Mode::Json),
        "--matrix",
        "--protocol-version",
        "2025-06-18",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
}
