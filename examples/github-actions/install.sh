#!/usr/bin/env bash
# The install step of the mcp-probe composite action (action.yml). Writes the path of the
# binary to run as the step output `binary`.
#
#   INPUT_INSTALL=cargo    cargo install from the repository at INPUT_VERSION (a tag, or main)
#   INPUT_INSTALL=release  download the static Linux binary of release INPUT_VERSION
#   INPUT_INSTALL=path     use INPUT_BINARY as it is (a binary built earlier in the job)
set -euo pipefail

repo_url="https://github.com/mcp-probe/mcp-probe"
version="${INPUT_VERSION:-main}"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mcp-probe-bin"
mkdir -p "$dest"

case "${INPUT_INSTALL:-cargo}" in
cargo)
    ref=(--branch "$version")
    case "$version" in v[0-9]*) ref=(--tag "$version") ;; esac
    cargo install --locked --root "$dest" --git "$repo_url" "${ref[@]}" mcp-probe-cli
    binary="$dest/bin/mcp-probe"
    ;;
release)
    case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) triple=x86_64-unknown-linux-musl ;;
    Linux-aarch64) triple=aarch64-unknown-linux-musl ;;
    *) echo "::error::no released mcp-probe binary for $(uname -s)-$(uname -m); use install: cargo" >&2; exit 1 ;;
    esac
    asset="mcp-probe-$version-$triple.tar.gz"
    curl --fail --silent --show-error --location --retry 3 \
        --output "$dest/$asset" "$repo_url/releases/download/$version/$asset"
    curl --fail --silent --show-error --location --retry 3 \
        --output "$dest/$asset.sha256" "$repo_url/releases/download/$version/$asset.sha256"
    (cd "$dest" && sha256sum --check --status "$asset.sha256")
    tar -xzf "$dest/$asset" -C "$dest"
    binary="$dest/mcp-probe"
    ;;
path)
    binary="${INPUT_BINARY:-mcp-probe}"
    ;;
*)
    echo "::error::install must be cargo, release or path, not '${INPUT_INSTALL}'" >&2
    exit 2
    ;;
esac

"$binary" --version
printf 'binary=%s\n' "$binary" >>"${GITHUB_OUTPUT:-/dev/null}"
