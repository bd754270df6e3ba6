"""Caller mistakes raise McpProbeError subclasses with the engine's stable code; nothing else does."""

from __future__ import annotations

import pickle

import pytest

import mcp_probe
from mcp_probe import ConfigError, McpProbeError, ScenarioError


def test_hierarchy():
    assert issubclass(ConfigError, McpProbeError)
    assert issubclass(ScenarioError, McpProbeError)
    assert issubclass(McpProbeError, Exception)
    assert not issubclass(ScenarioError, ConfigError)
    assert ConfigError.__module__ == "mcp_probe"
    assert ConfigError.__doc__ and McpProbeError.__doc__ and ScenarioError.__doc__


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "no URL given"),
        ("not a url", "invalid URL"),
        ("ftp://example.com/mcp", "unsupported URL scheme"),
    ],
)
def test_bad_urls(url, fragment):
    with pytest.raises(ConfigError) as info:
        mcp_probe.check(url)
    assert info.value.code == "invalid_url"
    assert fragment in str(info.value)


def test_no_url_at_all():
    with pytest.raises(ConfigError) as info:
        mcp_probe.check()
    assert info.value.code == "invalid_url"


def test_bad_header_value_is_not_echoed():
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", headers={"X-Key": "bad\nsecret"})
    assert info.value.code == "invalid_header"
    assert "secret" not in str(info.value)
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", headers={"bad name": "v"})
    assert info.value.code == "invalid_header"


def test_unreadable_credentials(tmp_path, monkeypatch):
    monkeypatch.delenv("MCP_PROBE_UNSET_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", bearer_env="MCP_PROBE_UNSET_TOKEN")
    assert info.value.code == "credential"
    assert "MCP_PROBE_UNSET_TOKEN" in str(info.value)
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", bearer_file=tmp_path / "missing")
    assert info.value.code == "credential"


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"arguments": [1, 2]}, "`arguments` must be a dict"),
        ({"arguments": {"when": object()}}, "not JSON-serializable"),
        ({"arguments": {"x": float("nan")}}, "not JSON-serializable"),
        ({"tool": 3}, "`tool` must be a str"),
        ({"headers": ["X-A: b"]}, "`headers` must be a dict"),
        ({"headers": {"X-A": 1}}, "must map str to str"),
        ({"timeout": "10s"}, "`timeout` must be a number of seconds"),
        ({"timeout": True}, "`timeout` must be a number of seconds"),
        ({"timeout": 0}, "positive number of seconds"),
        ({"connect_timeout": -1.0}, "positive number of seconds"),
        ({"request_timeout": float("inf")}, "positive number of seconds"),
        ({"max_body_bytes": 0}, "between 1 and"),
        ({"max_pages": 2**32}, "between 1 and"),
        ({"max_sse_event_bytes": 1.5}, "must be an int"),
        ({"allow_tool_error": "yes"}, "must be a bool"),
        ({"bearer_file": 42}, "must be a path"),
        ({"scenario": 42}, "`scenario` must be a Scenario, a dict or a file path"),
        ({"expect_text": "5"}, "`expect_text` needs `tool`"),
        ({"arguments": {"a": 1}}, "`arguments` needs `tool`"),
        ({"tool": "add", "expect_text": "5", "expect_contains": "5"}, "not both"),
    ],
)
def test_misuse_is_a_config_error_with_invalid_option(options, fragment):
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", **options)
    assert info.value.code == "invalid_option"
    assert fragment in str(info.value)


def test_zero_limits_from_a_document_are_the_engines_invalid_option():
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", scenario={"timeouts": {"total": 0}})
    assert info.value.code == "invalid_option"


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"steps": [{"step": "frobnicate"}]}, "frobnicate"),
        ({"target": {"url": "http://x/mcp", "nope": 1}}, "nope"),
        ({"steps": [{"step": "callTool", "name": " "}]}, "needs a tool `name`"),
        ({"timeouts": {"total": "soon"}}, "invalid duration"),
        ({"steps": [{"step": "listTools"}, {"step": "handshake"}]}, "`handshake`"),
    ],
)
def test_invalid_scenarios(document, fragment):
    with pytest.raises(ScenarioError) as info:
        mcp_probe.check("http://127.0.0.1:1/mcp", scenario=document)
    assert info.value.code == "invalid_scenario"
    assert fragment in str(info.value)


def test_scenario_files(tmp_path):
    with pytest.raises(ScenarioError) as info:
        mcp_probe.Scenario.from_file(tmp_path / "missing.yaml")
    assert info.value.code == "invalid_scenario" and "missing.yaml" in str(info.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [[[\n")
    with pytest.raises(ScenarioError):
        mcp_probe.Scenario.from_file(bad)
    with pytest.raises(ScenarioError):
        mcp_probe.Scenario.from_dict([("steps", [])])  # type: ignore[arg-type]


def test_exceptions_pickle_with_their_code():
    with pytest.raises(ConfigError) as info:
        mcp_probe.check("ftp://x/mcp")
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ConfigError and copy.code == "invalid_url" and str(copy) == str(info.value)


def test_class_level_default_codes():
    assert ConfigError("x").code == "invalid_option"
    assert ScenarioError("x").code == "invalid_scenario"
    assert McpProbeError("x").code == "error"


def test_a_failing_server_never_raises(fixture, closed_port):
    for url in (fixture.url("html"), fixture.url("invalid_json"), fixture.url("wrong_id"), f"http://127.0.0.1:{closed_port}/mcp"):
        report = mcp_probe.check(url, tool="add", timeout=5)
        assert report.ok is False and report.failure is not None
