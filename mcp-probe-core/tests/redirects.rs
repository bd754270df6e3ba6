//! Redirects: not followed by default; `followRedirects: same-origin` follows 307/308 within
//! the origin and never sends anything, credentials least of all, to another origin.
//!
//! The origin under test is a small front on 127.0.0.1 that redirects some paths and passes
//! `/json/mcp` to a fixture server; "another origin" is a second fixture server (another
//! port), whose request log must stay empty.

#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, HOST, LOCATION, TRANSFER_ENCODING,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use mcp_probe_core::{FailureCode, FollowRedirects, Prober, Report, Scenario};
use mcp_probe_testkit::{FixtureServer, Mode};

const TOKEN: &str = "canary-token-5e3f";

struct Front {
    upstream: SocketAddr,
    other_origin: String,
    client: reqwest::Client,
    /// (path, Authorization header) of every request, in order.
    seen: Mutex<Vec<(String, Option<String>)>>,
}

async fn handle(State(front): State<Arc<Front>>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    front.seen.lock().unwrap().push((path.clone(), auth));
    let redirect =
        |status: StatusCode, to: &str| (status, [(LOCATION, to.to_owned())]).into_response();
    match path.as_str() {
        "/moved/mcp" => redirect(StatusCode::TEMPORARY_REDIRECT, "/json/mcp"),
        "/moved-for-good/mcp" => redirect(StatusCode::PERMANENT_REDIRECT, "/json/mcp"),
        "/found/mcp" => redirect(StatusCode::FOUND, "/json/mcp"),
        "/cross/mcp" => redirect(StatusCode::TEMPORARY_REDIRECT, &front.other_origin),
        "/hop/mcp" => redirect(StatusCode::TEMPORARY_REDIRECT, "/cross/mcp"),
        "/loop/mcp" => redirect(StatusCode::TEMPORARY_REDIRECT, "/loop/mcp"),
        "/json/mcp" => proxy(&front, req).await,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Passes the request to the fixture server and its answer back.
async fn proxy(front: &Front, req: Request) -> Response {
    let method = req.method().clone();
    let url = format!("http://{}{}", front.upstream, req.uri().path());
    let mut headers = req.headers().clone();
    for h in [HOST, CONTENT_LENGTH] {
        headers.remove(h);
    }
    let body = to_bytes(req.into_body(), 1 << 20).await.unwrap();
    let answer = front
        .client
        .request(method, url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let mut headers: HeaderMap = answer.headers().clone();
    for h in [TRANSFER_ENCODING, CONTENT_LENGTH, CONNECTION] {
        headers.remove(h);
    }
    let body = answer.bytes().await.unwrap();
    (status, headers, Body::from(body)).into_response()
}

struct Setup {
    front: Arc<Front>,
    addr: SocketAddr,
    other: FixtureServer,
    _upstream: FixtureServer,
}

impl Setup {
    async fn start() -> Setup {
        let upstream = FixtureServer::start().await.unwrap();
        let other = FixtureServer::start().await.unwrap();
        let front = Arc::new(Front {
            upstream: upstream.addr(),
            other_origin: other.url(Mode::Json),
            client: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            seen: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&front));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Setup {
            front,
            addr,
            other,
            _upstream: upstream,
        }
    }

    async fn probe(&self, path: &str, follow: FollowRedirects) -> Report {
        let scenario = Scenario::for_url(format!("http://{}{path}", self.addr))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .follow_redirects(follow)
            .timeout(Duration::from_secs(5));
        Prober::new().check(&scenario).await.unwrap()
    }

    fn seen(&self) -> Vec<(String, Option<String>)> {
        self.front.seen.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn redirects_are_not_followed_by_default() {
    let s = Setup::start().await;
    let report = s.probe("/moved/mcp", FollowRedirects::None).await;
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Redirect);
    assert_eq!(f.details["reason"], "not_followed");
    assert_eq!(f.details["httpStatus"], 307);
    assert_eq!(f.details["location"], format!("http://{}/json/mcp", s.addr));
    assert!(s.seen().iter().all(|(path, _)| path == "/moved/mcp"));
}

#[tokio::test]
async fn same_origin_redirects_are_followed_with_the_token() {
    let s = Setup::start().await;
    for path in ["/moved/mcp", "/moved-for-good/mcp"] {
        let report = s.probe(path, FollowRedirects::SameOrigin).await;
        assert!(report.ok, "{path}: {}", report.to_json_pretty());
    }
    let seen = s.seen();
    assert!(seen.iter().any(|(p, _)| p == "/json/mcp"), "{seen:?}");
    let expected = format!("Bearer {TOKEN}");
    assert!(
        seen.iter()
            .all(|(_, auth)| auth.as_deref() == Some(expected.as_str())),
        "the token goes to its own origin: {seen:?}"
    );
}

#[tokio::test]
async fn a_cross_origin_redirect_is_never_followed_and_the_token_never_arrives() {
    let s = Setup::start().await;
    for path in ["/cross/mcp", "/hop/mcp"] {
        let report = s.probe(path, FollowRedirects::SameOrigin).await;
        let f = report.failure.as_ref().unwrap();
        assert_eq!(f.code, FailureCode::Redirect, "{path}");
        assert_eq!(f.details["reason"], "cross_origin", "{path}");
        assert_eq!(f.details["location"], s.other.url(Mode::Json), "{path}");
        assert!(f.message.contains("another origin"), "{}", f.message);
        assert!(!report.to_json_pretty().contains(TOKEN));
    }
    // `/hop` went to `/cross` on the same origin first; nothing went further.
    let paths: Vec<String> = s.seen().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["/cross/mcp", "/hop/mcp", "/cross/mcp"]);
    let other = s.other.log();
    assert!(
        other.is_empty(),
        "the other origin received {} requests",
        other.len()
    );
    assert!(other
        .iter()
        .all(|r| r.header("authorization").is_none_or(|v| !v.contains(TOKEN))));
}

#[tokio::test]
async fn method_changing_and_endless_redirects_stop() {
    let s = Setup::start().await;
    let report = s.probe("/found/mcp", FollowRedirects::SameOrigin).await;
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Redirect);
    assert_eq!(f.details["reason"], "method_changing");
    assert_eq!(f.details["httpStatus"], 302);

    let report = s.probe("/loop/mcp", FollowRedirects::SameOrigin).await;
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Redirect);
    assert_eq!(f.details["reason"], "too_many_redirects");
    let loops = s.seen().iter().filter(|(p, _)| p == "/loop/mcp").count();
    assert_eq!(loops, 6, "the request and five redirects");
}
