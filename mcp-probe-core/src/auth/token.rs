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

use std::time::Duration;

use reqwest::header::HeaderValue;
use tokio::time::Instant;
use url::Url;

use crate::clock::Clock;
use crate::error::Error;
use crate::http::dns::AddressPolicy;
use crate::http::target::Target;
use crate::model::{AuthFacts, Failure, FailureCode};
use crate::urls::redact_url;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::code_flow::{obtain, Reach, Start, Tally};
use super::credentials::Credentials;
use super::discovery::discover_token_endpoint;
use super::refresh::{refresh, Refresh};
use super::registration::Registrations;
use super::token_request::{request_token, Token};
use crate::model::OAuthFlow;
use serde_json::{Map, Value};
use std::sync::Arc;

/// How long a token the server gave no `expires_in` for is reused.
pub(crate) const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

/// A cached token is not used in the last 30 seconds of its life.
pub(crate) const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// How long a refresh token is kept after its access token expired, unused.
pub(crate) const REFRESH_KEEP: Duration = Duration::from_secs(30 * 24 * 3600);

/// Most step-ups (re-authorizations on `403 insufficient_scope`) in one probe.
pub(crate) const MAX_STEP_UPS: u32 = 2;

/// Most tokens one prober keeps.
const MAX_CACHED_TOKENS: usize = 1000;

/// Tokens a prober got, reused by its later probes.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, CachedToken>>,
    /// Clients registered dynamically (authorization-code flow).
    registrations: Registrations,
}

#[derive(Debug, Clone)]
struct CachedToken {
    header: HeaderValue,
    endpoint: String,
    usable_until: Instant,
    /// How to get the next token without a person, when the server issued a refresh token.
    refresh: Option<Arc<Refresh>>,
}

impl CachedToken {
    /// Whether the entry is worth keeping at `now`: its token is usable, or it can be
    /// refreshed.
    fn alive(&self, now: Instant) -> bool {
        now < self.usable_until
            || (self.refresh.is_some()
                && self
                    .usable_until
                    .checked_add(REFRESH_KEEP)
                    .is_some_and(|until| now < until))
    }
}

/// What the cache holds for a key.
enum Lookup {
    Usable(CachedToken),
    /// The token expired; a refresh token is there.
    Refresh(Arc<Refresh>),
    Miss,
}

/// What a step-up starts from: the server's challenges (its `WWW-Authenticate` on a 401 or
/// 403) and the scope asked for before.
#[derive(Debug)]
pub(crate) struct StepUp {
    pub(crate) challenges: Vec<Map<String, Value>>,
    pub(crate) previous_scope: Option<String>,
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
    /// The scope the authorization-code flow asked for (a step-up adds to it).
    scope: Option<String>,
    /// Values learnt while getting the token (registered client secrets, authorization
    /// codes, PKCE verifiers, refresh tokens), scrubbed from the report.
    learnt: Vec<String>,
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
        self.learnt.extend(fresh.learnt);
        if fresh.scope.is_some() {
            self.scope = fresh.scope;
        }
        fresh.failure
    }

    /// The scope asked for so far (authorization-code flow).
    pub(crate) fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Adds the values learnt while getting the token to `out`.
    pub(crate) fn collect_secrets(&self, out: &mut crate::scrub::Secrets) {
        self.learnt.iter().for_each(|v| out.add(v));
    }
}

/// Whether `failure` is the MCP server refusing the bearer token (401).
pub(crate) fn token_refused(failure: &Failure) -> bool {
    failure.code == FailureCode::AuthRequired && failure.http_status() == Some(401)
}

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedToken>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, key: &str) -> Lookup {
        let mut entries = self.lock();
        let now = Instant::now();
        match entries.get(key) {
            Some(c) if now < c.usable_until => Lookup::Usable(c.clone()),
            Some(c) if c.alive(now) => match &c.refresh {
                Some(r) => Lookup::Refresh(Arc::clone(r)),
                None => Lookup::Miss,
            },
            Some(_) => {
                entries.remove(key);
                Lookup::Miss
            }
            None => Lookup::Miss,
        }
    }

    fn store(&self, key: &str, token: CachedToken) {
        let mut entries = self.lock();
        if entries.len() >= MAX_CACHED_TOKENS && !entries.contains_key(key) {
            let now = Instant::now();
            entries.retain(|_, c| c.alive(now));
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
                scope: None,
                learnt: Vec::new(),
            }
        };
        match credentials.flow {
            OAuthFlow::AuthorizationCode => facts.method = "authorization_code".to_owned(),
            OAuthFlow::JwtBearer => facts.method = "jwt_bearer".to_owned(),
            OAuthFlow::ClientCredentials => {}
        }
        if use_cache {
            match self.get(&credentials.key) {
                Lookup::Usable(cached) => {
                    target.set_authorization(cached.header);
                    facts.token_endpoint = Some(cached.endpoint);
                    facts.cached = true;
                    return Ok(finish(facts, None, true));
                }
                Lookup::Refresh(grant) => {
                    facts.method = "refresh_token".to_owned();
                    let shown = redact_url(&grant.endpoint);
                    facts.token_endpoint = Some(shown.clone());
                    let http = other_client(&grant.endpoint, grant.guard)?;
                    facts.requests = facts.requests.saturating_add(1);
                    let deadline = clock.request_deadline();
                    match refresh(&http, &grant, &deadline).await {
                        Ok(token) => {
                            let next = grant.rotated(&token);
                            let mut phase = finish(facts, None, false);
                            phase.learnt.push(next.token.expose().to_owned());
                            self.keep_with(credentials, &token, shown, Some(next));
                            target.set_authorization(token.header);
                            return Ok(phase);
                        }
                        // The grant is gone (revoked, expired): authorize again.
                        Err(_) => {
                            self.forget(credentials);
                            facts.method = "authorization_code".to_owned();
                        }
                    }
                }
                Lookup::Miss => {}
            }
        }
        if credentials.flow == OAuthFlow::AuthorizationCode {
            let start = Start {
                challenges: None,
                extra_scope: None,
            };
            let mut phase = self
                .code_flow(credentials, target, client, clock, start, &other_client)
                .await?;
            // A refresh tried first (and refused) counts too.
            phase.facts.requests = phase.facts.requests.saturating_add(facts.requests);
            phase.facts.duration_ms = started.elapsed().as_micros() as f64 / 1000.0;
            return Ok(phase);
        }
        let found = token_endpoint(credentials, target, client, clock, &other_client).await?;
        facts.requests = facts.requests.saturating_add(found.requests);
        let (endpoint, guard) = match found.endpoint {
            Ok(found) => found,
            Err(f) => return Ok(finish(facts, Some(discovery_failure(f)), false)),
        };
        let shown = redact_url(&endpoint);
        facts.token_endpoint = Some(shown.clone());
        let token_client = other_client(&endpoint, guard)?;
        facts.requests = facts.requests.saturating_add(1);
        let deadline = clock.request_deadline();
        let audience = found.issuer.unwrap_or_else(|| endpoint.to_string());
        let mut assertions = Vec::new();
        let requested = request_token(
            &token_client,
            &endpoint,
            &audience,
            credentials,
            &deadline,
            &mut assertions,
        )
        .await;
        let failure = match requested {
            Ok(token) => {
                self.keep(credentials, &token, shown);
                target.set_authorization(token.header);
                None
            }
            Err(f) => Some(f.with("stage", "token_request")),
        };
        let mut phase = finish(facts, failure, false);
        phase.learnt.extend(assertions);
        Ok(phase)
    }

    /// Re-authorizes with the authorization-code flow after the server's 401 or 403: discovery
    /// starts from its challenges, and the scope is the one selected from them plus the scope
    /// asked for before. The token replaces the cached one and goes into `target`.
    pub(crate) async fn step_up<F>(
        &self,
        credentials: &Credentials,
        target: &mut Target,
        client: &reqwest::Client,
        clock: &Clock,
        challenge: StepUp,
        other_client: F,
    ) -> Result<TokenPhase, Error>
    where
        F: Fn(&Url, Option<AddressPolicy>) -> Result<reqwest::Client, Error>,
    {
        let started = Instant::now();
        let start = Start {
            challenges: Some(challenge.challenges),
            extra_scope: Some(challenge.previous_scope.as_deref().unwrap_or("")),
        };
        let mut phase = self
            .code_flow(credentials, target, client, clock, start, &other_client)
            .await?;
        phase.facts.duration_ms = started.elapsed().as_micros() as f64 / 1000.0;
        Ok(phase)
    }

    /// One run of the authorization-code flow; the token (if any) goes into `target` and the
    /// cache.
    async fn code_flow<F>(
        &self,
        credentials: &Credentials,
        target: &mut Target,
        client: &reqwest::Client,
        clock: &Clock,
        start: Start<'_>,
        other_client: &F,
    ) -> Result<TokenPhase, Error>
    where
        F: Fn(&Url, Option<AddressPolicy>) -> Result<reqwest::Client, Error>,
    {
        let mut facts = AuthFacts {
            method: "authorization_code".to_owned(),
            token_endpoint: None,
            cached: false,
            requests: 0,
            duration_ms: 0.0,
        };
        let guard = AddressPolicy::for_target(target.url()).await;
        let http = other_client(target.url(), Some(guard))?;
        let mut tally = Tally::default();
        let reach = Reach {
            target,
            client,
            http: &http,
            guard,
            registrations: &self.registrations,
        };
        let result = obtain(credentials, &reach, clock, start, &mut tally).await;
        facts.requests = facts.requests.saturating_add(tally.requests);
        let mut scope = None;
        let failure = match result {
            Ok(Some(obtained)) => {
                let shown = redact_url(&obtained.token_endpoint);
                facts.token_endpoint = Some(shown.clone());
                if obtained.refreshed {
                    facts.method = "refresh_token".to_owned();
                }
                self.keep_with(credentials, &obtained.token, shown, obtained.refresh);
                target.set_authorization(obtained.token.header);
                scope = obtained.scope;
                None
            }
            // The server lets the probe in without a token (for now).
            Ok(None) => None,
            Err(f) => Some(flow_failure(f)),
        };
        Ok(TokenPhase {
            facts,
            failure,
            from_cache: false,
            scope,
            learnt: tally.secrets,
        })
    }

    /// Caches a token the endpoint issued until [`EXPIRY_MARGIN`] before it expires.
    fn keep(&self, credentials: &Credentials, token: &Token, endpoint: String) {
        self.keep_with(credentials, token, endpoint, None);
    }

    /// [`TokenCache::keep`], with the grant that refreshes it.
    fn keep_with(
        &self,
        credentials: &Credentials,
        token: &Token,
        endpoint: String,
        refresh: Option<Refresh>,
    ) {
        let now = Instant::now();
        let usable_until = match token.expires_in {
            Some(lifetime) => lifetime
                .checked_sub(EXPIRY_MARGIN)
                .filter(|left| !left.is_zero())
                .and_then(|left| now.checked_add(left)),
            None => now.checked_add(DEFAULT_LIFETIME),
        };
        // A token too short-lived to reuse is still worth its refresh token.
        let usable_until = usable_until.or_else(|| refresh.as_ref().map(|_| now));
        if let Some(usable_until) = usable_until {
            self.store(
                &credentials.key,
                CachedToken {
                    header: token.header.clone(),
                    endpoint,
                    usable_until,
                    refresh: refresh.map(Arc::new),
                },
            );
        }
    }
}

/// Where the token request goes, and the HTTP requests it took to find out.
struct FoundEndpoint {
    /// The endpoint and the guard for a client to it, or why discovery found none.
    endpoint: Result<(Url, Option<AddressPolicy>), Failure>,
    /// The authorization server's issuer, when discovery found it.
    issuer: Option<String>,
    requests: u32,
}

/// The token endpoint: the one the user named, trusted, or the one discovered, which may lead
/// only where the target is. `Err` only when the discovery client cannot be made.
async fn token_endpoint<F>(
    credentials: &Credentials,
    target: &Target,
    client: &reqwest::Client,
    clock: &Clock,
    other_client: &F,
) -> Result<FoundEndpoint, Error>
where
    F: Fn(&Url, Option<AddressPolicy>) -> Result<reqwest::Client, Error>,
{
    if let Some(url) = &credentials.token_url {
        return Ok(FoundEndpoint {
            endpoint: Ok((url.clone(), None)),
            issuer: None,
            requests: 0,
        });
    }
    let guard = AddressPolicy::for_target(target.url()).await;
    let metadata = other_client(target.url(), Some(guard))?;
    let found =
        discover_token_endpoint(client, &metadata, guard, target, clock.request_deadline()).await;
    Ok(FoundEndpoint {
        endpoint: found.endpoint.map(|url| (url, Some(guard))),
        issuer: found.issuer,
        requests: found.http_requests,
    })
}

/// A failure of the authorization-code flow as the probe reports it: the checks'
/// `auth_check` (discovery refused what it found) becomes `auth_token`.
fn flow_failure(f: Failure) -> Failure {
    if f.code != FailureCode::AuthCheck {
        return f;
    }
    let mut out = Failure::new(
        FailureCode::AuthToken,
        format!("OAuth discovery refused to go on: {}", f.message),
    );
    out.details = f.details;
    out.with("stage", "discovery")
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
