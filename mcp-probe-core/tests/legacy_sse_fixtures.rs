//! Legacy HTTP+SSE (2024-11-05) through the public API: pinned and detected, and the
//! failures a legacy server can cause.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use mcp_probe_core::{check, Era, FailureCode, Scenario, TransportChoice, TransportKind};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::json;

#[tokio::test]
async fn pinned_legacy_transport_works_end_to_end() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &Scenario::for_url(server.url(Mode::Legacy))
            .transport(TransportChoice::Sse)
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5"),
    )
    .await
    .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.transport, TransportKind::Sse);
    assert_eq!(report.era, Some(Era::Handshake));
    assert_eq!(report.protocol_version.as_deref(), Some("2024-11-05"));
    assert_eq!(
        report.session.closed.as_ref().map(|c| c.as_str()),
        Some("closed")
    );
    // Never a POST to the stream URL, never discover: legacy was pinned.
    let log = server.log();
    assert!(log
        .iter()
        .all(|r| r.rpc_method.as_deref() != Some("server/discover")));
    // The endpoint's session id is a secret.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("session_id="), "{json}");
}

#[tokio::test]
async fn auto_detection_falls_back_to_legacy() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::Legacy)))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.transport, TransportKind::Sse);
    let evidence = &report.negotiation.as_ref().unwrap().evidence;
    assert_eq!(evidence.len(), 4, "{evidence:?}");
    assert!(
        evidence[0].starts_with("server/discover → HTTP 405"),
        "{evidence:?}"
    );
    assert_eq!(evidence[1], "initialize → HTTP 405");
    assert!(
        evidence[2].starts_with("GET → event stream"),
        "{evidence:?}"
    );
}

#[tokio::test]
async fn a_cross_origin_endpoint_is_refused() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &Scenario::for_url(server.url(Mode::LegacyCrossOrigin)).transport(TransportChoice::Sse),
    )
    .await
    .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Malformed, "{}", f.message);
    assert_eq!(f.step.as_deref(), Some("handshake"));
    assert_eq!(f.details["reason"], "cross_origin_endpoint");
    // Nothing was POSTed anywhere.
    assert!(server.log().iter().all(|r| r.http_method != "POST"));
}

#[tokio::test]
async fn silent_and_endpointless_servers_time_out_within_the_deadline() {
    let server = FixtureServer::start().await.unwrap();
    for (mode, phase) in [
        (Mode::LegacySilent, "stream_idle"),
        (Mode::LegacyNoEndpoint, "endpoint"),
    ] {
        let timeout = Duration::from_millis(1500);
        let started = Instant::now();
        let report = check(
            &Scenario::for_url(server.url(mode))
                .transport(TransportChoice::Sse)
                .timeout(timeout),
        )
        .await
        .unwrap();
        let took = started.elapsed();
        let f = report.failure.unwrap();
        assert_eq!(f.code, FailureCode::Timeout, "{mode:?}: {}", f.message);
        assert_eq!(f.details["phase"], phase, "{mode:?}");
        assert!(
            took < timeout + Duration::from_millis(1500),
            "{mode:?} took {took:?}"
        );
    }
}
