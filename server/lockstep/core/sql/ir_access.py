"""The IR of access control: row-level security policies, GRANT/REVOKE and default
privileges, what the security rules and the replay's privilege tracking read.

Statements like the others of `ir.py`, which re-exports them: read them as `ir.Policy`,
`ir.Grant`, `ir.DefaultPrivileges`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lockstep.core.sql.ir_values import Argument, Expr, Name, Span


@dataclass(frozen=True, slots=True)
class Policy:
    """CREATE POLICY (`create`) or ALTER POLICY (None fields are left unchanged)."""

    span: Span
    name: str
    table: Name
    create: bool = True
    command: str | None = "all"  # all, select, insert, update, delete
    permissive: bool = True
    roles: tuple[str, ...] = ()
    using: Expr | None = None
    check: Expr | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """GRANT/REVOKE privileges (empty = ALL) ON objects TO/FROM roles."""

    span: Span
    grant: bool
    object_kind: str  # table, sequence, function, schema, type …
    objects: tuple[Name, ...]
    privileges: tuple[str, ...]
    roles: tuple[str, ...]
    all_in_schema: bool = False
    columns: tuple[str, ...] = ()
    # Routines: each object's argument types (None: none given, every overload)
    arguments: tuple[tuple[Argument, ...] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class DefaultPrivileges:
    """ALTER DEFAULT PRIVILEGES [IN SCHEMA …] GRANT/REVOKE …: `schemas` empty = everywhere."""

    span: Span
    schemas: tuple[str, ...]
    grant: Grant
