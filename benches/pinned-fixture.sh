# shellcheck shell=bash
# Sourced by the load benches: checks for taskset and two cores, builds the release CLI and
# fixture server, starts the fixture server pinned to core 1 (stopped on exit) and sets
# `target` (cargo's target directory) and `port` (the fixture server's). `$1` names the
# calling script in errors.
name="$1"
command -v taskset >/dev/null || { echo "$name: taskset (util-linux) is needed" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "$name: needs 2 cores (one for the server, one for the generator)" >&2; exit 1; }

# `ALLOCATOR=system` builds the CLI with the system's allocator instead of jemalloc.
features=()
[ "${ALLOCATOR:-jemalloc}" = system ] && features=(--no-default-features)
cargo build --quiet --release --locked -p mcp-probe-cli -p mcp-probe-testkit "${features[@]}"
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

ports="$(mktemp)"
taskset -c 1 "$target/release/mcp-probe-fixture" >"$ports" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -f "$ports"' EXIT
for _ in $(seq 100); do [ -s "$ports" ] && break; sleep 0.1; done
port="$(head -1 "$ports")"
[ -n "$port" ] || { echo "$name: the fixture server did not start" >&2; exit 1; }
