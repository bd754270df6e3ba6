#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Ansible module ``mcp_probe.check.mcp_probe``: probe an MCP server with the mcp_probe package."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: mcp_probe
short_description: Probe an MCP server the way an LLM client uses it
version_added: "0.1.0"
description:
  - Runs an mcp-probe check against a Model Context Protocol server - handshake, C(tools/list)
    and, when O(tool) is given, C(tools/call) - and fails with the failing step, the failure
    code and the probe's message.
  - Replaces an M(ansible.builtin.uri) task that POSTs C(initialize) and greps the answer for
    C(protocolVersion) with C(until)/C(retries)/C(delay); use O(wait_until_ready) instead.
  - Built on the C(mcp_probe) Python package, which must be importable by the Python that runs
    the module (usually the control node, with C(delegate_to=localhost)).
  - The probe changes nothing on the managed host, so the module never reports C(changed).
options:
  url:
    description: The server's MCP endpoint (Streamable HTTP or legacy HTTP+SSE).
    type: str
    required: true
  tool:
    description: Call this tool after listing tools; it must be listed.
    type: str
  arguments:
    description: The tool's arguments.
    type: dict
    default: {}
  expect_text:
    description: The tool's text answer must equal this.
    type: str
  expect_contains:
    description: The tool's text answer must contain this.
    type: str
  headers:
    description: Extra HTTP headers for every request; values never appear in the result.
    type: dict
    default: {}
  bearer_token:
    description: Send this token as a bearer token (C(Authorization) header); never shown.
    type: str
  timeout:
    description: Deadline of one probe in seconds, clean-up included.
    type: float
    default: 10
  wait_until_ready:
    description:
      - Repeat the probe until the server is healthy or this many seconds have passed (backoff
        from 250 ms to 5 s). V(0) probes once.
    type: float
    default: 0
  ca_cert:
    description: A PEM file of extra trusted certificates.
    type: path
  cert_warn_days:
    description: Warn when the server certificate expires within this many days.
    type: int
  cert_fail_days:
    description: Fail when the server certificate expires within this many days.
    type: int
  call_tool_in_check_mode:
    description:
      - In check mode the tool call is left out (a tool may have side effects) and only the
        handshake and C(tools/list) run. Set V(true) to call the tool in check mode too.
    type: bool
    default: false
notes:
  - Supports check mode; see O(call_tool_in_check_mode).
requirements:
  - python >= 3.9
  - mcp_probe (pip install mcp-probe, or the wheel built from bindings-python)
author:
  - mcp-probe contributors
"""

EXAMPLES = r"""
- name: Verify the MCP server after the deploy
  mcp_probe.check.mcp_probe:
    url: "https://{{ inventory_hostname }}/mcp"
    tool: add
    arguments: {a: 2, b: 3}
    expect_text: "5"
    wait_until_ready: 60
  delegate_to: localhost

- name: Probe and keep the report
  mcp_probe.check.mcp_probe:
    url: https://mcp.example.com/mcp
    bearer_token: "{{ vault_mcp_token }}"
  register: probe
  delegate_to: localhost

- name: Show the protocol version
  ansible.builtin.debug:
    msg: "{{ probe.report.protocolVersion }} with {{ probe.report.steps[1].tools | length }} tools"
"""

RETURN = r"""
ok:
  description: Whether the server was healthy.
  returned: always
  type: bool
  sample: true
failure_code:
  description: The failure's stable code (connect_refused, http_status, tool_error, ...).
  returned: when the probe failed
  type: str
  sample: tool_error
failure_step:
  description: The step that failed.
  returned: when the probe failed
  type: str
  sample: tools/call
report:
  description: The whole report, the same document as C(mcp-probe check --format json).
  returned: always
  type: dict
  sample: {"ok": true, "protocolVersion": "2025-11-25", "steps": []}
skipped_in_check_mode:
  description: Steps left out because the module ran in check mode.
  returned: in check mode
  type: list
  elements: str
  sample: ["tools/call"]
"""

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import mcp_probe

    HAS_MCP_PROBE = True
    IMPORT_ERROR = None
except ImportError:
    HAS_MCP_PROBE = False
    IMPORT_ERROR = traceback.format_exc()

_TOKEN_ENV = "MCP_PROBE_ANSIBLE_BEARER_TOKEN"


ARGUMENT_SPEC = dict(
    url=dict(type="str", required=True),
    tool=dict(type="str"),
    arguments=dict(type="dict", default={}),
    expect_text=dict(type="str"),
    expect_contains=dict(type="str"),
    headers=dict(type="dict", default={}, no_log=True),
    bearer_token=dict(type="str", no_log=True),
    timeout=dict(type="float", default=10),
    wait_until_ready=dict(type="float", default=0),
    ca_cert=dict(type="path"),
    cert_warn_days=dict(type="int"),
    cert_fail_days=dict(type="int"),
    call_tool_in_check_mode=dict(type="bool", default=False),
)


def _options(params, check_mode):
    """The keyword arguments of ``mcp_probe.check`` for these module parameters."""
    options = {
        "timeout": params["timeout"],
        "headers": params["headers"] or None,
        "ca_cert": params["ca_cert"],
        "cert_warn_days": params["cert_warn_days"],
        "cert_fail_days": params["cert_fail_days"],
    }
    if params["wait_until_ready"]:
        options["wait_until_ready"] = params["wait_until_ready"]
    if params["bearer_token"]:
        # The package reads secrets from the environment or a file, never from an argument.
        os.environ[_TOKEN_ENV] = params["bearer_token"]
        options["bearer_env"] = _TOKEN_ENV
    skipped = []
    if params["tool"]:
        if check_mode and not params["call_tool_in_check_mode"]:
            skipped.append("tools/call")
        else:
            options["tool"] = params["tool"]
            options["arguments"] = params["arguments"]
            options["expect_text"] = params["expect_text"]
            options["expect_contains"] = params["expect_contains"]
    return {k: v for k, v in options.items() if v is not None}, skipped


def main():
    """Runs the module."""
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[("expect_text", "expect_contains")],
        supports_check_mode=True,
    )
    if not HAS_MCP_PROBE:
        module.fail_json(msg=missing_required_lib("mcp_probe"), exception=IMPORT_ERROR)

    options, skipped = _options(module.params, module.check_mode)
    try:
        report = mcp_probe.check(module.params["url"], **options)
    except mcp_probe.McpProbeError as err:
        module.fail_json(msg="invalid mcp_probe options: %s" % err, error_code=getattr(err, "code", None))

    result = dict(changed=False, ok=report.ok, report=report.to_dict())
    if module.check_mode:
        result["skipped_in_check_mode"] = skipped
    failure = result["report"].get("failure")
    if failure:
        result["failure_code"] = failure["code"]
        result["failure_step"] = failure.get("step")
        module.fail_json(
            msg="MCP probe of %s failed at %s (%s): %s"
            % (result["report"]["target"], failure.get("step"), failure["code"], failure["message"]),
            **result
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
