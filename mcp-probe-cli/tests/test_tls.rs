//! `mcp-probe check` against a TLS fixture: the certificate line with its days left, each
//! step's phases, exit 5 for certificate failures, `--insecure` warned about in every format,
//! `--follow-redirects` and TLS flags checked as usage.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use mcp_probe_testkit::{FixtureServer, Mode, TestCa, TlsFront};
use serde_json::Value;

const HOSTS: &[&str] = &["localhost", "127.0.0.1"];

/// Runs the CLI off the async runtime so the in-process fixture keeps serving.
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
            .args(&args)
            .output()
            .expect("the binary runs")
    })
    .await
    .expect("the blocking task ran")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A CA file for one test, removed on drop.
struct CaFile(PathBuf);

impl CaFile {
    fn new(name: &str, ca: &TestCa) -> CaFile {
        let dir =
            std::env::temp_dir().join(format!("mcp-probe-cli-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, ca.cert_pem()).unwrap();
        CaFile(path)
    }

    fn arg(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_check_prints_the_certificate_and_the_phases() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let ca_file = CaFile::new("phases", &ca);
    let front = TlsFront::start(server.addr(), &ca.leaf(HOSTS, -1, 90), None)
        .await
        .unwrap();
    let out = run(vec![
        "check".into(),
        front.url(Mode::Json),
        "--ca-cert".into(),
        ca_file.arg(),
    ])
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    let tls = lines[1].trim_start();
    assert!(
        tls.starts_with("TLS  CN=localhost (localhost, 127.0.0.1)"),
        "{stdout}"
    );
    assert!(tls.contains("issued by CN=mcp-probe test CA"), "{stdout}");
    assert!(
        tls.contains("(89 days left)") || tls.contains("(90 days left)"),
        "{stdout}"
    );
    assert!(tls.ends_with("verified"), "{stdout}");
    assert!(
        lines[2].trim_start().starts_with("PASS handshake"),
        "{stdout}"
    );
    let phases = lines[3].trim_start();
    assert!(
        phases.starts_with("timings: dns 0.0 ms, connect "),
        "{stdout}"
    );
    assert!(
        phases.contains(", tls ") && phases.contains(", ttfb "),
        "{stdout}"
    );
    assert!(
        lines[5]
            .trim_start()
            .starts_with("timings: reused connection, ttfb "),
        "{stdout}"
    );

    let out = run(vec![
        "check".into(),
        front.url(Mode::Json),
        "--ca-cert".into(),
        ca_file.arg(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let days = report["tls"]["daysLeft"].as_i64().unwrap();
    assert!((89..=90).contains(&days), "{days}");
    assert!(report["steps"][0]["timings"]["tlsMs"].as_f64().unwrap() > 0.0);
    assert!(report["steps"][0]["exchanges"]
        .as_array()
        .is_some_and(|e| !e.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_failures_exit_5_and_insecure_is_always_reported() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let ca_file = CaFile::new("expired", &ca);
    let front = TlsFront::start(server.addr(), &ca.leaf(HOSTS, -30, -2), None)
        .await
        .unwrap();
    let out = run(vec![
        "check".into(),
        front.url(Mode::Json),
        "--ca-cert".into(),
        ca_file.arg(),
    ])
    .await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{stdout}");
    assert!(stdout.contains("rejected: tls_expired"), "{stdout}");
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("FAIL at handshake (tls_expired): "),
        "{stdout}"
    );

    let insecure = |format: &str| {
        vec![
            "check".to_owned(),
            front.url(Mode::Json),
            "--insecure".to_owned(),
            "--format".to_owned(),
            format.to_owned(),
        ]
    };
    let out = run(insecure("text")).await;
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("not verified (insecure), would fail with tls_expired"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  warning: TLS certificate verification is switched off"),
        "{stdout}"
    );
    let out = run(insecure("json")).await;
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["warnings"][0]["code"], "insecure_tls");
    assert_eq!(report["tls"]["insecure"], true);

    // Expiring soon: --cert-fail-days turns the warning into a TLS failure.
    let soon = TlsFront::start(server.addr(), &ca.leaf(HOSTS, -30, 3), None)
        .await
        .unwrap();
    let out = run(vec![
        "check".into(),
        soon.url(Mode::Json),
        "--ca-cert".into(),
        ca_file.arg(),
        "--cert-fail-days".into(),
        "7".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("(cert_expiring)"));
}

#[test]
fn tls_flag_mistakes_are_usage_errors() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mcp-probe"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "check",
        "https://127.0.0.1:9/mcp",
        "--ca-cert",
        "/nonexistent/ca.pem",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/nonexistent/ca.pem"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["check", "https://127.0.0.1:9/mcp", "--client-cert", "c.pem"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["check", "--insecure", "--stdio", "--", "true"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not --stdio"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "check",
        "http://127.0.0.1:9/mcp",
        "--follow-redirects",
        "always",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
