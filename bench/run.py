"""Benchmark: indexing, `check`, memory and request latency of the real server.

    python bench/run.py [--size small|medium|large] [--requests 200] [--json]
    python bench/run.py --corpus DIR [--json]

Generates the synthetic repo (bench/generate.py) under bench/out/, then measures with the
programs a user runs: `python -m lockstep check` as a subprocess (cold, then warm), and
`python -m lockstep` over stdio driven by pygls's client with VS Code's capabilities (see
bench/session.py). `--json` prints one JSON object (the keys are a contract: DESIGN.md,
"Benchmark"); otherwise a table. `--corpus DIR` times `check` on any repository.
Not a test: nothing here asserts on time. docs/performance.md says how to read the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from generate import Spot, generate  # noqa: E402
from session import Session, peak_rss_mb  # noqa: E402

REQUESTS = ("references", "hover", "definition", "completion", "code_action")
STORM_CHANGES = 1000
EDITS = 40


def fresh_cache() -> None:
    """An empty disk cache (core/cache.py) for the processes started next: `cold` figures
    start from nothing, `warm` ones reuse what the cold run wrote."""
    folder = tempfile.mkdtemp(prefix="lockstep-bench-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["XDG_CACHE_HOME"] = folder


def time_check(root: Path) -> tuple[float, float]:
    """Wall seconds of `check` on ROOT: the first run (empty disk cache), then a second
    (warm: the cache the first one filled)."""
    fresh_cache()
    seconds = []
    for _ in range(2):
        begin = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "lockstep", "check", str(root), "--format", "json"],
            capture_output=True, check=False,
        )  # fmt: skip
        seconds.append(round(time.perf_counter() - begin, 3))
    return seconds[0], seconds[1]


def _pick(spots: list[Spot], kinds: set[str], count: int, rng: random.Random) -> list[Spot]:
    chosen = [s for s in spots if s.kind in kinds]
    return [rng.choice(chosen) for _ in range(count)]


async def server_figures(root: Path, spots: list[Spot], count: int) -> dict[str, Any]:
    rng = random.Random(11)
    fresh_cache()
    session = Session(root)
    figures: dict[str, Any] = {"cold_index_s": round(await session.start(), 3)}
    plan = {
        "references": (session.references, {"table"}),
        "hover": (session.hover, {"table", "column", "sql"}),
        "definition": (session.definition, {"table", "column"}),
        "completion": (session.completion, {"column"}),
        "code_action": (session.code_action, {"table", "sql"}),
    }
    for name in REQUESTS:
        call, kinds = plan[name]
        figures[f"{name}_ms"] = await session.timed(_pick(spots, kinds, count, rng), call)
    migration = next(s for s in reversed(spots) if s.kind == "sql")
    consumer = next(s for s in spots if s.kind == "table")
    figures["edit_to_diagnostics_ms"] = {
        "migration": await session.edit_latency(
            migration.path, "\nALTER TABLE bench_nope ADD COLUMN x text;\n", "unknown-table", EDITS
        ),
        "ts": await session.edit_latency(
            consumer.path,
            "\nexport const nope = (s: any) => s.from('bench_nope').select('id');\n",
            "unknown-table-reference",
            EDITS,
        ),
    }
    storm_s, answer = await session.storm_hover(migration, STORM_CHANGES)
    figures["storm_hover_ms"] = round(storm_s * 1000, 2)
    figures["storm_hover_answered"] = answer is not None
    figures["peak_rss_mb"] = peak_rss_mb(session.pid)
    await session.stop()
    warm = Session(root)
    figures["warm_index_s"] = round(await warm.start(), 3)
    await warm.stop()
    return figures


def _table(title: str, figures: dict[str, Any]) -> str:
    lines = [f"## {title}", "", "| measure | value |", "|---|---|"]
    for key, value in figures.items():
        if isinstance(value, dict) and "p50" in value:
            value = f"p50 {value['p50']} · p95 {value['p95']}"
        elif isinstance(value, dict):
            value = " · ".join(f"{k}: p50 {v['p50']} p95 {v['p95']}" for k, v in value.items())
        lines.append(f"| {key} | {value} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["small", "medium", "large"], default="medium")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--corpus", type=Path, help="time `check` on this repository instead")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.corpus:
        check_s, check_warm_s = time_check(args.corpus.resolve())
        figures: dict[str, Any] = {"corpus": str(args.corpus), "check_s": check_s,
                                   "check_warm_s": check_warm_s}  # fmt: skip
        title = f"corpus {args.corpus}"
    else:
        root, spots = generate(HERE / "out" / f"repo-{args.size}", args.size)
        check_s, check_warm_s = time_check(root)
        figures = {"size": args.size, "check_s": check_s, "check_warm_s": check_warm_s}
        figures.update(asyncio.run(server_figures(root, spots, args.requests)))
        title = f"{args.size}: {sum(s.kind == 'sql' for s in spots)} tables created"
    print(json.dumps(figures) if args.json else _table(title, figures))


if __name__ == "__main__":
    main()
