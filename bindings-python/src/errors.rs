//! The exception hierarchy, and the engine's errors mapped onto it.
//!
//! Exceptions are only for the caller's mistakes; a failing server is a report with
//! `ok == False`. Every exception carries the engine's stable `code` (`ErrorKind::as_str`).

use mcp_probe_core::{Error, ErrorKind};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::{create_exception, intern, PyTypeInfo};

create_exception!(
    mcp_probe,
    McpProbeError,
    PyException,
    "Base class of mcp_probe's exceptions: the probe could not start because of the caller.\n\n\
     ``code`` is a stable snake_case name (``invalid_url``, ``invalid_header``, ``credential``,\n\
     ``invalid_option``, ``invalid_scenario``, ``setup``). A failing server never raises: it is\n\
     a report with ``ok == False``."
);
create_exception!(
    mcp_probe,
    ConfigError,
    McpProbeError,
    "Invalid configuration: a bad URL (``invalid_url``), header (``invalid_header``), unreadable\n\
     credential (``credential``), an option out of range or of the wrong type\n\
     (``invalid_option``), or an HTTP client that cannot be set up (``setup``)."
);
create_exception!(
    mcp_probe,
    ScenarioError,
    McpProbeError,
    "An invalid scenario document or file (``invalid_scenario``): bad JSON/YAML, an unknown step\n\
     or field, a missing tool name."
);

/// Adds the exception classes to the module, each with a class-level default `code`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    for (class, code) in [
        (py.get_type::<McpProbeError>(), "error"),
        (
            py.get_type::<ConfigError>(),
            ErrorKind::InvalidOption.as_str(),
        ),
        (
            py.get_type::<ScenarioError>(),
            ErrorKind::InvalidScenario.as_str(),
        ),
    ] {
        class.setattr(intern!(py, "code"), code)?;
        m.add(class.name()?, class)?;
    }
    Ok(())
}

/// An exception of class `T` with `message` whose `code` attribute is `code`.
fn with_code<T: PyTypeInfo>(code: &str, message: String) -> PyErr {
    Python::attach(|py| {
        let err = PyErr::new::<T, _>(message);
        // Setting an attribute on a fresh exception instance cannot fail in practice; if it
        // did, the class-level default code would still be there.
        let _ = err.value(py).setattr(intern!(py, "code"), code);
        err
    })
}

/// Maps an engine error onto the hierarchy.
pub(crate) fn from_core(e: Error) -> PyErr {
    from_kind(e.kind(), e.to_string())
}

/// The exception for a mistake of `kind`.
pub(crate) fn from_kind(kind: ErrorKind, message: String) -> PyErr {
    let code = kind.as_str();
    match kind {
        ErrorKind::InvalidScenario => with_code::<ScenarioError>(code, message),
        ErrorKind::InvalidUrl
        | ErrorKind::InvalidHeader
        | ErrorKind::Credential
        | ErrorKind::InvalidOption
        | ErrorKind::Setup => with_code::<ConfigError>(code, message),
        _ => with_code::<McpProbeError>(code, message),
    }
}

/// The exception for a run of a session that is closed, or never opened.
pub(crate) fn session_closed() -> PyErr {
    with_code::<McpProbeError>(
        "session_closed",
        "the session is closed, or never opened (see its `opening` report): open another"
            .to_owned(),
    )
}
