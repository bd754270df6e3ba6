//! The one send of a request within a deadline: the race of the exchange against the
//! deadline, and the failure it comes to when the caller has nothing to add.

use reqwest::{RequestBuilder, Response};
use tokio::time::timeout_at;

use crate::clock::Deadline;
use crate::http::classify::classify_http_error;
use crate::model::{Failure, TimeoutPhase};

/// Why a request sent within a deadline got no response headers.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The deadline had passed already: nothing was sent.
    Expired,
    /// The deadline passed while waiting for the response headers.
    TimedOut,
    /// The exchange failed.
    Failed(reqwest::Error),
}

impl SendError {
    /// The failure it comes to: a `headers` timeout, or the classified error.
    pub(crate) fn into_failure(self, deadline: &Deadline, what: &str) -> Failure {
        match self {
            SendError::Expired | SendError::TimedOut => {
                deadline.timeout(TimeoutPhase::Headers, what)
            }
            SendError::Failed(e) => classify_http_error(&e, what, deadline),
        }
    }
}

/// Sends `rb` unless the deadline has passed, and waits for its response headers until it
/// does.
pub(crate) async fn send_before(
    rb: RequestBuilder,
    deadline: &Deadline,
) -> Result<Response, SendError> {
    if deadline.passed() {
        return Err(SendError::Expired);
    }
    match timeout_at(deadline.at, rb.send()).await {
        Err(_) => Err(SendError::TimedOut),
        Ok(Err(e)) => Err(SendError::Failed(e)),
        Ok(Ok(resp)) => Ok(resp),
    }
}

/// [`send_before`], a failure as [`SendError::into_failure`] makes it.
pub(crate) async fn send_within(
    rb: RequestBuilder,
    deadline: &Deadline,
    what: &str,
) -> Result<Response, Failure> {
    send_before(rb, deadline)
        .await
        .map_err(|e| e.into_failure(deadline, what))
}
