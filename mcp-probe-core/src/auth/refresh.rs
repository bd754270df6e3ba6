//! The refresh-token grant (RFC 6749 §6): how the probe keeps a grant alive without a
//! person, from a refresh token the user gave (`refreshTokenEnv` / `refreshTokenFile`) or
//! one the authorization server issued with an earlier token.

use url::Url;

use crate::clock::Deadline;
use crate::http::dns::AddressPolicy;
use crate::http::target::Secret;
use crate::model::Failure;

use super::credentials::ClientAuth;
use super::token_request::{send_grant, Grant, Token};

/// What a refresh needs: the refresh token, where to send it, the client it was issued to.
#[derive(Debug)]
pub(super) struct Refresh {
    pub(super) token: Secret,
    pub(super) endpoint: Url,
    /// The guard the endpoint was learnt under (`None`: the user named it).
    pub(super) guard: Option<AddressPolicy>,
    pub(super) client_id: String,
    pub(super) secret: Option<Secret>,
    pub(super) auth: ClientAuth,
    pub(super) resource: String,
}

impl Refresh {
    /// The same grant with the refresh token an answer rotated to, if it did.
    pub(super) fn rotated(&self, token: &Token) -> Refresh {
        let fresh = token.refresh_token.as_ref().unwrap_or(&self.token);
        Refresh {
            token: Secret::new(fresh.expose()),
            endpoint: self.endpoint.clone(),
            guard: self.guard,
            client_id: self.client_id.clone(),
            secret: self.secret.as_ref().map(|s| Secret::new(s.expose())),
            auth: self.auth,
            resource: self.resource.clone(),
        }
    }
}

/// The refresh-token grant: `grant_type=refresh_token`, the token and the `resource`
/// (RFC 8707); the scope is left out, so the grant keeps the one it had.
pub(super) async fn refresh(
    http: &reqwest::Client,
    refresh: &Refresh,
    deadline: &Deadline,
) -> Result<Token, Failure> {
    let grant = Grant {
        fields: vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh.token.expose().to_owned()),
            ("resource", refresh.resource.clone()),
        ],
        client_id: &refresh.client_id,
        secret: refresh.secret.as_ref().map(Secret::expose),
        auth: refresh.auth,
        assertion: None,
    };
    send_grant(http, &refresh.endpoint, &grant, deadline)
        .await
        .map_err(|f| f.with("stage", "refresh"))
}
