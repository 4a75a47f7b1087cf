"""Every rule's diagnostics reach the editor: the same set `check` prints, with code, range,
source, documentation link and related information, for files that are not even open."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.e2e.conftest import wait_for_diagnostics

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"
DRIFT = "supabase/migrations/016_wins_energy_level.sql"


@pytest.fixture(scope="module")
def workspace_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("toney") / "toney"
    shutil.copytree(EXAMPLE / "toney", target)
    return target


def _check_json(root: Path) -> list[dict[str, object]]:
    output = subprocess.run(
        [sys.executable, "-m", "lockstep", "check", str(root), "--format", "json"],
        capture_output=True, text=True, check=False,
    ).stdout
    # `data` (the finding's subject, for tools) is compared by the rule tests, not here
    return [{k: v for k, v in d.items() if k != "data"} for d in json.loads(output)["diagnostics"]]


async def test_published_diagnostics_are_exactly_what_check_prints(
    client: LanguageClient, workspace_root: Path
) -> None:
    expected = _check_json(workspace_root)
    assert expected, "the demo has deliberate findings"
    paths = {str(item["path"]) for item in expected}
    for path in paths:
        await wait_for_diagnostics(client, (workspace_root / path).as_uri(), lambda d: bool(d))
    published = []
    for uri, items in client.diagnostics.items():
        relative = Path(uri.removeprefix("file://")).relative_to(workspace_root).as_posix()
        for d in items:
            published.append({
                "path": relative,
                "range": {"start": {"line": d.range.start.line,
                                    "character": d.range.start.character},
                          "end": {"line": d.range.end.line, "character": d.range.end.character}},
                "severity": {1: "error", 2: "warning", 3: "information", 4: "hint"}[
                    int(d.severity or 1)],
                "code": d.code,
                "message": d.message,
            })
    key = lambda item: json.dumps(item, sort_keys=True)  # noqa: E731
    assert sorted(published, key=key) == sorted(expected, key=key)


async def test_drift_carries_related_information_and_a_doc_link(
    client: LanguageClient, workspace_root: Path
) -> None:
    uri = (workspace_root / DRIFT).as_uri()
    diagnostics = await wait_for_diagnostics(
        client, uri, lambda ds: any(d.code == "sim-mirror-drift" for d in ds))
    [drift] = [d for d in diagnostics if d.code == "sim-mirror-drift"]
    assert drift.source == "lockstep"
    assert drift.range.start == lsp.Position(2, 28)
    assert drift.code_description is not None
    assert drift.code_description.href.endswith("#sim-mirror-drift")
    assert drift.related_information
    related = drift.related_information[0]
    assert "sim_wins" in related.message
    assert related.location.uri.endswith(".sql")


async def test_an_edit_clears_the_drift_and_closing_restores_it(
    client: LanguageClient, workspace_root: Path
) -> None:
    path = workspace_root / DRIFT
    uri = path.as_uri()
    text = path.read_text()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="sql", version=1, text=text)))
    end = lsp.Position(len(text.splitlines()), 0)
    mirror = "ALTER TABLE sim_wins ADD COLUMN energy_level SMALLINT;\n"
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        [lsp.TextDocumentContentChangePartial(range=lsp.Range(end, end), text=mirror)]))
    await wait_for_diagnostics(
        client, uri, lambda ds: not any(d.code == "sim-mirror-drift" for d in ds))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        lsp.TextDocumentIdentifier(uri=uri)))
    await wait_for_diagnostics(
        client, uri, lambda ds: any(d.code == "sim-mirror-drift" for d in ds))


async def test_config_problems_are_published_on_lockstep_toml(
    client: LanguageClient, workspace_root: Path
) -> None:
    path = workspace_root / "lockstep.toml"
    uri = path.as_uri()
    text = path.read_text() + '\n[rules]\nrls-disabled = "of"\n'
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="toml", version=1, text=text)))
    diagnostics = await wait_for_diagnostics(
        client, uri, lambda ds: any(d.code == "invalid-config" for d in ds))
    # On the offending key, inside its table.
    assert diagnostics[0].range.start.line == len(path.read_text().splitlines()) + 2
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        lsp.TextDocumentIdentifier(uri=uri)))
    await wait_for_diagnostics(client, uri, lambda ds: not ds)
