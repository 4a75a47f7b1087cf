"""Project-wide guarantees: layering, rule docs, lint and types."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lockstep.core.rules.docs import render
from lockstep.core.rules.registry import RULES
from tests.tools import missing_tool

ROOT = Path(__file__).resolve().parent.parent
DESIGN_RULES = [
    "migration-syntax-error", "migration-filename", "duplicate-migration-version",
    "migration-missing-comment", "unknown-table", "unknown-column", "sim-mirror-drift",
    "sim-mirror-missing", "sim-references-prod-table", "sim-fk-to-auth-users", "sim-table-rls",
    "rls-disabled", "rls-enabled-no-policy", "policy-rls-disabled", "unindexed-foreign-key",
    "foreign-key-missing-on-delete", "missing-primary-key", "type-missing-field",
    "type-unknown-field", "type-nullability", "type-optionality", "type-mismatch",
    "table-missing-type", "type-not-exported", "unknown-table-reference",
    "unknown-column-reference", "clone-missing-column",
]  # fmt: skip


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
            if node.module.startswith("lockstep.protocol"):
                found.add("lockstep.protocol")
    return found


@pytest.mark.parametrize("folder", ["server/lockstep/core", "codeactions/lockstep/codeactions"])
def test_the_analysis_core_never_imports_the_protocol(folder: str) -> None:
    assert (ROOT / folder).is_dir(), folder
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & {"pygls", "lsprotocol",
                                                              "lockstep.protocol"})
        for path in (ROOT / folder).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_rule_of_the_design_is_registered_and_documented() -> None:
    assert [name for name in DESIGN_RULES if name not in RULES] == []
    for rule in RULES.values():
        assert rule.severity in ("error", "warning", "information", "hint")
        assert rule.summary and rule.why and rule.bad and rule.good, rule.name


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)}


def test_rule_names_are_spelt_only_in_the_registry() -> None:
    """Checks, fixes and the replay name a rule through its object (`RLS_DISABLED`), so a
    typo is an ImportError and renaming a rule is one edit."""
    registry = ROOT / "server/lockstep/core/rules/registry"
    offenders = {
        str(path.relative_to(ROOT)): sorted(_string_constants(path) & set(RULES))
        for folder in ("server/lockstep/core", "codeactions/lockstep/codeactions")
        for path in (ROOT / folder).rglob("*.py")
        if registry not in path.parents
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_rule_owns_a_check() -> None:
    from lockstep.core.rules import checks  # noqa: F401  (attaches the checks)

    assert [r.name for r in RULES.values() if not r.checks] == []


def test_an_unknown_rule_name_is_an_error() -> None:
    from lockstep.core.rules.registry import named, rule

    with pytest.raises(KeyError):
        named("rls-disabld")
    with pytest.raises(ValueError, match="declared twice"):
        rule("rls-disabled", "error", "security", "s", "w", "b", "g")
    with pytest.raises(ValueError, match="severity"):
        rule("brand-new-rule", "fatal", "security", "s", "w", "b", "g")


def test_rules_docs_are_generated_from_the_registry() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: python -m lockstep.core.rules.docs > docs/rules.md"
    )


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        missing_tool("ruff is not installed")
    result = subprocess.run(["ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True
                      ).returncode != 0:
        missing_tool("mypy is not installed")
    result = subprocess.run(["bash", "scripts/typecheck"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_reads_the_source_tree_without_a_symlink_farm() -> None:
    """Paths equal module names, so pyright resolves every `lockstep` import from the two
    source roots. (Its remaining findings are pglast's Optional AST fields in the replay,
    which mypy treats as Any; they go when the replay reads the typed IR.)"""
    if shutil.which("pyright") is None:
        missing_tool("pyright is not installed")
    result = subprocess.run(["pyright", "--outputjson"], cwd=ROOT, capture_output=True,
                            text=True)
    report = json.loads(result.stdout)
    assert report["summary"]["filesAnalyzed"] > 100
    unresolved = [d for d in report["generalDiagnostics"]
                  if d.get("rule") in ("reportMissingImports", "reportMissingModuleSource")]
    assert unresolved == []
