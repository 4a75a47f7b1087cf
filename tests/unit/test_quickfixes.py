"""Every quick fix on the e2e-codeactions fixture: the diagnostic goes away, the file parses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lockstep.codeactions.edits import Edit, apply_text_edits
from lockstep.codeactions.quickfixes import FIXES, fixes_for
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.sqlparse import parse_migration_sql
from lockstep.core.tsindex import index_types_file
from lockstep.core.workspace import Workspace

FIXTURE = Path(__file__).parent.parent / "fixtures" / "e2e-codeactions"

CASES = [
    ("sim-mirror-drift", "002_mood.sql", None),
    ("migration-missing-comment", "003_notes.sql", None),
    ("rls-disabled", "003_notes.sql", None),
    ("foreign-key-missing-on-delete", "003_notes.sql", "Add ON DELETE CASCADE"),
    ("foreign-key-missing-on-delete", "003_notes.sql", "Add ON DELETE SET NULL"),
    ("foreign-key-missing-on-delete", "003_notes.sql", "Add ON DELETE RESTRICT"),
    ("unindexed-foreign-key", "003_notes.sql", None),
    ("sim-fk-to-auth-users", "004_goals.sql", None),
    ("sim-references-prod-table", "004_goals.sql", None),
    ("sim-table-rls", "004_goals.sql", None),
    ("table-missing-type", "003_notes.sql", None),
    ("type-not-exported", "goals.ts", None),
    ("type-mismatch", "goals.ts", None),
    ("type-optionality", "sessions.ts", None),
    ("type-missing-field", "wins.ts", None),
    ("type-nullability", "wins.ts", None),
    ("type-unknown-field", "wins.ts", "Remove field `energy_level`"),
    ("unknown-column-reference", "useWins.ts", None),
    ("unknown-table-reference", "useWins.ts", None),
]


def load(root: Path) -> tuple[Workspace, list[Diagnostic]]:
    workspace = Workspace(root)
    workspace.load()
    return workspace, [d for items in run_rules(workspace).values() for d in items]


def apply(root: Path, edit: Edit) -> set[str]:
    touched: set[str] = set()
    for create in edit.creates:
        path = root / create.path
        assert not path.exists(), "a CreateFile must never overwrite"
        path.write_text(create.content, newline="")
        touched.add(create.path)
    for path in {e.path for e in edit.edits}:
        target = root / path
        text = target.read_bytes().decode()
        target.write_bytes(
            apply_text_edits(text, [e for e in edit.edits if e.path == path]).encode()
        )
        touched.add(path)
    return touched


def assert_parses(root: Path, path: str) -> None:
    text = (root / path).read_bytes().decode()
    if path.endswith(".sql"):
        assert not parse_migration_sql(text).errors, text
    else:
        assert not index_types_file(path, text).has_errors, text


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "ws"))


def test_every_rule_with_a_fix_is_covered() -> None:
    assert {code for code, _, _ in CASES} == set(FIXES)


@pytest.mark.parametrize(
    ("code", "file", "title"), CASES, ids=[f"{c[0]}-{c[2] or ''}" for c in CASES]
)
def test_fix_removes_the_diagnostic(root: Path, code: str, file: str, title: str | None) -> None:
    workspace, diagnostics = load(root)
    [diagnostic] = [d for d in diagnostics if d.code == code and d.path.endswith(file)]
    edits = [e for e in fixes_for(workspace, diagnostic) if e.command is None]
    assert edits, f"no fix for {code}"
    edit = next(e for e in edits if e.title == title) if title else edits[0]
    assert edit.diagnostic_code == code
    crlf_before = {p: b"\r\n" in (root / p).read_bytes() for p in {e.path for e in edit.edits}}
    touched = apply(root, edit)
    for path in touched:
        assert_parses(root, path)
        if crlf_before.get(path):
            assert b"\n" not in (root / path).read_bytes().replace(b"\r\n", b"")
    _, after = load(root)
    left = [d for d in after if d.code == code and d.path.endswith(file)]
    assert not left, [d.message for d in left]


def test_unknown_field_offers_a_migration(root: Path) -> None:
    workspace, diagnostics = load(root)
    [diagnostic] = [
        d for d in diagnostics if d.code == "type-unknown-field" and d.path.endswith("wins.ts")
    ]
    [action] = [e for e in fixes_for(workspace, diagnostic) if e.command is not None]
    assert action.title == "Create migration adding column wins.energy_level"
    assert action.kind == "source"
    name, (arguments,) = action.command  # type: ignore[misc]
    assert name == "lockstep.newMigration"
    assert arguments["sql"] == "ALTER TABLE wins ADD COLUMN energy_level INTEGER;\n"  # type: ignore[index]


def test_rls_fix_adds_own_rows_policies(root: Path) -> None:
    workspace, diagnostics = load(root)
    [diagnostic] = [d for d in diagnostics if d.code == "rls-disabled"]
    [edit] = fixes_for(workspace, diagnostic)
    text = edit.edits[0].new_text
    assert "ENABLE ROW LEVEL SECURITY" in text
    assert "FOR SELECT USING (auth.uid() = user_id)" in text
    assert "FOR INSERT WITH CHECK (auth.uid() = user_id)" in text


def test_broken_data_never_raises(root: Path) -> None:
    workspace, diagnostics = load(root)
    for diagnostic in diagnostics:
        odd = Diagnostic(
            diagnostic.path,
            diagnostic.range,
            diagnostic.severity,
            diagnostic.code,
            diagnostic.message,
            (),
            {"table": 3, "fields": "x", "suggestion": 7},
        )
        fixes_for(workspace, odd)


def test_remove_field_takes_its_line(root: Path) -> None:
    workspace, diagnostics = load(root)
    [diagnostic] = [
        d for d in diagnostics if d.code == "type-unknown-field" and d.path.endswith("wins.ts")
    ]
    [edit] = [e for e in fixes_for(workspace, diagnostic) if e.title.startswith("Remove")]
    apply(root, edit)
    text = (root / "packages/types/src/wins.ts").read_text()
    assert "energy_level" not in text
    assert "\n\n" not in text and text.endswith("  mood: string | null;\n};\n")


def test_crlf_migration_stays_crlf(root: Path) -> None:
    workspace, diagnostics = load(root)
    [diagnostic] = [d for d in diagnostics if d.code == "sim-references-prod-table"]
    [edit] = fixes_for(workspace, diagnostic)
    apply(root, edit)
    data = (root / "supabase/migrations/004_goals.sql").read_bytes()
    assert b"REFERENCES sim_sessions(id)" in data
    assert data.count(b"\n") == data.count(b"\r\n")
