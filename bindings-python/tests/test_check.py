"""mcp_probe.check against the fixture server: verdicts, typed reports, their JSON."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import socket
import subprocess
import sys
import threading
import time

import pytest

import mcp_probe
from mcp_probe import Report


def test_healthy_server_with_a_tool_call(fixture):
    report = mcp_probe.check(fixture.url("json"), tool="add", arguments={"a": 2, "b": 3}, expect_text="5")

    assert isinstance(report, Report)
    assert report.ok is True
    assert report.failure is None
    assert report.failed_step is None
    assert report.schema_version == mcp_probe.REPORT_SCHEMA_VERSION == 1
    assert report.target == fixture.url("json")
    assert report.transport == "streamable-http"
    assert report.era == "handshake"
    assert report.protocol_version == "2025-11-25"
    assert report.server is not None
    assert report.server.name == "mcp-probe-fixture"
    assert report.server.capabilities == ("tools",)
    assert [s.name for s in report.steps] == ["handshake", "tools/list", "tools/call"]
    assert all(s.status == "pass" and s.ok for s in report.steps)
    assert all(isinstance(s.duration_ms, float) and s.duration_ms > 0 for s in report.steps)
    assert report.steps[0].http_status == 200
    listing = report.steps[1]
    assert listing.tools is not None and [t.name for t in listing.tools] == ["add", "echo", "fail"]
    assert listing.pages == 1
    call = report.step("tools/call")
    assert call is not None and call.tool == "add"
    assert call.result is not None
    assert (call.result.is_error, call.result.text, call.result.content_types) == (False, "5", ("text",))
    assert report.session.issued is True
    assert report.session.closed == "deleted"
    assert report.warnings == ()


@pytest.mark.parametrize("mode", ["json", "sse", "paginated", "session_expire_once", "no_session"])
def test_healthy_modes_pass(fixture, mode):
    report = mcp_probe.check(fixture.url(mode), tool="echo", arguments={"text": "hi"}, expect_text="hi")
    assert report.ok, report


def test_default_scenario_is_handshake_then_listing(fixture):
    report = mcp_probe.check(fixture.url())
    assert report.ok
    assert [s.name for s in report.steps] == ["handshake", "tools/list"]


def test_tool_error_is_a_report_not_an_exception(fixture):
    report = mcp_probe.check(fixture.url("tool_is_error"), tool="add", arguments={"a": 2, "b": 3})

    assert report.ok is False
    failure = report.failure
    assert failure is not None
    assert (failure.code, failure.family, failure.step) == ("tool_error", "tool", "tools/call")
    assert "database connection refused" in failure.message
    assert failure.details == {"text": "database connection refused", "tool": "add"}
    step = report.failed_step
    assert step is not None and step.name == "tools/call" and step.status == "fail" and not step.ok
    assert step.failure == failure
    assert step.result is not None and step.result.is_error is True


def test_allow_tool_error_accepts_is_error(fixture):
    report = mcp_probe.check(fixture.url("tool_is_error"), tool="add", allow_tool_error=True)
    assert report.ok, report


def test_failed_expectation(fixture):
    report = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 2, "b": 3}, expect_text="6")
    assert not report.ok
    assert report.failure is not None and report.failure.code == "expectation_failed"
    report = mcp_probe.check(fixture.url(), tool="echo", arguments={"text": "abc"}, expect_contains="b")
    assert report.ok, report


def test_jsonrpc_error(fixture):
    report = mcp_probe.check(fixture.url("jsonrpc_error_on_call"), tool="add")
    assert report.failure is not None and report.failure.code == "jsonrpc_error"


def test_http_failures(fixture):
    report = mcp_probe.check(fixture.url("bad_gateway"))
    assert report.failure is not None
    assert (report.failure.code, report.failure.step) == ("http_status", "handshake")
    assert [s.status for s in report.steps] == ["fail", "skip"]
    assert report.steps[1].duration_ms == 0.0
    report = mcp_probe.check(fixture.url("unauthorized"))
    assert report.failure is not None and report.failure.code == "auth_required"


def test_wait_until_ready_repeats_the_probe(fixture):
    started = time.monotonic()
    report = mcp_probe.check(fixture.url("bad_gateway"), wait_until_ready=0.3, timeout=2.0)
    assert time.monotonic() - started < 5.0
    assert report.failure is not None and report.failure.code == "http_status"
    assert report.attempts is not None and report.attempts >= 2, report.attempts
    assert report.to_dict()["attempts"] == report.attempts
    assert mcp_probe.check(fixture.url("json")).attempts is None


def test_matrix_runs_every_era_version_and_transport(fixture):
    report = mcp_probe.check(fixture.url("json"), matrix=True)
    assert report.ok
    assert report.matrix is not None
    rows = [(e.transport, e.era, e.requested_version, e.ok) for e in report.matrix]
    assert rows == [
        ("streamable-http", "modern", "2026-07-28", False),
        ("streamable-http", "handshake", "2025-11-25", True),
        ("streamable-http", "handshake", "2025-06-18", True),
        ("streamable-http", "handshake", "2025-03-26", True),
        ("sse", "handshake", "2024-11-05", False),
    ]
    assert report.matrix[0].failure is not None
    assert report.matrix[0].failure.code == "protocol_version"
    assert mcp_probe.check(fixture.url("json")).matrix is None
    with pytest.raises(mcp_probe.ConfigError, match="leave out protocolVersion"):
        mcp_probe.check(fixture.url("json"), matrix=True, protocol_version="2025-06-18")


def test_timeout_is_a_report(fixture):
    started = time.monotonic()
    report = mcp_probe.check(fixture.url("hang"), timeout=0.5)
    elapsed = time.monotonic() - started

    assert report.failure is not None
    assert report.failure.code == "timeout"
    assert report.failure.family == "timeout"
    assert elapsed < 5, elapsed


def test_nothing_listening(closed_port):
    report = mcp_probe.check(f"http://127.0.0.1:{closed_port}/mcp")
    assert report.failure is not None and report.failure.code == "connect_refused"
    assert report.server is None and report.protocol_version is None


def test_to_dict_and_to_json_are_the_engine_json(fixture):
    report = mcp_probe.check(fixture.url("tool_is_error"), tool="add", arguments={"a": 2, "b": 3})
    data = report.to_dict()

    assert list(data)[:5] == ["schemaVersion", "ok", "target", "transport", "era"]
    assert data["steps"][2]["result"] == {
        "isError": True,
        "text": "database connection refused",
        "contentTypes": ["text"],
        "structured": False,
    }
    assert "httpStatus" not in data["steps"][0] or data["steps"][0]["httpStatus"] == 200
    assert "warnings" not in data["steps"][0]  # empty lists the engine omits stay omitted
    assert json.loads(report.to_json()) == data
    assert json.loads(report.to_json(indent=2)) == data
    assert report.steps[2].to_dict() == data["steps"][2]
    # A fresh copy each time: changing it changes nothing in the report.
    data["ok"] = True
    data["steps"].clear()
    assert report.to_dict()["ok"] is False and len(report.to_dict()["steps"]) == 3
    assert Report.from_json(report.to_json()) == report
    assert Report.from_dict(report.to_dict()) == report


def test_reports_are_immutable_and_picklable(fixture):
    report = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 1, "b": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.ok = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.steps[0].status = "fail"  # type: ignore[misc]
    assert not hasattr(report, "__dict__")
    copy = pickle.loads(pickle.dumps(report))
    assert copy == report and copy.to_dict() == report.to_dict()
    assert pickle.loads(pickle.dumps(report.steps[2])) == report.steps[2]


def test_reprs_are_short_and_informative(fixture):
    report = mcp_probe.check(fixture.url("tool_is_error"), tool="add")
    text = repr(report)
    assert text.startswith("Report(ok=False, target='http://127.0.0.1:")
    assert "steps=[handshake:pass, tools/list:pass, tools/call:fail]" in text
    assert "Failure(code='tool_error', step='tools/call'" in text
    assert repr(report.steps[2].result) == "CallResult(is_error=True, text='database connection refused')"
    assert repr(report.server).startswith("ServerInfo(name='mcp-probe-fixture'")


def test_headers_are_sent_and_never_shown(fixture):
    report = mcp_probe.check(fixture.url(), headers={"X-Api-Key": "s3cret-value"})
    assert report.ok
    assert "s3cret-value" not in report.to_json()


def test_bearer_token_from_environment(fixture, monkeypatch):
    monkeypatch.setenv("MCP_PROBE_TEST_TOKEN", "tok-123")
    report = mcp_probe.check(fixture.url(), bearer_env="MCP_PROBE_TEST_TOKEN")
    assert report.ok
    assert "tok-123" not in report.to_json()


def test_sync_check_releases_the_gil(fixture):
    """While one thread waits in check(), Python code keeps running in another."""
    done = threading.Event()

    def probe() -> None:
        mcp_probe.check(fixture.url("hang"), timeout=1.5)
        done.set()

    thread = threading.Thread(target=probe)
    thread.start()
    try:
        time.sleep(0.2)  # let the probe start waiting on the server
        largest_gap = 0.0
        last = time.monotonic()
        end = last + 0.6
        while time.monotonic() < end:
            now = time.monotonic()
            largest_gap = max(largest_gap, now - last)
            last = now
        assert not done.is_set(), "the probe should still be waiting on the hanging server"
        assert largest_gap < 0.2, f"the main thread stalled for {largest_gap:.3f}s"
    finally:
        thread.join(timeout=10)
    assert done.is_set()


def test_many_threads_share_the_engine(fixture):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda i: mcp_probe.check(fixture.url(), tool="add", arguments={"a": i, "b": 1}), range(32)))
    assert all(r.ok for r in reports)
    assert [r.steps[2].result.text for r in reports] == [str(i + 1) for i in range(32)]  # type: ignore[union-attr]


def _open_connections_to(port: int) -> int:
    """This process's established TCP connections to ``port`` on loopback (Linux: /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed since listed
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="reads /proc (Linux)")
def test_a_blocking_check_leaves_no_connection_open(fixture):
    """The probe's connections are closed when check() returns, not at this thread's next check."""
    with socket.create_connection(("127.0.0.1", fixture.port)):
        assert _open_connections_to(fixture.port) == 1  # the count sees an open connection
    report = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert report.ok
    assert _open_connections_to(fixture.port) == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc (Linux)")
def test_blocking_checks_start_no_thread(fixture):
    """Only check_async starts the shared runtime's threads; a blocking check runs on its caller's."""
    script = """
import asyncio, os, sys
import mcp_probe

def threads():
    return len(os.listdir("/proc/self/task"))

before = threads()
assert mcp_probe.check(sys.argv[1]).ok
assert mcp_probe.check(sys.argv[1]).ok
after_check = threads()
assert asyncio.run(mcp_probe.check_async(sys.argv[1])).ok
print(before, after_check, threads())
"""
    child = subprocess.run(
        [sys.executable, "-c", script, fixture.url()], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 0, child.stderr
    before, after_check, after_async = map(int, child.stdout.split())
    assert after_check == before
    # The count sees threads: check_async's runtime starts its workers.
    assert after_async > after_check


def _children() -> "list[int]":
    """The processes whose parent is this process, zombies included (Linux: /proc)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone since listed
        if ppid == me:
            found.append(int(entry))
    return found


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc (Linux)")
def test_a_blocking_stdio_check_leaves_no_process_behind(stdio_fixture_bin):
    """The server process is ended and reaped when check() returns, also after a timeout."""
    before = _children()
    healthy = mcp_probe.check(command=[str(stdio_fixture_bin), "healthy"], tool="add", arguments={"a": 2, "b": 3})
    assert healthy.ok
    hung = mcp_probe.check(command=[str(stdio_fixture_bin), "hang"], timeout=0.5)
    assert hung.failure is not None and hung.failure.code == "timeout"
    assert _children() == before
    # The count sees a child while one runs.
    with subprocess.Popen(["sleep", "5"]) as sleeper:
        assert sleeper.pid in _children()
        sleeper.kill()
