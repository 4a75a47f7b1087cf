"""The whole-run record of `check` (cli/quick.py, core/readset.py): a second identical run on
an unchanged workspace is answered from it, byte for byte; any change to what the first run
read, or to how it was asked, is a miss whose answer equals a fresh `--no-cache` run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lockstep.cli import quick
from lockstep.cli.main import _parse, main
from lockstep.core import cache, cachedir, readset, stamp

CHECK = ["check", ".", "--format", "json"]
WINS = ("-- Wins.\nCREATE TABLE wins (id uuid PRIMARY KEY, note text);\n"
        "ALTER TABLE wins ENABLE ROW LEVEL SECURITY;\n"
        "CREATE POLICY \"read\" ON wins FOR SELECT USING (true);\n")
CONSUMER = ("export async function load(db: any) {\n"
            "  return db.from('wins').select('id, note');\n}\n")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "ws"
    (root / "supabase" / "migrations").mkdir(parents=True)
    (root / "supabase" / "migrations" / "001_wins.sql").write_text(WINS)
    (root / "supabase" / "migrations" / "002_mood.sql").write_text(
        "-- Mood.\nALTER TABLE wins ADD COLUMN mood text;\n")
    (root / "apps" / "web" / "src").mkdir(parents=True)
    (root / "apps" / "web" / "src" / "wins.ts").write_text(CONSUMER)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(cachedir.NO_CACHE_ENV, raising=False)
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int, str]:
    """The full command (it records)."""
    code = main(arguments)
    cache._disabled = False  # `--no-cache` turns the disk cache off for the whole process
    return code, capsys.readouterr().out


def fast(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> tuple[int | None, str]:
    """The fast path alone: None when it has no valid record."""
    code = quick.answer(arguments)
    return code, capsys.readouterr().out


def records(ws: Path) -> list[Path]:
    return sorted((ws.parent / "cache" / "lockstep").glob("run-*"))


def assert_miss_then_fresh(capsys: pytest.CaptureFixture[str],
                           arguments: list[str] = CHECK) -> str:
    """A miss; the full run equals a `--no-cache` one, and is answered again after it."""
    assert fast(capsys, arguments) == (None, "")
    code, out = run(capsys, arguments)
    assert (code, out) == run(capsys, [*arguments, "--no-cache"])
    assert fast(capsys, arguments) == (code, out)
    return out


def test_second_run_is_answered_from_the_record(
        ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fast(capsys, CHECK) == (None, "")
    code, out = run(capsys, CHECK)
    assert '"diagnostics"' in out and len(records(ws)) == 1
    assert fast(capsys, CHECK) == (code, out)


def test_the_entry_point_answers_without_the_full_command(
        ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    expected = run(capsys, CHECK)
    import lockstep.cli.main

    def refuse(argv: list[str] | None = None) -> int:
        raise AssertionError("the full command ran")

    monkeypatch.setattr(lockstep.cli.main, "main", refuse)
    assert (quick.main(CHECK), capsys.readouterr().out) == expected


def test_a_hit_imports_nothing_heavy(ws: Path) -> None:
    command = [sys.executable, "-X", "importtime", "-m", "lockstep", *CHECK]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    second = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    assert "pglast" in first.stderr  # the full command ran the first time
    imported = {line.split("|")[-1].strip() for line in second.stderr.splitlines()}
    heavy = {"pglast", "tree_sitter", "lsprotocol", "argparse", "lockstep.cli.main",
             "lockstep.core.workspace", "lockstep.core.fs", "lockstep.core.cache"}
    assert not heavy & imported


@pytest.mark.parametrize("racy", [True, False])
def test_racy_entries_keep_a_digest(ws: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch, racy: bool) -> None:
    if not racy:  # as if everything had last changed long before the run: stats decide
        monkeypatch.setattr(readset, "RACY_NS", -10**15)
    run(capsys, CHECK)
    record = quick.load(str(records(ws)[0]))
    assert record is not None
    migration = str(ws / "supabase" / "migrations" / "001_wins.sql")
    [digest] = [d for path, _, d in record["files"] if path == migration]
    assert (digest is not None) == racy


def test_an_edit_within_one_timestamp_tick_is_seen(
        ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Same size, same mtime, and (as a coarse clock makes it) the same ctime: only the
    digest of what was read tells."""
    monkeypatch.setattr(readset, "signature", lambda info: [info.st_size, info.st_mtime_ns])
    run(capsys, CHECK)
    path = ws / "supabase" / "migrations" / "001_wins.sql"
    before = path.stat()
    path.write_text(WINS.replace("note text", "nota text"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert readset.signature(path.stat()) == readset.signature(before)
    assert_miss_then_fresh(capsys)


MUTATIONS: dict[str, Callable[[Path], object]] = {
    "edit a migration": lambda ws: (ws / "supabase/migrations/002_mood.sql").write_text(
        "-- Mood.\nALTER TABLE wins ADD COLUMN mood text DEFALT 1;\n"),
    "edit a TS file": lambda ws: (ws / "apps/web/src/wins.ts").write_text(
        CONSUMER.replace("id, note", "id, nope")),
    "add a migration": lambda ws: (ws / "supabase/migrations/003_drop.sql").write_text(
        "-- Drop.\nALTER TABLE wins DROP COLUMN note;\n"),
    "delete a migration": lambda ws: (ws / "supabase/migrations/002_mood.sql").unlink(),
    "add a TS file in a new folder": lambda ws: _write(
        ws / "apps/web/src/deep/more/x.ts", CONSUMER.replace("note", "gone")),
    "add lockstep.toml": lambda ws: (ws / "lockstep.toml").write_text(
        "[rules]\nrls-disabled = \"off\"\n"),
    "add supabase/config.toml": lambda ws: (ws / "supabase/config.toml").write_text(
        "[api]\nschemas = [\"public\"]\n"),
    "add a nested project": lambda ws: [
        _write(ws / "apps/other/supabase/config.toml", ""),
        _write(ws / "apps/other/supabase/migrations/001_x.sql", "CREATE TABLE x (a int);\n")],
    "make the code stamp change": lambda ws: None,  # see the test
}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("racy", [True, False], ids=["digests", "stats-only"])
@pytest.mark.parametrize("name", list(MUTATIONS))
def test_every_change_is_a_miss(ws: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch, name: str, racy: bool) -> None:
    if not racy:  # as if the files had last changed long before: no digest to fall back on
        monkeypatch.setattr(readset, "RACY_NS", -10**15)
    first = run(capsys, CHECK)
    assert fast(capsys, CHECK) == first
    MUTATIONS[name](ws)
    if name == "make the code stamp change":
        stamp = quick.code_stamp()
        monkeypatch.setattr(quick, "code_stamp", lambda: [*stamp, "x.py:1:2"])
    assert_miss_then_fresh(capsys)


def test_lockstep_toml_edited(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ws / "lockstep.toml").write_text("[rules]\n")
    run(capsys, CHECK)
    (ws / "lockstep.toml").write_text("[rules]\nrls-disabled = \"error\"\n")
    assert_miss_then_fresh(capsys)


def test_a_marker_above_a_subfolder_root(ws: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a subfolder (root found by walking up): a marker created between the two
    changes the root."""
    monkeypatch.chdir(ws / "apps" / "web")
    arguments = ["check", "src", "--format", "text"]
    run(capsys, arguments)
    _write(ws / "apps/web/supabase/migrations/001_x.sql", "CREATE TABLE x (id int);\n")
    assert_miss_then_fresh(capsys, arguments)


def test_a_migration_folder_link_retargeted(ws: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (ws / "db" / "a").mkdir(parents=True)
    (ws / "db" / "b").mkdir(parents=True)
    (ws / "db" / "a" / "001_wins.sql").write_text(WINS)
    (ws / "db" / "b" / "001_wins.sql").write_text(WINS.replace("note text", "note int"))
    (ws / "lockstep.toml").write_text("[migrations]\npaths = [\"db/current\"]\n")
    (ws / "db" / "current").symlink_to("a")
    first = run(capsys, CHECK)
    assert fast(capsys, CHECK) == first
    (ws / "db" / "current").unlink()
    (ws / "db" / "current").symlink_to("b")
    assert_miss_then_fresh(capsys)


@pytest.mark.parametrize("other", [
    ["check", ".", "--format", "text"],
    ["check", ".", "--format", "json", "--fail-on", "hint"],
    ["check", "--format", "json"],  # ROOT as written
])
def test_another_invocation_is_a_miss(ws: Path, capsys: pytest.CaptureFixture[str],
                                      other: list[str]) -> None:
    run(capsys, CHECK)
    assert_miss_then_fresh(capsys, other)


def test_another_current_folder_is_a_miss(ws: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    arguments = ["check", str(ws)]
    run(capsys, arguments)
    monkeypatch.chdir(ws / "apps")
    assert_miss_then_fresh(capsys, arguments)


def test_strict_mode_is_part_of_the_key(ws: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, CHECK)
    monkeypatch.setenv("LOCKSTEP_STRICT", "0" if os.environ.get("LOCKSTEP_STRICT") else "1")
    assert fast(capsys, CHECK) == (None, "")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "header", "bad-data"])
def test_a_corrupt_record_is_a_miss(ws: Path, capsys: pytest.CaptureFixture[str],
                                    damage: str) -> None:
    run(capsys, CHECK)
    [path] = records(ws)
    data = path.read_bytes()
    path.write_bytes({
        "truncate": data[:len(data) // 2],
        "garbage": b"\xff" * 100,
        "header": b"LOCKSTEP-RUN-0\n" + data[len(quick.MAGIC):],
        "bad-data": quick.MAGIC + b"\x00\x01\x02",
    }[damage])
    assert_miss_then_fresh(capsys)


def test_a_record_others_may_write_is_ignored(ws: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, CHECK)
    [path] = records(ws)
    path.chmod(0o666)
    assert fast(capsys, CHECK) == (None, "")


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="only root can give a file away")
def test_a_record_of_another_user_is_ignored(ws: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, CHECK)
    [path] = records(ws)
    os.chown(path, 12345, 12345)
    assert fast(capsys, CHECK) == (None, "")


def test_no_cache_neither_reads_nor_writes(ws: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, [*CHECK, "--no-cache"])
    assert records(ws) == []
    monkeypatch.setenv(cachedir.NO_CACHE_ENV, "1")
    run(capsys, CHECK)
    assert records(ws) == []
    monkeypatch.delenv(cachedir.NO_CACHE_ENV)
    expected = run(capsys, CHECK)
    assert fast(capsys, CHECK) == expected
    assert fast(capsys, [*CHECK, "--no-cache"]) == (None, "")
    monkeypatch.setenv(cachedir.NO_CACHE_ENV, "1")
    assert fast(capsys, CHECK) == (None, "")


def test_a_run_that_read_something_unrecorded_is_not_recorded(
        ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from lockstep.core.rules import engine

    elsewhere = ws.parent / "elsewhere.txt"
    elsewhere.write_text("x")
    rules = engine.run_rules

    def reading(workspace: object) -> object:
        elsewhere.read_text()  # past core/fs.py: the audit hook sees it
        return rules(workspace)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "run_rules", reading)
    run(capsys, CHECK)
    assert records(ws) == []


def test_a_run_that_warned_or_failed_is_not_recorded(
        ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (ws / "lockstep.toml").write_text("[rules\n")  # invalid: exit code 2
    assert run(capsys, CHECK)[0] == 2
    assert records(ws) == []
    (ws / "lockstep.toml").unlink()
    assert run(capsys, ["check", "--fix"])[0] in (0, 1)
    assert records(ws) == []


@pytest.mark.parametrize("arguments", [
    ["check", "--fix"], ["check", "--unsafe-fixes"], ["check", "--no-cache"], ["check", "-h"],
    ["check", "--help"], ["check", "a", "b"], ["check", "--format"], ["check", "--bogus"],
    ["check", "--format", "json", "--format", "text"], ["check", "--"], ["info"], [],
    ["--stdio"], ["check", ""],
])
def test_only_a_plain_check_is_recognised(arguments: list[str]) -> None:
    assert quick.request(arguments) is None


def test_the_defaults_are_the_parsers() -> None:
    args = _parse(["check"])
    assert quick.request(["check"]) == {"root": None, "format": args.format,
                                        "fail_on": args.fail_on}
    assert quick.request(["check", "r", "--format=sarif", "--fail-on", "hint"]) == {
        "root": "r", "format": "sarif", "fail_on": "hint"}


def test_the_code_stamp_follows_the_source_files(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    source = tmp_path / "pkg" / "a.py"
    source.write_text("x = 1\n")
    before: list[str] = []
    stamp._walk(str(tmp_path), "", before)
    os.utime(source, ns=(1, 1))
    after: list[str] = []
    stamp._walk(str(tmp_path), "", after)
    assert before != after and len(after) == 1


def test_a_marker_in_a_folder_the_walk_skips(ws: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """ROOT inside node_modules/: only the root-finding probes look there."""
    (ws / "node_modules" / "pkg").mkdir(parents=True)
    arguments = ["check", "node_modules/pkg", "--format", "json"]
    run(capsys, arguments)
    _write(ws / "node_modules/pkg/supabase/migrations/001_x.sql", "CREATE TABLE x (id int);\n")
    assert_miss_then_fresh(capsys, arguments)


def test_never_inside_the_workspace(ws: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither written there (an odd XDG_CACHE_HOME) nor read from there (a record a
    repository ships)."""
    run(capsys, CHECK)
    [record] = records(ws)
    shipped = ws / ".cache" / "lockstep" / record.name
    shipped.parent.mkdir(parents=True)
    shipped.write_bytes(record.read_bytes())
    shipped.chmod(0o600)
    monkeypatch.setenv("XDG_CACHE_HOME", str(ws / ".cache"))
    assert quick.load(str(shipped)) is None
    shipped.unlink()
    run(capsys, CHECK)
    assert list(shipped.parent.iterdir()) == []


def test_a_file_that_changed_between_two_reads_is_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.sql"
    path.write_text("one")
    recording = readset.ReadSet()
    recording.read(str(path), path.stat(), b"one")
    recording.read(str(path), path.stat(), b"one")
    assert recording.complete(()) is True
    path.write_text("two")
    recording.read(str(path), path.stat(), b"two")
    assert recording.complete(()) is False
