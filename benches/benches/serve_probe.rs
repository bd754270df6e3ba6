//! `serve`'s cost per probe: one `GET /probe?target=…&module=tool` on an in-process `serve`
//! (the probe of the fixture server plus serve's own work: the allow-list, a probe slot, the
//! Prometheus rendering of the report, the HTTP round trip) beside the same check called
//! directly. The difference is what serve adds to a probe. Serve's per-target state update after
//! a scheduled probe is internal to the CLI crate and not benched on its own.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::net::{Ipv4Addr, SocketAddr};

use criterion::{criterion_group, criterion_main, Criterion};
use mcp_probe_benches::scenario;
use mcp_probe_cli::serve::{Serve, ServeOptions};
use mcp_probe_core::Prober;
use mcp_probe_testkit::{FixtureServer, Mode};

fn serve_probe(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let fixture = rt.block_on(FixtureServer::start()).expect("fixture");
    let target = fixture.url(Mode::Json);
    let dir = std::env::temp_dir().join(format!("mcp-probe-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let config = dir.join("monitor.yaml");
    std::fs::write(
        &config,
        format!(
            "modules:\n  tool: {{steps: [{{step: callTool, name: add, arguments: {{a: 2, b: 3}}, expect: {{textEquals: '5'}}}}]}}\n\
             probe: {{allow: ['http://{}/*']}}\n",
            fixture.addr()
        ),
    )
    .expect("configuration");
    let serve = rt
        .block_on(Serve::start(ServeOptions {
            config,
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            concurrency: 64,
        }))
        .expect("serve");
    let endpoint = format!("http://{}/probe?target={target}&module=tool", serve.addr());
    let client = reqwest::Client::new();
    let prober = Prober::new();
    let scenario = scenario(&target);

    let mut group = c.benchmark_group("serve_probe");
    group.bench_function("direct_check", |b| {
        b.to_async(&rt).iter(|| async {
            let report = prober.check(&scenario).await.expect("valid scenario");
            assert!(report.ok);
        })
    });
    group.bench_function("serve_probe_endpoint", |b| {
        b.to_async(&rt).iter(|| async {
            let response = client.get(&endpoint).send().await.expect("GET /probe");
            assert!(response.status().is_success());
            let body = response.text().await.expect("body");
            assert!(body.contains("mcp_probe_success{"), "{body}");
        })
    });
    group.finish();
    rt.block_on(serve.shutdown());
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, serve_probe);
criterion_main!(benches);
