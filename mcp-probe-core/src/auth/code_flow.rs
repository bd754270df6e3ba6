//! The headless authorization-code flow with PKCE (OAuth 2.1 §4.1, as MCP asks for it):
//! discovery, scope selection, the client, the authorization request and its response, then
//! the code exchanged at the token endpoint.
//!
//! Scope: the `scope` the user gave, else the 401 challenge's `scope`, else the protected
//! resource metadata's `scopes_supported`, else none; plus `offline_access` when the
//! authorization server lists it in its `scopes_supported` (SEP-2207), so the grant can be
//! refreshed. `resource` (RFC 8707): the one the user gave, else the protected resource
//! metadata's `resource` as published (discovery refuses one that does not match the server
//! URL).

use serde_json::{Map, Value};
use url::Url;

use crate::clock::Clock;
use crate::http::dns::AddressPolicy;
use crate::http::target::{Secret, Target};
use crate::model::{AuthCheck, Failure, FailureCode};

use super::authorization::{authorize, Issuer, Request};
use super::credentials::Credentials;
use super::discovery::discover_authorization_server;
use super::pkce::{random_text, Pkce};
use super::refresh::{refresh, Refresh};
use super::registration::{endpoint, Registrations};
use super::token_request::{send_grant, Grant, Token};

/// What the flow got.
pub(super) struct Obtained {
    pub(super) token: Token,
    pub(super) token_endpoint: Url,
    /// The scope asked for (a step-up adds to it).
    pub(super) scope: Option<String>,
    /// How to refresh the token, when the answer carried a refresh token.
    pub(super) refresh: Option<Refresh>,
    /// Whether the token came from refreshing a grant the user gave (no authorization).
    pub(super) refreshed: bool,
}

/// The HTTP requests the flow made, and values it learnt that must never be shown.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) requests: u32,
    pub(super) secrets: Vec<String>,
}

/// The `auth_token` failure of a stage.
fn failure(stage: &'static str, message: String) -> Failure {
    Failure::new(FailureCode::AuthToken, message).with("stage", stage)
}

/// Where the flow runs: the target, the probe's client for it, and the client for URLs learnt
/// from the server, which connects only where `guard` allows.
pub(super) struct Reach<'a> {
    pub(super) target: &'a Target,
    pub(super) client: &'a reqwest::Client,
    pub(super) http: &'a reqwest::Client,
    pub(super) guard: AddressPolicy,
    /// The clients the prober registered before.
    pub(super) registrations: &'a Registrations,
}

/// Where a run of the flow starts.
pub(super) struct Start<'a> {
    /// The challenges of a 401 or 403 the server sent; `None`: discovery asks first.
    pub(super) challenges: Option<Vec<Map<String, Value>>>,
    /// Scope to add to the one selected (step-up: the scope asked for before).
    pub(super) extra_scope: Option<&'a str>,
}

/// Runs the flow; `Ok(None)` when the server did not answer an `initialize` without
/// credentials with a 401 (it may ask for credentials later, with a 401 to a request that
/// needs them). Discovery
/// failures come back as they are (code `auth_check`); the caller words them.
pub(super) async fn obtain(
    credentials: &Credentials,
    reach: &Reach<'_>,
    clock: &Clock,
    start: Start<'_>,
    tally: &mut Tally,
) -> Result<Option<Obtained>, Failure> {
    let (target, client, http, guard) = (reach.target, reach.client, reach.http, reach.guard);
    let extra_scope = start.extra_scope;
    let (found, n) = discover_authorization_server(
        client,
        http,
        guard,
        target,
        clock.request_deadline(),
        start.challenges,
    )
    .await;
    tally.requests = tally.requests.saturating_add(n);
    let found = match found {
        Ok(found) => found,
        // No challenge to the `initialize` without credentials (a success, or an answer
        // that is not a 401, such as a server of another era refusing the `initialize`):
        // the probe goes on without a token and authorizes when a request is challenged.
        Err(f)
            if matches!(
                f.check(),
                Some(AuthCheck::NotProtected | AuthCheck::ChallengeStatus)
            ) =>
        {
            return Ok(None)
        }
        Err(f) => return Err(f),
    };
    let metadata = &found.as_metadata;
    let required = |field: &str| match endpoint(metadata, field, guard, "discovery") {
        Ok(Some(url)) => Ok(url),
        Ok(None) => Err(failure(
            "discovery",
            format!("the authorization server metadata names no {field}"),
        )),
        Err(f) => Err(f),
    };
    let authorization_endpoint = required("authorization_endpoint")?;
    let token_endpoint = required("token_endpoint")?;
    check_pkce(metadata)?;
    let scope = select_scope(
        credentials.scope.as_deref(),
        found.challenge_scope.as_deref(),
        &found.resource_metadata,
        metadata,
        extra_scope,
    );
    let resource = match (
        &credentials.resource_given,
        found.resource_metadata.get("resource"),
    ) {
        (false, Some(Value::String(r))) => r.clone(),
        _ => credentials.resource.clone(),
    };
    if let (Some(given), None) = (&credentials.refresh_token, extra_scope) {
        // A long-lived grant the user gave: refreshed, never re-authorized (a refresh cannot
        // widen the scope, so a step-up runs the authorization instead).
        let grant = Refresh {
            token: Secret::new(given.expose()),
            endpoint: token_endpoint.clone(),
            guard: Some(guard),
            client_id: credentials.client_id.clone(),
            secret: credentials.secret.as_ref().map(|s| Secret::new(s.expose())),
            auth: credentials.auth(),
            resource: resource.clone(),
        };
        tally.requests = tally.requests.saturating_add(1);
        let token = refresh(http, &grant, &clock.request_deadline()).await?;
        if let Some(rotated) = &token.refresh_token {
            tally.secrets.push(rotated.expose().to_owned());
        }
        let refresh = Some(grant.rotated(&token));
        return Ok(Some(Obtained {
            token,
            token_endpoint,
            scope,
            refresh,
            refreshed: true,
        }));
    }
    let the_client = reach
        .registrations
        .client(
            credentials,
            metadata,
            reach.http,
            reach.guard,
            &clock.request_deadline(),
            &mut tally.requests,
        )
        .await?;
    if let Some(secret) = &the_client.secret {
        tally.secrets.push(secret.expose().to_owned());
    }
    let pkce = Pkce::new();
    let state = random_text();
    tally.secrets.push(pkce.verifier.clone());
    let issuer = match metadata.get("issuer") {
        Some(Value::String(i)) => i.clone(),
        _ => found.issuer.clone(),
    };
    let forget = |f: Failure| {
        reach.registrations.forget(&the_client);
        f
    };
    let code = authorize(
        http,
        &Request {
            endpoint: &authorization_endpoint,
            client_id: &the_client.id,
            redirect_uri: &credentials.redirect_uri,
            scope: scope.as_deref(),
            resource: &resource,
            code_challenge: &pkce.challenge,
            state: &state,
        },
        &Issuer {
            issuer: &issuer,
            iss_required: metadata.get("authorization_response_iss_parameter_supported")
                == Some(&Value::Bool(true)),
        },
        guard,
        &clock.request_deadline(),
        &mut tally.requests,
    )
    .await
    .map_err(forget)?;
    tally.secrets.push(code.clone());
    let grant = Grant {
        fields: vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", credentials.redirect_uri.to_string()),
            ("code_verifier", pkce.verifier),
            ("resource", resource.clone()),
        ],
        client_id: &the_client.id,
        secret: the_client.secret.as_ref().map(Secret::expose),
        auth: the_client.auth,
        assertion: None,
    };
    tally.requests = tally.requests.saturating_add(1);
    let token = send_grant(http, &token_endpoint, &grant, &clock.request_deadline())
        .await
        .map_err(|f| forget(f.with("stage", "token_request")))?;
    let refresh = token.refresh_token.as_ref().map(|r| {
        tally.secrets.push(r.expose().to_owned());
        Refresh {
            token: Secret::new(r.expose()),
            endpoint: token_endpoint.clone(),
            guard: Some(guard),
            client_id: the_client.id.clone(),
            secret: the_client.secret,
            auth: the_client.auth,
            resource,
        }
    });
    Ok(Some(Obtained {
        token,
        token_endpoint,
        scope,
        refresh,
        refreshed: false,
    }))
}

/// `Err` unless the server lists S256 among `code_challenge_methods_supported` (MCP: a
/// client must refuse to go on without PKCE).
fn check_pkce(metadata: &Map<String, Value>) -> Result<(), Failure> {
    let listed = matches!(
        metadata.get("code_challenge_methods_supported"),
        Some(Value::Array(methods)) if methods.iter().any(|m| m.as_str() == Some("S256"))
    );
    if listed {
        return Ok(());
    }
    Err(failure(
        "discovery",
        "the authorization server does not list S256 among code_challenge_methods_supported; \
         MCP clients must not run the authorization-code flow without PKCE"
            .to_owned(),
    ))
}

/// The scope to ask for (space-separated, each scope once), or `None` to send none.
fn select_scope(
    given: Option<&str>,
    challenge: Option<&str>,
    resource_metadata: &Map<String, Value>,
    as_metadata: &Map<String, Value>,
    extra: Option<&str>,
) -> Option<String> {
    let listed = |m: &Map<String, Value>| -> Vec<String> {
        match m.get("scopes_supported") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    };
    let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let mut scopes: Vec<String> = match (given, challenge, extra) {
        // A step-up: what the server asks for now, added to what was asked for before.
        (_, Some(c), Some(e)) => [words(c), words(e)].concat(),
        (Some(s), _, _) | (None, Some(s), _) => words(s),
        (None, None, _) => listed(resource_metadata),
    };
    if let Some(extra) = extra {
        scopes.extend(words(extra));
    }
    if listed(as_metadata).iter().any(|s| s == "offline_access") {
        scopes.push("offline_access".to_owned());
    }
    let mut unique: Vec<String> = Vec::new();
    for s in scopes {
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    (!unique.is_empty()).then(|| unique.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn scope_comes_from_the_challenge_then_scopes_supported_then_nothing() {
        let prm = map(json!({"scopes_supported": ["a", "b"]}));
        let none = Map::new();
        let offline = map(json!({"scopes_supported": ["a", "offline_access"]}));
        assert_eq!(
            select_scope(None, Some("c"), &prm, &none, None).as_deref(),
            Some("c")
        );
        assert_eq!(
            select_scope(None, None, &prm, &none, None).as_deref(),
            Some("a b")
        );
        assert_eq!(select_scope(None, None, &none, &none, None), None);
        assert_eq!(
            select_scope(Some("x"), None, &prm, &offline, Some("x y")).as_deref(),
            Some("x y offline_access")
        );
        assert_eq!(
            select_scope(Some("x"), Some("c"), &prm, &none, Some("x")).as_deref(),
            Some("c x")
        );
        assert_eq!(
            select_scope(Some("x"), Some("c"), &prm, &none, None).as_deref(),
            Some("x")
        );
        assert_eq!(
            select_scope(None, None, &none, &offline, None).as_deref(),
            Some("offline_access")
        );
    }

    #[test]
    fn pkce_must_be_listed() {
        assert!(check_pkce(&map(json!({"code_challenge_methods_supported": ["S256"]}))).is_ok());
        let f =
            check_pkce(&map(json!({"code_challenge_methods_supported": ["plain"]}))).unwrap_err();
        assert_eq!(f.code, FailureCode::AuthToken);
        assert!(check_pkce(&Map::new()).is_err());
    }
}
