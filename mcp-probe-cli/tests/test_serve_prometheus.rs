//! A real Prometheus scrapes `serve` (Debian's `prometheus` package, which `interop/setup.sh`
//! installs): `/metrics` directly and `/probe` with the blackbox-style relabelling of
//! docs/serve.md. Prometheus's HTTP API must then show `mcp_probe_success` 1 for the healthy
//! target and 0 for the broken one, through both jobs.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::Value;

/// How long Prometheus may take to start, scrape and answer.
const DEADLINE: Duration = Duration::from_secs(90);

/// A child process killed and reaped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on now (Prometheus takes its address on the command line).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET `path_and_query` from `addr`; the status code and the body.
fn get(addr: &str, path_and_query: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path_and_query} HTTP/1.0\r\nHost: {addr}\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// `mcp_probe_success` by (job, label value of `key`) as Prometheus has it now.
fn success_by(prometheus: &str, job: &str, key: &str) -> Vec<(String, String)> {
    let query = format!("/api/v1/query?query=mcp_probe_success%7Bjob%3D%22{job}%22%7D");
    let Ok((200, body)) = get(prometheus, &query) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<Value>(&body) else {
        return Vec::new();
    };
    let mut found: Vec<(String, String)> = value["data"]["result"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .map(|r| {
                    (
                        r["metric"][key].as_str().unwrap_or_default().to_owned(),
                        r["value"][1].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_metrics_and_probe() {
    let prometheus_bin = mcp_probe_testkit::prometheus_program("prometheus");
    let server = FixtureServer::start().await.unwrap();
    let (ok, broken) = (server.url(Mode::Json), server.url(Mode::BadGateway));
    let dir = std::env::temp_dir().join(format!("mcp-probe-prometheus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let config = dir.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "defaults: {{interval: 1s, failureThreshold: 1}}\ntargets:\n  - {{name: healthy, url: \"{ok}\"}}\n  - {{name: broken, url: \"{broken}\"}}\n"
        ),
    )
    .unwrap();
    let mut serve = Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
        .args(["serve", "--config"])
        .arg(&config)
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = serve.stderr.take().unwrap();
    let _serve = Running(serve);
    let serve_addr: SocketAddr = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().expect("serve logs until it listens").unwrap();
            let entry: Value = serde_json::from_str(&line).unwrap();
            if entry["fields"]["message"] == "listening" {
                break entry["fields"]["address"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
            }
        };
        // Keep reading the log so the pipe never fills.
        std::thread::spawn(move || for _ in lines {});
        addr
    })
    .await
    .unwrap();

    let port = free_port();
    let prometheus = format!("127.0.0.1:{port}");
    let scrape_config = dir.join("prometheus.yml");
    std::fs::write(
        &scrape_config,
        format!(
            r#"global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: serve
    static_configs:
      - targets: ["{serve_addr}"]
  - job_name: probe
    metrics_path: /probe
    params:
      module: [default]
    static_configs:
      - targets: ["{ok}", "{broken}"]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: "{serve_addr}"
"#
        ),
    )
    .unwrap();
    let check = Command::new(mcp_probe_testkit::prometheus_program("promtool"))
        .args(["check", "config"])
        .arg(&scrape_config)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _prometheus = Running(
        Command::new(prometheus_bin)
            .arg(format!("--config.file={}", scrape_config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={prometheus}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    let want_serve = vec![
        ("broken".to_owned(), "0".to_owned()),
        ("healthy".to_owned(), "1".to_owned()),
    ];
    let mut want_probe = vec![
        (ok.clone(), "1".to_owned()),
        (broken.clone(), "0".to_owned()),
    ];
    want_probe.sort();
    let deadline = Instant::now() + DEADLINE;
    let (mut by_serve, mut by_probe) = (Vec::new(), Vec::new());
    while Instant::now() < deadline {
        let p = prometheus.clone();
        (by_serve, by_probe) = tokio::task::spawn_blocking(move || {
            (
                success_by(&p, "serve", "target"),
                success_by(&p, "probe", "instance"),
            )
        })
        .await
        .unwrap();
        if by_serve == want_serve && by_probe == want_probe {
            break;
        }
        // Polling another process's state, with a deadline: Prometheus scrapes every second.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!("mcp_probe_success{{job=\"serve\"}} by target: {by_serve:?}");
    println!("mcp_probe_success{{job=\"probe\"}} by instance: {by_probe:?}");
    assert_eq!(by_serve, want_serve);
    assert_eq!(by_probe, want_probe);
    let _ = std::fs::remove_dir_all(&dir);
}
