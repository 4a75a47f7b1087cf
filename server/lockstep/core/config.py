"""`lockstep.toml`: optional, typed and validated; editor settings override it.

A wrong key or type is reported as a diagnostic on the file and the default stays in force,
so a typo in the config never switches Lockstep off.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from lockstep.core.spelling import did_you_mean
from lockstep.core.text import LineIndex, Range

CONFIG_FILE = "lockstep.toml"
SEVERITIES = ("off", "hint", "information", "warning", "error")

DEFAULT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("clone", "apps/admin/src/app/api/simulator/personas/clone/route.ts"),
    ("api-route", "apps/*/src/app/api/**/route.ts"),
    ("api-route", "apps/*/app/api/**/route.ts"),
    ("hook", "**/use[A-Z]*.ts"),  # React hooks: `useWins.ts`, not `users.ts`
    ("hook", "**/use[A-Z]*.tsx"),
    ("hook", "**/use-*.ts"),  # kebab-case hooks: `use-wins.ts`
    ("hook", "**/use-*.tsx"),
    ("context", "**/ToneyContext*"),
    ("admin-query", "apps/admin/src/lib/queries/**"),
    ("coaching", "packages/coaching/**"),
)


@dataclass(frozen=True, slots=True)
class DeployTarget:
    name: str
    project_ref: str

    @property
    def sql_editor_url(self) -> str:
        return f"https://supabase.com/dashboard/project/{self.project_ref}/sql/new"


@dataclass(frozen=True, slots=True)
class Config:
    migration_paths: tuple[str, ...] = ("supabase/migrations",)
    # Schema files replayed before the migrations, in order (a `schema.sql` dump, declarative
    # schemas): the migrations build on them instead of on an empty database.
    baseline: tuple[str, ...] = ()
    types_path: str = "packages/types/src"
    types_index: str = "packages/types/src/index.ts"
    types_style: str = "convention"  # or "generated": every column required in the Row type
    types_map: Mapping[str, str] = field(default_factory=dict)  # TS type name → table
    types_regenerate: str = "off"  # "on-save": saving a migration regenerates generated types
    consumer_categories: tuple[tuple[str, str], ...] = DEFAULT_CATEGORIES
    consumer_exclude: tuple[str, ...] = ()
    consumer_clients: tuple[str, ...] = ()  # receivers of `.from()` always taken as clients
    rules: Mapping[str, str] = field(default_factory=dict)  # rule name → severity
    internal_tables: tuple[str, ...] = ("llm_usage",)
    exposed_schemas: tuple[str, ...] = ("public",)
    mirror_prefix: str = "sim_"
    clone_routes: tuple[str, ...] = ("apps/admin/src/app/api/simulator/personas/clone/route.ts",)
    deploy_targets: tuple[DeployTarget, ...] = ()
    rename_keep_result_keys: bool = False  # rename writes `old:new` in select strings
    rename_objects: bool = False  # rename also renames index/constraint/policy names
    max_file_kib: int = 2048  # files (and editor buffers) over this are not indexed
    convention_toney: bool | None = None  # None: detected (core/discovery.py)
    convention_cli: bool | None = None

    @property
    def conventions(self) -> dict[str, bool | None]:
        """Convention name → on, off or None (detected from the repository)."""
        return {"toney": self.convention_toney, "supabase-cli": self.convention_cli}


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    message: str
    range: Range
    section: str | None = None
    key: str | None = None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _string_map(value: Any) -> dict[str, str] | None:
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return dict(value)
    return None


def _categories(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict):
        return None
    pairs: list[tuple[str, str]] = []
    for category, globs in value.items():
        listed = _strings(globs) if not isinstance(globs, str) else (globs,)
        if listed is None:
            return None
        pairs.extend((category, glob) for glob in listed)
    clone = [pair for pair in DEFAULT_CATEGORIES if pair[0] == "clone"]
    return tuple(pairs) + tuple(p for p in DEFAULT_CATEGORIES if p not in pairs and p in clone)


_TARGET_KEYS = ("name", "project_ref")


def _targets(value: Any) -> tuple[DeployTarget, ...] | None:
    if not isinstance(value, list):
        return None
    targets = []
    for item in value:
        if not isinstance(item, dict):
            return None
        name, ref = _string(item.get("name")), _string(item.get("project_ref"))
        if name is None or ref is None or set(item) - set(_TARGET_KEYS):
            return None
        targets.append(DeployTarget(name, ref))
    return tuple(targets)


# (section, key) → (Config field, converter, what the value must be)
_SCHEMA: dict[tuple[str, str], tuple[str, Any, str]] = {
    ("migrations", "paths"): ("migration_paths", _strings, "a list of folder paths"),
    ("migrations", "baseline"): ("baseline", _strings, "a list of SQL file paths"),
    ("types", "path"): ("types_path", _string, "a folder path"),
    ("types", "index"): ("types_index", _string, "a file path"),
    ("types", "style"): ("types_style", lambda v: v if v in ("convention", "generated") else None,
                         '"convention" or "generated"'),
    ("types", "map"): ("types_map", _string_map, "a table of TypeName = \"table\""),
    ("types", "regenerate"): ("types_regenerate",
                              lambda v: v if v in ("off", "on-save") else None,
                              '"off" or "on-save"'),
    ("consumers", "categories"): ("consumer_categories", _categories,
                                  "a table of category = [globs]"),
    ("consumers", "exclude"): ("consumer_exclude", _strings, "a list of globs"),
    ("consumers", "clients"): ("consumer_clients", _strings, "a list of receiver names"),
    ("rls", "internal_tables"): ("internal_tables", _strings, "a list of table names"),
    ("rls", "exposed_schemas"): ("exposed_schemas", _strings, "a list of schema names"),
    ("mirror", "prefix"): ("mirror_prefix", _string, "a table-name prefix such as \"sim_\""),
    ("clone", "routes"): ("clone_routes", _strings, "a list of file paths"),
    ("deploy", "targets"): ("deploy_targets", _targets,
                            "an array of tables with `name` and `project_ref`"),
    ("rename", "keep_result_keys"): ("rename_keep_result_keys", _bool, "true or false"),
    ("rename", "objects"): ("rename_objects", _bool, "true or false"),
    ("conventions", "toney"): ("convention_toney", _bool, "true or false"),
    ("conventions", "supabase-cli"): ("convention_cli", _bool, "true or false"),
    ("files", "max_size_kib"): ("max_file_kib", lambda v: v if type(v) is int and v > 0 else None,
                                "a positive number of KiB"),
}
_FIELD_NAMES = {f.name for f in fields(Config)}


def known_settings() -> dict[str, tuple[str, ...]]:
    """Section → the keys Lockstep reads in it, for "did you mean" on a misspelt key.
    `[rules]` lists none here: rule names are known once the rules registered (checks/config)."""
    known: dict[str, tuple[str, ...]] = {"rules": ()}
    for section, key in _SCHEMA:
        known[section] = (*known.get(section, ()), key)
    return known


_SECTIONS = {section for section, _ in _SCHEMA} | {"rules"}


def _header(text: str) -> list[str] | None:
    """`[a.b]` / `[[a.b]]` → ["a", "b"]; None for a line that opens no table."""
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    inner = stripped.strip("[]").split("#", 1)[0].strip()
    return [part.strip().strip("\"'") for part in inner.split(".")]


def _locate(lines: LineIndex | None, key: str, section: str | None = None) -> Range:
    """Where `key` is set inside `[section]` (or the `[key]` / `[section.key]` header).

    tomllib keeps no positions, and a line inside the right table is what a person needs.
    """
    if lines is None:
        return Range.empty()
    current: list[str] = []
    for number in range(lines.line_count):
        text = lines.line_text(number)
        header = _header(text)
        if header is not None:
            current = header
            wanted = [key] if section is None else [section, key]
            if header[: len(wanted)] == wanted:
                return _span(lines, number, text, key)
            continue
        if section is None or current[:1] == [section]:
            stripped = text.lstrip()
            name = stripped.split("=", 1)[0].strip().strip("\"'") if "=" in stripped else None
            if name == key:
                return _span(lines, number, text, key)
    return Range.empty()


def _span(lines: LineIndex, number: int, text: str, key: str) -> Range:
    column = max(text.find(key), 0)
    start = lines.line_start(number) + column
    return lines.range(start, start + len(key))


def apply_settings(
    base: Config, data: Mapping[str, Any], lines: LineIndex | None = None
) -> tuple[Config, list[ConfigProblem]]:
    """Overlay a parsed TOML (or editor settings) document on `base`, collecting problems."""
    problems: list[ConfigProblem] = []
    changes: dict[str, Any] = {}
    for section, body in data.items():
        if section not in _SECTIONS:
            hint = did_you_mean(f"[{section}]", [f"[{s}]" for s in sorted(_SECTIONS - set(data))])
            problems.append(ConfigProblem(f"Unknown section `[{section}]`{hint}",
                                          _locate(lines, section), section))
        elif not isinstance(body, dict):
            what = "of rule = severity" if section == "rules" else "of settings"
            problems.append(ConfigProblem(f"`{section}` must be a table {what}",
                                          _locate(lines, section), section))
        elif section == "rules":
            good = {k: v for k, v in body.items() if v in SEVERITIES}
            for rule_name in (k for k in body if k not in good):
                problems.append(ConfigProblem(
                    f"`rules.{rule_name}` must be one of {', '.join(SEVERITIES)}",
                    _locate(lines, rule_name, "rules"), "rules", rule_name))
            changes["rules"] = {**base.rules, **good}
        else:
            for key, value in body.items():
                problems += _apply_setting(section, key, value, body, changes, lines)
    return replace(base, **changes), problems


def _apply_setting(
    section: str, key: str, value: Any, body: Mapping[str, Any], changes: dict[str, Any],
    lines: LineIndex | None,
) -> list[ConfigProblem]:
    """Convert one `section.key` into `changes`, or say what is wrong with it."""
    entry = _SCHEMA.get((section, key))
    if entry is None:
        taken = set(body)
        hint = did_you_mean(key, [k for s, k in _SCHEMA if s == section and k not in taken])
        return [ConfigProblem(f"Unknown setting `{section}.{key}`{hint}",
                              _locate(lines, key, section), section, key)]
    field_name, convert, expected = entry
    converted = convert(value)
    if converted is None:
        if (section, key) == ("deploy", "targets"):
            unknown = _unknown_target_keys(value, lines)
            if unknown:
                return unknown
        return [ConfigProblem(f"`{section}.{key}` must be {expected}; using the default",
                              _locate(lines, key, section), section, key)]
    assert field_name in _FIELD_NAMES
    changes[field_name] = converted
    return []


def _unknown_target_keys(value: Any, lines: LineIndex | None) -> list[ConfigProblem]:
    """A misspelt key inside `[[deploy.targets]]`, reported on that key."""
    items = value if isinstance(value, list) else []
    return [
        ConfigProblem(
            f"Unknown setting `deploy.targets.{key}`: the deploy targets are ignored"
            f"{did_you_mean(key, _TARGET_KEYS)}", _locate(lines, key, "deploy"), "deploy", key)
        for item in items if isinstance(item, dict)
        for key in item if key not in _TARGET_KEYS
    ]


def rule_names_in(text: str | None) -> dict[str, Range]:
    """The rule names under `[rules]` in a lockstep.toml, and where each is set."""
    try:
        body = tomllib.loads(text).get("rules") if text else None
    except tomllib.TOMLDecodeError:
        return {}
    if not isinstance(body, dict):
        return {}
    lines = LineIndex(text or "")
    return {name: _locate(lines, name, "rules") for name in body}


def load_config(
    text: str | None, base: Config | None = None
) -> tuple[Config, list[ConfigProblem]]:
    """lockstep.toml over `base` (the defaults, or what discovery found in the repository)."""
    base = base or Config()
    if text is None:
        return base, []
    lines = LineIndex(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = max(getattr(error, "lineno", 1) - 1, 0)
        return base, [ConfigProblem(f"lockstep.toml is not valid TOML: {error}",
                                    Range.empty(line))]
    return apply_settings(base, data, lines)


# Config fields that name files or folders Lockstep reads or creates.
_PATH_KEYS = (("migrations", "paths", "migration_paths"), ("migrations", "baseline", "baseline"),
              ("types", "path", "types_path"),
              ("types", "index", "types_index"), ("clone", "routes", "clone_routes"))


def _leaves_root(path: str) -> bool:
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.is_absolute() or PureWindowsPath(path).is_absolute():
        return True
    depth = 0
    for part in pure.parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return False


def confine_paths(config: Config, text: str | None) -> tuple[Config, list[ConfigProblem]]:
    """lockstep.toml comes with the repository, so none of its paths may leave the workspace
    (`../..`, `/etc`): such an entry is dropped with a problem. Editor settings are the
    person's own choice and are not checked here."""
    problems: list[ConfigProblem] = []
    changes: dict[str, Any] = {}
    lines = LineIndex(text) if text is not None else None
    for section, key, name in _PATH_KEYS:
        value = getattr(config, name)
        values: tuple[str, ...] = (value,) if isinstance(value, str) else value
        bad = [v for v in values if _leaves_root(v)]
        if not bad:
            continue
        problems.append(ConfigProblem(
            f"`{section}.{key}` must stay inside the workspace: {', '.join(map(repr, bad))} "
            "leaves it; Lockstep reads and writes nothing outside the workspace root",
            _locate(lines, key, section), section, key))
        kept = tuple(v for v in values if v not in bad)
        default = getattr(Config(), name)
        changes[name] = default if isinstance(value, str) or not kept else kept
    return replace(config, **changes), problems
