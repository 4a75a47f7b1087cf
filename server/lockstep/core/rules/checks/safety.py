"""Migration-safety rules judged statement by statement: what passes on a fresh local database
and fails, locks or loses data on a production project (see `registry/safety.py`).

Renames and drops that break consumers are in `safety_consumers`.
"""

from __future__ import annotations

from lockstep.core.model import Key, Location
from lockstep.core.replay.context import Event
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import sql_name
from lockstep.core.rules.payloads import TableChange
from lockstep.core.rules.registry.safety import (
    ADD_NOT_NULL_WITHOUT_DEFAULT,
    COLUMN_TYPE_CHANGE,
    CONCURRENTLY_IN_TRANSACTION,
    TRANSACTION_IN_MIGRATION,
    UNBOUNDED_DATA_CHANGE,
)
from lockstep.core.rules.timeline import Step, by_migration
from lockstep.core.sql import ir
from lockstep.core.sql.parse import Statement
from lockstep.core.workspace import MigrationDoc, Workspace

_SERIAL = frozenset({"smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"})
_FILLING = frozenset({"default", "identity", "generated"})
_NOT_NULL = frozenset({"not-null", "primary-key"})
TRANSACTION_KINDS = {
    "BEGIN": "BEGIN",
    "START": "START TRANSACTION",
    "COMMIT": "COMMIT",
    "ROLLBACK": "ROLLBACK",
}


def _constraint_types(definition: ir.Column) -> set[str]:
    return {c.kind for c in definition.constraints}


def _fills_rows(definition: ir.Column | None) -> bool:
    """A new column that gives existing rows a value: a default, identity, generated, serial."""
    if definition is None:
        return False
    if _constraint_types(definition) & _FILLING:
        return True
    name = definition.type.name if definition.type else ""
    return name.lower() in _SERIAL


def _event(step: Step, kind: str, column: str, action: str = "") -> Event | None:
    for event in step.events:
        if event.kind == kind and column in event.columns and action in event.action:
            return event
    return None


def _filled_columns(step: Step) -> set[tuple[Key, str]]:
    """Columns the same migration gave a value to before `step`: an UPDATE … SET (the
    backfill) or an ADD COLUMN with a default."""
    filled: set[tuple[Key, str]] = set()
    for statement in step.earlier():
        node = statement.ir
        if isinstance(node, ir.DataChange) and node.verb == "update":
            key = step.key(node.table)
            filled |= {(key, c) for c in node.columns}
        elif isinstance(node, ir.AlterTable):
            key = step.key(node.name)
            for command in node.commands:
                if command.column is not None and _fills_rows(command.column):
                    filled.add((key, command.column.name))
    return filled


def _altered_columns(step: Step, kind: str) -> set[tuple[Key, str]]:
    """Columns an ALTER TABLE command of `kind` touched earlier in the same migration."""
    found: set[tuple[Key, str]] = set()
    for statement in step.earlier():
        node = statement.ir
        if isinstance(node, ir.AlterTable):
            key = step.key(node.name)
            for command in node.commands:
                if command.op != kind:
                    continue
                if command.column is not None:
                    found.add((key, command.column.name))
                elif command.expr is not None and command.name:  # SET DEFAULT, not DROP
                    found.add((key, command.name))
    return found


def _added_columns(step: Step) -> set[tuple[Key, str]]:
    """Columns added by the same migration before `step` (empty until backfilled)."""
    return _altered_columns(step, "AddColumn")


@check(ADD_NOT_NULL_WITHOUT_DEFAULT, COLUMN_TYPE_CHANGE)
def column_changes(workspace: Workspace, findings: Findings) -> None:
    by_migration(workspace, findings, "column changes", _column_changes)


def _column_changes(step: Step, findings: Findings) -> None:
    node = step.statement.ir
    if not isinstance(node, ir.AlterTable):
        return
    key = step.key(node.name)
    if not step.pre_existing(key):
        return
    for command in node.commands:
        _column_command(step, key, command, findings)


def _column_command(step: Step, key: Key, command: ir.AlterCommand, findings: Findings) -> None:
    table = sql_name(key)
    name = command.name or ""
    if command.op == "AddColumn" and command.column is not None:
        definition = command.column
        event = _event(step, "add-column", definition.name)
        if event is None or not _constraint_types(definition) & _NOT_NULL or \
                _fills_rows(definition):
            return
        findings.add(
            ADD_NOT_NULL_WITHOUT_DEFAULT, event.location,
            f"`{table}` existed before this migration, so production may have rows: adding "
            f"`{definition.name}` as NOT NULL without a default fails on any row (`column "
            "contains null values`); give it a default, or add it nullable, backfill it, then "
            "SET NOT NULL",
            data=TableChange(key[1], key[0], [definition.name], "add-not-null"))
    elif command.op == "SetNotNull":
        event = _event(step, "alter-column", name, "set not null")
        if event is None or (key, name) in _filled_columns(step):
            return
        column = (key, name)
        if column in _added_columns(step):
            why = "it was added without a default above, so every existing row holds NULL"
        elif column in _altered_columns(step, "ColumnDefault"):
            why = ("the SET DEFAULT above does not fill existing rows; it fails if a row holds "
                   "NULL")
        else:
            why = ("it fails if a row holds NULL, and scans the whole table under an ACCESS "
                   "EXCLUSIVE lock")
        findings.add(
            ADD_NOT_NULL_WITHOUT_DEFAULT, event.location,
            f"`{table}` existed before this migration, so production may have rows: SET NOT "
            f"NULL on `{name}` without a backfill in this migration ({why})",
            data=TableChange(key[1], key[0], [name], "set-not-null"))
    elif command.op == "AlterColumnType":
        event = _event(step, "alter-column", name, " type ")
        if event is None:
            return
        findings.add(
            COLUMN_TYPE_CHANGE, event.location,
            f"Changing the type of `{table}.{name}` rewrites the table under an ACCESS "
            "EXCLUSIVE lock (the API waits) and changes the type clients receive; prefer a new "
            "column and a backfill",
            data=TableChange(key[1], key[0], [name], "type"))


def _relation_end(statement: Statement, name: ir.Name) -> int:
    """Absolute end offset of a (possibly dotted) table name."""
    return name.span.end if name.span.start >= 0 else statement.end


def _truncates(step: Step, node: ir.Truncate, findings: Findings) -> None:
    statement = step.statement
    for relation in node.tables:
        key = step.key(relation)
        if not step.pre_existing(key):
            continue
        end = _relation_end(statement, relation)
        findings.add(
            UNBOUNDED_DATA_CHANGE,
            Location(step.doc.path, step.doc.parsed.range(statement.start, end)),
            f"TRUNCATE deletes every row of `{sql_name(key)}` in production, under an ACCESS "
            "EXCLUSIVE lock; say which rows with DELETE … WHERE",
            data=TableChange(key[1], key[0], [], "truncate"))


@check(UNBOUNDED_DATA_CHANGE)
def unbounded_data_changes(workspace: Workspace, findings: Findings) -> None:
    by_migration(workspace, findings, "unbounded data changes", _unbounded)


def _unbounded(step: Step, findings: Findings) -> None:
    node = step.statement.ir
    if isinstance(node, ir.Truncate):
        _truncates(step, node, findings)
        return
    if not isinstance(node, ir.DataChange) or node.verb == "insert" or node.where is not None:
        return
    key = step.key(node.table)
    if not step.pre_existing(key):
        return
    verb = node.verb.upper()
    columns: list[str] = []
    if node.verb == "update":
        columns = list(node.columns)
        added = _added_columns(step)
        if columns and all((key, c) in added for c in columns):
            return  # backfilling columns this migration added: every row is the point
    statement = step.statement
    end = _relation_end(statement, node.table)
    where = Location(step.doc.path, step.doc.parsed.range(statement.start, end))
    what = "changes" if verb == "UPDATE" else "deletes"
    findings.add(
        UNBOUNDED_DATA_CHANGE, where,
        f"{verb} without WHERE {what} every row of `{sql_name(key)}` in production, in one "
        "transaction that locks them all; say which rows",
        data=TableChange(key[1], key[0], columns, verb.lower()))


def _concurrent(node: ir.Stmt) -> bool:
    if isinstance(node, ir.CreateIndex | ir.Drop | ir.Reindex):
        return node.concurrently
    return False


def _keyword(doc: MigrationDoc, statement: Statement, word: str) -> Location:
    """The first token spelling `word` in the statement (else the whole statement)."""
    text = doc.parsed.text
    for token in statement.tokens:
        start, end = statement.start + token.start, statement.start + token.end
        if text[start:end].upper() == word:
            return Location(doc.path, doc.parsed.range(start, end))
    return Location(doc.path, doc.parsed.range(statement.start, statement.end))


@check(CONCURRENTLY_IN_TRANSACTION)
def concurrently_in_transaction(workspace: Workspace, findings: Findings) -> None:
    """Every CONCURRENTLY statement after the first statement of its file: PostgreSQL accepts
    it as the first statement of the CLI's batch, not after one (tests/pg measures this)."""
    for doc in workspace.migrations.values():
        for index, statement in enumerate(doc.parsed.statements):
            if index == 0 or not _concurrent(statement.ir):
                continue
            findings.add(
                CONCURRENTLY_IN_TRANSACTION, _keyword(doc, statement, "CONCURRENTLY"),
                "CONCURRENTLY cannot run inside a transaction block, and the Supabase CLI runs "
                f"this file in one (after {index} earlier statement{'s' if index > 1 else ''} "
                "here): move it into a migration file of its own")


def transaction_statements(doc: MigrationDoc) -> list[tuple[Statement, str]]:
    """The BEGIN / START TRANSACTION / COMMIT / ROLLBACK statements of a migration."""
    found = []
    for statement in doc.parsed.statements:
        node = statement.ir
        if isinstance(node, ir.Transaction) and node.kind in TRANSACTION_KINDS:
            found.append((statement, TRANSACTION_KINDS[node.kind]))
    return found


@check(TRANSACTION_IN_MIGRATION)
def transactions_in_migrations(workspace: Workspace, findings: Findings) -> None:
    for doc in workspace.migrations.values():
        for statement, kind in transaction_statements(doc):
            if kind in ("BEGIN", "START TRANSACTION"):
                message = (f"{kind} in a migration: the Supabase CLI already runs each file in "
                           "a transaction (and a COMMIT later in the file ends it early)")
            elif kind == "COMMIT":
                message = ("COMMIT in a migration ends the transaction the Supabase CLI runs "
                           "the file in: what precedes it stays applied even if the rest, or "
                           "recording the version, fails")
            else:
                message = ("ROLLBACK in a migration undoes the statements before it, inside the "
                           "transaction the Supabase CLI runs the file in")
            findings.add(TRANSACTION_IN_MIGRATION,
                         Location(doc.path, doc.parsed.range(statement.start, statement.end)),
                         message)
