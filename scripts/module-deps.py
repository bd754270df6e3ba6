#!/usr/bin/env python3
"""Prints the import graph between the modules of a crate and fails on a cycle.

    scripts/module-deps.py [CRATE_SRC]        default: mcp-probe-core/src

A module is a file under src/ (a folder's mod.rs is the folder). An edge A -> B is a
`crate::B…` path, or a `super::…` path that leads to B, anywhere in A's code outside
`#[cfg(test)]` modules (`use` lines and qualified paths alike); a path into a child module
counts for the child. Exits 1 and prints
each cycle when modules import each other in a circle, 0 otherwise.

It also checks the engine's layers: a module may import only modules of
its own layer or of a layer below it (LAYERS, lowest first); an import upwards is reported
and fails too.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "mcp-probe-core/src")


# The engine's layers, lowest first: the first prefix that matches a module names its layer.
LAYERS = [
    ["error", "file", "text", "urls", "sse"],
    ["model"],
    ["clock", "scrub", "jsonrpc", "negotiate"],
    ["http"],
    ["transport"],
    ["session"],
    ["steps", "auth"],
    ["probe"],
    ["fuzz", "crate"],
]


def layer(module: str) -> int:
    top = module.split("::")[0]
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    return len(LAYERS)


def module_of(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return "::".join(parts) or "crate"


def code_without_tests(text: str) -> str:
    """Drops `#[cfg(test)] mod … { … }` blocks (other attributes between allowed) and comments."""
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def absolute(code: str, me: str) -> str:
    """`super::…` paths of module `me` written as `crate::…` paths."""
    def resolve(m: re.Match) -> str:
        parts = [] if me == "crate" else me.split("::")
        ups = m.group(0).count("super::")
        kept = parts[: max(len(parts) - ups, 0)]
        return "crate::" + "".join(p + "::" for p in kept)

    return re.sub(r"\b(?:super::)+", resolve, code)


def targets(code: str, modules: set[str]) -> set[str]:
    found = set()
    # `crate::a::b::{c, d::e}`: the longest known module prefix of each path.
    for m in re.finditer(r"crate::((?:\w+::)*\w+)(::\{([^;]*?)\})?", code):
        heads = [m.group(1)]
        if m.group(3):
            heads = [m.group(1) + "::" + t.strip().split(" as ")[0] for t in re.split(r"[,{}]", m.group(3)) if t.strip()]
        for head in heads:
            parts = head.split("::")
            while parts and "::".join(parts) not in modules:
                parts.pop()
            if parts:
                found.add("::".join(parts))
    return found


def main() -> int:
    files = sorted(ROOT.rglob("*.rs"))
    modules = {module_of(p) for p in files}
    graph = {}
    for p in files:
        me = module_of(p)
        deps = targets(absolute(code_without_tests(p.read_text()), me), modules)
        # A parent's own `mod`/`pub use` of its children is not an import upwards.
        graph[me] = {d for d in deps if d != me and not d.startswith(me + "::") and me != "crate"}
    cycles = find_cycles(graph)
    for m in sorted(graph):
        print(f"{m:26} -> {', '.join(sorted(graph[m])) or '-'}")
    upwards = [(a, b) for a in sorted(graph) for b in sorted(graph[a]) if layer(b) > layer(a)]
    for a, b in upwards:
        print(f"upward import: {a} (layer {layer(a)}) imports {b} (layer {layer(b)})")
    if cycles:
        print(f"\n{len(cycles)} import cycle(s):")
        for c in cycles:
            print("  " + " → ".join(c + [c[0]]))
        return 1
    if upwards:
        return 1
    print(f"\nno import cycle and no upward import among {len(graph)} modules of {ROOT}")
    return 0


def find_cycles(graph):
    """Strongly connected components with more than one module (Tarjan), each as a path."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


if __name__ == "__main__":
    sys.exit(main())
