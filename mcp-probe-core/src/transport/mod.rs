//! Transports: how JSON-RPC messages reach the server and come back.
//!
//! Every transport reports its problems as [`Failure`]s and keeps a [`StepLog`] of what it
//! did, so the step that called it can be reported precisely.

mod http;
pub(crate) mod legacy_sse;
mod standalone;
pub(crate) mod stdio;
pub(crate) mod streamable_http;
mod wait;

use std::time::Duration;

use serde_json::{json, Value};

use crate::clock::Deadline;
use crate::http::log::StepLog;
use crate::jsonrpc::{self, Incoming, NotRpc, RpcOutcome};
use crate::model::{ElicitationAnswer, Failure, FailureCode, TransportKind};
use crate::model::{FailureReason, SessionClose};
use crate::text::snippet;

/// Longest a probe waits to deliver an answer to a server request.
pub(crate) const ANSWER_BUDGET: Duration = Duration::from_secs(2);
/// The server request a step may answer with its `elicitation` answer.
const ELICITATION_CREATE: &str = "elicitation/create";

/// The transport a session speaks over. Every variant offers the same operations.
#[derive(Debug)]
pub(crate) enum Transport {
    /// Streamable HTTP.
    StreamableHttp(streamable_http::StreamableHttp),
    /// Legacy HTTP+SSE (2024-11-05).
    LegacySse(legacy_sse::LegacySse),
    /// A child process on stdin/stdout.
    Stdio(stdio::Stdio),
}

/// Calls the same method on whichever transport this is.
macro_rules! each {
    ($self:expr, $t:ident => $call:expr) => {
        match $self {
            Transport::StreamableHttp($t) => $call,
            Transport::LegacySse($t) => $call,
            Transport::Stdio($t) => $call,
        }
    };
}

impl Transport {
    /// Which transport this is, for the report.
    pub(crate) fn kind(&self) -> TransportKind {
        match self {
            Transport::StreamableHttp(_) => TransportKind::StreamableHttp,
            Transport::LegacySse(_) => TransportKind::Sse,
            Transport::Stdio(_) => TransportKind::Stdio,
        }
    }

    /// Sends a request and waits for its response, answering server requests on the way.
    pub(crate) async fn request(
        &mut self,
        id: i64,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        each!(self, t => t.request(id, method, params, deadline, log).await)
    }

    /// Sends a notification.
    pub(crate) async fn notify(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        each!(self, t => t.notify(method, params, deadline, log).await)
    }

    /// Ends what the probe opened (session, stream, child process); says how that went.
    pub(crate) async fn close(&mut self, deadline: Deadline) -> Option<SessionClose> {
        match self {
            Transport::StreamableHttp(t) => t.delete_session(deadline).await,
            Transport::LegacySse(t) => t.close(deadline).await,
            Transport::Stdio(t) => t.close(deadline).await,
        }
    }

    /// Whether the server issued a session id that is in use (Streamable HTTP only).
    pub(crate) fn has_session(&self) -> bool {
        match self {
            Transport::StreamableHttp(t) => t.has_session(),
            Transport::LegacySse(_) | Transport::Stdio(_) => false,
        }
    }

    /// Drops the session before re-initializing.
    pub(crate) fn forget_session(&mut self) {
        if let Transport::StreamableHttp(t) = self {
            t.forget_session();
        }
    }

    /// Switches the 2026-07-28 era on or off (Streamable HTTP only; other transports carry
    /// everything in the message).
    pub(crate) fn set_modern(&mut self, modern: bool) {
        if let Transport::StreamableHttp(t) = self {
            t.set_modern(modern);
        }
    }

    /// Sends `value` as the `Authorization` header from now on (Streamable HTTP only: the
    /// OAuth flows run only for it).
    pub(crate) fn set_authorization(&mut self, value: reqwest::header::HeaderValue) {
        if let Transport::StreamableHttp(t) = self {
            t.set_authorization(value);
        }
    }

    /// `Mcp-Param-*` headers for the next request (Streamable HTTP, 2026-07-28 only).
    pub(crate) fn set_param_headers(&mut self, headers: Vec<(String, String)>) {
        if let Transport::StreamableHttp(t) = self {
            t.set_param_headers(headers);
        }
    }

    /// Sets the negotiated version sent as `MCP-Protocol-Version` (Streamable HTTP only).
    pub(crate) fn set_protocol_version(&mut self, version: Option<String>) {
        if let Transport::StreamableHttp(t) = self {
            t.set_protocol_version(version);
        }
    }

    /// The session ids the server issued (HTTP transports), to scrub from the report.
    pub(crate) fn secrets(&self) -> Option<&crate::scrub::Secrets> {
        match self {
            Transport::StreamableHttp(t) => Some(t.secrets()),
            Transport::LegacySse(t) => Some(t.secrets()),
            Transport::Stdio(_) => None,
        }
    }

    /// The end of the child's stderr (stdio only).
    pub(crate) fn stderr_tail(&self) -> Option<String> {
        match self {
            Transport::Stdio(t) => Some(t.stderr_tail()),
            _ => None,
        }
    }
}

/// Ids of requests that failed (timed out) but whose responses may still arrive on a
/// stream or pipe shared by later requests: such a late response is skipped, not taken for
/// a later request's. Bounded: the oldest ids are dropped.
#[derive(Debug, Default)]
pub(crate) struct AbandonedIds(std::collections::VecDeque<Value>);

impl AbandonedIds {
    /// Most ids remembered.
    const MAX: usize = 64;

    /// Remembers a request that gave up waiting.
    pub(crate) fn push(&mut self, id: Value) {
        if self.0.len() >= Self::MAX {
            self.0.pop_front();
        }
        self.0.push_back(id);
    }

    /// Whether `id` belongs to an abandoned request; forgets it if so (one response each).
    pub(crate) fn take(&mut self, id: &Value) -> bool {
        match self.0.iter().position(|a| a == id) {
            Some(i) => {
                self.0.remove(i);
                true
            }
            None => false,
        }
    }
}

/// The answer a probe gives to a server request: `ping` gets `{}`, `elicitation/create` the
/// step's `elicitation` answer when it has one, anything else "method not found" (a probe
/// offers no other client capability). Returns the message and how it is reported.
pub(crate) fn answer_for(
    id: &Value,
    method: &str,
    params: &Value,
    elicitation: Option<&ElicitationAnswer>,
) -> (Value, &'static str) {
    if method == "ping" {
        (jsonrpc::result_response(id, json!({})), "result")
    } else if let (ELICITATION_CREATE, Some(answer)) = (method, elicitation) {
        (
            jsonrpc::result_response(id, answer.result_for(params)),
            answer.action.as_str(),
        )
    } else {
        (
            jsonrpc::error_response(id, -32601, "mcp-probe does not offer this capability"),
            "error -32601",
        )
    }
}

/// Parses a JSON body or event; invalid JSON is `malformed`, one holding more values than a
/// probe keeps in memory is `response_too_large` (see [`jsonrpc::parse_bounded`]).
pub(crate) fn parse_json(body: &[u8], what: &str) -> Result<Value, Failure> {
    jsonrpc::parse_bounded(body).map_err(|e| parse_failure(e, body, what))
}

/// The failure for a message that could not be parsed.
pub(crate) fn parse_failure(e: jsonrpc::ParseError, body: &[u8], what: &str) -> Failure {
    match e {
        jsonrpc::ParseError::Invalid(e) => Failure::new(
            FailureCode::Malformed,
            format!("{what}: the answer is not valid JSON ({e})"),
        )
        .with_reason(FailureReason::InvalidJson)
        .with("bodySnippet", snippet(body, 200)),
        jsonrpc::ParseError::TooBig { values, objects } => Failure::new(
            FailureCode::ResponseTooLarge,
            format!(
                "{what}: the answer holds up to {values} JSON values in {objects} objects; a \
                 probe parses at most {} values and {} objects per message",
                jsonrpc::MAX_JSON_VALUES,
                jsonrpc::MAX_JSON_OBJECTS
            ),
        )
        .with("part", "json_values")
        .with("values", values)
        .with("objects", objects)
        .with("limitValues", jsonrpc::MAX_JSON_VALUES)
        .with("limitObjects", jsonrpc::MAX_JSON_OBJECTS),
    }
}

/// The outcome of a single-message answer: the response to `expected`, or why not.
pub(crate) fn response_for(
    value: Value,
    expected: &Value,
    what: &str,
) -> Result<RpcOutcome, Failure> {
    response_from(jsonrpc::classify(value), expected, what)
}

/// The outcome of an already classified message: the response to `expected`, or why not.
pub(crate) fn response_from(
    classified: Result<Incoming, NotRpc>,
    expected: &Value,
    what: &str,
) -> Result<RpcOutcome, Failure> {
    match classified {
        Ok(Incoming::Response { id, outcome }) if &id == expected => Ok(outcome),
        Ok(Incoming::Response {
            id: Value::Null,
            outcome: Err(e),
        }) => Ok(Err(e)),
        Ok(Incoming::Response { id, .. }) => Err(Failure::new(
            FailureCode::Malformed,
            format!(
                "{what}: the response carries id {} but the request had id {}",
                crate::text::short(&id),
                expected
            ),
        )
        .with_reason(FailureReason::IdMismatch)
        .with("expectedId", expected.clone())
        .with("receivedId", crate::text::bounded_value(&id))),
        Ok(Incoming::Request { method, .. }) => Err(Failure::new(
            FailureCode::Malformed,
            format!(
                "{what}: a JSON answer held the server request {method} instead of the response"
            ),
        )
        .with_reason(FailureReason::NotAResponse)),
        Ok(Incoming::Notification { method }) => Err(Failure::new(
            FailureCode::Malformed,
            format!("{what}: a JSON answer held the notification {method} instead of the response"),
        )
        .with_reason(FailureReason::NotAResponse)),
        Err(NotRpc::Foreign(why)) => Err(Failure::new(
            FailureCode::NotMcp,
            format!("{what}: the answer is {why}"),
        )
        .with_reason(FailureReason::NotJsonrpc)),
        Err(NotRpc::Broken(why)) => Err(Failure::new(
            FailureCode::Malformed,
            format!("{what}: the answer is {why}"),
        )
        .with_reason(FailureReason::InvalidJsonrpc)),
    }
}

#[cfg(test)]
mod tests {}
