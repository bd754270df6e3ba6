//! Smoke tests for the interop plumbing: each third-party peer starts and answers a
//! raw `initialize`. Needs `interop/setup.sh` to have run.

mod peers;

use std::time::Duration;

use peers::{PyAnswers, RmcpPeer};

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"mcp-probe-interop-smoke","version":"0.0.0"}}}"#;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("reqwest client")
}

/// POSTs `initialize` and returns the content type and body of a 200 answer.
async fn initialize(url: &str) -> (String, String) {
    let response = client()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream")
        .body(INITIALIZE)
        .send()
        .await
        .expect("initialize POST");
    assert_eq!(response.status(), 200, "initialize status from {url}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.expect("initialize body");
    assert!(
        body.contains("\"protocolVersion\""),
        "no protocolVersion in the initialize answer from {url}: {body}"
    );
    (content_type, body)
}

/// Opens the legacy HTTP+SSE GET stream and returns the text up to the `endpoint` event.
async fn legacy_endpoint_event(url: &str) -> String {
    let mut response = client()
        .get(url)
        .header("Accept", "text/event-stream")
        .send()
        .await
        .expect("legacy GET");
    assert_eq!(response.status(), 200, "legacy GET status from {url}");
    let mut seen = String::new();
    // Bounded by the client timeout and by the size read.
    while seen.len() < 16 * 1024 {
        match response.chunk().await.expect("legacy stream chunk") {
            Some(chunk) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            None => break,
        }
        // Python's SSE lines end in CRLF, Node's in LF.
        let normalised = seen.replace("\r\n", "\n");
        if normalised.contains("event: endpoint") && normalised.contains("\n\n") {
            break;
        }
    }
    assert!(
        seen.contains("event: endpoint"),
        "no endpoint event from {url}: {seen}"
    );
    seen
}

#[tokio::test]
async fn python_json_answers_initialize() {
    let peer = peers::start_python(PyAnswers::Json);
    let (content_type, _) = initialize(&peer.url).await;
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
}

#[tokio::test]
async fn python_sse_answers_initialize() {
    let peer = peers::start_python(PyAnswers::Sse);
    let (content_type, _) = initialize(&peer.url).await;
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
}

#[tokio::test]
async fn python_legacy_sse_announces_endpoint() {
    let peer = peers::start_python_legacy_sse();
    let events = legacy_endpoint_event(&peer.url).await;
    assert!(events.contains("/messages/?session_id="), "{events}");
}

#[tokio::test]
async fn everything_streamable_http_answers_initialize() {
    let peer = peers::start_everything("streamableHttp");
    let (content_type, _) = initialize(&peer.url).await;
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
}

#[tokio::test]
async fn everything_legacy_sse_announces_endpoint() {
    let peer = peers::start_everything("sse");
    let events = legacy_endpoint_event(&peer.url).await;
    assert!(events.contains("/message?sessionId="), "{events}");
}

#[tokio::test]
async fn rmcp_answers_initialize() {
    let peer: RmcpPeer = peers::start_rmcp().await;
    let (content_type, _) = initialize(&peer.url).await;
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
}
