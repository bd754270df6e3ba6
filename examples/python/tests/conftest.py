"""Fixtures of the sample suite: the MCP server under test, started once per session.

In your project, start your own server here (``[sys.executable, "-m", "my_server"]``, a
container, a docker-compose service) and yield its URL. This sample starts the repository's
fixture server, whose path picks a behaviour: ``/json/mcp`` is healthy, ``/tool_is_error/mcp``
answers every tool call with an error.
"""

from __future__ import annotations

import os
import subprocess
from typing import Iterator

import pytest


@pytest.fixture(scope="session")
def server_base_url() -> Iterator[str]:
    """Starts the server under test and yields its base URL; stops it after the session."""
    binary = os.environ.get("MCP_PROBE_FIXTURE_BIN", "mcp-probe-fixture")
    proc = subprocess.Popen([binary, "--exit-on-stdin-eof"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()  # the server prints its port first, then serves
        if not port.isdigit():
            pytest.fail("the server under test did not start (printed %r)" % port)
        yield "http://127.0.0.1:%s" % port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def server_url(server_base_url: str) -> str:
    """The healthy MCP endpoint."""
    return server_base_url + "/json/mcp"
