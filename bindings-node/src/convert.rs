//! The option values a caller passes as strings, declared for the TypeScript typings (the
//! options themselves are read in `options.rs`; the report crosses as its JSON in `report.rs`).

use napi_derive::napi;

// ---------------------------------------------------------------------------------------------
// Option values
// ---------------------------------------------------------------------------------------------

/// Which transport a probe speaks: detected (`auto`, the default) or pinned.
#[napi(string_enum = "kebab-case")]
pub enum TransportChoice {
    /// Streamable HTTP for a URL (falling back to legacy HTTP+SSE when `initialize` is refused
    /// with 400/404/405), stdio for a command.
    Auto,
    /// Streamable HTTP only.
    StreamableHttp,
    /// Legacy HTTP+SSE (2024-11-05) only: the URL is the event stream.
    Sse,
    /// A child process speaking newline-delimited JSON-RPC.
    Stdio,
}

/// Which era a probe speaks: detected (`auto`, the default) or pinned.
#[napi(string_enum = "lowercase")]
pub enum ProtocolChoice {
    /// Try `server/discover`, fall back to `initialize`.
    Auto,
    /// Only the 2026-07-28 era.
    Modern,
    /// Only the handshake era.
    Handshake,
}

/// Which redirects a probe follows.
#[napi(string_enum = "kebab-case")]
pub enum FollowRedirects {
    /// None (the default): a 3xx fails the probe with `redirect` and the location.
    None,
    /// 307 and 308 (which keep the method and body) within the same origin (scheme, host and
    /// port), at most 5 in a row. A redirect to another origin is never followed, so
    /// credentials never leave the origin they are for.
    SameOrigin,
}

/// How an OAuth client authenticates to the token endpoint.
#[napi(string_enum = "kebab-case")]
pub enum OAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret (the default).
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
    /// `private_key_jwt`: a JWT signed with the client's private key, which
    /// `oauthClientSecretEnv` / `oauthClientSecretFile` then hold as PEM (EC P-256, EC P-384 or
    /// RSA).
    PrivateKeyJwt,
}

/// Which OAuth grant gets the probe its token.
#[napi(string_enum = "kebab-case")]
pub enum OAuthFlow {
    /// Client credentials (the default with `oauthClientId`).
    ClientCredentials,
    /// The authorization-code flow with PKCE, headless: only for authorization servers that
    /// approve without a person.
    AuthorizationCode,
    /// The JWT-bearer grant (RFC 7523) for workload identity: the secret options hold the
    /// JWT the workload's platform issued.
    JwtBearer,
}
