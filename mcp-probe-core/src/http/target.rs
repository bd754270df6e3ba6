//! A resolved target: a parsed URL and the headers to send, secrets read and kept out of output.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION};
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::model::TargetSpec;
use crate::scrub::Secrets;
use crate::urls::redact_text;
use crate::urls::redact_url;

/// A secret string (token, session id): its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for sending on the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A hash of secret material (and what goes with it) that tells equal values apart within
/// this process only: keyed with a random key made at first use and kept in memory, so a tag
/// that leaks matches nothing elsewhere and cannot be tried against guesses. What caches of
/// things made from secrets are keyed by.
pub(crate) fn secret_tag(value: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    KEY.get_or_init(Default::default).hash_one(value)
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A target ready to probe: URL checked, headers valid, credentials read.
#[derive(Debug, Clone)]
pub struct Target {
    url: Url,
    headers: HeaderMap,
    /// Every secret the target carries (header values, URL password and query values,
    /// tokens), for scrubbing what leaves the engine.
    secrets: Secrets,
}

impl Target {
    /// Resolves a [`TargetSpec`]: parses the URL, validates headers, reads the bearer token.
    pub fn resolve(spec: &TargetSpec) -> Result<Self, Error> {
        let mut url = parse_url(&spec.url)?;
        let mut secrets = Secrets::new();
        secrets.add_url(&url);
        // A fragment is never sent; it only ever holds what a browser would keep to itself.
        url.set_fragment(None);
        let mut headers = HeaderMap::new();
        for (name, value) in &spec.headers {
            let header = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidHeader,
                    format!("invalid header name {name:?}"),
                )
            })?;
            let mut value = HeaderValue::from_str(value.trim()).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidHeader,
                    format!("invalid value for header {name:?} (value not shown)"),
                )
            })?;
            value.set_sensitive(true);
            secrets.add_header_value(value.to_str().unwrap_or_default());
            headers.append(header, value);
        }
        if let Some(token) = read_bearer(spec)? {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    Error::new(
                        ErrorKind::Credential,
                        "the bearer token contains characters not allowed in a header",
                    )
                })?;
            value.set_sensitive(true);
            secrets.add(token.expose());
            headers.insert(AUTHORIZATION, value);
        }
        Ok(Target {
            url,
            headers,
            secrets,
        })
    }

    /// The URL to probe.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The URL as it may be shown: no user info, query values replaced.
    pub fn display_url(&self) -> String {
        redact_url(&self.url)
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Sends `value` (marked sensitive) as the `Authorization` header from now on.
    pub(crate) fn set_authorization(&mut self, mut value: HeaderValue) {
        value.set_sensitive(true);
        if let Ok(text) = value.to_str() {
            self.secrets.add_header_value(text);
        }
        self.headers.insert(AUTHORIZATION, value);
    }

    /// The secrets the target carries (and every token it was given since).
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }
}

fn parse_url(text: &str) -> Result<Url, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::new(ErrorKind::InvalidUrl, "no URL given"));
    }
    let url = Url::parse(text).map_err(|e| {
        Error::new(
            ErrorKind::InvalidUrl,
            format!("invalid URL {:?}: {e}", redact_text(text)),
        )
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::new(
                ErrorKind::InvalidUrl,
                format!("unsupported URL scheme {other:?}: use http:// or https://"),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::new(ErrorKind::InvalidUrl, "the URL has no host"));
    }
    Ok(url)
}

fn read_bearer(spec: &TargetSpec) -> Result<Option<Secret>, Error> {
    match (&spec.bearer_env, &spec.bearer_file) {
        (Some(_), Some(_)) => Err(Error::new(
            ErrorKind::Credential,
            "give the bearer token either from an environment variable or from a file, not both",
        )),
        (Some(var), None) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(Secret::new(v.trim()))),
            Ok(_) => Err(Error::new(
                ErrorKind::Credential,
                format!("environment variable {var} is empty"),
            )),
            Err(_) => Err(Error::new(
                ErrorKind::Credential,
                format!("environment variable {var} is not set"),
            )),
        },
        (None, Some(path)) => {
            let text = crate::file::read_limited_text(path, crate::file::MAX_SECRET_BYTES)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Credential,
                        format!("cannot read bearer token file {}: {e}", path.display()),
                    )
                })?;
            let token = text.trim();
            if token.is_empty() {
                return Err(Error::new(
                    ErrorKind::Credential,
                    format!("bearer token file {} is empty", path.display()),
                ));
            }
            Ok(Some(Secret::new(token)))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(url: &str) -> TargetSpec {
        TargetSpec {
            url: url.into(),
            ..TargetSpec::default()
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(Target::resolve(&spec("http://127.0.0.1:1/mcp")).is_ok());
        for bad in [
            "",
            "not a url",
            "ftp://x/y",
            "file:///etc/passwd",
            "http://",
        ] {
            let e = Target::resolve(&spec(bad)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidUrl, "{bad}: {e}");
        }
    }

    #[test]
    fn shown_urls_hide_credentials_and_query_values() {
        let t = Target::resolve(&spec("https://user:pw@h.example/mcp?key=s3cret&x=1")).unwrap();
        let shown = t.display_url();
        assert_eq!(shown, "https://h.example/mcp?key=<redacted>&x=<redacted>");
        assert_eq!(redact_text("http://u:pw@h/x?t=1"), "http://<redacted>@h/x");
        assert_eq!(redact_text("http://h/x#access_token=t"), "http://h/x");
        let t = Target::resolve(&spec("https://h.example/mcp#access_token=frag-secret")).unwrap();
        assert_eq!(t.display_url(), "https://h.example/mcp");
        assert_eq!(t.url().fragment(), None);
        assert_eq!(
            t.secrets().scrub("frag-secret").as_deref(),
            Some("<redacted>")
        );
    }

    #[test]
    fn bearer_from_file_is_trimmed_and_never_shown() {
        let dir = std::env::temp_dir().join(format!("mcp-probe-target-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "canary-token-123\n").unwrap();
        let mut s = spec("http://127.0.0.1:1/mcp");
        s.bearer_file = Some(file.clone());
        let t = Target::resolve(&s).unwrap();
        assert_eq!(
            t.headers().get(AUTHORIZATION).unwrap().to_str().unwrap(),
            "Bearer canary-token-123"
        );
        assert!(!format!("{t:?}").contains("canary"));
        std::fs::write(&file, "  \n").unwrap();
        assert_eq!(
            Target::resolve(&s).unwrap_err().kind(),
            ErrorKind::Credential
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_env_var_is_a_credential_error() {
        let mut s = spec("http://127.0.0.1:1/mcp");
        s.bearer_env = Some("MCP_PROBE_TEST_SURELY_UNSET_VAR".into());
        let e = Target::resolve(&s).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credential);
        assert!(e.to_string().contains("MCP_PROBE_TEST_SURELY_UNSET_VAR"));
    }

    #[test]
    fn bad_headers_are_rejected_without_echoing_values() {
        let mut s = spec("http://127.0.0.1:1/mcp");
        s.headers
            .insert("X-Key".into(), "line\nbreak-secret".into());
        let e = Target::resolve(&s).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidHeader);
        assert!(!e.to_string().contains("secret"));
    }
}
