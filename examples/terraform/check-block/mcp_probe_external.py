#!/usr/bin/env python3
"""Program for Terraform's ``external`` data source: runs ``mcp-probe check`` and prints a flat map.

Reads the query (a JSON object of strings: ``url``, and optionally ``tool``, ``arguments``,
``expect_text``, ``timeout``, ``wait_until_ready``, ``binary``) from stdin and prints
``{"ok", "exit_code", "failure_code", "failure_step", "message", "protocol_version"}`` - all
strings, as the data source requires. A failing server is not an error (exit 0, ``ok`` is
``"false"``), so the check block's assertion reports it; only a usage error exits non-zero.
"""

import json
import subprocess
import sys
import tempfile


def command(query, report_path):
    """The ``mcp-probe check`` command line for this query."""
    argv = [query.get("binary") or "mcp-probe", "check", query["url"], "--quiet", "--output", "json:" + report_path]
    for key, flag in (
        ("tool", "--tool"),
        ("arguments", "--args"),
        ("expect_text", "--expect-text"),
        ("timeout", "--timeout"),
        ("wait_until_ready", "--wait-until-ready"),
    ):
        if query.get(key):
            argv += [flag, query[key]]
    return argv


def main():
    """Runs the probe for the query on stdin and prints the result map."""
    query = json.load(sys.stdin)
    if not query.get("url"):
        sys.stderr.write("mcp_probe_external: the query needs a url\n")
        return 2
    with tempfile.NamedTemporaryFile(suffix=".json") as report_file:
        done = subprocess.run(command(query, report_file.name), capture_output=True, text=True, check=False)
        try:
            report = json.load(report_file)
        except ValueError:
            sys.stderr.write("mcp_probe_external: mcp-probe exited %d: %s" % (done.returncode, done.stderr))
            return 2
    failure = report.get("failure") or {}
    print(
        json.dumps(
            {
                "ok": "true" if report.get("ok") else "false",
                "exit_code": str(done.returncode),
                "failure_code": failure.get("code", ""),
                "failure_step": failure.get("step") or "",
                "message": failure.get("message", ""),
                "protocol_version": report.get("protocolVersion") or "",
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
