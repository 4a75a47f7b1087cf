"""A crafted repository, as an attacker would write it, for tests/*/test_security*.py.

`outside/` beside the repository holds a secret (SQL and TS that would show up in diagnostics,
symbols and hovers if it were ever read); the repository links to it in every way it can.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SECRET = "zq7leak"
AUDIT = Path(__file__).with_name("security_audit.py")
INIT = ("-- Wins.\n-- Why: the coach lists them.\nCREATE TABLE wins (id uuid PRIMARY KEY);\n"
        "ALTER TABLE wins ENABLE ROW LEVEL SECURITY;\n")
SHARED_USE = "export const load = () => supabase.from('wins').select('id');\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def outside_folder(base: Path) -> Path:
    outside = base / "outside"
    write(outside / "secret.sql", f"root:x:0:0:{SECRET}:/root:/bin/bash\n"
                                  f"CREATE TABLE {SECRET}_table ({SECRET}_token text);\n")
    write(outside / "secret.ts", f"export type {SECRET.capitalize()} = {{ {SECRET}: string }};\n"
                                 f"export const x = () => supabase.from('{SECRET}_t')"
                                 f".select('{SECRET}_c');\n")
    write(outside / "migrations" / "001_outside.sql",
          f"-- {SECRET}\nCREATE TABLE {SECRET}_outside (id int);\n")
    return outside


def hostile_repo(base: Path) -> tuple[Path, Path]:
    """(root, outside): a repository whose links reach outside, and the secret they reach."""
    outside = outside_folder(base)
    root = base / "repo"
    migrations = root / "supabase" / "migrations"
    write(migrations / "001_init.sql", INIT)
    os.symlink(outside / "secret.sql", migrations / "002_passwd.sql")  # absolute link
    os.symlink("../../../outside/secret.sql", migrations / "003_relative.sql")
    hooks = root / "apps" / "web" / "src" / "hooks"
    hooks.mkdir(parents=True)
    os.symlink(outside / "secret.ts", hooks / "useSecret.ts")
    types = root / "packages" / "types" / "src"
    types.mkdir(parents=True)
    os.symlink(outside / "secret.ts", types / "secret.ts")
    os.symlink(outside, root / "apps" / "outlink")
    os.symlink("/", root / "apps" / "rootlink")
    os.symlink("../..", root / "apps" / "web" / "home")  # the root again: a loop
    os.symlink("../..", root / "apps" / "above")  # the folder holding the root
    # Links that stay inside the repository are followed, as real monorepos need.
    write(root / "packages" / "shared" / "useShared.ts", SHARED_USE)
    os.symlink("../../../packages/shared", root / "apps" / "web" / "src" / "shared")
    return root, outside


def audited(forbidden: Path, writable: Path, *arguments: str,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`lockstep-lsp ARGUMENTS` under tests/security_audit.py; a hang fails by timeout."""
    return subprocess.run(
        [sys.executable, str(AUDIT), str(forbidden), str(writable), "--", *arguments],
        capture_output=True, text=True, timeout=timeout,
        cwd=writable if writable.is_dir() else None,  # text paths are shown from there
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def audited_command(forbidden: Path, writable: Path) -> list[str]:
    """The language server under the audit hook, for pytest-lsp."""
    return [sys.executable, str(AUDIT), str(forbidden), str(writable), "--"]
