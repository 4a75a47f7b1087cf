"""Differential check of the rename and add-column refactorings against a real PostgreSQL.

toney-clean gets a column rename, a table rename and an added column through the same code
as the editor (the CLI and the add-column builder); every migration then runs on a fresh
database, which must show the new names in both the prod table and its `sim_` twin, and the
replay must still match the catalog.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from lockstep.cli.main import main
from lockstep.cli.schema_json import schema_to_json
from lockstep.codeactions.edits import apply_text_edits
from lockstep.codeactions.migration.new import write_exclusive
from lockstep.codeactions.refactor.add_column import ColumnSpec, build_add_column
from lockstep.core.workspace import Workspace
from tests.repos import toney_clean

from .compare import diff
from .conftest import FixtureDatabases

pytestmark = pytest.mark.postgres


def _add_column(root: Path, spec: ColumnSpec) -> None:
    workspace = Workspace(root)
    workspace.load()
    result = build_add_column(workspace, spec)
    write_exclusive(root, result.migration)
    for path in {e.path for e in result.edit.edits}:
        edits = [e for e in result.edit.edits if e.path == path]
        (root / path).write_text(apply_text_edits((root / path).read_text(), edits))


def _columns(tables: list[dict[str, Any]], name: str) -> dict[str, str]:
    [table] = [t for t in tables if t["name"] == name]
    return {c["name"]: c["type"] for c in table["columns"]}


def test_renamed_and_added_columns_reach_both_tables(
    fixture_dbs: FixtureDatabases, tmp_path: Path
) -> None:
    root = toney_clean(tmp_path)
    with redirect_stdout(io.StringIO()):
        assert main(["rename", "wins.mood", "feeling", str(root)]) == 0
        assert main(["rename", "wins", "victories", str(root)]) == 0
    _add_column(root, ColumnSpec("sessions", "mood_score", "integer"))
    applied = fixture_dbs.get(root)
    assert not applied.errors, "\n".join(applied.errors)
    assert applied.snapshot is not None
    tables = applied.snapshot.schema["tables"]
    names = {t["name"] for t in tables}
    assert {"victories", "sim_victories"} <= names and not {"wins", "sim_wins"} & names
    for table in ("victories", "sim_victories"):
        columns = _columns(tables, table)
        assert "feeling" in columns and "mood" not in columns
        assert columns["feeling"] == "mood"  # the enum type keeps its own name
    for table in ("sessions", "sim_sessions"):
        assert _columns(tables, table)["mood_score"] == "integer"
    workspace = Workspace(root)
    workspace.load()
    replayed = json.loads(json.dumps(schema_to_json(workspace.replay.schema)))
    assert diff(replayed, applied.snapshot, applied.schemas) == []


def test_object_names_follow_when_asked(fixture_dbs: FixtureDatabases, tmp_path: Path) -> None:
    root = toney_clean(tmp_path)
    with redirect_stdout(io.StringIO()):
        assert main(["rename", "wins.user_id", "owner_id", str(root), "--rename-objects"]) == 0
        assert main(["rename", "wins", "victories", str(root), "--rename-objects"]) == 0
        assert main(["check", str(root)]) == 0
    applied = fixture_dbs.get(root)
    assert not applied.errors, "\n".join(applied.errors)
    assert applied.snapshot is not None
    tables = {t["name"]: t for t in applied.snapshot.schema["tables"]}
    indexes = {
        i["name"] for name in ("victories", "sim_victories") for i in tables[name]["indexes"]
    }
    assert {"idx_victories_owner_id", "idx_sim_victories_owner_id", "victories_pkey",
            "sim_victories_pkey"} <= indexes
    workspace = Workspace(root)
    workspace.load()
    replayed = json.loads(json.dumps(schema_to_json(workspace.replay.schema)))
    assert diff(replayed, applied.snapshot, applied.schemas) == []
