#!/usr/bin/env bash
# Runs every example that can run without a cluster, a cloud account or a container engine,
# against the bundled fixture server (mcp-probe-fixture):
#   github-actions  the action's scripts with GITHUB_OUTPUT/GITHUB_STEP_SUMMARY; action.yml and
#                   the workflow against their published schemas (check-jsonschema)
#   ansible         the collection's module (ansible-doc), the rolling playbook (healthy, broken),
#                   check mode
#   terraform       both configurations parsed (python-hcl2); the local-exec command and the
#                   check block's external program run
#   kubernetes, argocd, flux, helm
#                   manifests validated against the Kubernetes schemas (kubernetes-validate);
#                   the mcp-probe command lines in them run; serve configs checked
#   prometheus      promtool check config / check rules / test rules; the Grafana dashboard
#   docker          the Dockerfile's inputs exist (no image is built here)
#   rust, python, node  the library examples and the sample pytest suite
#   the scripts     run-tests.sh, install.sh and probe.sh through shellcheck
# Installs its Python tools into examples/.venv (examples/requirements.txt, pinned). Needs the
# Python package built into bindings-python/.venv (bindings-python/run-tests.sh) and the Node
# package built (bindings-node/run-tests.sh); promtool from interop/setup.sh. Idempotent.
#
#   examples/run-tests.sh             everything
#   examples/run-tests.sh ansible helm   only these sections (shellcheck github-actions ansible
#                                        terraform kubernetes argocd flux prometheus docker rust
#                                        python node helm)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
python="${PYTHON:-python3}"
kube_version=1.33.0
started=$SECONDS

say() { printf 'examples: %s\n' "$*"; }
fail() { printf 'examples: FAIL %s\n' "$*" >&2; exit 1; }
passed=0
pass() { passed=$((passed + 1)); printf 'examples: PASS %s\n' "$*"; }
section() { printf '\n==> examples/%s\n' "$1"; }
wanted() { [ "${#only[@]}" -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
only=("$@")

# --- tools ---------------------------------------------------------------------------------
# ansible-core 2.19 (requirements.txt) runs on Python 3.11 or newer.
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    fail "$python is $("$python" --version 2>&1); the examples' tools (ansible-core) need 3.11+ (set PYTHON=python3.11)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
    say "created examples/.venv with $("$venv/bin/python" --version 2>&1)"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --requirement "$here/requirements.txt"
    printf '%s\n' "$want" >"$stamp"
    say "installed examples/requirements.txt into examples/.venv"
fi
vpy="$venv/bin/python"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ next to the examples
ci() { "$vpy" "$here/ci/examples_ci.py" "$@"; }

target_dir="${CARGO_TARGET_DIR:-$repo/target}"
(cd "$repo" && cargo build --quiet --locked -p mcp-probe-cli -p mcp-probe-testkit)
cli="$target_dir/debug/mcp-probe"
fixture="$target_dir/debug/mcp-probe-fixture"
# For examples_ci.py, which has it mint workload JWTs (--workload-jwt).
export MCP_PROBE_FIXTURE_BIN="$fixture"
tmp="$(mktemp -d)"
cleanup() {
    if [ -n "${FIXTURE_PID:-}" ]; then kill "$FIXTURE_PID" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
# The examples call `mcp-probe` by name, as they would on a machine where it is installed.
mkdir "$tmp/bin"
ln -s "$cli" "$tmp/bin/mcp-probe"
export PATH="$tmp/bin:$PATH"

# The fixture server: its first line of stdout is the port (bounded wait); it exits when this
# script does (stdin closes) or on the trap's SIGTERM.
coproc FIXTURE { exec "$fixture" --exit-on-stdin-eof; }
port=""
read -r -t 30 port <&"${FIXTURE[0]}" || fail "the fixture server printed no port within 30 s"
[[ "$port" =~ ^[0-9]+$ ]] || fail "the fixture server printed '$port' instead of a port"
base="http://127.0.0.1:$port"
healthy="$base/json/mcp"
say "fixture server on $base"

# Runs a command that must fail; its output (stdout and stderr) is in $out, its status in $rc.
expect_failure() {
    rc=0
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -ne 0 ] || { printf '%s\n' "$out"; fail "expected a failure from: $*"; }
}
contains() { [[ "$1" == *"$2"* ]] || { printf '%s\n' "$1" | tail -n 30; fail "output lacks '$2'"; }; }

# --- shell scripts -------------------------------------------------------------------------------
if wanted shellcheck; then
    section shellcheck
    "$venv/bin/shellcheck" "$here/run-tests.sh" "$here"/github-actions/*.sh
    pass "shellcheck: run-tests.sh and the action's install.sh and probe.sh are clean"
fi

# --- GitHub Actions --------------------------------------------------------------------------
if wanted github-actions; then
    section github-actions
    gha="$here/github-actions"
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "$gha/action.yml" >/dev/null
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$gha"/workflows/*.yml >/dev/null
    pass "github-actions: action.yml and workflows/ valid against the published schemas"

    out_file="$tmp/gha-install.out"
    : >"$out_file"
    GITHUB_OUTPUT="$out_file" INPUT_INSTALL=path INPUT_BINARY=mcp-probe "$gha/install.sh" >/dev/null
    grep -qx 'binary=mcp-probe' "$out_file" || fail "install.sh wrote no binary output"
    pass "github-actions: install.sh (install: path) sets the binary output"

    run_action() { # URL OUTPUT-FILE SUMMARY-FILE [VAR=VALUE…]
        local url="$1" output="$2" summary="$3"
        shift 3
        : >"$output"
        : >"$summary"
        env GITHUB_OUTPUT="$output" GITHUB_STEP_SUMMARY="$summary" MCP_PROBE_BIN=mcp-probe \
            INPUT_URL="$url" INPUT_TOOL=add INPUT_ARGUMENTS='{"a":2,"b":3}' INPUT_EXPECT_TEXT=5 \
            INPUT_WAIT_UNTIL_READY=10s INPUT_TIMEOUT=5s INPUT_JUNIT_FILE="$tmp/junit.xml" \
            "$@" "$gha/probe.sh"
    }

    # The fixture's ready_after path answers 503 three times: the action waits it out.
    out="$(cd "$tmp" && run_action "$base/ready_after/mcp" "$tmp/gha.out" "$tmp/gha.md")"
    ci gh-outputs "$tmp/gha.out" ok=true failure-code= exit-code=0 junit-file="$tmp/junit.xml" >/dev/null
    "$vpy" -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().split("report<<",1)[1].split("\n")[1]); assert r["attempts"] >= 2, r["attempts"]' "$tmp/gha.out"
    "$vpy" -c 'import sys, xml.etree.ElementTree as E; s=E.parse(sys.argv[1]).getroot(); assert not list(s.iter("failure")) and list(s.iter("testcase"))' "$tmp/junit.xml"
    contains "$(cat "$tmp/gha.md")" "### mcp-probe check"
    contains "$(cat "$tmp/gha.md")" "JUnit report:"
    contains "$out" "OK"
    pass "github-actions: probe.sh, healthy after 503s: ok=true, several attempts, JUnit without failures, job summary"

    expect_failure run_action "$base/tool_is_error/mcp" "$tmp/gha.out" "$tmp/gha.md" INPUT_WAIT_UNTIL_READY=
    [ "$rc" -eq 9 ] || fail "probe.sh exited $rc for a failing tool, expected 9"
    contains "$out" "::error title=mcp-probe tool_error::"
    contains "$out" "database connection refused"
    ci gh-outputs "$tmp/gha.out" ok=false failure-code=tool_error exit-code=9 >/dev/null
    grep -q 'type="tool_error"' "$tmp/junit.xml" || fail "the JUnit report has no tool_error failure"
    contains "$(cat "$tmp/gha.md")" "tool_error"
    pass "github-actions: probe.sh, failing tool: exit 9, ::error annotation, failure-code=tool_error, JUnit failure"

    run_action "$base/bad_gateway/mcp" "$tmp/gha.out" "$tmp/gha.md" INPUT_WAIT_UNTIL_READY= \
        INPUT_FAIL_ON_ERROR=false >/dev/null
    ci gh-outputs "$tmp/gha.out" ok=false failure-code=http_status exit-code=6 >/dev/null
    pass "github-actions: probe.sh, HTTP 502 with fail-on-error false: step passes, ok=false, failure-code=http_status"

    out="$(run_action "$base/auth_ok/mcp" "$tmp/gha.out" "$tmp/gha.md" INPUT_WAIT_UNTIL_READY= INPUT_TOOL= \
        INPUT_ARGUMENTS= INPUT_EXPECT_TEXT= MCP_PROBE_ACTION_TOKEN=s3cr3t-token-value 2>&1)" ||
        { printf '%s\n' "$out"; fail "probe.sh with bearer-token failed against a protected server"; }
    if grep -q s3cr3t-token-value "$tmp/gha.out" "$tmp/gha.md" "$tmp/junit.xml"; then
        fail "the bearer token appears in the action's outputs"
    fi
    [[ "$out" != *"s3cr3t-token-value"* ]] || fail "the bearer token appears in the action's log"
    pass "github-actions: bearer-token reaches a protected server and never the log, outputs, summary or JUnit"
fi

# --- Ansible -----------------------------------------------------------------------------------
if wanted ansible; then
    section ansible
    pyb="$repo/bindings-python/.venv/bin/python"
    "$pyb" -c 'import mcp_probe' 2>/dev/null ||
        fail "mcp_probe is not installed in bindings-python/.venv: run bindings-python/run-tests.sh first"
    export ANSIBLE_HOME="$tmp/ansible-home" ANSIBLE_CONFIG="$here/ansible/ansible.cfg" \
        ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_DEPRECATION_WARNINGS=0
    playbook() { (cd "$here/ansible" && "$venv/bin/ansible-playbook" -e "ansible_python_interpreter=$pyb" "$@"); }

    doc="$(cd "$here/ansible" && "$venv/bin/ansible-doc" -t module mcp_probe.check.mcp_probe)"
    contains "$doc" "call_tool_in_check_mode"
    playbook --syntax-check rolling-deploy.yml >/dev/null
    playbook --syntax-check check-mode.yml >/dev/null
    ci ansible-module "$here/ansible/ansible_collections/mcp_probe/check/plugins/modules/mcp_probe.py"
    pass "ansible: the module's documentation renders (ansible-doc) and matches its argument spec; both playbooks pass --syntax-check"

    inventory() { # URL-1 URL-2 URL-3
        cat >"$tmp/hosts.yml" <<YAML
mcp_servers:
  vars: {ansible_connection: local}
  hosts:
    mcp-1: {mcp_url: "$1"}
    mcp-2: {mcp_url: "$2"}
    mcp-3: {mcp_url: "$3"}
YAML
    }
    inventory "$healthy" "$healthy" "$healthy"
    out="$(playbook -i "$tmp/hosts.yml" rolling-deploy.yml 2>&1)" || { printf '%s\n' "$out"; fail "the rolling playbook failed against healthy servers"; }
    contains "$out" "mcp-3 healthy: protocol"
    contains "$out" "mcp-3                      : ok=2"
    pass "ansible: rolling-deploy.yml against three healthy servers passes, one host at a time"

    inventory "$healthy" "$base/tool_is_error/mcp" "$healthy"
    expect_failure playbook -i "$tmp/hosts.yml" rolling-deploy.yml -e mcp_probe_wait=0
    contains "$out" "failed at tools/call (tool_error)"
    contains "$out" "database connection refused"
    contains "$out" "mcp-1                      : ok=2"
    [[ "$out" != *"mcp-3"* ]] || { printf '%s\n' "$out"; fail "the rollout went on to mcp-3 after mcp-2 failed"; }
    pass "ansible: a failing tool on mcp-2 fails the playbook with the probe's message; mcp-3 is never touched"

    out="$(playbook check-mode.yml --check -e "mcp_url=$base/tool_is_error/mcp" 2>&1)" ||
        { printf '%s\n' "$out"; fail "check mode called the tool"; }
    contains "$out" "ok=True skipped=tools/call"
    expect_failure playbook check-mode.yml --check -e "mcp_url=$base/bad_gateway/mcp"
    contains "$out" "(http_status)"
    pass "ansible: check mode leaves the tool call out and still fails on HTTP 502"

    adhoc() { (cd "$here/ansible" && "$venv/bin/ansible" localhost -e "ansible_python_interpreter=$pyb" \
        -m mcp_probe.check.mcp_probe "$@"); }
    out="$(adhoc -a "url=$base/auth_ok/mcp bearer_token=s3cr3t-token-value" 2>&1)" ||
        { printf '%s\n' "$out"; fail "the module with a bearer token failed against a protected server"; }
    [[ "$out" != *"s3cr3t-token-value"* ]] || fail "the bearer token appears in the module's output"
    expect_failure adhoc -a "url=$base/auth_ok/mcp"
    contains "$out" "(auth_required)"
    pass "ansible: bearer_token reaches a protected server and never the output; without it auth_required"
fi

# --- Terraform ---------------------------------------------------------------------------------
if wanted terraform; then
    section terraform
    tf="$here/terraform"
    # The local-exec command as Terraform would run it: /bin/sh -c COMMAND with the
    # provisioner's environment, the variables set as `terraform apply -var …` would set them.
    local_exec() { # MCP_URL WAIT
        local -a parts
        mapfile -d '' parts < <(ci tf-local-exec "$tf/null-resource/main.tf" \
            "mcp_url=$1" instance_id=i-0123456789abcdef0 "probe_wait=$2")
        local n=$((${#parts[@]} - 1))
        env "${parts[@]:0:n}" /bin/sh -c "${parts[n]}"
    }
    out="$(local_exec "$healthy" 120s 2>&1)" || { printf '%s\n' "$out"; fail "the local-exec command failed against a healthy server"; }
    contains "$out" "OK: healthy"
    expect_failure local_exec "$base/bad_gateway/mcp" 2s
    [ "$rc" -eq 6 ] || fail "the local-exec command exited $rc for HTTP 502, expected 6"
    contains "$out" "(http_status)"
    pass "terraform: null-resource/main.tf parses; its local-exec command exits 0 when healthy, 6 on HTTP 502 (after --wait-until-ready)"

    out="$(ci tf-check-block "$tf/check-block/main.tf" "mcp_url=$healthy")"
    contains "$out" '"assert": "pass"'
    out="$(ci tf-check-block "$tf/check-block/main.tf" "mcp_url=$base/tool_is_error/mcp")"
    contains "$out" '"assert": "fail"'
    contains "$out" '"failure_code": "tool_error"'
    contains "$out" "database connection refused"
    pass "terraform: check-block/main.tf parses; its external program passes the assertion when healthy, fails it with tool_error"
fi

# --- Kubernetes, Argo CD, Flux ------------------------------------------------------------------
# Runs the `mcp-probe check` command line of every Job/CronJob/Pod in FILES with its URLs
# replaced by the fixture's: healthy must pass, the first URL answering 502 must exit 6.
run_manifest_commands() {
    probe_commands="$(ci k8s-run-probes "$healthy" "$base/bad_gateway/mcp" 6 "$@")"
}

for folder in kubernetes argocd flux; do
    wanted "$folder" || continue
    section "$folder"
    mapfile -t files < <(find "$here/$folder" -name '*.yaml' | sort)
    out="$(ci k8s-validate "$kube_version" "${files[@]}")"
    printf '%s\n' "$out"
    pass "$folder: ${#files[@]} manifest files valid against Kubernetes $kube_version (custom resources: shape only)"
    run_manifest_commands "${files[@]}"
    pass "$folder: $probe_commands mcp-probe command line(s) of the manifests run: pass against the fixture, exit 6 on HTTP 502"
done
if wanted kubernetes; then
    ci serve-config "$here/kubernetes/sidecar.yaml" >/dev/null
    pass "kubernetes: the sidecar's monitor.yaml passes mcp-probe serve --check-config"
    ci serve-health "$here/kubernetes/sidecar.yaml" self "$healthy" "$base/bad_gateway/mcp" >/dev/null
    pass "kubernetes: serve with the sidecar's monitor.yaml: /health/self (the readiness probe) 200 when healthy, 503 on HTTP 502"
fi

# --- Prometheus ----------------------------------------------------------------------------------
if wanted prometheus; then
    section prometheus
    command -v promtool >/dev/null 2>&1 ||
        fail "promtool not found: run interop/setup.sh as root (Debian's prometheus package)"
    out="$(cd "$here/prometheus" && promtool check config prometheus.yml 2>&1)" ||
        { printf '%s\n' "$out"; fail "promtool check config failed"; }
    (cd "$here/prometheus" && promtool check rules alerts.yml >/dev/null)
    out="$(cd "$here/prometheus" && promtool test rules alerts_test.yml 2>&1)" ||
        { printf '%s\n' "$out"; fail "promtool test rules failed"; }
    pass "prometheus: promtool check config (scrape configs), check rules and test rules (alerts_test.yml) pass"

    ci grafana "$here/prometheus/grafana-dashboard.json" "$tmp/dashboard-rules.yml"
    promtool check rules "$tmp/dashboard-rules.yml" >/dev/null
    # The metrics the dashboard and the alerts query are the ones mcp-probe writes.
    "$cli" check "$healthy" --tool add --args '{"a":2,"b":3}' --quiet --output "prometheus:$tmp/probe.prom"
    promtool check metrics <"$tmp/probe.prom" >/dev/null 2>&1 || promtool check metrics <"$tmp/probe.prom"
    for metric in mcp_probe_success mcp_probe_duration_seconds mcp_probe_step_duration_seconds \
        mcp_probe_phase_duration_seconds mcp_probe_tools mcp_probe_protocol_info; do
        grep -q "^$metric{" "$tmp/probe.prom" || fail "mcp-probe wrote no $metric"
    done
    pass "prometheus: the Grafana dashboard parses, its queries are valid PromQL, the metrics it uses are what mcp-probe writes"
fi

# --- Docker --------------------------------------------------------------------------------------
if wanted docker; then
    section docker
    dockerfile="$here/docker/Dockerfile"
    grep -q '^FROM .* AS build' "$dockerfile" || fail "the Dockerfile has no build stage"
    # Every path the build stage copies from the repository exists.
    while read -r src; do
        [ -e "$repo/$src" ] || fail "the Dockerfile copies $src, which does not exist"
    done < <(sed -n 's/^COPY \([^-][^ ]*\) .*/\1/p' "$dockerfile")
    # Cargo needs every workspace member present to build any of them.
    for member in $(python3 -c 'import re,sys; print(" ".join(re.findall(r"\"([^\"]+)\"", re.search(r"members = \[(.*?)\]", open(sys.argv[1]).read(), re.S).group(1))))' "$repo/Cargo.toml"); do
        grep -q "^COPY $member " "$dockerfile" || fail "the Dockerfile does not copy the workspace member $member"
    done
    pass "docker: the Dockerfile's stages, the repository paths it copies and every workspace member exist (no image is built here)"
fi

# --- Rust, Python, Node libraries ----------------------------------------------------------------
# Each example: the gate passes and the fleet line is OK against a healthy server (exit 0); with
# a broken server in the fleet it names the failure and exits 1.
check_language_example() { # NAME COMMAND…
    local name="$1"
    shift
    out="$("$@" "$healthy" 2>&1)" || { printf '%s\n' "$out"; fail "$name example failed against a healthy server"; }
    contains "$out" "gate: OK"
    contains "$out" "tools/call"
    expect_failure "$@" "$healthy" "$base/bad_gateway/mcp"
    [ "$rc" -eq 1 ] || fail "$name example exited $rc with a broken server, expected 1"
    contains "$out" "at handshake (http_status)"
}

if wanted rust; then
    section rust
    # Its own lockfile (not a workspace member); the repository's target directory, so the
    # dependencies built for the workspace are reused.
    (cd "$here/rust" && CARGO_TARGET_DIR="$target_dir" cargo build --quiet --locked)
    check_language_example rust "$target_dir/debug/mcp-probe-rust-example"
    pass "rust: examples/rust builds (--locked) and runs: gate with a tool call, fleet with a broken server → exit 1"
fi

if wanted python; then
    section python
    pyb="$repo/bindings-python/.venv/bin/python"
    "$pyb" -c 'import mcp_probe' 2>/dev/null ||
        fail "mcp_probe is not installed in bindings-python/.venv: run bindings-python/run-tests.sh first"
    check_language_example python "$pyb" "$here/python/check_server.py"
    pass "python: check_server.py runs: gate with a tool call, asyncio fleet with a broken server → exit 1"
    out="$(cd "$here/python" && MCP_PROBE_FIXTURE_BIN="$fixture" "$pyb" -m pytest -p no:cacheprovider -q tests 2>&1)" ||
        { printf '%s\n' "$out"; fail "the sample pytest suite failed"; }
    contains "$out" "5 passed"
    pass "python: the sample pytest suite (mcp_probe plugin fixture and marker): 5 passed"
fi

if wanted node; then
    section node
    node_pkg="$repo/bindings-node"
    compgen -G "$node_pkg/*.node" >/dev/null ||
        fail "the Node addon is not built: run bindings-node/run-tests.sh first"
    export MCP_PROBE_PACKAGE="$node_pkg"
    check_language_example node node "$here/node/check.mjs"
    pass "node: check.mjs runs against bindings-node: gate with a tool call, fleet with a broken server → exit 1"
fi

# --- Helm ----------------------------------------------------------------------------------------
# `helm` is not available from the registries CI uses: ci/helm_template.py renders the charts
# (the subset of Helm's template language they use; anything else is an error), and the
# rendered objects are validated and their probe command run. Not checked: helm lint, helm
# install/test on a cluster.
if wanted helm; then
    section helm
    render() { "$vpy" "$here/ci/helm_template.py" "$@"; }
    render "$here/helm/mcp-server" >"$tmp/mcp-server.yaml"
    render "$here/helm/mcp-server" --set-json ingress.enabled=false >"$tmp/mcp-server-no-ingress.yaml"
    render "$here/helm/mcp-probe-exporter" >"$tmp/exporter.yaml"
    render "$here/helm/mcp-probe-exporter" --set-json serviceMonitor.enabled=true \
        --set-json 'podAnnotations={"prometheus.io/scrape":"true"}' \
        --set-json 'extraEnv=[{"name":"MCP_TOKEN","valueFrom":{"secretKeyRef":{"name":"mcp-token","key":"token"}}}]' \
        >"$tmp/exporter-all.yaml"
    grep -q 'helm.sh/hook: test' "$tmp/mcp-server.yaml" || fail "the mcp-server chart renders no test hook"
    grep -q 'kind: ServiceMonitor' "$tmp/exporter-all.yaml" || fail "serviceMonitor.enabled renders no ServiceMonitor"
    ci k8s-validate "$kube_version" "$tmp/mcp-server.yaml" "$tmp/mcp-server-no-ingress.yaml" \
        "$tmp/exporter.yaml" "$tmp/exporter-all.yaml"
    pass "helm: both charts render (default values and every option) into objects valid against Kubernetes $kube_version"

    out="$(ci k8s-probe-commands "$tmp/mcp-server.yaml")"
    contains "$out" "http://release-mcp-server.default.svc:8080/mcp https://mcp.example.com/mcp"
    out="$(ci k8s-probe-commands "$tmp/mcp-server-no-ingress.yaml")"
    [[ "$out" != *"https://"* ]] || fail "with ingress.enabled=false the test hook still probes the Ingress"
    run_manifest_commands "$tmp/mcp-server.yaml"
    pass "helm: the test hook probes the Service and the Ingress URL; its command passes against the fixture, exits 6 on HTTP 502"
    ci serve-config "$tmp/exporter.yaml" >/dev/null
    pass "helm: mcp-probe-exporter's ConfigMap holds a config that passes mcp-probe serve --check-config"
fi

printf '\nexamples: all %d checks passed in %ss\n' "$passed" "$((SECONDS - started))"
