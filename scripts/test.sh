#!/usr/bin/env bash
# Runs every test of mcp-probe, as CI does: formatting, lints, the Rust tests (fixtures and
# interop with real MCP servers), the Python package, the Node package and the examples.
# Installs what it needs first (interop peers, Python and Node build tools); idempotent.
#
#   scripts/test.sh            everything
#   scripts/test.sh rust       only formatting, lints and the Rust tests
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

what="${1:-all}"
# Each step names the disk space left, so that a build that runs out of it says so.
disk_free() { df -Ph . | awk 'NR == 2 { print $4 }'; }
step() { printf '\n==> %s  (%s free)\n' "$*" "$(disk_free)"; }
started=$SECONDS

# A build from scratch gains nothing from incremental compilation, whose caches took
# gigabytes; set CARGO_INCREMENTAL=1 to keep them between runs of this script.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# A run from a fresh clone fills about 8 GB; with less room than that, a build dies late with
# an unclear error (the linker's "Bus error" when the disk fills), so say it first.
free_kb="$(df -Pk . | awk 'NR == 2 { print $4 }')"
if [ "${free_kb:-0}" -lt $((10 * 1024 * 1024)) ]; then
    printf 'test.sh: warning: %s of disk free here; a run from a fresh clone needs about 8 GB\n' \
        "$(disk_free)" >&2
fi

step "interop peers (Python SDK, TypeScript reference server)"
interop/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "engine layering (no import cycle, no import upwards)"
python3 scripts/module-deps.py | grep -v -- ' -> '

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo doc (warnings are errors: broken links, unescaped HTML in doc comments)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "cargo test (unit, fixtures, interop, CLI, docs)"
cargo test --workspace --locked

step "MCP conformance suite (client: --suite all and both requirement sets, through the baseline)"
conformance/run.sh

if [ "$what" = all ]; then
    if [ -x bindings-python/run-tests.sh ]; then
        step "Python package"
        bindings-python/run-tests.sh
    fi
    if [ -x bindings-node/run-tests.sh ]; then
        step "Node package"
        bindings-node/run-tests.sh
    fi
    step "Kotlin and Swift bindings (UniFFI; tested through its Python generator)"
    bindings-uniffi/run-tests.sh
    # After both packages: the Python and Node examples use what their steps built.
    step "examples (Ansible, GitHub Actions, Terraform, Kubernetes, Helm, Prometheus, libraries)"
    examples/run-tests.sh
fi

printf '\nall tests passed in %ss (%s free)\n' "$((SECONDS - started))" "$(disk_free)"
