//! Using `mcp-probe-core` from Rust.
//!
//! ```sh
//! cargo run -- http://127.0.0.1:8000/mcp [MORE_URLS…]
//! ```
//!
//! 1. A deploy gate: waits (at most 30 s) until the first server is healthy, lists its tools
//!    and calls `add` with `{"a": 2, "b": 3}`, expecting `5`.
//! 2. A fleet: probes every URL at once with one shared `Prober` (it shares TLS
//!    configurations and remembers each server's protocol era; every probe opens its own
//!    connections), and prints one line per server.
//!
//! Exits 1 when any probe failed, 2 on a usage error.

use std::process::ExitCode;
use std::time::Duration;

use mcp_probe_core::{Prober, Report, Scenario};

/// One line about a report: `OK`/`FAIL`, the target, the verdict.
fn describe(report: &Report) -> String {
    match &report.failure {
        None => format!(
            "OK    {}  protocol {}, {:.1} ms",
            report.target,
            report.protocol_version.as_deref().unwrap_or("?"),
            report.duration_ms
        ),
        Some(failure) => format!(
            "FAIL  {}  at {} ({}): {}",
            report.target,
            failure.step.as_deref().unwrap_or("-"),
            failure.code.as_str(),
            failure.message
        ),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let urls: Vec<String> = std::env::args().skip(1).collect();
    if urls.is_empty() {
        eprintln!("usage: mcp-probe-rust-example URL [URL…]");
        return ExitCode::from(2);
    }
    let prober = Prober::new();

    // 1. The deploy gate: a tool call with an expectation, retried until healthy.
    let gate = Scenario::for_url(urls[0].clone())
        .call_tool("add", serde_json::json!({"a": 2, "b": 3}))
        .expect_text("5")
        .timeout(Duration::from_secs(10))
        .wait_until_ready(Duration::from_secs(30));
    let mut healthy = true;
    match prober.check(&gate).await {
        Ok(report) => {
            println!("gate: {}", describe(&report));
            for step in &report.steps {
                let status = format!("{:?}", step.status).to_lowercase();
                println!(
                    "  {:<12} {status:<4} {:>8.1} ms",
                    step.name, step.duration_ms
                );
            }
            healthy &= report.ok;
        }
        // Err only for the caller's mistakes: a bad URL, an invalid scenario.
        Err(err) => {
            eprintln!("mcp-probe-rust-example: {err}");
            return ExitCode::from(2);
        }
    }

    // 2. The fleet: every URL at once, handshake and tools/list each.
    let probes = urls.iter().map(|url| {
        let prober = prober.clone();
        let scenario = Scenario::for_url(url.clone()).timeout(Duration::from_secs(10));
        tokio::spawn(async move { prober.check(&scenario).await })
    });
    for probe in probes.collect::<Vec<_>>() {
        match probe.await {
            Ok(Ok(report)) => {
                let tools = report
                    .steps
                    .iter()
                    .find_map(|s| s.tools.as_ref())
                    .map_or(0, Vec::len);
                println!("fleet: {} ({tools} tools)", describe(&report));
                healthy &= report.ok;
            }
            Ok(Err(err)) => {
                eprintln!("mcp-probe-rust-example: {err}");
                return ExitCode::from(2);
            }
            Err(join) => panic!("a probe task panicked: {join}"),
        }
    }
    if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
