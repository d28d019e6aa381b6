"""Counts the assertions that pass, per test and for the whole run, so that a change to the
harness can show it kept every check (`assertions passed: N` in the summary).

Each test's count travels in its report's user properties, so the sum is the same with or
without pytest-xdist's workers.
"""

import pytest

_passed_in_current_test = 0


def pytest_assertion_pass(item, lineno, orig, expl) -> None:
    global _passed_in_current_test
    _passed_in_current_test += 1


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _passed_in_current_test
    _passed_in_current_test = 0
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "teardown":
        report.user_properties.append(("assertions_passed", _passed_in_current_test))
    return report


class AssertionTally:
    def __init__(self) -> None:
        self.total = 0

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "teardown":
            self.total += dict(report.user_properties).get("assertions_passed", 0)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.write_line(f"assertions passed: {self.total}")


def pytest_configure(config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without workers) adds up
        config.pluginmanager.register(AssertionTally(), "assertion-tally")
