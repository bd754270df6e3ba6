#!/usr/bin/env bash
# Runs every example that can run without a cluster, a cloud account or a container engine,
# against the bundled fixture server (mcp-probe-fixture):
#   github-actions  the action's scripts with GITHUB_OUTPUT/GITHUB_STEP_SUMMARY; action.yml and
#                   the workflow against their published schemas (check-jsonschema)
#   ansible         the collection's module (ansible-doc), the rolling playbook (healthy, broken),
#                   check mode
#   terraform       both configurations parsed (python-hcl2); the local-exec command and the
#                   check block's external program run
#   kubernetes, argocd, flux, helm
#                   manifests validated against the Kubernetes schemas (kubernetes-validate);
#                   the mcp-probe command lines in them run; serve configs checked
#   prometheus      promtool check config / check rules / test rules; the Grafana dashboard
#   docker          the Dockerfile's inputs exist (no image is built here)
#   rust, python, node  the library examples and the sample pytest suite
# Installs its Python tools into examples/.venv (examples/requirements.txt, pinned). Needs the
# Python package built into bindings-python/.venv (bindings-python/run-tests.sh) and the Node
# package built (bindings-node/run-tests.sh); promtool from interop/setup.sh. Idempotent.
#
#   examples/run-tests.sh             everything
#   examples/run-tests.sh ansible     only the named sections
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-python3}"
kube_version=1.33.0
started=$SECONDS

say() { printf 'examples: %s\n' "$*"; }
fail() { printf 'examples: FAIL %s\n' "$*" >&2; exit 1; }
passed=0
pass() { passed=$((passed + 1)); printf 'examples: PASS %s\n' "$*"; }
section() { printf '\n==> examples/%s\n' "$1"; }
wanted() { [ "${#only[@]}" -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
only=("$@")

# --- tools ---------------------------------------------------------------------------------
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    say "created examples/.venv with $("$venv/bin/python" --version 2>&1)"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --requirement "$here/requirements.txt"
    printf '%s\n' "$want" >"$stamp"
    say "installed examples/requirements.txt into examples/.venv"
fi
vpy="$venv/bin/python"
ci() { "$vpy" "$here/ci/examples_ci.py" "$@"; }

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
(cd "$repo" && cargo build --quiet --locked -p mcp-probe-cli -p mcp-probe-testkit)
cli="$target_dir/debug/mcp-probe"
fixture="$target_dir/debug/mcp-probe-fixture"
# The examples call `mcp-probe` by name, as they would on a machine where it is installed.
bindir="$(mktemp -d)"
ln -s "$cli" "$bindir/mcp-probe"
export PATH="$bindir:$PATH"

tmp="$(mktemp -d)"
cleanup() {
    if [ -n "${FIXTURE_PID:-}" ]; then kill "$FIXTURE_PID" 2>/dev/null || true; fi
    rm -rf "$tmp" "$bindir"
}
trap cleanup EXIT

# The fixture server: its first line of stdout is the port (bounded wait); it exits when this
# script does (stdin closes) or on the trap's SIGTERM.
coproc FIXTURE { exec "$fixture" --exit-on-stdin-eof; }
port=""
read -r -t 30 port <&"${FIXTURE[0]}" || fail "the fixture server printed no port within 30 s"
[[ "$port" =~ ^[0-9]+$ ]] || fail "the fixture server printed '$port' instead of a port"
base="http://127.0.0.1:$port"
healthy="$base/json/mcp"
say "fixture server on $base"

# Runs a command that must fail; its output (stdout and stderr) is in $out, its status in $rc.
expect_failure() {
    rc=0
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -ne 0 ] || { printf '%s\n' "$out"; fail "expected a failure from: $*"; }
}
contains() { [[ "$1" == *"$2"* ]] || { printf '%s\n' "$1" | tail -n 30; fail "output lacks '$2'"; }; }

# --- GitHub Actions --------------------------------------------------------------------------
if wanted github-actions; then
    section github-actions
    gha="$here/github-actions"
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "$gha/action.yml" >/dev/null
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$gha"/workflows/*.yml >/dev/null
    pass "github-actions: action.yml and workflows/ valid against the published schemas"

    out_file="$tmp/gha-install.out"
    : >"$out_file"
    GITHUB_OUTPUT="$out_file" INPUT_INSTALL=path INPUT_BINARY=mcp-probe "$gha/install.sh" >/dev/null
    grep -qx 'binary=mcp-probe' "$out_file" || fail "install.sh wrote no binary output"
    pass "github-actions: install.sh (install: path) sets the binary output"

    run_action() { # URL OUTPUT-FILE SUMMARY-FILE [VAR=VALUE…]
        local url="$1" output="$2" summary="$3"
        shift 3
        : >"$output"
        : >"$summary"
        env GITHUB_OUTPUT="$output" GITHUB_STEP_SUMMARY="$summary" MCP_PROBE_BIN=mcp-probe \
            INPUT_URL="$url" INPUT_TOOL=add INPUT_ARGUMENTS='{"a":2,"b":3}' INPUT_EXPECT_TEXT=5 \
            INPUT_WAIT_UNTIL_READY=10s INPUT_TIMEOUT=5s INPUT_JUNIT_FILE="$tmp/junit.xml" \
            "$@" "$gha/probe.sh"
    }

    # The fixture's ready_after path answers 503 three times: the action waits it out.
    out="$(cd "$tmp" && run_action "$base/ready_after/mcp" "$tmp/gha.out" "$tmp/gha.md")"
    ci gh-outputs "$tmp/gha.out" ok=true failure-code= exit-code=0 junit-file="$tmp/junit.xml" >/dev/null
    "$vpy" -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().split("report<<",1)[1].split("\n")[1]); assert r["attempts"] >= 2, r["attempts"]' "$tmp/gha.out"
    "$vpy" -c 'import sys, xml.etree.ElementTree as E; s=E.parse(sys.argv[1]).getroot(); assert not list(s.iter("failure")) and list(s.iter("testcase"))' "$tmp/junit.xml"
    contains "$(cat "$tmp/gha.md")" "### mcp-probe check"
    contains "$(cat "$tmp/gha.md")" "JUnit report:"
    contains "$out" "OK"
    pass "github-actions: probe.sh, healthy after 503s: ok=true, several attempts, JUnit without failures, job summary"

    expect_failure run_action "$base/tool_is_error/mcp" "$tmp/gha.out" "$tmp/gha.md" INPUT_WAIT_UNTIL_READY=
    [ "$rc" -eq 9 ] || fail "probe.sh exited $rc for a failing tool, expected 9"
    contains "$out" "::error title=mcp-probe tool_error::"
    contains "$out" "database connection refused"
    ci gh-outputs "$tmp/gha.out" ok=false failure-code=tool_error exit-code=9 >/dev/null
    grep -q 'type="tool_error"' "$tmp/junit.xml" || fail "the JUnit report has no tool_error failure"
    contains "$(cat "$tmp/gha.md")" "tool_error"
    pass "github-actions: probe.sh, failing tool: exit 9, ::error annotation, failure-code=tool_error, JUnit failure"

    run_action "$base/bad_gateway/mcp" "$tmp/gha.out" "$tmp/gha.md" INPUT_WAIT_UNTIL_READY= \
        INPUT_FAIL_ON_ERROR=false >/dev/null
    ci gh-outputs "$tmp/gha.out" ok=false failure-code=http_status exit-code=6 >/dev/null
    pass "github-actions: probe.sh, HTTP 502 with fail-on-error false: step passes, ok=false, failure-code=http_status"
fi
