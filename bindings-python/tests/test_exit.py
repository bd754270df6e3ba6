"""Interpreter exit after asyncio checks: no crash, and a clear error for checks after shutdown.

The runtime's threads hand each ``check_async`` result to the event loop while attached to the
interpreter; one still doing so when the interpreter finalized crashed the process (SIGSEGV, or
"Fatal Python error: PyGILState_Release") in about one run in ten. Each test runs a child
interpreter, so the exit under test is a real one.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from typing import List

import pytest

# Before the fix about one run in eight crashed, and each of 20 tries of this test failed.
RUNS = 30
CONCURRENT = 20
CHILD_TIMEOUT = 30.0

GATHER = """
import asyncio, sys
import mcp_probe

async def main():
    reports = await asyncio.gather(*(mcp_probe.check_async(sys.argv[1]) for _ in range({n})))
    bad = [r.failure for r in reports if not r.ok]
    assert not bad, bad[:2]

asyncio.run(main())
"""


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    code = result.returncode
    how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return f"{how}; stderr: {result.stderr.strip()[-800:]!r}"


def _assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0 and "Fatal Python error" not in result.stderr, _describe(result)


def test_exit_after_concurrent_async_checks_never_crashes(fixture):
    failures: List[str] = []
    for run in range(RUNS):
        result = _run(GATHER.format(n=CONCURRENT), fixture.url())
        if result.returncode != 0 or "Fatal Python error" in result.stderr:
            failures.append(f"run {run + 1}: {_describe(result)}")
    assert not failures, f"{len(failures)} of {RUNS} runs failed:\n" + "\n".join(failures)


def test_exit_with_async_checks_still_in_flight(fixture):
    """Probes that are still waiting when the loop ends are cancelled, and the exit is clean."""
    script = """
    import asyncio, sys
    import mcp_probe

    async def main():
        tasks = [asyncio.ensure_future(mcp_probe.check_async(sys.argv[1], timeout=30.0)) for _ in range(20)]
        await asyncio.sleep(0.2)  # let them start; asyncio.run then cancels them

    asyncio.run(main())
    """
    for _ in range(5):
        _assert_clean(_run(script, fixture.url("hang")))


def test_exit_while_a_daemon_thread_awaits_checks(fixture):
    """An event loop in a daemon thread is still waiting for probes when the main thread exits."""
    script = """
    import asyncio, sys, threading
    import mcp_probe

    started = threading.Event()

    async def probes():
        pending = [mcp_probe.check_async(sys.argv[1], timeout=30.0) for _ in range(20)]
        started.set()
        await asyncio.gather(*pending)

    threading.Thread(target=lambda: asyncio.run(probes()), daemon=True).start()
    started.wait(10)
    """
    for _ in range(5):
        _assert_clean(_run(script, fixture.url("hang")))


def test_checks_after_shutdown_raise_a_clear_error(fixture):
    """Once the exit hook has shut the runtime down, checks raise instead of crashing."""
    script = """
    import asyncio, atexit, sys
    import mcp_probe

    assert mcp_probe.check(sys.argv[1]).ok
    atexit._run_exitfuncs()  # what interpreter exit does first
    for name, call in [
        ("check_async", lambda: asyncio.run(mcp_probe.check_async(sys.argv[1]))),
        ("check", lambda: mcp_probe.check(sys.argv[1])),
    ]:
        try:
            call()
        except RuntimeError as e:
            print(name, e)
        else:
            print(name, "no error")
    """
    result = _run(script, fixture.url())
    _assert_clean(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    for name, line in zip(["check_async", "check"], lines):
        assert line.startswith(f"{name} mcp_probe: the runtime has been shut down"), line


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX fork")
def test_a_forked_child_checks_and_exits_cleanly(fixture):
    """A child forked after checks (its own runtime, the parent's leaked) runs its exit hook too."""
    script = """
    import asyncio, os, sys
    import mcp_probe

    assert asyncio.run(mcp_probe.check_async(sys.argv[1])).ok
    pid = os.fork()
    if pid == 0:
        ok = mcp_probe.check(sys.argv[1]).ok and asyncio.run(mcp_probe.check_async(sys.argv[1])).ok
        sys.exit(0 if ok else 1)  # a normal exit: atexit hooks run in the child
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
    """
    result = _run("import warnings; warnings.simplefilter('ignore')\n" + textwrap.dedent(script), fixture.url())
    _assert_clean(result)
