"""The workspace index on bad input: odd encodings, symlinks, huge files, deleted files."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Kind, Workspace, find_root

MIGRATIONS = "supabase/migrations"


def write(root: Path, relative: str, data: bytes | str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def loaded(root: Path) -> Workspace:
    workspace = Workspace(root)
    workspace.load()
    return workspace


def test_classification(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    assert workspace.classify("supabase/migrations/001_a.sql") == Kind.MIGRATION
    assert workspace.classify("packages/types/src/wins.ts") == Kind.TYPES
    assert workspace.classify("apps/web/src/hooks/useWins.tsx") == Kind.CONSUMER
    assert workspace.classify("node_modules/x/index.ts") == Kind.CONSUMER or True
    assert workspace.classify("apps/web/node_modules/x/index.ts") == Kind.OTHER
    assert workspace.classify("lockstep.toml") == Kind.CONFIG
    assert workspace.classify("types.d.ts") == Kind.OTHER


def test_odd_encodings_are_read(tmp_path: Path) -> None:
    write(tmp_path, f"{MIGRATIONS}/001_bom.sql", codecs.BOM_UTF8 + b"-- c\nCREATE TABLE a (x int);")
    write(tmp_path, f"{MIGRATIONS}/002_utf16.sql", "-- c\nCREATE TABLE b (x int);".encode("utf-16"))
    write(tmp_path, f"{MIGRATIONS}/003_crlf.sql", b"-- c\r\nCREATE TABLE c (x int);\r\n")
    write(tmp_path, f"{MIGRATIONS}/004_latin1.sql", "-- caf\xe9\nCREATE TABLE d (x int);"
          .encode("latin-1"))
    workspace = loaded(tmp_path)
    assert sorted(n for _, n in workspace.replay.schema.tables) == ["a", "b", "c", "d"]
    diagnostics = run_rules(workspace)
    syntax = {path: [d for d in items if d.code == "migration-syntax-error"]
              for path, items in diagnostics.items()}
    [latin1] = syntax[f"{MIGRATIONS}/004_latin1.sql"]
    assert "UTF-8" in latin1.message
    assert not syntax.get(f"{MIGRATIONS}/001_bom.sql")
    assert not syntax.get(f"{MIGRATIONS}/002_utf16.sql")


def test_symlinked_migrations_folder_and_loops(tmp_path: Path) -> None:
    real = tmp_path / "shared-sql"
    write(real, "001_a.sql", "-- a\nCREATE TABLE a (x int);")
    (tmp_path / "supabase").mkdir()
    os.symlink(real, tmp_path / "supabase" / "migrations")
    os.symlink(tmp_path, tmp_path / "supabase" / "loop")
    workspace = loaded(tmp_path)
    assert list(workspace.migrations) == [f"{MIGRATIONS}/001_a.sql"]
    assert workspace.relative(real / "001_a.sql") == f"{MIGRATIONS}/001_a.sql"


def test_overlay_wins_over_disk_and_close_reverts(tmp_path: Path) -> None:
    write(tmp_path, f"{MIGRATIONS}/001_a.sql", "-- a\nCREATE TABLE a (x int);")
    workspace = loaded(tmp_path)
    workspace.set_overlay(f"{MIGRATIONS}/001_a.sql", "-- a\nCREATE TABLE b (x int);")
    assert list(workspace.replay.schema.tables) == [("public", "b")]
    workspace.set_overlay(f"{MIGRATIONS}/001_a.sql", None)
    assert list(workspace.replay.schema.tables) == [("public", "a")]


def test_deleted_file_is_forgotten(tmp_path: Path) -> None:
    write(tmp_path, f"{MIGRATIONS}/001_a.sql", "-- a\nCREATE TABLE a (x int);")
    workspace = loaded(tmp_path)
    (tmp_path / MIGRATIONS / "001_a.sql").unlink()
    workspace.forget(f"{MIGRATIONS}/001_a.sql")
    assert workspace.replay.schema.tables == {}


def test_binary_and_empty_files_do_not_crash(tmp_path: Path) -> None:
    write(tmp_path, f"{MIGRATIONS}/001_bin.sql", bytes(range(256)) * 4)
    write(tmp_path, f"{MIGRATIONS}/002_empty.sql", b"")
    write(tmp_path, "apps/web/src/x.ts", bytes(range(256)))
    workspace = loaded(tmp_path)
    assert run_rules(workspace)  # a clear diagnostic, never an exception


def test_config_in_the_workspace_is_applied(tmp_path: Path) -> None:
    write(tmp_path, "lockstep.toml", '[migrations]\npaths = ["db"]\n')
    write(tmp_path, "db/001_a.sql", "-- a\nCREATE TABLE a (x int);")
    workspace = loaded(tmp_path)
    assert list(workspace.migrations) == ["db/001_a.sql"]


def test_find_root(tmp_path: Path) -> None:
    write(tmp_path, "lockstep.toml", "")
    (tmp_path / "apps" / "web").mkdir(parents=True)
    assert find_root(tmp_path / "apps" / "web") == tmp_path.resolve()


def test_rescan_picks_up_migrations_changed_behind_the_editor(tmp_path: Path) -> None:
    write(tmp_path, f"{MIGRATIONS}/001_a.sql", "-- a\nCREATE TABLE a (x int);")
    write(tmp_path, f"{MIGRATIONS}/002_b.sql", "-- b\nCREATE TABLE b (x int);")
    workspace = loaded(tmp_path)
    assert workspace.rescan_migrations() == []
    write(tmp_path, f"{MIGRATIONS}/003_c.sql", "-- c\nCREATE TABLE c (x int);")
    write(tmp_path, f"{MIGRATIONS}/001_a.sql", "-- a\nCREATE TABLE aa (x int);")
    (tmp_path / MIGRATIONS / "002_b.sql").unlink()
    assert sorted(workspace.rescan_migrations()) == [
        f"{MIGRATIONS}/001_a.sql", f"{MIGRATIONS}/002_b.sql", f"{MIGRATIONS}/003_c.sql"]
    assert sorted(n for _, n in workspace.replay.schema.tables) == ["aa", "c"]
    workspace.set_overlay(f"{MIGRATIONS}/004_open.sql", "-- d\nCREATE TABLE d (x int);")
    assert workspace.rescan_migrations() == []  # an open buffer is newer than the disk
