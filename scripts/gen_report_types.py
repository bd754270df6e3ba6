#!/usr/bin/env python3
"""Generates the bindings' report types from docs/report.schema.json.

The report's shape has one source: the Rust types in mcp-probe-core/src/model, from which
docs/report.schema.json is generated (mcp-probe-core/tests/report_schema.rs). This script turns
that schema into

* bindings-node/report.d.ts: the TypeScript declarations of the report `check` resolves with;
* bindings-python/python/mcp_probe/_report.py: the typed Python classes of the report (field
  declarations over the hand-written base in _report_base.py).

    python3 scripts/gen_report_types.py           rewrite both files
    python3 scripts/gen_report_types.py --check   fail when a file is not what the schema gives

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "docs" / "report.schema.json"
TS_OUT = ROOT / "bindings-node" / "report.d.ts"
PY_OUT = ROOT / "bindings-python" / "python" / "mcp_probe" / "_report.py"

GENERATED = "Generated from docs/report.schema.json by scripts/gen_report_types.py; do not edit."

# The root schema's type name.
ROOT_NAME = "Report"
# Python names that differ from the schema's.
PY_NAMES = {"ExchangeTimings": "Exchange"}
# Python base classes other than `_Part` (they add methods; see _report_base.py).
PY_BASES = {"Report": "_ReportMethods", "StepReport": "_StepReportMethods"}
# The attributes each Python class shows in its repr() (Report and StepReport have their own).
PY_REPR = {
    "Negotiation": ("mode", "evidence"),
    "ServerInfo": ("name", "version", "capabilities"),
    "ToolInfo": ("name",),
    "CallResult": ("is_error", "text"),
    "ServerMessage": ("kind", "method", "answer"),
    "SessionFacts": ("issued", "reinitialized", "closed"),
    "Failure": ("code", "step", "message"),
    "Warning": ("code", "step", "message"),
    "Timings": ("total_ms", "ttfb_ms", "reused_connection"),
    "Exchange": ("request", "total_ms", "reused_connection"),
    "TlsFacts": ("host", "not_after", "days_left", "verified", "problem"),
    "AuthFinding": ("check", "status", "message"),
    "AuthFacts": ("method", "cached", "requests"),
}
# Python names that shadow a builtin (allowed: they are the report model's names).
PY_SHADOWS = {"Warning"}


def load() -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """The schema and its named types (the root included, as `Report`)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    defs = dict(schema.get("$defs", {}))
    defs[ROOT_NAME] = {k: v for k, v in schema.items() if not k.startswith("$") and k != "title"}
    return schema, defs


def ref_name(node: Dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def is_object(node: Dict[str, Any]) -> bool:
    return node.get("type") == "object" and "properties" in node


def paragraphs(text: str) -> List[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def wrap(text: str, width: int) -> List[str]:
    lines: List[str] = []
    for i, p in enumerate(paragraphs(text)):
        if i:
            lines.append("")
        lines.extend(textwrap.wrap(p, width, break_on_hyphens=False, break_long_words=False))
    return lines


def q(text: str) -> str:
    """A Python string literal in double quotes."""
    return json.dumps(text, ensure_ascii=False)


def fail(message: str) -> None:
    raise SystemExit(f"gen_report_types.py: {message}")


# --------------------------------------------------------------------------------------------
# TypeScript
# --------------------------------------------------------------------------------------------


def ts_doc(text: str | None, indent: str) -> List[str]:
    if not text:
        return []
    lines = [line.replace("*/", "*\\/") for line in wrap(text, 96 - len(indent))]
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**"] + [f"{indent} * {line}".rstrip() for line in lines] + [f"{indent} */"]


def ts_literal(value: Any) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'" if isinstance(value, str) else json.dumps(value)


def ts_type(node: Dict[str, Any], indent: str) -> str:
    name = ref_name(node)
    if name:
        return name
    if "const" in node:
        # A string constant is its literal; a number (the schema version) stays `number`.
        return ts_literal(node["const"]) if isinstance(node["const"], str) else "number"
    if "enum" in node:
        return " | ".join(ts_literal(v) for v in node["enum"])
    kind = node.get("type")
    if kind == "string":
        return "string"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "array":
        return f"Array<{ts_type(node['items'], indent)}>"
    if kind == "object":
        if "properties" in node:
            return "{\n" + "\n".join(ts_members(node, indent + "  ")) + f"\n{indent}}}"
        return "Record<string, unknown>"
    fail(f"no TypeScript type for {node}")
    return ""


def ts_members(node: Dict[str, Any], indent: str) -> List[str]:
    required = set(node.get("required", []))
    out: List[str] = []
    for key, prop in node["properties"].items():
        out += ts_doc(prop.get("description"), indent)
        optional = "" if key in required else "?"
        out.append(f"{indent}{key}{optional}: {ts_type(prop, indent)}")
    return out


def typescript(defs: Dict[str, Dict[str, Any]]) -> str:
    out = [f"/* {GENERATED} */", "/* eslint-disable */", ""]
    for name in sorted(defs):
        node = defs[name]
        out += ts_doc(node.get("description"), "")
        if is_object(node):
            out.append(f"export interface {name} {{")
            out += ts_members(node, "  ")
            out.append("}")
        else:
            out.append(f"export type {name} = {ts_type(node, '')}")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Python
# --------------------------------------------------------------------------------------------


def py_name(name: str) -> str:
    return PY_NAMES.get(name, name)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    """The JSON key an attribute reads (as _report_base._camel makes it)."""
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def rst(text: str) -> str:
    """Markdown code spans as reStructuredText literals."""
    return re.sub(r"`([^`]+)`", r"``\1``", text)


def py_type(defs: Dict[str, Dict[str, Any]], key: str, prop: Dict[str, Any], required: bool) -> str:
    """The annotation of one field (one of the forms _report_base._converter reads)."""
    name = ref_name(prop)
    target = defs[name] if name else prop
    kind = target.get("type")
    many = kind == "array"
    if many:
        item_name = ref_name(target["items"])
        target = defs[item_name] if item_name else target["items"]
        name, kind = item_name, target.get("type")
    if name and is_object(target):
        inner = py_name(name)
    elif kind == "object":
        inner = "Dict[str, Any]"
    elif kind in ("string", "integer", "number", "boolean"):
        inner = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}[kind]
    else:
        fail(f"no Python type for {key}: {prop}")
    if many:
        inner = f"Tuple[{inner}, ...]"
    if required or "default" in prop:
        return inner
    if inner == "bool":
        fail(f"an optional boolean ({key}) has no Python type here")
    return f"Optional[{inner}]"


def py_class_order(defs: Dict[str, Dict[str, Any]]) -> List[str]:
    """The object types, each after the ones its fields convert to."""
    objects = sorted(n for n, d in defs.items() if is_object(d))

    def deps(name: str) -> List[str]:
        found = []
        for prop in defs[name]["properties"].values():
            for node in (prop, prop.get("items", {})):
                r = ref_name(node)
                if r and is_object(defs[r]):
                    found.append(r)
        return sorted(set(found))

    done: List[str] = []

    def visit(name: str, seen: Tuple[str, ...]) -> None:
        if name in done:
            return
        if name in seen:
            fail(f"the report types nest recursively at {name}")
        for d in deps(name):
            visit(d, seen + (name,))
        done.append(name)

    for name in objects:
        visit(name, ())
    return done


def python(defs: Dict[str, Dict[str, Any]]) -> str:
    order = py_class_order(defs)
    names = sorted(py_name(n) for n in order)
    classes: List[str] = []
    for name in order:
        node = defs[name]
        cls = py_name(name)
        required = set(node.get("required", []))
        base = PY_BASES.get(cls, "_Part")
        noqa = "  # noqa: A001 - the report model's name; shadows the builtin only here" if cls in PY_SHADOWS else ""
        lines = [f"class {cls}({base}):{noqa}"]
        doc = wrap(rst(node.get("description", cls)), 104)
        if len(doc) == 1:
            lines.append(f'    """{doc[0]}"""')
        else:
            lines += [f'    """{doc[0]}'] + [f"    {line}".rstrip() for line in doc[1:]] + ['    """']
        fields: List[Tuple[str, str, str]] = []
        for key, prop in node["properties"].items():
            attr = snake(key)
            if camel(attr) != key:
                fail(f"{name}.{key}: the attribute {attr} would read the key {camel(attr)}")
            fields.append((attr, py_type(defs, key, prop, key in required), prop.get("description", "")))
        slots = ", ".join(q(f[0]) for f in fields)
        lines += ["", f"    __slots__ = ({slots}{',' if len(fields) == 1 else ''})"]
        for attr, ann, text in fields:
            lines += [f"    #: {line}" for line in wrap(rst(text), 100)] or ["    #: (undocumented)"]
            lines.append(f"    {attr}: {ann}")
        if cls in PY_REPR:
            shown = ", ".join(q(a) for a in PY_REPR[cls])
            lines.append("")
            lines.append(f"    _REPR = ({shown}{',' if len(PY_REPR[cls]) == 1 else ''})")
        classes.append("\n".join(lines))
    imports = sorted({"_Part"} | set(PY_BASES.values()))
    header = f'''"""Typed, immutable views of the engine's report (the JSON ``mcp-probe check --format json`` prints).

{GENERATED}
The classes declare their attributes; how they are read from the JSON (lazily, once), ``to_dict()``,
immutability and pickling are in ``_report_base.py``. Every object keeps the JSON object it was
made from, so ``to_dict()`` returns exactly that JSON (camelCase keys, absent fields left out) and
fields added by a newer engine are kept.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from ._report_base import {", ".join(imports)}

__all__ = [
{"".join(f"    {q(name)},{chr(10)}" for name in names)}]
'''
    return header + "\n\n" + "\n\n\n".join(classes) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when a generated file is stale")
    args = parser.parse_args()
    _, defs = load()
    outputs = {TS_OUT: typescript(defs), PY_OUT: python(defs)}
    stale = []
    for path, text in outputs.items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        if args.check:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(
            f"gen_report_types.py: stale (not what docs/report.schema.json gives): {', '.join(stale)}; "
            "run `python3 scripts/gen_report_types.py` and commit the result",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
