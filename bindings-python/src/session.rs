//! Sessions ([`mcp_probe_core::Prober::open`]): `open` and `open_async` do the handshake once;
//! the `Session` they give runs the steps after it again and again over that one session.
//!
//! A session lives on the shared multi-thread runtime (its connections, or its stdio server's
//! pipes, are that runtime's), whichever Python thread or event loop uses it: blocking calls
//! drive it from the calling thread with the GIL released, asyncio calls on the runtime. The
//! runtime's threads touch Python only in the hand-over of a result ([`Opened`],
//! [`Outcome`]), as `check_async` does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mcp_probe_core::{OpenSession, Scenario};
use pyo3::prelude::*;
use pyo3_async_runtimes::generic;
use tokio::sync::Mutex;

use crate::{convert, engine, errors, prober, until_signal, Outcome, ProbeRuntime, Raise};

/// What a session could not do, before Python sees it as an exception.
enum Refusal {
    /// A caller's mistake the engine found.
    Engine(mcp_probe_core::Error),
    /// The session is closed, or never opened.
    Closed,
}

impl Raise for Refusal {
    fn raise(self) -> PyErr {
        match self {
            Refusal::Engine(e) => errors::from_core(e),
            Refusal::Closed => errors::session_closed(),
        }
    }
}

/// An MCP session opened by ``open``: its ``opening`` report (JSON text), ``run_steps`` to
/// run the steps after the handshake once more, ``close`` to end it.
#[pyclass(module = "mcp_probe._native", name = "Session", frozen)]
pub(crate) struct Session {
    /// The process that opened it: a forked child has none of its connections.
    pid: u32,
    opening: String,
    held: Arc<Held>,
}

/// What the calls of a session share.
struct Held {
    /// `None` once closed, and when the opening failed.
    session: Mutex<Option<OpenSession>>,
    usable: AtomicBool,
}

impl Session {
    fn new(opened: Result<OpenSession, mcp_probe_core::Report>) -> Session {
        let (session, opening) = match opened {
            Ok(session) => {
                let opening = convert::report_to_json(session.opening());
                (Some(session), opening)
            }
            Err(report) => (None, convert::report_to_json(&report)),
        };
        Session {
            pid: std::process::id(),
            held: Arc::new(Held {
                usable: AtomicBool::new(session.is_some()),
                session: Mutex::new(session),
            }),
            opening,
        }
    }

    /// The session's parts, for a call from this process; in a forked child, an error.
    fn held(&self) -> PyResult<Arc<Held>> {
        if self.pid != std::process::id() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(
                "mcp_probe: this session was opened before fork(); open another in this process",
            ));
        }
        Ok(Arc::clone(&self.held))
    }
}

/// Runs the steps once more; the report's JSON.
async fn run(held: Arc<Held>) -> Result<String, Refusal> {
    let mut session = held.session.lock().await;
    let Some(open) = session.as_mut() else {
        return Err(Refusal::Closed);
    };
    // Unknown until the run ends: a run stopped half-way (a signal, a cancelled task) may
    // leave the session in any state.
    held.usable.store(false, Ordering::Release);
    let report = open.run_steps().await.map_err(Refusal::Engine)?;
    held.usable.store(open.is_usable(), Ordering::Release);
    Ok(convert::report_to_json(&report))
}

/// Ends the session; how, as the report's `session.closed` says it.
async fn close(held: Arc<Held>) -> Option<String> {
    let open = held.session.lock().await.take();
    held.usable.store(false, Ordering::Release);
    match open {
        Some(open) => open.close().await.map(|how| how.as_str().to_owned()),
        None => None,
    }
}

#[pymethods]
impl Session {
    /// The report of opening the session (JSON text): the handshake, and an ``auth`` check
    /// before it if asked for.
    #[getter]
    fn opening(&self) -> &str {
        &self.opening
    }

    /// Whether ``run_steps`` can be used: opened, not closed, and the last run passed or
    /// failed only by a tool's error or an expectation.
    #[getter]
    fn usable(&self) -> bool {
        self.held.usable.load(Ordering::Acquire)
    }

    /// Runs the steps after the handshake once more (blocking, the GIL released); the
    /// report's JSON text. A pending signal (Ctrl-C) stops the run and is raised.
    fn run_steps(&self, py: Python<'_>) -> PyResult<String> {
        let held = self.held()?;
        let engine = engine()?;
        py.detach(|| engine.handle.block_on(until_signal(run(held))))?
            .map_err(Refusal::raise)
    }

    /// ``run_steps`` on the shared runtime: an awaitable of the report's JSON text.
    fn run_steps_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let held = self.held()?;
        engine()?;
        generic::future_into_py::<ProbeRuntime, _, _>(
            py,
            async move { Ok(Outcome(run(held).await)) },
        )
    }

    /// Ends the session (blocking); how, or ``None`` when there was nothing to end.
    fn close(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let held = self.held()?;
        let engine = engine()?;
        py.detach(|| engine.handle.block_on(until_signal(close(held))))
    }

    /// ``close`` on the shared runtime: an awaitable of how, or ``None``.
    fn close_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let held = self.held()?;
        engine()?;
        generic::future_into_py::<ProbeRuntime, _, _>(py, async move { Ok(close(held).await) })
    }
}

/// Opens a session for the scenario (JSON text), blocking with the GIL released: a
/// ``Session``, also when the opening failed (its ``opening`` report says why).
#[pyfunction]
pub(crate) fn open(py: Python<'_>, scenario: &str) -> PyResult<Session> {
    let scenario = convert::scenario_from_json(scenario)?;
    let engine = engine()?;
    let prober = prober()?;
    let opened = py.detach(|| {
        engine
            .handle
            .block_on(until_signal(open_on(prober, scenario)))
    })?;
    opened.map_err(errors::from_core)
}

/// ``open`` on the shared runtime: an awaitable of the ``Session``.
#[pyfunction]
pub(crate) fn open_async<'py>(py: Python<'py>, scenario: &str) -> PyResult<Bound<'py, PyAny>> {
    let scenario = convert::scenario_from_json(scenario)?;
    engine()?;
    let prober = prober()?;
    generic::future_into_py::<ProbeRuntime, _, _>(py, async move {
        Ok(Opened(open_on(prober, scenario).await))
    })
}

async fn open_on(
    prober: mcp_probe_core::Prober,
    scenario: Scenario,
) -> Result<Session, mcp_probe_core::Error> {
    Ok(Session::new(prober.open(&scenario).await?))
}

/// An opened session as it leaves the runtime (see [`crate::Outcome`]).
struct Opened(Result<Session, mcp_probe_core::Error>);

impl<'py> IntoPyObject<'py> for Opened {
    type Target = Session;
    type Output = Bound<'py, Session>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, Session>> {
        match self.0 {
            Ok(session) => Bound::new(py, session),
            Err(e) => Err(errors::from_core(e)),
        }
    }
}
