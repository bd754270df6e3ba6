//! Probing real MCP servers nobody here wrote: the Python SDK (JSON and SSE answers), the
//! TypeScript reference server and an rmcp server. Each: a healthy verdict with its version
//! and tools, one call that succeeds and one that yields `tool_error`.
//! Needs `interop/setup.sh` to have run.

#![allow(clippy::unwrap_used)]

mod peers;

use std::time::Duration;

use mcp_probe_core::{check, Era, FailureCode, ProtocolChoice, Report, Scenario, StepStatus};
use peers::PyAnswers;
use serde_json::{json, Value};

async fn probe(url: &str, tool: &str, args: Value) -> Report {
    probe_as(url, tool, args, ProtocolChoice::Auto).await
}

async fn probe_as(url: &str, tool: &str, args: Value, protocol: ProtocolChoice) -> Report {
    check(
        &Scenario::for_url(url)
            .protocol(protocol)
            .call_tool(tool, args)
            .timeout(Duration::from_secs(15)),
    )
    .await
    .unwrap()
}

fn assert_modern(report: &Report) {
    assert_eq!(report.era, Some(Era::Modern), "{}", report.to_json_pretty());
    assert_eq!(report.protocol_version.as_deref(), Some("2026-07-28"));
    // server/discover is the whole handshake: one round trip, no session.
    assert_eq!(report.steps[0].requests, 1);
    assert!(!report.session.issued);
    let negotiation = report.negotiation.as_ref().unwrap();
    assert_eq!(negotiation.evidence.len(), 1, "{negotiation:?}");
    assert!(
        negotiation.evidence[0].starts_with("server/discover → 200"),
        "{negotiation:?}"
    );
}

fn assert_handshake_era(report: &Report) {
    assert_eq!(
        report.era,
        Some(Era::Handshake),
        "{}",
        report.to_json_pretty()
    );
    assert_eq!(report.protocol_version.as_deref(), Some("2025-11-25"));
}

fn assert_healthy(report: &Report, server_name: &str, tools: &[&str], text: &str) {
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.server.as_ref().unwrap().name, server_name);
    assert!(
        report.steps.iter().all(|s| s.status == StepStatus::Pass),
        "{}",
        report.to_json_pretty()
    );
    let listed: Vec<&str> = report.steps[1]
        .tools
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    for tool in tools {
        assert!(listed.contains(tool), "{tool} not in {listed:?}");
    }
    assert_eq!(report.steps[2].result.as_ref().unwrap().text, text);
}

fn assert_tool_error(report: &Report, contains: &str) {
    let f = report.failure.as_ref().expect("a failure");
    assert_eq!(
        f.code,
        FailureCode::ToolError,
        "{}",
        report.to_json_pretty()
    );
    assert_eq!(f.step.as_deref(), Some("tools/call"));
    assert!(f.message.contains(contains), "{}", f.message);
    assert!(report.steps[2].result.as_ref().unwrap().is_error);
}

#[tokio::test]
async fn python_sdk_with_sse_answers() {
    let peer = peers::start_python(PyAnswers::Sse);
    // Auto-detection picks the 2026-07-28 era this dual-era server speaks.
    let report = probe(&peer.url, "add", json!({"a": 2, "b": 3})).await;
    assert_healthy(
        &report,
        "mcp-probe-interop-python",
        &["add", "echo", "fail"],
        "5",
    );
    assert_modern(&report);
    assert!(report.steps[2].result.as_ref().unwrap().structured);
    let report = probe(&peer.url, "fail", json!({})).await;
    assert_tool_error(&report, "this tool always fails");
    // Pinned to the handshake era, the same server works with a session.
    let report = probe_as(
        &peer.url,
        "add",
        json!({"a": 2, "b": 3}),
        ProtocolChoice::Handshake,
    )
    .await;
    assert_healthy(&report, "mcp-probe-interop-python", &["add"], "5");
    assert_handshake_era(&report);
    assert_eq!(report.negotiation.as_ref().unwrap().mode, "pinned");
    assert!(report.session.issued);
    assert_eq!(
        report.session.closed.as_ref().map(|c| c.as_str()),
        Some("deleted")
    );
    let report = probe_as(&peer.url, "fail", json!({}), ProtocolChoice::Handshake).await;
    assert_tool_error(&report, "this tool always fails");
}

#[tokio::test]
async fn python_sdk_with_json_answers() {
    let peer = peers::start_python(PyAnswers::Json);
    let report = probe(&peer.url, "echo", json!({"text": "hi"})).await;
    assert_healthy(
        &report,
        "mcp-probe-interop-python",
        &["add", "echo", "fail"],
        "hi",
    );
    assert_modern(&report);
    let report = probe(&peer.url, "fail", json!({})).await;
    assert_tool_error(&report, "this tool always fails");
    let report = probe_as(
        &peer.url,
        "echo",
        json!({"text": "hi"}),
        ProtocolChoice::Handshake,
    )
    .await;
    assert_healthy(&report, "mcp-probe-interop-python", &["echo"], "hi");
    assert_handshake_era(&report);
}

#[tokio::test]
async fn python_sdk_pinned_to_an_older_version() {
    let peer = peers::start_python(PyAnswers::Sse);
    let report = check(&Scenario::for_url(&peer.url).protocol_version("2025-06-18"))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.protocol_version.as_deref(), Some("2025-06-18"));
}

#[tokio::test]
async fn typescript_reference_server() {
    let peer = peers::start_everything("streamableHttp");
    let report = probe(&peer.url, "echo", json!({"message": "hi"})).await;
    assert!(report.ok, "{}\n{}", report.to_json_pretty(), peer.stderr());
    assert_handshake_era(&report);
    // Detection: discover is refused, initialize answers.
    let evidence = &report.negotiation.as_ref().unwrap().evidence;
    assert_eq!(evidence.len(), 2, "{evidence:?}");
    assert!(
        evidence[0].starts_with("server/discover → HTTP 400"),
        "{evidence:?}"
    );
    assert_eq!(evidence[1], "initialize → 200");
    assert_eq!(report.steps[2].result.as_ref().unwrap().text, "Echo: hi");
    let listed = report.steps[1].tools.as_ref().unwrap();
    assert!(listed.iter().any(|t| t.name == "get-sum"));
    let report = probe(&peer.url, "get-sum", json!({"a": "x", "b": 1})).await;
    assert_tool_error(&report, "Input validation error");
}

#[tokio::test]
async fn rmcp_server() {
    let peer = peers::start_rmcp().await;
    let report = probe(&peer.url, "add", json!({"a": 2, "b": 3})).await;
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.steps[2].result.as_ref().unwrap().text, "5");
    assert_modern(&report);
    let report = probe(&peer.url, "fail", json!({})).await;
    assert_tool_error(&report, "this tool always fails");
    let report = probe_as(
        &peer.url,
        "add",
        json!({"a": 2, "b": 3}),
        ProtocolChoice::Handshake,
    )
    .await;
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_handshake_era(&report);
    assert!(report.session.issued);
    assert_eq!(
        report.session.closed.as_ref().map(|c| c.as_str()),
        Some("deleted")
    );
}

/// `matrix` against both real servers: which era, version and transport each one speaks.
#[tokio::test]
async fn matrix_of_the_python_sdk_and_the_reference_server() {
    fn rows(report: &Report) -> Vec<(String, bool)> {
        report
            .matrix
            .as_ref()
            .unwrap()
            .iter()
            .map(|e| {
                let name = format!("{} {}", e.transport.as_str(), e.requested_version);
                (name, e.ok)
            })
            .collect()
    }
    let matrix = |url: &str| {
        let scenario = Scenario::for_url(url)
            .timeout(Duration::from_secs(15))
            .matrix(true);
        async move { check(&scenario).await.unwrap() }
    };
    let python = peers::start_python(PyAnswers::Sse);
    let report = matrix(&python.url).await;
    assert!(report.ok, "{}", report.to_json_pretty());
    let expected = |modern: bool| {
        vec![
            ("streamable-http 2026-07-28".to_owned(), modern),
            ("streamable-http 2025-11-25".to_owned(), true),
            ("streamable-http 2025-06-18".to_owned(), true),
            ("streamable-http 2025-03-26".to_owned(), true),
            // Both serve legacy HTTP+SSE at another path (`/sse`), not at `/mcp`.
            ("sse 2024-11-05".to_owned(), false),
        ]
    };
    assert_eq!(rows(&report), expected(true), "{}", report.to_json_pretty());
    let everything = peers::start_everything("streamableHttp");
    let report = matrix(&everything.url).await;
    assert!(report.ok, "{}", report.to_json_pretty());
    // The reference server speaks the handshake era only.
    assert_eq!(
        rows(&report),
        expected(false),
        "{}",
        report.to_json_pretty()
    );
    let modern = &report.matrix.as_ref().unwrap()[0];
    assert_eq!(
        modern.failure.as_ref().unwrap().code,
        FailureCode::ProtocolVersion
    );
}
