#!/usr/bin/env bash
# The load generator's own ceiling: `mcp-probe load` (release build) on one core against the
# fixture server on the other, closed model, the whole probe (handshake + tools/list) each
# time. Prints probes per second per core of the generator; a measurement, not a test.
#
#   benches/load-ceiling.sh [SECONDS] [CLIENTS]      default 10 s, 64 clients
#   ALLOCATOR=system benches/load-ceiling.sh         the CLI on the system's allocator
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-10}"
clients="${2:-64}"
# shellcheck source=benches/pinned-fixture.sh
source benches/pinned-fixture.sh load-ceiling

result="$(taskset -c 0 "$target/release/mcp-probe" load "http://127.0.0.1:$port/json/mcp" \
    --clients "$clients" --duration "${seconds}s" --max-probes 100000000 --format json --quiet)"
python3 - "$result" "$clients" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
probe = next(s for s in r["steps"] if s["name"] == "probe")
print(f"| generator cores | clients | probes | failed | probes/s per core | p50 | p99 |")
print(f"|---|---|---|---|---|---|---|")
print(f"| 1 | {sys.argv[2]} | {r['probes']} | {r['failed']} | {r['achievedRate']:.0f} | {probe['p50Ms']:.2f} ms | {probe['p99Ms']:.2f} ms |")
PY
