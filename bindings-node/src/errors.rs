//! Caller mistakes as JavaScript `Error` objects with a stable `code`.
//!
//! A failing server never ends up here: it is a report with `ok: false`. What does: the engine's
//! [`mcp_probe_core::Error`] (its `code()` becomes the error's `code`), options of the wrong type
//! found while converting them, and an aborted probe (`name: 'AbortError'`, `code: 'aborted'`).

use mcp_probe_core::ErrorKind;
use napi::bindgen_prelude::{JsError, JsObjectValue, JsValue, Object};
use napi::Env;
use napi_derive::napi;

/// The `code` of an `Error` that `check`, `checkScenario`, `open` or `Session.runSteps`
/// rejects with.
#[napi(string_enum = "snake_case")]
pub enum ErrorCode {
    /// The URL does not parse or is not http/https, none was given, or the target is neither a
    /// URL nor a command.
    InvalidUrl,
    /// A header name or value is not valid HTTP.
    InvalidHeader,
    /// A credential could not be read: a bearer token or OAuth client secret whose
    /// environment variable is unset or whose file is unreadable or empty.
    Credential,
    /// The scenario document is invalid (bad JSON/YAML, unknown step or key, missing field) or
    /// its file cannot be read.
    InvalidScenario,
    /// An option has the wrong type or is out of range, is unknown, is missing what it needs
    /// (`expectText` without `tool`, `clientCert` without `clientKey`…), conflicts with
    /// another (`oauthClientId` with `bearerEnv`…), or does not apply to a command target.
    InvalidOption,
    /// The HTTP client could not be set up (TLS configuration: `caCert`, `clientCert` or
    /// `clientKey` unreadable or not valid PEM).
    Setup,
    /// The probe was cancelled through its `signal` (the error's `name` is `AbortError`).
    Aborted,
    /// `Session.runSteps()` on a session that was closed, or that never opened.
    SessionClosed,
}

/// Why a call produced no report.
#[derive(Debug)]
pub(crate) enum CallError {
    /// A mistake the engine found.
    Engine(mcp_probe_core::Error),
    /// A mistake found while reading the JavaScript arguments, classified like the engine's.
    Invalid(ErrorKind, String),
    /// The caller's `AbortSignal` fired.
    Aborted,
    /// A session closed, or never opened, was asked to run.
    Closed,
}

impl CallError {
    /// A mistake of `kind` found by the binding.
    pub(crate) fn invalid(kind: ErrorKind, message: impl Into<String>) -> Self {
        CallError::Invalid(kind, message.into())
    }

    /// The stable code (`invalid_url`, …, `aborted`).
    pub(crate) fn code(&self) -> &'static str {
        match self {
            CallError::Engine(e) => e.code(),
            CallError::Invalid(kind, _) => kind.as_str(),
            CallError::Aborted => "aborted",
            CallError::Closed => "session_closed",
        }
    }

    fn message(&self) -> String {
        match self {
            CallError::Engine(e) => e.to_string(),
            CallError::Invalid(_, message) => message.clone(),
            CallError::Aborted => "the probe was aborted".to_owned(),
            CallError::Closed => {
                "the session is closed, or never opened (see its `opening` report): open another"
                    .to_owned()
            }
        }
    }
}

/// napi makes the status of an error its JavaScript `code`; this status is our code.
struct Code(&'static str);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// The JavaScript `Error` for `error`, ready to reject a promise with: `message` is the human
/// sentence, `code` the stable code, and an abort is named `AbortError`.
pub(crate) fn to_js(env: &Env, error: CallError) -> napi::Error {
    let js =
        JsError::from(napi::Error::new(Code(error.code()), error.message())).into_unknown(*env);
    if matches!(error, CallError::Aborted) {
        let mut object = Object::from_raw(js.value().env, js.raw());
        // Best effort: without the name the error still carries `code: 'aborted'`.
        let _ = object.set_named_property("name", "AbortError");
    }
    // An error made from a JavaScript value rejects the promise with that very value.
    napi::Error::from(js)
}
