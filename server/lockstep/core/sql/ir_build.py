"""libpg_query JSON → the IR of `ir.py`.

The JSON omits default values (0, false, empty lists), so every read has a default. Locations
are bytes into the statement's text; `Builder` turns them into character offsets into the file.
Routines are built by `ir_routines.py`, DO blocks by `ir_do.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lockstep.core.sql import ir
from lockstep.core.sql.ir_do import do_block
from lockstep.core.sql.ir_parts import Builder, strings
from lockstep.core.sql.ir_routines import alter_function, create_function, routine_arguments

Json = dict[str, Any]


def build(node: Json, builder: Builder) -> ir.Stmt:
    """The IR of one statement (`{'CreateStmt': {...}}`); Opaque for what is not modelled."""
    ((kind, fields),) = node.items()
    make = _KINDS.get(kind)
    if make is None:
        return ir.Opaque(builder.whole, kind)
    result = make(fields, builder)
    return result if result is not None else ir.Opaque(builder.whole, kind)


def relations(node: Any, builder: Builder) -> tuple[ir.Name, ...]:
    """Every RangeVar under `node` (libpg_query spells typed fields unwrapped: a dict with a
    `relname` is one), depth first."""
    found: list[ir.Name] = []
    stack = [node]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "relname" in value and isinstance(value["relname"], str):
                found.append(builder.name(value))
            stack.extend(reversed([v for v in value.values() if isinstance(v, dict | list)]))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return tuple(found)


def _create_table(f: Json, b: Builder) -> ir.Stmt:
    columns: list[ir.Column] = []
    constraints: list[ir.Constraint] = []
    likes: list[ir.Like] = []
    for element in f.get("tableElts", ()):
        ((kind, inner),) = element.items()
        if kind == "ColumnDef":
            columns.append(b.column(inner))
        elif kind == "Constraint":
            constraints.append(b.constraint(inner))
        elif kind == "TableLikeClause":
            relation = inner["relation"]
            likes.append(ir.Like(b.name(relation), b.span_at(relation.get("location")),
                                 inner.get("options", 0), len(columns)))
    bound = f.get("partbound")
    inherits = tuple(b.name(r["RangeVar"]) for r in f.get("inhRelations", ()))
    return ir.CreateTable(
        b.whole, b.name(f["relation"]), tuple(columns), tuple(constraints), tuple(likes),
        () if bound else inherits, inherits[0] if bound and inherits else None,
        bool(f.get("if_not_exists")), f["relation"].get("relpersistence", "p"),
        partitioned=f.get("partspec") is not None)


def _create_foreign_table(f: Json, b: Builder) -> ir.Stmt:
    table = _create_table(f.get("base", {}), b)
    assert isinstance(table, ir.CreateTable)
    return ir.CreateTable(table.span, table.name, table.columns, table.constraints, table.like,
                          table.inherits, table.partition_of, table.if_not_exists,
                          table.persistence, f.get("servername"), table.partitioned)


def _create_table_as(f: Json, b: Builder) -> ir.Stmt:
    into = f.get("into", {})
    return ir.CreateTableAs(
        b.whole, b.name(into["rel"]), b.expr(f["query"]), strings(into.get("colNames")),
        f.get("objtype") == "OBJECT_MATVIEW", bool(f.get("if_not_exists")),
        not into.get("skipData", False), into["rel"].get("relpersistence", "p"))


def _alter_table(f: Json, b: Builder) -> ir.Stmt:
    commands = tuple(b.alter_command(c["AlterTableCmd"]) for c in f.get("cmds", ())
                     if "AlterTableCmd" in c)
    return ir.AlterTable(b.whole, b.name(f["relation"]), b.object_kind(f.get("objtype")),
                         commands, bool(f.get("missing_ok")))


def _drop(f: Json, b: Builder) -> ir.Stmt:
    kind = b.object_kind(f.get("removeType"))
    names: list[ir.Name] = []
    on: list[ir.Name] = []
    arguments: list[tuple[ir.Argument, ...] | None] = []
    for item in f.get("objects", ()):
        parts = b.object_parts(item)
        if isinstance(item, dict) and "ObjectWithArgs" in item:
            arguments.append(routine_arguments(item, b))
        if kind in ("policy", "trigger", "rule") and len(parts) >= 2:
            on.append(b.dotted(parts[:-1]))
            names.append(ir.Name(None, parts[-1], b.find(parts[-1])))
        elif parts:
            names.append(b.dotted(parts))
    return ir.Drop(b.whole, kind, tuple(names), bool(f.get("missing_ok")),
                   f.get("behavior") == "DROP_CASCADE", tuple(on), bool(f.get("concurrent")),
                   tuple(arguments))


def _index_column(param: Json, b: Builder) -> ir.IndexColumn:
    element = param.get("IndexElem", {})
    expr = element.get("expr")
    plain = not any(element.get(k) for k in ("opclass", "collation", "ordering",
                                             "nulls_ordering"))
    return ir.IndexColumn(element.get("name"), b.expr(expr) if expr else None, b.expr(param),
                          plain)


def _index(f: Json, b: Builder) -> ir.Stmt:
    columns = [_index_column(p, b) for p in f.get("indexParams", ())]
    where = f.get("whereClause")
    including = tuple(_index_column(p, b) for p in f.get("indexIncludingParams", ()))
    return ir.CreateIndex(
        b.whole, f.get("idxname"), b.name(f["relation"]), tuple(columns),
        bool(f.get("unique")), bool(f.get("primary")), bool(f.get("concurrent")),
        bool(f.get("if_not_exists")), f.get("accessMethod", "btree"),
        b.expr(where) if where else None, including)


def _policy(f: Json, b: Builder, create: bool) -> ir.Stmt:
    qual, check = f.get("qual"), f.get("with_check")
    return ir.Policy(
        b.whole, f.get("policy_name", ""), b.name(f["table"]), create,
        f.get("cmd_name", "all") if create else None,
        bool(f.get("permissive")) if create else True, b.roles(f.get("roles")),
        b.expr(qual) if qual else None, b.expr(check) if check else None)


def _create_enum(f: Json, b: Builder) -> ir.Stmt:
    return ir.CreateEnum(b.whole, b.dotted(strings(f.get("typeName"))), strings(f.get("vals")))


def _alter_enum(f: Json, b: Builder) -> ir.Stmt:
    return ir.AlterEnum(
        b.whole, b.dotted(strings(f.get("typeName"))), f.get("newVal", ""), f.get("oldVal"),
        f.get("newValNeighbor"), bool(f.get("newValIsAfter")),
        bool(f.get("skipIfNewValExists")))


def _domain(f: Json, b: Builder) -> ir.Stmt:
    type_name = f.get("typeName")
    return ir.CreateDomain(
        b.whole, b.dotted(strings(f.get("domainname"))),
        b.type_ref(type_name) if type_name else None,
        tuple(b.constraint(c["Constraint"]) for c in f.get("constraints", ())))


def _composite(f: Json, b: Builder) -> ir.Stmt:
    return ir.CreateComposite(b.whole, b.name(f["typevar"]), tuple(
        b.column(c["ColumnDef"]) for c in f.get("coldeflist", ()) if "ColumnDef" in c))


def _view(f: Json, b: Builder) -> ir.Stmt:
    check = f.get("withCheckOption", "NO_CHECK_OPTION")
    return ir.CreateView(
        b.whole, b.name(f["view"]), b.expr(f["query"]), strings(f.get("aliases")),
        bool(f.get("replace")), b.options(f.get("options")),
        None if check == "NO_CHECK_OPTION" else check.split("_")[0].lower())


def _default_privileges(f: Json, b: Builder) -> ir.Stmt:
    schemas: tuple[str, ...] = ()
    for option in f.get("options", ()):
        element = option.get("DefElem", {})
        if element.get("defname") == "schemas":
            schemas = strings(element.get("arg"))
    grant = _grant(f.get("action", {}), b)
    assert isinstance(grant, ir.Grant)
    return ir.DefaultPrivileges(b.whole, schemas, grant)


_TIMING = {2: "before", 64: "instead of"}
_EVENTS = ((4, "insert"), (8, "delete"), (16, "update"), (32, "truncate"))


def _trigger(f: Json, b: Builder) -> ir.Stmt:
    events = f.get("events", 0)
    when = f.get("whenClause")
    return ir.CreateTrigger(
        b.whole, f.get("trigname", ""), b.name(f["relation"]),
        b.dotted(strings(f.get("funcname"))), _TIMING.get(f.get("timing", 0), "after"),
        tuple(name for bit, name in _EVENTS if events & bit), bool(f.get("row")),
        b.expr(when) if when else None, bool(f.get("replace")))


def _grant(f: Json, b: Builder) -> ir.Stmt:
    privileges: list[str] = []
    columns: list[str] = []
    for privilege in f.get("privileges", ()):
        access = privilege.get("AccessPriv", {})
        privileges.append(access.get("priv_name", ""))
        columns.extend(strings(access.get("cols")))
    objects = f.get("objects", ())
    arguments = tuple(routine_arguments(o, b) for o in objects)
    return ir.Grant(
        b.whole, bool(f.get("is_grant")), b.object_kind(f.get("objtype")),
        tuple(b.dotted(b.object_parts(o)) for o in objects),
        tuple(privileges), b.roles(f.get("grantees")),
        f.get("targtype") == "ACL_TARGET_ALL_IN_SCHEMA", tuple(columns),
        arguments if any(a is not None for a in arguments) else ())


def _comment(f: Json, b: Builder) -> ir.Stmt:
    target = f.get("object")
    return ir.Comment(b.whole, b.object_kind(f.get("objtype")),
                      b.object_parts(target) if target else (), f.get("comment"))


def _rename(f: Json, b: Builder) -> ir.Stmt:
    relation = f.get("relation")
    target = f.get("object")
    parts = b.object_parts(target) if target else ()
    name = b.name(relation) if relation else (b.dotted(parts) if parts else None)
    return ir.Rename(b.whole, b.object_kind(f.get("renameType")), name, f.get("newname", ""),
                     f.get("subname"), parts, bool(f.get("missing_ok")),
                     b.object_kind(f.get("relationType")))


def _set_schema(f: Json, b: Builder) -> ir.Stmt:
    relation = f.get("relation")
    name = b.name(relation) if relation else b.dotted(b.object_parts(f.get("object")))
    return ir.SetSchema(b.whole, b.object_kind(f.get("objectType")), name,
                        f.get("newschema", ""), bool(f.get("missing_ok")))


def _variable(f: Json, b: Builder) -> ir.Stmt | None:
    if (f.get("name") or "").lower() != "search_path" or f.get("kind") not in (
            "VAR_SET_VALUE", "VAR_SET_DEFAULT", "VAR_RESET"):
        return None  # RESET and SET … TO DEFAULT go back to public, as a value-less SET
    return ir.SearchPath(b.whole, b.search_path(b.set_values(f)), bool(f.get("is_local")))


def _select(f: Json, b: Builder) -> ir.Stmt | None:
    """SELECT set_config('search_path', '…', is_local) is how pg_dump sets it."""
    targets = f.get("targetList", ())
    if len(targets) != 1 or f.get("fromClause"):
        return None
    call = targets[0].get("ResTarget", {}).get("val", {}).get("FuncCall")
    if not call or strings(call.get("funcname"))[-1:] != ("set_config",):
        return None
    args = [a.get("A_Const", {}) for a in call.get("args", ())]
    if len(args) != 3 or b.string(args[0].get("sval")) != "search_path":
        return None
    value = b.string(args[1].get("sval")) or ""
    local = bool(args[2].get("boolval", {}).get("boolval"))
    return ir.SearchPath(b.whole, b.search_path([value]), local)


def _schema(f: Json, b: Builder) -> ir.Stmt:
    return ir.CreateSchema(b.whole, f.get("schemaname", ""), bool(f.get("if_not_exists")))


def _extension(f: Json, b: Builder) -> ir.Stmt:
    options = dict(b.options(f.get("options")))
    return ir.CreateExtension(b.whole, f.get("extname", ""), options.get("schema"),
                              bool(f.get("if_not_exists")))


def _sequence(f: Json, b: Builder, create: bool) -> ir.Stmt:
    owned: tuple[str, ...] = ()
    for option in f.get("options", ()):
        element = option.get("DefElem", {})
        if element.get("defname") == "owned_by":
            owned = strings(element.get("arg"))
    return ir.Sequence(b.whole, b.name(f["sequence"]), create, owned,
                       bool(f.get("if_not_exists")))


def _data_change(f: Json, b: Builder, verb: str) -> ir.Stmt:
    where = f.get("whereClause")
    columns = tuple(t.get("ResTarget", {}).get("name", "")
                    for t in f.get("targetList" if verb == "update" else "cols", ()))
    return ir.DataChange(b.whole, verb, b.name(f["relation"]), columns,
                         b.expr(where) if where else None)


def _truncate(f: Json, b: Builder) -> ir.Stmt:
    return ir.Truncate(b.whole, tuple(b.name(r["RangeVar"]) for r in f.get("relations", ())
                                      if "RangeVar" in r))


def _reindex(f: Json, b: Builder) -> ir.Stmt:
    return ir.Reindex(b.whole, any(p.get("DefElem", {}).get("defname") == "concurrently"
                                   for p in f.get("params", ())))


def _transaction(f: Json, b: Builder) -> ir.Stmt:
    # libpg_query leaves out enum value 0, TRANS_STMT_BEGIN
    return ir.Transaction(b.whole, f.get("kind", "TRANS_STMT_BEGIN").removeprefix("TRANS_STMT_"))


_KINDS: dict[str, Callable[[Json, Builder], ir.Stmt | None]] = {
    "CreateStmt": _create_table,
    "CreateForeignTableStmt": _create_foreign_table,
    "CreateTableAsStmt": _create_table_as,
    "AlterTableStmt": _alter_table,
    "DropStmt": _drop,
    "IndexStmt": _index,
    "CreatePolicyStmt": lambda f, b: _policy(f, b, True),
    "AlterPolicyStmt": lambda f, b: _policy(f, b, False),
    "CreateEnumStmt": _create_enum,
    "AlterEnumStmt": _alter_enum,
    "CreateDomainStmt": _domain,
    "CompositeTypeStmt": _composite,
    "ViewStmt": _view,
    "CreateFunctionStmt": create_function,
    "AlterFunctionStmt": alter_function,
    "AlterDefaultPrivilegesStmt": _default_privileges,
    "CreateTrigStmt": _trigger,
    "GrantStmt": _grant,
    "CommentStmt": _comment,
    "RenameStmt": _rename,
    "AlterObjectSchemaStmt": _set_schema,
    "VariableSetStmt": _variable,
    "SelectStmt": _select,
    "CreateSchemaStmt": _schema,
    "CreateExtensionStmt": _extension,
    "CreateSeqStmt": lambda f, b: _sequence(f, b, True),
    "AlterSeqStmt": lambda f, b: _sequence(f, b, False),
    "DoStmt": lambda f, b: do_block(f, b, build),
    "InsertStmt": lambda f, b: _data_change(f, b, "insert"),
    "UpdateStmt": lambda f, b: _data_change(f, b, "update"),
    "DeleteStmt": lambda f, b: _data_change(f, b, "delete"),
    "TruncateStmt": _truncate,
    "ReindexStmt": _reindex,
    "TransactionStmt": _transaction,
}
