//! Healthy fixture modes pass, and the wire is spoken as the protocol says.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mcp_probe_core::{check, Era, Report, Scenario, ServerMessageKind, StepStatus, TransportKind};
use mcp_probe_testkit::{FixtureServer, Mode, Received};
use serde_json::json;

async fn healthy(server: &FixtureServer, mode: Mode) -> Report {
    let scenario = Scenario::for_url(server.url(mode))
        .call_tool("add", json!({"a": 2, "b": 3}))
        .expect_text("5")
        .timeout(Duration::from_secs(10));
    let report = check(&scenario).await.unwrap();
    assert!(report.ok, "{mode:?}: {}", report.to_json_pretty());
    assert!(report.failure.is_none());
    assert_eq!(report.steps.len(), 3);
    assert_eq!(
        report
            .steps
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["handshake", "tools/list", "tools/call"]
    );
    assert_eq!(report.transport, TransportKind::StreamableHttp);
    assert_eq!(report.era, Some(Era::Handshake));
    assert_eq!(report.protocol_version.as_deref(), Some("2025-11-25"));
    assert_eq!(report.server.as_ref().unwrap().name, "mcp-probe-fixture");
    assert_eq!(report.steps[2].result.as_ref().unwrap().text, "5");
    report
}

fn of<'a>(log: &'a [Received], method: &str) -> Vec<&'a Received> {
    log.iter()
        .filter(|r| r.rpc_method.as_deref() == Some(method))
        .collect()
}

#[tokio::test]
async fn json_answers() {
    let server = FixtureServer::start().await.unwrap();
    let report = healthy(&server, Mode::Json).await;
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Pass));
    assert_eq!(report.steps[0].http_status, Some(200));
    let tools = report.steps[1].tools.as_ref().unwrap();
    assert_eq!(
        tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["add", "echo", "fail"]
    );
    assert!(report.session.issued);
    assert_eq!(
        report.session.closed.as_ref().map(|c| c.as_str()),
        Some("deleted")
    );
}

#[tokio::test]
async fn sse_answers() {
    let server = FixtureServer::start().await.unwrap();
    healthy(&server, Mode::Sse).await;
}

#[tokio::test]
async fn pagination_is_followed() {
    let server = FixtureServer::start().await.unwrap();
    let report = healthy(&server, Mode::Paginated).await;
    assert_eq!(report.steps[1].pages, Some(3));
    assert_eq!(report.steps[1].tools.as_ref().unwrap().len(), 3);
    let log = server.log();
    let lists = of(&log, "tools/list");
    assert_eq!(lists.len(), 3);
    assert!(lists[0]
        .body
        .as_ref()
        .unwrap()
        .get("params")
        .and_then(|p| p.get("cursor"))
        .is_none());
    assert!(lists[1].body.as_ref().unwrap()["params"]["cursor"].is_string());
}

#[tokio::test]
async fn page_cap_stops_and_warns() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::Paginated)).max_pages(2))
        .await
        .unwrap();
    assert!(report.ok);
    assert_eq!(report.steps[1].status, StepStatus::Warn);
    assert_eq!(report.steps[1].pages, Some(2));
    assert_eq!(report.warnings[0].code, "page_cap_reached");
}

#[tokio::test]
async fn server_messages_before_the_response_are_answered_and_recorded() {
    let server = FixtureServer::start().await.unwrap();
    let report = healthy(&server, Mode::Notifications).await;
    let list = &report.steps[1];
    let kinds: Vec<_> = list
        .server_messages
        .iter()
        .map(|m| (m.kind, m.method.as_str(), m.answer.as_deref()))
        .collect();
    assert!(
        kinds.contains(&(
            ServerMessageKind::Notification,
            "notifications/message",
            None
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ServerMessageKind::Request, "ping", Some("result"))),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(
            ServerMessageKind::Request,
            "sampling/createMessage",
            Some("error -32601")
        )),
        "{kinds:?}"
    );
    let log = server.log();
    let answers: Vec<_> = log
        .iter()
        .filter(|r| r.rpc_method.is_none() && r.http_method == "POST")
        .filter_map(|r| r.body.clone())
        .collect();
    assert!(
        answers
            .iter()
            .any(|b| b["id"] == "srv-1" && b["result"] == json!({})),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .any(|b| b["id"] == "srv-2" && b["error"]["code"] == -32601),
        "{answers:?}"
    );
}

#[tokio::test]
async fn a_forgotten_session_is_reinitialized_once() {
    let server = FixtureServer::start().await.unwrap();
    let report = healthy(&server, Mode::SessionExpireOnce).await;
    assert_eq!(report.session.reinitialized, 1);
    assert_eq!(report.steps[1].status, StepStatus::Warn);
    assert_eq!(report.warnings[0].code, "session_reinitialized");
    assert_eq!(report.warnings[0].step.as_deref(), Some("tools/list"));
    assert_eq!(of(&server.log(), "initialize").len(), 2);
}

#[tokio::test]
async fn a_stateless_server_needs_no_session() {
    let server = FixtureServer::start().await.unwrap();
    let report = healthy(&server, Mode::NoSession).await;
    assert!(!report.session.issued);
    assert_eq!(report.session.closed, None);
    assert!(server.log().iter().all(|r| r.http_method != "DELETE"));
}

#[tokio::test]
async fn headers_follow_the_protocol() {
    let server = FixtureServer::start().await.unwrap();
    healthy(&server, Mode::Json).await;
    let log = server.log();
    for r in log.iter().filter(|r| r.http_method == "POST") {
        assert_eq!(
            r.header("accept"),
            Some("application/json, text/event-stream")
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let init = of(&log, "initialize")[0];
    assert_eq!(init.header("mcp-protocol-version"), None);
    assert_eq!(init.header("mcp-session-id"), None);
    let params = &init.body.as_ref().unwrap()["params"];
    assert_eq!(params["protocolVersion"], "2025-11-25");
    assert_eq!(params["capabilities"], json!({}));
    assert_eq!(params["clientInfo"]["name"], "mcp-probe");
    let session = of(&log, "notifications/initialized")[0]
        .header("mcp-session-id")
        .expect("session id echoed")
        .to_owned();
    // Auto-detection asks `server/discover` first (no session exists yet); the fixture
    // speaks only the handshake era.
    let discover = of(&log, "server/discover")[0];
    assert_eq!(discover.header("mcp-protocol-version"), Some("2026-07-28"));
    assert_eq!(discover.header("mcp-method"), Some("server/discover"));
    assert_eq!(
        discover.body.as_ref().unwrap()["params"]["_meta"]
            ["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    for r in log.iter().filter(|r| {
        !matches!(
            r.rpc_method.as_deref(),
            Some("initialize") | Some("server/discover")
        )
    }) {
        assert_eq!(r.header("mcp-session-id"), Some(session.as_str()), "{r:?}");
        assert_eq!(
            r.header("mcp-protocol-version"),
            Some("2025-11-25"),
            "{r:?}"
        );
    }
    let delete = log
        .iter()
        .find(|r| r.http_method == "DELETE")
        .expect("session deleted");
    assert_eq!(delete.header("mcp-session-id"), Some(session.as_str()));
}

#[tokio::test]
async fn secrets_never_appear_in_the_report() {
    let server = FixtureServer::start().await.unwrap();
    std::env::set_var("MCP_PROBE_TEST_CANARY", "canary-7f3a9c");
    let scenario = Scenario::for_url(server.url(Mode::Session404))
        .bearer_env("MCP_PROBE_TEST_CANARY")
        .header("X-Api-Key", "header-canary-55");
    let report = check(&scenario).await.unwrap();
    let json = serde_json::to_string(&report).unwrap();
    let log = server.log();
    let session = log
        .iter()
        .find_map(|r| r.header("mcp-session-id"))
        .expect("a session id was used");
    assert_eq!(log[0].header("authorization"), Some("Bearer canary-7f3a9c"));
    for secret in ["canary-7f3a9c", "header-canary-55", session] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
        assert!(!format!("{report:?}").contains(secret));
    }
}

#[tokio::test]
async fn a_pinned_version_is_asked_for() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::Json)).protocol_version("2025-03-26"))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.protocol_version.as_deref(), Some("2025-03-26"));
    let log = server.log();
    // 2025-03-26 predates the MCP-Protocol-Version header.
    assert!(of(&log, "tools/list")[0]
        .header("mcp-protocol-version")
        .is_none());
}

#[tokio::test]
async fn expectations_fail_with_expected_and_actual() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &Scenario::for_url(server.url(Mode::Json))
            .call_tool("add", json!({"a": 2, "b": 2}))
            .expect_text("5"),
    )
    .await
    .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, mcp_probe_core::FailureCode::ExpectationFailed);
    assert_eq!(f.step.as_deref(), Some("tools/call"));
    assert_eq!(f.details["expected"], "5");
    assert_eq!(f.details["actual"], "4");

    let report = check(&Scenario::for_url(server.url(Mode::Json)).call_tool("nope", json!({})))
        .await
        .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, mcp_probe_core::FailureCode::ExpectationFailed);
    assert_eq!(f.step.as_deref(), Some("tools/list"));
    assert!(
        f.message.contains("\"nope\" is not listed"),
        "{}",
        f.message
    );

    let report = check(
        &Scenario::for_url(server.url(Mode::Json))
            .call_tool("fail", json!({}))
            .allow_tool_error()
            .expect_contains("unavailable"),
    )
    .await
    .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
}

#[tokio::test]
async fn caller_mistakes_are_errors_not_reports() {
    let e = check(&Scenario::new()).await.unwrap_err();
    assert!(e.is_invalid_url());
    let e = check(&Scenario::for_url("ftp://x/")).await.unwrap_err();
    assert!(e.is_invalid_url());
    let e = check(&Scenario::for_url("http://127.0.0.1:9/").bearer_env("MCP_PROBE_SURELY_UNSET"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "credential");
}

/// The kernel's timer state of the established TCP connection from local port `from` to port
/// `to`, from `/proc/net/tcp` (`tr`: 0 none, 1 retransmit, 2 keepalive, 4 zero window). The
/// remote port and the state tell it from an older connection in TIME_WAIT on the same port.
#[cfg(target_os = "linux")]
fn tcp_timer_of(from: u16, to: u16) -> Option<u32> {
    let port_of = |address: &str| u16::from_str_radix(address.rsplit(':').next()?, 16).ok();
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let established = fields.get(3) == Some(&"01");
        if !established || port_of(fields.get(1)?)? != from || port_of(fields.get(2)?)? != to {
            return None;
        }
        fields.get(5)?.split(':').next()?.parse().ok()
    })
}

/// Reads `/proc`: Linux only (compiled nowhere else, rather than passing there unchecked).
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_probe_connection_runs_no_tcp_keepalive_timer() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();

    // The reading sees a keepalive timer where there is one.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_keepalive(true).unwrap();
    let kept_alive = socket.connect(addr).await.unwrap();
    let (_accepted, _) = listener.accept().await.unwrap();
    let port = kept_alive.local_addr().unwrap().port();
    assert_eq!(tcp_timer_of(port, addr.port()), Some(2));
    drop(kept_alive);

    // A probe's connection to a server that reads the request and never answers.
    let scenario = Scenario::for_url(format!("http://{addr}/mcp")).timeout(Duration::from_secs(30));
    let probe = tokio::spawn(async move { check(&scenario).await });
    let (mut server_side, client) = listener.accept().await.unwrap();
    let mut request = [0u8; 4096];
    let read = tokio::io::AsyncReadExt::read(&mut server_side, &mut request)
        .await
        .unwrap();
    assert!(request[..read].starts_with(b"POST /mcp"));
    // No keepalive timer (1, a retransmit timer, is possible until the request is acked).
    let timer = tcp_timer_of(client.port(), addr.port());
    assert!(matches!(timer, Some(0 | 1)), "{timer:?}");

    drop(server_side);
    let report = probe.await.unwrap().unwrap();
    assert!(!report.ok);
}
