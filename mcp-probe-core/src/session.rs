//! A client session over a transport: request ids, the handshake, re-initializing once when
//! the server forgets the session, cancelling timed-out requests, ending the session.

use crate::clock::Deadline;
use crate::http::log::StepLog;

use serde_json::{json, Value};

use crate::clock::Clock;
use crate::jsonrpc::RpcOutcome;
use crate::model::{Failure, FailureCode, SessionFacts, WarningCode};
use crate::transport::legacy_sse::OpenError;
use crate::transport::Transport;

/// What `initialize` answered.
pub(crate) struct Initialized {
    pub(crate) outcome: RpcOutcome,
}

/// One MCP session (handshake era) over Streamable HTTP.
pub(crate) struct Session {
    transport: Transport,
    /// What a switch to legacy HTTP+SSE needs (URL targets only).
    legacy: Option<LegacyOpener>,
    clock: Clock,
    next_id: i64,
    init_params: Option<Value>,
    reinitialized: bool,
    /// Whether a session the server forgot is re-initialized (once); off for the runs of an
    /// open session, where it fails the step.
    recovers: bool,
    /// Speaking 2026-07-28: a `_meta` envelope on every request, no session to recover.
    modern: bool,
    pub(crate) facts: SessionFacts,
    /// Secrets of transports the session spoke over before its current one.
    secrets: crate::scrub::Secrets,
}

/// The pieces needed to open a legacy HTTP+SSE connection to the same target.
#[derive(Debug)]
pub(crate) struct LegacyOpener {
    pub(crate) client: crate::http::client::HttpClient,
    pub(crate) target: crate::http::target::Target,
    pub(crate) limits: crate::model::Limits,
}

impl Session {
    pub(crate) fn new(transport: Transport, legacy: Option<LegacyOpener>, clock: Clock) -> Self {
        Session {
            transport,
            legacy,
            clock,
            next_id: 1,
            init_params: None,
            reinitialized: false,
            recovers: true,
            modern: false,
            facts: SessionFacts::default(),
            secrets: crate::scrub::Secrets::new(),
        }
    }

    fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Runs the next requests against `clock` (each run of an open session has its own).
    pub(crate) fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// A session the server forgets from now on fails the request with `session_expired`.
    pub(crate) fn stop_recovering(&mut self) {
        self.recovers = false;
    }

    /// Whether the target can be tried as legacy HTTP+SSE.
    pub(crate) fn can_switch_to_legacy(&self) -> bool {
        self.legacy.is_some()
    }

    /// Opens a legacy HTTP+SSE connection (GET, `endpoint` event) and speaks over it from now
    /// on; the Streamable HTTP transport is dropped (it holds no session yet).
    pub(crate) async fn switch_to_legacy(&mut self, log: &mut StepLog) -> Result<(), OpenError> {
        let Some(opener) = &self.legacy else {
            return Err(OpenError::NoStream(Failure::new(
                FailureCode::Connect,
                "legacy HTTP+SSE needs a URL target",
            )));
        };
        let deadline = self.clock.request_deadline();
        let legacy = crate::transport::legacy_sse::LegacySse::connect(
            opener.client.clone(),
            &opener.target,
            opener.limits,
            deadline,
            log,
        )
        .await?;
        if let Some(s) = self.transport.secrets() {
            self.secrets.extend(s);
        }
        self.transport = Transport::LegacySse(legacy);
        self.legacy = None;
        self.modern = false;
        Ok(())
    }

    /// The deadline for the next request (also used for multi-request checks).
    pub(crate) fn request_deadline(&self) -> Deadline {
        self.clock.request_deadline()
    }

    /// Every secret the session learnt (session ids), collected into `out`.
    pub(crate) fn collect_secrets(&self, out: &mut crate::scrub::Secrets) {
        out.extend(&self.secrets);
        if let Some(s) = self.transport.secrets() {
            out.extend(s);
        }
    }

    /// The end of a stdio server's stderr.
    pub(crate) fn stderr_tail(&self) -> Option<String> {
        self.transport.stderr_tail()
    }

    /// Sends `value` as the `Authorization` header from now on (a token got by step-up).
    pub(crate) fn set_authorization(&mut self, value: reqwest::header::HeaderValue) {
        self.transport.set_authorization(value);
    }

    /// Switches the 2026-07-28 era on or off.
    pub(crate) fn set_modern(&mut self, modern: bool) {
        self.modern = modern;
        self.transport.set_modern(modern);
    }

    /// `Mcp-Param-*` headers for the next request.
    pub(crate) fn set_param_headers(&mut self, headers: Vec<(String, String)>) {
        self.transport.set_param_headers(headers);
    }

    /// Sends `server/discover` (2026-07-28): the whole handshake, in one round trip.
    pub(crate) async fn discover(&mut self, log: &mut StepLog) -> Result<RpcOutcome, Failure> {
        self.request_once("server/discover", None, log).await
    }

    /// Sends `initialize`; the caller decides what the answer means and then calls
    /// [`Session::initialized`].
    pub(crate) async fn initialize(
        &mut self,
        params: Value,
        log: &mut StepLog,
    ) -> Result<Initialized, Failure> {
        self.init_params = Some(params.clone());
        let id = self.take_id();
        let deadline = self.clock.request_deadline();
        let outcome = self
            .transport
            .request(id, "initialize", Some(params), deadline, log)
            .await?;
        if self.transport.has_session() {
            self.facts.issued = true;
        }
        Ok(Initialized { outcome })
    }

    /// Records the negotiated version and sends `notifications/initialized`; if the server
    /// already forgot the session, re-initializes once.
    pub(crate) async fn initialized(
        &mut self,
        version: &str,
        log: &mut StepLog,
    ) -> Result<(), Failure> {
        match self.send_initialized(version, log).await {
            Err(f)
                if f.code == FailureCode::SessionExpired
                    && !self.reinitialized
                    && self.recovers =>
            {
                self.recover("notifications/initialized", log).await
            }
            other => other,
        }
    }

    async fn send_initialized(&mut self, version: &str, log: &mut StepLog) -> Result<(), Failure> {
        let header = crate::negotiate::sends_protocol_header(version).then(|| version.to_owned());
        self.transport.set_protocol_version(header);
        let deadline = self.clock.request_deadline();
        self.transport
            .notify("notifications/initialized", None, deadline, log)
            .await
    }

    /// Re-initializes after a 404 on `what`; a second 404 is final.
    async fn recover(&mut self, what: &str, log: &mut StepLog) -> Result<(), Failure> {
        self.reinitialized = true;
        self.facts.reinitialized += 1;
        log.warn(
            WarningCode::SessionReinitialized,
            format!(
                "{what}: the server forgot the session (HTTP 404); re-initialized once and retried"
            ),
        );
        self.reinitialize(log)
            .await
            .map_err(|f| forgot_again(what, f))
    }

    /// Sends a request; on a forgotten session re-initializes once and retries; on a timeout
    /// tells the server with `notifications/cancelled`.
    pub(crate) async fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        match self.request_once(method, params.clone(), log).await {
            Err(f)
                if f.code == FailureCode::SessionExpired
                    && !self.reinitialized
                    && !self.modern
                    && self.recovers =>
            {
                self.recover(method, log).await?;
                self.request_once(method, params, log)
                    .await
                    .map_err(|f| forgot_again(method, f))
            }
            other => other,
        }
    }

    async fn request_once(
        &mut self,
        method: &str,
        params: Option<Value>,
        log: &mut StepLog,
    ) -> Result<RpcOutcome, Failure> {
        let id = self.take_id();
        let deadline = self.clock.request_deadline();
        let params = if self.modern {
            Some(crate::negotiate::with_envelope(params))
        } else {
            params
        };
        let result = self
            .transport
            .request(id, method, params, deadline, log)
            .await;
        if let Err(f) = &result {
            if f.code == FailureCode::Timeout {
                let cancel = self.clock.cleanup_deadline();
                let mut params = json!({"requestId": id, "reason": "mcp-probe: request timed out"});
                if self.modern {
                    params = crate::negotiate::with_envelope(Some(params));
                }
                let mut scratch = StepLog::default();
                let sent = self
                    .transport
                    .notify(
                        "notifications/cancelled",
                        Some(params),
                        cancel,
                        &mut scratch,
                    )
                    .await
                    .is_ok();
                log.requests = log.requests.saturating_add(scratch.requests);
                let note = if sent { "sent" } else { "not delivered" };
                return Err(f.clone().with("cancelled", note));
            }
        }
        result
    }

    async fn reinitialize(&mut self, log: &mut StepLog) -> Result<(), Failure> {
        self.transport.forget_session();
        let params = self.init_params.clone().unwrap_or(Value::Null);
        let id = self.take_id();
        let deadline = self.clock.request_deadline();
        let outcome = self
            .transport
            .request(id, "initialize", Some(params), deadline, log)
            .await?;
        let version = match outcome {
            Ok(result) => result
                .get("protocolVersion")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    Failure::new(
                        FailureCode::Malformed,
                        "re-initialize: the result has no protocolVersion",
                    )
                })?,
            Err(e) => {
                return Err(Failure::new(
                    FailureCode::JsonrpcError,
                    format!("re-initialize: JSON-RPC error {}: {}", e.code, e.message),
                )
                .with_jsonrpc_error(e))
            }
        };
        self.send_initialized(&version, log).await
    }

    /// Which transport the session speaks over.
    pub(crate) fn transport_kind(&self) -> crate::model::TransportKind {
        self.transport.kind()
    }

    /// Ends the session: DELETE, closing the stream, or stopping the child process.
    pub(crate) async fn close(&mut self) {
        let deadline = self.clock.cleanup_deadline();
        if let Some(outcome) = self.transport.close(deadline).await {
            self.facts.closed = Some(outcome);
        }
    }
}

/// A second 404 after re-initializing is final: the server cannot keep a session.
fn forgot_again(what: &str, f: Failure) -> Failure {
    if f.code != FailureCode::SessionExpired {
        return f;
    }
    Failure::new(
        FailureCode::SessionExpired,
        format!(
            "{what}: the server forgot the session again right after re-initializing (HTTP 404)"
        ),
    )
    .with_http_status(404)
    .with("reinitialized", 1)
}
