//! `--prometheus-listen`: the running load's metrics at `/metrics`, rendered on each scrape,
//! so a Prometheus (and Grafana) can watch a long run.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::run::{self, Shared};

/// Probes that ended, by `result` (`ok`, `error`).
const PROBES: &str = "mcp_probe_load_probes";
/// Failed probes by failure `code`.
const ERRORS: &str = "mcp_probe_load_errors";
/// Sessions opened (or tried) with `--sessions reuse`.
const SESSIONS: &str = "mcp_probe_load_sessions_opened";
/// Latency quantiles so far, by `step` (`probe` for the whole probe) and `quantile`.
const STEP_LATENCY: &str = "mcp_probe_load_step_duration_seconds";

/// The running endpoint; it stops when dropped.
pub(crate) struct Exporter {
    pub(crate) addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Listens on `addr` and serves `/metrics` from `stats`.
pub(crate) async fn start(
    addr: SocketAddr,
    target: String,
    stats: Shared,
) -> std::io::Result<Exporter> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let body = render(&target, &stats);
            async move {
                (
                    [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                    body,
                )
                    .into_response()
            }
        }),
    );
    let task = tokio::spawn(async move {
        // Serving only ends with an I/O error on the listener; the run goes on without it.
        let _ = axum::serve(listener, app).await;
    });
    Ok(Exporter { addr, task })
}

type Labels = Vec<(String, String)>;

/// The metrics now, in the text exposition format.
fn render(target: &str, stats: &Shared) -> String {
    let s = run::stats_lock(stats).clone();
    let mut registry = Registry::with_labels(
        [(Cow::Borrowed("target"), Cow::Owned(target.to_owned()))].into_iter(),
    );
    let probes = Family::<Labels, Counter>::default();
    let failed = s.failed();
    probes
        .get_or_create(&vec![("result".into(), "ok".into())])
        .inc_by(s.probes().saturating_sub(failed));
    probes
        .get_or_create(&vec![("result".into(), "error".into())])
        .inc_by(failed);
    registry.register(
        PROBES,
        "Probes of the load run that ended, by result",
        probes,
    );
    let errors = Family::<Labels, Counter>::default();
    if let Some(probe) = s.probe() {
        for (code, n) in &probe.errors {
            errors
                .get_or_create(&vec![("code".into(), code.clone())])
                .inc_by(*n);
        }
    }
    registry.register(
        ERRORS,
        "Failed probes of the load run, by failure code",
        errors,
    );
    let sessions = Counter::<u64>::default();
    sessions.inc_by(s.sessions_opened);
    registry.register(
        SESSIONS,
        "Sessions the load run opened or tried to open (--sessions reuse)",
        sessions,
    );
    let latency = Family::<Labels, Gauge<f64, AtomicU64>>::default();
    for row in s.rows() {
        for (q, name) in [(0.5, "0.5"), (0.9, "0.9"), (0.99, "0.99"), (1.0, "1")] {
            latency
                .get_or_create(&vec![
                    ("step".into(), row.name.clone()),
                    ("quantile".into(), name.into()),
                ])
                .set(row.quantile_ms(q) / 1000.0);
        }
    }
    registry.register(
        STEP_LATENCY,
        "Latency quantiles of the load run so far, by step (probe: the whole probe, from when it was due)",
        latency,
    );
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode_registry(&mut out, &registry);
    out
}
