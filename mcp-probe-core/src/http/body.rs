//! The one bounded read of a whole response body: within a deadline and a size limit.

use reqwest::Response;
use tokio::time::timeout_at;

use crate::clock::Deadline;
use crate::http::classify::classify_http_error;
use crate::model::{Failure, FailureCode, TimeoutPhase};

/// Why a bounded read of a body stopped short.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is over the limit; `declared` is the `Content-Length` when it said so before
    /// anything was read.
    TooLarge { declared: Option<u64> },
    /// The deadline passed or the exchange failed, after `read` bytes.
    Failed { failure: Failure, read: usize },
}

/// Reads a whole body within the deadline and the size limit.
pub(crate) async fn read_body(
    resp: Response,
    deadline: &Deadline,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, Failure> {
    read_bounded(resp, deadline, max, what)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge { declared: Some(n) } => {
                too_large(what, "response body", max).with("declaredBytes", n)
            }
            BodyError::TooLarge { declared: None } => too_large(what, "response body", max),
            BodyError::Failed { failure, read } => failure.with("bytesRead", read),
        })
}

/// Reads a whole body within the deadline and the size limit; the caller makes the failure.
pub(crate) async fn read_bounded(
    mut resp: Response,
    deadline: &Deadline,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, BodyError> {
    if let Some(len) = resp.content_length().filter(|len| *len > max) {
        return Err(BodyError::TooLarge {
            declared: Some(len),
        });
    }
    let mut buf = Vec::new();
    loop {
        let failure = match timeout_at(deadline.at, resp.chunk()).await {
            Err(_) => deadline.timeout(TimeoutPhase::Body, what),
            Ok(Err(e)) => classify_http_error(&e, what, deadline),
            Ok(Ok(None)) => return Ok(buf),
            Ok(Ok(Some(chunk))) => {
                if (buf.len() + chunk.len()) as u64 > max {
                    return Err(BodyError::TooLarge { declared: None });
                }
                buf.extend_from_slice(&chunk);
                continue;
            }
        };
        return Err(BodyError::Failed {
            failure,
            read: buf.len(),
        });
    }
}

/// The failure for a body, stream or event over its size limit.
pub(crate) fn too_large(what: &str, thing: &str, limit: u64) -> Failure {
    Failure::new(
        FailureCode::ResponseTooLarge,
        format!("{what}: the {thing} exceeded the limit of {limit} bytes"),
    )
    .with("limitBytes", limit)
    .with("part", thing)
}
