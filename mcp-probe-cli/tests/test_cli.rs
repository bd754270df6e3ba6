//! The `mcp-probe` binary: exit codes per failure family, output formats, usage errors.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
}

/// Runs the CLI off the async runtime so the in-process fixture keeps serving.
async fn run(args: Vec<String>) -> (Output, Duration) {
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let out = bin().args(&args).output().expect("the binary runs");
        (out, started.elapsed())
    })
    .await
    .expect("the blocking task ran")
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_json_report_and_exit_zero() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let (out, _) = run(args(&[
        "check",
        &url,
        "--tool",
        "add",
        "--args",
        r#"{"a":2,"b":3}"#,
        "--expect-text",
        "5",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("stdout is the JSON report");
    assert_eq!(report["ok"], true);
    assert_eq!(report["protocolVersion"], "2025-11-25");
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert!(steps.iter().all(|s| s["status"] == "pass"));
    assert_eq!(steps[2]["result"]["text"], "5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_output_names_each_step_and_the_verdict() {
    let server = FixtureServer::start().await.unwrap();
    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::Json),
        "--tool",
        "echo",
        "--args",
        r#"{"text":"hi"}"#,
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    // Each step's line is followed by its timings line.
    assert_eq!(text.matches("       timings: ").count(), 3, "{text}");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("timings: "))
        .collect();
    assert!(
        lines[1].trim_start().starts_with("PASS handshake"),
        "{text}"
    );
    assert!(lines[1].contains("protocol 2025-11-25"), "{text}");
    assert!(
        lines[2].trim_start().starts_with("PASS tools/list"),
        "{text}"
    );
    assert!(lines[2].contains("3 tools: add, echo, fail"), "{text}");
    assert!(lines[3].contains("echo → \"hi\""), "{text}");
    assert!(lines[4].starts_with("OK: healthy"), "{text}");

    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::ToolIsError),
        "--tool",
        "add",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(9));
    let text = stdout(&out);
    assert!(text.contains("FAIL tools/call"), "{text}");
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("FAIL at tools/call (tool_error): "),
        "{text}"
    );
    assert!(text.contains("database connection refused"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_failure_family_has_its_exit_code() {
    let server = FixtureServer::start().await.unwrap();
    let cases: &[(Mode, i32, &str, &str)] = &[
        (Mode::BadGateway, 6, "handshake", "http_status"),
        (Mode::Html, 8, "handshake", "not_mcp"),
        (Mode::Unauthorized, 7, "handshake", "auth_required"),
        (Mode::InvalidJson, 8, "handshake", "malformed"),
        (Mode::ToolIsError, 9, "tools/call", "tool_error"),
        (Mode::OldVersion, 8, "handshake", "protocol_version"),
    ];
    for (mode, code, step, failure) in cases {
        let (out, _) = run(args(&[
            "check",
            &server.url(*mode),
            "--tool",
            "add",
            "--args",
            r#"{"a":1,"b":1}"#,
            "--format",
            "json",
        ]))
        .await;
        assert_eq!(out.status.code(), Some(*code), "{mode:?}: {}", stdout(&out));
        let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(report["failure"]["step"], *step, "{mode:?}");
        assert_eq!(report["failure"]["code"], *failure, "{mode:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_server_exits_4_within_the_timeout() {
    let server = FixtureServer::start().await.unwrap();
    let (out, took) = run(args(&["check", &server.url(Mode::Hang), "--timeout", "1s"])).await;
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("FAIL at handshake (timeout)"),
        "{}",
        stdout(&out)
    );
    // Process start-up included; generous so a loaded machine does not flake.
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

/// `--wait-until-ready` repeats the probe: the report counts the attempts, the exit code is the
/// last attempt's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_until_ready_repeats_the_probe() {
    let server = FixtureServer::start().await.unwrap();
    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::ReadyAfter),
        "--wait-until-ready",
        "60s",
        "--timeout",
        "5s",
        "--format",
        "text",
    ]))
    .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("  ready after "), "{text}");
    assert!(text.contains("OK: healthy"), "{text}");

    let (out, took) = run(args(&[
        "check",
        &server.url(Mode::BadGateway),
        "--wait-until-ready",
        "1s",
        "--timeout",
        "2s",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(6), "{}", stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(report["attempts"].as_u64().unwrap() >= 2, "{report:#}");
    assert_eq!(report["failure"]["code"], "http_status");
    assert!(took < Duration::from_secs(6), "took {took:?}");

    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::BadGateway),
        "--wait-until-ready",
        "300ms",
        "--format",
        "text",
    ]))
    .await;
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(6), "{text}");
    assert!(
        text.contains("  not ready after ") && text.contains("(first failure: http_status at "),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_exits_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let (out, _) = run(args(&[
        "check",
        &format!("http://127.0.0.1:{port}/mcp"),
        "--quiet",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("connect_refused"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_success_prints_nothing() {
    let server = FixtureServer::start().await.unwrap();
    let (out, _) = run(args(&["check", &server.url(Mode::Json), "-q"])).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).is_empty() && stderr(&out).is_empty());
}

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    let cases: &[&[&str]] = &[
        &["check"],
        &["check", "not a url"],
        &["check", "ftp://example.com/"],
        &[
            "check",
            "http://127.0.0.1:9/mcp",
            "--tool",
            "add",
            "--args",
            "{oops",
        ],
        &[
            "check",
            "http://127.0.0.1:9/mcp",
            "--tool",
            "add",
            "--args",
            "[1]",
        ],
        &["check", "http://127.0.0.1:9/mcp", "--frobnicate"],
        &["check", "http://127.0.0.1:9/mcp", "--timeout", "soon"],
        &["check", "http://127.0.0.1:9/mcp", "--header", "no-colon"],
        &[
            "check",
            "http://127.0.0.1:9/mcp",
            "--bearer-env",
            "MCP_PROBE_SURELY_UNSET_VAR",
        ],
        &[
            "check",
            "http://127.0.0.1:9/mcp",
            "--scenario",
            "/nonexistent/scenario.yaml",
        ],
        &["frobnicate"],
    ];
    for case in cases {
        let out = bin().args(*case).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{case:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{case:?}: {err}");
        assert!(err.starts_with("mcp-probe: "), "{case:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
        assert!(stdout(&out).is_empty(), "{case:?}");
    }
}

/// Every duration, count and file a user gives is checked: out of range or endless input is a
/// one-line usage error (exit 2), never a panic (exit 101) or exhausted memory.
#[test]
fn out_of_range_values_and_endless_files_are_usage_errors() {
    let url = "http://127.0.0.1:9/mcp";
    let huge = "18446744073709551615s";
    let cases: &[(&[&str], &str)] = &[
        (&["--timeout", huge], "at most 1day"),
        (&["--request-timeout", huge], "at most 1day"),
        (&["--connect-timeout", huge], "at most 1day"),
        (&["--timeout", "0s"], "greater than zero"),
        (
            &["--wait-until-ready", "0s"],
            "--wait-until-ready must be greater than zero",
        ),
        (
            &["--wait-until-ready", "25h"],
            "--wait-until-ready must be at most 1day",
        ),
        (&["--wait-until-ready", huge], "at most 1day"),
        (&["--max-body-bytes", "0"], "--max-body-bytes"),
        (&["--max-body-bytes", "99999999999999"], "--max-body-bytes"),
        (
            &["--max-sse-event-bytes", "18446744073709551615"],
            "--max-sse-event-bytes",
        ),
        (&["--cert-warn-days", "4294967295"], "--cert-warn-days"),
        (
            &["--scenario", "/dev/zero"],
            "larger than the limit of 4194304 bytes",
        ),
        (
            &["--bearer-file", "/dev/zero"],
            "larger than the limit of 65536 bytes",
        ),
        (
            &["--ca-cert", "/dev/zero"],
            "larger than the limit of 4194304 bytes",
        ),
    ];
    for (extra, needle) in cases {
        let mut argv = vec!["check", url];
        argv.extend_from_slice(extra);
        let out = bin().args(&argv).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{argv:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{argv:?}: {err}");
        assert!(err.contains(needle), "{argv:?}: {err}");
    }
    // A scenario document cannot set them either.
    let dir = std::env::temp_dir().join(format!("mcp-probe-ranges-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (doc, needle) in [
        (
            "timeouts: {total: 18446744073709551615}\n",
            "timeouts.total",
        ),
        ("limits: {maxPages: 4294967295}\n", "limits.maxPages"),
        (
            "target: {url: 'http://127.0.0.1:9/mcp', tls: {certFailDays: 99999999}}\n",
            "tls.certFailDays",
        ),
    ] {
        let path = dir.join("scenario.yaml");
        std::fs::write(&path, doc).unwrap();
        let out = bin()
            .args(["check", url, "--scenario", path.to_str().unwrap()])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{doc}: {err}");
        assert!(err.contains(needle), "{doc}: {err}");
    }
    let steps = format!(
        "steps:\n{}",
        "- step: listTools\n".repeat(mcp_probe_core::MAX_STEPS + 1)
    );
    let path = dir.join("steps.yaml");
    std::fs::write(&path, steps).unwrap();
    let out = bin()
        .args(["check", url, "--scenario", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("at most 1000 are allowed"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A mistyped `--header` or `--env` may be a bare secret: the error never repeats it.
#[test]
fn malformed_header_and_env_arguments_are_not_echoed() {
    let secret = "sk-live-canary-0042";
    let cases: Vec<Vec<String>> = vec![
        args(&["check", "http://127.0.0.1:9/mcp", "--header", secret]),
        args(&[
            "check",
            "http://127.0.0.1:9/mcp",
            "-H",
            &format!("X-Key={secret}"),
        ]),
        args(&["check", "--env", secret, "--stdio", "--", "true"]),
        args(&[
            "check",
            "--env",
            &format!("K {secret}"),
            "--stdio",
            "--",
            "true",
        ]),
        args(&[
            "check",
            "http://127.0.0.1:9/mcp",
            "--env",
            &format!("K={secret}"),
        ]),
    ];
    for case in cases {
        let out = bin().args(&case).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{case:?}");
        let printed = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!printed.contains(secret), "{case:?} printed {printed}");
    }
}

#[test]
fn help_and_version_exit_zero() {
    let out = bin().args(["check", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--expect-text"));
    assert!(stdout(&out).contains("Exit codes"));
    let out = bin().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("mcp-probe "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_file_runs_its_steps() {
    let server = FixtureServer::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("mcp-probe-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("scenario.yaml");
    std::fs::write(
        &file,
        format!(
            "target:\n  url: {}\ntimeouts: {{total: 5s}}\nsteps:\n  - step: listTools\n    expect: {{toolsPresent: [echo]}}\n  - step: callTool\n    name: echo\n    arguments: {{text: hello}}\n    expect: {{textContains: ell}}\n",
            server.url(Mode::Sse)
        ),
    )
    .unwrap();
    let (out, _) = run(args(&[
        "check",
        "--scenario",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["steps"][2]["result"]["text"], "hello");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn stdio_fixture() -> std::path::PathBuf {
    mcp_probe_testkit::stdio_fixture_bin()
}

#[test]
fn stdio_servers_are_probed_after_the_double_dash() {
    let fixture = stdio_fixture();
    let out = bin()
        .args([
            "check",
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
            "--expect-text",
            "5",
        ])
        .args(["--format", "json", "--stdio", "--"])
        .arg(&fixture)
        .arg("healthy")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["transport"], "stdio");
    assert_eq!(report["steps"][2]["result"]["text"], "5");

    let out = bin()
        .args(["check", "--stdio", "--"])
        .arg(&fixture)
        .arg("exit_early")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("FAIL at handshake (connection_reset)"),
        "{}",
        stdout(&out)
    );

    // `--stdio` without a command, and HTTP-only flags with it, are usage errors.
    for case in [
        &["check", "--stdio"][..],
        &["check", "--stdio", "--header", "A: b", "--", "x"][..],
    ] {
        let out = bin().args(case).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{case:?}");
        assert_eq!(
            stderr(&out).trim_end().lines().count(),
            1,
            "{}",
            stderr(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_and_protocol_can_be_pinned() {
    let server = FixtureServer::start().await.unwrap();
    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::Legacy),
        "--transport",
        "sse",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["transport"], "sse");

    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::Json),
        "--protocol",
        "modern",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(8), "{}", stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["failure"]["code"], "protocol_version");
    assert_eq!(report["negotiation"]["mode"], "pinned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_auth_lists_each_finding() {
    let server = FixtureServer::start().await.unwrap();
    let (out, _) = run(args(&["check", &server.url(Mode::AuthOk), "--check-auth"])).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    for check in [
        "challenge_status",
        "bearer_challenge",
        "resource_metadata",
        "authorization_servers",
        "resource_match",
        "as_metadata",
        "issuer_match",
        "pkce_s256",
    ] {
        assert!(text.contains(&format!("pass {check}: ")), "{check}: {text}");
    }
    let (out, _) = run(args(&[
        "check",
        &server.url(Mode::AuthIssuerMismatch),
        "--check-auth",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(7), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("fail issuer_match: "),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("FAIL at auth (auth_check)"),
        "{}",
        stdout(&out)
    );
}

/// SIGTERM (or Ctrl-C) stops the probe at once: the stdio server's whole process group ends
/// with it (the server runs in a group of its own, which a terminal's Ctrl-C does not reach),
/// and the exit code says which signal it was.
#[cfg(unix)]
#[test]
fn a_signal_stops_the_probe_and_its_stdio_server() {
    let dir = std::env::temp_dir().join(format!("mcp-probe-signal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let pidfile = dir.join(format!("{signal}.pid"));
        let script = format!("'{}' hang; :", stdio_fixture().display());
        let child = bin()
            .args([
                "check",
                "--timeout",
                "60s",
                "--env",
                &format!("MCP_PROBE_FIXTURE_PIDFILE={}", pidfile.display()),
                "--stdio",
                "--",
                "sh",
                "-c",
                &script,
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The server is up once it wrote its pid (bounded wait for that condition).
        let until = Instant::now() + Duration::from_secs(20);
        let server_pid: u32 = loop {
            if let Some(pid) = std::fs::read_to_string(&pidfile)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                break pid;
            }
            assert!(Instant::now() < until, "the stdio server never started");
            std::thread::sleep(Duration::from_millis(20));
        };
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("interrupted by SIG{signal}")),
            "{}",
            stderr(&out)
        );
        // The probe sent SIGKILL to the server's group as it stopped; the kernel ends the
        // processes when it next runs them (bounded wait for that).
        let ended = || {
            let stat =
                std::fs::read_to_string(format!("/proc/{server_pid}/stat")).unwrap_or_default();
            let state = stat
                .rsplit_once(')')
                .map(|(_, r)| r.trim_start().chars().next());
            matches!(state, None | Some(Some('Z')))
        };
        let until = Instant::now() + Duration::from_secs(5);
        while !ended() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            ended(),
            "SIG{signal}: the stdio server {server_pid} outlived the probe"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A server cannot drive the terminal: control characters in its name, tools and results are
/// printed as visible escapes, so it cannot clear the line and forge `OK: healthy`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_cannot_drive_the_terminal() {
    let server = FixtureServer::start().await.unwrap();
    for extra in [&["--format", "text"][..], &["--quiet"][..]] {
        let mut argv = args(&[
            "check",
            &server.url(Mode::ControlChars),
            "--tool",
            "add",
            "--args",
            r#"{"a":2,"b":3}"#,
            "--expect-text",
            "6",
        ]);
        argv.extend(args(extra));
        let (out, _) = run(argv).await;
        let printed = [out.stdout.clone(), out.stderr.clone()].concat();
        let text = String::from_utf8(printed).unwrap();
        for forbidden in ['\u{1b}', '\r', '\u{7}', '\u{9b}'] {
            assert!(
                !text.contains(forbidden),
                "{extra:?} printed {forbidden:?} raw: {text:?}"
            );
        }
        assert_eq!(out.status.code(), Some(9), "{text}");
        if extra[0] == "--quiet" {
            assert!(text.contains("\\u{1b}[2J5"), "{text}");
        } else {
            assert!(
                text.contains("server evil\\u{1b}[2K\\u{d}\\u{1b}[32mOK: healthy\\u{1b}[0m"),
                "{text}"
            );
            // The only verdict line is the probe's own.
            assert_eq!(
                text.lines().filter(|l| l.starts_with("OK: ")).count(),
                0,
                "{text}"
            );
            assert!(
                text.lines().any(|l| l.starts_with("FAIL at tools/call")),
                "{text}"
            );
        }
    }
}
