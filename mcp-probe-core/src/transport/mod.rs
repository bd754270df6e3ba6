//! Transports: how JSON-RPC messages reach the server and come back.
//!
//! Every transport reports its problems as [`Failure`]s and keeps a [`StepLog`] of what it
//! did, so the step that called it can be reported precisely.

mod http;
pub(crate) mod legacy_sse;
pub(crate) mod stdio;
pub(crate) mod streamable_http;

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use tokio::time::Instant;

use serde_json::{json, Value};

use crate::dns::DnsError;
use crate::jsonrpc::{self, Incoming, NotRpc, RpcOutcome};
use crate::model::{
    Failure, FailureCode, ServerMessage, ServerMessageKind, TransportKind, Warning,
};
use crate::text::snippet;

/// Longest a probe waits to deliver an answer to a server request.
pub(crate) const ANSWER_BUDGET: Duration = Duration::from_secs(2);

/// Most server messages kept per step; more are counted, not kept.
const MAX_SERVER_MESSAGES: usize = 50;
/// Most server requests answered per step; later ones are left unanswered (a server flooding
/// `ping` requests must not make the probe send without end).
pub(crate) const MAX_ANSWERS: u32 = 100;

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
    pub(crate) async fn close(&mut self, deadline: Deadline) -> Option<String> {
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

/// `now + d`, saturating at a far but representable instant instead of panicking.
pub(crate) fn instant_after(now: Instant, d: Duration) -> Instant {
    /// Further than any probe runs (validated timeouts are at most a day).
    const FAR: Duration = Duration::from_secs(30 * 24 * 3600);
    now.checked_add(d.min(FAR))
        .or_else(|| now.checked_add(Duration::from_secs(3600)))
        .unwrap_or(now)
}

/// Which configured limit a deadline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// The per-request timeout.
    Request,
    /// The whole probe's timeout.
    Total,
    /// The short budget for clean-up messages (cancel, DELETE, answers).
    Cleanup,
}

impl Limit {
    fn as_str(self) -> &'static str {
        match self {
            Limit::Request => "request",
            Limit::Total => "total",
            Limit::Cleanup => "cleanup",
        }
    }
}

/// A point in time by which an exchange must be done, and the limit it stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    limit: Limit,
    budget: Duration,
}

impl Deadline {
    /// The earlier of `now + request` and `total_at`.
    pub(crate) fn for_request(request: Duration, total_at: Instant, total: Duration) -> Self {
        let by_request = instant_after(Instant::now(), request);
        if by_request < total_at {
            Deadline {
                at: by_request,
                limit: Limit::Request,
                budget: request,
            }
        } else {
            Deadline {
                at: total_at,
                limit: Limit::Total,
                budget: total,
            }
        }
    }

    /// A deadline for clean-up work: `budget` from now, but not past `hard_stop`.
    pub(crate) fn cleanup(budget: Duration, hard_stop: Instant) -> Self {
        Deadline {
            at: instant_after(Instant::now(), budget).min(hard_stop),
            limit: Limit::Cleanup,
            budget,
        }
    }

    /// A deadline no later than `self` and at most `budget` from now.
    pub(crate) fn capped(self, budget: Duration) -> Self {
        let at = instant_after(Instant::now(), budget);
        if at < self.at {
            Deadline {
                at,
                limit: Limit::Cleanup,
                budget,
            }
        } else {
            self
        }
    }

    /// Whether the deadline has passed.
    pub(crate) fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// The failure for running past this deadline during `phase`.
    pub(crate) fn timeout(&self, phase: &str, what: &str) -> Failure {
        let ms = u64::try_from(self.budget.as_millis()).unwrap_or(u64::MAX);
        let waiting = match phase {
            "connect" => "connecting",
            "tls" => "in the TLS handshake",
            "headers" => "waiting for the response headers",
            "body" => "reading the response body",
            "stream_idle" => "waiting for the response on the open SSE stream",
            _ => "waiting",
        };
        let limit = match self.limit {
            Limit::Request => format!("the request timeout of {}", humantime_ms(ms)),
            Limit::Total => format!("the probe timeout of {}", humantime_ms(ms)),
            Limit::Cleanup => format!("the clean-up budget of {}", humantime_ms(ms)),
        };
        Failure::new(
            FailureCode::Timeout,
            format!("{what}: no answer within {limit} while {waiting}"),
        )
        .with("phase", phase)
        .with("limit", self.limit.as_str())
        .with("limitMs", ms)
    }
}

fn humantime_ms(ms: u64) -> String {
    humantime::format_duration(Duration::from_millis(ms)).to_string()
}

/// What one step's exchanges did: requests made, last HTTP status, messages received.
#[derive(Debug, Default)]
pub(crate) struct StepLog {
    pub(crate) requests: u32,
    pub(crate) http_status: Option<u16>,
    pub(crate) server_messages: Vec<ServerMessage>,
    pub(crate) dropped_messages: u32,
    pub(crate) warnings: Vec<Warning>,
    /// How often an SSE stream was resumed with GET + `Last-Event-ID`.
    pub(crate) resumptions: u32,
    /// The timings of the step's HTTP exchanges.
    pub(crate) timing: crate::timing::ExchangeLog,
    /// Server requests answered in this step.
    answered: u32,
    /// Server requests left unanswered because of [`MAX_ANSWERS`].
    unanswered: u32,
}

impl StepLog {
    /// Records a server message, keeping at most [`MAX_SERVER_MESSAGES`].
    pub(crate) fn record(&mut self, message: ServerMessage) {
        if self.server_messages.len() < MAX_SERVER_MESSAGES {
            self.server_messages.push(message);
        } else {
            self.dropped_messages = self.dropped_messages.saturating_add(1);
        }
    }

    /// Whether a server request (`method`) may still be answered in this step; once
    /// [`MAX_ANSWERS`] were, records it as unanswered and warns (once).
    pub(crate) fn may_answer(&mut self, method: &str) -> bool {
        if self.answered < MAX_ANSWERS {
            self.answered += 1;
            return true;
        }
        self.unanswered = self.unanswered.saturating_add(1);
        if self.unanswered == 1 {
            self.warn(
                "server_requests_unanswered",
                format!(
                    "the server sent more than {MAX_ANSWERS} requests while the probe waited; \
                     the later ones were not answered"
                ),
            );
        }
        self.record(ServerMessage {
            kind: ServerMessageKind::Request,
            method: method.to_owned(),
            answer: Some("unanswered (limit)".to_owned()),
        });
        false
    }

    /// Adds a warning.
    pub(crate) fn warn(&mut self, code: &str, message: impl Into<String>) {
        self.warnings.push(Warning::new(code, message));
    }
}

/// Classifies an error from sending a request or reading its body.
///
/// Reads the error's source chain for typed causes (DNS marker, I/O error kinds); never the
/// texts. `what` names the exchange for the message ("initialize", "DELETE session").
pub(crate) fn classify_http_error(
    err: &reqwest::Error,
    what: &str,
    deadline: &Deadline,
) -> Failure {
    let detail = chain_text(err);
    if let Some(dns) = find_source::<DnsError>(err) {
        return Failure::new(
            FailureCode::Dns,
            format!("{what}: the host name {} did not resolve", dns.host),
        )
        .with("host", dns.host.clone())
        .with("error", dns.reason.clone());
    }
    if let Some(refused) = find_source::<crate::dns::AddressRefused>(err) {
        return Failure::new(
            FailureCode::Connect,
            format!(
                "{what}: not connected: {} (a URL the server named may lead only where the \
                 target is)",
                refused.reason
            ),
        )
        .with("host", refused.host.clone())
        .with("reason", "address_refused");
    }
    if let Some(tls) = crate::tls::find_tls_error(err) {
        return crate::tls::tls_failure(tls, what).with("error", detail);
    }
    if err.is_redirect() {
        return Failure::new(
            FailureCode::Redirect,
            format!(
                "{what}: more than {} redirects in a row; stopped following them",
                crate::client::MAX_REDIRECTS
            ),
        )
        .with("reason", "too_many_redirects")
        .with("error", detail);
    }
    if err.is_timeout() {
        let phase = if err.is_connect() { "connect" } else { "body" };
        return deadline.timeout(phase, what).with("error", detail);
    }
    if let Some(invalid) = find_source::<hyper::Error>(err).and_then(|h| invalid_http(h, what)) {
        return invalid.with("error", detail);
    }
    if err.is_connect() {
        let https = err.url().is_some_and(|u| u.scheme() == "https");
        return connect_failure(err, what, https).with("error", detail);
    }
    match io_kind(err) {
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) => reset(what, detail),
        // hyper's "incomplete message" is not a public type; reqwest flags body errors.
        _ if err.is_body() || err.is_decode() || err.is_request() => reset(what, detail),
        _ => Failure::new(
            FailureCode::Connect,
            format!("{what}: the HTTP exchange failed"),
        )
        .with("error", detail),
    }
}

/// The failure for an answer that is not valid HTTP (not HTTP at all, a malformed status
/// line or header, more than 100 headers, a header section over about 400 KB): the server did
/// answer, so this is a protocol failure, not an unreachable server. `None` for other errors.
fn invalid_http(err: &hyper::Error, what: &str) -> Option<Failure> {
    (err.is_parse() || err.is_parse_status()).then(|| {
        Failure::new(
            FailureCode::Malformed,
            format!("{what}: the server's answer is not valid HTTP ({err})"),
        )
        .with("reason", "invalid_http")
    })
}

/// The failure for a connection that could not be established, from the I/O error kinds in
/// its error chain (`https`: the connect included a TLS handshake).
fn connect_failure(err: &(dyn StdError + 'static), what: &str, https: bool) -> Failure {
    match io_kind(err) {
        Some(io::ErrorKind::ConnectionRefused) => Failure::new(
            FailureCode::ConnectRefused,
            format!("{what}: the connection was refused (nothing listens on that port)"),
        ),
        Some(
            io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkDown,
        ) => Failure::new(
            FailureCode::ConnectUnreachable,
            format!("{what}: the server's network or host is unreachable (no route to it)"),
        ),
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) if https => Failure::new(
            FailureCode::TlsHandshake,
            format!("{what}: the server closed the connection during the TLS handshake"),
        ),
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe,
        ) => Failure::new(
            FailureCode::ConnectionReset,
            format!("{what}: the connection was reset while it was being established"),
        ),
        Some(io::ErrorKind::InvalidData) => Failure::new(
            FailureCode::TlsHandshake,
            format!("{what}: the TLS handshake failed"),
        ),
        _ => Failure::new(
            FailureCode::Connect,
            format!("{what}: could not connect to the server"),
        ),
    }
}

/// The failure for a 3xx answer from `url` that was not followed.
pub(crate) fn redirect_failure(
    what: &str,
    status: u16,
    location: Option<&str>,
    url: &url::Url,
) -> Failure {
    let resolved = location.map(|l| url.join(l));
    let shown = match (&resolved, location) {
        (Some(Ok(u)), _) => Some(crate::urls::redact_url(u)),
        (_, Some(l)) => Some(crate::text::truncate(l, 200)),
        _ => None,
    };
    let (reason, why) = match &resolved {
        None => ("no_location", "there is nowhere to follow it to".to_owned()),
        Some(Ok(u)) if u.origin() != url.origin() => (
            "cross_origin",
            "a redirect to another origin is never followed, so credentials stay with the \
             origin they are for"
                .to_owned(),
        ),
        Some(Ok(_)) if !matches!(status, 307 | 308) => (
            "method_changing",
            format!(
                "a {status} would turn the POST into a GET; only 307 and 308 are followed \
                 (followRedirects: same-origin)"
            ),
        ),
        _ => (
            "not_followed",
            "redirects are not followed unless followRedirects is same-origin".to_owned(),
        ),
    };
    let mut failure = Failure::new(
        FailureCode::Redirect,
        format!(
            "{what}: HTTP {status} redirect to {}; {why}",
            shown.as_deref().unwrap_or("(no Location header)")
        ),
    )
    .with("reason", reason);
    if let Some(shown) = shown {
        failure = failure.with("location", shown);
    }
    failure
}

fn reset(what: &str, detail: String) -> Failure {
    Failure::new(
        FailureCode::ConnectionReset,
        format!("{what}: the connection broke before the answer was complete"),
    )
    .with("error", detail)
}

/// The first error of type `T` in the source chain.
pub(crate) fn find_source<'a, T: StdError + 'static>(
    err: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    let mut hops = 0;
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        hops += 1;
        if hops > 16 {
            break;
        }
        cur = cause(e);
    }
    None
}

/// The error behind `e`. An `io::Error`'s `source()` skips the error it wraps (it returns
/// that error's source), so the wrapped error is taken directly: rustls errors and nested
/// `io::Error`s travel that way.
fn cause<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    if let Some(inner) = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
        return Some(inner);
    }
    e.source()
}

/// The most specific I/O error kind in the chain: the first that is not `Other` (hyper and
/// the TLS layer wrap errors in `io::Error`s of kind `Other`).
fn io_kind(err: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    let mut found = None;
    for _ in 0..16 {
        let Some(e) = cur else { break };
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if io.kind() != io::ErrorKind::Other {
                return Some(io.kind());
            }
            found = Some(io::ErrorKind::Other);
        }
        cur = cause(e);
    }
    found
}

/// The error chain as one line, URLs removed (reqwest puts the URL in its own message).
fn chain_text(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        if parts.len() >= 6 {
            break;
        }
        cur = e.source();
    }
    if parts.is_empty() {
        // reqwest's own message without the URL.
        return crate::text::truncate(&err.to_string(), 300);
    }
    crate::text::truncate(&parts.join(": "), 300)
}

/// The answer a probe gives to a server request: `ping` gets `{}`, anything else "method not
/// found" (a probe offers no client capabilities). Returns the message and how it is reported.
pub(crate) fn answer_for(id: &Value, method: &str) -> (Value, &'static str) {
    if method == "ping" {
        (jsonrpc::result_response(id, json!({})), "result")
    } else {
        (
            jsonrpc::error_response(id, -32601, "mcp-probe does not offer this capability"),
            "error -32601",
        )
    }
}

/// The failure for a body, stream or event over its size limit.
pub(crate) fn too_large(what: &str, thing: &str, limit: u64) -> Failure {
    Failure::new(
        FailureCode::ResponseTooLarge,
        format!("{what}: the {thing} exceeded the limit of {limit} bytes"),
    )
    .with("limitBytes", limit)
    .with("part", thing)
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
        .with("reason", "invalid_json")
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
        .with("reason", "id_mismatch")
        .with("expectedId", expected.clone())
        .with("receivedId", crate::text::bounded_value(&id))),
        Ok(Incoming::Request { method, .. }) => Err(Failure::new(
            FailureCode::Malformed,
            format!(
                "{what}: a JSON answer held the server request {method} instead of the response"
            ),
        )
        .with("reason", "not_a_response")),
        Ok(Incoming::Notification { method }) => Err(Failure::new(
            FailureCode::Malformed,
            format!("{what}: a JSON answer held the notification {method} instead of the response"),
        )
        .with("reason", "not_a_response")),
        Err(NotRpc::Foreign(why)) => Err(Failure::new(
            FailureCode::NotMcp,
            format!("{what}: the answer is {why}"),
        )
        .with("reason", "not_jsonrpc")),
        Err(NotRpc::Broken(why)) => Err(Failure::new(
            FailureCode::Malformed,
            format!("{what}: the answer is {why}"),
        )
        .with("reason", "invalid_jsonrpc")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded_and_clean() {
        let s = snippet(b"<html>\r\n<body>\x07 502 Bad Gateway</body></html>", 30);
        assert_eq!(s, "<html> <body> 502 Bad Gateway<…");
        assert_eq!(snippet(&[0xff, b'a'], 10), "\u{fffd}a");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("connect error")]
    struct ConnectError(#[source] io::Error);

    #[test]
    fn connect_failures_are_told_apart_by_io_kind() {
        let cases = [
            (
                io::ErrorKind::ConnectionRefused,
                false,
                FailureCode::ConnectRefused,
            ),
            (
                io::ErrorKind::NetworkUnreachable,
                false,
                FailureCode::ConnectUnreachable,
            ),
            (
                io::ErrorKind::HostUnreachable,
                true,
                FailureCode::ConnectUnreachable,
            ),
            (
                io::ErrorKind::ConnectionReset,
                false,
                FailureCode::ConnectionReset,
            ),
            (
                io::ErrorKind::ConnectionReset,
                true,
                FailureCode::TlsHandshake,
            ),
            (
                io::ErrorKind::UnexpectedEof,
                true,
                FailureCode::TlsHandshake,
            ),
            (io::ErrorKind::InvalidData, true, FailureCode::TlsHandshake),
            (io::ErrorKind::PermissionDenied, false, FailureCode::Connect),
        ];
        for (kind, https, code) in cases {
            let err = ConnectError(io::Error::from(kind));
            let f = connect_failure(&err, "initialize", https);
            assert_eq!(f.code, code, "{kind:?} https={https}");
            assert!(f.message.starts_with("initialize: "), "{}", f.message);
        }
        // Wrapped in an `io::Error` of kind Other, as hyper hands errors over.
        let wrapped = ConnectError(io::Error::other(io::Error::from(
            io::ErrorKind::HostUnreachable,
        )));
        assert_eq!(
            connect_failure(&wrapped, "initialize", false).code,
            FailureCode::ConnectUnreachable
        );
        // The OS error numbers of `connect(2)` (Linux: ENETUNREACH, EHOSTUNREACH).
        #[cfg(target_os = "linux")]
        for errno in [101, 113] {
            let err = ConnectError(io::Error::from_raw_os_error(errno));
            assert_eq!(
                connect_failure(&err, "initialize", false).code,
                FailureCode::ConnectUnreachable
            );
        }
    }

    #[test]
    fn redirects_say_why_they_were_not_followed() {
        let url = url::Url::parse("https://h.example/mcp?key=secret").unwrap();
        let f = redirect_failure("initialize", 307, Some("https://other.example/mcp"), &url);
        assert_eq!(f.code, FailureCode::Redirect);
        assert_eq!(f.details["reason"], "cross_origin");
        assert_eq!(f.details["location"], "https://other.example/mcp");
        let f = redirect_failure("initialize", 301, Some("/mcp/"), &url);
        assert_eq!(f.details["reason"], "method_changing");
        assert_eq!(f.details["location"], "https://h.example/mcp/");
        let f = redirect_failure("initialize", 307, Some("/v2/mcp?token=t"), &url);
        assert_eq!(f.details["reason"], "not_followed");
        assert_eq!(
            f.details["location"],
            "https://h.example/v2/mcp?token=<redacted>"
        );
        let f = redirect_failure("initialize", 302, None, &url);
        assert_eq!(f.details["reason"], "no_location");
        assert!(f.message.contains("(no Location header)"), "{}", f.message);
    }

    #[test]
    fn request_deadline_prefers_the_earlier_limit() {
        let total_at = Instant::now() + Duration::from_secs(10);
        let d = Deadline::for_request(Duration::from_secs(1), total_at, Duration::from_secs(10));
        assert_eq!(d.limit, Limit::Request);
        let d = Deadline::for_request(Duration::from_secs(60), total_at, Duration::from_secs(10));
        assert_eq!(d.limit, Limit::Total);
        let f = d.timeout("headers", "tools/list");
        assert_eq!(f.code, FailureCode::Timeout);
        assert_eq!(f.details["phase"], "headers");
        assert_eq!(f.details["limit"], "total");
        assert!(f.message.contains("10s"), "{}", f.message);
    }
}
