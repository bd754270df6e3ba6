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
use crate::http::target::Target;
use crate::model::{Failure, FailureCode};

use super::authorization::{authorize, Issuer, Request};
use super::credentials::Credentials;
use super::discovery::discover_authorization_server;
use super::pkce::{random_text, Pkce};
use super::registration::{self, endpoint, Client};
use super::token_request::{send_grant, Grant, Token};

/// What the flow got.
pub(super) struct Obtained {
    pub(super) token: Token,
    /// The token endpoint, for refreshing.
    pub(super) token_endpoint: Url,
    pub(super) client: Client,
    /// The resource the token is for.
    pub(super) resource: String,
    /// The scope asked for.
    pub(super) scope: Option<String>,
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

/// Runs the flow. `extra_scope` (step-up) is added to the scope selected. Discovery
/// failures come back as they are (code `auth_check`); the caller words them.
pub(super) async fn obtain(
    credentials: &Credentials,
    target: &Target,
    client: &reqwest::Client,
    http: &reqwest::Client,
    guard: AddressPolicy,
    clock: &Clock,
    extra_scope: Option<&str>,
    tally: &mut Tally,
) -> Result<Obtained, Failure> {
    let (found, n) =
        discover_authorization_server(client, http, guard, target, clock.request_deadline())
            .await;
    tally.requests = tally.requests.saturating_add(n);
    let found = found?;
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
    let resource = match (&credentials.resource_given, found.resource_metadata.get("resource")) {
        (false, Some(Value::String(r))) => r.clone(),
        _ => credentials.resource.clone(),
    };
    let the_client = registration::client(
        credentials,
        metadata,
        http,
        guard,
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
    .await?;
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
        secret: the_client.secret.as_ref().map(|s| s.expose()),
        auth: the_client.auth,
    };
    tally.requests = tally.requests.saturating_add(1);
    let token = send_grant(http, &token_endpoint, &grant, &clock.request_deadline())
        .await
        .map_err(|f| f.with("stage", "token_request"))?;
    if let Some(refresh) = &token.refresh_token {
        tally.secrets.push(refresh.expose().to_owned());
    }
    Ok(Obtained {
        token,
        token_endpoint,
        client: the_client,
        resource,
        scope,
    })
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
    let mut scopes: Vec<String> = match (given, challenge) {
        (Some(s), _) | (None, Some(s)) => s.split_whitespace().map(str::to_owned).collect(),
        (None, None) => listed(resource_metadata),
    };
    if let Some(extra) = extra {
        scopes.extend(extra.split_whitespace().map(str::to_owned));
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
            select_scope(Some("x"), Some("c"), &prm, &offline, Some("x y")).as_deref(),
            Some("x y offline_access")
        );
        assert_eq!(
            select_scope(None, None, &none, &offline, None).as_deref(),
            Some("offline_access")
        );
    }

    #[test]
    fn pkce_must_be_listed() {
        assert!(check_pkce(&map(json!({"code_challenge_methods_supported": ["S256"]}))).is_ok());
        let f = check_pkce(&map(json!({"code_challenge_methods_supported": ["plain"]})))
            .unwrap_err();
        assert_eq!(f.code, FailureCode::AuthToken);
        assert!(check_pkce(&Map::new()).is_err());
    }
}
