"""Zero-config discovery: Supabase projects at any depth, declarative schemas, generated types
by content, conventions detected (and set), the `info` command and `check`/`new` when nothing
is found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lockstep.cli.info import project_workspaces
from lockstep.cli.main import main
from lockstep.codeactions.migration.reminder import workspace_reminder
from lockstep.core.discovery import SUPABASE_CLI, TONEY, conventions, discover_projects
from lockstep.core.rules.engine import run_rules
from lockstep.core.rules.registry.migrations import (
    DUPLICATE_MIGRATION_VERSION,
    MIGRATION_FILENAME,
    MIGRATION_MISSING_COMMENT,
)
from lockstep.core.rules.registry.mirror import SIM_TABLE_RLS
from lockstep.core.rules.registry.safety import (
    COLUMN_TYPE_CHANGE,
    CONCURRENTLY_IN_TRANSACTION,
    TRANSACTION_IN_MIGRATION,
)
from lockstep.core.rules.registry.types import TYPE_MISSING_FIELD
from lockstep.core.workspace import Workspace, find_root

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "toney"
TABLE = ("create table notes (id uuid primary key, body text);\n"
         "alter table notes enable row level security;\n"
         "create policy \"read\" on notes for select using (true);\n")
GENERATED = """export type Json = string | number | boolean | null
export type Database = {
  public: {
    Tables: {
      notes: {
        Row: { id: string }
        Insert: { id: string }
        Update: { id?: string }
        Relationships: []
      }
    }
    Views: { [_ in never]: never }
    Enums: { [_ in never]: never }
  }
}
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def loaded(root: Path) -> Workspace:
    workspace = Workspace(root)
    workspace.load()
    return workspace


def codes(workspace: Workspace) -> list[str]:
    return [d.code for items in run_rules(workspace).values() for d in items]


def cli_project(root: Path, workdir: str = "supabase", config: str = "") -> Path:
    return write(root, {f"{workdir}/config.toml": config or 'project_id = "x"\n',
                        f"{workdir}/migrations/20240101000000_notes.sql": TABLE})


def test_a_project_at_any_depth_not_any_supabase_folder(tmp_path: Path) -> None:
    write(tmp_path, {
        "apps/web/lib/supabase/client.ts": "export const x = 1\n",
        "node_modules/pkg/supabase/config.toml": "",
        "node_modules/pkg/supabase/migrations/1_a.sql": "",
        ".cache/supabase/config.toml": "", ".cache/supabase/migrations/1_a.sql": "",
    })
    cli_project(tmp_path, "apps/backend/supabase")
    [project] = discover_projects(tmp_path)
    assert (project.workdir, project.root) == ("apps/backend/supabase", "apps/backend")
    assert project.migration_dirs == ("apps/backend/supabase/migrations",)
    workspace = loaded(tmp_path)
    assert list(workspace.migrations) == [
        "apps/backend/supabase/migrations/20240101000000_notes.sql"]
    assert workspace.config.migration_paths == ("apps/backend/supabase/migrations",)


def test_a_workdir_not_named_supabase(tmp_path: Path) -> None:
    cli_project(tmp_path, "packages/db")
    [project] = discover_projects(tmp_path)
    assert (project.workdir, project.root, project.cli) == ("packages/db", "packages/db", True)


def test_a_bare_migrations_folder_when_there_is_no_cli_project(tmp_path: Path) -> None:
    write(tmp_path, {"packages/db/migrations/0001_notes.sql": TABLE,
                     "docs/migrations/readme.md": "not sql\n"})
    [project] = discover_projects(tmp_path)
    assert (project.migration_dirs, project.cli) == (("packages/db/migrations",), False)


def test_several_projects_are_all_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_project(tmp_path, "apps/a/supabase")
    cli_project(tmp_path, "apps/b/supabase")
    write(tmp_path, {"apps/b/supabase/migrations/20240102000000_bad.sql": "-- x\nSELEC 1;\n"})
    workspaces = project_workspaces(tmp_path)
    assert [w.config.migration_paths for w in workspaces] == [
        ("apps/a/supabase/migrations",), ("apps/b/supabase/migrations",)]
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [d["path"] for d in found] == ["apps/b/supabase/migrations/20240102000000_bad.sql"]


def test_lockstep_toml_paths_make_one_project(tmp_path: Path) -> None:
    cli_project(tmp_path, "apps/a/supabase")
    cli_project(tmp_path, "apps/b/supabase")
    write(tmp_path, {"lockstep.toml": '[migrations]\npaths = ["apps/b/supabase/migrations"]\n'})
    [workspace] = project_workspaces(tmp_path)
    assert workspace.config.migration_paths == ("apps/b/supabase/migrations",)


def test_schema_paths_are_replayed_first_and_api_schemas_exposed(tmp_path: Path) -> None:
    config = ('[api]\nschemas = ["public", "api"]\n'
              '[db.migrations]\nschema_paths = ["./schemas/*.sql", "./schemas/late/b.sql"]\n')
    write(tmp_path, {
        "supabase/config.toml": config,
        "supabase/schemas/a.sql": TABLE,
        "supabase/schemas/late/b.sql": "alter table notes add column mood text;\n",
        "supabase/migrations/20240101000000_more.sql": "alter table notes add column tag text;\n",
    })
    workspace = loaded(tmp_path)
    assert workspace.schema_files == ("supabase/schemas/a.sql", "supabase/schemas/late/b.sql")
    assert [d.path for d in workspace.ordered_migrations()] == [
        "supabase/schemas/a.sql", "supabase/schemas/late/b.sql",
        "supabase/migrations/20240101000000_more.sql"]
    assert "unknown-table" not in codes(workspace)
    assert set(workspace.replay.schema.tables[("public", "notes")].columns) == {
        "id", "body", "mood", "tag"}
    assert workspace.config.exposed_schemas == ("public", "api")


def test_safety_rules_skip_declarative_schema_files(tmp_path: Path) -> None:
    """`supabase db diff` turns schema files into migrations: an ALTER in one is not applied
    to a live table as written, so it gets no lock or rewrite warning (gonasi)."""
    retype = "alter table notes alter column body type varchar(80);\n"
    write(tmp_path, {
        "supabase/config.toml": '[db.migrations]\nschema_paths = ["./schemas/*.sql"]\n',
        "supabase/schemas/a.sql": TABLE,
        "supabase/schemas/b.sql": retype,
        "supabase/migrations/20240101000000_more.sql": retype,
    })
    found = run_rules(loaded(tmp_path))
    assert COLUMN_TYPE_CHANGE.name not in [d.code for d in found.get("supabase/schemas/b.sql", [])]
    assert COLUMN_TYPE_CHANGE.name in [
        d.code for d in found["supabase/migrations/20240101000000_more.sql"]]


def test_runner_rules_only_where_the_runner_is_known(tmp_path: Path) -> None:
    """A bare migrations folder (Drizzle's, psql scripts: midday) has no known runner: nothing
    is said about transactions or versions the Supabase CLI would record."""
    files = {"db/migrations/0001_notes.sql": TABLE,
             "db/migrations/0002_index.sql": "alter table notes add column tag text;\n"
             "create index concurrently notes_tag on notes (tag);\n",
             "db/migrations/0002_other.sql": "begin;\nalter table notes add column mood text;\n"
             "commit;\n"}
    runner = {CONCURRENTLY_IN_TRANSACTION.name, TRANSACTION_IN_MIGRATION.name,
              DUPLICATE_MIGRATION_VERSION.name}
    assert runner.isdisjoint(codes(loaded(write(tmp_path / "bare", files))))
    cli = write(tmp_path / "cli", {**files, "db/config.toml": 'project_id = "x"\n'})
    assert runner <= set(codes(loaded(cli)))


def test_generated_types_are_found_by_content_anywhere(tmp_path: Path) -> None:
    cli_project(tmp_path)
    write(tmp_path, {
        "types_db.ts": GENERATED,
        "apps/web/utils/supabase/db-types.ts": b"\xff\xfe" + GENERATED.encode("utf-16-le"),
        "apps/web/src/database.ts": "export type Database = Awaited<ReturnType<typeof f>>\n"
                                    "// Tables Row\n",
    })
    workspace = loaded(tmp_path)
    generated = sorted(p for p, f in workspace.types_files.items() if f.database is not None)
    assert generated == ["apps/web/utils/supabase/db-types.ts", "types_db.ts"]
    assert "apps/web/src/database.ts" not in workspace.types_files
    assert codes(workspace).count(TYPE_MISSING_FIELD.name) == 2  # `body`, in each file


def test_conventions_detected(tmp_path: Path) -> None:
    toney = loaded(EXAMPLE)
    assert conventions(toney) == {TONEY}
    cli = loaded(cli_project(tmp_path / "cli"))
    assert conventions(cli) == {SUPABASE_CLI}
    write(tmp_path / "types", {"supabase/migrations/20240101000000_notes.sql": TABLE,
                               "packages/types/src/index.ts": "export type Note = {id: string}\n"})
    assert TONEY in conventions(loaded(tmp_path / "types"))  # row types describing tables
    write(tmp_path / "ui", {"supabase/migrations/20240101000000_notes.sql": TABLE,
                            "packages/types/src/index.ts": "export type Button = { id: string }\n"})
    assert conventions(loaded(tmp_path / "ui")) == frozenset()  # unrelated UI types
    write(tmp_path / "sim", {"supabase/migrations/20240101000000_sim.sql":
                             TABLE.replace("notes", "sim_notes")})
    assert TONEY in conventions(loaded(tmp_path / "sim"))


def test_toney_rules_only_where_the_convention_is_in_force(tmp_path: Path) -> None:
    workspace = loaded(cli_project(tmp_path))
    assert MIGRATION_MISSING_COMMENT.name not in codes(workspace)
    write(tmp_path, {"lockstep.toml": "[conventions]\ntoney = true\n"})
    workspace = loaded(tmp_path)
    assert conventions(workspace) == {TONEY, SUPABASE_CLI}
    assert MIGRATION_MISSING_COMMENT.name in codes(workspace)
    off = loaded(write(tmp_path / "t", {"supabase/migrations/001_x.sql": TABLE,
                                        "lockstep.toml": "[conventions]\ntoney = false\n"}))
    assert conventions(off) == frozenset()
    assert MIGRATION_MISSING_COMMENT.name not in codes(off)
    mirrored = loaded(write(tmp_path / "m", {
        # sim-table-rls flags a policy on a sim_ table (RLS with no policy is the safe shape)
        "supabase/migrations/20240101000000_sim.sql": "create table sim_x (id int primary key);\n"
                                                  "alter table sim_x enable row level security;\n"
                                                  "create policy p on sim_x using (id > 0);\n",
        "lockstep.toml": "[conventions]\ntoney = false\n"}))
    assert SIM_TABLE_RLS.name not in codes(mirrored)
    (tmp_path / "m" / "lockstep.toml").unlink()
    assert SIM_TABLE_RLS.name in codes(loaded(tmp_path / "m"))  # detected from the sim_ table


def test_cli_migration_names(tmp_path: Path) -> None:
    cli_project(tmp_path)
    write(tmp_path, {
        "supabase/migrations/20240102000000_Add Mood-column.sql": "select 1;\n",
        "supabase/migrations/20240103000000_6f1c2a9e-uuid.sql": "select 1;\n",
        "supabase/migrations/add_tags.sql": "select 1;\n",
        "supabase/migrations/202401040000_short.sql": "select 1;\n",
    })
    found = [d for items in run_rules(loaded(tmp_path)).values() for d in items
             if d.code == MIGRATION_FILENAME.name]
    assert sorted((d.path.rpartition("/")[2], d.message.split(":")[0]) for d in found) == [
        ("202401040000_short.sql", "`202401040000_short.sql` has a 12-digit version while "
         "this folder uses 14 digits"),
        ("add_tags.sql", "`add_tags.sql` is skipped by the Supabase CLI"),
    ]


def test_reminder_follows_the_conventions(tmp_path: Path) -> None:
    cli = workspace_reminder(loaded(cli_project(tmp_path)), "supabase/migrations/x.sql")
    assert "supabase db push" in cli and "supabase migration up" in cli
    assert "SQL Editor" not in cli and "ToneyContext" not in cli and "DEV" not in cli
    toney = workspace_reminder(loaded(EXAMPLE), "supabase/migrations/014_x.sql")
    assert "SQL Editor" in toney and "ToneyContext" in toney


def test_info_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli_project(tmp_path, "apps/backend/supabase",
                '[db.migrations]\nschema_paths = ["./schemas/base.sql"]\n')
    write(tmp_path, {"apps/backend/supabase/schemas/base.sql": "create table t (id int);\n",
                     "src/types_db.ts": GENERATED})
    assert main(["info", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"projects": [{
        "root": "apps/backend",
        "migrations": {"dirs": ["apps/backend/supabase/migrations"], "count": 1,
                       "naming": "timestamp"},
        "baselines": ["apps/backend/supabase/schemas/base.sql"],
        "types": [{"path": "src/types_db.ts", "kind": "generated"}],
        "conventions": ["supabase-cli"],
    }]}
    assert main(["info", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "Supabase CLI project (apps/backend/supabase/config.toml)" in text


def test_info_on_the_toney_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(EXAMPLE), "--format", "json"]) == 0
    [project] = json.loads(capsys.readouterr().out)["projects"]
    assert project["migrations"]["dirs"] == ["supabase/migrations"]
    assert project["migrations"]["naming"] == "numeric"
    assert project["conventions"] == ["toney"]
    assert {t["kind"] for t in project["types"]} == {"handwritten"}


def test_nothing_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {".git/HEAD": "ref\n", "src/app.ts": "export const x = 1\n"})
    assert main(["check", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "no Supabase project found" in captured.err and captured.out == ""
    assert main(["info", str(tmp_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"projects": []}


def test_new_needs_init_to_create_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {".git/HEAD": "ref\n"})
    assert main(["new", "notes", str(tmp_path)]) == 2
    assert "--init" in capsys.readouterr().err
    assert not (tmp_path / "supabase").exists()
    assert main(["new", "notes", str(tmp_path), "--init"]) == 0
    assert (tmp_path / "supabase" / "migrations").is_dir()


def test_find_root_skips_supabase_client_folders(tmp_path: Path) -> None:
    write(tmp_path, {".git/HEAD": "ref\n", "apps/web/utils/supabase/client.ts": "x\n"})
    cli_project(tmp_path, "apps/backend/supabase")
    assert find_root(tmp_path / "apps/web/utils") == tmp_path.resolve()
    assert find_root(tmp_path / "apps/backend/supabase/migrations") == \
        (tmp_path / "apps/backend").resolve()
