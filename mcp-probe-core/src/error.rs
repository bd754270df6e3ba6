//! Errors for the caller's mistakes. A failing server is never an error: it is a [`crate::Report`].

/// What kind of mistake the caller made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URL does not parse or is not http/https.
    InvalidUrl,
    /// A header name or value is not valid HTTP.
    InvalidHeader,
    /// A credential could not be read (environment variable unset, file unreadable or empty).
    Credential,
    /// The scenario document or builder is invalid (bad JSON/YAML, unknown step, missing field).
    InvalidScenario,
    /// An option is out of range (zero timeout, zero size limit…).
    InvalidOption,
    /// The HTTP client could not be set up (TLS configuration).
    Setup,
}

impl ErrorKind {
    /// A stable `snake_case` name, used as the `code` of binding exceptions.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidUrl => "invalid_url",
            ErrorKind::InvalidHeader => "invalid_header",
            ErrorKind::Credential => "credential",
            ErrorKind::InvalidScenario => "invalid_scenario",
            ErrorKind::InvalidOption => "invalid_option",
            ErrorKind::Setup => "setup",
        }
    }
}

/// A mistake of the caller's: the probe could not start.
///
/// Messages never contain secret values (tokens, header values).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// What kind of mistake this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind (`invalid_url`, …).
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    /// Whether the URL was the problem.
    pub fn is_invalid_url(&self) -> bool {
        self.kind == ErrorKind::InvalidUrl
    }

    /// Whether the scenario was the problem.
    pub fn is_invalid_scenario(&self) -> bool {
        self.kind == ErrorKind::InvalidScenario
    }
}
