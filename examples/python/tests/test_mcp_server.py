"""A sample test suite for an MCP server, using the mcp_probe pytest plugin.

The plugin (installed with the package, no configuration) gives tests the ``mcp_probe``
fixture: ``check``/``check_async`` return a report, ``assert_healthy`` fails the test with the
failing step, code and message, and a failed test shows the last report's JSON.

    pytest examples/python/tests
"""

from __future__ import annotations

import pytest


def test_server_answers_like_an_mcp_server(mcp_probe, server_url):
    """Handshake and tools/list pass, and the tools the clients need are listed."""
    report = mcp_probe.assert_healthy(server_url)
    tools = {tool.name for step in report.steps for tool in (step.tools or [])}
    assert {"add", "echo"} <= tools


def test_add_tool_adds(mcp_probe, server_url):
    """A real tool call, with its answer checked."""
    mcp_probe.assert_healthy(server_url, tool="add", arguments={"a": 2, "b": 3}, expect_text="5")


@pytest.mark.mcp_probe(timeout=5.0)
def test_probe_is_fast(mcp_probe, server_url):
    """The marker sets defaults for every check in the test; here, a 5 s deadline."""
    report = mcp_probe.assert_healthy(server_url, tool="echo", arguments={"text": "hi"})
    assert report.duration_ms < 2000


def test_a_broken_tool_is_reported_with_its_message(mcp_probe, server_base_url):
    """A failing server is a report, never an exception: assert on its failure."""
    report = mcp_probe.check(server_base_url + "/tool_is_error/mcp", tool="add", arguments={"a": 2, "b": 3})
    assert not report.ok
    assert report.failure.code == "tool_error"
    assert report.failure.step == "tools/call"
    assert "database connection refused" in report.failure.message


async def _probe_async(mcp_probe, url):
    return await mcp_probe.check_async(url)


def test_check_async(mcp_probe, server_url):
    """check_async for suites that run an event loop (pytest-asyncio, anyio)."""
    import asyncio

    report = asyncio.run(_probe_async(mcp_probe, server_url))
    assert report.ok, report.failure
