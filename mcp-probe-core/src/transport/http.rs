//! What both HTTP transports (Streamable HTTP and legacy HTTP+SSE) make of an HTTP answer
//! that is not what they wanted: the failure for a status, for a wrong content type, and the
//! bounded read of an error body.

use crate::clock::Deadline;
use crate::http::log::StepLog;

use reqwest::RequestBuilder;
use serde_json::Value;
use tokio::time::timeout_at;

use super::{answer_for, ANSWER_BUDGET};
use crate::model::{ServerMessage, ServerMessageKind, WarningCode};

/// Posts the probe's answer to a server request that arrived while it waited (`ping` gets
/// `{}`, `elicitation/create` the step's answer if it has one, anything else "method not
/// found"; see [`answer_for`]) and records how that went.
/// `post` builds the POST for a body.
pub(crate) async fn post_answer(
    post: impl FnOnce(Vec<u8>) -> RequestBuilder,
    id: &Value,
    method: &str,
    params: &Value,
    deadline: Deadline,
    log: &mut StepLog,
) {
    if !log.may_answer(method) {
        return;
    }
    let (body, answer) = answer_for(id, method, params, log.elicitation.as_ref());
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let budget = deadline.capped(ANSWER_BUDGET);
    log.requests = log.requests.saturating_add(1);
    let outcome = match timeout_at(budget.at, post(bytes).send()).await {
        Ok(Ok(resp)) if resp.status().is_success() => answer.to_owned(),
        Ok(Ok(resp)) => {
            log.warn(
                WarningCode::ServerRequestAnswerRejected,
                format!(
                    "the answer to the server's {method} request was refused with HTTP {}",
                    resp.status().as_u16()
                ),
            );
            format!("{answer} (refused: HTTP {})", resp.status().as_u16())
        }
        Ok(Err(_)) | Err(_) => {
            log.warn(
                WarningCode::ServerRequestAnswerFailed,
                format!("the answer to the server's {method} request could not be delivered"),
            );
            "unanswered".to_owned()
        }
    };
    log.record(ServerMessage {
        kind: ServerMessageKind::Request,
        method: method.to_owned(),
        answer: Some(outcome),
    });
}

#[cfg(test)]
mod tests {}
