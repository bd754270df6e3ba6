//! The arguments of `check(target, options)` and `checkScenario(scenario, options)`, read into
//! the engine's [`engine::CheckOptions`]: the JavaScript object becomes its JSON document
//! (the canonical camelCase names; durations spelled with their unit, `timeoutMs`), which
//! the engine reads and turns into a scenario with every rule about options.

use napi::bindgen_prelude::{JsObjectValue, JsValue, Object, Unknown};
use napi::{Env, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};

use mcp_probe_core as engine;
use mcp_probe_core::{ErrorKind, Scenario};

use crate::errors::CallError;

/// A local MCP server to start and probe over stdio, like `mcp-probe check --stdio -- COMMAND`.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct StdioCommand {
    /// The program: a path, or a name looked up in `PATH`.
    pub command: String,
    /// Its arguments.
    pub args: Option<Vec<String>>,
    /// Variables added to (or replacing in) the inherited environment. Values never appear in
    /// failures or reports.
    pub env: Option<std::collections::HashMap<String, String>>,
    /// The working directory (default: the current one).
    pub cwd: Option<String>,
}

/// Options of `check(target, options)`: the same knobs as the flags of `mcp-probe check`.
///
/// This declares the TypeScript type; the object is read as the engine's options document.
#[napi(object, object_to_js = false, object_from_js = false)]
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
    pub headers: Option<std::collections::HashMap<String, String>>,
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
    /// Repeat the whole probe until it is healthy or this many milliseconds have passed, with
    /// backoff between attempts; each attempt keeps its own limits. The report then has
    /// `attempts` (and `firstFailure` when the first attempt failed differently).
    pub wait_until_ready_ms: Option<f64>,
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
    /// Also run the probe in every era, protocol version and transport the target could speak;
    /// the report's `matrix` has one entry each. The verdict stays the probe's as asked for.
    pub matrix: Option<bool>,
    /// Largest response body or SSE stream accepted, in bytes (default 16 MiB, at most 1 GiB).
    pub max_body_bytes: Option<f64>,
    /// Largest single SSE event accepted, in bytes (default 16 MiB, at most 1 GiB).
    pub max_sse_event_bytes: Option<f64>,
    /// Most pages `tools/list` follows (default 100, at most 10 000).
    pub max_pages: Option<f64>,
    /// A scenario file (YAML or JSON) with steps and expectations; the target and the other
    /// options refine it, like `mcp-probe check URL --scenario FILE`.
    pub scenario: Option<String>,
    /// Check the server's authorization set-up without credentials: the 401 challenge,
    /// protected-resource and authorization-server metadata, PKCE S256. Without credentials
    /// (`bearerEnv`, `bearerFile`, `oauthClientId`, an `Authorization` header), without
    /// `tool` and without `scenario`, only this check runs.
    pub check_auth: Option<bool>,
    /// A surface snapshot file (`mcp-probe snapshot`): also list resources, resource templates
    /// and prompts, fail with `surface_changed` on a change that breaks clients (a tool or
    /// parameter removed, a required parameter added, …) and warn
    /// (`surface_changed_compatible`) on compatible ones.
    pub expect_surface: Option<String>,
    /// Fail the tool listing when a tool's `inputSchema` is not valid JSON Schema (default:
    /// the warning `invalid_input_schema`).
    pub strict_schemas: Option<bool>,
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
    /// the default), `post` (`client_secret_post`) or `private-key-jwt` (a JWT signed with
    /// the client's private key, which the secret options then hold as PEM). Needs
    /// `oauthClientId`.
    #[napi(ts_type = "OAuthMethod")]
    pub oauth_method: Option<String>,
    /// The scope to ask the token endpoint for (needs `oauthClientId`).
    pub oauth_scope: Option<String>,
    /// The token endpoint (needs `oauthClientId`; default: discovered from the server's 401
    /// challenge, its protected resource metadata and its authorization server's metadata).
    pub oauth_token_url: Option<String>,
    /// The OAuth grant: `client-credentials` (the default with `oauthClientId`) or
    /// `authorization-code`: headless, with PKCE, only for authorization servers that approve
    /// without a person (a login page fails the probe with `auth_token`); the client is
    /// registered on the fly unless `oauthClientId` is given; or `jwt-bearer`: workload
    /// identity, the secret options holding the JWT the workload's platform issued (RFC 7523).
    #[napi(ts_type = "OAuthFlow")]
    pub oauth_flow: Option<String>,
    /// Authorization-code flow: this client ID metadata document URL (https) as the client
    /// id, when the authorization server supports them.
    pub oauth_client_metadata_url: Option<String>,
    /// Authorization-code flow: the loopback redirect URI (default
    /// `http://127.0.0.1/callback`; the code is read from the redirect, nothing listens).
    pub oauth_redirect_uri: Option<String>,
    /// Authorization-code flow: refresh this grant instead of authorizing, the refresh token
    /// read from this environment variable (needs `oauthClientId`).
    pub oauth_refresh_token_env: Option<String>,
    /// Authorization-code flow: the refresh token, read from this file.
    pub oauth_refresh_token_file: Option<String>,
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

/// The options given by `check`'s target, not by its options object.
const TARGET_OPTIONS: &[&str] = &["url", "command", "env", "cwd"];

/// The keys `StdioCommand` accepts.
const STDIO_COMMAND_KEYS: &[&str] = &["command", "args", "env", "cwd"];

/// A probe ready to start: the scenario and the caller's abort signal, if any.
pub(crate) struct Call<'env> {
    pub(crate) scenario: Scenario,
    pub(crate) signal: Option<Object<'env>>,
}

/// How this binding spells a canonical option: as is, durations with their unit
/// (`timeout` is `timeoutMs`).
fn js_name(option: &str) -> String {
    if engine::CheckOptions::DURATIONS.contains(&option) {
        format!("{option}Ms")
    } else {
        option.to_owned()
    }
}

/// An engine's options error, in this binding's spelling.
fn options_error(e: engine::OptionsError) -> CallError {
    CallError::invalid(
        e.kind(),
        e.message_with(|name| format!("`{}`", js_name(name))),
    )
}

/// Builds the scenario `check(target, options)` describes.
pub(crate) fn check_call<'env>(
    env: &Env,
    target: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<Call<'env>, CallError> {
    let mut document = Map::new();
    match target.get_type() {
        Ok(ValueType::String) => {
            let url = string(target).map_err(|_| {
                CallError::invalid(ErrorKind::InvalidUrl, "`url` must be a UTF-8 string")
            })?;
            document.insert("url".into(), Value::String(url));
        }
        Ok(ValueType::Object) if !is_array(target) => {
            let object = options_object(Some(target), "command")?.ok_or_else(not_a_target)?;
            read_stdio_command(env, &object, &mut document)?;
        }
        _ => return Err(not_a_target()),
    }
    let mut signal = None;
    if let Some(object) = options_object(options, "options")? {
        for key in keys(&object, "options")? {
            if key == "signal" {
                signal = read_signal(&object)?;
                continue;
            }
            let canonical = match key.strip_suffix("Ms") {
                Some(name) if engine::CheckOptions::DURATIONS.contains(&name) => name,
                _ if engine::CheckOptions::NAMES.contains(&key.as_str())
                    && !engine::CheckOptions::DURATIONS.contains(&key.as_str())
                    && !TARGET_OPTIONS.contains(&key.as_str()) =>
                {
                    key.as_str()
                }
                _ => return Err(unknown_option(&key, option_keys())),
            };
            let Some(value) = property(env, &object, &key)? else {
                continue;
            };
            if canonical != key && !value.is_number() {
                return Err(invalid_option(format!(
                    "`{key}` must be a number of milliseconds"
                )));
            }
            document.insert(canonical.to_owned(), value);
        }
    }
    let scenario = engine::CheckOptions::from_value(Value::Object(document))
        .and_then(engine::CheckOptions::into_scenario)
        .map_err(options_error)?;
    Ok(Call { scenario, signal })
}

fn not_a_target() -> CallError {
    CallError::invalid(
        ErrorKind::InvalidUrl,
        "the target must be a URL such as \"https://mcp.example.com/mcp\" or a command \
         such as { command: 'python', args: ['server.py'] }",
    )
}

/// Reads a `StdioCommand` object into the options `command`, `env` and `cwd`.
fn read_stdio_command(
    env: &Env,
    object: &Object<'_>,
    document: &mut Map<String, Value>,
) -> Result<(), CallError> {
    let (mut program, mut args) = (None, Vec::new());
    for key in keys(object, "command")? {
        if !STDIO_COMMAND_KEYS.contains(&key.as_str()) {
            return Err(unknown_option(&key, STDIO_COMMAND_KEYS.iter().copied()));
        }
        let Some(value) = property(env, object, &key)? else {
            continue;
        };
        match (key.as_str(), value) {
            ("command", program_name @ Value::String(_)) => program = Some(program_name),
            ("command", _) => return Err(invalid_option("`command` must be a string")),
            ("args", Value::Array(values)) if values.iter().all(Value::is_string) => args = values,
            ("args", _) => return Err(invalid_option("`args` must be an array of strings")),
            (_, value) => {
                document.insert(key, value);
            }
        }
    }
    // Without a program the engine says what is missing.
    let argv = program
        .map(|p| [vec![p], args].concat())
        .unwrap_or_default();
    document.insert("command".into(), Value::Array(argv));
    Ok(())
}

/// Builds the scenario `checkScenario(scenario, options)` describes: a document (object) or the
/// path of a YAML or JSON file.
pub(crate) fn scenario_call<'env>(
    env: &Env,
    scenario: Unknown<'env>,
    options: Option<Unknown<'env>>,
) -> Result<Call<'env>, CallError> {
    let options = options_object(options, "options")?;
    let mut url = None;
    let mut signal = None;
    if let Some(object) = &options {
        for key in keys(object, "options")? {
            match key.as_str() {
                "url" => {
                    url = match property(env, object, "url")? {
                        None => None,
                        Some(Value::String(url)) => Some(url),
                        Some(_) => return Err(invalid_option("`url` must be a string")),
                    }
                }
                "signal" => signal = read_signal(object)?,
                _ => return Err(unknown_option(&key, ["url", "signal"])),
            }
        }
    }
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

/// `options` as an object; `undefined` and `null` mean "no options".
fn options_object<'env>(
    options: Option<Unknown<'env>>,
    name: &str,
) -> Result<Option<Object<'env>>, CallError> {
    let Some(options) = options else {
        return Ok(None);
    };
    match options.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => return Ok(None),
        Ok(ValueType::Object) if !is_array(options) => {}
        _ => return Err(invalid_option(format!("`{name}` must be an object"))),
    }
    options
        .coerce_to_object()
        .map(Some)
        .map_err(|_| invalid_option(format!("`{name}` must be an object")))
}

/// The own enumerable keys of an object.
fn keys(object: &Object<'_>, name: &str) -> Result<Vec<String>, CallError> {
    Object::keys(object).map_err(|_| invalid_option(format!("cannot read the keys of `{name}`")))
}

/// One property as JSON; `undefined` and `null` are "not given".
fn property(env: &Env, object: &Object<'_>, key: &str) -> Result<Option<Value>, CallError> {
    let value = object
        .get_named_property::<Unknown>(key)
        .map_err(|_| invalid_option(format!("cannot read `{key}`")))?;
    match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => Ok(None),
        _ => env
            .from_js_value::<Value, _>(value)
            .map(Some)
            .map_err(|e| invalid_option(format!("`{key}` cannot be sent as JSON: {}", e.reason))),
    }
}

/// The `signal` field: an `AbortSignal` (anything with `aborted` and `addEventListener`).
fn read_signal<'env>(object: &Object<'env>) -> Result<Option<Object<'env>>, CallError> {
    let not_a_signal = || invalid_option("`signal` must be an AbortSignal");
    let value = object
        .get_named_property::<Unknown>("signal")
        .map_err(|_| not_a_signal())?;
    match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => return Ok(None),
        Ok(ValueType::Object) => {}
        _ => return Err(not_a_signal()),
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

/// The keys of `check`'s options object, as this binding spells them.
fn option_keys() -> impl Iterator<Item = String> {
    engine::CheckOptions::NAMES
        .iter()
        .filter(|name| !TARGET_OPTIONS.contains(name))
        .map(|name| js_name(name))
        .chain(["signal".to_owned()])
}

fn unknown_option<S: AsRef<str>>(key: &str, known: impl IntoIterator<Item = S>) -> CallError {
    let known: Vec<String> = known.into_iter().map(|k| k.as_ref().to_owned()).collect();
    invalid_option(format!(
        "unknown option `{key}` (known: {})",
        known.join(", ")
    ))
}

fn invalid_option(message: impl Into<String>) -> CallError {
    CallError::invalid(ErrorKind::InvalidOption, message)
}
