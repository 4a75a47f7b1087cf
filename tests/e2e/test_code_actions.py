"""Quick fixes and "new migration" actions end to end: diagnostic → action → gone, still parses.

Each client gets its own copy of tests/fixtures/e2e-codeactions (fixes accumulate in it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Union

import pytest
from lsprotocol import types as lsp
from pygls.uris import to_fs_path
from pytest_lsp import LanguageClient

import tests.e2e.conftest as e2e
from lockstep.core.sql.parse import parse_migration_sql
from lockstep.core.ts.index import index_types_file
from tests.e2e.conftest import client_fixture, copy_fixture, own_workspace

MIGRATIONS = "supabase/migrations"
TYPES = "packages/types/src"
CLONE = "apps/admin/src/app/api/simulator/personas/clone/route.ts"
CASES = [
    ("sim-mirror-drift", f"{MIGRATIONS}/002_mood.sql", None),
    ("migration-missing-comment", f"{MIGRATIONS}/003_notes.sql", None),
    ("rls-disabled", f"{MIGRATIONS}/003_notes.sql", None),
    ("foreign-key-missing-on-delete", f"{MIGRATIONS}/003_notes.sql", "Add ON DELETE SET NULL"),
    ("unindexed-foreign-key", f"{MIGRATIONS}/003_notes.sql", None),
    ("sim-fk-to-auth-users", f"{MIGRATIONS}/004_goals.sql", None),
    ("sim-references-prod-table", f"{MIGRATIONS}/004_goals.sql", None),
    ("sim-table-rls", f"{MIGRATIONS}/004_goals.sql", None),
    ("table-missing-type", f"{MIGRATIONS}/003_notes.sql", None),
    ("type-not-exported", f"{TYPES}/goals.ts", None),
    ("type-mismatch", f"{TYPES}/goals.ts", None),
    ("type-optionality", f"{TYPES}/sessions.ts", None),
    ("type-missing-field", f"{TYPES}/wins.ts", None),
    ("type-nullability", f"{TYPES}/wins.ts", None),
    ("type-unknown-field", f"{TYPES}/wins.ts", "Remove field `energy_level`"),
    ("unknown-column-reference", "apps/web/src/hooks/useWins.ts", None),
    ("unknown-table-reference", "apps/web/src/hooks/useWins.ts", None),
    ("sim-mirror-missing", f"{MIGRATIONS}/005_reflections.sql", None),
    ("policy-rls-disabled", f"{MIGRATIONS}/006_journal.sql", None),
    ("unknown-column", f"{MIGRATIONS}/006_journal.sql", None),
    ("unknown-table", f"{MIGRATIONS}/006_journal.sql", None),
    ("rls-enabled-no-policy", f"{MIGRATIONS}/007_habits.sql", None),
    ("transaction-in-migration", f"{MIGRATIONS}/007_habits.sql",
     "Remove this COMMIT and the BEGIN at the start (the Supabase CLI runs the file in a "
     "transaction)"),
    ("clone-missing-column", CLONE, "Add `mood` to the select"),
    ("clone-missing-column", CLONE, "Add `content: w.text` to the insert"),
    ("invalid-config", "lockstep.toml", None),
]


def _init(client: LanguageClient, name: str,
          request: pytest.FixtureRequest) -> lsp.InitializeParams:
    _fix_code_action_union(client)
    return own_workspace(client, name, request,
                         lambda folder: copy_fixture("e2e-codeactions", folder))


client = client_fixture(_init)


def _fix_code_action_union(client: LanguageClient) -> None:
    """lsprotocol reads any CodeAction that has a `command` as a Command (losing its kind);
    editors tell them apart by whether `command` is a string, so the test client does too."""
    converter = client.protocol._converter

    def structure(value: Any, _: Any) -> lsp.Command | lsp.CodeAction:
        if isinstance(value.get("command"), str):
            return converter.structure(value, lsp.Command)
        return converter.structure(value, lsp.CodeAction)

    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], structure)  # noqa: UP007


def _root(client: LanguageClient) -> Path:
    return client.root  # type: ignore[attr-defined,no-any-return]


def _codes(diagnostics: Sequence[lsp.Diagnostic]) -> set[str]:
    return {str(d.code) for d in diagnostics}


async def _actions(
    client: LanguageClient,
    uri: str,
    diagnostic: lsp.Diagnostic | None,
    selection: lsp.Range | None = None,
) -> list[lsp.CodeAction]:
    where = selection or (
        diagnostic.range if diagnostic else lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
    )
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=where,
            context=lsp.CodeActionContext(diagnostics=[diagnostic] if diagnostic else []),
        )
    )
    return [a for a in result or () if isinstance(a, lsp.CodeAction)]


def _touched(edit: lsp.WorkspaceEdit) -> list[str]:
    uris = list(edit.changes or {})
    for change in edit.document_changes or ():
        if isinstance(change, lsp.CreateFile):
            uris.append(change.uri)
        elif isinstance(change, lsp.TextDocumentEdit):
            uris.append(change.text_document.uri)
    return uris


def _rename_files(edit: lsp.WorkspaceEdit) -> list[lsp.FileEvent]:
    """The RenameFile operations of an edit, done as an editor does (never overwriting)."""
    events = []
    for change in edit.document_changes or ():
        if isinstance(change, lsp.RenameFile):
            old, new = (
                Path(to_fs_path(change.old_uri) or ""),
                Path(to_fs_path(change.new_uri) or ""),
            )
            assert not new.exists()
            old.rename(new)
            events += [
                lsp.FileEvent(uri=change.old_uri, type=lsp.FileChangeType.Deleted),
                lsp.FileEvent(uri=change.new_uri, type=lsp.FileChangeType.Created),
            ]
    return events


async def _run(client: LanguageClient, action: lsp.CodeAction) -> list[str]:
    """Apply an action as an editor does: its edit, then its command; report saved files."""
    uris: list[str] = []
    events: list[lsp.FileEvent] = []
    if action.edit is not None:
        e2e.apply_workspace_edit(action.edit)
        uris += _touched(action.edit)
        events += _rename_files(action.edit)
    if action.command is not None:
        result = await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(
                command=action.command.command, arguments=action.command.arguments
            )
        )
        if isinstance(result, str):
            uris.append(result)
    events += [lsp.FileEvent(uri=uri, type=lsp.FileChangeType.Changed) for uri in uris]
    if events:
        client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=events))
    return uris + [e.uri for e in events if e.type == lsp.FileChangeType.Created]


def _assert_parses(uri: str) -> None:
    path = Path(to_fs_path(uri) or "")
    text = path.read_text()
    if path.suffix == ".sql":
        assert not parse_migration_sql(text).errors, text
    elif path.suffix in (".ts", ".tsx"):
        assert not index_types_file(path.name, text).has_errors, text
    elif path.suffix == ".toml":
        tomllib.loads(text)


async def _diagnostic(client: LanguageClient, uri: str, code: str) -> lsp.Diagnostic:
    diagnostics = await e2e.wait_for_diagnostics(client, uri, lambda d: code in _codes(d))
    return next(d for d in diagnostics if d.code == code)


async def _pick(
    client: LanguageClient, uri: str, code: str, title: str | None
) -> tuple[lsp.Diagnostic, lsp.CodeAction]:
    """The diagnostic and its action; with several findings of the rule, the one `title` fixes."""
    diagnostics = await e2e.wait_for_diagnostics(client, uri, lambda d: code in _codes(d))
    for diagnostic in (d for d in diagnostics if d.code == code):
        actions = [
            a
            for a in await _actions(client, uri, diagnostic)
            if a.kind == lsp.CodeActionKind.QuickFix
        ]
        action = next((a for a in actions if a.title == title), None) if title else None
        if action is not None or (title is None and actions):
            return diagnostic, action or actions[0]
    raise AssertionError(f"no quick fix for {code} ({title})")


@pytest.mark.parametrize(
    ("code", "relative", "title"), CASES, ids=[f"{c[0]}-{c[2] or ''}" for c in CASES]
)
async def test_quick_fix(
    client: LanguageClient, code: str, relative: str, title: str | None
) -> None:
    uri = (_root(client) / relative).as_uri()
    diagnostic, action = await _pick(client, uri, code, title)
    assert list(action.diagnostics or ()) == [diagnostic]
    for touched in await _run(client, action):
        _assert_parses(touched)
    await e2e.wait_for_diagnostics(
        client,
        uri,
        lambda d: not any(x.code == code and x.message == diagnostic.message for x in d),
    )


async def test_renumber_the_later_duplicate(client: LanguageClient) -> None:
    root = _root(client)
    later, earlier = (root / f"{MIGRATIONS}/007_{n}.sql" for n in ("streaks", "habits"))
    code = "duplicate-migration-version"
    diagnostic = await _diagnostic(client, later.as_uri(), code)
    actions = [
        a
        for a in await _actions(client, later.as_uri(), diagnostic)
        if a.kind == lsp.CodeActionKind.QuickFix
    ]
    if client.client_name == "neovim":  # type: ignore[attr-defined]
        # Its capabilities have no documentChanges: a rename cannot be sent, so none is offered.
        assert actions == []
        return
    [action] = actions
    assert action.title == "Renumber to 008 (008_streaks.sql)"
    assert action.edit is not None and list(action.edit.document_changes or ()) == [
        lsp.RenameFile(
            old_uri=later.as_uri(),
            new_uri=(root / f"{MIGRATIONS}/008_streaks.sql").as_uri(),
            options=lsp.RenameFileOptions(overwrite=False, ignore_if_exists=False),
        )
    ]
    earlier_diagnostic = await _diagnostic(client, earlier.as_uri(), code)
    # No renumbering there (only the "Suppress …" fixes every rule offers).
    assert not [a for a in await _actions(client, earlier.as_uri(), earlier_diagnostic)
                if a.edit and a.kind != "quickfix.suppress"]
    [created] = await _run(client, action)
    _assert_parses(created)
    for uri in (later.as_uri(), earlier.as_uri()):
        await e2e.wait_for_diagnostics(client, uri, lambda d: code not in _codes(d))


async def test_on_delete_lands_after_the_references_clause(client: LanguageClient) -> None:
    # test_quick_fix[foreign-key-missing-on-delete] chose SET NULL of the three offered.
    root = _root(client)
    text = (root / f"{MIGRATIONS}/003_notes.sql").read_text()
    assert "REFERENCES sessions(id) ON DELETE SET NULL" in text


async def test_source_action_creates_the_column_migration(client: LanguageClient) -> None:
    uri = (_root(client) / f"{TYPES}/goals.ts").as_uri()
    diagnostics = await e2e.wait_for_diagnostics(
        client, uri, lambda d: any("priority" in x.message for x in d)
    )
    diagnostic = next(d for d in diagnostics if "priority" in d.message)
    [action] = [
        a for a in await _actions(client, uri, diagnostic) if a.kind == lsp.CodeActionKind.Source
    ]
    assert action.title == "Create migration adding column goals.priority"
    [created] = [u for u in await _run(client, action) if u.endswith(".sql")]
    text = Path(to_fs_path(created) or "").read_text()
    assert "ALTER TABLE goals ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;" in text
    assert "ALTER TABLE sim_goals ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;" in text
    await e2e.wait_for_diagnostics(
        client, uri, lambda d: not any("priority" in x.message for x in d)
    )


async def test_move_selection_to_a_new_migration(client: LanguageClient) -> None:
    root = _root(client)
    path = root / f"{MIGRATIONS}/002_mood.sql"
    uri = path.as_uri()
    lines = path.read_text().split("\n")
    selection = lsp.Range(lsp.Position(1, 0), lsp.Position(1, len(lines[1])))
    [action] = [
        a
        for a in await _actions(client, uri, None, selection)
        if a.kind == lsp.CodeActionKind.RefactorExtract
    ]
    assert action.title == "Move selection to a new migration (with sim_ mirror)"
    assert action.command is not None and action.command.command == "lockstep.newMigration"
    arguments: Any = action.command.arguments
    assert arguments[0]["sql"] == lines[1]
    before = path.read_text()
    [created] = await _run(client, action)
    assert path.read_text() == before  # the original text stays (see the module docs)
    _assert_parses(created)
    assert "ADD COLUMN mood" in Path(to_fs_path(created) or "").read_text()


async def test_no_extract_for_broken_or_empty_selection(client: LanguageClient) -> None:
    uri = (_root(client) / f"{MIGRATIONS}/001_init.sql").as_uri()
    broken = lsp.Range(lsp.Position(1, 0), lsp.Position(1, 10))  # "CREATE TAB"
    assert not [
        a
        for a in await _actions(client, uri, None, broken)
        if a.kind == lsp.CodeActionKind.RefactorExtract
    ]


async def test_suppress_on_this_line(client: LanguageClient) -> None:
    path = _root(client) / f"{MIGRATIONS}/099_suppress_me.sql"
    path.write_text("-- A table without a key.\nCREATE TABLE keyless (id INT);\n")
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=path.as_uri(), type=lsp.FileChangeType.Created)]))
    diagnostic = await _diagnostic(client, path.as_uri(), "missing-primary-key")
    [action] = [a for a in await _actions(client, path.as_uri(), diagnostic)
                if a.title == "Suppress `missing-primary-key` on this line"]
    assert action.kind == "quickfix.suppress" and not action.is_preferred
    await _run(client, action)
    assert "-- lockstep-ignore missing-primary-key\nCREATE TABLE keyless" in path.read_text()
    await e2e.wait_for_diagnostics(
        client, path.as_uri(), lambda d: "missing-primary-key" not in _codes(d))
