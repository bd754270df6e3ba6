#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS_PER_TARGET seconds each, one after the
# other, on one core: seeds from fuzz/seeds/<target>/ and fuzz/regressions/<target>/ are copied
# into fuzz/corpus/<target>/ first. Prints per target the executions done and whether it
# crashed; exits non-zero if any target crashed (the input is left in fuzz/artifacts/<target>/).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default: 30 s, every target
#
# Environment:
#   FUZZ_RUNS=N     stop a target after N executions instead (SECONDS_PER_TARGET stays the cap)
#   FUZZ_ARGS=...   more libFuzzer options (e.g. "-seed=1")
#
# Needs the nightly toolchain and cargo-fuzz; installs neither (it says how).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

seconds="${1:-30}"
shift || true
all=(sse_parser jsonrpc_answer www_authenticate scenario_json scenario_yaml legacy_endpoint text_report scrub token_response)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi

# Longest input per target: enough for what each parser meets, small enough to stay fast.
max_len() {
    case "$1" in
        text_report) echo 16384 ;;
        scenario_json | scenario_yaml | jsonrpc_answer | token_response) echo 4096 ;;
        sse_parser | www_authenticate) echo 2048 ;;
        legacy_endpoint | scrub) echo 512 ;;
        *) echo 4096 ;;
    esac
}

missing=0
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz/run.sh needs the nightly toolchain: rustup toolchain install nightly" >&2
    missing=1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh needs cargo-fuzz: cargo install cargo-fuzz --locked" >&2
    missing=1
fi
[ "$missing" = 0 ] || exit 2

# No sanitizer: the workspace forbids unsafe code, so a bug shows as a panic or an assertion,
# which libFuzzer catches without one (and runs about twice as fast). Debug assertions and
# overflow checks are on.
build_flags=(--sanitizer none --debug-assertions)
echo "==> cargo +nightly fuzz build ${build_flags[*]}"
cargo +nightly fuzz build "${build_flags[@]}" 2>&1 | tail -n 3

mkdir -p logs
failed=0
summary=()
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus" "artifacts/$target"
    for dir in "seeds/$target" "regressions/$target"; do
        if [ -d "$dir" ]; then cp -n "$dir"/* "$corpus"/ 2>/dev/null || true; fi
    done
    args=(-max_len="$(max_len "$target")" -max_total_time="$seconds" -print_final_stats=1
        -timeout=10 -rss_limit_mb=2048)
    if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); fi
    # shellcheck disable=SC2206
    if [ -n "${FUZZ_ARGS:-}" ]; then args+=($FUZZ_ARGS); fi
    log="logs/$target.log"
    echo "==> $target (${args[*]})"
    started=$SECONDS
    status=0
    cargo +nightly fuzz run "${build_flags[@]}" "$target" "$corpus" -- "${args[@]}" >"$log" 2>&1 || status=$?
    took=$((SECONDS - started))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
    if [ "$status" -ne 0 ]; then
        failed=1
        verdict="CRASHED (exit $status; see fuzz/$log and fuzz/artifacts/$target/)"
        grep -m 3 -E 'panicked at|ERROR: libFuzzer|Test unit written' "$log" || true
    else
        verdict="ok"
    fi
    summary+=("$(printf '%-18s %12s execs %6ss  %s' "$target" "${execs:-?}" "$took" "$verdict")")
done

echo
echo "target              executions   time  result"
printf '%s\n' "${summary[@]}"
exit "$failed"
