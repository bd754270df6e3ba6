//! Conversions: Python keyword arguments onto the engine's [`Scenario`] builder (the same calls
//! `mcp-probe check` makes for its flags), scenario documents in, reports out as JSON text.

use std::path::PathBuf;
use std::time::Duration;

use mcp_probe_core::{
    CheckAuthStep, CommandSpec, FollowRedirects, OAuthMethod, OAuthSpec, ProtocolChoice, Report,
    Scenario, Step, TransportChoice,
};
use pyo3::PyResult;
use serde_json::Value;

use crate::errors;

/// Everything `mcp_probe.check(...)` accepts besides the call itself, already type-checked by
/// the Python layer.
#[derive(Debug, Default)]
pub(crate) struct ScenarioOptions {
    /// The URL to probe; replaces the document's target URL (keeping its headers).
    pub(crate) url: Option<String>,
    /// A scenario document as JSON text (a Python mapping, dumped).
    pub(crate) document: Option<String>,
    /// A scenario file (`.json`, `.yaml`, `.yml`).
    pub(crate) path: Option<PathBuf>,
    /// A local server to start and probe over stdio: the program, then its arguments.
    pub(crate) command: Option<Vec<String>>,
    /// Variables added to the stdio server's inherited environment, in the caller's order.
    pub(crate) env: Option<Vec<(String, String)>>,
    /// The stdio server's working directory.
    pub(crate) cwd: Option<PathBuf>,
    /// Transport: `auto`, `streamable-http`, `sse` or `stdio`.
    pub(crate) transport: Option<String>,
    /// The tool to call after listing tools.
    pub(crate) tool: Option<String>,
    /// Its arguments as JSON text (must be an object).
    pub(crate) arguments: Option<String>,
    /// The tool's text must equal this.
    pub(crate) expect_text: Option<String>,
    /// The tool's text must contain this.
    pub(crate) expect_contains: Option<String>,
    /// Accept `isError: true`.
    pub(crate) allow_tool_error: bool,
    /// Extra headers, in the caller's order.
    pub(crate) headers: Vec<(String, String)>,
    /// Environment variable holding a bearer token.
    pub(crate) bearer_env: Option<String>,
    /// File holding a bearer token.
    pub(crate) bearer_file: Option<PathBuf>,
    /// OAuth client credentials: the client id.
    pub(crate) oauth_client_id: Option<String>,
    /// Environment variable holding the OAuth client secret.
    pub(crate) oauth_client_secret_env: Option<String>,
    /// File holding the OAuth client secret.
    pub(crate) oauth_client_secret_file: Option<PathBuf>,
    /// Token endpoint authentication: `basic` or `post`.
    pub(crate) oauth_method: Option<String>,
    /// The scope to ask the token endpoint for.
    pub(crate) oauth_scope: Option<String>,
    /// The token endpoint (default: discovered).
    pub(crate) oauth_token_url: Option<String>,
    /// Extra CA certificates (PEM file).
    pub(crate) ca_cert: Option<PathBuf>,
    /// Client certificate (PEM file) for mutual TLS.
    pub(crate) client_cert: Option<PathBuf>,
    /// Its private key (PEM file).
    pub(crate) client_key: Option<PathBuf>,
    /// Accept any server certificate.
    pub(crate) insecure: bool,
    /// Warn when the certificate expires in fewer days than this.
    pub(crate) cert_warn_days: Option<u32>,
    /// Fail when the certificate expires in fewer days than this.
    pub(crate) cert_fail_days: Option<u32>,
    /// Redirects to follow: `none` or `same-origin`.
    pub(crate) follow_redirects: Option<String>,
    /// Whole-probe limit, seconds.
    pub(crate) timeout: Option<f64>,
    /// Connection limit, seconds.
    pub(crate) connect_timeout: Option<f64>,
    /// Per-request limit, seconds.
    pub(crate) request_timeout: Option<f64>,
    /// Protocol era: `auto`, `modern` or `handshake`.
    pub(crate) protocol: Option<String>,
    /// Protocol version to ask for and require.
    pub(crate) protocol_version: Option<String>,
    /// Largest body or SSE stream, bytes.
    pub(crate) max_body_bytes: Option<u64>,
    /// Largest SSE event, bytes.
    pub(crate) max_sse_event_bytes: Option<u64>,
    /// Most pages a list step reads.
    pub(crate) max_pages: Option<u32>,
    /// Check the server's authorization set-up (the `auth` step).
    pub(crate) check_auth: bool,
}

/// The first option of `given` that was given, if any.
fn first_given<'a>(given: &[(bool, &'a str)]) -> Option<&'a str> {
    given
        .iter()
        .find(|(is_given, _)| *is_given)
        .map(|(_, name)| *name)
}

/// Rejects the combinations `mcp-probe check`'s argument parser rejects (`conflicts_with`,
/// `requires`), named as the Python options are.
fn check_combinations(o: &ScenarioOptions) -> PyResult<()> {
    if o.command.is_some() && o.url.is_some() {
        return Err(errors::invalid_option(
            "give either `url` or `command` (a local server over stdio), not both",
        ));
    }
    if o.command.is_none() {
        if let Some(name) = first_given(&[(o.env.is_some(), "env"), (o.cwd.is_some(), "cwd")]) {
            return Err(errors::invalid_option(format!(
                "`{name}` needs `command` (the stdio server to start)"
            )));
        }
    }
    if o.tool.is_none() {
        if let Some(name) = first_given(&[
            (o.arguments.is_some(), "arguments"),
            (o.expect_text.is_some(), "expect_text"),
            (o.expect_contains.is_some(), "expect_contains"),
            (o.allow_tool_error, "allow_tool_error"),
        ]) {
            return Err(errors::invalid_option(format!(
                "`{name}` needs `tool` (the tool to call)"
            )));
        }
    }
    if o.expect_text.is_some() && o.expect_contains.is_some() {
        return Err(errors::invalid_option(
            "give either `expect_text` or `expect_contains`, not both",
        ));
    }
    if o.bearer_env.is_some() && o.bearer_file.is_some() {
        return Err(errors::invalid_option(
            "give either `bearer_env` or `bearer_file`, not both",
        ));
    }
    if o.oauth_client_id.is_some() {
        if let Some(name) = first_given(&[
            (o.bearer_env.is_some(), "bearer_env"),
            (o.bearer_file.is_some(), "bearer_file"),
        ]) {
            return Err(errors::invalid_option(format!(
                "give either a bearer token (`{name}`) or OAuth client credentials \
                 (`oauth_client_id`), not both"
            )));
        }
        if o.oauth_client_secret_env.is_some() && o.oauth_client_secret_file.is_some() {
            return Err(errors::invalid_option(
                "give either `oauth_client_secret_env` or `oauth_client_secret_file`, not both",
            ));
        }
    } else if let Some(name) = first_given(&[
        (
            o.oauth_client_secret_env.is_some(),
            "oauth_client_secret_env",
        ),
        (
            o.oauth_client_secret_file.is_some(),
            "oauth_client_secret_file",
        ),
        (o.oauth_method.is_some(), "oauth_method"),
        (o.oauth_scope.is_some(), "oauth_scope"),
        (o.oauth_token_url.is_some(), "oauth_token_url"),
    ]) {
        return Err(errors::invalid_option(format!(
            "`{name}` needs `oauth_client_id` (OAuth client credentials)"
        )));
    }
    match (&o.client_cert, &o.client_key) {
        (Some(_), None) => Err(errors::invalid_option(
            "`client_cert` needs `client_key` (its private key)",
        )),
        (None, Some(_)) => Err(errors::invalid_option(
            "`client_key` needs `client_cert` (the client certificate)",
        )),
        _ => Ok(()),
    }
}

/// Builds and validates the scenario the options describe, with the builder calls
/// `mcp-probe check` makes for its flags, in the same order: the document (or file) first, then
/// the target, then every option on top of it.
pub(crate) fn scenario(o: ScenarioOptions) -> PyResult<Scenario> {
    check_combinations(&o)?;
    let mut s = match (&o.document, &o.path) {
        (Some(_), Some(_)) => {
            return Err(errors::invalid_option(
                "give a scenario either as a document or as a file, not both",
            ))
        }
        (Some(text), None) => Scenario::from_json(text).map_err(errors::from_core)?,
        (None, Some(path)) => Scenario::from_path(path).map_err(errors::from_core)?,
        (None, None) => Scenario::new(),
    };
    let has_scenario = o.document.is_some() || o.path.is_some();
    let http_only = o.ca_cert.is_some()
        || o.client_cert.is_some()
        || o.insecure
        || o.cert_warn_days.is_some()
        || o.cert_fail_days.is_some()
        || o.follow_redirects.is_some();
    if o.command.is_some() && http_only {
        return Err(errors::invalid_option(
            "`ca_cert`, `client_cert`, `client_key`, `insecure`, `cert_warn_days`, \
             `cert_fail_days` and `follow_redirects` apply to HTTP targets, not to `command`",
        ));
    }
    // Whether the caller gave credentials (for `check_auth`), before the options are consumed.
    let has_credentials = o.bearer_env.is_some()
        || o.bearer_file.is_some()
        || o.oauth_client_id.is_some()
        || o.headers
            .iter()
            .any(|(name, _)| name.trim().eq_ignore_ascii_case("authorization"));
    let has_tool = o.tool.is_some();
    if let Some(argv) = o.command {
        let Some((program, rest)) = argv.split_first() else {
            return Err(errors::invalid_option(
                "`command` needs the server's program (and its arguments), e.g. \
                 [\"python\", \"server.py\"]",
            ));
        };
        if !o.headers.is_empty()
            || o.bearer_env.is_some()
            || o.bearer_file.is_some()
            || o.oauth_client_id.is_some()
        {
            return Err(errors::invalid_option(
                "`headers`, `bearer_*` and `oauth_*` apply to HTTP targets, not to `command`",
            ));
        }
        let mut command = CommandSpec::new(program.clone(), rest.iter().cloned());
        for (name, value) in o.env.unwrap_or_default() {
            if name.is_empty() {
                return Err(errors::invalid_option("`env` has an empty variable name"));
            }
            if name.contains('=') {
                return Err(errors::invalid_option(format!(
                    "`env` variable names cannot contain \"=\", got {name:?}"
                )));
            }
            command.env.insert(name, value);
        }
        command.cwd = o.cwd;
        s = s.stdio_command(command);
    } else if let Some(url) = o.url {
        s = s.url(url);
    }
    if let Some(name) = o.transport {
        s = s.transport(transport_choice(&name)?);
    }
    if let Some(era) = o.protocol {
        s = s.protocol(protocol_choice(&era)?);
    }
    for (name, value) in o.headers {
        s = s.header(name, value);
    }
    if let Some(var) = o.bearer_env {
        s = s.bearer_env(var);
    }
    if let Some(path) = o.bearer_file {
        s = s.bearer_file(path);
    }
    if let Some(id) = o.oauth_client_id {
        let mut oauth = match (o.oauth_client_secret_env, o.oauth_client_secret_file) {
            (Some(var), _) => OAuthSpec::secret_from_env(id, var),
            (None, Some(path)) => OAuthSpec::secret_from_file(id, path),
            (None, None) => {
                return Err(errors::invalid_option(
                    "`oauth_client_id` needs `oauth_client_secret_env` or \
                     `oauth_client_secret_file` (a secret is never given directly)",
                ))
            }
        };
        if let Some(method) = o.oauth_method {
            oauth = oauth.method(oauth_method(&method)?);
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
    if o.insecure {
        s = s.insecure(true);
    }
    if let Some(days) = o.cert_warn_days {
        s = s.cert_warn_days(days);
    }
    if let Some(days) = o.cert_fail_days {
        s = s.cert_fail_days(days);
    }
    if let Some(mode) = o.follow_redirects {
        s = s.follow_redirects(follow_redirects(&mode)?);
    }
    if let Some(d) = o.timeout {
        s = s.timeout(duration("timeout", d)?);
    }
    if let Some(d) = o.connect_timeout {
        s = s.connect_timeout(duration("connect_timeout", d)?);
    }
    if let Some(d) = o.request_timeout {
        s = s.request_timeout(duration("request_timeout", d)?);
    }
    if let Some(n) = o.max_body_bytes {
        s = s.max_body_bytes(n);
    }
    if let Some(n) = o.max_sse_event_bytes {
        s = s.max_sse_event_bytes(n);
    }
    if let Some(n) = o.max_pages {
        s = s.max_pages(n);
    }
    if let Some(v) = o.protocol_version {
        s = s.protocol_version(v);
    }
    if let Some(tool) = o.tool {
        let arguments = match o.arguments {
            None => Value::Object(Default::default()),
            Some(text) => match serde_json::from_str::<Value>(&text) {
                Ok(v @ Value::Object(_)) => v,
                Ok(_) => return Err(errors::invalid_option("`arguments` must be a JSON object")),
                Err(e) => {
                    return Err(errors::invalid_option(format!(
                        "`arguments` is not valid JSON: {e}"
                    )))
                }
            },
        };
        s = s.call_tool(tool, arguments);
        if let Some(t) = o.expect_text {
            s = s.expect_text(t);
        }
        if let Some(t) = o.expect_contains {
            s = s.expect_contains(t);
        }
        if o.allow_tool_error {
            s = s.allow_tool_error();
        }
    }
    if o.check_auth {
        // As the CLI: without credentials, a tool or a scenario there is nothing to do after
        // the auth check (the server would answer 401), so it is the only step.
        if has_credentials || has_tool || has_scenario {
            s = s.check_auth();
        } else {
            s.steps = vec![Step::CheckAuth(CheckAuthStep::default())];
        }
    }
    s.validate().map_err(errors::from_core)?;
    Ok(s)
}

/// `auto`, `streamable-http`, `sse` or `stdio` (the CLI's `--transport` values).
fn transport_choice(name: &str) -> PyResult<TransportChoice> {
    match name {
        "auto" => Ok(TransportChoice::Auto),
        "streamable-http" => Ok(TransportChoice::StreamableHttp),
        "sse" => Ok(TransportChoice::Sse),
        "stdio" => Ok(TransportChoice::Stdio),
        _ => Err(errors::invalid_option(format!(
            "`transport` must be \"auto\", \"streamable-http\", \"sse\" or \"stdio\", got {name:?}"
        ))),
    }
}

/// `none` or `same-origin` (the CLI's `--follow-redirects` values).
fn follow_redirects(name: &str) -> PyResult<FollowRedirects> {
    match name {
        "none" => Ok(FollowRedirects::None),
        "same-origin" => Ok(FollowRedirects::SameOrigin),
        _ => Err(errors::invalid_option(format!(
            "`follow_redirects` must be \"none\" or \"same-origin\", got {name:?}"
        ))),
    }
}

/// `basic` or `post` (the CLI's `--oauth-method` values).
fn oauth_method(name: &str) -> PyResult<OAuthMethod> {
    match name {
        "basic" => Ok(OAuthMethod::Basic),
        "post" => Ok(OAuthMethod::Post),
        _ => Err(errors::invalid_option(format!(
            "`oauth_method` must be \"basic\" or \"post\", got {name:?}"
        ))),
    }
}

/// `auto`, `modern` or `handshake`, as the scenario document spells them.
fn protocol_choice(name: &str) -> PyResult<ProtocolChoice> {
    serde_json::from_value(Value::String(name.to_owned())).map_err(|_| {
        errors::invalid_option(format!(
            "`protocol` must be \"auto\", \"modern\" or \"handshake\", got {name:?}"
        ))
    })
}

/// Seconds as a Python float onto a [`Duration`]; zero is left to the engine's validation.
fn duration(name: &str, seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        errors::invalid_option(format!(
            "`{name}` must be a finite, non-negative number of seconds, got {seconds}"
        ))
    })
}

/// Parses a scenario document given as JSON text (what the Python layer passes around).
pub(crate) fn scenario_from_json(text: &str) -> PyResult<Scenario> {
    Scenario::from_json(text).map_err(errors::from_core)
}

/// The scenario's document form as JSON text.
pub(crate) fn scenario_to_json(scenario: &Scenario) -> String {
    scenario.to_value().to_string()
}

/// The report as the compact JSON text of the engine's model (the CLI prints the same model).
pub(crate) fn report_to_json(report: &Report) -> String {
    // Serializing the report cannot fail: every map key is a string.
    serde_json::to_string(report).unwrap_or_default()
}
