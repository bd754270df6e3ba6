//! [`Mode::Notifications`](crate::Mode::Notifications): an SSE answer preceded by the traffic
//! a real server sends on a request's stream.
//!
//! For each request: a `notifications/message` log event, a `: keep-alive` comment, a server
//! `ping` request (the stream waits up to [`ANSWER_WAIT`] for the client to POST its answer;
//! without one, a warning log event says so), a `sampling/createMessage` request (the client
//! is expected to POST a JSON-RPC error; nothing waits for it), then the response.
//! Server request ids are `srv-1`, `srv-2`, … in the order the server sends them.

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::protocol::{notification, request};
use crate::state::Shared;
use crate::{body, sse};

/// How long a stream waits for the client's answer to the server's `ping`.
const ANSWER_WAIT: Duration = Duration::from_secs(5);

/// Starts the stream for one request whose final answer is `reply`.
pub(crate) fn respond(shared: &Arc<Shared>, method: &str, reply: Value) -> Response {
    let (tx, mut rx) = mpsc::channel::<Bytes>(8);
    tokio::spawn(produce(Arc::clone(shared), method.to_owned(), reply, tx));
    let chunks = stream::poll_fn(move |cx| rx.poll_recv(cx)).map(Ok);
    (
        [
            (header::CONTENT_TYPE, sse::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body::until_shutdown(chunks, shared.shutdown()),
    )
        .into_response()
}

fn log_event(level: &str, text: String) -> Value {
    notification(
        "notifications/message",
        json!({"level": level, "logger": "mcp-probe-fixture", "data": text}),
    )
}

/// Writes the events; returns early when the client goes away or the server stops.
async fn produce(shared: Arc<Shared>, method: String, reply: Value, tx: mpsc::Sender<Bytes>) {
    let stream_no = shared.next_number();
    let mut events = 0u32;
    let mut event = |msg: &Value| {
        events += 1;
        sse::message(&format!("{stream_no}-{events}"), msg)
    };

    let opening = [
        event(&log_event("info", format!("handling {method}"))),
        sse::comment("keep-alive"),
    ];
    for chunk in opening {
        if tx.send(chunk).await.is_err() {
            return;
        }
    }

    let ping_id = shared.next_server_request_id();
    let answer = shared.await_answer(&ping_id);
    let answered = tx
        .send(event(&request(&ping_id, "ping", None)))
        .await
        .is_ok()
        && tokio::select! {
            got = answer => got.is_ok(),
            () = tokio::time::sleep(ANSWER_WAIT) => false,
            () = tx.closed() => false,
            () = shared.shutdown() => false,
        };
    shared.forget_answer(&ping_id);
    if tx.is_closed() {
        return;
    }
    let mut rest = Vec::with_capacity(3);
    if !answered {
        rest.push(event(&log_event(
            "warning",
            format!(
                "server request {ping_id} (ping) got no response within {} s",
                ANSWER_WAIT.as_secs()
            ),
        )));
    }
    let sampling = json!({
        "messages": [{"role": "user", "content": {"type": "text", "text": "Reply with one word."}}],
        "maxTokens": 16
    });
    let sampling_id = shared.next_server_request_id();
    rest.push(event(&request(
        &sampling_id,
        "sampling/createMessage",
        Some(sampling),
    )));
    rest.push(event(&reply));
    for chunk in rest {
        if tx.send(chunk).await.is_err() {
            return;
        }
    }
}
