"""Render docs/rules.md from the rule registry: `python -m lockstep.core.rules.docs`."""

from __future__ import annotations

import sys

from lockstep.core.rules.registry import RULES, Rule
from lockstep.core.rules.registry.advisors import COVERED, LINTER, NOT_COVERED

GROUPS = {
    "migrations": "Migrations",
    "safety": "Migration safety",
    "mirror": "The sim_ mirror",
    "security": "Security",
    "performance": "Performance",
    "types": "Types",
    "consumers": "Consumers",
    "config": "Configuration",
    "internal": "Internal",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _options(rule: Rule) -> list[str]:
    if not rule.options:
        return []
    return ["**Options.** " + "; ".join(f"`{o.key}`: {o.meaning}" for o in rule.options), ""]


def _convention(rule: Rule) -> list[str]:
    if not rule.conventions:
        return []
    names = " or ".join(f"`{name}`" for name in rule.conventions)
    settings = " / ".join(f"`[conventions] {name} = true | false`" for name in rule.conventions)
    return [f"**Convention.** Runs only where the {names} convention is in force: "
            "detected from the repository (`lockstep-lsp info` says why) or set with "
            f"{settings} in `lockstep.toml`.", ""]


def _advisors() -> list[str]:
    """Which of Supabase's database advisors (splinter's lints) a rule covers, and which not."""
    lines = ["## Supabase's database advisors", "",
             "Lockstep decides these lints of Supabase's database linter (splinter) from the "
             "migrations, before deploy and with no database:", "",
             "| splinter lint | Lockstep rule |", "| --- | --- |"]
    lines += [f"| [{lint}]({LINTER}{lint}) | [`{name}`](#{name}) |" for lint, name in COVERED]
    lines += ["", "Not covered (most need a running database):", ""]
    lines += [f"- [{lint}]({LINTER}{lint}): {why}" for lint, why in NOT_COVERED]
    return [*lines, ""]


def render() -> str:
    lines = [
        "# Lockstep rules",
        "",
        "Generated from `server/lockstep/core/rules/` by `python -m lockstep.core.rules.docs`; "
        "do not edit by hand.",
        "",
        "Every rule can be set in `lockstep.toml` (`[rules] rule-name = \"off\" | \"hint\" | "
        "\"information\" | \"warning\" | \"error\"`) and suppressed with "
        "`-- lockstep-ignore rule-name` (SQL) or `// lockstep-ignore rule-name` (TypeScript) on "
        "the line before, or `lockstep-ignore-file rule-name` for a whole file (every rule offers "
        "both as quick fixes).",
        "",
    ]
    lines += _advisors()
    missing = {r.group for r in RULES.values()} - set(GROUPS)
    assert not missing, f"rule groups without a docs section: {missing}"
    for group, title in GROUPS.items():
        members = [r for r in RULES.values() if r.group == group]
        if not members:
            continue
        lines += [f"## {title}", "", "| rule | default | what it flags |", "| --- | --- | --- |"]
        lines += [f"| [`{r.name}`](#{r.name}) | {r.severity} | {_cell(r.summary)} |"
                  for r in members]
        lines.append("")
        for rule in members:
            fence = "sql" if rule.language == "sql" else (
                "toml" if rule.language == "toml" else "ts")
            lines += [
                f"### {rule.name}",
                "",
                f"Default severity: **{rule.severity}**. {rule.summary}",
                "",
                f"**Why.** {rule.why}",
                "",
                *_convention(rule),
                *_options(rule),
                "**Bad**",
                "",
                f"```{fence}",
                rule.bad,
                "```",
                "",
                "**Good**",
                "",
                f"```{fence}",
                rule.good,
                "```",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
