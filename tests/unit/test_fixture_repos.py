"""The demo and fixture monorepos stay well-formed, so rule tests fail for rule reasons only.

Covers `examples/toney` (and its clean twin, built from `tests/fixtures/toney-clean.patch`),
`tests/fixtures/supabase-cli` and `tests/fixtures/decoys`: every TS/TSX file parses without
tree-sitter ERROR/MISSING nodes, migration file names follow the repo's numbering style
without duplicate versions, and each migration opens with a `--` comment (except the demo's
deliberate offender).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser

ROOT = Path(__file__).resolve().parents[2]

NNN = re.compile(r"^(\d{3})_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$")
TIMESTAMP = re.compile(r"^(\d{14})_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$")

REPOS: dict[str, re.Pattern[str]] = {
    "examples/toney": NNN,
    "tests/fixtures/supabase-cli": TIMESTAMP,
    "tests/fixtures/decoys": NNN,
}

# Deliberate demo finding (migration-missing-comment): must NOT start with a comment.
NO_HEADER_ON_PURPOSE = {"examples/toney/supabase/migrations/011_mood_grateful.sql"}

_TS = Parser(Language(tree_sitter_typescript.language_typescript()))
_TSX = Parser(Language(tree_sitter_typescript.language_tsx()))


def _broken_nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
        stack.extend(node.children)


def _parse_problems(path: Path) -> list[str]:
    parser = _TSX if path.suffix == ".tsx" else _TS
    tree = parser.parse(path.read_bytes())
    return [f"{n.type} at {n.start_point}" for n in _broken_nodes(tree.root_node)]


def _ts_files() -> list[Path]:
    files: list[Path] = []
    for repo in REPOS:
        for suffix in ("*.ts", "*.tsx"):
            files.extend(p for p in (ROOT / repo).rglob(suffix) if "node_modules" not in p.parts)
    return sorted(files)


def _migrations(repo: str) -> list[Path]:
    return sorted((ROOT / repo / "supabase" / "migrations").glob("*.sql"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_checker_is_not_vacuous() -> None:
    assert _broken_nodes(_TS.parse(b"const = ;").root_node)
    assert not list(_broken_nodes(_TSX.parse(b"const a = <div>{1}</div>;").root_node))


@pytest.mark.parametrize("path", _ts_files(), ids=_rel)
def test_typescript_parses_cleanly(path: Path) -> None:
    assert _parse_problems(path) == []


@pytest.mark.parametrize("repo", sorted(REPOS))
def test_repo_has_migrations_and_typescript(repo: str) -> None:
    assert _migrations(repo), f"{repo} has no migrations"
    assert any(p.is_relative_to(ROOT / repo) for p in _ts_files()), f"{repo} has no TS"


@pytest.mark.parametrize("repo", sorted(REPOS))
def test_migration_names_follow_repo_style(repo: str) -> None:
    style = REPOS[repo]
    versions: list[str] = []
    for path in _migrations(repo):
        match = style.match(path.name)
        assert match, f"{_rel(path)} does not match {style.pattern}"
        versions.append(match.group(1))
    assert len(versions) == len(set(versions)), f"duplicate versions in {repo}: {versions}"


@pytest.mark.parametrize(
    "path",
    [p for repo in sorted(REPOS) for p in _migrations(repo)],
    ids=_rel,
)
def test_migration_starts_with_comment(path: Path) -> None:
    starts_with_comment = path.read_text(encoding="utf-8").startswith("-- ")
    assert starts_with_comment is (_rel(path) not in NO_HEADER_ON_PURPOSE)


def test_decoys_expected_points_at_table_names() -> None:
    repo = ROOT / "tests/fixtures/decoys"
    expected = json.loads((repo / "EXPECTED.json").read_text(encoding="utf-8"))
    assert [e["table"] for e in expected] == ["wins", "sim_wins"]
    for entry in expected:
        lines = (repo / entry["path"]).read_text(encoding="utf-8").split("\n")
        line = lines[entry["line"]]
        # ASCII file, so the UTF-16 column equals the str index.
        start = entry["character"]
        assert line[start : start + len(entry["table"])] == entry["table"]
        assert line[start - 1] in "'`" and line[start + len(entry["table"])] in "'`"
        assert line[:start].rstrip("'`").endswith(".from(")


def test_the_clean_twin_is_well_formed(toney_clean_root: Path) -> None:
    problems = {
        str(path.relative_to(toney_clean_root)): _parse_problems(path)
        for suffix in ("*.ts", "*.tsx")
        for path in toney_clean_root.rglob(suffix)
    }
    assert {k: v for k, v in problems.items() if v} == {}
    for migration in (toney_clean_root / "supabase" / "migrations").glob("*.sql"):
        assert migration.read_text(encoding="utf-8").startswith("--"), migration.name


def test_lockstep_toml_declares_dev_and_prod() -> None:
    config = tomllib.loads((ROOT / "examples/toney/lockstep.toml").read_text(encoding="utf-8"))
    targets = {t["name"]: t["project_ref"] for t in config["deploy"]["targets"]}
    assert targets == {"DEV": "dpunrkhndskfmtdajesi", "PROD": "vnuhtgkqkrlsbtukjgwp"}


def test_demo_readme_names_existing_files() -> None:
    readme = (ROOT / "examples/toney/README.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:supabase|apps|packages)/[^`]+\.(?:sql|ts|tsx))`", readme))
    assert paths, "README lists no finding locations"
    for rel in paths:
        assert (ROOT / "examples/toney" / rel).is_file(), rel
