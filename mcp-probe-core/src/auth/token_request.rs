//! Token requests (RFC 6749 §3.2: client credentials, authorization code, refresh token) and
//! what their answers mean.

use base64::Engine;

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{Map, Value};
use url::Url;

use crate::clock::Deadline;
use crate::http::body::{read_bounded, BodyError};
use crate::http::send::send_within;
use crate::model::{Failure, FailureCode};
use crate::model::{FailureReason, OAuthFlow};
use crate::text::truncate;
use crate::urls::redact_url;

use crate::http::target::Secret;

use super::assertion::ASSERTION_TYPE;
use super::credentials::{basic_pair, ClientAuth, Credentials};

/// `grant_type` of the JWT-bearer grant (RFC 7523 §2.1).
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Largest token response read.
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: u64 = 64 * 1024;

/// Longest `expires_in` believed (a year).
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// A token the endpoint issued.
pub(super) struct Token {
    /// `Bearer <access_token>`, marked sensitive.
    pub(super) header: HeaderValue,
    pub(super) expires_in: Option<Duration>,
    /// The refresh token, when the answer carried one.
    pub(super) refresh_token: Option<Secret>,
}

/// One token request: the grant's form fields and how the client authenticates.
pub(super) struct Grant<'a> {
    /// The form fields of the grant (`grant_type` first), without client authentication.
    pub(super) fields: Vec<(&'static str, String)>,
    pub(super) client_id: &'a str,
    pub(super) secret: Option<&'a str>,
    pub(super) auth: ClientAuth,
    /// The signed JWT of `private_key_jwt` (`client_assertion`).
    pub(super) assertion: Option<String>,
}

/// The client-credentials (or JWT-bearer) token request. `audience`: the authorization
/// server's issuer when discovery found it, else the token endpoint (the `aud` of a
/// `private_key_jwt` assertion). `assertions` gets the assertion sent, if any (to scrub from
/// what leaves the engine).
pub(crate) async fn request_token(
    client: &reqwest::Client,
    endpoint: &Url,
    audience: &str,
    credentials: &Credentials,
    deadline: &Deadline,
    assertions: &mut Vec<String>,
) -> Result<Token, Failure> {
    let mut fields = match (credentials.flow, &credentials.secret) {
        // The workload's JWT is the grant; the client names itself (public).
        (OAuthFlow::JwtBearer, Some(jwt)) => vec![
            ("grant_type", JWT_BEARER_GRANT.to_owned()),
            ("assertion", jwt.expose().to_owned()),
        ],
        _ => vec![("grant_type", "client_credentials".to_owned())],
    };
    if let Some(scope) = &credentials.scope {
        fields.push(("scope", scope.clone()));
    }
    fields.push(("resource", credentials.resource.clone()));
    let assertion = match &credentials.signing_key {
        Some(key) => {
            let signed = key
                .assertion(&credentials.client_id, audience, SystemTime::now())
                .map_err(|why| {
                    Failure::new(
                        FailureCode::AuthToken,
                        format!("cannot sign the client assertion: {why}"),
                    )
                })?;
            assertions.push(signed.clone());
            Some(signed)
        }
        None => None,
    };
    let grant = Grant {
        fields,
        client_id: &credentials.client_id,
        secret: credentials.secret.as_ref().map(Secret::expose),
        auth: credentials.auth(),
        assertion,
    };
    send_grant(client, endpoint, &grant, deadline).await
}

/// Sends a token request and judges its answer.
pub(super) async fn send_grant(
    client: &reqwest::Client,
    endpoint: &Url,
    grant: &Grant<'_>,
    deadline: &Deadline,
) -> Result<Token, Failure> {
    let exchange = Exchange::new(endpoint);
    let rb = exchange.build(client, grant)?;
    let resp = send_within(rb, deadline, &exchange.what)
        .await
        .map_err(|f| f.with("tokenEndpoint", exchange.shown.clone()))?;
    let status = resp.status();
    if status.is_redirection() {
        return Err(exchange.redirected(&resp));
    }
    let body = exchange.read(resp, deadline).await?;
    // What the client sent that the server may echo: the assertion (a private key is never
    // sent), else the secret.
    let sent = grant.assertion.as_deref().or(grant.secret);
    exchange.judge(status, &body, sent.unwrap_or_default())
}

/// What a token endpoint's answer comes to (the fuzz target's entry): the token's header and
/// lifetime, or the failure, `secret` being what the client sent that must not be shown.
pub(crate) fn judge_answer(
    endpoint: &Url,
    status: StatusCode,
    body: &[u8],
    secret: &str,
) -> Result<(HeaderValue, Option<Duration>), Failure> {
    Exchange::new(endpoint)
        .judge(status, body, secret)
        .map(|token| (token.header, token.expires_in))
}

/// One token request: the endpoint, as shown and as named in failures.
struct Exchange<'a> {
    endpoint: &'a Url,
    /// The endpoint, redacted.
    shown: String,
    /// `token request to <shown>`.
    what: String,
}

impl<'a> Exchange<'a> {
    fn new(endpoint: &'a Url) -> Self {
        let shown = redact_url(endpoint);
        let what = format!("token request to {shown}");
        Exchange {
            endpoint,
            shown,
            what,
        }
    }

    /// An `auth_token` failure naming the endpoint.
    fn failure(&self, message: String) -> Failure {
        Failure::new(FailureCode::AuthToken, message).with("tokenEndpoint", self.shown.clone())
    }

    /// The form POST, the client authenticated as `grant.auth` says.
    fn build(
        &self,
        client: &reqwest::Client,
        grant: &Grant<'_>,
    ) -> Result<RequestBuilder, Failure> {
        let mut rb = client
            .post(self.endpoint.clone())
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let (ClientAuth::Basic, Some(secret)) = (grant.auth, grant.secret) {
            let pair = basic_pair(grant.client_id, secret);
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            let mut value = HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| {
                self.failure(format!(
                    "{}: the client credentials cannot be sent in a header",
                    self.what
                ))
            })?;
            value.set_sensitive(true);
            rb = rb.header(AUTHORIZATION, value);
        }
        Ok(rb.body(token_form(grant)))
    }

    /// The failure for a redirect, which is not followed.
    fn redirected(&self, resp: &Response) -> Failure {
        let status = resp.status();
        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("");
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| self.endpoint.join(l).ok())
            .map(|u| redact_url(&u));
        let mut f = self
            .failure(format!(
                "{}: HTTP {code} {reason}: the token endpoint redirected{}; redirects that \
                 would carry the client credentials are not followed",
                self.what,
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
        f
    }

    /// The whole answer, within the deadline and [`MAX_TOKEN_RESPONSE_BYTES`].
    async fn read(&self, resp: Response, deadline: &Deadline) -> Result<Vec<u8>, Failure> {
        let code = resp.status().as_u16();
        read_bounded(resp, deadline, MAX_TOKEN_RESPONSE_BYTES, &self.what)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge { .. } => too_large(
                    self.failure(format!(
                        "{}: the token response exceeded the limit of \
                         {MAX_TOKEN_RESPONSE_BYTES} bytes",
                        self.what
                    )),
                    code,
                ),
                BodyError::Failed { failure, .. } => {
                    failure.with("tokenEndpoint", self.shown.clone())
                }
            })
    }

    /// What the answer comes to: a token, or why there is none.
    fn judge(&self, status: StatusCode, body: &[u8], secret: &str) -> Result<Token, Failure> {
        let json = serde_json::from_slice::<Value>(body).ok();
        let object = match &json {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        };
        let code = status.as_u16();
        if !status.is_success() {
            return Err(self.refused(status, object, secret));
        }
        let Some(object) = object else {
            return Err(self
                .failure(format!(
                    "{}: HTTP {code}, but the answer is not a JSON object",
                    self.what
                ))
                .with_http_status(code)
                .with_reason(FailureReason::NotJson));
        };
        token(object, secret).map_err(|(why, field)| self.invalid(code, why, field))
    }

    /// The failure for an error answer, with the OAuth error it names.
    fn refused(
        &self,
        status: StatusCode,
        object: Option<&Map<String, Value>>,
        secret: &str,
    ) -> Failure {
        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("");
        let error = object.and_then(|o| text_field(o, "error", 64, secret));
        let description = object.and_then(|o| text_field(o, "error_description", 200, secret));
        let mut message = format!("{}: HTTP {code} {reason}", self.what);
        match (&error, &description) {
            (Some(e), Some(d)) => message.push_str(&format!(": {e} ({d})")),
            (Some(e), None) => message.push_str(&format!(": {e}")),
            _ => message.push_str(" without an OAuth error"),
        }
        let mut f = self.failure(message).with_http_status(code);
        if let Some(e) = error {
            f = f.with("oauthError", e);
        }
        if let Some(d) = description {
            f = f.with("oauthErrorDescription", d);
        }
        f
    }

    /// The failure for a success answer without a usable token: why, and the field.
    fn invalid(&self, code: u16, why: String, field: &str) -> Failure {
        self.failure(format!("{}: {why}", self.what))
            .with_http_status(code)
            .with_reason(FailureReason::InvalidTokenResponse)
            .with("field", field.to_owned())
    }
}

/// The token a success answer carries, or why it is unusable and which field says so.
fn token(object: &Map<String, Value>, secret: &str) -> Result<Token, (String, &'static str)> {
    let access_token = access_token(object)?;
    check_token_type(object, secret)?;
    let mut header = HeaderValue::from_str(&format!("Bearer {access_token}")).map_err(|_| {
        (
            "the access token holds characters not allowed in a header".to_owned(),
            "access_token",
        )
    })?;
    header.set_sensitive(true);
    let refresh_token = match object.get("refresh_token") {
        Some(Value::String(t)) if !t.trim().is_empty() => Some(Secret::new(t.trim())),
        _ => None,
    };
    Ok(Token {
        header,
        expires_in: expires_in(object),
        refresh_token,
    })
}

/// The answer's `access_token`, trimmed.
fn access_token(object: &Map<String, Value>) -> Result<&str, (String, &'static str)> {
    match object.get("access_token") {
        Some(Value::String(t)) if !t.trim().is_empty() => Ok(t.trim()),
        Some(_) => Err((
            "access_token is not a non-empty string".to_owned(),
            "access_token",
        )),
        None => Err(("the answer has no access_token".to_owned(), "access_token")),
    }
}

/// `Ok` when the answer's `token_type` is Bearer.
fn check_token_type(
    object: &Map<String, Value>,
    secret: &str,
) -> Result<(), (String, &'static str)> {
    match object.get("token_type") {
        Some(Value::String(t)) if t.trim().eq_ignore_ascii_case("bearer") => Ok(()),
        Some(Value::String(t)) => Err((
            format!(
                "token_type is {:?}, but only Bearer tokens can be used",
                truncate(&scrub(t, secret), 40)
            ),
            "token_type",
        )),
        Some(_) => Err(("token_type is not a string".to_owned(), "token_type")),
        None => Err(("the answer has no token_type".to_owned(), "token_type")),
    }
}

/// The answer's `expires_in` (a number, or a string holding one), at most [`MAX_LIFETIME`].
fn expires_in(object: &Map<String, Value>) -> Option<Duration> {
    match object.get("expires_in") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|s| s.is_finite() && *s >= 0.0)
    .map(|s| Duration::from_secs_f64(s.min(MAX_LIFETIME.as_secs_f64())))
}

/// The form body of the token request (the serializer is not `Send`: kept out of the future).
fn token_form(grant: &Grant<'_>) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in &grant.fields {
        form.append_pair(name, value);
    }
    match (grant.auth, grant.secret) {
        (ClientAuth::Post, Some(secret)) => {
            form.append_pair("client_id", grant.client_id);
            form.append_pair("client_secret", secret);
        }
        (ClientAuth::Basic, Some(_)) => {}
        (ClientAuth::PrivateKeyJwt, _) => {
            form.append_pair("client_id", grant.client_id);
            form.append_pair("client_assertion_type", ASSERTION_TYPE);
            form.append_pair("client_assertion", grant.assertion.as_deref().unwrap_or(""));
        }
        // A public client names itself in the body (RFC 6749 §4.1.3).
        _ => {
            form.append_pair("client_id", grant.client_id);
        }
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
