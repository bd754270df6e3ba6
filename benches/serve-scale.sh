#!/usr/bin/env bash
# serve's cost at scale, measured (not a test): N targets on loopback, all against one fixture
# server, for a while after one interval of warm-up; prints serve's CPU share of one core, RSS,
# open file descriptors and the scheduler lag p99 (from its own histogram), as Markdown.
#
#   benches/serve-scale.sh                       10000 targets, 60 s interval, 60 s measured
#   benches/serve-scale.sh 1000 5s 600 flap      1000 targets flapping (healthy ↔ broken every
#                                                10 s) for 10 minutes: RSS and descriptors at
#                                                the start and the end
#   ALLOCATOR=system benches/serve-scale.sh      the binary built with the system's allocator
#                                                instead of jemalloc
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

targets="${1:-10000}"
interval="${2:-60s}"
seconds="${3:-60}"
flap="${4:-}"
say() { printf 'serve-scale: %s\n' "$*" >&2; }

features=()
[ "${ALLOCATOR:-jemalloc}" = system ] && features=(--no-default-features)
cargo build --quiet --release --locked -p mcp-probe-cli -p mcp-probe-testkit "${features[@]}"
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$target_dir/release/mcp-probe-fixture" >"$work/fixture.port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/fixture.port" ] && break; sleep 0.1; done
port="$(head -1 "$work/fixture.port")"
mode=json
[ -n "$flap" ] && mode=switch
{
    printf 'defaults: {interval: %s, timeout: 10s, failureThreshold: 1, successThreshold: 1}\ntargets:\n' "$interval"
    for i in $(seq "$targets"); do
        printf '  - {name: t%d, url: "http://127.0.0.1:%s/%s/mcp"}\n' "$i" "$port" "$mode"
    done
} >"$work/monitor.yaml"

"$target_dir/release/mcp-probe" serve --config "$work/monitor.yaml" --listen 127.0.0.1:0 \
    --concurrency "${CONCURRENCY:-64}" --log-format json >"$work/changes.jsonl" 2>"$work/serve.log" &
serve=$!
pids+=("$serve")
for _ in $(seq 600); do grep -q '"listening"' "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
addr="$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("fields", {}).get("message") == "listening":
        print(e["fields"]["address"]); break' "$work/serve.log")"
[ -n "$addr" ] || { say "serve did not start"; cat "$work/serve.log" >&2; exit 1; }

if [ -n "$flap" ]; then
    (while true; do
        curl -s -X POST "http://127.0.0.1:$port/switch/broken" >/dev/null; sleep 10
        curl -s -X POST "http://127.0.0.1:$port/switch/healthy" >/dev/null; sleep 10
    done) &
    pids+=($!)
fi

sample() {  # cpu-ticks rss-kib fds
    local stat
    stat="$(cut -d' ' -f14,15 "/proc/$serve/stat")"
    printf '%s %s %s\n' "$(( ${stat% *} + ${stat#* } ))" \
        "$(awk '/^VmRSS/ {print $2}' "/proc/$serve/status")" "$(find "/proc/$serve/fd" -mindepth 1 -maxdepth 1 | wc -l)"
}
warm="$(python3 -c 'import sys; from datetime import timedelta
v = sys.argv[1]; units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
for u in ("ms", "s", "m", "h"):
    if v.endswith(u) and v[:-len(u)].replace(".", "").isdigit(): print(float(v[:-len(u)]) * units[u]); break' "$interval")"
say "$targets targets every $interval; warming up for one interval ($warm s)"
sleep "$warm"
read -r ticks0 rss0 fds0 <<<"$(sample)"
started=$(date +%s.%N)
say "measuring for $seconds s"
sleep "$seconds"
read -r ticks1 rss1 fds1 <<<"$(sample)"
ended=$(date +%s.%N)
curl -s "http://$addr/metrics" >"$work/metrics.txt"
python3 - "$work/metrics.txt" "$ticks0" "$ticks1" "$started" "$ended" "$rss0" "$rss1" "$fds0" "$fds1" "$targets" "$interval" "$(getconf CLK_TCK)" "$work/changes.jsonl" <<'PY'
import sys
(metrics, t0, t1, s0, s1, rss0, rss1, fd0, fd1, n, interval, hz, changes) = sys.argv[1:]
buckets, probes = [], 0.0
for line in open(metrics):
    if line.startswith("mcp_probe_serve_scheduler_lag_seconds_bucket"):
        le = line.split('le="')[1].split('"')[0]
        buckets.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
    if line.startswith("mcp_probe_serve_probes_total"):
        probes += float(line.rsplit(" ", 1)[1])
total = buckets[-1][1] if buckets else 0
p99 = next((le for le, c in buckets if total and c >= 0.99 * total), float("nan"))
cpu = (int(t1) - int(t0)) / int(hz) / (float(s1) - float(s0))
flips = sum(1 for _ in open(changes))
print("| targets | interval | measured | serve CPU (share of one core) | RSS start → end | fds start → end | scheduler lag p99 ≤ | probes run | state changes |")
print("|---|---|---|---|---|---|---|---|---|")
print(f"| {n} | {interval} | {float(s1) - float(s0):.0f} s | {cpu * 100:.1f} % | {int(rss0) / 1024:.1f} → {int(rss1) / 1024:.1f} MB | {fd0} → {fd1} | {p99 * 1000:.0f} ms | {probes:.0f} | {flips} |")
PY
