"""The projects the server serves: one analysis state per Supabase project of every workspace
folder, and the routing of each file to the project that owns it.

A workspace folder is served from its root (the editor's folder, or the repository holding it:
`find_root`); a root inside another one adds nothing (the outer root's discovery finds its
projects). Within a root, core/projects.py decides who owns a file: with several projects,
the one with the deepest root holding it, none for a file under no project's root. Each
project has its own snapshot, scheduler and published diagnostics; a request about a file is
answered by its project alone, and a file of no project gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from lockstep.core.config import CONFIG_FILE
from lockstep.core.projects import owns, project_workspaces
from lockstep.core.workspace import Workspace, find_root
from lockstep.protocol import convert
from lockstep.protocol.scheduler import Scheduler

if TYPE_CHECKING:
    from lockstep.core.diagnostics import Diagnostic
    from lockstep.protocol.server import LockstepServer


class ProjectState:
    """One project's analysis: the snapshot requests read (`index`), its scheduler, and the
    diagnostics last published for its files."""

    def __init__(self, server: LockstepServer, folder: Path, workspace: Workspace,
                 publish: Callable[[ProjectState, dict[str, list[Diagnostic]]], None]) -> None:
        self.folder = folder  # the served root (the Workspace's root)
        self.root = workspace.root
        self.index: Workspace | None = workspace
        self.published: dict[str, list[Diagnostic]] = {}
        self.result_ids: dict[str, str] = {}  # pull diagnostics: path → current result id
        self.open_files: dict[str, str] = {}  # uri → relative path, while open
        self.scheduler = Scheduler(server, lambda found: publish(self, found), state=self)

    @property
    def label(self) -> str:
        """The project's root, as a person reads it (`apps/a`, or the folder's name)."""
        project = self.index.project if self.index else None
        if project is None or project.root in ("", "."):
            return self.root.name or str(self.root)
        return project.root

    @property
    def anchor(self) -> Path:
        """The project's root folder (where a command's `uri` may point)."""
        project = self.index.project if self.index else None
        return self.root / project.root if project else self.root

    def relative(self, uri: str) -> str | None:
        """The file's path relative to the root, when it lies inside it."""
        if uri in self.open_files:
            return self.open_files[uri]
        path = convert.path_for(uri)
        if path is None or self.index is None:
            return None
        return self.index.relative(path)

    def owns(self, relative: str) -> bool:
        return self.index is not None and owns(self.index, relative)


def served_roots(folders: Iterable[Path]) -> list[Path]:
    """The roots to serve for the editor's workspace folders: each folder's root (the folder
    when it holds a `supabase/` folder, else `find_root`), without duplicates or roots inside
    another one, in the folders' order."""
    roots: list[Path] = []
    for folder in folders:
        root = folder.resolve() if (folder / "supabase").exists() else find_root(folder)
        if root not in roots:
            roots.append(root)
    return [r for r in roots if not any(o != r and o in r.parents for o in roots)]


class Projects:
    """Every served project, by workspace folder root, in a stable order."""

    def __init__(self, server: LockstepServer) -> None:
        self.server = server
        self.folders: list[Path] = []  # the editor's workspace folders
        self.states: list[ProjectState] = []
        self.publish: Callable[[ProjectState, dict[str, list[Diagnostic]]], None] = \
            lambda state, found: None

    def set_folders(self, folders: list[Path]) -> tuple[list[ProjectState], list[ProjectState]]:
        """Serve these folders: the states added (configured, not yet loaded) and removed."""
        self.folders = list(folders)
        roots = served_roots(self.folders)
        removed = [s for s in self.states if s.folder not in roots]
        kept = [s for s in self.states if s.folder in roots]
        added: list[ProjectState] = []
        for root in roots:
            if any(s.folder == root for s in kept):
                continue
            for workspace in project_workspaces(root, self.server.settings):
                added.append(ProjectState(self.server, root, workspace, self.publish))
        self.states = sorted(kept + added, key=lambda s: roots.index(s.folder))
        return added, removed

    def replan(self, roots: set[Path]) -> tuple[list[ProjectState], list[ProjectState]]:
        """Find the projects of these served roots again: the states added and removed."""
        removed = [s for s in self.states if s.folder in roots]
        self.states = [s for s in self.states if s.folder not in roots]
        added, _ = self.set_folders(self.folders)
        return added, removed

    def at(self, uri: str) -> tuple[ProjectState, str] | None:
        """The project that owns the file, and its path relative to that project's root."""
        for state in self.states:
            if uri in state.open_files:
                return state, state.open_files[uri]
        for state in self.states:
            relative = state.relative(uri)
            if relative is not None and state.owns(relative):
                return state, relative
        return None

    def containing(self, uri: str) -> list[tuple[ProjectState, str]]:
        """Every project whose root holds the file (lockstep.toml is every one's)."""
        found = []
        for state in self.states:
            relative = state.relative(uri)
            if relative is not None:
                found.append((state, relative))
        return found

    def for_argument(self, value: object) -> ProjectState | None:
        """The project a command argument names: a document or folder URI inside it (the
        deepest project root holding it), or a project root relative to a folder."""
        if not isinstance(value, str) or not value:
            return None
        if "://" not in value:
            matches = [s for s in self.states if s.index is not None and s.index.project
                       is not None and s.index.project.root == value]
            return matches[0] if matches else None
        routed = self.at(value)
        if routed is not None:
            return routed[0]
        path = convert.path_for(value)
        if path is None:
            return None
        holding = [s for s in self.states if s.anchor == path or s.anchor in path.parents]
        return max(holding, key=lambda s: len(s.anchor.parts), default=None)


def is_config(relative: str) -> bool:
    """lockstep.toml at a served root: every project of that root reads it."""
    return relative == CONFIG_FILE
