//! Legacy HTTP+SSE transport (2024-11-05): a GET opens a long-lived SSE stream whose first
//! event, `endpoint`, names the URL to POST messages to; every server message, responses
//! included, arrives on that stream as a `message` event.
//!
//! A background task reads the stream for the whole session and hands each event, classified,
//! to the transport through a bounded channel; the transport POSTs a message and then waits on
//! that channel for the response with the message's id.

// The transport is reached through `Transport` once it is wired in; until then only tests use it.

use crate::clock::Deadline;
use crate::http::answer::{media_type, not_mcp_content, read_prefix, status_failure};
use crate::http::body::too_large;
use crate::http::classify::classify_http_error;
use crate::http::log::StepLog;
use crate::model::{FailureReason, SessionClose, TimeoutPhase, WarningCode};
use crate::text::snippet;
use crate::urls::redact_url;
use std::fmt;
use std::sync::Arc;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::timeout_at;
use url::Url;

use super::http::post_answer;
use super::wait::{wait_for, Inbox, LateWarning, Next, Tally};
use super::AbandonedIds;
use crate::http::client::HttpClient;
use crate::http::target::Target;
use crate::jsonrpc::{self, Incoming, NotRpc, RpcOutcome};
use crate::model::Limits;
use crate::model::{Failure, FailureCode};
use crate::scrub::Secrets;
use crate::sse::{SseError, SseEvent, SseParser};

/// What the GET that opens the stream is called in messages.
const GET_WHAT: &str = "GET SSE stream";
/// Most stream items waiting for the transport to take them.
const MAX_BUFFERED: usize = 64;

/// One thing the stream reader hands over.
enum Item {
    /// A `message` event with JSON data, classified; the permit holds its bytes in the budget.
    Message(Result<Incoming, NotRpc>, Option<OwnedSemaphorePermit>),
    /// A `message` event whose data is not JSON.
    InvalidJson { error: String, snippet: String },
    /// A `message` event holding more JSON values than a probe parses (the failure, without
    /// its `what`).
    TooBig(Failure),
    /// An `endpoint` event's data.
    Endpoint(String),
    /// An event of another type (its name, cut short).
    Other(String),
    /// The stream is over; nothing follows.
    End(End),
}

/// Why the stream is over.
enum End {
    /// The server closed it.
    Closed,
    /// Reading it failed.
    Broken(reqwest::Error),
    /// An event exceeded the limit (bytes).
    TooLarge(u64),
}

/// The stream reader task; aborted when dropped.
struct Reader(JoinHandle<()>);

impl Drop for Reader {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A legacy HTTP+SSE connection: the open GET stream and the endpoint it named.
pub(crate) struct LegacySse {
    client: HttpClient,
    target: Target,
    /// Where messages are POSTed. Holds the session id: never shown unredacted.
    endpoint: Url,
    events: mpsc::Receiver<Item>,
    reader: Option<Reader>,
    /// The stream ended (or was closed): no response can arrive any more.
    ended: bool,
    /// Ids of requests that failed; a response to one of them arriving later is skipped.
    abandoned: AbandonedIds,
    /// The endpoint's query values (the session id), to scrub from what leaves the engine.
    secrets: Secrets,
}

impl fmt::Debug for LegacySse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacySse")
            .field("endpoint", &redact_url(&self.endpoint))
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// Why a legacy HTTP+SSE connection could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The GET was not answered with an event stream: the URL is no legacy endpoint.
    NoStream(Failure),
    /// An event stream opened but broke its rules (no `endpoint` event in time, another
    /// origin): the URL is a legacy endpoint, and a broken one.
    Broken(Failure),
}

impl OpenError {
    /// The failure, whichever it is.
    pub(crate) fn into_failure(self) -> Failure {
        match self {
            OpenError::NoStream(f) | OpenError::Broken(f) => f,
        }
    }
}

impl LegacySse {
    /// Opens the GET stream and waits, until `deadline`, for its `endpoint` event; the endpoint
    /// is resolved against the SSE URL and must have the same origin.
    pub(crate) async fn connect(
        client: HttpClient,
        target: &Target,
        limits: Limits,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<LegacySse, OpenError> {
        Self::open_stream(client, target, limits, deadline, log)
            .await?
            .map_err(OpenError::Broken)
    }

    /// The GET and the wait for `endpoint`: the outer error when no stream opened, the inner
    /// one when the stream broke its rules.
    async fn open_stream(
        client: HttpClient,
        target: &Target,
        limits: Limits,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<Result<LegacySse, Failure>, OpenError> {
        let rb = client
            .get(target.url().clone())
            .headers(target.headers().clone())
            .header(ACCEPT, "text/event-stream");
        let resp = client
            .send(rb, &deadline, GET_WHAT, log)
            .await
            .map_err(OpenError::NoStream)?;
        if !resp.status().is_success() {
            return Err(OpenError::NoStream(
                status_failure(resp, false, GET_WHAT, &deadline).await,
            ));
        }
        let content_type = media_type(resp.headers());
        if content_type.as_deref() != Some("text/event-stream") {
            return Err(OpenError::NoStream(
                not_mcp_content(
                    resp,
                    content_type.as_deref(),
                    GET_WHAT,
                    "text/event-stream",
                    "an SSE stream",
                    &deadline,
                )
                .await,
            ));
        }
        Ok(Self::await_endpoint(client, target, limits, deadline, log, resp).await)
    }

    /// Reads the opened stream until its `endpoint` event.
    async fn await_endpoint(
        client: HttpClient,
        target: &Target,
        limits: Limits,
        deadline: Deadline,
        log: &mut StepLog,
        resp: Response,
    ) -> Result<LegacySse, Failure> {
        let (tx, mut events) = mpsc::channel(MAX_BUFFERED);
        let max_event = usize::try_from(limits.max_sse_event_bytes).unwrap_or(usize::MAX);
        // The bytes of events waiting in the channel are bounded by the body limit.
        let budget = u32::try_from(limits.max_body_bytes)
            .unwrap_or(u32::MAX)
            .clamp(1, u32::try_from(Semaphore::MAX_PERMITS).unwrap_or(u32::MAX));
        let reader = Reader(tokio::spawn(read_stream(resp, max_event, budget, tx)));

        let mut before = 0u64;
        let data = loop {
            let item = match timeout_at(deadline.at, events.recv()).await {
                Err(_) => {
                    let mut failure = deadline
                        .timeout(TimeoutPhase::Endpoint, GET_WHAT)
                        .with("eventsRead", before);
                    failure.message.push_str(" for the `endpoint` event");
                    return Err(failure);
                }
                Ok(None) => return Err(no_endpoint(before)),
                Ok(Some(item)) => item,
            };
            match item {
                Item::Endpoint(data) => break data,
                Item::End(End::Closed) => return Err(no_endpoint(before)),
                Item::End(end) => return Err(end_failure(end, GET_WHAT, &deadline, before)),
                Item::Message(..) | Item::InvalidJson { .. } | Item::TooBig(_) | Item::Other(_) => {
                    before += 1;
                    if before == 1 {
                        log.warn(
                            WarningCode::EventBeforeEndpoint,
                            "the SSE stream sent events before its `endpoint` event; they were ignored",
                        );
                    }
                }
            }
        };
        // The stream's headers and its `endpoint` event have arrived.
        log.timing.close();
        let endpoint = resolve_endpoint(target.url(), &data)?;
        let mut secrets = Secrets::new();
        secrets.add_url(&endpoint);
        Ok(LegacySse {
            secrets,
            client,
            target: target.clone(),
            endpoint,
            events,
            reader: Some(reader),
            ended: false,
            abandoned: AbandonedIds::default(),
        })
    }

    /// The session id the endpoint carries.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    fn post(&self, body: Vec<u8>) -> RequestBuilder {
        self.client
            .post(self.endpoint.clone())
            .headers(self.target.headers().clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
    }

    /// Sends a request and waits on the stream for its response, answering server requests
    /// and recording notifications on the way.
    pub(crate) async fn request(
        &mut self,
        id: i64,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        if self.ended {
            return Err(Failure::new(
                FailureCode::Malformed,
                format!("{method}: the SSE stream had already ended; no response can arrive"),
            )
            .with_reason(FailureReason::StreamEnded));
        }
        let expected = json!(id);
        let result = self
            .exchange(id, &expected, method, params, deadline, log)
            .await;
        if result.is_err() {
            // The server may still answer it; that late response must not pass for another.
            self.abandoned.push(expected);
        }
        result
    }

    async fn exchange(
        &mut self,
        id: i64,
        expected: &Value,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        let body = jsonrpc::request_body(id, method, params.as_ref());
        let resp = self
            .client
            .send(self.post(body), &deadline, method, log)
            .await?;
        if !resp.status().is_success() {
            return Err(self.endpoint_failure(resp, method, &deadline).await);
        }
        // The body is only `Accepted`; reading it lets the connection be reused.
        read_prefix(resp, &deadline).await;
        // The response comes on the stream; the POST exchange itself is done.
        log.timing.close();
        wait_for(self, expected, method, deadline, log).await
    }

    /// Sends a notification; any 2xx is accepted (202 expected).
    pub(crate) async fn notify(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        let body = jsonrpc::notification_body(method, params.as_ref());
        let status_before = log.http_status;
        let resp = self
            .client
            .send(self.post(body), &deadline, method, log)
            .await?;
        let status = resp.status();
        if !status.is_success() {
            return Err(self.endpoint_failure(resp, method, &deadline).await);
        }
        // A step's HTTP status is that of its request, not of the notifications around it.
        log.http_status = status_before.or(log.http_status);
        if status != StatusCode::ACCEPTED {
            log.warn(
                WarningCode::NotificationNot202,
                format!(
                    "{method} was answered HTTP {} instead of 202 Accepted",
                    status.as_u16()
                ),
            );
        }
        read_prefix(resp, &deadline).await;
        log.timing.close();
        Ok(())
    }

    /// Closes the stream (which ends the session); says `closed`, or nothing if already closed.
    pub(crate) async fn close(&mut self, deadline: Deadline) -> Option<SessionClose> {
        let mut reader = self.reader.take()?;
        self.ended = true;
        reader.0.abort();
        // An aborted task ends at its next await point; waiting makes sure the stream is dropped.
        let _ = timeout_at(deadline.at, &mut reader.0).await;
        Some(SessionClose::Closed)
    }

    /// A non-2xx answer to a POST on the endpoint.
    async fn endpoint_failure(&self, resp: Response, what: &str, deadline: &Deadline) -> Failure {
        let not_found = resp.status() == StatusCode::NOT_FOUND;
        let failure = status_failure(resp, false, what, deadline).await;
        if !not_found {
            return failure;
        }
        let mut failure = failure.with_reason(FailureReason::EndpointNotFound);
        failure.message = format!(
            "{what}: HTTP 404 Not Found from the endpoint the SSE stream named ({}): the server \
             does not know the session, or the path is wrong (a proxy prefix missing from it?)",
            redact_url(&self.endpoint)
        );
        failure
    }
}

impl Inbox for LegacySse {
    type Hold = Option<OwnedSemaphorePermit>;
    const LATE: LateWarning = LateWarning::FirstOnly;
    const WHERE: Option<&'static str> = Some("sse_event");

    /// The next event on the stream; its end, a timeout or an event that is not JSON ends the
    /// wait, events of other types are passed over (with a warning, once).
    async fn next(
        &mut self,
        what: &str,
        deadline: &Deadline,
        tally: &mut Tally,
        log: &mut StepLog,
    ) -> Next<Self::Hold> {
        let item = match timeout_at(deadline.at, self.events.recv()).await {
            Err(_) => {
                return Next::Fail(
                    deadline
                        .timeout(TimeoutPhase::StreamIdle, what)
                        .with("eventsRead", tally.read),
                )
            }
            Ok(None) => {
                self.ended = true;
                return Next::Fail(stream_ended(what, tally.read));
            }
            Ok(Some(item)) => item,
        };
        tally.read += 1;
        match item {
            Item::Message(message, permit) => Next::Message(message, permit),
            Item::TooBig(mut failure) => {
                failure.message = format!("{what}{}", failure.message);
                Next::Fail(failure.with("where", "sse_event"))
            }
            Item::InvalidJson { error, snippet } => Next::Fail(
                Failure::new(
                    FailureCode::Malformed,
                    format!("{what}: the answer is not valid JSON ({error})"),
                )
                .with_reason(FailureReason::InvalidJson)
                .with("bodySnippet", snippet)
                .with("where", "sse_event"),
            ),
            Item::Endpoint(_) | Item::Other(_) => {
                tally.ignored += 1;
                if tally.ignored == 1 {
                    let kind = match &item {
                        Item::Other(kind) => kind.as_str(),
                        _ => "endpoint",
                    };
                    log.warn(
                        WarningCode::UnexpectedSseEvent,
                        format!("{what}: ignored an SSE event of type {kind:?}"),
                    );
                }
                Next::Skip
            }
            Item::End(end) => {
                self.ended = true;
                Next::Fail(end_failure(end, what, deadline, tally.read))
            }
        }
    }

    async fn answer(
        &mut self,
        id: &Value,
        method: &str,
        params: &Value,
        deadline: Deadline,
        log: &mut StepLog,
    ) {
        post_answer(|body| self.post(body), id, method, params, deadline, log).await;
    }

    fn abandoned(&mut self) -> &mut AbandonedIds {
        &mut self.abandoned
    }
}

/// Reads the stream until it ends, the transport goes away, or the task is aborted.
async fn read_stream(mut resp: Response, max_event: usize, budget: u32, tx: mpsc::Sender<Item>) {
    let bytes = Arc::new(Semaphore::new(budget as usize));
    let mut parser = SseParser::new(max_event);
    let mut events = Vec::new();
    loop {
        let next = tokio::select! {
            next = resp.chunk() => next,
            () = tx.closed() => return,
        };
        let end = match next {
            Ok(Some(chunk)) => parser.feed(&chunk, &mut events).err().map(|e| match e {
                SseError::EventTooLarge { limit } => End::TooLarge(limit as u64),
            }),
            Ok(None) => {
                parser.finish();
                Some(End::Closed)
            }
            Err(e) => Some(End::Broken(e)),
        };
        for event in events.drain(..) {
            let Some(item) = item_for(event, &bytes, budget).await else {
                continue;
            };
            if tx.send(item).await.is_err() {
                return;
            }
        }
        if let Some(end) = end {
            let _ = tx.send(Item::End(end)).await;
            return;
        }
    }
}

/// What one event is for the transport; `None` for events to skip (priming, empty data).
async fn item_for(event: SseEvent, bytes: &Arc<Semaphore>, budget: u32) -> Option<Item> {
    match event.event.as_str() {
        "endpoint" => Some(Item::Endpoint(event.data)),
        "message" if event.data.trim().is_empty() => None,
        "message" => {
            let size = u32::try_from(event.data.len())
                .unwrap_or(u32::MAX)
                .min(budget);
            // Waits while the events already handed over hold the whole budget.
            let permit = Arc::clone(bytes).acquire_many_owned(size).await.ok();
            Some(match jsonrpc::parse_bounded(event.data.as_bytes()) {
                Ok(value) => Item::Message(jsonrpc::classify(value), permit),
                Err(jsonrpc::ParseError::Invalid(e)) => Item::InvalidJson {
                    error: e.to_string(),
                    snippet: snippet(event.data.as_bytes(), 200),
                },
                Err(e) => Item::TooBig(super::parse_failure(e, event.data.as_bytes(), "")),
            })
        }
        other => Some(Item::Other(crate::text::truncate(other, 40))),
    }
}

/// Resolves the `endpoint` event's data against the SSE URL; another origin is refused.
pub(crate) fn resolve_endpoint(base: &Url, data: &str) -> Result<Url, Failure> {
    let data = data.trim();
    let invalid = |why: String| {
        Failure::new(
            FailureCode::Malformed,
            format!("{GET_WHAT}: the `endpoint` event {why}"),
        )
        .with_reason(FailureReason::InvalidEndpoint)
    };
    if data.is_empty() {
        return Err(invalid("carries no URL".to_owned()));
    }
    let url = base
        .join(data)
        .map_err(|e| invalid(format!("does not hold a URL ({e})")))?;
    let expected = base.origin();
    if url.origin() != expected || !matches!(url.scheme(), "http" | "https") {
        let origin = crate::text::truncate(&url.origin().ascii_serialization(), 200);
        let expected = expected.ascii_serialization();
        return Err(Failure::new(
            FailureCode::Malformed,
            format!(
                "{GET_WHAT}: the `endpoint` event names another origin ({origin}); messages are \
                 only sent to the SSE URL's origin ({expected})"
            ),
        )
        .with_reason(FailureReason::CrossOriginEndpoint)
        .with("endpointOrigin", origin)
        .with("expectedOrigin", expected));
    }
    Ok(url)
}

fn no_endpoint(events: u64) -> Failure {
    Failure::new(
        FailureCode::Malformed,
        format!("{GET_WHAT}: the SSE stream ended without an `endpoint` event"),
    )
    .with_reason(FailureReason::NoEndpoint)
    .with("eventsRead", events)
}

fn stream_ended(what: &str, events: u64) -> Failure {
    Failure::new(
        FailureCode::Malformed,
        format!("{what}: the SSE stream ended before the response arrived"),
    )
    .with_reason(FailureReason::StreamEnded)
    .with("eventsRead", events)
}

fn end_failure(end: End, what: &str, deadline: &Deadline, events: u64) -> Failure {
    match end {
        End::Closed => stream_ended(what, events),
        End::Broken(e) => classify_http_error(&e, what, deadline).with("eventsRead", events),
        End::TooLarge(limit) => too_large(what, "SSE event", limit),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{ServerMessage, ServerMessageKind, TargetSpec};
    use mcp_probe_testkit::{FixtureServer, Mode};
    use std::time::Duration;
    use tokio::time::Instant;

    fn client() -> HttpClient {
        reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .into()
    }

    fn deadline(budget: Duration) -> Deadline {
        let total = Duration::from_secs(60);
        Deadline::for_request(budget, Instant::now() + total, total)
    }

    fn target(url: &str) -> Target {
        Target::resolve(&TargetSpec {
            url: url.to_owned(),
            ..TargetSpec::default()
        })
        .unwrap()
    }

    async fn connect(url: &str, limits: Limits, budget: Duration) -> Result<LegacySse, Failure> {
        LegacySse::connect(
            client(),
            &target(url),
            limits,
            deadline(budget),
            &mut StepLog::default(),
        )
        .await
        .map_err(OpenError::into_failure)
    }

    fn init_params() -> Value {
        json!({
            "protocolVersion": "2024-11-05",
            "capabilities": {},
            "clientInfo": {"name": "mcp-probe-test", "version": "0"}
        })
    }

    const LONG: Duration = Duration::from_secs(10);
    const SHORT: Duration = Duration::from_millis(300);

    #[tokio::test]
    async fn healthy_session_lists_and_calls_tools() {
        let server = FixtureServer::start().await.unwrap();
        let url = server.url(Mode::Legacy);
        let mut log = StepLog::default();
        let mut t = LegacySse::connect(
            client(),
            &target(&url),
            Limits::default(),
            deadline(LONG),
            &mut log,
        )
        .await
        .unwrap();
        assert_eq!((log.requests, log.http_status), (1, Some(200)));
        // The endpoint was relative: resolved against the SSE URL.
        assert_eq!(t.endpoint.origin(), Url::parse(&url).unwrap().origin());
        assert_eq!(t.endpoint.path(), "/legacy/messages");
        let session = t.endpoint.query().unwrap().to_owned();
        assert!(!format!("{t:?}").contains(&session));

        let mut log = StepLog::default();
        let init = t
            .request(
                1,
                "initialize",
                Some(init_params()),
                deadline(LONG),
                &mut log,
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(init["protocolVersion"], "2024-11-05");
        assert_eq!((log.requests, log.http_status), (1, Some(202)));
        t.notify("notifications/initialized", None, deadline(LONG), &mut log)
            .await
            .unwrap();
        assert!(log.warnings.is_empty(), "{:?}", log.warnings);

        let mut log = StepLog::default();
        let list = t
            .request(2, "tools/list", None, deadline(LONG), &mut log)
            .await
            .unwrap()
            .unwrap();
        let names: Vec<_> = list["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|tool| tool["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["add", "echo", "fail"]);
        // The notification sent after `initialized` and the server's ping came first.
        assert_eq!(
            log.server_messages,
            [
                ServerMessage {
                    kind: ServerMessageKind::Notification,
                    method: "notifications/tools/list_changed".into(),
                    answer: None,
                },
                ServerMessage {
                    kind: ServerMessageKind::Request,
                    method: "ping".into(),
                    answer: Some("result".into()),
                },
            ]
        );
        assert_eq!(log.requests, 2, "the request and the ping's answer");
        let answered = server.log().into_iter().any(|r| {
            r.http_method == "POST"
                && r.rpc_method.is_none()
                && r.body.as_ref().is_some_and(|b| b["result"] == json!({}))
        });
        assert!(answered, "the ping answer was POSTed to the endpoint");

        let call = t
            .request(
                3,
                "tools/call",
                Some(json!({"name": "add", "arguments": {"a": 2, "b": 3}})),
                deadline(LONG),
                &mut StepLog::default(),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(call["content"][0]["text"], "5");

        let get = server
            .log()
            .into_iter()
            .find(|r| r.http_method == "GET")
            .unwrap();
        assert_eq!(get.header("accept"), Some("text/event-stream"));

        assert!(!t.ended);
        assert_eq!(
            t.close(deadline(LONG)).await.as_ref().map(|c| c.as_str()),
            Some("closed")
        );
        assert!(t.reader.is_none());
        // The reader task is gone: its sender is dropped, so the channel runs dry and ends.
        for _ in 0..=MAX_BUFFERED {
            if t.events.recv().await.is_none() {
                break;
            }
        }
        assert!(t.events.is_closed());
        assert_eq!(t.close(deadline(LONG)).await, None);
        let after = t
            .request(4, "ping", None, deadline(LONG), &mut StepLog::default())
            .await
            .unwrap_err();
        assert_eq!(after.details["reason"], "stream_ended");
    }

    #[test]
    fn endpoints_resolve_against_the_sse_url() {
        let base = Url::parse("http://127.0.0.1:5/sse").unwrap();
        let ok = |data: &str| resolve_endpoint(&base, data).unwrap().to_string();
        assert_eq!(
            ok("/messages/?session_id=abc"),
            "http://127.0.0.1:5/messages/?session_id=abc"
        );
        assert_eq!(
            ok(" message?sessionId=x \r"),
            "http://127.0.0.1:5/message?sessionId=x"
        );
        assert_eq!(ok("http://127.0.0.1:5/m"), "http://127.0.0.1:5/m");
        let https = Url::parse("https://h.example/a/sse").unwrap();
        assert_eq!(
            resolve_endpoint(&https, "https://h.example:443/m")
                .unwrap()
                .to_string(),
            "https://h.example/m"
        );
        for cross in [
            "http://127.0.0.1:6/m",
            "https://127.0.0.1:5/m",
            "//evil.example/m",
            "http://localhost:5/m",
            "javascript:alert(1)",
            "data:text/plain,hi",
        ] {
            let f = resolve_endpoint(&base, cross).unwrap_err();
            assert_eq!(f.code, FailureCode::Malformed, "{cross}");
            assert_eq!(f.details["reason"], "cross_origin_endpoint", "{cross}");
        }
        for bad in ["", "  ", "http://[::1"] {
            let f = resolve_endpoint(&base, bad).unwrap_err();
            assert_eq!(f.details["reason"], "invalid_endpoint", "{bad:?}");
        }
    }

    #[tokio::test]
    async fn cross_origin_endpoint_is_refused() {
        let server = FixtureServer::start().await.unwrap();
        let f = connect(
            &server.url(Mode::LegacyCrossOrigin),
            Limits::default(),
            LONG,
        )
        .await
        .unwrap_err();
        assert_eq!(f.code, FailureCode::Malformed);
        assert_eq!(f.details["reason"], "cross_origin_endpoint");
        assert_eq!(f.details["endpointOrigin"], "http://evil.example");
        let shown = serde_json::to_string(&f).unwrap();
        assert!(!shown.contains("session_id"), "{shown}");
        // Nothing was sent to the other origin (nor anywhere else) after the GET.
        assert_eq!(server.log().len(), 1);
    }

    #[tokio::test]
    async fn missing_endpoint_times_out_within_the_deadline() {
        let server = FixtureServer::start().await.unwrap();
        let started = Instant::now();
        let mut log = StepLog::default();
        let f = LegacySse::connect(
            client(),
            &target(&server.url(Mode::LegacyNoEndpoint)),
            Limits::default(),
            deadline(SHORT),
            &mut log,
        )
        .await
        .unwrap_err();
        // The stream opened: a legacy endpoint, and a broken one.
        let OpenError::Broken(f) = f else {
            panic!("{f:?}")
        };
        assert!(started.elapsed() < SHORT + Duration::from_secs(2));
        assert_eq!(f.code, FailureCode::Timeout);
        assert_eq!(f.details["phase"], "endpoint");
        assert!(f.message.contains("`endpoint` event"), "{}", f.message);
        // A notification and a non-JSON `message`; the priming event and comments are skipped.
        assert_eq!(f.details["eventsRead"], 2);
        assert_eq!(log.warnings.len(), 1);
        assert_eq!(log.warnings[0].code, "event_before_endpoint");
    }

    #[tokio::test]
    async fn silent_server_times_out_and_is_closed() {
        let server = FixtureServer::start().await.unwrap();
        let mut t = connect(&server.url(Mode::LegacySilent), Limits::default(), LONG)
            .await
            .unwrap();
        let started = Instant::now();
        let mut log = StepLog::default();
        let f = t
            .request(
                1,
                "initialize",
                Some(init_params()),
                deadline(SHORT),
                &mut log,
            )
            .await
            .unwrap_err();
        assert!(started.elapsed() < SHORT + Duration::from_secs(2));
        assert_eq!(f.code, FailureCode::Timeout);
        assert_eq!(f.details["phase"], "stream_idle");
        assert_eq!(log.http_status, Some(202));
        // The POST was accepted; a cancel notification still goes through.
        t.notify(
            "notifications/cancelled",
            Some(json!({"requestId": 1})),
            deadline(LONG),
            &mut log,
        )
        .await
        .unwrap();
        assert_eq!(
            t.close(deadline(LONG)).await.as_ref().map(|c| c.as_str()),
            Some("closed")
        );
    }

    #[tokio::test]
    async fn oversized_events_are_refused() {
        let server = FixtureServer::start().await.unwrap();
        let limits = Limits {
            max_sse_event_bytes: 100,
            ..Limits::default()
        };
        let mut t = connect(&server.url(Mode::Legacy), limits, LONG)
            .await
            .unwrap();
        let f = t
            .request(
                1,
                "initialize",
                Some(init_params()),
                deadline(LONG),
                &mut StepLog::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::ResponseTooLarge);
        assert_eq!(f.details["limitBytes"], 100);
        let again = t
            .request(2, "ping", None, deadline(LONG), &mut StepLog::default())
            .await
            .unwrap_err();
        assert_eq!(again.details["reason"], "stream_ended");
    }

    #[tokio::test]
    async fn a_stream_cut_off_fails_the_waiting_request() {
        let server = FixtureServer::start().await.unwrap();
        let mut t = connect(&server.url(Mode::LegacySilent), Limits::default(), LONG)
            .await
            .unwrap();
        drop(server);
        let f = wait_for(
            &mut t,
            &json!(1),
            "tools/list",
            deadline(LONG),
            &mut StepLog::default(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                f.code,
                FailureCode::ConnectionReset | FailureCode::Malformed
            ),
            "{f:?}"
        );
        assert!(t.ended);
    }

    #[tokio::test]
    async fn get_errors_are_classified() {
        let server = FixtureServer::start().await.unwrap();
        // A Streamable HTTP endpoint refuses GET without a session.
        let f = connect(&server.url(Mode::Json), Limits::default(), LONG)
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::HttpStatus);
        assert_eq!(f.details["httpStatus"], 405);
        // A JSON document is not an event stream.
        let metadata = format!(
            "http://{}/.well-known/oauth-protected-resource/unauthorized/mcp",
            server.addr()
        );
        let f = connect(&metadata, Limits::default(), LONG)
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::NotMcp);
        assert_eq!(f.details["contentType"], "application/json");
    }

    #[tokio::test]
    async fn unknown_session_is_an_endpoint_404() {
        let server = FixtureServer::start().await.unwrap();
        let mut t = connect(&server.url(Mode::Legacy), Limits::default(), LONG)
            .await
            .unwrap();
        t.endpoint
            .set_query(Some("session_id=0123456789abcdef-not-a-session"));
        let f = t
            .request(
                1,
                "initialize",
                Some(init_params()),
                deadline(LONG),
                &mut StepLog::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::HttpStatus);
        assert_eq!(f.details["reason"], "endpoint_not_found");
        assert_eq!(f.details["httpStatus"], 404);
        assert!(!f.message.contains("0123456789abcdef"), "{}", f.message);
        assert!(f.message.contains("session_id=<redacted>"), "{}", f.message);
    }

    /// A transport fed by hand, to check how stream items are matched to requests.
    fn fed(url: &str) -> (LegacySse, mpsc::Sender<Item>) {
        let (tx, events) = mpsc::channel(MAX_BUFFERED);
        let t = LegacySse {
            client: client(),
            target: target(url),
            endpoint: Url::parse(url).unwrap(),
            events,
            reader: None,
            ended: false,
            abandoned: AbandonedIds::default(),
            secrets: Secrets::new(),
        };
        (t, tx)
    }

    fn message(value: Value) -> Item {
        Item::Message(jsonrpc::classify(value), None)
    }

    #[tokio::test]
    async fn responses_are_matched_by_id_and_late_ones_skipped() {
        let (mut t, tx) = fed("http://127.0.0.1:9/messages?session_id=s");
        t.abandoned.push(json!(1));
        for item in [
            Item::Other("heartbeat".into()),
            message(json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {}})),
            message(json!({"jsonrpc": "2.0", "id": 1, "result": {"late": true}})),
            message(json!({"jsonrpc": "2.0", "id": 2, "result": {"ok": true}})),
            message(json!({"jsonrpc": "2.0", "id": 7, "result": {}})),
            Item::InvalidJson {
                error: "expected value".into(),
                snippet: "hello".into(),
            },
            Item::End(End::Closed),
        ] {
            tx.send(item).await.unwrap();
        }
        let mut log = StepLog::default();
        let ok = wait_for(&mut t, &json!(2), "tools/list", deadline(LONG), &mut log)
            .await
            .unwrap();
        assert_eq!(ok, Ok(json!({"ok": true})));
        let codes: Vec<_> = log.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["unexpected_sse_event", "late_response"]);
        assert_eq!(log.server_messages.len(), 1);

        let mismatch = wait_for(&mut t, &json!(3), "tools/call", deadline(LONG), &mut log)
            .await
            .unwrap_err();
        assert_eq!(mismatch.details["reason"], "id_mismatch");
        let invalid = wait_for(&mut t, &json!(3), "tools/call", deadline(LONG), &mut log)
            .await
            .unwrap_err();
        assert_eq!(invalid.details["reason"], "invalid_json");
        let ended = wait_for(&mut t, &json!(3), "tools/call", deadline(LONG), &mut log)
            .await
            .unwrap_err();
        assert_eq!(ended.details["reason"], "stream_ended");
        assert!(t.ended);
    }
}
