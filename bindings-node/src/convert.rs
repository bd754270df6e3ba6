//! Conversions between JavaScript values and the engine's types: the options and scenario
//! documents a caller passes in, and the [`Report`] mirror handed back.
//!
//! The report mirror has exactly the JSON shape of `mcp_probe_core::Report` (what the CLI prints
//! with `--format json`): the same camelCase keys, the same strings for every enum, and the
//! fields the engine leaves out of its JSON when empty are absent (`undefined`) here too.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use mcp_probe_core as engine;
use mcp_probe_core::{CommandSpec, ErrorKind, Scenario};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use serde_json::{Map, Number, Value};

use crate::errors::CallError;

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// A local MCP server to start and probe over stdio, like `mcp-probe check --stdio -- COMMAND`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct StdioCommand {
    /// The program: a path, or a name looked up in `PATH`.
    pub command: String,
    /// Its arguments.
    pub args: Option<Vec<String>>,
    /// Variables added to (or replacing in) the inherited environment. Values never appear in
    /// failures or reports.
    pub env: Option<HashMap<String, String>>,
    /// The working directory (default: the current one).
    pub cwd: Option<String>,
}

/// Options of `check(target, options)`: the same knobs as the flags of `mcp-probe check`.
#[napi(object, object_to_js = false, object_from_js = false)]
#[derive(Default)]
pub struct CheckOptions<'a> {
    /// Call this tool after listing tools (it must be listed).
    pub tool: Option<String>,
    /// Arguments for `tool`, a JSON object (default `{}`).
    #[napi(ts_type = "Record<string, unknown>")]
    pub arguments: Option<Value>,
    /// The tool's text result (text items joined by a newline) must equal this.
    pub expect_text: Option<String>,
    /// The tool's text result must contain this.
    pub expect_contains: Option<String>,
    /// Accept a tool result with `isError: true`.
    pub allow_tool_error: Option<bool>,
    /// Extra headers for every request. Values are never printed or put in a report.
    pub headers: Option<HashMap<String, String>>,
    /// Send `Authorization: Bearer <token>` with the token read from this environment variable.
    pub bearer_env: Option<String>,
    /// Send `Authorization: Bearer <token>` with the token read from this file.
    pub bearer_file: Option<String>,
    /// Limit for the whole probe, clean-up included, in milliseconds (default 10 000).
    pub timeout_ms: Option<f64>,
    /// Limit for establishing a connection, in milliseconds (default 5 000).
    pub connect_timeout_ms: Option<f64>,
    /// Limit for each request, in milliseconds (default: the whole `timeoutMs`).
    pub request_timeout_ms: Option<f64>,
    /// Transport: `auto` (Streamable HTTP, falling back to legacy HTTP+SSE when `initialize` is
    /// refused; stdio for a command), `streamable-http`, `sse` (legacy 2024-11-05; the URL is the
    /// event stream) or `stdio`.
    #[napi(ts_type = "TransportChoice")]
    pub transport: Option<String>,
    /// Protocol era: `auto` (try 2026-07-28 `server/discover`, fall back to `initialize`; the
    /// default), `modern` or `handshake`.
    #[napi(ts_type = "ProtocolChoice")]
    pub protocol: Option<String>,
    /// Ask for this protocol version and accept only it (default: ask for the newest, accept any
    /// this probe speaks).
    pub protocol_version: Option<String>,
    /// Largest response body or SSE stream accepted, in bytes (default 16 MiB).
    pub max_body_bytes: Option<f64>,
    /// Largest single SSE event accepted, in bytes (default 16 MiB).
    pub max_sse_event_bytes: Option<f64>,
    /// Check the server's authorization set-up without credentials: the 401 challenge,
    /// protected-resource and authorization-server metadata, PKCE S256. Without credentials
    /// (`bearerEnv`, `bearerFile`, `oauthClientId`, an `Authorization` header) and without
    /// `tool`, only this check runs.
    pub check_auth: Option<bool>,
    /// OAuth client credentials: get an access token as this client and send it as a bearer
    /// token. The secret comes from `oauthClientSecretEnv` or `oauthClientSecretFile`; cannot
    /// be combined with `bearerEnv`, `bearerFile` or an `Authorization` header. The report's
    /// `auth` says how the token was had; a token endpoint that refuses is an `auth_token`
    /// failure.
    pub oauth_client_id: Option<String>,
    /// The OAuth client secret, read from this environment variable (needs `oauthClientId`).
    pub oauth_client_secret_env: Option<String>,
    /// The OAuth client secret, read from this file; surrounding whitespace is trimmed (needs
    /// `oauthClientId`).
    pub oauth_client_secret_file: Option<String>,
    /// How the client authenticates to the token endpoint: `basic` (`client_secret_basic`,
    /// the default) or `post` (`client_secret_post`). Needs `oauthClientId`.
    #[napi(ts_type = "OAuthMethod")]
    pub oauth_method: Option<String>,
    /// The scope to ask the token endpoint for (needs `oauthClientId`).
    pub oauth_scope: Option<String>,
    /// The token endpoint (needs `oauthClientId`; default: discovered from the server's 401
    /// challenge, its protected resource metadata and its authorization server's metadata).
    pub oauth_token_url: Option<String>,
    /// Trust the CA certificates in this PEM file, besides the system's and Mozilla's roots.
    /// An unreadable or invalid file rejects with `code: 'setup'`.
    pub ca_cert: Option<String>,
    /// Client certificate (PEM, with intermediates) for mutual TLS; needs `clientKey`.
    pub client_cert: Option<String>,
    /// Private key (PEM) of `clientCert`; needs `clientCert`.
    pub client_key: Option<String>,
    /// Accept any TLS certificate. The certificate is still reported in `tls`, and every
    /// report carries the warning `insecure_tls`.
    pub insecure: Option<bool>,
    /// Warn (`cert_expiring`) when the TLS certificate expires in fewer than this many days
    /// (default 14; 0: never).
    pub cert_warn_days: Option<f64>,
    /// Fail (`cert_expiring`, family `tls`) when the TLS certificate expires in fewer than
    /// this many days.
    pub cert_fail_days: Option<f64>,
    /// Redirects to follow: `none` (the default: a redirect fails with its location) or
    /// `same-origin` (307/308 within the same scheme, host and port, at most 5; credentials
    /// never go to another origin).
    #[napi(ts_type = "FollowRedirects")]
    pub follow_redirects: Option<String>,
    /// Cancels the probe: the promise rejects with an `AbortError` (`code: 'aborted'`) and the
    /// probe's connections are closed.
    #[napi(ts_type = "AbortSignal")]
    pub signal: Option<Object<'a>>,
}

/// Options of `checkScenario(scenario, options)`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ScenarioOptions<'a> {
    /// Probe this URL instead of the document's `target.url` (its headers and credentials are
    /// kept), like `mcp-probe check URL --scenario FILE`.
    pub url: Option<String>,
    /// Cancels the probe: the promise rejects with an `AbortError` (`code: 'aborted'`) and the
    /// probe's connections are closed.
    #[napi(ts_type = "AbortSignal")]
    pub signal: Option<Object<'a>>,
}

/// The keys `CheckOptions` accepts; anything else is a caller's typo.
const CHECK_OPTION_KEYS: &[&str] = &[
    "tool",
    "arguments",
    "expectText",
    "expectContains",
    "allowToolError",
    "headers",
    "bearerEnv",
    "bearerFile",
    "timeoutMs",
    "connectTimeoutMs",
    "requestTimeoutMs",
    "transport",
    "protocol",
    "protocolVersion",
    "maxBodyBytes",
    "maxSseEventBytes",
    "checkAuth",
    "oauthClientId",
    "oauthClientSecretEnv",
    "oauthClientSecretFile",
    "oauthMethod",
    "oauthScope",
    "oauthTokenUrl",
    "caCert",
    "clientCert",
    "clientKey",
    "insecure",
    "certWarnDays",
    "certFailDays",
    "followRedirects",
    "signal",
];

/// The keys `StdioCommand` accepts.
const STDIO_COMMAND_KEYS: &[&str] = &["command", "args", "env", "cwd"];

/// The keys `ScenarioOptions` accepts.
const SCENARIO_OPTION_KEYS: &[&str] = &["url", "signal"];

/// A probe ready to start: the scenario and the caller's abort signal, if any.
pub(crate) struct Call<'env> {
    pub(crate) scenario: Scenario,
    pub(crate) signal: Option<Object<'env>>,
}

/// Where `check` probes: a URL, or a command to start.
pub(crate) enum Target {
    /// A Streamable HTTP (or legacy SSE) endpoint.
    Url(String),
    /// A local server over stdio.
    Command(CommandSpec),
}

/// Builds the scenario `check(target, options)` describes, with the same builder calls the CLI
/// makes for the same flags.
pub(crate) fn check_call<'env>(
    env: &Env,
    target: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<Call<'env>, CallError> {
    let target = match target.get_type() {
        Ok(ValueType::String) => Target::Url(string(target).map_err(|_| {
            CallError::invalid(ErrorKind::InvalidUrl, "`url` must be a UTF-8 string")
        })?),
        Ok(ValueType::Object) if !is_array(target) => {
            let object = options_object(Some(target), "command", STDIO_COMMAND_KEYS)?
                .ok_or_else(not_a_target)?;
            Target::Command(read_stdio_command(&object)?)
        }
        _ => return Err(not_a_target()),
    };
    let options = match options_object(options, "options", CHECK_OPTION_KEYS)? {
        Some(object) => read_check_options(env, &object)?,
        None => CheckOptions::default(),
    };
    let signal = options.signal;
    let scenario = check_scenario(target, options)?;
    Ok(Call { scenario, signal })
}

fn not_a_target() -> CallError {
    CallError::invalid(
        ErrorKind::InvalidUrl,
        "the target must be a URL such as \"https://mcp.example.com/mcp\" or a command \
         such as { command: 'python', args: ['server.py'] }",
    )
}

/// Reads a `StdioCommand` object into the engine's command.
fn read_stdio_command(object: &Object<'_>) -> Result<CommandSpec, CallError> {
    let command = StdioCommand {
        command: field(object, "command", "a string")?.unwrap_or_default(),
        args: field(object, "args", "an array of strings")?,
        env: field(object, "env", "an object of strings")?,
        cwd: field(object, "cwd", "a string")?,
    };
    if command.command.trim().is_empty() {
        return Err(invalid_option(
            "`command` needs the server's program, e.g. { command: 'python', args: ['server.py'] }",
        ));
    }
    let mut spec = CommandSpec::new(command.command, command.args.unwrap_or_default());
    if let Some(vars) = command.env {
        if vars.keys().any(|name| name.is_empty()) {
            return Err(invalid_option("`env` has an empty variable name"));
        }
        spec.env = vars.into_iter().collect::<BTreeMap<_, _>>();
    }
    spec.cwd = command.cwd.map(PathBuf::from);
    Ok(spec)
}

/// Builds the scenario `checkScenario(scenario, options)` describes: a document (object) or the
/// path of a YAML or JSON file.
pub(crate) fn scenario_call<'env>(
    env: &Env,
    scenario: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<Call<'env>, CallError> {
    let options = options_object(options, "options", SCENARIO_OPTION_KEYS)?;
    let url = match &options {
        Some(object) => field::<String>(object, "url", "a string")?,
        None => None,
    };
    let signal = match &options {
        Some(object) => signal(object)?,
        None => None,
    };
    let not_a_scenario = || {
        CallError::invalid(
            ErrorKind::InvalidScenario,
            "`scenario` must be a scenario document (an object) or the path of a YAML or JSON file",
        )
    };
    let mut parsed = match scenario.get_type().map_err(|_| not_a_scenario())? {
        ValueType::String => {
            let path = string(scenario).map_err(|_| not_a_scenario())?;
            Scenario::from_path(path).map_err(CallError::Engine)?
        }
        ValueType::Object if !is_array(scenario) => {
            let document = env.from_js_value::<Value, _>(scenario).map_err(|e| {
                CallError::invalid(
                    ErrorKind::InvalidScenario,
                    format!("scenario: {}", e.reason),
                )
            })?;
            Scenario::from_value(document).map_err(CallError::Engine)?
        }
        _ => return Err(not_a_scenario()),
    };
    if let Some(url) = url {
        parsed = parsed.url(url);
    }
    Ok(Call {
        scenario: parsed,
        signal,
    })
}

/// Reads every field of a `CheckOptions` object, naming the field that has the wrong type.
fn read_check_options<'env>(
    env: &Env,
    object: &Object<'env>,
) -> Result<CheckOptions<'env>, CallError> {
    let arguments = match field::<Unknown>(object, "arguments", "an object")? {
        None => None,
        Some(value) => {
            if value.get_type().ok() != Some(ValueType::Object) || is_array(value) {
                return Err(invalid_option(
                    "`arguments` must be an object, e.g. { a: 2 }",
                ));
            }
            let value = env.from_js_value::<Value, _>(value).map_err(|e| {
                invalid_option(format!("`arguments` cannot be sent as JSON: {}", e.reason))
            })?;
            Some(value)
        }
    };
    Ok(CheckOptions {
        tool: field(object, "tool", "a string")?,
        arguments,
        expect_text: field(object, "expectText", "a string")?,
        expect_contains: field(object, "expectContains", "a string")?,
        allow_tool_error: field(object, "allowToolError", "a boolean")?,
        headers: field(object, "headers", "an object of strings")?,
        bearer_env: field(object, "bearerEnv", "a string")?,
        bearer_file: field(object, "bearerFile", "a string")?,
        timeout_ms: field(object, "timeoutMs", "a number")?,
        connect_timeout_ms: field(object, "connectTimeoutMs", "a number")?,
        request_timeout_ms: field(object, "requestTimeoutMs", "a number")?,
        transport: field(
            object,
            "transport",
            "'auto', 'streamable-http', 'sse' or 'stdio'",
        )?,
        protocol: field(object, "protocol", "'auto', 'modern' or 'handshake'")?,
        protocol_version: field(object, "protocolVersion", "a string")?,
        max_body_bytes: field(object, "maxBodyBytes", "a number")?,
        max_sse_event_bytes: field(object, "maxSseEventBytes", "a number")?,
        check_auth: field(object, "checkAuth", "a boolean")?,
        oauth_client_id: field(object, "oauthClientId", "a string")?,
        oauth_client_secret_env: field(object, "oauthClientSecretEnv", "a string")?,
        oauth_client_secret_file: field(object, "oauthClientSecretFile", "a string")?,
        oauth_method: field(object, "oauthMethod", "'basic' or 'post'")?,
        oauth_scope: field(object, "oauthScope", "a string")?,
        oauth_token_url: field(object, "oauthTokenUrl", "a string")?,
        ca_cert: field(object, "caCert", "a string")?,
        client_cert: field(object, "clientCert", "a string")?,
        client_key: field(object, "clientKey", "a string")?,
        insecure: field(object, "insecure", "a boolean")?,
        cert_warn_days: field(object, "certWarnDays", "a number")?,
        cert_fail_days: field(object, "certFailDays", "a number")?,
        follow_redirects: field(object, "followRedirects", "'none' or 'same-origin'")?,
        signal: signal(object)?,
    })
}

/// The scenario for `check(url, options)`, mirroring `mcp-probe check`'s flag handling
/// (including which flags need `--tool` and which exclude each other).
fn check_scenario(target: Target, o: CheckOptions<'_>) -> Result<Scenario, CallError> {
    check_option_conflicts(&o)?;

    // As `mcp-probe check --check-auth` decides whether the check runs alone.
    let has_credentials = o.bearer_env.is_some()
        || o.bearer_file.is_some()
        || o.oauth_client_id.is_some()
        || has_authorization_header(&o);
    let calls_tool = o.tool.is_some();
    let mut s = match target {
        Target::Url(url) => Scenario::for_url(url),
        Target::Command(command) => {
            if o.headers.is_some()
                || o.bearer_env.is_some()
                || o.bearer_file.is_some()
                || o.oauth_client_id.is_some()
            {
                return Err(invalid_option(
                    "`headers`, `bearerEnv`, `bearerFile` and `oauth*` apply to HTTP targets, \
                     not to a command",
                ));
            }
            let http_only = o.ca_cert.is_some()
                || o.client_cert.is_some()
                || o.client_key.is_some()
                || o.insecure == Some(true)
                || o.cert_warn_days.is_some()
                || o.cert_fail_days.is_some()
                || o.follow_redirects.is_some();
            if http_only {
                return Err(invalid_option(
                    "`caCert`, `clientCert`, `clientKey`, `insecure`, `certWarnDays`, \
                     `certFailDays` and `followRedirects` apply to HTTP targets, not to a command",
                ));
            }
            Scenario::new().stdio_command(command)
        }
    };
    if let Some(choice) = &o.transport {
        s = s.transport(transport_choice(choice)?);
    }
    if let Some(choice) = &o.protocol {
        s = s.protocol(protocol_choice(choice)?);
    }
    if let Some(headers) = o.headers {
        // Sorted, so that a problem with several headers is always reported for the same one.
        let mut headers: Vec<(String, String)> = headers.into_iter().collect();
        headers.sort();
        for (name, value) in headers {
            s = s.header(name, value);
        }
    }
    if let Some(var) = o.bearer_env {
        s = s.bearer_env(var);
    }
    if let Some(path) = o.bearer_file {
        s = s.bearer_file(path);
    }
    if let Some(id) = o.oauth_client_id {
        let mut oauth = match (o.oauth_client_secret_env, o.oauth_client_secret_file) {
            (Some(var), _) => engine::OAuthSpec::secret_from_env(id, var),
            (None, Some(path)) => engine::OAuthSpec::secret_from_file(id, path),
            (None, None) => {
                return Err(invalid_option(
                    "`oauthClientId` needs `oauthClientSecretEnv` or `oauthClientSecretFile` \
                     (the secret itself is never passed as an option)",
                ))
            }
        };
        if let Some(method) = &o.oauth_method {
            oauth = oauth.method(oauth_method(method)?);
        }
        if let Some(scope) = o.oauth_scope {
            oauth = oauth.scope(scope);
        }
        if let Some(url) = o.oauth_token_url {
            oauth = oauth.token_url(url);
        }
        s = s.oauth(oauth);
    }
    if let Some(path) = o.ca_cert {
        s = s.ca_cert(path);
    }
    if let (Some(cert), Some(key)) = (o.client_cert, o.client_key) {
        s = s.client_cert(cert, key);
    }
    if o.insecure == Some(true) {
        s = s.insecure(true);
    }
    if let Some(days) = o.cert_warn_days {
        s = s.cert_warn_days(day_count("certWarnDays", days)?);
    }
    if let Some(days) = o.cert_fail_days {
        s = s.cert_fail_days(day_count("certFailDays", days)?);
    }
    if let Some(mode) = &o.follow_redirects {
        s = s.follow_redirects(follow_redirects(mode)?);
    }
    if let Some(ms) = o.timeout_ms {
        s = s.timeout(duration("timeoutMs", ms)?);
    }
    if let Some(ms) = o.connect_timeout_ms {
        s = s.connect_timeout(duration("connectTimeoutMs", ms)?);
    }
    if let Some(ms) = o.request_timeout_ms {
        s = s.request_timeout(duration("requestTimeoutMs", ms)?);
    }
    if let Some(n) = o.max_body_bytes {
        s = s.max_body_bytes(byte_count("maxBodyBytes", n)?);
    }
    if let Some(n) = o.max_sse_event_bytes {
        s = s.max_sse_event_bytes(byte_count("maxSseEventBytes", n)?);
    }
    if let Some(version) = o.protocol_version {
        s = s.protocol_version(version);
    }
    if let Some(tool) = o.tool {
        s = s.call_tool(
            tool,
            o.arguments.unwrap_or_else(|| Value::Object(Map::new())),
        );
        if let Some(text) = o.expect_text {
            s = s.expect_text(text);
        }
        if let Some(text) = o.expect_contains {
            s = s.expect_contains(text);
        }
        if o.allow_tool_error == Some(true) {
            s = s.allow_tool_error();
        }
    }
    if o.check_auth == Some(true) {
        if has_credentials || calls_tool {
            s = s.check_auth();
        } else {
            s.steps = vec![engine::Step::CheckAuth(engine::CheckAuthStep::default())];
        }
    }
    Ok(s)
}

/// The options that need another one, and those that exclude each other, as `mcp-probe check`
/// has them.
fn check_option_conflicts(o: &CheckOptions<'_>) -> Result<(), CallError> {
    let needs = |given: bool, name: &str, needed: &str| {
        if given {
            Err(invalid_option(format!("`{name}` needs `{needed}`")))
        } else {
            Ok(())
        }
    };
    let excludes = |both: bool, a: &str, b: &str| {
        if both {
            Err(invalid_option(format!(
                "`{a}` and `{b}` cannot be used together"
            )))
        } else {
            Ok(())
        }
    };
    if o.tool.is_none() {
        needs(o.arguments.is_some(), "arguments", "tool")?;
        needs(o.expect_text.is_some(), "expectText", "tool")?;
        needs(o.expect_contains.is_some(), "expectContains", "tool")?;
        needs(o.allow_tool_error.is_some(), "allowToolError", "tool")?;
    }
    excludes(
        o.expect_text.is_some() && o.expect_contains.is_some(),
        "expectText",
        "expectContains",
    )?;
    excludes(
        o.bearer_env.is_some() && o.bearer_file.is_some(),
        "bearerEnv",
        "bearerFile",
    )?;
    if o.oauth_client_id.is_none() {
        needs(
            o.oauth_client_secret_env.is_some(),
            "oauthClientSecretEnv",
            "oauthClientId",
        )?;
        needs(
            o.oauth_client_secret_file.is_some(),
            "oauthClientSecretFile",
            "oauthClientId",
        )?;
        needs(o.oauth_method.is_some(), "oauthMethod", "oauthClientId")?;
        needs(o.oauth_scope.is_some(), "oauthScope", "oauthClientId")?;
        needs(
            o.oauth_token_url.is_some(),
            "oauthTokenUrl",
            "oauthClientId",
        )?;
    } else {
        excludes(o.bearer_env.is_some(), "oauthClientId", "bearerEnv")?;
        excludes(o.bearer_file.is_some(), "oauthClientId", "bearerFile")?;
        excludes(
            has_authorization_header(o),
            "oauthClientId",
            "an `Authorization` header",
        )?;
        excludes(
            o.oauth_client_secret_env.is_some() && o.oauth_client_secret_file.is_some(),
            "oauthClientSecretEnv",
            "oauthClientSecretFile",
        )?;
    }
    needs(
        o.client_cert.is_some() && o.client_key.is_none(),
        "clientCert",
        "clientKey",
    )?;
    needs(
        o.client_key.is_some() && o.client_cert.is_none(),
        "clientKey",
        "clientCert",
    )?;
    Ok(())
}

/// Whether `headers` has an `Authorization` header (a credential).
fn has_authorization_header(o: &CheckOptions<'_>) -> bool {
    o.headers.as_ref().is_some_and(|headers| {
        headers
            .keys()
            .any(|name| name.trim().eq_ignore_ascii_case("authorization"))
    })
}

/// The engine's transport choice for the `transport` option.
fn transport_choice(name: &str) -> Result<engine::TransportChoice, CallError> {
    match name {
        "auto" => Ok(engine::TransportChoice::Auto),
        "streamable-http" => Ok(engine::TransportChoice::StreamableHttp),
        "sse" => Ok(engine::TransportChoice::Sse),
        "stdio" => Ok(engine::TransportChoice::Stdio),
        other => Err(invalid_option(format!(
            "`transport` must be 'auto', 'streamable-http', 'sse' or 'stdio', got {other:?}"
        ))),
    }
}

/// The engine's era choice for the `protocol` option.
fn protocol_choice(name: &str) -> Result<engine::ProtocolChoice, CallError> {
    match name {
        "auto" => Ok(engine::ProtocolChoice::Auto),
        "modern" => Ok(engine::ProtocolChoice::Modern),
        "handshake" => Ok(engine::ProtocolChoice::Handshake),
        other => Err(invalid_option(format!(
            "`protocol` must be 'auto', 'modern' or 'handshake', got {other:?}"
        ))),
    }
}

/// The engine's redirect policy for the `followRedirects` option.
fn follow_redirects(name: &str) -> Result<engine::FollowRedirects, CallError> {
    match name {
        "none" => Ok(engine::FollowRedirects::None),
        "same-origin" => Ok(engine::FollowRedirects::SameOrigin),
        other => Err(invalid_option(format!(
            "`followRedirects` must be 'none' or 'same-origin', got {other:?}"
        ))),
    }
}

/// The engine's token endpoint authentication for the `oauthMethod` option.
fn oauth_method(name: &str) -> Result<engine::OAuthMethod, CallError> {
    match name {
        "basic" => Ok(engine::OAuthMethod::Basic),
        "post" => Ok(engine::OAuthMethod::Post),
        other => Err(invalid_option(format!(
            "`oauthMethod` must be 'basic' or 'post', got {other:?}"
        ))),
    }
}

/// A whole number of days, zero included.
fn day_count(name: &str, n: f64) -> Result<u32, CallError> {
    if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) {
        Ok(n as u32)
    } else {
        Err(invalid_option(format!(
            "`{name}` must be a whole number of days (0 or more), got {n}"
        )))
    }
}

/// A positive number of milliseconds as a duration.
fn duration(name: &str, ms: f64) -> Result<Duration, CallError> {
    let bad = || {
        invalid_option(format!(
            "`{name}` must be a number of milliseconds greater than zero, got {ms}"
        ))
    };
    if ms.is_nan() || ms <= 0.0 {
        return Err(bad());
    }
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| bad())
}

/// A positive whole number of bytes.
fn byte_count(name: &str, n: f64) -> Result<u64, CallError> {
    // 2^53: the largest range in which every whole JavaScript number is exact.
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
    if n >= 1.0 && n.fract() == 0.0 && n <= MAX_EXACT {
        Ok(n as u64)
    } else {
        Err(invalid_option(format!(
            "`{name}` must be a whole number of bytes greater than zero, got {n}"
        )))
    }
}

/// `options` as an object, after checking that it only has known keys. `undefined` and `null`
/// mean "no options".
fn options_object<'env>(
    options: Option<Unknown<'env>>,
    name: &str,
    known: &[&str],
) -> Result<Option<Object<'env>>, CallError> {
    let Some(options) = options else {
        return Ok(None);
    };
    match options.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => return Ok(None),
        Ok(ValueType::Object) if !is_array(options) => {}
        _ => return Err(invalid_option(format!("`{name}` must be an object"))),
    }
    let object = options
        .coerce_to_object()
        .map_err(|_| invalid_option(format!("`{name}` must be an object")))?;
    let keys = Object::keys(&object)
        .map_err(|_| invalid_option(format!("cannot read the keys of `{name}`")))?;
    if let Some(unknown) = keys.iter().find(|k| !known.contains(&k.as_str())) {
        return Err(invalid_option(format!(
            "unknown option `{unknown}` (known: {})",
            known.join(", ")
        )));
    }
    Ok(Some(object))
}

/// One optional field of an options object: `undefined` and `null` are "not given", a value of
/// the wrong type is the caller's mistake.
fn field<T: FromNapiValue>(
    object: &Object<'_>,
    name: &str,
    what: &str,
) -> Result<Option<T>, CallError> {
    object
        .get::<Option<T>>(name)
        .map(Option::flatten)
        .map_err(|_| invalid_option(format!("`{name}` must be {what}")))
}

/// The `signal` field: an `AbortSignal` (anything with `aborted` and `addEventListener`).
fn signal<'env>(object: &Object<'env>) -> Result<Option<Object<'env>>, CallError> {
    let not_a_signal = || invalid_option("`signal` must be an AbortSignal");
    let Some(value) = field::<Unknown>(object, "signal", "an AbortSignal")? else {
        return Ok(None);
    };
    if value.get_type().ok() != Some(ValueType::Object) {
        return Err(not_a_signal());
    }
    let signal = value.coerce_to_object().map_err(|_| not_a_signal())?;
    let listens = signal
        .get_named_property::<Unknown>("addEventListener")
        .ok()
        .and_then(|f| f.get_type().ok());
    if listens != Some(ValueType::Function) {
        return Err(not_a_signal());
    }
    Ok(Some(signal))
}

fn is_array(value: Unknown<'_>) -> bool {
    value.is_array().unwrap_or(false)
}

/// A JavaScript string (checked by the caller) as a Rust string.
fn string(value: Unknown<'_>) -> napi::Result<String> {
    value.coerce_to_string()?.into_utf8()?.into_owned()
}

fn invalid_option(message: impl Into<String>) -> CallError {
    CallError::invalid(ErrorKind::InvalidOption, message)
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/// The transport a probe spoke.
#[napi(string_enum = "kebab-case")]
pub enum TransportKind {
    /// Streamable HTTP (one endpoint, POST, JSON or SSE answers).
    StreamableHttp,
    /// Legacy HTTP+SSE (2024-11-05): a GET event stream plus a POST endpoint.
    Sse,
    /// A child process speaking newline-delimited JSON-RPC on stdin/stdout.
    Stdio,
}

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
#[napi(string_enum = "lowercase")]
pub enum OAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret (the default).
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

/// How a probe chose its protocol era.
#[napi(string_enum = "lowercase")]
pub enum NegotiationMode {
    /// Detected now.
    Auto,
    /// Detected by an earlier probe of the same URL in this process.
    Cached,
    /// The scenario fixed the era or version.
    Pinned,
}

/// A protocol era: how a client starts talking to a server.
#[napi(string_enum = "lowercase")]
pub enum Era {
    /// `initialize` + `notifications/initialized`, optional sessions (2024-11-05 … 2025-11-25).
    Handshake,
    /// `server/discover`, a `_meta` envelope on every request, no sessions (2026-07-28).
    Modern,
}

/// Outcome of one step.
#[napi(string_enum = "lowercase")]
pub enum StepStatus {
    /// The step did what it should.
    Pass,
    /// The step passed with warnings.
    Warn,
    /// The step failed; its `failure` says why.
    Fail,
    /// The step did not run because an earlier one failed.
    Skip,
}

/// Whether a server message expected an answer.
#[napi(string_enum = "lowercase")]
pub enum ServerMessageKind {
    /// No answer expected.
    Notification,
    /// The server expected an answer.
    Request,
}

/// Stable failure codes; never renamed.
#[napi(string_enum = "snake_case")]
pub enum FailureCode {
    /// The host name did not resolve.
    Dns,
    /// The TCP connection was refused.
    ConnectRefused,
    /// The network or host is unreachable (no route).
    ConnectUnreachable,
    /// Another connection failure.
    Connect,
    /// The connection broke in the middle of an exchange.
    ConnectionReset,
    /// The TLS handshake failed for another reason than the certificate's validity.
    TlsHandshake,
    /// The server's certificate has expired.
    TlsExpired,
    /// The server's certificate is not valid yet.
    TlsNotYetValid,
    /// The server's certificate is not valid for the host name probed.
    TlsHostnameMismatch,
    /// The server's certificate is not issued by a trusted authority (trust a private CA with
    /// `caCert`).
    TlsUntrusted,
    /// The server's certificate expires sooner than `certFailDays` allows.
    CertExpiring,
    /// A phase took longer than allowed (`details.phase`).
    Timeout,
    /// An HTTP status the protocol does not allow here (`details.httpStatus`).
    HttpStatus,
    /// The server redirected (`details.location`) and the redirect was not followed.
    Redirect,
    /// The server wants credentials (401/403, with the parsed challenge).
    AuthRequired,
    /// The answer is not MCP at all (HTML page, wrong content type, not JSON-RPC).
    NotMcp,
    /// The answer is MCP-shaped but broken (invalid JSON or SSE, id mismatch, missing fields).
    Malformed,
    /// A body or SSE event exceeded the configured size limit.
    ResponseTooLarge,
    /// The server kept forgetting the session (404 again after re-initializing).
    SessionExpired,
    /// No protocol version both sides accept.
    ProtocolVersion,
    /// The server answered a request with a JSON-RPC error.
    JsonrpcError,
    /// The tool ran and reported failure (`isError: true`).
    ToolError,
    /// An expectation of the scenario did not hold.
    ExpectationFailed,
    /// The server needs input (2026-07-28 `input_required`) the scenario did not give.
    InputRequired,
    /// The authorization check found a problem (`details.check` names which).
    AuthCheck,
    /// No OAuth access token could be had: the token endpoint refused the client credentials
    /// or answered wrongly, or it could not be discovered (`details.oauthError`,
    /// `details.httpStatus`, `details.tokenEndpoint`, `details.stage`).
    AuthToken,
}

/// Families of failure codes; the CLI maps each to one exit code.
#[napi(string_enum = "snake_case")]
pub enum FailureFamily {
    /// DNS, connection refused / unreachable / reset.
    Unreachable,
    /// A phase timed out.
    Timeout,
    /// TLS could not be established or the certificate is not acceptable.
    Tls,
    /// An unexpected HTTP status or a redirect.
    Http,
    /// Credentials are required or were refused.
    Auth,
    /// The server does not speak MCP correctly.
    Protocol,
    /// A tool failed or an expectation did not hold.
    Tool,
}

/// What a probe found: never an error for a failing server, always a report.
///
/// A plain object with exactly the JSON shape `mcp-probe check --format json` prints.
#[napi(object, object_from_js = false)]
pub struct Report {
    /// Version of this JSON shape.
    pub schema_version: u32,
    /// `true` when every step passed (warnings allowed).
    pub ok: bool,
    /// The probed URL with credentials and query values redacted.
    pub target: String,
    /// The transport that was spoken.
    #[napi(ts_type = "TransportKind")]
    pub transport: String,
    /// The protocol era that was spoken, once known.
    #[napi(ts_type = "Era")]
    pub era: Option<String>,
    /// The negotiated protocol version, once known.
    pub protocol_version: Option<String>,
    /// How the era was chosen, and the evidence (`server/discover → …; initialize → 200`).
    pub negotiation: Option<Negotiation>,
    /// What the server says it is, once known.
    pub server: Option<ServerInfo>,
    /// When the probe started (RFC 3339, UTC).
    pub started_at: String,
    /// Wall-clock duration of the whole probe in milliseconds.
    pub duration_ms: f64,
    /// One entry per scenario step, in order; steps after a failure are `skip`.
    pub steps: Vec<StepReport>,
    /// The first failure, if any (the same object as in its step).
    pub failure: Option<Failure>,
    /// Things worth knowing that did not fail the probe.
    pub warnings: Vec<Warning>,
    /// What happened to the MCP session (handshake era), the stream or the child process.
    pub session: SessionFacts,
    /// stdio only: the end of what the server wrote to stderr (at most 8 KiB).
    pub stderr: Option<String>,
    /// `https` only: the certificate the server presented on the probe's first connection
    /// (also when verification failed or was switched off).
    pub tls: Option<TlsFacts>,
    /// OAuth client credentials only: how the access token was had.
    pub auth: Option<AuthFacts>,
}

/// Facts of the certificate a server presented (the end-entity certificate of its chain).
#[napi(object, object_from_js = false)]
pub struct TlsFacts {
    /// The host name (or IP address) the certificate was checked against.
    pub host: String,
    /// The subject's distinguished name, e.g. `CN=mcp.example.com`.
    pub subject: String,
    /// The DNS names and IP addresses of the subject alternative names.
    pub sans: Vec<String>,
    /// The issuer's distinguished name.
    pub issuer: String,
    /// The serial number in hex, bytes separated by colons.
    pub serial: String,
    /// Start of validity (RFC 3339, UTC).
    pub not_before: String,
    /// End of validity (RFC 3339, UTC).
    pub not_after: String,
    /// Whole days from the probe until `notAfter`, rounded down; negative once expired.
    pub days_left: i64,
    /// Certificates the server presented (end entity plus intermediates).
    pub chain_length: u32,
    /// Whether the chain was verified and found valid for the host.
    pub verified: bool,
    /// Whether verification was switched off (`insecure`: the certificate was accepted
    /// whatever it is).
    pub insecure: bool,
    /// What verification found wrong (a failure code such as `tls_expired`), also when
    /// `insecure` let the connection go ahead.
    pub problem: Option<String>,
}

/// How the probe got its OAuth access token (client credentials).
#[napi(object, object_from_js = false)]
pub struct AuthFacts {
    /// The grant: `client_credentials`.
    #[napi(ts_type = "'client_credentials'")]
    pub method: String,
    /// The token endpoint (user info removed, query values redacted), once known.
    pub token_endpoint: Option<String>,
    /// Whether the token was one an earlier probe in this process got (no request made).
    pub cached: bool,
    /// HTTP requests made for the token: discovery and the token request (0 when cached).
    pub requests: u32,
    /// Time spent getting the token, in milliseconds (part of the report's `durationMs`, not
    /// of a step's).
    pub duration_ms: f64,
}

/// Where the time of HTTP exchanges went, in milliseconds: the phases of curl's `-w`.
///
/// For a step, the sums over its exchanges. The phases are consecutive: `dnsMs + connectMs +
/// tlsMs + ttfbMs + bodyMs` is `totalMs` up to scheduling noise.
#[napi(object, object_from_js = false)]
pub struct Timings {
    /// Resolving the host name (0 for an IP address); only when a new connection was opened.
    pub dns_ms: Option<f64>,
    /// Establishing the TCP connection; only when a new connection was opened.
    pub connect_ms: Option<f64>,
    /// The TLS handshake; only for a new `https` connection.
    pub tls_ms: Option<f64>,
    /// From the connection being ready (or the request start, on a reused connection) until
    /// the response headers arrived.
    pub ttfb_ms: f64,
    /// Reading the response body (for an SSE answer: until the response event arrived).
    pub body_ms: f64,
    /// The whole exchange, from sending the request to the end of the body.
    pub total_ms: f64,
    /// `true` when no new connection was opened (for a step: by any of its exchanges), so
    /// there were no DNS, connect or TLS phases.
    pub reused_connection: bool,
}

/// The timings of one HTTP exchange: what was sent, and the `Timings` fields.
#[napi(object, object_from_js = false)]
pub struct ExchangeTimings {
    /// What was sent: the JSON-RPC method, or the HTTP request (`GET SSE stream`).
    pub request: String,
    /// Resolving the host name (0 for an IP address); only when this exchange opened a
    /// connection.
    pub dns_ms: Option<f64>,
    /// Establishing the TCP connection; only when this exchange opened a connection.
    pub connect_ms: Option<f64>,
    /// The TLS handshake; only when this exchange opened an `https` connection.
    pub tls_ms: Option<f64>,
    /// From the connection being ready (or the request start, on a reused connection) until
    /// the response headers arrived.
    pub ttfb_ms: f64,
    /// Reading the response body (for an SSE answer: until the response event arrived).
    pub body_ms: f64,
    /// The whole exchange, from sending the request to the end of the body.
    pub total_ms: f64,
    /// `true` when the exchange went over a connection kept from an earlier one.
    pub reused_connection: bool,
}

/// How a probe chose its protocol era.
#[napi(object, object_from_js = false)]
pub struct Negotiation {
    /// `auto` (detected now), `cached` (detected by an earlier probe of the same URL in this
    /// process), or `pinned` (the scenario fixed the era or version).
    #[napi(ts_type = "NegotiationMode")]
    pub mode: String,
    /// What was sent and what came back, in order, e.g. `server/discover → HTTP 400, JSON-RPC
    /// error -32000`, `initialize → 200`.
    pub evidence: Vec<String>,
}

/// The server's self-description from the handshake.
#[napi(object, object_from_js = false)]
pub struct ServerInfo {
    /// `serverInfo.name`.
    pub name: String,
    /// `serverInfo.version`.
    pub version: String,
    /// `serverInfo.title`, when given.
    pub title: Option<String>,
    /// Names of the capabilities the server declared (`tools`, `resources`, …), sorted.
    pub capabilities: Vec<String>,
}

/// What one step did and found.
#[napi(object, object_from_js = false)]
pub struct StepReport {
    /// The step's name: `handshake`, `tools/list`, `tools/call`.
    pub name: String,
    /// Pass, warn, fail or skip.
    #[napi(ts_type = "StepStatus")]
    pub status: String,
    /// Time spent in the step in milliseconds (0 for skipped steps).
    pub duration_ms: f64,
    /// HTTP status of the step's last exchange, when there was one.
    pub http_status: Option<u32>,
    /// Number of HTTP requests the step made (pages, re-initialization and answers included).
    pub requests: u32,
    /// Why the step failed.
    pub failure: Option<Failure>,
    /// Warnings raised during this step (also listed in the report's `warnings`); absent when
    /// there are none.
    pub warnings: Option<Vec<Warning>>,
    /// Notifications and requests the server sent while the step waited for its answer; absent
    /// when there were none.
    pub server_messages: Option<Vec<ServerMessage>>,
    /// How often an SSE answer was resumed with GET + `Last-Event-ID` after the server closed
    /// the stream (2025-11-25 resumability).
    pub sse_resumptions: Option<u32>,
    /// For 2026-07-28 results: how long the result may be cached (`ttlMs`).
    pub ttl_ms: Option<f64>,
    /// For 2026-07-28 results: who may share a cached result (`cacheScope`).
    pub cache_scope: Option<String>,
    /// For `auth`: what the authorization check found, one entry per check.
    pub auth_findings: Option<Vec<AuthFinding>>,
    /// For `tools/call`: the tool called.
    pub tool: Option<String>,
    /// For `tools/list`: the tools listed, across all pages.
    pub tools: Option<Vec<ToolInfo>>,
    /// For `tools/list`: the number of pages read.
    pub pages: Option<u32>,
    /// For `tools/call`: what the tool returned.
    pub result: Option<CallResult>,
    /// Where the time of the step's HTTP exchanges went, summed over them; absent for stdio
    /// and for steps without an exchange.
    pub timings: Option<Timings>,
    /// The timings of each HTTP exchange of the step, in order (at most 32; the sums in
    /// `timings` count all); absent when there were none.
    pub exchanges: Option<Vec<ExchangeTimings>>,
}

/// One thing the authorization check looked at, and what it found.
#[napi(object, object_from_js = false)]
pub struct AuthFinding {
    /// Stable `snake_case` id of the check: `challenge_status`, `bearer_challenge`,
    /// `resource_metadata`, `authorization_servers`, `resource_match`, `as_metadata`,
    /// `issuer_match`, `pkce_s256` or `metadata_url_safe`.
    pub check: String,
    /// Whether the check passed, deserves a warning, or failed.
    #[napi(ts_type = "FindingStatus")]
    pub status: String,
    /// One sentence for a human.
    pub message: String,
    /// The URL the finding is about, redacted (no user info, query values hidden).
    pub url: Option<String>,
}

/// The verdict of one `AuthFinding`.
#[napi(string_enum = "lowercase")]
pub enum FindingStatus {
    /// As the specifications require.
    Pass,
    /// Works, but not as the specifications recommend, or not with every client.
    Warn,
    /// Clients following the specifications cannot authorize.
    Fail,
}

/// One tool as listed by `tools/list`.
#[napi(object, object_from_js = false)]
pub struct ToolInfo {
    /// The tool's name.
    pub name: String,
    /// Its title, when given.
    pub title: Option<String>,
    /// Its description, when given (truncated to 500 characters).
    pub description: Option<String>,
}

/// What a `tools/call` returned.
#[napi(object, object_from_js = false)]
pub struct CallResult {
    /// `isError` as the server sent it (absent = false).
    pub is_error: bool,
    /// The text content items joined with a newline (truncated to 4,096 characters).
    pub text: String,
    /// The types of the content items, in order (`text`, `image`, …).
    pub content_types: Vec<String>,
    /// Whether the result carried `structuredContent`.
    pub structured: bool,
}

/// A message the server sent on its own while a request was pending.
#[napi(object, object_from_js = false)]
pub struct ServerMessage {
    /// Notification or request.
    #[napi(ts_type = "ServerMessageKind")]
    pub kind: String,
    /// The JSON-RPC method.
    pub method: String,
    /// For requests: how the probe answered (`result` or `error -32601`), or `unanswered`.
    pub answer: Option<String>,
}

/// What happened to the MCP session.
#[napi(object, object_from_js = false)]
pub struct SessionFacts {
    /// Whether the server issued a session id (the id itself is a secret and never shown).
    pub issued: bool,
    /// How many times the probe had to re-initialize after the server forgot the session.
    pub reinitialized: u32,
    /// How the session was ended: `deleted`, `not_supported` (405), `failed`, or absent.
    pub closed: Option<String>,
}

/// Why a probe failed: a stable code, a human message, machine-readable details.
#[napi(object, object_from_js = false)]
pub struct Failure {
    /// The stable code.
    #[napi(ts_type = "FailureCode")]
    pub code: String,
    /// The family of the code (what the CLI's exit code is chosen by).
    #[napi(ts_type = "FailureFamily")]
    pub family: String,
    /// The step that failed.
    pub step: Option<String>,
    /// One sentence for a human.
    pub message: String,
    /// Facts behind the failure (HTTP status, JSON-RPC error, timeout phase, expected vs
    /// actual…); absent when there are none.
    #[napi(ts_type = "Record<string, unknown>")]
    pub details: Option<Map<String, Value>>,
}

/// Something worth knowing that did not fail the probe.
#[napi(object, object_from_js = false)]
pub struct Warning {
    /// A stable `snake_case` code (`session_reinitialized`, `page_cap_reached`, …).
    pub code: String,
    /// The step that raised it.
    pub step: Option<String>,
    /// One sentence for a human.
    pub message: String,
}

impl From<&engine::Report> for Report {
    fn from(r: &engine::Report) -> Self {
        Report {
            schema_version: r.schema_version,
            ok: r.ok,
            target: r.target.clone(),
            transport: r.transport.as_str().to_owned(),
            era: r.era.map(|e| e.as_str().to_owned()),
            protocol_version: r.protocol_version.clone(),
            negotiation: r.negotiation.as_ref().map(Negotiation::from),
            server: r.server.as_ref().map(ServerInfo::from),
            started_at: r.started_at.clone(),
            duration_ms: r.duration_ms,
            steps: r.steps.iter().map(StepReport::from).collect(),
            failure: r.failure.as_ref().map(Failure::from),
            warnings: r.warnings.iter().map(Warning::from).collect(),
            session: SessionFacts::from(&r.session),
            stderr: r.stderr.clone(),
            tls: r.tls.as_ref().map(TlsFacts::from),
            auth: r.auth.as_ref().map(AuthFacts::from),
        }
    }
}

impl From<&engine::TlsFacts> for TlsFacts {
    fn from(t: &engine::TlsFacts) -> Self {
        TlsFacts {
            host: t.host.clone(),
            subject: t.subject.clone(),
            sans: t.sans.clone(),
            issuer: t.issuer.clone(),
            serial: t.serial.clone(),
            not_before: t.not_before.clone(),
            not_after: t.not_after.clone(),
            days_left: t.days_left,
            chain_length: t.chain_length,
            verified: t.verified,
            insecure: t.insecure,
            problem: t.problem.clone(),
        }
    }
}

impl From<&engine::AuthFacts> for AuthFacts {
    fn from(a: &engine::AuthFacts) -> Self {
        AuthFacts {
            method: a.method.clone(),
            token_endpoint: a.token_endpoint.clone(),
            cached: a.cached,
            requests: a.requests,
            duration_ms: a.duration_ms,
        }
    }
}

impl From<&engine::Timings> for Timings {
    fn from(t: &engine::Timings) -> Self {
        Timings {
            dns_ms: t.dns_ms,
            connect_ms: t.connect_ms,
            tls_ms: t.tls_ms,
            ttfb_ms: t.ttfb_ms,
            body_ms: t.body_ms,
            total_ms: t.total_ms,
            reused_connection: t.reused_connection,
        }
    }
}

impl From<&engine::ExchangeTimings> for ExchangeTimings {
    fn from(e: &engine::ExchangeTimings) -> Self {
        let t = &e.timings;
        ExchangeTimings {
            request: e.request.clone(),
            dns_ms: t.dns_ms,
            connect_ms: t.connect_ms,
            tls_ms: t.tls_ms,
            ttfb_ms: t.ttfb_ms,
            body_ms: t.body_ms,
            total_ms: t.total_ms,
            reused_connection: t.reused_connection,
        }
    }
}

impl From<&engine::Negotiation> for Negotiation {
    fn from(n: &engine::Negotiation) -> Self {
        Negotiation {
            mode: n.mode.to_string(),
            evidence: n.evidence.clone(),
        }
    }
}

impl From<&engine::ServerInfo> for ServerInfo {
    fn from(s: &engine::ServerInfo) -> Self {
        ServerInfo {
            name: s.name.clone(),
            version: s.version.clone(),
            title: s.title.clone(),
            capabilities: s.capabilities.clone(),
        }
    }
}

impl From<&engine::StepReport> for StepReport {
    fn from(s: &engine::StepReport) -> Self {
        StepReport {
            name: s.name.clone(),
            status: s.status.as_str().to_owned(),
            duration_ms: s.duration_ms,
            http_status: s.http_status.map(u32::from),
            requests: s.requests,
            failure: s.failure.as_ref().map(Failure::from),
            warnings: non_empty(&s.warnings, |w| Warning::from(w)),
            server_messages: non_empty(&s.server_messages, |m| ServerMessage::from(m)),
            sse_resumptions: s.sse_resumptions,
            // Milliseconds are exact in a double up to 2^53, far beyond any cache lifetime.
            ttl_ms: s.ttl_ms.map(|ms| ms as f64),
            cache_scope: s.cache_scope.clone(),
            auth_findings: s
                .auth_findings
                .as_ref()
                .map(|findings| findings.iter().map(AuthFinding::from).collect()),
            tool: s.tool.clone(),
            tools: s
                .tools
                .as_ref()
                .map(|tools| tools.iter().map(ToolInfo::from).collect()),
            pages: s.pages,
            result: s.result.as_ref().map(CallResult::from),
            timings: s.timings.as_ref().map(Timings::from),
            exchanges: non_empty(&s.exchanges, |e| ExchangeTimings::from(e)),
        }
    }
}

impl From<&engine::AuthFinding> for AuthFinding {
    fn from(f: &engine::AuthFinding) -> Self {
        AuthFinding {
            check: f.check.to_string(),
            status: f.status.as_str().to_owned(),
            message: f.message.clone(),
            url: f.url.clone(),
        }
    }
}

impl From<&engine::ToolInfo> for ToolInfo {
    fn from(t: &engine::ToolInfo) -> Self {
        ToolInfo {
            name: t.name.clone(),
            title: t.title.clone(),
            description: t.description.clone(),
        }
    }
}

impl From<&engine::CallResult> for CallResult {
    fn from(c: &engine::CallResult) -> Self {
        CallResult {
            is_error: c.is_error,
            text: c.text.clone(),
            content_types: c.content_types.clone(),
            structured: c.structured,
        }
    }
}

impl From<&engine::ServerMessage> for ServerMessage {
    fn from(m: &engine::ServerMessage) -> Self {
        let kind = match m.kind {
            engine::ServerMessageKind::Notification => "notification",
            engine::ServerMessageKind::Request => "request",
        };
        ServerMessage {
            kind: kind.to_owned(),
            method: m.method.clone(),
            answer: m.answer.clone(),
        }
    }
}

impl From<&engine::SessionFacts> for SessionFacts {
    fn from(s: &engine::SessionFacts) -> Self {
        SessionFacts {
            issued: s.issued,
            reinitialized: s.reinitialized,
            closed: s.closed.as_ref().map(ToString::to_string),
        }
    }
}

impl From<&engine::Failure> for Failure {
    fn from(f: &engine::Failure) -> Self {
        let details = (!f.details.is_empty()).then(|| {
            f.details
                .iter()
                .map(|(k, v)| (k.clone(), js_number_safe(v.clone())))
                .collect()
        });
        Failure {
            code: f.code.as_str().to_owned(),
            family: f.family.as_str().to_owned(),
            step: f.step.clone(),
            message: f.message.clone(),
            details,
        }
    }
}

impl From<&engine::Warning> for Warning {
    fn from(w: &engine::Warning) -> Self {
        Warning {
            code: w.code.to_string(),
            step: w.step.clone(),
            message: w.message.clone(),
        }
    }
}

/// `None` for an empty list (the engine leaves empty lists out of its JSON).
fn non_empty<T, U>(items: &[T], convert: impl Fn(&T) -> U) -> Option<Vec<U>> {
    (!items.is_empty()).then(|| items.iter().map(convert).collect())
}

/// Makes every number of a JSON value come out of napi as a JavaScript number, as `JSON.parse`
/// of the CLI's output would give it: napi turns integers above `u32::MAX` into strings.
fn js_number_safe(value: Value) -> Value {
    match value {
        Value::Number(n) if n.as_u64().is_some_and(|u| u > u64::from(u32::MAX)) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(js_number_safe).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, js_number_safe(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn large_integers_become_floats_and_small_ones_stay() {
        let v = js_number_safe(serde_json::json!({"a": 5_000_000_000u64, "b": [7], "c": -3}));
        assert_eq!(v["a"].as_f64(), Some(5e9));
        assert!(v["a"].is_f64());
        assert!(v["b"][0].is_u64());
        assert!(v["c"].is_i64());
    }

    #[test]
    fn durations_and_sizes_must_be_positive() {
        assert_eq!(
            duration("t", 1500.0).ok(),
            Some(Duration::from_millis(1500))
        );
        assert!(duration("t", 0.0).is_err());
        assert!(duration("t", -1.0).is_err());
        assert!(duration("t", f64::NAN).is_err());
        assert!(duration("t", f64::INFINITY).is_err());
        assert_eq!(byte_count("b", 1024.0).ok(), Some(1024));
        assert!(byte_count("b", 0.0).is_err());
        assert!(byte_count("b", 1.5).is_err());
    }

    #[test]
    fn flags_that_need_a_tool_are_refused_without_one() {
        let options = CheckOptions {
            expect_text: Some("5".into()),
            ..CheckOptions::default()
        };
        let err = check_scenario(Target::Url("http://127.0.0.1:1/mcp".into()), options).err();
        assert_eq!(err.map(|e| e.code()), Some("invalid_option"));
    }

    #[test]
    fn options_build_the_same_scenario_as_the_cli_flags() {
        let options = CheckOptions {
            tool: Some("add".into()),
            arguments: Some(serde_json::json!({"a": 2, "b": 3})),
            expect_text: Some("5".into()),
            timeout_ms: Some(2500.0),
            ..CheckOptions::default()
        };
        let built = check_scenario(Target::Url("http://127.0.0.1:1/mcp".into()), options).ok();
        let expected = Scenario::for_url("http://127.0.0.1:1/mcp")
            .timeout(Duration::from_millis(2500))
            .call_tool("add", serde_json::json!({"a": 2, "b": 3}))
            .expect_text("5");
        assert_eq!(built, Some(expected));
    }

    fn url() -> Target {
        Target::Url("https://127.0.0.1:1/mcp".into())
    }

    fn command() -> Target {
        Target::Command(CommandSpec::new("server", Vec::<String>::new()))
    }

    #[test]
    fn tls_and_redirect_options_build_the_same_scenario_as_the_cli_flags() {
        let options = CheckOptions {
            ca_cert: Some("ca.pem".into()),
            client_cert: Some("client.pem".into()),
            client_key: Some("client-key.pem".into()),
            insecure: Some(true),
            cert_warn_days: Some(0.0),
            cert_fail_days: Some(7.0),
            follow_redirects: Some("same-origin".into()),
            ..CheckOptions::default()
        };
        let built = check_scenario(url(), options).ok();
        let expected = Scenario::for_url("https://127.0.0.1:1/mcp")
            .ca_cert("ca.pem")
            .client_cert("client.pem", "client-key.pem")
            .insecure(true)
            .cert_warn_days(0)
            .cert_fail_days(7)
            .follow_redirects(engine::FollowRedirects::SameOrigin);
        assert_eq!(built, Some(expected));

        let none = CheckOptions {
            follow_redirects: Some("none".into()),
            insecure: Some(false),
            ..CheckOptions::default()
        };
        assert_eq!(
            check_scenario(url(), none).ok(),
            Some(Scenario::for_url("https://127.0.0.1:1/mcp"))
        );
    }

    #[test]
    fn oauth_options_build_the_same_scenario_as_the_cli_flags() {
        let options = CheckOptions {
            oauth_client_id: Some("monitor".into()),
            oauth_client_secret_file: Some("secret.txt".into()),
            oauth_method: Some("post".into()),
            oauth_scope: Some("mcp:read".into()),
            oauth_token_url: Some("https://as.example/token".into()),
            check_auth: Some(true),
            ..CheckOptions::default()
        };
        let built = check_scenario(url(), options).ok();
        let expected = Scenario::for_url("https://127.0.0.1:1/mcp")
            .oauth(
                engine::OAuthSpec::secret_from_file("monitor", "secret.txt")
                    .method(engine::OAuthMethod::Post)
                    .scope("mcp:read")
                    .token_url("https://as.example/token"),
            )
            // Client credentials are credentials: the auth check runs before the others.
            .check_auth();
        assert_eq!(built, Some(expected));

        let from_env = CheckOptions {
            oauth_client_id: Some("monitor".into()),
            oauth_client_secret_env: Some("SECRET".into()),
            ..CheckOptions::default()
        };
        let expected = Scenario::for_url("https://127.0.0.1:1/mcp")
            .oauth(engine::OAuthSpec::secret_from_env("monitor", "SECRET"));
        assert_eq!(check_scenario(url(), from_env).ok(), Some(expected));
    }

    #[test]
    fn conflicting_or_incomplete_options_are_invalid_options() {
        let oauth = || CheckOptions {
            oauth_client_id: Some("monitor".into()),
            oauth_client_secret_env: Some("SECRET".into()),
            ..CheckOptions::default()
        };
        let cases: Vec<(&str, Target, CheckOptions<'_>)> = vec![
            (
                "clientCert without clientKey",
                url(),
                CheckOptions {
                    client_cert: Some("c.pem".into()),
                    ..CheckOptions::default()
                },
            ),
            (
                "clientKey without clientCert",
                url(),
                CheckOptions {
                    client_key: Some("k.pem".into()),
                    ..CheckOptions::default()
                },
            ),
            (
                "oauthScope without oauthClientId",
                url(),
                CheckOptions {
                    oauth_scope: Some("s".into()),
                    ..CheckOptions::default()
                },
            ),
            (
                "oauthClientSecretEnv without oauthClientId",
                url(),
                CheckOptions {
                    oauth_client_secret_env: Some("S".into()),
                    ..CheckOptions::default()
                },
            ),
            (
                "oauthClientId without a secret",
                url(),
                CheckOptions {
                    oauth_client_id: Some("monitor".into()),
                    ..CheckOptions::default()
                },
            ),
            (
                "both secret sources",
                url(),
                CheckOptions {
                    oauth_client_secret_file: Some("f".into()),
                    ..oauth()
                },
            ),
            (
                "oauth with bearerEnv",
                url(),
                CheckOptions {
                    bearer_env: Some("T".into()),
                    ..oauth()
                },
            ),
            (
                "oauth with an Authorization header",
                url(),
                CheckOptions {
                    headers: Some(HashMap::from([(
                        "authorization".to_owned(),
                        "Bearer x".to_owned(),
                    )])),
                    ..oauth()
                },
            ),
            (
                "an unknown oauthMethod",
                url(),
                CheckOptions {
                    oauth_method: Some("jwt".into()),
                    ..oauth()
                },
            ),
            (
                "an unknown followRedirects",
                url(),
                CheckOptions {
                    follow_redirects: Some("all".into()),
                    ..CheckOptions::default()
                },
            ),
            (
                "a fractional certFailDays",
                url(),
                CheckOptions {
                    cert_fail_days: Some(1.5),
                    ..CheckOptions::default()
                },
            ),
            (
                "a negative certWarnDays",
                url(),
                CheckOptions {
                    cert_warn_days: Some(-1.0),
                    ..CheckOptions::default()
                },
            ),
            (
                "insecure for a command",
                command(),
                CheckOptions {
                    insecure: Some(true),
                    ..CheckOptions::default()
                },
            ),
            (
                "followRedirects for a command",
                command(),
                CheckOptions {
                    follow_redirects: Some("none".into()),
                    ..CheckOptions::default()
                },
            ),
            ("oauth for a command", command(), oauth()),
        ];
        for (what, target, options) in cases {
            let err = check_scenario(target, options).err();
            assert_eq!(err.map(|e| e.code()), Some("invalid_option"), "{what}");
        }
    }

    #[test]
    fn report_fields_keep_the_engine_json_keys() {
        let json = serde_json::json!({
            "schemaVersion": 1, "ok": true, "target": "https://h/mcp",
            "transport": "streamable-http", "startedAt": "2026-01-01T00:00:00.000Z",
            "durationMs": 1.0, "steps": [{
                "name": "handshake", "status": "pass", "durationMs": 1.0, "requests": 1,
                "timings": {"dnsMs": 0.1, "connectMs": 0.2, "tlsMs": 0.3, "ttfbMs": 0.4,
                            "bodyMs": 0.5, "totalMs": 1.5, "reusedConnection": false},
                "exchanges": [{"request": "initialize", "ttfbMs": 0.4, "bodyMs": 0.5,
                               "totalMs": 0.9, "reusedConnection": true}]
            }],
            "warnings": [], "session": {"issued": false, "reinitialized": 0},
            "tls": {"host": "h", "subject": "CN=h", "sans": ["h"], "issuer": "CN=ca",
                    "serial": "01", "notBefore": "2026-01-01T00:00:00Z",
                    "notAfter": "2026-02-01T00:00:00Z", "daysLeft": -3, "chainLength": 1,
                    "verified": false, "insecure": true, "problem": "tls_expired"},
            "auth": {"method": "client_credentials", "cached": true, "requests": 0,
                     "durationMs": 0.0}
        });
        let engine_report: engine::Report = serde_json::from_value(json).unwrap();
        let report = Report::from(&engine_report);
        let tls = report.tls.unwrap();
        assert_eq!(tls.days_left, -3);
        assert_eq!(tls.problem.as_deref(), Some("tls_expired"));
        let auth = report.auth.unwrap();
        assert!(auth.cached && auth.token_endpoint.is_none());
        let step = &report.steps[0];
        let timings = step.timings.as_ref().unwrap();
        assert_eq!(timings.tls_ms, Some(0.3));
        assert!(!timings.reused_connection);
        let exchanges = step.exchanges.as_ref().unwrap();
        assert_eq!(exchanges[0].request, "initialize");
        assert_eq!(exchanges[0].dns_ms, None);
        assert!(exchanges[0].reused_connection);
    }
}
