//! The client-credentials token request (RFC 6749 §4.4) and what its answer means.

use base64::Engine;

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use serde_json::{Map, Value};
use tokio::time::timeout_at;
use url::Url;

use crate::clock::Deadline;
use crate::http::classify::classify_http_error;
use crate::model::{Failure, FailureCode, OAuthMethod};
use crate::model::{FailureReason, TimeoutPhase};
use crate::text::truncate;
use crate::urls::redact_url;

use super::credentials::{basic_pair, Credentials};

/// Largest token response read.
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: u64 = 64 * 1024;

/// Longest `expires_in` believed (a year).
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// A token the endpoint issued.
pub(super) struct Token {
    /// `Bearer <access_token>`, marked sensitive.
    pub(super) header: HeaderValue,
    pub(super) expires_in: Option<Duration>,
}

/// The client-credentials token request.
pub(crate) async fn request_token(
    client: &reqwest::Client,
    endpoint: &Url,
    credentials: &Credentials,
    deadline: &Deadline,
) -> Result<Token, Failure> {
    let shown = redact_url(endpoint);
    let what = format!("token request to {shown}");
    let token_failure = |message: String| {
        Failure::new(FailureCode::AuthToken, message).with("tokenEndpoint", shown.clone())
    };
    let mut rb = client
        .post(endpoint.clone())
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    if credentials.method == OAuthMethod::Basic {
        let pair = basic_pair(&credentials.client_id, credentials.secret.expose());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
            token_failure(format!(
                "{what}: the client credentials cannot be sent in a header"
            ))
        })?;
        value.set_sensitive(true);
        rb = rb.header(AUTHORIZATION, value);
    }
    let rb = rb.body(token_form(credentials));
    if deadline.passed() {
        return Err(deadline
            .timeout(TimeoutPhase::Headers, &what)
            .with("tokenEndpoint", shown));
    }
    let mut resp = match timeout_at(deadline.at, rb.send()).await {
        Err(_) => {
            return Err(deadline
                .timeout(TimeoutPhase::Headers, &what)
                .with("tokenEndpoint", shown))
        }
        Ok(Err(e)) => {
            return Err(classify_http_error(&e, &what, deadline).with("tokenEndpoint", shown))
        }
        Ok(Ok(resp)) => resp,
    };
    let status = resp.status();
    let code = status.as_u16();
    let reason = status.canonical_reason().unwrap_or("");
    if status.is_redirection() {
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| endpoint.join(l).ok())
            .map(|u| redact_url(&u));
        let mut f = token_failure(format!(
            "{what}: HTTP {code} {reason}: the token endpoint redirected{}; redirects that \
             would carry the client credentials are not followed",
            location
                .as_deref()
                .map(|l| format!(" to {l}"))
                .unwrap_or_default()
        ))
        .with_http_status(code)
        .with_reason(FailureReason::Redirect);
        if let Some(l) = location {
            f = f.with("location", l);
        }
        return Err(f);
    }
    if resp
        .content_length()
        .is_some_and(|len| len > MAX_TOKEN_RESPONSE_BYTES)
    {
        return Err(too_large(
            token_failure(format!(
                "{what}: the token response exceeded the limit of {MAX_TOKEN_RESPONSE_BYTES} bytes"
            )),
            code,
        ));
    }
    let mut body = Vec::new();
    loop {
        match timeout_at(deadline.at, resp.chunk()).await {
            Err(_) => {
                return Err(deadline
                    .timeout(TimeoutPhase::Body, &what)
                    .with("tokenEndpoint", shown))
            }
            Ok(Err(e)) => {
                return Err(classify_http_error(&e, &what, deadline).with("tokenEndpoint", shown))
            }
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => {
                if (body.len() + chunk.len()) as u64 > MAX_TOKEN_RESPONSE_BYTES {
                    return Err(too_large(token_failure(format!(
                        "{what}: the token response exceeded the limit of {MAX_TOKEN_RESPONSE_BYTES} bytes"
                    )), code));
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    let json = serde_json::from_slice::<Value>(&body).ok();
    let object = match &json {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    };
    let secret = credentials.secret.expose();
    if !status.is_success() {
        let error = object.and_then(|o| text_field(o, "error", 64, secret));
        let description = object.and_then(|o| text_field(o, "error_description", 200, secret));
        let mut message = format!("{what}: HTTP {code} {reason}");
        match (&error, &description) {
            (Some(e), Some(d)) => message.push_str(&format!(": {e} ({d})")),
            (Some(e), None) => message.push_str(&format!(": {e}")),
            _ => message.push_str(" without an OAuth error"),
        }
        let mut f = token_failure(message).with_http_status(code);
        if let Some(e) = error {
            f = f.with("oauthError", e);
        }
        if let Some(d) = description {
            f = f.with("oauthErrorDescription", d);
        }
        return Err(f);
    }
    let Some(object) = object else {
        return Err(token_failure(format!(
            "{what}: HTTP {code}, but the answer is not a JSON object"
        ))
        .with_http_status(code)
        .with_reason(FailureReason::NotJson));
    };
    let invalid = |why: String, field: &str| {
        token_failure(format!("{what}: {why}"))
            .with_http_status(code)
            .with_reason(FailureReason::InvalidTokenResponse)
            .with("field", field.to_owned())
    };
    let access_token = match object.get("access_token") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.trim(),
        Some(_) => {
            return Err(invalid(
                "access_token is not a non-empty string".to_owned(),
                "access_token",
            ))
        }
        None => {
            return Err(invalid(
                "the answer has no access_token".to_owned(),
                "access_token",
            ))
        }
    };
    match object.get("token_type") {
        Some(Value::String(t)) if t.trim().eq_ignore_ascii_case("bearer") => {}
        Some(Value::String(t)) => {
            return Err(invalid(
                format!(
                    "token_type is {:?}, but only Bearer tokens can be used",
                    truncate(&scrub(t, secret), 40)
                ),
                "token_type",
            ))
        }
        Some(_) => {
            return Err(invalid(
                "token_type is not a string".to_owned(),
                "token_type",
            ))
        }
        None => {
            return Err(invalid(
                "the answer has no token_type".to_owned(),
                "token_type",
            ))
        }
    }
    let mut header = HeaderValue::from_str(&format!("Bearer {access_token}")).map_err(|_| {
        invalid(
            "the access token holds characters not allowed in a header".to_owned(),
            "access_token",
        )
    })?;
    header.set_sensitive(true);
    let expires_in = match object.get("expires_in") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|s| s.is_finite() && *s >= 0.0)
    .map(|s| Duration::from_secs_f64(s.min(MAX_LIFETIME.as_secs_f64())));
    Ok(Token { header, expires_in })
}

/// The form body of the token request (the serializer is not `Send`: kept out of the future).
fn token_form(credentials: &Credentials) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials");
    if let Some(scope) = &credentials.scope {
        form.append_pair("scope", scope);
    }
    form.append_pair("resource", &credentials.resource);
    if credentials.method == OAuthMethod::Post {
        form.append_pair("client_id", &credentials.client_id);
        form.append_pair("client_secret", credentials.secret.expose());
    }
    form.finish()
}

fn too_large(f: Failure, code: u16) -> Failure {
    f.with_http_status(code)
        .with_reason(FailureReason::ResponseTooLarge)
        .with("limitBytes", MAX_TOKEN_RESPONSE_BYTES)
}

/// A string field the server sent, cut to `max` characters, control characters and the
/// secret blanked out.
fn text_field(object: &Map<String, Value>, name: &str, max: usize, secret: &str) -> Option<String> {
    let text = object.get(name)?.as_str()?;
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = scrub(cleaned.trim(), secret);
    (!cleaned.is_empty()).then(|| truncate(&cleaned, max))
}

/// `text` with every occurrence of `secret` (also form-urlencoded) replaced by `<redacted>`.
fn scrub(text: &str, secret: &str) -> String {
    if secret.len() < 3 {
        return text.to_owned();
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    text.replace(secret, "<redacted>")
        .replace(&encoded, "<redacted>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_texts_lose_the_secret() {
        assert_eq!(
            scrub("bad secret a+b/c or a%2Bb%2Fc", "a+b/c"),
            "bad secret <redacted> or <redacted>"
        );
        let mut o = Map::new();
        o.insert(
            "error_description".into(),
            Value::from("line\nbreak s3cret"),
        );
        assert_eq!(
            text_field(&o, "error_description", 200, "s3cret").as_deref(),
            Some("line break <redacted>")
        );
    }
}
