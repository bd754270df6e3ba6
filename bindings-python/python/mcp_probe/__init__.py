"""Probe MCP servers the way an LLM client uses them, from Python.

A thin binding over the Rust engine of ``mcp-probe``: the same probes, the same report JSON as
the ``mcp-probe`` CLI. A failing server is a :class:`Report` with ``ok == False``; exceptions
(:class:`McpProbeError` and subclasses, each with a ``code``) are only for the caller's mistakes.

Example::

    import mcp_probe

    report = mcp_probe.check("http://127.0.0.1:8000/mcp", tool="add", arguments={"a": 2, "b": 3})
    print(report.ok, report.steps[-1].result.text)
    mcp_probe.assert_healthy(report)
"""

from ._api import (
    AsyncSession,
    CheckOptions,
    Scenario,
    ScenarioSource,
    Session,
    assert_healthy,
    check,
    check_async,
)
from ._native import REPORT_SCHEMA_VERSION, ConfigError, McpProbeError, ScenarioError, __version__
from ._report import (
    AuthFacts,
    AuthFinding,
    CallResult,
    Exchange,
    Failure,
    Negotiation,
    Report,
    ServerInfo,
    ServerMessage,
    SessionFacts,
    StepReport,
    Timings,
    TlsFacts,
    ToolInfo,
    Warning,
)

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "AsyncSession",
    "AuthFacts",
    "AuthFinding",
    "CallResult",
    "CheckOptions",
    "ConfigError",
    "Exchange",
    "Failure",
    "McpProbeError",
    "Negotiation",
    "Report",
    "Scenario",
    "ScenarioError",
    "ScenarioSource",
    "ServerInfo",
    "ServerMessage",
    "Session",
    "SessionFacts",
    "StepReport",
    "Timings",
    "TlsFacts",
    "ToolInfo",
    "Warning",
    "__version__",
    "assert_healthy",
    "check",
    "check_async",
]
