"""check_async: reports, concurrency on one shared runtime, cancellation; signals; fork."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from typing import Any, Dict

import pytest

import mcp_probe


def test_check_async_returns_the_same_report_as_check(fixture):
    async def main() -> mcp_probe.Report:
        return await mcp_probe.check_async(fixture.url(), tool="add", arguments={"a": 2, "b": 3}, expect_text="5")

    # The engine remembers what it learnt about a URL (its protocol era) for later probes from
    # the same process: probe once first so both reports below are made with the same knowledge.
    mcp_probe.check(fixture.url())
    report = asyncio.run(main())
    sync = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert report.ok
    strip = _without_timings
    assert strip(report.to_dict()) == strip(sync.to_dict())


def test_check_async_failure_is_a_report(fixture):
    report = asyncio.run(mcp_probe.check_async(fixture.url("tool_is_error"), tool="add"))
    assert report.failure is not None and report.failure.code == "tool_error"


def test_check_async_raises_for_caller_mistakes():
    async def main() -> None:
        with pytest.raises(mcp_probe.ConfigError) as info:
            await mcp_probe.check_async("not a url")
        assert info.value.code == "invalid_url"

    asyncio.run(main())


def test_fifty_concurrent_checks(fixture):
    async def main() -> list[mcp_probe.Report]:
        return await asyncio.gather(
            *(
                mcp_probe.check_async(fixture.url(), tool="add", arguments={"a": i, "b": 1000}, expect_text=str(i + 1000))
                for i in range(50)
            )
        )

    threads_before = threading.active_count()
    reports = asyncio.run(main())
    assert len(reports) == 50
    assert all(r.ok for r in reports), [r for r in reports if not r.ok][:3]
    # Python starts no thread per call: the probes run on the shared Rust runtime.
    assert threading.active_count() == threads_before


def test_concurrent_checks_overlap_instead_of_queueing(fixture):
    """Ten checks against a hanging server, 1 s each, finish in about 1 s together, not 10 s."""

    async def main() -> list[mcp_probe.Report]:
        return await asyncio.gather(*(mcp_probe.check_async(fixture.url("hang"), timeout=1.0) for _ in range(10)))

    started = time.monotonic()
    reports = asyncio.run(main())
    elapsed = time.monotonic() - started
    assert all(r.failure is not None and r.failure.code == "timeout" for r in reports)
    assert elapsed < 5, elapsed


def test_event_loop_keeps_running_while_probes_wait(fixture):
    async def main() -> int:
        ticks = 0
        task = asyncio.ensure_future(mcp_probe.check_async(fixture.url("hang"), timeout=0.8))
        while not task.done():
            await asyncio.sleep(0.01)
            ticks += 1
        await task
        return ticks

    assert asyncio.run(main()) > 20


class _SilentServer:
    """A TCP server that reads requests and never answers; records when a client hangs up."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.received = asyncio.Event()
        self.closed = asyncio.Event()
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/mcp"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        try:
            while await reader.read(65536):
                self.received.set()
        except ConnectionError:
            pass
        self.closed.set()
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


def test_cancelling_the_task_stops_the_probe_and_drops_the_connection():
    async def main() -> None:
        silent = _SilentServer()
        url = await silent.start()
        task = asyncio.ensure_future(mcp_probe.check_async(url, timeout=30.0))
        # The request has reached the server: the probe is waiting for its answer.
        await asyncio.wait_for(silent.received.wait(), timeout=10)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=2)
        assert time.monotonic() - started < 2
        # The engine's future was dropped, and with it the connection.
        await asyncio.wait_for(silent.closed.wait(), timeout=2)
        await silent.stop()

    asyncio.run(main())


def test_cancelling_against_the_hang_fixture(fixture):
    async def main() -> float:
        task = asyncio.ensure_future(mcp_probe.check_async(fixture.url("hang"), timeout=30.0))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(main()) < 2


def test_wait_for_timeout_cancels_the_probe():
    async def main() -> None:
        silent = _SilentServer()
        url = await silent.start()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(mcp_probe.check_async(url, timeout=30.0), timeout=0.5)
        await asyncio.wait_for(silent.closed.wait(), timeout=2)
        await silent.stop()

    asyncio.run(main())


class _Interrupted(Exception):
    pass


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_signal_interrupts_a_blocking_check(fixture):
    """Ctrl-C (here: a SIGINT whose handler raises) stops a blocking check promptly."""

    def handler(signum: int, frame: object) -> None:
        raise _Interrupted()

    previous = signal.signal(signal.SIGINT, handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        started = time.monotonic()
        with pytest.raises(_Interrupted):
            mcp_probe.check(fixture.url("hang"), timeout=30.0)
        assert time.monotonic() - started < 2
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
# Python 3.12+ warns about forking a process with threads: the runtime's threads are the point.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_checks_work_in_a_forked_child(fixture):
    assert mcp_probe.check(fixture.url()).ok  # the parent's runtime and pool exist now
    pid = os.fork()
    if pid == 0:  # child: must not use the parent's runtime threads, which do not exist here
        code = 3
        try:
            signal.alarm(30)
            report = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 2, "b": 3})
            again = asyncio.run(mcp_probe.check_async(fixture.url(), tool="add", arguments={"a": 2, "b": 3}))
            code = 0 if report.ok and again.ok else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert mcp_probe.check(fixture.url()).ok  # and the parent carries on


def _without_timings(report: Dict[str, Any]) -> Dict[str, Any]:
    """The report without what differs from run to run: when it started and how long things took."""
    return _strip(report)  # type: ignore[no-any-return]


# When, how long, and whether a connection happened to be reused (the server may close idle ones).
_TIMING_KEYS = {"startedAt", "durationMs", "dnsMs", "connectMs", "tlsMs", "ttfbMs", "bodyMs", "totalMs", "reusedConnection"}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _TIMING_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value