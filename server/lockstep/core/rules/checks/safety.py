"""Migration-safety rules judged statement by statement: what passes on a fresh local database
and fails, locks or loses data on a production project (see `registry/safety.py`).

Renames and drops that break consumers are in `safety_consumers`.
"""

from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, TransactionStmtKind

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
from lockstep.core.rules.timeline import Step, steps
from lockstep.core.sql.parse import Statement
from lockstep.core.workspace import MigrationDoc, Workspace

_SERIAL = frozenset({"smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"})
_FILLING = frozenset({ConstrType.CONSTR_DEFAULT, ConstrType.CONSTR_IDENTITY,
                      ConstrType.CONSTR_GENERATED})
_NOT_NULL = frozenset({ConstrType.CONSTR_NOTNULL, ConstrType.CONSTR_PRIMARY})
TRANSACTION_KINDS = {
    TransactionStmtKind.TRANS_STMT_BEGIN: "BEGIN",
    TransactionStmtKind.TRANS_STMT_START: "START TRANSACTION",
    TransactionStmtKind.TRANS_STMT_COMMIT: "COMMIT",
    TransactionStmtKind.TRANS_STMT_ROLLBACK: "ROLLBACK",
}


def _constraint_types(definition: ast.ColumnDef) -> set[ConstrType]:
    return {c.contype for c in definition.constraints or () if isinstance(c, ast.Constraint)}


def _fills_rows(definition: ast.ColumnDef) -> bool:
    """A new column that gives existing rows a value: a default, identity, generated, serial."""
    if _constraint_types(definition) & _FILLING:
        return True
    names = [n.sval for n in definition.typeName.names or ()] if definition.typeName else []
    return bool(names) and names[-1].lower() in _SERIAL


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
        node = statement.node
        if isinstance(node, ast.UpdateStmt):
            key = step.key(node.relation)
            filled |= {(key, t.name) for t in node.targetList or () if isinstance(t, ast.ResTarget)}
        elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            key = step.key(node.relation)
            for command in node.cmds or ():
                if command.subtype == AlterTableType.AT_AddColumn and _fills_rows(command.def_):
                    filled.add((key, command.def_.colname))
    return filled


def _altered_columns(step: Step, kind: AlterTableType) -> set[tuple[Key, str]]:
    """Columns an ALTER TABLE command of `kind` touched earlier in the same migration."""
    found: set[tuple[Key, str]] = set()
    for statement in step.earlier():
        node = statement.node
        if isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            key = step.key(node.relation)
            for command in node.cmds or ():
                if command.subtype != kind:
                    continue
                if kind == AlterTableType.AT_AddColumn:
                    found.add((key, command.def_.colname))
                elif command.def_ is not None:  # SET DEFAULT, not DROP DEFAULT
                    found.add((key, command.name))
    return found


def _added_columns(step: Step) -> set[tuple[Key, str]]:
    """Columns added by the same migration before `step` (empty until backfilled)."""
    return _altered_columns(step, AlterTableType.AT_AddColumn)


@check(ADD_NOT_NULL_WITHOUT_DEFAULT, COLUMN_TYPE_CHANGE)
def column_changes(workspace: Workspace, findings: Findings) -> None:
    for step in steps(workspace):
        node = step.statement.node
        if not isinstance(node, ast.AlterTableStmt) or node.relation is None:
            continue
        key = step.key(node.relation)
        if not step.pre_existing(key):
            continue
        for command in node.cmds or ():
            _column_command(step, key, command, findings)


def _column_command(step: Step, key: Key, command: ast.AlterTableCmd, findings: Findings) -> None:
    table = sql_name(key)
    if command.subtype == AlterTableType.AT_AddColumn:
        definition = command.def_
        event = _event(step, "add-column", definition.colname)
        if event is None or not _constraint_types(definition) & _NOT_NULL or \
                _fills_rows(definition):
            return
        findings.add(
            ADD_NOT_NULL_WITHOUT_DEFAULT, event.location,
            f"`{table}` existed before this migration, so production may have rows: adding "
            f"`{definition.colname}` as NOT NULL without a default fails on any row (`column "
            "contains null values`); give it a default, or add it nullable, backfill it, then "
            "SET NOT NULL",
            data=TableChange(key[1], key[0], [definition.colname], "add-not-null"))
    elif command.subtype == AlterTableType.AT_SetNotNull:
        event = _event(step, "alter-column", command.name, "set not null")
        if event is None or (key, command.name) in _filled_columns(step):
            return
        column = (key, command.name)
        if column in _added_columns(step):
            why = "it was added without a default above, so every existing row holds NULL"
        elif column in _altered_columns(step, AlterTableType.AT_ColumnDefault):
            why = ("the SET DEFAULT above does not fill existing rows; it fails if a row holds "
                   "NULL")
        else:
            why = ("it fails if a row holds NULL, and scans the whole table under an ACCESS "
                   "EXCLUSIVE lock")
        findings.add(
            ADD_NOT_NULL_WITHOUT_DEFAULT, event.location,
            f"`{table}` existed before this migration, so production may have rows: SET NOT "
            f"NULL on `{command.name}` without a backfill in this migration ({why})",
            data=TableChange(key[1], key[0], [command.name], "set-not-null"))
    elif command.subtype == AlterTableType.AT_AlterColumnType:
        event = _event(step, "alter-column", command.name, " type ")
        if event is None:
            return
        findings.add(
            COLUMN_TYPE_CHANGE, event.location,
            f"Changing the type of `{table}.{command.name}` rewrites the table under an ACCESS "
            "EXCLUSIVE lock (the API waits) and changes the type clients receive; prefer a new "
            "column and a backfill",
            data=TableChange(key[1], key[0], [command.name], "type"))


def _relation_end(statement: Statement, relative: int) -> int:
    """Absolute end offset of the (possibly dotted) name whose first token is at `relative`."""
    tokens = [t for t in statement.tokens if t.start >= relative]
    end = tokens[0].end if tokens else relative
    for index in range(1, len(tokens) - 1, 2):
        if tokens[index].name != "ASCII_46":
            break
        end = tokens[index + 1].end
    return statement.start + end


def _truncates(step: Step, node: ast.TruncateStmt, findings: Findings) -> None:
    statement = step.statement
    for relation in node.relations or ():
        key = step.key(relation)
        if not step.pre_existing(key):
            continue
        end = _relation_end(statement, relation.location or 0)
        findings.add(
            UNBOUNDED_DATA_CHANGE,
            Location(step.doc.path, step.doc.parsed.range(statement.start, end)),
            f"TRUNCATE deletes every row of `{sql_name(key)}` in production, under an ACCESS "
            "EXCLUSIVE lock; say which rows with DELETE … WHERE",
            data=TableChange(key[1], key[0], [], "truncate"))


@check(UNBOUNDED_DATA_CHANGE)
def unbounded_data_changes(workspace: Workspace, findings: Findings) -> None:
    for step in steps(workspace):
        node = step.statement.node
        if isinstance(node, ast.TruncateStmt):
            _truncates(step, node, findings)
            continue
        if not isinstance(node, ast.UpdateStmt | ast.DeleteStmt) or node.whereClause is not None:
            continue
        key = step.key(node.relation)
        if not step.pre_existing(key):
            continue
        verb = "UPDATE" if isinstance(node, ast.UpdateStmt) else "DELETE"
        columns: list[str] = []
        if isinstance(node, ast.UpdateStmt):
            columns = [t.name for t in node.targetList or () if isinstance(t, ast.ResTarget)]
            added = _added_columns(step)
            if columns and all((key, c) in added for c in columns):
                continue  # backfilling columns this migration added: every row is the point
        statement = step.statement
        end = _relation_end(statement, node.relation.location or 0)
        where = Location(step.doc.path, step.doc.parsed.range(statement.start, end))
        what = "changes" if verb == "UPDATE" else "deletes"
        findings.add(
            UNBOUNDED_DATA_CHANGE, where,
            f"{verb} without WHERE {what} every row of `{sql_name(key)}` in production, in one "
            "transaction that locks them all; say which rows",
            data=TableChange(key[1], key[0], columns, verb.lower()))


def _concurrent(node: object) -> bool:
    if isinstance(node, ast.IndexStmt | ast.DropStmt):
        return bool(node.concurrent)
    if isinstance(node, ast.ReindexStmt):
        return any(isinstance(p, ast.DefElem) and p.defname == "concurrently"
                   for p in node.params or ())
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
            if index == 0 or not _concurrent(statement.node):
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
        node = statement.node
        if isinstance(node, ast.TransactionStmt) and node.kind in TRANSACTION_KINDS:
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
