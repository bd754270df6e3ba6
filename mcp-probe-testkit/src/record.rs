//! What the fixture received, in arrival order.

use std::sync::{Mutex, PoisonError};

use serde_json::Value;

use crate::Mode;

/// One HTTP request as the fixture received it (every request is recorded, including
/// DELETE, GET and ones answered with a 4xx).
#[derive(Debug, Clone)]
pub struct Received {
    /// The mode whose path the request was sent to.
    pub mode: Mode,
    /// The HTTP method, e.g. `"POST"`.
    pub http_method: String,
    /// Request headers in arrival order, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The JSON-RPC `method`, if the body had one.
    pub rpc_method: Option<String>,
    /// The JSON-RPC `id`, if the body had one (client requests and client responses).
    pub id: Option<Value>,
    /// The parsed JSON body, if the body was JSON.
    pub body: Option<Value>,
}

impl Received {
    /// The first value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The shared, append-only record of requests; or, for servers that run long (the
/// standalone binary, benchmarks), none (`None`).
#[derive(Debug)]
pub(crate) struct Log(Option<Mutex<Vec<Received>>>);

impl Log {
    /// A log that keeps every request.
    pub(crate) fn recording() -> Log {
        Log(Some(Mutex::default()))
    }

    /// A log that keeps nothing: memory stays flat however many requests arrive.
    pub(crate) fn unrecorded() -> Log {
        Log(None)
    }

    pub(crate) fn push(&self, received: Received) {
        if let Some(kept) = &self.0 {
            kept.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(received);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<Received> {
        self.0.as_ref().map_or_else(Vec::new, |kept| {
            kept.lock().unwrap_or_else(PoisonError::into_inner).clone()
        })
    }
}
