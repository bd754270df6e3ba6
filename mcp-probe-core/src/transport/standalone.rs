//! The standalone GET stream of Streamable HTTP (handshake era), listened to while a tool
//! call that answers elicitations waits: a server may send its requests there rather than on
//! the call's own stream (the TypeScript SDK does for a request not tied to the call).
//!
//! Best effort and bounded: a server that refuses the GET (405), answers something else, or
//! ends the stream is simply not listened to; the stream's bytes and events are limited as
//! the call's own stream is; the listening ends with the call.

use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tokio::time::timeout_at;

use super::http::post_answer;
use crate::clock::Deadline;
use crate::http::answer::media_type;
use crate::http::log::StepLog;
use crate::jsonrpc::{self, Incoming};
use crate::model::{ServerMessage, ServerMessageKind};
use crate::sse::SseParser;

/// Longest the probe waits for the stream's head before sending the call without it.
const OPEN_BUDGET: Duration = Duration::from_secs(2);

/// What the listener needs: the GET that opens the stream, a POST to answer with (cloned per
/// answer), and the stream's limits.
pub(super) struct Listener {
    pub(super) get: RequestBuilder,
    pub(super) post: RequestBuilder,
    pub(super) max_event_bytes: usize,
    pub(super) max_bytes: u64,
}

/// The stream, open.
pub(super) struct Open {
    resp: Response,
    post: RequestBuilder,
    max_event_bytes: usize,
    max_bytes: u64,
}

impl Listener {
    /// Opens the stream, before the call is sent (a server sends on it only while it is
    /// open), waiting at most [`OPEN_BUDGET`] for the answer's head; `None` when the server
    /// offers no such stream.
    pub(super) async fn open(self, deadline: Deadline) -> Option<Open> {
        let budget = deadline.capped(OPEN_BUDGET);
        let resp = timeout_at(budget.at, self.get.send()).await.ok()?.ok()?;
        (resp.status() == StatusCode::OK
            && media_type(resp.headers()).as_deref() == Some("text/event-stream"))
        .then_some(Open {
            resp,
            post: self.post,
            max_event_bytes: self.max_event_bytes,
            max_bytes: self.max_bytes,
        })
    }
}

impl Open {
    /// Answers the server requests on the stream, recording them in `log`, until the stream
    /// ends, breaks, goes over its limits or `deadline` passes; the caller drops this future
    /// when the call it listens for is answered.
    pub(super) async fn listen(mut self, deadline: Deadline, log: &mut StepLog) {
        let mut parser = SseParser::new(self.max_event_bytes);
        let mut events = Vec::new();
        let mut total: u64 = 0;
        while let Ok(Ok(Some(chunk))) = timeout_at(deadline.at, self.resp.chunk()).await {
            total = total.saturating_add(chunk.len() as u64);
            if total > self.max_bytes || parser.feed(&chunk, &mut events).is_err() {
                return;
            }
            for event in events.drain(..) {
                if event.event != "message" || event.data.trim().is_empty() {
                    continue;
                }
                let Ok(value) = jsonrpc::parse_bounded(event.data.as_bytes()) else {
                    continue;
                };
                match jsonrpc::classify(value) {
                    Ok(Incoming::Request { id, method, params }) => {
                        answer(&self.post, &id, &method, &params, deadline, log).await;
                    }
                    Ok(Incoming::Notification { method }) => log.record(ServerMessage {
                        kind: ServerMessageKind::Notification,
                        method,
                        answer: None,
                    }),
                    // Stray responses and garbage on a side stream are not the call's answer.
                    _ => {}
                }
            }
        }
    }
}

/// Answers a server request with a copy of `post`.
async fn answer(
    post: &RequestBuilder,
    id: &Value,
    method: &str,
    params: &Value,
    deadline: Deadline,
    log: &mut StepLog,
) {
    if let Some(post) = post.try_clone() {
        post_answer(
            move |body| post.body(body),
            id,
            method,
            params,
            deadline,
            log,
        )
        .await;
    }
}
