"""`check` against a peer linter: Squawk on the same migration files, wall time.

    python bench/peer.py DIR [--runs 5] [--json]

Squawk (`pip install squawk-cli`, or `scripts/install --extra bench`) lints SQL migrations
only; Lockstep's `check` also replays them and indexes the TypeScript, so the comparison is
the one a user makes: the time each tool takes to report on the repository. The migration
files are the ones `lockstep-lsp info` finds. Runs alternate (squawk, cold, warm) so a busy
machine slows all three alike; medians are printed. "Cold" is `check` with an empty cache
folder (XDG_CACHE_HOME pointed at a new temporary folder), "warm" its second run (answered
from the record of the first, cli/quick.py), "reparse" a third with that record deleted
(every parse from the disk cache, the analysis run again: what an edit costs).
Not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def migration_files(root: Path) -> list[Path]:
    """Every migration of every project `info` finds under ROOT, in replay order."""
    found = subprocess.run(
        [sys.executable, "-m", "lockstep", "info", str(root), "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    files: list[Path] = []
    for project in json.loads(found.stdout)["projects"]:
        for folder in project["migrations"]["dirs"]:  # relative to ROOT
            files += sorted((root / folder).glob("*.sql"))
    return sorted(set(files))


def seconds(command: list[str], env: dict[str, str] | None = None) -> float:
    begin = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=env)
    return time.perf_counter() - begin


def compare(root: Path, squawk: str, runs: int) -> dict[str, Any]:
    files = migration_files(root)
    check = [sys.executable, "-m", "lockstep", "check", str(root), "--format", "json"]
    times: dict[str, list[float]] = {"squawk_s": [], "check_cold_s": [], "check_warm_s": [],
                                     "check_reparse_s": []}
    for _ in range(runs):
        times["squawk_s"].append(seconds([squawk, *map(str, files)]))
        cache = tempfile.mkdtemp(prefix="lockstep-bench-cache-")
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        times["check_cold_s"].append(seconds(check, env))
        times["check_warm_s"].append(seconds(check, env))
        for record in Path(cache, "lockstep").glob("run-*"):
            record.unlink()
        times["check_reparse_s"].append(seconds(check, env))
        shutil.rmtree(cache, ignore_errors=True)
    figures: dict[str, Any] = {"corpus": str(root), "migrations": len(files), "runs": runs}
    figures.update({key: round(statistics.median(values), 3) for key, values in times.items()})
    for kind in ("cold", "warm", "reparse"):
        figures[f"ratio_{kind}"] = round(figures[f"check_{kind}_s"] / figures["squawk_s"], 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--squawk", default=shutil.which("squawk") or "squawk")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = compare(args.root.resolve(), args.squawk, args.runs)
    if args.json:
        print(json.dumps(figures))
    else:
        print("\n".join(f"{key}: {value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
