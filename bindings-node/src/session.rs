//! `open(target, options)`: a session opened once, its steps run again and again over it
//! ([`mcp_probe_core::Prober::open`]): `Session.runSteps()` and `Session.close()`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use mcp_probe_core::{OpenSession, Prober, Scenario};
use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::errors::{self, CallError};
use crate::report;

/// The prober sessions are opened with: one per process, so that OAuth tokens and TLS
/// configurations are shared between them.
fn prober() -> &'static Prober {
    static PROBER: OnceLock<Prober> = OnceLock::new();
    PROBER.get_or_init(Prober::new)
}

/// Opens the session: a `Session` also when the opening failed (its `opening` report says
/// why, and it is not usable).
pub(crate) async fn open(scenario: Scenario) -> std::result::Result<Session, CallError> {
    let (session, opening) = match prober().open(&scenario).await.map_err(CallError::Engine)? {
        Ok(session) => {
            let opening = report::to_js(session.opening());
            (Some(session), opening)
        }
        Err(report) => (None, report::to_js(&report)),
    };
    Ok(Session {
        usable: Arc::new(AtomicBool::new(session.is_some())),
        inner: Arc::new(Mutex::new(session)),
        opening,
    })
}

/// An MCP session opened by `open()`: the handshake done once, then the steps after it
/// (`tools/list`, `tools/call`, …) run as often as wanted with `runSteps()`, all over this one
/// session, until `close()`.
///
/// ```js
/// const { open } = require('mcp-probe')
/// const session = await open('http://127.0.0.1:8000/mcp', { tool: 'add', arguments: { a: 2, b: 3 } })
/// try {
///   if (!session.opening.ok) throw new Error(session.opening.failure.message)
///   for (let i = 0; i < 100 && session.usable; i++) {
///     const report = await session.runSteps()  // tools/list and tools/call, same session
///     if (!report.ok) console.error(report.failure.code, report.failure.message)
///   }
/// } finally {
///   await session.close()  // DELETE, or stop the stdio server
/// }
/// ```
#[napi]
pub struct Session {
    /// `None` once closed, and when the opening failed.
    inner: Arc<Mutex<Option<OpenSession>>>,
    usable: Arc<AtomicBool>,
    opening: Value,
}

#[napi]
impl Session {
    /// The report of opening the session: its steps are the handshake (and an `auth` check
    /// before it, if asked for). When `opening.ok` is false the session did not open.
    #[napi(getter, ts_return_type = "Report")]
    pub fn opening(&self) -> Value {
        self.opening.clone()
    }

    /// Whether `runSteps()` can be used: the session opened, is not closed, and its last run
    /// passed or failed only by a tool's error or an expectation (failure family `tool`).
    /// Otherwise close it and open another.
    #[napi(getter)]
    pub fn usable(&self) -> bool {
        self.usable.load(Ordering::Acquire)
    }

    /// Runs the steps after the handshake once more over this session. Resolves with their
    /// report (its `steps` are only these; the scenario's timeouts apply to each run), also
    /// when the server fails. Rejects with `code: 'session_closed'` once the session is
    /// closed or when it never opened; runs one at a time.
    #[napi(ts_return_type = "Promise<Report>")]
    pub fn run_steps<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Value>> {
        let inner = Arc::clone(&self.inner);
        let usable = Arc::clone(&self.usable);
        let run = async move {
            let mut session = inner.lock().await;
            let Some(open) = session.as_mut() else {
                return Ok(Err(CallError::Closed));
            };
            let outcome = open.run_steps().await;
            usable.store(open.is_usable(), Ordering::Release);
            Ok(outcome
                .map(|report| report::to_js(&report))
                .map_err(CallError::Engine))
        };
        env.spawn_future_with_callback(run, |env, outcome| {
            outcome.map_err(|e| errors::to_js(env, e))
        })
    }

    /// Ends the session: a DELETE over Streamable HTTP, the stream closed over legacy HTTP+SSE,
    /// the stdio server and its process group stopped; within one second. Resolves with how
    /// that went, as the report's `session.closed` says it (`'deleted'`, `'already_gone'`,
    /// `'exited (code 0)'`, …), or `null` when there was nothing to end (closed already, or
    /// never opened). A run under way finishes first.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn close<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Option<String>>> {
        let inner = Arc::clone(&self.inner);
        let usable = Arc::clone(&self.usable);
        let close = async move {
            let open = inner.lock().await.take();
            usable.store(false, Ordering::Release);
            let closed = match open {
                Some(open) => open.close().await,
                None => None,
            };
            Ok(closed.map(|how| how.as_str().to_owned()))
        };
        env.spawn_future_with_callback(close, |_, closed| Ok(closed))
    }
}
