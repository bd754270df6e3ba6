//! stdio through the public API: a healthy child, the failures a child can cause, and no
//! child outliving its probe.

#![allow(clippy::unwrap_used)]

mod peers;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mcp_probe_core::{check, CommandSpec, FailureCode, Scenario, TransportKind};
use serde_json::json;

fn fixture(mode: &str) -> CommandSpec {
    let bin = peers::workspace_binary("mcp-probe-testkit", "bin", "mcp-probe-stdio-fixture");
    CommandSpec::new(bin.to_string_lossy(), [mode])
}

fn process_exists(pid: u32) -> bool {
    PathBuf::from(format!("/proc/{pid}")).exists()
}

/// Waits (bounded) until the process is gone; true if it is.
fn gone_within(pid: u32, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if !process_exists(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !process_exists(pid)
}

#[tokio::test]
async fn a_healthy_child_is_probed_and_reaped() {
    let report = check(
        &Scenario::for_command(fixture("healthy"))
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5"),
    )
    .await
    .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.transport, TransportKind::Stdio);
    assert!(report.target.starts_with("stdio:"), "{}", report.target);
    assert_eq!(
        report.session.closed.as_ref().map(|c| c.as_str()),
        Some("exited (code 0)")
    );
    assert!(report
        .stderr
        .as_deref()
        .unwrap_or_default()
        .contains("mcp-probe-stdio-fixture"));
}

#[tokio::test]
async fn a_child_that_exits_early_is_a_clear_failure() {
    let report = check(&Scenario::for_command(fixture("exit_early")))
        .await
        .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::ConnectionReset, "{}", f.message);
    assert_eq!(f.step.as_deref(), Some("handshake"));
    assert_eq!(f.details["exitCode"], 3);
    assert!(f.message.contains("configuration missing"), "{}", f.message);
}

#[tokio::test]
async fn a_child_printing_non_json_is_not_mcp() {
    let report = check(&Scenario::for_command(fixture("garbage")))
        .await
        .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::NotMcp, "{}", f.message);
    assert!(f.details["lineSnippet"]
        .as_str()
        .unwrap()
        .contains("Starting fixture"));
}

#[tokio::test]
async fn a_program_that_does_not_exist_fails_the_handshake() {
    let report = check(&Scenario::for_command(CommandSpec::new(
        "/nonexistent/mcp-server",
        ["--x"],
    )))
    .await
    .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Connect);
    assert_eq!(f.step.as_deref(), Some("handshake"));
    assert_eq!(report.steps[1].status, mcp_probe_core::StepStatus::Skip);
}

#[tokio::test]
async fn no_child_outlives_a_probe_that_timed_out() {
    let dir = std::env::temp_dir().join(format!("mcp-probe-stdio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for mode in ["hang", "ignore_stdin_eof"] {
        let pidfile = dir.join(format!("{mode}.pid"));
        let mut command = fixture(mode);
        command.env.insert(
            "MCP_PROBE_FIXTURE_PIDFILE".into(),
            pidfile.to_string_lossy().into_owned(),
        );
        let timeout = Duration::from_millis(1500);
        let started = Instant::now();
        let scenario = if mode == "hang" {
            Scenario::for_command(command).timeout(timeout)
        } else {
            // Answers while stdin is open, so the step that times out must be made to: ask
            // for a tool call that never gets a chance, by giving the whole probe little time.
            Scenario::for_command(command).timeout(timeout)
        };
        let report = check(&scenario).await.unwrap();
        let took = started.elapsed();
        if mode == "hang" {
            assert_eq!(report.failure.as_ref().unwrap().code, FailureCode::Timeout);
        }
        assert!(
            took < timeout + Duration::from_millis(1500),
            "{mode} took {took:?}"
        );
        let pid: u32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(
            gone_within(pid, Duration::from_secs(3)),
            "{mode}: process {pid} outlived the probe ({:?})",
            report.session.closed
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether the process is gone or only a zombie waiting for its new parent to reap it.
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S …`: the state follows the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// A server started through a wrapper (`sh -c '…; :'` forks rather than execs, as `npx` and
/// `uv run` do) ends with the probe, grandchildren included, even one that ignores end of input
/// and SIGTERM: the whole process group is signalled.
#[tokio::test]
async fn a_wrapped_server_and_its_children_end_with_the_probe() {
    let dir = std::env::temp_dir().join(format!("mcp-probe-wrapped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = peers::workspace_binary("mcp-probe-testkit", "bin", "mcp-probe-stdio-fixture");
    for (mode, closed) in [
        ("healthy", "exited (code 0)"),
        (
            "ignore_stdin_eof",
            "terminated; its remaining processes were killed",
        ),
    ] {
        let pidfile = dir.join(format!("{mode}.pid"));
        let script = format!("'{}' {mode}; :", bin.display());
        let mut command = CommandSpec::new("sh", ["-c", script.as_str()]);
        command.env.insert(
            "MCP_PROBE_FIXTURE_PIDFILE".into(),
            pidfile.to_string_lossy().into_owned(),
        );
        let report = check(&Scenario::for_command(command).timeout(Duration::from_secs(4)))
            .await
            .unwrap();
        assert!(report.ok, "{mode}: {}", report.to_json_pretty());
        assert_eq!(
            report.session.closed.as_ref().map(|c| c.as_str()),
            Some(closed),
            "{mode}"
        );
        let pid: u32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Checked at once, not after a grace period: the probe waited for the group to end.
        assert!(
            ended(pid),
            "{mode}: the wrapped server {pid} outlived the probe ({:?})",
            report.session.closed
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
