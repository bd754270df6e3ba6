//! Every misbehaving fixture mode is classified with the exact code, the failing step, and the
//! probe ends within its deadline.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use mcp_probe_core::{check, FailureCode, Report, Scenario, StepStatus};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::json;

/// Slack allowed past the probe's own deadline for scheduling on a loaded machine.
const SLACK: Duration = Duration::from_millis(1500);

struct Case {
    mode: Mode,
    code: FailureCode,
    step: &'static str,
}

async fn probe(server: &FixtureServer, mode: Mode, timeout: Duration) -> (Report, Duration) {
    let scenario = Scenario::for_url(server.url(mode))
        .call_tool("add", json!({"a": 2, "b": 3}))
        .timeout(timeout)
        .max_sse_event_bytes(1024 * 1024);
    let started = Instant::now();
    let report = check(&scenario)
        .await
        .expect("a failing server is a report, not an error");
    (report, started.elapsed())
}

fn assert_failed(report: &Report, case: &Case) {
    let failure = report.failure.as_ref().unwrap_or_else(|| {
        panic!(
            "{:?}: expected a failure, got {}",
            case.mode,
            report.to_json_pretty()
        )
    });
    assert!(!report.ok);
    assert_eq!(
        failure.code, case.code,
        "{:?}: {}",
        case.mode, failure.message
    );
    assert_eq!(failure.family, case.code.family());
    assert_eq!(failure.step.as_deref(), Some(case.step), "{:?}", case.mode);
    let failed = report.failed_step().expect("a failed step");
    assert_eq!(failed.name, case.step);
    assert_eq!(failed.failure.as_ref(), Some(failure));
    let after: Vec<_> = report
        .steps
        .iter()
        .skip_while(|s| s.name != case.step)
        .skip(1)
        .collect();
    assert!(
        after.iter().all(|s| s.status == StepStatus::Skip),
        "{:?}",
        case.mode
    );
    assert!(!failure.message.is_empty());
}

#[tokio::test]
async fn every_broken_mode_has_its_exact_code_and_step() {
    let server = FixtureServer::start().await.unwrap();
    let cases = [
        Case {
            mode: Mode::BadGateway,
            code: FailureCode::HttpStatus,
            step: "handshake",
        },
        Case {
            mode: Mode::Html,
            code: FailureCode::NotMcp,
            step: "handshake",
        },
        Case {
            mode: Mode::InvalidJson,
            code: FailureCode::Malformed,
            step: "handshake",
        },
        Case {
            mode: Mode::WrongId,
            code: FailureCode::Malformed,
            step: "handshake",
        },
        Case {
            mode: Mode::Session404,
            code: FailureCode::SessionExpired,
            step: "handshake",
        },
        Case {
            mode: Mode::Unauthorized,
            code: FailureCode::AuthRequired,
            step: "handshake",
        },
        Case {
            mode: Mode::ToolIsError,
            code: FailureCode::ToolError,
            step: "tools/call",
        },
        Case {
            mode: Mode::JsonrpcErrorOnCall,
            code: FailureCode::JsonrpcError,
            step: "tools/call",
        },
        Case {
            mode: Mode::Oversized,
            code: FailureCode::ResponseTooLarge,
            step: "handshake",
        },
        Case {
            mode: Mode::OversizedSseEvent,
            code: FailureCode::ResponseTooLarge,
            step: "handshake",
        },
        Case {
            mode: Mode::ResetMidBody,
            code: FailureCode::ConnectionReset,
            step: "handshake",
        },
        Case {
            mode: Mode::OldVersion,
            code: FailureCode::ProtocolVersion,
            step: "handshake",
        },
        Case {
            mode: Mode::UnsupportedVersionError,
            code: FailureCode::ProtocolVersion,
            step: "handshake",
        },
    ];
    let timeout = Duration::from_secs(5);
    for case in &cases {
        let (report, took) = probe(&server, case.mode, timeout).await;
        assert_failed(&report, case);
        assert!(took < timeout + SLACK, "{:?} took {took:?}", case.mode);
    }
}

#[tokio::test]
async fn failure_details_name_the_facts() {
    let server = FixtureServer::start().await.unwrap();
    let t = Duration::from_secs(5);

    let (r, _) = probe(&server, Mode::BadGateway, t).await;
    let f = r.failure.unwrap();
    assert_eq!(f.details["httpStatus"], 502);
    assert_eq!(f.details["contentType"], "text/html");
    assert!(f.message.contains("502"), "{}", f.message);

    let (r, _) = probe(&server, Mode::Html, t).await;
    let f = r.failure.unwrap();
    assert!(f.message.contains("HTML page"), "{}", f.message);
    assert_eq!(f.details["httpStatus"], 200);

    let (r, _) = probe(&server, Mode::InvalidJson, t).await;
    assert_eq!(r.failure.unwrap().details["reason"], "invalid_json");

    let (r, _) = probe(&server, Mode::WrongId, t).await;
    let f = r.failure.unwrap();
    assert_eq!(f.details["reason"], "id_mismatch");
    let init_id = server
        .log()
        .iter()
        .find(|r| r.mode == Mode::WrongId && r.rpc_method.as_deref() == Some("initialize"))
        .and_then(|r| r.id.clone())
        .unwrap();
    assert_eq!(f.details["expectedId"], init_id);
    assert_ne!(f.details["receivedId"], init_id);

    let (r, _) = probe(&server, Mode::Unauthorized, t).await;
    let f = r.failure.unwrap();
    assert_eq!(f.details["httpStatus"], 401);
    let challenge = &f.details["challenges"][0];
    assert_eq!(challenge["scheme"], "Bearer");
    assert_eq!(challenge["error"], "invalid_token");
    assert!(challenge["resource_metadata"]
        .as_str()
        .unwrap()
        .contains("/.well-known/oauth-protected-resource"));

    let (r, _) = probe(&server, Mode::ToolIsError, t).await;
    let f = r.failure.unwrap();
    assert!(
        f.message.contains("database connection refused"),
        "{}",
        f.message
    );
    let call = &r.steps[2];
    assert!(call.result.as_ref().unwrap().is_error);

    let (r, _) = probe(&server, Mode::JsonrpcErrorOnCall, t).await;
    assert_eq!(r.failure.unwrap().details["jsonrpcError"]["code"], -32603);

    let (r, _) = probe(&server, Mode::OldVersion, t).await;
    let f = r.failure.unwrap();
    assert_eq!(f.details["negotiated"], "2024-01-01");
    assert!(r.protocol_version.is_none());

    let (r, _) = probe(&server, Mode::UnsupportedVersionError, t).await;
    let f = r.failure.unwrap();
    assert_eq!(f.details["supported"], json!(["2099-01-01"]));
    assert_eq!(f.details["requested"], "2025-11-25");

    let (r, _) = probe(&server, Mode::Session404, t).await;
    assert_eq!(r.session.reinitialized, 1);
    assert_eq!(r.failure.unwrap().details["httpStatus"], 404);

    let (r, _) = probe(&server, Mode::Oversized, t).await;
    assert_eq!(r.failure.unwrap().details["limitBytes"], 16 * 1024 * 1024);
    let (r, _) = probe(&server, Mode::OversizedSseEvent, t).await;
    assert_eq!(r.failure.unwrap().details["part"], "SSE event");
}

#[tokio::test]
async fn a_server_that_hangs_times_out_within_the_deadline() {
    let server = FixtureServer::start().await.unwrap();
    let timeout = Duration::from_millis(1500);
    let (report, took) = probe(&server, Mode::Hang, timeout).await;
    assert_failed(
        &report,
        &Case {
            mode: Mode::Hang,
            code: FailureCode::Timeout,
            step: "handshake",
        },
    );
    let f = report.failure.unwrap();
    assert_eq!(f.details["phase"], "headers");
    assert_eq!(f.details["limit"], "total");
    assert!(took < timeout + SLACK, "took {took:?}");
    // The hanging request was `server/discover` (auto-detection); a timeout there is a
    // health failure, not an era verdict, so `initialize` is never tried. A timed-out
    // discover is cancelled; `initialize` never is.
    let log = server.log();
    assert!(log
        .iter()
        .all(|r| r.rpc_method.as_deref() != Some("initialize")));
    let discover = log
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("server/discover"))
        .unwrap();
    if let Some(cancel) = log
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("notifications/cancelled"))
    {
        assert_eq!(
            cancel.body.as_ref().unwrap()["params"]["requestId"],
            discover.id.clone().unwrap()
        );
    }
    assert_eq!(f.details["cancelled"], "not delivered");
}

#[tokio::test]
async fn silence_on_an_sse_stream_times_out_and_the_request_is_cancelled() {
    let server = FixtureServer::start().await.unwrap();
    let timeout = Duration::from_millis(2000);
    let scenario = Scenario::for_url(server.url(Mode::SseSilence))
        .timeout(timeout)
        .request_timeout(Duration::from_millis(700));
    let started = Instant::now();
    let report = check(&scenario).await.unwrap();
    let took = started.elapsed();
    assert_failed(
        &report,
        &Case {
            mode: Mode::SseSilence,
            code: FailureCode::Timeout,
            step: "tools/list",
        },
    );
    let f = report.failure.unwrap();
    assert_eq!(f.details["phase"], "stream_idle");
    assert_eq!(f.details["limit"], "request");
    assert_eq!(f.details["limitMs"], 700);
    assert_eq!(f.details["cancelled"], "sent");
    assert!(took < timeout + SLACK, "took {took:?}");
    let log = server.log();
    let list_id = log
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("tools/list"))
        .and_then(|r| r.id.clone())
        .expect("tools/list was sent");
    let cancel = log
        .iter()
        .find(|r| r.rpc_method.as_deref() == Some("notifications/cancelled"))
        .expect("notifications/cancelled was sent");
    assert_eq!(
        cancel.body.as_ref().unwrap()["params"]["requestId"],
        list_id
    );
}

#[tokio::test]
async fn nothing_listening_is_connect_refused_and_a_bad_name_is_dns() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let report = check(&Scenario::for_url(format!("http://127.0.0.1:{port}/mcp")))
        .await
        .unwrap();
    assert_eq!(report.failure.unwrap().code, FailureCode::ConnectRefused);

    let report = check(&Scenario::for_url("http://no-such-host.invalid/mcp"))
        .await
        .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Dns, "{}", f.message);
    assert_eq!(f.details["host"], "no-such-host.invalid");
}
