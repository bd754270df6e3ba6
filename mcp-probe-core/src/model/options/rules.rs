//! The rules options obey before they are applied: what needs what, what excludes what,
//! what applies to HTTP targets only, and ranges. The first broken rule is the error, so the
//! checks run in a fixed order.

use std::collections::BTreeMap;

use super::{CheckOptions, OptionsError};
use crate::model::limits::{MAX_LIMIT_BYTES, MAX_PAGES, MAX_TIMEOUT};
use crate::model::oauth::OAuthFlow;
use crate::model::tls::MAX_CERT_DAYS;

/// `Err(needs)` when `given` and not `needed`.
fn needs(given: bool, name: &str, needed: &str) -> Result<(), OptionsError> {
    if given {
        Err(OptionsError::new(
            name,
            format!("`{name}` needs `{needed}`"),
        ))
    } else {
        Ok(())
    }
}

/// `Err` when both `a` and `b` are given.
fn not_both(both: bool, a: &str, b: &str) -> Result<(), OptionsError> {
    if both {
        Err(OptionsError::new(
            b,
            format!("give either `{a}` or `{b}`, not both"),
        ))
    } else {
        Ok(())
    }
}

/// `Err` unless `min <= value <= max`.
fn in_range(name: &str, value: Option<u64>, min: u64, max: u64) -> Result<(), OptionsError> {
    match value {
        Some(v) if v < min || v > max => Err(OptionsError::new(
            name,
            format!("`{name}` must be between {min} and {max}, got {v}"),
        )),
        _ => Ok(()),
    }
}

impl CheckOptions {
    /// What needs what, what excludes what, what applies to HTTP targets only, and ranges.
    pub(super) fn check_rules(&self) -> Result<(), OptionsError> {
        self.check_target()?;
        self.check_steps()?;
        self.check_bearer()?;
        if self.oauth_flow == Some(OAuthFlow::AuthorizationCode) {
            self.check_authorization_code()?;
        } else if self.oauth_client_id.is_some() {
            self.check_oauth_client()?;
        } else {
            self.check_no_oauth_client()?;
        }
        self.check_client_cert()?;
        if let Some(argv) = &self.command {
            self.check_stdio(argv)?;
        }
        self.check_timeouts()?;
        self.check_ranges()
    }

    /// One target at most; `env` and `cwd` only with `command`.
    fn check_target(&self) -> Result<(), OptionsError> {
        let o = self;
        not_both(o.url.is_some() && o.command.is_some(), "url", "command")?;
        if o.command.is_none() {
            needs(o.env.is_some(), "env", "command")?;
            needs(o.cwd.is_some(), "cwd", "command")?;
        }
        Ok(())
    }

    /// The tool call's options need `tool`; one text expectation at most.
    fn check_steps(&self) -> Result<(), OptionsError> {
        let o = self;
        if o.tool.is_none() {
            needs(o.arguments.is_some(), "arguments", "tool")?;
            needs(o.expect_text.is_some(), "expectText", "tool")?;
            needs(o.expect_contains.is_some(), "expectContains", "tool")?;
            needs(o.allow_tool_error.is_some(), "allowToolError", "tool")?;
        }
        not_both(
            o.expect_text.is_some() && o.expect_contains.is_some(),
            "expectText",
            "expectContains",
        )
    }

    /// One source of a bearer token at most.
    fn check_bearer(&self) -> Result<(), OptionsError> {
        not_both(
            self.bearer_env.is_some() && self.bearer_file.is_some(),
            "bearerEnv",
            "bearerFile",
        )
    }

    /// The authorization-code flow: no other credential, at most one source of each secret,
    /// a secret or refresh token only with its client id, no token URL.
    fn check_authorization_code(&self) -> Result<(), OptionsError> {
        let o = self;
        o.check_one_credential(
            "oauthFlow",
            "the OAuth authorization-code flow (`oauthFlow`)",
        )?;
        not_both(
            o.oauth_client_secret_env.is_some() && o.oauth_client_secret_file.is_some(),
            "oauthClientSecretEnv",
            "oauthClientSecretFile",
        )?;
        not_both(
            o.oauth_refresh_token_env.is_some() && o.oauth_refresh_token_file.is_some(),
            "oauthRefreshTokenEnv",
            "oauthRefreshTokenFile",
        )?;
        let without_id = o.oauth_client_id.is_none();
        needs(
            without_id && o.oauth_client_secret_env.is_some(),
            "oauthClientSecretEnv",
            "oauthClientId",
        )?;
        needs(
            without_id && o.oauth_client_secret_file.is_some(),
            "oauthClientSecretFile",
            "oauthClientId",
        )?;
        needs(
            without_id && o.oauth_refresh_token_env.is_some(),
            "oauthRefreshTokenEnv",
            "oauthClientId",
        )?;
        needs(
            without_id && o.oauth_refresh_token_file.is_some(),
            "oauthRefreshTokenFile",
            "oauthClientId",
        )?;
        if o.oauth_token_url.is_some() {
            return Err(OptionsError::new(
                "oauthTokenUrl",
                "`oauthTokenUrl` is for client credentials: the authorization-code flow \
                 (`oauthFlow`) discovers its endpoints",
            ));
        }
        Ok(())
    }

    /// No bearer token nor `Authorization` header beside OAuth (`option`, described as
    /// `what`).
    fn check_one_credential(&self, option: &str, what: &str) -> Result<(), OptionsError> {
        let o = self;
        for (given, name) in [
            (o.bearer_env.is_some(), "bearerEnv"),
            (o.bearer_file.is_some(), "bearerFile"),
        ] {
            if given {
                return Err(OptionsError::new(
                    option,
                    format!("give either a bearer token (`{name}`) or {what}, not both"),
                ));
            }
        }
        if o.has_authorization_header() {
            return Err(OptionsError::new(
                option,
                format!("give either an `Authorization` header or {what}, not both"),
            ));
        }
        Ok(())
    }

    /// The options of the authorization-code flow need `oauthFlow` authorization-code.
    fn check_no_authorization_code(&self) -> Result<(), OptionsError> {
        let o = self;
        for (given, name) in [
            (
                o.oauth_client_metadata_url.is_some(),
                "oauthClientMetadataUrl",
            ),
            (o.oauth_redirect_uri.is_some(), "oauthRedirectUri"),
            (o.oauth_refresh_token_env.is_some(), "oauthRefreshTokenEnv"),
            (
                o.oauth_refresh_token_file.is_some(),
                "oauthRefreshTokenFile",
            ),
        ] {
            if given {
                return Err(OptionsError::new(
                    name,
                    format!("`{name}` needs `oauthFlow` authorization-code"),
                ));
            }
        }
        Ok(())
    }

    /// OAuth client credentials: no other credential, and exactly one source of the secret.
    fn check_oauth_client(&self) -> Result<(), OptionsError> {
        let o = self;
        o.check_no_authorization_code()?;
        for (given, name) in [
            (o.bearer_env.is_some(), "bearerEnv"),
            (o.bearer_file.is_some(), "bearerFile"),
        ] {
            if given {
                return Err(OptionsError::new(
                    "oauthClientId",
                    format!(
                        "give either a bearer token (`{name}`) or OAuth client credentials \
                         (`oauthClientId`), not both"
                    ),
                ));
            }
        }
        if o.has_authorization_header() {
            return Err(OptionsError::new(
                "oauthClientId",
                "give either an `Authorization` header or OAuth client credentials \
                 (`oauthClientId`), not both",
            ));
        }
        not_both(
            o.oauth_client_secret_env.is_some() && o.oauth_client_secret_file.is_some(),
            "oauthClientSecretEnv",
            "oauthClientSecretFile",
        )?;
        if o.oauth_client_secret_env.is_none() && o.oauth_client_secret_file.is_none() {
            return Err(OptionsError::new(
                "oauthClientId",
                "`oauthClientId` needs `oauthClientSecretEnv` or `oauthClientSecretFile` \
                 (a secret is never given directly)",
            ));
        }
        Ok(())
    }

    /// Without `oauthClientId`, none of the other OAuth options.
    fn check_no_oauth_client(&self) -> Result<(), OptionsError> {
        let o = self;
        o.check_no_authorization_code()?;
        needs(o.oauth_flow.is_some(), "oauthFlow", "oauthClientId")?;
        needs(
            o.oauth_client_secret_env.is_some(),
            "oauthClientSecretEnv",
            "oauthClientId",
        )?;
        needs(
            o.oauth_client_secret_file.is_some(),
            "oauthClientSecretFile",
            "oauthClientId",
        )?;
        needs(o.oauth_method.is_some(), "oauthMethod", "oauthClientId")?;
        needs(o.oauth_scope.is_some(), "oauthScope", "oauthClientId")?;
        needs(
            o.oauth_token_url.is_some(),
            "oauthTokenUrl",
            "oauthClientId",
        )
    }

    /// A client certificate and its key come together.
    fn check_client_cert(&self) -> Result<(), OptionsError> {
        let o = self;
        needs(
            o.client_cert.is_some() && o.client_key.is_none(),
            "clientCert",
            "clientKey",
        )?;
        needs(
            o.client_key.is_some() && o.client_cert.is_none(),
            "clientKey",
            "clientCert",
        )
    }

    /// A `command` target: a program, no HTTP-only option, and sound variable names.
    fn check_stdio(&self, argv: &[String]) -> Result<(), OptionsError> {
        if argv.first().is_none_or(|program| program.trim().is_empty()) {
            return Err(OptionsError::new(
                "command",
                "`command` needs the server's program (and its arguments), e.g. \
                 python server.py",
            ));
        }
        self.check_no_http_options()?;
        self.check_env_names()
    }

    /// Headers, credentials, TLS and redirects apply to HTTP targets only.
    fn check_no_http_options(&self) -> Result<(), OptionsError> {
        let o = self;
        let http_only = [
            (o.headers.is_some(), "headers"),
            (o.bearer_env.is_some(), "bearerEnv"),
            (o.bearer_file.is_some(), "bearerFile"),
            (o.oauth_client_id.is_some(), "oauthClientId"),
            (o.oauth_flow.is_some(), "oauthFlow"),
            (o.ca_cert.is_some(), "caCert"),
            (o.client_cert.is_some(), "clientCert"),
            (o.client_key.is_some(), "clientKey"),
            (o.insecure == Some(true), "insecure"),
            (o.cert_warn_days.is_some(), "certWarnDays"),
            (o.cert_fail_days.is_some(), "certFailDays"),
            (o.follow_redirects.is_some(), "followRedirects"),
        ];
        match http_only.iter().find(|(given, _)| *given) {
            Some((_, name)) => Err(OptionsError::new(
                name,
                format!(
                    "`{name}` and the other header, credential, TLS and redirect options \
                     apply to HTTP targets, not `command`"
                ),
            )),
            None => Ok(()),
        }
    }

    /// `env` names are not empty and have no `=`.
    fn check_env_names(&self) -> Result<(), OptionsError> {
        for name in self.env.iter().flat_map(BTreeMap::keys) {
            if name.is_empty() {
                return Err(OptionsError::new("env", "`env` has an empty variable name"));
            }
            if name.contains('=') {
                return Err(OptionsError::new(
                    "env",
                    format!("`env` variable names cannot contain \"=\", got {name:?}"),
                ));
            }
        }
        Ok(())
    }

    /// Every duration is above zero and at most [`MAX_TIMEOUT`].
    fn check_timeouts(&self) -> Result<(), OptionsError> {
        for (name, value) in [
            ("timeout", self.timeout),
            ("connectTimeout", self.connect_timeout),
            ("requestTimeout", self.request_timeout),
            ("waitUntilReady", self.wait_until_ready),
        ] {
            match value {
                Some(d) if d.is_zero() => {
                    return Err(OptionsError::new(
                        name,
                        format!("`{name}` must be greater than zero"),
                    ))
                }
                Some(d) if d > MAX_TIMEOUT => {
                    return Err(OptionsError::new(
                        name,
                        format!(
                            "`{name}` must be at most {}",
                            humantime::format_duration(MAX_TIMEOUT)
                        ),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Sizes, pages and certificate days within their ranges.
    fn check_ranges(&self) -> Result<(), OptionsError> {
        let o = self;
        in_range("maxBodyBytes", o.max_body_bytes, 1, MAX_LIMIT_BYTES)?;
        in_range(
            "maxSseEventBytes",
            o.max_sse_event_bytes,
            1,
            MAX_LIMIT_BYTES,
        )?;
        in_range("maxPages", o.max_pages.map(u64::from), 1, MAX_PAGES.into())?;
        let days = u64::from(MAX_CERT_DAYS);
        in_range("certWarnDays", o.cert_warn_days.map(u64::from), 0, days)?;
        in_range("certFailDays", o.cert_fail_days.map(u64::from), 0, days)
    }
}
