"""Quick fixes on whole files: a migration's header comment and version, a config key.

Renumbering is offered on the duplicate that sorts (and so runs) last only: that is the
newer branch's file, the one the rule tells to renumber. It becomes the next free version
(`numbering.next_version`, which also looks at the disk), keeping the rest of its name; it
then runs after every other migration, which is what a later branch's change expects.
"""

from __future__ import annotations

import tomllib
from pathlib import PurePosixPath

from lockstep.codeactions.edits import Edit, RenameFile, insert, newline_of, quick_fix, replace
from lockstep.codeactions.fixes.registry import fixes
from lockstep.codeactions.fixes.sql import migration_doc
from lockstep.codeactions.migration.new import existing_names
from lockstep.codeactions.migration.numbering import next_version
from lockstep.core.config import CONFIG_FILE, known_settings
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.payloads import ConfigKey
from lockstep.core.rules.registry.config import INVALID_CONFIG
from lockstep.core.rules.registry.migrations import (
    DUPLICATE_MIGRATION_VERSION,
    MIGRATION_MISSING_COMMENT,
)
from lockstep.core.spelling import closest
from lockstep.core.sql.migration_files import sort_key
from lockstep.core.text import LineIndex
from lockstep.core.workspace import Workspace


@fixes(DUPLICATE_MIGRATION_VERSION)
def fix_duplicate_version(
    workspace: Workspace, diagnostic: Diagnostic, data: None
) -> list[Edit]:
    """Unsafe: an applied migration must not be renamed; only the author knows."""
    doc = workspace.migrations.get(diagnostic.path)
    if doc is None or doc.name.number is None or doc.name.version is None:
        return []
    folder = str(PurePosixPath(doc.path).parent)
    twins = [
        other.name
        for other in workspace.migrations.values()
        if other.name.number == doc.name.number and str(PurePosixPath(other.path).parent) == folder
    ]
    if len(twins) < 2 or max(twins, key=sort_key).path != doc.path:
        return []
    version = next_version(existing_names(workspace, folder)).version
    new_name = version + doc.name.file_name[len(doc.name.version) :]
    new_path = f"{folder}/{new_name}"
    return [
        Edit(
            f"Renumber to {version} ({new_name})",
            "quickfix",
            diagnostic_code=diagnostic.code,
            is_preferred=True,
            renames=(RenameFile(doc.path, new_path),),
        )
    ]


@fixes(MIGRATION_MISSING_COMMENT)
def fix_missing_comment(
    workspace: Workspace, diagnostic: Diagnostic, data: None
) -> list[Edit]:
    """Unsafe: the header it writes holds a placeholder for the why."""
    doc = migration_doc(workspace, diagnostic)
    if doc is None:
        return []
    stem = PurePosixPath(doc.path).stem
    words = stem.split("_", 1)[1] if "_" in stem and stem.split("_", 1)[0].isdigit() else stem
    what = words.replace("_", " ").strip().capitalize() or "What this migration does"
    newline = newline_of(doc.text)
    header = f"-- {what}.{newline}-- Why: <fill in why this change is needed>{newline}"
    return [
        quick_fix(
            diagnostic.code,
            "Add a what-and-why header comment",
            (insert(doc.path, doc.parsed.lines, 0, header),),
        )
    ]


def _section_of(lines: LineIndex, line: int) -> str | None:
    """The `[table]` a line of lockstep.toml belongs to (None at the top level)."""
    for number in range(line, -1, -1):
        stripped = lines.line_text(number).strip()
        if stripped.startswith("[["):
            return None  # an array of tables (`[[deploy.targets]]`): no key list to offer
        if stripped.startswith("["):
            return stripped[1:].split("]", 1)[0].strip()
    return None


@fixes(INVALID_CONFIG)
def fix_config_key(workspace: Workspace, diagnostic: Diagnostic, key: ConfigKey) -> list[Edit]:
    """`Did you mean `paths`?` for an unknown key (or `[section]`) close to a known one."""
    text = workspace.read(CONFIG_FILE) if diagnostic.path == CONFIG_FILE else None
    if text is None:
        return []
    try:
        data: dict[str, object] = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    lines = LineIndex(text)
    start, end = lines.offset(diagnostic.range.start), lines.offset(diagnostic.range.end)
    word = text[start:end]
    known = known_settings()
    section = _section_of(lines, diagnostic.range.start.line)
    header = lines.line_text(diagnostic.range.start.line).strip().startswith("[")
    if header and section == word and word in data and word not in known:
        taken: set[str] = set(data)
        candidates = list(known)
    elif (
        not header
        and section in known
        and isinstance(body := data.get(str(section)), dict)
        and word in body
    ):
        taken = set(body)
        candidates = list(known[section]) if word not in known[section] else []
    else:
        return []
    suggestion = closest(word, [c for c in candidates if c not in taken])
    if not word or suggestion is None:
        return []
    return [
        quick_fix(
            diagnostic.code,
            f"Did you mean `{suggestion}`?",
            (replace(CONFIG_FILE, lines, start, end, suggestion),),
        )
    ]
