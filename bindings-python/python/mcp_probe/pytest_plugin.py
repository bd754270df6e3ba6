"""pytest plugin of ``mcp_probe`` (registered through the ``pytest11`` entry point).

Gives tests a fixture ``mcp_probe`` whose ``check``/``check_async``/``assert_healthy`` take
the same arguments as :func:`mcp_probe.check`, against any server your own fixtures start::

    def test_server_is_healthy(mcp_probe, my_server_url):
        mcp_probe.assert_healthy(my_server_url, tool="add", arguments={"a": 2, "b": 3}, expect_text="5")

Defaults for every check of one test come from the marker
``@pytest.mark.mcp_probe(timeout=5, headers={...})``; the reports a test made are in
``mcp_probe.reports``. When a test fails, the last report's JSON is shown with its output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator, List

import pytest

from ._api import Scenario, assert_healthy, check, check_async
from ._report import Report

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._api import CheckOptions

__all__ = ["McpProbeFixture", "mcp_probe"]


class McpProbeFixture:
    """What the ``mcp_probe`` fixture gives a test: checks with the test's defaults, and asserts."""

    def __init__(self, **defaults: Unpack[CheckOptions]) -> None:
        """A helper whose checks use ``defaults`` unless a call overrides them."""
        #: Options every check of this test uses unless a call overrides them.
        self.defaults: dict[str, Any] = dict(defaults)
        #: Every report this helper produced, oldest first.
        self.reports: List[Report] = []

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        merged = dict(self.defaults)
        merged.update(options)
        return merged

    def check(self, url: str | None = None, **options: Unpack[CheckOptions]) -> Report:
        """:func:`mcp_probe.check` with this test's defaults; the report is also kept in ``reports``."""
        report = check(url, **self._options(dict(options)))
        self.reports.append(report)
        return report

    async def check_async(self, url: str | None = None, **options: Unpack[CheckOptions]) -> Report:
        """:func:`mcp_probe.check_async` with this test's defaults."""
        report = await check_async(url, **self._options(dict(options)))
        self.reports.append(report)
        return report

    def assert_healthy(
        self,
        target: Report | Scenario | str | None = None,
        *,
        allow_warnings: bool = True,
        **options: Unpack[CheckOptions],
    ) -> Report:
        """Asserts a report is healthy; given a URL or a Scenario (or only options), checks it first.

        The ``AssertionError`` names the failing step, code and reason (see
        :func:`mcp_probe.assert_healthy`).
        """
        __tracebackhide__ = True
        if isinstance(target, Report):
            report = target
        elif isinstance(target, Scenario):
            options["scenario"] = target
            report = self.check(**options)
        else:
            report = self.check(target, **options)
        return assert_healthy(report, allow_warnings=allow_warnings)


def pytest_configure(config: pytest.Config) -> None:
    """Registers the ``mcp_probe`` marker."""
    config.addinivalue_line(
        "markers",
        "mcp_probe(**options): default options (timeout=…, headers=…) for the mcp_probe fixture's checks",
    )


@pytest.fixture
def mcp_probe(request: pytest.FixtureRequest) -> McpProbeFixture:
    """Checks MCP servers from a test: ``mcp_probe.check(url, …)``, ``mcp_probe.assert_healthy(url, …)``."""
    defaults: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("mcp_probe"))):
        defaults.update(marker.kwargs)
    return McpProbeFixture(**defaults)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """Attaches the last report's JSON to the output of a failed test that used the fixture."""
    outcome = yield
    report = outcome.get_result()
    if call.when != "call" or not report.failed:
        return
    helper = getattr(item, "funcargs", {}).get("mcp_probe")
    if isinstance(helper, McpProbeFixture) and helper.reports:
        report.sections.append(("mcp-probe report", helper.reports[-1].to_json(indent=2)))
