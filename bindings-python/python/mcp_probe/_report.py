"""Typed, immutable views of the engine's report (the JSON ``mcp-probe check --format json`` prints).

Generated from docs/report.schema.json by scripts/gen_report_types.py; do not edit.
The classes declare their attributes; how they are read from the JSON (lazily, once), ``to_dict()``,
immutability and pickling are in ``_report_base.py``. Every object keeps the JSON object it was
made from, so ``to_dict()`` returns exactly that JSON (camelCase keys, absent fields left out) and
fields added by a newer engine are kept.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from ._report_base import _Part, _ReportMethods, _StepReportMethods

__all__ = [
    "AuthFacts",
    "AuthFinding",
    "CallResult",
    "Exchange",
    "Failure",
    "MatrixEntry",
    "Negotiation",
    "Report",
    "ServerInfo",
    "ServerMessage",
    "SessionFacts",
    "StepReport",
    "Timings",
    "TlsFacts",
    "ToolInfo",
    "Warning",
]


class AuthFacts(_Part):
    """How the probe got its access token: the report's ``auth``."""

    __slots__ = ("cached", "duration_ms", "method", "requests", "token_endpoint")
    #: Whether the token was one an earlier probe of the same ``Prober`` got (no request made).
    cached: bool
    #: Time spent getting the token, in milliseconds (part of the probe's ``durationMs``).
    duration_ms: float
    #: The grant that got the token: ``client_credentials``, ``authorization_code`` (the headless
    #: authorization-code flow with PKCE), ``refresh_token`` (a refresh of an earlier grant, or of a
    #: refresh token the user gave) or ``jwt_bearer`` (a workload's JWT, RFC 7523).
    method: str
    #: HTTP requests made for the token: discovery, registration, the authorization request and the token
    #: request (0 when cached).
    requests: int
    #: The token endpoint (user info removed, query values redacted), once known.
    token_endpoint: Optional[str]

    _REPR = ("method", "cached", "requests")


class AuthFinding(_Part):
    """One thing the authorization check looked at, and what it found."""

    __slots__ = ("check", "message", "status", "url")
    #: Stable ``snake_case`` id of the check: ``challenge_status``, ``bearer_challenge``,
    #: ``resource_metadata``, ``authorization_servers``, ``resource_match``, ``as_metadata``,
    #: ``issuer_match``, ``pkce_s256`` or ``metadata_url_safe``.
    check: str
    #: One sentence for a human.
    message: str
    #: Whether the check passed, deserves a warning, or failed.
    status: str
    #: The URL the finding is about, redacted (no user info, query values hidden).
    url: Optional[str]

    _REPR = ("check", "status", "message")


class CallResult(_Part):
    """What a ``tools/call`` returned."""

    __slots__ = ("content_types", "is_error", "structured", "text")
    #: The types of the content items, in order (``text``, ``image``, …).
    content_types: Tuple[str, ...]
    #: ``isError`` as the server sent it (absent = false).
    is_error: bool
    #: Whether the result carried ``structuredContent``.
    structured: bool
    #: The text content items joined with a newline (truncated to 4,096 characters).
    text: str

    _REPR = ("is_error", "text")


class Exchange(_Part):
    """The timings of one HTTP exchange."""

    __slots__ = ("body_ms", "connect_ms", "dns_ms", "request", "reused_connection", "tls_ms", "total_ms", "ttfb_ms")
    #: Reading the response body (for an SSE answer: until the response event arrived).
    body_ms: float
    #: Establishing the TCP connection.
    connect_ms: Optional[float]
    #: Resolving the host name (0 for an IP address).
    dns_ms: Optional[float]
    #: What was sent: the JSON-RPC method, or the HTTP request (``GET stream``).
    request: str
    #: ``true`` when no new connection was opened: the exchange (every exchange of a step) went over a
    #: connection kept from an earlier one, so it had no DNS, connect or TLS phase.
    reused_connection: bool
    #: The TLS handshake.
    tls_ms: Optional[float]
    #: The whole exchange, from sending the request to the end of the body.
    total_ms: float
    #: From the connection being ready (or the request start, on a reused connection) until the response
    #: headers arrived: blackbox_exporter's ``processing``.
    ttfb_ms: float

    _REPR = ("request", "total_ms", "reused_connection")


class Failure(_Part):
    """Why a probe failed: a stable code, a human message, machine-readable details.

    The facts the engine decides on (reason, timeout phase, HTTP status, JSON-RPC error, authorization
    check) are typed (``Failure::reason``, …) and also written into ``details`` under their documented keys;
    a failure read back from JSON gets them from there.
    """

    __slots__ = ("code", "details", "family", "message", "step")
    #: The stable code.
    code: str
    #: Facts behind the failure (HTTP status, JSON-RPC error, timeout phase, expected vs actual…).
    details: Dict[str, Any]
    #: The family of the code (what the CLI's exit code is chosen by).
    family: str
    #: One sentence for a human.
    message: str
    #: The step that failed.
    step: Optional[str]

    _REPR = ("code", "step", "message")


class MatrixEntry(_Part):
    """One entry of the report's ``matrix``: the scenario run in one era, version and transport."""

    __slots__ = ("duration_ms", "era", "failure", "ok", "protocol_version", "requested_version", "transport")
    #: How long this run took, in milliseconds.
    duration_ms: float
    #: The era spoken.
    era: str
    #: Why this run failed.
    failure: Optional[Failure]
    #: Whether the scenario passed this way.
    ok: bool
    #: The version the server agreed to, when the handshake got that far.
    protocol_version: Optional[str]
    #: The protocol version asked for.
    requested_version: str
    #: The transport used.
    transport: str


class Negotiation(_Part):
    """How a probe chose its protocol era."""

    __slots__ = ("evidence", "mode")
    #: What was sent and what came back, in order, e.g. ``server/discover → HTTP 400, JSON-RPC error
    #: -32000``, ``initialize → 200``.
    evidence: Tuple[str, ...]
    #: ``auto`` (detected now), ``cached`` (detected by an earlier probe of the same URL in this process),
    #: or ``pinned`` (the scenario fixed the era or version).
    mode: str

    _REPR = ("mode", "evidence")


class ServerInfo(_Part):
    """The server's self-description from the handshake."""

    __slots__ = ("capabilities", "name", "title", "version")
    #: Names of the capabilities the server declared (``tools``, ``resources``, …), sorted.
    capabilities: Tuple[str, ...]
    #: ``serverInfo.name``.
    name: str
    #: ``serverInfo.title``, when given.
    title: Optional[str]
    #: ``serverInfo.version``.
    version: str

    _REPR = ("name", "version", "capabilities")


class SessionFacts(_Part):
    """What happened to the MCP session."""

    __slots__ = ("closed", "issued", "reinitialized")
    #: How the session was ended, absent when it was not: Streamable HTTP ``deleted``, ``already_gone``
    #: (404), ``not_supported`` (405), ``failed`` or ``timed_out``; legacy HTTP+SSE ``closed``; stdio how
    #: the server process ended, in words (``exited (code 0)``, ``terminated``, ``killed; its remaining
    #: processes were killed``, …).
    closed: Optional[str]
    #: Whether the server issued a session id (the id itself is a secret and never shown).
    issued: bool
    #: How many times the probe had to re-initialize after the server forgot the session.
    reinitialized: int

    _REPR = ("issued", "reinitialized", "closed")


class ServerMessage(_Part):
    """A message the server sent on its own while a request was pending."""

    __slots__ = ("answer", "kind", "method")
    #: For requests: how the probe answered (``result`` or ``error -32601``), or ``unanswered``.
    answer: Optional[str]
    #: Notification or request.
    kind: str
    #: The JSON-RPC method.
    method: str

    _REPR = ("kind", "method", "answer")


class Timings(_Part):
    """Time spent in each phase of HTTP exchanges, in milliseconds.

    For a step, the sums over its exchanges; ``dnsMs``, ``connectMs`` and ``tlsMs`` are present only when an
    exchange opened a new connection (``tlsMs`` only for ``https``).
    """

    __slots__ = ("body_ms", "connect_ms", "dns_ms", "reused_connection", "tls_ms", "total_ms", "ttfb_ms")
    #: Reading the response body (for an SSE answer: until the response event arrived).
    body_ms: float
    #: Establishing the TCP connection.
    connect_ms: Optional[float]
    #: Resolving the host name (0 for an IP address).
    dns_ms: Optional[float]
    #: ``true`` when no new connection was opened: the exchange (every exchange of a step) went over a
    #: connection kept from an earlier one, so it had no DNS, connect or TLS phase.
    reused_connection: bool
    #: The TLS handshake.
    tls_ms: Optional[float]
    #: The whole exchange, from sending the request to the end of the body.
    total_ms: float
    #: From the connection being ready (or the request start, on a reused connection) until the response
    #: headers arrived: blackbox_exporter's ``processing``.
    ttfb_ms: float

    _REPR = ("total_ms", "ttfb_ms", "reused_connection")


class ToolInfo(_Part):
    """One tool as listed by ``tools/list``."""

    __slots__ = ("description", "name", "title")
    #: Its description, when given (truncated to 500 characters).
    description: Optional[str]
    #: The tool's name.
    name: str
    #: Its title, when given.
    title: Optional[str]

    _REPR = ("name",)


class Warning(_Part):  # noqa: A001 - the report model's name; shadows the builtin only here
    """Something worth knowing that did not fail the probe."""

    __slots__ = ("code", "message", "step")
    #: A stable ``snake_case`` code (``session_reinitialized``, ``page_cap_reached``, …).
    code: str
    #: One sentence for a human.
    message: str
    #: The step that raised it.
    step: Optional[str]

    _REPR = ("code", "step", "message")


class StepReport(_StepReportMethods):
    """What one step did and found."""

    __slots__ = ("auth_findings", "cache_scope", "duration_ms", "exchanges", "failure", "http_status", "items", "name", "note", "pages", "prompt", "requests", "response", "result", "server_messages", "sse_resumptions", "status", "timings", "tool", "tools", "ttl_ms", "uri", "warnings")
    #: For ``auth``: what the authorization check found, one entry per check.
    auth_findings: Optional[Tuple[AuthFinding, ...]]
    #: For 2026-07-28 results: who may share a cached result (``cacheScope``).
    cache_scope: Optional[str]
    #: Time spent in the step in milliseconds (0 for skipped steps).
    duration_ms: float
    #: The timings of each HTTP exchange of the step, in order (at most 32).
    exchanges: Tuple[Exchange, ...]
    #: Why the step failed.
    failure: Optional[Failure]
    #: HTTP status of the step's last exchange, when there was one.
    http_status: Optional[int]
    #: How many items the step got: resources, resource templates or prompts listed (across all pages),
    #: contents read, or prompt messages.
    items: Optional[int]
    #: The step's name: ``handshake``, ``tools/list``, ``tools/call``.
    name: str
    #: Why the step passed without running (``ping`` in the 2026-07-28 era, which has none).
    note: Optional[str]
    #: For ``tools/list``: the number of pages read.
    pages: Optional[int]
    #: For ``prompts/get``: the prompt got.
    prompt: Optional[str]
    #: Number of HTTP requests the step made (pages, re-initialization and answers included).
    requests: int
    #: For a ``request`` step: the result object, bounded in size (a result that is not an object is kept
    #: under ``value``).
    response: Optional[Dict[str, Any]]
    #: For ``tools/call``: what the tool returned.
    result: Optional[CallResult]
    #: Notifications and requests the server sent while the step waited for its answer.
    server_messages: Tuple[ServerMessage, ...]
    #: How often an SSE answer was resumed with GET + ``Last-Event-ID`` after the server closed the stream
    #: (2025-11-25 resumability).
    sse_resumptions: Optional[int]
    #: Pass, warn, fail or skip.
    status: str
    #: Where the time of the step's HTTP exchanges went, summed over them.
    timings: Optional[Timings]
    #: For ``tools/call``: the tool called.
    tool: Optional[str]
    #: For ``tools/list``: the tools listed, across all pages.
    tools: Optional[Tuple[ToolInfo, ...]]
    #: For 2026-07-28 results: how long the result may be cached (``ttlMs``).
    ttl_ms: Optional[int]
    #: For ``resources/read``: the resource read.
    uri: Optional[str]
    #: Warnings raised during this step (also listed in the report's ``warnings``).
    warnings: Tuple[Warning, ...]


class TlsFacts(_Part):
    """Facts of the certificate a server presented (the end-entity certificate of its chain)."""

    __slots__ = ("chain_length", "days_left", "host", "insecure", "issuer", "not_after", "not_before", "problem", "sans", "serial", "subject", "verified")
    #: Certificates the server presented (end entity plus intermediates).
    chain_length: int
    #: Whole days from the probe until ``notAfter``, rounded down; negative once expired.
    days_left: int
    #: The host name (or IP address) the certificate was checked against.
    host: str
    #: Whether verification was switched off (the certificate was accepted whatever it is).
    insecure: bool
    #: The issuer's distinguished name.
    issuer: str
    #: End of validity (RFC 3339, UTC).
    not_after: str
    #: Start of validity (RFC 3339, UTC).
    not_before: str
    #: What verification found wrong (a failure code such as ``tls_expired``), also when ``insecure`` let
    #: the connection go ahead.
    problem: Optional[str]
    #: The DNS names and IP addresses of the subject alternative names.
    sans: Tuple[str, ...]
    #: The serial number in hex, bytes separated by colons.
    serial: str
    #: The subject's distinguished name, e.g. ``CN=mcp.example.com``.
    subject: str
    #: Whether the chain was verified and found valid for the host.
    verified: bool

    _REPR = ("host", "not_after", "days_left", "verified", "problem")


class Report(_ReportMethods):
    """What a probe found: never an error for a failing server, always a report. See docs/report-schema.md."""

    __slots__ = ("attempts", "auth", "duration_ms", "era", "failure", "first_failure", "matrix", "negotiation", "ok", "protocol_version", "schema_version", "server", "session", "started_at", "stderr", "steps", "surface_hash", "target", "tls", "transport", "warnings")
    #: ``waitUntilReady`` only: how many times the whole probe ran (the report is the last run's).
    attempts: Optional[int]
    #: OAuth client credentials only: how the access token was had.
    auth: Optional[AuthFacts]
    #: Wall-clock duration of the whole probe in milliseconds.
    duration_ms: float
    #: The protocol era that was spoken, once known.
    era: Optional[str]
    #: The first failure, if any (the same object as in its step).
    failure: Optional[Failure]
    #: ``waitUntilReady`` only: the first attempt's failure, when the last attempt's differs (or the last
    #: one passed).
    first_failure: Optional[Failure]
    #: ``matrix`` only: the probe again in every era, protocol version and transport the target could
    #: speak, one entry each, in a fixed order. The rest of the report (and the verdict) is the probe as
    #: asked for.
    matrix: Optional[Tuple[MatrixEntry, ...]]
    #: How the era was chosen, and the evidence (``server/discover → …; initialize → 200``).
    negotiation: Optional[Negotiation]
    #: ``true`` when every step passed (warnings allowed).
    ok: bool
    #: The negotiated protocol version, once known.
    protocol_version: Optional[str]
    #: Version of this JSON shape (``REPORT_SCHEMA_VERSION``).
    schema_version: int
    #: What the server says it is, once known.
    server: Optional[ServerInfo]
    #: What happened to the MCP session (handshake era), the stream or the child process.
    session: SessionFacts
    #: When the probe started (RFC 3339, UTC).
    started_at: str
    #: stdio only: the end of what the server wrote to stderr (at most 8 KiB).
    stderr: Optional[str]
    #: One entry per scenario step, in order; steps after a failure are ``skip``.
    steps: Tuple[StepReport, ...]
    #: When the probe listed tools (or resources, resource templates, prompts): the ``sha256:`` hash of the
    #: canonical surface of what it listed (see ``docs/surface.md``).
    surface_hash: Optional[str]
    #: The probed URL with credentials and query values redacted.
    target: str
    #: ``https`` only: the certificate the server presented on the probe's first connection.
    tls: Optional[TlsFacts]
    #: The transport that was spoken.
    transport: str
    #: Things worth knowing that did not fail the probe.
    warnings: Tuple[Warning, ...]
