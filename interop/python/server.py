"""A small MCP server built on the official Python SDK (`mcp` 2.x).

mcp-probe's interop tests run against it. It offers three tools, each with an
``outputSchema`` and structured output (``{"result": …}``) from its return type:

* ``add(a, b)``  -> the sum, as text (``add(2, 3)`` -> ``"5"``)
* ``echo(text)`` -> the text unchanged
* ``fail()``     -> raises ToolError, which the SDK turns into a ``tools/call``
                    result with ``isError: true`` and the text
                    ``"this tool always fails"`` (not a JSON-RPC error)

a resource ``probe://status`` (JSON), a resource template ``probe://greeting/{name}``
and a prompt ``review(code)``.

For the HTTP transports the server binds its listening socket itself, then
prints exactly one line ``PORT=<n>`` on stdout (flushed) before serving, so a
caller can ask for ``--port 0`` and learn the port without a race.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer(name="mcp-probe-interop-python", version="1.0.0", log_level="WARNING")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


@server.tool()
def fail() -> str:
    """Always fail: the tool runs and reports an error result."""
    # ToolError is the SDK's way to report a tool failure: the SDK answers a
    # result with isError: true and this message as its text.
    raise ToolError("this tool always fails")


@server.resource("probe://status", name="status", description="The server's status.", mime_type="application/json")
def status() -> str:
    """The server's status as JSON."""
    return '{"status": "ok", "version": "1.0.0"}'


@server.resource("probe://greeting/{name}", name="greeting", description="A greeting for a name.")
def greeting(name: str) -> str:
    """A greeting for ``name``."""
    return f"Hello, {name}!"


@server.prompt()
def review(code: str) -> str:
    """Ask for a review of some code."""
    return f"Please review this code:\n\n{code}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--transport",
        choices=["streamable-http", "sse", "stdio"],
        default="streamable-http",
        help="streamable-http (endpoint /mcp), sse = legacy 2024-11-05 HTTP+SSE (GET /sse), or stdio",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    parser.add_argument(
        "--json-response",
        action="store_true",
        help="answer POSTed requests with application/json instead of text/event-stream",
    )
    parser.add_argument("--stateless", action="store_true", help="stateless Streamable HTTP (no Mcp-Session-Id)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="exit as soon as stdin is closed")
    return parser.parse_args(argv)


def watch_stdin() -> None:
    """Exit the whole process once stdin reaches end of file."""

    def wait_for_eof() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=wait_for_eof, name="stdin-eof", daemon=True).start()


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening now means connections made after the PORT= line queue in the
    # backlog until uvicorn starts accepting them.
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.exit_on_stdin_eof and args.transport != "stdio":
        watch_stdin()

    if args.transport == "stdio":
        server.run("stdio")
        return

    if args.transport == "sse":
        app = server.sse_app(host=args.host)
    else:
        app = server.streamable_http_app(
            json_response=args.json_response,
            stateless_http=args.stateless,
            host=args.host,
        )

    sock = bind(args.host, args.port)
    print(f"PORT={sock.getsockname()[1]}", flush=True)

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:])
