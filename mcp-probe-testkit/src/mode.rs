//! The fixture behaviours, one per URL path.

use std::fmt;
use std::str::FromStr;

/// One fixture behaviour, served at `/{mode}/mcp` (and [`Mode::Json`] also at `/mcp`); the
/// legacy HTTP+SSE modes are served at `/{mode}/sse` instead.
///
/// Healthy modes speak MCP Streamable HTTP correctly (in different but legal ways);
/// the others each break exactly one thing a probe must detect and classify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Healthy: every answer is `application/json`.
    Json,
    /// Healthy: every request is answered with `text/event-stream`: a priming event (id, retry,
    /// empty data) then one `message` event.
    Sse,
    /// Healthy: `tools/list` returns one tool per page, linked by opaque `nextCursor` strings;
    /// the handshake also advertises `resources` and `prompts`, listed one item per page.
    Paginated,
    /// Healthy: SSE answers preceded by a log notification, a keep-alive comment and server requests.
    Notifications,
    /// Healthy after recovery: the first `tools/list` of a session answers 404 (session gone).
    SessionExpireOnce,
    /// Broken: accepts every POST and never sends response headers.
    Hang,
    /// Broken: after `initialize`, requests get SSE headers and then nothing, forever.
    SseSilence,
    /// Broken: every POST gets a 502 with an nginx HTML page.
    BadGateway,
    /// Broken: every POST gets 200 `text/html` (a login page).
    Html,
    /// Broken: requests are answered with truncated JSON.
    InvalidJson,
    /// Broken: the `initialize` response carries a different id than the request.
    WrongId,
    /// Broken: every request after `initialize` answers 404 (session not found).
    Session404,
    /// Broken: every POST gets 401 with a `WWW-Authenticate: Bearer` challenge.
    Unauthorized,
    /// Degraded: every `tools/call` returns `isError: true` ("database connection refused").
    ToolIsError,
    /// Healthy with a warning: like [`Mode::Json`], and `tools/list` also lists tools with an
    /// `outputSchema` (`sum`, whose `structuredContent` matches it; `sum_text`, whose does
    /// not; `remote_schema`, whose schema is a `$ref` to an http URL) and `loose`, whose
    /// `inputSchema` is not valid JSON Schema.
    Schemas,
    /// Broken: every `tools/call` returns JSON-RPC error -32603.
    JsonrpcErrorOnCall,
    /// Broken: the `initialize` response is a 24 MiB JSON body.
    Oversized,
    /// Broken: the `initialize` response is an SSE event with an 8 MiB data line.
    OversizedSseEvent,
    /// Broken: the `initialize` response announces 1000 bytes, sends 100 and aborts the connection.
    ResetMidBody,
    /// Broken: `initialize` answers protocol version `2024-01-01`.
    OldVersion,
    /// Broken: `initialize` answers JSON-RPC error -32602 "Unsupported protocol version".
    UnsupportedVersionError,
    /// Healthy and stateless: never issues a session id; DELETE answers 405.
    NoSession,
    /// Healthy legacy HTTP+SSE (2024-11-05), at `/legacy/sse`: the stream names a relative
    /// endpoint, POSTs are answered 202 and the responses arrive on the stream.
    Legacy,
    /// Broken legacy HTTP+SSE: the `endpoint` event names another origin.
    LegacyCrossOrigin,
    /// Broken legacy HTTP+SSE: the stream never sends an `endpoint` event.
    LegacyNoEndpoint,
    /// Broken legacy HTTP+SSE: POSTs are accepted but no response ever arrives on the stream.
    LegacySilent,
    /// Healthy 2026-07-28-only server: POST only, `server/discover`, a `_meta` envelope and
    /// `MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers checked on every request, no
    /// sessions; `initialize` and `ping` are unknown methods (404, -32601).
    Modern,
    /// Healthy handshake-era server that dropped 2026-07-28: `server/discover` answers 400
    /// -32022 with `supported: ["2025-11-25"]`; everything else as [`Mode::Json`].
    ModernVersionMismatch,
    /// Healthy 2026-07-28-only server, like [`Mode::Modern`], that refuses every other
    /// `server/discover` (the first, third, …) with 400 -32022 and `supported:
    /// ["2026-07-28"]`: a client that asks again once, as SEP-2575 says, gets through.
    ModernRefusesOnce,
    /// Like [`Mode::ModernRefusesOnce`], but every `server/discover` is refused: not healthy.
    ModernRefusesAlways,
    /// Healthy dual-era server, like the Python SDK: requests with a non-handshake
    /// `MCP-Protocol-Version` are served as [`Mode::Modern`] (whose discover result lists only
    /// 2026-07-28), everything else as [`Mode::Json`].
    Dual,
    /// Protected, correctly: without a bearer token every request gets 401 with
    /// `WWW-Authenticate: Bearer resource_metadata="…", scope="mcp:read"`; the protected resource
    /// metadata and the authorization server's RFC 8414 metadata (issuer
    /// `http://HOST:PORT/as/auth_ok`, S256) are served. With any bearer token: like [`Mode::Json`].
    AuthOk,
    /// Broken auth: the 401 carries no `WWW-Authenticate` header (the well-known documents exist).
    AuthNoChallenge,
    /// Broken auth: the 401 offers a `Basic` challenge instead of `Bearer`.
    AuthBasicChallenge,
    /// Broken auth: a Bearer challenge without `resource_metadata`, and no well-known metadata.
    AuthNoMetadata,
    /// Protected, correctly (2025-11-25): a Bearer challenge without `resource_metadata`; the
    /// path-suffixed well-known protected resource metadata exists.
    AuthWellknownFallback,
    /// Broken auth: the protected resource metadata names another URL as its `resource`.
    AuthResourceMismatch,
    /// Broken auth: the protected resource metadata lists no `authorization_servers`.
    AuthEmptyServers,
    /// Broken auth: the authorization server metadata's `issuer` differs from its URL.
    AuthIssuerMismatch,
    /// Broken auth: the authorization server supports only the `plain` PKCE method.
    AuthNoS256,
    /// Protected, correctly: the authorization server offers only OpenID Connect discovery
    /// (path appending, `/as/auth_oidc_only/.well-known/openid-configuration`).
    AuthOidcOnly,
    /// Unprotected: answers an `initialize` without credentials like [`Mode::Json`].
    AuthNotProtected,
    /// Protected for OAuth client credentials: discovered like [`Mode::AuthOk`], its
    /// authorization server also offers the `client_credentials` grant at
    /// `/as/auth_client_credentials/token` for the client `fixture-client` with the secret
    /// `fixture-secret` (`client_secret_basic` or `client_secret_post`) or an ES256 client
    /// assertion signed with [`crate::FIXTURE_CLIENT_KEY_PEM`] for the audience of its issuer
    /// (`private_key_jwt`), or the JWT-bearer grant of a workload JWT that key signed for that
    /// audience, issuing the access token `fixture-access-token`; the endpoint accepts only
    /// that token (any other gets 401 with `error="invalid_token"`).
    AuthClientCredentials,
    /// Echoes secrets (broken): every POST gets HTTP 500 `text/plain` whose body is
    /// `internal server error` followed by the request headers as `name: value` lines (every
    /// header except `accept`, `content-type`, `content-length`, `host`, `user-agent`,
    /// `accept-encoding`, in arrival order). A probe must report it without repeating the
    /// client's secrets.
    EchoErrorBody,
    /// Echoes secrets (broken): every POST gets 401 with `WWW-Authenticate: Bearer
    /// error="invalid_token", error_description="rejected <the Authorization header value>"`
    /// and a `text/plain` body echoing the headers like [`Mode::EchoErrorBody`].
    EchoUnauthorized,
    /// Echoes secrets (broken): `initialize` works and issues an `Mcp-Session-Id` like
    /// [`Mode::Json`]; every later request (a message with an id; notifications and client
    /// responses still get 202) is answered HTTP 200 with JSON-RPC error -32603 whose `message`
    /// is `internal error; request headers: name: value; name: value…` (one line, the headers
    /// of [`Mode::EchoErrorBody`], including `mcp-session-id`) and whose `data` is
    /// `{"headers": {name: value, …}}`.
    EchoRpcError,
    /// Echoes secrets: like [`Mode::Json`], but every `tools/call` returns `isError: true` with
    /// one text content `tool failed; request headers:` followed by the headers as
    /// `name: value` lines (including `mcp-session-id`). Without a tool call a probe reports it
    /// healthy; counted unhealthy like [`Mode::ToolIsError`].
    EchoToolError,
    /// Echoes secrets (broken): every POST gets 307 with `Location:
    /// /echo_redirect/<Authorization value>/mcp?key=<X-Api-Key value>`, both percent-encoded
    /// (everything but `A-Z a-z 0-9 - . _ ~`; an absent Authorization header gives the segment
    /// `-`, an absent X-Api-Key an empty value). The redirect target is recorded and answers
    /// 404 `text/plain`.
    EchoRedirect,
    /// Echoes secrets (broken): `initialize` issues an `Mcp-Session-Id`; every later POST gets
    /// HTTP 400 `text/plain` `unknown session <the Mcp-Session-Id header value>`.
    EchoSessionError,
    /// Echoes client credentials (broken auth): the endpoint is protected like
    /// [`Mode::AuthClientCredentials`] but accepts no token at all; its authorization server
    /// (`/as/echo_token`, discoverable) offers `client_credentials` at `/as/echo_token/token`,
    /// which answers every POST 400 `{"error":"invalid_client","error_description":"bad
    /// credentials: <the Authorization header value, empty if absent> <the raw form body>"}`.
    EchoToken,
    /// Terminal injection, healthy on the wire: like [`Mode::Json`], but `serverInfo.name` is
    /// `"evil\u001b[2K\r\u001b[32mOK: healthy\u001b[0m"`, `serverInfo.version` contains
    /// `\u0007` and the C1 CSI `\u009b31m`, `tools/list` lists `add` and a tool whose name and
    /// description contain `\u001b]0;owned\u0007` and `\r\n`, and the text of `add` starts
    /// with `\u001b[2J`. A correct probe reports it healthy (and prints none of it raw).
    ControlChars,
    /// Memory abuse, healthy on the wire: the `initialize` response is a valid JSON-RPC
    /// response (with a session id) whose result also holds `"numbers":[1,1,…]`, 7,750,001
    /// ones (about 15.5 MB, under a 16 MiB body limit), streamed in chunks; the rest is like
    /// [`Mode::Json`]. A correct probe reports it healthy without building a 7.75-million-value
    /// tree.
    ManyNumbers,
    /// Count abuse, healthy: `tools/list` returns 200,000 tools in one page (about 10.4 MB,
    /// streamed): `t000000` … `t199998` with `"inputSchema":{"type":"object"}`, and last `add`,
    /// which works when called (a probe that keeps only the first N tools must still find it).
    ManyTools,
    /// Memory abuse, healthy: each `tools/list` page holds one tool (`add` on page 1, then
    /// `p002` …) and a `nextCursor` of 4,000,000 bytes starting with the page number (`001-xxx…`,
    /// so every page's cursor differs); pages 1 to 100 carry a cursor, page 101 does not. A
    /// probe with a 100-page cap stops after page 100 with an incomplete listing; one that
    /// keeps every cursor it has seen holds 400 MB of them by then.
    HugeCursors,
    /// Broken: `initialize` works; every later request is answered with `text/event-stream`
    /// carrying server `ping` requests, each with a new id, without end (until the client goes
    /// away, the server stops, or 1,000,000 events), never the response.
    PingFlood,
    /// Count abuse, healthy: `tools/list` is paginated, 1,000 tools per page for 11 pages
    /// (11,000 tools: `add`, `t00001` … `t10998`, and last `needle`); `needle` works when
    /// called (a probe that stops keeping tools after 10,000 must still find it).
    ToolPastCap,
    /// Healthy after a while: the first [`READY_AFTER_POSTS`](crate::READY_AFTER_POSTS) POSTs
    /// to its path (counted per server) get 503 "not ready"; then it is [`Mode::Json`].
    ReadyAfter,
    /// Healthy or broken on command: like [`Mode::Json`] while
    /// [`FixtureServer::set_switch_healthy`](crate::FixtureServer::set_switch_healthy) last
    /// said healthy (the start), else every POST gets 503 "switched off". Also switched over
    /// HTTP: `POST /switch/healthy` and `POST /switch/broken`.
    Switch,
}

const ALL: &[Mode] = &[
    Mode::Json,
    Mode::Sse,
    Mode::Paginated,
    Mode::Notifications,
    Mode::SessionExpireOnce,
    Mode::Hang,
    Mode::SseSilence,
    Mode::BadGateway,
    Mode::Html,
    Mode::InvalidJson,
    Mode::WrongId,
    Mode::Session404,
    Mode::Unauthorized,
    Mode::ToolIsError,
    Mode::Schemas,
    Mode::JsonrpcErrorOnCall,
    Mode::Oversized,
    Mode::OversizedSseEvent,
    Mode::ResetMidBody,
    Mode::OldVersion,
    Mode::UnsupportedVersionError,
    Mode::NoSession,
    Mode::Legacy,
    Mode::LegacyCrossOrigin,
    Mode::LegacyNoEndpoint,
    Mode::LegacySilent,
    Mode::Modern,
    Mode::ModernVersionMismatch,
    Mode::ModernRefusesOnce,
    Mode::ModernRefusesAlways,
    Mode::Dual,
    Mode::AuthOk,
    Mode::AuthNoChallenge,
    Mode::AuthBasicChallenge,
    Mode::AuthNoMetadata,
    Mode::AuthWellknownFallback,
    Mode::AuthResourceMismatch,
    Mode::AuthEmptyServers,
    Mode::AuthIssuerMismatch,
    Mode::AuthNoS256,
    Mode::AuthOidcOnly,
    Mode::AuthNotProtected,
    Mode::AuthClientCredentials,
    Mode::EchoErrorBody,
    Mode::EchoUnauthorized,
    Mode::EchoRpcError,
    Mode::EchoToolError,
    Mode::EchoRedirect,
    Mode::EchoSessionError,
    Mode::EchoToken,
    Mode::ControlChars,
    Mode::ManyNumbers,
    Mode::ManyTools,
    Mode::HugeCursors,
    Mode::PingFlood,
    Mode::ToolPastCap,
    Mode::ReadyAfter,
    Mode::Switch,
];

impl Mode {
    /// The snake_case name used in the URL path, e.g. `"session_404"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Json => "json",
            Mode::Sse => "sse",
            Mode::Paginated => "paginated",
            Mode::Notifications => "notifications",
            Mode::SessionExpireOnce => "session_expire_once",
            Mode::Hang => "hang",
            Mode::SseSilence => "sse_silence",
            Mode::BadGateway => "bad_gateway",
            Mode::Html => "html",
            Mode::InvalidJson => "invalid_json",
            Mode::WrongId => "wrong_id",
            Mode::Session404 => "session_404",
            Mode::Unauthorized => "unauthorized",
            Mode::ToolIsError => "tool_is_error",
            Mode::Schemas => "schemas",
            Mode::JsonrpcErrorOnCall => "jsonrpc_error_on_call",
            Mode::Oversized => "oversized",
            Mode::OversizedSseEvent => "oversized_sse_event",
            Mode::ResetMidBody => "reset_mid_body",
            Mode::OldVersion => "old_version",
            Mode::UnsupportedVersionError => "unsupported_version_error",
            Mode::NoSession => "no_session",
            Mode::Legacy => "legacy",
            Mode::LegacyCrossOrigin => "legacy_cross_origin",
            Mode::LegacyNoEndpoint => "legacy_no_endpoint",
            Mode::LegacySilent => "legacy_silent",
            Mode::AuthOk => "auth_ok",
            Mode::AuthNoChallenge => "auth_no_challenge",
            Mode::AuthBasicChallenge => "auth_basic_challenge",
            Mode::AuthNoMetadata => "auth_no_metadata",
            Mode::AuthWellknownFallback => "auth_wellknown_fallback",
            Mode::AuthResourceMismatch => "auth_resource_mismatch",
            Mode::AuthEmptyServers => "auth_empty_servers",
            Mode::AuthIssuerMismatch => "auth_issuer_mismatch",
            Mode::AuthNoS256 => "auth_no_s256",
            Mode::AuthOidcOnly => "auth_oidc_only",
            Mode::AuthNotProtected => "auth_not_protected",
            Mode::AuthClientCredentials => "auth_client_credentials",
            Mode::Modern => "modern",
            Mode::ModernVersionMismatch => "modern_version_mismatch",
            Mode::ModernRefusesOnce => "modern_refuses_once",
            Mode::ModernRefusesAlways => "modern_refuses_always",
            Mode::Dual => "dual",
            Mode::EchoErrorBody => "echo_error_body",
            Mode::EchoUnauthorized => "echo_unauthorized",
            Mode::EchoRpcError => "echo_rpc_error",
            Mode::EchoToolError => "echo_tool_error",
            Mode::EchoRedirect => "echo_redirect",
            Mode::EchoSessionError => "echo_session_error",
            Mode::EchoToken => "echo_token",
            Mode::ControlChars => "control_chars",
            Mode::ManyNumbers => "many_numbers",
            Mode::ManyTools => "many_tools",
            Mode::HugeCursors => "huge_cursors",
            Mode::PingFlood => "ping_flood",
            Mode::ReadyAfter => "ready_after",
            Mode::Switch => "switch",
            Mode::ToolPastCap => "tool_past_cap",
        }
    }

    /// Every mode, healthy ones first.
    pub fn all() -> &'static [Mode] {
        ALL
    }

    /// A one-line description of what the mode does on the wire.
    pub fn description(self) -> &'static str {
        match self {
            Mode::Json => "healthy; every answer is application/json",
            Mode::Sse => "healthy; each request answered by text/event-stream: a priming event (id, retry, empty data, CRLF) then one `message` event, then the stream closes",
            Mode::Paginated => "healthy; tools/list returns one tool per page with opaque nextCursor strings; advertises resources and prompts, listed one per page",
            Mode::Notifications => "healthy; SSE with a log notification, a keep-alive comment, a server `ping` (waits up to 5 s for the client's answer) and a `sampling/createMessage` request before each response",
            Mode::SessionExpireOnce => "healthy after recovery; the first tools/list of a session answers 404, the re-initialized session works",
            Mode::Hang => "every POST is accepted and never answered (no response headers)",
            Mode::SseSilence => "initialize works; later requests get 200 text/event-stream headers and then nothing",
            Mode::BadGateway => "every POST gets 502 with an nginx HTML page",
            Mode::Html => "every POST gets 200 text/html (a login page)",
            Mode::InvalidJson => "requests get 200 application/json with truncated JSON",
            Mode::WrongId => "the initialize response carries an id different from the request's",
            Mode::Session404 => "initialize issues a session id; every later request with it gets 404",
            Mode::Unauthorized => "every POST gets 401 with WWW-Authenticate: Bearer ... resource_metadata=...",
            Mode::Schemas => "like json, plus tools with an outputSchema (sum: structuredContent matches; sum_text: it does not; remote_schema: a $ref to an http URL) and loose, whose inputSchema is not valid JSON Schema",
            Mode::ToolIsError => "healthy except every tools/call returns isError: true (\"database connection refused\")",
            Mode::JsonrpcErrorOnCall => "healthy except every tools/call returns JSON-RPC error -32603",
            Mode::Oversized => "initialize is answered with a 24 MiB application/json body",
            Mode::OversizedSseEvent => "initialize is answered with an SSE event whose data line is 8 MiB",
            Mode::ResetMidBody => "initialize is answered with Content-Length: 1000, 100 bytes, then the connection is aborted",
            Mode::OldVersion => "initialize answers protocolVersion \"2024-01-01\"",
            Mode::UnsupportedVersionError => "initialize answers JSON-RPC error -32602 \"Unsupported protocol version\" (supported: [\"2099-01-01\"])",
            Mode::NoSession => "healthy and stateless; never issues Mcp-Session-Id, DELETE gets 405",
            Mode::Legacy => "healthy legacy HTTP+SSE (2024-11-05) at /legacy/sse: `endpoint` event with a relative URL, POSTs answered 202, responses on the stream (CRLF), a tools/list_changed notification after initialized and a server ping before each tools/list response",
            Mode::LegacyCrossOrigin => "legacy HTTP+SSE whose `endpoint` event names another origin: http://evil.example/legacy_cross_origin/messages?session_id=...",
            Mode::LegacyNoEndpoint => "legacy HTTP+SSE stream that sends keep-alives and `message` events but never an `endpoint` event",
            Mode::LegacySilent => "legacy HTTP+SSE; POSTs are answered 202 but no response ever arrives on the stream",
            Mode::AuthOk => "protected: without a bearer token 401 + WWW-Authenticate: Bearer resource_metadata=\"…\", scope=\"mcp:read\"; RFC 9728 and RFC 8414 metadata served (issuer http://HOST:PORT/as/auth_ok, S256); any bearer token is accepted",
            Mode::AuthNoChallenge => "protected like auth_ok, but the 401 has no WWW-Authenticate header",
            Mode::AuthBasicChallenge => "protected like auth_ok, but the 401 offers WWW-Authenticate: Basic realm=\"mcp\"",
            Mode::AuthNoMetadata => "401 with WWW-Authenticate: Bearer scope=\"mcp:read\" (no resource_metadata); the well-known metadata URLs answer 404",
            Mode::AuthWellknownFallback => "401 with WWW-Authenticate: Bearer scope=\"mcp:read\" (no resource_metadata); metadata at /.well-known/oauth-protected-resource/auth_wellknown_fallback/mcp",
            Mode::AuthResourceMismatch => "protected like auth_ok, but the protected resource metadata's resource is http://HOST:PORT/elsewhere/mcp",
            Mode::AuthEmptyServers => "protected like auth_ok, but authorization_servers is []",
            Mode::AuthIssuerMismatch => "protected like auth_ok, but the authorization server metadata's issuer is http://HOST:PORT/as/elsewhere",
            Mode::AuthNoS256 => "protected like auth_ok, but code_challenge_methods_supported is [\"plain\"]",
            Mode::AuthOidcOnly => "protected like auth_ok, but the authorization server has only OpenID Connect discovery at /as/auth_oidc_only/.well-known/openid-configuration",
            Mode::AuthNotProtected => "unprotected: an initialize without credentials is answered like json",
            Mode::AuthClientCredentials => "protected like auth_ok, but only the bearer token fixture-access-token is accepted (else 401 error=\"invalid_token\"); POST /as/auth_client_credentials/token grants client_credentials to fixture-client / fixture-secret (client_secret_basic or client_secret_post) or to an ES256 assertion of fixture-client's test key (private_key_jwt)",
            Mode::Modern => "healthy 2026-07-28-only server: POST only (GET/DELETE 405), no sessions; checks the params._meta envelope and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers (400 -32020/-32022); server/discover with ttlMs/cacheScope; initialize and ping 404 -32601; extra tools region_info (x-mcp-header Region) and book (input_required)",
            Mode::ModernVersionMismatch => "handshake-era server that dropped 2026-07-28: server/discover answers 400 -32022 (supported: [\"2025-11-25\"]); initialize and the rest as json",
            Mode::ModernRefusesOnce => "healthy 2026-07-28-only server (as modern) that refuses every other server/discover (the first, third, …) with 400 -32022, supported: [\"2026-07-28\"]",
            Mode::ModernRefusesAlways => "2026-07-28-only server (as modern) that refuses every server/discover with 400 -32022, supported: [\"2026-07-28\"]",
            Mode::Dual => "dual-era server like the Python SDK: a non-handshake MCP-Protocol-Version is served as modern (discover lists only 2026-07-28), everything else as json",
            Mode::EchoErrorBody => "every POST gets 500 text/plain echoing the request headers (name: value lines; not accept, content-type, content-length, host, user-agent, accept-encoding)",
            Mode::EchoUnauthorized => "every POST gets 401 with WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"rejected <Authorization>\" and a text/plain body echoing the request headers",
            Mode::EchoRpcError => "initialize works (session id); every later request gets 200 JSON-RPC error -32603 echoing the request headers in its message and as data.headers",
            Mode::EchoToolError => "like json, but every tools/call returns isError: true with a text echoing the request headers (incl. mcp-session-id)",
            Mode::EchoRedirect => "every POST gets 307 to /echo_redirect/<Authorization, percent-encoded>/mcp?key=<X-Api-Key, percent-encoded>; that target answers 404",
            Mode::EchoSessionError => "initialize issues a session id; every later POST gets 400 text/plain \"unknown session <Mcp-Session-Id>\"",
            Mode::EchoToken => "protected, no token accepted; discoverable client_credentials token endpoint /as/echo_token/token answers 400 invalid_client echoing the Authorization header and the raw form body",
            Mode::ControlChars => "healthy on the wire; serverInfo, a tool's name and description and the add result carry ESC/BEL/C1 CSI/CR LF terminal sequences",
            Mode::ManyNumbers => "initialize result carries \"numbers\": 7,750,001 ones (about 15.5 MB, streamed); otherwise like json",
            Mode::ManyTools => "tools/list returns 200,000 tools in one page (about 10.4 MB, streamed); the last is add, which works",
            Mode::HugeCursors => "tools/list: one tool per page, each page's nextCursor a new 4,000,000-byte string starting with the page number; 100 pages with a cursor, then one without",
            Mode::PingFlood => "initialize works; every later request gets text/event-stream of server ping requests (new id each) without end, never the response",
            Mode::ToolPastCap => "tools/list: 11 pages of 1,000 tools (11,000); the last one is needle, which works when called",
            Mode::ReadyAfter => "healthy after a while; the first 3 POSTs to its path (per server) get 503 text/plain \"not ready\", then like json",
            Mode::Switch => "healthy (like json) or broken (503 \"switched off\") on command: POST /switch/healthy, POST /switch/broken",
        }
    }

    /// Whether a correct probe should report this mode's server as healthy.
    ///
    /// [`Mode::ToolIsError`] and [`Mode::EchoToolError`] count as unhealthy: the server is up
    /// but its tools fail. The hostile but protocol-correct modes ([`Mode::ControlChars`],
    /// [`Mode::ManyNumbers`], [`Mode::ManyTools`], [`Mode::HugeCursors`],
    /// [`Mode::ToolPastCap`]) count as healthy with the default options: a correct probe
    /// survives them (bounded memory, sanitized output) and their `add` tool works.
    pub fn is_healthy(self) -> bool {
        matches!(
            self,
            Mode::Json
                | Mode::Sse
                | Mode::Paginated
                | Mode::Schemas
                | Mode::Notifications
                | Mode::SessionExpireOnce
                | Mode::NoSession
                | Mode::Legacy
                | Mode::Modern
                | Mode::ModernVersionMismatch
                | Mode::ModernRefusesOnce
                | Mode::Dual
                | Mode::AuthNotProtected
                | Mode::ControlChars
                | Mode::ManyNumbers
                | Mode::ManyTools
                | Mode::HugeCursors
                | Mode::ToolPastCap
                | Mode::Switch
        )
    }

    /// Whether the mode is one of the authorization fixtures (`auth_*` and [`Mode::EchoToken`]):
    /// without a bearer token its endpoint answers 401 (except [`Mode::AuthNotProtected`]);
    /// with one (for [`Mode::AuthClientCredentials`], the one it issues; for
    /// [`Mode::EchoToken`], never) it behaves like [`Mode::Json`]. A probe without credentials
    /// reports these servers unhealthy.
    pub fn is_auth(self) -> bool {
        matches!(
            self,
            Mode::AuthOk
                | Mode::AuthNoChallenge
                | Mode::AuthBasicChallenge
                | Mode::AuthNoMetadata
                | Mode::AuthWellknownFallback
                | Mode::AuthResourceMismatch
                | Mode::AuthEmptyServers
                | Mode::AuthIssuerMismatch
                | Mode::AuthNoS256
                | Mode::AuthOidcOnly
                | Mode::AuthNotProtected
                | Mode::AuthClientCredentials
                | Mode::EchoToken
        )
    }

    /// Whether the mode speaks the legacy HTTP+SSE transport (served at `/{mode}/sse`).
    pub fn is_legacy(self) -> bool {
        matches!(
            self,
            Mode::Legacy | Mode::LegacyCrossOrigin | Mode::LegacyNoEndpoint | Mode::LegacySilent
        )
    }

    /// Whether the mode is served by the 2026-07-28 family of endpoints (`modern.rs`), which
    /// answers `server/discover` itself and hands the rest to the handshake-era endpoint.
    pub(crate) fn is_modern(self) -> bool {
        matches!(
            self,
            Mode::Modern
                | Mode::ModernVersionMismatch
                | Mode::ModernRefusesOnce
                | Mode::ModernRefusesAlways
                | Mode::Dual
        )
    }

    /// Whether the mode hands out `Mcp-Session-Id` and enforces it (in the handshake era).
    pub(crate) fn has_sessions(self) -> bool {
        !matches!(self, Mode::NoSession) && !self.is_modern_only()
    }

    /// Whether the mode speaks only 2026-07-28 (every request takes the modern path).
    pub(crate) fn is_modern_only(self) -> bool {
        matches!(
            self,
            Mode::Modern | Mode::ModernRefusesOnce | Mode::ModernRefusesAlways
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.iter()
            .copied()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMode(s.to_owned()))
    }
}

/// The error of parsing a [`Mode`] from a name that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fixture mode {:?}", self.0)
    }
}

impl std::error::Error for UnknownMode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &mode in Mode::all() {
            assert!(seen.insert(mode.as_str()), "duplicate {mode}");
            assert_eq!(mode.as_str().parse::<Mode>(), Ok(mode));
        }
        assert_eq!(seen.len(), 58);
        assert!("nope".parse::<Mode>().is_err());
    }
}
