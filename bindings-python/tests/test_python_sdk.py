"""Against the official Python SDK server (interop/python/server.py), SSE and JSON answers."""

from __future__ import annotations

import asyncio

import pytest

import mcp_probe


@pytest.fixture(params=["sse", "json"])
def sdk_url(request):
    server = request.getfixturevalue("sdk_server" if request.param == "sse" else "sdk_server_json")
    return server.url


def test_add(sdk_url):
    report = mcp_probe.check(sdk_url, tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert report.ok, report
    assert report.server is not None and report.server.name == "mcp-probe-interop-python"
    listing = report.step("tools/list")
    assert listing is not None and listing.tools is not None
    assert {"add", "echo", "fail"} <= {t.name for t in listing.tools}
    call = report.step("tools/call")
    assert call is not None and call.result is not None and call.result.text == "5"


def test_failing_tool(sdk_url):
    report = mcp_probe.check(sdk_url, tool="fail")
    assert not report.ok
    assert report.failure is not None
    assert (report.failure.code, report.failure.step) == ("tool_error", "tools/call")
    assert "this tool always fails" in report.failure.message


def test_echo_async_concurrently(sdk_url):
    async def main() -> list[mcp_probe.Report]:
        return await asyncio.gather(
            *(mcp_probe.check_async(sdk_url, tool="echo", arguments={"text": f"m{i}"}, expect_text=f"m{i}") for i in range(10))
        )

    reports = asyncio.run(main())
    assert all(r.ok for r in reports), [r for r in reports if not r.ok][:2]


def test_unknown_tool_is_reported(sdk_url):
    report = mcp_probe.check(sdk_url, tool="nope")
    assert report.failure is not None and report.failure.step == "tools/list"
