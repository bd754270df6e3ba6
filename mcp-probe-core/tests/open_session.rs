//! `Prober::open`: one handshake, then the steps after it run again and again over the same
//! session; a session the server forgot fails the run with `session_expired`; closing sends
//! the DELETE (or stops the stdio server).

#![allow(clippy::unwrap_used)]

mod peers;

use std::time::Duration;

use mcp_probe_core::{CommandSpec, FailureCode, Prober, Scenario, StepStatus, TransportKind};
use mcp_probe_testkit::{FixtureServer, Mode, Received};
use serde_json::json;

fn count(log: &[Received], method: &str) -> usize {
    log.iter()
        .filter(|r| r.rpc_method.as_deref() == Some(method))
        .count()
}

fn deletes(log: &[Received]) -> usize {
    log.iter().filter(|r| r.http_method == "DELETE").count()
}

fn adding(url: String) -> Scenario {
    Scenario::for_url(url)
        .call_tool("add", json!({"a": 2, "b": 3}))
        .expect_text("5")
        .timeout(Duration::from_secs(10))
}

#[tokio::test]
async fn one_handshake_serves_every_run_and_close_deletes_the_session() {
    let server = FixtureServer::start().await.unwrap();
    let prober = Prober::new();
    let mut session = prober
        .open(&adding(server.url(Mode::Json)))
        .await
        .unwrap()
        .unwrap();
    let opening = session.opening();
    assert!(opening.ok, "{}", opening.to_json_pretty());
    assert_eq!(
        opening
            .steps
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["handshake"]
    );
    assert!(opening.session.issued);
    assert!(opening.session.closed.is_none());
    for _ in 0..5 {
        let run = session.run_steps().await.unwrap();
        assert!(run.ok, "{}", run.to_json_pretty());
        assert_eq!(
            run.steps
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            ["tools/list", "tools/call"]
        );
        assert!(run.steps.iter().all(|s| s.status == StepStatus::Pass));
        assert_eq!(run.steps[1].result.as_ref().unwrap().text, "5");
        assert_eq!(run.protocol_version.as_deref(), Some("2025-11-25"));
        assert!(session.is_usable());
    }
    let log = server.log();
    assert_eq!(count(&log, "initialize"), 1);
    assert_eq!(count(&log, "notifications/initialized"), 1);
    assert_eq!(count(&log, "tools/list"), 5);
    assert_eq!(count(&log, "tools/call"), 5);
    // Every request after the handshake carried the one session id.
    let ids: std::collections::BTreeSet<_> = log
        .iter()
        .filter_map(|r| r.header("mcp-session-id"))
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(deletes(&log), 0);
    assert_eq!(server.live_sessions(), 1);

    let closed = session.close().await;
    assert_eq!(
        closed.map(|c| c.as_str().to_owned()).as_deref(),
        Some("deleted")
    );
    assert_eq!(deletes(&server.log()), 1);
    assert_eq!(server.live_sessions(), 0);
}

#[tokio::test]
async fn a_forgotten_session_fails_the_run_with_session_expired() {
    let server = FixtureServer::start().await.unwrap();
    let mut session = Prober::new()
        .open(&adding(server.url(Mode::Json)))
        .await
        .unwrap()
        .unwrap();
    assert!(session.run_steps().await.unwrap().ok);
    assert_eq!(server.expire_sessions(), 1);
    let run = session.run_steps().await.unwrap();
    assert!(!run.ok);
    let failure = run.failure.as_ref().unwrap();
    assert_eq!(failure.code, FailureCode::SessionExpired, "{failure:?}");
    assert_eq!(failure.step.as_deref(), Some("tools/list"));
    assert_eq!(run.steps[0].status, StepStatus::Fail);
    assert_eq!(run.steps[1].status, StepStatus::Skip);
    assert!(!session.is_usable());
    // Not re-initialized behind the caller's back.
    assert_eq!(count(&server.log(), "initialize"), 1);
    assert_eq!(run.session.reinitialized, 0);
    let closed = session.close().await;
    assert_eq!(
        closed.map(|c| c.as_str().to_owned()).as_deref(),
        Some("already_gone")
    );
}

#[tokio::test]
async fn a_tool_error_leaves_the_session_usable() {
    let server = FixtureServer::start().await.unwrap();
    let mut session = Prober::new()
        .open(&Scenario::for_url(server.url(Mode::ToolIsError)).call_tool("add", json!({})))
        .await
        .unwrap()
        .unwrap();
    for _ in 0..3 {
        let run = session.run_steps().await.unwrap();
        assert_eq!(run.failure.unwrap().code, FailureCode::ToolError);
        assert!(session.is_usable());
    }
    assert_eq!(count(&server.log(), "initialize"), 1);
    session.close().await;
}

#[tokio::test]
async fn a_handshake_that_fails_is_reported_and_nothing_stays_open() {
    let server = FixtureServer::start().await.unwrap();
    let opened = Prober::new()
        .open(&adding(server.url(Mode::BadGateway)))
        .await
        .unwrap();
    let report = opened.unwrap_err();
    assert!(!report.ok);
    let failure = report.failure.unwrap();
    assert_eq!(failure.code, FailureCode::HttpStatus);
    assert_eq!(failure.step.as_deref(), Some("handshake"));
    assert_eq!(
        report
            .steps
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["handshake"]
    );
    // A caller's mistake is still an error.
    assert!(Prober::new().open(&Scenario::new()).await.is_err());
}

#[tokio::test]
async fn a_stdio_server_is_started_once_and_stopped_at_close() {
    let bin = peers::workspace_binary("mcp-probe-testkit", "bin", "mcp-probe-stdio-fixture");
    let scenario = Scenario::for_command(CommandSpec::new(bin.to_string_lossy(), ["healthy"]))
        .call_tool("add", json!({"a": 2, "b": 3}))
        .expect_text("5")
        .timeout(Duration::from_secs(10));
    let mut session = Prober::new().open(&scenario).await.unwrap().unwrap();
    assert_eq!(session.opening().transport, TransportKind::Stdio);
    for _ in 0..3 {
        let run = session.run_steps().await.unwrap();
        assert!(run.ok, "{}", run.to_json_pretty());
        assert_eq!(run.transport, TransportKind::Stdio);
        assert!(run.session.closed.is_none());
    }
    let closed = session.close().await.unwrap();
    assert_eq!(closed.as_str(), "exited (code 0)");
}

#[tokio::test]
async fn the_modern_era_discovers_once_and_the_legacy_transport_keeps_its_stream() {
    let server = FixtureServer::start().await.unwrap();
    let mut session = Prober::new()
        .open(&adding(server.url(Mode::Modern)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.opening().era, Some(mcp_probe_core::Era::Modern));
    for _ in 0..3 {
        let run = session.run_steps().await.unwrap();
        assert!(run.ok, "{}", run.to_json_pretty());
        assert_eq!(run.era, Some(mcp_probe_core::Era::Modern));
    }
    session.close().await;
    let log = server.log();
    assert_eq!(count(&log, "server/discover"), 1);
    assert_eq!(count(&log, "tools/call"), 3);

    let mut session = Prober::new()
        .open(&adding(server.url(Mode::Legacy)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.opening().transport, TransportKind::Sse);
    for _ in 0..3 {
        let run = session.run_steps().await.unwrap();
        assert!(run.ok, "{}", run.to_json_pretty());
    }
    let log = server.log();
    let legacy: Vec<_> = log.iter().filter(|r| r.mode == Mode::Legacy).collect();
    assert_eq!(
        legacy
            .iter()
            .filter(|r| r.rpc_method.as_deref() == Some("initialize"))
            .count(),
        1
    );
    // One event stream for the whole session.
    assert_eq!(legacy.iter().filter(|r| r.http_method == "GET").count(), 1);
    assert_eq!(
        session
            .close()
            .await
            .map(|c| c.as_str().to_owned())
            .as_deref(),
        Some("closed")
    );
}
