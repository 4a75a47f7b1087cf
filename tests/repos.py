"""Fixture monorepos that are built rather than stored twice.

`toney-clean` is `examples/toney` with every deliberate finding fixed: the example plus
`tests/fixtures/toney-clean.patch`, so the demo and its correct twin can never drift apart.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "toney"
CLEAN_PATCH = REPO / "tests" / "fixtures" / "toney-clean.patch"


def toney_clean(destination: Path) -> Path:
    """A copy of the example with its fixes applied (`git apply` works outside a checkout)."""
    root = destination / "toney-clean"
    shutil.copytree(EXAMPLE, root)
    subprocess.run(
        ["git", "apply", "--whitespace=nowarn", str(CLEAN_PATCH)],
        cwd=root, check=True, capture_output=True, text=True,
    )
    return root
