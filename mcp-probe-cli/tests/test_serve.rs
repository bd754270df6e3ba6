//! `mcp-probe serve`: configuration errors, `/metrics`, `/health`, `/probe` and its allow-list,
//! threshold state changes with their webhooks, reloads, shutdown. The fixture server's modes
//! are the targets; `switch` turns healthy or broken on command. No sleeps as
//! synchronisation: every wait polls until a deadline.

#![allow(clippy::unwrap_used)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use mcp_probe_cli::serve::{Serve, ServeOptions};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::Value;
use tokio::sync::mpsc;

/// Long enough for a slow machine, short enough to fail a hung test.
const DEADLINE: Duration = Duration::from_secs(30);

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mcp-probe-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn start(config: &std::path::Path) -> Result<Serve, String> {
    Serve::start(ServeOptions {
        config: config.to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        concurrency: 8,
    })
    .await
}

async fn get(url: String) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Polls `check` until it returns `Some`, or panics with `what` at the deadline.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `/health/NAME` answers `status` (503: with a body starting `down: `, not the
/// `unknown: ` of a target still short of its threshold); returns the body.
async fn health_becomes(base: &str, name: &str, status: u16) -> String {
    let url = format!("{base}/health/{name}");
    eventually(&format!("/health/{name} to answer {status}"), || {
        let url = url.clone();
        async move {
            let (s, body) = get(url).await;
            (s == status && (status != 503 || body.starts_with("down: "))).then_some(body)
        }
    })
    .await
}

fn line<'a>(metrics: &'a str, prefix: &str) -> Option<&'a str> {
    metrics.lines().find(|l| l.starts_with(prefix))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_name_their_path() {
    let d = dir("errors");
    let cases = [
        (
            "targets:\n  - {name: a, url: 'http://127.0.0.1:9/mcp'}\n  - {name: b, url: 'http://127.0.0.1:9/mcp', module: deep}\n",
            "targets[1].module: unknown module \"deep\"",
        ),
        (
            "targets:\n  - {name: a, url: 'http://127.0.0.1:9/mcp', failureThreshold: 0}\n",
            "targets[0].failureThreshold: must be at least 1",
        ),
        (
            "targets:\n  - {name: a, url: 'http://127.0.0.1:9/mcp', labels: {target: x}}\n",
            "targets[0].labels.target: `target` is a label of the metrics themselves",
        ),
        (
            "targets:\n  - {name: a, url: 'http://127.0.0.1:9/mcp', command: {program: x}}\n",
            "targets[0]: give either `url` or `command`, not both",
        ),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let path = d.join(format!("{i}.yaml"));
        std::fs::write(&path, text).unwrap();
        let e = start(&path).await.unwrap_err();
        assert_eq!(&e, expected);
    }
    let path = d.join("durations.yaml");
    std::fs::write(&path, "defaults: {interval: often}\n").unwrap();
    let e = start(&path).await.unwrap_err();
    assert!(e.starts_with("defaults.interval: "), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_health_api_and_status_page() {
    let fixture = FixtureServer::start().await.unwrap();
    let d = dir("metrics");
    let config = d.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 200ms, timeout: 5s, failureThreshold: 1}}\n\
             targets:\n\
             \x20 - {{name: healthy, url: '{}', labels: {{env: test}}}}\n\
             \x20 - {{name: broken, url: '{}'}}\n",
            fixture.url(Mode::Json),
            fixture.url(Mode::BadGateway)
        ),
    )
    .unwrap();
    let serve = start(&config).await.unwrap();
    let base = format!("http://{}", serve.addr());

    assert_eq!(health_becomes(&base, "healthy", 200).await, "up\n");
    let why = health_becomes(&base, "broken", 503).await;
    assert!(why.starts_with("down: http_status: "), "{why}");
    assert_eq!(get(format!("{base}/health/nobody")).await.0, 404);
    assert_eq!(get(format!("{base}/healthz")).await, (200, "ok\n".into()));
    assert_eq!(get(format!("{base}/readyz")).await.0, 200);

    let (status, metrics) = get(format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    for expected in [
        "mcp_probe_success{target=\"healthy\",env=\"test\"} 1",
        "mcp_probe_success{target=\"broken\"} 0",
        "mcp_probe_failure_info{target=\"broken\",code=\"http_status\",family=\"http\",step=\"handshake\"} 1",
        "mcp_probe_serve_target_up{target=\"healthy\"} 1",
        "mcp_probe_serve_target_up{target=\"broken\"} 0",
        "mcp_probe_tools{target=\"healthy\",env=\"test\"} ",
        "mcp_probe_serve_probe_errors_total{target=\"broken\",code=\"http_status\"} ",
        "mcp_probe_serve_scheduler_lag_seconds_count ",
    ] {
        assert!(line(&metrics, expected).is_some(), "{expected}\nnot in\n{metrics}");
    }
    promtool(&["check", "metrics"], Some(&metrics));
    // Prometheus asks for OpenMetrics.
    let open = reqwest::Client::new()
        .get(format!("{base}/metrics"))
        .header(
            "Accept",
            "application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
        )
        .send()
        .await
        .unwrap();
    assert!(open.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let open = open.text().await.unwrap();
    assert!(open.ends_with("# EOF\n"), "{open}");
    assert!(
        open.contains("\n# TYPE mcp_probe_serve_probes counter\n"),
        "{open}"
    );
    // Each name is described once, however many targets there are.
    for name in ["mcp_probe_success", "mcp_probe_serve_probes_total"] {
        let help = format!("# HELP {name} ");
        assert_eq!(metrics.matches(&help).count(), 1, "{metrics}");
    }

    let (status, api) = get(format!("{base}/api/targets")).await;
    assert_eq!(status, 200);
    let api: Value = serde_json::from_str(&api).unwrap();
    let targets = api["targets"].as_array().unwrap();
    assert_eq!(targets[0]["name"], "healthy");
    assert_eq!(targets[0]["state"], "up");
    assert_eq!(targets[0]["lastReport"]["ok"], true);
    assert_eq!(targets[1]["state"], "down");
    assert!(targets[1]["lastFailure"]
        .as_str()
        .unwrap()
        .starts_with("http_status: "));

    let (status, page) = get(format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<td>healthy<br>"), "{page}");
    assert!(page.contains("<tr class=\"down\">"), "{page}");

    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_endpoint_allows_only_listed_or_allowed_targets() {
    let fixture = FixtureServer::start().await.unwrap();
    let d = dir("probe");
    let config = d.join("monitor.yaml");
    let listed = fixture.url(Mode::Json);
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 1h}}\n\
             modules:\n  tool: {{steps: [{{step: callTool, name: add, arguments: {{a: 2, b: 3}}, expect: {{textEquals: '5'}}}}]}}\n\
             targets:\n  - {{name: listed, url: '{listed}'}}\n\
             probe: {{allow: ['http://{}/h*/mcp']}}\n",
            fixture.addr()
        ),
    )
    .unwrap();
    let serve = start(&config).await.unwrap();
    let base = format!("http://{}", serve.addr());
    let client = reqwest::Client::new();
    let probe = |target: String, extra: &str| {
        let url = format!("{base}/probe?target={target}{extra}");
        let client = client.clone();
        async move {
            let r = client
                .get(url)
                .header("X-Prometheus-Scrape-Timeout-Seconds", "2")
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };

    let (status, body) = probe(listed.clone(), "&module=tool").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!("mcp_probe_success{{target=\"{listed}\"}} 1")),
        "{body}"
    );
    assert!(body.contains("step=\"tools/call\""), "{body}");

    let (status, body) = probe(fixture.url(Mode::BadGateway), "").await;
    assert_eq!(status, 403);
    assert!(body.starts_with("target not allowed: "), "{body}");
    let (status, _) = probe("http://169.254.169.254/latest/meta-data".into(), "").await;
    assert_eq!(status, 403);

    // Allowed by the pattern: `hang` never answers; the scrape timeout (2 s less the margin)
    // bounds the probe.
    let started = Instant::now();
    let (status, body) = probe(fixture.url(Mode::Hang), "&debug=true").await;
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let hang = fixture.url(Mode::Hang);
    assert!(
        body.contains(&format!("mcp_probe_success{{target=\"{hang}\"}} 0")),
        "{body}"
    );
    assert!(body.contains("code=\"timeout\""), "{body}");
    assert!(body.contains("\n# The probe's report:\n# "), "{body}");

    let (status, body) = probe(listed, "&module=nope").await;
    assert_eq!((status, body.as_str()), (400, "unknown module\n"));
    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

/// Runs `promtool` with `args` (and `stdin`) and asserts that it succeeds.
fn promtool(args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let promtool = mcp_probe_testkit::prometheus_program("promtool");
    let mut child = Command::new(promtool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_shipped_alert_rules_are_valid() {
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/serve-alerts.yml");
    promtool(&["check", "rules", rules], None);
}

/// Collects the JSON bodies posted to it.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(String, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    async fn hook(
        State(tx): State<mpsc::UnboundedSender<(String, Value)>>,
        uri: axum::http::Uri,
        body: String,
    ) -> &'static str {
        let _ = tx.send((uri.path().to_owned(), serde_json::from_str(&body).unwrap()));
        "ok"
    }
    let app = Router::new()
        .route("/generic", post(hook))
        .route("/pd", post(hook))
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), rx)
}

async fn next_for(rx: &mut mpsc::UnboundedReceiver<(String, Value)>, path: &str) -> Value {
    tokio::time::timeout(DEADLINE, async {
        loop {
            let (p, body) = rx.recv().await.unwrap();
            if p == path {
                return body;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no webhook at {path}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changes_follow_thresholds_and_reach_webhooks() {
    let fixture = FixtureServer::start().await.unwrap();
    let (hooks, mut received) = receiver().await;
    let d = dir("alerts");
    let key = d.join("routing-key");
    std::fs::write(&key, "R0UT1NG-KEY\n").unwrap();
    let config = d.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 100ms, timeout: 5s}}\n\
             targets:\n  - {{name: flip, url: '{}', failureThreshold: 2, successThreshold: 2, labels: {{team: mcp}}}}\n\
             alerts:\n  sendResolved: true\n  webhooks:\n\
             \x20   - {{url: '{hooks}/generic'}}\n\
             \x20   - {{url: '{hooks}/pd', format: pagerduty, routingKeyFile: '{}'}}\n",
            fixture.url(Mode::Switch),
            key.display()
        ),
    )
    .unwrap();
    let serve = start(&config).await.unwrap();
    let base = format!("http://{}", serve.addr());

    health_becomes(&base, "flip", 200).await;
    fixture.set_switch_healthy(false);
    let down = next_for(&mut received, "/generic").await;
    assert_eq!(down["event"], "state_change");
    assert_eq!(
        (down["from"].as_str(), down["to"].as_str()),
        (Some("up"), Some("down"))
    );
    assert_eq!(down["target"], "flip");
    assert_eq!(down["labels"]["team"], "mcp");
    assert_eq!(down["failure"]["code"], "http_status");
    let trigger = next_for(&mut received, "/pd").await;
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["routing_key"], "R0UT1NG-KEY");
    assert_eq!(trigger["dedup_key"], "mcp-probe/flip");
    let why = health_becomes(&base, "flip", 503).await;
    assert!(why.starts_with("down: http_status: "), "{why}");
    // Two failures in a row were needed: the state changed on the second.
    let api: Value = serde_json::from_str(&get(format!("{base}/api/targets")).await.1).unwrap();
    assert!(
        api["targets"][0]["failuresByCode"]["http_status"]
            .as_u64()
            .unwrap()
            >= 2
    );

    fixture.set_switch_healthy(true);
    let up = next_for(&mut received, "/generic").await;
    assert_eq!(
        (up["from"].as_str(), up["to"].as_str()),
        (Some("down"), Some("up"))
    );
    let resolve = next_for(&mut received, "/pd").await;
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["dedup_key"], "mcp-probe/flip");
    health_becomes(&base, "flip", 200).await;
    // Counted once the receiver's answer is in, which may be just after it saw the body.
    eventually("four webhook deliveries counted", || async {
        let metrics = get(format!("{base}/metrics")).await.1;
        line(
            &metrics,
            "mcp_probe_serve_webhook_deliveries_total{result=\"sent\"} 4",
        )
        .map(drop)
    })
    .await;
    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

/// A webhook receiver that answers 500 to the first request on each path and 200 after,
/// passing on each body with the status it answered.
async fn flaky_receiver() -> (String, mpsc::UnboundedReceiver<(String, u16, Value)>) {
    type Seen = (
        mpsc::UnboundedSender<(String, u16, Value)>,
        std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    );
    let (tx, rx) = mpsc::unbounded_channel();
    async fn hook(
        State((tx, seen)): State<Seen>,
        uri: axum::http::Uri,
        body: String,
    ) -> axum::http::StatusCode {
        let first = seen.lock().unwrap().insert(uri.path().to_owned());
        let status = if first {
            axum::http::StatusCode::INTERNAL_SERVER_ERROR
        } else {
            axum::http::StatusCode::OK
        };
        let _ = tx.send((
            uri.path().to_owned(),
            status.as_u16(),
            serde_json::from_str(&body).unwrap(),
        ));
        status
    }
    let app = Router::new()
        .route("/generic", post(hook))
        .route("/slack", post(hook))
        .with_state((tx, Default::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), rx)
}

async fn next_delivery(
    rx: &mut mpsc::UnboundedReceiver<(String, u16, Value)>,
) -> (String, u16, Value) {
    tokio::time::timeout(DEADLINE, rx.recv())
        .await
        .expect("a webhook delivery")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_and_reminders_repeat_while_down() {
    let fixture = FixtureServer::start().await.unwrap();
    let (hooks, mut received) = flaky_receiver().await;
    let d = dir("reminders");
    let config = d.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 100ms, timeout: 5s, failureThreshold: 1}}\n\
             targets:\n  - {{name: gateway, url: '{}'}}\n\
             alerts:\n  reminderInterval: 300ms\n  webhooks:\n\
             \x20   - {{url: '{hooks}/generic'}}\n\
             \x20   - {{url: '{hooks}/slack', format: slack}}\n",
            fixture.url(Mode::BadGateway),
        ),
    )
    .unwrap();
    let serve = start(&config).await.unwrap();
    let base = format!("http://{}", serve.addr());

    // The change to down: refused once by each webhook, then delivered on the retry.
    let (path, status, first) = next_delivery(&mut received).await;
    assert_eq!((path.as_str(), status), ("/generic", 500));
    assert_eq!(first["event"], "state_change");
    assert_eq!(first["to"], "down");
    assert_eq!(first["failure"]["code"], "http_status");
    let (path, status, again) = next_delivery(&mut received).await;
    assert_eq!((path.as_str(), status), ("/generic", 200));
    assert_eq!(again, first, "the retry sends the same alert");
    let (path, status, slack) = next_delivery(&mut received).await;
    assert_eq!((path.as_str(), status), ("/slack", 500));
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.starts_with("mcp-probe: gateway is DOWN: http_status"),
        "{text}"
    );
    let (path, status, _) = next_delivery(&mut received).await;
    assert_eq!((path.as_str(), status), ("/slack", 200));

    // Still down: a reminder to each webhook, later than the change by the interval.
    let (path, status, reminder) = next_delivery(&mut received).await;
    assert_eq!((path.as_str(), status), ("/generic", 200));
    assert_eq!(reminder["event"], "reminder");
    assert_eq!(
        (reminder["from"].as_str(), reminder["to"].as_str()),
        (Some("down"), Some("down"))
    );
    let at = |v: &Value| humantime::parse_rfc3339(v["at"].as_str().unwrap()).unwrap();
    let gap = at(&reminder).duration_since(at(&first)).unwrap();
    assert!(gap >= Duration::from_millis(300), "reminded after {gap:?}");
    let (path, _, slack) = next_delivery(&mut received).await;
    assert_eq!(path, "/slack");
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.starts_with("mcp-probe: gateway is still DOWN: http_status"),
        "{text}"
    );

    // Each refused attempt was retried, none given up.
    let metrics = get(format!("{base}/metrics")).await.1;
    assert!(
        line(
            &metrics,
            "mcp_probe_serve_webhook_deliveries_total{result=\"failed\"} 0"
        )
        .is_some(),
        "{metrics}"
    );
    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_reload_keeps_the_old_configuration() {
    let fixture = FixtureServer::start().await.unwrap();
    let d = dir("reload");
    let config = d.join("monitor.yaml");
    let first = format!(
        "defaults: {{interval: 200ms, failureThreshold: 1}}\ntargets:\n  - {{name: a, url: '{}'}}\n",
        fixture.url(Mode::Json)
    );
    std::fs::write(&config, &first).unwrap();
    let serve = start(&config).await.unwrap();
    let base = format!("http://{}", serve.addr());
    health_becomes(&base, "a", 200).await;
    let client = reqwest::Client::new();
    let reload = || async {
        let r = client
            .post(format!("{base}/-/reload"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };

    std::fs::write(
        &config,
        "targets:\n  - {name: a, url: 'http://x/mcp', module: deep}\n",
    )
    .unwrap();
    let (status, body) = reload().await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        "not reloaded, the old configuration keeps running: targets[0].module: unknown module \"deep\"\n"
    );
    assert_eq!(
        serve.reload().await.unwrap_err(),
        "targets[0].module: unknown module \"deep\""
    );
    assert_eq!(get(format!("{base}/health/a")).await.0, 200);
    let metrics = get(format!("{base}/metrics")).await.1;
    for expected in [
        "mcp_probe_serve_config_reloads_total{result=\"failure\"} 2",
        "mcp_probe_serve_config_last_reload_successful 0",
    ] {
        assert!(
            line(&metrics, expected).is_some(),
            "{expected}\nnot in\n{metrics}"
        );
    }

    std::fs::write(&config, first.replace("name: a", "name: b")).unwrap();
    assert_eq!(reload().await, (200, "reloaded\n".to_owned()));
    health_becomes(&base, "b", 200).await;
    assert_eq!(get(format!("{base}/health/a")).await.0, 404);
    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_cancels_probes_in_flight() {
    let fixture = FixtureServer::start().await.unwrap();
    let d = dir("shutdown");
    let config = d.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 100ms, timeout: 1h}}\ntargets:\n  - {{name: h, url: '{}'}}\n",
            fixture.url(Mode::Hang)
        ),
    )
    .unwrap();
    let serve = start(&config).await.unwrap();
    // The probe is in flight once the fixture has logged its request.
    eventually("the hanging request", || async {
        (!fixture.log().is_empty()).then_some(())
    })
    .await;
    let started = Instant::now();
    serve.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    std::fs::remove_dir_all(&d).unwrap();
}

fn stdio_fixture() -> std::path::PathBuf {
    mcp_probe_testkit::stdio_fixture_bin()
}

/// Whether a process with this id exists (and is not a zombie).
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

/// The binary: logs its bound address as JSON, stops on SIGTERM within a bound, and the stdio
/// server of the probe it cancelled is gone.
#[cfg(target_os = "linux")]
#[test]
fn sigterm_stops_the_binary_and_its_stdio_servers() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let d = dir("sigterm");
    let pidfile = d.join("server.pid");
    let config = d.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 100ms, timeout: 1h}}\n\
             targets:\n  - name: stuck\n    command: {{program: '{}', args: [hang], env: {{MCP_PROBE_FIXTURE_PIDFILE: '{}'}}}}\n",
            stdio_fixture().display(),
            pidfile.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--config",
        ])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let listening: Value = loop {
        let line = lines.next().expect("a log line").unwrap();
        let entry: Value = serde_json::from_str(&line).unwrap();
        if entry["fields"]["message"] == "listening" {
            break entry;
        }
    };
    let addr: SocketAddr = listening["fields"]["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(addr.port(), 0);
    // Keep reading the log so the pipe never fills.
    std::thread::spawn(move || for _ in lines {});

    let deadline = Instant::now() + DEADLINE;
    let server_pid = loop {
        if let Ok(pid) = std::fs::read_to_string(&pidfile) {
            if !pid.trim().is_empty() {
                break pid.trim().to_owned();
            }
        }
        assert!(Instant::now() < deadline, "the stdio server never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(alive(&server_pid));

    let stopped = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    while alive(&server_pid) {
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "the stdio server outlived serve"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// With every slot taken (`--concurrency 1`, a scheduled probe that hangs), `/probe` answers
/// 503 within the scrape's time instead of queueing past it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_endpoint_gives_up_when_no_slot_frees_in_time() {
    let fixture = FixtureServer::start().await.unwrap();
    let d = dir("slots");
    let config = d.join("monitor.yaml");
    let json = fixture.url(Mode::Json);
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 100ms, timeout: 1h}}\n\
             targets:\n  - {{name: h, url: '{}'}}\n  - {{name: j, url: '{json}', interval: 1h}}\n",
            fixture.url(Mode::Hang)
        ),
    )
    .unwrap();
    let serve = Serve::start(ServeOptions {
        config: config.clone(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        concurrency: 1,
    })
    .await
    .unwrap();
    eventually("the hanging request", || async {
        fixture
            .log()
            .iter()
            .any(|r| r.mode == Mode::Hang)
            .then_some(())
    })
    .await;
    let started = Instant::now();
    let r = reqwest::Client::new()
        .get(format!("http://{}/probe?target={json}", serve.addr()))
        .header("X-Prometheus-Scrape-Timeout-Seconds", "1.5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(
        r.text().await.unwrap(),
        "no free probe slot in time (see --concurrency)\n"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

/// Servers that echo the request's credentials back: neither the token (from a file) nor a
/// header value of the module shows on any endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_secrets_stay_out_of_every_endpoint() {
    let fixture = FixtureServer::start().await.unwrap();
    let d = dir("secrets");
    let token = d.join("token");
    std::fs::write(&token, "tok-SECRET-1234\n").unwrap();
    let config = d.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 200ms, failureThreshold: 1}}\n\
             modules:\n  authed: {{target: {{bearerFile: '{}', headers: {{X-Api-Key: key-SECRET-5678}}}}}}\n\
             targets:\n  - {{name: body, url: '{}', module: authed}}\n  - {{name: rpc, url: '{}', module: authed}}\n",
            token.display(),
            fixture.url(Mode::EchoErrorBody),
            fixture.url(Mode::EchoRpcError)
        ),
    )
    .unwrap();
    let serve = start(&config).await.unwrap();
    let base = format!("http://{}", serve.addr());
    health_becomes(&base, "body", 503).await;
    health_becomes(&base, "rpc", 503).await;
    // The fixture did get them.
    assert!(fixture
        .log()
        .iter()
        .any(|r| r.headers.iter().any(|(_, v)| v.contains("key-SECRET-5678"))));
    for path in [
        "/metrics",
        "/api/targets",
        "/",
        "/health/body",
        "/health/rpc",
    ] {
        let (_, body) = get(format!("{base}{path}")).await;
        for secret in ["tok-SECRET-1234", "key-SECRET-5678"] {
            assert!(!body.contains(secret), "{secret} in {path}:\n{body}");
        }
    }
    serve.shutdown().await;
    std::fs::remove_dir_all(&d).unwrap();
}

/// `--check-config` checks a configuration as a start would, and exits without serving.
#[test]
fn check_config_validates_and_exits() {
    let dir = std::env::temp_dir().join(format!("mcp-probe-check-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (good, bad) = (dir.join("good.yaml"), dir.join("bad.yaml"));
    std::fs::write(
        &good,
        "modules: {deep: {}}\ntargets:\n  - {name: a, url: \"http://127.0.0.1:1/mcp\", module: deep}\n",
    )
    .unwrap();
    std::fs::write(
        &bad,
        "targets:\n  - {name: a, url: \"http://127.0.0.1:1/mcp\", module: deeper}\n",
    )
    .unwrap();
    let run = |path: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
            .args(["serve", "--check-config", "--config"])
            .arg(path)
            .output()
            .unwrap()
    };
    let out = run(&good);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{}: valid: 1 targets, 2 modules, 0 webhooks\n",
            good.display()
        )
    );
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "mcp-probe: targets[0].module: unknown module \"deeper\"\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
