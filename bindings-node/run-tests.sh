#!/usr/bin/env bash
# Builds the Node package and runs its tests: check that the committed report.d.ts is what
# docs/report.schema.json generates, install, release build (the test-release profile), check that the committed
# index.js / index.d.ts are what the build generates, then `node --test`.
# Needs Node.js 20+ with npm and a Rust toolchain; reaches only the npm registry and crates.io.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

say() { printf 'bindings-node/run-tests.sh: %s\n' "$*"; }
fail() { printf 'bindings-node/run-tests.sh: error: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || fail "node not found (Node.js 20 or newer is needed)"
command -v npm >/dev/null 2>&1 || fail "npm not found"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is needed, found $(node --version)"

# The npm package and the crates are versioned in lockstep.
crate_version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
package_version="$(node -p 'require("./package.json").version')"
[ "$crate_version" = "$package_version" ] ||
    fail "package.json version $package_version differs from the workspace version $crate_version"

# The report's declarations are generated from the schema (which the engine's types generate).
command -v python3 >/dev/null 2>&1 || fail "python3 not found (it checks the generated report.d.ts)"
python3 "$root/scripts/gen_report_types.py" --check ||
    fail "report.d.ts is stale: run 'python3 scripts/gen_report_types.py' and commit it"

# `npm ci`: exactly the build tools the committed lockfile pins (it lists the napi CLI's
# optional packages for every platform, so it installs the same tree on any machine and never
# depends on what the registry resolves today). Skipped when node_modules already holds what
# this lockfile says.
stamp="node_modules/.mcp-probe-lock.sha256"
want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "installing the build tools (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    printf '%s\n' "$want" >"$stamp"
else
    say "node_modules is up to date"
fi

# The `test-release` profile: release optimisation with thin LTO (quicker to build than the
# whole-program `release` a published package gets).
say "building the addon (test-release)"
npm run --silent build:test

# The generated loader and declarations are committed; building must not change them.
generated=(bindings-node/index.d.ts bindings-node/index.js bindings-node/report.d.ts)
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git -C "$root" diff --exit-code -- "${generated[@]}"; then
        fail "index.d.ts / index.js changed: run 'npm ci && npm run build' in bindings-node and commit them"
    fi
    untracked="$(git -C "$root" ls-files --others --exclude-standard -- "${generated[@]}")"
    [ -z "$untracked" ] || fail "not committed: $untracked"
fi

say "building the fixture server and the CLI the tests run"
(cd "$root" && cargo build --quiet -p mcp-probe-testkit -p mcp-probe-cli)

say "running the tests"
node --test __test__/*.test.mjs
