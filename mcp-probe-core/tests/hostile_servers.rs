//! Servers that try to crash, exhaust, fool or leak through the probe: every one is a fixture
//! of the testkit, and each test pins the exact code, step and message the probe reports.

#![allow(clippy::unwrap_used)]

mod peers;

use std::time::{Duration, Instant};

use mcp_probe_core::{check, FailureCode, Report, Scenario, StepStatus};
use mcp_probe_testkit::{FixtureServer, Mode, RawBehaviour, RawServer};
use serde_json::json;

fn failure(report: &Report) -> &mcp_probe_core::Failure {
    report
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("no failure: {}", report.to_json_pretty()))
}

/// The JSON of the report holds none of `secrets`.
fn assert_clean(report: &Report, secrets: &[&str], what: &str) {
    let json = report.to_json_pretty();
    for secret in secrets {
        assert!(!json.contains(secret), "{what} leaked {secret:?}:\n{json}");
    }
}

const TOKEN: &str = "canary-token-0b1e5c";
const API_KEY: &str = "canary-key-77d2a9";

fn with_secrets(url: String) -> Scenario {
    std::env::set_var("MCP_PROBE_HOSTILE_TOKEN", TOKEN);
    Scenario::for_url(url)
        .bearer_env("MCP_PROBE_HOSTILE_TOKEN")
        .header("X-Api-Key", API_KEY)
        .timeout(Duration::from_secs(5))
}

/// Every place a server can echo a secret into the report: an error body, a challenge's
/// `error_description`, a JSON-RPC error message and data, a tool's error text, a redirect's
/// `Location`, an error body naming the session id.
#[tokio::test]
async fn secrets_a_server_echoes_are_scrubbed_from_the_report() {
    let server = FixtureServer::start().await.unwrap();
    let cases = [
        (Mode::EchoErrorBody, FailureCode::HttpStatus, "handshake"),
        (
            Mode::EchoUnauthorized,
            FailureCode::AuthRequired,
            "handshake",
        ),
        (Mode::EchoRpcError, FailureCode::JsonrpcError, "tools/list"),
        (Mode::EchoToolError, FailureCode::ToolError, "tools/call"),
        (Mode::EchoRedirect, FailureCode::Redirect, "handshake"),
        (Mode::EchoSessionError, FailureCode::HttpStatus, "handshake"),
    ];
    for (mode, code, step) in cases {
        let scenario = with_secrets(server.url(mode)).call_tool("add", json!({"a": 1, "b": 2}));
        let report = check(&scenario).await.unwrap();
        let f = failure(&report);
        assert_eq!(
            (f.code, f.step.as_deref()),
            (code, Some(step)),
            "{mode}: {}",
            f.message
        );
        let mut secrets = vec![TOKEN, API_KEY];
        let ids: Vec<String> = server
            .log()
            .iter()
            .filter(|r| r.mode == mode)
            .filter_map(|r| r.header("mcp-session-id").map(str::to_owned))
            .collect();
        secrets.extend(ids.iter().map(String::as_str));
        assert_clean(&report, &secrets, mode.as_str());
        // The echo happened: the redacted marker stands where the secret was.
        assert!(
            report.to_json_pretty().contains("<redacted>"),
            "{mode}: nothing was echoed?\n{}",
            report.to_json_pretty()
        );
    }
    // The session ids the server handed out were echoed, and so scrubbed.
    assert!(server
        .log()
        .iter()
        .any(|r| r.mode == Mode::EchoSessionError && r.header("mcp-session-id").is_some()));
}

#[tokio::test]
async fn echoed_secrets_keep_the_failure_readable() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&with_secrets(server.url(Mode::EchoUnauthorized)))
        .await
        .unwrap();
    let f = failure(&report);
    assert_eq!(
        f.message,
        "server/discover: HTTP 401 Unauthorized: the server requires credentials (Bearer \
         challenge, error=invalid_token)"
    );
    assert_eq!(
        f.details["challenges"][0]["error_description"],
        "rejected Bearer <redacted>"
    );
    let report = check(
        &with_secrets(server.url(Mode::EchoSessionError))
            .protocol(mcp_probe_core::ProtocolChoice::Handshake),
    )
    .await
    .unwrap();
    let f = failure(&report);
    assert_eq!(f.code, FailureCode::HttpStatus);
    assert_eq!(
        f.message,
        "notifications/initialized: HTTP 400 Bad Request (text/plain)"
    );
    assert_eq!(f.details["bodySnippet"], "unknown session <redacted>");
}

/// OAuth: a token endpoint that echoes `Basic base64(id:secret)` and the form body, and the
/// client secret itself.
#[tokio::test]
async fn a_token_endpoint_echoing_client_credentials_leaks_nothing() {
    let server = FixtureServer::start().await.unwrap();
    let token_url = format!("http://{}/as/echo_token/token", server.addr());
    let secret = "canary-client-secret-4f1d";
    std::env::set_var("MCP_PROBE_HOSTILE_SECRET", secret);
    for method in [
        mcp_probe_core::OAuthMethod::Basic,
        mcp_probe_core::OAuthMethod::Post,
    ] {
        let oauth = mcp_probe_core::OAuthSpec::secret_from_env(
            "hostile-client",
            "MCP_PROBE_HOSTILE_SECRET",
        )
        .method(method)
        .token_url(token_url.clone());
        let scenario = Scenario::for_url(server.url(Mode::Json))
            .oauth(oauth)
            .timeout(Duration::from_secs(5));
        let report = check(&scenario).await.unwrap();
        let f = failure(&report);
        assert_eq!(f.code, FailureCode::AuthToken, "{}", f.message);
        assert_eq!(f.details["oauthError"], "invalid_client");
        use base64::Engine as _;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("hostile-client:{secret}"));
        assert_clean(&report, &[secret, &basic], method.as_str());
        assert!(
            f.details["oauthErrorDescription"]
                .as_str()
                .unwrap()
                .contains("<redacted>"),
            "{}",
            f.details["oauthErrorDescription"]
        );
    }
}

/// A stdio server that writes its environment's secrets to stderr and into a tool's text.
#[tokio::test]
async fn a_stdio_server_echoing_its_environment_leaks_nothing() {
    let bin = stdio_fixture();
    let secret = "canary-env-secret-19ab";
    let mut command = mcp_probe_core::CommandSpec::new(bin.to_string_lossy(), ["echo_env"]);
    command
        .env
        .insert("MCP_PROBE_SECRET_DB".into(), secret.into());
    let report = check(
        &Scenario::for_command(command)
            .call_tool("add", json!({"a": 1, "b": 2}))
            .timeout(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    let f = failure(&report);
    assert_eq!(f.code, FailureCode::ToolError);
    assert_eq!(f.step.as_deref(), Some("tools/call"));
    assert_clean(&report, &[secret], "echo_env");
    assert!(report
        .stderr
        .as_deref()
        .unwrap()
        .contains("MCP_PROBE_SECRET_DB=<redacted>"));
}

fn stdio_fixture() -> std::path::PathBuf {
    peers::workspace_binary("mcp-probe-testkit", "bin", "mcp-probe-stdio-fixture")
}

/// Answers that are not valid HTTP are protocol failures (the server did answer), never
/// "unreachable".
#[tokio::test]
async fn invalid_http_is_malformed_not_unreachable() {
    for (behaviour, detail) in [
        (RawBehaviour::SshBanner, "invalid HTTP version parsed"),
        (RawBehaviour::ManyHeaders, "message head is too large"),
        (
            RawBehaviour::ControlCharHeader,
            "invalid HTTP header parsed",
        ),
        (RawBehaviour::ObsFold, "invalid HTTP header parsed"),
        (RawBehaviour::HugeSessionId, "message head is too large"),
    ] {
        let raw = RawServer::start(behaviour).await.unwrap();
        let report = check(&Scenario::for_url(raw.url()).timeout(Duration::from_secs(5)))
            .await
            .unwrap();
        let f = failure(&report);
        assert_eq!(f.code, FailureCode::Malformed, "{behaviour}: {}", f.message);
        assert_eq!(f.step.as_deref(), Some("handshake"));
        assert_eq!(f.details["reason"], "invalid_http");
        assert_eq!(
            f.message,
            format!("server/discover: the server's answer is not valid HTTP ({detail})"),
            "{behaviour}"
        );
        // One answer was enough to know: no second guess with `initialize`.
        assert_eq!(raw.connections(), 1, "{behaviour}");
    }
}

/// 15.5 MB of small numbers would take some 250 MB parsed: refused before parsing.
#[tokio::test]
async fn a_message_of_millions_of_values_is_refused_before_parsing() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &Scenario::for_url(server.url(Mode::ManyNumbers))
            .protocol(mcp_probe_core::ProtocolChoice::Handshake)
            .timeout(Duration::from_secs(10)),
    )
    .await
    .unwrap();
    let f = failure(&report);
    assert_eq!(f.code, FailureCode::ResponseTooLarge);
    assert_eq!(f.step.as_deref(), Some("handshake"));
    assert_eq!(f.details["part"], "json_values");
    assert!(
        f.message
            .starts_with("initialize: the answer holds up to 77500")
            && f.message
                .ends_with("a probe parses at most 1000000 values and 200000 objects per message"),
        "{}",
        f.message
    );
}

/// 200,000 tools in one page: the report keeps 10,000, the expectation still finds the
/// last one, and the call works.
#[tokio::test]
async fn a_huge_listing_is_judged_whole_but_kept_short() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(
        &Scenario::for_url(server.url(Mode::ManyTools))
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5")
            .timeout(Duration::from_secs(20)),
    )
    .await
    .unwrap();
    let f = report.failure.as_ref();
    // 200,000 objects plus the page's own exceed the object cap: refused, not parsed.
    match f {
        Some(f) => {
            assert_eq!(f.code, FailureCode::ResponseTooLarge, "{}", f.message);
            assert_eq!(f.step.as_deref(), Some("tools/list"));
        }
        None => panic!("200,000 tools were parsed: {}", report.steps[1].name),
    }
    // 11,000 tools over 11 pages fit: the 11,000th is found although the report keeps 10,000.
    let report = check(
        &Scenario::for_url(server.url(Mode::ToolPastCap))
            .call_tool("needle", json!({}))
            .timeout(Duration::from_secs(20)),
    )
    .await
    .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let list = &report.steps[1];
    assert_eq!(list.tools.as_ref().unwrap().len(), 10_000);
    assert_eq!(list.pages, Some(11));
    let w = &list.warnings[0];
    assert_eq!(w.code, "tools_truncated");
    assert_eq!(
        w.message,
        "tools/list: the server lists 11000 tools; the report keeps the first 10000"
    );
    assert_eq!(
        report.steps[2].result.as_ref().unwrap().text,
        "found the needle"
    );
}

/// 4 MB cursors are refused at once instead of being kept (100 of them were 420 MB).
#[tokio::test]
async fn oversized_cursors_are_refused() {
    let server = FixtureServer::start().await.unwrap();
    let report =
        check(&Scenario::for_url(server.url(Mode::HugeCursors)).timeout(Duration::from_secs(10)))
            .await
            .unwrap();
    let f = failure(&report);
    assert_eq!(f.code, FailureCode::Malformed);
    assert_eq!(f.step.as_deref(), Some("tools/list"));
    assert_eq!(f.details["reason"], "cursor_too_long");
    assert_eq!(
        f.message,
        "tools/list: nextCursor on page 1 is 4000000 bytes long; a probe follows cursors of \
         at most 65536 bytes"
    );
}

/// A server flooding `ping` requests gets at most 100 answers per step, then a timeout
/// within the deadline.
#[tokio::test]
async fn a_ping_flood_is_answered_a_bounded_number_of_times() {
    let server = FixtureServer::start().await.unwrap();
    let started = Instant::now();
    let report = check(
        &Scenario::for_url(server.url(Mode::PingFlood))
            .protocol(mcp_probe_core::ProtocolChoice::Handshake)
            .timeout(Duration::from_secs(3)),
    )
    .await
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let f = failure(&report);
    assert_eq!(f.code, FailureCode::Timeout, "{}", f.message);
    assert_eq!(f.step.as_deref(), Some("tools/list"));
    let list = &report.steps[1];
    assert_eq!(list.status, StepStatus::Fail);
    let answers = server
        .log()
        .iter()
        .filter(|r| r.mode == Mode::PingFlood && r.rpc_method.is_none() && r.id.is_some())
        .count();
    assert_eq!(answers, 100, "answers posted to the flood");
    assert!(list
        .warnings
        .iter()
        .any(|w| w.code == "server_requests_unanswered"));
}

/// Control characters from the server are kept in the report (JSON escapes them) — the text
/// output escapes them (tested with the CLI).
#[tokio::test]
async fn control_characters_are_data_in_the_report() {
    let server = FixtureServer::start().await.unwrap();
    let report = check(&Scenario::for_url(server.url(Mode::ControlChars)))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(
        report.server.as_ref().unwrap().name,
        "evil\u{1b}[2K\r\u{1b}[32mOK: healthy\u{1b}[0m"
    );
}

/// SSRF: `--check-auth` against a server whose challenge points at the cloud metadata
/// service never fetches it.
#[tokio::test]
async fn url_targets_in_private_ranges_keep_their_own_range() {
    // The fixture is on loopback: its own metadata (on loopback) is fetched as before.
    let server = FixtureServer::start().await.unwrap();
    let mut scenario = Scenario::for_url(server.url(Mode::AuthOk)).check_auth();
    scenario = scenario.timeout(Duration::from_secs(5));
    let report = check(&scenario).await.unwrap();
    let findings = report.steps[0].auth_findings.as_ref().unwrap();
    let safe = findings
        .iter()
        .find(|f| f.check == "metadata_url_safe")
        .unwrap();
    assert_eq!(
        safe.status,
        mcp_probe_core::FindingStatus::Pass,
        "{}",
        safe.message
    );
}
