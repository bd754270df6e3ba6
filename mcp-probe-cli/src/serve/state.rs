//! What `serve` knows about each target: up or down (with thresholds), the last report, when
//! the state last changed, and counters. Small and behind a plain mutex per target: a
//! probe's result is recorded once per interval, the endpoints only read.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use mcp_probe_core::Report;
use serde::Serialize;

/// Up, down, or not known yet (before the thresholds are first reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Health {
    /// No verdict yet.
    Unknown,
    /// `successThreshold` consecutive healthy probes.
    Up,
    /// `failureThreshold` consecutive failed probes.
    Down,
}

impl Health {
    /// `unknown`, `up` or `down`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Down => "down",
        }
    }
}

/// A change of [`Health`], the moment a probe result crossed a threshold.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    /// Before.
    pub(crate) from: Health,
    /// After.
    pub(crate) to: Health,
    /// The report that made it (none when the probe could not start, e.g. a credential file
    /// was unreadable).
    pub(crate) report: Option<Arc<Report>>,
    /// Why, in one line: `code: message`, or `healthy`.
    pub(crate) reason: String,
    /// When.
    pub(crate) at: SystemTime,
    /// A reminder that the target is still down, not a change.
    pub(crate) reminder: bool,
}

/// One target's state.
#[derive(Debug)]
pub(crate) struct TargetState {
    /// The verdict.
    pub(crate) health: Health,
    /// Failed probes in a row.
    pub(crate) consecutive_failures: u32,
    /// Healthy probes in a row.
    pub(crate) consecutive_successes: u32,
    /// The newest report.
    pub(crate) last: Option<Arc<Report>>,
    /// Why the newest failed probe failed, in one line (`code: message`).
    pub(crate) last_failure: Option<String>,
    /// The newest probe could not start: why (`code: message`).
    pub(crate) last_error: Option<String>,
    /// When `health` last changed (or serve started watching).
    pub(crate) since: SystemTime,
    /// Probes finished.
    pub(crate) probes: u64,
    /// Failed probes by failure code.
    pub(crate) failures: BTreeMap<String, u64>,
    /// When the last alert (change or reminder) about being down went out.
    pub(crate) alerted_at: Option<SystemTime>,
}

impl Default for TargetState {
    fn default() -> Self {
        TargetState {
            health: Health::Unknown,
            consecutive_failures: 0,
            consecutive_successes: 0,
            last: None,
            last_failure: None,
            last_error: None,
            since: SystemTime::now(),
            probes: 0,
            failures: BTreeMap::new(),
            alerted_at: None,
        }
    }
}

/// A target's state, shared between its scheduler task and the endpoints.
#[derive(Debug, Default)]
pub(crate) struct Shared(Mutex<TargetState>);

impl Shared {
    /// The state, for reading or updating (never held across an `.await`).
    pub(crate) fn lock(&self) -> MutexGuard<'_, TargetState> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TargetState {
    /// Records a probe's outcome: its report, or why it could not run (`code`, `message`).
    /// Returns the change it caused, if any, or a reminder when still down and `reminder`
    /// has passed since the last alert.
    pub(crate) fn record(
        &mut self,
        outcome: Result<Report, (&str, String)>,
        failure_threshold: u32,
        success_threshold: u32,
        reminder: Option<std::time::Duration>,
    ) -> Option<Change> {
        let now = SystemTime::now();
        self.probes = self.probes.saturating_add(1);
        let (report, failed) = match outcome {
            Ok(report) => {
                let failed = report.failure.as_ref().map(|f| f.code.to_string());
                self.last_error = None;
                (Some(Arc::new(report)), failed)
            }
            Err((code, message)) => {
                self.last_error = Some(one_line(&format!("{code}: {message}")));
                (None, Some(code.to_owned()))
            }
        };
        if let Some(report) = &report {
            self.last = Some(Arc::clone(report));
        }
        let why = match (&report, &self.last_error) {
            (Some(r), _) => reason(r),
            (None, Some(e)) => e.clone(),
            (None, None) => String::new(),
        };
        let next = if let Some(code) = failed {
            *self.failures.entry(code).or_insert(0) += 1;
            self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            self.consecutive_successes = 0;
            self.last_failure = Some(why.clone());
            (self.consecutive_failures >= failure_threshold).then_some(Health::Down)
        } else {
            self.consecutive_successes = self.consecutive_successes.saturating_add(1);
            self.consecutive_failures = 0;
            (self.consecutive_successes >= success_threshold).then_some(Health::Up)
        };
        match next {
            Some(to) if to != self.health => {
                let from = self.health;
                self.health = to;
                self.since = now;
                self.alerted_at = (to == Health::Down).then_some(now);
                Some(Change {
                    from,
                    to,
                    report,
                    reason: why,
                    at: now,
                    reminder: false,
                })
            }
            _ if self.health == Health::Down => {
                let due = match (reminder, self.alerted_at) {
                    (Some(every), Some(last)) => {
                        now.duration_since(last).unwrap_or_default() >= every
                    }
                    _ => false,
                };
                due.then(|| {
                    self.alerted_at = Some(now);
                    Change {
                        from: Health::Down,
                        to: Health::Down,
                        report,
                        reason: self.last_failure.clone().unwrap_or(why),
                        at: now,
                        reminder: true,
                    }
                })
            }
            _ => None,
        }
    }

    /// Why the target is not up, in one line.
    pub(crate) fn why_not_up(&self) -> String {
        match self.health {
            Health::Up => "up".to_owned(),
            Health::Unknown if self.probes == 0 => "unknown: no probe has finished yet".to_owned(),
            Health::Unknown => format!(
                "unknown: no threshold reached after {} probes; last failure: {}",
                self.probes,
                self.last_failure.as_deref().unwrap_or("none")
            ),
            Health::Down => format!("down: {}", self.last_failure.as_deref().unwrap_or("failed")),
        }
    }
}

/// `text` on one line: control characters become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The one-line reason of a failed report: `code: message`, control characters escaped.
pub(crate) fn reason(report: &Report) -> String {
    match &report.failure {
        None => "healthy".to_owned(),
        Some(f) => one_line(&format!("{}: {}", f.code, f.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(ok: bool) -> Report {
        let mut report = crate::output::hostile_report();
        if ok {
            report.ok = true;
            report.failure = None;
        }
        report
    }

    #[test]
    fn thresholds_decide_changes() {
        let mut s = TargetState::default();
        assert!(s.record(Ok(report(false)), 2, 2, None).is_none());
        let down = s.record(Ok(report(false)), 2, 2, None).unwrap();
        assert_eq!((down.from, down.to), (Health::Unknown, Health::Down));
        assert!(s.record(Ok(report(false)), 2, 2, None).is_none());
        assert!(s.record(Ok(report(true)), 2, 2, None).is_none());
        assert_eq!(s.health, Health::Down);
        let up = s.record(Ok(report(true)), 2, 2, None).unwrap();
        assert_eq!((up.from, up.to), (Health::Down, Health::Up));
        assert_eq!(s.probes, 5);
        assert_eq!(s.failures["tool_error"], 3);
        let why = s.last_failure.as_deref().unwrap();
        assert!(why.starts_with("tool_error: tools/call add: "), "{why}");
        assert!(!why.chars().any(char::is_control), "{why}");
        assert_eq!(s.why_not_up(), "up");
    }

    #[test]
    fn reminders_repeat_while_down() {
        let mut s = TargetState::default();
        s.record(Ok(report(false)), 1, 1, Some(std::time::Duration::ZERO))
            .unwrap();
        let again = s
            .record(Ok(report(false)), 1, 1, Some(std::time::Duration::ZERO))
            .unwrap();
        assert!(again.reminder);
        assert!(s.record(Ok(report(false)), 1, 1, None).is_none());
    }
}
