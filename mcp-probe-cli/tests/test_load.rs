//! `mcp-probe load` against the fixture server: probe counts follow the plan (not the clock),
//! errors are counted by code, thresholds (command line or scenario) set the exit code, reused
//! sessions handshake once each (counted by the server), the metrics endpoint serves the
//! running load, and an interrupt still prints what was measured.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};

use mcp_probe_testkit::{FixtureServer, Mode, Received};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
}

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || bin().args(&args).output().expect("the binary runs"))
        .await
        .expect("the blocking task ran")
}

fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn step<'a>(results: &'a Value, name: &str) -> &'a Value {
    results["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {results}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_starts_every_due_probe_and_measures_each_step() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let out = run(argv(&[
        "load",
        &url,
        "--tool",
        "add",
        "--args",
        r#"{"a":2,"b":3}"#,
        "--expect-text",
        "5",
        "--rate",
        "50/s",
        "--duration",
        "1s",
        "--max-probes",
        "1000",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    // 50/s for 1 s: probes are due at 0, 20 ms, …, 980 ms.
    assert_eq!(r["probes"], 50, "{r}");
    assert_eq!(r["failed"], 0);
    assert_eq!(r["model"], "open");
    assert_eq!(r["rate"], 50.0);
    for name in ["probe", "handshake", "tools/list", "tools/call"] {
        let s = step(&r, name);
        assert_eq!(s["count"], 50, "{name}");
        assert!(s["p50Ms"].as_f64().unwrap() > 0.0, "{s}");
        assert!(s["p50Ms"].as_f64() <= s["p99Ms"].as_f64(), "{s}");
        assert!(s["p99Ms"].as_f64() <= s["maxMs"].as_f64(), "{s}");
    }
    // The server saw every call.
    let calls = server
        .log()
        .iter()
        .filter(|r| r.rpc_method.as_deref() == Some("tools/call"))
        .count();
    assert_eq!(calls, 50);
    assert!(r["thresholds"]["held"].as_bool().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_cap_ends_the_run_in_both_models() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    for model in [["--rate", "1000/s"], ["--clients", "3"]] {
        let out = run(argv(
            &[
                &["load", url.as_str()][..],
                &model[..],
                &[
                    "--duration",
                    "10m",
                    "--max-probes",
                    "25",
                    "--format",
                    "json",
                ],
            ]
            .concat(),
        ))
        .await;
        assert_eq!(out.status.code(), Some(0), "{model:?}");
        assert_eq!(json(&out)["probes"], 25, "{model:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_counted_by_code_and_thresholds_set_the_exit_code() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::ToolIsError);
    let base = [
        "load",
        url.as_str(),
        "--tool",
        "add",
        "--clients",
        "2",
        "--duration",
        "10m",
        "--max-probes",
        "10",
    ];
    let out = run(argv(&[&base[..], &["--format", "json"]].concat())).await;
    // Without thresholds, failures are measured, not judged.
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["failed"], 10);
    assert_eq!(r["errorRate"], 1.0);
    assert_eq!(
        step(&r, "probe")["errorsByCode"],
        serde_json::json!({"tool_error": 10})
    );
    assert_eq!(step(&r, "tools/call")["errors"], 10);
    assert_eq!(step(&r, "handshake")["errors"], 0);

    let out = run(argv(&[&base[..], &["--max-error-rate", "1%"]].concat())).await;
    assert_eq!(out.status.code(), Some(11));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("    tool_error: 10\n"), "{text}");
    assert!(
        text.ends_with("FAIL: error rate 100.00% is above 1.00%\n"),
        "{text}"
    );

    let out = run(argv(&[&base[..], &["--max-error-rate", "100%"]].concat())).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .ends_with("OK: the thresholds held\n"));

    let ok = server.url(Mode::Json);
    let out = run(argv(&[
        "load",
        &ok,
        "--clients",
        "1",
        "--duration",
        "10m",
        "--max-probes",
        "5",
        "--max-p99",
        "1us",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(11));
    let broken = &json(&out)["thresholds"]["broken"][0];
    assert!(
        broken.as_str().unwrap().contains("is above 0.0 ms"),
        "{broken}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_mistakes_exit_2() {
    for (args, message) in [
        (
            vec![
                "load",
                "http://127.0.0.1:9/mcp",
                "--rate",
                "5",
                "--max-probes",
                "5",
            ],
            "--duration",
        ),
        (
            vec![
                "load",
                "http://127.0.0.1:9/mcp",
                "--rate",
                "5",
                "--duration",
                "1s",
            ],
            "--max-probes",
        ),
        (
            vec![
                "load",
                "http://127.0.0.1:9/mcp",
                "--rate",
                "5",
                "--clients",
                "2",
                "--duration",
                "1s",
                "--max-probes",
                "5",
            ],
            "cannot be used with",
        ),
        (
            vec![
                "load",
                "--rate",
                "5",
                "--duration",
                "1s",
                "--max-probes",
                "5",
            ],
            "load needs a target named explicitly",
        ),
        (
            vec![
                "load",
                "http://127.0.0.1:9/mcp",
                "--rate",
                "0/s",
                "--duration",
                "1s",
                "--max-probes",
                "5",
            ],
            "the rate must be more than 0",
        ),
    ] {
        let out = run(argv(&args)).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

fn count(log: &[Received], method: &str) -> usize {
    log.iter()
        .filter(|r| r.rpc_method.as_deref() == Some(method))
        .count()
}

fn deletes(log: &[Received]) -> usize {
    log.iter().filter(|r| r.http_method == "DELETE").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_sessions_handshake_once_per_client() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let out = run(argv(&[
        "load",
        &url,
        "--tool",
        "add",
        "--args",
        r#"{"a":2,"b":3}"#,
        "--expect-text",
        "5",
        "--clients",
        "3",
        "--sessions",
        "reuse",
        "--duration",
        "10m",
        "--max-probes",
        "30",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["sessions"], "reuse");
    assert_eq!(r["probes"], 30, "{r}");
    assert_eq!(r["failed"], 0, "{r}");
    assert_eq!(r["sessionsOpened"], 3, "{r}");
    assert_eq!(step(&r, "handshake")["count"], 3);
    for name in ["probe", "tools/list", "tools/call"] {
        assert_eq!(step(&r, name)["count"], 30, "{name}");
    }
    let log = server.log();
    assert_eq!(count(&log, "initialize"), 3);
    assert_eq!(count(&log, "tools/call"), 30);
    // Every client closed its session at the end.
    assert_eq!(deletes(&log), 3);
    assert_eq!(server.live_sessions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_reuses_at_most_one_session_per_slot() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let out = run(argv(&[
        "load",
        &url,
        "--rate",
        "100/s",
        "--duration",
        "1s",
        "--max-in-flight",
        "2",
        "--sessions",
        "reuse",
        "--max-probes",
        "1000",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    // How many of the 100 arrivals start within the second depends on the machine's load
    // (a busy slot makes an arrival wait); what is counted must match what the server saw.
    let probes = r["probes"].as_u64().unwrap();
    assert!((1..=100).contains(&probes), "{r}");
    assert_eq!(r["failed"], 0, "{r}");
    let log = server.log();
    let opened = count(&log, "initialize");
    assert!((1..=2).contains(&opened), "{opened} sessions");
    assert_eq!(r["sessionsOpened"], opened);
    assert_eq!(step(&r, "handshake")["count"], opened);
    assert_eq!(step(&r, "tools/list")["count"], probes);
    assert_eq!(count(&log, "tools/list") as u64, probes);
    assert_eq!(deletes(&log), opened);
    assert_eq!(server.live_sessions(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_session_that_fails_is_counted_and_replaced() {
    let server = FixtureServer::start().await.unwrap();
    // The first tools/list of a session gets 404; the session opened after that works.
    let url = server.url(Mode::SessionExpireOnce);
    let out = run(argv(&[
        "load",
        &url,
        "--clients",
        "1",
        "--sessions",
        "reuse",
        "--duration",
        "10m",
        "--max-probes",
        "5",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["probes"], 5, "{r}");
    assert_eq!(r["failed"], 1, "{r}");
    assert_eq!(
        step(&r, "probe")["errorsByCode"],
        serde_json::json!({"session_expired": 1})
    );
    assert_eq!(
        step(&r, "tools/list")["errorsByCode"],
        serde_json::json!({"session_expired": 1})
    );
    assert_eq!(r["sessionsOpened"], 2);
    assert_eq!(step(&r, "handshake")["count"], 2);
    let log = server.log();
    assert_eq!(count(&log, "initialize"), 2);
    assert_eq!(count(&log, "tools/list"), 5);
    assert_eq!(deletes(&log), 2);

    // A session that cannot be opened fails the probe that needed it, by its code, and the
    // next probe tries again.
    let url = server.url(Mode::BadGateway);
    let out = run(argv(&[
        "load",
        &url,
        "--clients",
        "1",
        "--sessions",
        "reuse",
        "--duration",
        "10m",
        "--max-probes",
        "4",
        "--format",
        "json",
    ]))
    .await;
    let r = json(&out);
    assert_eq!(r["probes"], 4, "{r}");
    assert_eq!(r["failed"], 4, "{r}");
    assert_eq!(r["sessionsOpened"], 4);
    assert_eq!(
        step(&r, "handshake")["errorsByCode"],
        serde_json::json!({"http_status": 4})
    );
    assert!(r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["name"] != "tools/list"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thresholds_in_the_scenario_set_the_exit_code_unless_the_command_line_says_otherwise() {
    let server = FixtureServer::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("mcp-probe-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("load.yaml");
    std::fs::write(
        &scenario,
        format!(
            "target: {{url: \"{}\"}}\nload: {{maxErrorRate: 1%, maxP99: 10m}}\nsteps:\n  - step: callTool\n    name: add\n",
            server.url(Mode::ToolIsError)
        ),
    )
    .unwrap();
    let scenario = scenario.to_str().unwrap().to_owned();
    let base = [
        "load",
        "--scenario",
        scenario.as_str(),
        "--clients",
        "2",
        "--sessions",
        "reuse",
        "--duration",
        "10m",
        "--max-probes",
        "6",
    ];
    let out = run(argv(&base)).await;
    assert_eq!(out.status.code(), Some(11));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("    tool_error: 6\n"), "{text}");
    assert!(
        text.ends_with("FAIL: error rate 100.00% is above 1.00%\n"),
        "{text}"
    );
    // A tool's error leaves the session usable: one handshake per client.
    assert!(text.contains("  2 sessions opened"), "{text}");

    let out = run(argv(
        &[&base[..], &["--max-error-rate", "100%", "--format", "json"]].concat(),
    ))
    .await;
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["thresholds"]["maxErrorRate"], 1.0);
    // The scenario's p99 threshold still applies (and holds).
    assert_eq!(r["thresholds"]["maxP99Ms"], 600_000.0);

    std::fs::write(dir.join("bad.yaml"), "load: {maxErrorRate: 150%}\n").unwrap();
    let bad = dir.join("bad.yaml");
    let out = run(argv(&[
        "load",
        "--scenario",
        bad.to_str().unwrap(),
        &server.url(Mode::Json),
        "--clients",
        "1",
        "--duration",
        "1s",
        "--max-probes",
        "1",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("between 0% and 100%"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// GET `path` from `addr` over plain HTTP/1.0; the body.
fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (_, body) = response.split_once("\r\n\r\n").unwrap();
    body.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metrics_endpoint_serves_the_running_load_and_an_interrupt_prints_it() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let mut child = bin()
        .args([
            "load",
            &url,
            "--rate",
            "20/s",
            "--duration",
            "10m",
            "--max-probes",
            "100000",
            "--prometheus-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // The reader is kept (and so the pipe open) until the end: the CLI writes to stderr again.
    let (addr, mut stderr) = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("mcp-probe: metrics at http://")
            .and_then(|l| l.strip_suffix("/metrics"))
            .unwrap_or_else(|| panic!("{line}"))
            .to_owned();
        (addr, stderr)
    })
    .await
    .unwrap();
    // Scrape until a probe has ended (bounded: 20 probes/s are due).
    let mut body = String::new();
    for _ in 0..200 {
        let a = addr.clone();
        body = tokio::task::spawn_blocking(move || get(&a, "/metrics"))
            .await
            .unwrap();
        if !body.contains("result=\"ok\"} 0") && body.contains("result=\"ok\"}") {
            break;
        }
        tokio::task::yield_now().await;
    }
    let target = format!("target=\"{url}\"");
    assert!(
        body.contains("# TYPE mcp_probe_load_probes counter"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "mcp_probe_load_probes_total{{{target},result=\"ok\"}}"
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "mcp_probe_load_step_duration_seconds{{{target},step=\"probe\",quantile=\"0.99\"}}"
        )),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "mcp_probe_load_sessions_opened_total{{{target}}} 0"
        )),
        "{body}"
    );
    interrupt(child.id());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(out.status.code(), Some(130), "{rest}");
    assert_eq!(
        rest,
        "mcp-probe: interrupted by SIGINT; the probe was stopped\n"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!("mcp-probe load {url}\n")),
        "{text}"
    );
    assert!(text.contains("  probe "), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupt_closes_every_reused_session() {
    let server = FixtureServer::start().await.unwrap();
    let url = server.url(Mode::Json);
    let child = bin()
        .args([
            "load",
            &url,
            "--clients",
            "4",
            "--sessions",
            "reuse",
            "--duration",
            "10m",
            "--max-probes",
            "100000000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded: 10 s) until every client has its session and runs steps over it. The
    // server logs an `initialize` before it opens the session, so the live count is waited
    // for too (a loaded machine once showed 3 of 4 sessions open).
    for _ in 0..10_000 {
        let log = server.log();
        if count(&log, "initialize") == 4
            && count(&log, "tools/list") >= 8
            && server.live_sessions() == 4
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    assert_eq!(server.live_sessions(), 4);
    interrupt(child.id());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(130));
    let log = server.log();
    assert_eq!(count(&log, "initialize"), 4);
    assert_eq!(deletes(&log), 4);
    assert_eq!(server.live_sessions(), 0);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("  4 sessions opened"), "{text}");
}

/// Sends SIGINT to `pid`.
fn interrupt(pid: u32) {
    let status = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
