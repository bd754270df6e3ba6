//! `mcp_probe._native`: the native half of the `mcp_probe` Python package.
//!
//! It converts and runs; all probing logic is the engine's (`mcp-probe-core`). Scenarios cross
//! in as JSON documents, reports cross out as JSON text of the engine's report model, which the
//! Python layer wraps in typed objects.
//!
//! One tokio runtime and one [`Prober`] (so one connection pool) serve the whole process; they
//! are created on first use and again in a child after `fork()`, whose copy of the parent's
//! runtime has no threads.

mod convert;
mod errors;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use mcp_probe_core::{Prober, Scenario};
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{self, ContextExt, JoinError, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;

use crate::convert::ScenarioOptions;

/// How often a blocking `check` looks for a pending signal (Ctrl-C) while it waits.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// The process's runtime and prober, tagged with the process that made them.
struct Engine {
    pid: u32,
    runtime: tokio::runtime::Runtime,
    prober: Prober,
}

static ENGINE: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

/// The engine of this process, created on first use (and anew in a forked child).
fn engine() -> PyResult<Arc<Engine>> {
    let pid = std::process::id();
    let mut slot = ENGINE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(engine) = slot.as_ref() {
        if engine.pid == pid {
            return Ok(Arc::clone(engine));
        }
    }
    // In a forked child the parent's runtime threads do not exist: dropping the runtime would
    // wait for them, so its memory is leaked instead (once per fork).
    if let Some(stale) = slot.take() {
        std::mem::forget(stale);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("mcp-probe")
        .build()
        .map_err(|e| {
            pyo3::exceptions::PyRuntimeError::new_err(format!(
                "mcp_probe: cannot start the async runtime: {e}"
            ))
        })?;
    let engine = Arc::new(Engine {
        pid,
        runtime,
        prober: Prober::new(),
    });
    *slot = Some(Arc::clone(&engine));
    Ok(engine)
}

/// The runtime handle for pyo3-async-runtimes' spawns, which cannot report errors.
fn handle() -> tokio::runtime::Handle {
    match engine() {
        Ok(engine) => engine.runtime.handle().clone(),
        // `check_async` made the engine before anything is spawned, so this only happens if
        // the process forked in between and the child cannot start threads.
        Err(e) => panic!("{e}"),
    }
}

/// pyo3-async-runtimes' bridge onto this module's fork-aware runtime.
struct ProbeRuntime;

/// A spawned task's failure, as pyo3-async-runtimes wants to see it.
struct TaskError(tokio::task::JoinError);

impl JoinError for TaskError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

/// A spawned task, as pyo3-async-runtimes wants to await it.
struct TaskHandle(tokio::task::JoinHandle<()>);

impl Future for TaskHandle {
    type Output = Result<(), TaskError>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map_err(TaskError)
    }
}

tokio::task_local! {
    static TASK_LOCALS: TaskLocals;
}

impl GenericRuntime for ProbeRuntime {
    type JoinError = TaskError;
    type JoinHandle = TaskHandle;

    fn spawn<F>(fut: F) -> TaskHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        TaskHandle(handle().spawn(fut))
    }

    fn spawn_blocking<F>(f: F) -> TaskHandle
    where
        F: FnOnce() + Send + 'static,
    {
        TaskHandle(handle().spawn_blocking(f))
    }
}

impl ContextExt for ProbeRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        Box::pin(TASK_LOCALS.scope(locals, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS.try_with(TaskLocals::clone).ok()
    }
}

/// Builds a scenario document (JSON text) the way `mcp-probe check` builds one from its flags:
/// the base document or file, then the target and every given option on top. Validates it.
///
/// Raises ConfigError or ScenarioError (with ``code``) for invalid input.
#[pyfunction]
#[pyo3(signature = (
    url=None, *, document=None, path=None, command=None, env=None, cwd=None, transport=None,
    tool=None, arguments=None, expect_text=None, expect_contains=None, allow_tool_error=false,
    headers=None, bearer_env=None, bearer_file=None, oauth_client_id=None,
    oauth_client_secret_env=None, oauth_client_secret_file=None, oauth_method=None,
    oauth_scope=None, oauth_token_url=None, ca_cert=None, client_cert=None, client_key=None,
    insecure=false, cert_warn_days=None, cert_fail_days=None, follow_redirects=None,
    timeout=None, connect_timeout=None, request_timeout=None, protocol=None,
    protocol_version=None, max_body_bytes=None, max_sse_event_bytes=None, max_pages=None,
    check_auth=false,
))]
#[allow(clippy::too_many_arguments)]
fn build_scenario(
    url: Option<String>,
    document: Option<String>,
    path: Option<PathBuf>,
    command: Option<Vec<String>>,
    env: Option<Vec<(String, String)>>,
    cwd: Option<PathBuf>,
    transport: Option<String>,
    tool: Option<String>,
    arguments: Option<String>,
    expect_text: Option<String>,
    expect_contains: Option<String>,
    allow_tool_error: bool,
    headers: Option<Vec<(String, String)>>,
    bearer_env: Option<String>,
    bearer_file: Option<PathBuf>,
    oauth_client_id: Option<String>,
    oauth_client_secret_env: Option<String>,
    oauth_client_secret_file: Option<PathBuf>,
    oauth_method: Option<String>,
    oauth_scope: Option<String>,
    oauth_token_url: Option<String>,
    ca_cert: Option<PathBuf>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    insecure: bool,
    cert_warn_days: Option<u32>,
    cert_fail_days: Option<u32>,
    follow_redirects: Option<String>,
    timeout: Option<f64>,
    connect_timeout: Option<f64>,
    request_timeout: Option<f64>,
    protocol: Option<String>,
    protocol_version: Option<String>,
    max_body_bytes: Option<u64>,
    max_sse_event_bytes: Option<u64>,
    max_pages: Option<u32>,
    check_auth: bool,
) -> PyResult<String> {
    let scenario = convert::scenario(ScenarioOptions {
        url,
        document,
        path,
        command,
        env,
        cwd,
        transport,
        tool,
        arguments,
        expect_text,
        expect_contains,
        allow_tool_error,
        headers: headers.unwrap_or_default(),
        bearer_env,
        bearer_file,
        oauth_client_id,
        oauth_client_secret_env,
        oauth_client_secret_file,
        oauth_method,
        oauth_scope,
        oauth_token_url,
        ca_cert,
        client_cert,
        client_key,
        insecure,
        cert_warn_days,
        cert_fail_days,
        follow_redirects,
        timeout,
        connect_timeout,
        request_timeout,
        protocol,
        protocol_version,
        max_body_bytes,
        max_sse_event_bytes,
        max_pages,
        check_auth,
    })?;
    Ok(convert::scenario_to_json(&scenario))
}

/// Runs the scenario (a JSON document) and returns the report as JSON text.
///
/// Blocks with the GIL released; a pending signal (Ctrl-C) stops the probe and is raised.
#[pyfunction]
fn check(py: Python<'_>, scenario: &str) -> PyResult<String> {
    let scenario = convert::scenario_from_json(scenario)?;
    let engine = engine()?;
    py.detach(|| {
        let prober = engine.prober.clone();
        let mut task = engine
            .runtime
            .spawn(async move { prober.check(&scenario).await });
        engine.runtime.block_on(async {
            // Bounded: the probe ends by its own total timeout.
            loop {
                tokio::select! {
                    joined = &mut task => return finish(joined),
                    () = tokio::time::sleep(SIGNAL_POLL) => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            task.abort();
                            return Err(e);
                        }
                    }
                }
            }
        })
    })
}

/// The report's JSON, the engine's error, or the task's panic as a Python exception.
fn finish(
    joined: Result<Result<mcp_probe_core::Report, mcp_probe_core::Error>, tokio::task::JoinError>,
) -> PyResult<String> {
    match joined {
        Ok(Ok(report)) => Ok(convert::report_to_json(&report)),
        Ok(Err(e)) => Err(errors::from_core(e)),
        Err(e) => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
            "mcp_probe: the probe task failed: {e}"
        ))),
    }
}

/// Runs the scenario (a JSON document) on the shared runtime; returns an awaitable of the
/// report's JSON text. Cancelling the awaitable stops the probe (its connections are dropped).
#[pyfunction]
fn check_async<'py>(py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyAny>> {
    let scenario = convert::scenario_from_json(scenario)?;
    let prober = engine()?.prober.clone();
    generic::future_into_py::<ProbeRuntime, _, _>(py, async move { run(&prober, &scenario).await })
}

/// One probe with the engine's error mapped onto the exception hierarchy.
async fn run(prober: &Prober, scenario: &Scenario) -> PyResult<String> {
    match prober.check(scenario).await {
        Ok(report) => Ok(convert::report_to_json(&report)),
        Err(e) => Err(errors::from_core(e)),
    }
}

/// The native module: scenario building, blocking and asyncio checks, the exceptions.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "REPORT_SCHEMA_VERSION",
        mcp_probe_core::REPORT_SCHEMA_VERSION,
    )?;
    m.add_function(wrap_pyfunction!(build_scenario, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(check_async, m)?)?;
    errors::register(m)
}
