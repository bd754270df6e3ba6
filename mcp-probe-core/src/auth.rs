//! The authorization check: what a client without credentials learns from a protected MCP
//! server (MCP 2025-06-18 and 2025-11-25 authorization), one [`AuthFinding`] per thing
//! looked at.
//!
//! The checks, in order, each with a stable id:
//! 1. `challenge_status`: an `initialize` sent without credentials is answered 401;
//! 2. `bearer_challenge`: `WWW-Authenticate` holds a well-formed Bearer challenge with `scope`;
//! 3. `resource_metadata`: protected resource metadata (RFC 9728) is found, from the
//!    challenge's `resource_metadata` or else the well-known URLs (path-suffixed, then root);
//! 4. `authorization_servers`: the metadata names at least one authorization server;
//! 5. `resource_match`: its `resource` is the server's URL;
//! 6. `as_metadata`: the first authorization server's metadata is found, trying RFC 8414
//!    and OpenID Connect discovery in the order the spec gives;
//! 7. `issuer_match`: its `issuer` is identical to the authorization server URL;
//! 8. `pkce_s256`: `code_challenge_methods_supported` includes `S256`;
//! 9. `metadata_url_safe`: every URL learnt from the server is https (loopback hosts
//!    excepted); a URL that is not is never fetched.
//!
//! A check that cannot run because an earlier one failed is left out. Every fetch is bounded
//! by the deadline and [`MAX_METADATA_BYTES`], redirects are followed by hand (at most
//! [`MAX_REDIRECTS`]), and no credential (header, cookie, URL user info) is ever sent.

use crate::clock::Deadline;
use crate::http::classify::{classify_http_error, find_source};
use crate::text::truncate;
use crate::urls::redact_url;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Map, Value};
use tokio::time::timeout_at;
use url::Url;

use crate::http::challenge::challenges;
use crate::http::dns::{AddressPolicy, AddressRefused};
use crate::http::target::Target;
use crate::jsonrpc;
use crate::model::{AuthFinding, FindingStatus};
use crate::model::{Failure, FailureCode};
use crate::transport::too_large;
use crate::urls::strip_credentials;
use crate::urls::unsafe_reason;

/// Largest metadata document read.
const MAX_METADATA_BYTES: u64 = 256 * 1024;
/// Most redirects followed for one metadata document.
const MAX_REDIRECTS: u32 = 3;
/// Longest spent ending a session an unprotected server handed out.
const CLEANUP_BUDGET: Duration = Duration::from_secs(2);

const PROTECTED_RESOURCE: &str = "/.well-known/oauth-protected-resource";
const OAUTH_SERVER: &str = "/.well-known/oauth-authorization-server";
const OPENID: &str = "/.well-known/openid-configuration";

const CHALLENGE_STATUS: &str = "challenge_status";
const BEARER_CHALLENGE: &str = "bearer_challenge";
const RESOURCE_METADATA: &str = "resource_metadata";
const AUTHORIZATION_SERVERS: &str = "authorization_servers";
const RESOURCE_MATCH: &str = "resource_match";
const AS_METADATA: &str = "as_metadata";
const ISSUER_MATCH: &str = "issuer_match";
const PKCE_S256: &str = "pkce_s256";
const METADATA_URL_SAFE: &str = "metadata_url_safe";

/// What [`check_auth`] found.
#[derive(Debug)]
pub(crate) struct AuthCheckOutcome {
    /// Every finding, in the order the checks ran.
    pub(crate) findings: Vec<AuthFinding>,
    /// The first `fail` finding as a failure (`auth_required`, `details.check` names the
    /// check), or the transport failure when the server could not be asked at all.
    pub(crate) failure: Option<Failure>,
    /// HTTP requests made.
    pub(crate) http_requests: u32,
}

/// Checks the target's authorization set-up as a client without credentials sees it.
///
/// `client` must not follow redirects (`redirect::Policy::none()`): the check follows them
/// itself so that it decides where they may go. The target's `Authorization` header and the
/// URL's user info are not sent; its other headers go with the `initialize` only. Never
/// panics and never returns early with an error: whatever happens is a finding.
pub(crate) async fn check_auth(
    client: &reqwest::Client,
    metadata: &reqwest::Client,
    guard: AddressPolicy,
    target: &Target,
    deadline: Deadline,
) -> AuthCheckOutcome {
    let mut checker = Checker::new(client, metadata, guard, deadline);
    checker.run(target).await;
    checker.finish();
    AuthCheckOutcome {
        findings: checker.findings,
        failure: checker.failure,
        http_requests: checker.requests,
    }
}

/// What [`discover_token_endpoint`] found.
#[derive(Debug)]
pub(crate) struct TokenEndpointDiscovery {
    /// The token endpoint, or why there is none: the first `fail` finding of the checks a
    /// client makes on the way (code `auth_check`, `details.check` names it; a `details.check`
    /// of `token_endpoint` when the metadata names no usable one, `not_protected` when the
    /// server answered without asking for credentials), or the transport failure when the
    /// server could not be asked.
    pub(crate) endpoint: Result<Url, Failure>,
    /// HTTP requests made.
    pub(crate) http_requests: u32,
}

/// Finds the token endpoint the way an MCP client does: an `initialize` without credentials,
/// its 401 challenge, the protected resource metadata, the authorization server's metadata
/// (issuer checked), then its `token_endpoint`, which must be https (loopback hosts
/// excepted). Bounded and credential-free like [`check_auth`].
pub(crate) async fn discover_token_endpoint(
    client: &reqwest::Client,
    metadata: &reqwest::Client,
    guard: AddressPolicy,
    target: &Target,
    deadline: Deadline,
) -> TokenEndpointDiscovery {
    let mut checker = Checker::new(client, metadata, guard, deadline);
    let found = checker.discover(target).await;
    let endpoint = match (checker.failure.take(), found) {
        (Some(failure), _) => Err(failure),
        (None, None) => Err(Failure::new(
            FailureCode::AuthCheck,
            "the server answered an initialize without credentials, so it names no \
             authorization server to ask for a token",
        )
        .with("check", "not_protected")),
        (None, Some((metadata, metadata_url))) => {
            let named = metadata
                .get("token_endpoint")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|t| !t.is_empty());
            match named.map(|text| (text, http_url(text))) {
                None => Err(Failure::new(
                    FailureCode::AuthCheck,
                    "the authorization server metadata names no token_endpoint",
                )
                .with("check", "token_endpoint")
                .with("url", redact_url(&metadata_url))),
                Some((text, None)) => Err(Failure::new(
                    FailureCode::AuthCheck,
                    format!(
                        "the authorization server's token_endpoint {} is not an absolute \
                         http(s) URL",
                        shown_text(text)
                    ),
                )
                .with("check", "token_endpoint")
                .with("url", redact_url(&metadata_url))),
                Some((_, Some(url))) => {
                    match guard.url_refusal(&url).or_else(|| unsafe_reason(&url)) {
                        None => Ok(url),
                        Some(why) => Err(Failure::new(
                            FailureCode::AuthCheck,
                            format!(
                                "refused to send client credentials to the token endpoint {}: \
                             {why}; it must be https (loopback hosts excepted) and lead only \
                             where the target is",
                                redact_url(&url)
                            ),
                        )
                        .with("check", METADATA_URL_SAFE)
                        .with("url", redact_url(&url))),
                    }
                }
            }
        }
    };
    TokenEndpointDiscovery {
        endpoint,
        http_requests: checker.requests,
    }
}

/// Why a metadata document could not be had.
enum FetchError {
    /// A URL broke the https rule; already reported as `metadata_url_safe`.
    Refused,
    /// Answered with a status other than 200.
    Status(u16),
    /// More than [`MAX_REDIRECTS`] redirects.
    TooManyRedirects,
    /// A redirect without a usable `Location`.
    BadRedirect(String),
    /// The exchange failed (connection, timeout, size); the failure says how.
    Failed(Failure),
    /// The body is not a JSON object.
    NotJson(String),
}

impl FetchError {
    fn describe(&self) -> String {
        match self {
            FetchError::Refused => "refused (not https)".to_owned(),
            FetchError::Status(code) => format!("HTTP {code}"),
            FetchError::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
            FetchError::BadRedirect(why) => why.clone(),
            FetchError::Failed(f) => format!("{} ({})", f.message, f.code.as_str()),
            FetchError::NotJson(why) => why.clone(),
        }
    }

    fn cause(&self) -> Option<FailureCode> {
        match self {
            FetchError::Failed(f) => Some(f.code),
            _ => None,
        }
    }
}

struct Checker<'a> {
    /// The probe's client, for the target itself.
    client: &'a reqwest::Client,
    /// A client that connects only where `guard` allows, for URLs learnt from the server.
    metadata: &'a reqwest::Client,
    guard: AddressPolicy,
    deadline: Deadline,
    findings: Vec<AuthFinding>,
    failure: Option<Failure>,
    requests: u32,
    /// URLs learnt from the server (metadata URL, authorization server, redirect targets).
    learnt: u32,
    /// Whether one of them broke the https rule.
    refused: bool,
}

impl<'a> Checker<'a> {
    /// A checker that has looked at nothing yet.
    fn new(
        client: &'a reqwest::Client,
        metadata: &'a reqwest::Client,
        guard: AddressPolicy,
        deadline: Deadline,
    ) -> Self {
        Checker {
            client,
            metadata,
            guard,
            deadline,
            findings: Vec::new(),
            failure: None,
            requests: 0,
            learnt: 0,
            refused: false,
        }
    }

    async fn run(&mut self, target: &Target) {
        if let Some((as_metadata, as_metadata_url)) = self.discover(target).await {
            self.pkce_s256(&as_metadata, &as_metadata_url);
        }
    }

    /// What a client does before it can ask for a token: the checks up to the authorization
    /// server's metadata and its issuer. Returns that metadata and its URL when it was found.
    async fn discover(&mut self, target: &Target) -> Option<(Map<String, Value>, Url)> {
        let challenges = self.challenge(target).await?;
        let bearer = self.bearer_challenge(&challenges, target.url());
        let (metadata, metadata_url) = self.resource_metadata(target, bearer.as_ref()).await?;
        let server = self.authorization_servers(&metadata);
        self.resource_match(&metadata, target.url(), &metadata_url);
        let (issuer, issuer_url) = server?;
        if !self.learn(&issuer_url) {
            return None;
        }
        let (as_metadata, as_metadata_url) = self.as_metadata(&issuer_url).await?;
        self.issuer_match(&as_metadata, &issuer, &as_metadata_url);
        Some((as_metadata, as_metadata_url))
    }

    /// The closing `metadata_url_safe` pass, when URLs were learnt and none was refused.
    fn finish(&mut self) {
        if self.learnt > 0 && !self.refused {
            let n = self.learnt;
            self.record(
                METADATA_URL_SAFE,
                FindingStatus::Pass,
                format!(
                    "every URL learnt from the server ({n}) is https or on a loopback host, \
                     and leads only where the target is"
                ),
                None,
                None,
            );
        }
    }

    fn record(
        &mut self,
        check: &str,
        status: FindingStatus,
        message: String,
        url: Option<&Url>,
        cause: Option<FailureCode>,
    ) {
        let shown = url.map(redact_url);
        if status == FindingStatus::Fail && self.failure.is_none() {
            let mut failure =
                Failure::new(FailureCode::AuthCheck, message.clone()).with("check", check);
            if let Some(shown) = &shown {
                failure = failure.with("url", shown.clone());
            }
            if let Some(cause) = cause {
                failure = failure.with("cause", cause.as_str());
            }
            self.failure = Some(failure);
        }
        self.findings.push(AuthFinding {
            check: check.to_owned(),
            status,
            message,
            url: shown,
        });
    }

    fn pass(&mut self, check: &str, message: String, url: Option<&Url>) {
        self.record(check, FindingStatus::Pass, message, url, None);
    }

    fn warn(&mut self, check: &str, message: String, url: Option<&Url>) {
        self.record(check, FindingStatus::Warn, message, url, None);
    }

    fn fail(&mut self, check: &str, message: String, url: Option<&Url>) {
        self.record(check, FindingStatus::Fail, message, url, None);
    }

    /// Counts a URL learnt from the server; `false` (and a `metadata_url_safe` failure) when
    /// it must not be fetched.
    fn learn(&mut self, url: &Url) -> bool {
        self.learnt = self.learnt.saturating_add(1);
        let Some(why) = self.guard.url_refusal(url).or_else(|| unsafe_reason(url)) else {
            return true;
        };
        self.refuse(url, &why);
        false
    }

    /// Records that a URL learnt from the server was not fetched, and why.
    fn refuse(&mut self, url: &Url, why: &str) {
        self.refused = true;
        self.fail(
            METADATA_URL_SAFE,
            format!(
                "refused to fetch {}: {why}; URLs learnt from the server must be https \
                 (loopback hosts excepted) and lead only where the target is (never to \
                 link-local addresses; to private or loopback ones only from a target there)",
                redact_url(url)
            ),
            Some(url),
        );
    }

    async fn send(&mut self, rb: RequestBuilder, what: &str) -> Result<Response, Failure> {
        if self.deadline.passed() {
            return Err(self.deadline.timeout("headers", what));
        }
        self.requests = self.requests.saturating_add(1);
        match timeout_at(self.deadline.at, rb.send()).await {
            Err(_) => Err(self.deadline.timeout("headers", what)),
            Ok(Err(e)) => Err(classify_http_error(&e, what, &self.deadline)),
            Ok(Ok(resp)) => Ok(resp),
        }
    }

    /// [`Checker::send`] for a URL learnt from the server: `Err(Ok(why))` when its host
    /// resolved only to addresses the guard refuses.
    async fn send_guarded(
        &mut self,
        rb: RequestBuilder,
        what: &str,
    ) -> Result<Response, Result<String, Failure>> {
        if self.deadline.passed() {
            return Err(Err(self.deadline.timeout("headers", what)));
        }
        self.requests = self.requests.saturating_add(1);
        match timeout_at(self.deadline.at, rb.send()).await {
            Err(_) => Err(Err(self.deadline.timeout("headers", what))),
            Ok(Err(e)) => match find_source::<AddressRefused>(&e) {
                Some(refused) => Err(Ok(refused.reason.clone())),
                None => Err(Err(classify_http_error(&e, what, &self.deadline))),
            },
            Ok(Ok(resp)) => Ok(resp),
        }
    }

    /// `challenge_status`: an `initialize` without credentials. Returns the challenges when
    /// the checks go on.
    async fn challenge(&mut self, target: &Target) -> Option<Vec<Map<String, Value>>> {
        const WHAT: &str = "initialize without credentials";
        let mut url = target.url().clone();
        strip_credentials(&mut url);
        let mut headers = target.headers().clone();
        headers.remove(AUTHORIZATION);
        let body = serde_json::to_vec(&jsonrpc::request(
            1,
            "initialize",
            Some(json!({
                "protocolVersion": crate::model::LATEST_HANDSHAKE_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "mcp-probe", "version": env!("CARGO_PKG_VERSION")},
            })),
        ))
        .unwrap_or_default();
        let rb = self
            .client
            .post(url.clone())
            .headers(headers.clone())
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        let resp = match self.send(rb, WHAT).await {
            Ok(resp) => resp,
            Err(failure) => {
                let message = format!(
                    "{} could not be asked: {}",
                    redact_url(&url),
                    failure.message
                );
                self.findings.push(AuthFinding {
                    check: CHALLENGE_STATUS.to_owned(),
                    status: FindingStatus::Fail,
                    message,
                    url: Some(redact_url(&url)),
                });
                if self.failure.is_none() {
                    self.failure = Some(failure.with("check", CHALLENGE_STATUS));
                }
                return None;
            }
        };
        let status = resp.status();
        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("");
        match code {
            401 => self.pass(
                CHALLENGE_STATUS,
                "an initialize without credentials was answered 401 Unauthorized".to_owned(),
                Some(&url),
            ),
            403 => self.fail(
                CHALLENGE_STATUS,
                "an initialize without credentials was answered 403 Forbidden instead of \
                 401 Unauthorized (403 is for insufficient scope)"
                    .to_owned(),
                Some(&url),
            ),
            200..=299 => {
                self.warn(
                    CHALLENGE_STATUS,
                    format!(
                        "not protected: an initialize without credentials was answered HTTP \
                         {code} {reason}; the authorization checks were skipped"
                    ),
                    Some(&url),
                );
                self.end_session(resp, url, headers).await;
                return None;
            }
            300..=399 => {
                let location = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(|l| match url.join(l) {
                        Ok(u) => redact_url(&u),
                        Err(_) => truncate(l, 200),
                    });
                self.fail(
                    CHALLENGE_STATUS,
                    format!(
                        "an initialize without credentials was answered HTTP {code} {reason} \
                         (a redirect to {}) instead of 401 Unauthorized",
                        location.as_deref().unwrap_or("no Location")
                    ),
                    Some(&url),
                );
                return None;
            }
            _ => {
                self.fail(
                    CHALLENGE_STATUS,
                    format!(
                        "an initialize without credentials was answered HTTP {code} {reason} \
                         instead of 401 Unauthorized"
                    ),
                    Some(&url),
                );
                return None;
            }
        }
        Some(challenges(resp.headers()))
    }

    /// An unprotected server may have opened a session for the probe: end it.
    async fn end_session(&mut self, resp: Response, url: Url, headers: HeaderMap) {
        let Some(session) = resp.headers().get("mcp-session-id").cloned() else {
            return;
        };
        drop(resp);
        let budget = self.deadline.capped(CLEANUP_BUDGET);
        if budget.passed() {
            return;
        }
        let mut session: HeaderValue = session;
        session.set_sensitive(true);
        self.requests = self.requests.saturating_add(1);
        let rb = self
            .client
            .delete(url)
            .headers(headers)
            .header("mcp-session-id", session);
        // Best effort: the outcome changes nothing in the findings.
        let _ = timeout_at(budget.at, rb.send()).await;
    }

    /// `bearer_challenge`: the Bearer challenge, if there is one.
    fn bearer_challenge(
        &mut self,
        challenges: &[Map<String, Value>],
        server: &Url,
    ) -> Option<Map<String, Value>> {
        let mut server = server.clone();
        strip_credentials(&mut server);
        let server = Some(&server);
        if challenges.is_empty() {
            self.fail(
                BEARER_CHALLENGE,
                "the 401 has no WWW-Authenticate header (RFC 9110 requires one; MCP clients \
                 read the Bearer challenge from it)"
                    .to_owned(),
                server,
            );
            return None;
        }
        let scheme = |c: &Map<String, Value>| {
            c.get("scheme")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let Some(bearer) = challenges
            .iter()
            .find(|c| scheme(c).eq_ignore_ascii_case("bearer"))
            .cloned()
        else {
            let offered: Vec<String> = challenges.iter().map(scheme).collect();
            self.fail(
                BEARER_CHALLENGE,
                format!(
                    "WWW-Authenticate offers {} but no Bearer challenge (OAuth 2.1, RFC 6750)",
                    offered.join(", ")
                ),
                server,
            );
            return None;
        };
        if bearer.contains_key("token") {
            self.fail(
                BEARER_CHALLENGE,
                "the Bearer challenge is not well-formed: it carries a bare token where RFC \
                 6750 allows only name=value parameters"
                    .to_owned(),
                server,
            );
            return Some(bearer);
        }
        let text = |name: &str| {
            bearer
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let metadata_note = if text("resource_metadata").is_some() {
            "with resource_metadata"
        } else {
            "without resource_metadata (clients fall back to the well-known URLs)"
        };
        let error_note = match text("error") {
            Some(error) => format!(
                "; it names error={} although the request carried no credentials (RFC 6750 \
                 says it should not)",
                truncate(&error, 40)
            ),
            None => String::new(),
        };
        match text("scope") {
            Some(scope) => self.pass(
                BEARER_CHALLENGE,
                format!(
                    "Bearer challenge with scope=\"{}\", {metadata_note}{error_note}",
                    truncate(&scope, 100)
                ),
                server,
            ),
            None => self.warn(
                BEARER_CHALLENGE,
                format!(
                    "Bearer challenge without scope (MCP 2025-11-25: servers SHOULD name the \
                     scopes a request needs), {metadata_note}{error_note}"
                ),
                server,
            ),
        }
        Some(bearer)
    }

    /// `resource_metadata`: the protected resource metadata, from the challenge or the
    /// well-known URLs.
    async fn resource_metadata(
        &mut self,
        target: &Target,
        bearer: Option<&Map<String, Value>>,
    ) -> Option<(Map<String, Value>, Url)> {
        let from_challenge = bearer
            .and_then(|b| b.get("resource_metadata"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if let Some(raw) = from_challenge {
            let Some(url) = http_url(raw) else {
                self.fail(
                    RESOURCE_METADATA,
                    format!(
                        "the challenge's resource_metadata {} is not an absolute http(s) URL",
                        shown_text(raw)
                    ),
                    None,
                );
                return None;
            };
            if !self.learn(&url) {
                return None;
            }
            return match self.fetch_json(url.clone()).await {
                Ok(doc) => {
                    self.pass(
                        RESOURCE_METADATA,
                        "protected resource metadata read from the challenge's \
                         resource_metadata URL"
                            .to_owned(),
                        Some(&url),
                    );
                    Some((doc, url))
                }
                Err(FetchError::Refused) => None,
                Err(e) => {
                    self.record(
                        RESOURCE_METADATA,
                        FindingStatus::Fail,
                        format!(
                            "the challenge's resource_metadata URL {} could not be read: {}",
                            redact_url(&url),
                            e.describe()
                        ),
                        Some(&url),
                        e.cause(),
                    );
                    None
                }
            };
        }
        let candidates = protected_resource_urls(target.url());
        let mut misses = Vec::new();
        let mut cause = None;
        for (url, which) in &candidates {
            match self.fetch_json(url.clone()).await {
                Ok(doc) => {
                    let before = if misses.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} first)", misses.join("; "))
                    };
                    self.pass(
                        RESOURCE_METADATA,
                        format!(
                            "no resource_metadata in the challenge; protected resource metadata \
                             found at the {which} well-known URL{before} (the MCP 2025-11-25 \
                             fallback; 2025-06-18 clients only follow the challenge)"
                        ),
                        Some(url),
                    );
                    return Some((doc, url.clone()));
                }
                Err(FetchError::Refused) => return None,
                Err(e) => {
                    cause = cause.or(e.cause());
                    misses.push(format!("{} → {}", redact_url(url), e.describe()));
                }
            }
        }
        self.record(
            RESOURCE_METADATA,
            FindingStatus::Fail,
            format!(
                "no resource_metadata in the challenge and no protected resource metadata at \
                 the well-known URLs: {}",
                misses.join("; ")
            ),
            candidates.first().map(|(u, _)| u),
            cause,
        );
        None
    }

    /// `authorization_servers`: the first listed authorization server (as written, parsed).
    fn authorization_servers(&mut self, metadata: &Map<String, Value>) -> Option<(String, Url)> {
        let list = match metadata.get("authorization_servers") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            Some(Value::Array(_)) => {
                self.fail(
                    AUTHORIZATION_SERVERS,
                    "authorization_servers is empty; MCP requires at least one".to_owned(),
                    None,
                );
                return None;
            }
            Some(other) => {
                self.fail(
                    AUTHORIZATION_SERVERS,
                    format!(
                        "authorization_servers is a JSON {} instead of an array of URLs",
                        crate::text::kind(other)
                    ),
                    None,
                );
                return None;
            }
            None => {
                self.fail(
                    AUTHORIZATION_SERVERS,
                    "the protected resource metadata has no authorization_servers; MCP requires \
                     at least one"
                        .to_owned(),
                    None,
                );
                return None;
            }
        };
        let first = list.first().and_then(Value::as_str).map(str::trim);
        let Some((text, url)) = first.and_then(|t| Some((t, http_url(t)?))) else {
            let shown = match list.first() {
                Some(Value::String(s)) => shown_text(s),
                Some(other) => format!("a JSON {}", crate::text::kind(other)),
                None => "nothing".to_owned(),
            };
            self.fail(
                AUTHORIZATION_SERVERS,
                format!(
                    "the first entry of authorization_servers, {shown}, is not an absolute \
                     http(s) URL"
                ),
                None,
            );
            return None;
        };
        let n = list.len();
        let listed = if n == 1 {
            "one authorization server listed".to_owned()
        } else {
            format!("{n} authorization servers listed; checking the first")
        };
        self.pass(
            AUTHORIZATION_SERVERS,
            format!("{listed}: {}", redact_url(&url)),
            Some(&url),
        );
        Some((text.to_owned(), url))
    }

    /// `resource_match`: the metadata's `resource` against the server URL.
    fn resource_match(&mut self, metadata: &Map<String, Value>, server: &Url, metadata_url: &Url) {
        let url = Some(metadata_url);
        let server_shown = redact_url(server);
        let Some(resource) = metadata.get("resource").and_then(Value::as_str) else {
            self.fail(
                RESOURCE_MATCH,
                "the protected resource metadata has no resource (RFC 9728 requires it)".to_owned(),
                url,
            );
            return;
        };
        let shown = shown_text(resource);
        match match_resource(resource, server) {
            ResourceMatch::Same => self.pass(
                RESOURCE_MATCH,
                format!("resource {shown} is the server URL"),
                url,
            ),
            ResourceMatch::Parent => self.warn(
                RESOURCE_MATCH,
                format!(
                    "resource {shown} is a parent of the server URL {server_shown}; RFC 9728 \
                     wants them identical, so strict clients reject this metadata"
                ),
                url,
            ),
            ResourceMatch::Different(why) => self.fail(
                RESOURCE_MATCH,
                format!(
                    "resource {shown} does not match the server URL {server_shown} ({why}); \
                     clients must not use this metadata (RFC 9728 §3.3)"
                ),
                url,
            ),
        }
    }

    /// `as_metadata`: the authorization server's metadata, trying the URLs in the spec's order.
    async fn as_metadata(&mut self, issuer: &Url) -> Option<(Map<String, Value>, Url)> {
        let candidates = authorization_server_urls(issuer);
        let mut misses = Vec::new();
        let mut cause = None;
        for (url, how) in &candidates {
            match self.fetch_json(url.clone()).await {
                Ok(doc) => {
                    let before = if misses.is_empty() {
                        String::new()
                    } else {
                        format!(" after {}", misses.join("; "))
                    };
                    let note = if how.starts_with("OpenID") {
                        " (clients of MCP 2025-06-18 only try RFC 8414)"
                    } else {
                        ""
                    };
                    self.pass(
                        AS_METADATA,
                        format!("authorization server metadata found by {how}{before}{note}"),
                        Some(url),
                    );
                    return Some((doc, url.clone()));
                }
                Err(FetchError::Refused) => return None,
                Err(e) => {
                    cause = cause.or(e.cause());
                    misses.push(format!("{} → {}", redact_url(url), e.describe()));
                }
            }
        }
        self.record(
            AS_METADATA,
            FindingStatus::Fail,
            format!(
                "no metadata for the authorization server {} (RFC 8414 or OpenID Connect \
                 discovery): {}",
                redact_url(issuer),
                misses.join("; ")
            ),
            Some(issuer),
            cause,
        );
        None
    }

    /// `issuer_match`: `issuer` identical to the URL the metadata was discovered from.
    fn issuer_match(&mut self, metadata: &Map<String, Value>, issuer: &str, url: &Url) {
        match metadata.get("issuer") {
            Some(Value::String(found)) if found == issuer => self.pass(
                ISSUER_MATCH,
                format!("issuer is {}, as listed", shown_text(found)),
                Some(url),
            ),
            Some(Value::String(found)) => {
                let slash = if found.trim_end_matches('/') == issuer.trim_end_matches('/') {
                    " (only a trailing slash differs)"
                } else {
                    ""
                };
                self.fail(
                    ISSUER_MATCH,
                    format!(
                        "issuer {} is not the authorization server URL {} it was discovered \
                         from{slash}; RFC 8414 requires them identical",
                        shown_text(found),
                        shown_text(issuer)
                    ),
                    Some(url),
                );
            }
            Some(other) => self.fail(
                ISSUER_MATCH,
                format!(
                    "issuer is a JSON {} instead of a URL",
                    crate::text::kind(other)
                ),
                Some(url),
            ),
            None => self.fail(
                ISSUER_MATCH,
                "the authorization server metadata has no issuer".to_owned(),
                Some(url),
            ),
        }
    }

    /// `pkce_s256`: S256 among `code_challenge_methods_supported`.
    fn pkce_s256(&mut self, metadata: &Map<String, Value>, url: &Url) {
        match metadata.get("code_challenge_methods_supported") {
            Some(Value::Array(methods)) if methods.iter().any(|m| m.as_str() == Some("S256")) => {
                self.pass(
                    PKCE_S256,
                    "S256 is among code_challenge_methods_supported".to_owned(),
                    Some(url),
                );
            }
            Some(Value::Array(methods)) => {
                let listed: Vec<String> = methods
                    .iter()
                    .take(10)
                    .map(|m| match m {
                        Value::String(s) => truncate(s, 40),
                        other => crate::text::short(other),
                    })
                    .collect();
                self.fail(
                    PKCE_S256,
                    format!(
                        "code_challenge_methods_supported is [{}] without S256, which MCP \
                         clients must use",
                        listed.join(", ")
                    ),
                    Some(url),
                );
            }
            Some(other) => self.fail(
                PKCE_S256,
                format!(
                    "code_challenge_methods_supported is a JSON {} instead of an array",
                    crate::text::kind(other)
                ),
                Some(url),
            ),
            None => self.fail(
                PKCE_S256,
                "code_challenge_methods_supported is absent: no PKCE is advertised, and MCP \
                 clients must refuse to proceed"
                    .to_owned(),
                Some(url),
            ),
        }
    }

    /// GETs a JSON object, following at most [`MAX_REDIRECTS`] redirects, each checked
    /// against the https rule.
    async fn fetch_json(&mut self, start: Url) -> Result<Map<String, Value>, FetchError> {
        let mut url = start;
        strip_credentials(&mut url);
        let mut redirects = 0;
        loop {
            let what = format!("GET {}", redact_url(&url));
            let rb = self
                .metadata
                .get(url.clone())
                .header(ACCEPT, "application/json");
            let resp = match self.send_guarded(rb, &what).await {
                Ok(resp) => resp,
                Err(Ok(refused)) => {
                    self.refuse(&url, &refused);
                    return Err(FetchError::Refused);
                }
                Err(Err(failure)) => return Err(FetchError::Failed(failure)),
            };
            if resp.url() != &url {
                // A client that followed a redirect on its own: judge where it went.
                let landed = resp.url().clone();
                if !self.learn(&landed) {
                    return Err(FetchError::Refused);
                }
                url = landed;
            }
            let status = resp.status();
            if status.is_redirection() {
                let Some(location) = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                else {
                    return Err(FetchError::BadRedirect(format!(
                        "HTTP {} without a Location",
                        status.as_u16()
                    )));
                };
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(FetchError::TooManyRedirects);
                }
                let next = match url.join(location) {
                    Ok(next) if matches!(next.scheme(), "http" | "https") => next,
                    _ => {
                        return Err(FetchError::BadRedirect(format!(
                            "HTTP {} to an unusable Location {}",
                            status.as_u16(),
                            shown_text(location)
                        )))
                    }
                };
                if !self.learn(&next) {
                    return Err(FetchError::Refused);
                }
                url = next;
                strip_credentials(&mut url);
                continue;
            }
            if status != StatusCode::OK {
                return Err(FetchError::Status(status.as_u16()));
            }
            let body = self
                .read_body(resp, &what)
                .await
                .map_err(FetchError::Failed)?;
            return match serde_json::from_slice::<Value>(&body) {
                Ok(Value::Object(doc)) => Ok(doc),
                Ok(other) => Err(FetchError::NotJson(format!(
                    "a JSON {} instead of an object",
                    crate::text::kind(&other)
                ))),
                Err(_) => Err(FetchError::NotJson(format!(
                    "not JSON: {}",
                    crate::text::snippet(&body, 80)
                ))),
            };
        }
    }

    /// Reads a whole body within the deadline and [`MAX_METADATA_BYTES`].
    async fn read_body(&self, mut resp: Response, what: &str) -> Result<Vec<u8>, Failure> {
        if resp
            .content_length()
            .is_some_and(|len| len > MAX_METADATA_BYTES)
        {
            return Err(too_large(what, "metadata document", MAX_METADATA_BYTES));
        }
        let mut buf = Vec::new();
        loop {
            match timeout_at(self.deadline.at, resp.chunk()).await {
                Err(_) => return Err(self.deadline.timeout("body", what)),
                Ok(Err(e)) => return Err(classify_http_error(&e, what, &self.deadline)),
                Ok(Ok(None)) => return Ok(buf),
                Ok(Ok(Some(chunk))) => {
                    if (buf.len() + chunk.len()) as u64 > MAX_METADATA_BYTES {
                        return Err(too_large(what, "metadata document", MAX_METADATA_BYTES));
                    }
                    buf.extend_from_slice(&chunk);
                }
            }
        }
    }
}

/// An absolute http(s) URL with a host, or `None`.
fn http_url(text: &str) -> Option<Url> {
    let url = Url::parse(text.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// A server-sent URL-ish string as it may be shown: redacted when it parses and carries user
/// info or a query, else cut to a sane length.
fn shown_text(text: &str) -> String {
    if text.contains('@') || text.contains('?') {
        if let Ok(url) = Url::parse(text) {
            return redact_url(&url);
        }
    }
    format!("{:?}", truncate(text, 200))
}

/// `origin` + `suffix` + the URL's path without its trailing slash (RFC 8414 §3.1 / RFC
/// 9728 §3.1 path insertion); query and fragment dropped.
fn insert_well_known(url: &Url, suffix: &str) -> Option<Url> {
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    Url::parse(&format!("{origin}{suffix}{path}")).ok()
}

/// The protected resource metadata URLs to try for a server URL without `resource_metadata`
/// (MCP 2025-11-25): path-suffixed (when the server has a path), then root.
fn protected_resource_urls(server: &Url) -> Vec<(Url, &'static str)> {
    let mut out = Vec::new();
    if !server.path().trim_end_matches('/').is_empty() {
        if let Some(url) = insert_well_known(server, PROTECTED_RESOURCE) {
            out.push((url, "path-suffixed"));
        }
    }
    let origin = server.origin().ascii_serialization();
    if let Ok(url) = Url::parse(&format!("{origin}{PROTECTED_RESOURCE}")) {
        out.push((url, "root"));
    }
    out
}

/// The authorization server metadata URLs to try, in the MCP 2025-11-25 order, each with how
/// it was built.
fn authorization_server_urls(issuer: &Url) -> Vec<(Url, &'static str)> {
    let path = issuer.path().trim_end_matches('/');
    let mut out = Vec::new();
    if path.is_empty() {
        out.extend(insert_well_known(issuer, OAUTH_SERVER).map(|u| (u, "RFC 8414")));
        out.extend(insert_well_known(issuer, OPENID).map(|u| (u, "OpenID Connect discovery")));
    } else {
        out.extend(
            insert_well_known(issuer, OAUTH_SERVER).map(|u| (u, "RFC 8414 (path insertion)")),
        );
        out.extend(
            insert_well_known(issuer, OPENID)
                .map(|u| (u, "OpenID Connect discovery (path insertion)")),
        );
        let origin = issuer.origin().ascii_serialization();
        out.extend(
            Url::parse(&format!("{origin}{path}{OPENID}"))
                .ok()
                .map(|u| (u, "OpenID Connect discovery (path appending)")),
        );
    }
    out
}

/// How a metadata `resource` relates to the server URL.
#[derive(Debug, PartialEq, Eq)]
enum ResourceMatch {
    /// The same resource: scheme, host and port equal (case-insensitive scheme and host,
    /// default port implied), paths equal ignoring one trailing slash, and no query or the
    /// server's.
    Same,
    /// Same origin, and the resource's path is a parent of the server's (e.g. the origin
    /// itself): clients that accept a prefix (like the SDKs) work, RFC 9728's strict rule
    /// does not.
    Parent,
    /// Anything else, with why.
    Different(String),
}

fn match_resource(resource: &str, server: &Url) -> ResourceMatch {
    let Ok(resource) = Url::parse(resource.trim()) else {
        return ResourceMatch::Different("resource is not an absolute URL".to_owned());
    };
    if resource.fragment().is_some() {
        return ResourceMatch::Different("resource has a fragment".to_owned());
    }
    if resource.scheme() != server.scheme()
        || resource.host() != server.host()
        || resource.port_or_known_default() != server.port_or_known_default()
    {
        return ResourceMatch::Different("another origin".to_owned());
    }
    if resource.query().is_some() && resource.query() != server.query() {
        return ResourceMatch::Different("another query".to_owned());
    }
    let theirs = resource.path().trim_end_matches('/');
    let ours = server.path().trim_end_matches('/');
    if theirs == ours {
        ResourceMatch::Same
    } else if ours
        .strip_prefix(theirs)
        .is_some_and(|rest| rest.starts_with('/'))
    {
        ResourceMatch::Parent
    } else {
        ResourceMatch::Different("another path".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::BTreeMap;

    use mcp_probe_testkit::{FixtureServer, Mode};
    use tokio::time::Instant;

    use crate::model::TargetSpec;

    use FindingStatus::{Fail, Pass, Warn};

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn deadline() -> Deadline {
        let total = Duration::from_secs(10);
        Deadline::for_request(total, Instant::now() + total, total)
    }

    fn target(url: &str, headers: &[(&str, &str)]) -> Target {
        let spec = TargetSpec {
            url: url.to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            ..TargetSpec::default()
        };
        Target::resolve(&spec).unwrap()
    }

    async fn check(url: &str) -> AuthCheckOutcome {
        let t = target(url, &[]);
        let guard = AddressPolicy::for_target(t.url()).await;
        check_auth(&client(), &client(), guard, &t, deadline()).await
    }

    fn pairs(outcome: &AuthCheckOutcome) -> Vec<(&str, FindingStatus)> {
        outcome
            .findings
            .iter()
            .map(|f| (f.check.as_str(), f.status))
            .collect()
    }

    const ALL_PASS: [(&str, FindingStatus); 9] = [
        (CHALLENGE_STATUS, Pass),
        (BEARER_CHALLENGE, Pass),
        (RESOURCE_METADATA, Pass),
        (AUTHORIZATION_SERVERS, Pass),
        (RESOURCE_MATCH, Pass),
        (AS_METADATA, Pass),
        (ISSUER_MATCH, Pass),
        (PKCE_S256, Pass),
        (METADATA_URL_SAFE, Pass),
    ];

    /// [`ALL_PASS`] with `check` given `status`.
    fn all_pass_but(check: &str, status: FindingStatus) -> Vec<(&'static str, FindingStatus)> {
        ALL_PASS
            .iter()
            .map(|&(c, s)| (c, if c == check { status } else { s }))
            .collect()
    }

    #[tokio::test]
    async fn every_auth_fixture_gives_its_findings() {
        let server = FixtureServer::start().await.unwrap();
        let cases: Vec<(Mode, Vec<(&str, FindingStatus)>)> = vec![
            (Mode::AuthOk, ALL_PASS.to_vec()),
            (Mode::AuthWellknownFallback, ALL_PASS.to_vec()),
            (Mode::AuthOidcOnly, ALL_PASS.to_vec()),
            (Mode::AuthNoChallenge, all_pass_but(BEARER_CHALLENGE, Fail)),
            (
                Mode::AuthBasicChallenge,
                all_pass_but(BEARER_CHALLENGE, Fail),
            ),
            (
                Mode::AuthNoMetadata,
                vec![
                    (CHALLENGE_STATUS, Pass),
                    (BEARER_CHALLENGE, Pass),
                    (RESOURCE_METADATA, Fail),
                ],
            ),
            (
                Mode::AuthResourceMismatch,
                all_pass_but(RESOURCE_MATCH, Fail),
            ),
            (
                Mode::AuthEmptyServers,
                vec![
                    (CHALLENGE_STATUS, Pass),
                    (BEARER_CHALLENGE, Pass),
                    (RESOURCE_METADATA, Pass),
                    (AUTHORIZATION_SERVERS, Fail),
                    (RESOURCE_MATCH, Pass),
                    (METADATA_URL_SAFE, Pass),
                ],
            ),
            (Mode::AuthIssuerMismatch, all_pass_but(ISSUER_MATCH, Fail)),
            (Mode::AuthNoS256, all_pass_but(PKCE_S256, Fail)),
            (Mode::AuthNotProtected, vec![(CHALLENGE_STATUS, Warn)]),
        ];
        for (mode, expected) in cases {
            let outcome = check(&server.url(mode)).await;
            assert_eq!(pairs(&outcome), expected, "{mode}: {:#?}", outcome.findings);
            let first_fail = outcome.findings.iter().find(|f| f.status == Fail);
            match (first_fail, &outcome.failure) {
                (None, None) => {}
                (Some(finding), Some(failure)) => {
                    assert_eq!(failure.code, FailureCode::AuthCheck, "{mode}");
                    assert_eq!(failure.details["check"], finding.check.as_str(), "{mode}");
                    assert_eq!(failure.message, finding.message, "{mode}");
                }
                other => panic!("{mode}: finding and failure disagree: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn findings_say_what_was_used() {
        let server = FixtureServer::start().await.unwrap();
        let base = format!("http://{}", server.addr());

        let ok = check(&server.url(Mode::AuthOk)).await;
        assert_eq!(ok.http_requests, 3, "POST, metadata, AS metadata");
        assert!(ok.failure.is_none());
        let find = |o: &AuthCheckOutcome, check: &str| {
            o.findings
                .iter()
                .find(|f| f.check == check)
                .cloned()
                .unwrap()
        };
        let rm = find(&ok, RESOURCE_METADATA);
        assert_eq!(
            rm.url.as_deref(),
            Some(format!("{base}/.well-known/oauth-protected-resource/auth_ok/mcp").as_str())
        );
        assert!(rm.message.contains("challenge"), "{}", rm.message);
        assert_eq!(
            find(&ok, AS_METADATA).url.as_deref(),
            Some(format!("{base}/.well-known/oauth-authorization-server/as/auth_ok").as_str())
        );

        let fallback = check(&server.url(Mode::AuthWellknownFallback)).await;
        assert!(find(&fallback, RESOURCE_METADATA)
            .message
            .contains("path-suffixed well-known URL"));

        let oidc = check(&server.url(Mode::AuthOidcOnly)).await;
        assert_eq!(oidc.http_requests, 5, "POST, metadata, three AS URLs");
        let asm = find(&oidc, AS_METADATA);
        assert_eq!(
            asm.url.as_deref(),
            Some(format!("{base}/as/auth_oidc_only/.well-known/openid-configuration").as_str())
        );
        assert!(
            asm.message.contains("path appending") && asm.message.contains("HTTP 404"),
            "{}",
            asm.message
        );

        let none = check(&server.url(Mode::AuthNoMetadata)).await;
        let rm = find(&none, RESOURCE_METADATA);
        assert!(
            rm.message
                .contains("/.well-known/oauth-protected-resource/auth_no_metadata/mcp → HTTP 404")
                && rm
                    .message
                    .contains("/.well-known/oauth-protected-resource → HTTP 404"),
            "{}",
            rm.message
        );
        let gets: Vec<String> = server
            .log()
            .into_iter()
            .filter(|r| r.mode == Mode::AuthNoMetadata && r.http_method == "GET")
            .map(|r| r.http_method)
            .collect();
        assert_eq!(gets.len(), 1, "the root URL is not a mode's path: {gets:?}");

        let issuer = check(&server.url(Mode::AuthIssuerMismatch)).await;
        assert!(find(&issuer, ISSUER_MATCH)
            .message
            .contains(&format!("\"{base}/as/elsewhere\"")));

        let bare = check(&server.url(Mode::AuthNotProtected)).await;
        assert_eq!(bare.http_requests, 2, "POST, then DELETE of the session");
        assert!(bare.failure.is_none());
        assert!(bare.findings[0].message.contains("not protected"));
    }

    #[tokio::test]
    async fn no_credentials_are_sent_and_other_headers_are_kept() {
        let server = FixtureServer::start().await.unwrap();
        let mut url = Url::parse(&server.url(Mode::AuthOk)).unwrap();
        url.set_username("user").unwrap();
        url.set_password(Some("pw")).unwrap();
        let t = target(
            url.as_str(),
            &[("Authorization", "Bearer canary-token"), ("X-Trace", "t1")],
        );
        let guard = AddressPolicy::for_target(t.url()).await;
        let outcome = check_auth(&client(), &client(), guard, &t, deadline()).await;
        assert!(outcome.failure.is_none(), "{:#?}", outcome.findings);
        let log = server.log();
        assert_eq!(log.len(), 3);
        for r in &log {
            assert_eq!(r.header("authorization"), None, "{}", r.http_method);
            let expected = (r.http_method == "POST").then_some("t1");
            assert_eq!(r.header("x-trace"), expected, "{}", r.http_method);
        }
        let json = serde_json::to_string(&outcome.findings).unwrap();
        assert!(!json.contains("canary") && !json.contains("pw@"), "{json}");
    }

    #[tokio::test]
    async fn transport_failures_are_findings() {
        // Nothing listens on the port of a listener that was closed.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let outcome = check(&format!("http://127.0.0.1:{port}/mcp")).await;
        assert_eq!(pairs(&outcome), vec![(CHALLENGE_STATUS, Fail)]);
        assert_eq!(outcome.http_requests, 1);
        let failure = outcome.failure.unwrap();
        assert_eq!(failure.code, FailureCode::ConnectRefused);
        assert_eq!(failure.details["check"], CHALLENGE_STATUS);
    }

    /// A server answering every request with `answer(path, host)`; stops when the task is
    /// aborted.
    async fn tiny_server<F>(answer: F) -> (String, tokio::task::JoinHandle<()>)
    where
        F: Fn(&str, &str) -> axum::response::Response + Clone + Send + Sync + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
                let answer = answer.clone();
                async move {
                    let host = headers
                        .get("host")
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    answer(uri.path(), &host)
                }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (base, task)
    }

    fn respond(
        status: u16,
        headers: &[(&'static str, String)],
        body: String,
    ) -> axum::response::Response {
        let mut resp = axum::response::Response::new(axum::body::Body::from(body));
        *resp.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
        for (name, value) in headers {
            resp.headers_mut()
                .insert(*name, axum::http::HeaderValue::from_str(value).unwrap());
        }
        resp
    }

    #[tokio::test]
    async fn metadata_urls_must_be_https_unless_loopback() {
        let (base, task) = tiny_server(|_, _| {
            let challenge = "Bearer resource_metadata=\"http://mcp.example.com/.well-known/\
                             oauth-protected-resource\", scope=\"x\"";
            respond(
                401,
                &[("www-authenticate", challenge.to_owned())],
                String::new(),
            )
        })
        .await;
        let outcome = check(&format!("{base}/mcp")).await;
        task.abort();
        assert_eq!(
            pairs(&outcome),
            vec![
                (CHALLENGE_STATUS, Pass),
                (BEARER_CHALLENGE, Pass),
                (METADATA_URL_SAFE, Fail)
            ]
        );
        assert_eq!(outcome.http_requests, 1, "the http URL is never fetched");
        assert_eq!(
            outcome.findings[2].url.as_deref(),
            Some("http://mcp.example.com/.well-known/oauth-protected-resource")
        );
        assert_eq!(outcome.failure.unwrap().details["check"], METADATA_URL_SAFE);
    }

    /// A server must not turn the check into a way into the network the probe runs in:
    /// link-local metadata URLs (cloud metadata services) are never fetched, private ones not
    /// from a target that is not private itself.
    #[tokio::test]
    async fn metadata_urls_may_not_lead_into_internal_networks() {
        for (metadata, why) in [
            (
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "169.254.169.254 is a link-local address (where cloud metadata services answer)",
            ),
            (
                "https://[fe80::1]/.well-known/oauth-protected-resource",
                "fe80::1 is a link-local address",
            ),
            (
                "https://10.0.0.7/.well-known/oauth-protected-resource",
                "10.0.0.7 is a private-network address, and the target is not",
            ),
            (
                "https://0.0.0.0/.well-known/oauth-protected-resource",
                "0.0.0.0 is an address no one fetches from",
            ),
        ] {
            let challenge = format!("Bearer resource_metadata=\"{metadata}\", scope=\"x\"");
            let (base, task) = tiny_server(move |_, _| {
                respond(
                    401,
                    &[("www-authenticate", challenge.clone())],
                    String::new(),
                )
            })
            .await;
            let outcome = check(&format!("{base}/mcp")).await;
            task.abort();
            assert_eq!(
                pairs(&outcome),
                vec![
                    (CHALLENGE_STATUS, Pass),
                    (BEARER_CHALLENGE, Pass),
                    (METADATA_URL_SAFE, Fail)
                ],
                "{metadata}"
            );
            assert_eq!(outcome.http_requests, 1, "{metadata} was fetched");
            assert!(
                outcome.findings[2].message.contains(why),
                "{metadata}: {}",
                outcome.findings[2].message
            );
        }
    }

    #[tokio::test]
    async fn redirects_are_followed_at_most_three_times() {
        let (base, task) = tiny_server(|path, host| {
            let redirect = |to: &str| respond(307, &[("location", to.to_owned())], String::new());
            match path {
                "/mcp" => respond(
                    401,
                    &[("www-authenticate", "Bearer scope=\"x\"".to_owned())],
                    String::new(),
                ),
                // The path-suffixed metadata: two redirects (one absolute), then the document.
                "/.well-known/oauth-protected-resource/mcp" => redirect("/moved1"),
                "/moved1" => redirect(&format!("http://{host}/moved2")),
                "/moved2" => respond(
                    200,
                    &[("content-type", "application/json".to_owned())],
                    json!({
                        "resource": format!("http://{host}/mcp"),
                        "authorization_servers": [format!("http://{host}/issuer")],
                    })
                    .to_string(),
                ),
                // The authorization server's RFC 8414 URL redirects forever.
                "/.well-known/oauth-authorization-server/issuer" => redirect("/loop/1"),
                p if p.starts_with("/loop/") => {
                    let n: u32 = p["/loop/".len()..].parse().unwrap_or(0);
                    redirect(&format!("/loop/{}", n + 1))
                }
                _ => respond(404, &[], String::new()),
            }
        })
        .await;
        let outcome = check(&format!("{base}/mcp")).await;
        task.abort();
        assert_eq!(
            pairs(&outcome),
            vec![
                (CHALLENGE_STATUS, Pass),
                (BEARER_CHALLENGE, Pass),
                (RESOURCE_METADATA, Pass),
                (AUTHORIZATION_SERVERS, Pass),
                (RESOURCE_MATCH, Pass),
                (AS_METADATA, Fail),
                (METADATA_URL_SAFE, Pass),
            ],
            "{:#?}",
            outcome.findings
        );
        let asm = &outcome.findings[5].message;
        assert!(
            asm.contains("/.well-known/oauth-authorization-server/issuer → more than 3 redirects")
                && asm.contains("/issuer/.well-known/openid-configuration → HTTP 404"),
            "{asm}"
        );
        // POST; metadata and 2 redirects; RFC 8414 URL and 3 redirects; 2 OpenID URLs.
        assert_eq!(outcome.http_requests, 1 + 3 + 4 + 2);
    }

    #[test]
    fn statuses_serialize_as_their_names() {
        for status in [Pass, Warn, Fail] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        let finding = AuthFinding {
            check: PKCE_S256.to_owned(),
            status: Fail,
            message: "m".to_owned(),
            url: None,
        };
        assert_eq!(
            serde_json::to_value(&finding).unwrap(),
            json!({"check": "pkce_s256", "status": "fail", "message": "m"})
        );
    }

    #[test]
    fn resources_match_by_origin_and_path() {
        let server = Url::parse("https://MCP.example.com:443/api/mcp?key=1").unwrap();
        for same in [
            "https://mcp.example.com/api/mcp",
            "HTTPS://mcp.EXAMPLE.com/api/mcp/",
            "https://mcp.example.com:443/api/mcp",
            "https://mcp.example.com/api/mcp?key=1",
        ] {
            assert_eq!(match_resource(same, &server), ResourceMatch::Same, "{same}");
        }
        for parent in ["https://mcp.example.com", "https://mcp.example.com/api/"] {
            assert_eq!(
                match_resource(parent, &server),
                ResourceMatch::Parent,
                "{parent}"
            );
        }
        for (different, why) in [
            ("http://mcp.example.com/api/mcp", "another origin"),
            ("https://mcp.example.com:8443/api/mcp", "another origin"),
            ("https://other.example.com/api/mcp", "another origin"),
            ("https://mcp.example.com/api/mcp2", "another path"),
            ("https://mcp.example.com/ap", "another path"),
            ("https://mcp.example.com/api/mcp/more", "another path"),
            (
                "https://mcp.example.com/api/mcp#x",
                "resource has a fragment",
            ),
            ("https://mcp.example.com/api/mcp?key=2", "another query"),
            ("mcp.example.com/api/mcp", "resource is not an absolute URL"),
        ] {
            assert_eq!(
                match_resource(different, &server),
                ResourceMatch::Different(why.to_owned()),
                "{different}"
            );
        }
    }

    fn urls(list: Vec<(Url, &'static str)>) -> Vec<String> {
        list.into_iter().map(|(u, _)| u.to_string()).collect()
    }

    #[test]
    fn well_known_urls_are_built_in_the_spec_order() {
        let tenant = Url::parse("https://as.example/tenant1").unwrap();
        assert_eq!(
            urls(authorization_server_urls(&tenant)),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration",
            ]
        );
        let trailing = Url::parse("https://as.example:8443/a/b/").unwrap();
        assert_eq!(
            urls(authorization_server_urls(&trailing))[0],
            "https://as.example:8443/.well-known/oauth-authorization-server/a/b"
        );
        for root in ["https://as.example", "https://as.example/"] {
            assert_eq!(
                urls(authorization_server_urls(&Url::parse(root).unwrap())),
                [
                    "https://as.example/.well-known/oauth-authorization-server",
                    "https://as.example/.well-known/openid-configuration",
                ]
            );
        }
        let server = Url::parse("https://u:p@example.com/public/mcp?key=s#f").unwrap();
        assert_eq!(
            urls(protected_resource_urls(&server)),
            [
                "https://example.com/.well-known/oauth-protected-resource/public/mcp",
                "https://example.com/.well-known/oauth-protected-resource",
            ]
        );
        let at_root = Url::parse("https://example.com/").unwrap();
        assert_eq!(
            urls(protected_resource_urls(&at_root)),
            ["https://example.com/.well-known/oauth-protected-resource"]
        );
    }

    #[test]
    fn only_https_or_loopback_is_safe() {
        for ok in [
            "https://as.example/x",
            "http://127.0.0.1:8080/x",
            "http://127.9.9.9/x",
            "http://[::1]:1/x",
            "http://localhost/x",
            "http://LOCALHOST:3000/x",
        ] {
            assert_eq!(unsafe_reason(&Url::parse(ok).unwrap()), None, "{ok}");
        }
        for bad in [
            "http://as.example/x",
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "ftp://as.example/x",
            "file:///etc/passwd",
        ] {
            assert!(unsafe_reason(&Url::parse(bad).unwrap()).is_some(), "{bad}");
        }
    }
}
