#!/usr/bin/env bash
# Builds mcp-probe and the bundled fixture server, then probes a healthy endpoint and a few
# broken ones, printing what mcp-probe says and the exit code of each check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --quiet -p mcp-probe-cli -p mcp-probe-testkit
bin=target/release

# The fixture prints its port, then serves every mode at /{mode}/mcp until stdin closes.
coproc FIXTURE { exec "$bin/mcp-probe-fixture" --exit-on-stdin-eof; }
trap 'exec {FIXTURE[1]}>&-; wait "$FIXTURE_PID" 2>/dev/null || true' EXIT
read -r -t 10 port <&"${FIXTURE[0]}"
base="http://127.0.0.1:$port"

probe() {
    printf '\n$ mcp-probe check %s\n' "$*"
    set +e
    "$bin/mcp-probe" check "$@"
    printf '(exit code %s)\n' "$?"
    set -e
}

probe "$base/mcp" --tool add --args '{"a":2,"b":3}' --expect-text 5
probe "$base/sse/mcp" --tool echo --args '{"text":"hello"}'
probe "$base/bad_gateway/mcp"
probe "$base/html/mcp"
probe "$base/tool_is_error/mcp" --tool add --args '{"a":1,"b":1}'
probe "$base/hang/mcp" --timeout 2s
