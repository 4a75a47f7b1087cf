"""Core dataclasses ⇄ lsprotocol types. Positions are already LSP-shaped in the core."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls import uris

from lockstep.core import text
from lockstep.core.diagnostics import Diagnostic
from lockstep.core.model import Location
from lockstep.core.rules.registry import RULES

SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "information": lsp.DiagnosticSeverity.Information,
    "hint": lsp.DiagnosticSeverity.Hint,
}


def position(value: text.Position) -> lsp.Position:
    return lsp.Position(line=value.line, character=value.character)


def range_(value: text.Range) -> lsp.Range:
    return lsp.Range(start=position(value.start), end=position(value.end))


def core_position(value: lsp.Position) -> text.Position:
    return text.Position(value.line, value.character)


def core_range(value: lsp.Range) -> text.Range:
    return text.Range(core_position(value.start), core_position(value.end))


def uri_for(root: Path, relative: str) -> str:
    return uris.from_fs_path(str(root / relative)) or ""


def path_for(uri: str) -> Path | None:
    fs_path = uris.to_fs_path(uri)
    return Path(fs_path) if fs_path else None


def location(root: Path, value: Location) -> lsp.Location:
    return lsp.Location(uri=uri_for(root, value.path), range=range_(value.range))


def diagnostic(root: Path, value: Diagnostic) -> lsp.Diagnostic:
    rule = RULES.get(value.code)
    return lsp.Diagnostic(
        range=range_(value.range),
        message=value.message,
        severity=SEVERITY[value.severity],
        code=value.code,
        code_description=lsp.CodeDescription(href=rule.url) if rule else None,
        source="lockstep",
        related_information=[
            lsp.DiagnosticRelatedInformation(location=location(root, r.location),
                                             message=r.message)
            for r in value.related
        ] or None,
        data=value.data,
    )
