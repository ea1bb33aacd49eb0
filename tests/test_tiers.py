"""The tier rules of tests/conftest.py, run on a small suite of their own (pytester)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).with_name("conftest.py")

SUITE = '''
import socket
import subprocess

import pytest

pytestmark = pytest.mark.in_process


def test_pure():
    assert sum([1, 2]) == 3


def test_starts_a_process():
    subprocess.run(["true"], check=True)


def test_opens_a_socket():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))


@pytest.mark.postgres
def test_postgres_variant():
    subprocess.run(["true"], check=True)
'''


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makeini(
        "[pytest]\nmarkers =\n    in_process\n    unit\n    integration\n    e2e\n    postgres\n"
    )
    pytester.makepyfile(test_suite=SUITE)
    pytester.makepyfile(test_plain="def test_integration():\n    assert True\n")
    return pytester


def test_a_unit_test_that_reaches_for_a_real_stack_fails(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-m", "unit", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2, deselected=2)
    result.stdout.fnmatch_lines(
        ["*RealStackInUnitTest: a unit test started a process*",
         "*RealStackInUnitTest: a unit test opened a network socket*"]
    )


def test_postgres_variants_and_unmarked_modules_are_integration(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-m", "integration", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, deselected=3)


def test_the_guard_is_lifted_after_a_unit_test(suite: pytest.Pytester) -> None:
    result = suite.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=2)
