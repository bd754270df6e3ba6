//! The client of the authorization-code flow: pre-registered (a client id, with or without a
//! secret), a client ID metadata document (its https URL as the client id, SEP-991), or one
//! registered on the fly (dynamic client registration, RFC 7591).

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{json, Map, Value};
use url::Url;

use crate::clock::Deadline;
use crate::http::body::{read_bounded, BodyError};
use crate::http::dns::AddressPolicy;
use crate::http::send::send_within;
use crate::http::target::Secret;
use crate::model::{Failure, FailureCode, FailureReason};
use crate::text::truncate;
use crate::urls::{redact_url, unsafe_reason};

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::credentials::{ClientAuth, Credentials};
use super::token_request::MAX_TOKEN_RESPONSE_BYTES;

/// Most registered clients one prober keeps.
const MAX_REGISTRATIONS: usize = 1000;

/// Clients a prober registered dynamically, by registration endpoint and redirect URI: a
/// registration creates state on the authorization server, so it is made once per prober and
/// server, not once per probe.
#[derive(Debug, Default)]
pub(crate) struct Registrations {
    clients: Mutex<HashMap<String, Client>>,
}

impl Registrations {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Client>> {
        self.clients.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets a registered client the flow failed with (the server may have dropped it):
    /// the next flow registers again.
    pub(super) fn forget(&self, client: &Client) {
        self.lock().retain(|_, known| known.id != client.id);
    }

    /// The client: the pre-registered one, else the metadata document URL when the server
    /// supports them, else one registered dynamically through `http`, at an endpoint `guard`
    /// allows (and kept for the next flow). `requests` counts HTTP requests made.
    pub(super) async fn client(
        &self,
        credentials: &Credentials,
        metadata: &Map<String, Value>,
        http: &reqwest::Client,
        guard: AddressPolicy,
        deadline: &Deadline,
        requests: &mut u32,
    ) -> Result<Client, Failure> {
        if !credentials.client_id.is_empty() {
            return Ok(Client {
                id: credentials.client_id.clone(),
                secret: credentials.secret.as_ref().map(|s| Secret::new(s.expose())),
                auth: credentials.auth(),
            });
        }
        let cimd =
            metadata.get("client_id_metadata_document_supported") == Some(&Value::Bool(true));
        if let (Some(url), true) = (&credentials.client_metadata_url, cimd) {
            return Ok(Client {
                id: url.to_string(),
                secret: None,
                auth: ClientAuth::None,
            });
        }
        let Some(endpoint) = endpoint(metadata, "registration_endpoint", guard, "registration")?
        else {
            return Err(failure(
                "the authorization server offers no dynamic client registration \
                 (registration_endpoint) and no client id was given: give `oauth.clientId` (a \
                 pre-registered client) or `oauth.clientMetadataUrl` (when the server supports \
                 client ID metadata documents)"
                    .to_owned(),
            ));
        };
        let key = format!("{endpoint}\n{}", credentials.redirect_uri);
        if let Some(known) = self.lock().get(&key) {
            return Ok(known.clone());
        }
        let registered =
            register(credentials, metadata, http, &endpoint, deadline, requests).await?;
        let mut known = self.lock();
        if known.len() < MAX_REGISTRATIONS || known.contains_key(&key) {
            known.insert(key, registered.clone());
        }
        Ok(registered)
    }
}

/// The client the flow runs as.
#[derive(Debug, Clone)]
pub(super) struct Client {
    pub(super) id: String,
    pub(super) secret: Option<Secret>,
    pub(super) auth: ClientAuth,
}

/// The `auth_token` failure of the registration stage.
fn failure(message: String) -> Failure {
    Failure::new(FailureCode::AuthToken, message).with("stage", "registration")
}

/// A URL the authorization server's metadata names, parsed and checked against the https
/// rule and the address guard; `field` names it in failures.
pub(super) fn endpoint(
    metadata: &Map<String, Value>,
    field: &str,
    guard: AddressPolicy,
    stage: &'static str,
) -> Result<Option<Url>, Failure> {
    let Some(text) = metadata
        .get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    let fail = |m: String| Failure::new(FailureCode::AuthToken, m).with("stage", stage);
    let url = Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
        .ok_or_else(|| {
            fail(format!(
                "the authorization server's {field} {:?} is not an absolute http(s) URL",
                truncate(text, 100)
            ))
        })?;
    if let Some(why) = guard.url_refusal(&url).or_else(|| unsafe_reason(&url)) {
        return Err(fail(format!(
            "refused to use the authorization server's {field} {}: {why}; it must be https \
             (loopback hosts excepted) and lead only where the target is",
            redact_url(&url)
        )));
    }
    Ok(Some(url))
}

/// How to ask to authenticate: `none` (a public client, as a native application is) when the
/// server supports it, else `client_secret_basic`, else `client_secret_post`.
fn wanted_auth(metadata: &Map<String, Value>) -> ClientAuth {
    let listed: Vec<&str> = match metadata.get("token_endpoint_auth_methods_supported") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        // RFC 8414 §2: the default is client_secret_basic.
        _ => return ClientAuth::Basic,
    };
    [ClientAuth::None, ClientAuth::Basic, ClientAuth::Post]
        .into_iter()
        .find(|a| listed.contains(&a.as_str()))
        .unwrap_or(ClientAuth::Basic)
}

/// Dynamic client registration (RFC 7591).
async fn register(
    credentials: &Credentials,
    metadata: &Map<String, Value>,
    http: &reqwest::Client,
    endpoint: &Url,
    deadline: &Deadline,
    requests: &mut u32,
) -> Result<Client, Failure> {
    let shown = redact_url(endpoint);
    let what = format!("client registration at {shown}");
    let wanted = wanted_auth(metadata);
    let body = json!({
        "client_name": "mcp-probe",
        "redirect_uris": [credentials.redirect_uri.as_str()],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": wanted.as_str(),
        "application_type": "native",
    });
    let rb = http
        .post(endpoint.clone())
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string());
    *requests = requests.saturating_add(1);
    let resp = send_within(rb, deadline, &what)
        .await
        .map_err(|f| f.with("stage", "registration"))?;
    let status = resp.status();
    let bytes = read_bounded(resp, deadline, MAX_TOKEN_RESPONSE_BYTES, &what)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge { .. } => failure(format!(
                "{what}: the answer exceeded the limit of {MAX_TOKEN_RESPONSE_BYTES} bytes"
            ))
            .with_http_status(status.as_u16())
            .with_reason(FailureReason::ResponseTooLarge),
            BodyError::Failed { failure, .. } => failure.with("stage", "registration"),
        })?;
    let object = serde_json::from_slice::<Value>(&bytes).ok();
    if !status.is_success() {
        let error = object
            .as_ref()
            .and_then(|o| o.get("error"))
            .and_then(Value::as_str)
            .map(|e| format!(": {}", truncate(e, 64)))
            .unwrap_or_default();
        return Err(failure(format!(
            "{what}: HTTP {} {}{error}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ))
        .with_http_status(status.as_u16()));
    }
    let Some(Value::Object(object)) = object else {
        return Err(failure(format!(
            "{what}: HTTP {}, but the answer is not a JSON object",
            status.as_u16()
        )));
    };
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    let Some(id) = text("client_id") else {
        return Err(failure(format!("{what}: the answer has no client_id")));
    };
    let secret = text("client_secret").map(Secret::new);
    let auth = match (text("token_endpoint_auth_method"), &secret) {
        (Some("client_secret_post"), Some(_)) => ClientAuth::Post,
        (Some("client_secret_basic"), Some(_)) => ClientAuth::Basic,
        (Some("none"), _) | (_, None) => ClientAuth::None,
        (_, Some(_)) if wanted == ClientAuth::None => ClientAuth::None,
        (_, Some(_)) => wanted,
    };
    Ok(Client {
        id: id.to_owned(),
        secret,
        auth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_client_is_preferred_then_basic_then_post() {
        let with = |v: Value| {
            let mut m = Map::new();
            m.insert("token_endpoint_auth_methods_supported".into(), v);
            wanted_auth(&m)
        };
        assert_eq!(
            with(json!(["client_secret_post", "none"])),
            ClientAuth::None
        );
        assert_eq!(
            with(json!(["client_secret_post", "client_secret_basic"])),
            ClientAuth::Basic
        );
        assert_eq!(with(json!(["client_secret_post"])), ClientAuth::Post);
        assert_eq!(with(json!(["private_key_jwt"])), ClientAuth::Basic);
        assert_eq!(wanted_auth(&Map::new()), ClientAuth::Basic);
    }
}
