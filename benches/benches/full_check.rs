//! One full check (handshake → tools/list → tools/call → DELETE) against the in-process
//! fixture server, over JSON and over SSE answers. The per-check time is the baseline the
//! Python and Node bindings are compared against.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use mcp_probe_core::{Prober, Scenario};
use mcp_probe_testkit::{FixtureServer, Mode};
use serde_json::json;

fn full_check(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt.block_on(FixtureServer::start()).expect("fixture");
    let prober = Prober::new();
    let mut group = c.benchmark_group("full_check");
    for mode in [Mode::Json, Mode::Sse] {
        let scenario = Scenario::for_url(server.url(mode))
            .call_tool("add", json!({"a": 2, "b": 3}))
            .expect_text("5");
        group.bench_function(mode.as_str(), |b| {
            b.to_async(&rt).iter(|| async {
                let report = prober.check(&scenario).await.expect("valid scenario");
                assert!(report.ok);
                report
            })
        });
    }
    group.finish();
}

criterion_group!(benches, full_check);
criterion_main!(benches);
