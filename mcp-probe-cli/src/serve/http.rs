//! The HTTP endpoints (axum): `/metrics`, `/probe`, `/health/NAME`, `/healthz`, `/readyz`,
//! `/api/targets`, the status page `/` and `POST /-/reload`. Everything but `/probe` answers
//! from the cached state: a request never starts a probe.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::config::glob_match;
use super::state::Health;
use super::App;
use crate::output;

/// The Prometheus text format's content type.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The OpenMetrics text format's content type.
const OPENMETRICS_TEXT: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// Subtracted from Prometheus's scrape timeout, so the answer arrives in time.
const SCRAPE_MARGIN: Duration = Duration::from_millis(500);
/// The shortest probe `/probe` runs, whatever the scrape timeout says.
const MIN_PROBE_TIMEOUT: Duration = Duration::from_millis(100);

/// The router of every endpoint.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(status_page))
        .route("/metrics", get(metrics))
        .route("/probe", get(probe))
        .route("/health/{name}", get(health))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/targets", get(api_targets))
        .route("/-/reload", post(reload))
        .with_state(app)
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// `/metrics`: OpenMetrics when the scraper asks for it (Prometheus does), else the classic
/// text format.
async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let body = super::metrics::render(
        &app.current(),
        &app.stats,
        &app.alerter.deliveries,
        openmetrics,
    );
    let content_type = if openmetrics {
        OPENMETRICS_TEXT
    } else {
        PROMETHEUS_TEXT
    };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// `/health/NAME`: 200 while up, 503 with the reason otherwise, 404 for an unknown name.
async fn health(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let generation = app.current();
    let Some(shared) = generation.states.get(&name) else {
        return text(StatusCode::NOT_FOUND, "no target of this name\n");
    };
    let state = shared.lock();
    match state.health {
        Health::Up => text(StatusCode::OK, "up\n"),
        _ => text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{}\n", state.why_not_up()),
        ),
    }
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n")
}

async fn readyz(State(app): State<Arc<App>>) -> Response {
    if app.stopping() {
        text(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else {
        text(StatusCode::OK, "ready\n")
    }
}

async fn reload(State(app): State<Arc<App>>) -> Response {
    match app.reload().await {
        Ok(()) => text(StatusCode::OK, "reloaded\n"),
        Err(e) => text(
            StatusCode::BAD_REQUEST,
            format!("not reloaded, the old configuration keeps running: {e}\n"),
        ),
    }
}

/// `/probe?target=URL&module=NAME[&debug=true]`: probes now and answers that probe's metrics.
async fn probe(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(url) = query.get("target").filter(|t| !t.is_empty()) else {
        return text(
            StatusCode::BAD_REQUEST,
            "the `target` parameter is missing\n",
        );
    };
    let module_name = query.get("module").map_or("default", String::as_str);
    let debug = query.get("debug").is_some_and(|d| d == "true" || d == "1");
    let generation = app.current();
    let config = &generation.config;
    let listed = config
        .targets
        .iter()
        .any(|t| t.scenario.target.as_ref().is_some_and(|s| s.url == *url));
    if !listed && !config.allow.iter().any(|p| glob_match(p, url)) {
        return text(
            StatusCode::FORBIDDEN,
            "target not allowed: it is neither the url of a target in the configuration nor matched by a `probe.allow` pattern\n",
        );
    }
    let Some(module) = config.modules.get(module_name) else {
        return text(StatusCode::BAD_REQUEST, "unknown module\n");
    };
    let mut scenario = module.scenario_for(Some(url), None, config.default_timeout);
    if let Some(scrape) = headers
        .get("x-prometheus-scrape-timeout-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 86_400.0)
    {
        let budget = Duration::from_secs_f64(scrape)
            .saturating_sub(SCRAPE_MARGIN)
            .max(MIN_PROBE_TIMEOUT);
        scenario.timeouts.total = scenario.timeouts.total.min(budget);
        scenario.timeouts.connect = scenario.timeouts.connect.min(scenario.timeouts.total);
    }
    // A free slot must come within the probe's own time, or the scrape would time out anyway.
    let permit = tokio::time::timeout(
        scenario.timeouts.total,
        Arc::clone(&app.permits).acquire_owned(),
    )
    .await;
    let Ok(Ok(permit)) = permit else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "no free probe slot in time (see --concurrency)\n",
        );
    };
    let checked = app.prober.check(&scenario).await;
    drop(permit);
    let report = match checked {
        Ok(r) => r,
        Err(e) => return text(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let mut body = output::render(output::Format::Prometheus, &report);
    if debug {
        body.push_str("\n# The probe's report:\n");
        for line in output::render(output::Format::Text, &report).lines() {
            let _ = writeln!(body, "# {line}");
        }
    }
    ([(header::CONTENT_TYPE, PROMETHEUS_TEXT)], body).into_response()
}

/// One target as `/api/targets` shows it.
fn target_json(app: &App) -> Vec<Value> {
    let generation = app.current();
    generation
        .config
        .targets
        .iter()
        .filter_map(|t| {
            let shared = generation.states.get(&t.name)?;
            let s = shared.lock();
            Some(json!({
                "name": t.name,
                "endpoint": t.endpoint,
                "module": t.module,
                "labels": t.labels,
                "intervalSeconds": t.interval.as_secs_f64(),
                "state": s.health,
                "since": rfc3339(s.since),
                "consecutiveFailures": s.consecutive_failures,
                "consecutiveSuccesses": s.consecutive_successes,
                "probes": s.probes,
                "failuresByCode": s.failures,
                "lastFailure": s.last_failure,
                "lastError": s.last_error,
                "lastReport": s.last.as_deref(),
            }))
        })
        .collect()
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

async fn api_targets(State(app): State<Arc<App>>) -> Response {
    axum::Json(json!({ "targets": target_json(&app) })).into_response()
}

/// `text` for HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `/`: a table of the targets, rendered on the server, no scripts.
async fn status_page(State(app): State<Arc<App>>) -> Html<String> {
    let generation = app.current();
    let mut page = String::from(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>mcp-probe serve</title>\
         <meta http-equiv=\"refresh\" content=\"30\">\
         <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}\
         td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
         .up{background:#dfd}.down{background:#fdd}.unknown{background:#eee}</style></head><body>\n\
         <h1>mcp-probe serve</h1>\n<table>\n<tr><th>target</th><th>state</th><th>since</th>\
         <th>last failure</th><th>steps (ms)</th><th>certificate days left</th></tr>\n",
    );
    let now = SystemTime::now();
    for t in &generation.config.targets {
        let Some(shared) = generation.states.get(&t.name) else {
            continue;
        };
        let s = shared.lock();
        let steps = s.last.as_ref().map_or_else(String::new, |r| {
            r.steps
                .iter()
                .filter(|st| st.status != mcp_probe_core::StepStatus::Skip)
                .map(|st| format!("{} {:.1}", st.name, st.duration_ms))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let cert = s
            .last
            .as_ref()
            .and_then(|r| r.tls.as_ref())
            .and_then(|tls| humantime::parse_rfc3339_weak(&tls.not_after).ok())
            .map_or_else(String::new, |after| match after.duration_since(now) {
                Ok(left) => (left.as_secs() / 86_400).to_string(),
                Err(_) => "expired".to_owned(),
            });
        let _ = writeln!(
            page,
            "<tr class=\"{state}\"><td>{name}<br><small>{endpoint}</small></td><td>{state}</td>\
             <td>{since}</td><td>{failure}</td><td>{steps}</td><td>{cert}</td></tr>",
            state = s.health.as_str(),
            name = escape(&t.name),
            endpoint = escape(&t.endpoint),
            since = rfc3339(s.since),
            failure = escape(s.last_failure.as_deref().unwrap_or("")),
            steps = escape(&steps),
            cert = escape(&cert),
        );
    }
    page.push_str("</table>\n<p><a href=\"/metrics\">metrics</a> · <a href=\"/api/targets\">api/targets</a></p>\n</body></html>\n");
    Html(page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping() {
        assert_eq!(
            super::escape("<script>\"x\" & 'y'\u{1b}"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39; "
        );
    }
}
