"""The command line as a person meets it: --version, --help, usage errors, the serve hint,
and every command run from a subfolder of the workspace."""

from __future__ import annotations

import io
import json
from importlib.metadata import version
from pathlib import Path

import pytest

from lockstep.cli.main import main

REPO = Path(__file__).resolve().parents[2]
TONEY = REPO / "examples" / "toney"
COMMANDS = ("serve", "check", "schema", "new", "consumers", "rename")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "001_wins.sql").write_text(
        "-- Wins.\nCREATE TABLE wins (id uuid PRIMARY KEY, note text);\n")
    return tmp_path


def test_version_is_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from lockstep.protocol.server import LockstepServer

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"lockstep-lsp {version('lockstep-lsp')}\n"
    assert LockstepServer().version == version("lockstep-lsp")  # the serverInfo version


def test_top_level_help_lists_commands_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert all(f"    {name} " in out or f"    {name}\n" in out for name in COMMANDS)
    assert "exit codes" in out and "--fail-on (default: error)" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: lockstep-lsp {command} ")
    description = out.split("\n\n")[1]
    assert len(description.split()) >= 10 and not description.startswith(("positional", "opt"))
    table = out[out.index("exit codes:"):]
    assert "\n  0  " in table


def test_check_help_shows_the_exit_code_table_and_fail_on_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["check", "--help"])
    out = capsys.readouterr().out
    assert "(default: error)" in out[: out.index("exit codes:")]  # on --fail-on itself
    table = out[out.index("exit codes:"):].splitlines()[1:]
    assert [line.split()[0] for line in table] == ["0", "1", "2"]
    assert "at or above --fail-on" in table[1] and "usage or configuration" in table[2]


def test_a_usage_error_after_a_command_prints_that_commands_usage(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "add mood", str(repo), "--bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lockstep-lsp new ") and "unrecognized arguments: --bogus" in err
    assert main(["consumers", "wins", "--format", "xml"]) == 2
    assert capsys.readouterr().err.startswith("usage: lockstep-lsp consumers ")
    assert main(["--bogus"]) == 2
    assert capsys.readouterr().err.startswith("usage: lockstep-lsp [-h]")


def test_new_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "Wins get a mood", str(repo), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["path"] == "supabase/migrations/002_wins_get_a_mood.sql"
    assert "did not apply" in payload["reminder"] and "002_wins_get_a_mood" in payload["reminder"]
    assert (repo / payload["path"]).read_text().startswith("-- Wins get a mood.")


def test_new_and_schema_walk_up_from_a_subfolder(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = repo / "supabase" / "migrations"
    monkeypatch.chdir(migrations)
    assert main(["new", "add streaks"]) == 0
    assert capsys.readouterr().out.startswith("002_add_streaks.sql\n")  # where the person is
    assert (migrations / "002_add_streaks.sql").exists()
    assert not (migrations / "supabase").exists()
    assert main(["schema"]) == 0
    [wins] = json.loads(capsys.readouterr().out)["tables"]
    assert wins["defined_in"] == "supabase/migrations/001_wins.sql"


def test_consumers_walks_up_and_prints_paths_from_here(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(TONEY / "apps" / "web")
    assert main(["consumers", "wins", "--format", "json"]) == 0
    paths = [c["path"] for c in json.loads(capsys.readouterr().out)["consumers"]]
    assert "apps/web/src/app/api/wins/route.ts" in paths  # JSON: ROOT-relative
    assert main(["consumers", "wins"]) == 0
    text = capsys.readouterr().out
    assert "\n  src/app/api/wins/route.ts:16:12  GET  select\n" in text  # from here
    admin = (TONEY / "apps/admin/src/lib/queries/wins.ts").as_posix()
    assert f"\n  {admin}:22:12  listSessionWins  select\n" in text  # absolute outside it


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_serve_on_a_terminal_says_what_it_is(
    terminal: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lockstep.protocol.server

    served: list[bool] = []
    monkeypatch.setattr(lockstep.protocol.server, "serve", lambda: served.append(True))
    monkeypatch.setattr("sys.stdin", _Terminal() if terminal else io.StringIO())
    assert main([]) == 0
    err = capsys.readouterr().err
    assert served == [True]
    if terminal:
        assert err.count("\n") == 1 and "language server" in err and "--help" in err
    else:
        assert err == ""  # an editor's pipe: not a byte beside the protocol
