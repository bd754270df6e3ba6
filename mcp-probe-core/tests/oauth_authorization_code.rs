//! The headless authorization-code flow with PKCE against an in-test authorization server
//! that approves without a person: the authorization request and the token request on the
//! wire, dynamic registration, refresh tokens (issued ones and one the user gave), and the
//! refusals (a page that needs a person, a wrong `iss`).

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use mcp_probe_core::{
    FailureCode, OAuthSpec, Prober, ProtocolChoice, Report, Scenario, DEFAULT_REDIRECT_URI,
};
use serde_json::{json, Value};
use sha2::Digest;

/// How the in-test authorization server answers the authorization request.
#[derive(Clone, Copy, PartialEq)]
enum Approve {
    /// A redirect to the redirect URI with the code, `state` and the right `iss`.
    Yes,
    /// A login page (200 HTML).
    Page,
    /// A redirect whose `iss` is another issuer.
    WrongIss,
}

#[derive(Default)]
struct Seen {
    registrations: Vec<Value>,
    authorizations: Vec<Vec<(String, String)>>,
    tokens: Vec<Vec<(String, String)>>,
    bearers: Vec<Option<String>>,
}

/// Which tokens the MCP endpoint's tool listing accepts.
#[derive(Clone, Copy, PartialEq)]
enum Scopes {
    /// Any.
    Any,
    /// Not the first (403 `insufficient_scope` asking for `mcp:write`).
    StepUp,
    /// None (always 403 `insufficient_scope`).
    Never,
}

struct Server {
    base: String,
    approve: Approve,
    scopes: Scopes,
    /// `expires_in` of the tokens issued.
    lifetime: u64,
    seen: Mutex<Seen>,
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An MCP server (its `/mcp` answers initialize and tools/list, 401 without a bearer token)
/// with its own authorization server, on 127.0.0.1.
async fn start(approve: Approve, lifetime: u64) -> Arc<Server> {
    start_with(approve, lifetime, Scopes::Any).await
}

/// [`start`] with a tool listing that may ask for more scope.
async fn start_with(approve: Approve, lifetime: u64, scopes: Scopes) -> Arc<Server> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Arc::new(Server {
        base: format!("http://{addr}"),
        approve,
        scopes,
        lifetime,
        seen: Mutex::default(),
    });
    async fn prm(State(s): State<Arc<Server>>) -> Response {
        axum::Json(json!({
            "resource": format!("{}/mcp", s.base),
            "authorization_servers": [s.base],
            "scopes_supported": ["mcp:read"],
        }))
        .into_response()
    }
    async fn asm(State(s): State<Arc<Server>>) -> Response {
        let b = &s.base;
        axum::Json(json!({
            "issuer": b,
            "authorization_endpoint": format!("{b}/authorize"),
            "token_endpoint": format!("{b}/token"),
            "registration_endpoint": format!("{b}/register"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "authorization_response_iss_parameter_supported": true,
            "scopes_supported": ["mcp:read", "offline_access"],
        }))
        .into_response()
    }
    async fn register(State(s): State<Arc<Server>>, body: Bytes) -> Response {
        let body: Value = serde_json::from_slice(&body).unwrap();
        s.seen.lock().unwrap().registrations.push(body);
        (
            StatusCode::CREATED,
            axum::Json(json!({"client_id": "dyn-client", "token_endpoint_auth_method": "none"})),
        )
            .into_response()
    }
    async fn authorize(
        State(s): State<Arc<Server>>,
        Query(query): Query<Vec<(String, String)>>,
    ) -> Response {
        s.seen.lock().unwrap().authorizations.push(query.clone());
        let state = field(&query, "state").unwrap_or_default().to_owned();
        let redirect = field(&query, "redirect_uri").unwrap_or_default().to_owned();
        let iss = match s.approve {
            Approve::Page => {
                return (
                    [("content-type", "text/html")],
                    "<form>log in</form>".to_owned(),
                )
                    .into_response()
            }
            Approve::Yes => s.base.clone(),
            Approve::WrongIss => "https://evil.example".to_owned(),
        };
        let mut to = url::Url::parse(&redirect).unwrap();
        to.query_pairs_mut()
            .append_pair("code", "code-XYZ")
            .append_pair("state", &state)
            .append_pair("iss", &iss);
        Redirect::to(to.as_str()).into_response()
    }
    async fn token(State(s): State<Arc<Server>>, body: Bytes) -> Response {
        let fields: Vec<(String, String)> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let mut seen = s.seen.lock().unwrap();
        seen.tokens.push(fields.clone());
        let n = seen.tokens.len();
        axum::Json(json!({
            "access_token": format!("tok-{n}"),
            "token_type": "Bearer",
            "expires_in": s.lifetime,
            "refresh_token": format!("ref-{n}"),
        }))
        .into_response()
    }
    async fn mcp(State(s): State<Arc<Server>>, headers: HeaderMap, body: Bytes) -> Response {
        let bearer = headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        s.seen.lock().unwrap().bearers.push(bearer.clone());
        if bearer.is_none() {
            let challenge = format!(
                "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\", \
                 scope=\"mcp:read\"",
                s.base
            );
            return (
                StatusCode::UNAUTHORIZED,
                [("www-authenticate", challenge)],
                "",
            )
                .into_response();
        }
        let request: Value = serde_json::from_slice(&body).unwrap();
        let insufficient = request["method"] == "tools/list"
            && match s.scopes {
                Scopes::Any => false,
                Scopes::StepUp => bearer.as_deref() == Some("Bearer tok-1"),
                Scopes::Never => true,
            };
        if insufficient {
            let challenge = format!(
                "Bearer error=\"insufficient_scope\", scope=\"mcp:write\", \
                 resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
                s.base
            );
            return (StatusCode::FORBIDDEN, [("www-authenticate", challenge)], "").into_response();
        }
        let Some(id) = request.get("id").cloned() else {
            return StatusCode::ACCEPTED.into_response();
        };
        let result = match request["method"].as_str() {
            Some("initialize") => json!({
                "protocolVersion": request["params"]["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "oauth-test", "version": "1"},
            }),
            _ => json!({"tools": []}),
        };
        axum::Json(json!({"jsonrpc": "2.0", "id": id, "result": result})).into_response()
    }
    let app = Router::new()
        .route("/.well-known/oauth-protected-resource/mcp", get(prm))
        .route("/.well-known/oauth-authorization-server", get(asm))
        .route("/register", post(register))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/mcp", post(mcp))
        .with_state(Arc::clone(&server));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    server
}

fn scenario(server: &Server, oauth: OAuthSpec) -> Scenario {
    Scenario::for_url(format!("{}/mcp", server.base))
        .protocol(ProtocolChoice::Handshake)
        .oauth(oauth)
}

fn failure(report: &Report) -> (FailureCode, String) {
    let f = report.failure.as_ref().expect("a failure");
    (f.code, f.message.clone())
}

#[tokio::test]
async fn the_flow_registers_authorizes_with_pkce_and_exchanges_the_code() {
    let server = start(Approve::Yes, 3600).await;
    let report = Prober::new()
        .check(&scenario(&server, OAuthSpec::authorization_code()))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let auth = report.auth.as_ref().unwrap();
    assert_eq!(auth.method, "authorization_code");
    assert_eq!(
        auth.token_endpoint.as_deref(),
        Some(format!("{}/token", server.base).as_str())
    );
    let seen = server.seen.lock().unwrap();
    // Dynamic registration: a native public client with the loopback redirect URI.
    assert_eq!(seen.registrations.len(), 1);
    let registration = &seen.registrations[0];
    assert_eq!(registration["redirect_uris"], json!([DEFAULT_REDIRECT_URI]));
    assert_eq!(registration["token_endpoint_auth_method"], "none");
    assert_eq!(registration["application_type"], "native");
    assert_eq!(
        registration["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    // The authorization request.
    assert_eq!(seen.authorizations.len(), 1);
    let query = &seen.authorizations[0];
    let resource = format!("{}/mcp", server.base);
    assert_eq!(field(query, "response_type"), Some("code"));
    assert_eq!(field(query, "client_id"), Some("dyn-client"));
    assert_eq!(field(query, "redirect_uri"), Some(DEFAULT_REDIRECT_URI));
    assert_eq!(field(query, "code_challenge_method"), Some("S256"));
    assert_eq!(field(query, "scope"), Some("mcp:read offline_access"));
    assert_eq!(field(query, "resource"), Some(resource.as_str()));
    assert_eq!(field(query, "state").map(str::len), Some(43));
    // The token request: the code, the verifier matching the challenge, the same resource.
    assert_eq!(seen.tokens.len(), 1);
    let form = &seen.tokens[0];
    assert_eq!(field(form, "grant_type"), Some("authorization_code"));
    assert_eq!(field(form, "code"), Some("code-XYZ"));
    assert_eq!(field(form, "client_id"), Some("dyn-client"));
    assert_eq!(field(form, "redirect_uri"), Some(DEFAULT_REDIRECT_URI));
    assert_eq!(field(form, "resource"), Some(resource.as_str()));
    let verifier = field(form, "code_verifier").unwrap();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(field(query, "code_challenge"), Some(challenge.as_str()));
    // The MCP requests carry the token; the report shows none of the values.
    assert!(seen
        .bearers
        .iter()
        .skip(1)
        .all(|b| b.as_deref() == Some("Bearer tok-1")));
    let shown = serde_json::to_string(&report).unwrap();
    for secret in ["tok-1", "ref-1", "code-XYZ", verifier] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn an_issued_refresh_token_renews_an_expiring_token() {
    // 20 s: within the 30 s margin, so the next probe refreshes at once.
    let server = start(Approve::Yes, 20).await;
    let prober = Prober::new();
    let spec = scenario(&server, OAuthSpec::authorization_code());
    let first = prober.check(&spec).await.unwrap();
    assert!(first.ok, "{}", first.to_json_pretty());
    let second = prober.check(&spec).await.unwrap();
    assert!(second.ok, "{}", second.to_json_pretty());
    let auth = second.auth.as_ref().unwrap();
    assert_eq!(auth.method, "refresh_token");
    assert_eq!(auth.requests, 1);
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.authorizations.len(), 1);
    assert_eq!(seen.tokens.len(), 2);
    let form = &seen.tokens[1];
    assert_eq!(field(form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(form, "refresh_token"), Some("ref-1"));
    assert_eq!(field(form, "client_id"), Some("dyn-client"));
    assert_eq!(
        seen.bearers.last().unwrap().as_deref(),
        Some("Bearer tok-2")
    );
    assert!(!serde_json::to_string(&second).unwrap().contains("ref-"));
}

#[tokio::test]
async fn a_refresh_token_the_user_gave_is_used_instead_of_authorizing() {
    let server = start(Approve::Page, 3600).await;
    let var = "MCP_PROBE_TEST_OAUTH_REFRESH_TOKEN";
    std::env::set_var(var, "given-refresh-token");
    let oauth = OAuthSpec::authorization_code()
        .client_id("monitor")
        .refresh_token_env(var);
    let report = Prober::new()
        .check(&scenario(&server, oauth))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.auth.as_ref().unwrap().method, "refresh_token");
    let seen = server.seen.lock().unwrap();
    assert!(seen.authorizations.is_empty());
    assert!(seen.registrations.is_empty());
    let form = &seen.tokens[0];
    assert_eq!(field(form, "grant_type"), Some("refresh_token"));
    assert_eq!(field(form, "refresh_token"), Some("given-refresh-token"));
    assert_eq!(field(form, "client_id"), Some("monitor"));
    assert!(!serde_json::to_string(&report)
        .unwrap()
        .contains("given-refresh-token"));
}

#[tokio::test]
async fn a_server_that_needs_a_person_fails_fast() {
    let server = start(Approve::Page, 3600).await;
    let report = Prober::new()
        .check(&scenario(&server, OAuthSpec::authorization_code()))
        .await
        .unwrap();
    assert!(!report.ok);
    let endpoint = format!("{}/authorize", server.base);
    let (code, message) = failure(&report);
    assert_eq!(code, FailureCode::AuthToken);
    assert!(
        message.starts_with(&format!("authorization request to {endpoint}?")),
        "{message}"
    );
    assert!(
        message.ends_with(
            ": HTTP 200: the authorization server answered with a page instead of redirecting \
             to the redirect URI; it needs a person (to log in or consent), and the \
             authorization-code flow runs only against servers that approve without one"
        ),
        "{message}"
    );
    let f = report.failure.as_ref().unwrap();
    assert_eq!(f.details["stage"], "authorization");
    assert_eq!(f.details["needsPerson"], true);
    assert!(server.seen.lock().unwrap().tokens.is_empty());
}

#[tokio::test]
async fn a_wrong_iss_is_refused_before_the_code_is_used() {
    let server = start(Approve::WrongIss, 3600).await;
    let report = Prober::new()
        .check(&scenario(&server, OAuthSpec::authorization_code()))
        .await
        .unwrap();
    let (code, message) = failure(&report);
    assert_eq!(code, FailureCode::AuthToken);
    assert_eq!(
        message,
        format!(
            "the authorization response's iss \"https://evil.example\" is not the authorization \
             server's issuer {:?}; the response is refused (RFC 9207)",
            server.base
        )
    );
    assert!(server.seen.lock().unwrap().tokens.is_empty());
}

#[tokio::test]
async fn insufficient_scope_steps_up_with_the_union_of_the_scopes() {
    let server = start_with(Approve::Yes, 3600, Scopes::StepUp).await;
    let report = Prober::new()
        .check(&scenario(&server, OAuthSpec::authorization_code()))
        .await
        .unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let seen = server.seen.lock().unwrap();
    let scopes: Vec<Option<&str>> = seen
        .authorizations
        .iter()
        .map(|q| field(q, "scope"))
        .collect();
    assert_eq!(
        scopes,
        [
            Some("mcp:read offline_access"),
            Some("mcp:write mcp:read offline_access")
        ]
    );
    assert_eq!(
        seen.bearers.last().unwrap().as_deref(),
        Some("Bearer tok-2")
    );
    assert_eq!(report.auth.as_ref().unwrap().method, "authorization_code");
}

#[tokio::test]
async fn step_up_stops_after_two_re_authorizations() {
    let server = start_with(Approve::Yes, 3600, Scopes::Never).await;
    let report = Prober::new()
        .check(&scenario(&server, OAuthSpec::authorization_code()))
        .await
        .unwrap();
    let f = report.failure.as_ref().expect("a failure");
    assert_eq!(f.code, FailureCode::AuthRequired);
    assert_eq!(f.http_status(), Some(403));
    // The first authorization and two step-ups.
    assert_eq!(server.seen.lock().unwrap().authorizations.len(), 3);
}
