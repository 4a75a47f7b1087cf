"""Rules about the `sim_` simulator mirror: every mirrored table has a twin kept in step.

A table `X` is mirrored when `sim_X` exists in the same schema. The twin differs from `X` on
purpose (FKs to `sim_` tables, a bare `user_id`, no RLS, extra columns, its own defaults);
none of that is drift. This module declares every mirror rule and checks the twins' structure
(references, `auth.users`, RLS); the migration-by-migration drift check is `mirror_drift`.
"""

from __future__ import annotations

from lockstep.core.config import Config
from lockstep.core.diagnostics import Related
from lockstep.core.model import Key, Table
from lockstep.core.rules.drift_history import mirrored
from lockstep.core.rules.engine import Findings, check
from lockstep.core.rules.facts import (
    anchor,
    is_internal,
    is_platform,
    is_sim,
    statement_span,
)
from lockstep.core.rules.payloads import MirrorMissing, SimForeignKey, SimRls
from lockstep.core.rules.registry.mirror import (
    SIM_FK_TO_AUTH_USERS,
    SIM_MIRROR_MISSING,
    SIM_REFERENCES_PROD_TABLE,
    SIM_TABLE_RLS,
)
from lockstep.core.workspace import Workspace


# -- structure of the mirror ---------------------------------------------------------------
@check(SIM_FK_TO_AUTH_USERS, SIM_REFERENCES_PROD_TABLE, SIM_MIRROR_MISSING)
def mirror_structure(workspace: Workspace, findings: Findings) -> None:
    config = workspace.config
    schema = workspace.schema
    twins = {(t.schema, t.name): s for t, s in mirrored(schema, config)}
    for table in schema.tables.values():
        if is_platform(table):
            continue
        if is_sim(table, config):
            _check_twin(table, twins, findings)
        elif not is_internal(table, config) and (table.schema, table.name) not in twins:
            _check_missing(table, twins, config, findings)


def _check_twin(table: Table, twins: dict[Key, Table], findings: Findings) -> None:
    for fk in table.foreign_keys:
        if fk.location is None:
            continue
        target = (fk.ref_schema, fk.ref_table)
        if target == ("auth", "users"):
            findings.add(
                SIM_FK_TO_AUTH_USERS,
                fk.location,
                f"`{table.name}` references `auth.users`: simulated personas are not auth "
                f"users; keep `{', '.join(fk.columns)}` a bare UUID without a foreign key",
                data=SimForeignKey(table.name, table.schema, list(fk.columns), fk.name),
            )
        elif target in twins:
            twin = twins[target]
            where = anchor(twin)
            related = [Related(where, f"`{twin.name}` is defined here")] if where else []
            findings.add(
                SIM_REFERENCES_PROD_TABLE,
                fk.location,
                f"`{table.name}` references `{fk.ref_table}`, a production table: reference "
                f"`{twin.name}({', '.join(fk.ref_columns)})` instead",
                related,
                SimForeignKey(table.name, table.schema, list(fk.columns), fk.name, fk.ref_table,
                              twin.name, list(fk.ref_columns)),
            )


def _check_missing(
    table: Table, twins: dict[Key, Table], config: Config, findings: Findings
) -> None:
    where = anchor(table)
    if where is None:
        return
    for fk in table.foreign_keys:
        target = (fk.ref_schema, fk.ref_table)
        if target in twins and target != (table.schema, table.name):
            twin = twins[target]
            related = (
                [Related(fk.location, f"references mirrored `{fk.ref_table}`")]
                if fk.location
                else []
            )
            findings.add(
                SIM_MIRROR_MISSING,
                where,
                f"`{table.name}` references `{fk.ref_table}`, which the simulator mirrors as "
                f"`{twin.name}`, but has no `{config.mirror_prefix}{table.name}` twin",
                related,
                MirrorMissing(table.name, table.schema, config.mirror_prefix + table.name,
                              fk.ref_table),
            )
            return


@check(SIM_TABLE_RLS)
def sim_rls(workspace: Workspace, findings: Findings) -> None:
    """Policies only: RLS on with no policy is the safe service-role-only shape (Supabase's
    default grants reach a `sim_` table without it)."""
    config = workspace.config
    for table in workspace.schema.tables.values():
        if not is_sim(table, config) or is_platform(table):
            continue
        for policy in table.policies:
            if policy.location is None:
                continue
            findings.add(
                SIM_TABLE_RLS,
                policy.location,
                f"Policy `{policy.name}` on simulator table `{table.name}`: `sim_` tables are "
                "service role only and have no policies",
                data=SimRls(table.name, table.schema, "create-policy",
                            statement_span(workspace, policy.location), policy.name),
            )
