//! What to probe and what to expect: a serde document and a Rust builder with the same shape.
//!
//! ```
//! use mcp_probe_core::Scenario;
//! use std::time::Duration;
//!
//! let scenario = Scenario::for_url("http://127.0.0.1:8000/mcp")
//!     .call_tool("add", serde_json::json!({"a": 2, "b": 3}))
//!     .expect_text("5")
//!     .timeout(Duration::from_secs(10));
//! let same = Scenario::from_yaml(r#"
//! target: {url: "http://127.0.0.1:8000/mcp"}
//! timeouts: {total: 10s}
//! steps:
//!   - step: listTools
//!     expect: {toolsPresent: [add]}
//!   - step: callTool
//!     name: add
//!     arguments: {a: 2, b: 3}
//!     expect: {textEquals: "5"}
//! "#)
//! .unwrap();
//! assert_eq!(scenario.effective_steps(), same.effective_steps());
//! ```

use crate::model::protocol::{ProtocolChoice, MODERN_VERSION};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::model::protocol::FollowRedirects;

use crate::model::elicitation::ElicitationAnswer;
use crate::model::expect::{Expect, TIME_KEYS};
use crate::model::limits::{Limits, Timeouts, MAX_STEPS, MAX_TIMEOUT};
use crate::model::load::LoadThresholds;
use crate::model::protocol::TransportChoice;
use crate::model::steps::{CallToolStep, CheckAuthStep, HandshakeStep, ListToolsStep, Step};
use crate::model::tls::TlsOptions;

fn is_auto(choice: &ProtocolChoice) -> bool {
    *choice == ProtocolChoice::Auto
}

/// A probe to run: the target, limits and the ordered steps with their expectations.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Scenario {
    /// Where to probe. May be left out of a document and given on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSpec>,
    /// How long each phase and the whole probe may take.
    #[serde(default)]
    pub timeouts: Timeouts,
    /// How much the server may send.
    #[serde(default)]
    pub limits: Limits,
    /// Repeat the whole probe until it is healthy or this long has passed (each attempt with
    /// its own timeouts); unset: one attempt.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::model::limits::optional_duration_text"
    )]
    pub wait_until_ready: Option<Duration>,
    /// Which era to speak: `auto` (default: try 2026-07-28 `server/discover`, fall back to
    /// `initialize`), `modern` or `handshake`.
    #[serde(default, skip_serializing_if = "is_auto")]
    pub protocol: ProtocolChoice,
    /// The protocol version to ask for; pins the era (`2026-07-28` → modern, any other →
    /// handshake). Default: the newest this probe speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// Also run the scenario in every era, protocol version and transport the target could
    /// speak (report field `matrix`); `protocol` narrows it to one era, a URL target's
    /// `transport` to one transport. Not together with `protocolVersion`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub matrix: bool,
    /// The steps, in order. Empty means `handshake` then `listTools`; a missing leading
    /// `handshake` is added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// A surface snapshot (`mcp-probe snapshot`) the server must still be compatible with:
    /// the probe also lists resources, resource templates and prompts (those the server
    /// advertises) and fails with `surface_changed` on a breaking change; compatible
    /// changes are a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_surface: Option<PathBuf>,
    /// What the whole probe must show: only `maxMs` (its duration, as reported in
    /// `durationMs`); a probe that takes longer fails with `expectation_failed` on the step
    /// named `probe`.
    #[serde(default, skip_serializing_if = "Expect::is_empty")]
    pub expect: Expect,
    /// Tools' input schemas (from `tools/list`) that are not valid JSON Schema fail the
    /// listing (`expectation_failed`, expectation `inputSchema`) instead of raising the
    /// warning `invalid_input_schema`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict_schemas: bool,
    /// Thresholds for a load run of this scenario (`mcp-probe load`): `maxErrorRate`
    /// (`1%`) and `maxP99` (`200ms`). A probe ignores them; the command line wins.
    #[serde(default, skip_serializing_if = "LoadThresholds::is_empty")]
    pub load: LoadThresholds,
}

/// Where a probe goes and what it sends along: a URL, or a command for stdio.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct TargetSpec {
    /// The endpoint (`http://` or `https://`): the Streamable HTTP endpoint, or for legacy
    /// HTTP+SSE the URL of the event stream. Empty for stdio targets.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// How to reach the server (default `auto`: Streamable HTTP for URLs, with a fallback to
    /// legacy HTTP+SSE; stdio for commands).
    #[serde(default, skip_serializing_if = "TransportChoice::is_auto")]
    pub transport: TransportChoice,
    /// The server to start for stdio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandSpec>,
    /// Extra headers sent with every request. Values are never printed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Name of an environment variable holding a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_env: Option<String>,
    /// Path of a file holding a bearer token (surrounding whitespace is trimmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_file: Option<PathBuf>,
    /// TLS: extra CA, client certificate, `insecure`, certificate expiry thresholds.
    #[serde(default, skip_serializing_if = "TlsOptions::is_default")]
    pub tls: TlsOptions,
    /// Which redirects to follow: `none` (default) or `same-origin` (307/308 only).
    #[serde(default, skip_serializing_if = "FollowRedirects::is_none")]
    pub follow_redirects: FollowRedirects,
    /// OAuth client credentials: the probe gets an access token and sends it as a bearer
    /// token (not together with `bearerEnv`/`bearerFile` or an `Authorization` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<crate::model::oauth::OAuthSpec>,
}

/// What to run for a stdio target: a program, its arguments, extra environment variables
/// and the working directory. The server gets the probe's environment plus `env`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct CommandSpec {
    /// The program: a path, or a name looked up in `PATH`.
    pub program: String,
    /// Its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Variables added to (or replacing in) the inherited environment. Values never appear
    /// in failures or reports.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The working directory (default: the probe's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
}

impl CommandSpec {
    /// A command with arguments.
    pub fn new<I, S>(program: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CommandSpec {
            program: program.into(),
            args: args.into_iter().map(Into::into).collect(),
            env: BTreeMap::new(),
            cwd: None,
        }
    }
}

impl Scenario {
    /// An empty scenario (default steps, default limits, no target).
    pub fn new() -> Self {
        Scenario::default()
    }

    /// A default scenario for a URL.
    pub fn for_url(url: impl Into<String>) -> Self {
        Scenario::new().url(url)
    }

    /// A default scenario for a local server started as a command (stdio).
    pub fn for_command(command: CommandSpec) -> Self {
        Scenario::new().stdio_command(command)
    }

    /// Probes a local server started as `command` over stdio (replacing any URL).
    #[must_use]
    pub fn stdio_command(mut self, command: CommandSpec) -> Self {
        let target = self.target_mut();
        target.url.clear();
        target.command = Some(command);
        target.transport = TransportChoice::Stdio;
        self
    }

    /// Uses this transport.
    #[must_use]
    pub fn transport(mut self, transport: TransportChoice) -> Self {
        self.target_mut().transport = transport;
        self
    }

    /// The transport the target calls for: a command means stdio.
    pub fn effective_transport(&self) -> TransportChoice {
        match &self.target {
            Some(t) if t.transport != TransportChoice::Auto => t.transport,
            Some(t) if t.command.is_some() && t.url.trim().is_empty() => TransportChoice::Stdio,
            _ => TransportChoice::Auto,
        }
    }

    /// Parses a JSON document.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text)
            .map_err(|e| Error::new(ErrorKind::InvalidScenario, format!("scenario: {e}")))
    }

    /// Parses a YAML document (JSON is YAML too).
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        serde_yaml::from_str(text)
            .map_err(|e| Error::new(ErrorKind::InvalidScenario, format!("scenario: {e}")))
    }

    /// Converts a JSON value (a binding's dict or object) into a scenario.
    pub fn from_value(value: Value) -> Result<Self, Error> {
        serde_json::from_value(value)
            .map_err(|e| Error::new(ErrorKind::InvalidScenario, format!("scenario: {e}")))
    }

    /// Reads a `.json`, `.yaml` or `.yml` file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text =
            crate::file::read_limited_text(path, crate::file::MAX_SCENARIO_BYTES).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidScenario,
                    format!("cannot read scenario file {}: {e}", path.display()),
                )
            })?;
        let parsed = if path.extension().is_some_and(|x| x == "json") {
            Scenario::from_json(&text)
        } else {
            Scenario::from_yaml(&text)
        };
        parsed.map_err(|e| {
            Error::new(
                ErrorKind::InvalidScenario,
                format!("{}: {}", path.display(), e),
            )
        })
    }

    /// The scenario as a JSON value (the document form).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn target_mut(&mut self) -> &mut TargetSpec {
        self.target.get_or_insert_with(TargetSpec::default)
    }

    /// Sets the URL to probe.
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.target_mut().url = url.into();
        self
    }

    /// Adds a header sent with every request.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.target_mut().headers.insert(name.into(), value.into());
        self
    }

    /// Sends `Authorization: Bearer <token>` with the token read from an environment variable.
    #[must_use]
    pub fn bearer_env(mut self, var: impl Into<String>) -> Self {
        self.target_mut().bearer_env = Some(var.into());
        self
    }

    /// Sends `Authorization: Bearer <token>` with the token read from a file.
    #[must_use]
    pub fn bearer_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.target_mut().bearer_file = Some(path.into());
        self
    }

    /// Compares the server's surface with the snapshot file at `path` (see
    /// [`Scenario::expect_surface`](Scenario#structfield.expect_surface)).
    #[must_use]
    pub fn expect_surface(mut self, path: impl Into<PathBuf>) -> Self {
        self.expect_surface = Some(path.into());
        self
    }

    /// Gets an access token with OAuth client credentials and sends it as a bearer token.
    #[must_use]
    pub fn oauth(mut self, oauth: crate::model::oauth::OAuthSpec) -> Self {
        self.target_mut().oauth = Some(oauth);
        self
    }

    /// Limits the whole probe, clean-up included.
    #[must_use]
    pub fn timeout(mut self, total: Duration) -> Self {
        self.timeouts.total = total;
        self
    }

    /// Repeats the whole probe until it is healthy or `wait` has passed, with backoff between
    /// attempts; each attempt keeps its own timeouts.
    #[must_use]
    pub fn wait_until_ready(mut self, wait: Duration) -> Self {
        self.wait_until_ready = Some(wait);
        self
    }

    /// Also runs the scenario in every era, version and transport the target could speak
    /// (the `matrix` field).
    #[must_use]
    pub fn matrix(mut self, matrix: bool) -> Self {
        self.matrix = matrix;
        self
    }

    /// Limits connection establishment.
    #[must_use]
    pub fn connect_timeout(mut self, connect: Duration) -> Self {
        self.timeouts.connect = connect;
        self
    }

    /// Limits each request.
    #[must_use]
    pub fn request_timeout(mut self, request: Duration) -> Self {
        self.timeouts.request = Some(request);
        self
    }

    /// Limits the size of a response body (or of one SSE stream).
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// Limits the size of one SSE event.
    #[must_use]
    pub fn max_sse_event_bytes(mut self, bytes: u64) -> Self {
        self.limits.max_sse_event_bytes = bytes;
        self
    }

    /// Limits how many pages a list step reads.
    #[must_use]
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.limits.max_pages = pages;
        self
    }

    /// Speaks only this era (or `Auto` to detect it).
    #[must_use]
    pub fn protocol(mut self, choice: ProtocolChoice) -> Self {
        self.protocol = choice;
        self
    }

    /// The era the scenario pins: `protocol`, or the era of `protocolVersion`.
    pub fn effective_protocol(&self) -> ProtocolChoice {
        match (&self.protocol, self.protocol_version.as_deref()) {
            (ProtocolChoice::Auto, Some(v)) if v == MODERN_VERSION => ProtocolChoice::Modern,
            (ProtocolChoice::Auto, Some(_)) => ProtocolChoice::Handshake,
            (choice, _) => *choice,
        }
    }

    /// The last `tools/call` step answers a 2026-07-28 `input_required` with these responses.
    #[must_use]
    pub fn input_responses(mut self, responses: Value) -> Self {
        if let (Some(call), Value::Object(map)) = (self.last_call_mut(), responses) {
            call.input_responses = Some(map);
        }
        self
    }

    /// The last `tools/call` step answers the server's `elicitation/create` requests with
    /// `answer` (and the probe declares the `elicitation` capability).
    #[must_use]
    pub fn answer_elicitation(mut self, answer: ElicitationAnswer) -> Self {
        if let Some(call) = self.last_call_mut() {
            call.elicitation = Some(answer);
        }
        self
    }

    /// Whether a step answers elicitation requests: the probe then declares the capability.
    pub(crate) fn answers_elicitation(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, Step::CallTool(c) if c.elicitation.is_some()))
    }

    /// Asks for `version` and accepts only `version`.
    #[must_use]
    pub fn protocol_version(mut self, version: impl Into<String>) -> Self {
        let version = version.into();
        self.protocol_version = Some(version.clone());
        self.handshake_mut().expect.protocol_versions = Some(vec![version]);
        self
    }

    /// Accepts any of these negotiated versions.
    #[must_use]
    pub fn accept_versions<I, S>(mut self, versions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.handshake_mut().expect.protocol_versions =
            Some(versions.into_iter().map(Into::into).collect());
        self
    }

    /// Requires `serverInfo.name` to be `name`.
    #[must_use]
    pub fn expect_server_name(mut self, name: impl Into<String>) -> Self {
        self.handshake_mut().expect.server_name = Some(name.into());
        self
    }

    /// Appends a step.
    #[must_use]
    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Makes sure the scenario lists tools (the default scenario already does).
    #[must_use]
    pub fn list_tools(mut self) -> Self {
        self.list_mut();
        self
    }

    /// Requires the tool to be listed (adding a `tools/list` step if there is none).
    #[must_use]
    pub fn expect_tool(mut self, name: impl Into<String>) -> Self {
        self.list_mut().expect.tools_present.push(name.into());
        self
    }

    /// Appends a `tools/call` step; the tool must be listed. `arguments` should be a JSON
    /// object; anything else is sent as `{}`.
    #[must_use]
    pub fn call_tool(mut self, name: impl Into<String>, arguments: Value) -> Self {
        let name = name.into();
        self = self.expect_tool(name.clone());
        let arguments = match arguments {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        self.steps.push(Step::CallTool(CallToolStep {
            id: None,
            name,
            arguments,
            input_responses: None,
            elicitation: None,
            expect: Expect::default(),
        }));
        self
    }

    /// The last `tools/call` step's text must equal `text`.
    #[must_use]
    pub fn expect_text(mut self, text: impl Into<String>) -> Self {
        if let Some(call) = self.last_call_mut() {
            call.expect.text_equals = Some(text.into());
        }
        self
    }

    /// The last `tools/call` step's text must contain `text`.
    #[must_use]
    pub fn expect_contains(mut self, text: impl Into<String>) -> Self {
        if let Some(call) = self.last_call_mut() {
            call.expect.text_contains = Some(text.into());
        }
        self
    }

    /// The last `tools/call` step accepts `isError: true`.
    #[must_use]
    pub fn allow_tool_error(mut self) -> Self {
        if let Some(call) = self.last_call_mut() {
            call.expect.allow_error = true;
        }
        self
    }

    /// The steps that will run: defaults filled in, a `handshake` ensured before the first
    /// step that needs a session (an `auth` check alone needs none).
    pub fn effective_steps(&self) -> Vec<Step> {
        let mut steps = if self.steps.is_empty() {
            vec![Step::ListTools(ListToolsStep::default())]
        } else {
            self.steps.clone()
        };
        let first_session_step = steps.iter().position(Step::needs_session);
        let handshake = steps.iter().position(|s| matches!(s, Step::Handshake(_)));
        if let (Some(at), None) = (first_session_step, handshake) {
            steps.insert(at, Step::Handshake(HandshakeStep::default()));
        }
        steps
    }

    /// Adds the authorization check (done without credentials) before everything else.
    #[must_use]
    pub fn check_auth(mut self) -> Self {
        if !self.steps.iter().any(|s| matches!(s, Step::CheckAuth(_))) {
            // The default steps stay: an empty list means "handshake, listTools".
            if self.steps.is_empty() {
                self.steps = self.effective_steps();
            }
            self.steps
                .insert(0, Step::CheckAuth(CheckAuthStep::default()));
        }
        self
    }

    /// Checks the scenario for mistakes a probe cannot recover from.
    pub fn validate(&self) -> Result<(), Error> {
        self.validate_steps()?;
        if let Some(key) = self
            .expect
            .keys()
            .into_iter()
            .find(|k| !TIME_KEYS.contains(k))
        {
            return invalid(format!(
                "the scenario's top-level `expect` can only hold `maxMs`, not `{key}`"
            ));
        }
        if let Some(target) = &self.target {
            self.validate_target(target)?;
        }
        if let Some(target) = &self.target {
            self.validate_credentials(target)?;
        }
        self.timeouts.validate()?;
        self.validate_wait()?;
        if self.matrix && self.protocol_version.is_some() {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                "matrix runs every protocol version; leave out protocolVersion",
            ));
        }
        self.limits.validate()?;
        self.load.validate()?;
        self.validate_protocol_version()
    }

    /// `waitUntilReady` is greater than zero and at most [`MAX_TIMEOUT`].
    fn validate_wait(&self) -> Result<(), Error> {
        match self.wait_until_ready {
            Some(d) if d.is_zero() => Err(Error::new(
                ErrorKind::InvalidOption,
                "waitUntilReady must be greater than zero",
            )),
            Some(d) if d > MAX_TIMEOUT => Err(Error::new(
                ErrorKind::InvalidOption,
                format!(
                    "waitUntilReady is {}; at most {} is allowed",
                    humantime::format_duration(d),
                    humantime::format_duration(MAX_TIMEOUT)
                ),
            )),
            _ => Ok(()),
        }
    }

    /// How many steps, in what order, and a `checkAuth` only with a URL target.
    fn validate_steps(&self) -> Result<(), Error> {
        if self.steps.len() > MAX_STEPS {
            return invalid(format!(
                "the scenario has {} steps; at most {MAX_STEPS} are allowed",
                self.steps.len()
            ));
        }
        // The steps as written: the handshake and listing `effective_steps` may add are
        // always in order and have no problem of their own, so checking them is not needed
        // (and the steps are not copied on every probe).
        let steps = &self.steps;
        let handshakes: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s, Step::Handshake(_)))
            .map(|(i, _)| i)
            .collect();
        let first_session_step = steps.iter().position(Step::needs_session);
        match (handshakes.as_slice(), first_session_step) {
            ([], _) => {}
            ([h], Some(s)) if *h > s => {
                return invalid("`handshake` must come before `listTools` and `callTool`".into())
            }
            ([_], _) => {}
            _ => return invalid("`handshake` may appear only once".into()),
        }
        if steps.iter().any(|s| matches!(s, Step::CheckAuth(_)))
            && self.effective_transport() == TransportChoice::Stdio
        {
            return invalid("the `checkAuth` step needs a URL target".into());
        }
        match steps.iter().find_map(Step::problem) {
            Some(problem) => invalid(problem),
            None => Ok(()),
        }
    }

    /// A URL, or a command with the stdio transport; never both, never neither.
    fn validate_target(&self, target: &TargetSpec) -> Result<(), Error> {
        let has_url = !target.url.trim().is_empty();
        match (self.effective_transport(), has_url, &target.command) {
            (TransportChoice::Stdio, _, None) => {
                invalid("the stdio transport needs a `command`".into())
            }
            (TransportChoice::Stdio, _, Some(c)) if c.program.trim().is_empty() => {
                invalid("`command.program` must not be empty".into())
            }
            (TransportChoice::Stdio, true, _) => {
                invalid("give either a `url` or a `command` (stdio), not both".into())
            }
            (TransportChoice::Stdio, false, Some(_)) => Ok(()),
            (_, _, Some(_)) => invalid(
                "a `command` needs the stdio transport (leave `transport` out or set it to stdio)"
                    .into(),
            ),
            (_, false, None) => Err(Error::new(ErrorKind::InvalidUrl, "no URL given")),
            (_, true, None) => Ok(()),
        }
    }

    /// The TLS options, and OAuth client credentials only with a URL and no other credential.
    fn validate_credentials(&self, target: &TargetSpec) -> Result<(), Error> {
        target.tls.validate()?;
        let Some(oauth) = &target.oauth else {
            return Ok(());
        };
        if self.effective_transport() == TransportChoice::Stdio {
            return invalid("`oauth` needs a URL target".into());
        }
        if target.bearer_env.is_some() || target.bearer_file.is_some() {
            return invalid("give either a bearer token (`bearerEnv`/`bearerFile`) or OAuth client credentials (`oauth`), not both".into());
        }
        if target
            .headers
            .keys()
            .any(|name| name.trim().eq_ignore_ascii_case("authorization"))
        {
            return invalid("an `Authorization` header cannot be combined with OAuth client credentials (`oauth`)".into());
        }
        oauth.validate()
    }

    /// A protocol version is not empty and belongs to the chosen era.
    fn validate_protocol_version(&self) -> Result<(), Error> {
        let Some(v) = &self.protocol_version else {
            return Ok(());
        };
        if v.trim().is_empty() {
            return invalid("`protocolVersion` must not be empty".into());
        }
        let era_of_version = if v == MODERN_VERSION {
            ProtocolChoice::Modern
        } else {
            ProtocolChoice::Handshake
        };
        if self.protocol != ProtocolChoice::Auto && self.protocol != era_of_version {
            return invalid(format!(
                "`protocolVersion: {v}` belongs to the {} era, but `protocol` is {}",
                era_of_version.as_str(),
                self.protocol.as_str()
            ));
        }
        Ok(())
    }

    /// Turns implicit steps into explicit ones, so builder methods can refine them.
    fn ensure_handshake(&mut self) {
        self.steps = self.effective_steps();
        if !self.steps.iter().any(|s| matches!(s, Step::Handshake(_))) {
            let at = self
                .steps
                .iter()
                .position(|s| !matches!(s, Step::CheckAuth(_)))
                .unwrap_or(self.steps.len());
            self.steps
                .insert(at, Step::Handshake(HandshakeStep::default()));
        }
    }

    fn handshake_mut(&mut self) -> &mut HandshakeStep {
        self.ensure_handshake();
        let found = self.steps.iter_mut().find_map(|s| match s {
            Step::Handshake(h) => Some(h),
            _ => None,
        });
        match found {
            Some(h) => h,
            None => unreachable!("ensure_handshake put a handshake in"),
        }
    }

    fn list_mut(&mut self) -> &mut ListToolsStep {
        self.ensure_handshake();
        // `ensure_handshake` keeps the default listing, so this finds it unless the caller's
        // own steps had none.
        let idx = match self
            .steps
            .iter()
            .position(|s| matches!(s, Step::ListTools(_)))
        {
            Some(i) => i,
            None => {
                self.steps.push(Step::ListTools(ListToolsStep::default()));
                self.steps.len() - 1
            }
        };
        match &mut self.steps[idx] {
            Step::ListTools(l) => l,
            _ => unreachable!("index points at a list step"),
        }
    }

    /// The expectations of the tool listing (added if there is none).
    pub(crate) fn list_tools_expect(&mut self) -> &mut Expect {
        &mut self.list_mut().expect
    }

    fn last_call_mut(&mut self) -> Option<&mut CallToolStep> {
        self.steps.iter_mut().rev().find_map(|s| match s {
            Step::CallTool(c) => Some(c),
            _ => None,
        })
    }
}

/// TLS and redirect options of the target.
impl Scenario {
    /// Trusts the CA certificates in this PEM file (besides Mozilla's and the system's roots).
    #[must_use]
    pub fn ca_cert(mut self, path: impl Into<PathBuf>) -> Self {
        self.target_mut().tls.ca_cert = Some(path.into());
        self
    }

    /// Presents this client certificate (PEM, with intermediates) and key (PEM) for mutual TLS.
    #[must_use]
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        let tls = &mut self.target_mut().tls;
        tls.client_cert = Some(cert.into());
        tls.client_key = Some(key.into());
        self
    }

    /// Accepts any server certificate (still reported; every report warns `insecure_tls`).
    #[must_use]
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.target_mut().tls.insecure = insecure;
        self
    }

    /// Warns when the certificate expires in fewer than `days` days (default 14; 0: never).
    #[must_use]
    pub fn cert_warn_days(mut self, days: u32) -> Self {
        self.target_mut().tls.cert_warn_days = days;
        self
    }

    /// Fails (`cert_expiring`) when the certificate expires in fewer than `days` days.
    #[must_use]
    pub fn cert_fail_days(mut self, days: u32) -> Self {
        self.target_mut().tls.cert_fail_days = Some(days);
        self
    }

    /// Which redirects to follow (default: none).
    #[must_use]
    pub fn follow_redirects(mut self, follow: FollowRedirects) -> Self {
        self.target_mut().follow_redirects = follow;
        self
    }
}

/// An `invalid_scenario` error.
fn invalid(message: String) -> Result<(), Error> {
    Err(Error::new(ErrorKind::InvalidScenario, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn default_steps_are_handshake_then_list() {
        let steps = Scenario::for_url("http://x/mcp").effective_steps();
        assert_eq!(
            steps.iter().map(Step::name).collect::<Vec<_>>(),
            ["handshake", "tools/list"]
        );
    }

    #[test]
    fn builder_and_document_agree() {
        let built = Scenario::for_url("http://x/mcp")
            .call_tool("add", json!({"a": 2}))
            .expect_text("5");
        let doc = Scenario::from_value(json!({
            "target": {"url": "http://x/mcp"},
            "steps": [
                {"step": "handshake"},
                {"step": "listTools", "expect": {"toolsPresent": ["add"]}},
                {"step": "callTool", "name": "add", "arguments": {"a": 2}, "expect": {"textEquals": "5"}}
            ]
        }))
        .unwrap();
        assert_eq!(built, doc);
        let round = Scenario::from_json(&serde_json::to_string(&built).unwrap()).unwrap();
        assert_eq!(round, built);
    }

    #[test]
    fn refining_the_handshake_keeps_the_default_listing() {
        let s = Scenario::for_url("http://x").protocol_version("2025-06-18");
        assert_eq!(
            s.effective_steps()
                .iter()
                .map(Step::name)
                .collect::<Vec<_>>(),
            ["handshake", "tools/list"]
        );
        let s = Scenario::for_url("http://x")
            .list_tools()
            .list_tools()
            .expect_tool("a");
        assert_eq!(s.steps.len(), 2);
    }

    #[test]
    fn an_auth_check_alone_needs_no_handshake() {
        let mut s = Scenario::for_url("http://x/mcp");
        s.steps = vec![Step::CheckAuth(CheckAuthStep::default())];
        assert_eq!(
            s.effective_steps()
                .iter()
                .map(Step::name)
                .collect::<Vec<_>>(),
            ["auth"]
        );
        let s = Scenario::for_url("http://x/mcp").check_auth();
        assert_eq!(
            s.effective_steps()
                .iter()
                .map(Step::name)
                .collect::<Vec<_>>(),
            ["auth", "handshake", "tools/list"]
        );
        let s = Scenario::for_url("http://x/mcp")
            .check_auth()
            .call_tool("add", serde_json::json!({}));
        assert_eq!(
            s.effective_steps()
                .iter()
                .map(Step::name)
                .collect::<Vec<_>>(),
            ["auth", "handshake", "tools/list", "tools/call"]
        );
        assert!(s.validate().is_ok());
        let doc = Scenario::from_yaml(
            "target: {url: 'http://x'}\nsteps: [{step: listTools}, {step: handshake}]\n",
        )
        .unwrap();
        assert!(doc.validate().unwrap_err().is_invalid_scenario());
    }

    #[test]
    fn missing_handshake_is_added() {
        let doc = Scenario::from_yaml("steps:\n- step: listTools\n").unwrap();
        assert_eq!(doc.effective_steps()[0].name(), "handshake");
    }

    #[test]
    fn unknown_fields_and_steps_are_rejected() {
        let e = Scenario::from_yaml("steps:\n- step: frobnicate\n").unwrap_err();
        assert!(e.is_invalid_scenario(), "{e}");
        let e = Scenario::from_yaml("target: {url: x, nope: 1}\n").unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }

    #[test]
    fn durations_parse_as_text_or_millis() {
        let s = Scenario::from_yaml("timeouts: {total: 3s}\nlimits: {maxPages: 2}\n").unwrap();
        assert_eq!(s.timeouts.connect, Timeouts::default().connect);
        assert_eq!(s.limits.max_body_bytes, Limits::default().max_body_bytes);
        let s =
            Scenario::from_yaml("timeouts: {total: 2s, connect: 250, request: 1500ms}\n").unwrap();
        assert_eq!(s.timeouts.total, Duration::from_secs(2));
        assert_eq!(s.timeouts.connect, Duration::from_millis(250));
        assert_eq!(s.timeouts.request, Some(Duration::from_millis(1500)));
        let e = Scenario::from_yaml("timeouts: {total: soon}\n").unwrap_err();
        assert!(e.to_string().contains("invalid duration"), "{e}");
        let s = Scenario::from_yaml("waitUntilReady: 30s\n").unwrap();
        assert_eq!(s.wait_until_ready, Some(Duration::from_secs(30)));
        assert_eq!(s.to_value()["waitUntilReady"], json!("30s"));
        assert!(Scenario::new().to_value().get("waitUntilReady").is_none());
    }

    #[test]
    fn wait_until_ready_is_range_checked() {
        for bad in [Duration::ZERO, MAX_TIMEOUT + Duration::from_secs(1)] {
            let s = Scenario::for_url("http://x").wait_until_ready(bad);
            assert_eq!(s.validate().unwrap_err().kind(), ErrorKind::InvalidOption);
        }
        assert!(Scenario::for_url("http://x")
            .wait_until_ready(MAX_TIMEOUT)
            .validate()
            .is_ok());
    }

    #[test]
    fn validation_catches_mistakes() {
        let s = Scenario::for_url("http://x").timeout(Duration::ZERO);
        assert_eq!(s.validate().unwrap_err().kind(), ErrorKind::InvalidOption);
        let s = Scenario::for_url("http://x").call_tool(" ", json!({}));
        assert!(s.validate().unwrap_err().is_invalid_scenario());
        let s = Scenario::for_url("http://x").step(Step::Handshake(HandshakeStep::default()));
        assert!(s.validate().is_ok());
        let s = s.step(Step::Handshake(HandshakeStep::default()));
        assert!(s.validate().unwrap_err().is_invalid_scenario());
    }

    #[test]
    fn stdio_targets_are_commands() {
        let s = Scenario::for_command(CommandSpec::new("python3", ["server.py"]));
        assert_eq!(s.effective_transport(), TransportChoice::Stdio);
        assert!(s.validate().is_ok());
        let doc = Scenario::from_yaml(
            "target:\n  command: {program: node, args: [dist/index.js, stdio], env: {DEBUG: '1'}, cwd: /srv}\n",
        )
        .unwrap();
        assert_eq!(doc.effective_transport(), TransportChoice::Stdio);
        assert_eq!(
            doc.target.as_ref().unwrap().command.as_ref().unwrap().args[1],
            "stdio"
        );
        let both = Scenario::from_yaml(
            "target: {url: 'http://x/mcp', transport: stdio, command: {program: x}}\n",
        )
        .unwrap();
        assert!(both.validate().unwrap_err().is_invalid_scenario());
        let no_cmd = Scenario::from_yaml("target: {transport: stdio}\n").unwrap();
        assert!(no_cmd.validate().unwrap_err().is_invalid_scenario());
        let sse = Scenario::from_yaml("target: {url: 'http://x/sse', transport: sse}\n").unwrap();
        assert_eq!(sse.effective_transport(), TransportChoice::Sse);
        let none = Scenario::from_yaml("target: {}\n").unwrap();
        assert!(none.validate().unwrap_err().is_invalid_url());
    }

    #[test]
    fn the_era_follows_the_pinned_version() {
        let s = Scenario::for_url("http://x");
        assert_eq!(s.effective_protocol(), ProtocolChoice::Auto);
        let s = Scenario::for_url("http://x").protocol_version("2026-07-28");
        assert_eq!(s.effective_protocol(), ProtocolChoice::Modern);
        let s = Scenario::for_url("http://x").protocol_version("2025-03-26");
        assert_eq!(s.effective_protocol(), ProtocolChoice::Handshake);
        let s = s.protocol(ProtocolChoice::Modern);
        assert!(s.validate().unwrap_err().is_invalid_scenario());
        let doc = Scenario::from_yaml("protocol: handshake\n").unwrap();
        assert_eq!(doc.effective_protocol(), ProtocolChoice::Handshake);
    }

    #[test]
    fn pinned_version_is_asked_and_required() {
        let s = Scenario::for_url("http://x").protocol_version("2025-06-18");
        assert_eq!(s.protocol_version.as_deref(), Some("2025-06-18"));
        match &s.effective_steps()[0] {
            Step::Handshake(h) => assert_eq!(
                h.expect.protocol_versions.as_deref(),
                Some(&["2025-06-18".to_string()][..])
            ),
            other => panic!("first step is {other:?}"),
        }
    }
}
