"""The reliability suite: counts the faults and inputs it tries and the violations it finds."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.flow.conftest import shop  # noqa: F401  (the flow fixture, reused here)


@dataclass
class Tally:
    tried: int = 0
    violations: list[str] = field(default_factory=list)

    def add(self, count: int = 1) -> None:
        self.tried += count


TALLY = Tally()


@pytest.fixture
def tally() -> Tally:
    return TALLY


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and "tests/reliability/" in report.nodeid:
        TALLY.violations.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.tried:
        terminalreporter.write_line(
            f"reliability: {TALLY.tried} faults and inputs tried, "
            f"{len(TALLY.violations)} violations found"
        )
