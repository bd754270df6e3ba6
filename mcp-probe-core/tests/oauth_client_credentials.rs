//! OAuth client credentials: the token request on the wire (client_secret_basic and
//! client_secret_post), discovery of the token endpoint, caching per prober, replacing a
//! refused cached token once, and token endpoint failures as report failures.

#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use mcp_probe_core::{
    ErrorKind, FailureCode, FailureFamily, OAuthMethod, OAuthSpec, Prober, Report, Scenario,
};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::{json, Value};

/// One token request as the in-test endpoint saw it.
#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    content_type: Option<String>,
    fields: Vec<(String, String)>,
}

impl Seen {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Endpoint {
    seen: Mutex<Vec<Seen>>,
    /// Answers in order; the last one repeats.
    answers: Mutex<VecDeque<(u16, String)>>,
}

/// A token endpoint on 127.0.0.1 answering with `answers` in order (the last repeats).
async fn token_endpoint(answers: &[(u16, Value)]) -> (String, Arc<Endpoint>) {
    let state = Arc::new(Endpoint {
        seen: Mutex::default(),
        answers: Mutex::new(
            answers
                .iter()
                .map(|(s, v)| {
                    let body = match v {
                        Value::String(raw) => raw.clone(),
                        other => other.to_string(),
                    };
                    (*s, body)
                })
                .collect(),
        ),
    });
    async fn token(
        State(state): State<Arc<Endpoint>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        state.seen.lock().unwrap().push(Seen {
            authorization: text("authorization"),
            content_type: text("content-type"),
            fields: url::form_urlencoded::parse(&body).into_owned().collect(),
        });
        let mut answers = state.answers.lock().unwrap();
        let (status, body) = if answers.len() > 1 {
            answers.pop_front().unwrap()
        } else {
            answers.front().cloned().unwrap()
        };
        (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json")],
            body,
        )
            .into_response()
    }
    let app = Router::new()
        .route("/token", post(token))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/token"), state)
}

fn granted(token: &str, expires_in: Option<u64>) -> (u16, Value) {
    let mut body = json!({"access_token": token, "token_type": "bearer"});
    if let Some(e) = expires_in {
        body["expires_in"] = json!(e);
    }
    (200, body)
}

/// A file holding `secret` in a directory of the test's own.
fn secret_file(test: &str, secret: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcp-probe-oauth-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    file
}

fn bearer_of(server: &FixtureServer, mode: Mode) -> Vec<Option<String>> {
    server
        .log()
        .iter()
        .filter(|r| r.mode == mode && r.http_method == "POST" && r.rpc_method.is_some())
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect()
}

fn assert_ok(report: &Report) {
    assert!(report.ok, "{}", report.to_json_pretty());
}

#[tokio::test]
async fn basic_and_post_send_what_rfc_6749_asks() {
    let server = FixtureServer::start().await.unwrap();
    let mcp = server.url(Mode::AuthOk);
    let secret = "s3cr:t+/x";
    let file = secret_file("methods", secret);
    for method in [OAuthMethod::Basic, OAuthMethod::Post] {
        let (token_url, endpoint) = token_endpoint(&[granted("tok-A", Some(3600))]).await;
        let scenario = Scenario::for_url(&mcp).oauth(
            OAuthSpec::secret_from_file("probe client", &file)
                .method(method)
                .scope("mcp:read")
                .token_url(&token_url),
        );
        let report = Prober::new().check(&scenario).await.unwrap();
        assert_ok(&report);
        let auth = report.auth.as_ref().unwrap();
        assert_eq!(auth.method, "client_credentials");
        assert_eq!(auth.token_endpoint.as_deref(), Some(token_url.as_str()));
        assert!(!auth.cached);
        assert_eq!(auth.requests, 1);

        let seen = endpoint.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{method:?}");
        let request = &seen[0];
        assert_eq!(
            request.content_type.as_deref(),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(request.field("grant_type"), Some("client_credentials"));
        assert_eq!(request.field("scope"), Some("mcp:read"));
        assert_eq!(request.field("resource"), Some(mcp.as_str()));
        match method {
            OAuthMethod::Basic => {
                let header = request.authorization.as_deref().unwrap();
                let encoded = header.strip_prefix("Basic ").unwrap();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .unwrap();
                // RFC 6749 §2.3.1: id and secret form-urlencoded before joining.
                assert_eq!(
                    String::from_utf8(decoded).unwrap(),
                    "probe+client:s3cr%3At%2B%2Fx"
                );
                assert_eq!(request.field("client_secret"), None);
                assert_eq!(request.field("client_id"), None);
            }
            _ => {
                assert_eq!(request.authorization, None);
                assert_eq!(request.field("client_id"), Some("probe client"));
                assert_eq!(request.field("client_secret"), Some(secret));
            }
        }
        let bearers = bearer_of(&server, Mode::AuthOk);
        assert!(!bearers.is_empty());
        assert!(bearers.iter().all(|b| b.as_deref() == Some("Bearer tok-A")));
        let shown = serde_json::to_string(&report).unwrap();
        assert!(
            !shown.contains("tok-A") && !shown.contains(secret),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn the_report_with_auth_matches_the_schema() {
    let server = FixtureServer::start().await.unwrap();
    let (token_url, _) = token_endpoint(&[granted("tok-S", None)]).await;
    let file = secret_file("schema", "secret");
    let scenario = Scenario::for_url(server.url(Mode::AuthOk))
        .oauth(OAuthSpec::secret_from_file("id", &file).token_url(&token_url));
    let report = Prober::new().check(&scenario).await.unwrap();
    assert_ok(&report);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value = serde_json::to_value(&report).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
    assert_eq!(value["auth"]["method"], "client_credentials");
}

#[tokio::test]
async fn a_token_is_cached_by_the_prober_until_shortly_before_it_expires() {
    let server = FixtureServer::start().await.unwrap();
    let file = secret_file("cache", "secret");
    let spec = |token_url: &str| {
        Scenario::for_url(server.url(Mode::AuthOk))
            .oauth(OAuthSpec::secret_from_file("id", &file).token_url(token_url))
    };
    // Long-lived (and without expires_in: five minutes): one request for two probes.
    for expires_in in [Some(3600), None] {
        let (token_url, endpoint) = token_endpoint(&[granted("tok-long", expires_in)]).await;
        let prober = Prober::new();
        let first = prober.check(&spec(&token_url)).await.unwrap();
        let second = prober.check(&spec(&token_url)).await.unwrap();
        assert_ok(&first);
        assert_ok(&second);
        assert_eq!(endpoint.seen.lock().unwrap().len(), 1, "{expires_in:?}");
        let auth = second.auth.as_ref().unwrap();
        assert!(auth.cached);
        assert_eq!(auth.requests, 0);
        assert_eq!(auth.token_endpoint.as_deref(), Some(token_url.as_str()));
        // Another prober has a cache of its own.
        let third = Prober::new().check(&spec(&token_url)).await.unwrap();
        assert_ok(&third);
        assert_eq!(endpoint.seen.lock().unwrap().len(), 2);
    }
    // Expiring within the 30 s margin: fetched for every probe.
    let (token_url, endpoint) = token_endpoint(&[granted("tok-short", Some(20))]).await;
    let prober = Prober::new();
    for _ in 0..2 {
        let report = prober.check(&spec(&token_url)).await.unwrap();
        assert_ok(&report);
        assert!(!report.auth.as_ref().unwrap().cached);
    }
    assert_eq!(endpoint.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_is_reused_only_with_the_credentials_that_obtained_it() {
    let server = FixtureServer::start().await.unwrap();
    let mcp = server.url(Mode::AuthClientCredentials);
    let right = secret_file("cache-right", "fixture-secret");
    let wrong = secret_file("cache-wrong", "not-the-secret");
    let spec = |file: &PathBuf, method: OAuthMethod| {
        Scenario::for_url(&mcp)
            .oauth(OAuthSpec::secret_from_file("fixture-client", file).method(method))
    };
    let prober = Prober::new();
    assert_ok(
        &prober
            .check(&spec(&right, OAuthMethod::Basic))
            .await
            .unwrap(),
    );
    let again = prober
        .check(&spec(&right, OAuthMethod::Basic))
        .await
        .unwrap();
    assert!(again.auth.as_ref().unwrap().cached);
    // Another secret, or another method, asks the token endpoint itself.
    let refused = prober
        .check(&spec(&wrong, OAuthMethod::Basic))
        .await
        .unwrap();
    let f = refused.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::AuthToken, "{}", f.message);
    assert_eq!(f.details["oauthError"], "invalid_client");
    let post = prober
        .check(&spec(&right, OAuthMethod::Post))
        .await
        .unwrap();
    assert_ok(&post);
    assert!(!post.auth.as_ref().unwrap().cached);
}

#[tokio::test]
async fn a_refused_cached_token_is_replaced_once() {
    let server = FixtureServer::start().await.unwrap();
    let file = secret_file("refused", "secret");
    // The same token URL, client, scope and resource: the same cache entry for both servers.
    let spec = |mode: Mode, token_url: &str| {
        Scenario::for_url(server.url(mode)).oauth(
            OAuthSpec::secret_from_file("id", &file)
                .token_url(token_url)
                .resource("urn:mcp-probe:test"),
        )
    };
    let (token_url, endpoint) = token_endpoint(&[
        granted("stale-token", Some(3600)),
        granted("fixture-access-token", Some(3600)),
    ])
    .await;
    let prober = Prober::new();
    // auth_ok accepts any token: "stale-token" is cached.
    assert_ok(&prober.check(&spec(Mode::AuthOk, &token_url)).await.unwrap());
    // auth_client_credentials refuses it: forgotten, fetched again, accepted.
    let report = prober
        .check(&spec(Mode::AuthClientCredentials, &token_url))
        .await
        .unwrap();
    assert_ok(&report);
    let auth = report.auth.as_ref().unwrap();
    assert!(!auth.cached);
    assert_eq!(auth.requests, 1);
    assert_eq!(endpoint.seen.lock().unwrap().len(), 2);
    let bearers = bearer_of(&server, Mode::AuthClientCredentials);
    assert_eq!(bearers[0].as_deref(), Some("Bearer stale-token"));
    assert!(bearers[1..]
        .iter()
        .all(|b| b.as_deref() == Some("Bearer fixture-access-token")));
    // The new token is cached in turn.
    let again = prober
        .check(&spec(Mode::AuthClientCredentials, &token_url))
        .await
        .unwrap();
    assert_ok(&again);
    assert!(again.auth.as_ref().unwrap().cached);
    assert_eq!(endpoint.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_refused_again_fails_without_a_third_request() {
    let server = FixtureServer::start().await.unwrap();
    let file = secret_file("refused-twice", "secret");
    let spec = |mode: Mode, token_url: &str| {
        Scenario::for_url(server.url(mode)).oauth(
            OAuthSpec::secret_from_file("id", &file)
                .token_url(token_url)
                .resource("urn:mcp-probe:test"),
        )
    };
    let (token_url, endpoint) = token_endpoint(&[granted("wrong-token", Some(3600))]).await;
    let prober = Prober::new();
    assert_ok(&prober.check(&spec(Mode::AuthOk, &token_url)).await.unwrap());
    let report = prober
        .check(&spec(Mode::AuthClientCredentials, &token_url))
        .await
        .unwrap();
    assert!(!report.ok);
    let failure = report.failure.as_ref().unwrap();
    assert_eq!(failure.code, FailureCode::AuthRequired);
    assert_eq!(failure.step.as_deref(), Some("handshake"));
    assert_eq!(endpoint.seen.lock().unwrap().len(), 2);
    // A refused token is not kept: the next probe asks for a new one.
    let next = prober
        .check(&spec(Mode::AuthClientCredentials, &token_url))
        .await
        .unwrap();
    assert!(!next.ok);
    assert!(!next.auth.as_ref().unwrap().cached);
    assert_eq!(endpoint.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn the_token_endpoint_is_discovered_like_a_client_does() {
    let server = FixtureServer::start().await.unwrap();
    let file = secret_file("discovery", "fixture-secret");
    let mcp = server.url(Mode::AuthClientCredentials);
    for method in [OAuthMethod::Basic, OAuthMethod::Post] {
        let scenario = Scenario::for_url(&mcp)
            .oauth(OAuthSpec::secret_from_file("fixture-client", &file).method(method));
        let report = Prober::new().check(&scenario).await.unwrap();
        assert_ok(&report);
        let auth = report.auth.as_ref().unwrap();
        assert_eq!(
            auth.token_endpoint.as_deref(),
            Some(format!("http://{}/as/auth_client_credentials/token", server.addr()).as_str())
        );
        assert_eq!(
            auth.requests, 4,
            "initialize, two metadata documents, token"
        );
    }
    let log = server.log();
    let token_requests: Vec<_> = log
        .iter()
        .filter(|r| r.http_method == "POST" && r.rpc_method.is_none())
        .collect();
    assert_eq!(token_requests.len(), 2);
    for request in &token_requests {
        let body = request.body.as_ref().unwrap();
        assert_eq!(body["grant_type"], "client_credentials");
        assert_eq!(body["resource"], mcp.as_str());
    }
    assert!(token_requests[0]
        .header("authorization")
        .unwrap()
        .starts_with("Basic "));
    assert_eq!(
        token_requests[1].body.as_ref().unwrap()["client_secret"],
        "fixture-secret"
    );
    // The discovery's initialize carries no credentials.
    let first = &log[0];
    assert_eq!(first.rpc_method.as_deref(), Some("initialize"));
    assert_eq!(first.header("authorization"), None);
}

#[tokio::test]
async fn a_token_endpoint_error_is_an_auth_token_failure() {
    let server = FixtureServer::start().await.unwrap();
    let secret = "canary-secret-1234";
    let file = secret_file("errors", secret);
    let cases = [
        (
            (
                400,
                json!({"error": "invalid_client", "error_description": format!("client secret {secret} is wrong")}),
            ),
            Some("invalid_client"),
            None,
        ),
        (
            (200, json!({"access_token": "t", "token_type": "mac"})),
            None,
            Some("invalid_token_response"),
        ),
        (
            (200, json!({"token_type": "Bearer"})),
            None,
            Some("invalid_token_response"),
        ),
        (
            (200, Value::String("<html>".into())),
            None,
            Some("not_json"),
        ),
        ((500, Value::String("oops".into())), None, None),
    ];
    for (answer, oauth_error, reason) in cases {
        let status = answer.0;
        let (token_url, _) = token_endpoint(&[answer]).await;
        let scenario = Scenario::for_url(server.url(Mode::AuthOk))
            .oauth(OAuthSpec::secret_from_file("id", &file).token_url(&token_url));
        let report = Prober::new().check(&scenario).await.unwrap();
        assert!(!report.ok);
        let f = report.failure.as_ref().unwrap();
        assert_eq!(f.code, FailureCode::AuthToken, "{}", f.message);
        assert_eq!(f.family, FailureFamily::Auth);
        assert_eq!(f.step.as_deref(), Some("handshake"));
        assert_eq!(f.details["tokenEndpoint"], token_url.as_str());
        assert_eq!(f.details["httpStatus"], status);
        assert_eq!(f.details["stage"], "token_request");
        assert_eq!(
            f.details.get("oauthError").and_then(Value::as_str),
            oauth_error
        );
        assert_eq!(f.details.get("reason").and_then(Value::as_str), reason);
        assert_eq!(report.steps[1].status, mcp_probe_core::StepStatus::Skip);
        let shown = serde_json::to_string(&report).unwrap();
        assert!(!shown.contains(secret), "{shown}");
        // Nothing went to the MCP server without a token.
        assert!(bearer_of(&server, Mode::AuthOk).is_empty());
    }
}

#[tokio::test]
async fn discovery_and_transport_failures_are_reported() {
    let server = FixtureServer::start().await.unwrap();
    let file = secret_file("discovery-failures", "secret");
    let probe = |url: String| {
        let scenario = Scenario::for_url(url).oauth(OAuthSpec::secret_from_file("id", &file));
        async move { Prober::new().check(&scenario).await.unwrap() }
    };
    for (mode, check) in [
        (Mode::AuthNoMetadata, "resource_metadata"),
        (Mode::AuthNotProtected, "not_protected"),
        (Mode::AuthIssuerMismatch, "issuer_match"),
    ] {
        let report = probe(server.url(mode)).await;
        let f = report.failure.as_ref().unwrap();
        assert_eq!(f.code, FailureCode::AuthToken, "{mode}: {}", f.message);
        assert_eq!(f.details["check"], check, "{mode}");
        assert_eq!(f.details["stage"], "discovery");
    }
    // A server failing with HTTP 502 fails as it does without OAuth (exit 6, not an
    // authorization failure): nothing about its authorization can be learnt.
    let report = probe(server.url(Mode::BadGateway)).await;
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::HttpStatus, "{}", f.message);
    assert_eq!(f.step.as_deref(), Some("handshake"));
    assert_eq!(
        f.message,
        "initialize without credentials: HTTP 502 Bad Gateway (text/html)"
    );
    assert_eq!(f.http_status(), Some(502));
    assert_eq!(f.details["stage"], "discovery");
    assert_eq!(f.details["check"], "challenge_status");
    // So does a wrong path's 404.
    let wrong_path = server
        .url(Mode::AuthOk)
        .replace("/auth_ok/", "/no_such_server/");
    let f = probe(wrong_path).await.failure.unwrap();
    assert_eq!(f.code, FailureCode::HttpStatus, "{}", f.message);
    assert_eq!(
        f.message,
        "initialize without credentials: HTTP 404 Not Found (text/plain)"
    );
    // An unreachable token endpoint keeps the transport's code.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let token_url = format!("http://127.0.0.1:{port}/token");
    let scenario = Scenario::for_url(server.url(Mode::AuthOk))
        .oauth(OAuthSpec::secret_from_file("id", &file).token_url(&token_url));
    let report = Prober::new().check(&scenario).await.unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::ConnectRefused, "{}", f.message);
    assert_eq!(f.details["tokenEndpoint"], token_url.as_str());
}

#[tokio::test]
async fn the_callers_mistakes_are_errors() {
    let url = "http://127.0.0.1:9/mcp";
    let missing = Scenario::for_url(url).oauth(OAuthSpec::secret_from_env(
        "id",
        "MCP_PROBE_TEST_SURELY_UNSET_CLIENT_SECRET",
    ));
    let e = Prober::new().check(&missing).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    let unreadable = Scenario::for_url(url).oauth(OAuthSpec::secret_from_file(
        "id",
        "/nonexistent/mcp-probe/secret",
    ));
    let e = Prober::new().check(&unreadable).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    let both = Scenario::for_url(url)
        .bearer_env("TOKEN")
        .oauth(OAuthSpec::secret_from_env("id", "SECRET"));
    assert!(Prober::new()
        .check(&both)
        .await
        .unwrap_err()
        .is_invalid_scenario());
    let plain_http = Scenario::for_url(url)
        .oauth(OAuthSpec::secret_from_env("id", "SECRET").token_url("http://as.example/token"));
    assert_eq!(
        Prober::new().check(&plain_http).await.unwrap_err().kind(),
        ErrorKind::InvalidUrl
    );
    let doc = Scenario::from_yaml(
        "target: {url: 'http://x/mcp', oauth: {clientId: a, clientSecret: inline}}\n",
    );
    assert!(doc.unwrap_err().is_invalid_scenario());
}

#[test]
fn a_probe_with_oauth_can_run_on_any_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let prober = Prober::new();
    let scenario = Scenario::for_url("http://127.0.0.1:9/mcp")
        .oauth(OAuthSpec::secret_from_env("id", "SECRET").token_url("http://127.0.0.1:9/token"));
    // The bindings hand the probe's future to multi-threaded runtimes.
    assert_send(&prober.check(&scenario));
}

/// The claims of a compact JWT (its middle part), unverified.
fn jwt_claims(jwt: &str) -> Value {
    let middle = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn private_key_jwt_signs_an_assertion_the_authorization_server_accepts() {
    let server = FixtureServer::start().await.unwrap();
    let file = secret_file("private-key-jwt", mcp_probe_testkit::FIXTURE_CLIENT_KEY_PEM);
    let mcp = server.url(Mode::AuthClientCredentials);
    let scenario = Scenario::for_url(&mcp).oauth(
        OAuthSpec::secret_from_file("fixture-client", &file).method(OAuthMethod::PrivateKeyJwt),
    );
    let report = Prober::new().check(&scenario).await.unwrap();
    assert_ok(&report);
    let auth = report.auth.as_ref().unwrap();
    assert_eq!(auth.method, "client_credentials");
    assert_eq!(
        auth.requests, 4,
        "initialize, two metadata documents, token"
    );
    let bearers = bearer_of(&server, Mode::AuthClientCredentials);
    assert!(bearers
        .iter()
        .any(|b| b.as_deref() == Some("Bearer fixture-access-token")));

    let log = server.log();
    let token_request = log
        .iter()
        .find(|r| r.http_method == "POST" && r.rpc_method.is_none())
        .unwrap();
    assert_eq!(token_request.header("authorization"), None);
    let body = token_request.body.as_ref().unwrap();
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], "fixture-client");
    assert_eq!(
        body["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert!(body.get("client_secret").is_none());
    let assertion = body["client_assertion"].as_str().unwrap();
    let claims = jwt_claims(assertion);
    // The audience is the issuer discovery found (RFC 7523bis), not the token endpoint.
    let issuer = format!("http://{}/as/auth_client_credentials", server.addr());
    assert_eq!(claims["aud"], issuer.as_str());
    assert_eq!(claims["iss"], "fixture-client");
    assert_eq!(claims["sub"], "fixture-client");

    // Neither the key nor the assertion leaves the engine.
    let shown = serde_json::to_string(&report).unwrap();
    assert!(!shown.contains(assertion), "{shown}");
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
}

/// A probe of `server`'s `auth_ok` endpoint with `private_key_jwt` (the fixture's key) at
/// `token_url`, which refuses: the report, its failure checked to be `auth_token`.
async fn refused_key_jwt(server: &FixtureServer, test: &str, token_url: &str) -> Report {
    let file = secret_file(test, mcp_probe_testkit::FIXTURE_CLIENT_KEY_PEM);
    let scenario = Scenario::for_url(server.url(Mode::AuthOk)).oauth(
        OAuthSpec::secret_from_file("probe-client", &file)
            .method(OAuthMethod::PrivateKeyJwt)
            .token_url(token_url),
    );
    let report = Prober::new().check(&scenario).await.unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::AuthToken, "{}", f.message);
    report
}

#[tokio::test]
async fn private_key_jwt_with_a_named_token_endpoint_is_for_that_endpoint() {
    let server = FixtureServer::start().await.unwrap();
    let (token_url, endpoint) = token_endpoint(&[(
        401,
        json!({"error": "invalid_client", "error_description": "assertion refused"}),
    )])
    .await;
    let report = refused_key_jwt(&server, "private-key-jwt-named", &token_url).await;
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.step.as_deref(), Some("handshake"));
    assert_eq!(f.details["stage"], "token_request");
    assert_eq!(f.details["oauthError"], "invalid_client");
    assert_eq!(f.details["httpStatus"], 401);
    let seen = endpoint.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let assertion = seen[0].field("client_assertion").unwrap().to_owned();
    assert_eq!(jwt_claims(&assertion)["aud"], token_url.as_str());
    let shown = serde_json::to_string(&report).unwrap();
    assert!(!shown.contains(&assertion), "{shown}");
}

#[tokio::test]
async fn private_key_jwt_with_another_key_is_refused_by_the_server() {
    let server = FixtureServer::start().await.unwrap();
    // A valid key, but not the one the fixture's authorization server knows.
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .unwrap()
        .serialize_pem();
    let file = secret_file("private-key-jwt-other", &other);
    let scenario = Scenario::for_url(server.url(Mode::AuthClientCredentials)).oauth(
        OAuthSpec::secret_from_file("fixture-client", &file).method(OAuthMethod::PrivateKeyJwt),
    );
    let report = Prober::new().check(&scenario).await.unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::AuthToken, "{}", f.message);
    assert_eq!(f.details["stage"], "token_request");
    assert_eq!(f.details["oauthError"], "invalid_client");
    assert_eq!(f.details["httpStatus"], 401);
}

#[tokio::test]
async fn an_unusable_private_key_is_a_credential_error() {
    let url = "http://127.0.0.1:9/mcp";
    let file = secret_file("private-key-jwt-bad", "not a key");
    let scenario = Scenario::for_url(url)
        .oauth(OAuthSpec::secret_from_file("id", &file).method(OAuthMethod::PrivateKeyJwt));
    let e = Prober::new().check(&scenario).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Credential);
    assert_eq!(
        e.to_string(),
        format!(
            "the OAuth client key (clientSecretFile {}) cannot be used: it holds no PEM private key",
            file.display()
        )
    );
    let code_flow = Scenario::from_yaml(
        "target: {url: 'http://x/mcp', oauth: {flow: authorization-code, clientId: a, \
         clientSecretEnv: K, method: private-key-jwt}}\n",
    )
    .unwrap();
    let e = Prober::new().check(&code_flow).await.unwrap_err();
    assert!(e.is_invalid_scenario());
    assert_eq!(
        e.to_string(),
        "`oauth.method: private-key-jwt` is supported with the `client-credentials` flow only"
    );
}

#[tokio::test]
async fn a_token_endpoint_echoing_the_assertion_leaks_nothing() {
    /// Refuses every request, its `error_description` the assertion it was sent.
    async fn echo(body: Bytes) -> Response {
        let fields: Vec<(String, String)> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let assertion = fields
            .iter()
            .find(|(k, _)| k == "client_assertion")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        (
            StatusCode::UNAUTHORIZED,
            [("content-type", "application/json")],
            json!({"error": "invalid_client", "error_description": format!("bad {assertion}")})
                .to_string(),
        )
            .into_response()
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let token_url = format!("http://{}/token", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, Router::new().route("/token", post(echo)))
            .await
            .unwrap()
    });
    let server = FixtureServer::start().await.unwrap();
    let report = refused_key_jwt(&server, "private-key-jwt-echo", &token_url).await;
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.details["oauthErrorDescription"], "bad <redacted>");
}

#[tokio::test]
async fn jwt_bearer_sends_the_workloads_token_and_reads_it_anew_when_it_rotates() {
    let server = FixtureServer::start().await.unwrap();
    let issuer = format!("http://{}/as/auth_client_credentials", server.addr());
    let jwt = mcp_probe_testkit::fixture_workload_jwt(&issuer, 600);
    let file = secret_file("jwt-bearer", &jwt);
    let mut spec = OAuthSpec::secret_from_file("fixture-client", &file);
    spec.flow = mcp_probe_core::OAuthFlow::JwtBearer;
    let scenario = Scenario::for_url(server.url(Mode::AuthClientCredentials)).oauth(spec);
    let prober = Prober::new();
    let report = prober.check(&scenario).await.unwrap();
    assert_ok(&report);
    let auth = report.auth.as_ref().unwrap();
    assert_eq!(auth.method, "jwt_bearer");
    assert!(!auth.cached);
    let token_requests = |server: &FixtureServer| {
        server
            .log()
            .into_iter()
            .filter(|r| r.http_method == "POST" && r.rpc_method.is_none())
            .collect::<Vec<_>>()
    };
    let sent = token_requests(&server);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("authorization"), None);
    let body = sent[0].body.as_ref().unwrap();
    assert_eq!(
        body["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(body["assertion"], jwt.as_str());
    assert_eq!(body["client_id"], "fixture-client");
    assert!(body.get("client_secret").is_none() && body.get("client_assertion").is_none());
    let shown = serde_json::to_string(&report).unwrap();
    assert!(!shown.contains(&jwt), "{shown}");

    // The same token while the file holds the same JWT; a rotated one asks again.
    let again = prober.check(&scenario).await.unwrap();
    assert!(again.auth.as_ref().unwrap().cached);
    std::fs::write(&file, mcp_probe_testkit::fixture_workload_jwt(&issuer, 900)).unwrap();
    let rotated = prober.check(&scenario).await.unwrap();
    assert_ok(&rotated);
    assert!(!rotated.auth.as_ref().unwrap().cached);
    assert_eq!(token_requests(&server).len(), 2);
}

#[tokio::test]
async fn jwt_bearer_with_an_expired_token_or_a_method_fails_clearly() {
    let server = FixtureServer::start().await.unwrap();
    let issuer = format!("http://{}/as/auth_client_credentials", server.addr());
    let file = secret_file(
        "jwt-bearer-expired",
        &mcp_probe_testkit::fixture_workload_jwt(&issuer, -60),
    );
    let mut spec = OAuthSpec::secret_from_file("fixture-client", &file);
    spec.flow = mcp_probe_core::OAuthFlow::JwtBearer;
    let scenario = Scenario::for_url(server.url(Mode::AuthClientCredentials)).oauth(spec.clone());
    let report = Prober::new().check(&scenario).await.unwrap();
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.code, FailureCode::AuthToken, "{}", f.message);
    assert_eq!(f.details["oauthError"], "invalid_grant");
    assert_eq!(f.details["stage"], "token_request");
    assert_eq!(report.auth.as_ref().unwrap().method, "jwt_bearer");

    let with_method = Scenario::for_url(server.url(Mode::AuthClientCredentials))
        .oauth(spec.method(OAuthMethod::Post));
    let e = Prober::new().check(&with_method).await.unwrap_err();
    assert!(e.is_invalid_scenario());
    assert_eq!(
        e.to_string(),
        "`oauth.method` does not apply to the `jwt-bearer` flow: the assertion is the client's credential"
    );
}
