"""Several Supabase projects in one folder: who owns which file (core/projects.py), each
project checked against its own schema, and the next migration's name in each style."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lockstep.cli.main import main
from lockstep.codeactions.migration.new import plan_new_migration
from lockstep.core.discovery import Project, Scope, discover_projects, scopes
from lockstep.core.projects import owns, project_workspaces
from lockstep.core.workspace import Workspace
from tests.repos import fixture

NOW = datetime(2026, 11, 30, 16, 5, 9, tzinfo=UTC)


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def project(root: str) -> Project:
    workdir = f"{root}/supabase" if root != "." else "supabase"
    return Project(workdir, (f"{workdir}/migrations",))


def test_one_project_owns_the_whole_folder() -> None:
    assert scopes([project("packages/db")]) == [None]


def test_the_deepest_project_root_owns_a_file() -> None:
    top, a, b = scopes([project("."), project("apps/a"), project("apps/b")])
    assert isinstance(top, Scope) and isinstance(a, Scope) and isinstance(b, Scope)
    assert a.holds("apps/a/src/notes.ts") and not b.holds("apps/a/src/notes.ts")
    assert not top.holds("apps/a/src/notes.ts") and top.holds("packages/shared/x.ts")
    assert not a.holds("apps/ab/x.ts") and a.holds("apps/a")


def test_a_file_under_no_project_root_belongs_to_none() -> None:
    found = scopes([project("apps/a"), project("apps/b")])
    assert not any(s is not None and s.holds("packages/shared/notes.ts") for s in found)


def test_projects_sharing_a_root_give_its_files_to_the_first() -> None:
    first = Project("supabase", ("supabase/migrations",))
    second = Project(".", ("migrations",))
    one, two = scopes([first, second])
    assert one is not None and two is not None
    assert one.holds("src/x.ts") and not two.holds("src/x.ts")


def test_each_project_indexes_its_own_code(tmp_path: Path) -> None:
    root = fixture("multi-project", tmp_path)
    a, b = project_workspaces(root)
    for workspace in (a, b):
        workspace.load()
    assert sorted(a.consumer_files) == ["apps/a/src/notes.ts"]
    assert sorted(b.consumer_files) == ["apps/b/src/notes.ts"]
    assert owns(a, "apps/a/supabase/migrations/20240101000000_notes.sql")
    assert not owns(a, "packages/shared/notes.ts") and not owns(b, "packages/shared/notes.ts")
    assert [p.root for p in discover_projects(root)] == ["apps/a", "apps/b"]


def test_check_reads_each_app_against_its_own_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture("multi-project", tmp_path)
    assert main(["check", str(root), "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["path"], d["code"], d["message"]) for d in found] == [
        ("apps/a/src/notes.ts", "unknown-column-reference",
         "Table `notes` has no column `title`"),
        ("apps/b/src/notes.ts", "unknown-column-reference",
         "Table `notes` has no column `body`"),
    ]


# -- the next migration's name ----------------------------------------------------------------
def _next(root: Path) -> str:
    workspace = Workspace(root)
    workspace.load()
    return plan_new_migration(workspace, "add notes", None, NOW).path


def test_an_empty_cli_project_gets_the_clis_timestamp(tmp_path: Path) -> None:
    write(tmp_path, {"supabase/config.toml": 'project_id = "x"\n',
                     "supabase/migrations/.gitkeep": ""})
    assert _next(tmp_path) == "supabase/migrations/20261130160509_add_notes.sql"


def test_a_cli_project_never_reuses_a_version(tmp_path: Path) -> None:
    write(tmp_path, {"supabase/config.toml": 'project_id = "x"\n',
                     "supabase/migrations/20261130160509_first.sql": "select 1;\n",
                     "supabase/migrations/20261130160510_second.sql": "select 1;\n"})
    assert _next(tmp_path) == "supabase/migrations/20261130160511_add_notes.sql"


def test_a_cli_project_numbered_nnn_keeps_toneys_numbers(tmp_path: Path) -> None:
    write(tmp_path, {"supabase/config.toml": 'project_id = "x"\n',
                     "supabase/migrations/001_init.sql": "-- Init.\nselect 1;\n"})
    assert _next(tmp_path) == "supabase/migrations/002_add_notes.sql"


def test_an_empty_toney_project_starts_at_001(tmp_path: Path) -> None:
    write(tmp_path, {"supabase/migrations/.gitkeep": "",
                     "lockstep.toml": "[conventions]\ntoney = true\n"})
    assert _next(tmp_path) == "supabase/migrations/001_add_notes.sql"


def test_cli_new_in_an_empty_cli_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"supabase/config.toml": 'project_id = "x"\n', ".git/HEAD": "ref\n"})
    (tmp_path / "supabase" / "migrations").mkdir()
    assert main(["new", "add notes", str(tmp_path), "--format", "json"]) == 0
    path = json.loads(capsys.readouterr().out)["path"]
    assert re.fullmatch(r"supabase/migrations/\d{14}_add_notes\.sql", path), path
    stamp = datetime.strptime(path.split("/")[-1][:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 120  # UTC, not local time


def test_new_init_beside_a_cli_config_uses_timestamps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`supabase init` writes config.toml; `migrations/` comes with the first migration."""
    write(tmp_path, {"supabase/config.toml": 'project_id = "x"\n', ".git/HEAD": "ref\n"})
    assert main(["new", "add notes", str(tmp_path), "--init", "--format", "json"]) == 0
    path = json.loads(capsys.readouterr().out)["path"]
    assert re.fullmatch(r"supabase/migrations/\d{14}_add_notes\.sql", path), path


def test_an_empty_migrations_folder_makes_a_cli_project(tmp_path: Path) -> None:
    write(tmp_path, {"apps/a/supabase/config.toml": 'project_id = "x"\n'})
    (tmp_path / "apps/a/supabase/migrations").mkdir()
    [found] = discover_projects(tmp_path)
    assert (found.workdir, found.cli) == ("apps/a/supabase", True)
