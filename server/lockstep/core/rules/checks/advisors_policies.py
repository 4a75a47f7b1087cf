"""Supabase's advisors about row level security policies (splinter 0003, 0006, 0015, 0024).

Judged on the policies of the final schema, with the roles and expressions replay recorded
(replay/security.py); tables in Supabase's own schemas are never judged.
"""

from __future__ import annotations

from lockstep.core.model import Policy, Table
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import is_platform
from lockstep.core.rules.payloads import AdvisorFinding
from lockstep.core.rules.registry.advisors import (
    AUTH_RLS_INITPLAN,
    MULTIPLE_PERMISSIVE_POLICIES,
    RLS_POLICY_ALWAYS_TRUE,
    RLS_REFERENCES_USER_METADATA,
)
from lockstep.core.workspace import Workspace

# Roles a PUBLIC policy reaches that RLS applies to (service_role and postgres bypass RLS).
API_ROLES = ("anon", "authenticated")
_BYPASS = ("service_role", "postgres", "supabase_admin", "supabase_auth_admin",
           "supabase_storage_admin")
_ACTIONS = {"ALL": ("SELECT", "INSERT", "UPDATE", "DELETE")}
_ALWAYS_TRUE = ("true", "(true)", "1=1", "(1=1)")


def _policies(workspace: Workspace) -> list[tuple[Table, Policy]]:
    return [(t, p) for t in workspace.schema.tables.values() if not is_platform(t)
            for p in t.policies if p.facts is not None and p.location is not None]


def _data(table: Table, policy: Policy, detail: list[str] | None = None) -> AdvisorFinding:
    return AdvisorFinding(table.schema, table.name, "table", policy=policy.name,
                          detail=detail or [])


@check(AUTH_RLS_INITPLAN)
def auth_rls_initplan(workspace: Workspace, findings: Findings) -> None:
    for table, policy in _policies(workspace):
        assert policy.facts is not None and policy.location is not None
        if not table.rls_enabled or not policy.facts.per_row_calls:
            continue
        findings.add(
            AUTH_RLS_INITPLAN, policy.location,
            f"Policy `{policy.name}` on `{table.name}` calls a function per row; wrap each "
            "call in `(select …)`, e.g. `(select auth.uid())`, so it runs once per query",
            data=_data(table, policy))


@check(RLS_REFERENCES_USER_METADATA)
def user_metadata(workspace: Workspace, findings: Findings) -> None:
    for table, policy in _policies(workspace):
        assert policy.facts is not None and policy.location is not None
        if policy.facts.user_metadata:
            findings.add(
                RLS_REFERENCES_USER_METADATA, policy.location,
                f"Policy `{policy.name}` on `{table.name}` trusts `user_metadata`, which every "
                "user can edit for themselves: use `app_metadata` or a table",
                data=_data(table, policy))


def _normal(expression: str | None) -> str:
    return "".join((expression or "").lower().split())


@check(RLS_POLICY_ALWAYS_TRUE)
def always_true(workspace: Workspace, findings: Findings) -> None:
    for table, policy in _policies(workspace):
        facts = policy.facts
        assert facts is not None and policy.location is not None
        if not table.rls_enabled or not facts.permissive or not (
                not facts.roles or set(facts.roles) & set(API_ROLES)):
            continue
        using_true = _normal(facts.using) in _ALWAYS_TRUE
        open_using = policy.command in ("UPDATE", "DELETE", "ALL") and (
            using_true or facts.using is None)
        open_check = _normal(facts.check) in _ALWAYS_TRUE or (facts.check is None and (
            policy.command == "INSERT" or (policy.command in ("UPDATE", "ALL") and using_true)))
        if open_using or open_check:
            findings.add(
                RLS_POLICY_ALWAYS_TRUE, policy.location,
                f"Policy `{policy.name}` lets {_who(facts.roles)} {policy.command} any row of "
                f"`{table.name}` (its condition is always true): restrict it to the rows the "
                "user owns",
                data=_data(table, policy, [policy.command]))


def _who(roles: list[str]) -> str:
    """Who a policy admits, in words: `authenticated` is every signed-in user, not anyone."""
    if not roles or "public" in roles or "anon" in roles:
        return "anyone"
    if roles == ["authenticated"]:
        return "any signed-in user"
    return "every " + ", ".join(f"`{role}`" for role in roles)


def _roles(policy: Policy) -> list[str]:
    assert policy.facts is not None
    roles = policy.facts.roles or list(API_ROLES)
    return [r for r in roles if r not in _BYPASS and not r.startswith("pg_")]


@check(MULTIPLE_PERMISSIVE_POLICIES)
def multiple_permissive(workspace: Workspace, findings: Findings) -> None:
    for table in workspace.schema.tables.values():
        if is_platform(table) or table.partitioned:
            continue
        groups: dict[tuple[str, str], list[Policy]] = {}
        for policy in table.policies:
            if policy.facts is None or not policy.facts.permissive:
                continue
            for action in _ACTIONS.get(policy.command, (policy.command,)):
                for role in _roles(policy):
                    groups.setdefault((action, role), []).append(policy)
        by_action: dict[str, list[str]] = {}
        for (action, role), policies in sorted(groups.items()):
            if len(policies) > 1:
                by_action.setdefault(action, []).append(role)
        for action, roles in by_action.items():
            policies = [p for role in roles for p in groups[(action, role)]]
            last = max((p for p in policies if p.location is not None),
                       key=lambda p: table.policies.index(p), default=None)
            if last is None or last.location is None:
                continue
            names = sorted({p.name for p in policies})
            findings.add(
                MULTIPLE_PERMISSIVE_POLICIES, last.location,
                f"`{table.name}` has {len(names)} permissive {action} policies for "
                f"{', '.join(roles)} ({', '.join(names)}): PostgreSQL runs all of them on "
                "every row; merge them into one",
                data=AdvisorFinding(table.schema, table.name, "table", policy=last.name,
                                    detail=[action, *roles]))
