"""Differential fuzzing: random DDL programs, PostgreSQL 15 against Lockstep's replay.

Each seed gives a program of 5–40 statements (tests/pg/fuzz/generator.py); PostgreSQL runs it
statement by statement and the statements it rejects are dropped, so the kept program is
valid; the replay of the kept program must then agree with the catalog on schemas, tables,
columns (type, nullability, default text), constraints, foreign keys with both actions,
indexes (columns, expressions, predicates, uniqueness), RLS, policies, enums and views, and
must report no problem at all. A DROP PostgreSQL refuses because of dependents must get a
`dependent-objects` diagnostic from the replay.

CI runs a fixed set of seeds. By hand:
    python -m pytest tests/pg/test_fuzz_replay.py --fuzz-cases 10000 --fuzz-seed 1000000 -q
A failure prints every family of disagreement with one shrunk program each (statements are
deleted while the disagreement persists). A family found this way becomes a regular fixture:
tests/fixtures/replay/fuzz_<family>/supabase/migrations/001_program.sql, which both the
fixture differential test and `test_fuzz_fixture_agrees` below then check.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import FIXTURES, ordered_migrations
from .fuzz.generator import program
from .fuzz.harness import Harness, Outcome
from .server import PgServer

pytestmark = pytest.mark.postgres

CI_CASES = 500
MAX_SHRUNK = 8  # families shrunk and shown per run


@pytest.fixture(scope="module")
def harness(pg_server: PgServer) -> Iterator[Harness]:
    made = Harness(pg_server, "fuzz")
    yield made
    made.close()


def family(problem: str) -> str:
    """A problem line without its specifics: what kind of thing disagrees."""
    if problem.startswith("replay issue"):
        return "issue " + problem.split(": ")[1]
    if problem.startswith(("replay crashed", "no diagnostic")):
        return problem.split(":")[0]
    parts = problem.split(": ")
    if parts[0] in {"schemas", "enums", "views"}:
        return parts[0]
    if len(parts) >= 2 and parts[1] in {"rls", "columns", "constraints", "foreign_keys",
                                        "indexes", "policies"}:
        return parts[1]
    return re.sub(r"^[^:]*: ", "", parts[0] if len(parts) == 1 else problem).split(":")[0]


def test_random_programs_agree(harness: Harness, request: pytest.FixtureRequest) -> None:
    cases = int(request.config.getoption("fuzz_cases") or CI_CASES)
    first = int(request.config.getoption("fuzz_seed") or 0)
    started = time.monotonic()
    failing: dict[str, list[int]] = {}
    statements = 0
    for seed in range(first, first + cases):
        outcome = harness.run(program(seed))
        statements += len(outcome.kept)
        problems = _all_problems(harness, outcome)
        for name in sorted({family(p) for p in problems}):
            failing.setdefault(name, []).append(seed)
    elapsed = time.monotonic() - started
    summary = (f"{cases} programs (seeds {first}..{first + cases - 1}, {statements} kept "
               f"statements) in {elapsed:.0f}s")
    if not failing:
        print(summary + ": all agree")
        return
    report = [summary, f"{len({s for v in failing.values() for s in v})} programs disagree"]
    for name, seeds in sorted(failing.items(), key=lambda kv: -len(kv[1])):
        report.append(f"family {name!r}: {len(seeds)} programs, e.g. seeds {seeds[:5]}")
    for name, seeds in list(failing.items())[:MAX_SHRUNK]:

        def keeps(outcome: Outcome, name: str = name) -> bool:
            return name in {family(p) for p in _all_problems(harness, outcome)}

        shrunk = harness.shrink(program(seeds[0]), keeps)
        problems = _all_problems(harness, harness.run(shrunk))
        report.append(f"\n-- family {name!r}, seed {seeds[0]}, shrunk to {len(shrunk)}:")
        report += harness.annotate(shrunk) + ["-- " + p for p in problems]
    pytest.fail("\n".join(report), pytrace=False)


def _all_problems(harness: Harness, outcome: Outcome) -> list[str]:
    return outcome.problems + harness.refusal_problems(outcome)


FUZZ_FIXTURES = sorted(p for p in FIXTURES.glob("fuzz_*") if (p / "supabase").is_dir())


@pytest.mark.parametrize("repo", FUZZ_FIXTURES, ids=[p.name for p in FUZZ_FIXTURES])
def test_fuzz_fixture_agrees(harness: Harness, repo: Path) -> None:
    """The families the fuzzer found, compared in full detail (the JSON comparison of the
    fixture test is coarser: no default text, predicates or constraint names)."""
    statements: list[str] = []
    for path in ordered_migrations(repo):
        statements += _statements(path.read_text())
    outcome = harness.run(statements)
    rejected = [s for s in statements if s not in outcome.kept]
    assert not rejected, f"PostgreSQL rejects fixture statements: {rejected}"
    assert not outcome.problems, "\n".join(outcome.problems)


def _statements(text: str) -> list[str]:
    from lockstep.core.sql.parse import parse_migration_sql

    parsed = parse_migration_sql(text)
    return [s.text(text) for s in parsed.statements]
