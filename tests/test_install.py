"""The README's first command on a fresh checkout with an externally managed (PEP 668) system
Python, as on Debian 12 and Ubuntu: `scripts/install && .venv/bin/lockstep-lsp check …`.

It installs from the package index into a new virtual environment (about 20 s), so it has its
own marker: `-m "not install"` leaves it out of a quick run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")
# Build and cache output, never part of a fresh checkout (see .gitignore).
NOT_IN_A_CHECKOUT = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "out", "dist", "build", "*.vsix", "__pycache__",
    "*.egg-info", ".pytest_cache", ".mypy_cache", ".ruff_cache",
)
README_COMMAND = "scripts/install && .venv/bin/lockstep-lsp check examples/toney"


def _externally_managed(python: Path) -> bool:
    if not python.exists():
        return False
    probe = ("import os, sysconfig; "
             "print(os.path.exists(os.path.join(sysconfig.get_path('stdlib'), "
             "'EXTERNALLY-MANAGED')))")
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
    return out.stdout.strip() == "True"


def _network_only_environment() -> dict[str, str]:
    """A login-like environment: the system PATH, HOME, and how this machine reaches the index
    (proxy, certificates, pip settings), nothing of the developer's virtual environment."""
    passed = {
        key: value for key, value in os.environ.items()
        if key.lower().endswith("_proxy") or key.startswith("PIP_")
        or key in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    }
    return {**passed, "HOME": os.environ.get("HOME", "/root"),
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


@pytest.mark.install
def test_readme_install_works_on_an_externally_managed_system_python(tmp_path: Path) -> None:
    if not _externally_managed(SYSTEM_PYTHON):
        pytest.skip(f"{SYSTEM_PYTHON} is not an externally managed (PEP 668) Python")
    checkout = tmp_path / "lockstep"
    shutil.copytree(REPO, checkout, ignore=NOT_IN_A_CHECKOUT, symlinks=True)
    result = subprocess.run(
        ["bash", "-c", README_COMMAND], cwd=checkout, env=_network_only_environment(),
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 1, result.stderr[-4000:]  # the demo's deliberate errors
    assert result.stdout.endswith("3 errors, 8 warnings in 10 files\n"), result.stdout
    assert (checkout / ".venv" / "bin" / "lockstep-lsp").exists()
    version = subprocess.run([checkout / ".venv" / "bin" / "lockstep-lsp", "--version"],
                             capture_output=True, text=True, check=True)
    assert version.stdout.startswith("lockstep-lsp ")
