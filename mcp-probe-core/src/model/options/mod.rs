//! The options of a check: one flat document that every front end (the `mcp-probe check`
//! flags, the Node.js options object, the Python keyword arguments) converts into, and the
//! rules that turn it into a [`Scenario`].
//!
//! Canonical names are the camelCase field names (`oauthScope`); each front end spells them
//! mechanically (`--oauth-scope`, `oauthScope`, `oauth_scope`). Errors name the canonical
//! option and are rendered in a front end's spelling with [`OptionsError::message_with`].
//!
//! ```
//! use mcp_probe_core::CheckOptions;
//!
//! let options = CheckOptions::from_value(serde_json::json!({
//!     "url": "http://127.0.0.1:8000/mcp",
//!     "tool": "add",
//!     "arguments": {"a": 2, "b": 3},
//!     "expectText": "5",
//!     "timeout": "10s",
//! }))
//! .unwrap();
//! let scenario = options.into_scenario().unwrap();
//! assert_eq!(scenario.timeouts.total, std::time::Duration::from_secs(10));
//!
//! let mut wrong = CheckOptions::default();
//! wrong.expect_text = Some("5".into());
//! let error = wrong.into_scenario().unwrap_err();
//! assert_eq!(error.option(), Some("expectText"));
//! assert_eq!(error.message_with(|name| format!("--{name}")), "--expectText needs --tool");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::model::limits::{MAX_LIMIT_BYTES, MAX_PAGES, MAX_TIMEOUT};
use crate::model::oauth::{OAuthFlow, OAuthMethod};
use crate::model::protocol::{FollowRedirects, ProtocolChoice, TransportChoice};
use crate::model::scenario::Scenario;
use crate::model::tls::MAX_CERT_DAYS;

mod build;
mod rules;

/// Everything `check` can be told, each field optional (absent: the default).
///
/// Serialized with camelCase names; durations are text such as `"10s"` or `"1500ms"`, or a
/// number of milliseconds. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CheckOptions {
    // --- target -----------------------------------------------------------------------------
    /// The endpoint: Streamable HTTP, or with `transport: sse` the legacy event stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A local server to start and probe over stdio: the program, then its arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Variables added to the stdio server's inherited environment (values are never shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// The stdio server's working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// A scenario file (YAML or JSON) the other options refine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<PathBuf>,
    /// `auto`, `streamable-http`, `sse` or `stdio`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "choice")]
    pub transport: Option<TransportChoice>,
    /// The protocol era: `auto`, `modern` or `handshake`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "choice")]
    pub protocol: Option<ProtocolChoice>,
    /// Ask for this protocol version and accept only it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// Also run the probe in every era, protocol version and transport the target could
    /// speak (report field `matrix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<bool>,

    // --- steps ------------------------------------------------------------------------------
    /// Call this tool after listing tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The tool's arguments (default `{}`); needs `tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Map<String, Value>>,
    /// The tool's text result must equal this; needs `tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_text: Option<String>,
    /// The tool's text result must contain this; needs `tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_contains: Option<String>,
    /// Accept a tool result with `isError: true`; needs `tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_tool_error: Option<bool>,
    /// Check the server's authorization set-up without credentials first (alone when there
    /// are no credentials, no `tool` and no `scenario`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_auth: Option<bool>,
    /// A surface snapshot file (`mcp-probe snapshot`): fail with `surface_changed` when the
    /// server's tools, resources, resource templates or prompts changed in a way that breaks
    /// its clients; warn on compatible changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_surface: Option<PathBuf>,
    /// Fail the tool listing when a tool's `inputSchema` is not valid JSON Schema (default: the
    /// warning `invalid_input_schema`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict_schemas: Option<bool>,

    // --- auth -------------------------------------------------------------------------------
    /// Extra headers for every request (values are never shown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Send a bearer token read from this environment variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_env: Option<String>,
    /// Send a bearer token read from this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_file: Option<PathBuf>,
    /// OAuth client credentials: get an access token as this client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_id: Option<String>,
    /// The OAuth client secret, read from this environment variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_secret_env: Option<String>,
    /// The OAuth client secret, read from this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_secret_file: Option<PathBuf>,
    /// Token endpoint authentication: `basic` or `post`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "choice")]
    pub oauth_method: Option<OAuthMethod>,
    /// The scope to ask the token endpoint for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_scope: Option<String>,
    /// The token endpoint (default: discovered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_token_url: Option<String>,
    /// The OAuth grant: `client-credentials` (the default with `oauthClientId`) or
    /// `authorization-code` (headless, with PKCE, for authorization servers that approve
    /// without a person; the client is registered on the fly unless `oauthClientId` is given).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "choice")]
    pub oauth_flow: Option<OAuthFlow>,
    /// Authorization-code flow: this client ID metadata document URL (https) as the client id,
    /// when the authorization server supports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_metadata_url: Option<String>,
    /// Authorization-code flow: the loopback redirect URI (default `http://127.0.0.1/callback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_redirect_uri: Option<String>,
    /// Authorization-code flow: refresh this grant instead of authorizing; the refresh token is
    /// read from this environment variable (needs `oauthClientId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_refresh_token_env: Option<String>,
    /// Authorization-code flow: the refresh token, read from this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_refresh_token_file: Option<PathBuf>,

    // --- TLS and redirects ------------------------------------------------------------------
    /// Also trust the CA certificates in this PEM file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS; needs `clientKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    /// The private key (PEM) of `clientCert`; needs `clientCert`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// Accept any TLS certificate (still reported, with the warning `insecure_tls`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Warn when the certificate expires in fewer than this many days (0: never).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count::days"
    )]
    pub cert_warn_days: Option<u32>,
    /// Fail when the certificate expires in fewer than this many days.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count::days"
    )]
    pub cert_fail_days: Option<u32>,
    /// Redirects to follow: `none` or `same-origin`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "choice")]
    pub follow_redirects: Option<FollowRedirects>,

    // --- limits -----------------------------------------------------------------------------
    /// Limit for the whole probe, clean-up included.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "duration")]
    pub timeout: Option<Duration>,
    /// Limit for establishing a connection.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "duration")]
    pub connect_timeout: Option<Duration>,
    /// Limit for each request.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "duration")]
    pub request_timeout: Option<Duration>,
    /// Repeat the whole probe until it is healthy or this long has passed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "duration")]
    pub wait_until_ready: Option<Duration>,
    /// Largest response body or SSE stream accepted, in bytes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count::bytes"
    )]
    pub max_body_bytes: Option<u64>,
    /// Largest single SSE event accepted, in bytes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count::bytes"
    )]
    pub max_sse_event_bytes: Option<u64>,
    /// Most pages a list step follows.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "count::pages"
    )]
    pub max_pages: Option<u32>,
}

/// Why options do not make a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError {
    kind: ErrorKind,
    /// The canonical name of the option at fault, if one is.
    option: Option<String>,
    message: String,
    /// Whether `message` names options as `` `canonicalName` `` (the engine's messages about
    /// the resulting scenario do not, and are never respelled).
    spelled: bool,
}

impl OptionsError {
    fn new(option: &str, message: impl Into<String>) -> Self {
        OptionsError {
            kind: ErrorKind::InvalidOption,
            option: Some(option.to_owned()),
            message: message.into(),
            spelled: true,
        }
    }

    /// What kind of mistake this is (`InvalidOption` for the options' own rules, the engine's
    /// kind for what it finds wrong with the resulting scenario).
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind (`invalid_option`, …).
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The canonical (camelCase) name of the option at fault, if one is.
    pub fn option(&self) -> Option<&str> {
        self.option.as_deref()
    }

    /// The message with every option it names (`` `oauthScope` ``) replaced by
    /// `spell(name)`, e.g. `--oauth-scope` or `` `oauth_scope` ``.
    pub fn message_with(&self, spell: impl Fn(&str) -> String) -> String {
        if !self.spelled {
            return self.message.clone();
        }
        let mut out = String::with_capacity(self.message.len());
        let mut rest = self.message.as_str();
        while let Some(start) = rest.find('`') {
            let Some(len) = rest[start + 1..].find('`') else {
                break;
            };
            let name = &rest[start + 1..start + 1 + len];
            out.push_str(&rest[..start]);
            if CheckOptions::NAMES.contains(&name) {
                out.push_str(&spell(name));
            } else {
                out.push_str(&rest[start..start + len + 2]);
            }
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
        out
    }
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OptionsError {}

impl From<Error> for OptionsError {
    fn from(e: Error) -> Self {
        OptionsError {
            kind: e.kind(),
            option: None,
            message: e.to_string(),
            spelled: false,
        }
    }
}

impl From<OptionsError> for Error {
    fn from(e: OptionsError) -> Self {
        Error::new(e.kind, e.message)
    }
}

impl CheckOptions {
    /// Every option's canonical name, in the order of the fields.
    pub const NAMES: &'static [&'static str] = &[
        "url",
        "command",
        "env",
        "cwd",
        "scenario",
        "transport",
        "protocol",
        "protocolVersion",
        "matrix",
        "tool",
        "arguments",
        "expectText",
        "expectContains",
        "allowToolError",
        "checkAuth",
        "expectSurface",
        "strictSchemas",
        "headers",
        "bearerEnv",
        "bearerFile",
        "oauthClientId",
        "oauthClientSecretEnv",
        "oauthClientSecretFile",
        "oauthMethod",
        "oauthScope",
        "oauthTokenUrl",
        "oauthFlow",
        "oauthClientMetadataUrl",
        "oauthRedirectUri",
        "oauthRefreshTokenEnv",
        "oauthRefreshTokenFile",
        "caCert",
        "clientCert",
        "clientKey",
        "insecure",
        "certWarnDays",
        "certFailDays",
        "followRedirects",
        "timeout",
        "connectTimeout",
        "requestTimeout",
        "waitUntilReady",
        "maxBodyBytes",
        "maxSseEventBytes",
        "maxPages",
    ];

    /// The options that are durations (a front end may spell them with its unit, e.g.
    /// `timeoutMs`).
    pub const DURATIONS: &'static [&'static str] = &[
        "timeout",
        "connectTimeout",
        "requestTimeout",
        "waitUntilReady",
    ];

    /// Options from a JSON object with the canonical names; an unknown name or a value of
    /// the wrong type is an `invalid_option` error naming the option.
    pub fn from_value(value: Value) -> Result<Self, OptionsError> {
        let Value::Object(object) = &value else {
            return Err(OptionsError {
                kind: ErrorKind::InvalidOption,
                option: None,
                message: "the options must be an object".into(),
                spelled: false,
            });
        };
        if let Some(unknown) = object.keys().find(|k| !Self::NAMES.contains(&k.as_str())) {
            return Err(OptionsError::new(
                unknown,
                format!("unknown option `{unknown}`"),
            ));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let option = e.path().iter().next().map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => key.clone(),
                other => other.to_string(),
            });
            let inner = e.into_inner().to_string();
            match option {
                Some(name) => {
                    let sep = if inner.starts_with("must ") {
                        " "
                    } else {
                        ": "
                    };
                    OptionsError::new(&name, format!("`{name}`{sep}{inner}"))
                }
                None => OptionsError {
                    kind: ErrorKind::InvalidOption,
                    option: None,
                    message: inner,
                    spelled: false,
                },
            }
        })
    }

    /// Options from JSON text (see [`CheckOptions::from_value`]).
    pub fn from_json(text: &str) -> Result<Self, OptionsError> {
        let value = serde_json::from_str(text).map_err(|e| OptionsError {
            kind: ErrorKind::InvalidOption,
            option: None,
            message: format!("the options are not valid JSON: {e}"),
            spelled: false,
        })?;
        Self::from_value(value)
    }

    /// The scenario these options describe: the `scenario` file (or an empty scenario)
    /// refined by every other option, validated.
    pub fn into_scenario(self) -> Result<Scenario, OptionsError> {
        self.check_rules()?;
        let base = match &self.scenario {
            Some(path) => Scenario::from_path(path)?,
            None => Scenario::new(),
        };
        let from_document = self.scenario.is_some();
        self.build(base, from_document)
    }

    /// Refines `scenario`, a document the caller already has (a scenario object, a parsed
    /// file), as the options refine a `scenario` file, and validates the result. Giving the
    /// `scenario` option as well is a mistake.
    pub fn apply(self, scenario: Scenario) -> Result<Scenario, OptionsError> {
        if self.scenario.is_some() {
            return Err(OptionsError::new(
                "scenario",
                "give a scenario either as a document or as a file (`scenario`), not both",
            ));
        }
        self.check_rules()?;
        self.build(scenario, true)
    }

    /// Whether a credential is given: a bearer token, OAuth client credentials or an
    /// `Authorization` header.
    fn has_credentials(&self) -> bool {
        self.bearer_env.is_some()
            || self.bearer_file.is_some()
            || self.oauth_client_id.is_some()
            || self.is_authorization_code()
            || self.has_authorization_header()
    }

    /// Whether `oauthFlow` asks for the authorization-code flow.
    fn is_authorization_code(&self) -> bool {
        self.oauth_flow == Some(OAuthFlow::AuthorizationCode)
    }

    fn has_authorization_header(&self) -> bool {
        self.headers.as_ref().is_some_and(|headers| {
            headers
                .keys()
                .any(|name| name.trim().eq_ignore_ascii_case("authorization"))
        })
    }
}

/// Parses a duration as the options write it: `10s`, `1500ms`, `1m 30s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| format!("{e} (use e.g. 10s, 1500ms, 1m)"))
}

/// An option's enum values by name: `FromStr` and the list of names, so that no front end
/// parses them by hand.
macro_rules! choices {
    ($($ty:ty: [$($variant:path => $name:literal),+ $(,)?];)+) => {$(
        impl $ty {
            /// The names this option accepts.
            pub const VALUES: &'static [&'static str] = &[$($name),+];
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($name => Ok($variant),)+
                    _ => Err(format!("must be {}, got {s:?}", one_of(Self::VALUES))),
                }
            }
        }
    )+};
}

choices! {
    TransportChoice: [
        TransportChoice::Auto => "auto",
        TransportChoice::StreamableHttp => "streamable-http",
        TransportChoice::Sse => "sse",
        TransportChoice::Stdio => "stdio",
    ];
    ProtocolChoice: [
        ProtocolChoice::Auto => "auto",
        ProtocolChoice::Modern => "modern",
        ProtocolChoice::Handshake => "handshake",
    ];
    FollowRedirects: [
        FollowRedirects::None => "none",
        FollowRedirects::SameOrigin => "same-origin",
    ];
    OAuthMethod: [
        OAuthMethod::Basic => "basic",
        OAuthMethod::Post => "post",
        OAuthMethod::PrivateKeyJwt => "private-key-jwt",
    ];
    OAuthFlow: [
        OAuthFlow::ClientCredentials => "client-credentials",
        OAuthFlow::AuthorizationCode => "authorization-code",
        OAuthFlow::JwtBearer => "jwt-bearer",
    ];
}

/// `"a", "b" or "c"`.
fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// Enum options as their names, parsed with `FromStr` (exactly the listed names).
mod choice {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<T: Serialize, S: Serializer>(
        value: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }

    pub(super) fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr<Err: Display>,
        D: Deserializer<'de>,
    {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(name) => name.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// Durations as text (`"10s"`) or a number of milliseconds (fractions allowed).
mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&humantime::format_duration(*d).to_string()),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Form {
        Millis(f64),
        Text(String),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        let bad = |what: String| serde::de::Error::custom(what);
        match Option::<Form>::deserialize(d).map_err(|_| {
            bad("must be a duration such as \"10s\" or a number of milliseconds".into())
        })? {
            None => Ok(None),
            Some(Form::Millis(ms)) => {
                if !ms.is_finite() || ms < 0.0 {
                    return Err(bad(format!(
                        "must be a number of milliseconds greater than zero, got {ms}"
                    )));
                }
                Duration::try_from_secs_f64(ms / 1000.0)
                    .map(Some)
                    .map_err(|_| {
                        bad(format!(
                            "must be at most {}",
                            humantime::format_duration(super::MAX_TIMEOUT)
                        ))
                    })
            }
            Some(Form::Text(text)) => super::parse_duration(&text)
                .map(Some)
                .map_err(|e| bad(format!("is not a duration: {e}"))),
        }
    }
}

/// Whole numbers (also a whole floating-point number, as JavaScript sends them) within an
/// option's range; `check_rules` checks the same ranges for options made in Rust.
mod count {
    use std::fmt;

    use serde::de::{self, Deserializer, Visitor};

    use super::{MAX_CERT_DAYS, MAX_LIMIT_BYTES, MAX_PAGES};

    struct Whole;

    impl Visitor<'_> for Whole {
        type Value = Option<i128>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e30 {
                // Whole and far inside i128's range, so the conversion is exact.
                Ok(Some(v as i128))
            } else {
                Err(E::custom(format!("must be a whole number, got {v}")))
            }
        }
    }

    /// A whole number between `min` and `max`.
    fn within<'de, D: Deserializer<'de>, T: TryFrom<i128>>(
        d: D,
        min: u64,
        max: u64,
    ) -> Result<Option<T>, D::Error> {
        let Some(v) = d.deserialize_any(Whole)? else {
            return Ok(None);
        };
        if v < i128::from(min) || v > i128::from(max) {
            return Err(de::Error::custom(format!(
                "must be between {min} and {max}, got {v}"
            )));
        }
        T::try_from(v)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("must be at most {max}")))
    }

    pub(super) fn bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        within(d, 1, MAX_LIMIT_BYTES)
    }

    pub(super) fn pages<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        within(d, 1, MAX_PAGES.into())
    }

    pub(super) fn days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        within(d, 0, MAX_CERT_DAYS.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::oauth::OAuthSpec;
    use crate::model::steps::{CheckAuthStep, Step};
    use serde_json::json;

    /// Every field set: a new field breaks this literal until it is listed here and in
    /// `CheckOptions::NAMES`.
    fn everything() -> CheckOptions {
        CheckOptions {
            url: Some("https://mcp.example.com/mcp".into()),
            command: Some(vec!["srv".into()]),
            env: Some(BTreeMap::from([("A".into(), "1".into())])),
            cwd: Some(".".into()),
            scenario: Some("s.yaml".into()),
            transport: Some(TransportChoice::Sse),
            protocol: Some(ProtocolChoice::Modern),
            protocol_version: Some("2026-07-28".into()),
            matrix: Some(true),
            tool: Some("add".into()),
            arguments: Some(Map::new()),
            expect_text: Some("5".into()),
            expect_contains: Some("5".into()),
            allow_tool_error: Some(true),
            check_auth: Some(true),
            expect_surface: Some("surface.json".into()),
            strict_schemas: Some(true),
            headers: Some(BTreeMap::from([("X-A".into(), "b".into())])),
            bearer_env: Some("T".into()),
            bearer_file: Some("t".into()),
            oauth_client_id: Some("c".into()),
            oauth_client_secret_env: Some("S".into()),
            oauth_client_secret_file: Some("s".into()),
            oauth_method: Some(OAuthMethod::Post),
            oauth_scope: Some("mcp".into()),
            oauth_token_url: Some("https://as.example.com/token".into()),
            oauth_flow: Some(OAuthFlow::AuthorizationCode),
            oauth_client_metadata_url: Some("https://probe.example/client.json".into()),
            oauth_redirect_uri: Some("http://127.0.0.1:9/cb".into()),
            oauth_refresh_token_env: Some("R".into()),
            oauth_refresh_token_file: Some("r".into()),
            ca_cert: Some("ca.pem".into()),
            client_cert: Some("c.pem".into()),
            client_key: Some("k.pem".into()),
            insecure: Some(true),
            cert_warn_days: Some(3),
            cert_fail_days: Some(1),
            follow_redirects: Some(FollowRedirects::SameOrigin),
            timeout: Some(Duration::from_millis(1500)),
            connect_timeout: Some(Duration::from_secs(1)),
            request_timeout: Some(Duration::from_secs(1)),
            wait_until_ready: Some(Duration::from_secs(30)),
            max_body_bytes: Some(1024),
            max_sse_event_bytes: Some(1024),
            max_pages: Some(3),
        }
    }

    #[test]
    fn names_are_the_serialized_fields() {
        let value = serde_json::to_value(everything()).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut names = CheckOptions::NAMES.to_vec();
        let mut sorted = keys.clone();
        names.sort_unstable();
        sorted.sort_unstable();
        assert_eq!(sorted, names);
        for name in CheckOptions::DURATIONS {
            assert!(CheckOptions::NAMES.contains(name), "{name}");
        }
        // And the serialized form reads back.
        assert_eq!(CheckOptions::from_value(value).unwrap(), everything());
    }

    #[test]
    fn enum_values_are_their_names() {
        for v in TransportChoice::VALUES {
            assert_eq!(v.parse::<TransportChoice>().unwrap().as_str(), *v);
        }
        for v in ProtocolChoice::VALUES {
            assert_eq!(v.parse::<ProtocolChoice>().unwrap().as_str(), *v);
        }
        for v in FollowRedirects::VALUES {
            assert_eq!(v.parse::<FollowRedirects>().unwrap().as_str(), *v);
        }
        for v in OAuthMethod::VALUES {
            assert_eq!(v.parse::<OAuthMethod>().unwrap().as_str(), *v);
        }
        for v in OAuthFlow::VALUES {
            assert_eq!(v.parse::<OAuthFlow>().unwrap().as_str(), *v);
        }
        // Only the listed names: the document's aliases are not options.
        assert!("client_secret_post".parse::<OAuthMethod>().is_err());
    }

    fn error(value: Value) -> OptionsError {
        match CheckOptions::from_value(value) {
            Ok(o) => o.into_scenario().unwrap_err(),
            Err(e) => e,
        }
    }

    #[test]
    fn errors_name_the_option_in_any_spelling() {
        let url = "http://127.0.0.1:9/mcp";
        let cases = [
            (
                json!({"url": url, "timeOut": 5}),
                "timeOut",
                "unknown option `timeOut`",
            ),
            (
                json!({"url": url, "tool": 3}),
                "tool",
                "`tool`: invalid type",
            ),
            (
                json!({"url": url, "transport": "x"}),
                "transport",
                "`transport` must be \"auto\"",
            ),
            (
                json!({"url": url, "maxPages": 4_294_967_296_u64}),
                "maxPages",
                "between 1 and",
            ),
            (
                json!({"url": url, "certWarnDays": -1}),
                "certWarnDays",
                "between 0 and",
            ),
            (
                json!({"url": url, "maxBodyBytes": 1.5}),
                "maxBodyBytes",
                "whole number",
            ),
            (
                json!({"url": url, "timeout": 0}),
                "timeout",
                "greater than zero",
            ),
            (
                json!({"url": url, "timeout": "soon"}),
                "timeout",
                "not a duration",
            ),
            (
                json!({"url": url, "timeout": -1}),
                "timeout",
                "greater than zero",
            ),
            (
                json!({"url": url, "expectText": "5"}),
                "expectText",
                "`expectText` needs `tool`",
            ),
            (
                json!({"url": url, "oauthScope": "s"}),
                "oauthScope",
                "needs `oauthClientId`",
            ),
            (
                json!({"url": url, "clientKey": "k"}),
                "clientKey",
                "`clientKey` needs `clientCert`",
            ),
            (
                json!({"command": ["srv"], "insecure": true}),
                "insecure",
                "apply to HTTP targets",
            ),
            (
                json!({"command": []}),
                "command",
                "needs the server's program",
            ),
            (
                json!({"command": ["srv"], "env": {"": "1"}}),
                "env",
                "empty variable name",
            ),
            (
                json!({"url": url, "env": {"A": "1"}}),
                "env",
                "`env` needs `command`",
            ),
        ];
        for (value, option, fragment) in cases {
            let e = error(value.clone());
            assert_eq!(e.kind(), ErrorKind::InvalidOption, "{value}: {e}");
            assert_eq!(e.option(), Some(option), "{value}: {e}");
            assert!(e.to_string().contains(fragment), "{value}: {e}");
        }
        let e = error(json!({"url": url, "oauthClientId": "c", "bearerEnv": "T"}));
        assert_eq!(
            e.message_with(|n| format!("--{n}")),
            "give either a bearer token (--bearerEnv) or OAuth client credentials \
             (--oauthClientId), not both"
        );
    }

    #[test]
    fn engine_errors_keep_their_kind_and_words() {
        let e = error(json!({"command": ["srv"], "transport": "sse"}));
        assert_eq!(e.option(), None);
        assert_eq!(e.message_with(|_| "X".into()), e.to_string());
        // Without a target the scenario is built (a target may be given later).
        assert_eq!(scenario_of(json!({})), Ok(Scenario::new()));
    }

    #[test]
    fn options_build_what_the_builder_builds() {
        let options = CheckOptions::from_value(json!({
            "url": "http://127.0.0.1:9/mcp",
            "tool": "add",
            "arguments": {"a": 1},
            "expectContains": "2",
            "timeout": 2500,
            "connectTimeout": "1s",
            "maxPages": 7,
            "checkAuth": true,
        }))
        .unwrap();
        let built = options.into_scenario().unwrap();
        let expected = Scenario::for_url("http://127.0.0.1:9/mcp")
            .timeout(Duration::from_millis(2500))
            .connect_timeout(Duration::from_secs(1))
            .max_pages(7)
            .call_tool("add", json!({"a": 1}))
            .expect_contains("2")
            .check_auth();
        assert_eq!(built, expected);
        // --check-auth alone: the only step.
        let alone = CheckOptions {
            url: Some("http://127.0.0.1:9/mcp".into()),
            check_auth: Some(true),
            ..CheckOptions::default()
        };
        let built = alone.into_scenario().unwrap();
        assert_eq!(built.steps, vec![Step::CheckAuth(CheckAuthStep::default())]);
        // A document given: the checks run before its steps.
        let alone = CheckOptions {
            check_auth: Some(true),
            ..CheckOptions::default()
        };
        let built = alone
            .apply(Scenario::for_url("http://127.0.0.1:9/mcp"))
            .unwrap();
        assert_eq!(built.steps.len(), 3);
    }

    /// Options as a JavaScript caller writes them (numbers may be floats).
    fn scenario_of(value: Value) -> Result<Scenario, OptionsError> {
        CheckOptions::from_value(value).and_then(CheckOptions::into_scenario)
    }

    #[test]
    fn durations_and_sizes_must_be_positive() {
        let url = "http://127.0.0.1:1/mcp";
        let built = scenario_of(json!({"url": url, "timeout": 1500.0})).unwrap();
        assert_eq!(built.timeouts.total, Duration::from_millis(1500));
        for bad in [json!(0), json!(-1.0), json!("0s")] {
            assert!(
                scenario_of(json!({"url": url, "timeout": bad})).is_err(),
                "{bad}"
            );
        }
        let built = scenario_of(json!({"url": url, "waitUntilReady": "30s"})).unwrap();
        assert_eq!(built.wait_until_ready, Some(Duration::from_secs(30)));
        for bad in [json!(0), json!("0s"), json!("25h")] {
            assert!(
                scenario_of(json!({"url": url, "waitUntilReady": bad})).is_err(),
                "{bad}"
            );
        }
        let built = scenario_of(json!({"url": url, "maxBodyBytes": 1024.0})).unwrap();
        assert_eq!(built.limits.max_body_bytes, 1024);
        for bad in [json!(0), json!(1.5), json!(-3)] {
            assert!(
                scenario_of(json!({"url": url, "maxBodyBytes": bad})).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn options_build_the_same_scenario_as_the_builder() {
        let url = "https://127.0.0.1:1/mcp";
        let built = scenario_of(json!({
            "url": url, "tool": "add", "arguments": {"a": 2, "b": 3}, "expectText": "5",
            "timeout": 2500,
        }));
        let expected = Scenario::for_url(url)
            .timeout(Duration::from_millis(2500))
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5");
        assert_eq!(built, Ok(expected));

        let built = scenario_of(json!({
            "url": url, "caCert": "ca.pem", "clientCert": "client.pem",
            "clientKey": "client-key.pem", "insecure": true, "certWarnDays": 0.0,
            "certFailDays": 7, "followRedirects": "same-origin",
        }));
        let expected = Scenario::for_url(url)
            .ca_cert("ca.pem")
            .client_cert("client.pem", "client-key.pem")
            .insecure(true)
            .cert_warn_days(0)
            .cert_fail_days(7)
            .follow_redirects(FollowRedirects::SameOrigin);
        assert_eq!(built, Ok(expected));
        let defaults =
            scenario_of(json!({"url": url, "followRedirects": "none", "insecure": false}));
        assert_eq!(defaults, Ok(Scenario::for_url(url)));

        let built = scenario_of(json!({"url": url, "strictSchemas": true}));
        assert_eq!(built, Ok(Scenario::for_url(url).strict_schemas(true)));

        let built = scenario_of(json!({
            "url": url, "oauthClientId": "monitor", "oauthClientSecretFile": "secret.txt",
            "oauthMethod": "post", "oauthScope": "mcp:read",
            "oauthTokenUrl": "https://as.example/token", "checkAuth": true,
        }));
        let expected = Scenario::for_url(url)
            .oauth(
                OAuthSpec::secret_from_file("monitor", "secret.txt")
                    .method(OAuthMethod::Post)
                    .scope("mcp:read")
                    .token_url("https://as.example/token"),
            )
            // Client credentials are credentials: the auth check runs before the others.
            .check_auth();
        assert_eq!(built, Ok(expected));
        let built = scenario_of(json!({
            "url": url, "oauthClientId": "monitor", "oauthClientSecretEnv": "SECRET",
        }));
        let expected =
            Scenario::for_url(url).oauth(OAuthSpec::secret_from_env("monitor", "SECRET"));
        assert_eq!(built, Ok(expected));
    }

    #[test]
    fn conflicting_or_incomplete_options_are_invalid_options() {
        let url = json!({"url": "https://127.0.0.1:1/mcp"});
        let command = json!({"command": ["server"]});
        let oauth = json!({"oauthClientId": "monitor", "oauthClientSecretEnv": "SECRET"});
        let with = |base: &Value, extra: &[&Value]| {
            let mut object = base.as_object().cloned().unwrap_or_default();
            for e in extra {
                object.extend(e.as_object().cloned().unwrap_or_default());
            }
            Value::Object(object)
        };
        let cases = [
            (
                "expectText without tool",
                with(&url, &[&json!({"expectText": "5"})]),
            ),
            (
                "clientCert without clientKey",
                with(&url, &[&json!({"clientCert": "c.pem"})]),
            ),
            (
                "clientKey without clientCert",
                with(&url, &[&json!({"clientKey": "k.pem"})]),
            ),
            (
                "oauthScope without oauthClientId",
                with(&url, &[&json!({"oauthScope": "s"})]),
            ),
            (
                "oauthClientSecretEnv without oauthClientId",
                with(&url, &[&json!({"oauthClientSecretEnv": "S"})]),
            ),
            (
                "oauthClientId without a secret",
                with(&url, &[&json!({"oauthClientId": "m"})]),
            ),
            (
                "both secret sources",
                with(&url, &[&oauth, &json!({"oauthClientSecretFile": "f"})]),
            ),
            (
                "oauth with bearerEnv",
                with(&url, &[&oauth, &json!({"bearerEnv": "T"})]),
            ),
            (
                "oauth with an Authorization header",
                with(
                    &url,
                    &[&oauth, &json!({"headers": {"authorization": "Bearer x"}})],
                ),
            ),
            (
                "an unknown oauthMethod",
                with(&url, &[&oauth, &json!({"oauthMethod": "jwt"})]),
            ),
            (
                "an unknown followRedirects",
                with(&url, &[&json!({"followRedirects": "all"})]),
            ),
            (
                "a fractional certFailDays",
                with(&url, &[&json!({"certFailDays": 1.5})]),
            ),
            (
                "a negative certWarnDays",
                with(&url, &[&json!({"certWarnDays": -1.0})]),
            ),
            (
                "insecure for a command",
                with(&command, &[&json!({"insecure": true})]),
            ),
            (
                "followRedirects for a command",
                with(&command, &[&json!({"followRedirects": "none"})]),
            ),
            ("oauth for a command", with(&command, &[&oauth])),
        ];
        for (what, options) in cases {
            let err = scenario_of(options).err();
            assert_eq!(err.map(|e| e.code()), Some("invalid_option"), "{what}");
        }
    }

    #[test]
    fn the_authorization_code_flow_has_its_own_rules() {
        let flow = json!({"url": "https://127.0.0.1:1/mcp", "oauthFlow": "authorization-code"});
        let with = |extra: Value| {
            let mut object = flow.as_object().cloned().unwrap_or_default();
            object.extend(extra.as_object().cloned().unwrap_or_default());
            scenario_of(Value::Object(object))
        };
        // No client id: registered on the fly; scope and redirect URI without one.
        let s = with(json!({"oauthScope": "mcp:read", "oauthRedirectUri": "http://[::1]:7/cb"}))
            .unwrap();
        let spec = s.target.as_ref().unwrap().oauth.clone().unwrap();
        let expected = OAuthSpec::authorization_code()
            .scope("mcp:read")
            .redirect_uri("http://[::1]:7/cb");
        assert_eq!(spec, expected);
        // A pre-registered client with a refresh token.
        let s = with(json!({"oauthClientId": "m", "oauthRefreshTokenFile": "r"})).unwrap();
        let spec = s.target.as_ref().unwrap().oauth.clone().unwrap();
        assert_eq!(
            spec,
            OAuthSpec::authorization_code()
                .client_id("m")
                .refresh_token_file("r")
        );
        let text = |e: OptionsError| e.message_with(|n| format!("`{n}`"));
        let message = |extra: Value| text(with(extra).unwrap_err());
        assert_eq!(
            message(json!({"oauthClientSecretEnv": "S"})),
            "`oauthClientSecretEnv` needs `oauthClientId`"
        );
        assert_eq!(
            message(json!({"oauthRefreshTokenEnv": "R"})),
            "`oauthRefreshTokenEnv` needs `oauthClientId`"
        );
        assert_eq!(
            message(json!({"oauthTokenUrl": "https://as.example/token"})),
            "`oauthTokenUrl` is for client credentials: the authorization-code flow \
             (`oauthFlow`) discovers its endpoints"
        );
        assert_eq!(
            message(json!({"bearerEnv": "T"})),
            "give either a bearer token (`bearerEnv`) or the OAuth authorization-code flow \
             (`oauthFlow`), not both"
        );
        assert_eq!(
            message(json!({"oauthRedirectUri": "https://example.com/cb"})),
            "`oauth.redirectUri` must be an http:// URL on a loopback host (127.0.0.1, [::1] or \
             localhost) without a fragment"
        );
        // The flow's options need the flow.
        let url =
            json!({"url": "https://127.0.0.1:1/mcp", "oauthRedirectUri": "http://127.0.0.1/cb"});
        assert_eq!(
            text(scenario_of(url).unwrap_err()),
            "`oauthRedirectUri` needs `oauthFlow` authorization-code"
        );
        let flow_only =
            json!({"url": "https://127.0.0.1:1/mcp", "oauthFlow": "client-credentials"});
        assert_eq!(
            text(scenario_of(flow_only).unwrap_err()),
            "`oauthFlow` needs `oauthClientId`"
        );
    }
}
