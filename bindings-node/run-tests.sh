#!/usr/bin/env bash
# Builds the Node package and runs its tests: install, release build, check that the committed
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

# `npm install`, not `npm ci`: the lockfile lists the build tool's optional packages for this
# platform only where the registry serves no others, and `npm ci` refuses such a lockfile. The
# freshness check below still fails if the install changed the lockfile.
say "installing the build tools (npm install)"
npm install --no-audit --no-fund --loglevel=error

say "building the addon (release)"
npm run --silent build

# The generated loader and declarations and the lockfile are committed; installing and building
# must not change them.
generated=(bindings-node/index.d.ts bindings-node/index.js bindings-node/package-lock.json)
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    if ! git -C "$root" diff --exit-code -- "${generated[@]}"; then
        fail "index.d.ts / index.js / package-lock.json changed: run 'npm install && npm run build' in bindings-node and commit them"
    fi
    untracked="$(git -C "$root" ls-files --others --exclude-standard -- "${generated[@]}")"
    [ -z "$untracked" ] || fail "not committed: $untracked"
fi

say "building the fixture server and the CLI the tests run"
(cd "$root" && cargo build --quiet -p mcp-probe-testkit -p mcp-probe-cli)

say "running the tests"
node --test __test__/*.test.mjs
