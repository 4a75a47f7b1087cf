"""Runs the VS Code extension's own test suite (unit tests and the end-to-end test that drives
the real server over the vscode-languageclient protocol stack) as part of the pytest run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import missing_tool

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"


@pytest.mark.editor
def test_vscode_extension_npm_test() -> None:
    npm = shutil.which("npm")
    if npm is None:
        missing_tool("npm is not on PATH")
    if not (EXTENSION / "node_modules").is_dir():
        missing_tool("editors/vscode/node_modules missing: run `npm ci` in editors/vscode first")
    # The e2e test starts `python -m lockstep` with this interpreter, the one pytest tests.
    env = {**os.environ, "LOCKSTEP_PYTHON": sys.executable}
    proc = subprocess.run(
        [npm, "test"],
        cwd=EXTENSION,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,  # a guard against a hung server, not a timing assertion
        check=False,
    )
    output = proc.stdout + proc.stderr
    for line in output.splitlines():
        if "# SKIP" in line:
            print(line.strip())  # shown with `pytest -rA`/`-s`: which e2e steps await the server
    assert proc.returncode == 0, f"npm test failed ({proc.returncode}):\n{output[-8000:]}"
    assert "# fail 0" in output, output[-4000:]
