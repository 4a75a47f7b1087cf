"""Fixtures shared by every test folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from lockstep.core.diagnostics import STRICT_ENV
from tests.repos import COMPOSED, REPO, built, toney_clean

# Strict mode for the whole suite, and for every server process and CLI it starts (they
# inherit the environment): an exception inside a rule check, a replay handler or a fix
# builder fails the test instead of becoming an `internal-error` diagnostic.
os.environ[STRICT_ENV] = "1"

# The disk cache (core/cache.py) of the whole suite, and of every server and CLI it starts,
# lives in a folder of this run: a test never reads or writes the user's own cache.
TEST_CACHE = Path(tempfile.mkdtemp(prefix="lockstep-test-cache-"))
os.environ["XDG_CACHE_HOME"] = str(TEST_CACHE)
atexit.register(shutil.rmtree, TEST_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def toney_clean_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`examples/toney` with its deliberate findings fixed (built once per run)."""
    return toney_clean(tmp_path_factory.mktemp("clean"))


@pytest.fixture
def clean_repo(request: pytest.FixtureRequest) -> Path:
    """A correct workflow, by name: `toney-clean` (built) or a fixture folder."""
    name = str(request.param)
    if name == "toney-clean":
        return Path(request.getfixturevalue("toney_clean_root"))
    return built(name) if name in COMPOSED else REPO / "tests" / "fixtures" / name


def pytest_addoption(parser: pytest.Parser) -> None:
    """Options of the differential fuzzer (tests/pg/test_fuzz_replay.py)."""
    group = parser.getgroup("lockstep-fuzz")
    group.addoption("--fuzz-cases", type=int, default=None,
                    help="random DDL programs to compare with PostgreSQL (CI: 500)")
    group.addoption("--fuzz-seed", type=int, default=None,
                    help="first seed of the fuzz run (CI: 0)")
