//! `matrix`: the scenario again in every era, version and transport, one entry each; the
//! verdict stays the probe's as asked for.

#![allow(clippy::unwrap_used)]

use mcp_probe_core::{
    check, Era, ErrorKind, FailureCode, MatrixEntry, Scenario, TransportChoice, TransportKind,
};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::json;

fn row(e: &MatrixEntry) -> (TransportKind, Era, &str, bool, Option<FailureCode>) {
    (
        e.transport,
        e.era,
        e.requested_version.as_str(),
        e.ok,
        e.failure.as_ref().map(|f| f.code),
    )
}

#[tokio::test]
async fn a_handshake_era_server_works_in_its_versions_only() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::Json))
        .call_tool("add", json!({"a": 2, "b": 3}))
        .expect_text("5")
        .matrix(true);
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let matrix = report.matrix.as_ref().unwrap();
    let rows: Vec<_> = matrix.iter().map(row).collect();
    use Era::{Handshake, Modern};
    use TransportKind::{Sse, StreamableHttp};
    assert_eq!(
        rows,
        [
            (
                StreamableHttp,
                Modern,
                "2026-07-28",
                false,
                Some(FailureCode::ProtocolVersion)
            ),
            (StreamableHttp, Handshake, "2025-11-25", true, None),
            (StreamableHttp, Handshake, "2025-06-18", true, None),
            (StreamableHttp, Handshake, "2025-03-26", true, None),
            (
                Sse,
                Handshake,
                "2024-11-05",
                false,
                Some(FailureCode::HttpStatus)
            ),
        ]
    );
    // Each run agreed to the version it asked for, and ran every step.
    for e in matrix.iter().filter(|e| e.ok) {
        assert_eq!(
            e.protocol_version.as_deref(),
            Some(e.requested_version.as_str())
        );
    }
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["matrix"][1]["requestedVersion"], "2025-11-25");
    assert_eq!(value["matrix"][4]["transport"], "sse");
    assert_eq!(value["matrix"][0]["failure"]["step"], "handshake");
    // The probe itself and the three handshake-era runs each sent one initialize.
    let initializes = server
        .log()
        .iter()
        .filter(|r| r.rpc_method.as_deref() == Some("initialize"))
        .count();
    assert_eq!(initializes, 4);
}

#[tokio::test]
async fn a_broken_server_fails_everywhere_and_the_verdict_is_the_probes() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::BadGateway)).matrix(true);
    let report = check(&scenario).await.unwrap();
    assert!(!report.ok);
    assert_eq!(
        report.failure.as_ref().unwrap().code,
        FailureCode::HttpStatus
    );
    let matrix = report.matrix.unwrap();
    assert_eq!(matrix.len(), 5);
    assert!(matrix.iter().all(|e| !e.ok && e.failure.is_some()));
}

#[tokio::test]
async fn a_legacy_target_gets_the_legacy_row_only() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::Legacy))
        .transport(TransportChoice::Sse)
        .matrix(true);
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let rows: Vec<_> = report.matrix.as_ref().unwrap().iter().map(row).collect();
    assert_eq!(
        rows,
        [(TransportKind::Sse, Era::Handshake, "2024-11-05", true, None)]
    );
}

#[tokio::test]
async fn matrix_with_a_pinned_version_is_a_caller_mistake() {
    let scenario = Scenario::for_url("http://127.0.0.1:9/mcp")
        .protocol_version("2025-06-18")
        .matrix(true);
    let err = check(&scenario).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert_eq!(
        err.to_string(),
        "matrix runs every protocol version; leave out protocolVersion"
    );
}

#[tokio::test]
async fn without_matrix_the_report_has_none() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::Json)))
        .await
        .unwrap();
    assert!(report.matrix.is_none());
    assert!(serde_json::to_value(&report)
        .unwrap()
        .get("matrix")
        .is_none());
}
