#!/usr/bin/env python3
"""Using the ``mcp_probe`` Python package: a deploy gate, a fleet with asyncio, the report.

    python check_server.py http://127.0.0.1:8000/mcp [MORE_URLS...]

1. Waits (at most 30 s) until the first server is healthy, lists its tools and calls ``add``
   with ``{"a": 2, "b": 3}``, expecting ``5``; prints each step.
2. Probes every URL at once with ``check_async`` and prints one line per server.

Exits 1 when any probe failed, 2 on a usage error (``mcp_probe.McpProbeError``).
"""

from __future__ import annotations

import asyncio
import sys

import mcp_probe


def describe(report: mcp_probe.Report) -> str:
    """One line about a report: OK/FAIL, the target and the verdict."""
    if report.failure is None:
        return "OK    %s  protocol %s, %.1f ms" % (report.target, report.protocol_version, report.duration_ms)
    failure = report.failure
    return "FAIL  %s  at %s (%s): %s" % (report.target, failure.step, failure.code, failure.message)


async def fleet(urls: list[str]) -> list[mcp_probe.Report]:
    """Probes every URL concurrently (handshake and tools/list)."""
    return list(await asyncio.gather(*(mcp_probe.check_async(url, timeout=10.0) for url in urls)))


def main(urls: list[str]) -> int:
    """Runs the gate on the first URL and the fleet on all; 0 when every probe passed."""
    if not urls:
        sys.stderr.write("usage: check_server.py URL [URL...]\n")
        return 2
    try:
        gate = mcp_probe.check(
            urls[0], tool="add", arguments={"a": 2, "b": 3}, expect_text="5", timeout=10.0, wait_until_ready=30.0
        )
        print("gate: " + describe(gate))
        for step in gate.steps:
            print("  %-12s %-4s %8.1f ms" % (step.name, step.status, step.duration_ms))
        reports = asyncio.run(fleet(urls))
    except mcp_probe.McpProbeError as err:  # the caller's mistake: a bad URL or option
        sys.stderr.write("check_server.py: %s (%s)\n" % (err, err.code))
        return 2
    for report in reports:
        print("fleet: " + describe(report))
    # The report is the same JSON as `mcp-probe check --format json`.
    assert gate.to_dict()["ok"] == gate.ok
    return 0 if gate.ok and all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
