"""Which Supabase CLI a project installs, read from its lockfile (npm, pnpm, yarn or bun) or
else from package.json's range: the CLI release decides the generator era (eras.py).

Only the one entry is looked up, never the whole dependency graph, so each format is read as
far as that needs: JSON for npm and package.json, the package keys of pnpm's and yarn's
files, and bun's `"supabase": ["supabase@X", …]` line.
"""

from __future__ import annotations

import json
from collections.abc import Callable

Version = tuple[int, int, int]
PACKAGE = "supabase"


def parse_version(text: str) -> Version | None:
    """`1.187.3`, `^2.20.1`, `~0.84` → a version; None when it names none."""
    digits = text.strip().lstrip("^~=v<>").split("-")[0].split("+")[0]
    parts = digits.split(".")
    if not parts or not all(p.isdigit() for p in parts) or len(parts) > 3:
        return None
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    return numbers[0], numbers[1], numbers[2]


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None


def npm_version(text: str) -> Version | None:
    data = _json(text)
    packages = data.get("packages") if isinstance(data, dict) else None
    entry = packages.get(f"node_modules/{PACKAGE}") if isinstance(packages, dict) else None
    found = entry.get("version") if isinstance(entry, dict) else None
    return parse_version(found) if isinstance(found, str) else None


def pnpm_version(text: str) -> Version | None:
    """A package key: `supabase@1.2.3:` (v9), `/supabase@1.2.3:` (v6) or `/supabase/1.2.3:`."""
    for line in text.splitlines():
        key = line.strip().rstrip(":").strip("'\"").lstrip("/")
        for prefix in (f"{PACKAGE}@", f"{PACKAGE}/"):
            if key.startswith(prefix) and line.rstrip().endswith(":"):
                version = parse_version(key[len(prefix):].split("(")[0])
                if version is not None:
                    return version
    return None


def yarn_version(text: str) -> Version | None:
    """An entry whose header names only `supabase@…` (classic or berry), then its version."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if not line or line[0].isspace() or not line.rstrip().endswith(":"):
            continue
        names = [n.strip().strip("'\"") for n in line.rstrip().rstrip(":").split(",")]
        if not all(n.startswith(f"{PACKAGE}@") for n in names):
            continue
        for body in lines[number + 1:]:
            if body and not body[0].isspace():
                break
            field = body.strip()
            if field.startswith("version"):
                return parse_version(field[len("version"):].strip(" :\"'"))
    return None


def bun_version(text: str) -> Version | None:
    """bun.lock's packages: `"supabase": ["supabase@2.20.5", …]`."""
    marker = f'["{PACKAGE}@'
    start = text.find(marker)
    if start < 0:
        return None
    rest = text[start + len(marker):]
    return parse_version(rest[: rest.find('"')])


def manifest_version(text: str) -> Version | None:
    data = _json(text)
    if not isinstance(data, dict):
        return None
    for section in ("devDependencies", "dependencies"):
        dependencies = data.get(section)
        spec = dependencies.get(PACKAGE) if isinstance(dependencies, dict) else None
        if isinstance(spec, str):
            return parse_version(spec)
    return None


LOCKFILES: tuple[tuple[str, Callable[[str], Version | None]], ...] = (
    ("package-lock.json", npm_version),
    ("pnpm-lock.yaml", pnpm_version),
    ("yarn.lock", yarn_version),
    ("bun.lock", bun_version),
)


def pinned_cli(read: Callable[[str], str | None]) -> Version | None:
    """The Supabase CLI the project installs: a lockfile's, else package.json's range."""
    for name, version_in in LOCKFILES:
        text = read(name)
        version = version_in(text) if text else None
        if version is not None:
            return version
    manifest = read("package.json")
    return manifest_version(manifest) if manifest else None
