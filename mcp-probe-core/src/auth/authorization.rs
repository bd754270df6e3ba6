//! The authorization request of the headless authorization-code flow and its response: the
//! probe GETs the authorization URL without a browser, follows at most [`MAX_HOPS`] redirects
//! that stay on allowed URLs, and reads the code from the redirect to its loopback redirect
//! URI (nothing listens there: the `Location` is read, never fetched). An answer that needs a
//! person (a page to log in or consent) fails fast.

use reqwest::header::LOCATION;
use url::Url;

use crate::clock::Deadline;
use crate::http::dns::AddressPolicy;
use crate::http::send::send_within;
use crate::model::{Failure, FailureCode, FailureReason};
use crate::text::truncate;
use crate::urls::{redact_url, unsafe_reason};

/// Most redirects followed from the authorization endpoint before reaching the redirect URI.
pub(super) const MAX_HOPS: usize = 3;

/// What goes into the authorization URL.
pub(super) struct Request<'a> {
    pub(super) endpoint: &'a Url,
    pub(super) client_id: &'a str,
    pub(super) redirect_uri: &'a Url,
    pub(super) scope: Option<&'a str>,
    pub(super) resource: &'a str,
    pub(super) code_challenge: &'a str,
    pub(super) state: &'a str,
}

/// How the authorization response is checked (RFC 9207).
pub(super) struct Issuer<'a> {
    /// The issuer the metadata names (checked against the one listed).
    pub(super) issuer: &'a str,
    /// The metadata's `authorization_response_iss_parameter_supported`.
    pub(super) iss_required: bool,
}

/// The `auth_token` failure of the authorization stage.
fn failure(message: String) -> Failure {
    Failure::new(FailureCode::AuthToken, message).with("stage", "authorization")
}

/// The authorization URL: `response_type=code`, the client, the redirect URI, the PKCE
/// challenge (S256), `state`, the scope when there is one and `resource` (RFC 8707).
pub(super) fn authorization_url(request: &Request<'_>) -> Url {
    let mut url = request.endpoint.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", request.client_id)
            .append_pair("redirect_uri", request.redirect_uri.as_str())
            .append_pair("code_challenge", request.code_challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", request.state);
        if let Some(scope) = request.scope {
            query.append_pair("scope", scope);
        }
        query.append_pair("resource", request.resource);
    }
    url
}

/// Sends the authorization request and returns the code of its redirect to the redirect
/// URI, checked (`state`, `iss`, no `error`). `requests` counts HTTP requests made.
pub(super) async fn authorize(
    http: &reqwest::Client,
    request: &Request<'_>,
    issuer: &Issuer<'_>,
    guard: AddressPolicy,
    deadline: &Deadline,
    requests: &mut u32,
) -> Result<String, Failure> {
    let mut url = authorization_url(request);
    for _ in 0..=MAX_HOPS {
        let shown = redact_url(&url);
        let what = format!("authorization request to {shown}");
        *requests = requests.saturating_add(1);
        let resp = send_within(http.get(url.clone()), deadline, &what)
            .await
            .map_err(|f| f.with("stage", "authorization"))?;
        let status = resp.status();
        let code = status.as_u16();
        if !status.is_redirection() {
            let needs_person = status.is_success();
            let message = if needs_person {
                format!(
                    "{what}: HTTP {code}: the authorization server answered with a page instead \
                     of redirecting to the redirect URI; it needs a person (to log in or \
                     consent), and the authorization-code flow runs only against servers that \
                     approve without one"
                )
            } else {
                format!(
                    "{what}: HTTP {code} {} instead of a redirect to the redirect URI",
                    status.canonical_reason().unwrap_or("")
                )
            };
            let f = failure(message).with_http_status(code);
            return Err(if needs_person {
                f.with("needsPerson", true)
            } else {
                f
            });
        }
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok())
            .ok_or_else(|| {
                failure(format!(
                    "{what}: HTTP {code}: a redirect without a usable Location"
                ))
                .with_http_status(code)
                .with_reason(FailureReason::Redirect)
            })?;
        if same_endpoint(&location, request.redirect_uri) {
            return read_response(&location, request.state, issuer);
        }
        if let Some(why) = guard
            .url_refusal(&location)
            .or_else(|| unsafe_reason(&location))
        {
            return Err(failure(format!(
                "{what}: HTTP {code}: refused to follow the redirect to {}: {why}",
                redact_url(&location)
            ))
            .with_reason(FailureReason::Redirect));
        }
        url = location;
    }
    Err(failure(format!(
        "the authorization request was redirected more than {MAX_HOPS} times without reaching \
         the redirect URI; the authorization server needs a person, or is not one that \
         approves without one"
    ))
    .with("needsPerson", true)
    .with_reason(FailureReason::Redirect))
}

/// Whether `url` is the redirect URI (its query aside).
fn same_endpoint(url: &Url, redirect_uri: &Url) -> bool {
    url.scheme() == redirect_uri.scheme()
        && url.host_str() == redirect_uri.host_str()
        && url.port_or_known_default() == redirect_uri.port_or_known_default()
        && url.path() == redirect_uri.path()
}

/// The code of the authorization response at the redirect URI, after its checks: no
/// `error`, `state` as sent, `iss` equal to the issuer when present (and present when the
/// server said it sends it), compared as strings (RFC 9207 §2.4).
pub(super) fn read_response(
    location: &Url,
    state: &str,
    issuer: &Issuer<'_>,
) -> Result<String, Failure> {
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if let Some(error) = param("error") {
        let description = param("error_description")
            .map(|d| format!(" ({})", truncate(&d, 200)))
            .unwrap_or_default();
        return Err(failure(format!(
            "the authorization server refused the authorization request: {}{description}",
            truncate(&error, 64)
        ))
        .with("oauthError", truncate(&error, 64)));
    }
    if param("state").as_deref() != Some(state) {
        return Err(failure(
            "the authorization response's state is not the one sent; the response is refused"
                .to_owned(),
        ));
    }
    match param("iss") {
        Some(iss) if iss != issuer.issuer => {
            return Err(failure(format!(
                "the authorization response's iss {:?} is not the authorization server's \
                 issuer {:?}; the response is refused (RFC 9207)",
                truncate(&iss, 100),
                truncate(issuer.issuer, 100)
            )))
        }
        None if issuer.iss_required => {
            return Err(failure(
                "the authorization response has no iss although the authorization server \
                 advertises authorization_response_iss_parameter_supported; the response is \
                 refused (RFC 9207)"
                    .to_owned(),
            ))
        }
        _ => {}
    }
    match param("code").filter(|c| !c.is_empty()) {
        Some(code) => Ok(code),
        None => Err(failure(
            "the authorization response carries no code".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://as.example";

    fn read(query: &str, required: bool) -> Result<String, Failure> {
        let location = Url::parse(&format!("http://127.0.0.1/callback?{query}")).unwrap();
        read_response(
            &location,
            "st",
            &Issuer {
                issuer: ISSUER,
                iss_required: required,
            },
        )
    }

    #[test]
    fn the_response_is_checked_before_its_code_is_used() {
        assert_eq!(read("code=c1&state=st", false).unwrap(), "c1");
        assert_eq!(
            read("code=c1&state=st&iss=https%3A%2F%2Fas.example", true).unwrap(),
            "c1"
        );
        let message = |q: &str, r: bool| read(q, r).unwrap_err().message;
        assert_eq!(
            message("code=c1&state=st", true),
            "the authorization response has no iss although the authorization server \
             advertises authorization_response_iss_parameter_supported; the response is \
             refused (RFC 9207)"
        );
        assert_eq!(
            message("code=c1&state=st&iss=https%3A%2F%2Fas.example%2F", false),
            "the authorization response's iss \"https://as.example/\" is not the authorization \
             server's issuer \"https://as.example\"; the response is refused (RFC 9207)"
        );
        assert_eq!(
            message("code=c1&state=other", false),
            "the authorization response's state is not the one sent; the response is refused"
        );
        assert_eq!(
            message("error=access_denied&state=st", false),
            "the authorization server refused the authorization request: access_denied"
        );
        let f = read("state=st", false).unwrap_err();
        assert_eq!(f.code, FailureCode::AuthToken);
        assert_eq!(f.message, "the authorization response carries no code");
    }

    #[test]
    fn the_authorization_url_carries_pkce_state_scope_and_resource() {
        let endpoint = Url::parse("https://as.example/authorize?tenant=a").unwrap();
        let redirect = Url::parse("http://127.0.0.1/callback").unwrap();
        let url = authorization_url(&Request {
            endpoint: &endpoint,
            client_id: "cid",
            redirect_uri: &redirect,
            scope: Some("mcp:read offline_access"),
            resource: "https://mcp.example/mcp",
            code_challenge: "ch",
            state: "st",
        });
        assert_eq!(
            url.as_str(),
            "https://as.example/authorize?tenant=a&response_type=code&client_id=cid&\
             redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&code_challenge=ch&\
             code_challenge_method=S256&state=st&scope=mcp%3Aread+offline_access&\
             resource=https%3A%2F%2Fmcp.example%2Fmcp"
        );
        assert!(same_endpoint(
            &Url::parse("http://127.0.0.1:80/callback?code=x").unwrap(),
            &redirect
        ));
        assert!(!same_endpoint(
            &Url::parse("http://127.0.0.1:8080/callback?code=x").unwrap(),
            &redirect
        ));
    }
}
