"""`lockstep-lsp check` output formats: text, json, GitHub workflow commands, SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lockstep.core.diagnostics import Diagnostic
from lockstep.core.rules.registry import RULES
from lockstep.core.version import VERSION

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "information": "notice", "hint": "notice"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def _range_json(diagnostic: Diagnostic) -> dict[str, Any]:
    start, end = diagnostic.range.start, diagnostic.range.end
    return {
        "start": {"line": start.line, "character": start.character},
        "end": {"line": end.line, "character": end.character},
    }


def as_text(diagnostics: Iterable[Diagnostic]) -> str:
    """One line per finding, then the summary; nothing at all when there is none."""
    items = list(diagnostics)
    lines = [
        f"{d.path}:{d.range.start.line + 1}:{d.range.start.character + 1}: "
        f"{d.severity} {d.code} {d.message}\n"
        for d in items
    ]
    return "".join(lines) + (summary(items) + "\n" if items else "")


def _count(number: int, noun: str) -> str:
    plural = number != 1 and noun != "information"
    return f"{number} {noun}{'s' if plural else ''}"


def summary(diagnostics: list[Diagnostic]) -> str:
    """`2 errors, 1 warning in 3 files` (information and hints only when there are some)."""
    by_severity = {s: sum(d.severity == s for d in diagnostics) for s in _GITHUB_LEVEL}
    parts = [_count(by_severity["error"], "error"), _count(by_severity["warning"], "warning")]
    parts += [_count(by_severity[s], s) for s in ("information", "hint") if by_severity[s]]
    files = len({d.path for d in diagnostics})
    return f"{', '.join(parts)} in {_count(files, 'file')}"


def as_json(diagnostics: Iterable[Diagnostic]) -> str:
    items = [
        {
            "path": d.path,
            "range": _range_json(d),
            "severity": d.severity,
            "code": d.code,
            "message": d.message,
            **({"data": d.data} if d.data else {}),  # the subject: schema, table, columns…
        }
        for d in diagnostics
    ]
    return json.dumps({"diagnostics": items}, indent=2) + "\n"


def _escape_github(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def as_github(diagnostics: Iterable[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        start, end = d.range.start, d.range.end
        properties = ",".join(
            f"{key}={_escape_github(str(value), True)}"
            for key, value in (
                ("file", d.path), ("line", start.line + 1), ("col", start.character + 1),
                ("endLine", end.line + 1), ("endColumn", end.character + 1),
                ("title", f"lockstep {d.code}"),
            )
        )
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {properties}::{_escape_github(d.message)}\n")
    return "".join(lines)


def as_sarif(diagnostics: Iterable[Diagnostic]) -> str:
    items = list(diagnostics)
    used = sorted({d.code for d in items})
    rules = [
        {
            "id": code,
            "shortDescription": {"text": RULES[code].summary if code in RULES else code},
            "helpUri": RULES[code].url if code in RULES else None,
        }
        for code in used
    ]
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": used.index(d.code),
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": d.range.start.line + 1,
                            "startColumn": d.range.start.character + 1,
                            "endLine": d.range.end.line + 1,
                            "endColumn": d.range.end.character + 1,
                        },
                    }
                }
            ],
        }
        for d in items
    ]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lockstep",
                        "version": VERSION,
                        "informationUri": "https://github.com/lockstep-lsp/lockstep",
                        "rules": rules,
                    }
                },
                "columnKind": "utf16CodeUnits",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


FORMATS = {"text": as_text, "json": as_json, "github": as_github, "sarif": as_sarif}
