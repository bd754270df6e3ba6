//! How a client without credentials finds a protected server's authorization server: the
//! 401 challenge, the protected resource metadata, the authorization server's metadata — and
//! from there the token endpoint.

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Response, StatusCode};
use serde_json::{json, Map, Value};
use url::Url;

use crate::clock::Deadline;
use crate::http::answer::status_failure;
use crate::http::dns::AddressPolicy;
use crate::http::send::send_before;
use crate::http::target::Target;
use crate::jsonrpc;
use crate::model::AuthCheck;
use crate::model::{AuthFinding, Failure, FailureCode, FindingStatus};
use crate::text::truncate;
use crate::urls::{redact_url, strip_credentials, unsafe_reason};

use super::checker::*;
use super::well_known::{authorization_server_urls, protected_resource_urls};
use crate::http::challenge::challenges;
use crate::urls::http_url;
use crate::urls::shown_text;

/// What [`discover_token_endpoint`] found.
#[derive(Debug)]
pub(crate) struct TokenEndpointDiscovery {
    /// The token endpoint, or why there is none: the first `fail` finding of the checks a
    /// client makes on the way (code `auth_check`, `details.check` names it; a `details.check`
    /// of `token_endpoint` when the metadata names no usable one, `not_protected` when the
    /// server answered without asking for credentials), or the transport failure when the
    /// server could not be asked.
    pub(crate) endpoint: Result<Url, Failure>,
    /// The authorization server's `issuer` (as its metadata names it), when found.
    pub(crate) issuer: Option<String>,
    /// HTTP requests made.
    pub(crate) http_requests: u32,
}

/// What discovery found on the way to the authorization server's metadata.
#[derive(Debug)]
pub(crate) struct Discovered {
    /// The authorization server's metadata (its `issuer` checked).
    pub(crate) as_metadata: Map<String, Value>,
    /// Where that metadata was read.
    pub(crate) as_metadata_url: Url,
    /// The issuer as the protected resource metadata lists it.
    pub(crate) issuer: String,
    /// The protected resource metadata (its `resource` checked against the server URL).
    pub(crate) resource_metadata: Map<String, Value>,
    /// The `scope` parameter of the 401's Bearer challenge, if any.
    pub(crate) challenge_scope: Option<String>,
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
    let issuer = found.as_ref().map(|found| {
        found
            .as_metadata
            .get("issuer")
            .and_then(Value::as_str)
            .map_or_else(|| found.issuer.clone(), str::to_owned)
    });
    let endpoint = match (checker.failure.take(), found) {
        (Some(failure), _) => Err(failure),
        (None, None) => Err(not_protected()),
        (None, Some(found)) => {
            let (metadata, metadata_url) = (found.as_metadata, found.as_metadata_url);
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
                .with_check(AuthCheck::TokenEndpoint)
                .with("url", redact_url(&metadata_url))),
                Some((text, None)) => Err(Failure::new(
                    FailureCode::AuthCheck,
                    format!(
                        "the authorization server's token_endpoint {} is not an absolute \
                         http(s) URL",
                        shown_text(text)
                    ),
                )
                .with_check(AuthCheck::TokenEndpoint)
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
                        .with_check(AuthCheck::MetadataUrlSafe)
                        .with("url", redact_url(&url))),
                    }
                }
            }
        }
    };
    TokenEndpointDiscovery {
        endpoint,
        issuer,
        http_requests: checker.requests,
    }
}

/// Finds the authorization server the way an MCP client does, for a flow that needs more
/// than its token endpoint (the authorization-code flow): the same checks as
/// [`discover_token_endpoint`], every `fail` finding a refusal. Also returns the HTTP
/// requests made.
///
/// `challenges`: the `WWW-Authenticate` challenges of a 401 or 403 the server already sent;
/// without them discovery starts with an `initialize` without credentials.
pub(crate) async fn discover_authorization_server(
    client: &reqwest::Client,
    metadata: &reqwest::Client,
    guard: AddressPolicy,
    target: &Target,
    deadline: Deadline,
    challenges: Option<Vec<Map<String, Value>>>,
) -> (Result<Discovered, Failure>, u32) {
    let mut checker = Checker::new(client, metadata, guard, deadline);
    let mut found = match challenges {
        Some(challenges) => checker.discover_from(target, challenges).await,
        None => checker.discover(target).await,
    };
    if found.is_none() && checker.no_resource_metadata {
        found = checker.legacy_discovery(target.url()).await;
        checker.failure = None;
    }
    let result = match (checker.failure.take(), found) {
        (Some(failure), _) => Err(failure),
        (None, None) => Err(not_protected()),
        (None, Some(found)) => Ok(found),
    };
    (result, checker.requests)
}

/// How the server answered an `initialize` without credentials.
enum Asked {
    /// With a 401 (or a 403): the challenge checks go on.
    Challenged,
    /// With a success: the server is not protected.
    Unprotected,
    /// Otherwise: the checks end here.
    Stop,
}

/// The body of an `initialize` as a client without credentials sends it.
fn initialize_body() -> Vec<u8> {
    serde_json::to_vec(&jsonrpc::request(
        1,
        "initialize",
        Some(json!({
            "protocolVersion": crate::model::LATEST_HANDSHAKE_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcp-probe", "version": env!("CARGO_PKG_VERSION")},
        })),
    ))
    .unwrap_or_default()
}

/// Where a redirect leads (redacted), or its `Location` as sent when it is no URL.
fn redirect_target(resp: &Response, url: &Url) -> Option<String> {
    resp.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| match url.join(l) {
            Ok(u) => redact_url(&u),
            Err(_) => truncate(l, 200),
        })
}

/// A challenge parameter's value, trimmed, when it is a non-empty string.
fn challenge_param(challenge: &Map<String, Value>, name: &str) -> Option<String> {
    challenge
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl<'a> Checker<'a> {
    /// What a client does before it can ask for a token: the checks up to the authorization
    /// server's metadata and its issuer. Returns what was found when the metadata was.
    pub(super) async fn discover(&mut self, target: &Target) -> Option<Discovered> {
        let challenges = self.challenge(target).await?;
        self.discover_from(target, challenges).await
    }

    /// [`Checker::discover`] from challenges the server already sent (a 401 or 403 to a
    /// request of the probe).
    pub(super) async fn discover_from(
        &mut self,
        target: &Target,
        challenges: Vec<Map<String, Value>>,
    ) -> Option<Discovered> {
        let bearer = self.bearer_challenge(&challenges, target.url());
        let challenge_scope = bearer.as_ref().and_then(|b| challenge_param(b, "scope"));
        let (metadata, metadata_url) = self.resource_metadata(target, bearer.as_ref()).await?;
        let server = self.authorization_servers(&metadata);
        self.resource_match(&metadata, target.url(), &metadata_url);
        let (issuer, issuer_url) = server?;
        if !self.learn(&issuer_url) {
            return None;
        }
        let (as_metadata, as_metadata_url) = self.as_metadata(&issuer_url).await?;
        self.issuer_match(&as_metadata, &issuer, &as_metadata_url);
        Some(Discovered {
            as_metadata,
            as_metadata_url,
            issuer,
            resource_metadata: metadata,
            challenge_scope,
        })
    }

    /// `challenge_status`: an `initialize` without credentials. Returns the challenges when
    /// the checks go on.
    pub(super) async fn challenge(&mut self, target: &Target) -> Option<Vec<Map<String, Value>>> {
        const WHAT: &str = "initialize without credentials";
        let mut url = target.url().clone();
        strip_credentials(&mut url);
        let mut headers = target.headers().clone();
        headers.remove(AUTHORIZATION);
        let rb = self
            .client
            .post(url.clone())
            .headers(headers.clone())
            .header(ACCEPT, "application/json, text/event-stream")
            .header(CONTENT_TYPE, "application/json")
            .body(initialize_body());
        let resp = match self.send(rb, WHAT).await {
            Ok(resp) => resp,
            Err(failure) => {
                self.not_asked(&url, failure);
                return None;
            }
        };
        let status = resp.status();
        let refused = status.is_client_error()
            && status != StatusCode::UNAUTHORIZED
            && status != StatusCode::FORBIDDEN;
        if status.is_server_error() || refused {
            // The server, or a gateway before it, failed (5xx), or refused the request for
            // something other than credentials (a wrong path's 404, 429, 400): nothing about
            // its authorization can be learnt, and the failure is the HTTP one a probe without
            // OAuth reports, not an authorization failure.
            let failure = status_failure(resp, false, WHAT, &self.deadline).await;
            self.not_asked(&url, failure);
            return None;
        }
        match self.challenge_status(&resp, &url) {
            Asked::Challenged => Some(challenges(resp.headers())),
            Asked::Unprotected => {
                self.end_session(resp, url, headers).await;
                None
            }
            Asked::Stop => None,
        }
    }

    /// Records that the server could not be asked at all, or failed when asked (HTTP 5xx, or
    /// 4xx other than 401 and 403): `failure` is the probe's failure as it is, its code kept.
    fn not_asked(&mut self, url: &Url, failure: Failure) {
        let verb = if failure.http_status().is_some() {
            "failed"
        } else {
            "could not be asked"
        };
        let message = format!("{} {verb}: {}", redact_url(url), failure.message);
        self.findings.push(AuthFinding {
            check: AuthCheck::ChallengeStatus.to_owned(),
            status: FindingStatus::Fail,
            message,
            url: Some(redact_url(url)),
        });
        if self.failure.is_none() {
            self.failure = Some(failure.with_check(AuthCheck::ChallengeStatus));
        }
    }

    /// Judges the status the `initialize` without credentials was answered with.
    fn challenge_status(&mut self, resp: &Response, url: &Url) -> Asked {
        let status = resp.status();
        let code = status.as_u16();
        let reason = status.canonical_reason().unwrap_or("");
        match code {
            401 => self.pass(
                AuthCheck::ChallengeStatus,
                "an initialize without credentials was answered 401 Unauthorized".to_owned(),
                Some(url),
            ),
            403 => self.fail(
                AuthCheck::ChallengeStatus,
                "an initialize without credentials was answered 403 Forbidden instead of \
                 401 Unauthorized (403 is for insufficient scope)"
                    .to_owned(),
                Some(url),
            ),
            200..=299 => {
                self.warn(
                    AuthCheck::ChallengeStatus,
                    format!(
                        "not protected: an initialize without credentials was answered HTTP \
                         {code} {reason}; the authorization checks were skipped"
                    ),
                    Some(url),
                );
                return Asked::Unprotected;
            }
            300..=399 => {
                self.fail(
                    AuthCheck::ChallengeStatus,
                    format!(
                        "an initialize without credentials was answered HTTP {code} {reason} \
                         (a redirect to {}) instead of 401 Unauthorized",
                        redirect_target(resp, url)
                            .as_deref()
                            .unwrap_or("no Location")
                    ),
                    Some(url),
                );
                return Asked::Stop;
            }
            _ => {
                self.fail(
                    AuthCheck::ChallengeStatus,
                    format!(
                        "an initialize without credentials was answered HTTP {code} {reason} \
                         instead of 401 Unauthorized"
                    ),
                    Some(url),
                );
                return Asked::Stop;
            }
        }
        Asked::Challenged
    }

    /// An unprotected server may have opened a session for the probe: end it.
    pub(super) async fn end_session(&mut self, resp: Response, url: Url, headers: HeaderMap) {
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
        let _ = send_before(rb, &budget).await;
    }

    /// `bearer_challenge`: the Bearer challenge, if there is one.
    pub(super) fn bearer_challenge(
        &mut self,
        challenges: &[Map<String, Value>],
        server: &Url,
    ) -> Option<Map<String, Value>> {
        let mut server = server.clone();
        strip_credentials(&mut server);
        let bearer = self.find_bearer(challenges, &server)?;
        if bearer.contains_key("token") {
            self.fail(
                AuthCheck::BearerChallenge,
                "the Bearer challenge is not well-formed: it carries a bare token where RFC \
                 6750 allows only name=value parameters"
                    .to_owned(),
                Some(&server),
            );
            return Some(bearer);
        }
        self.judge_bearer(&bearer, &server);
        Some(bearer)
    }

    /// The first Bearer challenge; a `bearer_challenge` failure when there is none.
    fn find_bearer(
        &mut self,
        challenges: &[Map<String, Value>],
        server: &Url,
    ) -> Option<Map<String, Value>> {
        if challenges.is_empty() {
            self.fail(
                AuthCheck::BearerChallenge,
                "the 401 has no WWW-Authenticate header (RFC 9110 requires one; MCP clients \
                 read the Bearer challenge from it)"
                    .to_owned(),
                Some(server),
            );
            return None;
        }
        let scheme = |c: &Map<String, Value>| {
            c.get("scheme")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let bearer = challenges
            .iter()
            .find(|c| scheme(c).eq_ignore_ascii_case("bearer"))
            .cloned();
        if bearer.is_none() {
            let offered: Vec<String> = challenges.iter().map(scheme).collect();
            self.fail(
                AuthCheck::BearerChallenge,
                format!(
                    "WWW-Authenticate offers {} but no Bearer challenge (OAuth 2.1, RFC 6750)",
                    offered.join(", ")
                ),
                Some(server),
            );
        }
        bearer
    }

    /// Judges a well-formed Bearer challenge by its parameters.
    fn judge_bearer(&mut self, bearer: &Map<String, Value>, server: &Url) {
        let metadata_note = if challenge_param(bearer, "resource_metadata").is_some() {
            "with resource_metadata"
        } else {
            "without resource_metadata (clients fall back to the well-known URLs)"
        };
        let error_note = match challenge_param(bearer, "error") {
            Some(error) => format!(
                "; it names error={} although the request carried no credentials (RFC 6750 \
                 says it should not)",
                truncate(&error, 40)
            ),
            None => String::new(),
        };
        match challenge_param(bearer, "scope") {
            Some(scope) => self.pass(
                AuthCheck::BearerChallenge,
                format!(
                    "Bearer challenge with scope=\"{}\", {metadata_note}{error_note}",
                    truncate(&scope, 100)
                ),
                Some(server),
            ),
            None => self.warn(
                AuthCheck::BearerChallenge,
                format!(
                    "Bearer challenge without scope (MCP 2025-11-25: servers SHOULD name the \
                     scopes a request needs), {metadata_note}{error_note}"
                ),
                Some(server),
            ),
        }
    }

    /// `resource_metadata`: the protected resource metadata, from the challenge or the
    /// well-known URLs.
    pub(super) async fn resource_metadata(
        &mut self,
        target: &Target,
        bearer: Option<&Map<String, Value>>,
    ) -> Option<(Map<String, Value>, Url)> {
        let from_challenge = bearer
            .and_then(|b| b.get("resource_metadata"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty());
        match from_challenge {
            Some(raw) => self.metadata_from_challenge(raw).await,
            None => self.metadata_from_well_known(target.url()).await,
        }
    }

    /// The protected resource metadata at the challenge's `resource_metadata` URL.
    async fn metadata_from_challenge(&mut self, raw: &str) -> Option<(Map<String, Value>, Url)> {
        let Some(url) = http_url(raw) else {
            self.fail(
                AuthCheck::ResourceMetadata,
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
        match self.fetch_json(url.clone()).await {
            Ok(doc) => {
                self.pass(
                    AuthCheck::ResourceMetadata,
                    "protected resource metadata read from the challenge's resource_metadata URL"
                        .to_owned(),
                    Some(&url),
                );
                Some((doc, url))
            }
            Err(FetchError::Refused) => None,
            Err(e) => {
                self.record(
                    AuthCheck::ResourceMetadata,
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
        }
    }

    /// The protected resource metadata at the well-known URLs, tried in the spec's order.
    async fn metadata_from_well_known(
        &mut self,
        server: &Url,
    ) -> Option<(Map<String, Value>, Url)> {
        let candidates = protected_resource_urls(server);
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
                        AuthCheck::ResourceMetadata,
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
            AuthCheck::ResourceMetadata,
            FindingStatus::Fail,
            format!(
                "no resource_metadata in the challenge and no protected resource metadata at \
                 the well-known URLs: {}",
                misses.join("; ")
            ),
            candidates.first().map(|(u, _)| u),
            cause,
        );
        self.no_resource_metadata = !self.refused;
        None
    }

    /// The 2025-03-26 way, for a server without protected resource metadata: the
    /// authorization server is the server's origin, its metadata at the RFC 8414 well-known
    /// URL there, else its endpoints at `/authorize`, `/token` and `/register` of that origin
    /// (that revision required PKCE with S256 of every server, so S256 is assumed).
    async fn legacy_discovery(&mut self, server: &Url) -> Option<Discovered> {
        let mut origin = server.clone();
        strip_credentials(&mut origin);
        origin.set_path("/");
        origin.set_query(None);
        origin.set_fragment(None);
        let issuer = origin.as_str().trim_end_matches('/').to_owned();
        let (as_metadata, as_metadata_url) = match self.as_metadata(&origin).await {
            Some(found) => found,
            None => {
                let at = |path: &str| Value::String(format!("{issuer}{path}"));
                let mut defaults = Map::new();
                defaults.insert("issuer".into(), Value::String(issuer.clone()));
                defaults.insert("authorization_endpoint".into(), at("/authorize"));
                defaults.insert("token_endpoint".into(), at("/token"));
                defaults.insert("registration_endpoint".into(), at("/register"));
                defaults.insert("code_challenge_methods_supported".into(), json!(["S256"]));
                (defaults, origin.clone())
            }
        };
        Some(Discovered {
            as_metadata,
            as_metadata_url,
            issuer,
            resource_metadata: Map::new(),
            challenge_scope: None,
        })
    }

    /// `authorization_servers`: the first listed authorization server (as written, parsed).
    pub(super) fn authorization_servers(
        &mut self,
        metadata: &Map<String, Value>,
    ) -> Option<(String, Url)> {
        let list = match metadata.get("authorization_servers") {
            Some(Value::Array(list)) if !list.is_empty() => list,
            Some(Value::Array(_)) => {
                self.fail(
                    AuthCheck::AuthorizationServers,
                    "authorization_servers is empty; MCP requires at least one".to_owned(),
                    None,
                );
                return None;
            }
            Some(other) => {
                self.fail(
                    AuthCheck::AuthorizationServers,
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
                    AuthCheck::AuthorizationServers,
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
                AuthCheck::AuthorizationServers,
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
            AuthCheck::AuthorizationServers,
            format!("{listed}: {}", redact_url(&url)),
            Some(&url),
        );
        Some((text.to_owned(), url))
    }

    /// `as_metadata`: the authorization server's metadata, trying the URLs in the spec's order.
    pub(super) async fn as_metadata(&mut self, issuer: &Url) -> Option<(Map<String, Value>, Url)> {
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
                        AuthCheck::AsMetadata,
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
            AuthCheck::AsMetadata,
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
}

/// The failure when the server let an unauthenticated `initialize` through: it names no
/// authorization server to ask for a token.
fn not_protected() -> Failure {
    Failure::new(
        FailureCode::AuthCheck,
        "the server answered an initialize without credentials, so it names no \
         authorization server to ask for a token",
    )
    .with_check(AuthCheck::NotProtected)
}
