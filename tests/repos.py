"""Fixture monorepos that are built rather than stored twice.

`toney-clean` is `examples/toney` with every deliberate finding fixed: the example plus
`tests/fixtures/toney-clean.patch`, so the demo and its correct twin can never drift apart.
The e2e and Neovim fixtures share their first migration (the sessions/wins core with its
`sim_` mirrors): it is stored once, in `tests/fixtures/shared/`, and copied in when a test
builds the fixture (`fixture(name, destination)`, or `built(name)` for a read-only copy).
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "toney"
FIXTURES = REPO / "tests" / "fixtures"
CLEAN_PATCH = FIXTURES / "toney-clean.patch"
SHARED = FIXTURES / "shared"
CORE = "supabase/migrations/001_init.sql"
# fixture → {its path: the shared file it is built from}
COMPOSED: dict[str, dict[str, str]] = {
    "e2e-basic": {CORE: "toney_core.sql"},
    "e2e-codeactions": {CORE: "toney_core.sql"},
    "nvim-demo": {CORE: "toney_core.sql"},
}


def toney_clean(destination: Path) -> Path:
    """A copy of the example with its fixes applied (`git apply` works outside a checkout)."""
    root = destination / "toney-clean"
    shutil.copytree(EXAMPLE, root)
    subprocess.run(
        ["git", "apply", "--whitespace=nowarn", str(CLEAN_PATCH)],
        cwd=root, check=True, capture_output=True, text=True,
    )
    return root


def fixture(name: str, destination: Path) -> Path:
    """`tests/fixtures/<name>` copied to `destination/<name>`, with its shared files."""
    root = destination / name
    shutil.copytree(FIXTURES / name, root, symlinks=True)
    for relative, source in COMPOSED.get(name, {}).items():
        target = root / relative
        assert not target.exists(), f"{name}/{relative} is stored and shared: keep one"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED / source, target)
    return root


_BUILT: dict[str, Path] = {}


def built(name: str) -> Path:
    """One built copy of a fixture per test process, for tests that only read it (tests
    that write take their own copy: `fixture()` or `shutil.copytree(built(name), …)`)."""
    if name not in _BUILT:
        base = Path(tempfile.mkdtemp(prefix="lockstep-fixtures-"))
        atexit.register(shutil.rmtree, base, True)
        _BUILT[name] = fixture(name, base)
    return _BUILT[name]
