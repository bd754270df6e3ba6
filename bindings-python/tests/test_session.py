"""Scenario.open / open_async: one MCP session, its steps run again and again over it."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

import mcp_probe

ADD = {"tool": "add", "arguments": {"a": 2, "b": 3}, "expect_text": "5"}
CLOSED = "the session is closed, or never opened (see its `opening` report): open another"


def test_steps_run_again_and_again_over_the_session_the_handshake_opened(fixture):
    with mcp_probe.Scenario(fixture.url(), **ADD).open() as session:
        assert session.opening.ok, session.opening.failure
        assert [s.name for s in session.opening.steps] == ["handshake"]
        assert session.usable
        for _ in range(3):
            report = session.run_steps()
            assert report.ok, report.failure
            # Only the steps after the handshake, over the connection the handshake opened.
            assert [(s.name, s.status) for s in report.steps] == [("tools/list", "pass"), ("tools/call", "pass")]
            assert report.steps[1].result is not None and report.steps[1].result.text == "5"
            assert report.steps[0].timings is not None and report.steps[0].timings.reused_connection
            assert report.session is not None and report.session.reinitialized == 0
    # Leaving the block closed it.
    assert not session.usable
    with pytest.raises(mcp_probe.McpProbeError) as info:
        session.run_steps()
    assert info.value.code == "session_closed"
    assert str(info.value) == CLOSED
    assert session.close() is None


def test_close_says_how_the_session_ended(fixture, stdio_fixture_bin):
    http = mcp_probe.Scenario(fixture.url()).open()
    assert http.close() == "deleted"
    stdio = mcp_probe.Scenario(command=[str(stdio_fixture_bin), "healthy"], **ADD).open()
    assert stdio.opening.transport == "stdio"
    assert stdio.run_steps().ok
    assert stdio.run_steps().ok
    # The fixture exits when its stdin closes: the first thing closing tries.
    assert stdio.close() == "exited (code 0)"


def test_a_session_that_cannot_open_is_a_report_and_runs_nothing(fixture):
    session = mcp_probe.Scenario(fixture.url("bad_gateway"), **ADD).open()
    assert not session.opening.ok
    assert session.opening.failure is not None
    assert (session.opening.failure.code, session.opening.failure.step) == ("http_status", "handshake")
    assert not session.usable
    with pytest.raises(mcp_probe.McpProbeError) as info:
        session.run_steps()
    assert info.value.code == "session_closed"
    assert session.close() is None


def test_a_tool_error_leaves_the_session_usable_a_forgotten_session_does_not(fixture):
    with mcp_probe.Scenario(fixture.url("tool_is_error"), tool="add", arguments={"a": 1, "b": 1}).open() as failing:
        report = failing.run_steps()
        assert report.failure is not None and report.failure.code == "tool_error"
        assert failing.usable
    with mcp_probe.Scenario(fixture.url("session_expire_once"), **ADD).open() as forgetful:
        assert forgetful.opening.ok, forgetful.opening.failure
        gone = forgetful.run_steps()
        assert gone.failure is not None and gone.failure.code == "session_expired"
        assert not forgetful.usable


def test_async_sessions_run_on_the_shared_runtime(fixture):
    async def main() -> tuple[list[bool], bool, str | None]:
        async with mcp_probe.Scenario(fixture.url(), **ADD).open_async() as session:
            assert isinstance(session, mcp_probe.AsyncSession)
            assert session.opening.ok, session.opening.failure
            oks = [(await session.run_steps()).ok for _ in range(3)]
        after_block = session.usable
        # Awaited instead of entered: closed by hand.
        other = await mcp_probe.Scenario(fixture.url()).open_async()
        return oks, after_block, await other.close()

    oks, usable_after, closed = asyncio.run(main())
    assert oks == [True, True, True]
    assert not usable_after
    assert closed == "deleted"


def test_a_cancelled_run_stops_and_leaves_the_session_to_run_or_close(fixture):
    async def main() -> tuple[str, str | None, str]:
        # sse_silence answers the handshake, then leaves each later request's stream silent.
        session = await mcp_probe.Scenario(fixture.url("sse_silence"), timeout=2).open_async()
        assert session.opening.ok, session.opening.failure
        run = asyncio.ensure_future(session.run_steps())
        # Bounded: a run under way makes the session unusable until it ends.
        for _ in range(500):
            if not session.usable:
                break
            await asyncio.sleep(0.01)
        assert not session.usable
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
        # The cancelled run let go of the session: the next one runs (into the silence).
        again = await session.run_steps()
        closed = await session.close()
        # A handshake that is never answered: the opening report has the timeout.
        silent = await mcp_probe.Scenario(fixture.url("hang"), protocol="handshake", timeout=1).open_async()
        assert not silent.usable
        code = silent.opening.failure.code if silent.opening.failure else ""
        return again.failure.code if again.failure else "", closed, code

    again, closed, code = asyncio.run(main())
    assert again == "timeout"
    assert closed == "deleted"
    assert code == "timeout"


def test_caller_mistakes_raise_as_with_check(fixture):
    with pytest.raises(mcp_probe.ConfigError) as info:
        mcp_probe.Scenario(fixture.url(), expect_text="5")
    assert info.value.code == "invalid_option"
    with pytest.raises(mcp_probe.ConfigError) as bad_url:
        mcp_probe.Scenario(scenario={"target": {"url": "ftp://example.com/mcp"}}).open()
    assert bad_url.value.code == "invalid_url"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_session_stays_with_the_process_that_opened_it(fixture):
    session = mcp_probe.Scenario(fixture.url(), **ADD).open()
    pid = os.fork()
    if pid == 0:  # child: the session's connection is the parent's; a new one works
        code = 3
        try:
            signal.alarm(30)
            try:
                session.run_steps()
                code = 1
            except RuntimeError as error:
                mine = mcp_probe.Scenario(fixture.url(), **ADD).open()
                ok = mine.run_steps().ok and mine.close() == "deleted"
                code = 0 if ok and "opened before fork()" in str(error) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    assert session.run_steps().ok  # and the parent's session carries on
    assert session.close() == "deleted"
