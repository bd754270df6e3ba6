"""The pytest plugin: the `mcp_probe` fixture and assert_healthy, as a user's suite sees them."""

from __future__ import annotations

import pytest

import mcp_probe


def test_assert_healthy_passes_and_returns_the_report(fixture):
    report = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 2, "b": 3})
    assert mcp_probe.assert_healthy(report) is report


def test_assert_healthy_message_names_step_code_and_reason(fixture):
    report = mcp_probe.check(fixture.url("tool_is_error"), tool="add")
    with pytest.raises(AssertionError) as info:
        mcp_probe.assert_healthy(report)
    message = str(info.value)
    first = message.splitlines()[0]
    assert first == (
        "MCP probe failed at step tools/call (tool_error): "
        "tools/call add: the tool reported an error: database connection refused"
    )
    assert f"target: {fixture.url('tool_is_error')}" in message
    assert "steps: handshake pass" in message and "tools/call fail" in message
    assert '"text": "database connection refused"' in message


def test_assert_healthy_rejects_non_reports():
    with pytest.raises(TypeError):
        mcp_probe.assert_healthy({"ok": True})  # type: ignore[arg-type]


def test_plugin_fixture_in_a_user_suite(pytester, fixture):
    """A user's suite with its own server fixture; the plugin loads from the entry point."""
    pytester.makeconftest(
        f"""
import pytest

@pytest.fixture
def server_url():
    return {fixture.url()!r}

@pytest.fixture
def broken_url():
    return {fixture.url("tool_is_error")!r}
"""
    )
    pytester.makepyfile(
        """
import asyncio
import pytest
import mcp_probe as mp

def test_healthy(mcp_probe, server_url):
    report = mcp_probe.assert_healthy(server_url, tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert report.ok
    assert mcp_probe.reports == [report]

@pytest.mark.mcp_probe(timeout=0.5)
def test_marker_defaults(mcp_probe, server_url):
    assert mcp_probe.defaults == {"timeout": 0.5}
    assert mcp_probe.check(server_url.replace("/json/", "/hang/")).failure.code == "timeout"

def test_async(mcp_probe, server_url):
    report = asyncio.run(mcp_probe.check_async(server_url))
    mcp_probe.assert_healthy(report)

def test_scenario(mcp_probe, server_url):
    mcp_probe.assert_healthy(mp.Scenario(server_url, tool="echo", arguments={"text": "x"}))

def test_broken(mcp_probe, broken_url):
    mcp_probe.assert_healthy(broken_url, tool="add")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: MCP probe failed at step tools/call (tool_error): tools/call add: the tool reported an error: database connection refused",
            "*mcp-probe report*",
            '*"code": "tool_error"*',
        ]
    )
    # The helper's own frames are hidden: the traceback points at the user's test line.
    result.stdout.fnmatch_lines(["*mcp_probe.assert_healthy(broken_url, tool=\"add\")*"])


def test_marker_is_registered(pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mcp_probe(**options)*"])
