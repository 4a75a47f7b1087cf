"""Quick fixes on foreign keys: a `sim_` table's references, the index, ON DELETE.

The builders find the foreign key the diagnostic points at in the statement's IR and edit
its tokens (`sqltokens.Rewriter`), so the rest of the author's statement stays as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockstep.codeactions.edits import Applicability, Edit, insert, quick_fix, replace
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.fixes.sql import (
    SAFE,
    diagnostic_statement,
    insert_after,
    migration_doc,
    remove_statement,
    statement_at,
)
from lockstep.codeactions.mirror.context import sim_object_name
from lockstep.codeactions.sqltokens import OPEN, Rewriter
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.model import Location
from lockstep.core.rules.facts import sql_name
from lockstep.core.rules.payloads import ForeignKeyFinding, SimForeignKey
from lockstep.core.rules.registry.mirror import SIM_FK_TO_AUTH_USERS, SIM_REFERENCES_PROD_TABLE
from lockstep.core.rules.registry.security import (
    FOREIGN_KEY_MISSING_ON_DELETE,
    UNINDEXED_FOREIGN_KEY,
)
from lockstep.core.sql import ir
from lockstep.core.sql.parse import Statement
from lockstep.core.sql.types import quote_ident
from lockstep.core.workspace import MigrationDoc, Workspace

ON_DELETE = ("CASCADE", "SET NULL", "RESTRICT")


_Found = tuple[ir.Constraint, ir.Column | None, ir.AlterCommand | None]


def _fk_constraints(node: ir.Stmt) -> list[_Found]:
    """(constraint, owner, alter command) for every foreign key in a CREATE/ALTER TABLE."""
    found: list[_Found] = []

    def column(col: ir.Column, command: ir.AlterCommand | None) -> None:
        found.extend((c, col, command) for c in col.constraints if c.kind == "foreign-key")

    if isinstance(node, ir.CreateTable):
        for element in node.columns:
            column(element, None)
        found.extend((c, None, None) for c in node.constraints if c.kind == "foreign-key")
    elif isinstance(node, ir.AlterTable):
        for command in node.commands:
            if command.column is not None:
                column(command.column, command)
            elif command.constraint is not None and command.constraint.kind == "foreign-key":
                found.append((command.constraint, None, command))
    return found


def _fk_here(doc: MigrationDoc, statement: Statement, diagnostic: Diagnostic) -> _Found | None:
    lines = doc.parsed.lines
    start = lines.offset(diagnostic.range.start)
    end = lines.offset(diagnostic.range.end)
    candidates = _fk_constraints(statement.ir)
    inside = [c for c in candidates if start <= c[0].span.start <= end]
    if inside:
        return inside[0]
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True, slots=True)
class _ReferencesClause:
    doc: MigrationDoc
    statement: Statement
    constraint: ir.Constraint
    rw: Rewriter
    at: int  # the REFERENCES token


def _references_token(rw: Rewriter, constraint: ir.Constraint) -> int | None:
    first = rw.index_of(constraint.span)
    if first is None:
        return None
    for position in range(first, len(rw.tokens)):
        if rw.tokens[position].name == "REFERENCES":
            return position
    return None


def _references_clause(workspace: Workspace, diagnostic: Diagnostic) -> _ReferencesClause | None:
    """The foreign key a diagnostic points at, with its statement's tokens and REFERENCES."""
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    found = _fk_here(doc, statement, diagnostic) if doc and statement else None
    if doc is None or statement is None or found is None:
        return None
    rw = Rewriter(statement.text(doc.text), statement.tokens, statement.start)
    at = _references_token(rw, found[0])
    return None if at is None else _ReferencesClause(doc, statement, found[0], rw, at)


@fixes(SIM_REFERENCES_PROD_TABLE)
def fix_sim_references_prod(
    workspace: Workspace, diagnostic: Diagnostic, data: SimForeignKey
) -> list[Edit]:
    clause = _references_clause(workspace, diagnostic)
    if clause is None:
        return []
    doc, statement, rw, at = clause.doc, clause.statement, clause.rw, clause.at
    name = rw.name_end(at + 1)
    references = clause.constraint.references
    if references is None:
        return []
    target = workspace.config.mirror_prefix + references.name
    token = rw.tokens[name]
    edit = replace(
        doc.path,
        doc.parsed.lines,
        statement.start + token.start,
        statement.start + token.end,
        quote_ident(target),
    )
    return [quick_fix(diagnostic.code, f"Reference `{target}` instead", (edit,),
                      applicability=SAFE)]


@fixes(SIM_FK_TO_AUTH_USERS)
def fix_sim_fk_to_auth(
    workspace: Workspace, diagnostic: Diagnostic, data: SimForeignKey
) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    found = _fk_here(doc, statement, diagnostic) if doc and statement else None
    if doc is None or statement is None or found is None:
        return []
    constraint, column, command = found
    rw = Rewriter(statement.text(doc.text), statement.tokens, statement.start)
    first = rw.index_of(constraint.span)
    if first is None:
        return []
    title = "Drop the foreign key to auth.users (keep the bare UUID)"
    node = statement.ir
    if column is None and command is not None and isinstance(node, ir.AlterTable) \
            and len(node.commands) == 1:
        edit = remove_statement(doc, statement)
        return [quick_fix(diagnostic.code, title, (edit,), applicability=SAFE)]
    if column is not None:
        siblings = list(column.constraints)
        following = siblings[siblings.index(constraint) + 1 :]
        stop = following[0].span.start - statement.start if following else None
        rw.remove_tokens(first, rw.clause_last(first, stop))
    else:
        last = rw.clause_last(first)
        if first >= 1 and rw.tokens[first - 1].name == "ASCII_44":
            rw.remove_tokens(first - 1, last)
        else:
            return []
    ((start, end, new_text),) = rw.changes
    edit = replace(
        doc.path, doc.parsed.lines, statement.start + start, statement.start + end, new_text
    )
    return [quick_fix(diagnostic.code, title, (edit,), applicability=SAFE)]



@fixes(UNINDEXED_FOREIGN_KEY)
def fix_unindexed_fk(
    workspace: Workspace, diagnostic: Diagnostic, data: ForeignKeyFinding
) -> list[Edit]:
    doc = migration_doc(workspace, diagnostic)
    statement = diagnostic_statement(doc, diagnostic) if doc else None
    columns = data.columns
    if doc is None or statement is None or not columns:
        return []
    schema_name, table = data.schema, data.table
    schema = workspace.replay.schema
    taken = {i.name for t in schema.tables.values() for i in t.indexes}
    index = _fresh(f"idx_{table}_{'_'.join(columns)}", taken)
    cols = ", ".join(quote_ident(c) for c in columns)
    sql = f"CREATE INDEX {quote_ident(index)} ON {sql_name((schema_name, table))}({cols});"
    edits = [insert_after(doc, statement, sql)]
    sim = workspace.config.mirror_prefix + table
    twin = schema.tables.get((schema_name, sim))
    at = _twin_statement(workspace, doc, statement, twin.location) if twin else None
    if at is not None and table not in workspace.config.internal_tables:
        sim_index = _fresh(sim_object_name(index, table, workspace.config.mirror_prefix), taken)
        on = sql_name((schema_name, sim))
        sim_sql = f"CREATE INDEX {quote_ident(sim_index)} ON {on}({cols});"
        if at is statement:
            edits = [insert_after(doc, statement, f"{sql}\n{sim_sql}")]
        else:
            edits.append(insert_after(doc, at, sim_sql))
    return [
        quick_fix(
            diagnostic.code,
            f"Add index {index}" + (" (and its sim_ mirror)" if len(edits) > 1 or at else ""),
            edits,
            applicability=SAFE,
        )
    ]


def _twin_statement(
    workspace: Workspace, doc: MigrationDoc, statement: Statement, created: Location | None
) -> Statement | None:
    """Where the twin's index goes: with the table's (the twin exists by then), or after the
    twin's CREATE TABLE when this migration creates it later; None when a later migration
    creates it (its own finding covers it there)."""
    if created is None:
        return None
    if created.path != doc.path:
        order = [d.path for d in workspace.ordered_migrations()]
        earlier = created.path in order and order.index(created.path) < order.index(doc.path)
        return statement if earlier else None
    later = statement_at(doc, doc.parsed.lines.offset(created.range.start))
    if later is None or later.start <= statement.start:
        return statement
    return later


def _fresh(name: str, taken: set[str]) -> str:
    candidate, counter = name[:63], 2
    while candidate in taken:
        suffix = f"_{counter}"
        candidate, counter = name[: 63 - len(suffix)] + suffix, counter + 1
    return candidate


@fixes(FOREIGN_KEY_MISSING_ON_DELETE)
def fix_fk_on_delete(
    workspace: Workspace, diagnostic: Diagnostic, data: ForeignKeyFinding
) -> list[Edit]:
    """One fix per action; display-only: which one is right is the author's decision."""
    clause = _references_clause(workspace, diagnostic)
    if clause is None or clause.at + 1 >= len(clause.rw.tokens):
        return []
    doc, statement, rw, at = clause.doc, clause.statement, clause.rw, clause.at
    last = rw.name_end(at + 1)
    if last + 1 < len(rw.tokens) and rw.tokens[last + 1].name == OPEN:
        depth = 0
        for position in range(last + 1, len(rw.tokens)):
            depth += {"ASCII_40": 1, "ASCII_41": -1}.get(rw.tokens[position].name, 0)
            if depth == 0:
                last = position
                break
    offset = statement.start + rw.tokens[last].end
    return [
        quick_fix(
            diagnostic.code,
            f"Add ON DELETE {action}",
            (insert(doc.path, doc.parsed.lines, offset, f" ON DELETE {action}"),),
            preferred=False,
            applicability=Applicability.DISPLAY_ONLY,
        )
        for action in ON_DELETE
    ]
