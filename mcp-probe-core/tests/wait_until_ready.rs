//! `waitUntilReady`: the whole probe is repeated until the server is healthy or the wait is
//! over; caller mistakes end it at once.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use mcp_probe_core::{check, ErrorKind, FailureCode, Prober, Scenario};
use mcp_probe_testkit::{FixtureServer, Mode, READY_AFTER_POSTS};
use serde_json::json;

/// Slack allowed past the computed bound for scheduling on a loaded machine.
const SLACK: Duration = Duration::from_millis(1500);

#[tokio::test]
async fn a_server_that_becomes_ready_is_reported_healthy_after_several_attempts() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::ReadyAfter))
        .call_tool("add", json!({"a": 2, "b": 3}))
        .timeout(Duration::from_secs(5))
        .wait_until_ready(Duration::from_secs(60));
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let attempts = report.attempts.unwrap();
    assert!(attempts > 1, "{attempts}");
    // At most one attempt per 503 plus the one that passed.
    assert!(u64::from(attempts) <= READY_AFTER_POSTS + 1, "{attempts}");
    assert!(report.failure.is_none());
    let first = report.first_failure.as_ref().unwrap();
    assert_eq!(first.code, FailureCode::HttpStatus, "{first:?}");
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["attempts"], json!(attempts));
    assert_eq!(value["firstFailure"]["code"], json!("http_status"));
    let posts = server
        .log()
        .iter()
        .filter(|r| r.http_method == "POST")
        .count();
    assert!(posts as u64 > READY_AFTER_POSTS, "{posts}");
}

#[tokio::test]
async fn a_server_that_never_becomes_ready_fails_within_the_wait_plus_one_attempt() {
    let server = FixtureServer::start().await.unwrap();
    let wait = Duration::from_millis(1200);
    let timeout = Duration::from_secs(2);
    let scenario = Scenario::for_url(server.url(Mode::BadGateway))
        .timeout(timeout)
        .wait_until_ready(wait);
    let started = Instant::now();
    let report = check(&scenario).await.unwrap();
    let elapsed = started.elapsed();
    assert!(!report.ok);
    assert_eq!(
        report.failure.as_ref().unwrap().code,
        FailureCode::HttpStatus
    );
    assert!(report.attempts.unwrap() >= 2, "{:?}", report.attempts);
    // The last attempt failed like the first: no second copy of the failure.
    assert!(report.first_failure.is_none());
    assert!(elapsed >= wait, "{elapsed:?}");
    assert!(elapsed <= wait + timeout + SLACK, "{elapsed:?}");
}

#[tokio::test]
async fn caller_mistakes_end_the_wait_at_once() {
    let wait = Duration::from_secs(3600);
    let started = Instant::now();
    let err = check(&Scenario::for_url("ftp://127.0.0.1:1/mcp").wait_until_ready(wait))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUrl);
    let err = check(&Scenario::for_url("http://127.0.0.1:1/mcp").wait_until_ready(Duration::ZERO))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(started.elapsed() < SLACK, "{:?}", started.elapsed());
}

#[tokio::test]
async fn dropping_the_future_stops_the_wait() {
    let server = FixtureServer::start().await.unwrap();
    let scenario = Scenario::for_url(server.url(Mode::BadGateway))
        .timeout(Duration::from_secs(2))
        .wait_until_ready(Duration::from_secs(3600));
    let prober = Prober::new();
    let outcome = tokio::time::timeout(Duration::from_millis(500), prober.check(&scenario)).await;
    assert!(outcome.is_err(), "the wait cannot be over yet");
    // Dropped mid-wait, the prober is still usable.
    let report = prober
        .check(&Scenario::for_url(server.url(Mode::Json)))
        .await
        .unwrap();
    assert!(report.ok);
    assert!(report.attempts.is_none());
}

#[tokio::test]
async fn without_waiting_the_report_has_no_attempts() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::Json)))
        .await
        .unwrap();
    assert!(report.ok);
    let value = serde_json::to_value(&report).unwrap();
    assert!(value.get("attempts").is_none());
    assert!(value.get("firstFailure").is_none());
}
