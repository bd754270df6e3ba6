//! OAuth settings ready to use: the secret read (from the environment or a file), the URLs
//! parsed, the cache key made.

use std::sync::Arc;

use url::Url;

use crate::error::{Error, ErrorKind};
use crate::http::target::{secret_tag, Secret};
use crate::model::oauth::{parse_client_metadata_url, parse_redirect_uri};
use crate::model::{OAuthFlow, OAuthMethod, DEFAULT_REDIRECT_URI};

use crate::model::oauth::parse_token_url;
use crate::model::OAuthSpec;

use super::assertion::{ClientKey, ClientKeys};

/// How a client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    /// `client_secret_basic`.
    Basic,
    /// `client_secret_post`.
    Post,
    /// `none`: a public client, its id in the body.
    None,
    /// `private_key_jwt`: a JWT signed with the client's key, its id in the body.
    PrivateKeyJwt,
}

impl ClientAuth {
    /// The RFC 7591 name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Basic => "client_secret_basic",
            ClientAuth::Post => "client_secret_post",
            ClientAuth::None => "none",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// OAuth settings ready to use: secret read, URLs parsed, cache key made.
#[derive(Debug)]
pub(crate) struct Credentials {
    pub(super) flow: OAuthFlow,
    /// Empty for the authorization-code flow when the client is registered on the fly.
    pub(super) client_id: String,
    /// `None` only for the authorization-code flow (a public or registered client).
    pub(super) secret: Option<Secret>,
    pub(super) method: OAuthMethod,
    /// The private key read from the secret (`private-key-jwt`).
    pub(super) signing_key: Option<Arc<ClientKey>>,
    pub(super) scope: Option<String>,
    pub(super) token_url: Option<Url>,
    pub(super) resource: String,
    /// Whether `resource` was given (else it is the server's URL).
    pub(super) resource_given: bool,
    pub(super) client_metadata_url: Option<Url>,
    pub(super) redirect_uri: Url,
    /// A refresh token the user gave (authorization-code flow).
    pub(super) refresh_token: Option<Secret>,
    /// Token endpoint (or the server URL when discovered), client id, scope, resource, and a
    /// keyed hash of how the client authenticates ([`credential_tag`]): a token is reused
    /// only for the credentials that obtained it.
    pub(super) key: String,
}

impl Credentials {
    /// Reads the secret (`Err` with [`ErrorKind::Credential`] when it cannot be had); a
    /// `private-key-jwt` key comes from `keys`, parsed there once.
    pub(crate) fn resolve(
        spec: &OAuthSpec,
        server: &Url,
        keys: &ClientKeys,
    ) -> Result<Self, Error> {
        let secret = match spec.flow {
            OAuthFlow::AuthorizationCode
                if spec.client_secret_env.is_none() && spec.client_secret_file.is_none() =>
            {
                None
            }
            _ => Some(read_secret(spec)?),
        };
        let signing_key = match (&secret, spec.method) {
            (Some(pem), OAuthMethod::PrivateKeyJwt) => {
                Some(keys.get(pem.expose()).map_err(|why| {
                    Error::new(
                        ErrorKind::Credential,
                        format!(
                            "the OAuth client key ({}) cannot be used: {why}",
                            secret_source(spec)
                        ),
                    )
                })?)
            }
            _ => None,
        };
        let client_metadata_url = spec
            .client_metadata_url
            .as_deref()
            .map(parse_client_metadata_url)
            .transpose()?;
        let refresh_token = read_refresh_token(spec)?;
        let redirect_uri =
            parse_redirect_uri(spec.redirect_uri.as_deref().unwrap_or(DEFAULT_REDIRECT_URI))?;
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
            "{}\n{endpoint}\n{client_id}\n{}\n{resource}\n{:016x}",
            spec.flow.as_str(),
            scope.as_deref().unwrap_or(""),
            credential_tag(spec.method, secret.as_ref(), refresh_token.as_ref()),
        );
        Ok(Credentials {
            flow: spec.flow,
            client_id,
            secret,
            method: spec.method,
            signing_key,
            scope,
            token_url,
            resource,
            resource_given: spec.resource.is_some(),
            client_metadata_url,
            redirect_uri,
            refresh_token,
            key,
        })
    }
}

impl Credentials {
    /// The client secret and the encodings it travels in (`Basic base64(id:secret)`).
    pub(crate) fn collect_secrets(&self, out: &mut crate::scrub::Secrets) {
        if let Some(secret) = &self.secret {
            out.add(secret.expose());
            out.add(&basic_pair(&self.client_id, secret.expose()));
        }
        if let Some(token) = &self.refresh_token {
            out.add(token.expose());
        }
    }

    /// Whether these settings run the authorization-code flow.
    pub(crate) fn is_authorization_code(&self) -> bool {
        self.flow == OAuthFlow::AuthorizationCode
    }

    /// How this pre-registered client authenticates: `none` without a secret.
    pub(crate) fn auth(&self) -> ClientAuth {
        match (&self.secret, self.method) {
            _ if self.flow == OAuthFlow::JwtBearer => ClientAuth::None,
            (None, _) => ClientAuth::None,
            (Some(_), OAuthMethod::Post) => ClientAuth::Post,
            (Some(_), OAuthMethod::PrivateKeyJwt) => ClientAuth::PrivateKeyJwt,
            (Some(_), _) => ClientAuth::Basic,
        }
    }
}

/// `id:secret`, each form-urlencoded, as `client_secret_basic` sends it (RFC 6749 §2.3.1).
pub(super) fn basic_pair(client_id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("{}:{}", encode(client_id), encode(secret))
}

/// The refresh token from `refreshTokenEnv` or `refreshTokenFile`, if one is named.
fn read_refresh_token(spec: &OAuthSpec) -> Result<Option<Secret>, Error> {
    let credential = |m: String| Error::new(ErrorKind::Credential, m);
    let text = match (&spec.refresh_token_env, &spec.refresh_token_file) {
        (Some(var), _) => std::env::var(var.trim()).map_err(|_| {
            credential(format!(
                "environment variable {var} (the OAuth refresh token) is not set"
            ))
        })?,
        (None, Some(path)) => crate::file::read_limited_text(path, crate::file::MAX_SECRET_BYTES)
            .map_err(|e| {
            credential(format!(
                "cannot read the OAuth refresh token file {}: {e}",
                path.display()
            ))
        })?,
        (None, None) => return Ok(None),
    };
    match text.trim() {
        "" => Err(credential(
            "the OAuth refresh token (refreshTokenEnv / refreshTokenFile) is empty".to_owned(),
        )),
        token => Ok(Some(Secret::new(token))),
    }
}

/// A hash of the method, the secret and the refresh token, keyed per process (so the cache
/// key, which stays in memory, reveals nothing about them even if it were shown).
fn credential_tag(method: OAuthMethod, secret: Option<&Secret>, refresh: Option<&Secret>) -> u64 {
    secret_tag((
        method.as_str(),
        secret.map(Secret::expose),
        refresh.map(Secret::expose),
    ))
}

/// Where the secret comes from, as errors name it: `clientSecretEnv VAR` or
/// `clientSecretFile PATH`.
fn secret_source(spec: &OAuthSpec) -> String {
    match (&spec.client_secret_env, &spec.client_secret_file) {
        (Some(var), _) => format!("clientSecretEnv {}", var.trim()),
        (None, Some(path)) => format!("clientSecretFile {}", path.display()),
        (None, None) => "no secret".to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_secrets_are_credential_errors_without_values() {
        let server = Url::parse("http://127.0.0.1:1/mcp#frag").unwrap();
        let spec = OAuthSpec::secret_from_env("id", "MCP_PROBE_TEST_SURELY_UNSET_SECRET");
        let e = Credentials::resolve(&spec, &server, &ClientKeys::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credential);
        assert!(e.to_string().contains("MCP_PROBE_TEST_SURELY_UNSET_SECRET"));
        let dir = std::env::temp_dir().join(format!("mcp-probe-oauth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "  s3cret-value\n").unwrap();
        let spec = OAuthSpec::secret_from_file("id", &file).scope(" a b ");
        let creds = Credentials::resolve(&spec, &server, &ClientKeys::default()).unwrap();
        assert_eq!(creds.secret.as_ref().unwrap().expose(), "s3cret-value");
        assert_eq!(creds.resource, "http://127.0.0.1:1/mcp");
        assert!(!creds.key.contains("s3cret"));
        assert!(!format!("{creds:?}").contains("s3cret"));
        std::fs::write(&file, "\n").unwrap();
        assert_eq!(
            Credentials::resolve(&spec, &server, &ClientKeys::default())
                .unwrap_err()
                .kind(),
            ErrorKind::Credential
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
