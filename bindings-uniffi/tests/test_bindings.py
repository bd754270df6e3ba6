"""The UniFFI bindings, exercised through UniFFI's Python generator (no Kotlin compiler or
Swift toolchain installs from the registries this project uses; the Python sources come from
the same library metadata as the Kotlin and Swift ones).

Run by run-tests.sh, which generates ``mcp_probe_uniffi.py`` next to the built library and
puts that directory on ``sys.path``. Servers: the fixture server binary
(``MCP_PROBE_FIXTURE_BIN``) and, for cancellation, a loopback listener that never answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import unittest

import mcp_probe_uniffi as mp

#: A bound for each probe here; none should come near it.
BOUND = 20.0


class Fixture:
    """The fixture server in a child process; its port is the first line it prints."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [os.environ["MCP_PROBE_FIXTURE_BIN"], "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().strip())

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/mcp"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=BOUND)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, BOUND))


def check(**options) -> mp.ProbeReport:
    return run(mp.check(json.dumps(options)))


class BindingsTest(unittest.TestCase):
    fixture: Fixture

    @classmethod
    def setUpClass(cls) -> None:
        cls.fixture = Fixture()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.fixture.close()

    def test_healthy(self) -> None:
        url = self.fixture.url("json")
        report = check(url=url, tool="add", arguments={"a": 2, "b": 3}, expectText="5")
        self.assertTrue(report.ok)
        self.assertIsNone(report.failure)
        self.assertEqual(report.target, url)
        self.assertEqual(report.transport, "streamable-http")
        self.assertEqual(report.protocol_version, "2025-11-25")
        self.assertEqual([(s.name, s.status) for s in report.steps],
                         [("handshake", "pass"), ("tools/list", "pass"), ("tools/call", "pass")])
        whole = json.loads(report.json)
        self.assertEqual(whole["schemaVersion"], mp.report_schema_version())
        self.assertEqual(whole["steps"][2]["result"]["text"], "5")

    def test_tool_error_is_a_report(self) -> None:
        report = check(url=self.fixture.url("tool_is_error"), tool="add", arguments={"a": 1, "b": 1})
        self.assertFalse(report.ok)
        self.assertEqual(report.failure, mp.ProbeFailure(
            code="tool_error",
            family="tool",
            step="tools/call",
            message="tools/call add: the tool reported an error: database connection refused",
        ))
        self.assertEqual(report.steps[2].status, "fail")

    def test_timeout_is_a_report(self) -> None:
        started = time.monotonic()
        report = check(url=self.fixture.url("hang"), timeout="500ms")
        self.assertLess(time.monotonic() - started, 10)
        self.assertIsNotNone(report.failure)
        self.assertEqual((report.failure.code, report.failure.family), ("timeout", "timeout"))

    def test_scenario_document(self) -> None:
        document = (
            f"target: {{url: \"{self.fixture.url('json')}\"}}\n"
            "steps:\n  - {step: callTool, name: echo, arguments: {text: hi}, expect: {textEquals: hi}}\n"
        )
        report = run(mp.check_scenario(document))
        self.assertTrue(report.ok, report.json)
        with self.assertRaises(mp.ProbeError.Config) as caught:
            run(mp.check_scenario("steps: []\n"))
        self.assertEqual(caught.exception.code, "invalid_url")

    def test_a_bad_option_is_a_typed_error(self) -> None:
        with self.assertRaises(mp.ProbeError.Config) as caught:
            check(url=self.fixture.url("json"), timeout="soon")
        self.assertEqual(caught.exception.code, "invalid_option")
        self.assertIn("`timeout`", caught.exception.message)
        with self.assertRaises(mp.ProbeError.Config) as caught:
            check(url="ftp://example.com/mcp")
        self.assertEqual(caught.exception.code, "invalid_url")

    def test_cancellation_ends_the_probe_and_its_connection(self) -> None:
        async def scenario() -> None:
            connected = asyncio.Event()
            closed = asyncio.Event()

            async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                connected.set()
                # Read until the probe closes the connection: that is how it ends.
                while await reader.read(4096):
                    pass
                closed.set()
                writer.close()

            server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            cancellation = mp.Cancellation()
            probe = asyncio.ensure_future(
                mp.check(json.dumps({"url": f"http://127.0.0.1:{port}/mcp", "timeout": "60s"}), cancellation)
            )
            await connected.wait()
            self.assertFalse(cancellation.is_cancelled())
            cancellation.cancel()
            self.assertTrue(cancellation.is_cancelled())
            with self.assertRaises(mp.ProbeError.Cancelled):
                await probe
            await closed.wait()
            server.close()
            await server.wait_closed()
            # A cancelled Cancellation stops later probes at once.
            with self.assertRaises(mp.ProbeError.Cancelled):
                await mp.check(json.dumps({"url": self.fixture.url("hang"), "timeout": "60s"}), cancellation)

        started = time.monotonic()
        run(scenario())
        self.assertLess(time.monotonic() - started, 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
