"""Runs every rule over the workspace, then applies severities and suppressions.

A check that raises fails the test in strict mode (`diagnostics.strict_mode`); otherwise it
becomes an `internal-error` diagnostic (and a log entry), never silence. So do a replay
handler's and a fix builder's exceptions (`report_internal_error`).
"""

from __future__ import annotations

import logging
import posixpath
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import cast, overload

from lockstep.core.analysis import Reads
from lockstep.core.config import CONFIG_FILE
from lockstep.core.diagnostics import Diagnostic, Related, strict_mode
from lockstep.core.model import Location
from lockstep.core.rules.payloads import Payload
from lockstep.core.rules.registry import Rule
from lockstep.core.rules.registry.internal import INTERNAL_ERROR
from lockstep.core.text import LineIndex, Range
from lockstep.core.workspace import Workspace

LOG = logging.getLogger("lockstep.rules")
IGNORE = "lockstep-ignore"
IGNORE_FILE = "lockstep-ignore-file"


@dataclass(slots=True)
class Findings:
    """What rule checks emit into; severity and suppression are applied afterwards."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        rule: Rule,
        location: Location,
        message: str,
        related: Iterable[Related] = (),
        data: Payload | None = None,
        severity: str | None = None,
    ) -> None:
        """Report a finding; `severity` overrides the rule's default for this one finding."""
        if data is not None and not isinstance(data, rule.payload):
            raise TypeError(f"{rule.name} carries {type(data).__name__}, not {rule.payload}")
        self.items.append(
            Diagnostic(location.path, location.range, severity or rule.severity, rule.name,
                       message, tuple(related), data.to_data() if data is not None else None)
        )


Check = Callable[[Workspace, Findings], None]
CHECKS: list[Check] = []


@overload
def check(first: Check, /) -> Check: ...
@overload
def check(*rules: Rule) -> Callable[[Check], Check]: ...
def check(*args: Check | Rule) -> Check | Callable[[Check], Check]:
    """Register a rule check: `@check(RULE_A, RULE_B)` names the rules it emits (each rule
    then owns it); a bare `@check` registers a check that names none."""
    def register(function: Check, rules: tuple[Rule, ...]) -> Check:
        CHECKS.append(function)
        for owner in rules:
            owner.checks.append(function)
        return function

    if len(args) == 1 and not isinstance(args[0], Rule):
        return register(args[0], ())
    rules = tuple(a for a in args if isinstance(a, Rule))
    return lambda function: register(function, rules)


def by_file(workspace: Workspace, findings: Findings, name: str, reads: frozenset[str],
            files: Mapping[str, object], judge: Callable[[str, Findings], None]) -> None:
    """`judge` each file of `files`, keeping a file's findings while its entry (by identity:
    the workspace replaces it when the file changes) and the inputs `reads` stay the same:
    a TS edit re-judges that one file."""
    key = ("by file", name)
    known = workspace.derived.peek(key)
    before: dict[str, tuple[object, tuple[Diagnostic, ...]]] = \
        known if isinstance(known, dict) else {}
    kept: dict[str, tuple[object, tuple[Diagnostic, ...]]] = {}
    for path in sorted(files):
        entry = files[path]
        hit = before.get(path)
        if hit is None or hit[0] is not entry:
            local = Findings()
            judge(path, local)
            hit = (entry, tuple(local.items))
        kept[path] = hit
        findings.items += hit[1]
    workspace.derived.put(key, reads, kept)


# -- internal errors ---------------------------------------------------------------------------
_Reported = dict[tuple[str, str], tuple[str | None, Diagnostic]]  # (path, what) → (text, error)
_REPORTED = "reported internal errors"  # a Derived key: shared by a workspace's snapshots


def _text_of(workspace: Workspace, path: str) -> str | None:
    doc = workspace.migrations.get(path)
    if doc is not None:
        return doc.text
    return workspace.ts_texts.get(path) or workspace.read(path)


def internal_error(path: str, where: Range, what: str, error: BaseException) -> Diagnostic:
    return Diagnostic(path, where, INTERNAL_ERROR.severity, INTERNAL_ERROR.name,
                      f"Lockstep internal error in {what}: {type(error).__name__}: {error} "
                      "(details in the log)")


def _reported(workspace: Workspace) -> _Reported:
    """Self-validating (each error keeps its file's text), so it reads no input kind."""
    return workspace.derived.get(_REPORTED, frozenset(), dict)


def report_internal_error(
    workspace: Workspace, path: str, where: Range, what: str, error: BaseException
) -> None:
    """An exception outside a check (a fix builder): raise in strict mode, else log it and
    show it on `path` until that file changes."""
    if strict_mode():
        raise error
    LOG.error("%s failed on %s:\n%s", what, path, "".join(traceback.format_exception(error)))
    reported = _reported(workspace)
    reported[(path, what)] = (_text_of(workspace, path), internal_error(path, where, what, error))


def reported_errors(workspace: Workspace) -> list[Diagnostic]:
    """The errors `report_internal_error` keeps, for files that did not change since."""
    reported = _reported(workspace)
    for key, (text, _) in list(reported.items()):
        if _text_of(workspace, key[0]) != text:
            del reported[key]
    return [diagnostic for _, diagnostic in reported.values()]


def _blame(workspace: Workspace, findings: Findings, before: int) -> str:
    """The file a failing check was working on: its last finding's, else the first input."""
    if len(findings.items) > before:
        return findings.items[-1].path
    for paths in (workspace.migrations, workspace.types_files, workspace.consumer_files):
        if paths:
            return min(paths)
    return CONFIG_FILE


def _run(workspace: Workspace, findings: Findings, function: Check) -> None:
    before = len(findings.items)
    try:
        function(workspace, findings)
    except Exception as error:
        if strict_mode():
            raise
        LOG.exception("rule check %s failed", function.__name__)
        findings.items.append(internal_error(_blame(workspace, findings, before), Range.empty(),
                                             f"rule check `{function.__name__}`", error))


def _memoised(workspace: Workspace, findings: Findings, function: Check) -> None:
    """The check's findings, kept with the input kinds it read (core/analysis.py, `Reads`):
    an edit re-runs only the checks that read what it changed."""
    key = ("check", function.__module__, function.__qualname__)
    known = workspace.derived.peek(key)
    if isinstance(known, tuple):
        findings.items += known
        return
    reads = Reads(workspace)
    before = len(findings.items)
    _run(cast(Workspace, reads), findings, function)
    workspace.derived.put(key, reads.kinds, tuple(findings.items[before:]))


def _directives(text: str, line: int) -> tuple[str, ...]:
    """Rule names named by a `lockstep-ignore` comment on `line`."""
    stripped = text.strip()
    for marker in ("--", "//", "#", "/*"):
        if stripped.startswith(marker):
            body = stripped[len(marker):].strip().rstrip("*/").strip()
            if body.startswith(IGNORE + " ") or body == IGNORE:
                return tuple(n.strip(",") for n in body[len(IGNORE):].split()) or ("*",)
    return ()


def _file_directives(lines: LineIndex) -> set[str]:
    names: set[str] = set()
    for number in range(lines.line_count):
        stripped = lines.line_text(number).strip().lstrip("-/#*").strip()
        if stripped.startswith(IGNORE_FILE):
            names.update(n.strip(",") for n in stripped[len(IGNORE_FILE):].split())
    return names


_FileLines = tuple[str, LineIndex, set[str]]  # text, its lines, `lockstep-ignore-file` names
_SUPPRESSIONS = "suppression lines"  # a Derived key: path → _FileLines, reads none (checks text)


class _Suppressions:
    """Each file's lines and file-level directives, kept from the last run while its text is
    the same (a TS edit must not rescan every file that has a diagnostic)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        known = workspace.derived.peek(_SUPPRESSIONS)
        self._before: dict[str, _FileLines] = known if isinstance(known, dict) else {}
        self._files: dict[str, _FileLines | None] = {}

    def file(self, path: str) -> _FileLines | None:
        if path not in self._files:
            doc = self.workspace.migrations.get(path)
            text = doc.text if doc is not None else \
                self.workspace.ts_texts.get(path) or self.workspace.read(path)
            before = self._before.get(path)
            if text is None or (before is not None and before[0] == text):
                self._files[path] = before if text is not None else None
            else:
                lines = doc.parsed.lines if doc is not None else LineIndex(text)
                self._files[path] = (text, lines, _file_directives(lines))
        return self._files[path]

    def keep(self) -> None:
        """For the next run (a new value: snapshots share the old one)."""
        kept = {path: known for path, known in self._files.items() if known is not None}
        self.workspace.derived.put(_SUPPRESSIONS, frozenset(), {**self._before, **kept})

    def suppressed(self, diagnostic: Diagnostic) -> bool:
        known = self.file(diagnostic.path)
        if known is None:
            return False
        _, lines, file_level = known
        if diagnostic.code in file_level:
            return True
        line = diagnostic.range.start.line
        for candidate in (line - 1, line):
            if 0 <= candidate < lines.line_count:
                names = _directives(lines.line_text(candidate), candidate)
                if diagnostic.code in names or "*" in names:
                    return True
        return False


def _rules_off(workspace: Workspace) -> frozenset[str]:
    """Rules of a convention the repository does not follow (core/discovery.py decides)."""
    from lockstep.core.discovery import conventions
    from lockstep.core.rules.registry import RULES

    gated = [r for r in RULES.values() if r.conventions]
    if not gated:
        return frozenset()
    in_force = conventions(workspace)
    return frozenset(r.name for r in gated if in_force.isdisjoint(r.conventions))


# The rule group about applying a migration file to a live database with rows and clients.
_APPLIED = frozenset({"safety"})


def _declarative_files(workspace: Workspace) -> frozenset[str]:
    """Declarative schema files (`schema_paths`) outside the migrations folders: `supabase db
    diff` turns them into migrations, so rules about applying a file say nothing of them."""
    folders = workspace.config.migration_paths
    return frozenset(path for path in workspace.schema_files
                     if posixpath.dirname(path) not in folders)


def _gated_checks(off: frozenset[str]) -> set[Check]:
    """Checks every one of whose rules is off: not run at all."""
    from lockstep.core.rules.registry import RULES

    owners: dict[Check, list[str]] = {}
    for owner in RULES.values():
        for function in owner.checks:
            owners.setdefault(function, []).append(owner.name)
    return {f for f, names in owners.items() if all(n in off for n in names)}


def run_rules(
    workspace: Workspace, checkpoint: Callable[[], None] | None = None
) -> dict[str, list[Diagnostic]]:
    """Every diagnostic of the workspace, by path, sorted, with config applied. `checkpoint`
    runs before each check: the server's raises there when a newer edit makes this outdated."""
    from lockstep.core.rules import checks  # noqa: F401  (registers the checks)
    from lockstep.core.rules.registry import RULES

    findings = Findings()
    # Replayed first: a new schema equal to the last keeps what read only the schema, a
    # different one drops it (analysis.SCHEMA), before any check's findings are reused.
    _ = workspace.replay
    off = _rules_off(workspace)
    gated = _gated_checks(off)
    for function in CHECKS:
        if checkpoint is not None:
            checkpoint()
        if function not in gated:
            _memoised(workspace, findings, function)
    declarative = _declarative_files(workspace)
    findings.items = [d for d in findings.items if d.code not in off
                      and not (d.path in declarative and RULES[d.code].group in _APPLIED)]
    findings.items += reported_errors(workspace)
    configured = workspace.config.rules
    suppressions = _Suppressions(workspace)
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in findings.items:
        severity = configured.get(diagnostic.code, diagnostic.severity)
        if severity == "off" or suppressions.suppressed(diagnostic):
            continue
        if severity != diagnostic.severity:
            diagnostic = replace(diagnostic, severity=severity)
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    suppressions.keep()
    for items in by_path.values():
        items.sort(key=Diagnostic.sort_key)
    return by_path


def file_start(path: str) -> Location:
    return Location(path, Range.empty())
