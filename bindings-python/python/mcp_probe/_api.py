"""The public entry points: ``check``, ``check_async``, ``Scenario`` (and its sessions) and
``assert_healthy``.

Keyword options are checked for their Python types here, then handed to the native
``build_scenario`` as the engine's options model (the one ``mcp-probe check``'s flags fill in),
which owns every rule about them; everything else (parsing scenario documents, validation,
probing) is the engine's too.
"""

from __future__ import annotations

import json
import math
import os
import urllib.parse
from types import TracebackType
from typing import Any, Callable, Generator, Literal, Mapping, Optional, Sequence, TypedDict, Union

from . import _native
from ._native import ConfigError, ScenarioError
from ._report import Report

__all__ = [
    "AsyncSession",
    "CheckOptions",
    "Scenario",
    "ScenarioSource",
    "Session",
    "assert_healthy",
    "check",
    "check_async",
]

#: What ``scenario=`` accepts: a :class:`Scenario`, a scenario document (a mapping, the same
#: shape as the CLI's ``--scenario`` file), or the path of a ``.json``/``.yaml``/``.yml`` file.
ScenarioSource = Union["Scenario", Mapping[str, Any], str, "os.PathLike[str]"]

def _config_error(message: str, code: str = "invalid_option") -> ConfigError:
    error = ConfigError(message)
    error.code = code
    return error


def _scenario_error(message: str) -> ScenarioError:
    error = ScenarioError(message)
    error.code = "invalid_scenario"
    return error


def _type_name(value: object) -> str:
    return type(value).__name__


# Each keyword option's Python type check; what it returns goes to the engine's options model
# under the option's canonical (camelCase) name, where every other rule is checked.


def _str(name: str, value: object) -> object:
    if isinstance(value, str):
        return value
    raise _config_error(f"`{name}` must be a str, got {_type_name(value)}")


def _path(name: str, value: object) -> object:
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if isinstance(path, str):
            return path
    raise _config_error(f"`{name}` must be a path (str or os.PathLike[str]), got {_type_name(value)}")


def _millis(name: str, value: object) -> object:
    """Seconds, as the engine's milliseconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _config_error(f"`{name}` must be a number of seconds, got {_type_name(value)}")
    if not math.isfinite(value) or value <= 0:
        raise _config_error(f"`{name}` must be a positive number of seconds, got {value!r}")
    return value * 1000


def _int(name: str, value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _config_error(f"`{name}` must be an int, got {_type_name(value)}")
    return value


def _flag(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise _config_error(f"`{name}` must be a bool, got {_type_name(value)}")
    return value


def _json(name: str, value: object, error: Any = _config_error) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise error(f"`{name}` must be a dict (a JSON object), got {_type_name(value)}")
    try:
        json.dumps(dict(value), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise error(f"`{name}` is not JSON-serializable: {e}") from None
    return dict(value)


def _strings(name: str, value: object) -> object:
    if not isinstance(value, Mapping):
        raise _config_error(f"`{name}` must be a dict of str to str, got {_type_name(value)}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise _config_error(f"`{name}` must map str to str, got {_type_name(key)} -> {_type_name(item)}")
    return dict(value)


def _command(name: str, value: object) -> object:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise _config_error(
            "`command` must be a list of str: the program, then its arguments "
            f"(e.g. [\"python\", \"server.py\"]), got {_type_name(value)}"
        )
    argv = []
    for item in value:
        arg = os.fspath(item) if isinstance(item, (str, os.PathLike)) else None
        if not isinstance(arg, str):
            raise _config_error(f"`command` items must be str (or os.PathLike[str]), got {_type_name(item)}")
        argv.append(arg)
    return argv


#: The keyword options besides ``url`` and ``scenario``, with their type checks.
_OPTIONS: dict[str, Callable[[str, object], object]] = {
    "command": _command,
    "env": _strings,
    "cwd": _path,
    "transport": _str,
    "protocol": _str,
    "protocol_version": _str,
    "matrix": _flag,
    "tool": _str,
    "arguments": _json,
    "expect_text": _str,
    "expect_contains": _str,
    "allow_tool_error": _flag,
    "check_auth": _flag,
    "expect_surface": _path,
    "strict_schemas": _flag,
    "headers": _strings,
    "bearer_env": _str,
    "bearer_file": _path,
    "oauth_client_id": _str,
    "oauth_client_secret_env": _str,
    "oauth_client_secret_file": _path,
    "oauth_method": _str,
    "oauth_scope": _str,
    "oauth_token_url": _str,
    "oauth_flow": _str,
    "oauth_client_metadata_url": _str,
    "oauth_redirect_uri": _str,
    "oauth_refresh_token_env": _str,
    "oauth_refresh_token_file": _path,
    "ca_cert": _path,
    "client_cert": _path,
    "client_key": _path,
    "insecure": _flag,
    "cert_warn_days": _int,
    "cert_fail_days": _int,
    "follow_redirects": _str,
    "timeout": _millis,
    "connect_timeout": _millis,
    "request_timeout": _millis,
    "wait_until_ready": _millis,
    "max_body_bytes": _int,
    "max_sse_event_bytes": _int,
    "max_pages": _int,
}


def _camel(name: str) -> str:
    """The canonical name of a keyword option: ``oauth_scope`` is ``oauthScope``."""
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _build(url: object, o: Mapping[str, object]) -> str:
    """Checks the options' Python types and builds the scenario document (JSON text) natively.

    ``o`` holds every keyword option of :func:`check` by name (the caller's ``locals()``).
    """
    options: dict[str, object] = {} if url is None else {"url": _str("url", url)}
    document: str | None = None
    scenario = o["scenario"]
    if isinstance(scenario, Scenario):
        document = scenario._json
    elif isinstance(scenario, Mapping):
        document = json.dumps(_json("scenario", scenario, _scenario_error))
    elif isinstance(scenario, (str, os.PathLike)):
        options["scenario"] = _path("scenario", scenario)
    elif scenario is not None:
        raise _config_error(f"`scenario` must be a Scenario, a dict or a file path, got {_type_name(scenario)}")
    for name, convert in _OPTIONS.items():
        value = o[name]
        # `False` is a flag's default: not given.
        if value is not None and value is not False:
            options[_camel(name)] = convert(name, value)
    text = json.dumps(options)
    if "scenario" in options:
        # A scenario file is read anew on every call.
        return _native.build_scenario(text, document)
    key = (text, document)
    built = _BUILT.get(key)
    if built is None:
        built = _native.build_scenario(text, document)
        if len(_BUILT) >= _MAX_BUILT:
            _BUILT.clear()
        _BUILT[key] = built
    return built


# Scenario documents built from the same options (and document) before: building depends on
# them alone (files and environment variables are read when the probe runs, a scenario file
# excepted), and a test suite or a monitor loop calls check() with the same options again and
# again. Bounded; emptied at once when full.
_BUILT: dict[tuple[str, str | None], str] = {}
_MAX_BUILT = 64


def _document(url: object, options: Mapping[str, object]) -> str:
    """The scenario to run: a given :class:`Scenario` as is when nothing refines it, else built."""
    scenario = options["scenario"]
    if url is None and isinstance(scenario, Scenario) and _only_scenario(options):
        return scenario._json
    return _build(url, options)


class CheckOptions(TypedDict, total=False):
    """The keyword options of :func:`check`, :func:`check_async` and :class:`Scenario`.

    What each means is in :func:`check`'s docstring; they are the ``mcp-probe check`` flags of
    the same names (``command`` is ``--stdio -- COMMAND``, ``arguments`` is ``--args``).
    """

    scenario: Optional[ScenarioSource]
    command: Optional[Sequence[Union[str, "os.PathLike[str]"]]]
    env: Optional[Mapping[str, str]]
    cwd: Optional[Union[str, "os.PathLike[str]"]]
    transport: Optional[Literal["auto", "streamable-http", "sse", "stdio"]]
    tool: Optional[str]
    arguments: Optional[Mapping[str, Any]]
    expect_text: Optional[str]
    expect_contains: Optional[str]
    allow_tool_error: bool
    headers: Optional[Mapping[str, str]]
    bearer_env: Optional[str]
    bearer_file: Optional[Union[str, "os.PathLike[str]"]]
    oauth_client_id: Optional[str]
    oauth_client_secret_env: Optional[str]
    oauth_client_secret_file: Optional[Union[str, "os.PathLike[str]"]]
    oauth_method: Optional[Literal["basic", "post", "private-key-jwt"]]
    oauth_scope: Optional[str]
    oauth_token_url: Optional[str]
    oauth_flow: Optional[Literal["client-credentials", "authorization-code", "jwt-bearer"]]
    oauth_client_metadata_url: Optional[str]
    oauth_redirect_uri: Optional[str]
    oauth_refresh_token_env: Optional[str]
    oauth_refresh_token_file: Optional[Union[str, "os.PathLike[str]"]]
    check_auth: bool
    expect_surface: Optional[Union[str, "os.PathLike[str]"]]
    strict_schemas: bool
    ca_cert: Optional[Union[str, "os.PathLike[str]"]]
    client_cert: Optional[Union[str, "os.PathLike[str]"]]
    client_key: Optional[Union[str, "os.PathLike[str]"]]
    insecure: bool
    cert_warn_days: Optional[int]
    cert_fail_days: Optional[int]
    follow_redirects: Optional[Literal["none", "same-origin"]]
    timeout: Optional[float]
    connect_timeout: Optional[float]
    request_timeout: Optional[float]
    wait_until_ready: Optional[float]
    protocol: Optional[Literal["auto", "modern", "handshake"]]
    protocol_version: Optional[str]
    matrix: bool
    max_body_bytes: Optional[int]
    max_sse_event_bytes: Optional[int]
    max_pages: Optional[int]


class Scenario:
    """A probe to run: target, timeouts, limits and ordered steps with expectations.

    The same document as the CLI's ``--scenario`` file (and the Rust ``Scenario``), validated
    by the engine when made. Build one from keyword options like :func:`check`'s, from a
    scenario document (``Scenario.from_dict``) or from a YAML/JSON file (``Scenario.from_file``);
    options given with ``scenario=`` refine that document, as the CLI's flags refine its file::

        s = Scenario("http://127.0.0.1:8000/mcp", tool="add", arguments={"a": 2, "b": 3}, expect_text="5")
        report = s.check()
        local = Scenario(command=[sys.executable, "server.py"], cwd="services/search")

    Scenarios are immutable and can be reused and shared between threads and tasks.
    """

    __slots__ = ("_json",)
    _json: str

    def __init__(
        self,
        url: str | None = None,
        *,
        scenario: ScenarioSource | None = None,
        command: Sequence[str | os.PathLike[str]] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        transport: Literal["auto", "streamable-http", "sse", "stdio"] | None = None,
        tool: str | None = None,
        arguments: Mapping[str, Any] | None = None,
        expect_text: str | None = None,
        expect_contains: str | None = None,
        allow_tool_error: bool = False,
        headers: Mapping[str, str] | None = None,
        bearer_env: str | None = None,
        bearer_file: str | os.PathLike[str] | None = None,
        oauth_client_id: str | None = None,
        oauth_client_secret_env: str | None = None,
        oauth_client_secret_file: str | os.PathLike[str] | None = None,
        oauth_method: Literal["basic", "post", "private-key-jwt"] | None = None,
        oauth_scope: str | None = None,
        oauth_token_url: str | None = None,
        oauth_flow: Literal["client-credentials", "authorization-code", "jwt-bearer"] | None = None,
        oauth_client_metadata_url: str | None = None,
        oauth_redirect_uri: str | None = None,
        oauth_refresh_token_env: str | None = None,
        oauth_refresh_token_file: str | os.PathLike[str] | None = None,
        check_auth: bool = False,
        expect_surface: str | os.PathLike[str] | None = None,
        strict_schemas: bool = False,
        ca_cert: str | os.PathLike[str] | None = None,
        client_cert: str | os.PathLike[str] | None = None,
        client_key: str | os.PathLike[str] | None = None,
        insecure: bool = False,
        cert_warn_days: int | None = None,
        cert_fail_days: int | None = None,
        follow_redirects: Literal["none", "same-origin"] | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        request_timeout: float | None = None,
        wait_until_ready: float | None = None,
        protocol: Literal["auto", "modern", "handshake"] | None = None,
        protocol_version: str | None = None,
        matrix: bool = False,
        max_body_bytes: int | None = None,
        max_sse_event_bytes: int | None = None,
        max_pages: int | None = None,
    ) -> None:
        """Builds and validates a scenario; see :func:`check` for the options."""
        object.__setattr__(self, "_json", _build(url, locals()))

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Scenario:
        """A scenario from a document: ``{"target": {"url": …}, "timeouts": {"total": "10s"}, "steps": […]}``.

        Raises :class:`ScenarioError` if the engine rejects it (unknown field or step, …).
        """
        if not isinstance(document, Mapping):
            raise _scenario_error(f"a scenario document must be a dict, got {_type_name(document)}")
        return cls(scenario=document)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Scenario:
        """A scenario from a ``.json``, ``.yaml`` or ``.yml`` file (the CLI's ``--scenario``)."""
        if not isinstance(path, (str, os.PathLike)):
            raise _config_error(f"`path` must be a str or os.PathLike[str], got {_type_name(path)}")
        return cls(scenario=path)

    @property
    def url(self) -> str | None:
        """The target URL, if the scenario has one (``None`` for a stdio ``command``)."""
        target = json.loads(self._json).get("target") or {}
        url = target.get("url")
        return str(url) if url else None

    def to_dict(self) -> dict[str, Any]:
        """The scenario document as the engine writes it (camelCase keys, durations as text)."""
        result: dict[str, Any] = json.loads(self._json)
        return result

    def to_json(self, *, indent: int | None = None) -> str:
        """The scenario document as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)

    def check(self) -> Report:
        """Runs this scenario, blocking (the GIL is released meanwhile); see :func:`check`."""
        return Report._wrap(json.loads(_native.check(self._json)))

    async def check_async(self) -> Report:
        """Runs this scenario on the shared runtime; see :func:`check_async`."""
        return Report._wrap(json.loads(await _native.check_async(self._json)))

    def open(self) -> Session:
        """Opens an MCP session to this scenario's target (blocking): the handshake once, then
        :meth:`Session.run_steps` runs the steps after it as often as wanted over that session::

            with Scenario(url, tool="add", arguments={"a": 2, "b": 3}).open() as session:
                assert session.opening.ok, session.opening.failure
                for _ in range(100):
                    report = session.run_steps()  # tools/list and tools/call, one session

        Returns a session also when it cannot be opened: ``session.opening`` is then a failed
        report. ``wait_until_ready`` and ``matrix`` do not apply.
        """
        return Session(_native.open(self._json))

    def open_async(self) -> _Opening:
        """The asyncio form of :meth:`open`: an awaitable of an :class:`AsyncSession`, and an
        async context manager that closes it::

            async with Scenario(url, tool="add").open_async() as session:
                report = await session.run_steps()
        """
        return _Opening(self._json)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Scenario is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Scenario is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (_scenario_from_json, (self._json,))

    def __repr__(self) -> str:
        document = self.to_dict()
        steps = []
        for step in document.get("steps") or [{"step": "handshake"}, {"step": "listTools"}]:
            name = str(step.get("step"))
            steps.append(f"{name} {step['name']}" if "name" in step else name)
        command = (document.get("target") or {}).get("command")
        if command is not None:
            # The program only: arguments may carry secrets, as URLs and headers may.
            return f"Scenario(command={str(command.get('program'))!r}, steps={steps!r})"
        url = self.url
        return f"Scenario(url={None if url is None else _redact(url)!r}, steps={steps!r})"


class Session:
    """An MCP session opened by :meth:`Scenario.open`: the handshake done once, the steps after
    it run again and again with :meth:`run_steps`, all over this one session, until
    :meth:`close` (also on leaving a ``with`` block).

    Not shared between threads at once: calls wait for each other.
    """

    __slots__ = ("_native", "opening")

    def __init__(self, native: _native.Session) -> None:
        self._native = native
        #: The report of opening the session: its steps are the handshake (and an ``auth``
        #: check before it, if asked for). When ``opening.ok`` is false, the session did not
        #: open and runs nothing.
        self.opening: Report = Report._wrap(json.loads(native.opening))

    @property
    def usable(self) -> bool:
        """Whether :meth:`run_steps` can be used: the session opened, is not closed, and its
        last run passed or failed only by a tool's error or an expectation. Otherwise close it
        and open another."""
        return self._native.usable

    def run_steps(self) -> Report:
        """Runs the steps after the handshake once more over this session (blocking, the GIL
        released) and returns their report: ``steps`` holds only these, and the scenario's
        timeouts apply to each run. A failing server is a report, as with :func:`check`.

        Raises :class:`McpProbeError` with ``code == "session_closed"`` once the session is
        closed, or when it never opened.
        """
        return Report._wrap(json.loads(self._native.run_steps()))

    def close(self) -> Optional[str]:
        """Ends the session: a DELETE over Streamable HTTP, the stream closed over legacy
        HTTP+SSE, the stdio server and its process group stopped; within one second. Returns how,
        as a report's ``session.closed`` says it (``"deleted"``, ``"exited (code 0)"``, …), or
        ``None`` when there was nothing to end."""
        return self._native.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "usable" if self.usable else "not usable"
        return f"<{type(self).__name__} of {self.opening.target!r}, {state}>"


class AsyncSession(Session):
    """The asyncio form of :class:`Session` (from :meth:`Scenario.open_async`): the same
    session, its runs on the shared runtime. Cancelling an awaiting task stops the run, and
    the session is no longer usable."""

    __slots__ = ()

    async def run_steps(self) -> Report:  # type: ignore[override]
        """See :meth:`Session.run_steps`."""
        return Report._wrap(json.loads(await self._native.run_steps_async()))

    async def close(self) -> Optional[str]:  # type: ignore[override]
        """See :meth:`Session.close`."""
        return await self._native.close_async()

    async def __aenter__(self) -> AsyncSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


class _Opening:
    """What :meth:`Scenario.open_async` returns: awaited, the session; as an async context
    manager, the session, closed on leaving."""

    __slots__ = ("_json", "_session")

    def __init__(self, scenario: str) -> None:
        self._json = scenario
        self._session: AsyncSession | None = None

    async def _open(self) -> AsyncSession:
        return AsyncSession(await _native.open_async(self._json))

    def __await__(self) -> Generator[Any, None, AsyncSession]:
        return self._open().__await__()

    async def __aenter__(self) -> AsyncSession:
        self._session = await self._open()
        return self._session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()


def _redact(url: str) -> str:
    """The URL as it may be shown: user info and query values replaced (like the report's target)."""
    try:
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = "***@" + netloc.rsplit("@", 1)[1]
        query = "&".join(
            f"{pair.split('=', 1)[0]}=***" if "=" in pair else pair for pair in parts.query.split("&") if pair
        )
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return "<invalid URL>"


def _scenario_from_json(text: str) -> Scenario:
    """Unpickles a scenario (re-validated by the engine)."""
    return Scenario(scenario=json.loads(text))


def check(
    url: str | None = None,
    *,
    scenario: ScenarioSource | None = None,
    command: Sequence[str | os.PathLike[str]] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    transport: Literal["auto", "streamable-http", "sse", "stdio"] | None = None,
    tool: str | None = None,
    arguments: Mapping[str, Any] | None = None,
    expect_text: str | None = None,
    expect_contains: str | None = None,
    allow_tool_error: bool = False,
    headers: Mapping[str, str] | None = None,
    bearer_env: str | None = None,
    bearer_file: str | os.PathLike[str] | None = None,
    oauth_client_id: str | None = None,
    oauth_client_secret_env: str | None = None,
    oauth_client_secret_file: str | os.PathLike[str] | None = None,
    oauth_method: Literal["basic", "post", "private-key-jwt"] | None = None,
    oauth_scope: str | None = None,
    oauth_token_url: str | None = None,
    oauth_flow: Literal["client-credentials", "authorization-code", "jwt-bearer"] | None = None,
    oauth_client_metadata_url: str | None = None,
    oauth_redirect_uri: str | None = None,
    oauth_refresh_token_env: str | None = None,
    oauth_refresh_token_file: str | os.PathLike[str] | None = None,
    check_auth: bool = False,
    expect_surface: str | os.PathLike[str] | None = None,
    strict_schemas: bool = False,
    ca_cert: str | os.PathLike[str] | None = None,
    client_cert: str | os.PathLike[str] | None = None,
    client_key: str | os.PathLike[str] | None = None,
    insecure: bool = False,
    cert_warn_days: int | None = None,
    cert_fail_days: int | None = None,
    follow_redirects: Literal["none", "same-origin"] | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    request_timeout: float | None = None,
    wait_until_ready: float | None = None,
    protocol: Literal["auto", "modern", "handshake"] | None = None,
    protocol_version: str | None = None,
    matrix: bool = False,
    max_body_bytes: int | None = None,
    max_sse_event_bytes: int | None = None,
    max_pages: int | None = None,
) -> Report:
    """Probes an MCP server the way an LLM client uses it and returns what it found.

    Runs handshake → ``tools/list`` → (with ``tool``) ``tools/call``, or the steps of
    ``scenario``. Blocks with the GIL released. A failing server is a :class:`Report` with
    ``ok == False``; exceptions are only for the caller's mistakes (:class:`ConfigError`,
    :class:`ScenarioError`, both :class:`McpProbeError` with a ``code``).

    Args:
        url: The server's endpoint (``http://`` or ``https://``): the Streamable HTTP endpoint,
            or with ``transport="sse"`` the legacy HTTP+SSE event stream. Optional when
            ``scenario`` names a target; replaces its URL otherwise.
        scenario: A :class:`Scenario`, a scenario document (dict) or a YAML/JSON file path;
            the other options refine it.
        command: Probe a local server over stdio instead of a URL: start this program with
            these arguments (``[sys.executable, "server.py"]``) and speak newline-delimited
            JSON-RPC on its stdin/stdout. Not together with ``url``; replaces the target of
            ``scenario``. The end of its stderr is in ``Report.stderr``.
        env: Environment variables for ``command``, added to (or replacing in) the inherited
            environment. Values are never shown in reports or errors.
        cwd: The working directory of ``command`` (default: the current one).
        transport: ``"auto"`` (the default: Streamable HTTP for a URL, falling back to legacy
            HTTP+SSE when ``initialize`` is refused; stdio for ``command``),
            ``"streamable-http"``, ``"sse"`` (legacy 2024-11-05; ``url`` is the event
            stream) or ``"stdio"``.
        tool: Call this tool after listing tools (it must be listed).
        arguments: The tool's arguments (a JSON-serializable dict; default ``{}``).
        expect_text: The tool's text result must equal this.
        expect_contains: The tool's text result must contain this.
        allow_tool_error: Accept a tool result with ``isError: true``.
        headers: Extra headers for every request. Values are never shown in reports or errors.
        bearer_env: Send ``Authorization: Bearer <token>`` read from this environment variable.
        bearer_file: … or read from this file (not together with ``bearer_env``).
        oauth_client_id: OAuth client credentials: get an access token as this client and
            send it as the bearer token (not together with ``bearer_env``/``bearer_file`` or
            an ``Authorization`` header). Needs ``oauth_client_secret_env`` or
            ``oauth_client_secret_file``; ``Report.auth`` says how the token was obtained.
        oauth_client_secret_env: The client secret, read from this environment variable.
        oauth_client_secret_file: … or read from this file.
        oauth_method: How the client authenticates to the token endpoint: ``"basic"``
            (``client_secret_basic``, the default), ``"post"`` (``client_secret_post``) or
            ``"private-key-jwt"`` (a JWT signed with the client's private key, which the
            secret options then hold as PEM: EC P-256, EC P-384 or RSA).
        oauth_scope: The scope to ask the token endpoint for.
        oauth_token_url: The token endpoint (default: discovered from the server's 401
            challenge, its protected resource metadata and its authorization server's metadata).
        oauth_flow: The OAuth grant: ``"client-credentials"`` (the default with
            ``oauth_client_id``) or ``"authorization-code"``: headless, with PKCE, only for
            authorization servers that approve without a person (a login page fails the probe
            with ``auth_token``); the client is registered on the fly unless
            ``oauth_client_id`` is given; or ``"jwt-bearer"``: workload identity, the secret
            options holding the JWT the workload's platform issued (RFC 7523).
        oauth_client_metadata_url: Authorization-code flow: this client ID metadata document
            URL (https) as the client id, when the authorization server supports them.
        oauth_redirect_uri: Authorization-code flow: the loopback redirect URI (default
            ``http://127.0.0.1/callback``; the code is read from the redirect, nothing listens).
        oauth_refresh_token_env: Authorization-code flow: refresh this grant instead of
            authorizing, the refresh token read from this environment variable (needs
            ``oauth_client_id``).
        oauth_refresh_token_file: … or read from this file.
        check_auth: Check the server's authorization set-up without credentials: the 401
            challenge, protected-resource and authorization-server metadata, PKCE S256 (an
            ``auth`` step whose ``auth_findings`` list each check). Without credentials
            (``bearer_*``, ``oauth_client_id``, an ``Authorization`` header), ``tool`` and
            ``scenario`` it is the only step; otherwise it runs first.
        expect_surface: A surface snapshot file (``mcp-probe snapshot``): also list resources,
            resource templates and prompts, fail with ``surface_changed`` on a change that
            breaks clients (a tool or parameter removed, a required parameter added, …) and
            warn (``surface_changed_compatible``) on compatible ones.
        strict_schemas: Fail the tool listing when a tool's ``inputSchema`` is not valid JSON
            Schema (default: the warning ``invalid_input_schema``).
        ca_cert: Also trust the CA certificates in this PEM file (besides the system's and
            Mozilla's roots).
        client_cert: Client certificate (PEM, with intermediates) for mutual TLS; needs
            ``client_key``.
        client_key: The private key (PEM) of ``client_cert``.
        insecure: Accept any TLS certificate. It is still reported (``Report.tls``) and every
            report carries the warning ``insecure_tls``.
        cert_warn_days: Warn (``cert_expiring``) when the TLS certificate expires in fewer
            than this many days (default 14; 0: never).
        cert_fail_days: Fail (``cert_expiring``) when it expires in fewer than this many days.
        follow_redirects: ``"none"`` (the default: a redirect fails with its location) or
            ``"same-origin"`` (307/308 within the same scheme, host and port, at most 5;
            credentials never go to another origin).
        timeout: Limit for the whole probe, in seconds (default 10).
        connect_timeout: Limit for establishing a connection, in seconds (default 5).
        request_timeout: Limit for each request, in seconds (default: ``timeout``).
        wait_until_ready: Repeat the whole probe until it is healthy or this many seconds have
            passed, with backoff between attempts (each attempt keeps its own limits); the
            report then has ``attempts`` (and ``first_failure`` when the first attempt failed
            differently).
        protocol: The protocol era: ``"auto"`` (try the 2026-07-28 ``server/discover``, fall
            back to ``initialize``; the default), ``"modern"`` or ``"handshake"``.
        protocol_version: Ask for this protocol version and accept only it.
        matrix: Also run the probe in every era, protocol version and transport the target
            could speak; ``Report.matrix`` has one entry each. The verdict stays the probe's as
            asked for. Not together with ``protocol_version``.
        max_body_bytes: Largest response body or SSE stream accepted (default 16 MiB).
        max_sse_event_bytes: Largest single SSE event accepted (default 16 MiB).
        max_pages: Most pages ``tools/list`` follows (default 100).

    The TLS options and ``follow_redirects`` apply to URLs only; ``headers``, ``bearer_*``
    and ``oauth_*`` too. Options that need another (``env`` → ``command``, ``arguments`` →
    ``tool``, ``oauth_scope`` → ``oauth_client_id``, …) or exclude one another raise
    :class:`ConfigError` (``invalid_option``), as the CLI's usage errors do; what the engine
    finds wrong with the resulting scenario raises its own error (e.g. OAuth credentials with
    a bearer token from a scenario document: :class:`ScenarioError`).

    Example::

        report = mcp_probe.check("http://127.0.0.1:8000/mcp", tool="add", arguments={"a": 2, "b": 3})
        assert report.ok, report.failure
        report = mcp_probe.check(command=[sys.executable, "server.py"], env={"LOG": "debug"})
    """
    document = _document(url, locals())
    return Report._wrap(json.loads(_native.check(document)))


async def check_async(
    url: str | None = None,
    *,
    scenario: ScenarioSource | None = None,
    command: Sequence[str | os.PathLike[str]] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    transport: Literal["auto", "streamable-http", "sse", "stdio"] | None = None,
    tool: str | None = None,
    arguments: Mapping[str, Any] | None = None,
    expect_text: str | None = None,
    expect_contains: str | None = None,
    allow_tool_error: bool = False,
    headers: Mapping[str, str] | None = None,
    bearer_env: str | None = None,
    bearer_file: str | os.PathLike[str] | None = None,
    oauth_client_id: str | None = None,
    oauth_client_secret_env: str | None = None,
    oauth_client_secret_file: str | os.PathLike[str] | None = None,
    oauth_method: Literal["basic", "post", "private-key-jwt"] | None = None,
    oauth_scope: str | None = None,
    oauth_token_url: str | None = None,
    oauth_flow: Literal["client-credentials", "authorization-code", "jwt-bearer"] | None = None,
    oauth_client_metadata_url: str | None = None,
    oauth_redirect_uri: str | None = None,
    oauth_refresh_token_env: str | None = None,
    oauth_refresh_token_file: str | os.PathLike[str] | None = None,
    check_auth: bool = False,
    expect_surface: str | os.PathLike[str] | None = None,
    strict_schemas: bool = False,
    ca_cert: str | os.PathLike[str] | None = None,
    client_cert: str | os.PathLike[str] | None = None,
    client_key: str | os.PathLike[str] | None = None,
    insecure: bool = False,
    cert_warn_days: int | None = None,
    cert_fail_days: int | None = None,
    follow_redirects: Literal["none", "same-origin"] | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    request_timeout: float | None = None,
    wait_until_ready: float | None = None,
    protocol: Literal["auto", "modern", "handshake"] | None = None,
    protocol_version: str | None = None,
    matrix: bool = False,
    max_body_bytes: int | None = None,
    max_sse_event_bytes: int | None = None,
    max_pages: int | None = None,
) -> Report:
    """The asyncio form of :func:`check`: same options, same report.

    The probe runs on one shared Rust runtime, so many concurrent calls are cheap (no thread
    per call). Cancelling the awaiting task stops the probe and drops its connections.

    Example::

        reports = await asyncio.gather(*(mcp_probe.check_async(u) for u in urls))
    """
    document = _document(url, locals())
    return Report._wrap(json.loads(await _native.check_async(document)))


def _only_scenario(options: Mapping[str, object]) -> bool:
    """Whether no option besides ``scenario`` was given (so the Scenario is used as is)."""
    return all(
        value is None or value is False for name, value in options.items() if name not in ("url", "scenario")
    )


def assert_healthy(report: Report, *, allow_warnings: bool = True) -> Report:
    """Asserts that the probe passed; returns the report so calls can be chained.

    Raises ``AssertionError`` whose message names the failing step, the failure code and the
    reason, e.g. ``MCP probe failed at step tools/call (tool_error): tools/call add: the tool
    reported an error: database connection refused``, followed by the target, each step's
    outcome and the failure's details. With ``allow_warnings=False`` warnings fail it too.
    """
    __tracebackhide__ = True
    if not isinstance(report, Report):
        raise TypeError(f"assert_healthy expects a mcp_probe.Report, got {_type_name(report)}")
    if report.ok and (allow_warnings or not report.warnings):
        return report
    lines = []
    failure = report.failure
    if failure is not None:
        lines.append(f"MCP probe failed at step {failure.step or '?'} ({failure.code}): {failure.message}")
    else:
        summary = "; ".join(f"{w.step or '-'} ({w.code}): {w.message}" for w in report.warnings)
        lines.append(f"MCP probe passed with warnings: {summary}")
    lines.append(f"  target: {report.target}")
    steps = ", ".join(f"{s.name} {s.status}" + (f" {s.duration_ms:.1f} ms" if s.status != "skip" else "") for s in report.steps)
    lines.append(f"  steps: {steps}")
    if failure is not None and failure.details:
        lines.append(f"  details: {json.dumps(failure.details, sort_keys=True)}")
    raise AssertionError("\n".join(lines))
