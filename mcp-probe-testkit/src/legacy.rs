//! The legacy HTTP+SSE transport (protocol 2024-11-05), served at `/{mode}/sse` for the
//! `legacy*` modes.
//!
//! `GET /{mode}/sse` opens a stream whose first event, `endpoint`, names where to POST messages
//! (`/{mode}/messages?session_id=…`, relative, as the Python SDK does). Every POST is answered
//! `202 Accepted`; the JSON-RPC answers travel on the GET stream as `message` events. Framing
//! follows the Python SDK: CRLF line endings, `text/event-stream; charset=utf-8`, `: ping`
//! keep-alive comments. The stream's session ends when the client drops the stream.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::protocol::{self, Message};
use crate::state::Shared;
use crate::{body, Mode, Received};

/// Largest request body read; bigger bodies are answered 400.
const MAX_REQUEST_BODY: usize = 4 * 1024 * 1024;
/// Messages waiting to be written on one stream.
const STREAM_BUFFER: usize = 32;
/// The protocol version of the legacy transport.
const LEGACY_VERSION: &str = "2024-11-05";

/// The routes `/{mode}/sse` and `/{mode}/messages`.
pub(crate) fn routes(shared: Arc<Shared>) -> Router {
    let legacy = Arc::new(Legacy {
        shared,
        streams: Mutex::default(),
        seed: RandomState::new(),
    });
    Router::new()
        .route("/{mode}/sse", any(sse_endpoint))
        .route("/{mode}/messages", any(message_endpoint))
        .with_state(legacy)
}

/// The legacy modes' state: the open streams, by session id.
struct Legacy {
    shared: Arc<Shared>,
    streams: Mutex<HashMap<String, mpsc::Sender<Bytes>>>,
    seed: RandomState,
}

impl Legacy {
    fn streams(&self) -> MutexGuard<'_, HashMap<String, mpsc::Sender<Bytes>>> {
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn new_session_id(&self) -> String {
        let n = self.shared.next_number();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{:016x}{n:06x}", self.seed.hash_one((n, nanos)))
    }

    fn record(&self, mode: Mode, method: &Method, headers: &HeaderMap, parsed: Option<&Value>) {
        self.shared.log.push(Received {
            mode,
            http_method: method.to_string(),
            headers: headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            rpc_method: parsed
                .and_then(|v| v.get("method"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            id: parsed.and_then(|v| v.get("id")).cloned(),
            body: parsed.cloned(),
        });
    }
}

/// Removes a session when its stream is dropped (the client went away or the server stopped).
struct StreamGuard {
    legacy: Arc<Legacy>,
    session_id: String,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.legacy.streams().remove(&self.session_id);
    }
}

#[derive(Deserialize)]
struct SessionQuery {
    session_id: Option<String>,
}

fn legacy_mode(name: &str) -> Option<Mode> {
    name.parse::<Mode>().ok().filter(|m| m.is_legacy())
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

fn method_not_allowed(allow: &'static str) -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, allow)],
        "Method Not Allowed",
    )
        .into_response()
}

/// One `event:` + `data:` event in CRLF framing.
fn event(kind: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {kind}\r\ndata: {data}\r\n\r\n"))
}

/// `GET /{mode}/sse`: the stream.
async fn sse_endpoint(
    State(legacy): State<Arc<Legacy>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let Some(mode) = legacy_mode(&name) else {
        return not_found();
    };
    legacy.record(mode, request.method(), request.headers(), None);
    if request.method() != Method::GET {
        return method_not_allowed("GET");
    }
    let session_id = legacy.new_session_id();
    let messages = format!("/{}/messages?session_id={session_id}", mode.as_str());
    let opening: Vec<Bytes> = match mode {
        Mode::LegacyCrossOrigin => {
            vec![event("endpoint", &format!("http://evil.example{messages}"))]
        }
        Mode::LegacyNoEndpoint => vec![
            Bytes::from_static(b": ping - keep-alive\r\n\r\n"),
            event(
                "message",
                &protocol::notification(
                    "notifications/message",
                    json!({"level": "info", "data": "starting"}),
                )
                .to_string(),
            ),
            Bytes::from_static(b"data:\r\n\r\n"),
            event("message", "hello"),
            Bytes::from_static(b": ping - keep-alive\r\n\r\n"),
        ],
        _ => vec![
            event("endpoint", &messages),
            Bytes::from_static(b": ping - keep-alive\r\n\r\n"),
        ],
    };
    let opening = stream::iter(opening);
    let chunks = if matches!(mode, Mode::Legacy | Mode::LegacySilent) {
        let (tx, rx) = mpsc::channel::<Bytes>(STREAM_BUFFER);
        legacy.streams().insert(session_id.clone(), tx);
        let guard = StreamGuard {
            legacy: Arc::clone(&legacy),
            session_id,
        };
        opening.chain(forward(rx, guard)).boxed()
    } else {
        // Nothing is ever written after the opening, but the stream stays open.
        opening.chain(stream::pending()).boxed()
    };
    let chunks = chunks.map(Ok);
    (
        [
            (header::CONTENT_TYPE, "text/event-stream; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body::until_shutdown(chunks, legacy.shared.shutdown()),
    )
        .into_response()
}

/// The messages queued for a stream; holds `guard` until the stream is dropped.
fn forward(rx: mpsc::Receiver<Bytes>, guard: StreamGuard) -> impl Stream<Item = Bytes> {
    stream::unfold((rx, guard), |(mut rx, guard)| async move {
        rx.recv().await.map(|chunk| (chunk, (rx, guard)))
    })
}

/// `POST /{mode}/messages?session_id=…`: one client message, answered 202.
async fn message_endpoint(
    State(legacy): State<Arc<Legacy>>,
    Path(name): Path<String>,
    Query(query): Query<SessionQuery>,
    request: Request,
) -> Response {
    let Some(mode) = legacy_mode(&name) else {
        return not_found();
    };
    let (parts, request_body) = request.into_parts();
    if parts.method != Method::POST {
        legacy.record(mode, &parts.method, &parts.headers, None);
        return method_not_allowed("POST");
    }
    let read = tokio::select! {
        () = legacy.shared.shutdown() => return Response::new(body::abort()),
        read = axum::body::to_bytes(request_body, MAX_REQUEST_BODY) => read,
    };
    let parsed = read
        .as_ref()
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok());
    legacy.record(mode, &parts.method, &parts.headers, parsed.as_ref());

    let stream = query
        .session_id
        .as_deref()
        .and_then(|id| legacy.streams().get(id).cloned());
    let Some(stream) = stream else {
        return (StatusCode::NOT_FOUND, "Could not find session").into_response();
    };
    let Some(value) = parsed else {
        return (StatusCode::BAD_REQUEST, "Could not parse message").into_response();
    };
    let Ok(message) = protocol::classify(&value) else {
        return (StatusCode::BAD_REQUEST, "Invalid message").into_response();
    };
    if mode == Mode::Legacy {
        let out = answer(&legacy.shared, &value, message);
        if !out.is_empty() {
            let shutdown = legacy.shared.shutdown();
            tokio::spawn(async move {
                let send_all = async {
                    for msg in out {
                        if stream
                            .send(event("message", &msg.to_string()))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                };
                tokio::select! {
                    () = send_all => {}
                    () = shutdown => {}
                }
            });
        }
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}

/// What [`Mode::Legacy`] writes on the stream for one client message.
///
/// After `notifications/initialized` the tool list "changes" (as server-everything announces);
/// `tools/list` is preceded by a server `ping` request the client should answer.
fn answer(shared: &Shared, value: &Value, message: Message) -> Vec<Value> {
    match message {
        Message::Request { id, method, params } if method == "initialize" => {
            let requested = params.get("protocolVersion").and_then(Value::as_str);
            let version = match requested {
                Some(v) if v == LEGACY_VERSION || protocol::SUPPORTED_VERSIONS.contains(&v) => v,
                _ => LEGACY_VERSION,
            };
            vec![protocol::result(
                &id,
                protocol::initialize_result(version, Mode::Legacy),
            )]
        }
        Message::Request { id, method, params } => {
            let reply = protocol::respond(Mode::Legacy, &id, &method, &params);
            if method == "tools/list" {
                let ping_id = shared.next_server_request_id();
                vec![protocol::request(&ping_id, "ping", None), reply]
            } else {
                vec![reply]
            }
        }
        Message::Notification => {
            if value.get("method").and_then(Value::as_str) == Some("notifications/initialized") {
                vec![json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})]
            } else {
                Vec::new()
            }
        }
        Message::Response { id } => {
            shared.answer_arrived(&id);
            Vec::new()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::FixtureServer;

    const BOUND: Duration = Duration::from_secs(10);

    #[test]
    fn events_use_crlf() {
        assert_eq!(
            event("endpoint", "/legacy/messages?session_id=1"),
            "event: endpoint\r\ndata: /legacy/messages?session_id=1\r\n\r\n"
        );
    }

    /// Reads the stream until `text` has arrived; returns everything read so far.
    async fn read_until(stream: &mut reqwest::Response, seen: &mut String, text: &str) {
        tokio::time::timeout(BOUND, async {
            while !seen.contains(text) {
                let chunk = stream.chunk().await.unwrap().unwrap();
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn legacy_wire() {
        let server = FixtureServer::start().await.unwrap();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let base = format!("http://{}", server.addr());
        assert_eq!(server.url(Mode::Legacy), format!("{base}/legacy/sse"));

        let mut stream = client.get(server.url(Mode::Legacy)).send().await.unwrap();
        assert_eq!(
            stream.headers()["content-type"],
            "text/event-stream; charset=utf-8"
        );
        let mut seen = String::new();
        read_until(&mut stream, &mut seen, "\r\n\r\n").await;
        let endpoint = seen
            .strip_prefix("event: endpoint\r\ndata: ")
            .and_then(|rest| rest.split("\r\n").next())
            .unwrap()
            .to_owned();
        assert!(endpoint.starts_with("/legacy/messages?session_id="));

        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2024-11-05", "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"}}});
        let post = |url: String, body: &Value| {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
        };
        let accepted = post(format!("{base}{endpoint}"), &init).await.unwrap();
        assert_eq!(accepted.status(), 202);
        assert_eq!(accepted.text().await.unwrap(), "Accepted");
        read_until(&mut stream, &mut seen, "\"protocolVersion\":\"2024-11-05\"").await;
        assert!(seen.contains("event: message\r\ndata: {"), "{seen}");

        let unknown = post(format!("{base}/legacy/messages?session_id=nope"), &init);
        assert_eq!(unknown.await.unwrap().status(), 404);
        let on_stream_url = post(server.url(Mode::Legacy), &init).await.unwrap();
        assert_eq!(on_stream_url.status(), 405);
        let streamable = post(format!("{base}/legacy/mcp"), &init).await.unwrap();
        assert_eq!(streamable.status(), 404);

        let mut cross = client
            .get(server.url(Mode::LegacyCrossOrigin))
            .send()
            .await
            .unwrap();
        let mut seen = String::new();
        read_until(&mut cross, &mut seen, "\r\n\r\n").await;
        assert!(seen.starts_with(
            "event: endpoint\r\ndata: http://evil.example/legacy_cross_origin/messages?session_id="
        ));
    }
}
