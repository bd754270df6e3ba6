//! The 2026-07-28 ("modern") era over Streamable HTTP: detection with the fewest round trips,
//! the `_meta` envelope and per-request headers, mirrored argument headers, `input_required`
//! round trips, pinned eras, and the per-URL era cache.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mcp_probe_core::{
    check, Era, FailureCode, Prober, ProtocolChoice, Report, Scenario, StepStatus, MODERN_VERSION,
};
use mcp_probe_testkit::{FixtureServer, Mode, Received};
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(10);
const META_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
const META_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";

fn scenario(server: &FixtureServer, mode: Mode) -> Scenario {
    Scenario::for_url(server.url(mode)).timeout(TIMEOUT)
}

fn of<'a>(log: &'a [Received], method: &str) -> Vec<&'a Received> {
    log.iter()
        .filter(|r| r.rpc_method.as_deref() == Some(method))
        .collect()
}

fn assert_ok(report: &Report) {
    assert!(report.ok, "{}", report.to_json_pretty());
    assert!(report.failure.is_none());
}

fn evidence(report: &Report) -> &[String] {
    &report.negotiation.as_ref().unwrap().evidence
}

/// Every request of `log` was a modern POST: envelope, `MCP-Protocol-Version`, `Mcp-Method`,
/// `Mcp-Name` on tools/call, no session.
fn assert_modern_wire(log: &[Received]) {
    assert!(!log.is_empty());
    for r in log {
        assert_eq!(r.http_method, "POST", "{r:?}");
        assert!(r.header("mcp-session-id").is_none(), "{r:?}");
        let method = r.rpc_method.as_deref().unwrap();
        assert_ne!(method, "initialize");
        let body = r.body.as_ref().unwrap();
        let meta = &body["params"]["_meta"];
        assert_eq!(meta[META_VERSION], MODERN_VERSION, "{r:?}");
        assert!(meta[META_CAPABILITIES].is_object(), "{r:?}");
        assert_eq!(
            r.header("mcp-protocol-version"),
            Some(MODERN_VERSION),
            "{r:?}"
        );
        assert_eq!(r.header("mcp-method"), Some(method), "{r:?}");
        if method == "tools/call" {
            assert_eq!(
                r.header("mcp-name"),
                body["params"]["name"].as_str(),
                "{r:?}"
            );
        } else {
            assert!(r.header("mcp-name").is_none(), "{r:?}");
        }
    }
}

#[tokio::test]
async fn auto_detects_a_modern_server_in_one_round_trip() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::Modern)
            .expect_server_name("mcp-probe-fixture-modern")
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    assert!(report.steps.iter().all(|s| s.status == StepStatus::Pass));
    assert_eq!(report.era, Some(Era::Modern));
    assert_eq!(report.protocol_version.as_deref(), Some(MODERN_VERSION));
    let negotiation = report.negotiation.as_ref().unwrap();
    assert_eq!(negotiation.mode, "auto");
    assert_eq!(negotiation.evidence.len(), 1, "{negotiation:?}");
    assert!(
        negotiation.evidence[0].starts_with("server/discover → 200"),
        "{negotiation:?}"
    );
    let server_info = report.server.as_ref().unwrap();
    assert_eq!(server_info.name, "mcp-probe-fixture-modern");
    assert_eq!(server_info.capabilities, ["tools"]);

    let handshake = &report.steps[0];
    assert_eq!(handshake.requests, 1);
    assert_eq!(handshake.http_status, Some(200));
    assert_eq!(handshake.ttl_ms, Some(60_000));
    assert_eq!(handshake.cache_scope.as_deref(), Some("public"));
    let list = &report.steps[1];
    assert_eq!(list.ttl_ms, Some(30_000));
    assert_eq!(list.cache_scope.as_deref(), Some("public"));
    let tools: Vec<&str> = list
        .tools
        .as_ref()
        .unwrap()
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tools, ["add", "echo", "fail", "region_info", "book"]);
    assert_eq!(report.steps[2].result.as_ref().unwrap().text, "5");
    assert!(!report.session.issued);
    assert_eq!(report.session.closed, None);

    let log = server.log();
    assert_modern_wire(&log);
    let methods: Vec<&str> = log
        .iter()
        .map(|r| r.rpc_method.as_deref().unwrap())
        .collect();
    assert_eq!(methods, ["server/discover", "tools/list", "tools/call"]);
    // The modern era has no DELETE (nor GET).
    assert!(log.iter().all(|r| r.http_method == "POST"));
}

#[tokio::test]
async fn pinned_modern_speaks_modern() {
    let server = FixtureServer::start().await.unwrap();
    for scenario in [
        scenario(&server, Mode::Modern).protocol(ProtocolChoice::Modern),
        scenario(&server, Mode::Modern).protocol_version(MODERN_VERSION),
    ] {
        let report = check(&scenario.call_tool("echo", json!({"text": "hi"})))
            .await
            .unwrap();
        assert_ok(&report);
        assert_eq!(report.era, Some(Era::Modern));
        assert_eq!(report.negotiation.as_ref().unwrap().mode, "pinned");
        assert_eq!(report.steps[2].result.as_ref().unwrap().text, "hi");
    }
    assert_modern_wire(&server.log());
}

#[tokio::test]
async fn mirrored_arguments_travel_as_param_headers() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::Modern)
            .call_tool("region_info", json!({"region": "eu-west"}))
            .expect_text("region=eu-west"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    let log = server.log();
    let calls = of(&log, "tools/call");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].header("mcp-param-region"), Some("eu-west"));
    assert_eq!(calls[0].header("mcp-name"), Some("region_info"));
    // Only the call of the tool that mirrors the argument carries the header.
    assert!(of(&log, "tools/list")[0]
        .header("mcp-param-region")
        .is_none());

    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::Modern)
            .call_tool("region_info", json!({"region": "zürich"}))
            .expect_text("region=zürich"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    let log = server.log();
    let call = of(&log, "tools/call")[0];
    assert_eq!(
        call.header("mcp-param-region"),
        Some("=?base64?esO8cmljaA==?=")
    );
    assert_modern_wire(&log);
}

#[tokio::test]
async fn input_required_without_responses_is_reported() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&scenario(&server, Mode::Modern).call_tool("book", json!({})))
        .await
        .unwrap();
    assert!(!report.ok);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(
        failure.code,
        FailureCode::InputRequired,
        "{}",
        failure.message
    );
    assert_eq!(failure.step.as_deref(), Some("tools/call"));
    assert!(failure.message.contains("confirm"), "{}", failure.message);
    let asked = &failure.details["inputRequests"];
    assert_eq!(asked["confirm"]["method"], "elicitation/create", "{asked}");
    assert_eq!(failure.details["rounds"], 0);
    assert_eq!(of(&server.log(), "tools/call").len(), 1);
}

#[tokio::test]
async fn input_required_is_retried_with_the_scenarios_responses() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::Modern)
            .call_tool("book", json!({}))
            .input_responses(json!({"confirm": {"action": "accept"}}))
            .expect_text("booked"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    let call = &report.steps[2];
    assert_eq!(call.requests, 2);
    assert_eq!(call.result.as_ref().unwrap().text, "booked");

    let log = server.log();
    assert_modern_wire(&log);
    let calls = of(&log, "tools/call");
    assert_eq!(calls.len(), 2);
    let (first, retry) = (calls[0], calls[1]);
    assert_ne!(first.id, retry.id, "the retry must use a new request id");
    let first_params = &first.body.as_ref().unwrap()["params"];
    assert!(first_params.get("inputResponses").is_none());
    assert!(first_params.get("requestState").is_none());
    let params = &retry.body.as_ref().unwrap()["params"];
    assert_eq!(params["name"], "book");
    assert_eq!(params["requestState"], "opaque-state-1");
    assert_eq!(
        params["inputResponses"],
        json!({"confirm": {"action": "accept"}})
    );
    assert_eq!(params["arguments"], json!({}));
}

#[tokio::test]
async fn pinned_modern_against_a_handshake_only_server_fails_with_evidence() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&scenario(&server, Mode::Json).protocol(ProtocolChoice::Modern))
        .await
        .unwrap();
    assert!(!report.ok);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(
        failure.code,
        FailureCode::ProtocolVersion,
        "{}",
        failure.message
    );
    assert_eq!(failure.step.as_deref(), Some("handshake"));
    assert_eq!(failure.details["requested"], MODERN_VERSION);
    let shown = failure.details["evidence"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0]
            .as_str()
            .unwrap()
            .starts_with("server/discover → HTTP 400, JSON-RPC error -32000"),
        "{shown:?}"
    );
    assert_eq!(report.negotiation.as_ref().unwrap().mode, "pinned");
    assert_eq!(evidence(&report), shown.as_slice());
    assert_eq!(report.era, None);
    // Pinned: no fallback to initialize.
    let log = server.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].rpc_method.as_deref(), Some("server/discover"));
}

#[tokio::test]
async fn pinned_handshake_against_a_modern_only_server_fails_at_initialize() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&scenario(&server, Mode::Modern).protocol(ProtocolChoice::Handshake))
        .await
        .unwrap();
    assert!(!report.ok);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(failure.step.as_deref(), Some("handshake"));
    // initialize is an unknown method to a 2026-07-28-only server: HTTP 404 carrying -32601,
    // said as a version problem with the way out.
    assert_eq!(
        failure.code,
        FailureCode::ProtocolVersion,
        "{}",
        failure.message
    );
    assert!(
        failure.message.contains("protocol auto"),
        "{}",
        failure.message
    );
    assert_eq!(failure.details["httpStatus"], 404);
    assert_eq!(failure.details["jsonrpcError"]["code"], -32601);
    let negotiation = report.negotiation.as_ref().unwrap();
    assert_eq!(negotiation.mode, "pinned");
    assert_eq!(
        negotiation.evidence[0], "initialize → HTTP 404",
        "{negotiation:?}"
    );
    // The refused initialize may be a 2024-11-05 server speaking legacy HTTP+SSE: the probe
    // tries GET, which a 2026-07-28 server refuses (405), and reports the initialize failure.
    assert_eq!(negotiation.evidence.len(), 2, "{negotiation:?}");
    assert!(
        negotiation.evidence[1].starts_with("GET → "),
        "{negotiation:?}"
    );
    let log = server.log();
    assert!(of(&log, "server/discover").is_empty());
    assert_eq!(of(&log, "initialize").len(), 1);
    let gets: Vec<_> = log.iter().filter(|r| r.http_method == "GET").collect();
    assert_eq!(gets.len(), 1);
    assert!(log.iter().all(|r| r.http_method != "DELETE"));
}

#[tokio::test]
async fn a_server_without_modern_support_falls_back_to_initialize() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::ModernVersionMismatch)
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    assert_eq!(report.era, Some(Era::Handshake));
    assert_eq!(report.protocol_version.as_deref(), Some("2025-11-25"));
    let negotiation = report.negotiation.as_ref().unwrap();
    assert_eq!(negotiation.mode, "auto");
    assert_eq!(negotiation.evidence.len(), 2, "{negotiation:?}");
    assert!(
        negotiation.evidence[0].contains("-32022"),
        "{negotiation:?}"
    );
    assert_eq!(negotiation.evidence[1], "initialize → 200");
    assert_eq!(
        report.steps[0].requests, 3,
        "discover, initialize, initialized"
    );
    assert!(report.session.issued);

    let log = server.log();
    let methods: Vec<Option<&str>> = log.iter().map(|r| r.rpc_method.as_deref()).collect();
    assert_eq!(
        methods,
        [
            Some("server/discover"),
            Some("initialize"),
            Some("notifications/initialized"),
            Some("tools/list"),
            Some("tools/call"),
            None, // DELETE
        ]
    );
    // After the fallback, nothing modern is sent.
    for r in &log[1..] {
        assert!(r.header("mcp-method").is_none(), "{r:?}");
        assert_ne!(r.header("mcp-protocol-version"), Some(MODERN_VERSION));
        if let Some(body) = &r.body {
            assert!(body["params"].get("_meta").is_none(), "{r:?}");
        }
    }
}

#[tokio::test]
async fn a_dual_era_server_is_spoken_to_in_the_modern_era() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::Dual)
            .call_tool("region_info", json!({"region": "eu-west"}))
            .expect_text("region=eu-west"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    assert_eq!(report.era, Some(Era::Modern));
    assert_eq!(report.protocol_version.as_deref(), Some(MODERN_VERSION));
    assert_eq!(report.steps[0].requests, 1);
    assert_eq!(report.server.as_ref().unwrap().name, "mcp-probe-fixture");
    let log = server.log();
    assert_modern_wire(&log);
    assert!(log.iter().all(|r| r.mode == Mode::Dual));
}

#[tokio::test]
async fn the_era_is_cached_per_url_and_forgotten_after_a_failed_handshake() {
    let server = FixtureServer::start().await.unwrap();
    let prober = Prober::new();
    let discovers = || of(&server.log(), "server/discover").len();

    let first = prober.check(&scenario(&server, Mode::Json)).await.unwrap();
    assert_ok(&first);
    assert_eq!(first.era, Some(Era::Handshake));
    assert_eq!(first.negotiation.as_ref().unwrap().mode, "auto");
    assert_eq!(discovers(), 1);

    let second = prober.check(&scenario(&server, Mode::Json)).await.unwrap();
    assert_ok(&second);
    assert_eq!(second.era, Some(Era::Handshake));
    let negotiation = second.negotiation.as_ref().unwrap();
    assert_eq!(negotiation.mode, "cached");
    assert_eq!(
        negotiation.evidence,
        [
            "handshake era remembered from an earlier probe of this URL",
            "initialize → 200"
        ]
    );
    assert_eq!(second.steps[0].requests, 2, "initialize, initialized");
    assert_eq!(discovers(), 1, "no second server/discover");
    assert_eq!(of(&server.log(), "initialize").len(), 2);

    // Another URL is detected on its own.
    let other = prober.check(&scenario(&server, Mode::Sse)).await.unwrap();
    assert_eq!(other.negotiation.as_ref().unwrap().mode, "auto");
    assert_eq!(discovers(), 2);

    // A handshake that fails (here: the server is not the one expected) forgets the era.
    let failed = prober
        .check(&scenario(&server, Mode::Json).expect_server_name("someone-else"))
        .await
        .unwrap();
    assert!(!failed.ok);
    let failure = failed.failure.as_ref().unwrap();
    assert_eq!(failure.code, FailureCode::ExpectationFailed);
    assert_eq!(failure.step.as_deref(), Some("handshake"));
    assert_eq!(failed.negotiation.as_ref().unwrap().mode, "cached");
    assert_eq!(discovers(), 2);

    let again = prober.check(&scenario(&server, Mode::Json)).await.unwrap();
    assert_ok(&again);
    assert_eq!(again.negotiation.as_ref().unwrap().mode, "auto");
    assert_eq!(discovers(), 3, "detected again after the failed handshake");
}

#[tokio::test]
async fn a_cached_modern_era_still_discovers() {
    let server = FixtureServer::start().await.unwrap();
    let prober = Prober::new();
    let first = prober
        .check(&scenario(&server, Mode::Modern))
        .await
        .unwrap();
    assert_ok(&first);
    let second = prober
        .check(&scenario(&server, Mode::Modern))
        .await
        .unwrap();
    assert_ok(&second);
    assert_eq!(second.era, Some(Era::Modern));
    let negotiation = second.negotiation.as_ref().unwrap();
    assert_eq!(negotiation.mode, "cached");
    assert_eq!(negotiation.evidence.len(), 2, "{negotiation:?}");
    assert!(negotiation.evidence[1].starts_with("server/discover → 200"));
    // In the modern era discover is the handshake itself: one per probe.
    assert_eq!(of(&server.log(), "server/discover").len(), 2);
    assert_modern_wire(&server.log());
}

#[tokio::test]
async fn a_failing_tool_is_a_tool_error() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&scenario(&server, Mode::Modern).call_tool("fail", json!({})))
        .await
        .unwrap();
    assert!(!report.ok);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(failure.code, FailureCode::ToolError, "{}", failure.message);
    assert_eq!(failure.step.as_deref(), Some("tools/call"));
    assert_eq!(failure.details["text"], "upstream API unavailable");
    let result = report.steps[2].result.as_ref().unwrap();
    assert!(result.is_error);
    assert_eq!(report.steps[2].http_status, Some(200));
}

#[tokio::test]
async fn a_jsonrpc_error_with_a_4xx_status_is_the_answer() {
    let server = FixtureServer::start().await.unwrap();
    // Call a tool that is not listed (no tools/list step, so nothing stops the call).
    let doc = json!({
        "target": {"url": server.url(Mode::Modern)},
        "timeouts": {"total": "10s"},
        "steps": [{"step": "callTool", "name": "nope", "arguments": {}}],
    });
    let report = check(&Scenario::from_value(doc).unwrap()).await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.era, Some(Era::Modern));
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(
        failure.code,
        FailureCode::JsonrpcError,
        "{}",
        failure.message
    );
    assert_eq!(failure.step.as_deref(), Some("tools/call"));
    let error: &Value = &failure.details["jsonrpcError"];
    assert_eq!(error["code"], -32602);
    assert!(failure.details.get("httpStatus").is_none(), "{failure:?}");
    let call = report.failed_step().unwrap();
    assert_eq!(call.name, "tools/call");
    assert_eq!(call.http_status, Some(400));
    assert_eq!(
        of(&server.log(), "tools/call")[0].header("mcp-name"),
        Some("nope")
    );
}

#[tokio::test]
async fn a_refused_version_the_refusal_lists_is_asked_again_once() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &scenario(&server, Mode::ModernRefusesOnce)
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5"),
    )
    .await
    .unwrap();
    assert_ok(&report);
    assert_eq!(report.era, Some(Era::Modern));
    assert_eq!(
        evidence(&report),
        [
            "server/discover → HTTP 400, JSON-RPC error -32022",
            "asked again with 2026-07-28, which the refusal lists as supported",
            "server/discover → 200, supportedVersions 2026-07-28",
        ]
    );
    let log = server.log();
    assert_eq!(of(&log, "server/discover").len(), 2);
    assert_modern_wire(&log);
}

#[tokio::test]
async fn a_version_refused_twice_is_the_failure() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&scenario(&server, Mode::ModernRefusesAlways))
        .await
        .unwrap();
    assert!(!report.ok);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(failure.code, FailureCode::ProtocolVersion, "{failure:?}");
    assert_eq!(failure.step.as_deref(), Some("handshake"));
    assert_eq!(
        failure.message,
        "server/discover: the server does not support the protocol version asked for (Unsupported protocol version)"
    );
    assert_eq!(of(&server.log(), "server/discover").len(), 2);
}
