//! The `serve` configuration file: defaults, modules (scenario documents without a target),
//! targets, the `/probe` allow-list and alerts. Parsed with the scenario's own serde model
//! and checked as a whole before anything runs; every error names its path in the file
//! (`targets[3].module: unknown module "deep"`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use mcp_probe_core::{CommandSpec, Scenario};
use serde::{Deserialize, Deserializer};

/// Largest configuration file read (the scenario files' limit is the same order).
const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Default probe interval.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// PagerDuty's Events API v2, the default URL of a `pagerduty` webhook.
const PAGERDUTY_EVENTS: &str = "https://events.pagerduty.com/v2/enqueue";
/// Shortest interval accepted.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// Label names the report metrics use themselves, so a target's labels cannot take them.
const RESERVED_LABELS: &[&str] = &[
    "target",
    "step",
    "phase",
    "code",
    "family",
    "version",
    "era",
    "transport",
    "hash",
    "module",
    "instance",
    "job",
    "result",
];

/// A duration written as text (`60s`, `1500ms`, `1m`).
fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    text.map(|t| mcp_probe_core::parse_duration(&t).map_err(serde::de::Error::custom))
        .transpose()
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    #[serde(default)]
    defaults: Defaults,
    #[serde(default)]
    modules: BTreeMap<String, Scenario>,
    #[serde(default)]
    targets: Vec<TargetEntry>,
    #[serde(default)]
    probe: ProbeSection,
    #[serde(default)]
    alerts: AlertsSection,
}

/// `defaults:` what every target gets unless it says otherwise.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Defaults {
    #[serde(default, deserialize_with = "duration")]
    interval: Option<Duration>,
    #[serde(default, deserialize_with = "duration")]
    timeout: Option<Duration>,
    failure_threshold: Option<u32>,
    success_threshold: Option<u32>,
}

/// One entry of `targets:`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetEntry {
    name: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    command: Option<CommandSpec>,
    #[serde(default)]
    module: Option<String>,
    #[serde(default, deserialize_with = "duration")]
    interval: Option<Duration>,
    #[serde(default, deserialize_with = "duration")]
    timeout: Option<Duration>,
    failure_threshold: Option<u32>,
    success_threshold: Option<u32>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// `probe:` the `/probe` endpoint.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProbeSection {
    #[serde(default)]
    allow: Vec<String>,
}

/// `alerts:` where state changes go besides stdout.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AlertsSection {
    #[serde(default)]
    webhooks: Vec<WebhookEntry>,
    #[serde(default = "yes")]
    send_resolved: bool,
    #[serde(default, deserialize_with = "duration")]
    reminder_interval: Option<Duration>,
}

impl Default for AlertsSection {
    fn default() -> Self {
        AlertsSection {
            webhooks: Vec::new(),
            send_resolved: true,
            reminder_interval: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// One entry of `alerts.webhooks`. The URL (a Slack webhook URL is a secret) and the
/// PagerDuty routing key may come from the environment or a file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebhookEntry {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    url_env: Option<String>,
    #[serde(default)]
    url_file: Option<PathBuf>,
    #[serde(default)]
    format: WebhookFormat,
    #[serde(default)]
    routing_key_env: Option<String>,
    #[serde(default)]
    routing_key_file: Option<PathBuf>,
}

/// The body a webhook gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum WebhookFormat {
    /// The state change as JSON (the stdout line's fields).
    #[default]
    Generic,
    /// Slack incoming webhook: `{"text": …}`.
    Slack,
    /// PagerDuty Events API v2: trigger on down, resolve on up, dedup key per target.
    Pagerduty,
}

/// A validated configuration: what the scheduler, the endpoints and the alerts run on.
#[derive(Debug)]
pub(crate) struct Config {
    /// The targets, in file order.
    pub(crate) targets: Vec<Arc<Target>>,
    /// The modules by name, for `/probe`.
    pub(crate) modules: BTreeMap<String, Module>,
    /// `probe.allow` glob patterns.
    pub(crate) allow: Vec<String>,
    /// `defaults.timeout`, for `/probe`.
    pub(crate) default_timeout: Option<Duration>,
    /// `alerts`.
    pub(crate) alerts: Alerts,
}

/// A module: a scenario without a target, and its timeout (target-independent part).
#[derive(Debug, Clone)]
pub(crate) struct Module {
    scenario: Scenario,
    /// Whether the document set `timeouts.total` itself.
    sets_timeout: bool,
}

/// One watched target.
#[derive(Debug)]
pub(crate) struct Target {
    /// Its name (unique; the `target` label).
    pub(crate) name: String,
    /// The module it runs.
    pub(crate) module: String,
    /// What it shows of where it goes: the URL, or `stdio: PROGRAM`.
    pub(crate) endpoint: String,
    /// The scenario run at each interval.
    pub(crate) scenario: Scenario,
    /// Time between probe starts.
    pub(crate) interval: Duration,
    /// Consecutive failures before it is down.
    pub(crate) failure_threshold: u32,
    /// Consecutive successes before it is up.
    pub(crate) success_threshold: u32,
    /// Extra labels of its series and alerts.
    pub(crate) labels: BTreeMap<String, String>,
}

/// `alerts`, with secrets resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct Alerts {
    /// Where state changes are posted.
    pub(crate) webhooks: Vec<Webhook>,
    /// Whether going back up is sent too.
    pub(crate) send_resolved: bool,
    /// While down, repeat the alert this often.
    pub(crate) reminder_interval: Option<Duration>,
}

/// A webhook, with its secrets resolved. `Debug` shows neither the URL nor the key.
#[derive(Clone)]
pub(crate) struct Webhook {
    /// Where it is posted.
    pub(crate) url: String,
    /// The body's format.
    pub(crate) format: WebhookFormat,
    /// PagerDuty's routing key.
    pub(crate) routing_key: Option<String>,
    /// How it is named in logs: `alerts.webhooks[0]`.
    pub(crate) name: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Module {
    /// The module's scenario for `url` (or `command`) with `timeout` unless the module sets one.
    pub(crate) fn scenario_for(
        &self,
        url: Option<&str>,
        command: Option<&CommandSpec>,
        timeout: Option<Duration>,
    ) -> Scenario {
        let mut scenario = self.scenario.clone();
        if let Some(command) = command {
            scenario = scenario.stdio_command(command.clone());
        } else if let Some(url) = url {
            scenario = scenario.url(url);
        }
        if let Some(timeout) = timeout.filter(|_| !self.sets_timeout) {
            scenario.timeouts.total = timeout;
        }
        // A connection may not take longer than the whole probe.
        scenario.timeouts.connect = scenario.timeouts.connect.min(scenario.timeouts.total);
        scenario
    }
}

impl Config {
    /// Reads and checks the file at `path`.
    pub(crate) fn load(path: &Path) -> Result<Config, String> {
        let text = read_limited(path, MAX_CONFIG_BYTES)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Config::parse(&text)
    }

    /// Parses and checks a configuration document.
    pub(crate) fn parse(text: &str) -> Result<Config, String> {
        let de = serde_yaml::Deserializer::from_str(text);
        let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.inner().to_string();
            // The YAML parser may start its message with a path of its own: keep one.
            let message = match inner.split_once(": ") {
                Some((prefix, rest))
                    if !prefix.contains(char::is_whitespace) && path.starts_with(prefix) =>
                {
                    rest.to_owned()
                }
                _ => inner,
            };
            if path == "." {
                message
            } else {
                format!("{path}: {message}")
            }
        })?;
        let sets_timeout = module_timeouts(text);
        Config::check(file, &sets_timeout)
    }

    fn check(file: File, sets_timeout: &HashSet<String>) -> Result<Config, String> {
        let d = &file.defaults;
        let interval = d.interval.unwrap_or(DEFAULT_INTERVAL);
        check_interval("defaults.interval", interval)?;
        let failure_threshold = d.failure_threshold.unwrap_or(3);
        let success_threshold = d.success_threshold.unwrap_or(1);
        check_threshold("defaults.failureThreshold", failure_threshold)?;
        check_threshold("defaults.successThreshold", success_threshold)?;
        if let Some(t) = d.timeout {
            check_timeout("defaults.timeout", t)?;
        }

        let mut modules = BTreeMap::new();
        for (name, scenario) in file.modules {
            if let Some(t) = &scenario.target {
                if !t.url.is_empty() || t.command.is_some() {
                    return Err(format!(
                        "modules.{name}.target: a module has no URL or command; give them in `targets`"
                    ));
                }
            }
            let sets = sets_timeout.contains(&name);
            modules.insert(
                name,
                Module {
                    scenario,
                    sets_timeout: sets,
                },
            );
        }
        modules.entry("default".to_owned()).or_insert(Module {
            scenario: Scenario::new(),
            sets_timeout: false,
        });
        // Each module must be a valid scenario once it has a target.
        for (name, module) in &modules {
            let probe = module.scenario_for(Some("http://module.invalid/mcp"), None, d.timeout);
            let stdio_only =
                module.scenario.effective_transport() == mcp_probe_core::TransportChoice::Stdio;
            if !stdio_only {
                probe
                    .validate()
                    .map_err(|e| format!("modules.{name}: {e}"))?;
            }
        }

        let mut names = HashSet::new();
        let mut targets = Vec::with_capacity(file.targets.len());
        for (i, t) in file.targets.into_iter().enumerate() {
            let at = format!("targets[{i}]");
            if t.name.trim().is_empty() {
                return Err(format!("{at}.name: must not be empty"));
            }
            if !names.insert(t.name.clone()) {
                return Err(format!("{at}.name: duplicate name {:?}", t.name));
            }
            let module_name = t.module.clone().unwrap_or_else(|| "default".to_owned());
            let Some(module) = modules.get(&module_name) else {
                return Err(format!("{at}.module: unknown module {module_name:?}"));
            };
            let endpoint = match (&t.url, &t.command) {
                (Some(_), Some(_)) => {
                    return Err(format!("{at}: give either `url` or `command`, not both"))
                }
                (None, None) => return Err(format!("{at}: give a `url` or a `command`")),
                (Some(url), None) => shown_url(url),
                (None, Some(c)) => format!("stdio: {}", c.program),
            };
            let interval = t.interval.unwrap_or(interval);
            check_interval(&format!("{at}.interval"), interval)?;
            if let Some(timeout) = t.timeout {
                check_timeout(&format!("{at}.timeout"), timeout)?;
            }
            let failure_threshold = t.failure_threshold.unwrap_or(failure_threshold);
            let success_threshold = t.success_threshold.unwrap_or(success_threshold);
            check_threshold(&format!("{at}.failureThreshold"), failure_threshold)?;
            check_threshold(&format!("{at}.successThreshold"), success_threshold)?;
            for name in t.labels.keys() {
                check_label(&format!("{at}.labels.{name}"), name)?;
            }
            let mut scenario = module.scenario_for(
                t.url.as_deref(),
                t.command.as_ref(),
                t.timeout.or(d.timeout),
            );
            if let Some(timeout) = t.timeout {
                // The target's own timeout wins over its module's.
                scenario.timeouts.total = timeout;
                scenario.timeouts.connect = scenario.timeouts.connect.min(timeout);
            }
            scenario.validate().map_err(|e| format!("{at}: {e}"))?;
            targets.push(Arc::new(Target {
                name: t.name,
                module: module_name,
                endpoint,
                scenario,
                interval,
                failure_threshold,
                success_threshold,
                labels: t.labels,
            }));
        }

        for (i, pattern) in file.probe.allow.iter().enumerate() {
            if pattern.trim().is_empty() {
                return Err(format!("probe.allow[{i}]: must not be empty"));
            }
        }

        let mut webhooks = Vec::new();
        for (i, w) in file.alerts.webhooks.into_iter().enumerate() {
            let at = format!("alerts.webhooks[{i}]");
            let url = match secret(&at, "url", w.url, w.url_env, w.url_file)? {
                Some(url) => url,
                None if w.format == WebhookFormat::Pagerduty => PAGERDUTY_EVENTS.to_owned(),
                None => return Err(format!("{at}: give `url`, `urlEnv` or `urlFile`")),
            };
            let parsed = url::Url::parse(&url).map_err(|_| {
                format!("{at}: the URL is not valid (not shown: it may hold a secret)")
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(format!("{at}: the URL must be http or https"));
            }
            let routing_key = secret(
                &at,
                "routingKey",
                None,
                w.routing_key_env,
                w.routing_key_file,
            )?;
            if w.format == WebhookFormat::Pagerduty && routing_key.is_none() {
                return Err(format!(
                    "{at}: a pagerduty webhook needs `routingKeyEnv` or `routingKeyFile`"
                ));
            }
            webhooks.push(Webhook {
                url,
                format: w.format,
                routing_key,
                name: at,
            });
        }
        if let Some(r) = file.alerts.reminder_interval {
            check_interval("alerts.reminderInterval", r)?;
        }

        Ok(Config {
            targets,
            modules,
            allow: file.probe.allow,
            default_timeout: d.timeout,
            alerts: Alerts {
                webhooks,
                send_resolved: file.alerts.send_resolved,
                reminder_interval: file.alerts.reminder_interval,
            },
        })
    }

    /// No targets, no modules: what runs before the first configuration is installed.
    pub(crate) fn empty() -> Config {
        Config {
            targets: Vec::new(),
            modules: BTreeMap::new(),
            allow: Vec::new(),
            default_timeout: None,
            alerts: Alerts::default(),
        }
    }
}

/// The names of the modules whose document sets `timeouts.total` (so `defaults.timeout`
/// does not override it).
fn module_timeouts(text: &str) -> HashSet<String> {
    let Ok(value) = serde_yaml::from_str::<serde_json::Value>(text) else {
        return HashSet::new();
    };
    value
        .get("modules")
        .and_then(serde_json::Value::as_object)
        .map(|modules| {
            modules
                .iter()
                .filter(|(_, m)| m.pointer("/timeouts/total").is_some())
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A URL as the status page and `/api` show it: no user info, no fragment, query values
/// redacted (a token in a query string stays in the file).
fn shown_url(text: &str) -> String {
    let Ok(mut url) = url::Url::parse(text) else {
        return "<an invalid URL>".to_owned();
    };
    url.set_fragment(None);
    // Fails only for URLs that cannot have user info, which then have none to hide.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if url.query().is_some() {
        let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(names.iter().map(|k| (k.as_str(), "redacted")));
    }
    url.to_string()
}

/// A secret given inline, by environment variable name or by file.
fn secret(
    at: &str,
    name: &str,
    inline: Option<String>,
    env: Option<String>,
    file: Option<PathBuf>,
) -> Result<Option<String>, String> {
    let given =
        usize::from(inline.is_some()) + usize::from(env.is_some()) + usize::from(file.is_some());
    if given > 1 {
        return Err(format!(
            "{at}: give only one of `{name}`, `{name}Env` and `{name}File`"
        ));
    }
    if let Some(var) = env {
        return match std::env::var(&var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_owned())),
            _ => Err(format!(
                "{at}.{name}Env: the environment variable {var} is not set"
            )),
        };
    }
    if let Some(path) = file {
        return match read_limited(&path, 64 << 10) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_owned())),
            Ok(_) => Err(format!("{at}.{name}File: {} is empty", path.display())),
            Err(e) => Err(format!(
                "{at}.{name}File: cannot read {}: {e}",
                path.display()
            )),
        };
    }
    Ok(inline)
}

/// Reads a text file of at most `max` bytes.
fn read_limited(path: &Path, max: u64) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    file.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(std::io::Error::other(format!("larger than {max} bytes")));
    }
    Ok(text)
}

fn check_interval(at: &str, interval: Duration) -> Result<(), String> {
    if interval < MIN_INTERVAL {
        return Err(format!("{at}: must be at least 100ms"));
    }
    Ok(())
}

fn check_timeout(at: &str, timeout: Duration) -> Result<(), String> {
    if timeout.is_zero() || timeout > mcp_probe_core::MAX_TIMEOUT {
        return Err(format!("{at}: must be greater than 0 and at most 24h"));
    }
    Ok(())
}

fn check_threshold(at: &str, n: u32) -> Result<(), String> {
    if n == 0 {
        return Err(format!("{at}: must be at least 1"));
    }
    Ok(())
}

/// A Prometheus label name that is not one of the metrics' own.
fn check_label(at: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid || name.starts_with("__") {
        return Err(format!(
            "{at}: not a valid label name (letters, digits and `_`, not starting with a digit or `__`)"
        ));
    }
    if RESERVED_LABELS.contains(&name) {
        return Err(format!(
            "{at}: `{name}` is a label of the metrics themselves"
        ));
    }
    Ok(())
}

/// Whether `text` matches the glob `pattern` (`*` any run of characters, `?` one character).
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        match Config::parse(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_issue_example_parses() {
        let c = Config::parse(
            r#"
defaults: {interval: 60s, timeout: 10s, failureThreshold: 3, successThreshold: 1}
modules:
  default: {}
  billing:
    steps: [{step: callTool, name: create_invoice, arguments: {dryRun: true}, expect: {textContains: ok}}]
targets:
  - {name: billing-prod, url: "https://mcp.example.com/mcp", module: billing, interval: 30s, labels: {env: prod}}
  - {name: local-tool, command: {program: python, args: [server.py]}}
probe: {allow: ["https://*.example.com/*"]}
alerts: {sendResolved: true}
"#,
        )
        .unwrap();
        assert_eq!(c.targets.len(), 2);
        let billing = &c.targets[0];
        assert_eq!(billing.interval, Duration::from_secs(30));
        assert_eq!(billing.failure_threshold, 3);
        assert_eq!(billing.labels["env"], "prod");
        assert_eq!(billing.scenario.effective_steps().len(), 2);
        let local = &c.targets[1];
        assert_eq!(local.module, "default");
        assert_eq!(local.interval, Duration::from_secs(60));
        assert_eq!(local.endpoint, "stdio: python");
        assert_eq!(
            local.scenario.effective_transport(),
            mcp_probe_core::TransportChoice::Stdio
        );
    }

    #[test]
    fn errors_name_the_path() {
        let t =
            |rest: &str| format!("targets:\n  - {{name: a, url: 'http://x/mcp'}}\n  - {rest}\n");
        assert_eq!(
            error(&t("{name: b, url: 'http://x/mcp', module: deep}")),
            "targets[1].module: unknown module \"deep\""
        );
        assert_eq!(
            error(&t("{name: a, url: 'http://y/mcp'}")),
            "targets[1].name: duplicate name \"a\""
        );
        assert_eq!(
            error(&t("{name: b}")),
            "targets[1]: give a `url` or a `command`"
        );
        let e = error(&t("{name: b, url: 'http://x/mcp', interval: soon}"));
        assert!(e.starts_with("targets[1].interval: "), "{e}");
        let e = error(&t("{name: b, url: 'http://x/mcp', colour: red}"));
        assert!(
            e.starts_with("targets[1].colour: unknown field `colour`"),
            "{e}"
        );
        assert_eq!(
            error(&t("{name: b, url: 'http://x/mcp', labels: {step: x}}")),
            "targets[1].labels.step: `step` is a label of the metrics themselves"
        );
        let e = error("modules:\n  m: {steps: [{step: frobnicate}]}\n");
        assert!(e.starts_with("modules.m.steps[0]"), "{e}");
        assert!(error("defaults: {failureThreshold: 0}\n")
            .starts_with("defaults.failureThreshold: must be at least 1"));
        assert_eq!(
            error("modules:\n  m: {target: {url: 'http://x'}}\n"),
            "modules.m.target: a module has no URL or command; give them in `targets`"
        );
        assert_eq!(
            error("alerts: {webhooks: [{format: slack}]}\n"),
            "alerts.webhooks[0]: give `url`, `urlEnv` or `urlFile`"
        );
        assert_eq!(
            error("alerts: {webhooks: [{format: pagerduty}]}\n"),
            "alerts.webhooks[0]: a pagerduty webhook needs `routingKeyEnv` or `routingKeyFile`"
        );
        assert_eq!(
            error("alerts: {webhooks: [{urlEnv: MCP_PROBE_TEST_SURELY_UNSET}]}\n"),
            "alerts.webhooks[0].urlEnv: the environment variable MCP_PROBE_TEST_SURELY_UNSET is not set"
        );
    }

    #[test]
    fn timeouts_follow_target_then_module_then_defaults() {
        let c = Config::parse(
            "defaults: {timeout: 4s}\nmodules:\n  slow: {timeouts: {total: 20s}}\ntargets:\n  - {name: a, url: 'http://x/mcp'}\n  - {name: b, url: 'http://x/mcp', module: slow}\n  - {name: c, url: 'http://x/mcp', module: slow, timeout: 2s}\n",
        )
        .unwrap();
        let total: Vec<_> = c
            .targets
            .iter()
            .map(|t| t.scenario.timeouts.total)
            .collect();
        assert_eq!(
            total,
            [
                Duration::from_secs(4),
                Duration::from_secs(20),
                Duration::from_secs(2)
            ]
        );
        assert_eq!(
            c.targets[2].scenario.timeouts.connect,
            Duration::from_secs(2)
        );
    }

    #[test]
    fn shown_urls_hide_credentials() {
        assert_eq!(
            shown_url("https://user:pw@mcp.example.com/mcp?key=s3cret&x=1#frag"),
            "https://mcp.example.com/mcp?key=redacted&x=redacted"
        );
        assert_eq!(
            shown_url("http://127.0.0.1:8000/mcp"),
            "http://127.0.0.1:8000/mcp"
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            "https://*.example.com/*",
            "https://a.example.com/mcp"
        ));
        assert!(!glob_match(
            "https://*.example.com/*",
            "https://example.org/mcp"
        ));
        assert!(glob_match(
            "http://127.0.0.1:*/json/mcp",
            "http://127.0.0.1:80/json/mcp"
        ));
        assert!(!glob_match("a?c", "abbc"));
        assert!(glob_match("*", ""));
    }
}
