"""The workspace is a boundary (issue 16): a crafted repository cannot make Lockstep read or
print a file outside it, write outside it, or hang. The CLI runs as a real process under the
audit hook of tests/security_audit.py (no network, nothing opened outside, no stray write)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from lockstep.codeactions.migration.new import UNMIRRORED, plan_new_migration
from lockstep.core.ide.symbols import workspace_symbols
from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace
from tests.security_repo import INIT, SECRET, audited, hostile_repo, outside_folder, write

FORMATS = ["text", "json", "github", "sarif"]
NOT_READ = {
    "supabase/migrations/002_passwd.sql", "supabase/migrations/003_relative.sql",
    "apps/web/src/hooks/useSecret.ts", "packages/types/src/secret.ts", "apps/outlink",
    "apps/rootlink", "apps/above",
}


def loaded(root: Path, settings: dict[str, object] | None = None) -> Workspace:
    workspace = Workspace(root, settings)
    workspace.load()
    return workspace


def not_read(workspace: Workspace) -> dict[str, str]:
    return {d.path: d.severity for items in run_rules(workspace).values() for d in items
            if d.code == "file-not-read"}


def test_links_outside_are_reported_by_name_and_never_read(tmp_path: Path) -> None:
    root, _ = hostile_repo(tmp_path)
    workspace = loaded(root)
    assert list(workspace.migrations) == ["supabase/migrations/001_init.sql"]
    assert not_read(workspace) == dict.fromkeys(NOT_READ, "information")
    assert list(workspace.consumer_files) == ["packages/shared/useShared.ts"]  # once, by name
    everything = repr(run_rules(workspace)) + repr(workspace_symbols(workspace, ""))
    everything += repr(workspace.replay.schema) + repr(workspace.types_files)
    assert SECRET not in everything.lower()


def test_links_inside_the_root_are_followed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "db/migrations/001_init.sql", INIT)
    write(root / "db/extra/b.sql", "-- b\nCREATE TABLE b (id int);\n")
    (root / "supabase").mkdir()
    os.symlink("../db/migrations", root / "supabase" / "migrations")
    os.symlink("../extra/b.sql", root / "db" / "migrations" / "002_b.sql")
    workspace = loaded(root)
    assert sorted(workspace.migrations) == ["supabase/migrations/001_init.sql",
                                            "supabase/migrations/002_b.sql"]
    assert sorted(n for _, n in workspace.replay.schema.tables) == ["b", "wins"]
    assert not workspace.skipped


def test_a_buffer_of_a_link_outside_is_not_indexed(tmp_path: Path) -> None:
    root, outside = hostile_repo(tmp_path)
    workspace = loaded(root)
    text = (outside / "secret.sql").read_text()  # what the editor would send on didOpen
    assert workspace.set_overlay("supabase/migrations/002_passwd.sql", text) is False
    assert "supabase/migrations/002_passwd.sql" not in workspace.migrations
    assert SECRET not in repr(workspace_symbols(workspace, "")).lower()


@pytest.mark.parametrize("fmt", FORMATS)
def test_check_never_prints_the_secret(tmp_path: Path, fmt: str) -> None:
    root, outside = hostile_repo(tmp_path)
    result = audited(outside, tmp_path / "nowhere", "check", str(root), "--format", fmt)
    assert "lockstep-audit" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr  # information only: nothing fails
    assert SECRET not in (result.stdout + result.stderr).lower()
    for path in NOT_READ:
        assert path in result.stdout
    if fmt == "json":
        items = json.loads(result.stdout)["diagnostics"]
        assert {d["path"] for d in items if d["code"] == "file-not-read"} == NOT_READ
        assert {d["severity"] for d in items if d["code"] == "file-not-read"} == {"information"}


def test_schema_never_prints_the_secret(tmp_path: Path) -> None:
    root, outside = hostile_repo(tmp_path)
    result = audited(outside, tmp_path / "nowhere", "schema", str(root))  # writes nothing
    assert result.returncode == 0, result.stderr
    assert [t["name"] for t in json.loads(result.stdout)["tables"]] == ["wins"]
    assert SECRET not in result.stdout.lower()


@pytest.mark.parametrize("where", ["../outside/migrations", "../../outside", "absolute"])
def test_config_paths_leaving_the_root_are_invalid_config(tmp_path: Path, where: str) -> None:
    outside = outside_folder(tmp_path)
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    path = str(outside / "migrations") if where == "absolute" else where
    write(root / "lockstep.toml", f'[migrations]\npaths = ["{path}"]\n\n'
                                  f'[types]\npath = "{outside}"\n')
    result = audited(outside, root, "check", str(root), "--format", "json")
    assert "lockstep-audit" not in result.stderr, result.stderr
    assert result.returncode == 2  # a config error, as for any invalid-config
    items = json.loads(result.stdout)["diagnostics"]
    invalid = [d for d in items if d["code"] == "invalid-config"]
    assert [d["message"].split(" must stay inside the workspace")[0] for d in invalid] == [
        "`migrations.paths`", "`types.path`"]
    assert SECRET not in result.stdout.lower()
    schema = audited(outside, root, "schema", str(root))
    assert [t["name"] for t in json.loads(schema.stdout)["tables"]] == ["wins"]  # the default


def test_new_never_writes_outside(tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    write(root / "lockstep.toml", '[migrations]\npaths = ["../outside_write"]\n')
    result = audited(outside, root, "new", "escape write", str(root))
    assert "lockstep-audit" not in result.stderr, result.stderr
    assert result.stdout.splitlines()[0] == "supabase/migrations/002_escape_write.sql"
    assert not (tmp_path / "outside_write").exists()


def test_new_through_a_migrations_link_outside_is_refused(tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    root = tmp_path / "repo"
    (root / "supabase").mkdir(parents=True)
    os.symlink(outside / "migrations", root / "supabase" / "migrations")
    before = sorted(p.name for p in (outside / "migrations").iterdir())
    result = audited(outside, root, "new", "escape write", str(root))
    assert "lockstep-audit" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert "outside the workspace" in result.stderr
    assert sorted(p.name for p in (outside / "migrations").iterdir()) == before
    check = audited(outside, root, "check", str(root), "--format", "json")
    [item] = json.loads(check.stdout)["diagnostics"]
    assert (item["path"], item["code"]) == ("supabase/migrations", "file-not-read")


def test_editor_settings_may_name_a_folder_outside(tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    named = str(outside / "migrations")
    workspace = loaded(root, {"migrations": {"paths": [named]}})
    assert list(workspace.migrations) == [f"{named}/001_outside.sql"]
    assert not workspace.config_problems


def test_fifos_never_hang_check(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    (root / "apps/web/src").mkdir(parents=True)
    os.mkfifo(root / "apps/web/src/x.ts")
    os.mkfifo(root / "supabase/migrations/002_fifo.sql")
    os.mkfifo(root / "lockstep.toml")
    result = audited(tmp_path / "nothing", root, "check", str(root), "--format", "json",
                     timeout=60)  # a FIFO opened for reading would block until this ends
    assert result.returncode == 0, result.stderr
    items = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "file-not-read"]
    assert sorted(d["path"] for d in items) == [
        "apps/web/src/x.ts", "lockstep.toml", "supabase/migrations/002_fifo.sql"]
    assert all("not a regular file" in d["message"] for d in items)


def test_a_link_to_the_filesystem_root_is_not_walked(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    (root / "apps").mkdir()
    os.symlink("/", root / "apps" / "rootlink")
    started = time.perf_counter()
    result = audited(tmp_path / "nothing", root, "check", str(root), timeout=60)
    print(f"check with apps/rootlink -> /: {time.perf_counter() - started:.2f} s")
    assert result.stdout.startswith("apps/rootlink:1:1: information file-not-read")


def test_size_cap_is_configurable_and_reported(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    write(root / "supabase/migrations/002_big.sql", "-- big\n" + "SELECT 1;\n" * 200)
    write(root / "apps/web/src/hooks/useBig.ts", SHARED * 40)
    write(root / "lockstep.toml", "[files]\nmax_size_kib = 1\n")
    workspace = loaded(root)
    codes = {(d.path, d.code) for items in run_rules(workspace).values() for d in items}
    assert ("supabase/migrations/002_big.sql", "migration-syntax-error") in codes
    assert ("apps/web/src/hooks/useBig.ts", "file-not-read") in codes
    assert workspace.migrations["supabase/migrations/002_big.sql"].too_large
    write(root / "lockstep.toml", "[files]\nmax_size_kib = 4096\n")
    workspace = loaded(root)
    assert not workspace.skipped and "apps/web/src/hooks/useBig.ts" in workspace.consumer_files
    write(root / "lockstep.toml", '[files]\nmax_size_kib = "big"\n')
    assert [p.key for p in loaded(root).config_problems] == ["max_size_kib"]


SHARED = "export const load = () => supabase.from('wins').select('id');\n"


def test_huge_buffers_are_not_indexed(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    workspace = loaded(root)
    sql = "-- huge\n" + "CREATE TABLE t (id int);\n" * 840_000  # 21 MB
    ts = SHARED * 340_000  # 21 MB
    started = time.perf_counter()
    workspace.set_overlay("supabase/migrations/002_huge.sql", sql)
    workspace.set_overlay("apps/web/src/hooks/useHuge.ts", ts)
    codes = {(d.path, d.code) for items in run_rules(workspace).values() for d in items}
    print(f"21 MB SQL + 21 MB TS buffers indexed in {time.perf_counter() - started:.2f} s")
    assert ("supabase/migrations/002_huge.sql", "migration-syntax-error") in codes
    assert ("apps/web/src/hooks/useHuge.ts", "file-not-read") in codes
    workspace.set_overlay("apps/web/src/hooks/useHuge.ts", SHARED)  # back under the cap
    assert "apps/web/src/hooks/useHuge.ts" in workspace.consumer_files
    assert "apps/web/src/hooks/useHuge.ts" not in workspace.skipped


def test_new_migration_with_megabytes_of_sql_is_bounded(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    workspace = loaded(root)
    sql = "ALTER TABLE wins ADD COLUMN mood text;\n" * 130_000  # 5 MB
    started = time.perf_counter()
    plan = plan_new_migration(workspace, "mood", sql)
    print(f"plan_new_migration with 5 MB of SQL: {time.perf_counter() - started:.2f} s")
    assert UNMIRRORED in plan.content and plan.mirrored == ()
    small = plan_new_migration(workspace, "mood", "CREATE TABLE sim_wins (id uuid);\n"
                               "ALTER TABLE wins ADD COLUMN mood text;")
    assert small.mirrored == ("wins",)


@pytest.mark.parametrize(("path", "leaves"), [
    ("supabase/migrations", False), ("./db", False), ("db/../supabase", False),
    ("..", True), ("../x", True), ("db/../../x", True), ("/etc", True), ("C:\\\\x", True),
    ("..\\\\x", True),
])
def test_confine_paths(path: str, leaves: bool) -> None:
    from lockstep.core.config import Config, confine_paths, load_config

    text = f'[migrations]\npaths = ["{path}", "db"]\n[clone]\nroutes = ["{path}"]\n'
    loaded_config, _ = load_config(text)
    config, problems = confine_paths(loaded_config, text)
    assert bool(problems) == leaves
    if leaves:
        assert config.migration_paths == ("db",)  # the entries that stay inside are kept
        assert config.clone_routes == Config().clone_routes
        assert [(p.section, p.key, p.range.start.line) for p in problems] == [
            ("migrations", "paths", 1), ("clone", "routes", 3)]


def test_link_loops_are_names_not_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    os.symlink("002_loop.sql", root / "supabase/migrations/002_loop.sql")  # links to itself
    (root / "apps").mkdir()
    os.symlink("x.ts", root / "apps" / "x.ts")
    os.symlink("b", root / "apps" / "a")
    os.symlink("a", root / "apps" / "b")
    workspace = loaded(root)
    assert list(workspace.migrations) == ["supabase/migrations/001_init.sql"]
    assert workspace.rescan_migrations() == []
    assert run_rules(workspace) is not None
    plan = plan_new_migration(workspace, "after the loop")
    assert plan.path == "supabase/migrations/003_after_the_loop.sql"  # 002 is taken
