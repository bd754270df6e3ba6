//! The authorization fixtures, the `auth_*` modes: a protected MCP server (OAuth 2.1 resource
//! server, MCP 2025-06-18 / 2025-11-25 authorization) and the documents a client discovers
//! from it, each broken mode breaking exactly one thing.
//!
//! Without a bearer token every request to `/{mode}/mcp` is answered 401 (except in
//! [`Mode::AuthNotProtected`]); with any `Authorization: Bearer <token>` the endpoint behaves
//! like [`Mode::Json`]. The documents, served on GET:
//! - `/.well-known/oauth-protected-resource/{mode}/mcp`: RFC 9728 protected resource metadata;
//! - `/.well-known/oauth-authorization-server/as/{mode}`: RFC 8414 metadata of the issuer
//!   `http://HOST:PORT/as/{mode}` (path insertion);
//! - `/as/{mode}/.well-known/openid-configuration`: OpenID Connect discovery (path
//!   appending), only in [`Mode::AuthOidcOnly`];
//! - `/.well-known/openid-configuration/as/{mode}` and the root
//!   `/.well-known/oauth-protected-resource` are never served (404), so a client's fallback
//!   order shows in the request log.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::state::Shared;
use crate::{Mode, Received};

/// The scope every protected mode's challenge asks for.
const SCOPE: &str = "mcp:read";

/// The routes of the discovery documents.
pub(crate) fn routes(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/.well-known/oauth-protected-resource/{mode}/mcp",
            get(protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server/as/{mode}",
            get(oauth_server),
        )
        .route(
            "/.well-known/openid-configuration/as/{mode}",
            get(openid_inserted),
        )
        .route(
            "/as/{mode}/.well-known/openid-configuration",
            get(openid_appended),
        )
        .with_state(shared)
}

/// The 401 a protected mode answers a request without a bearer token; `None` lets the
/// request through (unprotected mode, or a token was sent).
pub(crate) fn gate(addr: SocketAddr, mode: Mode, headers: &HeaderMap) -> Option<Response> {
    if !mode.is_auth() || mode == Mode::AuthNotProtected || has_bearer_token(headers) {
        return None;
    }
    let mut response = (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"unauthorized","error_description":"Authorization required"}"#,
    )
        .into_response();
    let challenge = match mode {
        Mode::AuthNoChallenge => None,
        Mode::AuthBasicChallenge => Some("Basic realm=\"mcp\"".to_owned()),
        Mode::AuthNoMetadata | Mode::AuthWellknownFallback => {
            Some(format!("Bearer scope=\"{SCOPE}\""))
        }
        _ => Some(format!(
            "Bearer resource_metadata=\"{}\", scope=\"{SCOPE}\"",
            resource_metadata_url(addr, mode)
        )),
    };
    if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    Some(response)
}

/// Where a protected mode's protected resource metadata lives (path-suffixed well-known URL).
pub(crate) fn resource_metadata_url(addr: SocketAddr, mode: Mode) -> String {
    format!(
        "http://{addr}/.well-known/oauth-protected-resource/{}/mcp",
        mode.as_str()
    )
}

/// The issuer identifier of a mode's authorization server.
fn issuer(addr: SocketAddr, mode: Mode) -> String {
    format!("http://{addr}/as/{}", mode.as_str())
}

fn has_bearer_token(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            let v = v.trim();
            v.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("bearer "))
                && !v[7..].trim().is_empty()
        })
}

/// RFC 9728 metadata of a protected mode, if it has any.
fn protected_resource_document(addr: SocketAddr, mode: Mode) -> Option<Value> {
    if !mode.is_auth() || matches!(mode, Mode::AuthNoMetadata | Mode::AuthNotProtected) {
        return None;
    }
    let resource = if mode == Mode::AuthResourceMismatch {
        format!("http://{addr}/elsewhere/mcp")
    } else {
        format!("http://{addr}/{}/mcp", mode.as_str())
    };
    let servers = if mode == Mode::AuthEmptyServers {
        Vec::new()
    } else {
        vec![issuer(addr, mode)]
    };
    Some(json!({
        "resource": resource,
        "authorization_servers": servers,
        "scopes_supported": [SCOPE],
        "bearer_methods_supported": ["header"],
    }))
}

/// RFC 8414 (or, with `oidc`, OpenID provider) metadata of a mode's authorization server.
fn authorization_server_document(addr: SocketAddr, mode: Mode, oidc: bool) -> Value {
    let real = issuer(addr, mode);
    let claimed = if mode == Mode::AuthIssuerMismatch {
        format!("http://{addr}/as/elsewhere")
    } else {
        real.clone()
    };
    let pkce = if mode == Mode::AuthNoS256 {
        json!(["plain"])
    } else {
        json!(["S256"])
    };
    let mut doc = json!({
        "issuer": claimed,
        "authorization_endpoint": format!("{real}/authorize"),
        "token_endpoint": format!("{real}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": [SCOPE],
        "code_challenge_methods_supported": pkce,
    });
    if oidc {
        doc["jwks_uri"] = json!(format!("{real}/jwks"));
        doc["subject_types_supported"] = json!(["public"]);
        doc["id_token_signing_alg_values_supported"] = json!(["RS256"]);
    }
    doc
}

/// Which document a GET asked for.
#[derive(Clone, Copy)]
enum Document {
    ProtectedResource,
    OauthServer,
    OpenidInserted,
    OpenidAppended,
}

fn document(addr: SocketAddr, mode: Mode, which: Document) -> Option<Value> {
    let discoverable =
        protected_resource_document(addr, mode).is_some() && mode != Mode::AuthEmptyServers;
    match which {
        Document::ProtectedResource => protected_resource_document(addr, mode),
        Document::OauthServer if discoverable && mode != Mode::AuthOidcOnly => {
            Some(authorization_server_document(addr, mode, false))
        }
        Document::OpenidAppended if mode == Mode::AuthOidcOnly => {
            Some(authorization_server_document(addr, mode, true))
        }
        Document::OauthServer | Document::OpenidInserted | Document::OpenidAppended => None,
    }
}

fn serve_document(shared: &Shared, name: &str, request: &Request, which: Document) -> Response {
    let Ok(mode) = name.parse::<Mode>() else {
        return not_found();
    };
    shared.log.push(Received {
        mode,
        http_method: request.method().to_string(),
        headers: request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        rpc_method: None,
        id: None,
        body: None,
    });
    match document(shared.addr, mode, which) {
        Some(doc) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            doc.to_string(),
        )
            .into_response(),
        None => not_found(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":"not_found"}"#,
    )
        .into_response()
}

async fn protected_resource(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    serve_document(&shared, &name, &request, Document::ProtectedResource)
}

async fn oauth_server(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    serve_document(&shared, &name, &request, Document::OauthServer)
}

async fn openid_inserted(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    serve_document(&shared, &name, &request, Document::OpenidInserted)
}

async fn openid_appended(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    serve_document(&shared, &name, &request, Document::OpenidAppended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixtureServer;

    fn initialize() -> Value {
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"}}})
    }

    async fn post(url: &str, token: Option<&str>) -> reqwest::Response {
        let mut rb = reqwest::Client::new()
            .post(url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(initialize().to_string());
        if let Some(token) = token {
            rb = rb.bearer_auth(token);
        }
        rb.send().await.unwrap()
    }

    async fn get(url: &str) -> (u16, Value) {
        let resp = reqwest::get(url).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.bytes().await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    fn challenge(resp: &reqwest::Response) -> Option<String> {
        resp.headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[tokio::test]
    async fn auth_ok_challenges_and_serves_its_documents() {
        let server = FixtureServer::start().await.unwrap();
        let base = format!("http://{}", server.addr());
        let resp = post(&server.url(Mode::AuthOk), None).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(
            challenge(&resp).as_deref(),
            Some(
                format!(
                    "Bearer resource_metadata=\"{base}/.well-known/oauth-protected-resource/auth_ok/mcp\", scope=\"mcp:read\""
                )
                .as_str()
            )
        );
        let (status, prm) = get(&format!(
            "{base}/.well-known/oauth-protected-resource/auth_ok/mcp"
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(prm["resource"], format!("{base}/auth_ok/mcp"));
        assert_eq!(
            prm["authorization_servers"],
            json!([format!("{base}/as/auth_ok")])
        );
        let (status, asm) = get(&format!(
            "{base}/.well-known/oauth-authorization-server/as/auth_ok"
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(asm["issuer"], format!("{base}/as/auth_ok"));
        assert_eq!(asm["code_challenge_methods_supported"], json!(["S256"]));
        for path in [
            "/.well-known/openid-configuration/as/auth_ok",
            "/as/auth_ok/.well-known/openid-configuration",
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/nope/mcp",
        ] {
            assert_eq!(get(&format!("{base}{path}")).await.0, 404, "{path}");
        }
        // Mode::Unauthorized keeps its own metadata route beside the `{mode}` one.
        let (status, legacy) = get(&format!(
            "{base}/.well-known/oauth-protected-resource/unauthorized/mcp"
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(legacy["resource"], format!("{base}/unauthorized/mcp"));
        // With a token the endpoint is an ordinary server.
        let resp = post(&server.url(Mode::AuthOk), Some("anything")).await;
        assert_eq!(resp.status(), 200);
        assert!(resp.headers().contains_key("mcp-session-id"));
    }

    #[tokio::test]
    async fn broken_modes_break_one_thing_each() {
        let server = FixtureServer::start().await.unwrap();
        let base = format!("http://{}", server.addr());
        let resp = post(&server.url(Mode::AuthNoChallenge), None).await;
        assert_eq!((resp.status().as_u16(), challenge(&resp)), (401, None));
        let resp = post(&server.url(Mode::AuthBasicChallenge), None).await;
        assert_eq!(challenge(&resp).as_deref(), Some("Basic realm=\"mcp\""));
        for mode in [Mode::AuthNoMetadata, Mode::AuthWellknownFallback] {
            let resp = post(&server.url(mode), None).await;
            assert_eq!(
                challenge(&resp).as_deref(),
                Some("Bearer scope=\"mcp:read\"")
            );
        }
        let prm = |mode: Mode| format!("{base}/.well-known/oauth-protected-resource/{mode}/mcp");
        assert_eq!(get(&prm(Mode::AuthNoMetadata)).await.0, 404);
        assert_eq!(get(&prm(Mode::AuthWellknownFallback)).await.0, 200);
        assert_eq!(
            get(&prm(Mode::AuthResourceMismatch)).await.1["resource"],
            format!("{base}/elsewhere/mcp")
        );
        assert_eq!(
            get(&prm(Mode::AuthEmptyServers)).await.1["authorization_servers"],
            json!([])
        );
        let asm = |mode: Mode| format!("{base}/.well-known/oauth-authorization-server/as/{mode}");
        assert_eq!(
            get(&asm(Mode::AuthIssuerMismatch)).await.1["issuer"],
            format!("{base}/as/elsewhere")
        );
        assert_eq!(
            get(&asm(Mode::AuthNoS256)).await.1["code_challenge_methods_supported"],
            json!(["plain"])
        );
        assert_eq!(get(&asm(Mode::AuthOidcOnly)).await.0, 404);
        let (status, oidc) = get(&format!(
            "{base}/as/auth_oidc_only/.well-known/openid-configuration"
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(oidc["issuer"], format!("{base}/as/auth_oidc_only"));
        let resp = post(&server.url(Mode::AuthNotProtected), None).await;
        assert_eq!(resp.status(), 200);
        assert!(server
            .log()
            .iter()
            .all(|r| r.mode.is_auth() && r.header("authorization").is_none()));
    }
}
