//! OAuth client credentials (RFC 6749 §4.4; the MCP client-credentials extension, SEP-1046) for
//! monitoring protected servers: the probe gets an access token from the authorization
//! server and sends it as `Authorization: Bearer …` on every MCP request.
//!
//! - The token endpoint is `tokenUrl` when given, else discovered as an MCP client does
//!   ([`crate::auth::discover_token_endpoint`]).
//! - The token request is a form POST with `grant_type=client_credentials`, `scope` when given
//!   and `resource` (RFC 8707: the server's URL, as MCP asks); the client authenticates with
//!   HTTP Basic (`client_secret_basic`, id and secret form-urlencoded first, RFC 6749 §2.3.1)
//!   or in the body (`client_secret_post`).
//! - It is bounded: the probe's request deadline, [`MAX_TOKEN_RESPONSE_BYTES`], no redirect to
//!   another origin, https only (loopback hosts excepted).
//! - Tokens are cached by the [`crate::Prober`] until [`EXPIRY_MARGIN`] before they expire
//!   ([`DEFAULT_LIFETIME`] when the server gives no `expires_in`), keyed by token endpoint (or,
//!   when discovered, the server URL), client id, scope and resource — never by the secret.
//! - A token request that fails is the server's problem: a report failure (`auth_token`, or
//!   the transport's code when the endpoint cannot be reached), never an error. A secret that
//!   cannot be read is the caller's: [`ErrorKind::Credential`].
//!
//! Neither the secret nor the token ever appears in a report, failure or error: texts the
//! authorization server sends back are shown with the secret blanked out.

use crate::clock::Deadline;
use crate::http::classify::classify_http_error;
use crate::urls::redact_url;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use serde_json::{Map, Value};
use tokio::time::{timeout_at, Instant};
use url::Url;

use crate::auth::discover_token_endpoint;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind};
use crate::http::dns::AddressPolicy;
use crate::http::target::{Secret, Target};
use crate::model::oauth::parse_token_url;
use crate::model::{AuthFacts, OAuthMethod, OAuthSpec};
use crate::model::{Failure, FailureCode};
use crate::text::truncate;

/// How long a token the server gave no `expires_in` for is reused.
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// A cached token is not used in the last 30 seconds of its life.
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// Largest token response read.
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: u64 = 64 * 1024;
/// Most tokens one prober keeps.
const MAX_CACHED_TOKENS: usize = 1000;
/// Longest `expires_in` believed (a year).
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// Client credentials ready to use: secret read, token URL parsed, cache key made.
#[derive(Debug)]
pub(crate) struct Credentials {
    client_id: String,
    secret: Secret,
    method: OAuthMethod,
    scope: Option<String>,
    token_url: Option<Url>,
    resource: String,
    /// Token endpoint (or the server URL when discovered), client id, scope and resource.
    key: String,
}

impl Credentials {
    /// Reads the secret (`Err` with [`ErrorKind::Credential`] when it cannot be had).
    pub(crate) fn resolve(spec: &OAuthSpec, server: &Url) -> Result<Self, Error> {
        let secret = read_secret(spec)?;
        let token_url = spec.token_url.as_deref().map(parse_token_url).transpose()?;
        let resource = match &spec.resource {
            Some(r) => r.trim().to_owned(),
            None => {
                let mut url = server.clone();
                // Only fails for URLs that cannot have user info, which then have none.
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.set_fragment(None);
                url.to_string()
            }
        };
        let scope = spec.scope.as_deref().map(|s| s.trim().to_owned());
        let client_id = spec.client_id.trim().to_owned();
        let endpoint = match &token_url {
            Some(url) => url.to_string(),
            None => format!("discover:{server}"),
        };
        let key = format!(
            "{endpoint}\n{client_id}\n{}\n{resource}",
            scope.as_deref().unwrap_or("")
        );
        Ok(Credentials {
            client_id,
            secret,
            method: spec.method,
            scope,
            token_url,
            resource,
            key,
        })
    }
}

impl Credentials {
    /// The client secret and the encodings it travels in (`Basic base64(id:secret)`).
    pub(crate) fn collect_secrets(&self, out: &mut crate::scrub::Secrets) {
        out.add(self.secret.expose());
        out.add(&basic_pair(&self.client_id, self.secret.expose()));
    }
}

/// `id:secret`, each form-urlencoded, as `client_secret_basic` sends it (RFC 6749 §2.3.1).
fn basic_pair(client_id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("{}:{}", encode(client_id), encode(secret))
}

fn read_secret(spec: &OAuthSpec) -> Result<Secret, Error> {
    let credential = |m: String| Error::new(ErrorKind::Credential, m);
    match (&spec.client_secret_env, &spec.client_secret_file) {
        (Some(var), None) => match std::env::var(var.trim()) {
            Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
            Ok(_) => Err(credential(format!(
                "environment variable {var} (the OAuth client secret) is empty"
            ))),
            Err(_) => Err(credential(format!(
                "environment variable {var} (the OAuth client secret) is not set"
            ))),
        },
        (None, Some(path)) => {
            let text = crate::file::read_limited_text(path, crate::file::MAX_SECRET_BYTES)
                .map_err(|e| {
                    credential(format!(
                        "cannot read the OAuth client secret file {}: {e}",
                        path.display()
                    ))
                })?;
            match text.trim() {
                "" => Err(credential(format!(
                    "the OAuth client secret file {} is empty",
                    path.display()
                ))),
                secret => Ok(Secret::new(secret)),
            }
        }
        _ => Err(Error::new(
            ErrorKind::InvalidScenario,
            "OAuth client credentials need exactly one of `clientSecretEnv` and `clientSecretFile`",
        )),
    }
}

/// Tokens a prober got, reused by its later probes.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, CachedToken>>,
}

#[derive(Debug, Clone)]
struct CachedToken {
    header: HeaderValue,
    endpoint: String,
    usable_until: Instant,
}

/// What getting a token for one probe came to.
#[derive(Debug)]
pub(crate) struct TokenPhase {
    /// What the report shows.
    pub(crate) facts: AuthFacts,
    /// Why no token could be had; the probe's first step fails with it.
    pub(crate) failure: Option<Failure>,
    /// The token came from the cache and has not been replaced during this probe.
    from_cache: bool,
}

impl TokenPhase {
    /// Whether a 401 may be answered by getting a fresh token (once per probe: only a token
    /// from the cache is replaced).
    pub(crate) fn may_refresh(&self) -> bool {
        self.from_cache
    }

    /// Takes over what a second attempt (after a refused cached token) found, adding up the
    /// requests and time; returns its failure.
    pub(crate) fn replace(&mut self, fresh: TokenPhase) -> Option<Failure> {
        self.facts.requests = self.facts.requests.saturating_add(fresh.facts.requests);
        self.facts.duration_ms += fresh.facts.duration_ms;
        self.facts.cached = fresh.facts.cached;
        if fresh.facts.token_endpoint.is_some() {
            self.facts.token_endpoint = fresh.facts.token_endpoint;
        }
        self.from_cache = false;
        fresh.failure
    }
}

/// Whether `failure` is the MCP server refusing the bearer token (401).
pub(crate) fn token_refused(failure: &Failure) -> bool {
    failure.code == FailureCode::AuthRequired
        && failure.details.get("httpStatus").and_then(Value::as_u64) == Some(401)
}

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedToken>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: &str) -> Option<CachedToken> {
        let mut entries = self.lock();
        match entries.get(key) {
            Some(c) if Instant::now() < c.usable_until => Some(c.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    fn store(&self, key: &str, token: CachedToken) {
        let mut entries = self.lock();
        if entries.len() >= MAX_CACHED_TOKENS && !entries.contains_key(key) {
            let now = Instant::now();
            entries.retain(|_, c| now < c.usable_until);
            if entries.len() >= MAX_CACHED_TOKENS {
                return;
            }
        }
        entries.insert(key.to_owned(), token);
    }

    /// Forgets the token for these credentials (the server refused it).
    pub(crate) fn forget(&self, credentials: &Credentials) {
        self.lock().remove(&credentials.key);
    }

    /// Gets a token — from the cache when `use_cache` and one is there, else from the token
    /// endpoint — and puts it into `target`'s `Authorization` header.
    ///
    /// `client` (the probe's) makes the discovery requests; `token_client` makes the client
    /// for the token endpoint. `Err` only when that client cannot be made.
    pub(crate) async fn authorize<F>(
        &self,
        credentials: &Credentials,
        target: &mut Target,
        client: &reqwest::Client,
        clock: &Clock,
        use_cache: bool,
        other_client: F,
    ) -> Result<TokenPhase, Error>
    where
        F: Fn(&Url, Option<AddressPolicy>) -> Result<reqwest::Client, Error>,
    {
        let started = Instant::now();
        let mut facts = AuthFacts {
            method: "client_credentials".to_owned(),
            token_endpoint: credentials.token_url.as_ref().map(redact_url),
            cached: false,
            requests: 0,
            duration_ms: 0.0,
        };
        let finish = |mut facts: AuthFacts, failure: Option<Failure>, from_cache: bool| {
            facts.duration_ms = started.elapsed().as_micros() as f64 / 1000.0;
            TokenPhase {
                facts,
                failure,
                from_cache,
            }
        };
        if use_cache {
            if let Some(cached) = self.get(&credentials.key) {
                target.set_authorization(cached.header);
                facts.token_endpoint = Some(cached.endpoint);
                facts.cached = true;
                return Ok(finish(facts, None, true));
            }
        }
        // A token endpoint the user named is trusted; one learnt from the server may lead
        // only where the target is.
        let (endpoint, guard) = match &credentials.token_url {
            Some(url) => (url.clone(), None),
            None => {
                let guard = AddressPolicy::for_target(target.url()).await;
                let metadata = other_client(target.url(), Some(guard))?;
                let found = discover_token_endpoint(
                    client,
                    &metadata,
                    guard,
                    target,
                    clock.request_deadline(),
                )
                .await;
                facts.requests = facts.requests.saturating_add(found.http_requests);
                match found.endpoint {
                    Ok(url) => (url, Some(guard)),
                    Err(f) => return Ok(finish(facts, Some(discovery_failure(f)), false)),
                }
            }
        };
        let shown = redact_url(&endpoint);
        facts.token_endpoint = Some(shown.clone());
        let token_client = other_client(&endpoint, guard)?;
        facts.requests = facts.requests.saturating_add(1);
        let deadline = clock.request_deadline();
        match request_token(&token_client, &endpoint, credentials, &deadline).await {
            Ok(token) => {
                let now = Instant::now();
                let usable_until = match token.expires_in {
                    Some(lifetime) => lifetime
                        .checked_sub(EXPIRY_MARGIN)
                        .filter(|left| !left.is_zero())
                        .and_then(|left| now.checked_add(left)),
                    None => now.checked_add(DEFAULT_LIFETIME),
                };
                if let Some(usable_until) = usable_until {
                    self.store(
                        &credentials.key,
                        CachedToken {
                            header: token.header.clone(),
                            endpoint: shown,
                            usable_until,
                        },
                    );
                }
                target.set_authorization(token.header);
                Ok(finish(facts, None, false))
            }
            Err(f) => Ok(finish(facts, Some(f.with("stage", "token_request")), false)),
        }
    }
}

/// A discovery failure as the probe reports it: the checks' `auth_check` becomes
/// `auth_token`; transport failures keep their code.
fn discovery_failure(f: Failure) -> Failure {
    if f.code != FailureCode::AuthCheck {
        return f.with("stage", "discovery");
    }
    let mut out = Failure::new(
        FailureCode::AuthToken,
        format!("cannot find the OAuth token endpoint: {}", f.message),
    );
    out.details = f.details;
    out.with("stage", "discovery")
}

/// A token the endpoint issued.
struct Token {
    /// `Bearer <access_token>`, marked sensitive.
    header: HeaderValue,
    expires_in: Option<Duration>,
}

/// The client-credentials token request.
async fn request_token(
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
            .timeout("headers", &what)
            .with("tokenEndpoint", shown));
    }
    let mut resp = match timeout_at(deadline.at, rb.send()).await {
        Err(_) => {
            return Err(deadline
                .timeout("headers", &what)
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
        .with("httpStatus", code)
        .with("reason", "redirect");
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
            Err(_) => return Err(deadline.timeout("body", &what).with("tokenEndpoint", shown)),
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
        let mut f = token_failure(message).with("httpStatus", code);
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
        .with("httpStatus", code)
        .with("reason", "not_json"));
    };
    let invalid = |why: String, field: &str| {
        token_failure(format!("{what}: {why}"))
            .with("httpStatus", code)
            .with("reason", "invalid_token_response")
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
    f.with("httpStatus", code)
        .with("reason", "response_too_large")
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
    use crate::model::TargetSpec;
    use crate::model::TransportChoice;

    fn target() -> TargetSpec {
        TargetSpec {
            url: "http://127.0.0.1:1/mcp".into(),
            ..TargetSpec::default()
        }
    }

    #[test]
    fn documents_use_camel_case_and_short_method_names() {
        let spec: OAuthSpec = serde_json::from_value(serde_json::json!({
            "clientId": "id", "clientSecretFile": "/s", "method": "client_secret_post",
            "tokenUrl": "https://as.example/token"
        }))
        .unwrap();
        assert_eq!(spec.method, OAuthMethod::Post);
        let back = serde_json::to_value(&spec).unwrap();
        assert_eq!(back["method"], "post");
        assert_eq!(back["tokenUrl"], "https://as.example/token");
        assert!(serde_json::from_value::<OAuthSpec>(serde_json::json!({
            "clientId": "id", "clientSecret": "inline"
        }))
        .is_err());
    }

    #[test]
    fn validation_catches_combinations_and_unsafe_token_urls() {
        let t = target();
        let ok = OAuthSpec::secret_from_env("id", "VAR");
        assert!(ok.validate(&t, TransportChoice::Auto).is_ok());
        let e = ok.validate(&t, TransportChoice::Stdio).unwrap_err();
        assert!(e.is_invalid_scenario());
        let mut with_bearer = t.clone();
        with_bearer.bearer_env = Some("B".into());
        assert!(ok.validate(&with_bearer, TransportChoice::Auto).is_err());
        let mut with_header = t.clone();
        with_header
            .headers
            .insert("authorization".into(), "Bearer x".into());
        assert!(ok.validate(&with_header, TransportChoice::Auto).is_err());
        let mut both = ok.clone();
        both.client_secret_file = Some("/s".into());
        assert!(both.validate(&t, TransportChoice::Auto).is_err());
        let neither = OAuthSpec {
            client_id: "id".into(),
            ..OAuthSpec::default()
        };
        assert!(neither.validate(&t, TransportChoice::Auto).is_err());
        for (url, fine) in [
            ("https://as.example/token", true),
            ("http://127.0.0.1:9/token", true),
            ("http://localhost/token", true),
            ("http://as.example/token", false),
            ("https://id:pw@as.example/token", false),
            ("ftp://as.example/token", false),
            ("token", false),
        ] {
            let spec = ok.clone().token_url(url);
            let result = spec.validate(&t, TransportChoice::Auto);
            assert_eq!(result.is_ok(), fine, "{url}: {result:?}");
            if let Err(e) = result {
                assert_eq!(e.kind(), ErrorKind::InvalidUrl, "{url}");
            }
        }
    }

    #[test]
    fn unreadable_secrets_are_credential_errors_without_values() {
        let server = Url::parse("http://127.0.0.1:1/mcp#frag").unwrap();
        let spec = OAuthSpec::secret_from_env("id", "MCP_PROBE_TEST_SURELY_UNSET_SECRET");
        let e = Credentials::resolve(&spec, &server).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credential);
        assert!(e.to_string().contains("MCP_PROBE_TEST_SURELY_UNSET_SECRET"));
        let dir = std::env::temp_dir().join(format!("mcp-probe-oauth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "  s3cret-value\n").unwrap();
        let spec = OAuthSpec::secret_from_file("id", &file).scope(" a b ");
        let creds = Credentials::resolve(&spec, &server).unwrap();
        assert_eq!(creds.secret.expose(), "s3cret-value");
        assert_eq!(creds.resource, "http://127.0.0.1:1/mcp");
        assert!(!creds.key.contains("s3cret"));
        assert!(!format!("{creds:?}").contains("s3cret"));
        std::fs::write(&file, "\n").unwrap();
        assert_eq!(
            Credentials::resolve(&spec, &server).unwrap_err().kind(),
            ErrorKind::Credential
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

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
