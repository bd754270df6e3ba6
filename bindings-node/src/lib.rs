//! Node.js binding of mcp-probe: `check(target, options)` and `checkScenario(scenario, options)`
//! return a Promise of the engine's report as a plain object; `open(target, options)` a
//! Promise of a `Session` whose steps run again and again over one MCP session (see
//! `session.rs`).
//!
//! The binding reads the caller's options into the engine's (see `options.rs`), hands the report
//! back as its JSON (see `report.rs`) and maps caller mistakes onto coded `Error`s (see `errors.rs`); every probe runs in `mcp-probe-core` on the Tokio runtime napi-rs manages, so
//! any number of checks run at once without blocking the event loop.

mod convert;
mod errors;
mod options;
mod report;
mod session;

use std::future::Future;
use std::sync::Arc;

use napi::bindgen_prelude::{
    FnArgs, Function, FunctionCallContext, JsObjectValue, JsValue, Object, ObjectRef, PromiseRaw,
    ToNapiValue, Unknown,
};
use napi::{Env, Result};
use napi_derive::napi;
use serde_json::Value;
use tokio::sync::Notify;

pub use convert::{FollowRedirects, OAuthFlow, OAuthMethod, ProtocolChoice, TransportChoice};
pub use errors::ErrorCode;
pub use options::{CheckOptions, ScenarioOptions, StdioCommand};
pub use session::Session;

use errors::CallError;
use options::Call;

/// Probes the MCP server at `target` the way an LLM client uses it: handshake, `tools/list`, and
/// with `tool`, a `tools/call` with its expectations. `target` is the server's URL, or a command
/// that starts a local server speaking MCP over stdio.
///
/// Resolves with the report, also when the server fails (`report.ok` is then `false` and
/// `report.failure` says why). Rejects only for the caller's mistakes, with an `Error` whose
/// `code` is an `ErrorCode`, and with an `AbortError` when `options.signal` aborts.
///
/// ```js
/// const { check } = require('mcp-probe')
/// const report = await check('http://127.0.0.1:8000/mcp', {
///   tool: 'add', arguments: { a: 2, b: 3 }, expectText: '5', timeoutMs: 5000,
/// })
/// if (!report.ok) console.error(report.failure.code, report.failure.message)
///
/// const local = await check({ command: 'python', args: ['server.py'] }, { tool: 'echo' })
/// ```
#[napi(
    ts_args_type = "target: string | StdioCommand, options?: CheckOptions | undefined | null",
    ts_return_type = "Promise<Report>"
)]
pub fn check<'env>(
    env: &'env Env,
    target: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<PromiseRaw<'env, Value>> {
    let call = options::check_call(env, target, options);
    start(env, call, run)
}

/// Runs a scenario document (the same schema as `mcp-probe check --scenario FILE`), given as an
/// object or as the path of a YAML or JSON file.
///
/// Resolves and rejects like `check`; an invalid document rejects with
/// `code: 'invalid_scenario'`.
///
/// ```js
/// const { checkScenario } = require('mcp-probe')
/// const report = await checkScenario({
///   target: { url: 'http://127.0.0.1:8000/mcp' },
///   steps: [{ step: 'callTool', name: 'add', arguments: { a: 2, b: 3 }, expect: { textEquals: '5' } }],
/// })
/// ```
#[napi(
    ts_args_type = "scenario: Record<string, unknown> | string, options?: ScenarioOptions | undefined | null",
    ts_return_type = "Promise<Report>"
)]
pub fn check_scenario<'env>(
    env: &'env Env,
    scenario: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<PromiseRaw<'env, Value>> {
    let call = options::scenario_call(env, scenario, options);
    start(env, call, run)
}

/// Opens a session to `target` (a URL or a stdio command, as for `check`): the handshake,
/// after an OAuth token if one is configured. Resolves with a `Session` whose `runSteps()`
/// then runs the steps after the handshake (`tools/list`, and with `tool` the call and its
/// expectations) as often as wanted over that one session, until `close()`. What a load test
/// with reused sessions, or a test calling a tool again and again, needs.
///
/// Resolves also when the session cannot be opened: `session.opening.ok` is then `false` and
/// `session.opening.failure` says why. Rejects only for the caller's mistakes, like `check`;
/// `options.signal` aborts the opening. `waitUntilReady` and `matrix` do not apply.
///
/// ```js
/// const { open } = require('mcp-probe')
/// const session = await open({ command: 'python', args: ['server.py'] }, { tool: 'echo' })
/// const first = await session.runSteps()
/// const second = await session.runSteps()  // the same server process, the same session
/// await session.close()
/// ```
#[napi(
    ts_args_type = "target: string | StdioCommand, options?: CheckOptions | undefined | null",
    ts_return_type = "Promise<Session>"
)]
pub fn open<'env>(
    env: &'env Env,
    target: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<PromiseRaw<'env, Session>> {
    let call = options::check_call(env, target, options);
    start(env, call, session::open)
}

/// Starts `work` (a probe, or opening a session) on the Tokio runtime and returns its promise.
/// Every outcome, a caller's mistake included, settles the promise: nothing is thrown
/// synchronously. The caller's `AbortSignal` ends the work: dropping its future closes its
/// connections and stops a stdio server.
fn start<'env, T, W, F>(
    env: &'env Env,
    call: std::result::Result<Call<'env>, CallError>,
    work: W,
) -> Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    W: FnOnce(mcp_probe_core::Scenario) -> F + Send + 'static,
    F: Future<Output = std::result::Result<T, CallError>> + Send,
{
    let (scenario, abort) = match call {
        Err(e) => (Err(e), None),
        Ok(Call {
            scenario,
            signal: None,
        }) => (Ok(scenario), None),
        Ok(Call {
            scenario,
            signal: Some(signal),
        }) => match Abort::listen(env, &signal) {
            Ok(Some(abort)) => (Ok(scenario), Some(abort)),
            Ok(None) => (Err(CallError::Aborted), None),
            Err(_) => (
                Err(CallError::invalid(
                    mcp_probe_core::ErrorKind::InvalidOption,
                    "cannot listen to `signal`: it must be an AbortSignal",
                )),
                None,
            ),
        },
    };
    let fired = abort.as_ref().map(|a| Arc::clone(&a.fired));
    let probe = async move {
        Ok(match (scenario, fired) {
            (Err(e), _) => Err(e),
            (Ok(scenario), None) => work(scenario).await,
            (Ok(scenario), Some(fired)) => tokio::select! {
                biased;
                () = fired.notified() => Err(CallError::Aborted),
                outcome = work(scenario) => outcome,
            },
        })
    };
    env.spawn_future_with_callback(probe, move |env, outcome| {
        if let Some(abort) = abort {
            abort.release(env);
        }
        outcome.map_err(|e| errors::to_js(env, e))
    })
}

/// Runs the probe; its report as the JSON value JavaScript gets.
async fn run(scenario: mcp_probe_core::Scenario) -> std::result::Result<Value, CallError> {
    mcp_probe_core::check(&scenario)
        .await
        .map(|report| report::to_js(&report))
        .map_err(CallError::Engine)
}

/// An `abort` listener on the caller's `AbortSignal`, removed again when the probe settles.
struct Abort {
    fired: Arc<Notify>,
    // References that stay silent if the environment goes away before `release`.
    signal: ObjectRef<false>,
    listener: ObjectRef<false>,
}

impl Abort {
    /// Listens to `signal`; `None` when it has already been aborted.
    fn listen(env: &Env, signal: &Object<'_>) -> Result<Option<Abort>> {
        if signal.get_named_property::<bool>("aborted")? {
            return Ok(None);
        }
        let fired = Arc::new(Notify::new());
        let notify = Arc::clone(&fired);
        // `notify_one` stores a permit when nobody waits yet, so an abort between here and the
        // probe's first poll is not lost.
        let listener = env.create_function_from_closure::<Unknown, (), _>(
            "onAbort",
            move |_: FunctionCallContext| -> Result<()> {
                notify.notify_one();
                Ok(())
            },
        )?;
        let listener = listener.to_unknown();
        let mut once = Object::new(env)?;
        once.set("once", true)?;
        let add: Function<FnArgs<(&str, Unknown, Unknown)>, Unknown> =
            signal.get_named_property("addEventListener")?;
        add.apply(signal, (ABORT, listener, once.to_unknown()).into())?;
        Ok(Some(Abort {
            fired,
            signal: signal.create_ref()?,
            listener: listener.coerce_to_object()?.create_ref()?,
        }))
    }

    /// Removes the listener; best effort, the signal may be gone with its environment.
    fn release(self, env: &Env) {
        let removed = (|| -> Result<()> {
            let signal = self.signal.get_value(env)?;
            let listener = self.listener.get_value(env)?;
            let remove: Function<FnArgs<(&str, &Object)>, Unknown> =
                signal.get_named_property("removeEventListener")?;
            remove.apply(signal, (ABORT, &listener).into())?;
            Ok(())
        })();
        drop(removed);
        let _ = self.signal.unref(env);
        let _ = self.listener.unref(env);
    }
}

/// The event an `AbortSignal` dispatches.
const ABORT: &str = "abort";
