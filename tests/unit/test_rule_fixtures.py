"""One fixture file per rule, with its expectations inline: `tests/fixtures/rules/<rule>.txt`.

A fixture is a small workspace written as one text file: each `//- path` line starts a file
(rust-analyzer's fixture style). An expectation is a comment naming rules:
`-- expect: rule-a, rule-b` (SQL), `// expect: …` (TypeScript), `# expect: …` (TOML). On a
line of its own it is about the next line that is not an expectation; after code it is about
its own line. The runner checks that the workspace's diagnostics (path, line, rule) are
exactly the expected ones, no more, no fewer; expectation lines are removed before the
workspace is written, so the fixture's line numbers are the ones the rules see.

Adding a rule test is adding one file (see docs/architecture.md, "Where do I add…").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rule_helpers import diagnostics_for

from lockstep.core.rules.registry import RULES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
EXPECT = re.compile(r"(--|//|#) expect: *(?P<names>[a-z-]+(?:, *[a-z-]+)*) *$")
# Rules that cannot be provoked by a workspace on purpose.
WITHOUT_FIXTURE = {"internal-error", "file-not-read"}  # file-not-read needs a symlink or FIFO

Expected = set[tuple[str, int, str]]


def parse_fixture(text: str) -> tuple[dict[str, str], Expected]:
    """The files of a fixture (expectation lines removed) and its (path, line, rule)s."""
    files: dict[str, list[str]] = {}
    expected: Expected = set()
    path: str | None = None
    pending: list[str] = []
    for line in text.splitlines():
        if line.startswith("//- "):
            path, pending = line[4:].strip(), []
            files[path] = []
            continue
        assert path is not None, "a fixture starts with a `//- path` line"
        found = EXPECT.search(line)
        names = [n.strip() for n in found["names"].split(",")] if found else []
        code = line[: found.start()] if found else line
        if found and not code.strip():
            pending += names
            continue
        number = len(files[path])
        expected |= {(path, number, name) for name in pending + names}
        pending = []
        files[path].append(code.rstrip() if found else line)
    assert not pending, f"an expectation at the end of {path} names no line"
    return {p: "\n".join(lines) + "\n" for p, lines in files.items()}, expected


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.txt"))


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_diagnostics_equal_its_expectations(tmp_path: Path, name: str) -> None:
    files, expected = parse_fixture((FIXTURES / f"{name}.txt").read_text(encoding="utf-8"))
    config = files.pop("lockstep.toml", None)
    found = {(d.path, d.range.start.line, d.code) for d in diagnostics_for(tmp_path, files, config)}
    assert sorted(found) == sorted(expected)
    assert any(code == name for _, _, code in expected), f"{name}.txt never expects {name}"


def test_every_rule_has_a_fixture() -> None:
    assert sorted(set(RULES) - set(fixture_names()) - WITHOUT_FIXTURE) == []
    assert sorted(set(fixture_names()) - set(RULES)) == []


def test_the_fixture_format() -> None:
    files, expected = parse_fixture(
        "//- a.sql\n-- Header.\n-- expect: x-y\nSELECT 1;\nSELECT 2; -- expect: z-w, v-u\n"
        "//- b.ts\n// expect: q-r\nconst a = 1;\n"
    )
    assert files == {"a.sql": "-- Header.\nSELECT 1;\nSELECT 2;\n", "b.ts": "const a = 1;\n"}
    assert expected == {("a.sql", 1, "x-y"), ("a.sql", 2, "z-w"), ("a.sql", 2, "v-u"),
                        ("b.ts", 0, "q-r")}
