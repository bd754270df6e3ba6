//! Real servers over legacy HTTP+SSE and stdio: the Python SDK, the TypeScript reference
//! server and an rmcp server. Needs `interop/setup.sh` to have run.

#![allow(clippy::unwrap_used)]

mod peers;

use std::time::Duration;

use mcp_probe_core::{check, CommandSpec, Era, FailureCode, Report, Scenario, TransportKind};
use serde_json::json;

fn assert_ok(report: &Report, text: &str) {
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.steps[2].result.as_ref().unwrap().text, text);
}

async fn probe(scenario: Scenario) -> Report {
    check(&scenario.timeout(Duration::from_secs(20)))
        .await
        .unwrap()
}

#[tokio::test]
async fn python_sdk_legacy_sse() {
    let peer = peers::start_python_legacy_sse();
    let report =
        probe(Scenario::for_url(&peer.url).call_tool("add", json!({"a": 2, "b": 3}))).await;
    assert_ok(&report, "5");
    assert_eq!(report.transport, TransportKind::Sse);
    assert_eq!(report.protocol_version.as_deref(), Some("2024-11-05"));
    let report = probe(Scenario::for_url(&peer.url).call_tool("fail", json!({}))).await;
    assert_eq!(report.failure.unwrap().code, FailureCode::ToolError);
}

#[tokio::test]
async fn typescript_reference_server_legacy_sse() {
    let peer = peers::start_everything("sse");
    let report =
        probe(Scenario::for_url(&peer.url).call_tool("echo", json!({"message": "hi"}))).await;
    assert_ok(&report, "Echo: hi");
    assert_eq!(report.transport, TransportKind::Sse);
    assert_eq!(report.era, Some(Era::Handshake));
    assert_eq!(report.protocol_version.as_deref(), Some("2024-11-05"));
}

#[tokio::test]
async fn python_sdk_stdio() {
    let (program, args) = peers::python_stdio_command();
    let report = probe(
        Scenario::for_command(CommandSpec::new(program, args))
            .call_tool("add", json!({"a": 2, "b": 3})),
    )
    .await;
    assert_ok(&report, "5");
    assert_eq!(report.transport, TransportKind::Stdio);
    // Python's stdio server may take longer than the grace period to exit on EOF; it is
    // then terminated. Either way the child is gone.
    let closed = report.session.closed.as_ref().map(|c| c.as_str()).unwrap();
    assert!(
        closed.starts_with("exited") || closed == "terminated",
        "{closed}"
    );
}

#[tokio::test]
async fn typescript_reference_server_stdio() {
    let (program, args) = peers::everything_stdio_command();
    let report = probe(
        Scenario::for_command(CommandSpec::new(program, args))
            .call_tool("echo", json!({"message": "hi"})),
    )
    .await;
    assert_ok(&report, "Echo: hi");
    assert_eq!(report.era, Some(Era::Handshake));
}

#[tokio::test]
async fn rmcp_stdio() {
    let bin = peers::workspace_binary("mcp-probe-core", "example", "rmcp_stdio_server");
    let report = probe(
        Scenario::for_command(CommandSpec::new(
            bin.to_string_lossy(),
            Vec::<String>::new(),
        ))
        .call_tool("add", json!({"a": 2, "b": 3})),
    )
    .await;
    assert_ok(&report, "5");
    let report = probe(
        Scenario::for_command(CommandSpec::new(
            bin.to_string_lossy(),
            Vec::<String>::new(),
        ))
        .call_tool("fail", json!({})),
    )
    .await;
    assert_eq!(report.failure.unwrap().code, FailureCode::ToolError);
}
