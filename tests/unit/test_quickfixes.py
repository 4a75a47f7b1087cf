"""Every quick fix on the e2e-codeactions fixture: the diagnostic goes away, the file parses."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from lockstep.codeactions.edits import Edit, apply_text_edits
from lockstep.codeactions.fixes.registry import fixable, fixes_for
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.sql.parse import parse_migration_sql
from lockstep.core.ts.index import index_types_file
from lockstep.core.workspace import Workspace
from tests.repos import built

FIXTURE = built("e2e-codeactions")

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
    ("sim-mirror-missing", "005_reflections.sql", None),
    ("policy-rls-disabled", "006_journal.sql", None),
    ("unknown-column", "006_journal.sql", None),
    ("unknown-table", "006_journal.sql", None),
    ("rls-enabled-no-policy", "007_habits.sql", None),
    ("transaction-in-migration", "007_habits.sql",
     "Remove this BEGIN and the COMMIT at the end (the Supabase CLI runs the file in a "
     "transaction)"),
    ("duplicate-migration-version", "007_streaks.sql", None),
    ("clone-missing-column", "route.ts", "Add `mood` to the select"),
    ("clone-missing-column", "route.ts", "Add `content: w.text` to the insert"),
    ("invalid-config", "lockstep.toml", None),
    ("generated-types-stale", "database.types.ts", None),
    ("auth-rls-initplan", "004_goals.sql", None),
    ("function-search-path-mutable", "003_notes.sql", None),
    ("sensitive-columns-exposed", "001_init.sql", None),
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
    for rename in edit.renames:
        assert not (root / rename.new_path).exists(), "a RenameFile must never overwrite"
        (root / rename.old_path).rename(root / rename.new_path)
        touched.add(rename.new_path)
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
    elif path.endswith(".toml"):
        tomllib.loads(text)
    else:
        assert not index_types_file(path, text).has_errors, text


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "ws"))


def test_every_rule_with_a_fix_is_covered() -> None:
    assert {code for code, _, _ in CASES} == set(fixable())


@pytest.mark.parametrize(
    ("code", "file", "title"), CASES, ids=[f"{c[0]}-{c[2] or ''}" for c in CASES]
)
def test_fix_removes_the_diagnostic(root: Path, code: str, file: str, title: str | None) -> None:
    workspace, diagnostics = load(root)
    found = [d for d in diagnostics if d.code == code and d.path.endswith(file)]
    # Several findings of one rule in a file: the case's title says which one it fixes.
    [diagnostic] = [
        d
        for d in found
        if len(found) == 1 or any(e.title == title for e in fixes_for(workspace, d))
    ]
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
    left = [
        d
        for d in after
        if d.code == code
        and d.path.endswith(file)
        and (len(found) == 1 or d.message == diagnostic.message)
    ]
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
    assert name == "lockstep.addColumn"
    assert arguments == {"table": "wins", "column": "energy_level", "type": "INTEGER",
                         "nullable": True, "default": None}


def test_rls_fix_adds_own_rows_policies(root: Path) -> None:
    workspace, diagnostics = load(root)
    [diagnostic] = [d for d in diagnostics if d.code == "rls-disabled"
                    and d.path.endswith("003_notes.sql")]
    [edit] = fixes_for(workspace, diagnostic)
    text = edit.edits[0].new_text
    assert "ENABLE ROW LEVEL SECURITY" in text
    assert "FOR SELECT USING ((select auth.uid()) = user_id)" in text
    assert "FOR INSERT WITH CHECK ((select auth.uid()) = user_id)" in text


def test_rls_fix_on_a_sim_table_adds_no_policy(root: Path) -> None:
    """The service role bypasses RLS: RLS with no policy is what keeps the API roles out."""
    workspace, diagnostics = load(root)
    [diagnostic] = [d for d in diagnostics if d.code == "rls-disabled"
                    and "sim_wins" in d.message]
    [edit] = fixes_for(workspace, diagnostic)
    assert edit.edits[0].new_text.strip() == "ALTER TABLE sim_wins ENABLE ROW LEVEL SECURITY;"


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


# -- the fixes for rules that had none ----------------------------------------------------
MIGRATIONS = "supabase/migrations"


def only(diagnostics: list[Diagnostic], code: str, file: str) -> Diagnostic:
    [diagnostic] = [d for d in diagnostics if d.code == code and d.path.endswith(file)]
    return diagnostic


def add_migration(root: Path, name: str, sql: str) -> None:
    (root / MIGRATIONS / name).write_text(sql)


def test_mirror_missing_adds_the_twin_and_its_indexes_after_the_table(root: Path) -> None:
    workspace, diagnostics = load(root)
    [edit] = fixes_for(workspace, only(diagnostics, "sim-mirror-missing", "005_reflections.sql"))
    assert edit.title == "Add the `sim_reflections` mirror"
    apply(root, edit)
    text = (root / MIGRATIONS / "005_reflections.sql").read_bytes().decode()
    table = text.index("CREATE TABLE sim_reflections (\r\n")
    assert text.rindex(");\r\n", 0, table) < table < text.index("CREATE INDEX idx_reflections")
    assert "win_id UUID NOT NULL REFERENCES sim_wins(id) ON DELETE CASCADE" in text
    assert "  user_id UUID NOT NULL,\r\n" in text  # the FK to auth.users is dropped
    assert "CREATE INDEX idx_sim_reflections_win_id ON sim_reflections(win_id);" in text
    assert "sim_reflections ENABLE" not in text and "ON sim_reflections FOR" not in text


def test_mirror_missing_needs_the_create_table(root: Path) -> None:
    workspace, diagnostics = load(root)
    diagnostic = only(diagnostics, "sim-mirror-missing", "005_reflections.sql")
    doc = workspace.migrations[diagnostic.path]
    index = doc.parsed.statements[1]  # CREATE INDEX, not the table
    moved = Diagnostic(
        diagnostic.path,
        doc.parsed.range(index.start, index.end),
        diagnostic.severity,
        diagnostic.code,
        diagnostic.message,
        (),
        diagnostic.data,
    )
    assert fixes_for(workspace, moved) == []


def test_policy_rls_disabled_enables_after_the_create_table(root: Path) -> None:
    workspace, diagnostics = load(root)
    [edit] = fixes_for(workspace, only(diagnostics, "policy-rls-disabled", "006_journal.sql"))
    assert edit.title == "Enable row level security on journal"
    apply(root, edit)
    text = (root / MIGRATIONS / "006_journal.sql").read_text()
    assert ");\nALTER TABLE journal ENABLE ROW LEVEL SECURITY;\nCREATE INDEX" in text


def test_policy_rls_disabled_enables_after_a_later_disable(root: Path) -> None:
    add_migration(
        root, "008_debug.sql", "-- Debugging.\nALTER TABLE journal DISABLE ROW LEVEL SECURITY;\n"
    )
    workspace, diagnostics = load(root)
    [edit] = fixes_for(workspace, only(diagnostics, "policy-rls-disabled", "006_journal.sql"))
    assert {e.path for e in edit.edits} == {f"{MIGRATIONS}/008_debug.sql"}
    apply(root, edit)
    _, after = load(root)
    assert not [d for d in after if d.code == "policy-rls-disabled"]


def test_policy_rls_disabled_without_a_table_offers_nothing(root: Path) -> None:
    workspace, diagnostics = load(root)
    diagnostic = only(diagnostics, "policy-rls-disabled", "006_journal.sql")
    assert fixes_for(workspace, replace(diagnostic, data={})) == []


def test_rls_no_policy_adds_own_rows_policies(root: Path) -> None:
    workspace, diagnostics = load(root)
    [edit] = fixes_for(workspace, only(diagnostics, "rls-enabled-no-policy", "007_habits.sql"))
    text = edit.edits[0].new_text
    assert 'CREATE POLICY "Users can read own rows" ON habits' in text
    assert "FOR INSERT WITH CHECK ((select auth.uid()) = user_id);" in text
    assert "ENABLE ROW LEVEL SECURITY" not in text


def test_rls_no_policy_without_user_id_offers_nothing(root: Path) -> None:
    add_migration(
        root,
        "008_tokens.sql",
        "-- Service tokens.\n-- lockstep-ignore-file table-missing-type\n"
        "CREATE TABLE tokens (id UUID DEFAULT gen_random_uuid() PRIMARY KEY, value TEXT);\n"
        "ALTER TABLE tokens ENABLE ROW LEVEL SECURITY;\n",
    )
    workspace, diagnostics = load(root)
    assert fixes_for(workspace, only(diagnostics, "rls-enabled-no-policy", "008_tokens.sql")) == []


SQL_NAMES = [
    ('ALTER TABLE "journl" ADD COLUMN x TEXT;', "unknown-table", '"journal"'),
    (
        "ALTER TABLE habits ADD CONSTRAINT h_user FOREIGN KEY (usr_id) "
        "REFERENCES auth.users(id) ON DELETE CASCADE;",
        "unknown-column",
        "(user_id)",
    ),
    (
        "ALTER TABLE habits ADD COLUMN win_id UUID REFERENCES wins(idd) ON DELETE CASCADE;",
        "unknown-column",
        "wins(id)",
    ),
    ("ALTER TABLE habits RENAME COLUMN nmae TO title;", "unknown-column", "COLUMN name TO"),
]


@pytest.mark.parametrize(("sql", "code", "fixed"), SQL_NAMES)
def test_misspelt_sql_names(root: Path, sql: str, code: str, fixed: str) -> None:
    add_migration(root, "008_more.sql", f"-- More.\n{sql}\n")
    workspace, diagnostics = load(root)
    [edit] = fixes_for(workspace, only(diagnostics, code, "008_more.sql"))
    apply(root, edit)
    assert fixed in (root / MIGRATIONS / "008_more.sql").read_text()
    _, after = load(root)
    assert not [d for d in after if d.code == code and d.path.endswith("008_more.sql")]


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("ALTER TABLE zzqqxx ADD COLUMN x TEXT;", "unknown-table"),
        ("CREATE INDEX idx_h ON habits(qqzzxx);", "unknown-column"),
    ],
)
def test_no_close_sql_name_offers_nothing(root: Path, sql: str, code: str) -> None:
    add_migration(root, "008_more.sql", f"-- More.\n{sql}\n")
    workspace, diagnostics = load(root)
    assert fixes_for(workspace, only(diagnostics, code, "008_more.sql")) == []


def test_names_come_from_that_point_of_the_history(root: Path) -> None:
    # `habit` is close to `habits`, which only 007 creates: nothing to suggest in 006.
    text = (root / MIGRATIONS / "006_journal.sql").read_text()
    (root / MIGRATIONS / "006_journal.sql").write_text(
        text + "ALTER TABLE habit ADD COLUMN x TEXT;\n"
    )
    workspace, diagnostics = load(root)
    [diagnostic] = [d for d in diagnostics if d.code == "unknown-table" and "habit" in d.message]
    assert fixes_for(workspace, diagnostic) == []


def test_clone_insert_on_one_line_keeps_one_line(root: Path) -> None:
    add_migration(
        root,
        "008_persona.sql",
        "-- Personas.\nALTER TABLE sim_sessions ADD COLUMN persona_id UUID NOT NULL;\n",
    )
    workspace, diagnostics = load(root)
    [diagnostic] = [
        d for d in diagnostics if d.code == "clone-missing-column" and "persona_id" in d.message
    ]
    [edit] = fixes_for(workspace, diagnostic)
    apply(root, edit)
    route = (root / diagnostic.path).read_text()
    assert "({ id: s.id, created_at: s.created_at, user_id: personaId, persona_id: s.id })" in route
    assert_parses(root, diagnostic.path)


def test_clone_insert_without_a_source_of_that_type_offers_nothing(root: Path) -> None:
    add_migration(
        root,
        "008_score.sql",
        "-- Scores.\nALTER TABLE sim_wins ADD COLUMN score INTEGER NOT NULL;\n",
    )
    workspace, diagnostics = load(root)
    [diagnostic] = [
        d for d in diagnostics if d.code == "clone-missing-column" and "score" in d.message
    ]
    assert fixes_for(workspace, diagnostic) == []


def test_renumber_only_the_later_duplicate(root: Path) -> None:
    workspace, diagnostics = load(root)
    assert (
        fixes_for(workspace, only(diagnostics, "duplicate-migration-version", "007_habits.sql"))
        == []
    )
    [edit] = fixes_for(
        workspace, only(diagnostics, "duplicate-migration-version", "007_streaks.sql")
    )
    assert edit.title == "Renumber to 008 (008_streaks.sql)"
    assert [(r.old_path, r.new_path) for r in edit.renames] == [
        (f"{MIGRATIONS}/007_streaks.sql", f"{MIGRATIONS}/008_streaks.sql")
    ]
    apply(root, edit)
    _, after = load(root)
    assert not [d for d in after if d.code == "duplicate-migration-version"]


@pytest.mark.parametrize(
    ("toml", "title"),
    [
        ('[migrations]\nzzz = ["x"]\n', None),
        ('[migrations]\npaths = ["supabase/migrations"]\npath = ["x"]\n', None),
        ('[migratons]\npaths = ["supabase/migrations"]\n', "Did you mean `migrations`?"),
        (
            '[types]\npath = "packages/types/src"\n[clone]\nroute = ["x.ts"]\n',
            "Did you mean `routes`?",
        ),
    ],
)
def test_config_keys(root: Path, toml: str, title: str | None) -> None:
    (root / "lockstep.toml").write_text(toml)
    workspace, diagnostics = load(root)
    edits = fixes_for(workspace, only(diagnostics, "invalid-config", "lockstep.toml"))
    assert [e.title for e in edits] == ([title] if title else [])
    if edits:
        apply(root, edits[0])
        tomllib.loads((root / "lockstep.toml").read_text())
        _, after = load(root)
        assert not [d for d in after if d.code == "invalid-config"]
