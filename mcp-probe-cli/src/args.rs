//! The option groups of a probe (target, steps, authentication, TLS, limits) as clap
//! arguments, for any subcommand to flatten in, and their conversion into the engine's
//! [`CheckOptions`], which owns every rule about them.
//!
//! Each flag is the canonical option's name in kebab case (`oauthScope` is `--oauth-scope`);
//! the exceptions are the URL (positional), the stdio command (`--stdio -- COMMAND`),
//! `--header` (repeatable) and `--args` (also `--arguments`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use mcp_probe_core::{
    CheckOptions, FollowRedirects, OAuthFlow, OAuthMethod, ProtocolChoice, TransportChoice,
};
use serde_json::Value;

/// Where and how to reach the server.
#[derive(Debug, Args)]
#[command(next_help_heading = "Target")]
struct TargetArgs {
    /// The Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp (optional with --scenario
    /// if the file names a target). `check` takes several, one probe each.
    #[arg(value_name = "URL")]
    url: Vec<String>,

    /// Probe a local server over stdio: the command and its arguments follow `--`
    /// (e.g. `mcp-probe check --stdio -- python server.py`).
    #[arg(long, conflicts_with = "url")]
    stdio: bool,

    /// The stdio server's command and arguments (after `--`).
    #[arg(last = true, value_name = "COMMAND", requires = "stdio")]
    command: Vec<String>,

    /// Environment variable for the stdio server, as NAME=VALUE (repeatable; added to the
    /// inherited environment; values are never printed).
    #[arg(long, value_name = "NAME=VALUE", requires = "stdio")]
    env: Vec<String>,

    /// Working directory of the stdio server.
    #[arg(long, value_name = "DIR", requires = "stdio")]
    cwd: Option<PathBuf>,

    /// Transport: auto (Streamable HTTP, falling back to legacy HTTP+SSE when initialize is
    /// refused), streamable-http, sse (legacy 2024-11-05; the URL is the event stream), stdio.
    #[arg(long, value_name = "TRANSPORT", value_parser = choice::<TransportChoice>(TransportChoice::VALUES))]
    transport: Option<TransportChoice>,

    /// Protocol era: auto (try 2026-07-28 server/discover, fall back to initialize), modern,
    /// handshake.
    #[arg(long, value_name = "ERA", value_parser = choice::<ProtocolChoice>(ProtocolChoice::VALUES))]
    protocol: Option<ProtocolChoice>,

    /// Ask for this protocol version and accept only it (default: ask for the newest, accept any
    /// this probe speaks).
    #[arg(long, value_name = "VERSION")]
    protocol_version: Option<String>,

    /// Also run the probe in every era, protocol version and transport the target could
    /// speak (2026-07-28, each handshake-era version over Streamable HTTP, 2024-11-05 over
    /// legacy HTTP+SSE; for --stdio every version) and show which work. The verdict and the
    /// exit code stay the probe's as asked for.
    #[arg(long, conflicts_with = "protocol_version")]
    matrix: bool,

    /// Scenario file (YAML or JSON) with steps and expectations; flags override its target.
    /// `check` takes several (repeat the flag), one probe each; one scenario with several URLs
    /// runs against each URL.
    #[arg(long, value_name = "FILE")]
    scenario: Vec<PathBuf>,
}

/// What to do after the handshake.
#[derive(Debug, Args)]
#[command(next_help_heading = "Steps")]
struct StepArgs {
    /// Call this tool after listing tools (it must be listed).
    #[arg(long, value_name = "NAME")]
    tool: Option<String>,

    /// Arguments for --tool, as a JSON object.
    #[arg(
        long = "args",
        visible_alias = "arguments",
        value_name = "JSON",
        requires = "tool"
    )]
    arguments: Option<String>,

    /// The tool's text result must equal this.
    #[arg(
        long,
        value_name = "TEXT",
        requires = "tool",
        conflicts_with = "expect_contains"
    )]
    expect_text: Option<String>,

    /// The tool's text result must contain this.
    #[arg(long, value_name = "TEXT", requires = "tool")]
    expect_contains: Option<String>,

    /// Accept a tool result with isError: true.
    #[arg(long, requires = "tool")]
    allow_tool_error: bool,

    /// Check the server's authorization set-up without credentials: the 401 challenge,
    /// protected-resource and authorization-server metadata, PKCE S256. Without credentials
    /// (--bearer-*, an Authorization --header) and without --tool, only this check runs.
    #[arg(long)]
    check_auth: bool,

    /// Compare what the server lists with this snapshot (`mcp-probe snapshot`): a breaking
    /// change fails (exit 9, surface_changed), a compatible one warns
    /// (surface_changed_compatible). Also lists resources, templates and prompts.
    #[arg(long, value_name = "FILE")]
    expect_surface: Option<PathBuf>,

    /// Fail when a tool's inputSchema (from tools/list) is not valid JSON Schema (default: the
    /// warning invalid_input_schema).
    #[arg(long)]
    strict_schemas: bool,
}

/// Headers and credentials.
#[derive(Debug, Args)]
#[command(next_help_heading = "Authentication")]
struct AuthArgs {
    /// Extra header for every request, as "Name: value" (repeatable). Values are never printed.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// Send "Authorization: Bearer <token>" with the token read from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "bearer_file")]
    bearer_env: Option<String>,

    /// Send "Authorization: Bearer <token>" with the token read from this file.
    #[arg(long, value_name = "FILE")]
    bearer_file: Option<PathBuf>,

    /// OAuth client credentials: get an access token as this client and send it as a bearer
    /// token (the secret comes from --oauth-client-secret-env or --oauth-client-secret-file).
    /// With --oauth-flow authorization-code: the pre-registered client (optional).
    #[arg(long, value_name = "ID", conflicts_with_all = ["bearer_env", "bearer_file"])]
    oauth_client_id: Option<String>,

    /// The OAuth client secret, read from this environment variable (with --oauth-method
    /// private-key-jwt: the client's PEM private key; with --oauth-flow jwt-bearer: the
    /// workload's JWT).
    #[arg(
        long,
        value_name = "VAR",
        requires = "oauth_client_id",
        conflicts_with = "oauth_client_secret_file"
    )]
    oauth_client_secret_env: Option<String>,

    /// The OAuth client secret, read from this file (with --oauth-method private-key-jwt: the
    /// client's PEM private key; with --oauth-flow jwt-bearer: the workload's JWT, read again
    /// at every token request).
    #[arg(long, value_name = "FILE", requires = "oauth_client_id")]
    oauth_client_secret_file: Option<PathBuf>,

    /// How the client authenticates to the token endpoint: basic (client_secret_basic, the
    /// default), post (client_secret_post) or private-key-jwt (a JWT signed with the client's
    /// private key, which the secret options then hold as PEM: EC P-256, EC P-384 or RSA).
    #[arg(long, value_name = "METHOD", value_parser = choice::<OAuthMethod>(OAuthMethod::VALUES))]
    oauth_method: Option<OAuthMethod>,

    /// The scope to ask for (default with --oauth-flow authorization-code: the 401
    /// challenge's scope, else the server's scopes_supported).
    #[arg(long, value_name = "SCOPE")]
    oauth_scope: Option<String>,

    /// The token endpoint (default: discovered from the server's 401 challenge, its protected
    /// resource metadata and its authorization server's metadata).
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    oauth_token_url: Option<String>,

    /// The OAuth grant: client-credentials (the default with --oauth-client-id),
    /// authorization-code (headless, with PKCE: only for authorization servers that approve
    /// without a person; the client is registered on the fly unless --oauth-client-id is
    /// given) or jwt-bearer (workload identity: the secret options hold the JWT the
    /// workload's platform issued, e.g. a Kubernetes service account token file, sent as
    /// the assertion of RFC 7523's JWT-bearer grant).
    #[arg(long, value_name = "FLOW", value_parser = choice::<OAuthFlow>(OAuthFlow::VALUES), conflicts_with_all = ["bearer_env", "bearer_file"])]
    oauth_flow: Option<OAuthFlow>,

    /// Authorization-code flow: use this client ID metadata document URL (https) as the
    /// client id when the authorization server supports them.
    #[arg(long, value_name = "URL")]
    oauth_client_metadata_url: Option<String>,

    /// Authorization-code flow: the loopback redirect URI (default
    /// http://127.0.0.1/callback; the code is read from the redirect, nothing listens).
    #[arg(long, value_name = "URI")]
    oauth_redirect_uri: Option<String>,

    /// Authorization-code flow: refresh this grant instead of authorizing, the refresh token
    /// read from this environment variable (needs --oauth-client-id).
    #[arg(long, value_name = "VAR", conflicts_with = "oauth_refresh_token_file")]
    oauth_refresh_token_env: Option<String>,

    /// Authorization-code flow: the refresh token, read from this file.
    #[arg(long, value_name = "FILE")]
    oauth_refresh_token_file: Option<PathBuf>,
}

/// Certificates and redirects (HTTP targets).
#[derive(Debug, Args)]
#[command(next_help_heading = "TLS and redirects")]
struct TlsArgs {
    /// Trust the CA certificates in this PEM file, besides the system's and Mozilla's roots.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// Client certificate (PEM, with intermediates) for mutual TLS; needs --client-key.
    #[arg(long, value_name = "FILE", requires = "client_key")]
    client_cert: Option<PathBuf>,

    /// Private key (PEM) of --client-cert.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    client_key: Option<PathBuf>,

    /// Accept any TLS certificate. The certificate is still reported, and every output
    /// carries the warning insecure_tls.
    #[arg(long)]
    insecure: bool,

    /// Warn when the TLS certificate expires in fewer than this many days (default 14; 0:
    /// never).
    #[arg(long, value_name = "DAYS")]
    cert_warn_days: Option<u32>,

    /// Fail (exit 5, cert_expiring) when the TLS certificate expires in fewer than this many
    /// days.
    #[arg(long, value_name = "DAYS")]
    cert_fail_days: Option<u32>,

    /// Redirects to follow: none (default: a redirect fails with its location) or
    /// same-origin (307/308 within the same scheme, host and port, at most 5; credentials
    /// never go to another origin).
    #[arg(long, value_name = "MODE", value_parser = choice::<FollowRedirects>(FollowRedirects::VALUES))]
    follow_redirects: Option<FollowRedirects>,
}

/// Time and size limits.
#[derive(Debug, Args)]
#[command(next_help_heading = "Limits")]
struct LimitArgs {
    /// Limit for the whole probe, clean-up included (e.g. 10s, 1500ms).
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration)]
    timeout: Option<Duration>,

    /// Limit for establishing a connection.
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration)]
    connect_timeout: Option<Duration>,

    /// Limit for each request (default: the whole --timeout).
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration)]
    request_timeout: Option<Duration>,

    /// Repeat the whole probe until it is healthy or this long has passed (e.g. 60s), with
    /// backoff between attempts; each attempt keeps the limits above. Replaces sleep-and-retry
    /// loops in deploy scripts.
    #[arg(long, value_name = "DURATION", value_parser = mcp_probe_core::parse_duration)]
    wait_until_ready: Option<Duration>,

    /// Largest response body or SSE stream accepted, in bytes (at most 1 GiB).
    #[arg(long, value_name = "BYTES")]
    max_body_bytes: Option<u64>,

    /// Largest single SSE event accepted, in bytes (at most 1 GiB).
    #[arg(long, value_name = "BYTES")]
    max_sse_event_bytes: Option<u64>,

    /// Most pages a list step follows (default 100).
    #[arg(long, value_name = "PAGES")]
    max_pages: Option<u32>,
}

/// One of an option's names (`VALUES`), parsed with the engine's `FromStr`.
fn choice<T>(values: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(values).try_map(|name| name.parse::<T>())
}

/// A flag that is given: `Some(true)`, else not given.
fn given(flag: bool) -> Option<bool> {
    flag.then_some(true)
}

/// How the command line spells a canonical option: `oauthScope` is `--oauth-scope`.
pub(crate) fn flag(option: &str) -> String {
    match option {
        "url" => "URL".to_owned(),
        "command" => "--stdio".to_owned(),
        "arguments" => "--args".to_owned(),
        "headers" => "--header".to_owned(),
        _ => {
            let mut flag = String::from("--");
            for c in option.chars() {
                if c.is_ascii_uppercase() {
                    flag.push('-');
                }
                flag.push(c.to_ascii_lowercase());
            }
            flag
        }
    }
}

/// Every argument of a probe, in its groups: what a subcommand that probes flattens in.
#[derive(Debug, Args)]
pub(crate) struct ProbeArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    steps: StepArgs,
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    tls: TlsArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

impl ProbeArgs {
    /// The options of each target the arguments name, in order: one per URL, or one per
    /// `--scenario` (a single scenario applies to every URL; a single URL overrides every
    /// scenario's target). Always at least one. Errors are what only the command line's text
    /// forms can get wrong (`--header`, `--env`, `--args`); they never repeat a value.
    pub(crate) fn targets(&self) -> Result<Vec<CheckOptions>, String> {
        let common = self.common()?;
        let (urls, scenarios) = (&self.target.url, &self.target.scenario);
        if urls.len() > 1 && scenarios.len() > 1 {
            return Err("give several URLs or several --scenario files, not both".into());
        }
        let with = |url: Option<&String>, scenario: Option<&PathBuf>| {
            let mut o = common.clone();
            o.url = url.cloned();
            o.scenario = scenario.cloned();
            o
        };
        Ok(if urls.len() > 1 {
            urls.iter()
                .map(|u| with(Some(u), scenarios.first()))
                .collect()
        } else if scenarios.len() > 1 {
            scenarios
                .iter()
                .map(|s| with(urls.first(), Some(s)))
                .collect()
        } else {
            vec![with(urls.first(), scenarios.first())]
        })
    }

    /// Every option but the URL and the scenario file.
    fn common(&self) -> Result<CheckOptions, String> {
        let mut o = CheckOptions::default();
        self.target.apply_common(&mut o)?;
        self.steps.apply(&mut o)?;
        self.auth.apply(&mut o)?;
        self.tls.apply(&mut o);
        self.limits.apply(&mut o);
        Ok(o)
    }
}

/// The arguments of a probe that only lists (`snapshot`): the target, authentication, TLS
/// and limit groups of `check`, without its steps.
#[derive(Debug, Args)]
pub(crate) struct ListingArgs {
    #[command(flatten)]
    target: TargetArgs,
    #[command(flatten)]
    connection: ConnectionArgs,
}

impl ListingArgs {
    /// The options of the one target the arguments name (errors as [`ProbeArgs::targets`]).
    pub(crate) fn options(&self) -> Result<CheckOptions, String> {
        let t = &self.target;
        if t.url.len() > 1 || t.scenario.len() > 1 {
            return Err("give one URL (or one --scenario file)".into());
        }
        if t.matrix {
            return Err("--matrix is an option of `check`".into());
        }
        let mut o = CheckOptions::default();
        t.apply_common(&mut o)?;
        o.url = t.url.first().cloned();
        o.scenario = t.scenario.first().cloned();
        self.connection.apply(&mut o)?;
        Ok(o)
    }
}

/// How to reach a server whose URL is given elsewhere (`diff`): the authentication, TLS and
/// limit groups of `check`.
#[derive(Debug, Args)]
pub(crate) struct ConnectionArgs {
    #[command(flatten)]
    auth: AuthArgs,
    #[command(flatten)]
    tls: TlsArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

impl ConnectionArgs {
    /// Sets the options of these groups on `o`.
    pub(crate) fn apply(&self, o: &mut CheckOptions) -> Result<(), String> {
        self.auth.apply(o)?;
        self.tls.apply(o);
        self.limits.apply(o);
        Ok(())
    }
}

impl TargetArgs {
    /// Every target option but the URL and the scenario file.
    fn apply_common(&self, o: &mut CheckOptions) -> Result<(), String> {
        let t = self;
        o.command = t.stdio.then(|| t.command.clone());
        if !t.env.is_empty() {
            o.env = Some(pairs(&t.env, '=', "--env", "NAME=VALUE")?);
        }
        o.cwd = t.cwd.clone();
        o.transport = t.transport;
        o.protocol = t.protocol;
        o.protocol_version = t.protocol_version.clone();
        o.matrix = given(t.matrix);
        Ok(())
    }
}

impl StepArgs {
    fn apply(&self, o: &mut CheckOptions) -> Result<(), String> {
        let s = self;
        o.tool = s.tool.clone();
        o.arguments = s.arguments.as_deref().map(json_object).transpose()?;
        o.expect_text = s.expect_text.clone();
        o.expect_contains = s.expect_contains.clone();
        o.allow_tool_error = given(s.allow_tool_error);
        o.check_auth = given(s.check_auth);
        o.expect_surface = s.expect_surface.clone();
        o.strict_schemas = given(s.strict_schemas);
        Ok(())
    }
}

impl AuthArgs {
    fn apply(&self, o: &mut CheckOptions) -> Result<(), String> {
        let a = self;
        if !a.headers.is_empty() {
            o.headers = Some(pairs(&a.headers, ':', "--header", "\"Name: value\"")?);
        }
        o.bearer_env = a.bearer_env.clone();
        o.bearer_file = a.bearer_file.clone();
        o.oauth_client_id = a.oauth_client_id.clone();
        o.oauth_client_secret_env = a.oauth_client_secret_env.clone();
        o.oauth_client_secret_file = a.oauth_client_secret_file.clone();
        o.oauth_method = a.oauth_method;
        o.oauth_scope = a.oauth_scope.clone();
        o.oauth_token_url = a.oauth_token_url.clone();
        o.oauth_flow = a.oauth_flow;
        o.oauth_client_metadata_url = a.oauth_client_metadata_url.clone();
        o.oauth_redirect_uri = a.oauth_redirect_uri.clone();
        o.oauth_refresh_token_env = a.oauth_refresh_token_env.clone();
        o.oauth_refresh_token_file = a.oauth_refresh_token_file.clone();
        Ok(())
    }
}

impl TlsArgs {
    fn apply(&self, o: &mut CheckOptions) {
        let tls = self;
        o.ca_cert = tls.ca_cert.clone();
        o.client_cert = tls.client_cert.clone();
        o.client_key = tls.client_key.clone();
        o.insecure = given(tls.insecure);
        o.cert_warn_days = tls.cert_warn_days;
        o.cert_fail_days = tls.cert_fail_days;
        o.follow_redirects = tls.follow_redirects;
    }
}

impl LimitArgs {
    fn apply(&self, o: &mut CheckOptions) {
        let l = self;
        o.timeout = l.timeout;
        o.connect_timeout = l.connect_timeout;
        o.request_timeout = l.request_timeout;
        o.wait_until_ready = l.wait_until_ready;
        o.max_body_bytes = l.max_body_bytes;
        o.max_sse_event_bytes = l.max_sse_event_bytes;
        o.max_pages = l.max_pages;
    }
}

/// `NAME=VALUE` (`--env`) or `Name: value` (`--header`, trimmed) arguments as a map.
fn pairs(
    args: &[String],
    separator: char,
    flag: &str,
    form: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for arg in args {
        let Some((name, value)) = arg.split_once(separator) else {
            // The argument may be a bare secret: never echo it.
            return Err(format!(
                "{flag} expects {form} (an argument without `{separator}`; value not shown)"
            ));
        };
        let (name, value) = if separator == ':' {
            (name.trim(), value.trim())
        } else {
            (name, value)
        };
        if name.is_empty() {
            return Err(format!("{flag} has an empty name"));
        }
        map.insert(name.to_owned(), value.to_owned());
    }
    Ok(map)
}

/// `--args` as a JSON object.
fn json_object(text: &str) -> Result<serde_json::Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("--args must be a JSON object, e.g. '{\"a\": 2}'".into()),
        Err(e) => Err(format!("--args is not valid JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use mcp_probe_core::CheckOptions;

    /// Every option of the engine is an argument of `check`, under its canonical name in
    /// snake case, and a flag in kebab case (or positional: the URL and the stdio command).
    #[test]
    fn every_option_is_an_argument() {
        let cli = crate::Cli::command();
        let check = cli.find_subcommand("check").expect("check");
        let help = check.clone().render_long_help().to_string();
        for name in CheckOptions::NAMES {
            let id: String = name
                .chars()
                .flat_map(|c| {
                    let lower = c.to_ascii_lowercase();
                    (c.is_ascii_uppercase().then_some('_').into_iter()).chain([lower])
                })
                .collect();
            let arg = check
                .get_arguments()
                .find(|a| a.get_id() == id.as_str())
                .unwrap_or_else(|| panic!("no argument for the option `{name}` ({id})"));
            let spelled = super::flag(name);
            if arg.is_positional() {
                assert!(["url", "command"].contains(name), "{name} is positional");
            } else {
                let longs = arg.get_long_and_visible_aliases().unwrap_or_default();
                let kebab = id.replace('_', "-");
                // `--header` is the one flag in the singular: it is repeated, one per header.
                let mechanical = longs.contains(&kebab.as_str()) || *name == "headers";
                assert!(
                    mechanical && longs.contains(&spelled.trim_start_matches('-')),
                    "`{name}`: {longs:?}"
                );
            }
            assert!(
                help.contains(&spelled),
                "`{name}` ({spelled}) is not in the help"
            );
        }
    }
}
