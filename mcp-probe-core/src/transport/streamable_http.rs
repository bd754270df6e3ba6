//! Streamable HTTP, handshake era (2025-03-26 … 2025-11-25): one endpoint, every client
//! message its own POST, answers as JSON or as an SSE stream.

use crate::clock::Deadline;
use crate::http::answer::{media_type, not_mcp_content, status_failure};
use crate::http::body::too_large;
use crate::http::classify::classify_http_error;
use crate::http::log::StepLog;
use crate::model::{FailureReason, SessionClose, TimeoutPhase, WarningCode};
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use tokio::time::timeout_at;

use super::http::post_answer;
use super::standalone::Listener;
use super::{parse_json, response_for, response_from};
use crate::http::body::read_body;
use crate::http::client::HttpClient;
use crate::http::target::{Secret, Target};
use crate::jsonrpc::{self, Incoming, RpcOutcome};
use crate::model::Limits;
use crate::model::{Failure, FailureCode, ServerMessage, ServerMessageKind};
use crate::scrub::Secrets;
use crate::sse::{SseError, SseParser};

const ACCEPT_BOTH: &str = "application/json, text/event-stream";
const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";
/// Most times one response's SSE stream is resumed with GET + `Last-Event-ID`.
const MAX_RESUMPTIONS: u32 = 3;
/// Wait before resuming when the server gave no `retry:` (the spec leaves it to the client).
const DEFAULT_RETRY_MS: u64 = 1000;

/// A Streamable HTTP connection to one endpoint, with its session state.
#[derive(Debug)]
pub(crate) struct StreamableHttp {
    client: HttpClient,
    target: Target,
    limits: Limits,
    session: Option<Secret>,
    protocol_version: Option<String>,
    /// Speaking the 2026-07-28 era: per-request headers, JSON-RPC errors carried by 4xx.
    modern: bool,
    /// `Mcp-Param-*` headers for the next request only.
    param_headers: Vec<(String, String)>,
    /// Every session id the server issued (to scrub from what leaves the engine).
    secrets: Secrets,
}

impl StreamableHttp {
    pub(crate) fn new(client: HttpClient, target: Target, limits: Limits) -> Self {
        StreamableHttp {
            client,
            target,
            limits,
            session: None,
            protocol_version: None,
            modern: false,
            param_headers: Vec::new(),
            secrets: Secrets::new(),
        }
    }

    /// The session ids the server issued.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// Switches to (or away from) the 2026-07-28 era: `MCP-Protocol-Version`, `Mcp-Method`
    /// and `Mcp-Name` on every request, no session.
    pub(crate) fn set_modern(&mut self, modern: bool) {
        self.modern = modern;
        self.protocol_version = modern.then(|| crate::model::MODERN_VERSION.to_owned());
    }

    /// Sends `value` as the `Authorization` header from now on (a new OAuth token).
    pub(crate) fn set_authorization(&mut self, value: reqwest::header::HeaderValue) {
        self.target.set_authorization(value);
    }

    /// `Mcp-Param-<Name>` headers (name, value) to send with the next request only.
    pub(crate) fn set_param_headers(&mut self, headers: Vec<(String, String)>) {
        self.param_headers = headers;
    }

    /// The per-request headers of the 2026-07-28 era.
    fn with_modern_headers(
        &self,
        mut rb: RequestBuilder,
        method: &str,
        params: Option<&Value>,
        params_headers: &[(String, String)],
    ) -> RequestBuilder {
        if !self.modern {
            return rb;
        }
        rb = rb.header("mcp-method", header_text(method));
        if matches!(method, "tools/call" | "prompts/get" | "resources/read") {
            let name = params
                .and_then(|p| p.get("name").or_else(|| p.get("uri")))
                .and_then(Value::as_str);
            if let Some(name) = name {
                rb = rb.header("mcp-name", header_text(name));
            }
        }
        for (name, value) in params_headers {
            rb = rb.header(format!("mcp-param-{name}"), header_text(value));
        }
        rb
    }

    /// Whether the server has issued a session id that is still in use.
    pub(crate) fn has_session(&self) -> bool {
        self.session.is_some()
    }

    /// Drops the session id (before re-initializing).
    pub(crate) fn forget_session(&mut self) {
        self.session = None;
        self.protocol_version = None;
    }

    /// Sets the version sent in `MCP-Protocol-Version` from now on.
    pub(crate) fn set_protocol_version(&mut self, version: Option<String>) {
        self.protocol_version = version;
    }

    fn post(&self, body: Vec<u8>) -> RequestBuilder {
        let rb = self
            .client
            .post(self.target.url().clone())
            .headers(self.target.headers().clone())
            .header(ACCEPT, ACCEPT_BOTH)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        self.with_session_headers(rb)
    }

    fn with_session_headers(&self, mut rb: RequestBuilder) -> RequestBuilder {
        if let Some(session) = &self.session {
            if let Ok(mut v) = HeaderValue::from_str(session.expose()) {
                v.set_sensitive(true);
                rb = rb.header(SESSION_HEADER, v);
            }
        }
        if let Some(version) = &self.protocol_version {
            rb = rb.header(VERSION_HEADER, version.as_str());
        }
        rb
    }

    async fn send(
        &self,
        rb: RequestBuilder,
        deadline: &Deadline,
        what: &str,
        log: &mut StepLog,
    ) -> Result<Response, Failure> {
        self.client.send(rb, deadline, what, log).await
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
        let outcome = match self.listener(method, log) {
            // Elicitations may come on the standalone stream: listen there while waiting (a
            // plain exchange when the server offers no stream). Rare and large: boxed, so that
            // every other request's future stays small.
            Some(listener) => {
                Box::pin(async {
                    let Some(stream) = listener.open(deadline).await else {
                        return self.exchange(id, method, params, deadline, log).await;
                    };
                    let mut side = log.side();
                    let outcome = {
                        let exchange = self.exchange(id, method, params, deadline, &mut *log);
                        let listen = stream.listen(deadline, &mut side);
                        tokio::pin!(exchange, listen);
                        tokio::select! {
                            outcome = &mut exchange => outcome,
                            () = &mut listen => exchange.await,
                        }
                    };
                    log.merge_side(side);
                    outcome
                })
                .await
            }
            None => self.exchange(id, method, params, deadline, log).await,
        };
        // The answer has been read: the exchange's body phase ends here.
        log.timing.close();
        outcome
    }

    /// A listener on the standalone GET stream for a `tools/call` whose step answers
    /// elicitations, in a handshake-era session.
    fn listener(&self, method: &str, log: &StepLog) -> Option<Listener> {
        if method != "tools/call" || self.modern || log.elicitation.is_none() {
            return None;
        }
        self.session.as_ref()?;
        let get = self.with_session_headers(
            self.client
                .get(self.target.url().clone())
                .headers(self.target.headers().clone())
                .header(ACCEPT, "text/event-stream"),
        );
        Some(Listener {
            get,
            post: self.post(Vec::new()),
            max_event_bytes: usize::try_from(self.limits.max_sse_event_bytes).unwrap_or(usize::MAX),
            max_bytes: self.limits.max_body_bytes,
        })
    }

    async fn exchange(
        &mut self,
        id: i64,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        let param_headers = std::mem::take(&mut self.param_headers);
        let rb = self.with_modern_headers(
            self.post(Vec::new()),
            method,
            params.as_ref(),
            &param_headers,
        );
        let body = jsonrpc::request_body(id, method, params.as_ref());
        let sent_session = self.session.is_some();
        let resp = self.send(rb.body(body), &deadline, method, log).await?;
        if method == "initialize" {
            self.capture_session(&resp, method)?;
        }
        let status = resp.status();
        if status == StatusCode::OK || (status.is_success() && !is_empty_status(status)) {
            let expected = json!(id);
            match media_type(resp.headers()).as_deref() {
                Some("application/json") => {
                    let body =
                        read_body(resp, &deadline, self.limits.max_body_bytes, method).await?;
                    let value = parse_json(&body, method)?;
                    response_for(value, &expected, method)
                }
                Some("text/event-stream") => {
                    self.read_sse(resp, &expected, method, deadline, log).await
                }
                other => Err(not_mcp_content(
                    resp,
                    other,
                    method,
                    "application/json or text/event-stream",
                    "MCP",
                    &deadline,
                )
                .await),
            }
        } else {
            let failure = status_failure(resp, sent_session, method, &deadline).await;
            // From 2026-07-28 a JSON-RPC error comes with a 4xx status (400, 404): it is the
            // answer, not a transport failure.
            if self.modern && failure.code == FailureCode::HttpStatus {
                if let Some(e) = failure.rpc_error() {
                    return Ok(Err(e.clone()));
                }
            }
            Err(failure)
        }
    }

    /// Sends a notification; any 2xx is accepted.
    pub(crate) async fn notify(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        let outcome = self.notify_once(method, params, deadline, log).await;
        log.timing.close();
        outcome
    }

    async fn notify_once(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        let rb = self.with_modern_headers(self.post(Vec::new()), method, params.as_ref(), &[]);
        let body = jsonrpc::notification_body(method, params.as_ref());
        let sent_session = self.session.is_some();
        let status_before = log.http_status;
        let resp = self.send(rb.body(body), &deadline, method, log).await?;
        if resp.status().is_success() {
            // A step's HTTP status is that of its request, not of the notifications around it.
            log.http_status = status_before.or(log.http_status);
            if resp.status() != StatusCode::ACCEPTED {
                log.warn(
                    WarningCode::NotificationNot202,
                    format!(
                        "{method} was answered HTTP {} instead of 202 Accepted",
                        resp.status().as_u16()
                    ),
                );
            }
            return Ok(());
        }
        Err(status_failure(resp, sent_session, method, &deadline).await)
    }

    /// Ends the session with DELETE; says how that went (`deleted`, `not_supported`, …).
    pub(crate) async fn delete_session(&mut self, deadline: Deadline) -> Option<SessionClose> {
        self.session.as_ref()?;
        let rb = self.with_session_headers(
            self.client
                .delete(self.target.url().clone())
                .headers(self.target.headers().clone()),
        );
        self.session = None;
        let outcome = match timeout_at(deadline.at, rb.send()).await {
            Ok(Ok(resp)) => match resp.status().as_u16() {
                200..=299 => SessionClose::Deleted,
                404 => SessionClose::AlreadyGone,
                405 => SessionClose::NotSupported,
                _ => SessionClose::Failed,
            },
            Ok(Err(_)) => SessionClose::Failed,
            Err(_) => SessionClose::TimedOut,
        };
        Some(outcome)
    }

    fn capture_session(&mut self, resp: &Response, what: &str) -> Result<(), Failure> {
        let Some(raw) = resp.headers().get(SESSION_HEADER) else {
            return Ok(());
        };
        let bytes = raw.as_bytes();
        if bytes.is_empty() || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(Failure::new(
                FailureCode::Malformed,
                format!("{what}: the Mcp-Session-Id header is empty or not visible ASCII"),
            )
            .with_reason(FailureReason::InvalidSessionId));
        }
        let id = String::from_utf8_lossy(bytes);
        self.secrets.add(&id);
        self.session = Some(Secret::new(id));
        Ok(())
    }

    async fn read_sse(
        &self,
        mut resp: Response,
        expected: &Value,
        what: &str,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        let max_event = usize::try_from(self.limits.max_sse_event_bytes).unwrap_or(usize::MAX);
        let mut parser = SseParser::new(max_event);
        let mut events = Vec::new();
        let mut total: u64 = 0;
        let mut dispatched: u64 = 0;
        let mut resumptions: u32 = 0;
        loop {
            let chunk = match timeout_at(deadline.at, resp.chunk()).await {
                Err(_) => {
                    return Err(deadline
                        .timeout(TimeoutPhase::StreamIdle, what)
                        .with("bytesRead", total)
                        .with("eventsRead", dispatched))
                }
                Ok(Err(e)) => {
                    return Err(classify_http_error(&e, what, &deadline)
                        .with("bytesRead", total)
                        .with("eventsRead", dispatched))
                }
                Ok(Ok(None)) => {
                    parser.finish();
                    resp = self
                        .resume(&parser, &mut resumptions, what, deadline, log)
                        .await
                        .map_err(|f| f.with("eventsRead", dispatched))?;
                    continue;
                }
                Ok(Ok(Some(chunk))) => chunk,
            };
            total = total.saturating_add(chunk.len() as u64);
            if total > self.limits.max_body_bytes {
                return Err(too_large(what, "SSE stream", self.limits.max_body_bytes));
            }
            if let Err(SseError::EventTooLarge { limit }) = parser.feed(&chunk, &mut events) {
                return Err(too_large(what, "SSE event", limit as u64));
            }
            for event in events.drain(..) {
                dispatched += 1;
                if event.event != "message" {
                    log.warn(
                        WarningCode::UnexpectedSseEvent,
                        format!(
                            "{what}: ignored an SSE event of type {:?}",
                            crate::text::truncate(&event.event, 40)
                        ),
                    );
                    continue;
                }
                if event.data.trim().is_empty() {
                    // A priming event (an id and empty data, 2025-11-25): nothing to parse.
                    continue;
                }
                let value = parse_json(event.data.as_bytes(), what)
                    .map_err(|f| f.with("where", "sse_event"))?;
                match jsonrpc::classify(value) {
                    Ok(Incoming::Request { id, method, params }) => {
                        post_answer(|body| self.post(body), &id, &method, &params, deadline, log)
                            .await;
                    }
                    Ok(Incoming::Notification { method }) => log.record(ServerMessage {
                        kind: ServerMessageKind::Notification,
                        method,
                        answer: None,
                    }),
                    other => return response_from(other, expected, what),
                }
            }
        }
    }

    /// The POST's SSE stream closed before the response. If the server gave its events ids
    /// (2025-11-25 resumability), waits its `retry` time and resumes with GET +
    /// `Last-Event-ID`, at most [`MAX_RESUMPTIONS`] times; otherwise the stream ended early.
    async fn resume(
        &self,
        parser: &SseParser,
        resumptions: &mut u32,
        what: &str,
        deadline: Deadline,
        log: &mut StepLog,
    ) -> Result<Response, Failure> {
        let ended = |extra: &str, resumed: u32| {
            Failure::new(
                FailureCode::Malformed,
                format!("{what}: the SSE stream ended before the response arrived{extra}"),
            )
            .with_reason(FailureReason::StreamEnded)
            .with("resumptions", resumed)
        };
        let Some(last_id) = parser.last_event_id() else {
            return Err(ended(" (no event id to resume from)", *resumptions));
        };
        if *resumptions >= MAX_RESUMPTIONS {
            return Err(ended(
                &format!(" after {MAX_RESUMPTIONS} resumptions"),
                *resumptions,
            ));
        }
        let wait = Duration::from_millis(parser.retry_ms().unwrap_or(DEFAULT_RETRY_MS));
        // `retry` is the server's number: saturate rather than overflow.
        let resume_at = crate::clock::instant_after(tokio::time::Instant::now(), wait);
        if resume_at >= deadline.at {
            tokio::time::sleep_until(deadline.at).await;
            return Err(deadline.timeout(TimeoutPhase::StreamIdle, what).with(
                "resumeAfterMs",
                u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            ));
        }
        tokio::time::sleep_until(resume_at).await;
        *resumptions += 1;
        log.resumptions = log.resumptions.saturating_add(1);
        let Ok(last_id_value) = HeaderValue::from_str(last_id) else {
            return Err(ended(
                " (its last event id cannot be sent as a header)",
                *resumptions,
            ));
        };
        let rb = self.with_session_headers(
            self.client
                .get(self.target.url().clone())
                .headers(self.target.headers().clone())
                .header(ACCEPT, "text/event-stream")
                .header("last-event-id", last_id_value),
        );
        let resp = self.send(rb, &deadline, what, log).await?;
        let status = resp.status();
        if status == StatusCode::OK
            && media_type(resp.headers()).as_deref() == Some("text/event-stream")
        {
            return Ok(resp);
        }
        Err(ended(
            &format!(
                " and resuming it with GET + Last-Event-ID was answered HTTP {}",
                status.as_u16()
            ),
            *resumptions,
        )
        .with_http_status(status.as_u16()))
    }
}

/// A header value as the 2026-07-28 era sends it: visible ASCII as-is, anything else as
/// `=?base64?<base64 of the UTF-8 bytes>?=`.
fn header_text(value: &str) -> String {
    use base64::Engine as _;
    let plain = value.bytes().all(|b| (0x20..=0x7e).contains(&b))
        && !value.starts_with(' ')
        && !value.ends_with(' ');
    if plain {
        value.to_owned()
    } else {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(value.as_bytes())
        )
    }
}

/// 202 and 204 carry no body.
fn is_empty_status(status: StatusCode) -> bool {
    status == StatusCode::ACCEPTED || status == StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_encode_non_ascii() {
        assert_eq!(header_text("add"), "add");
        assert_eq!(header_text("grüße"), "=?base64?Z3LDvMOfZQ==?=");
        assert_eq!(header_text("a\nb"), "=?base64?YQpi?=");
        assert_eq!(header_text(" padded"), "=?base64?IHBhZGRlZA==?=");
    }

    /// A server's `retry:` is its own number: the largest there is must not overflow the
    /// clock (it is a wait past the deadline: a timeout).
    #[tokio::test]
    async fn a_huge_retry_is_a_timeout_not_an_overflow() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let _ = conn.read(&mut buf).await;
            let body = "id: 1\nretry: 18446744073709551615\ndata:\n\n";
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            conn.write_all(head.as_bytes()).await.unwrap();
            conn.write_all(body.as_bytes()).await.unwrap();
        });
        let spec = crate::model::TargetSpec {
            url: format!("http://{addr}/mcp"),
            ..Default::default()
        };
        let target = Target::resolve(&spec).unwrap();
        let client = HttpClient::from(reqwest::Client::new());
        let mut t = StreamableHttp::new(client, target, Limits::default());
        let total = Duration::from_millis(300);
        let deadline = Deadline::for_request(
            total,
            crate::clock::instant_after(tokio::time::Instant::now(), total),
            total,
        );
        let f = t
            .request(1, "tools/list", None, deadline, &mut StepLog::default())
            .await
            .unwrap_err();
        assert_eq!(f.code, FailureCode::Timeout, "{}", f.message);
        assert_eq!(f.details["resumeAfterMs"], u64::MAX);
        server.abort();
    }

    #[test]
    fn responses_match_ids() {
        let ok = response_for(json!({"jsonrpc":"2.0","id":3,"result":{}}), &json!(3), "x");
        assert_eq!(ok, Ok(Ok(json!({}))));
        let wrong =
            response_for(json!({"jsonrpc":"2.0","id":4,"result":{}}), &json!(3), "x").unwrap_err();
        assert_eq!(wrong.code, FailureCode::Malformed);
        assert_eq!(wrong.details["reason"], "id_mismatch");
        let foreign = response_for(json!({"status":"ok"}), &json!(3), "x").unwrap_err();
        assert_eq!(foreign.code, FailureCode::NotMcp);
    }
}
