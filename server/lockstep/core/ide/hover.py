"""Hover cards: everything a person checks before changing a table, in one short card.

Columns, RLS, mirror drift, the row type, who consumes it and its history — capped so that the
card fits a laptop screen without scrolling. Markdown or plain text, as the client asks.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from lockstep.core.ide.navigation import category_counts, category_rank, mirror_status, row_type
from lockstep.core.ide.target import Target
from lockstep.core.model import Column, Enum, Key, Table, Touch
from lockstep.core.sql.types import element_type

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

MAX_COLUMNS = 25
MAX_HISTORY = 8
MAX_POLICIES = 6


class _Card:
    """Lines for either format; `code`/`bold` decorate only in Markdown."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown
        self.lines: list[str] = []

    def code(self, text: str) -> str:
        if not self.markdown:
            return text
        fence = "``" if "`" in text else "`"
        return f"{fence}{text}{fence}"

    def bold(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def cell(self, text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def text(self) -> str:
        # Markdown needs a blank line between paragraphs; plain text reads better without.
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines)


def _file(path: str) -> str:
    return PurePosixPath(path).name


def _fk_of(table: Table, column: str) -> str | None:
    for fk in table.foreign_keys:
        if column in fk.columns and len(fk.columns) == 1:
            ref = fk.ref_table if fk.ref_schema == "public" else f"{fk.ref_schema}.{fk.ref_table}"
            action = f" {fk.on_delete}" if fk.on_delete else ""
            return f"→ {ref}({', '.join(fk.ref_columns)}){action}"
    return None


def _keys(table: Table, column: Column) -> str:
    parts = ["PK"] if column.primary_key or column.name in table.primary_key else []
    fk = _fk_of(table, column.name)
    if fk:
        parts.append(f"FK {fk}")
    return " ".join(parts)


def _default(column: Column) -> str:
    if column.identity:
        return f"identity {column.identity.lower()}"
    if column.generated:
        return f"generated {column.generated}"
    return column.default or ""


def _history(card: _Card, history: list[Touch]) -> None:
    """One line per migration (`005_wins.sql`: create table wins, 2 more), newest last."""
    if not history:
        return
    by_migration: dict[str, list[str]] = {}
    for touch in history:
        by_migration.setdefault(touch.migration, []).append(touch.action)
    items = []
    for migration, actions in list(by_migration.items())[:MAX_HISTORY]:
        shown = ", ".join(actions[:2]) + (f", {len(actions) - 2} more" if len(actions) > 2 else "")
        items.append(f"{card.code(_file(migration))}: {shown}")
    more = len(by_migration) - MAX_HISTORY
    if more > 0:
        items.append(f"… {more} more migrations")
    if card.markdown:
        card.add(card.bold("History"))
        card.add()
        card.lines += [f"- {item}" for item in items]
        card.add()
    else:
        card.add("History:")
        card.lines += [f"  {item}" for item in items]


def _columns(card: _Card, table: Table) -> None:
    columns = list(table.columns.values())
    shown = columns[:MAX_COLUMNS]
    if card.markdown:
        card.add("| column | type | null | default | key |")
        card.add("|---|---|---|---|---|")
        for column in shown:
            cells = (
                column.name,
                column.type,
                "yes" if column.nullable else "no",
                _default(column),
                _keys(table, column),
            )
            card.add("| " + " | ".join(card.cell(c) for c in cells) + " |")
    else:
        for column in shown:
            null = "" if column.nullable else " not null"
            default = f" default {_default(column)}" if _default(column) else ""
            keys = f" {_keys(table, column)}" if _keys(table, column) else ""
            card.add(f"  {column.name} {column.type}{null}{default}{keys}")
    if len(columns) > len(shown):
        card.add(f"… {len(columns) - len(shown)} more columns")
    card.add()


def _rls(card: _Card, workspace: Workspace, table: Table) -> None:
    if not table.rls_enabled:
        internal = table.name in workspace.config.internal_tables
        note = " (internal table)" if internal else ""
        card.add(f"{card.bold('RLS')}: disabled{note}")
    elif not table.policies:
        card.add(
            f"{card.bold('RLS')}: enabled, no policies (nobody can read it but the service role)"
        )
    else:
        shown = [f'"{p.name}" ({p.command})' for p in table.policies[:MAX_POLICIES]]
        more = len(table.policies) - MAX_POLICIES
        tail = f", … {more} more" if more > 0 else ""
        card.add(f"{card.bold('RLS')}: enabled · " + ", ".join(shown) + tail)
    card.add() if card.markdown else None


def _mirror(card: _Card, workspace: Workspace, key: Key) -> None:
    status = mirror_status(workspace, key)
    if status is None:
        return
    if status.is_mirror:
        line = f"simulator mirror of {card.code(status.mirror)}"
        line += "" if status.in_sync else f" (drift: {len(status.drift)} columns)"
    elif status.in_sync:
        line = f"{card.code(status.mirror)} in sync"
    else:
        drifts = ", ".join(f"{card.code(d.column)} {d.reason}" for d in status.drift[:5])
        more = len(status.drift) - 5
        line = f"{card.code(status.mirror)} drifts: {drifts}" + (
            f", … {more} more" if more > 0 else ""
        )
    card.add(f"{card.bold('Mirror')}: {line}")
    card.add() if card.markdown else None


def _type_and_consumers(card: _Card, workspace: Workspace, key: Key) -> None:
    row = row_type(workspace, key)
    if row is not None:
        card.add(f"{card.bold('Type')}: {card.code(row.name)} in {card.code(row.path)}")
    else:
        card.add(f"{card.bold('Type')}: no row type found")
    card.add() if card.markdown else None
    counts = category_counts(workspace, key)
    total = sum(counts.values())
    if total:
        ordered = sorted(counts.items(), key=lambda item: category_rank(item[0]))
        detail = " · ".join(f"{count} {category}" for category, count in ordered)
        card.add(f"{card.bold('Consumers')}: {total} ({detail})")
    else:
        card.add(f"{card.bold('Consumers')}: none found")
    card.add() if card.markdown else None


def table_card(workspace: Workspace, key: Key, markdown: bool = True) -> str | None:
    table = workspace.replay.schema.tables.get(key)
    if table is None:
        return None
    card = _Card(markdown)
    where = f" · {card.code(table.defined_in)}" if table.defined_in else ""
    if table.external is not None:
        where = " · no migration creates it" + (
            " (shape from the generated types)" if table.external == "types" else "")
    card.add(f"{card.bold('table ' + table.qualified_name)}{where}")
    card.add()
    _columns(card, table)
    _rls(card, workspace, table)
    _mirror(card, workspace, key)
    _type_and_consumers(card, workspace, key)
    _history(card, table.history)
    return card.text()


def _enum_of(workspace: Workspace, column_type: str) -> Enum | None:
    """The enum a column's type names (`mood`, `mood[]`, `app.state`)."""
    schema, _, name = element_type(column_type).rpartition(".")
    return workspace.replay.schema.enums.get((schema or "public", name.strip('"')))


def column_card(workspace: Workspace, key: Key, name: str, markdown: bool = True) -> str | None:
    table = workspace.replay.schema.tables.get(key)
    column = table.columns.get(name) if table else None
    if table is None or column is None:
        return None
    card = _Card(markdown)
    null = "nullable" if column.nullable else "not null"
    card.add(f"{card.bold(f'column {table.name}.{column.name}')} {card.code(column.type)} · {null}")
    card.add()
    details = []
    if _default(column):
        details.append(f"default {card.code(_default(column))}")
    if column.primary_key or name in table.primary_key:
        details.append("primary key")
    fk = _fk_of(table, name)
    if fk:
        details.append(f"foreign key {fk}")
    enum = _enum_of(workspace, column.type)
    if enum is not None:
        shown = ", ".join(card.code(v) for v in enum.values[:12])
        more = f" … {len(enum.values) - 12} more" if len(enum.values) > 12 else ""
        details.append(f"one of {shown}{more}")
    if details:
        card.add(" · ".join(details))
        card.add()
    row = row_type(workspace, key)
    field = row.field(name) if row is not None else None
    if row is not None and field is not None:
        optional = "?" if field.optional else ""
        spelled = field.type.text if field.type is not None else "?"
        card.add(
            f"{card.bold('Type')}: {card.code(f'{row.name}.{name}{optional}: {spelled}')} in "
            f"{card.code(row.path)}"
        )
    elif row is not None:
        card.add(f"{card.bold('Type')}: {card.code(row.name)} has no field {card.code(name)}")
    if row is not None:
        card.add() if card.markdown else None
    _history(card, column.history)
    return card.text()


def hover_text(workspace: Workspace, target: Target, markdown: bool = True) -> str | None:
    if target.column is not None:
        return column_card(workspace, target.table, target.column, markdown)
    return table_card(workspace, target.table, markdown)
