"""report.to_dict() equals the JSON `mcp-probe check --format json` prints for the same target.

Both sides run in a fresh process: the engine remembers per process what it learnt about a URL
(e.g. its protocol era), so a second probe from one process legitimately reports differently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict, List, Optional

import pytest

import mcp_probe


def _without_timings(report: Dict[str, Any]) -> Dict[str, Any]:
    """The report without what differs from run to run: when it started and how long things took."""
    return _strip(report)  # type: ignore[no-any-return]


# When, how long, and whether a connection happened to be reused (the server may close idle ones).
_TIMING_KEYS = {"startedAt", "durationMs", "dnsMs", "connectMs", "tlsMs", "ttfbMs", "bodyMs", "totalMs", "reusedConnection"}


def _strip(value: Any, keys: Any = _TIMING_KEYS) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_strip(v, keys) for v in value]
    return value


def _without_timings_and_exchanges(report: Dict[str, Any]) -> Dict[str, Any]:
    """Also without the per-step ``timings`` and ``exchanges`` objects."""
    return _strip(report, _TIMING_KEYS | {"timings", "exchanges"})  # type: ignore[no-any-return]


def _python(url: Optional[str], **options: Any) -> Dict[str, Any]:
    """``mcp_probe.check(url, **options).to_dict()`` computed by a fresh interpreter."""
    code = (
        "import json, sys, mcp_probe; "
        "print(mcp_probe.check(**json.loads(sys.argv[1])).to_json())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps({"url": url, **options})], capture_output=True, timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    data: Dict[str, Any] = json.loads(result.stdout)
    return data


def _cli(cli_bin, url: Optional[str], *flags: str) -> Dict[str, Any]:
    """``mcp-probe check [URL] FLAGS --format json``; a stdio command goes last, after ``--``."""
    head, sep, command = list(flags), [], []
    if "--" in head:
        at = head.index("--")
        head, sep, command = head[:at], ["--"], head[at + 1 :]
    argv = [str(cli_bin), "check", *([url] if url is not None else []), *head, "--format", "json", *sep, *command]
    result = subprocess.run(argv, capture_output=True, timeout=60, check=False)
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


def test_same_json_as_the_cli_for_a_stdio_server(stdio_fixture_bin, cli_bin, tmp_path):
    command = [str(stdio_fixture_bin), "healthy"]
    flags = ["--stdio", "--env", "MCP_PROBE_FIXTURE_TITLE=stdio", "--cwd", str(tmp_path), "--tool", "add", "--args",
             '{"a":2,"b":3}', "--expect-text", "5", "--", *command]
    expected = _cli(cli_bin, None, *flags)
    actual = _python(None, command=command, env={"MCP_PROBE_FIXTURE_TITLE": "stdio"}, cwd=str(tmp_path),
                     tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert expected["ok"] and expected["transport"] == "stdio", expected
    assert _without_timings_and_exchanges(actual) == _without_timings_and_exchanges(expected)
    assert list(actual) == list(expected)


# The legacy fixture sends `tools/list_changed` right after `initialized`: whether it arrives
# during the handshake or during tools/list is up to timing, so the steps' serverMessages vary.
_RACY_LEGACY = {"serverMessages"}

OPTION_CASES: List[Any] = [
    pytest.param("auth_ok", "mcp", ["--check-auth"], {"check_auth": True}, set(), id="check-auth"),
    pytest.param("auth_no_s256", "mcp", ["--check-auth"], {"check_auth": True}, set(), id="check-auth-broken"),
    pytest.param(
        "auth_ok", "mcp", ["--check-auth", "--header", "Authorization: Bearer t", "--tool", "add", "--args", '{"a":1,"b":2}'],
        {"check_auth": True, "headers": {"Authorization": "Bearer t"}, "tool": "add", "arguments": {"a": 1, "b": 2}},
        set(),
        id="check-auth-then-call",
    ),
    pytest.param("legacy", "sse", ["--transport", "sse"], {"transport": "sse"}, _RACY_LEGACY, id="legacy-sse"),
    pytest.param("legacy", "sse", [], {}, _RACY_LEGACY, id="legacy-sse-detected"),
    pytest.param(
        "json", "mcp", ["--transport", "streamable-http", "--follow-redirects", "same-origin", "--insecure",
                        "--cert-warn-days", "0", "--protocol", "handshake"],
        {"transport": "streamable-http", "follow_redirects": "same-origin", "insecure": True, "cert_warn_days": 0,
         "protocol": "handshake"},
        set(),
        id="http-options",
    ),
]


@pytest.mark.parametrize(("mode", "endpoint", "flags", "options", "racy"), OPTION_CASES)
def test_same_json_as_the_cli_with_the_newer_options(fixture, cli_bin, mode, endpoint, flags, options, racy):
    url = fixture.url(mode) if endpoint == "mcp" else fixture.sse_url(mode)
    expected = _cli(cli_bin, url, *flags)
    actual = _python(url, **options)
    assert expected["ok"] is (mode != "auth_no_s256"), expected
    assert _strip(_without_timings_and_exchanges(actual), racy) == _strip(_without_timings_and_exchanges(expected), racy)
    assert list(actual) == list(expected)


def test_same_json_as_the_cli_with_oauth_client_credentials(fixture, cli_bin, monkeypatch):
    monkeypatch.setenv("MCP_PROBE_TEST_SECRET", "fixture-secret")
    url = fixture.url("auth_client_credentials")
    expected = _cli(cli_bin, url, "--oauth-client-id", "fixture-client", "--oauth-client-secret-env",
                    "MCP_PROBE_TEST_SECRET", "--oauth-method", "post", "--oauth-scope", "mcp:read")
    actual = _python(url, oauth_client_id="fixture-client", oauth_client_secret_env="MCP_PROBE_TEST_SECRET",
                     oauth_method="post", oauth_scope="mcp:read")
    assert expected["ok"] and expected["auth"]["method"] == "client_credentials", expected
    assert _without_timings_and_exchanges(actual) == _without_timings_and_exchanges(expected)


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
