#!/usr/bin/env bash
# The probe step of the mcp-probe composite action (action.yml), runnable on its own:
#
#   INPUT_URL=https://mcp.example.com/mcp GITHUB_OUTPUT=out.txt GITHUB_STEP_SUMMARY=summary.md \
#       examples/github-actions/probe.sh
#
# Runs `mcp-probe check` with --format github (annotations on the run, the job summary table)
# and --output junit:FILE, then writes the outputs ok, failure-code, exit-code, report and
# junit-file to $GITHUB_OUTPUT. Exits with mcp-probe's exit code unless INPUT_FAIL_ON_ERROR is
# "false". Needs python3 or jq to read the report.
set -euo pipefail

bin="${MCP_PROBE_BIN:-mcp-probe}"
url="${INPUT_URL:?INPUT_URL (the action input url) is required}"
junit="${INPUT_JUNIT_FILE:-mcp-probe-junit.xml}"
out="${GITHUB_OUTPUT:-/dev/null}"
summary="${GITHUB_STEP_SUMMARY:-}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
report="$work/report.json"

args=(check "$url" --format github --output "junit:$junit" --output "json:$report")
[ -n "${INPUT_TOOL:-}" ] && args+=(--tool "$INPUT_TOOL")
[ -n "${INPUT_ARGUMENTS:-}" ] && args+=(--args "$INPUT_ARGUMENTS")
[ -n "${INPUT_EXPECT_TEXT:-}" ] && args+=(--expect-text "$INPUT_EXPECT_TEXT")
[ -n "${INPUT_SCENARIO:-}" ] && args+=(--scenario "$INPUT_SCENARIO")
[ -n "${INPUT_WAIT_UNTIL_READY:-}" ] && args+=(--wait-until-ready "$INPUT_WAIT_UNTIL_READY")
[ -n "${INPUT_TIMEOUT:-}" ] && args+=(--timeout "$INPUT_TIMEOUT")
[ -n "${MCP_PROBE_ACTION_TOKEN:-}" ] && args+=(--bearer-env MCP_PROBE_ACTION_TOKEN)
if [ -n "${INPUT_EXTRA_ARGS:-}" ]; then
    read -r -a extra <<<"$INPUT_EXTRA_ARGS"
    args+=("${extra[@]}")
fi

code=0
"$bin" "${args[@]}" || code=$?

# One line of JSON, and the fields the outputs need. Exit codes 1 and 2 (mcp-probe itself or a
# usage error) leave no report.
read_report() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$report" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    report = json.load(f)
failure = report.get("failure") or {}
print("true" if report.get("ok") else "false")
print(failure.get("code", ""))
print(json.dumps(report, separators=(",", ":"), ensure_ascii=True))
PY
    else
        jq -r '(if .ok then "true" else "false" end), (.failure.code // ""), (. | tojson)' "$report"
    fi
}
ok=false
failure_code=""
report_line="{}"
if [ -s "$report" ]; then
    { read -r ok; read -r failure_code; read -r report_line; } < <(read_report)
elif [ "$code" -ne 0 ]; then
    failure_code="usage"
    [ "$code" -eq 1 ] && failure_code="internal"
fi

delimiter="mcp_probe_report_$RANDOM$RANDOM"
{
    printf 'ok=%s\n' "$ok"
    printf 'failure-code=%s\n' "$failure_code"
    printf 'exit-code=%s\n' "$code"
    printf 'junit-file=%s\n' "$junit"
    printf 'report<<%s\n%s\n%s\n' "$delimiter" "$report_line" "$delimiter"
} >>"$out"

# mcp-probe appended the step table to the job summary; say where the JUnit report is.
if [ -n "$summary" ]; then
    # shellcheck disable=SC2016 # Markdown backticks, not a command substitution
    printf 'JUnit report: `%s` · exit code %s\n\n' "$junit" "$code" >>"$summary"
fi

if [ "$code" -ne 0 ] && [ "${INPUT_FAIL_ON_ERROR:-true}" != "false" ]; then
    exit "$code"
fi
exit 0
