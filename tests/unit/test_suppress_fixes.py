"""Every rule offers "Suppress `rule` on this line" and "… in this file": applied, the finding
goes away, the others stay, the file still parses, and a second suppression extends the
directive that is already there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_quickfixes import FIXTURE, apply, assert_parses, load

from lockstep.codeactions.edits import Applicability, Edit
from lockstep.codeactions.fixes.suppress import suppressions
from lockstep.core.diagnostics import Diagnostic

SAMPLES = sorted({d.code: (d.code, d.path) for d in reversed(load(FIXTURE)[1])}.values())


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "ws"))


def _first(diagnostics: list[Diagnostic], code: str, path: str) -> Diagnostic:
    return next(d for d in diagnostics if d.code == code and d.path == path)


def _edit(root: Path, code: str, path: str, scope: str) -> tuple[Diagnostic, Edit]:
    workspace, diagnostics = load(root)
    diagnostic = _first(diagnostics, code, path)
    found = {e.title: e for e in suppressions(workspace, diagnostic)}
    return diagnostic, found[f"Suppress `{code}` {scope}"]


def test_the_fixture_shows_most_rules() -> None:
    assert len({code for code, _ in SAMPLES}) >= 25


@pytest.mark.parametrize(("code", "path"), SAMPLES, ids=[f"{c}-{p.rsplit('/', 1)[-1]}"
                                                         for c, p in SAMPLES])
def test_suppress_on_this_line(root: Path, code: str, path: str) -> None:
    diagnostic, edit = _edit(root, code, path, "on this line")
    assert edit.applicability == Applicability.DISPLAY_ONLY and edit.kind == "suppress"
    # A comment on a migration's first line is a header comment too.
    header = "migration-missing-comment" if diagnostic.range.start.line == 0 else ""
    others_before = [d for d in load(root)[1] if d.code not in (code, header)]
    apply(root, edit)
    assert_parses(root, path)
    after = load(root)[1]
    assert not [d for d in after if d.code == code and d.path == path
                and d.message == diagnostic.message]
    assert len([d for d in after if d.code not in (code, header)]) == len(others_before)


@pytest.mark.parametrize(("code", "path"), SAMPLES, ids=[f"{c}-{p.rsplit('/', 1)[-1]}"
                                                         for c, p in SAMPLES])
def test_suppress_in_this_file(root: Path, code: str, path: str) -> None:
    _, edit = _edit(root, code, path, "in this file")
    apply(root, edit)
    assert_parses(root, path)
    assert not [d for d in load(root)[1] if d.code == code and d.path == path]


def test_a_second_suppression_extends_the_directive(root: Path) -> None:
    path = "supabase/migrations/003_notes.sql"
    for code in ("unindexed-foreign-key", "foreign-key-missing-on-delete"):
        _, edit = _edit(root, code, path, "on this line")
        apply(root, edit)
    text = (root / path).read_text()
    assert "-- lockstep-ignore unindexed-foreign-key foreign-key-missing-on-delete\n" in text
    types = "packages/types/src/wins.ts"
    for code in ("type-nullability", "type-missing-field"):
        _, edit = _edit(root, code, types, "in this file")
        apply(root, edit)
    text = (root / types).read_text()
    assert text.startswith("// lockstep-ignore-file type-nullability type-missing-field\n")
    left = {(d.path, d.code) for d in load(root)[1]}
    assert not {(path, "unindexed-foreign-key"), (path, "foreign-key-missing-on-delete"),
                (types, "type-nullability"), (types, "type-missing-field")} & left
    assert (types, "type-unknown-field") in left
