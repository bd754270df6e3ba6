//! Throughput of the SSE parser on the two shapes a probe sees: many small JSON-RPC events, and
//! one large event (a big tool result) arriving in pieces.

use std::hint::black_box;

use criterion::{criterion_main, Criterion, Throughput};
use mcp_probe_core::sse::{SseEvent, SseParser};

/// About 1,000 events of about 200 bytes each.
fn small_events() -> Vec<u8> {
    let mut stream = Vec::new();
    for id in 0..1_000 {
        let event = format!(
            "id: {id}\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\
             \"params\":{{\"progressToken\":\"tok-{id:06}\",\"progress\":{id},\"total\":1000,\
             \"message\":\"step {id} of 1000, still working on the request\"}}}}\n\n"
        );
        stream.extend_from_slice(event.as_bytes());
        if id % 100 == 0 {
            stream.extend_from_slice(b": keep-alive\n\n");
        }
    }
    stream
}

/// One event whose single data line is a 1 MiB JSON-RPC result.
fn one_large_event() -> Vec<u8> {
    let head = b"event: message\nid: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"";
    let tail = b"\"}]}}\n\n";
    let body_len = (1 << 20) - head.len() - tail.len();
    let mut stream = Vec::with_capacity(1 << 20);
    stream.extend_from_slice(head);
    stream.extend((0..body_len).map(|i| b"abcdefghijklmnopqrstuvwxyz 0123456789"[i % 37]));
    stream.extend_from_slice(tail);
    stream
}

/// Parses `stream` fed in `chunk`-byte pieces; returns the number of events.
fn parse(stream: &[u8], chunk: usize, max_event_bytes: usize) -> usize {
    let mut parser = SseParser::new(max_event_bytes);
    let mut events: Vec<SseEvent> = Vec::new();
    let mut count = 0;
    for piece in stream.chunks(chunk) {
        if parser.feed(piece, &mut events).is_err() {
            return usize::MAX;
        }
        count += events.len();
        for event in events.drain(..) {
            black_box(event);
        }
    }
    parser.finish();
    count
}

fn bench_sse(c: &mut Criterion) {
    let mut group = c.benchmark_group("sse_parse");

    let small = small_events();
    assert_eq!(parse(&small, 4096, 64 * 1024), 1_000);
    group.throughput(Throughput::Bytes(small.len() as u64));
    group.bench_function("1000_small_events_4k_chunks", |b| {
        b.iter(|| parse(black_box(&small), 4096, 64 * 1024));
    });

    let large = one_large_event();
    assert_eq!(parse(&large, 16 * 1024, 2 << 20), 1);
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("one_1mib_event_16k_chunks", |b| {
        b.iter(|| parse(black_box(&large), 16 * 1024, 2 << 20));
    });

    group.finish();
}

/// The benchmark group; a module so the generated function needs no documentation.
mod group {
    criterion::criterion_group!(benches, super::bench_sse);
}

criterion_main!(group::benches);
