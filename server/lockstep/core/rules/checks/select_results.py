"""Select results checked against the type the code gives them (`select-result-type`).

A select's rows have exactly the keys its select string names (PostgREST builds the JSON from
it), whatever type the code casts them to. The type comes from the consumer index
(`consumers/results.py`); its imported parts are looked up in the type index, its generated
Rows (`Tables<'x'>`) stand for the columns the migrations leave. Only what is certain is said:
an open result (`*` on a relation whose columns are unknown, a spread of `*`), a dynamic select
string or an unresolved type says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lockstep.core.analysis import CONFIG, SCHEMA, TYPES
from lockstep.core.consumers import postgrest
from lockstep.core.consumers.embeds import relation_target
from lockstep.core.consumers.index import SelectArg, TableUse
from lockstep.core.consumers.results import ResultType, Row
from lockstep.core.diagnostics import Related
from lockstep.core.model import Key, Location, Schema, Table
from lockstep.core.rules.engine import Findings, by_file, check
from lockstep.core.rules.payloads import SelectResultField
from lockstep.core.rules.registry.consumers import SELECT_RESULT_TYPE
from lockstep.core.ts.index import RowType, TypeIndex
from lockstep.core.ts.parse import TypeField
from lockstep.core.ts.sqlts import Aliases, enums_of, may_be_null, mismatch
from lockstep.core.views import local_aliases
from lockstep.core.workspace import Workspace

_SHOWN = 4  # fields named in one message


@dataclass(frozen=True, slots=True)
class Fetched:
    """The keys of a select's rows → the column each holds as stored (None: an embed, an
    aggregate, a JSON path or a cast); `open` when other keys may be there too."""

    keys: dict[str, str | None]
    open: bool


def fetched(selection: postgrest.Selection, table: Table | None) -> Fetched:
    """What PostgREST returns for `selection` on `table` (None: its columns are unknown)."""
    keys: dict[str, str | None] = {}
    is_open = False
    if selection.star:
        if table is None or table.external is not None:
            is_open = True
        else:
            keys.update({name: name for name in table.columns})
    for column in selection.columns:
        plain = not (column.json_path or column.cast or column.aggregate)
        key = column.alias or (column.json_path[-1] if column.json_path else None) or \
            column.aggregate or column.name
        keys[key] = column.name if plain else None
    for aggregate in selection.aggregates:
        keys[aggregate.alias or aggregate.function] = None
    for embed in selection.embeds:
        if embed.spread:
            inner = fetched(embed.selection, None)
            is_open = is_open or inner.open
            keys.update(dict.fromkeys(inner.keys))
        else:
            keys[embed.alias or embed.relation] = None
    return Fetched(keys, is_open)


@dataclass(frozen=True, slots=True)
class _Declared:
    """A field the result type declares, and the file that declares it."""

    field: TypeField
    path: str


def _required(field: TypeField) -> bool:
    kind = field.type
    return not field.optional and kind is not None and not kind.undefinable and \
        kind.text not in ("any", "unknown")


def _declared(
    use: TableUse, result: ResultType, index: TypeIndex
) -> tuple[list[_Declared], list[Row]]:
    """The hand-written fields of the result type, and the generated Rows it includes."""
    fields = [_Declared(field, use.path) for field in result.fields]
    rows = list(result.rows)
    for target, name in result.imports:
        found = index.imported_type(target, name)
        if isinstance(found, RowType):
            fields += [_Declared(field, found.path) for field in found.fields]
        elif found is not None and found.row_of is not None:
            rows.append((found.row_of, ()))
    return fields, rows


def _select(use: TableUse) -> SelectArg | None:
    """The select string of the chain; a bare `.select()` fetches `*`."""
    call = next((c for c in reversed(use.chain) if c.name == "select"), None)
    if call is None or call.unknown_columns:
        return None
    return call.select or SelectArg("*", call.range, postgrest.Selection(star=True))


def _row_columns(schema: Schema, rows: list[Row], where: str) -> Iterator[str]:
    for name, omitted in rows:
        table = schema.tables.get((where, name))
        if table is not None and table.external is None:
            yield from (column for column in table.columns if column not in omitted)


def _filtered(use: TableUse, path: tuple[str, ...]) -> set[str]:
    """Columns a filter names at `path` (the top, or an embed): `.not('x', 'is', null)`,
    `.gte('x', …)` and most others leave no row whose `x` is null, so a field without
    `| null` may be right."""
    return {column.name for call in use.chain if call.name not in ("select", "order")
            for column in call.columns if column.path == path}


def _listed(names: list[str]) -> str:
    shown = ", ".join(f"`{name}`" for name in names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


@dataclass(frozen=True, slots=True)
class _Level:
    """One level of the rows: the top, or an embed (`path` by alias or name)."""

    selection: postgrest.Selection
    key: Key | None  # the table or view it reads; None when unresolved
    path: tuple[str, ...] = ()

    @property
    def prefix(self) -> str:
        return "".join(f"{name}." for name in self.path)


class _Judge:
    """What judging needs once per run (enums, aliases); judges one query at a time."""

    def __init__(self, workspace: Workspace) -> None:
        self.schema = workspace.schema
        self.index = workspace.type_index
        self.findings = Findings()
        self.enums = enums_of(self.schema)
        self.aliases: Aliases = local_aliases(workspace)

    def table(self, key: Key | None) -> Table | None:
        table = self.schema.tables.get(key) if key is not None else None
        return table if table is not None and table.external is None else None

    def rows(
        self, findings: Findings, use: TableUse, result: ResultType, select: SelectArg
    ) -> None:
        """Report on the rows of `use` into `findings` (its file's, for `by_file`)."""
        self.findings = findings
        level = _Level(select.tree, (use.schema or "public", use.table))
        absent = self.level(use, result, select, level)
        if not absent:
            return
        names = [name for name, _ in absent]
        related = [Related(Location(use.path, select.range), "the select string")]
        related += [Related(Location(d.path, d.field.range), "declared here")
                    for _, d in absent if d is not None][:_SHOWN]
        them = "it" if len(absent) == 1 else "them"
        table = self.schema.tables.get((use.schema or "public", use.table))
        star = f" (`*` is the columns the migrations give `{use.table}`)" \
            if select.tree.star and any("." not in name for name in names) else ""
        self.findings.add(
            SELECT_RESULT_TYPE, Location(use.path, result.range),
            f"`{result.text}` ({result.how}) declares {_listed(names)} but "
            f"`.select('{select.value}')`{star} does not fetch {them}: "
            f"{'it is' if len(absent) == 1 else 'they are'} `undefined` at runtime; select "
            f"{them} or make {them} optional",
            related,
            SelectResultField(use.table, table.schema if table else use.schema or "public",
                              result.text, names, "missing", select.value),
        )

    def level(
        self, use: TableUse, result: ResultType, select: SelectArg, level: _Level
    ) -> list[tuple[str, _Declared | None]]:
        """The fields of `result` this level does not fetch (dotted below the top); reports
        the fields it types otherwise than their columns."""
        table = self.table(level.key)
        got = fetched(level.selection, table)
        fields, rows = _declared(use, result, self.index)
        absent: list[tuple[str, _Declared | None]] = []
        if not got.open:
            space = level.key[0] if level.key is not None else "public"
            wanted: dict[str, _Declared | None] = {
                d.field.name: d for d in fields if _required(d.field)}
            for name in [*_row_columns(self.schema, rows, space), *result.keys]:
                wanted.setdefault(name, None)
            absent = [(level.prefix + name, d) for name, d in wanted.items()
                      if name not in got.keys]
        for declared in fields:
            if table is not None:
                self.typed(use, result, select, got, table, declared, level.path)
        for name, inner in result.nested:
            embed = _embed(level.selection, name)
            if embed is None:
                continue
            key = relation_target(self.schema, level.key, embed.relation) \
                if level.key is not None else None
            inner_level = _Level(embed.selection, key, (*level.path, name))
            absent += self.level(use, inner, select, inner_level)
        return absent

    def typed(
        self,
        use: TableUse,
        result: ResultType,
        select: SelectArg,
        got: Fetched,
        table: Table,
        declared: _Declared,
        path: tuple[str, ...],
    ) -> None:
        field = declared.field
        name = got.keys.get(field.name)
        column = table.columns.get(name) if name is not None else None
        if column is None or field.type is None:
            return
        qualified = f"`{table.name}.{column.name}`"
        where = Location(use.path, field.range if declared.path == use.path else result.range)
        related = [Related(column.location, "column defined here")] if column.location else []
        if declared.path != use.path:
            related.append(Related(Location(declared.path, field.range), "field declared here"))
        column_type, shown = column.type, f"`{field.name}: {field.type.text}` in `{result.text}`"

        def report(message: str, kind: str) -> None:
            self.findings.add(SELECT_RESULT_TYPE, where, message, related, SelectResultField(
                table.name, table.schema, result.text, [field.name], kind, select.value,
                column_type))

        if column.nullable and column.name not in _filtered(use, path) and \
                may_be_null(field.type, self.aliases) is False:
            report(f"{shown}: column {qualified} is nullable, so the select returns `null` for "
                   "it; add `| null`", "nullability")
        reason = mismatch(column.type, field.type, self.enums, self.aliases)
        if reason is not None:
            report(f"{shown} does not match column {qualified} ({column.type}): {reason}",
                   "mismatch")


def _embed(selection: postgrest.Selection, key: str) -> postgrest.Embed | None:
    """The embed whose rows are under `key` (its alias, else its name); spreads have none."""
    return next((e for e in selection.embeds
                 if not e.spread and (e.alias or e.relation) == key), None)


@check(SELECT_RESULT_TYPE)
def select_results(workspace: Workspace, findings: Findings) -> None:
    """File by file: a TS edit re-judges only the edited file (`by_file`)."""
    judges: list[_Judge] = []

    def judge(path: str, found: Findings) -> None:
        for use in workspace.consumer_files[path]:
            select = _select(use)
            if use.result is None or select is None:
                continue
            if not judges:
                judges.append(_Judge(workspace))
            judges[0].rows(found, use, use.result, select)
        # a field of a type two queries share is judged by each: say it once
        found.items[:] = list({(d.range, d.message): d for d in found.items}.values())

    by_file(workspace, findings, "select results", frozenset({SCHEMA, TYPES, CONFIG}),
            workspace.consumer_files, judge)
