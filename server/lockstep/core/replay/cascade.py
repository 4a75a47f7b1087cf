"""PostgreSQL's dependency model for DROP: what goes with an object and what makes it refuse.

What depends on what, as pg_depend records it for the objects the model has:
- a column: the indexes, constraints and foreign keys that use it go with it (automatic);
  views, policies (their current USING / WITH CHECK) and generated columns that read it, and
  foreign keys of other tables that rely on a unique index going with it, are *dependents*;
- a unique index or PRIMARY KEY / UNIQUE constraint: the foreign keys that use it;
- a table: the views that read it and the foreign keys that reference it;
- a serial column (and its table): other columns' defaults that use its sequence;
- a view: the views that read it;
- an enum: the columns of that type (and of its array type), and defaults that cast to it;
- a schema: everything in it.
A dependent makes PostgreSQL refuse the DROP unless it says CASCADE (RESTRICT is the
default): the replay then reports `dependent-objects` and changes nothing, as the server
would. With CASCADE the dependents go too, recursively.
"""

from __future__ import annotations

from pglast import ast

from lockstep.core.model import Column, ForeignKey, Index, Key, Table
from lockstep.core.replay.context import StatementContext
from lockstep.core.replay.reprint import column_refs, reparse
from lockstep.core.replay.sequences import drop_defaults, sequence_users, user_names
from lockstep.core.rules.registry.migrations import DEPENDENT_OBJECTS
from lockstep.core.sql.types import SEARCH_PATH_SCHEMAS, quote_ident, type_name_parts


def index_columns(index: Index, table: Table) -> set[str]:
    """Every column an index uses: plain key columns, those in expressions and its WHERE."""
    used: set[str] = set(index.include)
    for entry in index.columns:
        if entry in table.columns:
            used.add(entry)
        else:
            used |= _refs(entry)
    if index.where:
        used |= _refs(index.where)
    return used


def _refs(text: str) -> set[str]:
    try:
        return column_refs(reparse(text))
    except Exception:  # noqa: BLE001 - text we did not print: it names no column we know
        return set()


def views_reading(context: StatementContext, key: Key, column: str | None = None) -> list[Key]:
    return [view_key for view_key, view in context.schema.views.items()
            if key in view.depends_on and (column is None or (*key, column) in view.column_reads)]


def fks_on_index(
    context: StatementContext, table: Table, index: Index
) -> list[tuple[Table, ForeignKey]]:
    key = (table.schema, table.name)
    found: list[tuple[Table, ForeignKey]] = []
    for other in context.schema.tables.values():
        for fk in other.foreign_keys:
            if fk.ref_index is index or (
                fk.ref_index is None and (fk.ref_schema, fk.ref_table) == key
                and set(fk.ref_columns) == set(index.columns)
            ):
                found.append((other, fk))
    return found


def _refuse(context: StatementContext, what: str, dependents: list[str]) -> None:
    shown = ", ".join(dependents[:3]) + (" …" if len(dependents) > 3 else "")
    context.issue(DEPENDENT_OBJECTS.name,
                  f"Cannot drop {what} because other objects depend on it ({shown}): "
                  "PostgreSQL refuses without CASCADE", context.whole)


def _drop_fks(pairs: list[tuple[Table, ForeignKey]]) -> None:
    for table, fk in pairs:
        if fk in table.foreign_keys:
            table.foreign_keys.remove(fk)
        table.constraints = [c for c in table.constraints
                             if not (c.kind == "foreign" and c.name == fk.name)]


def _drop_views(context: StatementContext, keys: list[Key]) -> None:
    for key in keys:
        if context.schema.views.pop(key, None) is not None:
            _drop_views(context, views_reading(context, key))


def _fk_names(pairs: list[tuple[Table, ForeignKey]]) -> list[str]:
    return [f"constraint {fk.name} on table {table.name}" for table, fk in pairs]


def _view_names(keys: list[Key]) -> list[str]:
    return [f"view {name}" for _, name in keys]


def drop_column(context: StatementContext, table: Table, name: str, cascade: bool) -> bool:
    """ALTER TABLE … DROP COLUMN; False when PostgreSQL would refuse."""
    key = (table.schema, table.name)
    own = [i for i in table.indexes if name in index_columns(i, table)]
    views = views_reading(context, key, name)
    policies = [p for p in table.policies if name in p.columns]
    generated = [c.name for c in table.columns.values()
                 if c.generated and c.name != name and name in _refs(c.generated)]
    fks = [(t, fk) for index in own for t, fk in fks_on_index(context, table, index)
           if not (t is table and name in fk.columns)]
    defaults = sequence_users(context.schema, [table.columns[name]])
    if (views or policies or fks or generated or defaults) and not cascade:
        _refuse(context, f"column {name} of table {table.name}",
                _view_names(views) + [f"policy {p.name}" for p in policies] + _fk_names(fks)
                + [f"column {c}" for c in generated] + user_names(defaults))
        return False
    drop_defaults(defaults)
    for column in generated:
        drop_column(context, table, column, cascade=True)
    _drop_views(context, views)
    table.policies = [p for p in table.policies if p not in policies]
    _drop_fks(fks)
    forget_column(context, table, name)
    return True


def forget_column(context: StatementContext, table: Table, name: str) -> None:
    """The column and what goes with it automatically: indexes, constraints, foreign keys."""
    table.columns.pop(name, None)
    key = (table.schema, table.name)
    doomed_indexes = [i for i in table.indexes if name in index_columns(i, table) or
                      name in i.columns]
    for index in doomed_indexes:
        _drop_fks(fks_on_index(context, table, index))
    table.indexes = [i for i in table.indexes if i not in doomed_indexes]
    doomed_names = {i.name for i in doomed_indexes if i.is_constraint}
    table.foreign_keys = [fk for fk in table.foreign_keys if name not in fk.columns]
    table.constraints = [c for c in table.constraints
                         if name not in c.columns and c.name not in doomed_names]
    for other in context.schema.tables.values():
        other.foreign_keys = [fk for fk in other.foreign_keys if not (
            (fk.ref_schema, fk.ref_table) == key and name in fk.ref_columns)]
    if name in table.primary_key:
        for column in table.columns.values():
            column.primary_key = False
        table.primary_key = []


def drop_constraint(context: StatementContext, table: Table, name: str, cascade: bool) -> bool:
    found = [c for c in table.constraints if c.name == name]
    if not found:
        return True  # generated names may differ from PostgreSQL's: nothing to refuse
    index = next((i for i in table.indexes if i.is_constraint and i.name == name), None)
    fks = fks_on_index(context, table, index) if index is not None else []
    if fks and not cascade:
        _refuse(context, f"constraint {name} on table {table.name}", _fk_names(fks))
        return False
    _drop_fks(fks)
    table.constraints = [c for c in table.constraints if c.name != name]
    if any(c.kind == "primary" for c in found):
        for column in table.columns.values():
            column.primary_key = False
        table.primary_key = []
    table.indexes = [i for i in table.indexes if i is not index]
    table.foreign_keys = [fk for fk in table.foreign_keys if fk.name != name]
    return True


def drop_index(context: StatementContext, table: Table, index: Index, cascade: bool) -> bool:
    if index.is_constraint:
        _refuse(context, f"index {index.name}", [f"constraint {index.name} on table "
                                                 f"{table.name} (drop the constraint)"])
        return False
    fks = fks_on_index(context, table, index)
    if fks and not cascade:
        _refuse(context, f"index {index.name}", _fk_names(fks))
        return False
    _drop_fks(fks)
    table.indexes.remove(index)
    return True


def table_dependents(context: StatementContext, tables: list[Table]) -> tuple[
        list[Key], list[tuple[Table, ForeignKey]]]:
    keys = {(t.schema, t.name) for t in tables}
    views = [v for key in keys for v in views_reading(context, key)]
    fks = [(other, fk) for other in context.schema.tables.values()
           if (other.schema, other.name) not in keys
           for fk in other.foreign_keys if (fk.ref_schema, fk.ref_table) in keys]
    return views, fks


def drop_tables(context: StatementContext, tables: list[Table], cascade: bool) -> bool:
    views, fks = table_dependents(context, tables)
    defaults = sequence_users(context.schema, [c for t in tables for c in t.columns.values()])
    if (views or fks or defaults) and not cascade:
        _refuse(context, "table " + ", ".join(t.name for t in tables),
                _view_names(views) + _fk_names(fks) + user_names(defaults))
        return False
    drop_defaults(defaults)
    _drop_views(context, views)
    _drop_fks(fks)
    for table in tables:
        if context.schema.tables.pop((table.schema, table.name), None) is not None:
            context.schema.removed_tables += 1
    return True


def drop_view(context: StatementContext, key: Key, cascade: bool) -> bool:
    views = [v for v in views_reading(context, key) if v != key]
    if views and not cascade:
        _refuse(context, f"view {key[1]}", _view_names(views))
        return False
    _drop_views(context, [key])
    return True


def printed_type(schema: str, name: str) -> str:
    """How format_type() names a user type under the default search_path."""
    if schema in SEARCH_PATH_SCHEMAS:
        return quote_ident(name)
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def columns_of_type(context: StatementContext, printed: str) -> list[tuple[Table, str]]:
    return [(table, column.name) for table in context.schema.tables.values()
            for column in table.columns.values() if column.type in (printed, printed + "[]")]


def defaults_casting_to(context: StatementContext, key: Key) -> list[tuple[Table, Column]]:
    """Columns whose default casts to the type (or its array type): the default depends on
    the type even after the column's own type changed."""
    found: list[tuple[Table, Column]] = []
    for table in context.schema.tables.values():
        for column in table.columns.values():
            if column.default and "::" in column.default and key in _cast_types(column.default):
                found.append((table, column))
    return found


def _cast_types(text: str) -> set[Key]:
    found: set[Key] = set()

    def walk(value: object) -> None:
        if isinstance(value, ast.TypeCast):
            schema, name = type_name_parts(value.typeName)
            found.add((schema or "public", name))
        if isinstance(value, ast.Node):
            for attr in value:
                walk(getattr(value, attr))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    try:
        walk(reparse(text))
    except Exception:  # noqa: BLE001 - text we did not print: no cast we know
        return set()
    return found


def drop_enum(context: StatementContext, key: Key, cascade: bool) -> bool:
    users = columns_of_type(context, printed_type(*key))
    defaults = [(t, c) for t, c in defaults_casting_to(context, key)
                if not any(t is table and c.name == name for table, name in users)]
    if (users or defaults) and not cascade:
        _refuse(context, f"type {key[1]}",
                [f"column {c} of table {t.name}" for t, c in users] + user_names(defaults))
        return False
    drop_defaults(defaults)
    for table, column in users:
        drop_column(context, table, column, cascade=True)
    context.schema.enums.pop(key, None)
    return True


def drop_schema(context: StatementContext, name: str, cascade: bool) -> bool:
    schema = context.schema
    tables = [t for t in schema.tables.values() if t.schema == name]
    views = [k for k in schema.views if k[0] == name]
    enums = [k for k in schema.enums if k[0] == name]
    routines = [k for k in schema.routines if k[0] == name]
    if (tables or views or enums or routines) and not cascade:
        _refuse(context, f"schema {name}", [f"table {t.name}" for t in tables]
                + _view_names(views) + [f"type {k[1]}" for k in enums])
        return False
    drop_tables(context, tables, cascade=True)
    _drop_views(context, views)
    for key in enums:
        drop_enum(context, key, cascade=True)
    for routine in routines:
        schema.routines.pop(routine, None)
    schema.schemas.discard(name)
    return True
