//! TLS: certificate facts and per-phase timings of a healthy `https` probe, and each broken
//! certificate classified exactly (expired, not yet valid, wrong host, unknown CA), the
//! expiry thresholds, `insecure`, mutual TLS, and caller mistakes with TLS files.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use mcp_probe_core::{ErrorKind, FailureCode, FailureFamily, Prober, Report, Scenario, StepStatus};
use mcp_probe_testkit::{FixtureServer, Mode, TestCa, TestCert, TlsFront};

const HOSTS: &[&str] = &["localhost", "127.0.0.1"];

/// A directory of PEM files for one test, removed on drop.
struct Files(PathBuf);

impl Files {
    fn new(name: &str) -> Files {
        let dir = std::env::temp_dir().join(format!("mcp-probe-tls-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Files(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn probe(front: &TlsFront, ca_file: Option<&PathBuf>) -> Report {
    let mut scenario = Scenario::for_url(front.url(Mode::Json)).timeout(Duration::from_secs(5));
    if let Some(ca) = ca_file {
        scenario = scenario.ca_cert(ca);
    }
    Prober::new().check(&scenario).await.unwrap()
}

/// The report validates against docs/report.schema.json.
fn assert_schema(report: &Report) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value = serde_json::to_value(report).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{value:#}");
}

async fn front(server: &FixtureServer, cert: &TestCert) -> TlsFront {
    TlsFront::start(server.addr(), cert, None).await.unwrap()
}

#[tokio::test]
async fn a_valid_certificate_gives_facts_and_phases() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let files = Files::new("valid");
    let ca_file = files.write("ca.pem", &ca.cert_pem());
    let front = front(&server, &ca.leaf(HOSTS, -1, 90)).await;

    let report = probe(&front, Some(&ca_file)).await;
    assert!(report.ok, "{}", report.to_json_pretty());
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_schema(&report);
    let tls = report.tls.as_ref().expect("TLS facts");
    assert_eq!(tls.subject, "CN=localhost");
    assert_eq!(tls.issuer, "CN=mcp-probe test CA");
    assert_eq!(tls.sans, ["localhost", "127.0.0.1"]);
    assert_eq!(tls.host, "127.0.0.1");
    assert!((89..=90).contains(&tls.days_left), "{}", tls.days_left);
    assert_eq!(tls.chain_length, 1);
    assert!(tls.verified && !tls.insecure && tls.problem.is_none());
    assert!(!tls.serial.is_empty() && tls.not_after.ends_with('Z'));

    // The first step opened the connection: DNS (an IP address: 0), TCP connect and TLS.
    let handshake = &report.steps[0];
    let t = handshake.timings.as_ref().expect("handshake timings");
    assert!(!t.reused_connection);
    assert_eq!(t.dns_ms, Some(0.0));
    assert!(t.connect_ms.is_some(), "{t:?}");
    assert!(t.tls_ms.is_some_and(|ms| ms > 0.0), "{t:?}");
    assert!(t.total_ms > 0.0 && t.ttfb_ms > 0.0);
    let first = &handshake.exchanges[0];
    assert!(!first.timings.reused_connection);
    let phases = first.timings.dns_ms.unwrap()
        + first.timings.connect_ms.unwrap()
        + first.timings.tls_ms.unwrap()
        + first.timings.ttfb_ms
        + first.timings.body_ms;
    assert!(phases <= first.timings.total_ms + 0.01, "{first:?}");
    // Later steps go over the same connection and say so.
    let list = report
        .steps
        .iter()
        .find(|s| s.name == "tools/list")
        .unwrap();
    let t = list.timings.as_ref().unwrap();
    assert!(t.reused_connection, "{t:?}");
    assert_eq!((t.dns_ms, t.connect_ms, t.tls_ms), (None, None, None));
}

#[tokio::test]
async fn a_host_name_is_resolved_and_timed() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let files = Files::new("localhost");
    let ca_file = files.write("ca.pem", &ca.cert_pem());
    let front = front(&server, &ca.leaf(HOSTS, -1, 90)).await;
    let scenario = Scenario::for_url(front.localhost_url(Mode::Json))
        .ca_cert(&ca_file)
        .timeout(Duration::from_secs(5));
    let report = Prober::new().check(&scenario).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.tls.as_ref().unwrap().host, "localhost");
    let t = report.steps[0].timings.as_ref().unwrap();
    assert!(t.dns_ms.is_some_and(|ms| ms > 0.0), "{t:?}");
}

#[tokio::test]
async fn the_certificate_cases_give_distinct_codes_with_facts() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let stranger = TestCa::new("some other CA");
    let files = Files::new("cases");
    let ca_file = files.write("ca.pem", &ca.cert_pem());
    let cases = [
        ("expired", ca.leaf(HOSTS, -30, -1), FailureCode::TlsExpired),
        (
            "not yet valid",
            ca.leaf(HOSTS, 1, 90),
            FailureCode::TlsNotYetValid,
        ),
        (
            "wrong host",
            ca.leaf(&["other.example"], -1, 90),
            FailureCode::TlsHostnameMismatch,
        ),
        (
            "unknown CA",
            stranger.leaf(HOSTS, -1, 90),
            FailureCode::TlsUntrusted,
        ),
    ];
    let mut codes = HashSet::new();
    for (name, cert, code) in cases {
        let front = front(&server, &cert).await;
        let report = probe(&front, Some(&ca_file)).await;
        assert_schema(&report);
        let f = report
            .failure
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no failure"));
        assert_eq!(f.code, code, "{name}: {}", f.message);
        assert_eq!(f.family, FailureFamily::Tls);
        assert_eq!(f.step.as_deref(), Some("handshake"));
        let facts = &f.details["certificate"];
        assert!(facts["notAfter"].is_string(), "{name}: {f:?}");
        assert_eq!(facts["verified"], false, "{name}");
        assert_eq!(facts["problem"], code.as_str(), "{name}");
        let tls = report.tls.as_ref().unwrap();
        assert!(!tls.verified);
        assert_eq!(tls.problem.as_deref(), Some(code.as_str()));
        codes.insert(f.code);
        match code {
            FailureCode::TlsExpired => {
                assert!(tls.days_left < 0);
                assert!(f.message.contains("expired on"), "{}", f.message);
            }
            FailureCode::TlsHostnameMismatch => {
                assert_eq!(f.details["host"], "127.0.0.1");
                assert!(f.message.contains("other.example"), "{}", f.message);
                assert_eq!(tls.sans, ["other.example"]);
            }
            FailureCode::TlsUntrusted => assert_eq!(tls.issuer, "CN=some other CA"),
            _ => {}
        }
    }

    // Expiring in 3 days: a warning by default, a failure below --cert-fail-days.
    let front = front(&server, &ca.leaf(HOSTS, -30, 3)).await;
    let report = probe(&front, Some(&ca_file)).await;
    assert!(report.ok, "{}", report.to_json_pretty());
    assert_eq!(report.steps[0].status, StepStatus::Warn);
    let w = &report.warnings[0];
    assert_eq!(w.code, "cert_expiring");
    // Three days less the moments since the certificate was made (X.509 times are seconds).
    assert!(
        w.message.contains("expires in 2 days") || w.message.contains("expires in 3 days"),
        "{}",
        w.message
    );
    let scenario = Scenario::for_url(front.url(Mode::Json))
        .ca_cert(&ca_file)
        .cert_fail_days(7);
    let report = Prober::new().check(&scenario).await.unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::CertExpiring);
    assert_eq!(f.family, FailureFamily::Tls);
    let days_left = f.details["certificate"]["daysLeft"].as_i64().unwrap();
    assert!((2..=3).contains(&days_left), "{days_left}");
    codes.insert(f.code);
    assert_eq!(codes.len(), 5, "{codes:?}");
    // Thresholds can be relaxed.
    let quiet = Scenario::for_url(front.url(Mode::Json))
        .ca_cert(&ca_file)
        .cert_warn_days(2);
    let report = Prober::new().check(&quiet).await.unwrap();
    assert!(
        report.ok && report.warnings.is_empty(),
        "{:?}",
        report.warnings
    );
}

#[tokio::test]
async fn the_default_trust_does_not_include_a_private_ca() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let front = front(&server, &ca.leaf(HOSTS, -1, 90)).await;
    let report = probe(&front, None).await;
    assert_eq!(report.failure.unwrap().code, FailureCode::TlsUntrusted);
}

#[tokio::test]
async fn insecure_accepts_anything_but_reports_it() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let front = front(&server, &ca.leaf(HOSTS, -30, -1)).await;
    let scenario = Scenario::for_url(front.url(Mode::Json))
        .insecure(true)
        .cert_warn_days(0);
    let report = Prober::new().check(&scenario).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
    let w = &report.warnings[0];
    assert_eq!(w.code, "insecure_tls");
    assert!(w.message.contains("tls_expired"), "{}", w.message);
    let tls = report.tls.unwrap();
    assert!(tls.insecure && !tls.verified);
    assert_eq!(tls.problem.as_deref(), Some("tls_expired"));
}

#[tokio::test]
async fn every_probe_makes_a_fresh_handshake() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let files = Files::new("fresh");
    let ca_file = files.write("ca.pem", &ca.cert_pem());
    let front = front(&server, &ca.leaf(HOSTS, -1, 90)).await;
    let prober = Prober::new();
    let scenario = Scenario::for_url(front.url(Mode::Json)).ca_cert(&ca_file);
    for round in 1..=2 {
        let report = prober.check(&scenario).await.unwrap();
        assert!(report.ok);
        assert!(report.tls.is_some());
        let t = report.steps[0].timings.as_ref().unwrap();
        assert!(
            !t.reused_connection && t.tls_ms.is_some(),
            "round {round}: {t:?}"
        );
        assert!(front.handshakes() >= round, "round {round}");
    }
}

#[tokio::test]
async fn mutual_tls_presents_the_client_certificate() {
    let server = FixtureServer::start().await.unwrap();
    let ca = TestCa::new("mcp-probe test CA");
    let files = Files::new("mtls");
    let ca_file = files.write("ca.pem", &ca.cert_pem());
    let client = ca.client("probe-client");
    let cert_file = files.write("client.pem", &client.cert_pem);
    let key_file = files.write("client-key.pem", &client.key_pem);
    let front = TlsFront::start(server.addr(), &ca.leaf(HOSTS, -1, 90), Some(&ca))
        .await
        .unwrap();
    let without = Scenario::for_url(front.url(Mode::Json))
        .ca_cert(&ca_file)
        .timeout(Duration::from_secs(5));
    let report = Prober::new().check(&without).await.unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.family, FailureFamily::Tls, "{f:?}");
    assert_eq!(f.code, FailureCode::TlsHandshake, "{f:?}");
    let with = without.client_cert(&cert_file, &key_file);
    let report = Prober::new().check(&with).await.unwrap();
    assert!(report.ok, "{}", report.to_json_pretty());
}

#[tokio::test]
async fn tls_to_a_plain_http_port_is_a_handshake_failure() {
    let server = FixtureServer::start().await.unwrap();
    let url = format!("https://{}/json/mcp", server.addr());
    let report = Prober::new()
        .check(&Scenario::for_url(url).timeout(Duration::from_secs(5)))
        .await
        .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::TlsHandshake, "{f:?}");
    assert!(report.tls.is_none());
}

/// A TCP server that accepts `n` connections and then either holds them silently or closes
/// them at once; it never speaks TLS.
async fn mute_server(n: usize, hold: bool) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..n {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            if hold {
                held.push(socket);
            }
        }
        // Keep the held connections open until the test aborts the task.
        std::future::pending::<()>().await;
    });
    (addr, task)
}

#[tokio::test]
async fn a_silent_tls_server_times_out_in_the_tls_phase() {
    let (addr, task) = mute_server(4, true).await;
    let scenario = Scenario::for_url(format!("https://{addr}/mcp"))
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(5));
    let report = Prober::new().check(&scenario).await.unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::Timeout, "{f:?}");
    assert_eq!(f.details["phase"], "tls", "{f:?}");
    task.abort();
}

#[tokio::test]
async fn a_server_closing_during_the_handshake_is_a_handshake_failure() {
    let (addr, task) = mute_server(4, false).await;
    let report = Prober::new()
        .check(&Scenario::for_url(format!("https://{addr}/mcp")).timeout(Duration::from_secs(5)))
        .await
        .unwrap();
    let f = report.failure.unwrap();
    assert_eq!(f.code, FailureCode::TlsHandshake, "{f:?}");
    task.abort();
}

#[tokio::test]
async fn tls_file_mistakes_are_errors_not_reports() {
    let files = Files::new("mistakes");
    let url = "https://127.0.0.1:9/mcp";
    let missing = Scenario::for_url(url).ca_cert(files.0.join("nope.pem"));
    let e = Prober::new().check(&missing).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Setup);
    assert!(e.to_string().contains("nope.pem"), "{e}");
    let garbage = files.write("garbage.pem", "hello");
    let e = Prober::new()
        .check(&Scenario::for_url(url).ca_cert(&garbage))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Setup);
    let ca = TestCa::new("mcp-probe test CA");
    let a = ca.client("a");
    let b = ca.client("b");
    let cert = files.write("a.pem", &a.cert_pem);
    let other_key = files.write("b-key.pem", &b.key_pem);
    let e = Prober::new()
        .check(&Scenario::for_url(url).client_cert(&cert, &other_key))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Setup, "{e}");
    let mut half = Scenario::for_url(url);
    half.target.as_mut().unwrap().tls.client_cert = Some(cert);
    assert_eq!(
        Prober::new().check(&half).await.unwrap_err().kind(),
        ErrorKind::InvalidOption
    );
}
