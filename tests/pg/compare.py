"""Diff the replay's `schema --format json` against the catalog snapshot, readably.

Every difference is one line naming the object and what differs, e.g.
`public.wins: column "text": type: replay 'text' != postgres 'character varying(10)'`.

Rules (why they are not plain equality):
- Only the schemas the catalog compares (public + schemas the migrations created) count;
  replay tables in the Supabase stub schemas (auth, storage, …) are ignored.
- `default`: present/absent only (expression text differs legitimately: `'en'::text`).
- `on_delete`: null == NO ACTION (PostgreSQL stores "not said" as NO ACTION).
- foreign keys and policies: compared as multisets, order free.
- indexes: every index the replay reports must exist in the catalog with the same columns and
  uniqueness; every catalog index that does NOT back a PK/UNIQUE/EXCLUDE constraint must be
  reported by the replay. Constraint indexes are optional for the replay (but if reported,
  their name must be PostgreSQL's). Expression columns compare without casts, both sides
  deparsed by pglast.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pglast import ast, parse_sql
from pglast.stream import RawStream
from pglast.visitors import Visitor

from .catalog import CatalogSnapshot

TOP_KEYS = {"tables", "enums", "views"}
TABLE_KEYS = {
    "schema", "name", "rls_enabled", "defined_in", "columns", "foreign_keys", "indexes", "policies"
}  # fmt: skip
COLUMN_KEYS = {"name", "type", "nullable", "default", "primary_key"}
FK_KEYS = {"columns", "references", "on_delete"}
INDEX_KEYS = {"name", "columns", "unique"}
POLICY_KEYS = {"name", "command"}
ON_DELETE = {None, "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"}
COMMANDS = {"ALL", "SELECT", "INSERT", "UPDATE", "DELETE"}


def shape_problems(doc: Any, exact: bool) -> list[str]:
    """Where `doc` departs from the DESIGN.md shape; `exact` also forbids extra keys."""
    out: list[str] = []

    def keys(obj: Any, want: set[str], where: str) -> bool:
        if not isinstance(obj, dict):
            out.append(f"{where}: expected an object, got {type(obj).__name__}")
            return False
        if missing := want - obj.keys():
            out.append(f"{where}: missing keys {sorted(missing)}")
        if exact and (extra := obj.keys() - want):
            out.append(f"{where}: unexpected keys {sorted(extra)}")
        return True

    if not keys(doc, TOP_KEYS, "document"):
        return out
    for t in doc.get("tables", []):
        where = f"table {t.get('schema')}.{t.get('name')}" if isinstance(t, dict) else "table"
        if not keys(t, TABLE_KEYS, where):
            continue
        if not isinstance(t.get("rls_enabled"), bool):
            out.append(f"{where}: rls_enabled is not a bool")
        for c in t.get("columns", []):
            ok = keys(c, COLUMN_KEYS, f"{where} column {c.get('name')!r}")
            if ok and not (isinstance(c.get("type"), str) and isinstance(c.get("nullable"), bool)):
                out.append(f"{where} column {c.get('name')!r}: bad type/nullable")
        for fk in t.get("foreign_keys", []):
            if keys(fk, FK_KEYS, f"{where} foreign key"):
                keys(fk["references"], {"schema", "table", "columns"}, f"{where} fk references")
                if fk.get("on_delete") not in ON_DELETE:
                    out.append(f"{where}: bad on_delete {fk.get('on_delete')!r}")
        for ix in t.get("indexes", []):
            keys(ix, INDEX_KEYS, f"{where} index")
        for p in t.get("policies", []):
            if keys(p, POLICY_KEYS, f"{where} policy") and p.get("command") not in COMMANDS:
                out.append(f"{where}: policy {p.get('name')!r} bad command {p.get('command')!r}")
    for e in doc.get("enums", []):
        if keys(e, {"schema", "name", "values"}, "enum") and not isinstance(e["values"], list):
            out.append(f"enum {e.get('name')}: values is not a list")
    for v in doc.get("views", []):
        keys(v, {"schema", "name"}, "view")
    return out


class _StripCasts(Visitor):
    def visit_TypeCast(self, ancestors: Any, node: ast.TypeCast) -> Any:
        return node.arg


def _norm_expr(text: str) -> str:
    """An index expression without casts, deparsed by pglast: PostgreSQL prints
    `lower((email)::text)` where the migration (and the replay) said `lower(email)`."""
    try:
        stmt: Any = parse_sql(f"SELECT {text}")[0].stmt
        _StripCasts()(stmt)
        return str(RawStream()(stmt.targetList[0].val))
    except Exception:  # noqa: BLE001 - not an expression on its own: compare as written
        return text


def _same_index_cols(replay: list[str], pg: list[str]) -> bool:
    if len(replay) != len(pg):
        return False
    return all(r == p or _norm_expr(r) == _norm_expr(p) for r, p in zip(replay, pg, strict=True))


def diff(replay: dict[str, Any], snap: CatalogSnapshot, schemas: set[str]) -> list[str]:
    """Human-readable differences; empty when the replay agrees with PostgreSQL."""
    pg = snap.schema
    out: list[str] = _duplicates(replay, schemas)
    r_tables = {(t["schema"], t["name"]): t for t in replay.get("tables", [])}
    r_tables = {k: v for k, v in r_tables.items() if k[0] in schemas}
    p_tables = {(t["schema"], t["name"]): t for t in pg["tables"]}
    for key in sorted(p_tables.keys() - r_tables.keys()):
        out.append(f"{key[0]}.{key[1]}: table missing from replay (exists in postgres)")
    for key in sorted(r_tables.keys() - p_tables.keys()):
        out.append(f"{key[0]}.{key[1]}: table only in replay, not in postgres")
    for key in sorted(p_tables.keys() & r_tables.keys()):
        out += [f"{key[0]}.{key[1]}: {d}" for d in _diff_table(r_tables[key], p_tables[key], snap)]

    r_enums = {(e["schema"], e["name"]): e["values"] for e in replay.get("enums", [])}
    r_enums = {k: v for k, v in r_enums.items() if k[0] in schemas}
    p_enums = {(e["schema"], e["name"]): e["values"] for e in pg["enums"]}
    for key in sorted(p_enums.keys() | r_enums.keys()):
        name = f"enum {key[0]}.{key[1]}"
        if key not in r_enums:
            out.append(f"{name}: missing from replay (values {p_enums[key]})")
        elif key not in p_enums:
            out.append(f"{name}: only in replay, not in postgres")
        elif list(r_enums[key]) != list(p_enums[key]):
            out.append(f"{name}: values: replay {r_enums[key]} != postgres {p_enums[key]}")

    r_views = {(v["schema"], v["name"]) for v in replay.get("views", [])}
    r_views = {k for k in r_views if k[0] in schemas}
    p_views = {(v["schema"], v["name"]) for v in pg["views"]}
    out += [f"view {s}.{n}: missing from replay" for s, n in sorted(p_views - r_views)]
    out += [f"view {s}.{n}: only in replay, not in postgres" for s, n in sorted(r_views - p_views)]
    return out


def _duplicates(replay: dict[str, Any], schemas: set[str]) -> list[str]:
    """Names PostgreSQL keeps unique that the replay reports more than once."""
    out: list[str] = []

    def dup(what: str, names: list[Any]) -> None:
        for name, n in sorted(Counter(names).items(), key=repr):
            if n > 1:
                out.append(f"{what} {name!r} reported {n} times by replay")

    tables = [t for t in replay.get("tables", []) if t.get("schema") in schemas]
    dup("table", [f"{t.get('schema')}.{t.get('name')}" for t in tables])
    for t in tables:
        where = f"{t.get('schema')}.{t.get('name')}:"
        dup(f"{where} column", [c.get("name") for c in t.get("columns", [])])
        dup(f"{where} policy", [p.get("name") for p in t.get("policies", [])])
    # index names are unique per schema, not per table
    for schema in sorted(schemas):
        names = [ix.get("name") for t in tables if t.get("schema") == schema
                 for ix in t.get("indexes", [])]  # fmt: skip
        dup(f"{schema}: index", names)
    dup("enum", [f"{e.get('schema')}.{e.get('name')}" for e in replay.get("enums", [])])
    dup("view", [f"{v.get('schema')}.{v.get('name')}" for v in replay.get("views", [])])
    return out


def _ne(what: str, replay: Any, postgres: Any, quote: bool = False) -> str:
    if quote:
        return f"{what}: replay {replay!r} != postgres {postgres!r}"
    return f"{what}: replay {replay} != postgres {postgres}"


def _multiset(what: str, replay: Counter[Any], pg: Counter[Any], text: Any = str) -> list[str]:
    missing = sorted((pg - replay).elements(), key=repr)
    extra = sorted((replay - pg).elements(), key=repr)
    return [f"{what} missing from replay: {text(k)}" for k in missing] + [
        f"{what} only in replay: {text(k)}" for k in extra
    ]


def _fk_key(fk: dict[str, Any]) -> tuple[Any, ...]:
    ref = fk.get("references") or {}
    return (
        tuple(fk.get("columns") or ()),
        ref.get("schema"),
        ref.get("table"),
        tuple(ref.get("columns") or ()),
        fk.get("on_delete") or "NO ACTION",  # null == NO ACTION
    )


def _fk_text(k: tuple[Any, ...]) -> str:
    return f"({', '.join(k[0])}) -> {k[1]}.{k[2]}({', '.join(k[3])}) ON DELETE {k[4]}"


def _diff_table(r: dict[str, Any], p: dict[str, Any], snap: CatalogSnapshot) -> list[str]:
    out: list[str] = []
    if r.get("rls_enabled") != p["rls_enabled"]:
        out.append(_ne("rls_enabled", r.get("rls_enabled"), p["rls_enabled"]))
    r_cols = {c["name"]: c for c in r.get("columns", [])}
    r_order = [c["name"] for c in r.get("columns", [])]
    p_order = [c["name"] for c in p["columns"]]
    if r_order != p_order:
        out.append(_ne("columns", r_order, p_order))
    for pc in p["columns"]:
        rc = r_cols.get(pc["name"])
        if rc is None:
            continue
        where = f"column {pc['name']!r}"
        if rc.get("type") != pc["type"]:
            out.append(_ne(f"{where}: type", rc.get("type"), pc["type"], quote=True))
        if rc.get("nullable") != pc["nullable"]:
            out.append(_ne(f"{where}: nullable", rc.get("nullable"), pc["nullable"]))
        if (rc.get("default") is None) != (pc["default"] is None):
            out.append(_ne(f"{where}: default", rc.get("default"), pc["default"], quote=True))
        if rc.get("primary_key") != pc["primary_key"]:
            out.append(_ne(f"{where}: primary_key", rc.get("primary_key"), pc["primary_key"]))

    r_fks = Counter(_fk_key(fk) for fk in r.get("foreign_keys", []))
    p_fks = Counter(_fk_key(fk) for fk in p["foreign_keys"])
    out += _multiset("foreign key", r_fks, p_fks, _fk_text)

    p_idx = {ix["name"]: ix for ix in p["indexes"]}
    r_idx = {ix["name"]: ix for ix in r.get("indexes", [])}
    for name, ix in sorted(r_idx.items()):
        cols = ix.get("columns", [])
        if name not in p_idx:
            out.append(f"index {name!r} ({', '.join(cols)}) only in replay, not in postgres")
            continue
        pix = p_idx[name]
        if not _same_index_cols(cols, pix["columns"]):
            out.append(_ne(f"index {name!r}: columns", cols, pix["columns"]))
        if ix.get("unique") != pix["unique"]:
            out.append(_ne(f"index {name!r}: unique", ix.get("unique"), pix["unique"]))
    for name, pix in sorted(p_idx.items()):
        if name not in r_idx and (p["schema"], p["name"], name) not in snap.constraint_indexes:
            uniq = "unique " if pix["unique"] else ""
            out.append(f"{uniq}index {name!r} ({', '.join(pix['columns'])}) missing from replay")

    r_pol = Counter((x.get("name"), x.get("command")) for x in r.get("policies", []))
    p_pol = Counter((x["name"], x["command"]) for x in p["policies"])
    out += _multiset("policy", r_pol, p_pol, lambda k: f"{k[0]!r} FOR {k[1]}")
    return out
