"""The Supabase projects of one folder, each with its own workspace (analysis state).

`check` loads and checks each; the language server keeps one analysis per project and routes
every file to the project that owns it. With several projects in a folder, a file belongs to
the project with the deepest root holding it (`apps/a/src/x.ts` → the project of
`apps/a/supabase`), and a file under no project's root to none; with one project, the whole
folder is its own (the Toney layout: `supabase/` beside `apps/` and `packages/`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lockstep.core.discovery import project_defaults, scopes
from lockstep.core.workspace import Workspace


def project_workspaces(root: Path, settings: Mapping[str, Any] | None = None) -> list[Workspace]:
    """One configured (not yet loaded) workspace per project under `root` (the first one
    also when none is found); lockstep.toml's `[migrations] paths` (or the editor's) make
    a single project of the whole folder."""
    first = Workspace(root, settings)
    first.configure()
    project = first.project
    if project is None or \
            first.config.migration_paths != project_defaults(project).migration_paths:
        return [first]  # it looks for a project again at every load
    if len(first.discovered) < 2:
        return [Workspace(root, settings, project=project)]  # found once, not walked again
    return [Workspace(root, settings, project=p, scope=s)
            for p, s in zip(first.discovered, scopes(first.discovered), strict=True)]


def owns(workspace: Workspace, relative: str) -> bool:
    """Whether a file (relative to the workspace root) is this project's to analyse."""
    return workspace.scope is None or workspace.scope.holds(relative)
