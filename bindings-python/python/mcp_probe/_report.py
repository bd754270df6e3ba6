"""Typed, immutable views of the engine's report (the JSON ``mcp-probe check --format json`` prints).

Every object keeps the engine's JSON object it was made from, so ``to_dict()`` returns exactly
that JSON (camelCase keys, absent fields left out) and fields added by a newer engine are kept.
Attributes are converted from that JSON on first access and then cached, so a check whose
caller only reads ``report.ok`` pays for nothing else.
"""

from __future__ import annotations

import copy
import json
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, Mapping, Optional, Tuple, Type, TypeVar

__all__ = [
    "AuthFacts",
    "AuthFinding",
    "CallResult",
    "Exchange",
    "Failure",
    "Negotiation",
    "Report",
    "ServerInfo",
    "ServerMessage",
    "SessionFacts",
    "StepReport",
    "TlsFacts",
    "Timings",
    "ToolInfo",
    "Warning",
]

_JsonObject = Dict[str, Any]
_P = TypeVar("_P", bound="_Part")


class _Part:
    """Shared behaviour: the JSON object, lazy immutable attributes, ``to_dict()``, pickling."""

    __slots__ = ("_data",)
    _data: _JsonObject
    #: How each attribute is made from the JSON object (filled in by every subclass).
    _FIELDS: ClassVar[Dict[str, Callable[[_JsonObject], Any]]] = {}
    #: The attributes ``repr()`` shows.
    _REPR: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, data: Mapping[str, Any]) -> None:
        """Wraps an engine JSON object (copied, so later changes to ``data`` do not show)."""
        object.__setattr__(self, "_data", copy.deepcopy(dict(data)))

    @classmethod
    def _wrap(cls: Type[_P], data: _JsonObject) -> _P:
        """Wraps freshly parsed JSON that nothing else holds, without copying it."""
        part = cls.__new__(cls)
        object.__setattr__(part, "_data", data)
        return part

    if not TYPE_CHECKING:

        def __getattr__(self, name):
            # Only called for attributes not set yet: convert, cache in the slot, return.
            convert = type(self)._FIELDS.get(name)
            if convert is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = convert(self._data)
            object.__setattr__(self, name, value)
            return value

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"{type(self).__name__} is immutable (cannot assign to {name!r})")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"{type(self).__name__} is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._data == other._data)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and the value is mutable JSON

    def to_dict(self) -> dict[str, Any]:
        """This object as the engine's JSON object (a fresh copy; camelCase keys)."""
        return copy.deepcopy(self._data)

    def to_json(self, *, indent: int | None = None) -> str:
        """This object as JSON text (``json.dumps`` of :meth:`to_dict`)."""
        return json.dumps(self._data, indent=indent)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self)._wrap, (self._data,))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._REPR)
        return f"{type(self).__name__}({fields})"


def _str(key: str) -> Callable[[_JsonObject], str]:
    return lambda data: str(data.get(key, ""))


def _opt_str(key: str) -> Callable[[_JsonObject], Optional[str]]:
    def convert(data: _JsonObject) -> Optional[str]:
        value = data.get(key)
        return None if value is None else str(value)

    return convert


def _part(cls: Type[_P], key: str) -> Callable[[_JsonObject], Optional[_P]]:
    def convert(data: _JsonObject) -> Optional[_P]:
        value = data.get(key)
        return None if value is None else cls._wrap(value)

    return convert


def _parts(cls: Type[_P], key: str) -> Callable[[_JsonObject], Tuple[_P, ...]]:
    return lambda data: tuple([cls._wrap(item) for item in data.get(key, ())])


class Negotiation(_Part):
    """How the probe chose its protocol era, and the evidence."""

    __slots__ = ("mode", "evidence")
    #: ``auto`` (detected now), ``cached`` (detected by an earlier probe of the same URL in this
    #: process) or ``pinned`` (the scenario fixed the era or version).
    mode: str
    #: What was sent and what came back, in order (``initialize → 200``, …).
    evidence: Tuple[str, ...]

    _FIELDS = {"mode": _str("mode"), "evidence": lambda data: tuple(data.get("evidence", ()))}
    _REPR = ("mode", "evidence")


class ServerInfo(_Part):
    """What the server says it is (from the handshake's ``serverInfo`` and capabilities)."""

    __slots__ = ("name", "version", "title", "capabilities")
    #: ``serverInfo.name``.
    name: str
    #: ``serverInfo.version``.
    version: str
    #: ``serverInfo.title``, when given.
    title: Optional[str]
    #: Names of the capabilities the server declared (``tools``, ``resources``, …), sorted.
    capabilities: Tuple[str, ...]

    _FIELDS = {
        "name": _str("name"),
        "version": _str("version"),
        "title": _opt_str("title"),
        "capabilities": lambda data: tuple(data.get("capabilities", ())),
    }
    _REPR = ("name", "version", "capabilities")


class ToolInfo(_Part):
    """One tool as listed by ``tools/list``."""

    __slots__ = ("name", "title", "description")
    #: The tool's name.
    name: str
    #: Its title, when given.
    title: Optional[str]
    #: Its description, when given (truncated to 500 characters).
    description: Optional[str]

    _FIELDS = {"name": _str("name"), "title": _opt_str("title"), "description": _opt_str("description")}
    _REPR = ("name",)


class CallResult(_Part):
    """What a ``tools/call`` returned."""

    __slots__ = ("is_error", "text", "content_types", "structured")
    #: ``isError`` as the server sent it (absent means ``False``).
    is_error: bool
    #: The text content items joined with a newline (truncated to 4,096 characters).
    text: str
    #: The types of the content items, in order (``text``, ``image``, …).
    content_types: Tuple[str, ...]
    #: Whether the result carried ``structuredContent``.
    structured: bool

    _FIELDS = {
        "is_error": lambda data: bool(data.get("isError", False)),
        "text": _str("text"),
        "content_types": lambda data: tuple(data.get("contentTypes", ())),
        "structured": lambda data: bool(data.get("structured", False)),
    }
    _REPR = ("is_error", "text")


class ServerMessage(_Part):
    """A notification or request the server sent on its own while a request was pending."""

    __slots__ = ("kind", "method", "answer")
    #: ``notification`` or ``request``.
    kind: str
    #: The JSON-RPC method.
    method: str
    #: For requests: how the probe answered (``result``, ``error -32601``) or ``unanswered``.
    answer: Optional[str]

    _FIELDS = {"kind": _str("kind"), "method": _str("method"), "answer": _opt_str("answer")}
    _REPR = ("kind", "method", "answer")


class SessionFacts(_Part):
    """What happened to the MCP session (Streamable HTTP), the event stream or the child process."""

    __slots__ = ("issued", "reinitialized", "closed")
    #: Whether the server issued a session id (the id itself is never shown).
    issued: bool
    #: How many times the probe re-initialized after the server forgot the session.
    reinitialized: int
    #: How the session ended: Streamable HTTP ``deleted``, ``not_supported`` (405),
    #: ``already_gone`` (404), ``failed``, ``timed_out``; legacy HTTP+SSE ``closed``; stdio
    #: ``exited (code N)``, ``exited (signal N)``, ``terminated``, ``killed``; or ``None``.
    closed: Optional[str]

    _FIELDS = {
        "issued": lambda data: bool(data.get("issued", False)),
        "reinitialized": lambda data: int(data.get("reinitialized", 0)),
        "closed": _opt_str("closed"),
    }
    _REPR = ("issued", "reinitialized", "closed")


class Failure(_Part):
    """Why a probe failed: a stable ``code``, its ``family``, a human ``message`` and ``details``."""

    __slots__ = ("code", "family", "step", "message", "details")
    #: The stable failure code (``connect_refused``, ``timeout``, ``tool_error``, …).
    code: str
    #: The code's family (``unreachable``, ``timeout``, ``tls``, ``http``, ``auth``, ``protocol``, ``tool``).
    family: str
    #: The step that failed (``auth``, ``handshake``, ``tools/list``, ``tools/call``).
    step: Optional[str]
    #: One sentence for a human.
    message: str
    #: Facts behind the failure (HTTP status, JSON-RPC error, timeout phase, expected vs actual…).
    details: Dict[str, Any]

    _FIELDS = {
        "code": _str("code"),
        "family": _str("family"),
        "step": _opt_str("step"),
        "message": _str("message"),
        "details": lambda data: copy.deepcopy(data.get("details", {})),
    }
    _REPR = ("code", "step", "message")


class Warning(_Part):  # noqa: A001 - the report model's name; shadows the builtin only here
    """Something worth knowing that did not fail the probe."""

    __slots__ = ("code", "step", "message")
    #: A stable snake_case code (``session_reinitialized``, ``page_cap_reached``, …).
    code: str
    #: The step that raised it.
    step: Optional[str]
    #: One sentence for a human.
    message: str

    _FIELDS = {"code": _str("code"), "step": _opt_str("step"), "message": _str("message")}
    _REPR = ("code", "step", "message")


def _float(key: str) -> Callable[[_JsonObject], float]:
    return lambda data: float(data.get(key, 0.0))


def _opt_float(key: str) -> Callable[[_JsonObject], Optional[float]]:
    def convert(data: _JsonObject) -> Optional[float]:
        value = data.get(key)
        return None if value is None else float(value)

    return convert


def _opt_int(key: str) -> Callable[[_JsonObject], Optional[int]]:
    def convert(data: _JsonObject) -> Optional[int]:
        value = data.get(key)
        return None if value is None else int(value)

    return convert


class Timings(_Part):
    """Where a step's (or an exchange's) time went, in milliseconds.

    ``dns_ms``, ``connect_ms`` and ``tls_ms`` are ``None`` on a reused connection.
    """

    __slots__ = ("dns_ms", "connect_ms", "tls_ms", "ttfb_ms", "body_ms", "total_ms", "reused_connection")
    #: Resolving the host name (0 for an IP address).
    dns_ms: Optional[float]
    #: Establishing the TCP connection.
    connect_ms: Optional[float]
    #: The TLS handshake.
    tls_ms: Optional[float]
    #: From the connection being ready until the response headers arrived.
    ttfb_ms: float
    #: Reading the response body (for an SSE answer: until the response event arrived).
    body_ms: float
    #: The whole exchange, from sending the request to the end of the body.
    total_ms: float
    #: ``True`` when no new connection was opened (no DNS, connect or TLS phase).
    reused_connection: bool

    _FIELDS = {
        "dns_ms": _opt_float("dnsMs"),
        "connect_ms": _opt_float("connectMs"),
        "tls_ms": _opt_float("tlsMs"),
        "ttfb_ms": _float("ttfbMs"),
        "body_ms": _float("bodyMs"),
        "total_ms": _float("totalMs"),
        "reused_connection": lambda data: bool(data.get("reusedConnection", False)),
    }
    _REPR = ("total_ms", "ttfb_ms", "reused_connection")


class Exchange(Timings):
    """The timings of one HTTP exchange of a step."""

    __slots__ = ("request",)
    #: What was sent: the JSON-RPC method, or the HTTP request (``GET stream``).
    request: str

    _FIELDS = {**Timings._FIELDS, "request": _str("request")}
    _REPR = ("request", "total_ms", "reused_connection")


class TlsFacts(_Part):
    """The server's certificate, as the probe's TLS verification saw it."""

    __slots__ = (
        "host",
        "subject",
        "sans",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "days_left",
        "chain_length",
        "verified",
        "insecure",
        "problem",
    )
    #: The host name (or IP address) the certificate was checked against.
    host: str
    #: The subject's distinguished name, e.g. ``CN=mcp.example.com``.
    subject: str
    #: The DNS names and IP addresses of the subject alternative names.
    sans: Tuple[str, ...]
    #: The issuer's distinguished name.
    issuer: str
    #: The serial number in hex, bytes separated by colons.
    serial: str
    #: Start of validity (RFC 3339, UTC).
    not_before: str
    #: End of validity (RFC 3339, UTC).
    not_after: str
    #: Whole days from the probe until ``not_after``, rounded down; negative once expired.
    days_left: int
    #: Certificates the server presented (end entity plus intermediates).
    chain_length: int
    #: Whether the chain was verified and found valid for the host.
    verified: bool
    #: Whether verification was switched off.
    insecure: bool
    #: What verification found wrong (a failure code such as ``tls_expired``), if anything.
    problem: Optional[str]

    _FIELDS = {
        "host": _str("host"),
        "subject": _str("subject"),
        "sans": lambda data: tuple(data.get("sans", ())),
        "issuer": _str("issuer"),
        "serial": _str("serial"),
        "not_before": _str("notBefore"),
        "not_after": _str("notAfter"),
        "days_left": lambda data: int(data.get("daysLeft", 0)),
        "chain_length": lambda data: int(data.get("chainLength", 0)),
        "verified": lambda data: bool(data.get("verified", False)),
        "insecure": lambda data: bool(data.get("insecure", False)),
        "problem": _opt_str("problem"),
    }
    _REPR = ("host", "not_after", "days_left", "verified", "problem")


class AuthFinding(_Part):
    """One finding of the authorization check step (``checkAuth``)."""

    __slots__ = ("check", "status", "message", "url")
    #: Stable snake_case id of the check (``bearer_challenge``, ``resource_metadata``, ``pkce_s256``, …).
    check: str
    #: ``pass``, ``warn`` or ``fail``.
    status: str
    #: One sentence for a human.
    message: str
    #: The URL the finding is about, redacted.
    url: Optional[str]

    _FIELDS = {"check": _str("check"), "status": _str("status"), "message": _str("message"), "url": _opt_str("url")}
    _REPR = ("check", "status", "message")


class AuthFacts(_Part):
    """OAuth client credentials only: how the access token was obtained."""

    __slots__ = ("method", "token_endpoint", "cached", "requests", "duration_ms")
    #: How the token was obtained (``client_credentials``).
    method: str
    #: The token endpoint used, redacted.
    token_endpoint: Optional[str]
    #: Whether a token obtained by an earlier probe in this process was reused.
    cached: bool
    #: HTTP requests made to obtain the token.
    requests: int
    #: Time spent obtaining the token, in milliseconds.
    duration_ms: float

    _FIELDS = {
        "method": _str("method"),
        "token_endpoint": _opt_str("tokenEndpoint"),
        "cached": lambda data: bool(data.get("cached", False)),
        "requests": lambda data: int(data.get("requests", 0)),
        "duration_ms": _float("durationMs"),
    }
    _REPR = ("method", "cached", "requests")


def _opt_parts(cls: Type[_P], key: str) -> Callable[[_JsonObject], Optional[Tuple[_P, ...]]]:
    def convert(data: _JsonObject) -> Optional[Tuple[_P, ...]]:
        items = data.get(key)
        return None if items is None else tuple([cls._wrap(item) for item in items])

    return convert


class StepReport(_Part):
    """What one step did and found."""

    __slots__ = (
        "name",
        "status",
        "duration_ms",
        "http_status",
        "requests",
        "failure",
        "warnings",
        "server_messages",
        "sse_resumptions",
        "ttl_ms",
        "cache_scope",
        "auth_findings",
        "tool",
        "tools",
        "pages",
        "result",
        "timings",
        "exchanges",
    )
    #: The step's name: ``auth`` (``check_auth``), ``handshake``, ``tools/list``, ``tools/call``.
    name: str
    #: ``pass``, ``warn``, ``fail`` or ``skip`` (after an earlier failure).
    status: str
    #: Time spent in the step, in milliseconds (0 for skipped steps).
    duration_ms: float
    #: HTTP status of the step's last exchange, when there was one.
    http_status: Optional[int]
    #: Number of HTTP requests the step made.
    requests: int
    #: Why the step failed.
    failure: Optional[Failure]
    #: Warnings raised during this step (also in the report's ``warnings``).
    warnings: Tuple[Warning, ...]
    #: Notifications and requests the server sent while the step waited for its answer.
    server_messages: Tuple[ServerMessage, ...]
    #: How often an SSE answer was resumed (GET with ``Last-Event-ID``) after the stream closed.
    sse_resumptions: Optional[int]
    #: For 2026-07-28 results: how long the result may be cached, in milliseconds (``ttlMs``).
    ttl_ms: Optional[int]
    #: For 2026-07-28 results: who may share a cached result (``cacheScope``).
    cache_scope: Optional[str]
    #: For ``checkAuth``: every finding, in the order the checks ran.
    auth_findings: Optional[Tuple[AuthFinding, ...]]
    #: For ``tools/call``: the tool called.
    tool: Optional[str]
    #: For ``tools/list``: the tools listed, across all pages.
    tools: Optional[Tuple[ToolInfo, ...]]
    #: For ``tools/list``: the number of pages read.
    pages: Optional[int]
    #: For ``tools/call``: what the tool returned.
    result: Optional[CallResult]
    #: Where the step's time went (summed over its HTTP exchanges), when it made any.
    timings: Optional[Timings]
    #: Each HTTP exchange of the step with its timings, in order.
    exchanges: Tuple[Exchange, ...]

    _FIELDS = {
        "name": _str("name"),
        "status": _str("status"),
        "duration_ms": lambda data: float(data.get("durationMs", 0.0)),
        "http_status": _opt_int("httpStatus"),
        "requests": lambda data: int(data.get("requests", 0)),
        "failure": _part(Failure, "failure"),
        "warnings": _parts(Warning, "warnings"),
        "server_messages": _parts(ServerMessage, "serverMessages"),
        "sse_resumptions": _opt_int("sseResumptions"),
        "ttl_ms": _opt_int("ttlMs"),
        "cache_scope": _opt_str("cacheScope"),
        "auth_findings": _opt_parts(AuthFinding, "authFindings"),
        "tool": _opt_str("tool"),
        "tools": _opt_parts(ToolInfo, "tools"),
        "pages": _opt_int("pages"),
        "result": _part(CallResult, "result"),
        "timings": _part(Timings, "timings"),
        "exchanges": _parts(Exchange, "exchanges"),
    }

    @property
    def ok(self) -> bool:
        """Whether the step passed (``pass`` or ``warn``)."""
        return self.status in ("pass", "warn")

    def __repr__(self) -> str:
        extra = f", failure={self.failure!r}" if self.failure is not None else ""
        return f"StepReport(name={self.name!r}, status={self.status!r}, duration_ms={self.duration_ms!r}{extra})"


class Report(_Part):
    """What a probe found. A failing server is a report with ``ok == False``, never an exception.

    ``to_dict()`` / ``to_json()`` give exactly the JSON ``mcp-probe check --format json`` prints.
    """

    __slots__ = (
        "schema_version",
        "ok",
        "target",
        "transport",
        "era",
        "protocol_version",
        "negotiation",
        "server",
        "started_at",
        "duration_ms",
        "steps",
        "failure",
        "warnings",
        "session",
        "stderr",
        "tls",
        "auth",
    )
    #: Version of the report's JSON shape.
    schema_version: int
    #: ``True`` when every step passed (warnings allowed).
    ok: bool
    #: The probed URL with credentials and query values redacted; for stdio
    #: ``stdio:<program> (N arguments)`` (arguments are not shown: they may hold secrets).
    target: str
    #: The transport that was spoken: ``streamable-http``, ``sse`` (legacy HTTP+SSE) or ``stdio``.
    transport: str
    #: The protocol era that was spoken, once known (``handshake`` or ``modern``).
    era: Optional[str]
    #: The negotiated protocol version, once known.
    protocol_version: Optional[str]
    #: How the era was chosen, and the evidence.
    negotiation: Optional[Negotiation]
    #: What the server says it is, once known.
    server: Optional[ServerInfo]
    #: When the probe started (RFC 3339, UTC).
    started_at: str
    #: Wall-clock duration of the whole probe, in milliseconds.
    duration_ms: float
    #: One entry per scenario step, in order; steps after a failure are ``skip``.
    steps: Tuple[StepReport, ...]
    #: The first failure, if any (the same as its step's).
    failure: Optional[Failure]
    #: Things worth knowing that did not fail the probe.
    warnings: Tuple[Warning, ...]
    #: What happened to the MCP session.
    session: SessionFacts
    #: stdio targets only: the end of what the server wrote to stderr (at most 8 KiB).
    stderr: Optional[str]
    #: HTTPS targets: the server's certificate (subject, issuer, validity, days left, verdict).
    tls: Optional[TlsFacts]
    #: OAuth client credentials only: how the access token was obtained.
    auth: Optional[AuthFacts]

    _FIELDS = {
        "schema_version": lambda data: int(data.get("schemaVersion", 0)),
        "ok": lambda data: data.get("ok") is True,
        "target": _str("target"),
        "transport": _str("transport"),
        "era": _opt_str("era"),
        "protocol_version": _opt_str("protocolVersion"),
        "negotiation": _part(Negotiation, "negotiation"),
        "server": _part(ServerInfo, "server"),
        "started_at": _str("startedAt"),
        "duration_ms": lambda data: float(data.get("durationMs", 0.0)),
        "steps": _parts(StepReport, "steps"),
        "failure": _part(Failure, "failure"),
        "warnings": _parts(Warning, "warnings"),
        "session": lambda data: SessionFacts._wrap(data.get("session", {})),
        "stderr": _opt_str("stderr"),
        "tls": _part(TlsFacts, "tls"),
        "auth": _part(AuthFacts, "auth"),
    }

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """A report from its JSON text (e.g. saved output of ``mcp-probe check --format json``)."""
        return cls._wrap(json.loads(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """A report from its JSON object (what :meth:`to_dict` returns); the mapping is copied."""
        return cls(data)

    @property
    def failed_step(self) -> StepReport | None:
        """The step that failed, if any."""
        return next((s for s in self.steps if s.status == "fail"), None)

    def step(self, name: str) -> StepReport | None:
        """The first step called ``name`` (``auth``, ``handshake``, ``tools/list``, ``tools/call``), if any."""
        return next((s for s in self.steps if s.name == name), None)

    def __repr__(self) -> str:
        steps = ", ".join(f"{s.name}:{s.status}" for s in self.steps)
        failure = f", failure={self.failure!r}" if self.failure is not None else ""
        return f"Report(ok={self.ok!r}, target={self.target!r}, steps=[{steps}]{failure})"
