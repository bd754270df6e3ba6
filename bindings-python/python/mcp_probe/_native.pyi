"""The native half of ``mcp_probe`` (Rust, pyo3). Use the ``mcp_probe`` package instead."""

from typing import Awaitable, Optional, Sequence, Tuple

__all__ = [
    "__version__",
    "REPORT_SCHEMA_VERSION",
    "build_scenario",
    "check",
    "check_async",
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

def build_scenario(
    url: Optional[str] = None,
    *,
    document: Optional[str] = None,
    path: Optional[str] = None,
    command: Optional[Sequence[str]] = None,
    env: Optional[Sequence[Tuple[str, str]]] = None,
    cwd: Optional[str] = None,
    transport: Optional[str] = None,
    tool: Optional[str] = None,
    arguments: Optional[str] = None,
    expect_text: Optional[str] = None,
    expect_contains: Optional[str] = None,
    allow_tool_error: bool = False,
    headers: Optional[Sequence[Tuple[str, str]]] = None,
    bearer_env: Optional[str] = None,
    bearer_file: Optional[str] = None,
    oauth_client_id: Optional[str] = None,
    oauth_client_secret_env: Optional[str] = None,
    oauth_client_secret_file: Optional[str] = None,
    oauth_method: Optional[str] = None,
    oauth_scope: Optional[str] = None,
    oauth_token_url: Optional[str] = None,
    ca_cert: Optional[str] = None,
    client_cert: Optional[str] = None,
    client_key: Optional[str] = None,
    insecure: bool = False,
    cert_warn_days: Optional[int] = None,
    cert_fail_days: Optional[int] = None,
    follow_redirects: Optional[str] = None,
    timeout: Optional[float] = None,
    connect_timeout: Optional[float] = None,
    request_timeout: Optional[float] = None,
    protocol: Optional[str] = None,
    protocol_version: Optional[str] = None,
    max_body_bytes: Optional[int] = None,
    max_sse_event_bytes: Optional[int] = None,
    max_pages: Optional[int] = None,
    check_auth: bool = False,
) -> str:
    """Builds and validates a scenario document (JSON text) like ``mcp-probe check`` does from its flags.

    ``document`` is a scenario as JSON text, ``path`` a scenario file, ``arguments`` JSON text of
    an object, ``command`` the stdio server's program and arguments, ``env`` and ``headers``
    name/value pairs; timeouts are seconds. The builder calls, their order and the usage errors
    are the CLI's.
    """

def check(scenario: str) -> str:
    """Runs a scenario (JSON text) with the GIL released; returns the report as JSON text.

    Raises RuntimeError once the runtime has been shut down at interpreter exit.
    """

def check_async(scenario: str) -> Awaitable[str]:
    """Runs a scenario (JSON text) on the shared runtime; an awaitable of the report's JSON text.

    Raises RuntimeError once the runtime has been shut down at interpreter exit.
    """
