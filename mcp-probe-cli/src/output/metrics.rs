//! The Prometheus metrics of probe reports, built with `prometheus-client`:
//! [`ReportFamilies`] adds any number of reports' series into one set of families, so
//! `--format prometheus` (one or several targets) and `serve` (every target) share the code
//! and an exposition describes each name once.
//!
//! `--format prometheus` writes them for node_exporter's textfile collector; the names are
//! stable and documented in `docs/metrics.md`. Every series carries a `target` label (the
//! target as the report shows it, credentials redacted):
//!
//! | name | type | labels | value |
//! |---|---|---|---|
//! | `mcp_probe_success` | gauge | | 1 healthy, 0 failed |
//! | `mcp_probe_duration_seconds` | gauge | | the whole probe |
//! | `mcp_probe_step_duration_seconds` | gauge | `step` | each step that ran |
//! | `mcp_probe_phase_duration_seconds` | gauge | `phase` (`dns`, `connect`, `tls`, `ttfb`, `body`) | summed over the steps' HTTP exchanges; only the phases measured |
//! | `mcp_probe_failure_info` | gauge | `code`, `family`, `step` | 1, only when the probe failed |
//! | `mcp_probe_tls_cert_not_after_timestamp_seconds` | gauge | | the certificate's `notAfter`, when TLS facts were gathered |
//! | `mcp_probe_tools` | gauge | | the number of tools listed, when they were listed |
//! | `mcp_probe_protocol_info` | gauge | `version`, `era`, `transport` | 1 |
//! | `mcp_probe_surface_info` | gauge | `hash` | 1, when the report has a `surfaceHash` |

use std::sync::atomic::AtomicU64;
use std::time::UNIX_EPOCH;

use mcp_probe_core::{Report, StepStatus};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// `1` when the probe was healthy, `0` when it failed.
pub(crate) const SUCCESS: &str = "mcp_probe_success";
/// Wall-clock duration of the whole probe in seconds.
pub(crate) const DURATION: &str = "mcp_probe_duration_seconds";
/// Duration of each step that ran, label `step`.
pub(crate) const STEP_DURATION: &str = "mcp_probe_step_duration_seconds";
/// Time spent in each connection phase, label `phase`.
pub(crate) const PHASE_DURATION: &str = "mcp_probe_phase_duration_seconds";
/// `1` with labels `code`, `family`, `step` when the probe failed.
pub(crate) const FAILURE_INFO: &str = "mcp_probe_failure_info";
/// The server certificate's `notAfter` as a Unix timestamp.
pub(crate) const TLS_NOT_AFTER: &str = "mcp_probe_tls_cert_not_after_timestamp_seconds";
/// Number of tools `tools/list` returned.
pub(crate) const TOOLS: &str = "mcp_probe_tools";
/// `1` with labels `version`, `era`, `transport`.
pub(crate) const PROTOCOL_INFO: &str = "mcp_probe_protocol_info";
/// `1` with label `hash` (the report's `surfaceHash`), when the probe listed.
pub(crate) const SURFACE_INFO: &str = "mcp_probe_surface_info";

/// Milliseconds as seconds, rounded to the microsecond (no `0.0025960000000000004`).
fn seconds(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1_000_000.0
}

pub(crate) type FloatGauge = Gauge<f64, AtomicU64>;
/// The labels of one series, in order: the extra labels first (`target`, a target's labels),
/// then the metric's own.
pub(crate) type Labels = Vec<(String, String)>;
type Series = Family<Labels, FloatGauge>;

/// The metric families of probe reports: [`ReportFamilies::add`] adds one report's series
/// under its labels, [`ReportFamilies::register`] puts the families into a registry, each
/// name once however many reports were added. `--format prometheus` adds one report;
/// `serve` adds every target's latest.
#[derive(Default)]
pub(crate) struct ReportFamilies {
    success: Series,
    duration: Series,
    steps: Series,
    phases: Series,
    failure: Series,
    tls_not_after: Option<Series>,
    tools: Option<Series>,
    protocol: Series,
    surface: Option<Series>,
}

/// `extra` followed by `own`.
fn labelled(extra: &[(String, String)], own: &[(&str, String)]) -> Labels {
    let mut labels = extra.to_vec();
    labels.extend(own.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    labels
}

impl ReportFamilies {
    /// Adds the series of `report`, each labelled `extra` first.
    pub(crate) fn add(&mut self, report: &Report, extra: &[(String, String)]) {
        let set = |family: &Series, own: &[(&str, String)], value: f64| {
            family.get_or_create(&labelled(extra, own)).set(value);
        };
        set(
            &self.success,
            &[],
            if report.failure.is_none() { 1.0 } else { 0.0 },
        );
        set(&self.duration, &[], seconds(report.duration_ms));

        let mut seen: Vec<&str> = Vec::new();
        for step in report.steps.iter().filter(|s| s.status != StepStatus::Skip) {
            // A scenario may run a step twice (two tool calls): keep their series apart.
            let n = seen.iter().filter(|s| **s == step.name).count();
            seen.push(&step.name);
            let name = if n == 0 {
                step.name.clone()
            } else {
                format!("{}#{}", step.name, n + 1)
            };
            set(&self.steps, &[("step", name)], seconds(step.duration_ms));
        }

        let timings: Vec<_> = report
            .steps
            .iter()
            .filter_map(|s| s.timings.as_ref())
            .collect();
        if !timings.is_empty() {
            let optional = |pick: fn(&mcp_probe_core::Timings) -> Option<f64>| {
                let values: Vec<f64> = timings.iter().filter_map(|t| pick(t)).collect();
                (!values.is_empty()).then(|| values.iter().sum::<f64>())
            };
            let measured = [
                ("dns", optional(|t| t.dns_ms)),
                ("connect", optional(|t| t.connect_ms)),
                ("tls", optional(|t| t.tls_ms)),
                ("ttfb", Some(timings.iter().map(|t| t.ttfb_ms).sum())),
                ("body", Some(timings.iter().map(|t| t.body_ms).sum())),
            ];
            for (phase, ms) in measured {
                if let Some(ms) = ms {
                    set(&self.phases, &[("phase", phase.to_owned())], seconds(ms));
                }
            }
        }

        if let Some(f) = &report.failure {
            set(
                &self.failure,
                &[
                    ("code", f.code.to_string()),
                    ("family", f.family.as_str().to_owned()),
                    ("step", f.step.clone().unwrap_or_default()),
                ],
                1.0,
            );
        }

        if let Some(seconds) = report.tls.as_ref().and_then(|t| unix_seconds(&t.not_after)) {
            set(
                self.tls_not_after.get_or_insert_with(Series::default),
                &[],
                seconds,
            );
        }
        if let Some(tools) = report.steps.iter().find_map(|s| s.tools.as_ref()) {
            // A tool count is far below 2^53: exact as a float.
            #[allow(clippy::cast_precision_loss)]
            let count = tools.len() as f64;
            set(self.tools.get_or_insert_with(Series::default), &[], count);
        }

        set(
            &self.protocol,
            &[
                (
                    "version",
                    report.protocol_version.clone().unwrap_or_default(),
                ),
                (
                    "era",
                    report
                        .era
                        .map(|e| e.as_str().to_owned())
                        .unwrap_or_default(),
                ),
                ("transport", report.transport.as_str().to_owned()),
            ],
            1.0,
        );

        if let Some(hash) = &report.surface_hash {
            set(
                self.surface.get_or_insert_with(Series::default),
                &[("hash", hash.clone())],
                1.0,
            );
        }
    }

    /// Registers the families (the optional ones only when a report had them).
    pub(crate) fn register(self, registry: &mut Registry) {
        registry.register(
            SUCCESS,
            "Whether the MCP server was healthy (1) or the probe failed (0)",
            self.success,
        );
        registry.register(
            DURATION,
            "Duration of the whole probe in seconds",
            self.duration,
        );
        registry.register(
            STEP_DURATION,
            "Duration of each step in seconds",
            self.steps,
        );
        registry.register(
            PHASE_DURATION,
            "Time spent in each phase of the HTTP exchanges (dns, connect, tls, ttfb, body), summed over the steps, in seconds",
            self.phases,
        );
        registry.register(
            FAILURE_INFO,
            "Why the probe failed: 1 with the failure code, family and step",
            self.failure,
        );
        if let Some(family) = self.tls_not_after {
            registry.register(
                TLS_NOT_AFTER,
                "When the server certificate expires, as a Unix timestamp",
                family,
            );
        }
        if let Some(family) = self.tools {
            registry.register(TOOLS, "Number of tools listed", family);
        }
        registry.register(
            PROTOCOL_INFO,
            "The protocol spoken: 1 with the version, era and transport",
            self.protocol,
        );
        if let Some(family) = self.surface {
            registry.register(
                SURFACE_INFO,
                "The hash of what the server lists (tools, resources, templates, prompts): 1 with the hash",
                family,
            );
        }
    }
}

/// An RFC 3339 time as seconds since the Unix epoch.
fn unix_seconds(rfc3339: &str) -> Option<f64> {
    let time = humantime::parse_rfc3339_weak(rfc3339).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs_f64())
}
