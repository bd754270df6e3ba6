#!/usr/bin/env bash
# Installs the third-party MCP servers that mcp-probe's interop tests run against:
#   interop/.venv              the Python SDK (python/requirements.txt)
#   interop/node/node_modules  @modelcontextprotocol/server-everything (node/package-lock.json)
# and the real consumers of mcp-probe's outputs that the tests feed:
#   junitparser                into interop/.venv (python/requirements.txt)
#   promtool, prometheus       Debian's `prometheus` package, pinned (needs root and apt-get)
# Idempotent: a step whose inputs did not change since the last run is skipped.
# Needs python3 (3.10+, with venv) and node 20+ with npm; reaches PyPI, npm and Debian.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

say() { printf 'interop/setup.sh: %s\n' "$*"; }
fail() { printf 'interop/setup.sh: error: %s\n' "$*" >&2; exit 1; }
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- Python SDK server -------------------------------------------------------
command -v "$python" >/dev/null 2>&1 || fail "$python not found (set PYTHON=/path/to/python3)"
venv="$here/.venv"
requirements="$here/python/requirements.txt"
py_stamp="$venv/.interop-requirements.sha256"

if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            say "python venv support missing; installing python3-venv with apt-get"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            "$python" -m venv "$venv" || fail "cannot create $venv"
        else
            fail "'$python -m venv' failed: install your distribution's python3-venv package"
        fi
    fi
    say "created interop/.venv with $("$venv/bin/python" --version 2>&1)"
fi

want="$(digest "$requirements")"
if [ "$(cat "$py_stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --requirement "$requirements"
    printf '%s\n' "$want" >"$py_stamp"
    say "installed $("$venv/bin/python" -m pip show mcp 2>/dev/null | sed -n 's/^Version: /mcp /p') into interop/.venv"
else
    say "interop/.venv is up to date"
fi

# --- TypeScript reference server ---------------------------------------------
command -v node >/dev/null 2>&1 || fail "node not found (Node.js 20 or newer is needed)"
command -v npm >/dev/null 2>&1 || fail "npm not found (install npm next to Node.js)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "Node.js 20 or newer is needed, found $(node --version)"

node_dir="$here/node"
modules="$node_dir/node_modules"
node_stamp="$modules/.interop-lock.sha256"
if [ -f "$node_dir/package-lock.json" ]; then
    want="$(digest "$node_dir/package.json" "$node_dir/package-lock.json")"
else
    want="$(digest "$node_dir/package.json")"
fi
if [ "$(cat "$node_stamp" 2>/dev/null || true)" != "$want" ]; then
    if [ -f "$node_dir/package-lock.json" ]; then
        (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    else
        (cd "$node_dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
        want="$(digest "$node_dir/package.json" "$node_dir/package-lock.json")"
    fi
    printf '%s\n' "$want" >"$node_stamp"
    version="$(cd "$node_dir" && node -p 'require("./node_modules/@modelcontextprotocol/server-everything/package.json").version')"
    say "installed @modelcontextprotocol/server-everything $version into interop/node/node_modules (node $(node --version))"
else
    say "interop/node/node_modules is up to date"
fi

# --- Prometheus (promtool checks the exposition; serve is scraped by a real server) ---
# Debian bookworm's package, pinned. Without root or apt-get the step is skipped and the
# tests that need promtool say how to install it.
prometheus_version="2.42.0+ds-5+b6"
installed="$(dpkg-query -W -f='${Version}' prometheus 2>/dev/null || true)"
if [ "$installed" = "$prometheus_version" ]; then
    say "prometheus $installed is installed"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    install_prometheus() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "prometheus=$prometheus_version" >/dev/null 2>&1
    }
    if ! install_prometheus; then
        apt-get update -qq >/dev/null
        install_prometheus || fail "cannot install prometheus=$prometheus_version with apt-get"
    fi
    # The package enables a service; the tests start their own Prometheus on loopback.
    say "installed prometheus $prometheus_version (promtool $(promtool --version 2>&1 | sed -n 's/^promtool, version \([^ ]*\).*/\1/p'))"
else
    say "warning: promtool missing; install Debian's prometheus=$prometheus_version (the output tests need it)"
fi
