//! The well-known URLs a client tries for the protected resource metadata (RFC 9728) and
//! the authorization server's metadata (RFC 8414, OpenID Connect discovery), in the order
//! MCP 2025-11-25 gives.

use url::Url;

const PROTECTED_RESOURCE: &str = "/.well-known/oauth-protected-resource";

const OAUTH_SERVER: &str = "/.well-known/oauth-authorization-server";

const OPENID: &str = "/.well-known/openid-configuration";

/// `origin` + `suffix` + the URL's path without its trailing slash (RFC 8414 §3.1 / RFC
/// 9728 §3.1 path insertion); query and fragment dropped.
fn insert_well_known(url: &Url, suffix: &str) -> Option<Url> {
    let origin = url.origin().ascii_serialization();
    let path = url.path().trim_end_matches('/');
    Url::parse(&format!("{origin}{suffix}{path}")).ok()
}

/// The protected resource metadata URLs to try for a server URL without `resource_metadata`
/// (MCP 2025-11-25): path-suffixed (when the server has a path), then root.
pub(super) fn protected_resource_urls(server: &Url) -> Vec<(Url, &'static str)> {
    let mut out = Vec::new();
    if !server.path().trim_end_matches('/').is_empty() {
        if let Some(url) = insert_well_known(server, PROTECTED_RESOURCE) {
            out.push((url, "path-suffixed"));
        }
    }
    let origin = server.origin().ascii_serialization();
    if let Ok(url) = Url::parse(&format!("{origin}{PROTECTED_RESOURCE}")) {
        out.push((url, "root"));
    }
    out
}

/// The authorization server metadata URLs to try, in the MCP 2025-11-25 order, each with how
/// it was built.
pub(super) fn authorization_server_urls(issuer: &Url) -> Vec<(Url, &'static str)> {
    let path = issuer.path().trim_end_matches('/');
    let mut out = Vec::new();
    if path.is_empty() {
        out.extend(insert_well_known(issuer, OAUTH_SERVER).map(|u| (u, "RFC 8414")));
        out.extend(insert_well_known(issuer, OPENID).map(|u| (u, "OpenID Connect discovery")));
    } else {
        out.extend(
            insert_well_known(issuer, OAUTH_SERVER).map(|u| (u, "RFC 8414 (path insertion)")),
        );
        out.extend(
            insert_well_known(issuer, OPENID)
                .map(|u| (u, "OpenID Connect discovery (path insertion)")),
        );
        let origin = issuer.origin().ascii_serialization();
        out.extend(
            Url::parse(&format!("{origin}{path}{OPENID}"))
                .ok()
                .map(|u| (u, "OpenID Connect discovery (path appending)")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: Vec<(Url, &'static str)>) -> Vec<String> {
        list.into_iter().map(|(u, _)| u.to_string()).collect()
    }

    #[test]
    fn well_known_urls_are_built_in_the_spec_order() {
        let tenant = Url::parse("https://as.example/tenant1").unwrap();
        assert_eq!(
            urls(authorization_server_urls(&tenant)),
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration",
            ]
        );
        let trailing = Url::parse("https://as.example:8443/a/b/").unwrap();
        assert_eq!(
            urls(authorization_server_urls(&trailing))[0],
            "https://as.example:8443/.well-known/oauth-authorization-server/a/b"
        );
        for root in ["https://as.example", "https://as.example/"] {
            assert_eq!(
                urls(authorization_server_urls(&Url::parse(root).unwrap())),
                [
                    "https://as.example/.well-known/oauth-authorization-server",
                    "https://as.example/.well-known/openid-configuration",
                ]
            );
        }
        let server = Url::parse("https://u:p@example.com/public/mcp?key=s#f").unwrap();
        assert_eq!(
            urls(protected_resource_urls(&server)),
            [
                "https://example.com/.well-known/oauth-protected-resource/public/mcp",
                "https://example.com/.well-known/oauth-protected-resource",
            ]
        );
        let at_root = Url::parse("https://example.com/").unwrap();
        assert_eq!(
            urls(protected_resource_urls(&at_root)),
            ["https://example.com/.well-known/oauth-protected-resource"]
        );
    }
}
