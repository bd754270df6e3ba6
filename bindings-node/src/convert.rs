//! Conversions from JavaScript values to the engine's types: the options and scenario
//! documents a caller passes in. (The report goes back as its JSON, see `report.rs`.)

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use mcp_probe_core as engine;
use mcp_probe_core::{CommandSpec, ErrorKind, Scenario};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};

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
#[napi(string_enum = "lowercase")]
pub enum OAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret (the default).
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
}
