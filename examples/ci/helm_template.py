#!/usr/bin/env python3
"""A stand-in for ``helm template`` that understands only what the example charts use.

``helm`` is not installable from the package registries CI may use, so CI renders the charts
in ``examples/helm`` with this: the Go template actions are translated to Jinja2 and rendered
with Helm's values and a few Sprig functions. Understood: ``{{ .Values.x }}``, ``.Release.*``,
``.Chart.*``, ``define``/``include``, ``if``/``else``/``with``/``end``, pipelines into
``quote``, ``default``, ``toYaml``, ``nindent``, ``indent``, ``trunc``, ``trimSuffix``,
``sha256sum``, ``printf``, ``and``, ``or``, ``not``, ``eq``, and ``{{/* comments */}}``.
Anything else is an error (so a template using more fails here rather than rendering wrongly),
and so is a value missing from values.yaml.

    helm_template.py CHART_DIR [--set-json PATH=JSON]... > rendered.yaml
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, List

import jinja2
import yaml

ACTION = re.compile(r"\{\{(-?)(\s*)(.*?)(\s*)(-?)\}\}", re.S)
FUNCTIONS = {"include", "printf", "quote", "default", "toYaml", "nindent", "indent", "trunc",
             "trimSuffix", "sha256sum", "and", "or", "not", "eq"}


class TemplateError(Exception):
    """A construct this stand-in does not understand."""


def ident(name: str) -> str:
    """A Jinja macro name for a ``define``d template name."""
    return "tpl_" + re.sub(r"\W", "_", name)


def split_top(text: str, sep: str) -> List[str]:
    """Splits at ``sep`` outside double-quoted strings."""
    parts, current, quoted, i = [], "", False, 0
    while i < len(text):
        ch = text[i]
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        if not quoted and text.startswith(sep, i):
            parts.append(current)
            current = ""
            i += len(sep)
            continue
        current += ch
        i += 1
    parts.append(current)
    return parts


def operand(token: str) -> str:
    """A Go template operand as a Jinja expression."""
    if token == ".":
        return "dot"
    if re.fullmatch(r"(\.[A-Za-z_][A-Za-z0-9_]*)+", token):
        return token[1:]
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', token) or re.fullmatch(r"-?\d+(\.\d+)?", token):
        return token
    if token in ("true", "false"):
        return token.capitalize()
    raise TemplateError("unsupported operand %r" % token)


def command(text: str, piped: str | None) -> str:
    """One command of a pipeline (``fn arg…`` or an operand), given the value piped into it."""
    tokens = split_top(text.strip(), " ")
    tokens = [t for t in tokens if t]
    if not tokens:
        raise TemplateError("empty command")
    head, args = tokens[0], tokens[1:]
    if head == "include":
        if len(args) != 2 or piped is not None:
            raise TemplateError("include takes a name and a context")
        return "%s()" % ident(json.loads(args[0]))
    if head in FUNCTIONS:
        values = [operand(a) for a in args] + ([piped] if piped is not None else [])
        return "%s(%s)" % (head, ", ".join(values))
    if args or piped is not None:
        raise TemplateError("unsupported function %r" % head)
    return operand(head)


def expression(text: str) -> str:
    """A Go template pipeline as a Jinja expression."""
    value = None
    for part in split_top(text, "|"):
        value = command(part, value)
    assert value is not None
    return value


def translate(source: str) -> str:
    """Go template source as Jinja2 source."""
    out, stack, pos = [], [], 0
    for m in ACTION.finditer(source):
        out.append(source[pos:m.start()].replace("{#", "{{ '{#' }}"))
        pos = m.end()
        left, body, right = m.group(1), m.group(3), m.group(5)
        if body.startswith("/*"):
            out.append("{#%s %s %s#}" % (left, body.replace("#}", "# }"), right))
            continue
        word = body.split(None, 1)
        keyword, rest = (word[0], word[1] if len(word) > 1 else "") if word else ("", "")
        if keyword == "define":
            stack.append("define")
            out.append("{%%%s macro %s() %s%%}" % (left, ident(json.loads(rest)), right))
        elif keyword == "if":
            stack.append("if")
            out.append("{%%%s if %s %s%%}" % (left, expression(rest), right))
        elif keyword == "with":
            stack.append("with")
            out.append("{%%%s with dot = %s %%}{%% if dot %s%%}" % (left, expression(rest), right))
        elif keyword == "else" and rest.startswith("if "):
            out.append("{%%%s elif %s %s%%}" % (left, expression(rest[3:]), right))
        elif keyword == "else" and not rest:
            out.append("{%%%s else %s%%}" % (left, right))
        elif keyword == "end" and not rest:
            if not stack:
                raise TemplateError("end without a block")
            block = stack.pop()
            if block == "define":
                out.append("{%%%s endmacro %s%%}" % (left, right))
            elif block == "if":
                out.append("{%%%s endif %s%%}" % (left, right))
            else:
                out.append("{%%%s endif %%}{%% endwith %s%%}" % (left, right))
        elif keyword in ("range", "template", "block", "tpl", "required", "lookup"):
            raise TemplateError("unsupported action %r" % keyword)
        else:
            out.append("{{%s %s %s}}" % (left, expression(body), right))
    out.append(source[pos:])
    if stack:
        raise TemplateError("unclosed %s" % stack[-1])
    return "".join(out)


def to_yaml(value: Any) -> str:
    """Sprig's toYaml: block style, sorted keys, no trailing newline."""
    if value is None:
        return "null"
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n")


def env() -> jinja2.Environment:
    """A Jinja environment with Helm's functions and strict undefined values."""
    e = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    e.globals.update(
        printf=lambda fmt, *args: re.sub(r"%[sdv]", "%s", fmt) % args,
        quote=lambda v: json.dumps("" if v is None else str(v)),
        default=lambda d, v=None: v if v not in (None, "", [], {}, False) else d,
        toYaml=to_yaml,
        nindent=lambda n, s: "\n" + "\n".join((" " * n + line) if line else line for line in str(s).split("\n")),
        indent=lambda n, s: "\n".join((" " * n + line) if line else line for line in str(s).split("\n")),
        trunc=lambda n, s: str(s)[:n],
        trimSuffix=lambda suffix, s: str(s)[: -len(suffix)] if suffix and str(s).endswith(suffix) else str(s),
        sha256sum=lambda s: hashlib.sha256(str(s).encode()).hexdigest(),
        eq=lambda a, b: a == b,
        **{"and": lambda *a: all(a), "or": lambda *a: any(a), "not": lambda a: not a},
    )
    return e


def set_value(values: dict, path: str, value: Any) -> None:
    """Sets a dotted path in the values, like ``helm --set-json``."""
    keys = path.split(".")
    for key in keys[:-1]:
        values = values.setdefault(key, {})
    values[keys[-1]] = value


def render(chart: Path, overrides: List[str]) -> List[tuple]:
    """(template path, rendered text) for every template of the chart."""
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    values = yaml.safe_load((chart / "values.yaml").read_text()) or {}
    for item in overrides:
        path, _, raw = item.partition("=")
        set_value(values, path, json.loads(raw))
    context = {
        "Values": values,
        "Chart": {"Name": meta["name"], "Version": meta["version"], "AppVersion": meta.get("appVersion", "")},
        "Release": {"Name": "release", "Namespace": "default", "Service": "Helm", "IsInstall": True},
        "dot": None,
    }
    templates = sorted((chart / "templates").rglob("*"))
    helpers = "".join(translate(p.read_text()) for p in templates if p.name.startswith("_") and p.suffix == ".tpl")
    out = []
    e = env()
    for path in templates:
        if path.is_dir() or path.name.startswith("_") or path.suffix not in (".yaml", ".yml"):
            continue
        try:
            text = e.from_string(helpers + translate(path.read_text())).render(context)
        except (TemplateError, jinja2.TemplateError) as err:
            raise SystemExit("helm_template: %s: %s" % (path.relative_to(chart), err))
        out.append((path.relative_to(chart), text))
    return out


def main(argv: List[str]) -> None:
    """Renders the chart to stdout as one YAML stream, each document headed by its source."""
    if not argv:
        raise SystemExit(__doc__)
    overrides = [argv[i + 1] for i, a in enumerate(argv) if a == "--set-json"]
    for path, text in render(Path(argv[0]), overrides):
        for doc in yaml.safe_load_all(text):
            if doc:
                sys.stdout.write("---\n# Source: %s\n%s\n" % (path, yaml.safe_dump(doc, sort_keys=False).rstrip("\n")))


if __name__ == "__main__":
    main(sys.argv[1:])
