"""`lockstep-lsp info [ROOT]`: which Supabase projects Lockstep found, and why.

Zero-config discovery (core/discovery.py) decides what `check` and the server look at; this
command shows it: each project's migration folders and naming, declarative schema files,
generated and hand-written types, and the conventions in force with what made them so.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lockstep.cli.common import add_command, add_root, workspace_root

if TYPE_CHECKING:
    from lockstep.core.workspace import Workspace

NOTHING_FOUND = (
    "no Supabase project found under {root}: Lockstep looks for a folder holding config.toml "
    "and migrations/ (the Supabase CLI's `supabase/`, at any depth), else a migrations/ folder "
    "of versioned .sql files; name yours with `[migrations] paths` in lockstep.toml"
)


def project_workspaces(root: Path, save_cache: bool = True) -> list[Workspace]:
    """One loaded workspace per project under `root` (core/projects.py). `save_cache=False`:
    the caller saves the disk cache once it has derived what it needs (`check`: after the
    rules, so the pack keeps what they computed)."""
    from lockstep.core.projects import project_workspaces as configured

    workspaces = configured(root)
    for workspace in workspaces:
        workspace.load(save_cache)
    return workspaces


def found_nothing(workspaces: list[Workspace]) -> bool:
    return all(w.project is None and not w.migrations for w in workspaces)


def naming(workspace: Workspace) -> str:
    """timestamp, numeric or mixed: the versions of the project's migrations."""
    from lockstep.core.discovery import SUPABASE_CLI, conventions

    folders = set(workspace.config.migration_paths)
    versions = {len(doc.name.version) == 14 for path, doc in workspace.migrations.items()
                if doc.name.version and path.rpartition("/")[0] in folders}
    if len(versions) == 2:
        return "mixed"
    if versions:
        return "timestamp" if versions.pop() else "numeric"
    return "timestamp" if SUPABASE_CLI in conventions(workspace) else "numeric"


def describe(workspace: Workspace, base: Path) -> dict[str, Any]:
    """The `info` JSON of one project, paths relative to `base`."""
    from lockstep.core.discovery import convention_signals

    def rel(path: str) -> str:
        return Path(os.path.relpath(workspace.root / path, base)).as_posix()

    folders = workspace.config.migration_paths
    count = sum(1 for p in workspace.migrations if p.rpartition("/")[0] in folders)
    project = workspace.project
    types = [{"path": rel(path), "kind": "generated" if f.database is not None
              else "handwritten"} for path, f in sorted(workspace.types_files.items())]
    return {
        "root": rel(project.root if project else "."),
        "migrations": {"dirs": [rel(d) for d in folders], "count": count,
                       "naming": naming(workspace)},
        "baselines": [rel(p) for p in (*workspace.config.baseline, *workspace.schema_files)],
        "types": types,
        "conventions": sorted(convention_signals(workspace)),
    }


def _text(workspace: Workspace, entry: dict[str, Any]) -> str:
    from lockstep.core.discovery import convention_signals

    project = workspace.project
    how = ("no project found; lockstep.toml and the defaults" if project is None else
           f"Supabase CLI project ({project.workdir}/config.toml)" if project.cli else
           "migrations folder (no config.toml)")
    migrations = entry["migrations"]
    lines = [f"project {entry['root']}: {how}",
             f"  migrations: {', '.join(migrations['dirs'])} "
             f"({migrations['count']} files, {migrations['naming']} versions)"]
    if entry["baselines"]:
        shown, more = entry["baselines"][:3], len(entry["baselines"]) - 3
        listed = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        lines.append(f"  declarative schemas, replayed first: {listed}")
    lines.append(f"  exposed schemas: {', '.join(workspace.config.exposed_schemas)}")
    types = [f"{t['path']} ({t['kind']})" for t in entry["types"]]
    lines.append(f"  types: {', '.join(types) if types else 'none found'}")
    signals = convention_signals(workspace)
    shown = [f"{name} ({why})" for name, why in sorted(signals.items())]
    lines.append(f"  conventions: {', '.join(shown) if shown else 'none'}")
    return "\n".join(lines)


def command_info(args: argparse.Namespace) -> int:
    root = workspace_root(args.root)
    base = Path(args.root or ".").resolve()
    workspaces = project_workspaces(root)
    if found_nothing(workspaces):
        print(json.dumps({"projects": []}, indent=2) if args.format == "json"
              else NOTHING_FOUND.format(root=base))
        return 0
    entries = [describe(w, base) for w in workspaces]
    if args.format == "json":
        print(json.dumps({"projects": entries}, indent=2))
    else:
        print("\n".join(_text(w, e) for w, e in zip(workspaces, entries, strict=True)))
    return 0


def add_parser(commands: Any) -> None:
    info = add_command(
        commands, "info", "show the Supabase projects found and the conventions in force",
        "Show what Lockstep found with no configuration, and why: each Supabase project (a "
        "folder holding config.toml and migrations/, at any depth, or what lockstep.toml "
        "names), its migration folders and version naming, declarative schema files "
        "(`[db.migrations] schema_paths`), generated and hand-written types, and the "
        "conventions in force. JSON: {\"projects\": [{\"root\", \"migrations\": {\"dirs\", "
        "\"count\", \"naming\"}, \"baselines\", \"types\": [{\"path\", \"kind\"}], "
        "\"conventions\"}]}, paths relative to ROOT.",
    )
    add_root(info)
    info.add_argument("--format", choices=["text", "json"], default="text",
                      help="text (default) or json")
    info.set_defaults(handler=command_info)
