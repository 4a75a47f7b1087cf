"""The server's project registry (protocol/projects.py): which roots it serves for the editor's
workspace folders, and which project a file or a command argument belongs to."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from lockstep.protocol.projects import served_roots
from lockstep.protocol.server import LockstepServer
from tests.repos import fixture


def _project(root: Path) -> Path:
    (root / "supabase/migrations").mkdir(parents=True)
    (root / "supabase/config.toml").write_text('project_id = "x"\n')
    return root


def test_a_folder_inside_another_served_root_adds_nothing(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _project(tmp_path / "apps/a")
    web = tmp_path / "apps/web/src"
    web.mkdir(parents=True)
    assert served_roots([tmp_path, tmp_path / "apps/a", web]) == [tmp_path.resolve()]
    assert served_roots([web, tmp_path / "apps/a"]) == [tmp_path.resolve()]


def test_separate_folders_are_served_apart(tmp_path: Path) -> None:
    one, two = _project(tmp_path / "one"), _project(tmp_path / "two")
    assert served_roots([two, one, two]) == [two.resolve(), one.resolve()]


def test_files_and_arguments_route_to_their_project(tmp_path: Path) -> None:
    mono = fixture("multi-project", tmp_path).resolve()
    server = LockstepServer()
    added, removed = server.projects.set_folders([mono])
    assert [s.label for s in added] == ["apps/a", "apps/b"] and removed == []
    a, b = added

    def owner(relative: str) -> str | None:
        routed = server.project_at((mono / relative).as_uri())
        return routed[0].label if routed is not None else None

    assert owner("apps/a/src/notes.ts") == "apps/a"
    assert owner("apps/b/supabase/migrations/20240101000000_notes.sql") == "apps/b"
    assert owner("packages/shared/notes.ts") is None
    assert server.projects.for_argument((mono / "apps/b").as_uri()) is b
    assert server.projects.for_argument((mono / "apps/a/src").as_uri()) is a
    assert server.projects.for_argument("apps/a") is a
    assert server.projects.for_argument((mono / "packages").as_uri()) is None
    assert server.projects.for_argument(None) is None
    added, removed = server.projects.set_folders([])
    assert added == [] and removed == [a, b] and server.projects.states == []


def test_actions_that_run_a_command_name_their_document(tmp_path: Path) -> None:
    """Extract to a new migration, and fixes that run a command, carry the document's URI:
    the command creates its file in that document's project."""
    from lsprotocol import types as lsp

    from lockstep.protocol.features.code_actions import _extract, _with_uri

    mono = fixture("multi-project", tmp_path).resolve()
    server = LockstepServer()
    server.projects.set_folders([mono])
    for state in server.projects.states:
        assert state.index is not None
        state.index.load()
    migration = mono / "apps/b/supabase/migrations/20240101000000_notes.sql"
    routed = server.project_at(migration.as_uri())
    assert routed is not None
    line = migration.read_text().splitlines().index(
        "alter table public.notes enable row level security;")
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=migration.as_uri()),
        range=lsp.Range(start=lsp.Position(line=line, character=0),
                        end=lsp.Position(line=line + 1, character=0)),
        context=lsp.CodeActionContext(diagnostics=[]))
    editor = SimpleNamespace(workspace=SimpleNamespace(text_documents={}))
    [action] = _extract(editor, *routed, params)  # type: ignore[arg-type]
    assert action.command is not None and action.command.arguments is not None
    assert action.command.arguments[0]["uri"] == migration.as_uri()
    assert _with_uri(({"table": "notes"},), "file:///x") == [{"table": "notes", "uri": "file:///x"}]
    assert _with_uri([{"uri": "file:///y"}], "file:///x") == [{"uri": "file:///y"}]
