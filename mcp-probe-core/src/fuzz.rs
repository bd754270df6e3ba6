//! Entry points for the fuzz targets in `fuzz/`: thin wrappers around the engine's parsers of
//! untrusted input. Not a stable API; hidden from the documentation.

use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use serde_json::{json, Value};

use crate::jsonrpc;
use crate::scrub::Secrets;

/// Classifies one answer body the way every transport does: bounded parse, JSON-RPC
/// classification, matching to request id 1. Returns the outcome as text (never panics).
pub fn jsonrpc_answer(bytes: &[u8]) -> String {
    match jsonrpc::parse_bounded(bytes) {
        Err(e) => crate::transport::parse_failure(e, bytes, "fuzz").message,
        Ok(value) => {
            let classified = jsonrpc::classify(value);
            match crate::transport::response_from(classified, &json!(1), "fuzz") {
                Ok(Ok(result)) => crate::text::short(&result),
                Ok(Err(e)) => e.to_value().to_string(),
                Err(f) => f.message,
            }
        }
    }
}

/// Parses `WWW-Authenticate` header values as the authorization check does.
pub fn www_authenticate(values: &[&[u8]]) -> Vec<Value> {
    let mut headers = HeaderMap::new();
    for v in values {
        if let Ok(value) = HeaderValue::from_bytes(v) {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    crate::http::challenge::challenges(&headers)
        .into_iter()
        .map(Value::Object)
        .collect()
}

/// Resolves a legacy `endpoint` event's data against a base URL; `None` when the base is not
/// a URL.
pub fn legacy_endpoint(base: &str, data: &str) -> Option<Result<String, String>> {
    let base = url::Url::parse(base).ok()?;
    Some(
        crate::transport::legacy_sse::resolve_endpoint(&base, data)
            .map(|u| u.to_string())
            .map_err(|f| f.message),
    )
}

/// Scrubs `text` of `secret` (and its encodings); the caller checks that nothing of the
/// secret is left.
pub fn scrub(secret: &str, text: &str) -> String {
    let mut secrets = Secrets::new();
    secrets.add(secret);
    secrets.scrub(text).unwrap_or_else(|| text.to_owned())
}

/// What a token endpoint's answer came to: `Ok((Authorization header, lifetime in seconds))`
/// for a usable token, or `Err((message, details))` of the failure.
pub type TokenOutcome = Result<(String, Option<u64>), (String, Value)>;

/// Judges a token endpoint's answer as a token request does; `None` when `status` is not an
/// HTTP status. `secret`: what the client sent (never shown).
pub fn token_response(status: u16, body: &[u8], secret: &str) -> Option<TokenOutcome> {
    let endpoint = url::Url::parse("https://as.example/token").ok()?;
    let status = reqwest::StatusCode::from_u16(status).ok()?;
    Some(
        crate::auth::judge_answer(&endpoint, status, body, secret)
            .map(|(header, lifetime)| {
                (
                    String::from_utf8_lossy(header.as_bytes()).into_owned(),
                    lifetime.map(|d| d.as_secs()),
                )
            })
            .map_err(|f| {
                let details = serde_json::to_value(&f.details).unwrap_or_default();
                (f.message, details)
            }),
    )
}
