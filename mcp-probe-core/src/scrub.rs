//! Text that leaves the engine: secret scrubbing.
//!
//! A probe knows the secrets it was given (header values, bearer tokens, OAuth client
//! secrets, a stdio server's environment) and the ones it learnt (access tokens, session
//! ids). A server may echo any of them back — in an error body, a JSON-RPC error message, a
//! challenge's `error_description`, a tool's text, a redirect's `Location`, its stderr — so
//! every report passes through [`Secrets::scrub_report`] before it is handed out: each secret
//! and each encoding it may come back in (URL-encoded, Base64 at every byte alignment, JSON
//! escaped) is replaced by `<redacted>`.

use std::borrow::Cow;

use crate::model::Report;
use base64::Engine as _;

/// What a scrubbed secret is replaced with.
pub(crate) const REDACTED: &str = "<redacted>";

/// Shortest secret that is scrubbed wherever it occurs. A shorter value would match
/// everywhere (a header `X-Debug: 1`); it is scrubbed only where a whole string equals it.
const MIN_SECRET_CHARS: usize = 4;

/// Shortest encoded form (Base64 at an alignment) that is scrubbed: shorter fragments are
/// too likely to occur by chance.
const MIN_ENCODED_CHARS: usize = 6;

/// Most secret values kept (each with its encodings); a probe has a handful.
const MAX_SECRETS: usize = 64;

/// The secrets of one probe and the forms they may come back in. Its `Debug` shows how
/// many, never which.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    /// Every form of every secret long enough to scrub wherever it occurs, longest first.
    forms: Vec<String>,
    /// Secrets too short for that: scrubbed only where a whole string equals one.
    short: Vec<String>,
    /// Secret values added (before encodings), to bound and deduplicate.
    values: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values, redacted)", self.values.len())
    }
}

impl Secrets {
    /// No secrets yet.
    pub(crate) fn new() -> Self {
        Secrets::default()
    }

    /// Whether nothing needs scrubbing.
    pub(crate) fn is_empty(&self) -> bool {
        self.forms.is_empty() && self.short.is_empty()
    }

    /// Adds a secret value and the encodings it may come back in.
    pub(crate) fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.is_empty() || self.values.len() >= MAX_SECRETS {
            return;
        }
        if self.values.iter().any(|v| v == value) {
            return;
        }
        self.values.push(value.to_owned());
        if value.chars().count() < MIN_SECRET_CHARS {
            self.short.push(value.to_owned());
            return;
        }
        let mut forms = vec![value.to_owned()];
        let form_encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        forms.push(form_encoded);
        forms.push(percent_encoded(value));
        forms.push(json_escaped(value));
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            for form in base64_forms(engine, value.as_bytes()) {
                if form.len() >= MIN_ENCODED_CHARS {
                    forms.push(form);
                }
            }
        }
        for form in forms {
            if !self.forms.contains(&form) {
                self.forms.push(form);
            }
        }
        // Longest first, so a form that contains another is replaced whole.
        self.forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// Adds a header value: the whole value and, for `Scheme credentials` values
    /// (`Bearer …`, `Basic …`), the credentials alone.
    pub(crate) fn add_header_value(&mut self, value: &str) {
        self.add(value);
        if let Some((scheme, credentials)) = value.trim().split_once(' ') {
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                self.add(credentials);
            }
        }
    }

    /// Adds the secrets a URL carries: its password and its query values.
    pub(crate) fn add_url(&mut self, url: &url::Url) {
        if let Some(password) = url.password() {
            self.add(password);
            if let Ok(decoded) = percent_decoded(password) {
                self.add(&decoded);
            }
        }
        for (_, value) in url.query_pairs() {
            self.add(&value);
        }
        if let Some(fragment) = url.fragment() {
            for (_, value) in url::form_urlencoded::parse(fragment.as_bytes()) {
                self.add(&value);
            }
        }
    }

    /// Every secret of `other` too. The forms of `other`'s secrets are copied rather than
    /// encoded again (a probe merges its session's secrets into its own once per report).
    pub(crate) fn extend(&mut self, other: &Secrets) {
        let new: Vec<&String> = other
            .values
            .iter()
            .filter(|v| !self.values.contains(v))
            .collect();
        if new.is_empty() {
            return;
        }
        if self.values.len() + new.len() > MAX_SECRETS {
            // Past the bound only some are kept: those `add` keeps, in order.
            new.into_iter().for_each(|v| self.add(v));
            return;
        }
        self.values.extend(new.into_iter().cloned());
        // The forms of the union are the union of the forms (each secret's forms depend on
        // it alone); those of secrets already here are here already.
        for short in &other.short {
            if !self.short.contains(short) {
                self.short.push(short.clone());
            }
        }
        for form in &other.forms {
            if !self.forms.contains(form) {
                self.forms.push(form.clone());
            }
        }
        self.forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    }

    /// `text` with every secret replaced by `<redacted>`; `None` when nothing was found.
    pub(crate) fn scrub(&self, text: &str) -> Option<String> {
        if self.short.iter().any(|s| s == text) {
            return Some(REDACTED.to_owned());
        }
        let mut out: Cow<'_, str> = Cow::Borrowed(text);
        for form in &self.forms {
            // A form longer than the text cannot occur in it: skip building its searcher.
            if form.len() <= out.len() && out.contains(form.as_str()) {
                out = Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
        match out {
            Cow::Borrowed(_) => None,
            Cow::Owned(s) => Some(s),
        }
    }

    /// Scrubs a string in place.
    pub(crate) fn scrub_string(&self, text: &mut String) {
        if let Some(clean) = self.scrub(text) {
            *text = clean;
        }
    }

    /// Scrubs every free-text string of a report (see [`Report::visit_text_mut`]): whatever
    /// a server sent, and whatever the probe wrote.
    pub(crate) fn scrub_report(&self, report: &mut Report) {
        if self.is_empty() {
            return;
        }
        report.visit_text_mut(&mut |s| self.scrub_string(s));
    }
}

/// Every byte that is not unreserved (RFC 3986) as `%XX`.
fn percent_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` sequences decoded (`Err` when the result is not UTF-8).
fn percent_decoded(value: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes: Vec<u8> = url::form_urlencoded::parse(format!("x={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned().into_bytes())
        .unwrap_or_default();
    String::from_utf8(bytes)
}

/// The secret as it appears inside a JSON string (quotes and backslashes escaped).
fn json_escaped(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(value)
        .to_owned()
}

/// The characters of `value`'s Base64 encoding that depend on `value` alone, at each of the
/// three byte alignments it may have inside a longer encoded blob (`Basic base64(id:secret)`
/// holds the secret at the alignment the id leaves it at).
fn base64_forms(engine: &base64::engine::GeneralPurpose, value: &[u8]) -> Vec<String> {
    let n = value.len();
    (0..3usize)
        .filter_map(|k| {
            let mut padded = vec![0u8; k];
            padded.extend_from_slice(value);
            let encoded = engine.encode(&padded);
            // Character i covers bits [6i, 6i + 6); keep those inside the secret's bits.
            let first = (8 * k).div_ceil(6);
            let end = 8 * (k + n) / 6;
            encoded.get(first..end).map(str::to_owned)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(values: &[&str]) -> Secrets {
        let mut s = Secrets::new();
        values.iter().for_each(|v| s.add(v));
        s
    }

    fn parts(s: &Secrets) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut forms = s.forms.clone();
        forms.sort();
        (forms, s.short.clone(), s.values.clone())
    }

    #[test]
    fn extending_keeps_what_adding_each_secret_keeps() {
        let ours = ["session-0123456789abcdef", "tok", "shared-secret-value-42"];
        let theirs = [
            "shared-secret-value-42",
            "abc",
            "tok",
            "other/secret+with=signs&more",
        ];
        let mut extended = secrets(&ours);
        extended.extend(&secrets(&theirs));
        let mut added = secrets(&ours);
        theirs.iter().for_each(|v| added.add(v));
        assert_eq!(parts(&extended), parts(&added));
        // Longest first, as `add` keeps them.
        assert!(extended.forms.windows(2).all(|w| w[0].len() >= w[1].len()));
        // Into an empty set, and near the bound.
        let mut empty = Secrets::new();
        empty.extend(&secrets(&theirs));
        assert_eq!(parts(&empty), parts(&secrets(&theirs)));
        let many: Vec<String> = (0..MAX_SECRETS)
            .map(|i| format!("secret-number-{i:04}"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let mut full = secrets(&many[..MAX_SECRETS - 1]);
        full.extend(&secrets(&theirs));
        let mut one_by_one = secrets(&many[..MAX_SECRETS - 1]);
        theirs.iter().for_each(|v| one_by_one.add(v));
        assert_eq!(parts(&full), parts(&one_by_one));
    }

    #[test]
    fn raw_and_encoded_forms_are_scrubbed() {
        let s = secrets(&["tok en/+secret"]);
        assert_eq!(s.scrub("a tok en/+secret b").unwrap(), "a <redacted> b");
        assert_eq!(s.scrub("x=tok+en%2F%2Bsecret").unwrap(), "x=<redacted>");
        assert_eq!(s.scrub("x=tok%20en%2F%2Bsecret").unwrap(), "x=<redacted>");
        assert_eq!(s.scrub("nothing here"), None);
    }

    #[test]
    fn base64_at_any_alignment_is_scrubbed() {
        let secret = "s3cr3t-value";
        let s = secrets(&[secret]);
        let engine = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "a", "ab", "abc", "client-id:", "x:"] {
            let blob = engine.encode(format!("{prefix}{secret}"));
            let text = format!("Basic {blob}");
            let scrubbed = s
                .scrub(&text)
                .unwrap_or_else(|| panic!("{prefix:?}: {text}"));
            assert!(scrubbed.contains(REDACTED), "{scrubbed}");
            // What is left cannot be decoded back to the secret.
            assert!(
                !scrubbed.contains(&engine.encode(secret)[..6]),
                "{scrubbed}"
            );
        }
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("??>>secret-value");
        let s = secrets(&["secret-value"]);
        assert!(s.scrub(&url_safe).is_some(), "{url_safe}");
    }

    #[test]
    fn header_credentials_are_scrubbed_alone_too() {
        let mut s = Secrets::new();
        s.add_header_value("Bearer abc.def.ghi");
        assert_eq!(
            s.scrub("token abc.def.ghi rejected").unwrap(),
            "token <redacted> rejected"
        );
    }

    #[test]
    fn short_values_are_scrubbed_only_whole() {
        let s = secrets(&["42"]);
        assert_eq!(s.scrub("42").unwrap(), REDACTED);
        assert_eq!(s.scrub("HTTP 420 took 42 ms"), None);
    }

    #[test]
    fn failure_details_are_scrubbed_keys_included() {
        let s = secrets(&["sess-123456"]);
        let mut failure = crate::model::Failure::new(
            crate::model::FailureCode::HttpStatus,
            "HTTP 400: unknown session sess-123456",
        )
        .with(
            "jsonrpcError",
            serde_json::json!({"data": {"sess-123456": ["id sess-123456", 3], "n": null}}),
        );
        failure.visit_text_mut(&mut |t| s.scrub_string(t));
        assert_eq!(failure.message, "HTTP 400: unknown session <redacted>");
        assert_eq!(
            failure.details["jsonrpcError"],
            serde_json::json!({"data": {"<redacted>": ["id <redacted>", 3], "n": null}})
        );
    }

    #[test]
    fn url_secrets_are_its_password_query_and_fragment_values() {
        let url =
            url::Url::parse("https://u:p%40ssword@h/mcp?key=query-secret#access_token=frag-secret")
                .unwrap();
        let mut s = Secrets::new();
        s.add_url(&url);
        for value in ["p@ssword", "query-secret", "frag-secret"] {
            assert_eq!(s.scrub(value).as_deref(), Some(REDACTED), "{value}");
        }
    }
}
