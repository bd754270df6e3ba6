//! `mcp-probe check`: turn flags (and an optional scenario file) into a scenario, run it,
//! print the report, exit with the failure family's code.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use mcp_probe_core::{
    CheckAuthStep, CommandSpec, FollowRedirects, OAuthMethod, OAuthSpec, ProtocolChoice, Scenario,
    Step, TransportChoice,
};
use serde_json::Value;

use crate::exit;
use crate::output::{self, Format};

/// Arguments of `mcp-probe check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 healthy, 2 usage, 3 unreachable, 4 timeout, 5 TLS, 6 HTTP status, \
                  7 auth required, 8 protocol, 9 tool error or failed expectation, 1 internal error.\n\
                  Examples:\n  mcp-probe check https://mcp.example.com/mcp\n  \
                  mcp-probe check http://127.0.0.1:8000/mcp --tool add --args '{\"a\":2,\"b\":3}' --expect-text 5 --format json"
)]
pub(crate) struct CheckArgs {
    /// The Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp (optional with --scenario
    /// if the file names a target).
    url: Option<String>,

    /// Probe a local server over stdio: the command and its arguments follow `--`
    /// (e.g. `mcp-probe check --stdio -- python server.py`).
    #[arg(long, conflicts_with = "url")]
    stdio: bool,

    /// The stdio server's command and arguments (after `--`).
    #[arg(last = true, value_name = "COMMAND", requires = "stdio")]
    command: Vec<String>,

    /// Environment variable for the stdio server, as NAME=VALUE (repeatable; added to the
    /// inherited environment; values are never printed).
    #[arg(long = "env", value_name = "NAME=VALUE", requires = "stdio")]
    envs: Vec<String>,

    /// Working directory of the stdio server.
    #[arg(long, value_name = "DIR", requires = "stdio")]
    cwd: Option<PathBuf>,

    /// Transport: auto (Streamable HTTP, falling back to legacy HTTP+SSE when initialize is
    /// refused), streamable-http, sse (legacy 2024-11-05; the URL is the event stream), stdio.
    #[arg(long, value_enum, value_name = "TRANSPORT")]
    transport: Option<TransportArg>,

    /// Protocol era: auto (try 2026-07-28 server/discover, fall back to initialize), modern,
    /// handshake.
    #[arg(long, value_enum, value_name = "ERA")]
    protocol: Option<ProtocolArg>,

    /// Scenario file (YAML or JSON) with steps and expectations; flags override its target.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,

    /// Call this tool after listing tools (it must be listed).
    #[arg(long, value_name = "NAME")]
    tool: Option<String>,

    /// Arguments for --tool, as a JSON object.
    #[arg(long, value_name = "JSON", requires = "tool")]
    args: Option<String>,

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
    #[arg(long, value_name = "ID", conflicts_with_all = ["bearer_env", "bearer_file"])]
    oauth_client_id: Option<String>,

    /// The OAuth client secret, read from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        requires = "oauth_client_id",
        conflicts_with = "oauth_client_secret_file"
    )]
    oauth_client_secret_env: Option<String>,

    /// The OAuth client secret, read from this file.
    #[arg(long, value_name = "FILE", requires = "oauth_client_id")]
    oauth_client_secret_file: Option<PathBuf>,

    /// How the client authenticates to the token endpoint: basic (client_secret_basic, the
    /// default) or post (client_secret_post).
    #[arg(long, value_enum, value_name = "METHOD", requires = "oauth_client_id")]
    oauth_method: Option<OAuthMethodArg>,

    /// The scope to ask the token endpoint for.
    #[arg(long, value_name = "SCOPE", requires = "oauth_client_id")]
    oauth_scope: Option<String>,

    /// The token endpoint (default: discovered from the server's 401 challenge, its protected
    /// resource metadata and its authorization server's metadata).
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    oauth_token_url: Option<String>,

    /// Limit for the whole probe, clean-up included (e.g. 10s, 1500ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,

    /// Limit for establishing a connection.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    connect_timeout: Option<Duration>,

    /// Limit for each request (default: the whole --timeout).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    request_timeout: Option<Duration>,

    /// Ask for this protocol version and accept only it (default: ask for the newest, accept any
    /// this probe speaks).
    #[arg(long, value_name = "VERSION")]
    protocol_version: Option<String>,

    /// Largest response body or SSE stream accepted, in bytes (at most 1 GiB).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..=mcp_probe_core::MAX_LIMIT_BYTES))]
    max_body_bytes: Option<u64>,

    /// Largest single SSE event accepted, in bytes (at most 1 GiB).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..=mcp_probe_core::MAX_LIMIT_BYTES))]
    max_sse_event_bytes: Option<u64>,

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
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=i64::from(mcp_probe_core::MAX_CERT_DAYS)))]
    cert_warn_days: Option<u32>,

    /// Fail (exit 5, cert_expiring) when the TLS certificate expires in fewer than this many
    /// days.
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=i64::from(mcp_probe_core::MAX_CERT_DAYS)))]
    cert_fail_days: Option<u32>,

    /// Redirects to follow: none (default: a redirect fails with its location) or
    /// same-origin (307/308 within the same scheme, host and port, at most 5; credentials
    /// never go to another origin).
    #[arg(long, value_enum, value_name = "MODE")]
    follow_redirects: Option<RedirectArg>,

    /// Check the server's authorization set-up without credentials: the 401 challenge,
    /// protected-resource and authorization-server metadata, PKCE S256. Without credentials
    /// (--bearer-*, an Authorization --header) and without --tool, only this check runs.
    #[arg(long)]
    check_auth: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print nothing on success; on failure print only the reason (to stderr).
    #[arg(long, short)]
    quiet: bool,
}

/// `--transport` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TransportArg {
    Auto,
    StreamableHttp,
    Sse,
    Stdio,
}

/// `--follow-redirects` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RedirectArg {
    None,
    SameOrigin,
}

/// `--oauth-method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OAuthMethodArg {
    Basic,
    Post,
}

/// `--protocol` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProtocolArg {
    Auto,
    Modern,
    Handshake,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{e} (use e.g. 10s, 1500ms, 1m)"))?;
    if d.is_zero() {
        return Err("must be greater than zero".into());
    }
    if d > mcp_probe_core::MAX_TIMEOUT {
        return Err(format!(
            "must be at most {}",
            humantime::format_duration(mcp_probe_core::MAX_TIMEOUT)
        ));
    }
    Ok(d)
}

/// Builds the scenario the flags describe.
fn scenario(args: &CheckArgs) -> Result<Scenario, String> {
    let mut s = match &args.scenario {
        Some(path) => Scenario::from_path(path).map_err(|e| e.to_string())?,
        None => Scenario::new(),
    };
    let http_only = args.ca_cert.is_some()
        || args.client_cert.is_some()
        || args.insecure
        || args.cert_warn_days.is_some()
        || args.cert_fail_days.is_some()
        || args.follow_redirects.is_some();
    if !args.stdio && (!args.envs.is_empty() || args.cwd.is_some()) {
        return Err("--env and --cwd apply to a stdio server (--stdio -- COMMAND)".into());
    }
    if args.stdio && http_only {
        return Err(
            "--ca-cert, --client-cert, --insecure, --cert-*-days and --follow-redirects apply to \
             HTTP targets, not --stdio"
                .into(),
        );
    }
    if args.stdio {
        let Some((program, rest)) = args.command.split_first() else {
            return Err("--stdio needs the server's command after `--`, e.g. `mcp-probe check --stdio -- python server.py`".into());
        };
        if !args.headers.is_empty()
            || args.bearer_env.is_some()
            || args.bearer_file.is_some()
            || args.oauth_client_id.is_some()
        {
            return Err(
                "--header, --bearer-* and --oauth-* apply to HTTP targets, not --stdio".into(),
            );
        }
        let mut command = CommandSpec::new(program.clone(), rest.iter().cloned());
        for pair in &args.envs {
            let Some((name, value)) = pair.split_once('=') else {
                // The argument may be a value given without its name: never echo it.
                return Err(
                    "--env expects NAME=VALUE (an argument without `=`; value not shown)".into(),
                );
            };
            if name.is_empty() {
                return Err("--env has an empty name".into());
            }
            command.env.insert(name.to_owned(), value.to_owned());
        }
        command.cwd = args.cwd.clone();
        s = s.stdio_command(command);
    } else {
        match (&args.url, &s.target) {
            (Some(url), _) => s = s.url(url.clone()),
            (None, Some(_)) => {}
            (None, None) => {
                return Err(
                    "no URL given: `mcp-probe check URL`, `--stdio -- COMMAND`, or a scenario file with a target"
                        .into(),
                )
            }
        }
    }
    if let Some(t) = args.transport {
        s = s.transport(match t {
            TransportArg::Auto => TransportChoice::Auto,
            TransportArg::StreamableHttp => TransportChoice::StreamableHttp,
            TransportArg::Sse => TransportChoice::Sse,
            TransportArg::Stdio => TransportChoice::Stdio,
        });
    }
    if let Some(p) = args.protocol {
        s = s.protocol(match p {
            ProtocolArg::Auto => ProtocolChoice::Auto,
            ProtocolArg::Modern => ProtocolChoice::Modern,
            ProtocolArg::Handshake => ProtocolChoice::Handshake,
        });
    }
    for header in &args.headers {
        let Some((name, value)) = header.split_once(':') else {
            // The argument may be a bare token: never echo it.
            return Err(
                "--header expects \"Name: value\" (an argument without `:`; value not shown)"
                    .into(),
            );
        };
        if name.trim().is_empty() {
            return Err("--header has an empty name".into());
        }
        s = s.header(name.trim(), value.trim());
    }
    if let Some(var) = &args.bearer_env {
        s = s.bearer_env(var.clone());
    }
    if let Some(path) = &args.bearer_file {
        s = s.bearer_file(path.clone());
    }
    if let Some(oauth) = oauth_spec(args)? {
        s = s.oauth(oauth);
    }
    if let Some(path) = &args.ca_cert {
        s = s.ca_cert(path.clone());
    }
    if let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) {
        s = s.client_cert(cert.clone(), key.clone());
    }
    if args.insecure {
        s = s.insecure(true);
    }
    if let Some(days) = args.cert_warn_days {
        s = s.cert_warn_days(days);
    }
    if let Some(days) = args.cert_fail_days {
        s = s.cert_fail_days(days);
    }
    if let Some(mode) = args.follow_redirects {
        s = s.follow_redirects(match mode {
            RedirectArg::None => FollowRedirects::None,
            RedirectArg::SameOrigin => FollowRedirects::SameOrigin,
        });
    }
    if let Some(d) = args.timeout {
        s = s.timeout(d);
    }
    if let Some(d) = args.connect_timeout {
        s = s.connect_timeout(d);
    }
    if let Some(d) = args.request_timeout {
        s = s.request_timeout(d);
    }
    if let Some(n) = args.max_body_bytes {
        s = s.max_body_bytes(n);
    }
    if let Some(n) = args.max_sse_event_bytes {
        s = s.max_sse_event_bytes(n);
    }
    if let Some(v) = &args.protocol_version {
        s = s.protocol_version(v.clone());
    }
    if let Some(tool) = &args.tool {
        let arguments = match &args.args {
            None => Value::Object(Default::default()),
            Some(text) => match serde_json::from_str::<Value>(text) {
                Ok(v @ Value::Object(_)) => v,
                Ok(_) => return Err("--args must be a JSON object, e.g. '{\"a\": 2}'".into()),
                Err(e) => return Err(format!("--args is not valid JSON: {e}")),
            },
        };
        s = s.call_tool(tool.clone(), arguments);
        if let Some(t) = &args.expect_text {
            s = s.expect_text(t.clone());
        }
        if let Some(t) = &args.expect_contains {
            s = s.expect_contains(t.clone());
        }
        if args.allow_tool_error {
            s = s.allow_tool_error();
        }
    }
    if args.check_auth {
        let has_credentials = args.bearer_env.is_some()
            || args.bearer_file.is_some()
            || args.oauth_client_id.is_some()
            || args.headers.iter().any(|h| {
                h.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("authorization:")
            });
        if has_credentials || args.tool.is_some() || args.scenario.is_some() {
            s = s.check_auth();
        } else {
            s.steps = vec![Step::CheckAuth(CheckAuthStep::default())];
        }
    }
    s.validate().map_err(|e| e.to_string())?;
    Ok(s)
}

/// The OAuth client credentials the `--oauth-*` flags give, if any.
fn oauth_spec(args: &CheckArgs) -> Result<Option<OAuthSpec>, String> {
    let Some(id) = &args.oauth_client_id else {
        return Ok(None);
    };
    let mut oauth = match (
        &args.oauth_client_secret_env,
        &args.oauth_client_secret_file,
    ) {
        (Some(var), _) => OAuthSpec::secret_from_env(id.clone(), var.clone()),
        (None, Some(path)) => OAuthSpec::secret_from_file(id.clone(), path.clone()),
        (None, None) => {
            return Err("--oauth-client-id needs --oauth-client-secret-env VAR or \
                        --oauth-client-secret-file FILE (a secret is never given on the \
                        command line)"
                .into())
        }
    };
    if let Some(method) = args.oauth_method {
        oauth = oauth.method(match method {
            OAuthMethodArg::Basic => OAuthMethod::Basic,
            OAuthMethodArg::Post => OAuthMethod::Post,
        });
    }
    if let Some(scope) = &args.oauth_scope {
        oauth = oauth.scope(scope.clone());
    }
    if let Some(url) = &args.oauth_token_url {
        oauth = oauth.token_url(url.clone());
    }
    Ok(Some(oauth))
}

/// Runs `check` and returns the process exit code.
pub(crate) async fn run(args: CheckArgs) -> ExitCode {
    let scenario = match scenario(&args) {
        Ok(s) => s,
        Err(message) => return exit::usage(message),
    };
    // An interrupt stops the probe: dropping it ends what it opened (a stdio server's whole
    // process group is killed), then the exit code says which signal it was.
    let mut interrupts = exit::Interrupts::install();
    let report = tokio::select! {
        checked = mcp_probe_core::check(&scenario) => match checked {
            Ok(r) => r,
            Err(e) => return exit::usage(e),
        },
        signal = interrupts.recv() => return signal,
    };
    let code = match &report.failure {
        None => exit::OK,
        Some(f) => exit::for_family(f.family),
    };
    if args.quiet {
        if let Some(f) = &report.failure {
            eprintln!(
                "mcp-probe: {} ({})",
                output::terminal_safe(&f.message),
                f.code
            );
        }
        return ExitCode::from(code);
    }
    let rendered = match args.format {
        Format::Text => output::text::render(&report),
        Format::Json => output::json::render(&report),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        // A closed pipe (e.g. `| head`) must not turn a verdict into a panic.
        return ExitCode::from(code);
    }
    ExitCode::from(code)
}
