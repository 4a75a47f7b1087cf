"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.repos import REPO, toney_clean


@pytest.fixture(scope="session")
def toney_clean_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`examples/toney` with its deliberate findings fixed (built once per run)."""
    return toney_clean(tmp_path_factory.mktemp("clean"))


@pytest.fixture
def clean_repo(request: pytest.FixtureRequest) -> Path:
    """A correct workflow, by name: `toney-clean` (built) or a stored fixture folder."""
    name = str(request.param)
    if name == "toney-clean":
        return Path(request.getfixturevalue("toney_clean_root"))
    return REPO / "tests" / "fixtures" / name


def pytest_addoption(parser: pytest.Parser) -> None:
    """Options of the differential fuzzer (tests/pg/test_fuzz_replay.py)."""
    group = parser.getgroup("lockstep-fuzz")
    group.addoption("--fuzz-cases", type=int, default=None,
                    help="random DDL programs to compare with PostgreSQL (CI: 500)")
    group.addoption("--fuzz-seed", type=int, default=None,
                    help="first seed of the fuzz run (CI: 0)")
