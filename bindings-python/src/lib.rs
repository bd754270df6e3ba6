//! `mcp_probe._native`: the native half of the `mcp_probe` Python package.
//!
//! It converts and runs; all probing logic is the engine's (`mcp-probe-core`). Scenarios cross
//! in as JSON documents, reports cross out as JSON text of the engine's report model, which the
//! Python layer wraps in typed objects.
//!
//! One [`Prober`] serves the whole process, and one multi-thread tokio runtime its
//! `check_async` calls; each is created on first use (the runtime only by the first
//! `check_async`) and again in a child after `fork()`, whose copy of the parent's runtime has
//! no threads. A blocking `check` runs on a current-thread runtime of the calling thread
//! instead (`LocalRuntime`), so a process that only calls it starts no thread.
//!
//! The runtime's threads must be out of the interpreter before it finalizes: a thread that
//! holds or waits for the GIL while `Py_FinalizeEx` runs is killed or resumes on freed thread
//! states (a segfault, or "Fatal Python error: PyGILState_Release"). So the runtime's threads
//! touch Python only inside `PythonCalls::run` (pyo3-async-runtimes' hand-over of a result to
//! the event loop, with the conversion of that result), and an `atexit` hook registered at
//! import closes that door, waits for the calls inside, and shuts the runtime down before
//! finalization starts. Python objects the runtime's threads drop outside it (a cancelled
//! task's future and event loop references) go to pyo3's deferred-decref pool, which touches
//! no interpreter state.

mod convert;
mod errors;
mod session;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use mcp_probe_core::Prober;
use pyo3::prelude::*;
use pyo3::types::PyString;
use pyo3_async_runtimes::generic::{self, ContextExt, JoinError, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;

/// How often a blocking `check` looks for a pending signal (Ctrl-C) while it waits.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// How long interpreter exit waits for the runtime's threads to stop once the tasks are
/// cancelled. Only a blocking system call (a DNS lookup, a file read) can outlast it; such a
/// thread never enters Python again, so exit does not wait for it.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);

/// The process's runtime handle, tagged with the process that made it.
struct Engine {
    pid: u32,
    handle: tokio::runtime::Handle,
    python: PythonCalls,
}

/// The runtime, from first use until interpreter exit.
enum State {
    /// Nothing started in this process yet.
    Idle,
    /// Running; the engine is shared, the runtime is owned here so that exit can shut it down.
    Running {
        engine: Arc<Engine>,
        runtime: tokio::runtime::Runtime,
    },
    /// Shut down at interpreter exit of process `pid`. The engine (if one was started) stays
    /// for late spawns: its handle drops what is spawned on it without running it.
    Closed {
        pid: u32,
        engine: Option<Arc<Engine>>,
    },
}

static STATE: Mutex<State> = Mutex::new(State::Idle);

/// The process's prober (its TLS configurations, schema verdicts and OAuth tokens), shared by
/// blocking and asyncio checks, tagged with the process that made it.
static PROBER: Mutex<Option<(u32, Prober)>> = Mutex::new(None);

/// A lock that a panicking holder did not leave unusable (the data is consistent between
/// statements).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The error for a check started after the runtime was shut down at interpreter exit.
fn shut_down() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(
        "mcp_probe: the runtime has been shut down because the interpreter is exiting; \
         no more checks can run in this process",
    )
}

/// The prober of this process, made on first use (and anew in a forked child, where the
/// parent's copy is leaked, as its runtime is); an error once the interpreter is exiting.
fn prober() -> PyResult<Prober> {
    let pid = std::process::id();
    if matches!(&*lock(&STATE), State::Closed { pid: closed, .. } if *closed == pid) {
        return Err(shut_down());
    }
    let mut kept = lock(&PROBER);
    match &*kept {
        Some((made_by, prober)) if *made_by == pid => Ok(prober.clone()),
        _ => {
            let prober = Prober::new();
            std::mem::forget(kept.replace((pid, prober.clone())));
            Ok(prober)
        }
    }
}

/// The engine of this process, created on first use (and anew in a forked child); an error
/// once it has been shut down at interpreter exit.
fn engine() -> PyResult<Arc<Engine>> {
    let pid = std::process::id();
    let mut state = lock(&STATE);
    match &*state {
        State::Running { engine, .. } if engine.pid == pid => return Ok(Arc::clone(engine)),
        State::Closed { pid: closed, .. } if *closed == pid => return Err(shut_down()),
        _ => {}
    }
    // In a forked child the parent's runtime threads do not exist: dropping the runtime would
    // wait for them, so its memory is leaked instead (once per fork).
    std::mem::forget(std::mem::replace(&mut *state, State::Idle));
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
        handle: runtime.handle().clone(),
        python: PythonCalls::default(),
    });
    *state = State::Running {
        engine: Arc::clone(&engine),
        runtime,
    };
    Ok(engine)
}

/// The engine that pyo3-async-runtimes' spawns go to (they cannot report errors): the running
/// one, or after interpreter exit the shut-down one, which drops what is spawned on it.
fn spawn_target() -> Arc<Engine> {
    let pid = std::process::id();
    if let State::Running { engine, .. }
    | State::Closed {
        engine: Some(engine),
        ..
    } = &*lock(&STATE)
    {
        if engine.pid == pid {
            return Arc::clone(engine);
        }
    }
    match engine() {
        Ok(engine) => engine,
        // `check_async` made the engine (with the GIL held) before anything is spawned, so
        // this only happens if the child of a fork in between cannot start threads.
        Err(e) => panic!("{e}"),
    }
}

/// Shuts the runtime down before the interpreter finalizes (an `atexit` hook, registered when
/// the module is imported, so it runs after the hooks of code that imports `mcp_probe`).
///
/// No new call into Python from the runtime's threads starts after this; the ones under way are
/// waited for (with the GIL released, which they need), then the tasks are cancelled and the
/// threads joined. Later `check` and `check_async` calls raise RuntimeError.
#[pyfunction]
#[pyo3(name = "_shutdown_at_exit")]
fn shutdown_at_exit(py: Python<'_>) {
    let pid = std::process::id();
    let mut state = lock(&STATE);
    match std::mem::replace(&mut *state, State::Closed { pid, engine: None }) {
        State::Running { engine, runtime } if engine.pid == pid => {
            *state = State::Closed {
                pid,
                engine: Some(Arc::clone(&engine)),
            };
            drop(state);
            py.detach(move || {
                engine.python.close_and_wait();
                runtime.shutdown_timeout(SHUTDOWN_TIMEOUT);
            });
        }
        State::Closed {
            pid: closed,
            engine,
        } if closed == pid => {
            *state = State::Closed { pid, engine };
        }
        // Nothing was started in this process: a forked child's copy of its parent's runtime
        // is leaked, as `engine` does.
        stale => std::mem::forget(stale),
    }
}

/// The calls into Python made on the runtime's threads: how many are under way, and whether
/// new ones may start (not once the interpreter is exiting).
#[derive(Default)]
struct PythonCalls {
    state: Mutex<Calls>,
    idle: Condvar,
}

#[derive(Default)]
struct Calls {
    closed: bool,
    running: usize,
}

impl PythonCalls {
    /// Runs `f`, which may attach to the interpreter, unless exit has closed the door; then
    /// `f` is dropped unrun (its Python references go to pyo3's deferred-decref pool).
    fn run(&self, f: impl FnOnce()) {
        {
            let mut calls = lock(&self.state);
            if calls.closed {
                return;
            }
            calls.running += 1;
        }
        // Counted out even if `f` panics; by then it has detached from the interpreter.
        let _running = Running(self);
        f();
    }

    /// Lets no new call start and waits for the ones under way. The caller must not hold the
    /// GIL: they need it to finish.
    fn close_and_wait(&self) {
        let mut calls = lock(&self.state);
        calls.closed = true;
        while calls.running > 0 {
            calls = self
                .idle
                .wait(calls)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// One call under way in [`PythonCalls::run`].
struct Running<'a>(&'a PythonCalls);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut calls = lock(&self.0.state);
        calls.running -= 1;
        if calls.running == 0 {
            self.0.idle.notify_all();
        }
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
        TaskHandle(spawn_target().handle.spawn(fut))
    }

    /// pyo3-async-runtimes spawns blocking closures only to attach to the interpreter and hand
    /// a result to the event loop: each runs inside [`PythonCalls::run`].
    fn spawn_blocking<F>(f: F) -> TaskHandle
    where
        F: FnOnce() + Send + 'static,
    {
        let engine = spawn_target();
        let handle = engine.handle.clone();
        TaskHandle(handle.spawn_blocking(move || engine.python.run(f)))
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

/// Builds a scenario document (JSON text) from the engine's options document (JSON text of
/// an object with the canonical camelCase names, the same model and rules as the flags of
/// `mcp-probe check`), on top of `document` (a scenario as JSON text) if given. Validates it.
///
/// Raises ConfigError or ScenarioError (with ``code``) for invalid input.
#[pyfunction]
#[pyo3(signature = (options, document=None))]
fn build_scenario(options: &str, document: Option<&str>) -> PyResult<String> {
    let scenario = convert::scenario(options, document)?;
    Ok(convert::scenario_to_json(&scenario))
}

/// Runs the scenario (a JSON document) and returns the report as JSON text.
///
/// Blocks with the GIL released; a pending signal (Ctrl-C) stops the probe and is raised.
/// The probe runs on this thread (see [`LocalRuntime`]): a blocking call waits on loopback
/// round trips, not on wake-ups handed between threads.
#[pyfunction]
fn check(py: Python<'_>, scenario: &str) -> PyResult<String> {
    let scenario = convert::scenario_from_json(scenario)?;
    let prober = prober()?;
    py.detach(|| {
        LocalRuntime::with(|runtime| {
            let probe = runtime.block_on(until_signal(prober.check(&scenario)));
            settle(runtime);
            probe?
                .map_err(errors::from_core)
                .map(|r| convert::report_to_json(&r))
        })
    })
}

/// Runs `work` to its end, looking for a pending signal (Ctrl-C) every [`SIGNAL_POLL`]: a
/// signal drops `work` (which stops it: its connections close) and is raised. For blocking
/// calls, on a thread that is not one of a runtime's; it attaches to the interpreter only to
/// look for signals.
async fn until_signal<T>(work: impl Future<Output = T>) -> PyResult<T> {
    tokio::pin!(work);
    // Not `interval`: its first tick, due at once, would still wait for the timer's next
    // millisecond.
    let start = tokio::time::Instant::now() + SIGNAL_POLL;
    let mut poll = tokio::time::interval_at(start, SIGNAL_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            done = &mut work => break Ok(done),
            _ = poll.tick() => Python::attach(|py| py.check_signals())?,
        }
    }
}

/// A blocking `check`'s runtime: one current-thread runtime per Python thread, made on its
/// first check (and anew in a child after `fork()`, whose copy shares the parent's epoll
/// instance and is leaked, not dropped). The probe and its connections run on the calling
/// thread, so each answer wakes the thread that waits for it, with no hand-over between
/// threads (on a two-core machine about a third of a sequential check's time).
struct LocalRuntime {
    pid: u32,
    /// `None` only while a check uses it, or once dropped.
    runtime: Option<tokio::runtime::Runtime>,
}

/// Most passes [`settle`] gives finished probes' connections to close.
const SETTLE_PASSES: usize = 4;

thread_local! {
    static LOCAL_RUNTIME: std::cell::RefCell<Option<LocalRuntime>> =
        const { std::cell::RefCell::new(None) };
}

impl Drop for LocalRuntime {
    /// When the thread ends: the runtime's tasks are dropped without waiting for blocking
    /// work still running (a DNS lookup that a timed-out probe left behind).
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl LocalRuntime {
    /// Runs `f` with this thread's runtime. A panic in `f` (a bug in the engine) becomes a
    /// `RuntimeError`, and the runtime it left is shut down.
    fn with(f: impl FnOnce(&tokio::runtime::Runtime) -> PyResult<String>) -> PyResult<String> {
        let pid = std::process::id();
        let kept = match LOCAL_RUNTIME.with(|cell| cell.borrow_mut().take()) {
            Some(mut local) if local.pid == pid => local.runtime.take(),
            forked => {
                std::mem::forget(forked);
                None
            }
        };
        let runtime = match kept {
            Some(runtime) => runtime,
            None => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    pyo3::exceptions::PyRuntimeError::new_err(format!(
                        "mcp_probe: cannot start the async runtime: {e}"
                    ))
                })?,
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&runtime))) {
            Ok(answer) => {
                let local = LocalRuntime {
                    pid,
                    runtime: Some(runtime),
                };
                LOCAL_RUNTIME.with(|cell| *cell.borrow_mut() = Some(local));
                answer
            }
            Err(panic) => {
                runtime.shutdown_background();
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "mcp_probe: the probe task failed: {what}"
                )))
            }
        }
    }
}

/// Lets the tasks a finished probe left on `runtime` (its connections, told to close when the
/// probe dropped its client) run to their end, so that no idle connection stays open until
/// this thread's next check. Bounded: a task still alive after a few passes waits for then.
fn settle(runtime: &tokio::runtime::Runtime) {
    for _ in 0..SETTLE_PASSES {
        if runtime.metrics().num_alive_tasks() == 0 {
            return;
        }
        runtime.block_on(tokio::task::yield_now());
    }
}

/// Runs the scenario (a JSON document) on the shared runtime; returns an awaitable of the
/// report's JSON text. Cancelling the awaitable stops the probe (its connections are dropped).
#[pyfunction]
fn check_async<'py>(py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyAny>> {
    let scenario = convert::scenario_from_json(scenario)?;
    engine()?;
    let prober = prober()?;
    generic::future_into_py::<ProbeRuntime, _, _>(py, async move {
        let report = prober.check(&scenario).await;
        Ok(Outcome(
            report.map(|report| convert::report_to_json(&report)),
        ))
    })
}

/// A probe's result (the report's JSON) as it leaves the runtime. It becomes a Python object
/// (a str, or the error as an exception) only in pyo3-async-runtimes' hand-over to the event
/// loop, inside [`PythonCalls::run`], so that the runtime's threads attach nowhere else.
struct Outcome<E = mcp_probe_core::Error>(Result<String, E>);

/// An error that becomes its exception only in a hand-over to Python (see [`Outcome`]).
trait Raise {
    fn raise(self) -> PyErr;
}

impl Raise for mcp_probe_core::Error {
    fn raise(self) -> PyErr {
        errors::from_core(self)
    }
}

impl<'py, E: Raise> IntoPyObject<'py> for Outcome<E> {
    type Target = PyString;
    type Output = Bound<'py, PyString>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        match self.0 {
            Ok(json) => Ok(PyString::new(py, &json)),
            Err(e) => Err(e.raise()),
        }
    }
}

/// The native module: scenario building, blocking and asyncio checks and sessions, the
/// exceptions.
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
    m.add_function(wrap_pyfunction!(session::open, m)?)?;
    m.add_function(wrap_pyfunction!(session::open_async, m)?)?;
    m.add_class::<session::Session>()?;
    errors::register(m)?;
    // Not a module attribute: only `atexit` calls it.
    m.py()
        .import("atexit")?
        .call_method1("register", (wrap_pyfunction!(shutdown_at_exit, m)?,))?;
    Ok(())
}
