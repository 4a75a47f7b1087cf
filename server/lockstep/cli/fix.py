"""`lockstep-lsp check --fix [--unsafe-fixes]`: apply the quick fixes that need no judgement.

A fix marked safe is applied; with `--unsafe-fixes` the unsafe ones too; display-only fixes
(a choice between actions, a suppression, a command) never are. A fix that edits a migration
already followed by later migrations in its folder counts as unsafe: that migration may
have been applied to a database, where editing it changes nothing. Fixes are applied one
per file per pass, re-checking between passes, so no edit is computed against stale text.
Only files inside the root are written, and never one that changed on disk since it was
read; new files are created exclusively and renames never replace a file.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lockstep.codeactions.edits import Applicability, Edit, apply_text_edits
from lockstep.codeactions.fixes.registry import fixes_for
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.engine import run_rules
from lockstep.core.workspace import Workspace

MAX_PASSES = 50


@dataclass(slots=True)
class FixReport:
    applied: list[str] = field(default_factory=list)  # "path: title"
    skipped: list[str] = field(default_factory=list)  # why a chosen fix was not written


def _followed_migrations(workspace: Workspace) -> set[str]:
    """Migrations that are not the last of their folder."""
    last: dict[str, str] = {}
    for doc in workspace.ordered_migrations():
        last[str(PurePosixPath(doc.path).parent)] = doc.path
    return set(workspace.migrations) - set(last.values())


def _paths(edit: Edit) -> set[str]:
    return ({e.path for e in edit.edits} | {c.path for c in edit.creates}
            | {p for r in edit.renames for p in (r.old_path, r.new_path)})


def _allowed(edit: Edit, followed: set[str], unsafe: bool) -> bool:
    if edit.command is not None or edit.applicability == Applicability.DISPLAY_ONLY:
        return False
    if edit.applicability == Applicability.UNSAFE or _paths(edit) & followed:
        return unsafe
    return True


def _inside(root: Path, relative: str) -> Path | None:
    """The file's path when it stays inside the root (no `..`, no symlink out)."""
    target = root / relative
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root:
        return None
    return target


def _current(workspace: Workspace, path: str) -> str | None:
    doc = workspace.migrations.get(path)
    if doc is not None:
        return doc.text
    return workspace.ts_texts.get(path) or workspace.read(path)


def _write(workspace: Workspace, edit: Edit) -> str | None:
    """Apply one fix to the disk; the reason when it cannot be applied safely."""
    root = workspace.root
    planned: list[tuple[Path, str]] = []
    for path in sorted({e.path for e in edit.edits}):
        target, expected = _inside(root, path), _current(workspace, path)
        if target is None:
            return f"{path} is outside the root"
        try:
            on_disk = target.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return f"{path} cannot be read back as UTF-8"
        if expected is None or on_disk != expected:
            return f"{path} changed on disk since it was checked"
        planned.append((target, apply_text_edits(on_disk, [e for e in edit.edits
                                                           if e.path == path])))
    for create in edit.creates:
        if _inside(root, create.path) is None or (root / create.path).exists():
            return f"{create.path} exists or is outside the root"
    for rename in edit.renames:
        if None in (_inside(root, rename.old_path), _inside(root, rename.new_path)):
            return f"{rename.new_path} is outside the root"
        if (root / rename.new_path).exists():
            return f"{rename.new_path} exists"
    for target, text in planned:
        target.write_bytes(text.encode("utf-8"))
    for create in edit.creates:
        target = root / create.path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="") as handle:
            handle.write(create.content)
    for rename in edit.renames:
        os.link(root / rename.old_path, root / rename.new_path)  # fails if it exists
        os.unlink(root / rename.old_path)
    return None


def _refresh(workspace: Workspace, edit: Edit) -> None:
    for path in {e.path for e in edit.edits} | {c.path for c in edit.creates}:
        workspace.refresh(path)
    for rename in edit.renames:
        workspace.forget(rename.old_path)
        workspace.refresh(rename.new_path)


def _choices(workspace: Workspace, unsafe: bool, done: set[tuple[str, str, str]]
             ) -> list[tuple[Diagnostic, Edit]]:
    """At most one fix per file: the first allowed fix of each diagnostic, in order."""
    followed = _followed_migrations(workspace)
    chosen: list[tuple[Diagnostic, Edit]] = []
    busy: set[str] = set()
    diagnostics = sorted((d for items in run_rules(workspace).values() for d in items),
                         key=Diagnostic.sort_key)
    for diagnostic in diagnostics:
        key = (diagnostic.path, diagnostic.code, diagnostic.message)
        if key in done:
            continue
        edit = next((e for e in fixes_for(workspace, diagnostic)
                     if _allowed(e, followed, unsafe)), None)
        if edit is None or _paths(edit) & busy:
            continue
        busy |= _paths(edit)
        chosen.append((diagnostic, edit))
    return chosen


def apply_fixes(workspace: Workspace, unsafe: bool = False) -> FixReport:
    """Fix until nothing fixable is left (or MAX_PASSES); the workspace follows the disk."""
    report = FixReport()
    done: set[tuple[str, str, str]] = set()
    for _ in range(MAX_PASSES):
        chosen = _choices(workspace, unsafe, done)
        if not chosen:
            break
        for diagnostic, edit in chosen:
            done.add((diagnostic.path, diagnostic.code, diagnostic.message))
            problem = _write(workspace, edit)
            if problem is None:
                report.applied.append(f"{diagnostic.path}: {edit.title}")
                _refresh(workspace, edit)
            else:
                report.skipped.append(f"{diagnostic.path}: {edit.title}: {problem}")
    return report


def fix_and_report(workspace: Workspace, args: argparse.Namespace) -> None:
    """The `--fix` step of `check`: apply, then say what was done on stderr."""
    report = apply_fixes(workspace, unsafe=args.unsafe_fixes)
    for line in report.applied:
        print(f"fixed {line}", file=sys.stderr)
    for line in report.skipped:
        print(f"not fixed {line}", file=sys.stderr)
    print(f"lockstep: applied {len(report.applied)} fix(es); what is left follows",
          file=sys.stderr)
