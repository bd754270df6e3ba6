//! State changes as alerts: one JSON line on stdout each, and the configured webhooks
//! (generic JSON, Slack, PagerDuty Events v2) from a bounded queue, with retries and backoff.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::config::{Alerts, Webhook, WebhookFormat};
use super::state::{Change, Health};

/// Alerts waiting for their webhooks; beyond this, new ones are dropped (and counted).
const QUEUE: usize = 1024;
/// Attempts per webhook and alert.
const ATTEMPTS: u32 = 4;
/// The first pause between attempts; it doubles.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// How long one webhook request may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// A state change with what an alert says about its target.
#[derive(Debug, Clone)]
pub(crate) struct Alert {
    /// The target's name.
    pub(crate) target: String,
    /// Its labels.
    pub(crate) labels: BTreeMap<String, String>,
    /// What happened.
    pub(crate) change: Change,
}

impl Alert {
    /// The alert as the JSON of the stdout line and the generic webhook.
    pub(crate) fn to_json(&self) -> Value {
        let c = &self.change;
        let failure = c.report.as_ref().and_then(|r| r.failure.as_ref()).map(|f| {
            json!({"code": f.code.as_str(), "family": f.family.as_str(), "step": f.step, "message": f.message})
        });
        json!({
            "event": if c.reminder { "reminder" } else { "state_change" },
            "target": self.target,
            "labels": self.labels,
            "from": c.from.as_str(),
            "to": c.to.as_str(),
            "at": humantime::format_rfc3339_millis(c.at).to_string(),
            "reason": c.reason,
            "failure": failure,
            "endpoint": c.report.as_ref().map(|r| r.target.clone()),
        })
    }

    /// One line for a person: `billing-prod is DOWN: http_status: HTTP 503`.
    fn summary(&self) -> String {
        let c = &self.change;
        match c.to {
            Health::Down if c.reminder => {
                format!("mcp-probe: {} is still DOWN: {}", self.target, c.reason)
            }
            Health::Down => format!("mcp-probe: {} is DOWN: {}", self.target, c.reason),
            Health::Up => format!("mcp-probe: {} is UP again", self.target),
            Health::Unknown => format!("mcp-probe: {} is unknown", self.target),
        }
    }
}

/// The sending side: the stdout line at once, the webhooks through the queue.
#[derive(Debug, Clone)]
pub(crate) struct Alerter {
    queue: mpsc::Sender<Alert>,
    config: Arc<RwLock<Arc<Alerts>>>,
    /// Webhook deliveries by `result` (`sent`, `failed`, `dropped`).
    pub(crate) deliveries: Family<Vec<(String, String)>, Counter>,
}

impl Alerter {
    /// Starts the webhook worker on the current runtime.
    pub(crate) fn start(alerts: Alerts) -> Alerter {
        let (queue, rx) = mpsc::channel(QUEUE);
        let deliveries = Family::<Vec<(String, String)>, Counter>::default();
        for result in ["sent", "failed", "dropped"] {
            let _ = deliveries.get_or_create(&vec![("result".to_owned(), result.to_owned())]);
        }
        let alerter = Alerter {
            queue,
            config: Arc::new(RwLock::new(Arc::new(alerts))),
            deliveries,
        };
        tokio::spawn(deliver(rx, alerter.clone()));
        alerter
    }

    /// Uses `alerts` from now on (a reload).
    pub(crate) fn configure(&self, alerts: Alerts) {
        let mut current = self
            .config
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = Arc::new(alerts);
    }

    fn current(&self) -> Arc<Alerts> {
        Arc::clone(
            &self
                .config
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    fn count(&self, result: &str) {
        self.deliveries
            .get_or_create(&vec![("result".to_owned(), result.to_owned())])
            .inc();
    }

    /// The reminder interval of the configuration in force.
    pub(crate) fn reminder_interval(&self) -> Option<Duration> {
        self.current().reminder_interval
    }

    /// Announces `alert`: a JSON line on stdout; queued for the webhooks unless it is a
    /// change they do not get (to `unknown`, from `unknown` to `up`, or a resolve without
    /// `sendResolved`).
    pub(crate) fn send(&self, alert: Alert) {
        let line = alert.to_json().to_string();
        tracing::info!(
            target: "mcp_probe::serve",
            name = %alert.target,
            from = alert.change.from.as_str(),
            to = alert.change.to.as_str(),
            reason = %alert.change.reason,
            "state change"
        );
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}").and_then(|()| out.flush());
        }
        let config = self.current();
        if config.webhooks.is_empty() {
            return;
        }
        let c = &alert.change;
        let wanted = match c.to {
            Health::Down => true,
            Health::Up => c.from == Health::Down && config.send_resolved,
            Health::Unknown => false,
        };
        if wanted && self.queue.try_send(alert).is_err() {
            self.count("dropped");
            tracing::warn!("alert queue full: an alert was dropped");
        }
    }
}

/// The webhook worker: one alert at a time, every webhook with retries.
async fn deliver(mut rx: mpsc::Receiver<Alert>, alerter: Alerter) {
    let client = match reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("cannot build the webhook client: {e}");
            return;
        }
    };
    while let Some(alert) = rx.recv().await {
        let config = alerter.current();
        for hook in &config.webhooks {
            let body = payload(hook, &alert);
            let mut pause = FIRST_BACKOFF;
            let mut attempt = 1;
            loop {
                let sent = client
                    .post(&hook.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string())
                    .send()
                    .await;
                let problem = match sent {
                    Ok(r) if r.status().is_success() => None,
                    Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
                    // Without the URL: a Slack webhook URL is a secret.
                    Err(e) => Some(e.without_url().to_string()),
                };
                match problem {
                    None => {
                        alerter.count("sent");
                        break;
                    }
                    Some(why) if attempt >= ATTEMPTS => {
                        alerter.count("failed");
                        tracing::warn!(webhook = %hook.name, "giving up after {attempt} attempts: {why}");
                        break;
                    }
                    Some(why) => {
                        tracing::debug!(webhook = %hook.name, "attempt {attempt} failed: {why}");
                        tokio::time::sleep(pause).await;
                        pause *= 2;
                        attempt += 1;
                    }
                }
            }
        }
    }
}

/// The body `hook` gets for `alert`.
fn payload(hook: &Webhook, alert: &Alert) -> Value {
    match hook.format {
        WebhookFormat::Generic => alert.to_json(),
        WebhookFormat::Slack => json!({ "text": alert.summary() }),
        WebhookFormat::Pagerduty => {
            let resolve = alert.change.to == Health::Up;
            let mut body = json!({
                "routing_key": hook.routing_key.clone().unwrap_or_default(),
                "event_action": if resolve { "resolve" } else { "trigger" },
                "dedup_key": format!("mcp-probe/{}", alert.target),
            });
            if !resolve {
                body["payload"] = json!({
                    "summary": alert.summary(),
                    "source": alert.target,
                    "severity": "critical",
                    "component": "mcp",
                    "custom_details": alert.to_json(),
                });
            }
            body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn alert(from: Health, to: Health) -> Alert {
        Alert {
            target: "billing".into(),
            labels: BTreeMap::from([("env".into(), "prod".into())]),
            change: Change {
                from,
                to,
                report: None,
                reason: "http_status: HTTP 503".into(),
                at: SystemTime::UNIX_EPOCH,
                reminder: false,
            },
        }
    }

    fn hook(format: WebhookFormat) -> Webhook {
        Webhook {
            url: "http://127.0.0.1:9/hook".into(),
            format,
            routing_key: Some("R0UTING".into()),
            name: "alerts.webhooks[0]".into(),
        }
    }

    #[test]
    fn payloads() {
        let down = alert(Health::Up, Health::Down);
        let generic = payload(&hook(WebhookFormat::Generic), &down);
        assert_eq!(generic["to"], "down");
        assert_eq!(generic["labels"]["env"], "prod");
        assert_eq!(generic["at"], "1970-01-01T00:00:00.000Z");
        let slack = payload(&hook(WebhookFormat::Slack), &down);
        assert_eq!(
            slack,
            json!({"text": "mcp-probe: billing is DOWN: http_status: HTTP 503"})
        );
        let pd = payload(&hook(WebhookFormat::Pagerduty), &down);
        assert_eq!(pd["event_action"], "trigger");
        assert_eq!(pd["dedup_key"], "mcp-probe/billing");
        assert_eq!(pd["payload"]["severity"], "critical");
        let up = payload(
            &hook(WebhookFormat::Pagerduty),
            &alert(Health::Down, Health::Up),
        );
        assert_eq!(up["event_action"], "resolve");
        assert_eq!(up["dedup_key"], "mcp-probe/billing");
        assert!(up.get("payload").is_none());
    }
}
