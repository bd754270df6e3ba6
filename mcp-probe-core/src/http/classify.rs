//! What went wrong with an HTTP exchange, from the error's typed causes (the DNS marker,
//! hyper's parse errors, TLS errors, I/O error kinds) — never from error texts.

use std::error::Error as StdError;
use std::io;

use crate::clock::Deadline;
use crate::http::dns::DnsError;
use crate::http::errors::cause;
use crate::http::errors::find_source;
use crate::model::{Failure, FailureCode};
use crate::model::{FailureReason, TimeoutPhase};

/// Classifies an error from sending a request or reading its body.
///
/// Reads the error's source chain for typed causes (DNS marker, I/O error kinds); never the
/// texts. `what` names the exchange for the message ("initialize", "DELETE session").
/// Most redirects followed for one request.
pub(crate) const MAX_REDIRECTS: usize = 5;

pub(crate) fn classify_http_error(
    err: &reqwest::Error,
    what: &str,
    deadline: &Deadline,
) -> Failure {
    let detail = chain_text(err);
    if let Some(dns) = find_source::<DnsError>(err) {
        return Failure::new(
            FailureCode::Dns,
            format!("{what}: the host name {} did not resolve", dns.host),
        )
        .with("host", dns.host.clone())
        .with("error", dns.reason.clone());
    }
    if let Some(refused) = find_source::<crate::http::dns::AddressRefused>(err) {
        return Failure::new(
            FailureCode::Connect,
            format!(
                "{what}: not connected: {} (a URL the server named may lead only where the \
                 target is)",
                refused.reason
            ),
        )
        .with("host", refused.host.clone())
        .with_reason(FailureReason::AddressRefused);
    }
    if let Some(tls) = crate::http::tls::find_tls_error(err) {
        return crate::http::tls::tls_failure(tls, what).with("error", detail);
    }
    if err.is_redirect() {
        return Failure::new(
            FailureCode::Redirect,
            format!(
                "{what}: more than {} redirects in a row; stopped following them",
                crate::http::classify::MAX_REDIRECTS
            ),
        )
        .with_reason(FailureReason::TooManyRedirects)
        .with("error", detail);
    }
    if err.is_timeout() {
        let phase = if err.is_connect() {
            TimeoutPhase::Connect
        } else {
            TimeoutPhase::Body
        };
        return deadline.timeout(phase, what).with("error", detail);
    }
    if let Some(invalid) = find_source::<hyper::Error>(err).and_then(|h| invalid_http(h, what)) {
        return invalid.with("error", detail);
    }
    if err.is_connect() {
        let https = err.url().is_some_and(|u| u.scheme() == "https");
        return connect_failure(err, what, https).with("error", detail);
    }
    match io_kind(err) {
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) => reset(what, detail),
        // hyper's "incomplete message" is not a public type; reqwest flags body errors.
        _ if err.is_body() || err.is_decode() || err.is_request() => reset(what, detail),
        _ => Failure::new(
            FailureCode::Connect,
            format!("{what}: the HTTP exchange failed"),
        )
        .with("error", detail),
    }
}

/// The failure for an answer that is not valid HTTP (not HTTP at all, a malformed status
/// line or header, more than 100 headers, a header section over about 400 KB): the server did
/// answer, so this is a protocol failure, not an unreachable server. `None` for other errors.
fn invalid_http(err: &hyper::Error, what: &str) -> Option<Failure> {
    (err.is_parse() || err.is_parse_status()).then(|| {
        Failure::new(
            FailureCode::Malformed,
            format!("{what}: the server's answer is not valid HTTP ({err})"),
        )
        .with_reason(FailureReason::InvalidHttp)
    })
}

/// The failure for a connection that could not be established, from the I/O error kinds in
/// its error chain (`https`: the connect included a TLS handshake).
fn connect_failure(err: &(dyn StdError + 'static), what: &str, https: bool) -> Failure {
    match io_kind(err) {
        Some(io::ErrorKind::ConnectionRefused) => Failure::new(
            FailureCode::ConnectRefused,
            format!("{what}: the connection was refused (nothing listens on that port)"),
        ),
        Some(
            io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkDown,
        ) => Failure::new(
            FailureCode::ConnectUnreachable,
            format!("{what}: the server's network or host is unreachable (no route to it)"),
        ),
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof,
        ) if https => Failure::new(
            FailureCode::TlsHandshake,
            format!("{what}: the server closed the connection during the TLS handshake"),
        ),
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe,
        ) => Failure::new(
            FailureCode::ConnectionReset,
            format!("{what}: the connection was reset while it was being established"),
        ),
        Some(io::ErrorKind::InvalidData) => Failure::new(
            FailureCode::TlsHandshake,
            format!("{what}: the TLS handshake failed"),
        ),
        _ => Failure::new(
            FailureCode::Connect,
            format!("{what}: could not connect to the server"),
        ),
    }
}

/// The failure for a 3xx answer from `url` that was not followed.
pub(crate) fn redirect_failure(
    what: &str,
    status: u16,
    location: Option<&str>,
    url: &url::Url,
) -> Failure {
    let resolved = location.map(|l| url.join(l));
    let shown = match (&resolved, location) {
        (Some(Ok(u)), _) => Some(crate::urls::redact_url(u)),
        (_, Some(l)) => Some(crate::text::truncate(l, 200)),
        _ => None,
    };
    let (reason, why) = match &resolved {
        None => (
            FailureReason::NoLocation,
            "there is nowhere to follow it to".to_owned(),
        ),
        Some(Ok(u)) if u.origin() != url.origin() => (
            FailureReason::CrossOrigin,
            "a redirect to another origin is never followed, so credentials stay with the \
             origin they are for"
                .to_owned(),
        ),
        Some(Ok(_)) if !matches!(status, 307 | 308) => (
            FailureReason::MethodChanging,
            format!(
                "a {status} would turn the POST into a GET; only 307 and 308 are followed \
                 (followRedirects: same-origin)"
            ),
        ),
        _ => (
            FailureReason::NotFollowed,
            "redirects are not followed unless followRedirects is same-origin".to_owned(),
        ),
    };
    let mut failure = Failure::new(
        FailureCode::Redirect,
        format!(
            "{what}: HTTP {status} redirect to {}; {why}",
            shown.as_deref().unwrap_or("(no Location header)")
        ),
    )
    .with_reason(reason);
    if let Some(shown) = shown {
        failure = failure.with("location", shown);
    }
    failure
}

fn reset(what: &str, detail: String) -> Failure {
    Failure::new(
        FailureCode::ConnectionReset,
        format!("{what}: the connection broke before the answer was complete"),
    )
    .with("error", detail)
}

/// The most specific I/O error kind in the chain: the first that is not `Other` (hyper and
/// the TLS layer wrap errors in `io::Error`s of kind `Other`).
fn io_kind(err: &(dyn StdError + 'static)) -> Option<io::ErrorKind> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    let mut found = None;
    for _ in 0..16 {
        let Some(e) = cur else { break };
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if io.kind() != io::ErrorKind::Other {
                return Some(io.kind());
            }
            found = Some(io::ErrorKind::Other);
        }
        cur = cause(e);
    }
    found
}

/// The error chain as one line, URLs removed (reqwest puts the URL in its own message).
fn chain_text(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        if parts.len() >= 6 {
            break;
        }
        cur = e.source();
    }
    if parts.is_empty() {
        // reqwest's own message without the URL.
        return crate::text::truncate(&err.to_string(), 300);
    }
    crate::text::truncate(&parts.join(": "), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("connect error")]
    struct ConnectError(#[source] io::Error);

    #[test]
    fn connect_failures_are_told_apart_by_io_kind() {
        let cases = [
            (
                io::ErrorKind::ConnectionRefused,
                false,
                FailureCode::ConnectRefused,
            ),
            (
                io::ErrorKind::NetworkUnreachable,
                false,
                FailureCode::ConnectUnreachable,
            ),
            (
                io::ErrorKind::HostUnreachable,
                true,
                FailureCode::ConnectUnreachable,
            ),
            (
                io::ErrorKind::ConnectionReset,
                false,
                FailureCode::ConnectionReset,
            ),
            (
                io::ErrorKind::ConnectionReset,
                true,
                FailureCode::TlsHandshake,
            ),
            (
                io::ErrorKind::UnexpectedEof,
                true,
                FailureCode::TlsHandshake,
            ),
            (io::ErrorKind::InvalidData, true, FailureCode::TlsHandshake),
            (io::ErrorKind::PermissionDenied, false, FailureCode::Connect),
        ];
        for (kind, https, code) in cases {
            let err = ConnectError(io::Error::from(kind));
            let f = connect_failure(&err, "initialize", https);
            assert_eq!(f.code, code, "{kind:?} https={https}");
            assert!(f.message.starts_with("initialize: "), "{}", f.message);
        }
        // Wrapped in an `io::Error` of kind Other, as hyper hands errors over.
        let wrapped = ConnectError(io::Error::other(io::Error::from(
            io::ErrorKind::HostUnreachable,
        )));
        assert_eq!(
            connect_failure(&wrapped, "initialize", false).code,
            FailureCode::ConnectUnreachable
        );
        // The OS error numbers of `connect(2)` (Linux: ENETUNREACH, EHOSTUNREACH).
        #[cfg(target_os = "linux")]
        for errno in [101, 113] {
            let err = ConnectError(io::Error::from_raw_os_error(errno));
            assert_eq!(
                connect_failure(&err, "initialize", false).code,
                FailureCode::ConnectUnreachable
            );
        }
    }

    #[test]
    fn redirects_say_why_they_were_not_followed() {
        let url = url::Url::parse("https://h.example/mcp?key=secret").unwrap();
        let f = redirect_failure("initialize", 307, Some("https://other.example/mcp"), &url);
        assert_eq!(f.code, FailureCode::Redirect);
        assert_eq!(f.details["reason"], "cross_origin");
        assert_eq!(f.details["location"], "https://other.example/mcp");
        let f = redirect_failure("initialize", 301, Some("/mcp/"), &url);
        assert_eq!(f.details["reason"], "method_changing");
        assert_eq!(f.details["location"], "https://h.example/mcp/");
        let f = redirect_failure("initialize", 307, Some("/v2/mcp?token=t"), &url);
        assert_eq!(f.details["reason"], "not_followed");
        assert_eq!(
            f.details["location"],
            "https://h.example/v2/mcp?token=<redacted>"
        );
        let f = redirect_failure("initialize", 302, None, &url);
        assert_eq!(f.details["reason"], "no_location");
        assert!(f.message.contains("(no Location header)"), "{}", f.message);
    }
}
