//! What a load run measured: an HDR histogram of latencies per step and for the whole probe,
//! and errors by failure code.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use mcp_probe_core::{Report, StepStatus};

/// The row of the whole probe in the table (its latency counts from when the probe was due).
pub(crate) const PROBE: &str = "probe";

/// Latencies are kept in microseconds, from 1 µs to an hour, to 3 significant digits.
const MAX_MICROS: u64 = 3_600_000_000;

/// One row: a step (or the whole probe).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) name: String,
    latency: Histogram<u64>,
    pub(crate) errors: BTreeMap<String, u64>,
}

impl Row {
    fn new(name: &str) -> Self {
        Row {
            name: name.to_owned(),
            latency: Histogram::new_with_bounds(1, MAX_MICROS, 3)
                .expect("constant histogram bounds are valid"),
            errors: BTreeMap::new(),
        }
    }

    fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(MAX_MICROS);
        self.latency.saturating_record(micros.clamp(1, MAX_MICROS));
    }

    /// How many were measured.
    pub(crate) fn count(&self) -> u64 {
        self.latency.len()
    }

    /// How many failed.
    pub(crate) fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The latency at quantile `q` (0..=1), in milliseconds.
    pub(crate) fn quantile_ms(&self, q: f64) -> f64 {
        if self.latency.is_empty() {
            return 0.0;
        }
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }

    /// The largest latency, in milliseconds.
    pub(crate) fn max_ms(&self) -> f64 {
        self.latency.max() as f64 / 1000.0
    }
}

/// Everything measured so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    /// The whole probe first, then the steps in the order first seen.
    rows: Vec<Row>,
    /// Probes that were due but not started because the run ended (the open model's backlog).
    pub(crate) not_started: u64,
    /// With reused sessions: how many sessions were opened (or tried to be).
    pub(crate) sessions_opened: u64,
}

impl Stats {
    fn row(&mut self, name: &str) -> &mut Row {
        let i = match self.rows.iter().position(|r| r.name == name) {
            Some(i) => i,
            None => {
                self.rows.push(Row::new(name));
                self.rows.len() - 1
            }
        };
        &mut self.rows[i]
    }

    /// Records one probe: its latency (from when it was due) and each step's.
    pub(crate) fn record(&mut self, latency: Duration, report: &Report) {
        let probe = self.row(PROBE);
        probe.record(latency);
        if let Some(f) = &report.failure {
            *probe.errors.entry(f.code.to_string()).or_default() += 1;
        }
        self.record_steps(report);
    }

    /// Records the opening of a reused session: its steps (the handshake) once, not a probe.
    pub(crate) fn record_opening(&mut self, opening: &Report) {
        self.sessions_opened += 1;
        // The whole probe's row stays first.
        self.row(PROBE);
        self.record_steps(opening);
    }

    /// Records a reused session that could not be opened: its steps, and the probe that
    /// needed it as failed.
    pub(crate) fn record_failed_opening(&mut self, latency: Duration, opening: &Report) {
        self.sessions_opened += 1;
        self.record(latency, opening);
    }

    fn record_steps(&mut self, report: &Report) {
        for step in report.steps.iter().filter(|s| s.status != StepStatus::Skip) {
            let row = self.row(&step.name);
            row.record(Duration::from_secs_f64(step.duration_ms.max(0.0) / 1000.0));
            if let Some(f) = step.failure.as_ref().or(report
                .failure
                .as_ref()
                .filter(|_| step.status == StepStatus::Fail))
            {
                *row.errors.entry(f.code.to_string()).or_default() += 1;
            }
        }
    }

    /// The rows: the whole probe, then each step.
    pub(crate) fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The whole probe's row, if any probe ended.
    pub(crate) fn probe(&self) -> Option<&Row> {
        self.rows.iter().find(|r| r.name == PROBE)
    }

    /// Probes that ended.
    pub(crate) fn probes(&self) -> u64 {
        self.probe().map_or(0, Row::count)
    }

    /// Probes that failed.
    pub(crate) fn failed(&self) -> u64 {
        self.probe().map_or(0, Row::error_count)
    }

    /// The share of probes that failed (0 when none ended).
    pub(crate) fn error_rate(&self) -> f64 {
        match self.probes() {
            0 => 0.0,
            n => self.failed() as f64 / n as f64,
        }
    }
}
