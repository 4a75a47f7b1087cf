"""`lockstep-lsp gen types [ROOT] [--schema NAME …] [--out FILE]`: Supabase's generated
`Database` types, written from the migrations without a database.

Schemas default to what the project's `supabase/config.toml` exposes (`[api] schemas`, with
`public` first, as `supabase gen types` does), else `public`. `--out` writes inside the root
only, and refuses to replace a file that does not already look generated.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

USAGE_ERROR = 2
_GENERATED_MARK = "export type Database"


def exposed_schemas(root: Path, migration_paths: tuple[str, ...]) -> list[str]:
    """`[api] schemas` of the Supabase config next to the migrations, `public` first."""
    candidates = [root / Path(p).parent / "config.toml" for p in migration_paths]
    for config in [*candidates, root / "supabase" / "config.toml"]:
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        api = data.get("api")
        schemas = api.get("schemas") if isinstance(api, dict) else None
        if isinstance(schemas, list):
            named = [s for s in schemas if isinstance(s, str)]
            return list(dict.fromkeys(["public", *named]))
    return ["public"]


def _target(root: Path, out: str) -> Path | None:
    target = (Path.cwd() / out).resolve()
    try:
        target.relative_to(root.resolve())
    except ValueError:
        return None
    return target


def command_gen_types(args: argparse.Namespace) -> int:
    from lockstep.core.gen.eras import era_named, project_era
    from lockstep.core.gen.from_model import metadata
    from lockstep.core.gen.typescript import generate_typescript
    from lockstep.core.workspace import Workspace, find_root

    start = Path(args.root or ".")
    if not start.is_dir():
        print(f"lockstep-lsp: {start} is not a folder", file=sys.stderr)
        return USAGE_ERROR
    root = find_root(start)
    era = era_named(args.generator_version) if args.generator_version else None
    if args.generator_version and era is None:
        print(f"lockstep-lsp: --generator-version {args.generator_version}: give a "
              "postgres-meta release (0.83.2, 0.91.6, 0.96.1 …) or an era (0.83 … 0.99)",
              file=sys.stderr)
        return USAGE_ERROR
    workspace = Workspace(root)
    workspace.load()
    era = era or project_era(workspace.read)
    schemas = list(dict.fromkeys(args.schema)) if args.schema else exposed_schemas(
        root, workspace.config.migration_paths)
    text = generate_typescript(metadata(workspace.replay.schema, schemas),
                               postgrest_version=args.postgrest_version, era=era)
    if not args.out:
        sys.stdout.write(text)
        return 0
    target = _target(root, args.out)
    if target is None:
        print(f"lockstep-lsp: --out {args.out} is outside the project root {root}; "
              "write inside the root or redirect stdout", file=sys.stderr)
        return USAGE_ERROR
    if target.exists():
        current = target.read_text(encoding="utf-8", errors="replace")
        if _GENERATED_MARK not in current:
            print(f"lockstep-lsp: {args.out} exists and is not a generated types file; "
                  "not replacing it", file=sys.stderr)
            return USAGE_ERROR
        if current == text:
            return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(root.resolve()).as_posix()}", file=sys.stderr)
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gen = commands.add_parser("gen", help="generate files from the migrations")
    kinds = gen.add_subparsers(dest="gen_kind", required=True)
    types = kinds.add_parser(
        "types", help="print Supabase's generated Database types (supabase gen types "
        "typescript), computed from the migrations without a database")
    types.add_argument("root", nargs="?")
    types.add_argument("--schema", action="append", metavar="NAME",
                       help="a schema to include (repeatable; default: config.toml's "
                       "[api] schemas, else public)")
    types.add_argument("--out", metavar="FILE",
                       help="write the file (inside the project root) instead of stdout")
    types.add_argument("--postgrest-version", metavar="VERSION",
                       help="add the __InternalSupabase block that types generated with "
                       "--linked/--project-id carry, e.g. \"12.2.3 (519615d)\"")
    types.add_argument("--generator-version", metavar="VERSION",
                       help="print what this postgres-meta release printed (a release such as "
                       "0.91.6, or an era: 0.83 0.84 0.86 0.86.3 0.87 0.88 0.91 0.91.4 "
                       "0.91.5 0.92 0.93 0.94 0.95 0.99; default: the era of the Supabase CLI "
                       "the project's lockfile or package.json pins, else 0.99)")
    types.set_defaults(handler=command_gen_types)
