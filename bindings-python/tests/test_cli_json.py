"""report.to_dict() equals the JSON `mcp-probe check --format json` prints for the same target.

Both sides run in a fresh process: the engine remembers per process what it learnt about a URL
(e.g. its protocol era), so a second probe from one process legitimately reports differently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict, List

import pytest

import mcp_probe


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


def _python(url: str, **options: Any) -> Dict[str, Any]:
    """``mcp_probe.check(url, **options).to_dict()`` computed by a fresh interpreter."""
    code = (
        "import json, sys, mcp_probe; "
        "print(mcp_probe.check(sys.argv[1], **json.loads(sys.argv[2])).to_json())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, url, json.dumps(options)], capture_output=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    data: Dict[str, Any] = json.loads(result.stdout)
    return data


def _cli(cli_bin, url: str, *flags: str) -> Dict[str, Any]:
    result = subprocess.run(
        [str(cli_bin), "check", url, *flags, "--format", "json"], capture_output=True, timeout=60, check=False
    )
    assert result.stdout, result.stderr.decode()
    data: Dict[str, Any] = json.loads(result.stdout)
    return data


CASES: List[Any] = [
    pytest.param("json", ["--tool", "add", "--args", '{"a":2,"b":3}'], {"tool": "add", "arguments": {"a": 2, "b": 3}}, id="healthy-call"),
    pytest.param("sse", [], {}, id="healthy-list"),
    pytest.param("paginated", [], {}, id="paginated"),
    pytest.param("tool_is_error", ["--tool", "add"], {"tool": "add"}, id="tool-error"),
    pytest.param(
        "json",
        ["--tool", "add", "--args", '{"a":2,"b":3}', "--expect-text", "6"],
        {"tool": "add", "arguments": {"a": 2, "b": 3}, "expect_text": "6"},
        id="expectation-failed",
    ),
    pytest.param("bad_gateway", [], {}, id="bad-gateway"),
    pytest.param("unauthorized", [], {}, id="unauthorized"),
    pytest.param("old_version", [], {}, id="old-version"),
    pytest.param("session_expire_once", [], {}, id="session-expire-once"),
]


@pytest.mark.parametrize(("mode", "flags", "options"), CASES)
def test_same_json_as_the_cli(fixture, cli_bin, mode, flags, options):
    url = fixture.url(mode)
    expected = _cli(cli_bin, url, *flags)
    actual = _python(url, **options)
    assert _without_timings(actual) == _without_timings(expected)
    assert list(actual) == list(expected)  # same keys, same order
    assert mcp_probe.Report.from_dict(actual).ok is expected["ok"]


def test_same_json_as_the_cli_against_the_python_sdk(sdk_server, cli_bin):
    expected = _cli(cli_bin, sdk_server.url, "--tool", "add", "--args", '{"a":2,"b":3}')
    actual = _python(sdk_server.url, tool="add", arguments={"a": 2, "b": 3})
    assert actual["ok"] and expected["ok"]
    assert _without_timings(actual) == _without_timings(expected)


def test_same_json_as_the_cli_with_a_scenario_file(fixture, cli_bin, tmp_path):
    path = tmp_path / "probe.yaml"
    path.write_text("steps:\n- step: callTool\n  name: echo\n  arguments: {text: hi}\n  expect: {textEquals: hi}\n")
    expected = _cli(cli_bin, fixture.url(), "--scenario", str(path))
    actual = _python(fixture.url(), scenario=str(path))
    assert _without_timings(actual) == _without_timings(expected)


def test_to_json_is_json_dumps_of_to_dict(fixture):
    report = mcp_probe.check(fixture.url(), tool="add", arguments={"a": 2, "b": 3})
    assert report.to_json() == json.dumps(report.to_dict())
    assert report.to_json(indent=2) == json.dumps(report.to_dict(), indent=2)


def test_must_show_one_liner(sdk_server):
    """The issue's acceptance line, verbatim, in a fresh interpreter."""
    code = f"import mcp_probe; print(mcp_probe.check({sdk_server.url!r}, tool='add', arguments={{'a':2,'b':3}}).ok)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "True"
