"""The native half of ``mcp_probe`` (Rust, pyo3). Use the ``mcp_probe`` package instead."""

from typing import Awaitable, Optional, final

__all__ = [
    "__version__",
    "REPORT_SCHEMA_VERSION",
    "build_scenario",
    "check",
    "check_async",
    "open",
    "open_async",
    "Session",
    "McpProbeError",
    "ConfigError",
    "ScenarioError",
]

__version__: str
"""The package version (the Rust workspace's version)."""

REPORT_SCHEMA_VERSION: int
"""Version of the report's JSON shape (``schemaVersion``)."""

class McpProbeError(Exception):
    """Base class of mcp_probe's exceptions: the probe could not start because of the caller.

    ``code`` is a stable snake_case name (``invalid_url``, ``invalid_header``, ``credential``,
    ``invalid_option``, ``invalid_scenario``, ``setup``). A failing server never raises.
    """

    code: str
    """The engine's stable error code."""

class ConfigError(McpProbeError):
    """Invalid configuration: URL, header, credential, option, or HTTP client set-up."""

class ScenarioError(McpProbeError):
    """An invalid scenario document or file (``invalid_scenario``)."""

def build_scenario(options: str, document: Optional[str] = None) -> str:
    """Builds and validates a scenario document (JSON text) like ``mcp-probe check`` does from its flags.

    ``options`` is JSON text of the engine's options model: an object with the canonical
    camelCase names (``oauthScope``), durations in milliseconds. ``document`` is a scenario as
    JSON text that the options refine. The rules and the usage errors are the CLI's, with the
    options named as Python spells them (``oauth_scope``).
    """

def check(scenario: str) -> str:
    """Runs a scenario (JSON text) with the GIL released; returns the report as JSON text.

    Raises RuntimeError once the runtime has been shut down at interpreter exit.
    """

def check_async(scenario: str) -> Awaitable[str]:
    """Runs a scenario (JSON text) on the shared runtime; an awaitable of the report's JSON text.

    Raises RuntimeError once the runtime has been shut down at interpreter exit.
    """

@final
class Session:
    """An MCP session opened by :func:`open` or :func:`open_async`."""

    @property
    def opening(self) -> str:
        """The report of opening the session (JSON text)."""
    @property
    def usable(self) -> bool:
        """Whether ``run_steps`` can be used."""
    def run_steps(self) -> str:
        """Runs the steps after the handshake once more (blocking); the report's JSON text."""
    def run_steps_async(self) -> Awaitable[str]:
        """``run_steps`` on the shared runtime."""
    def close(self) -> Optional[str]:
        """Ends the session (blocking); how, or None when there was nothing to end."""
    def close_async(self) -> Awaitable[Optional[str]]:
        """``close`` on the shared runtime."""

def open(scenario: str) -> Session:
    """Opens a session for the scenario (JSON text), blocking with the GIL released."""

def open_async(scenario: str) -> Awaitable[Session]:
    """Opens a session for the scenario (JSON text) on the shared runtime."""
