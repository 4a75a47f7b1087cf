"""The benchmark still runs end to end and prints its contract (figures are read by people,
never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"cold_index_s", "warm_index_s", "check_s", "check_warm_s", "peak_rss_mb",
        "edit_to_diagnostics_ms", "storm_hover_ms", "references_ms", "hover_ms",
        "definition_ms", "completion_ms", "code_action_ms"}  # fmt: skip


def test_bench_prints_its_json_contract_on_the_small_repo() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "small", "--requests", "3",
         "--json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    figures = json.loads(result.stdout)
    assert figures.keys() >= KEYS
    for edit in ("migration", "ts"):
        assert set(figures["edit_to_diagnostics_ms"][edit]) == {"p50", "p95"}
    assert figures["storm_hover_answered"] is True
