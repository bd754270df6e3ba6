"""The typed report classes cover the documented report schema, field for field."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import mcp_probe
from mcp_probe import (
    AuthFacts,
    AuthFinding,
    CallResult,
    Exchange,
    Failure,
    Negotiation,
    Report,
    ServerInfo,
    ServerMessage,
    SessionFacts,
    StepReport,
    Timings,
    TlsFacts,
    ToolInfo,
    Warning,
)

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"
GENERATOR = Path(__file__).resolve().parents[2] / "scripts" / "gen_report_types.py"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _resolve(schema: Dict[str, Any], node: Dict[str, Any]) -> Dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(schema, schema["$defs"][ref[len("#/$defs/") :]])
    return node


def _objects(schema: Dict[str, Any]) -> List[Tuple[type, Dict[str, Any]]]:
    """Each typed class with the schema object it mirrors."""
    report = schema
    step = _resolve(schema, report["properties"]["steps"]["items"])
    return [
        (Report, report),
        (Negotiation, _resolve(schema, report["properties"]["negotiation"])),
        (ServerInfo, _resolve(schema, report["properties"]["server"])),
        (SessionFacts, _resolve(schema, report["properties"]["session"])),
        (Failure, _resolve(schema, report["properties"]["failure"])),
        (Warning, _resolve(schema, report["properties"]["warnings"]["items"])),
        (StepReport, step),
        (CallResult, _resolve(schema, step["properties"]["result"])),
        (ToolInfo, _resolve(schema, step["properties"]["tools"]["items"])),
        (ServerMessage, _resolve(schema, step["properties"]["serverMessages"]["items"])),
        (Timings, _resolve(schema, step["properties"]["timings"])),
        (Exchange, _resolve(schema, step["properties"]["exchanges"]["items"])),
        (AuthFinding, _resolve(schema, step["properties"]["authFindings"]["items"])),
        (TlsFacts, _resolve(schema, report["properties"]["tls"])),
        (AuthFacts, _resolve(schema, report["properties"]["auth"])),
    ]


@pytest.mark.skipif(not SCHEMA.is_file(), reason="docs/report.schema.json not found")
def test_every_schema_field_is_an_attribute():
    schema = json.loads(SCHEMA.read_text())
    for cls, node in _objects(schema):
        documented = {_snake(name) for name in node["properties"]}
        typed = set(cls._FIELDS)  # type: ignore[attr-defined]
        assert documented == typed, (
            f"mcp_probe.{cls.__name__} and docs/report.schema.json disagree on {sorted(documented ^ typed)}: "
            "add (or remove) the attribute in bindings-python/python/mcp_probe/_report.py"
        )
        slots = {name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ())}
        annotated = {name for klass in cls.__mro__ for name in getattr(klass, "__annotations__", {})}
        assert slots >= typed and annotated >= typed, cls.__name__


@pytest.mark.skipif(not GENERATOR.is_file(), reason="scripts/gen_report_types.py not found")
def test_the_report_classes_are_generated_from_the_schema():
    done = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_attribute_has_a_docstring_comment():
    source = Path(mcp_probe._report.__file__).read_text()  # type: ignore[attr-defined]
    classes = (Report, Negotiation, ServerInfo, SessionFacts, Failure, Warning, StepReport, CallResult, ToolInfo,
               ServerMessage, Timings, Exchange, TlsFacts, AuthFinding, AuthFacts)
    for cls in classes:
        assert cls.__doc__, cls.__name__
        for name in cls._FIELDS:  # type: ignore[attr-defined]
            assert re.search(rf"#: .*\n(    #: .*\n)*    {name}: ", source), f"{cls.__name__}.{name} has no doc comment"


def test_unknown_fields_are_kept_and_absent_ones_are_none():
    data = {"schemaVersion": 1, "ok": True, "target": "http://x/mcp", "transport": "streamable-http",
            "startedAt": "t", "durationMs": 1.5, "steps": [{"name": "handshake", "status": "pass",
            "durationMs": 1.0, "requests": 1, "fromTheFuture": [1]}], "warnings": [],
            "session": {"issued": False, "reinitialized": 0}, "alsoNew": {"x": 1}}
    report = Report.from_dict(data)
    assert report.to_dict() == data
    assert report.era is None and report.server is None and report.negotiation is None
    assert report.steps[0].http_status is None and report.steps[0].tools is None
    assert report.steps[0].to_dict()["fromTheFuture"] == [1]
    with pytest.raises(AttributeError):
        report.also_new  # type: ignore[attr-defined]


def test_from_dict_copies_its_input():
    data = {"ok": False, "steps": [], "warnings": [], "session": {}}
    report = Report.from_dict(data)
    data["ok"] = True
    assert report.ok is False and report.to_dict()["ok"] is False


def test_attributes_are_computed_once():
    report = Report.from_dict({"ok": True, "steps": [{"name": "handshake"}], "warnings": [], "session": {}})
    assert report.steps is report.steps
    assert report.steps[0] is report.steps[0]
