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
  their name must be PostgreSQL's). Expression columns compare after light normalisation.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

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
            if keys(c, COLUMN_KEYS, f"{where} column {c.get('name')!r}"):
                if not isinstance(c.get("type"), str) or not isinstance(c.get("nullable"), bool):
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


def _norm_expr(text: str) -> str:
    """`(lower((email)::text))` ~ `lower(email)`: drop casts, quotes, parens and spaces."""
    text = re.sub(r"::[a-z_ ]+(\(\d+(,\d+)?\))?(\[\])?", "", text.lower())
    return re.sub(r"[\s()\"]", "", text)


def _index_cols(cols: list[str]) -> list[str]:
    return [_norm_expr(c) for c in cols]


def diff(replay: dict[str, Any], snap: CatalogSnapshot, schemas: set[str]) -> list[str]:
    """Human-readable differences; empty when the replay agrees with PostgreSQL."""
    pg = snap.schema
    out: list[str] = []
    r_tables = {(t["schema"], t["name"]): t for t in replay.get("tables", [])}
    r_tables = {k: v for k, v in r_tables.items() if k[0] in schemas}
    p_tables = {(t["schema"], t["name"]): t for t in pg["tables"]}
    for key in sorted(p_tables.keys() - r_tables.keys()):
        out.append(f"{key[0]}.{key[1]}: table missing from replay (exists in postgres)")
    for key in sorted(r_tables.keys() - p_tables.keys()):
        out.append(f"{key[0]}.{key[1]}: table reported by replay but not in postgres")
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
            out.append(f"{name}: reported by replay but not in postgres")
        elif list(r_enums[key]) != list(p_enums[key]):
            out.append(f"{name}: values: replay {r_enums[key]} != postgres {p_enums[key]}")

    r_views = {(v["schema"], v["name"]) for v in replay.get("views", [])}
    r_views = {k for k in r_views if k[0] in schemas}
    p_views = {(v["schema"], v["name"]) for v in pg["views"]}
    out += [f"view {s}.{n}: missing from replay" for s, n in sorted(p_views - r_views)]
    out += [f"view {s}.{n}: reported by replay but not in postgres" for s, n in sorted(r_views - p_views)]  # fmt: skip
    return out


def _diff_table(r: dict[str, Any], p: dict[str, Any], snap: CatalogSnapshot) -> list[str]:
    out: list[str] = []
    if r.get("rls_enabled") != p["rls_enabled"]:
        out.append(f"rls_enabled: replay {r.get('rls_enabled')} != postgres {p['rls_enabled']}")
    r_cols = {c["name"]: c for c in r.get("columns", [])}
    p_cols = {c["name"]: c for c in p["columns"]}
    r_order = [c["name"] for c in r.get("columns", [])]
    p_order = [c["name"] for c in p["columns"]]
    if r_order != p_order:
        out.append(f"columns: replay {r_order} != postgres {p_order}")
    for name in [n for n in p_order if n in r_cols]:
        rc, pc = r_cols[name], p_cols[name]
        where = f"column {name!r}"
        if rc.get("type") != pc["type"]:
            out.append(f"{where}: type: replay {rc.get('type')!r} != postgres {pc['type']!r}")
        if rc.get("nullable") != pc["nullable"]:
            out.append(f"{where}: nullable: replay {rc.get('nullable')} != postgres {pc['nullable']}")  # fmt: skip
        if (rc.get("default") is None) != (pc["default"] is None):
            out.append(f"{where}: default: replay {rc.get('default')!r} != postgres {pc['default']!r}")  # fmt: skip
        if rc.get("primary_key") != pc["primary_key"]:
            out.append(f"{where}: primary_key: replay {rc.get('primary_key')} != postgres {pc['primary_key']}")  # fmt: skip

    def fk_key(fk: dict[str, Any]) -> tuple[Any, ...]:
        ref = fk.get("references") or {}
        return (
            tuple(fk.get("columns") or ()),
            ref.get("schema"),
            ref.get("table"),
            tuple(ref.get("columns") or ()),
            fk.get("on_delete") or "NO ACTION",
        )

    def fk_text(k: tuple[Any, ...]) -> str:
        return f"({', '.join(k[0])}) -> {k[1]}.{k[2]}({', '.join(k[3])}) ON DELETE {k[4]}"

    r_fks = Counter(fk_key(fk) for fk in r.get("foreign_keys", []))
    p_fks = Counter(fk_key(fk) for fk in p["foreign_keys"])
    out += [f"foreign key missing from replay: {fk_text(k)}" for k in sorted((p_fks - r_fks).elements(), key=repr)]  # fmt: skip
    out += [f"foreign key only in replay: {fk_text(k)}" for k in sorted((r_fks - p_fks).elements(), key=repr)]  # fmt: skip

    p_idx = {ix["name"]: ix for ix in p["indexes"]}
    r_idx = {ix["name"]: ix for ix in r.get("indexes", [])}
    for name, ix in sorted(r_idx.items()):
        if name not in p_idx:
            out.append(f"index {name!r} ({', '.join(ix.get('columns', []))}) reported by replay but not in postgres")  # fmt: skip
            continue
        pix = p_idx[name]
        if _index_cols(ix.get("columns", [])) != _index_cols(pix["columns"]):
            out.append(f"index {name!r}: columns: replay {ix.get('columns')} != postgres {pix['columns']}")  # fmt: skip
        if ix.get("unique") != pix["unique"]:
            out.append(f"index {name!r}: unique: replay {ix.get('unique')} != postgres {pix['unique']}")  # fmt: skip
    for name, pix in sorted(p_idx.items()):
        if name not in r_idx and (p["schema"], p["name"], name) not in snap.constraint_indexes:
            uniq = "unique " if pix["unique"] else ""
            out.append(f"{uniq}index {name!r} ({', '.join(pix['columns'])}) missing from replay")

    r_pol = Counter((x.get("name"), x.get("command")) for x in r.get("policies", []))
    p_pol = Counter((x["name"], x["command"]) for x in p["policies"])
    out += [f"policy {n!r} FOR {c} missing from replay" for n, c in sorted((p_pol - r_pol).elements(), key=repr)]  # fmt: skip
    out += [f"policy {n!r} FOR {c} only in replay" for n, c in sorted((r_pol - p_pol).elements(), key=repr)]  # fmt: skip
    return out
