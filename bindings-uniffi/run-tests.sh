#!/usr/bin/env bash
# Builds libmcp_probe_uniffi and the UniFFI generator, checks that the committed Kotlin and
# Swift sources (generated/) are what the library generates now, then generates the Python
# sources and runs tests/test_bindings.py against the fixture server.
#
#   bindings-uniffi/run-tests.sh              check and test
#   bindings-uniffi/run-tests.sh --update     regenerate generated/ instead of checking it
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-python3}"
say() { printf 'bindings-uniffi: %s\n' "$*"; }

cd "$repo"
cargo build --quiet --locked -p mcp-probe-uniffi -p mcp-probe-testkit
cargo build --quiet --locked -p mcp-probe-uniffi --features bindgen --bin uniffi-bindgen
target="$(cargo metadata --format-version 1 --no-deps | "$python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
library="$target/debug/libmcp_probe_uniffi.so"
bindgen="$target/debug/uniffi-bindgen"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
generate() { "$bindgen" generate --no-format --library "$library" --language "$1" --out-dir "$2" >/dev/null; }

generate kotlin "$work/generated/kotlin"
generate swift "$work/generated/swift"
if [ "${1:-}" = --update ]; then
    rm -rf "$here/generated/kotlin" "$here/generated/swift"
    mkdir -p "$here/generated"
    cp -R "$work/generated/kotlin" "$work/generated/swift" "$here/generated/"
    say "regenerated bindings-uniffi/generated/"
elif ! diff -r "$here/generated/kotlin" "$work/generated/kotlin" >/dev/null \
    || ! diff -r "$here/generated/swift" "$work/generated/swift" >/dev/null; then
    diff -r "$here/generated" "$work/generated" | head -40 >&2 || true
    say "error: generated/ is stale: run bindings-uniffi/run-tests.sh --update and commit it" >&2
    exit 1
else
    say "generated/ (Kotlin, Swift) is up to date"
fi

generate python "$work/python"
cp "$library" "$work/python/"
say "running the bindings' tests (UniFFI's Python generator)"
MCP_PROBE_FIXTURE_BIN="$target/debug/mcp-probe-fixture" PYTHONPATH="$work/python" \
    "$python" -m unittest -v "$here/tests/test_bindings.py" 2>&1
