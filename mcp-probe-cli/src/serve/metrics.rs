//! `/metrics`: every target's latest report under the report metric names (labelled
//! `target` and the target's labels, through the same code as `--format prometheus`), and
//! serve's own metrics. Rendered at each scrape from the targets' state.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::text::{encode, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::state::Health;
use super::Generation;
use crate::output::metrics::{Labels, ReportFamilies};

/// Serve's own long-lived metrics (the per-target ones are read from the state).
#[derive(Debug)]
pub(crate) struct Stats {
    /// How late scheduled probes started (semaphore waits included), in seconds.
    pub(crate) lag: Histogram,
    /// Reloads by `result` (`success`, `failure`).
    reloads: Family<Labels, Counter>,
    /// Whether the last reload succeeded.
    last_reload_ok: Gauge<i64, std::sync::atomic::AtomicI64>,
}

impl Default for Stats {
    fn default() -> Self {
        let last_reload_ok = Gauge::default();
        last_reload_ok.set(1);
        // Both results exist from the start, so `increase()` sees the first failure.
        let reloads = Family::<Labels, Counter>::default();
        for result in ["success", "failure"] {
            let _ = reloads.get_or_create(&vec![("result".to_owned(), result.to_owned())]);
        }
        Stats {
            lag: Histogram::new(exponential_buckets(0.001, 4.0, 9)),
            reloads,
            last_reload_ok,
        }
    }
}

impl Stats {
    /// Counts a reload.
    pub(crate) fn reloaded(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        self.reloads
            .get_or_create(&vec![("result".to_owned(), result.to_owned())])
            .inc();
        self.last_reload_ok.set(i64::from(ok));
    }
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The exposition of `/metrics`: OpenMetrics (ending `# EOF`) when `openmetrics`, else the
/// classic Prometheus text format.
pub(crate) fn render(
    generation: &Generation,
    stats: &Stats,
    deliveries: &Family<Labels, Counter>,
    openmetrics: bool,
) -> String {
    let mut reports = ReportFamilies::default();
    let probes = Family::<Labels, Counter>::default();
    let errors = Family::<Labels, Counter>::default();
    let up = Family::<Labels, FloatGauge>::default();
    let since = Family::<Labels, FloatGauge>::default();
    for target in &generation.config.targets {
        let Some(shared) = generation.states.get(&target.name) else {
            continue;
        };
        let name = vec![("target".to_owned(), target.name.clone())];
        let state = shared.lock();
        if let Some(report) = &state.last {
            let mut labels = name.clone();
            labels.extend(target.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            reports.add(report, &labels);
        }
        probes.get_or_create(&name).inc_by(state.probes);
        for (code, n) in &state.failures {
            let mut labels = name.clone();
            labels.push(("code".to_owned(), code.clone()));
            errors.get_or_create(&labels).inc_by(*n);
        }
        let value = match state.health {
            Health::Up => Some(1.0),
            Health::Down => Some(0.0),
            Health::Unknown => None,
        };
        if let Some(value) = value {
            up.get_or_create(&name).set(value);
        }
        if let Ok(t) = state.since.duration_since(std::time::UNIX_EPOCH) {
            since.get_or_create(&name).set(t.as_secs_f64());
        }
    }

    let mut registry = Registry::default();
    reports.register(&mut registry);
    registry.register(
        "mcp_probe_serve_target_up",
        "Whether the target is up (1) or down (0) after the failure and success thresholds; absent until known",
        up,
    );
    registry.register(
        "mcp_probe_serve_target_state_since_timestamp_seconds",
        "When the target's state last changed (or serve started watching it), as a Unix timestamp",
        since,
    );
    registry.register(
        "mcp_probe_serve_probes",
        "Scheduled probes finished, per target",
        probes,
    );
    registry.register(
        "mcp_probe_serve_probe_errors",
        "Scheduled probes that failed, per target and failure code",
        errors,
    );
    registry.register(
        "mcp_probe_serve_scheduler_lag_seconds",
        "How late scheduled probes started, waiting for a free slot included",
        stats.lag.clone(),
    );
    registry.register(
        "mcp_probe_serve_config_reloads",
        "Configuration reloads by result (success, failure)",
        stats.reloads.clone(),
    );
    registry.register(
        "mcp_probe_serve_config_last_reload_successful",
        "Whether the last configuration reload succeeded (1) or the old configuration kept running (0)",
        stats.last_reload_ok.clone(),
    );
    registry.register(
        "mcp_probe_serve_webhook_deliveries",
        "Alert webhook deliveries by result (sent, failed after retries, dropped from a full queue)",
        deliveries.clone(),
    );
    let mut out = String::new();
    // Writing into a String cannot fail.
    if openmetrics {
        let _ = encode(&mut out, &registry);
        out
    } else {
        let _ = encode_registry(&mut out, &registry);
        classic_counters(&out)
    }
}

/// The classic text format names a counter's `# HELP` and `# TYPE` like its samples
/// (`x_total`); the encoder writes them the OpenMetrics way (`x`).
fn classic_counters(text: &str) -> String {
    let counters: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(text.len() + 16 * counters.len());
    for line in text.lines() {
        let renamed = counters.iter().find_map(|name| {
            for kind in ["# HELP ", "# TYPE "] {
                if let Some(rest) = line.strip_prefix(kind).and_then(|r| r.strip_prefix(name)) {
                    if rest.starts_with(' ') {
                        return Some(format!("{kind}{name}_total{rest}"));
                    }
                }
            }
            None
        });
        match renamed {
            Some(line) => out.push_str(&line),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counters_are_named_by_their_samples_in_the_classic_format() {
        let text = "# HELP a_probes Probes.\n# TYPE a_probes counter\na_probes_total 3\n\
                    # HELP a_probes_x Other.\n# TYPE a_probes_x gauge\na_probes_x 1\n";
        assert_eq!(
            super::classic_counters(text),
            "# HELP a_probes_total Probes.\n# TYPE a_probes_total counter\na_probes_total 3\n\
             # HELP a_probes_x Other.\n# TYPE a_probes_x gauge\na_probes_x 1\n"
        );
    }
}
