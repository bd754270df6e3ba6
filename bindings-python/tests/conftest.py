"""Servers the tests probe: the testkit fixture binary and the official Python SDK server.

* ``fixture`` (session): ``mcp-probe-fixture`` from ``MCP_PROBE_FIXTURE_BIN`` or
  ``<repo>/target/debug/mcp-probe-fixture`` (``cargo build -p mcp-probe-testkit``); every mode
  at ``fixture.url(mode)``.
* ``sdk_server`` / ``sdk_server_json`` (session): ``interop/python/server.py`` run by
  ``MCP_PROBE_PEER_PYTHON`` or ``<repo>/interop/.venv/bin/python`` (``interop/setup.sh``).
  Skipped when that interpreter is missing, except under CI (``CI`` set), where it fails.
* ``stdio_fixture_bin``: ``mcp-probe-stdio-fixture`` (a stdio server; its one argument is the
  mode) from ``MCP_PROBE_STDIO_FIXTURE_BIN`` or ``<repo>/target/debug``.
* ``cli_bin``: the ``mcp-probe`` CLI from ``MCP_PROBE_CLI_BIN`` or ``<repo>/target/debug``.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path
from typing import IO, Iterator, List, Optional

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def _executable(env: str, default: Path, hint: str) -> Path:
    path = Path(os.environ.get(env) or default)
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"{path} not found: {hint} (or set {env})", pytrace=False)
    return path


def _read_line(stream: IO[bytes], deadline: float) -> Optional[str]:
    """One line of a child's stdout, or None at end of file; fails after the deadline."""
    fd = stream.fileno()
    chunks: List[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail("a server did not print its port in time", pytrace=False)
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        byte = os.read(fd, 1)
        if not byte:
            return None
        if byte == b"\n":
            return b"".join(chunks).decode()
        chunks.append(byte)


class Server:
    """A child process serving MCP on 127.0.0.1; it exits when its stdin closes."""

    def __init__(self, argv: List[str], port_prefix: str) -> None:
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        for _ in range(100):
            line = _read_line(self.process.stdout, deadline)
            if line is None:
                self.stop()
                pytest.fail(f"{argv[0]} exited before printing its port", pytrace=False)
            if line.strip().startswith(port_prefix):
                self.port = int(line.strip()[len(port_prefix) :])
                break
        else:
            self.stop()
            pytest.fail(f"{argv[0]} never printed its port", pytrace=False)

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Fixture(Server):
    """The testkit's fixture server: one behaviour per path."""

    def url(self, mode: str = "json") -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/mcp"

    def sse_url(self, mode: str = "legacy") -> str:
        """The event stream of a legacy HTTP+SSE mode."""
        return f"http://127.0.0.1:{self.port}/{mode}/sse"


class SdkServer(Server):
    """The official Python SDK server (tools ``add``, ``echo``, ``fail``)."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"


@pytest.fixture(scope="session")
def fixture_bin() -> Path:
    return _executable(
        "MCP_PROBE_FIXTURE_BIN",
        REPO / "target" / "debug" / "mcp-probe-fixture",
        "run `cargo build -p mcp-probe-testkit`",
    )


@pytest.fixture(scope="session")
def fixture(fixture_bin: Path) -> Iterator[Fixture]:
    server = Fixture([str(fixture_bin), "--exit-on-stdin-eof"], port_prefix="")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def stdio_fixture_bin() -> Path:
    return _executable(
        "MCP_PROBE_STDIO_FIXTURE_BIN",
        REPO / "target" / "debug" / "mcp-probe-stdio-fixture",
        "run `cargo build -p mcp-probe-testkit`",
    )


@pytest.fixture(scope="session")
def cli_bin() -> Path:
    return _executable(
        "MCP_PROBE_CLI_BIN",
        REPO / "target" / "debug" / "mcp-probe",
        "run `cargo build -p mcp-probe-cli`",
    )


def _peer_python() -> Path:
    path = Path(os.environ.get("MCP_PROBE_PEER_PYTHON") or REPO / "interop" / ".venv" / "bin" / "python")
    if not path.is_file():
        message = f"{path} not found: run interop/setup.sh (or set MCP_PROBE_PEER_PYTHON)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def _sdk_server(*flags: str) -> SdkServer:
    script = REPO / "interop" / "python" / "server.py"
    if not script.is_file():
        pytest.fail(f"{script} not found", pytrace=False)
    argv = [str(_peer_python()), str(script), "--port", "0", "--exit-on-stdin-eof", *flags]
    return SdkServer(argv, port_prefix="PORT=")


@pytest.fixture(scope="session")
def sdk_server() -> Iterator[SdkServer]:
    """The SDK server answering with SSE streams (its default)."""
    server = _sdk_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sdk_server_json() -> Iterator[SdkServer]:
    """The SDK server answering with application/json (``--json-response``)."""
    server = _sdk_server("--json-response")
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
