#!/usr/bin/env python3
"""Checks behind ``examples/run-tests.sh`` that are easier in Python than in shell.

Each subcommand prints what it checked and exits non-zero with a reason on the first problem::

    examples_ci.py gh-outputs FILE KEY=VALUE...      the action's $GITHUB_OUTPUT holds these values
    examples_ci.py tf-local-exec MAIN.TF VAR=VALUE... print the local-exec command and environment
    examples_ci.py tf-check-block MAIN.TF VAR=VALUE...  run the check block's external program
    examples_ci.py ansible-module MODULE.PY           its DOCUMENTATION matches its ARGUMENT_SPEC
    examples_ci.py k8s-validate VERSION FILE...       validate manifests against the Kubernetes schemas
    examples_ci.py k8s-probe-commands FILE...         print the mcp-probe command lines of the Jobs
    examples_ci.py k8s-run-probes OK BROKEN CODE FILE...  run them: pass against OK, exit CODE with BROKEN
    examples_ci.py grafana DASHBOARD RULES_OUT        check the dashboard; its queries as recording rules
    examples_ci.py serve-config FILE...               check `mcp-probe serve` configs (and with serve --check-config)
    examples_ci.py serve-health FILE TARGET OK BROKEN run serve with FILE's config: TARGET's /health is
                                                      200 with its URLs at OK, 503 with them at BROKEN
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import yaml


def fail(message: str) -> None:
    """Stops with an error message."""
    sys.stderr.write("examples_ci: error: %s\n" % message)
    sys.exit(1)


def assignments(pairs: List[str]) -> Dict[str, str]:
    """``KEY=VALUE`` arguments as a dict."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            fail("expected KEY=VALUE, got %r" % pair)
        out[key] = value
    return out


# --- GitHub Actions -----------------------------------------------------------------------

def github_outputs(path: str) -> Dict[str, str]:
    """Parses a $GITHUB_OUTPUT file (``name=value`` and ``name<<DELIMITER`` blocks)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    out: Dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                fail("%s: no closing delimiter %r for %s" % (path, delimiter, name))
            out[name] = "\n".join(body)
        elif line:
            name, _, value = line.partition("=")
            out[name] = value
        i += 1
    return out


def cmd_gh_outputs(args: List[str]) -> None:
    """Asserts the outputs; ``report`` is also parsed and its ``ok`` compared with ``ok``."""
    outputs = github_outputs(args[0])
    for key, want in assignments(args[1:]).items():
        got = outputs.get(key)
        if got != want:
            fail("output %s is %r, expected %r (all: %s)" % (key, got, want, sorted(outputs)))
    report = json.loads(outputs["report"])
    if ("true" if report["ok"] else "false") != outputs["ok"]:
        fail("the report's ok disagrees with the output ok")
    if "\n" in outputs["report"]:
        fail("the report output is not one line")
    print("outputs: %s" % ", ".join("%s=%s" % (k, v[:40]) for k, v in sorted(outputs.items())))


# --- Terraform ----------------------------------------------------------------------------

def hcl_load(path: str) -> Dict[str, Any]:
    """Parses a .tf file with python-hcl2."""
    import hcl2

    with open(path, encoding="utf-8") as f:
        return hcl2.load(f)


def unquote(name: str) -> str:
    """A block label or string as python-hcl2 8 keeps it (with its quotes) without them."""
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


class HclValues:
    """Evaluates the few expressions the examples use: string literals, ``var.X``, ``path.module``."""

    def __init__(self, doc: Dict[str, Any], module_dir: str, overrides: Dict[str, str]) -> None:
        self.vars: Dict[str, Any] = {}
        for block in doc.get("variable", []):
            for name, body in block.items():
                if "default" in body:
                    self.vars[unquote(name)] = self.value(body["default"])
        self.vars.update(overrides)
        self.module_dir = module_dir

    def expression(self, expr: str) -> str:
        expr = expr.strip()
        if expr.startswith("var."):
            name = expr[4:]
            if name not in self.vars:
                fail("variable %s has no value (give it as %s=VALUE)" % (name, name))
            return str(self.vars[name])
        if expr == "path.module":
            return self.module_dir
        fail("cannot evaluate the expression ${%s}" % expr)
        return ""

    def interpolate(self, text: str) -> str:
        return re.sub(r"\$\{([^}]*)\}", lambda m: self.expression(m.group(1)), text)

    def value(self, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {k: self.value(v) for k, v in raw.items() if not k.startswith("__")}
        if isinstance(raw, list):
            return [self.value(v) for v in raw]
        if not isinstance(raw, str):
            return raw
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            return self.interpolate(json.loads(raw))
        if raw.startswith("${") and raw.endswith("}"):
            return self.expression(raw[2:-1])
        return raw


def cmd_tf_local_exec(args: List[str]) -> None:
    """Prints ``NAME=VALUE`` lines of the environment, then the command, NUL-separated."""
    path, overrides = args[0], assignments(args[1:])
    doc = hcl_load(path)
    values = HclValues(doc, str(Path(path).parent), overrides)
    found = []
    for block in doc.get("resource", []):
        for rtype, named in block.items():
            for rname, body in named.items():
                triggers = body.get("triggers", {})
                for prov in body.get("provisioner", []):
                    for ptype, pbody in prov.items():
                        if unquote(ptype) == "local-exec":
                            found.append((unquote(rtype), unquote(rname), triggers, pbody))
    if len(found) != 1:
        fail("%s: expected one local-exec provisioner, found %d" % (path, len(found)))
    rtype, rname, triggers, local = found[0]
    if rtype != "null_resource" or "instance_id" not in triggers:
        fail("%s: expected a null_resource with an instance_id trigger" % path)
    env = values.value(local.get("environment", {}))
    command = values.value(local["command"])
    if "mcp-probe check" not in command or "--wait-until-ready" not in command:
        fail("%s: the command does not run mcp-probe check --wait-until-ready" % path)
    sys.stdout.write("\0".join(["%s=%s" % kv for kv in sorted(env.items())] + [command]))


def cmd_tf_check_block(args: List[str]) -> None:
    """Runs the check block's external program; prints its result; the assertion's verdict."""
    path, overrides = args[0], assignments(args[1:])
    doc = hcl_load(path)
    values = HclValues(doc, str(Path(path).parent), overrides)
    checks = [(unquote(n), b) for block in doc.get("check", []) for n, b in block.items()]
    if len(checks) != 1:
        fail("%s: expected one check block" % path)
    name, body = checks[0]
    data = body["data"][0]['"external"']
    (_, source), = [(k, v) for k, v in data.items() if not k.startswith("__")]
    program = values.value(source["program"])
    query = values.value(source["query"])
    condition = body["assert"][0]["condition"]
    if condition != '${data.external.mcp_probe.result.ok == "true"}':
        fail("%s: unexpected condition %s" % (path, condition))
    done = subprocess.run(program, input=json.dumps(query), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        fail("the external program exited %d: %s" % (done.returncode, done.stderr))
    result = json.loads(done.stdout)
    if not all(isinstance(v, str) for v in result.values()):
        fail("the external program's result has non-string values: %s" % result)
    verdict = "pass" if result["ok"] == "true" else "fail"
    print(json.dumps({"check": name, "assert": verdict, "result": result}))


# --- Ansible ------------------------------------------------------------------------------

def cmd_ansible_module(args: List[str]) -> None:
    """The module's DOCUMENTATION agrees with its ARGUMENT_SPEC (names, types, defaults,
    required) and its EXAMPLES and RETURN are valid YAML."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("mcp_probe_ansible_module", args[0])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    yaml.safe_load(module.EXAMPLES)
    returned = yaml.safe_load(module.RETURN)
    argspec = module.ARGUMENT_SPEC
    if set(documented) != set(argspec):
        fail("documented options %s differ from the argument spec %s" % (sorted(documented), sorted(argspec)))
    for name, arg in argspec.items():
        doc = documented[name]
        for key, default in (("type", "str"), ("default", None), ("required", False)):
            if doc.get(key, default) != arg.get(key, default):
                fail("option %s: documented %s %r, argument spec %r" % (name, key, doc.get(key, default), arg.get(key, default)))
        if not doc.get("description"):
            fail("option %s has no description" % name)
    for name, doc in returned.items():
        if not {"description", "returned", "type"} <= set(doc):
            fail("return value %s needs description, returned and type" % name)
    print("  %d options, %d return values documented" % (len(argspec), len(returned)))


# --- Kubernetes ---------------------------------------------------------------------------

# Custom resources kubernetes-validate has no schema for; checked for their basic shape only.
CUSTOM_RESOURCES = {
    ("argoproj.io/v1alpha1", "Application"): "Argo CD CRD",
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): "Flux CRD",
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): "Flux CRD",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "Prometheus Operator CRD",
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): "kustomize build file, not a cluster object",
}


def documents(paths: List[str]) -> Iterator[tuple]:
    """Every YAML document of the files, with its file name."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    yield path, doc


def cmd_k8s_validate(args: List[str]) -> None:
    """Validates each document strictly; custom resources need apiVersion, kind, metadata.name, spec."""
    import kubernetes_validate

    version, paths = args[0], args[1:]
    checked = skipped = 0
    for path, doc in documents(paths):
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in CUSTOM_RESOURCES:
            if key[1] != "Kustomization" or key[0].startswith("kustomize.toolkit"):
                if not doc.get("metadata", {}).get("name") or "spec" not in doc:
                    fail("%s: %s %s needs metadata.name and spec" % (path, key[0], key[1]))
            skipped += 1
            print("  shape only (%s): %s %s/%s" % (CUSTOM_RESOURCES[key], path, key[1], doc.get("metadata", {}).get("name", "")))
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            fail("%s: %s %s: %s at %s" % (path, key[1], doc.get("metadata", {}).get("name"), err.message, "/".join(map(str, err.path))))
        except kubernetes_validate.SchemaNotFoundError:
            fail("%s: no schema for %s %s in Kubernetes %s" % (path, key[0], key[1], version))
        checked += 1
    print("  %d objects valid against Kubernetes %s, %d custom resources checked for shape" % (checked, version, skipped))


def pod_specs(doc: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """The pod specs of a Job, CronJob, Pod or Deployment."""
    kind = doc.get("kind")
    spec = doc.get("spec", {})
    if kind == "Pod":
        yield spec
    elif kind in ("Job", "Deployment"):
        yield spec["template"]["spec"]
    elif kind == "CronJob":
        yield spec["jobTemplate"]["spec"]["template"]["spec"]


def probe_commands(paths: List[str]) -> Iterator[tuple]:
    """(file, object name, argv) for every container that runs ``mcp-probe check``; a
    workload-identity command's token file is checked to be a projected service account token."""
    for path, doc in documents(paths):
        for pod in pod_specs(doc):
            for container in pod.get("containers", []):
                argv = [str(a) for a in list(container.get("command", [])) + list(container.get("args", []))]
                if len(argv) >= 2 and argv[0] == "mcp-probe" and argv[1] == "check":
                    if option(argv, "--oauth-flow") == "jwt-bearer":
                        check_projected_token(path, pod, container, argv)
                    yield path, doc["metadata"]["name"], argv


def option(argv: List[str], name: str) -> str | None:
    """The value after ``name`` in ``argv``."""
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def check_projected_token(path: str, pod: Dict[str, Any], container: Dict[str, Any], argv: List[str]) -> None:
    """The JWT file a jwt-bearer command reads is a service account token the kubelet projects
    into the container, with an audience (the authorization server's issuer)."""
    token_file = option(argv, "--oauth-client-secret-file")
    if not token_file:
        fail("%s: --oauth-flow jwt-bearer without --oauth-client-secret-file" % path)
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        for source in volumes.get(mount["name"], {}).get("projected", {}).get("sources", []):
            projected = source.get("serviceAccountToken")
            if projected and token_file == "%s/%s" % (mount["mountPath"].rstrip("/"), projected["path"]):
                if not projected.get("audience"):
                    fail("%s: the projected token %s has no audience" % (path, token_file))
                return
    fail("%s: %s is not a projected service account token of the container" % (path, token_file))


def with_workload_identity(argv: List[str], healthy: str, scratch: str) -> tuple:
    """A jwt-bearer command as the fixture can run it: against its OAuth-protected server, the
    projected token's path replaced by a file holding a workload JWT that the fixture's
    authorization server grants (``mcp-probe-fixture --workload-jwt``). Other commands as
    they are."""
    if option(argv, "--oauth-flow") != "jwt-bearer":
        return argv, healthy
    base = re.match(r"https?://[^/]+", healthy).group(0)
    jwt = subprocess.run([os.environ["MCP_PROBE_FIXTURE_BIN"], "--workload-jwt", base + "/as/auth_client_credentials"],
                         capture_output=True, text=True, check=True).stdout
    token = Path(scratch) / "token"
    token.write_text(jwt, encoding="utf-8")
    at = argv.index("--oauth-client-secret-file") + 1
    return argv[:at] + [str(token)] + argv[at + 1:], base + "/auth_client_credentials/mcp"


def cmd_k8s_probe_commands(args: List[str]) -> None:
    """One line per container that runs ``mcp-probe check``: its argv, shell-quoted."""
    for path, name, argv in probe_commands(args):
        print("%s\t%s\t%s" % (path, name, shlex.join(argv)))


def variant(argv: List[str], healthy: str, broken: str | None) -> List[str]:
    """The command line with its URLs replaced: all healthy, or the first one broken (and a
    short --wait-until-ready, so the broken run ends quickly)."""
    out, first = [], True
    for i, arg in enumerate(argv):
        if re.match(r"https?://", arg):
            out.append(broken if broken and first else healthy)
            first = False
        elif broken and i > 0 and argv[i - 1] == "--wait-until-ready":
            out.append("2s")
        else:
            out.append(arg)
    return out


def cmd_k8s_run_probes(args: List[str]) -> None:
    """Runs each manifest's probe command against HEALTHY (must exit 0) and with its first URL
    at BROKEN (must exit with the code given)."""
    import tempfile

    healthy, broken, want, paths = args[0], args[1], int(args[2]), args[3:]
    env = dict(os.environ, MCP_TOKEN="example-token")
    count = 0
    scratch = tempfile.TemporaryDirectory()
    for path, name, argv in probe_commands(paths):
        argv, ok = with_workload_identity(argv, healthy, scratch.name)
        done = subprocess.run(variant(argv, ok, None), env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            fail("%s (%s): exited %d against the healthy server:\n%s%s" % (path, name, done.returncode, done.stdout, done.stderr))
        done = subprocess.run(variant(argv, ok, broken), env=env, capture_output=True, text=True, check=False)
        if done.returncode != want:
            fail("%s (%s): exited %d with a broken server, expected %d:\n%s%s" % (path, name, done.returncode, want, done.stdout, done.stderr))
        count += 1
    scratch.cleanup()
    if not count:
        fail("no mcp-probe check command in %s" % paths)
    print(count)


# --- Grafana ------------------------------------------------------------------------------

def cmd_grafana(args: List[str]) -> None:
    """Checks the dashboard's structure; writes each query as a recording rule for promtool."""
    dashboard = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    for key in ("title", "uid", "panels", "templating", "schemaVersion"):
        if key not in dashboard:
            fail("the dashboard has no %s" % key)
    ids = [p["id"] for p in dashboard["panels"]]
    if len(ids) != len(set(ids)):
        fail("panel ids repeat: %s" % ids)
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    rules = []
    for panel in dashboard["panels"]:
        for key in ("title", "type", "gridPos", "targets"):
            if key not in panel:
                fail("panel %s has no %s" % (panel.get("id"), key))
        for target in panel["targets"]:
            expr = target["expr"]
            for used in re.findall(r"\$(\w+)", expr):
                if used not in variables:
                    fail("panel %s uses the undefined variable $%s" % (panel["id"], used))
            if not re.search(r"\bmcp_probe_\w+", expr):
                fail("panel %s queries no mcp_probe_ metric: %s" % (panel["id"], expr))
            rules.append({"record": "dashboard:panel_%s_%s" % (panel["id"], target["refId"]),
                          "expr": expr.replace("$target", ".*")})
    Path(args[1]).write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    print("  %d panels, %d queries" % (len(ids), len(rules)))


# --- serve config -------------------------------------------------------------------------

SERVE_KEYS = {"defaults", "modules", "targets", "probe", "alerts"}
TARGET_KEYS = {"name", "url", "command", "module", "interval", "labels", "timeout"}


def check_with_serve(path: str, config: Dict[str, Any]) -> None:
    """Has `mcp-probe serve --check-config` (on PATH) check the config as serve itself would."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as f:
        yaml.safe_dump(config, f)
        f.flush()
        done = subprocess.run(["mcp-probe", "serve", "--config", f.name, "--check-config"],
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        fail("%s: mcp-probe serve --check-config: %s" % (path, done.stderr.strip()))


def serve_configs(path: str) -> Iterator[Dict[str, Any]]:
    """The `mcp-probe serve` configs of a file: itself, or the YAML files of its ConfigMaps."""
    for _, doc in documents([path]):
        if doc.get("kind") == "ConfigMap":
            for key, value in doc.get("data", {}).items():
                if key.endswith((".yaml", ".yml")):
                    yield yaml.safe_load(value)
        elif "targets" in doc or "modules" in doc:
            yield doc


def cmd_serve_config(args: List[str]) -> None:
    """Checks `mcp-probe serve` configs (standalone files or inside ConfigMaps) against the spec."""
    count = 0
    for path in args:
        for config in serve_configs(path):
            unknown = set(config) - SERVE_KEYS
            if unknown:
                fail("%s: unknown serve config keys %s" % (path, sorted(unknown)))
            modules = set(config.get("modules", {})) | {"default"}
            for target in config.get("targets", []):
                if set(target) - TARGET_KEYS:
                    fail("%s: unknown target keys %s" % (path, sorted(set(target) - TARGET_KEYS)))
                if ("url" in target) == ("command" in target):
                    fail("%s: target %s needs exactly one of url and command" % (path, target.get("name")))
                if target.get("module", "default") not in modules:
                    fail("%s: target %s uses the undefined module %s" % (path, target.get("name"), target.get("module")))
            check_with_serve(path, config)
            count += 1
    if not count:
        fail("no serve config found in %s" % args)
    print("  %d serve configs match the spec" % count)


def http_get(url: str) -> tuple:
    """(status, body) of a GET; status 0 when nothing answered."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


def cmd_serve_health(args: List[str]) -> None:
    """Runs `mcp-probe serve` (on PATH) with the file's config, its targets' URLs at OK and
    the intervals shortened to 1 s: /health/TARGET answers 200 "up", /healthz and /readyz
    200, and /metrics has the target's mcp_probe_success 1. Then with the URLs at BROKEN:
    /health/TARGET answers 503 "down: http_status" once failureThreshold probes in a row
    failed. Each wait is bounded (30 s)."""
    import tempfile
    import threading
    import time

    path, target, ok, broken = args
    configs = list(serve_configs(path))
    if len(configs) != 1:
        fail("%s: %d serve configs, expected one" % (path, len(configs)))

    def run(url: str, want: int, verdict: str) -> None:
        config = json.loads(json.dumps(configs[0]))
        config.setdefault("defaults", {})["interval"] = "1s"
        for t in config.get("targets", []):
            t.pop("interval", None)
            if "url" in t:
                t["url"] = url
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8") as f:
            yaml.safe_dump(config, f)
            f.flush()
            serve = subprocess.Popen(["mcp-probe", "serve", "--config", f.name, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                address = None
                for line in serve.stderr:
                    found = re.search(r"listening address=(\S+)", line)
                    if found:
                        address = found.group(1)
                        break
                if not address:
                    fail("%s: mcp-probe serve logged no listening address (exit %s)" % (path, serve.wait()))
                # Its later log lines are read and dropped, so that serve never blocks writing them.
                threading.Thread(target=serve.stderr.read, daemon=True).start()
                base = "http://" + address
                deadline = time.monotonic() + 30
                status = 0
                while time.monotonic() < deadline:
                    status, body = http_get("%s/health/%s" % (base, target))
                    if status == want and body.startswith(verdict):
                        break
                    time.sleep(0.2)
                if status != want or not body.startswith(verdict):
                    fail("%s: /health/%s answered %d %r within 30 s with the target at %s, expected %d %s…"
                         % (path, target, status, body, url, want, verdict))
                if want == 200:
                    for endpoint in ("/healthz", "/readyz"):
                        if http_get(base + endpoint)[0] != 200:
                            fail("%s: %s did not answer 200" % (path, endpoint))
                    metrics = http_get(base + "/metrics")[1]
                    if not re.search(r'^mcp_probe_success\{[^}]*target="%s"[^}]*\} 1(\.0)?$' % re.escape(target), metrics, re.M):
                        fail("%s: /metrics has no mcp_probe_success 1 for %s" % (path, target))
            finally:
                serve.terminate()
                serve.wait(timeout=30)

    # Before its first probe ends a target is "unknown" (503 too): the verdicts are waited for.
    run(ok, 200, "up")
    run(broken, 503, "down: http_status")
    print("  serve with %s: /health/%s 200 against a healthy server, 503 against a broken one" % (path, target))


COMMANDS = {
    "gh-outputs": cmd_gh_outputs,
    "tf-local-exec": cmd_tf_local_exec,
    "tf-check-block": cmd_tf_check_block,
    "ansible-module": cmd_ansible_module,
    "k8s-validate": cmd_k8s_validate,
    "k8s-probe-commands": cmd_k8s_probe_commands,
    "k8s-run-probes": cmd_k8s_run_probes,
    "grafana": cmd_grafana,
    "serve-config": cmd_serve_config,
    "serve-health": cmd_serve_health,
}


def main() -> None:
    """Dispatches to the subcommand."""
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        fail("usage: examples_ci.py {%s} ARGS..." % ",".join(COMMANDS))
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
