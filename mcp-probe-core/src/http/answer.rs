//! What an HTTP answer that is not the one wanted means: the failure for a status (redirect,
//! credentials required, a forgotten session, the JSON-RPC error or a body excerpt), for a
//! wrong content type, and the short, bounded read of an error body.

use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::Response;
use serde_json::Value;
use tokio::time::timeout_at;

use crate::clock::Deadline;
use crate::http::challenge::parse_challenge;
use crate::http::classify::redirect_failure;
use crate::jsonrpc;
use crate::jsonrpc::{Incoming, RpcError};
use crate::model::FailureReason;
use crate::model::{Failure, FailureCode};
use crate::text::snippet;

/// Longest a probe spends reading the body of an error response.
pub(crate) const ERROR_BODY_BUDGET: Duration = Duration::from_secs(1);

/// Most bytes of an error response's body that are read.
pub(crate) const ERROR_BODY_BYTES: usize = 4096;

/// The media type without parameters, lower-cased.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    (!essence.is_empty()).then_some(essence)
}

/// Reads at most [`ERROR_BODY_BYTES`] of a body, briefly; errors give what was read.
pub(crate) async fn read_prefix(mut resp: Response, deadline: &Deadline) -> Vec<u8> {
    let budget = deadline.capped(ERROR_BODY_BUDGET);
    let mut buf = Vec::new();
    while buf.len() < ERROR_BODY_BYTES {
        match timeout_at(budget.at, resp.chunk()).await {
            Ok(Ok(Some(chunk))) => buf.extend_from_slice(&chunk),
            _ => break,
        }
    }
    buf.truncate(ERROR_BODY_BYTES);
    buf
}

/// The failure for a 2xx answer of the wrong content type: `wanted` says what was expected
/// ("application/json or text/event-stream"), `instead_of_html` what an HTML page is not
/// ("MCP", "an SSE stream").
pub(crate) async fn not_mcp_content(
    resp: Response,
    content_type: Option<&str>,
    what: &str,
    wanted: &str,
    instead_of_html: &str,
    deadline: &Deadline,
) -> Failure {
    let shown = content_type.unwrap_or("no content type").to_owned();
    let status = resp.status().as_u16();
    let body = read_prefix(resp, deadline).await;
    let start = snippet(&body, 40).to_ascii_lowercase();
    let looks_html = content_type.is_some_and(|c| c.contains("html"))
        || start.starts_with("<!doctype html")
        || start.starts_with("<html");
    let message = if looks_html {
        format!("{what}: the server answered an HTML page ({shown}), not {instead_of_html}")
    } else {
        format!("{what}: the server answered {shown}, not {wanted}")
    };
    Failure::new(FailureCode::NotMcp, message)
        .with_http_status(status)
        .with("contentType", shown)
        .with("bodySnippet", snippet(&body, 300))
}

/// The failure for a non-2xx answer (or a 2xx without the body a request needs): redirect,
/// credentials required (with the parsed challenges), a forgotten session (404 after one was
/// sent), or an HTTP status with the JSON-RPC error or a body excerpt.
pub(crate) async fn status_failure(
    resp: Response,
    sent_session: bool,
    what: &str,
    deadline: &Deadline,
) -> Failure {
    let status = resp.status();
    let code = status.as_u16();
    let headers = resp.headers().clone();
    // After followed redirects, a Location is relative to the URL that answered.
    let answered_url = resp.url().clone();
    let content_type = media_type(&headers);
    let body = read_prefix(resp, deadline).await;
    let reason = status.canonical_reason().unwrap_or("");
    let rpc_error = rpc_error_in(&body);
    let failure = match code {
        300..=399 => redirect_failure(
            what,
            code,
            headers.get(LOCATION).and_then(|v| v.to_str().ok()),
            &answered_url,
        ),
        401 | 403 => auth_failure(what, code, reason, &headers),
        404 if sent_session => Failure::new(
            FailureCode::SessionExpired,
            format!("{what}: HTTP 404: the server no longer knows the session"),
        ),
        _ if status.is_success() => Failure::new(
            FailureCode::Malformed,
            format!("{what}: HTTP {code} {reason} with no body, but a request needs a JSON-RPC response"),
        )
        .with_reason(FailureReason::NoResponse),
        _ => {
            let mut message = format!("{what}: HTTP {code} {reason}");
            if let Some(e) = &rpc_error {
                message.push_str(&format!(
                    " (JSON-RPC error {}: {})",
                    e.code,
                    crate::text::truncate(&e.message, 200)
                ));
            } else if let Some(ct) = &content_type {
                message.push_str(&format!(" ({ct})"));
            }
            Failure::new(FailureCode::HttpStatus, message)
        }
    };
    let mut failure = failure.with_http_status(code);
    if let Some(ct) = content_type {
        failure = failure.with("contentType", ct);
    }
    if let Some(e) = rpc_error {
        failure = failure.with_jsonrpc_error(e);
    } else if !body.is_empty() {
        failure = failure.with("bodySnippet", snippet(&body, 300));
    }
    failure
}

/// The JSON-RPC error response an error body holds, if it holds one.
fn rpc_error_in(body: &[u8]) -> Option<RpcError> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| match jsonrpc::classify(v) {
            Ok(Incoming::Response {
                outcome: Err(e), ..
            }) => Some(e),
            _ => None,
        })
}

/// A 401 or 403: credentials required, with the parsed `WWW-Authenticate` challenges.
fn auth_failure(what: &str, code: u16, reason: &str, headers: &HeaderMap) -> Failure {
    let challenge = headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(parse_challenge)
        .collect::<Vec<_>>();
    let mut message = format!("{what}: HTTP {code} {reason}: the server requires credentials");
    if let Some(Value::Object(c)) = challenge.first() {
        if let Some(Value::String(scheme)) = c.get("scheme") {
            message.push_str(&format!(" ({scheme} challenge"));
            if let Some(Value::String(err)) = c.get("error") {
                message.push_str(&format!(", error={err}"));
            }
            message.push(')');
        }
    } else {
        message.push_str(" (no WWW-Authenticate challenge)");
    }
    Failure::new(FailureCode::AuthRequired, message).with("challenges", Value::Array(challenge))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn media_types_ignore_parameters_and_case() {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert_eq!(media_type(&h).as_deref(), Some("application/json"));
        h.insert(CONTENT_TYPE, HeaderValue::from_static(""));
        assert_eq!(media_type(&h), None);
    }
}
