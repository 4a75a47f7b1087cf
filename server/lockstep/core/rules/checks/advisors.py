"""Supabase's advisors about objects: indexes, functions, views, extensions, columns
(splinter 0002, 0009, 0010, 0011, 0014, 0016, 0021, 0023 and unsupported_reg_types).

"Readable through the API" means what splinter asks PostgreSQL: the relation is in an exposed
schema and `anon` or `authenticated` (or PUBLIC) holds SELECT on it, after Supabase's default
grants and every GRANT/REVOKE of the migrations (replay/security.py).
"""

from __future__ import annotations

from lockstep.core.model import Index, Key, Location, Table
from lockstep.core.replay.context import PLATFORM_SCHEMAS
from lockstep.core.replay.security import index_shape
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import anchor, is_platform
from lockstep.core.rules.payloads import AdvisorFinding
from lockstep.core.rules.registry.advisors import (
    AUTH_USERS_EXPOSED,
    DUPLICATE_INDEX,
    EXTENSION_IN_PUBLIC,
    FKEY_TO_AUTH_UNIQUE,
    FUNCTION_SEARCH_PATH_MUTABLE,
    MATERIALIZED_VIEW_IN_API,
    SECURITY_DEFINER_VIEW,
    SENSITIVE_COLUMNS_EXPOSED,
    UNSUPPORTED_REG_TYPES,
)
from lockstep.core.workspace import Workspace

_API_ROLES = {"anon", "authenticated", "public"}
# OID alias types pg_upgrade cannot carry over (regclass, regrole and regtype it can).
_REG_TYPES = frozenset({"regcollation", "regconfig", "regdictionary", "regnamespace",
                        "regoper", "regoperator", "regproc", "regprocedure"})
# Column names splinter treats as sensitive (exact, case-insensitive, `-` read as `_`).
_SENSITIVE = frozenset((
    "password", "passwd", "pwd", "passphrase", "secret", "secret_key", "private_key", "api_key",
    "apikey", "auth_key", "token", "jwt", "access_token", "refresh_token", "oauth_token",
    "session_token", "bearer_token", "auth_code", "session_id", "session_key", "session_secret",
    "recovery_code", "backup_code", "verification_code", "otp", "two_factor", "2fa_secret",
    "2fa_code", "ssn", "social_security", "social_security_number", "driver_license",
    "drivers_license", "license_number", "passport_number", "passport_id", "national_id",
    "tax_id", "credit_card", "card_number", "cvv", "cvc", "cvn", "bank_account",
    "account_number", "routing_number", "iban", "swift_code", "bic", "health_record",
    "medical_record", "patient_id", "insurance_number", "health_insurance", "medical_insurance",
    "treatment", "mac_address", "macaddr", "imei", "device_uuid", "pgp_key", "gpg_key",
    "ssh_key", "certificate", "license_key", "activation_key", "facial_recognition",
))


def exposed_schemas(workspace: Workspace) -> tuple[str, ...]:
    """The schemas PostgREST serves: config.toml's `[api] schemas` (core/discovery.py), unless
    lockstep.toml's `[rls] exposed_schemas` says otherwise."""
    return workspace.config.exposed_schemas


def api_readable(workspace: Workspace, key: Key) -> bool:
    readers = workspace.schema.readers.get(key, set())
    return key[0] in exposed_schemas(workspace) and bool(readers & _API_ROLES)


def _shape(table: Table, index_number: int) -> str:
    index = table.indexes[index_number]
    return index.shape or index_shape(index.unique, "btree", ", ".join(index.columns))


def _inside(inner: Location | None, outer: Location | None) -> bool:
    if inner is None or outer is None or inner.path != outer.path:
        return False
    start, end = outer.range.start, outer.range.end
    return (start.line, start.character) <= (inner.range.start.line, inner.range.start.character) \
        and (inner.range.end.line, inner.range.end.character) <= (end.line, end.character)


def _real_indexes(table: Table, indexes: list[Index]) -> list[Index]:
    """PostgreSQL builds one index for identical PRIMARY KEY / UNIQUE constraints declared in
    one CREATE TABLE (`id uuid unique … primary key (id)`), preferring the primary key; keys
    that LIKE … INCLUDING INDEXES copies (located at the whole statement) all get theirs."""
    same = [i for i in indexes if i.is_constraint and i.location != table.location
            and _inside(i.location, table.location)]
    if len(same) < 2:
        return indexes
    kept = next((i for i in same if i.columns == table.primary_key
                 and i.name.endswith("_pkey")), same[0])
    return [i for i in indexes if i is kept or i not in same]


@check(DUPLICATE_INDEX)
def duplicate_indexes(workspace: Workspace, findings: Findings) -> None:
    for table in workspace.schema.tables.values():
        if is_platform(table) or table.partitioned:
            continue
        groups: dict[str, list[int]] = {}
        for number in range(len(table.indexes)):
            groups.setdefault(_shape(table, number), []).append(number)
        for numbers in groups.values():
            indexes = _real_indexes(table, [table.indexes[n] for n in numbers])
            if len(indexes) < 2:
                continue
            where = indexes[-1].location or anchor(table)
            if where is None:
                continue
            names = sorted(i.name for i in indexes)
            findings.add(
                DUPLICATE_INDEX, where,
                f"`{table.name}` has identical indexes {', '.join(names)}: drop all but one",
                data=AdvisorFinding(table.schema, table.name, "table",
                                    list(indexes[-1].columns), detail=names,
                                    fix=f"DROP INDEX {indexes[-1].name};"))


@check(FUNCTION_SEARCH_PATH_MUTABLE)
def search_path(workspace: Workspace, findings: Findings) -> None:
    for signature in workspace.schema.signatures.values():
        if signature.schema in PLATFORM_SCHEMAS or signature.search_path_set \
                or signature.location is None:
            continue
        findings.add(
            FUNCTION_SEARCH_PATH_MUTABLE, signature.location,
            f"Function `{signature.schema}.{signature.name}` does not set its search_path, so "
            "callers decide what its unqualified names mean: add `SET search_path = ''`",
            data=AdvisorFinding(signature.schema, signature.name, "function",
                                fix="SET search_path = ''"))


@check(SECURITY_DEFINER_VIEW, MATERIALIZED_VIEW_IN_API, AUTH_USERS_EXPOSED)
def views(workspace: Workspace, findings: Findings) -> None:
    for key, view in workspace.schema.views.items():
        if key[0] in PLATFORM_SCHEMAS or view.location is None \
                or not api_readable(workspace, key):
            continue
        kind = "materialized view" if view.materialized else "view"
        data = AdvisorFinding(key[0], key[1], kind)
        if ("auth", "users") in view.depends_on:
            findings.add(AUTH_USERS_EXPOSED, view.location,
                         f"`{key[1]}` exposes `auth.users` (emails, phones, metadata) to "
                         "anon or authenticated users", data=data)
        if view.materialized:
            findings.add(MATERIALIZED_VIEW_IN_API, view.location,
                         f"Materialized view `{key[1]}` has no row level security and anon or "
                         "authenticated can read all of it: revoke SELECT or move it",
                         data=data)
        elif not view.security_invoker:
            findings.add(SECURITY_DEFINER_VIEW, view.location,
                         f"View `{key[1]}` reads its tables with its owner's rights, bypassing "
                         "their RLS: add `WITH (security_invoker = on)`", data=data)


@check(EXTENSION_IN_PUBLIC)
def extensions(workspace: Workspace, findings: Findings) -> None:
    for extension in workspace.schema.extensions.values():
        if extension.schema == "public" and extension.name != "plpgsql" \
                and extension.location is not None:
            findings.add(EXTENSION_IN_PUBLIC, extension.location,
                         f"Extension `{extension.name}` is installed in `public`: use "
                         "`WITH SCHEMA extensions`",
                         data=AdvisorFinding("public", extension.name, "extension"))


@check(UNSUPPORTED_REG_TYPES, SENSITIVE_COLUMNS_EXPOSED, FKEY_TO_AUTH_UNIQUE)
def columns(workspace: Workspace, findings: Findings) -> None:
    for key, table in workspace.schema.tables.items():
        if table.schema in ("pg_catalog", "information_schema", "pgsodium"):
            continue
        for column in table.columns.values():
            base = column.type.removeprefix("pg_catalog.").removesuffix("[]")
            at = column.location or anchor(table)
            if base in _REG_TYPES and at is not None:
                findings.add(UNSUPPORTED_REG_TYPES, at,
                             f"Column `{table.name}.{column.name}` has type `{base}`, which "
                             "blocks pg_upgrade: store the name as text",
                             data=AdvisorFinding(table.schema, table.name, "table",
                                                 [column.name]))
        if is_platform(table):
            continue
        for fk in table.foreign_keys:
            if fk.ref_schema == "auth" and fk.location is not None and fk.ref_columns \
                    and list(fk.ref_columns) != ["id"]:
                findings.add(FKEY_TO_AUTH_UNIQUE, fk.location,
                             f"`{table.name}` references `auth.{fk.ref_table}` by "
                             f"{', '.join(fk.ref_columns)}, not its primary key",
                             data=AdvisorFinding(table.schema, table.name, "table",
                                                 list(fk.columns), detail=[fk.name or ""]))
        sensitive = sorted(c for c in table.columns if c.lower().replace("-", "_") in _SENSITIVE)
        where = anchor(table)
        if sensitive and not table.rls_enabled and where is not None \
                and api_readable(workspace, key):
            findings.add(SENSITIVE_COLUMNS_EXPOSED, where,
                         f"`{table.name}` has no RLS, anon can read it, and it holds "
                         f"{', '.join(sensitive)}", data=AdvisorFinding(
                             table.schema, table.name, "table", sensitive))
