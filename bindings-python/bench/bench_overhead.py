"""Per-check wall time from Python, to compare with the Rust API (a benchmark, not a test).

Starts the testkit fixture server (``MCP_PROBE_FIXTURE_BIN`` or ``<repo>/target/debug/
mcp-probe-fixture``) and runs the same check as ``cargo bench -p mcp-probe-benches --bench
full_check`` (handshake → tools/list → tools/call add {a:2,b:3} expecting "5" → DELETE),
sequentially, N times after a warm-up, in several forms:

* ``mcp_probe.check(url, tool=…, …)``  the whole public API: options → scenario → probe → Report
* ``Scenario.check()``                 a scenario built once, run N times
* ``_native.check(doc)``               the native call alone (engine + report JSON), no Report
* ``await mcp_probe.check_async(…)``   the asyncio form, awaited one after another

Usage: python bench/bench_overhead.py [-n 300] [--warmup 50] [--mode json|sse] [--rust-us MEDIAN]
(``--rust-us``: the Rust API's median µs per check, to print the ratio against it.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Callable, List

import mcp_probe
from mcp_probe import _native

REPO = Path(__file__).resolve().parents[2]


def start_fixture() -> "tuple[subprocess.Popen[bytes], int]":
    release = REPO / "target" / "release" / "mcp-probe-fixture"
    binary = os.environ.get("MCP_PROBE_FIXTURE_BIN") or str(release if release.exists() else REPO / "target" / "debug" / "mcp-probe-fixture")
    process = subprocess.Popen([binary, "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None
    port = int(process.stdout.readline().decode().strip())
    return process, port


def measure(n: int, warmup: int, run: Callable[[], object]) -> List[float]:
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(n):
        started = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - started) / 1000.0)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=300, help="checks measured per form (default 300)")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured checks first (default 50)")
    parser.add_argument("--mode", default="json", help="fixture mode (default json)")
    parser.add_argument("--rust-us", type=float, help="the Rust API's median µs per check, for the ratio")
    args = parser.parse_args()

    process, port = start_fixture()
    try:
        url = f"http://127.0.0.1:{port}/{args.mode}/mcp"
        options = {"tool": "add", "arguments": {"a": 2, "b": 3}, "expect_text": "5"}
        scenario = mcp_probe.Scenario(url, **options)  # type: ignore[arg-type]
        document = scenario._json

        def full() -> None:
            assert mcp_probe.check(url, **options).ok  # type: ignore[arg-type]

        def prebuilt() -> None:
            assert scenario.check().ok

        def native() -> None:
            _native.check(document)

        loop = asyncio.new_event_loop()

        def asynchronous() -> None:
            assert loop.run_until_complete(mcp_probe.check_async(url, **options)).ok  # type: ignore[arg-type]

        forms = [
            ("mcp_probe.check(url, ...)", full),
            ("Scenario.check()", prebuilt),
            ("_native.check(doc)", native),
            ("await check_async(url, ...)", asynchronous),
        ]
        print(f"mcp_probe {mcp_probe.__version__}, fixture mode {args.mode}, n={args.n}, warm-up {args.warmup}")
        print(f"{'form':<30} {'mean µs':>9} {'median µs':>10} {'p90 µs':>9}")
        medians = {}
        for name, run in forms:
            samples = measure(args.n, args.warmup, run)
            p90 = statistics.quantiles(samples, n=10)[-1]
            medians[name] = statistics.median(samples)
            print(f"{name:<30} {statistics.fmean(samples):>9.1f} {medians[name]:>10.1f} {p90:>9.1f}")
        loop.close()
        full_median = medians["mcp_probe.check(url, ...)"]
        native_median = medians["_native.check(doc)"]
        print(f"Python layer on top of the native call: {full_median - native_median:.1f} µs per check (median)")
        if args.rust_us:
            print(f"ratio mcp_probe.check / Rust API: {full_median / args.rust_us:.3f}x (goal <= 1.1x)")
    finally:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
