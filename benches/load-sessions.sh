#!/usr/bin/env bash
# Fresh against reused sessions: `mcp-probe load` (release build) on one core against the
# fixture server on the other, closed model, the same clients and duration, once with
# `--sessions fresh` (handshake + tools/list + tools/call + DELETE each probe) and once with
# `--sessions reuse` (the handshake once per client). Prints each run's per-step table; a
# measurement, not a test.
#
#   benches/load-sessions.sh [SECONDS] [CLIENTS]      default 30 s, 16 clients
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-30}"
clients="${2:-16}"
# shellcheck source=benches/pinned-fixture.sh
source benches/pinned-fixture.sh load-sessions

for sessions in fresh reuse; do
    result="$(taskset -c 0 "$target/release/mcp-probe" load "http://127.0.0.1:$port/json/mcp" \
        --tool add --args '{"a":2,"b":3}' --expect-text 5 --sessions "$sessions" \
        --clients "$clients" --duration "${seconds}s" --max-probes 100000000 --format json --quiet)"
    python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
opened = r.get("sessionsOpened")
print(f"`--sessions {r['sessions']}`, {r['clients']} clients, {r['elapsedMs'] / 1000:.1f} s: "
      f"{r['probes']} probes, {r['achievedRate']:.0f}/s, {r['failed']} failed"
      + (f", {opened} sessions opened" if opened is not None else ""))
print()
print("| step | count | errors | p50 | p90 | p99 | max |")
print("|---|---|---|---|---|---|---|")
for s in r["steps"]:
    print(f"| {s['name']} | {s['count']} | {s['errors']} | {s['p50Ms']:.2f} ms | {s['p90Ms']:.2f} ms | {s['p99Ms']:.2f} ms | {s['maxMs']:.2f} ms |")
print()
PY
done
