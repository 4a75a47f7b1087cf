"""The disk cache for cold starts (core/cache.py): a warm run says exactly what a cold one
says, a bad entry is a miss (never trusted, never a crash), and the cache folder is the one
place outside the root Lockstep writes to."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lockstep.core import cache, cachedir
from lockstep.core.cache import MAGIC, TAG, DiskCache, default_cache
from lockstep.core.rules.engine import run_rules
from lockstep.core.sql.parse import ParsedSql, parse_migration_sql
from lockstep.core.workspace import Workspace
from tests.repos import REPO
from tests.security_repo import INIT, audited, outside_folder, write

SQL = "CREATE TABLE wins (id uuid PRIMARY KEY, title text NOT NULL);\n"


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def check_json(root: Path, cache_home: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "lockstep", "check", str(root), "--format", "json", *extra],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "XDG_CACHE_HOME": str(cache_home)},
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def test_cold_and_warm_runs_give_identical_diagnostics(tmp_path: Path) -> None:
    root = tmp_path / "toney"
    shutil.copytree(REPO / "examples" / "toney", root)
    home = tmp_path / "cache"
    cold = check_json(root, home)
    [pack] = [p for p in entries(home / "lockstep")  # one pack for the workspace
              if not p.name.startswith("run-")]  # and the record of the run (cli/quick.py)
    written = pack.stat().st_mtime_ns
    warm = check_json(root, home)
    assert warm == cold
    assert pack.stat().st_mtime_ns == written  # all hits: nothing written again
    assert check_json(root, tmp_path / "unused", "--no-cache") == cold
    assert not (tmp_path / "unused").exists()


def test_the_cache_hits_and_gives_equal_parses(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "c", "workspace")
    first = disk.cached(("sql", SQL), lambda: parse_migration_sql(SQL), ParsedSql)
    disk.save()
    reopened = DiskCache(tmp_path / "c", "workspace")
    again = reopened.cached(("sql", SQL), lambda: pytest.fail("a hit computes nothing"),
                            ParsedSql)
    assert again is not first
    assert (again.text, again.errors, again.comments) == (first.text, first.errors, first.comments)
    assert [(s.start, s.end, s.tokens, s.ir) for s in again.statements] == \
        [(s.start, s.end, s.tokens, s.ir) for s in first.statements]


def _stored(disk: DiskCache) -> Path:
    [path] = entries(disk.folder)
    return path


def _pack(entries_: object, tag: bytes = TAG) -> bytes:
    payload = pickle.dumps(entries_)
    return MAGIC + len(tag).to_bytes(2, "little") + tag + hashlib.sha256(payload).digest() + payload


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("damage", ["flipped", "truncated", "empty", "foreign", "garbage",
                                    "not-a-dict", "function", "wrong-kind", "group-writable"])
def test_a_bad_entry_is_a_miss(tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch
                               ) -> None:
    monkeypatch.chdir(tmp_path)
    disk = DiskCache(tmp_path / "c", "workspace")
    disk.cached(("sql", SQL), lambda: parse_migration_sql(SQL), ParsedSql)
    disk.save()
    path = _stored(disk)
    data = path.read_bytes()
    key = disk.key(("sql", SQL))
    if damage == "flipped":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "foreign":  # another version's pack, intact
        path.write_bytes(_pack(pickle.loads(data[len(MAGIC) + 2 + len(TAG) + 32:]),
                               b"lockstep 0.0.0"))
    elif damage == "garbage":  # a valid pack whose entry is no pickle
        path.write_bytes(_pack({key: b"\x80\x05not a pickle at all"}))
    elif damage == "not-a-dict":
        path.write_bytes(_pack([key]))
    elif damage == "function":  # a valid pack whose entry calls a function
        path.write_bytes(_pack({key: pickle.dumps(_Boom())}))
    elif damage == "wrong-kind":
        path.write_bytes(_pack({key: pickle.dumps(["a list, not a ParsedSql"])}))
    else:
        path.chmod(0o664)
    computed: list[str] = []

    def compute() -> ParsedSql:
        computed.append("again")
        return parse_migration_sql(SQL)

    value = DiskCache(tmp_path / "c", "workspace").cached(("sql", SQL), compute, ParsedSql)
    assert computed == ["again"]
    assert value.text == SQL
    assert not (tmp_path / "pwned").exists()


def test_a_corrupt_cache_changes_no_diagnostic(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "toney"
    shutil.copytree(REPO / "examples" / "toney", root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    clean = Workspace(root)
    clean.load()
    expected = run_rules(clean)
    [pack] = entries(tmp_path / "home" / "lockstep")
    data = pack.read_bytes()
    for cut in (0, len(data) // 3, len(data) - 1):
        pack.write_bytes(data[:cut])
        damaged = Workspace(root)
        damaged.load()
        assert run_rules(damaged) == expected
        pack.write_bytes(data)


def test_unpicklable_values_and_unwritable_folders_are_not_cached(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "c", "workspace")
    assert disk.cached(("x",), lambda: (lambda: 1), object) is not None  # not picklable
    disk.save()
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    unwritable = DiskCache(blocked, "workspace")
    assert unwritable.cached(("y",), lambda: [1], list) == [1]
    unwritable.save()  # no error


def test_the_cache_keeps_the_last_run_and_is_pruned_oldest_first(tmp_path: Path) -> None:
    for number in range(8):
        disk = DiskCache(tmp_path / "c", f"workspace {number}", max_bytes=3000)
        disk.cached(("n", str(number)), lambda: "x" * 500, str)
        disk.save()
        os.utime(disk.path, (number, number))
    left = entries(tmp_path / "c")
    assert sum(p.stat().st_size for p in left) <= 3000
    assert min(p.stat().st_mtime for p in left) > 2  # the oldest went first
    disk = DiskCache(tmp_path / "c", "workspace 7", max_bytes=3000)
    assert disk.cached(("n", "7"), lambda: pytest.fail("kept"), str) == "x" * 500
    disk.cached(("n", "other"), lambda: "y", str)
    disk.save()
    again = DiskCache(tmp_path / "c", "workspace 7")
    assert again.cached(("n", "other"), lambda: pytest.fail("kept"), str) == "y"


def test_no_cache_inside_the_workspace_or_when_turned_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "repo" / ".cache"))
    assert default_cache(tmp_path / "repo") is None
    assert default_cache(tmp_path / "other") is not None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as XDG says
    assert cache.folder() == Path.home() / ".cache" / "lockstep"
    monkeypatch.setenv(cachedir.NO_CACHE_ENV, "1")
    assert default_cache(tmp_path / "other") is None


def test_the_suite_never_uses_the_real_home_cache() -> None:
    assert Path(os.environ["XDG_CACHE_HOME"]) != Path.home() / ".cache"
    assert not str(cache.folder()).startswith(str(Path.home() / ".cache"))


def test_the_audit_hook_allows_the_cache_folder_and_nothing_else(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    outside = outside_folder(tmp_path)
    root = tmp_path / "repo"
    write(root / "supabase/migrations/001_init.sql", INIT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / "cache"))
    result = audited(outside, tmp_path / "nowhere", "check", str(root))
    assert "lockstep-audit" not in result.stderr, result.stderr
    assert entries(tmp_path / "home" / "cache" / "lockstep")  # written, and allowed
    refused = audited(outside, tmp_path / "nowhere", "new", "a write", str(root))
    assert refused.returncode == 97 and "writes outside the workspace" in refused.stderr


def test_an_entry_names_only_lockstep_and_pglast_classes() -> None:
    payload = pickle.dumps(parse_migration_sql(SQL))
    modules = {arg for op, arg, _ in __import__("pickletools").genops(io.BytesIO(payload))
               if op.name in ("SHORT_BINUNICODE", "BINUNICODE") and isinstance(arg, str)
               and arg.startswith(("lockstep.", "pglast."))}
    assert modules  # classes come from these two packages only


def test_a_second_load_replays_nothing_and_an_edit_caches_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lockstep.core.replay import journal

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "toney"
    shutil.copytree(REPO / "examples" / "toney", root)
    first = Workspace(root)
    first.load(save_cache=False)
    expected = run_rules(first)
    assert first.cache is not None and first.cache.unsaved
    first.cache.save()
    replayed: list[str] = []
    original = journal.replay_file
    monkeypatch.setattr(journal, "replay_file",
                        lambda state, path, parsed: (replayed.append(path),
                                                     original(state, path, parsed))[1])
    second = Workspace(root)
    second.load()
    assert run_rules(second) == expected
    assert replayed == []  # the replay came from the pack
    path = sorted(second.migrations)[-1]
    text = second.read(path)
    assert text is not None
    second.set_overlay(path, text + "\nALTER TABLE wins ADD COLUMN note text;\n")
    _ = second.replay
    assert replayed == [path]  # resumed from the cached journal's checkpoint
    assert second.cache is not None and not second.cache.unsaved  # an edit keeps nothing


def test_slotted_dataclasses_round_trip_through_the_fast_pickler() -> None:
    parsed = parse_migration_sql(SQL + "CREATE INDEX ON wins (title);\n")
    data = cache.dumps(parsed)
    assert cache._load(data) is not None
    again = cache._load(data)
    assert isinstance(again, ParsedSql)
    assert [s.ir for s in again.statements] == [s.ir for s in parsed.statements]
    assert len(data) < len(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
