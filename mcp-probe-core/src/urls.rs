//! URLs as a probe shows and judges them: redacted for output, and the rule that URLs learnt
//! from a server are https (loopback hosts excepted). It imports nothing from the engine.

use url::{Host, Url};

use crate::text::truncate;

/// A URL with user info and fragment removed and every query value replaced by `<redacted>`.
pub(crate) fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_fragment(None);
    // Only fails for URLs that cannot have user info, which then have none to hide.
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, _)| (k.into_owned(), "<redacted>".to_owned()))
            .collect();
        let mut shown_pairs = shown.query_pairs_mut();
        shown_pairs.clear();
        for (k, v) in &pairs {
            shown_pairs.append_pair(k, v);
        }
        drop(shown_pairs);
        return shown.to_string().replace("%3Credacted%3E", "<redacted>");
    }
    shown.to_string()
}

/// Redacts a URL-ish string that failed to parse: everything after `?` or `#` and before `@`.
pub(crate) fn redact_text(text: &str) -> String {
    let no_query = text.split(['?', '#']).next().unwrap_or_default();
    match (no_query.find("://"), no_query.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!(
                "{}<redacted>@{}",
                &no_query[..scheme_end + 3],
                &no_query[at + 1..]
            )
        }
        _ => no_query.to_owned(),
    }
}

/// Why a URL learnt from the server must not be fetched, if it must not.
pub(crate) fn unsafe_reason(url: &Url) -> Option<String> {
    match url.scheme() {
        "https" => None,
        "http" if is_loopback(url) => None,
        "http" => Some("it is plain http to a host that is not loopback".to_owned()),
        other => Some(format!("its scheme is {}", truncate(other, 20))),
    }
}

/// 127.0.0.0/8, ::1 (also IPv4-mapped) or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost") || name.eq_ignore_ascii_case("localhost.")
        }
        None => false,
    }
}

/// Removes what would send a credential or is never sent: user info and fragment.
pub(crate) fn strip_credentials(url: &mut Url) {
    // Only fails for URLs that cannot have user info, which then have none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);
}

/// An absolute http(s) URL with a host, or `None`.
pub(crate) fn http_url(text: &str) -> Option<Url> {
    let url = Url::parse(text.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then_some(url)
}

/// A server-sent URL-ish string as it may be shown: redacted when it parses and carries user
/// info or a query, else cut to a sane length.
pub(crate) fn shown_text(text: &str) -> String {
    if text.contains('@') || text.contains('?') {
        if let Ok(url) = Url::parse(text) {
            return redact_url(&url);
        }
    }
    format!("{:?}", truncate(text, 200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_is_safe() {
        for ok in [
            "https://as.example/x",
            "http://127.0.0.1:8080/x",
            "http://127.9.9.9/x",
            "http://[::1]:1/x",
            "http://localhost/x",
            "http://LOCALHOST:3000/x",
        ] {
            assert_eq!(unsafe_reason(&Url::parse(ok).unwrap()), None, "{ok}");
        }
        for bad in [
            "http://as.example/x",
            "http://10.0.0.1/x",
            "http://localhost.evil.example/x",
            "ftp://as.example/x",
            "file:///etc/passwd",
        ] {
            assert!(unsafe_reason(&Url::parse(bad).unwrap()).is_some(), "{bad}");
        }
    }
}
