//! The results of a load run: the table for people, JSON for machines, the live progress
//! line, and the thresholds' verdict.

use std::fmt::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use mcp_probe_core::Scenario;
use serde_json::{json, Value};

use super::run::{self, Model, Plan, Sessions};
use super::stats::{Row, Stats};
use crate::output::terminal_safe;

/// Output formats of `load`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// A table per step.
    Text,
    /// The results as JSON.
    Json,
}

/// What was run.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) target: String,
    model: Model,
    duration: Duration,
    ramp: Duration,
    max_probes: u64,
    sessions: Sessions,
}

impl Header {
    pub(crate) fn new(scenario: &Scenario, plan: &Plan) -> Self {
        // As reports show it: credentials redacted; a stdio server by its program only.
        let target = scenario
            .target
            .as_ref()
            .map_or_else(String::new, |t| match &t.command {
                Some(c) => format!("stdio: {}", c.program),
                None => mcp_probe_core::Target::resolve(t)
                    .map(|target| target.display_url())
                    .unwrap_or_default(),
            });
        Header {
            target,
            model: plan.model,
            duration: plan.duration,
            ramp: plan.ramp,
            max_probes: plan.max_probes,
            sessions: plan.sessions,
        }
    }
}

/// The thresholds: the command line's, else the scenario's `load` block.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Thresholds {
    pub(crate) max_error_rate: Option<f64>,
    pub(crate) max_p99: Option<Duration>,
}

/// The results, ready to print.
pub(crate) struct Summary<'a> {
    header: &'a Header,
    stats: &'a Stats,
    elapsed: Duration,
    broken: Vec<String>,
    thresholds: &'a Thresholds,
}

impl<'a> Summary<'a> {
    pub(crate) fn new(
        header: &'a Header,
        stats: &'a Stats,
        elapsed: Duration,
        thresholds: &'a Thresholds,
    ) -> Self {
        let mut broken = Vec::new();
        if let Some(max) = thresholds.max_error_rate {
            let rate = stats.error_rate();
            if rate > max {
                broken.push(format!(
                    "error rate {} is above {}",
                    percent(rate),
                    percent(max)
                ));
            }
        }
        if let (Some(max), Some(probe)) = (thresholds.max_p99, stats.probe()) {
            let p99 = probe.quantile_ms(0.99);
            if p99 > max.as_secs_f64() * 1000.0 {
                broken.push(format!(
                    "p99 {} is above {}",
                    ms(p99),
                    ms(max.as_secs_f64() * 1000.0)
                ));
            }
        }
        Summary {
            header,
            stats,
            elapsed,
            broken,
            thresholds,
        }
    }

    /// Whether every threshold held.
    pub(crate) fn thresholds_held(&self) -> bool {
        self.broken.is_empty()
    }

    fn achieved_rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.stats.probes() as f64 / s
        } else {
            0.0
        }
    }

    fn model_text(&self) -> String {
        let h = self.header;
        let shape = match h.model {
            Model::Open { rate, .. } => format!("open model, {} probes/s", number(rate)),
            Model::Closed { clients } => format!("closed model, {clients} clients"),
        };
        let ramp = if h.ramp.is_zero() {
            String::new()
        } else {
            format!(", ramp {}", humantime::format_duration(h.ramp))
        };
        let sessions = match h.sessions {
            Sessions::Fresh => "fresh sessions",
            Sessions::Reuse => "reused sessions",
        };
        format!(
            "{shape} for {}{ramp}, at most {} probes, {sessions}",
            humantime::format_duration(h.duration),
            h.max_probes
        )
    }

    /// The table.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "mcp-probe load {}", terminal_safe(&self.header.target));
        let _ = writeln!(out, "  {}", self.model_text());
        let width = self
            .stats
            .rows()
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            out,
            "  {:width$} {:>8} {:>7} {:>10} {:>10} {:>10} {:>10}",
            "step", "count", "errors", "p50", "p90", "p99", "max"
        );
        for row in self.stats.rows() {
            let _ = writeln!(
                out,
                "  {:width$} {:>8} {:>7} {:>10} {:>10} {:>10} {:>10}",
                terminal_safe(&row.name),
                row.count(),
                row.error_count(),
                ms(row.quantile_ms(0.5)),
                ms(row.quantile_ms(0.9)),
                ms(row.quantile_ms(0.99)),
                ms(row.max_ms())
            );
        }
        let _ = writeln!(
            out,
            "  {} probes in {:.1} s: {}/s achieved; {} failed ({})",
            self.stats.probes(),
            self.elapsed.as_secs_f64(),
            number(self.achieved_rate()),
            self.stats.failed(),
            percent(self.stats.error_rate())
        );
        if let Some(probe) = self.stats.probe() {
            for (code, n) in &probe.errors {
                let _ = writeln!(out, "    {code}: {n}");
            }
        }
        if self.header.sessions == Sessions::Reuse {
            let _ = writeln!(
                out,
                "  {} sessions opened (the handshake row); the other rows count every probe",
                self.stats.sessions_opened
            );
        }
        if self.stats.not_started > 0 {
            let _ = writeln!(
                out,
                "  {} due probes were not started: every slot was busy until the end (--max-in-flight)",
                self.stats.not_started
            );
        }
        if self.broken.is_empty() {
            if self.thresholds.max_error_rate.is_some() || self.thresholds.max_p99.is_some() {
                let _ = writeln!(out, "OK: the thresholds held");
            }
        } else {
            let _ = writeln!(out, "FAIL: {}", self.broken.join("; "));
        }
        out
    }

    /// The results as JSON.
    pub(crate) fn json(&self) -> String {
        let h = self.header;
        let (model, rate, clients) = match h.model {
            Model::Open { rate, .. } => ("open", Some(rate), None),
            Model::Closed { clients } => ("closed", None, Some(clients)),
        };
        let steps: Vec<Value> = self.stats.rows().iter().map(row_json).collect();
        let value = json!({
            "target": h.target,
            "model": model,
            "rate": rate,
            "clients": clients,
            "durationMs": h.duration.as_secs_f64() * 1000.0,
            "rampMs": h.ramp.as_secs_f64() * 1000.0,
            "maxProbes": h.max_probes,
            "sessions": h.sessions.as_str(),
            "sessionsOpened": (h.sessions == Sessions::Reuse).then_some(self.stats.sessions_opened),
            "elapsedMs": self.elapsed.as_secs_f64() * 1000.0,
            "probes": self.stats.probes(),
            "failed": self.stats.failed(),
            "errorRate": self.stats.error_rate(),
            "achievedRate": self.achieved_rate(),
            "notStarted": self.stats.not_started,
            "steps": steps,
            "thresholds": {
                "maxErrorRate": self.thresholds.max_error_rate,
                "maxP99Ms": self.thresholds.max_p99.map(|d| d.as_secs_f64() * 1000.0),
                "held": self.broken.is_empty(),
                "broken": self.broken,
            },
        });
        let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
        out.push('\n');
        out
    }
}

fn row_json(row: &Row) -> Value {
    json!({
        "name": row.name,
        "count": row.count(),
        "errors": row.error_count(),
        "errorsByCode": row.errors,
        "p50Ms": row.quantile_ms(0.5),
        "p90Ms": row.quantile_ms(0.9),
        "p99Ms": row.quantile_ms(0.99),
        "maxMs": row.max_ms(),
    })
}

fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else {
        format!("{v:.1} ms")
    }
}

fn percent(share: f64) -> String {
    format!("{:.2}%", share * 100.0)
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The live line on stderr (a terminal only): rate, errors, p50/p99 so far.
pub(crate) struct Progress {
    bar: ProgressBar,
    task: tokio::task::JoinHandle<()>,
}

impl Progress {
    pub(crate) fn start(
        stats: run::Shared,
        started: tokio::time::Instant,
        duration: Duration,
    ) -> Self {
        let bar = ProgressBar::new(duration.as_millis().try_into().unwrap_or(u64::MAX));
        bar.set_style(
            ProgressStyle::with_template("{bar:20} {elapsed}/{duration} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let shown = bar.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tick.tick().await;
                let elapsed = started.elapsed();
                let line = {
                    let s = run::stats_lock(&stats);
                    let rate = s.probes() as f64 / elapsed.as_secs_f64().max(0.001);
                    let (p50, p99) = s
                        .probe()
                        .map_or((0.0, 0.0), |p| (p.quantile_ms(0.5), p.quantile_ms(0.99)));
                    format!(
                        "{} probes, {}/s, {} failed, p50 {}, p99 {}",
                        s.probes(),
                        number((rate * 10.0).round() / 10.0),
                        s.failed(),
                        ms(p50),
                        ms(p99)
                    )
                };
                shown.set_position(elapsed.as_millis().try_into().unwrap_or(u64::MAX));
                shown.set_message(line);
            }
        });
        Progress { bar, task }
    }

    pub(crate) fn finish(self) {
        self.task.abort();
        self.bar.finish_and_clear();
    }
}
