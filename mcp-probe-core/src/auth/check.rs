//! The authorization check: what a client without credentials learns from a protected MCP
//! server (MCP 2025-06-18 and 2025-11-25 authorization), one [`AuthFinding`] per thing
//! looked at.
//!
//! The checks, in order, each with a stable id:
//! 1. `challenge_status`: an `initialize` sent without credentials is answered 401;
//! 2. `bearer_challenge`: `WWW-Authenticate` holds a well-formed Bearer challenge with `scope`;
//! 3. `resource_metadata`: protected resource metadata (RFC 9728) is found, from the
//!    challenge's `resource_metadata` or else the well-known URLs (path-suffixed, then root);
//! 4. `authorization_servers`: the metadata names at least one authorization server;
//! 5. `resource_match`: its `resource` is the server's URL;
//! 6. `as_metadata`: the first authorization server's metadata is found, trying RFC 8414
//!    and OpenID Connect discovery in the order the spec gives;
//! 7. `issuer_match`: its `issuer` is identical to the authorization server URL;
//! 8. `pkce_s256`: `code_challenge_methods_supported` includes `S256`;
//! 9. `metadata_url_safe`: every URL learnt from the server is https (loopback hosts
//!    excepted); a URL that is not is never fetched.
//!
//! A check that cannot run because an earlier one failed is left out. Every fetch is bounded
//! by the deadline and [`MAX_METADATA_BYTES`], redirects are followed by hand (at most
//! [`MAX_REDIRECTS`]), and no credential (header, cookie, URL user info) is ever sent.

use serde_json::{Map, Value};
use url::Url;

use crate::clock::Deadline;
use crate::http::dns::AddressPolicy;
use crate::http::target::Target;
use crate::model::{AuthCheck, AuthFinding, Failure, FindingStatus};
use crate::text::truncate;
use crate::urls::redact_url;

use super::checker::*;
use crate::urls::shown_text;

/// What [`check_auth`] found.
#[derive(Debug)]
pub(crate) struct AuthCheckOutcome {
    /// Every finding, in the order the checks ran.
    pub(crate) findings: Vec<AuthFinding>,
    /// The first `fail` finding as a failure (`auth_required`, `details.check` names the
    /// check), or the transport failure when the server could not be asked at all.
    pub(crate) failure: Option<Failure>,
    /// HTTP requests made.
    pub(crate) http_requests: u32,
}

/// Checks the target's authorization set-up as a client without credentials sees it.
///
/// `client` must not follow redirects (`redirect::Policy::none()`): the check follows them
/// itself so that it decides where they may go. The target's `Authorization` header and the
/// URL's user info are not sent; its other headers go with the `initialize` only. Never
/// panics and never returns early with an error: whatever happens is a finding.
pub(crate) async fn check_auth(
    client: &reqwest::Client,
    metadata: &reqwest::Client,
    guard: AddressPolicy,
    target: &Target,
    deadline: Deadline,
) -> AuthCheckOutcome {
    let mut checker = Checker::new(client, metadata, guard, deadline);
    checker.run(target).await;
    checker.finish();
    AuthCheckOutcome {
        findings: checker.findings,
        failure: checker.failure,
        http_requests: checker.requests,
    }
}

/// How a metadata `resource` relates to the server URL.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ResourceMatch {
    /// The same resource: scheme, host and port equal (case-insensitive scheme and host,
    /// default port implied), paths equal ignoring one trailing slash, and no query or the
    /// server's.
    Same,
    /// Same origin, and the resource's path is a parent of the server's (e.g. the origin
    /// itself): clients that accept a prefix (like the SDKs) work, RFC 9728's strict rule
    /// does not.
    Parent,
    /// Anything else, with why.
    Different(String),
}

pub(super) fn match_resource(resource: &str, server: &Url) -> ResourceMatch {
    let Ok(resource) = Url::parse(resource.trim()) else {
        return ResourceMatch::Different("resource is not an absolute URL".to_owned());
    };
    if resource.fragment().is_some() {
        return ResourceMatch::Different("resource has a fragment".to_owned());
    }
    if resource.scheme() != server.scheme()
        || resource.host() != server.host()
        || resource.port_or_known_default() != server.port_or_known_default()
    {
        return ResourceMatch::Different("another origin".to_owned());
    }
    if resource.query().is_some() && resource.query() != server.query() {
        return ResourceMatch::Different("another query".to_owned());
    }
    let theirs = resource.path().trim_end_matches('/');
    let ours = server.path().trim_end_matches('/');
    if theirs == ours {
        ResourceMatch::Same
    } else if ours
        .strip_prefix(theirs)
        .is_some_and(|rest| rest.starts_with('/'))
    {
        ResourceMatch::Parent
    } else {
        ResourceMatch::Different("another path".to_owned())
    }
}

impl<'a> Checker<'a> {
    pub(super) async fn run(&mut self, target: &Target) {
        if let Some(found) = self.discover(target).await {
            self.pkce_s256(&found.as_metadata, &found.as_metadata_url);
        }
    }

    /// The closing `metadata_url_safe` pass, when URLs were learnt and none was refused.
    pub(super) fn finish(&mut self) {
        if self.learnt > 0 && !self.refused {
            let n = self.learnt;
            self.record(
                AuthCheck::MetadataUrlSafe,
                FindingStatus::Pass,
                format!(
                    "every URL learnt from the server ({n}) is https or on a loopback host, \
                     and leads only where the target is"
                ),
                None,
                None,
            );
        }
    }

    /// `resource_match`: the metadata's `resource` against the server URL.
    pub(super) fn resource_match(
        &mut self,
        metadata: &Map<String, Value>,
        server: &Url,
        metadata_url: &Url,
    ) {
        let url = Some(metadata_url);
        let server_shown = redact_url(server);
        let Some(resource) = metadata.get("resource").and_then(Value::as_str) else {
            self.fail(
                AuthCheck::ResourceMatch,
                "the protected resource metadata has no resource (RFC 9728 requires it)".to_owned(),
                url,
            );
            return;
        };
        let shown = shown_text(resource);
        match match_resource(resource, server) {
            ResourceMatch::Same => self.pass(
                AuthCheck::ResourceMatch,
                format!("resource {shown} is the server URL"),
                url,
            ),
            ResourceMatch::Parent => self.warn(
                AuthCheck::ResourceMatch,
                format!(
                    "resource {shown} is a parent of the server URL {server_shown}; RFC 9728 \
                     wants them identical, so strict clients reject this metadata"
                ),
                url,
            ),
            ResourceMatch::Different(why) => self.fail(
                AuthCheck::ResourceMatch,
                format!(
                    "resource {shown} does not match the server URL {server_shown} ({why}); \
                     clients must not use this metadata (RFC 9728 §3.3)"
                ),
                url,
            ),
        }
    }

    /// `issuer_match`: `issuer` identical to the URL the metadata was discovered from.
    pub(super) fn issuer_match(&mut self, metadata: &Map<String, Value>, issuer: &str, url: &Url) {
        match metadata.get("issuer") {
            Some(Value::String(found)) if found == issuer => self.pass(
                AuthCheck::IssuerMatch,
                format!("issuer is {}, as listed", shown_text(found)),
                Some(url),
            ),
            Some(Value::String(found)) => {
                let slash = if found.trim_end_matches('/') == issuer.trim_end_matches('/') {
                    " (only a trailing slash differs)"
                } else {
                    ""
                };
                self.fail(
                    AuthCheck::IssuerMatch,
                    format!(
                        "issuer {} is not the authorization server URL {} it was discovered \
                         from{slash}; RFC 8414 requires them identical",
                        shown_text(found),
                        shown_text(issuer)
                    ),
                    Some(url),
                );
            }
            Some(other) => self.fail(
                AuthCheck::IssuerMatch,
                format!(
                    "issuer is a JSON {} instead of a URL",
                    crate::text::kind(other)
                ),
                Some(url),
            ),
            None => self.fail(
                AuthCheck::IssuerMatch,
                "the authorization server metadata has no issuer".to_owned(),
                Some(url),
            ),
        }
    }

    /// `pkce_s256`: S256 among `code_challenge_methods_supported`.
    pub(super) fn pkce_s256(&mut self, metadata: &Map<String, Value>, url: &Url) {
        match metadata.get("code_challenge_methods_supported") {
            Some(Value::Array(methods)) if methods.iter().any(|m| m.as_str() == Some("S256")) => {
                self.pass(
                    AuthCheck::PkceS256,
                    "S256 is among code_challenge_methods_supported".to_owned(),
                    Some(url),
                );
            }
            Some(Value::Array(methods)) => {
                let listed: Vec<String> = methods
                    .iter()
                    .take(10)
                    .map(|m| match m {
                        Value::String(s) => truncate(s, 40),
                        other => crate::text::short(other),
                    })
                    .collect();
                self.fail(
                    AuthCheck::PkceS256,
                    format!(
                        "code_challenge_methods_supported is [{}] without S256, which MCP \
                         clients must use",
                        listed.join(", ")
                    ),
                    Some(url),
                );
            }
            Some(other) => self.fail(
                AuthCheck::PkceS256,
                format!(
                    "code_challenge_methods_supported is a JSON {} instead of an array",
                    crate::text::kind(other)
                ),
                Some(url),
            ),
            None => self.fail(
                AuthCheck::PkceS256,
                "code_challenge_methods_supported is absent: no PKCE is advertised, and MCP \
                 clients must refuse to proceed"
                    .to_owned(),
                Some(url),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use serde_json::json;

    use crate::model::FailureCode;

    use std::collections::BTreeMap;

    use mcp_probe_testkit::{FixtureServer, Mode};
    use tokio::time::Instant;

    use crate::model::TargetSpec;

    use FindingStatus::{Fail, Pass, Warn};

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn deadline() -> Deadline {
        let total = Duration::from_secs(10);
        Deadline::for_request(total, Instant::now() + total, total)
    }

    fn target(url: &str, headers: &[(&str, &str)]) -> Target {
        let spec = TargetSpec {
            url: url.to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            ..TargetSpec::default()
        };
        Target::resolve(&spec).unwrap()
    }

    async fn check(url: &str) -> AuthCheckOutcome {
        let t = target(url, &[]);
        let guard = AddressPolicy::for_target(t.url()).await;
        check_auth(&client(), &client(), guard, &t, deadline()).await
    }

    fn pairs(outcome: &AuthCheckOutcome) -> Vec<(AuthCheck, FindingStatus)> {
        outcome
            .findings
            .iter()
            .map(|f| (f.check, f.status))
            .collect()
    }

    const ALL_PASS: [(AuthCheck, FindingStatus); 9] = [
        (AuthCheck::ChallengeStatus, Pass),
        (AuthCheck::BearerChallenge, Pass),
        (AuthCheck::ResourceMetadata, Pass),
        (AuthCheck::AuthorizationServers, Pass),
        (AuthCheck::ResourceMatch, Pass),
        (AuthCheck::AsMetadata, Pass),
        (AuthCheck::IssuerMatch, Pass),
        (AuthCheck::PkceS256, Pass),
        (AuthCheck::MetadataUrlSafe, Pass),
    ];

    /// [`ALL_PASS`] with `check` given `status`.
    fn all_pass_but(check: AuthCheck, status: FindingStatus) -> Vec<(AuthCheck, FindingStatus)> {
        ALL_PASS
            .iter()
            .map(|&(c, s)| (c, if c == check { status } else { s }))
            .collect()
    }

    #[tokio::test]
    async fn every_auth_fixture_gives_its_findings() {
        let server = FixtureServer::start().await.unwrap();
        let cases: Vec<(Mode, Vec<(AuthCheck, FindingStatus)>)> = vec![
            (Mode::AuthOk, ALL_PASS.to_vec()),
            (Mode::AuthWellknownFallback, ALL_PASS.to_vec()),
            (Mode::AuthOidcOnly, ALL_PASS.to_vec()),
            (
                Mode::AuthNoChallenge,
                all_pass_but(AuthCheck::BearerChallenge, Fail),
            ),
            (
                Mode::AuthBasicChallenge,
                all_pass_but(AuthCheck::BearerChallenge, Fail),
            ),
            (
                Mode::AuthNoMetadata,
                vec![
                    (AuthCheck::ChallengeStatus, Pass),
                    (AuthCheck::BearerChallenge, Pass),
                    (AuthCheck::ResourceMetadata, Fail),
                ],
            ),
            (
                Mode::AuthResourceMismatch,
                all_pass_but(AuthCheck::ResourceMatch, Fail),
            ),
            (
                Mode::AuthEmptyServers,
                vec![
                    (AuthCheck::ChallengeStatus, Pass),
                    (AuthCheck::BearerChallenge, Pass),
                    (AuthCheck::ResourceMetadata, Pass),
                    (AuthCheck::AuthorizationServers, Fail),
                    (AuthCheck::ResourceMatch, Pass),
                    (AuthCheck::MetadataUrlSafe, Pass),
                ],
            ),
            (
                Mode::AuthIssuerMismatch,
                all_pass_but(AuthCheck::IssuerMatch, Fail),
            ),
            (Mode::AuthNoS256, all_pass_but(AuthCheck::PkceS256, Fail)),
            (
                Mode::AuthNotProtected,
                vec![(AuthCheck::ChallengeStatus, Warn)],
            ),
        ];
        for (mode, expected) in cases {
            let outcome = check(&server.url(mode)).await;
            assert_eq!(pairs(&outcome), expected, "{mode}: {:#?}", outcome.findings);
            let first_fail = outcome.findings.iter().find(|f| f.status == Fail);
            match (first_fail, &outcome.failure) {
                (None, None) => {}
                (Some(finding), Some(failure)) => {
                    assert_eq!(failure.code, FailureCode::AuthCheck, "{mode}");
                    assert_eq!(failure.details["check"], finding.check.as_str(), "{mode}");
                    assert_eq!(failure.message, finding.message, "{mode}");
                }
                other => panic!("{mode}: finding and failure disagree: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn findings_say_what_was_used() {
        let server = FixtureServer::start().await.unwrap();
        let base = format!("http://{}", server.addr());

        let ok = check(&server.url(Mode::AuthOk)).await;
        assert_eq!(ok.http_requests, 3, "POST, metadata, AS metadata");
        assert!(ok.failure.is_none());
        let find = |o: &AuthCheckOutcome, check: AuthCheck| {
            o.findings
                .iter()
                .find(|f| f.check == check)
                .cloned()
                .unwrap()
        };
        let rm = find(&ok, AuthCheck::ResourceMetadata);
        assert_eq!(
            rm.url.as_deref(),
            Some(format!("{base}/.well-known/oauth-protected-resource/auth_ok/mcp").as_str())
        );
        assert!(rm.message.contains("challenge"), "{}", rm.message);
        assert_eq!(
            find(&ok, AuthCheck::AsMetadata).url.as_deref(),
            Some(format!("{base}/.well-known/oauth-authorization-server/as/auth_ok").as_str())
        );

        let fallback = check(&server.url(Mode::AuthWellknownFallback)).await;
        assert!(find(&fallback, AuthCheck::ResourceMetadata)
            .message
            .contains("path-suffixed well-known URL"));

        let oidc = check(&server.url(Mode::AuthOidcOnly)).await;
        assert_eq!(oidc.http_requests, 5, "POST, metadata, three AS URLs");
        let asm = find(&oidc, AuthCheck::AsMetadata);
        assert_eq!(
            asm.url.as_deref(),
            Some(format!("{base}/as/auth_oidc_only/.well-known/openid-configuration").as_str())
        );
        assert!(
            asm.message.contains("path appending") && asm.message.contains("HTTP 404"),
            "{}",
            asm.message
        );

        let none = check(&server.url(Mode::AuthNoMetadata)).await;
        let rm = find(&none, AuthCheck::ResourceMetadata);
        assert!(
            rm.message
                .contains("/.well-known/oauth-protected-resource/auth_no_metadata/mcp → HTTP 404")
                && rm
                    .message
                    .contains("/.well-known/oauth-protected-resource → HTTP 404"),
            "{}",
            rm.message
        );
        let gets: Vec<String> = server
            .log()
            .into_iter()
            .filter(|r| r.mode == Mode::AuthNoMetadata && r.http_method == "GET")
            .map(|r| r.http_method)
            .collect();
        assert_eq!(gets.len(), 1, "the root URL is not a mode's path: {gets:?}");

        let issuer = check(&server.url(Mode::AuthIssuerMismatch)).await;
        assert!(find(&issuer, AuthCheck::IssuerMatch)
            .message
            .contains(&format!("\"{base}/as/elsewhere\"")));

        let bare = check(&server.url(Mode::AuthNotProtected)).await;
        assert_eq!(bare.http_requests, 2, "POST, then DELETE of the session");
        assert!(bare.failure.is_none());
        assert!(bare.findings[0].message.contains("not protected"));
    }

    #[tokio::test]
    async fn no_credentials_are_sent_and_other_headers_are_kept() {
        let server = FixtureServer::start().await.unwrap();
        let mut url = Url::parse(&server.url(Mode::AuthOk)).unwrap();
        url.set_username("user").unwrap();
        url.set_password(Some("pw")).unwrap();
        let t = target(
            url.as_str(),
            &[("Authorization", "Bearer canary-token"), ("X-Trace", "t1")],
        );
        let guard = AddressPolicy::for_target(t.url()).await;
        let outcome = check_auth(&client(), &client(), guard, &t, deadline()).await;
        assert!(outcome.failure.is_none(), "{:#?}", outcome.findings);
        let log = server.log();
        assert_eq!(log.len(), 3);
        for r in &log {
            assert_eq!(r.header("authorization"), None, "{}", r.http_method);
            let expected = (r.http_method == "POST").then_some("t1");
            assert_eq!(r.header("x-trace"), expected, "{}", r.http_method);
        }
        let json = serde_json::to_string(&outcome.findings).unwrap();
        assert!(!json.contains("canary") && !json.contains("pw@"), "{json}");
    }

    #[tokio::test]
    async fn transport_failures_are_findings() {
        // Nothing listens on the port of a listener that was closed.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let outcome = check(&format!("http://127.0.0.1:{port}/mcp")).await;
        assert_eq!(pairs(&outcome), vec![(AuthCheck::ChallengeStatus, Fail)]);
        assert_eq!(outcome.http_requests, 1);
        let failure = outcome.failure.unwrap();
        assert_eq!(failure.code, FailureCode::ConnectRefused);
        assert_eq!(failure.check(), Some(AuthCheck::ChallengeStatus));
    }

    /// A server answering every request with `answer(path, host)`; stops when the task is
    /// aborted.
    async fn tiny_server<F>(answer: F) -> (String, tokio::task::JoinHandle<()>)
    where
        F: Fn(&str, &str) -> axum::response::Response + Clone + Send + Sync + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
                let answer = answer.clone();
                async move {
                    let host = headers
                        .get("host")
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    answer(uri.path(), &host)
                }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (base, task)
    }

    fn respond(
        status: u16,
        headers: &[(&'static str, String)],
        body: String,
    ) -> axum::response::Response {
        let mut resp = axum::response::Response::new(axum::body::Body::from(body));
        *resp.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
        for (name, value) in headers {
            resp.headers_mut()
                .insert(*name, axum::http::HeaderValue::from_str(value).unwrap());
        }
        resp
    }

    #[tokio::test]
    async fn metadata_urls_must_be_https_unless_loopback() {
        let (base, task) = tiny_server(|_, _| {
            let challenge = "Bearer resource_metadata=\"http://mcp.example.com/.well-known/\
                             oauth-protected-resource\", scope=\"x\"";
            respond(
                401,
                &[("www-authenticate", challenge.to_owned())],
                String::new(),
            )
        })
        .await;
        let outcome = check(&format!("{base}/mcp")).await;
        task.abort();
        assert_eq!(
            pairs(&outcome),
            vec![
                (AuthCheck::ChallengeStatus, Pass),
                (AuthCheck::BearerChallenge, Pass),
                (AuthCheck::MetadataUrlSafe, Fail)
            ]
        );
        assert_eq!(outcome.http_requests, 1, "the http URL is never fetched");
        assert_eq!(
            outcome.findings[2].url.as_deref(),
            Some("http://mcp.example.com/.well-known/oauth-protected-resource")
        );
        assert_eq!(
            outcome.failure.unwrap().check(),
            Some(AuthCheck::MetadataUrlSafe)
        );
    }

    /// A server must not turn the check into a way into the network the probe runs in:
    /// link-local metadata URLs (cloud metadata services) are never fetched, private ones not
    /// from a target that is not private itself.
    #[tokio::test]
    async fn metadata_urls_may_not_lead_into_internal_networks() {
        for (metadata, why) in [
            (
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "169.254.169.254 is a link-local address (where cloud metadata services answer)",
            ),
            (
                "https://[fe80::1]/.well-known/oauth-protected-resource",
                "fe80::1 is a link-local address",
            ),
            (
                "https://10.0.0.7/.well-known/oauth-protected-resource",
                "10.0.0.7 is a private-network address, and the target is not",
            ),
            (
                "https://0.0.0.0/.well-known/oauth-protected-resource",
                "0.0.0.0 is an address no one fetches from",
            ),
        ] {
            let challenge = format!("Bearer resource_metadata=\"{metadata}\", scope=\"x\"");
            let (base, task) = tiny_server(move |_, _| {
                respond(
                    401,
                    &[("www-authenticate", challenge.clone())],
                    String::new(),
                )
            })
            .await;
            let outcome = check(&format!("{base}/mcp")).await;
            task.abort();
            assert_eq!(
                pairs(&outcome),
                vec![
                    (AuthCheck::ChallengeStatus, Pass),
                    (AuthCheck::BearerChallenge, Pass),
                    (AuthCheck::MetadataUrlSafe, Fail)
                ],
                "{metadata}"
            );
            assert_eq!(outcome.http_requests, 1, "{metadata} was fetched");
            assert!(
                outcome.findings[2].message.contains(why),
                "{metadata}: {}",
                outcome.findings[2].message
            );
        }
    }

    #[tokio::test]
    async fn redirects_are_followed_at_most_three_times() {
        let (base, task) = tiny_server(|path, host| {
            let redirect = |to: &str| respond(307, &[("location", to.to_owned())], String::new());
            match path {
                "/mcp" => respond(
                    401,
                    &[("www-authenticate", "Bearer scope=\"x\"".to_owned())],
                    String::new(),
                ),
                // The path-suffixed metadata: two redirects (one absolute), then the document.
                "/.well-known/oauth-protected-resource/mcp" => redirect("/moved1"),
                "/moved1" => redirect(&format!("http://{host}/moved2")),
                "/moved2" => respond(
                    200,
                    &[("content-type", "application/json".to_owned())],
                    json!({
                        "resource": format!("http://{host}/mcp"),
                        "authorization_servers": [format!("http://{host}/issuer")],
                    })
                    .to_string(),
                ),
                // The authorization server's RFC 8414 URL redirects forever.
                "/.well-known/oauth-authorization-server/issuer" => redirect("/loop/1"),
                p if p.starts_with("/loop/") => {
                    let n: u32 = p["/loop/".len()..].parse().unwrap_or(0);
                    redirect(&format!("/loop/{}", n + 1))
                }
                _ => respond(404, &[], String::new()),
            }
        })
        .await;
        let outcome = check(&format!("{base}/mcp")).await;
        task.abort();
        assert_eq!(
            pairs(&outcome),
            vec![
                (AuthCheck::ChallengeStatus, Pass),
                (AuthCheck::BearerChallenge, Pass),
                (AuthCheck::ResourceMetadata, Pass),
                (AuthCheck::AuthorizationServers, Pass),
                (AuthCheck::ResourceMatch, Pass),
                (AuthCheck::AsMetadata, Fail),
                (AuthCheck::MetadataUrlSafe, Pass),
            ],
            "{:#?}",
            outcome.findings
        );
        let asm = &outcome.findings[5].message;
        assert!(
            asm.contains("/.well-known/oauth-authorization-server/issuer → more than 3 redirects")
                && asm.contains("/issuer/.well-known/openid-configuration → HTTP 404"),
            "{asm}"
        );
        // POST; metadata and 2 redirects; RFC 8414 URL and 3 redirects; 2 OpenID URLs.
        assert_eq!(outcome.http_requests, 1 + 3 + 4 + 2);
    }

    #[test]
    fn statuses_serialize_as_their_names() {
        for status in [Pass, Warn, Fail] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        let finding = AuthFinding {
            check: AuthCheck::PkceS256.to_owned(),
            status: Fail,
            message: "m".to_owned(),
            url: None,
        };
        assert_eq!(
            serde_json::to_value(&finding).unwrap(),
            json!({"check": "pkce_s256", "status": "fail", "message": "m"})
        );
    }

    #[test]
    fn resources_match_by_origin_and_path() {
        let server = Url::parse("https://MCP.example.com:443/api/mcp?key=1").unwrap();
        for same in [
            "https://mcp.example.com/api/mcp",
            "HTTPS://mcp.EXAMPLE.com/api/mcp/",
            "https://mcp.example.com:443/api/mcp",
            "https://mcp.example.com/api/mcp?key=1",
        ] {
            assert_eq!(match_resource(same, &server), ResourceMatch::Same, "{same}");
        }
        for parent in ["https://mcp.example.com", "https://mcp.example.com/api/"] {
            assert_eq!(
                match_resource(parent, &server),
                ResourceMatch::Parent,
                "{parent}"
            );
        }
        for (different, why) in [
            ("http://mcp.example.com/api/mcp", "another origin"),
            ("https://mcp.example.com:8443/api/mcp", "another origin"),
            ("https://other.example.com/api/mcp", "another origin"),
            ("https://mcp.example.com/api/mcp2", "another path"),
            ("https://mcp.example.com/ap", "another path"),
            ("https://mcp.example.com/api/mcp/more", "another path"),
            (
                "https://mcp.example.com/api/mcp#x",
                "resource has a fragment",
            ),
            ("https://mcp.example.com/api/mcp?key=2", "another query"),
            ("mcp.example.com/api/mcp", "resource is not an absolute URL"),
        ] {
            assert_eq!(
                match_resource(different, &server),
                ResourceMatch::Different(why.to_owned()),
                "{different}"
            );
        }
    }
}
