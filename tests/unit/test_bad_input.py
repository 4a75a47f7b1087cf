"""Bad input is normal input: half-typed SQL and TS, odd bytes, CRLF, a BOM. Every request
path of the core answers (or answers nothing) and never raises."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from lockstep.codeactions.fixes.registry import fixes_for
from lockstep.core.ide.completion import complete
from lockstep.core.ide.hover import hover_text
from lockstep.core.ide.navigation import definition, lenses, references, type_definition
from lockstep.core.ide.symbols import document_symbols, workspace_symbols
from lockstep.core.ide.target import symbol_at
from lockstep.core.rules.engine import run_rules
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "toney"
FILES = [
    "supabase/migrations/002_sessions.sql",
    "supabase/migrations/016_wins_energy_level.sql",
    "packages/types/src/wins.ts",
    "apps/web/src/hooks/useWins.ts",
    "apps/admin/src/app/api/simulator/personas/clone/route.ts",
]


def _mutations(text: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    cut = rng.randrange(1, max(2, len(text)))
    spot = rng.randrange(0, max(1, len(text)))
    return [
        text[:cut],  # half-typed
        text[:spot] + "\x00\ufffd😀'\"(`${" + text[spot:],  # junk in the middle
        text[:spot] + text[spot + 1 :],  # one character gone
        text.replace("\n", "\r\n"),  # CRLF
        "\ufeff" + text,  # a BOM that survived decoding
        "",  # emptied
    ]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("bad") / "toney"
    shutil.copytree(EXAMPLE, root)
    loaded = Workspace(root)
    loaded.load()
    return loaded


def _exercise(workspace: Workspace, path: str, text: str) -> None:
    diagnostics = run_rules(workspace)
    for items in diagnostics.values():
        for diagnostic in items:
            fixes_for(workspace, diagnostic)
    document_symbols(workspace, path)
    lenses(workspace, path)
    workspace_symbols(workspace, "w")
    lines = LineIndex(text)
    for offset in range(0, len(text) + 1, max(1, len(text) // 40)):
        position = lines.position(offset)
        complete(workspace, path, text, position)
        target = symbol_at(workspace, path, position)
        if target is None:
            continue
        hover_text(workspace, target)
        definition(workspace, target)
        type_definition(workspace, target)
        references(workspace, target, include_declaration=True)


@pytest.mark.parametrize("path", FILES)
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_request_survives_broken_buffers(workspace: Workspace, path: str,
                                               seed: int) -> None:
    original = (EXAMPLE / path).read_text()
    try:
        for text in _mutations(original, seed):
            workspace.set_overlay(path, text)
            _exercise(workspace, path, text)
    finally:
        workspace.set_overlay(path, None)


def test_undecodable_and_binary_files_on_disk(workspace: Workspace) -> None:
    root = workspace.root
    (root / "supabase/migrations/099_binary.sql").write_bytes(bytes(range(256)) * 8)
    (root / "apps/web/src/hooks/useBinary.ts").write_bytes(b"\xff\xfe" + bytes(range(256)))
    (root / "packages/types/src/utf16.ts").write_bytes(
        "export type Utf16 = { id: string };\r\n".encode("utf-16"))
    try:
        for relative in ("supabase/migrations/099_binary.sql", "apps/web/src/hooks/useBinary.ts",
                         "packages/types/src/utf16.ts"):
            workspace.refresh(relative)
        _exercise(workspace, "packages/types/src/utf16.ts", workspace.read(
            "packages/types/src/utf16.ts") or "")
    finally:
        for relative in ("supabase/migrations/099_binary.sql", "apps/web/src/hooks/useBinary.ts",
                         "packages/types/src/utf16.ts"):
            (root / relative).unlink()
            workspace.forget(relative)
