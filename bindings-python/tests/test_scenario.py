"""Scenario: the CLI's scenario document from Python, built like the CLI builds it from flags."""

from __future__ import annotations

import json
import pickle

import pytest

import mcp_probe
from mcp_probe import Scenario

URL = "http://127.0.0.1:8000/mcp"


def test_keyword_options_build_the_same_document_as_the_engine_builder():
    built = Scenario(URL, tool="add", arguments={"a": 2}, expect_text="5")
    document = Scenario.from_dict(
        {
            "target": {"url": URL},
            "steps": [
                {"step": "handshake"},
                {"step": "listTools", "expect": {"toolsPresent": ["add"]}},
                {"step": "callTool", "name": "add", "arguments": {"a": 2}, "expect": {"textEquals": "5"}},
            ],
        }
    )
    assert built == document
    assert hash(built) == hash(document)


def test_document_shape():
    s = Scenario(
        URL,
        tool="echo",
        arguments={"text": "hi"},
        expect_contains="h",
        allow_tool_error=True,
        headers={"X-A": "b"},
        bearer_env="TOKEN",
        timeout=2.5,
        connect_timeout=1,
        request_timeout=0.25,
        protocol_version="2025-06-18",
        max_body_bytes=1024,
        max_sse_event_bytes=512,
        max_pages=3,
    )
    doc = s.to_dict()
    assert doc["target"] == {"url": URL, "headers": {"X-A": "b"}, "bearerEnv": "TOKEN"}
    assert doc["timeouts"] == {"total": "2s 500ms", "connect": "1s", "request": "250ms"}
    assert doc["limits"] == {"maxBodyBytes": 1024, "maxSseEventBytes": 512, "maxPages": 3}
    assert doc["protocolVersion"] == "2025-06-18"
    assert doc["steps"][0] == {"step": "handshake", "expect": {"protocolVersions": ["2025-06-18"]}}
    assert doc["steps"][2]["expect"] == {"textContains": "h", "allowError": True}
    assert json.loads(s.to_json()) == doc
    assert s.url == URL


def test_default_scenario_has_engine_defaults():
    doc = Scenario(URL).to_dict()
    assert doc["timeouts"] == {"total": "10s", "connect": "5s"}
    assert doc["limits"] == {"maxBodyBytes": 16777216, "maxSseEventBytes": 16777216, "maxPages": 100}
    assert "steps" not in doc


def test_options_refine_a_file_like_cli_flags(tmp_path):
    path = tmp_path / "probe.yaml"
    path.write_text(
        "target:\n  url: http://example.invalid/mcp\n  headers: {X-Team: core}\n"
        "timeouts: {total: 3s}\n"
        "steps:\n- step: callTool\n  name: add\n  arguments: {a: 2, b: 3}\n  expect: {textEquals: '5'}\n"
    )
    s = Scenario(URL, scenario=path, timeout=4)
    doc = s.to_dict()
    assert doc["target"] == {"url": URL, "headers": {"X-Team": "core"}}  # URL replaced, headers kept
    assert doc["timeouts"]["total"] == "4s"
    assert doc["steps"][0]["name"] == "add"
    assert Scenario.from_file(path) == Scenario.from_file(str(path))
    assert Scenario.from_file(path).url == "http://example.invalid/mcp"


def test_json_file(tmp_path):
    path = tmp_path / "probe.json"
    path.write_text(json.dumps({"target": {"url": URL}, "steps": [{"step": "listTools", "expect": {"toolsPresent": ["add"]}}]}))
    assert Scenario.from_file(path).to_dict()["steps"][0]["expect"] == {"toolsPresent": ["add"]}


def test_scenario_without_target_needs_a_url_when_run(fixture):
    s = Scenario(tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
    assert s.url is None
    with pytest.raises(mcp_probe.ConfigError) as info:
        s.check()
    assert info.value.code == "invalid_url"
    assert mcp_probe.check(fixture.url(), scenario=s).ok
    assert Scenario(fixture.url(), scenario=s).check().ok


def test_checks_from_every_scenario_form(fixture, tmp_path):
    document = {
        "target": {"url": fixture.url()},
        "steps": [{"step": "callTool", "name": "add", "arguments": {"a": 2, "b": 3}, "expect": {"textEquals": "5"}}],
    }
    path = tmp_path / "probe.json"
    path.write_text(json.dumps(document))
    for source in (document, path, str(path), Scenario.from_dict(document)):
        report = mcp_probe.check(scenario=source)
        assert report.ok, (source, report)
        assert [s.name for s in report.steps] == ["handshake", "tools/call"]


def test_scenarios_are_immutable_reprable_and_picklable():
    s = Scenario(URL, tool="add")
    with pytest.raises(AttributeError):
        s._json = "{}"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.anything = 1  # type: ignore[attr-defined]
    assert repr(s) == f"Scenario(url={URL!r}, steps=['handshake', 'listTools', 'callTool add'])"
    assert pickle.loads(pickle.dumps(s)) == s
    assert Scenario(URL) != Scenario(URL, tool="add")


def test_protocol_era_option():
    assert Scenario(URL, protocol="handshake").to_dict()["protocol"] == "handshake"
    assert "protocol" not in Scenario(URL, protocol="auto").to_dict()
    with pytest.raises(mcp_probe.ConfigError) as info:
        Scenario(URL, protocol="future")  # type: ignore[arg-type]
    assert info.value.code == "invalid_option" and "`protocol` must be" in str(info.value)
    with pytest.raises(mcp_probe.ScenarioError):
        Scenario(URL, protocol="modern", protocol_version="2025-06-18")


@pytest.mark.parametrize("era", ["handshake", "auto"])
def test_protocol_era_against_the_fixture(fixture, era):
    report = mcp_probe.check(fixture.url(), protocol=era, tool="add", arguments={"a": 1, "b": 2}, expect_text="3")
    assert report.ok, report
    assert report.era == "handshake"
    assert report.negotiation is not None and report.negotiation.mode in ("auto", "cached", "pinned")


def test_the_readme_scenario_document_is_valid(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "probe.yaml"
    path.write_text(block)
    s = Scenario.from_file(path)
    assert s.url == URL
    assert s.to_dict()["steps"][-1]["expect"] == {"textEquals": "5"}


def test_repr_hides_credentials_in_the_url():
    s = Scenario("http://user:pw@127.0.0.1:8000/mcp?token=abc&x", headers={"Authorization": "Bearer t"})
    assert repr(s) == "Scenario(url='http://***@127.0.0.1:8000/mcp?token=***&x', steps=['handshake', 'listTools'])"


def test_the_same_options_are_built_natively_once(monkeypatch, tmp_path):
    from mcp_probe import _api

    calls = []
    build = _api._native.build_scenario

    def counting(options, document):
        calls.append(options)
        return build(options, document)

    monkeypatch.setattr(_api._native, "build_scenario", counting)
    monkeypatch.setattr(_api, "_BUILT", {})
    first = Scenario(URL, tool="add", arguments={"a": 2}, expect_text="5")
    again = Scenario(URL, tool="add", arguments={"a": 2}, expect_text="5")
    other = Scenario(URL, tool="add", arguments={"a": 3}, expect_text="5")
    assert first == again != other
    assert len(calls) == 2
    # A scenario file is read (and so built) anew each time: it may have changed.
    path = tmp_path / "scenario.yaml"
    path.write_text("target: {url: 'http://127.0.0.1:1/mcp'}\n")
    before = Scenario(scenario=path)
    path.write_text("target: {url: 'http://127.0.0.1:2/mcp'}\n")
    after = Scenario(scenario=path)
    assert len(calls) == 4
    assert before.url == "http://127.0.0.1:1/mcp" and after.url == "http://127.0.0.1:2/mcp"
