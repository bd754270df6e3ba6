//! OAuth as a scenario names it: the flow, the client, where its secret comes from, how it
//! authenticates, what it asks for.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::urls::redact_url;
use crate::urls::unsafe_reason;

/// OAuth client credentials for the target: the probe gets an access token with them and
/// sends it as a bearer token. The secret is read from an environment variable or a file,
/// never written in the document.
///
/// ```
/// use mcp_probe_core::{OAuthMethod, OAuthSpec, Scenario};
///
/// let scenario = Scenario::for_url("https://mcp.example.com/mcp").oauth(
///     OAuthSpec::secret_from_env("monitoring", "MCP_CLIENT_SECRET")
///         .method(OAuthMethod::Post)
///         .scope("mcp:read"),
/// );
/// let same = Scenario::from_yaml(r#"
/// target:
///   url: https://mcp.example.com/mcp
///   oauth: {clientId: monitoring, clientSecretEnv: MCP_CLIENT_SECRET, method: post, scope: "mcp:read"}
/// "#)
/// .unwrap();
/// assert_eq!(scenario, same);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct OAuthSpec {
    /// How the probe gets its token (default `client-credentials`).
    #[serde(default, skip_serializing_if = "OAuthFlow::is_client_credentials")]
    pub flow: OAuthFlow,
    /// The client id registered with the authorization server. With the
    /// `authorization-code` flow it may be left out: the probe then registers a client (a
    /// client ID metadata document when `clientMetadataUrl` is given and the server supports
    /// them, else dynamic client registration, RFC 7591).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_id: String,
    /// Name of an environment variable holding the client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// Path of a file holding the client secret (surrounding whitespace is trimmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// How the client authenticates to the token endpoint (default `basic`).
    #[serde(default, skip_serializing_if = "OAuthMethod::is_basic")]
    pub method: OAuthMethod,
    /// The scope to ask for (space-separated), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The token endpoint. Default: discovered from the server's 401 challenge, its protected
    /// resource metadata and its authorization server's metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// The `resource` sent with the token request (RFC 8707). Default: the server's URL (for
    /// the `authorization-code` flow, the `resource` of its protected resource metadata, which
    /// must match the server's URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// `authorization-code` flow: the https URL of this client's metadata document (SEP-991),
    /// used as its client id when the authorization server advertises
    /// `client_id_metadata_document_supported` and no `clientId` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata_url: Option<String>,
    /// `authorization-code` flow: the loopback redirect URI (`http://127.0.0.1…`,
    /// `http://[::1]…` or `http://localhost…`). Default [`DEFAULT_REDIRECT_URI`]. The probe
    /// reads the code from the authorization endpoint's redirect to it; nothing listens there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// `authorization-code` flow: name of an environment variable holding a refresh token.
    /// The probe then gets its tokens with the refresh-token grant (for the pre-registered
    /// `clientId` the grant was issued to) instead of authorizing. A rotated refresh token is
    /// kept in memory by the prober only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_env: Option<String>,
    /// `authorization-code` flow: path of a file holding a refresh token (surrounding
    /// whitespace is trimmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_file: Option<PathBuf>,
}

/// The redirect URI of the `authorization-code` flow when the scenario names none.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// How the probe gets its access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum OAuthFlow {
    /// The client-credentials grant (RFC 6749 §4.4): a client id and secret, no person.
    #[default]
    #[serde(alias = "client_credentials", alias = "clientCredentials")]
    ClientCredentials,
    /// The authorization-code grant with PKCE (S256), headless: the probe follows the
    /// authorization endpoint's redirect to its loopback redirect URI and takes the code. Only
    /// for authorization servers that approve without a person (test identity providers); one
    /// that shows a page fails the probe with `auth_token`.
    #[serde(alias = "authorization_code", alias = "authorizationCode")]
    AuthorizationCode,
    /// The JWT-bearer grant (RFC 7523 §2.1) for workload identity federation (SEP-1933): a
    /// JWT the workload's platform issued (a Kubernetes service account token, a cloud
    /// identity token), read from `clientSecretEnv` / `clientSecretFile` at every token
    /// request (so a rotated file is picked up), sent as the `assertion`; the client is
    /// public (`clientId` in the body).
    #[serde(alias = "jwt_bearer", alias = "jwtBearer")]
    JwtBearer,
}

impl OAuthFlow {
    /// The name used in documents and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::ClientCredentials => "client-credentials",
            OAuthFlow::AuthorizationCode => "authorization-code",
            OAuthFlow::JwtBearer => "jwt-bearer",
        }
    }

    fn is_client_credentials(&self) -> bool {
        *self == OAuthFlow::ClientCredentials
    }
}

/// How the client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret.
    #[default]
    #[serde(alias = "client_secret_basic")]
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    #[serde(alias = "client_secret_post")]
    Post,
    /// `private_key_jwt` (RFC 7523 §2.2, SEP-1046): a JWT signed with the client's private
    /// key, which `clientSecretEnv` / `clientSecretFile` then hold (PEM: PKCS#8 EC P-256, EC
    /// P-384 or RSA, or PKCS#1 RSA), sent as `client_assertion`. Client credentials only.
    #[serde(rename = "private-key-jwt", alias = "private_key_jwt")]
    PrivateKeyJwt,
}

impl OAuthMethod {
    /// The name used in documents and on the command line: `basic`, `post` or
    /// `private-key-jwt`.
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthMethod::Basic => "basic",
            OAuthMethod::Post => "post",
            OAuthMethod::PrivateKeyJwt => "private-key-jwt",
        }
    }

    fn is_basic(&self) -> bool {
        *self == OAuthMethod::Basic
    }
}

impl OAuthSpec {
    /// Client credentials with the secret read from the environment variable `var`.
    pub fn secret_from_env(client_id: impl Into<String>, var: impl Into<String>) -> Self {
        OAuthSpec {
            client_id: client_id.into(),
            client_secret_env: Some(var.into()),
            ..OAuthSpec::default()
        }
    }

    /// Client credentials with the secret read from a file.
    pub fn secret_from_file(client_id: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        OAuthSpec {
            client_id: client_id.into(),
            client_secret_file: Some(path.into()),
            ..OAuthSpec::default()
        }
    }

    /// The headless authorization-code flow with PKCE, the client registered on the fly
    /// unless [`OAuthSpec::client_id`] is set.
    pub fn authorization_code() -> Self {
        OAuthSpec {
            flow: OAuthFlow::AuthorizationCode,
            ..OAuthSpec::default()
        }
    }

    /// Uses this pre-registered client id.
    #[must_use]
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = id.into();
        self
    }

    /// Reads the client secret from the environment variable `var`.
    #[must_use]
    pub fn client_secret_env(mut self, var: impl Into<String>) -> Self {
        self.client_secret_env = Some(var.into());
        self
    }

    /// Offers this client ID metadata document URL as the client id (SEP-991).
    #[must_use]
    pub fn client_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.client_metadata_url = Some(url.into());
        self
    }

    /// Uses this loopback redirect URI.
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// Reads a refresh token from the environment variable `var`.
    #[must_use]
    pub fn refresh_token_env(mut self, var: impl Into<String>) -> Self {
        self.refresh_token_env = Some(var.into());
        self
    }

    /// Reads a refresh token from a file.
    #[must_use]
    pub fn refresh_token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.refresh_token_file = Some(path.into());
        self
    }

    /// Authenticates to the token endpoint this way.
    #[must_use]
    pub fn method(mut self, method: OAuthMethod) -> Self {
        self.method = method;
        self
    }

    /// Asks for this scope.
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Uses this token endpoint instead of discovering it.
    #[must_use]
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Sends this `resource` instead of the server's URL.
    #[must_use]
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Checks the credentials' shape and how they combine with the rest of the target.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let bad = |m: &str| Err(Error::new(ErrorKind::InvalidScenario, m));
        match self.flow {
            OAuthFlow::ClientCredentials => self.validate_client_credentials()?,
            OAuthFlow::AuthorizationCode => self.validate_authorization_code()?,
            OAuthFlow::JwtBearer => {
                if self.method != OAuthMethod::Basic {
                    return bad("`oauth.method` does not apply to the `jwt-bearer` flow: the assertion is the client's credential");
                }
                self.validate_client_credentials()?;
            }
        }
        if let (Some(var), None) = (&self.client_secret_env, &self.client_secret_file) {
            if var.trim().is_empty() {
                return bad("`oauth.clientSecretEnv` must not be empty");
            }
        }
        if self.scope.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return bad("`oauth.scope` must not be empty (leave it out to ask for none)");
        }
        if self
            .resource
            .as_deref()
            .is_some_and(|s| s.trim().is_empty())
        {
            return bad(
                "`oauth.resource` must not be empty (leave it out to send the server's URL)",
            );
        }
        if let Some(url) = &self.token_url {
            parse_token_url(url)?;
        }
        Ok(())
    }
}

impl OAuthSpec {
    fn validate_client_credentials(&self) -> Result<(), Error> {
        let bad = |m: &str| Err(Error::new(ErrorKind::InvalidScenario, m));
        if self.client_id.trim().is_empty() {
            return bad("`oauth.clientId` must not be empty");
        }
        match (&self.client_secret_env, &self.client_secret_file) {
            (Some(_), Some(_)) => {
                return bad("give the OAuth client secret either from an environment variable (`clientSecretEnv`) or from a file (`clientSecretFile`), not both")
            }
            (None, None) => {
                return bad("OAuth client credentials need the client secret: `clientSecretEnv` or `clientSecretFile`")
            }
            _ => {}
        }
        if self.client_metadata_url.is_some()
            || self.redirect_uri.is_some()
            || self.refresh_token_env.is_some()
            || self.refresh_token_file.is_some()
        {
            return bad("`oauth.clientMetadataUrl`, `oauth.redirectUri`, `oauth.refreshTokenEnv` and `oauth.refreshTokenFile` belong to the `authorization-code` flow");
        }
        Ok(())
    }

    fn validate_authorization_code(&self) -> Result<(), Error> {
        let bad = |m: &str| Err(Error::new(ErrorKind::InvalidScenario, m));
        if self.method == OAuthMethod::PrivateKeyJwt {
            return bad("`oauth.method: private-key-jwt` is supported with the `client-credentials` flow only");
        }
        let secret = self.client_secret_env.is_some() || self.client_secret_file.is_some();
        if self.client_secret_env.is_some() && self.client_secret_file.is_some() {
            return bad("give the OAuth client secret either from an environment variable (`clientSecretEnv`) or from a file (`clientSecretFile`), not both");
        }
        if secret && self.client_id.trim().is_empty() {
            return bad("an OAuth client secret needs its `oauth.clientId`");
        }
        let refresh = self.refresh_token_env.is_some() || self.refresh_token_file.is_some();
        if self.refresh_token_env.is_some() && self.refresh_token_file.is_some() {
            return bad("give the OAuth refresh token either from an environment variable (`refreshTokenEnv`) or from a file (`refreshTokenFile`), not both");
        }
        if refresh && self.client_id.trim().is_empty() {
            return bad("a refresh token needs the `oauth.clientId` it was issued to");
        }
        if self.token_url.is_some() {
            return bad("`oauth.tokenUrl` belongs to the `client-credentials` flow: the `authorization-code` flow discovers its endpoints");
        }
        if let Some(url) = &self.client_metadata_url {
            parse_client_metadata_url(url)?;
        }
        if let Some(uri) = &self.redirect_uri {
            parse_redirect_uri(uri)?;
        }
        Ok(())
    }
}

/// A `clientMetadataUrl`, checked: https with a path (SEP-991).
pub(crate) fn parse_client_metadata_url(text: &str) -> Result<Url, Error> {
    let invalid = || {
        Error::new(
            ErrorKind::InvalidUrl,
            "`oauth.clientMetadataUrl` must be an https:// URL with a path (SEP-991)",
        )
    };
    let url = Url::parse(text.trim()).map_err(|_| invalid())?;
    if url.scheme() != "https" || url.host_str().is_none() || url.path() == "/" {
        return Err(invalid());
    }
    Ok(url)
}

/// A `redirectUri`, checked: http on a loopback host, no fragment (RFC 8252 §7.3).
pub(crate) fn parse_redirect_uri(text: &str) -> Result<Url, Error> {
    let invalid = || {
        Error::new(
            ErrorKind::InvalidUrl,
            "`oauth.redirectUri` must be an http:// URL on a loopback host (127.0.0.1, [::1] or \
             localhost) without a fragment",
        )
    };
    let url = Url::parse(text.trim()).map_err(|_| invalid())?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || url.host_str() == Some("localhost");
    if url.scheme() != "http" || !loopback || url.fragment().is_some() {
        return Err(invalid());
    }
    Ok(url)
}

/// A given `tokenUrl`, checked: absolute http(s), no user info, https unless loopback.
pub(crate) fn parse_token_url(text: &str) -> Result<Url, Error> {
    let invalid = |m: String| Error::new(ErrorKind::InvalidUrl, m);
    let url =
        Url::parse(text.trim()).map_err(|e| invalid(format!("invalid OAuth token URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(
            "the OAuth token URL must be an absolute https:// URL".to_owned(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the OAuth token URL must not carry user info: give the client id and secret in `oauth`"
                .to_owned(),
        ));
    }
    if let Some(why) = unsafe_reason(&url) {
        return Err(invalid(format!(
            "refusing to send the client secret to {}: {why}; the token URL must be https \
             (loopback hosts excepted)",
            redact_url(&url)
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::TargetSpec;

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
        use crate::model::scenario::{CommandSpec, Scenario};
        let t = target();
        let with = |target: TargetSpec, oauth: OAuthSpec| {
            let mut s = Scenario::new();
            s.target = Some(target);
            s.oauth(oauth).validate()
        };
        let ok = OAuthSpec::secret_from_env("id", "VAR");
        assert!(with(t.clone(), ok.clone()).is_ok());
        let stdio = Scenario::for_command(CommandSpec::new("srv", ["x"])).oauth(ok.clone());
        assert!(stdio.validate().unwrap_err().is_invalid_scenario());
        let mut with_bearer = t.clone();
        with_bearer.bearer_env = Some("B".into());
        assert!(with(with_bearer, ok.clone()).is_err());
        let mut with_header = t.clone();
        with_header
            .headers
            .insert("authorization".into(), "Bearer x".into());
        assert!(with(with_header, ok.clone()).is_err());
        let mut both = ok.clone();
        both.client_secret_file = Some("/s".into());
        assert!(both.validate().is_err());
        let neither = OAuthSpec {
            client_id: "id".into(),
            ..OAuthSpec::default()
        };
        assert!(neither.validate().is_err());
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
            let result = spec.validate();
            assert_eq!(result.is_ok(), fine, "{url}: {result:?}");
            if let Err(e) = result {
                assert_eq!(e.kind(), ErrorKind::InvalidUrl, "{url}");
            }
        }
    }

    #[test]
    fn the_authorization_code_flow_reads_and_validates() {
        let spec: OAuthSpec = serde_json::from_value(serde_json::json!({
            "flow": "authorization-code", "clientMetadataUrl": "https://probe.example/c.json",
            "redirectUri": "http://localhost:8976/cb"
        }))
        .unwrap();
        assert_eq!(spec.flow, OAuthFlow::AuthorizationCode);
        assert!(spec.validate().is_ok());
        let back = serde_json::to_value(&spec).unwrap();
        assert_eq!(back["flow"], "authorization-code");
        assert!(back.get("clientId").is_none());
        let message = |spec: OAuthSpec| spec.validate().unwrap_err().to_string();
        let flow = OAuthSpec::authorization_code();
        assert!(flow.validate().is_ok());
        assert!(message(flow.clone().client_secret_env("S"))
            .contains("an OAuth client secret needs its `oauth.clientId`"));
        assert!(message(flow.clone().refresh_token_env("R"))
            .contains("a refresh token needs the `oauth.clientId` it was issued to"));
        assert!(message(flow.clone().token_url("https://as.example/token"))
            .contains("`oauth.tokenUrl` belongs to the `client-credentials` flow"));
        for bad in [
            "http://probe.example/c.json",
            "https://probe.example/",
            "c.json",
        ] {
            assert!(message(flow.clone().client_metadata_url(bad))
                .contains("`oauth.clientMetadataUrl` must be an https:// URL with a path"));
        }
        for bad in [
            "https://127.0.0.1/cb",
            "http://example.com/cb",
            "http://127.0.0.1/cb#f",
        ] {
            assert!(message(flow.clone().redirect_uri(bad))
                .contains("`oauth.redirectUri` must be an http:// URL on a loopback host"));
        }
        for good in [
            "http://127.0.0.1/cb",
            "http://[::1]:9/cb",
            "http://localhost/x",
        ] {
            assert!(flow.clone().redirect_uri(good).validate().is_ok(), "{good}");
        }
        // Client credentials keep their rules, and refuse the flow's options.
        let cc = OAuthSpec::secret_from_env("id", "VAR");
        assert!(message(cc.redirect_uri("http://127.0.0.1/cb"))
            .contains("belong to the `authorization-code` flow"));
    }
}
