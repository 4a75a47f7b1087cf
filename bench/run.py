"""Benchmark: replay, indexing and `check` times, then request latency against the real server.

    python bench/run.py [--size medium|large] [--requests 200]

Generates the synthetic repo (bench/generate.py) under bench/out/, times the core in-process,
then starts `python -m lockstep` over stdio with pygls's client and times references,
definition, hover and completion. Prints a table and writes bench/out/results-SIZE.json.
Not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def core_timings(root: Path) -> dict[str, Any]:
    from lockstep.core.replay.engine import replay
    from lockstep.core.rules.engine import run_rules
    from lockstep.core.sql.sites import sql_index
    from lockstep.core.workspace import Workspace

    started = time.perf_counter()
    workspace = Workspace(root)
    workspace.load()
    _ = workspace.replay
    _ = workspace.type_index
    loaded = time.perf_counter()
    sql_index(workspace)
    indexed = time.perf_counter()
    run_rules(workspace)
    checked = time.perf_counter()
    ordered = [(doc.path, doc.parsed) for doc in workspace.ordered_migrations()]
    marks: list[float] = []
    replay_start = time.perf_counter()
    replay(ordered, lambda path, schema, events: marks.append(time.perf_counter()))
    checkpoints = [replay_start, *marks[99::100]]
    if len(marks) % 100:
        checkpoints.append(marks[-1])
    increments = [b - a for a, b in itertools.pairwise(checkpoints)]
    per_100 = [marks[-1] - replay_start]
    return {
        "migrations": len(ordered),
        "consumer_files": len(workspace.consumer_files),
        "tables": len(workspace.replay.schema.tables),
        "full_index_ms": _ms(loaded - started),
        "navigation_index_ms": _ms(indexed - loaded),
        "check_rules_ms": _ms(checked - indexed),
        "replay_per_100_migrations_ms": [_ms(x) for x in increments],
        "replay_all_ms": _ms(per_100[-1]),
    }, workspace


def _positions(workspace: Any, count: int, rng: random.Random) -> dict[str, list[tuple[str, Any]]]:
    """Request positions: table names in `.from()`, columns in selects, SQL table names."""
    from lockstep.core.sql.sites import sql_index

    tables, columns, sql = [], [], []
    for path, uses in workspace.consumer_files.items():
        for use in uses:
            tables.append((path, use.table_range.start))
            for column in use.columns:
                columns.append((path, column.range.start))
    for site in (s for sites in sql_index(workspace).by_path.values() for s in sites):
        sql.append((site.path, site.range.start))
    mixed = tables + columns + sql
    return {
        "references": [rng.choice(tables) for _ in range(count)],
        "definition": [rng.choice(columns + tables) for _ in range(count)],
        "hover": [rng.choice(mixed) for _ in range(count)],
        "selects": [rng.choice(columns) for _ in range(count)],
    }


async def server_timings(root: Path, workspace: Any, count: int) -> dict[str, Any]:
    from lsprotocol import types as lsp
    from pygls.lsp.client import BaseLanguageClient
    from pytest_lsp import client_capabilities

    rng = random.Random(11)
    positions = _positions(workspace, count, rng)
    client = BaseLanguageClient("lockstep-bench", "1")
    indexed = asyncio.Event()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        indexed.set()

    @client.feature(lsp.PROGRESS)
    def _progress_report(params: Any) -> None:
        return None

    @client.feature(lsp.WINDOW_LOG_MESSAGE)
    def _log(params: lsp.LogMessageParams) -> None:
        if params.message.startswith("Lockstep indexed"):
            indexed.set()

    @client.feature(lsp.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def _progress(params: Any) -> None:
        return None

    @client.feature(lsp.WORKSPACE_CONFIGURATION)
    def _configuration(params: Any) -> list[Any]:
        return [None]

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def _register(params: Any) -> None:
        return None

    await client.start_io(sys.executable, "-m", "lockstep")
    started = time.perf_counter()
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), root.name)],
        )
    )
    client.initialized(lsp.InitializedParams())
    await asyncio.wait_for(indexed.wait(), 300)
    ready = time.perf_counter() - started

    def doc(path: str) -> lsp.TextDocumentIdentifier:
        return lsp.TextDocumentIdentifier(uri=(root / path).as_uri())

    def pos(value: Any) -> lsp.Position:
        return lsp.Position(value.line, value.character)

    opened: set[str] = set()

    def open_buffer(path: str) -> None:
        if path not in opened:
            opened.add(path)
            text = (root / path).read_text()
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    lsp.TextDocumentItem(
                        uri=(root / path).as_uri(), language_id="typescript", version=1, text=text
                    )
                )
            )

    async def measure(
        name: str, points: list[tuple[str, Any]], call: Callable[[str, Any], Awaitable[Any]]
    ) -> list[float]:
        for path, where in points[:5]:  # warm-up: first use builds lazy indexes
            await call(path, where)
        samples = []
        for path, where in points:
            begin = time.perf_counter()
            await call(path, where)
            samples.append(time.perf_counter() - begin)
        return samples

    async def references(path: str, where: Any) -> Any:
        return await client.text_document_references_async(
            lsp.ReferenceParams(
                text_document=doc(path),
                position=pos(where),
                context=lsp.ReferenceContext(include_declaration=True),
            )
        )

    async def definition(path: str, where: Any) -> Any:
        return await client.text_document_definition_async(
            lsp.DefinitionParams(text_document=doc(path), position=pos(where))
        )

    async def hover(path: str, where: Any) -> Any:
        return await client.text_document_hover_async(
            lsp.HoverParams(text_document=doc(path), position=pos(where))
        )

    async def completion(path: str, where: Any) -> Any:
        open_buffer(path)
        return await client.text_document_completion_async(
            lsp.CompletionParams(text_document=doc(path), position=pos(where))
        )

    results: dict[str, Any] = {"server_ready_ms": _ms(ready)}
    for name, points, call in (
        ("references", positions["references"], references),
        ("definition", positions["definition"], definition),
        ("hover", positions["hover"], hover),
        ("completion", positions["selects"], completion),
    ):
        samples = await measure(name, points, call)
        ordered = sorted(samples)
        results[name] = {
            "requests": len(samples),
            "p50_ms": _ms(statistics.median(ordered)),
            "p95_ms": _ms(ordered[int(len(ordered) * 0.95) - 1]),
            "max_ms": _ms(ordered[-1]),
        }
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return results


def _table(size: str, core: dict[str, Any], server: dict[str, Any]) -> str:
    per = core["replay_per_100_migrations_ms"]
    lines = [
        f"## {size}: {core['migrations']} migrations, {core['tables']} tables, "
        f"{core['consumer_files']} consumer files",
        "",
        "| measure | value |",
        "|---|---|",
        f"| replay per 100 migrations (ms) | {', '.join(str(x) for x in per)} |",
        f"| replay, all migrations (ms) | {core['replay_all_ms']} |",
        f"| full indexing: load + replay + types (ms) | {core['full_index_ms']} |",
        f"| navigation site index (ms) | {core['navigation_index_ms']} |",
        f"| check: all rules (ms) | {core['check_rules_ms']} |",
        f"| server start → indexed (ms) | {server['server_ready_ms']} |",
        "",
        "| request | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for name in ("references", "definition", "hover", "completion"):
        row = server[name]
        lines.append(
            f"| {name} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["medium", "large"], default="medium")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    out = HERE / "out"
    root = generate(out / f"repo-{args.size}", args.size)
    core, workspace = core_timings(root)
    server = asyncio.run(server_timings(root, workspace, args.requests))
    print(_table(args.size, core, server))
    (out / f"results-{args.size}.json").write_text(
        json.dumps({"size": args.size, "core": core, "server": server}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
