#!/usr/bin/env bash
# Builds the mcp_probe wheel (the test-release profile), installs it into bindings-python/.venv, checks that the
# generated report classes (_report.py) are up to date with docs/report.schema.json, checks the type
# stubs against the built module (mypy.stubtest) and the package with mypy --strict, then runs
# pytest against the testkit fixture server and the Python SDK server (interop/setup.sh).
# Idempotent. Extra arguments go to pytest, e.g. `bindings-python/run-tests.sh -k cancel`.
#
#   PYTHON=python3.12 bindings-python/run-tests.sh     build the venv with another interpreter
#   MCP_PROBE_PY_PROFILE=debug ...                     a faster debug build of the native module
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-python3}"
venv="$here/.venv"
say() { printf 'bindings-python: %s\n' "$*"; }

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    say "created bindings-python/.venv with $("$venv/bin/python" --version 2>&1)"
fi
stamp="$venv/.requirements-dev.sha256"
want="$(sha256sum "$here/requirements-dev.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --requirement "$here/requirements-dev.txt"
    printf '%s\n' "$want" >"$stamp"
fi

# The servers and the CLI the tests run (skipped when the environment points elsewhere).
if [ -z "${MCP_PROBE_FIXTURE_BIN:-}" ] || [ -z "${MCP_PROBE_STDIO_FIXTURE_BIN:-}" ] \
    || [ -z "${MCP_PROBE_CLI_BIN:-}" ]; then
    (cd "$repo" && cargo build --quiet --locked -p mcp-probe-testkit -p mcp-probe-cli)
fi

say "building the wheel"
dist="$(mktemp -d)"
trap 'rm -rf "$dist"' EXIT
# MCP_PROBE_PY_PROFILE: test-release (default: release optimisation with thin LTO, quicker to
# build), release (what a published wheel gets), or debug.
case "${MCP_PROBE_PY_PROFILE:-test-release}" in
    debug) profile=() ;;
    release) profile=(--release) ;;
    *) profile=(--profile "${MCP_PROBE_PY_PROFILE:-test-release}") ;;
esac
"$venv/bin/maturin" build --quiet "${profile[@]}" --locked \
    --manifest-path "$here/Cargo.toml" --interpreter "$venv/bin/python" --out "$dist"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --force-reinstall --no-deps "$dist"/*.whl

cd "$here"
say "the report classes are what docs/report.schema.json generates"
"$venv/bin/python" "$repo/scripts/gen_report_types.py" --check
say "mypy.stubtest (stubs against the built module)"
"$venv/bin/python" -m mypy.stubtest mcp_probe
say "mypy --strict (the package's own annotations)"
"$venv/bin/python" -m mypy --strict python/mcp_probe

say "pytest"
"$venv/bin/python" -m pytest -p no:cacheprovider "$@"
