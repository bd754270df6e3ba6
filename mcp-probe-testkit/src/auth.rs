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
//!   order shows in the request log;
//! - POST `/as/auth_client_credentials/token`: the client-credentials token endpoint of
//!   [`Mode::AuthClientCredentials`] (recorded with its form fields as the `body`);
//! - POST `/as/echo_token/token`: [`Mode::EchoToken`]'s token endpoint, which refuses every
//!   request and echoes the client's credentials in its `error_description`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::state::Shared;
use crate::{echo, Mode, Received};

/// The scope every protected mode's challenge asks for.
const SCOPE: &str = "mcp:read";
/// The client [`Mode::AuthClientCredentials`]'s authorization server knows.
const CLIENT_ID: &str = "fixture-client";
const CLIENT_SECRET: &str = "fixture-secret";
/// `Basic base64("fixture-client:fixture-secret")`.
const CLIENT_BASIC: &str = "Basic Zml4dHVyZS1jbGllbnQ6Zml4dHVyZS1zZWNyZXQ=";
/// The private key of `fixture-client` for `private_key_jwt` (PKCS#8 PEM, EC P-256): the
/// token endpoint of [`Mode::AuthClientCredentials`] accepts assertions it signed. A test key,
/// made for the fixture and guarding nothing.
pub const FIXTURE_CLIENT_KEY_PEM: &str = include_str!("fixture-client-key.pem");
/// `grant_type` of the JWT-bearer grant (RFC 7523 §2.1).
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// `client_assertion_type` of a JWT client assertion (RFC 7523).
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The only access token [`Mode::AuthClientCredentials`] issues and accepts.
const ACCESS_TOKEN: &str = "fixture-access-token";
/// Largest token request body read.
const MAX_FORM_BYTES: usize = 64 * 1024;

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
        .route("/as/{mode}/token", post(token_endpoint))
        .with_state(shared)
}

/// The 401 a protected mode answers a request without a bearer token; `None` lets the
/// request through (unprotected mode, or a token was sent).
pub(crate) fn gate(addr: SocketAddr, mode: Mode, headers: &HeaderMap) -> Option<Response> {
    let token = bearer_token(headers);
    let accepted = match (mode, token) {
        (Mode::AuthClientCredentials, Some(token)) => token == ACCESS_TOKEN,
        (Mode::EchoToken, _) => false,
        (_, token) => token.is_some(),
    };
    if !mode.is_auth() || mode == Mode::AuthNotProtected || accepted {
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
        Mode::AuthClientCredentials | Mode::EchoToken if token.is_some() => Some(format!(
            "Bearer error=\"invalid_token\", resource_metadata=\"{}\", scope=\"{SCOPE}\"",
            resource_metadata_url(addr, mode)
        )),
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

/// The first non-empty bearer token of the request's `Authorization` headers.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let v = v.trim();
            let token = v
                .get(..7)
                .filter(|s| s.eq_ignore_ascii_case("bearer "))
                .map(|_| v[7..].trim())?;
            (!token.is_empty()).then_some(token)
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
    let (grants, client_auth) = if matches!(mode, Mode::AuthClientCredentials | Mode::EchoToken) {
        (
            json!([
                "authorization_code",
                "refresh_token",
                "client_credentials",
                JWT_BEARER_GRANT
            ]),
            json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt"
            ]),
        )
    } else {
        (
            json!(["authorization_code", "refresh_token"]),
            json!(["none"]),
        )
    };
    let mut doc = json!({
        "issuer": claimed,
        "authorization_endpoint": format!("{real}/authorize"),
        "token_endpoint": format!("{real}/token"),
        "response_types_supported": ["code"],
        "grant_types_supported": grants,
        "token_endpoint_auth_methods_supported": client_auth,
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

/// POST `/as/{mode}/token`: [`Mode::AuthClientCredentials`]'s and [`Mode::EchoToken`]'s
/// token endpoints.
async fn token_endpoint(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(mode) = name.parse::<Mode>() else {
        return not_found();
    };
    let fields = if body.len() <= MAX_FORM_BYTES {
        form_fields(&body)
    } else {
        Vec::new()
    };
    shared.log.push(Received {
        mode,
        http_method: "POST".to_owned(),
        headers: headers
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
        body: Some(Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        )),
    });
    if mode == Mode::EchoToken {
        return echo::token_error(&headers, &body[..body.len().min(MAX_FORM_BYTES)]);
    }
    if mode != Mode::AuthClientCredentials {
        return not_found();
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let oauth_error = |status: StatusCode, error: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            json!({"error": error}).to_string(),
        )
            .into_response()
    };
    if field("grant_type") == Some(JWT_BEARER_GRANT) {
        // Workload identity: the workload's JWT is the grant (whoever issued it).
        let valid = field("assertion")
            .is_some_and(|jwt| assertion_valid(jwt, &issuer(shared.addr, mode), None));
        return if valid {
            token_granted()
        } else {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant")
        };
    }
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let authenticated = match (authorization, field("client_assertion")) {
        (Some(basic), None) => basic.trim() == CLIENT_BASIC && field("client_secret").is_none(),
        (None, None) => {
            field("client_id") == Some(CLIENT_ID) && field("client_secret") == Some(CLIENT_SECRET)
        }
        (None, Some(assertion)) => {
            field("client_assertion_type") == Some(ASSERTION_TYPE)
                && field("client_secret").is_none()
                && field("client_id").is_none_or(|id| id == CLIENT_ID)
                && assertion_valid(assertion, &issuer(shared.addr, mode), Some(CLIENT_ID))
        }
        (Some(_), Some(_)) => false,
    };
    if !authenticated {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    token_granted()
}

/// The answer granting [`ACCESS_TOKEN`].
fn token_granted() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600})
            .to_string(),
    )
        .into_response()
}

/// A workload's JWT as a platform would issue it (a service account token), signed with
/// [`FIXTURE_CLIENT_KEY_PEM`] (ES256): issuer `https://idp.fixture.test`, subject
/// `fixture-workload`, for `audience`, expiring `lifetime` seconds from now (negative: expired
/// already). What [`Mode::AuthClientCredentials`]'s token endpoint accepts as the assertion of
/// a JWT-bearer grant when `audience` is its issuer.
///
/// # Panics
/// Never with the fixture's own key.
pub fn fixture_workload_jwt(audience: &str, lifetime: i64) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let header = json!({"alg": "ES256", "typ": "JWT"});
    let claims = json!({
        "iss": "https://idp.fixture.test",
        "sub": "fixture-workload",
        "aud": audience,
        "iat": now,
        "exp": now.saturating_add(lifetime),
    });
    let input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    #[allow(clippy::unwrap_used)]
    let signature = fixture_key_pair()
        .sign(&ring::rand::SystemRandom::new(), input.as_bytes())
        .unwrap();
    format!("{input}.{}", b64.encode(signature.as_ref()))
}

/// [`FIXTURE_CLIENT_KEY_PEM`] as an ES256 key pair, parsed once.
///
/// # Panics
/// Never: the key is the fixture's own, a PKCS#8 P-256 key.
fn fixture_key_pair() -> &'static ring::signature::EcdsaKeyPair {
    use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use rustls::pki_types::{pem::PemObject, PrivatePkcs8KeyDer};
    static PAIR: std::sync::LazyLock<EcdsaKeyPair> = std::sync::LazyLock::new(|| {
        #[allow(clippy::unwrap_used)]
        let der = PrivatePkcs8KeyDer::from_pem_slice(FIXTURE_CLIENT_KEY_PEM.as_bytes()).unwrap();
        #[allow(clippy::unwrap_used)]
        EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            der.secret_pkcs8_der(),
            &ring::rand::SystemRandom::new(),
        )
        .unwrap()
    });
    &PAIR
}

/// Whether `jwt` is an ES256 assertion signed with [`FIXTURE_CLIENT_KEY_PEM`] for `audience`,
/// not expired, and (with `client`) issued by and about that client.
fn assertion_valid(jwt: &str, audience: &str, client: Option<&str>) -> bool {
    use base64::Engine;
    use ring::signature::{KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = jwt.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let decode = |part: &str| {
        b64.decode(part)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    };
    let (Some(header), Some(claims), Ok(signature)) =
        (decode(header), decode(claims), b64.decode(signature))
    else {
        return false;
    };
    let signed = &jwt[..jwt.rfind('.').unwrap_or(0)];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    header["alg"] == "ES256"
        && UnparsedPublicKey::new(
            &ECDSA_P256_SHA256_FIXED,
            fixture_key_pair().public_key().as_ref(),
        )
        .verify(signed.as_bytes(), &signature)
        .is_ok()
        && client.is_none_or(|id| claims["iss"] == id && claims["sub"] == id)
        && claims["aud"] == audience
        && claims["exp"].as_u64().is_some_and(|exp| exp > now)
}

/// The fields of an `application/x-www-form-urlencoded` body, decoded.
fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |&b| b == b'=');
            let name = parts.next().unwrap_or_default();
            let value = parts.next().unwrap_or_default();
            (form_decode(name), form_decode(value))
        })
        .collect()
}

/// Decodes `+` and `%XX`; a malformed escape is kept as it is.
fn form_decode(text: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                text.get(i + 1).and_then(|&b| hex(b)),
                text.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
    async fn client_credentials_mode_grants_and_accepts_only_its_token() {
        let server = FixtureServer::start().await.unwrap();
        let base = format!("http://{}", server.addr());
        let (_, asm) = get(&format!(
            "{base}/.well-known/oauth-authorization-server/as/auth_client_credentials"
        ))
        .await;
        let token_url = format!("{base}/as/auth_client_credentials/token");
        assert_eq!(asm["token_endpoint"], token_url.as_str());
        let form = |body: &str| {
            reqwest::Client::new()
                .post(&token_url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_owned())
        };
        let basic = form("grant_type=client_credentials&scope=mcp%3Aread")
            .basic_auth("fixture-client", Some("fixture-secret"))
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), 200);
        let granted: Value = serde_json::from_slice(&basic.bytes().await.unwrap()).unwrap();
        assert_eq!(granted["access_token"], "fixture-access-token");
        assert_eq!(granted["token_type"], "Bearer");
        let in_body = form(
            "grant_type=client_credentials&client_id=fixture-client&client_secret=fixture-secret",
        )
        .send()
        .await
        .unwrap();
        assert_eq!(in_body.status(), 200);
        let wrong =
            form("grant_type=client_credentials&client_id=fixture-client&client_secret=nope")
                .send()
                .await
                .unwrap();
        assert_eq!(wrong.status(), 401);
        assert_eq!(
            serde_json::from_slice::<Value>(&wrong.bytes().await.unwrap()).unwrap()["error"],
            "invalid_client"
        );
        let grant = form("grant_type=password").send().await.unwrap();
        assert_eq!(grant.status(), 400);
        let recorded = server.log();
        let last = recorded.last().unwrap();
        assert_eq!(last.body.as_ref().unwrap()["grant_type"], "password");
        assert_eq!(recorded[1].body.as_ref().unwrap()["scope"], "mcp:read");

        let url = server.url(Mode::AuthClientCredentials);
        let resp = post(&url, Some("fixture-access-token")).await;
        assert_eq!(resp.status(), 200);
        let resp = post(&url, Some("another-token")).await;
        assert_eq!(resp.status(), 401);
        assert!(challenge(&resp)
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\", resource_metadata="));
        assert_eq!(
            post(&server.url(Mode::AuthOk), Some("another-token"))
                .await
                .status(),
            200
        );
        assert_eq!(form_decode(b"a+b%3Ac%zz"), "a b:c%zz");
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
