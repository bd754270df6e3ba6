//! The one bounded read of a whole response body: within a deadline and a size limit.

use reqwest::Response;
use tokio::time::timeout_at;

use crate::clock::Deadline;
use crate::http::classify::classify_http_error;
use crate::model::{Failure, FailureCode, TimeoutPhase};

/// Reads a whole body within the deadline and the size limit.
pub(crate) async fn read_body(
    mut resp: Response,
    deadline: &Deadline,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, Failure> {
    if resp.content_length().is_some_and(|len| len > max) {
        return Err(too_large(what, "response body", max)
            .with("declaredBytes", resp.content_length().unwrap_or(0)));
    }
    let mut buf = Vec::new();
    loop {
        match timeout_at(deadline.at, resp.chunk()).await {
            Err(_) => {
                return Err(deadline
                    .timeout(TimeoutPhase::Body, what)
                    .with("bytesRead", buf.len()))
            }
            Ok(Err(e)) => {
                return Err(classify_http_error(&e, what, deadline).with("bytesRead", buf.len()))
            }
            Ok(Ok(None)) => return Ok(buf),
            Ok(Ok(Some(chunk))) => {
                if (buf.len() + chunk.len()) as u64 > max {
                    return Err(too_large(what, "response body", max));
                }
                buf.extend_from_slice(&chunk);
            }
        }
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
