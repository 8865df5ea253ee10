"""`[tool.b24gen]` in pyproject.toml: the defaults a project sets for the verbs.

    [tool.b24gen]
    specs = "specs"          # regenerate, mock, sync, lint: the spec folder
    out = "generated"        # regenerate: the output folder
    docs = "../b24-rest-docs"  # regenerate --docs, import: a docs checkout

    [tool.b24gen.lint]
    select = ["LINT", "SPEC"]   # code prefixes to report (default: all)
    ignore = ["LINT204"]
    per-file-ignores = { "specs/legacy/*" = ["LINT113"] }

The file is looked for in the working folder and its parents, as ruff and pytest do; the
command line wins over it. A broken table is a finding, not a traceback.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, diagnostic

KEYS = {"specs", "out", "docs", "lint"}
LINT_KEYS = {"select", "ignore", "per-file-ignores"}


@dataclass(frozen=True)
class LintRules:
    select: tuple[str, ...] = ()  # code prefixes; empty: every code
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def with_options(self, select: str | None, ignore: str | None) -> LintRules:
        """These rules with `--select`/`--ignore` (comma-separated) from the command
        line: a selection there replaces the configured one, ignores add up."""
        chosen = split_codes(select) or self.select
        return LintRules(
            chosen, self.ignore + split_codes(ignore), self.per_file_ignores
        )

    def keeps(self, code: str, path: str) -> bool:
        """Whether a finding of `code` at `path` is reported."""
        if self.select and not code.startswith(self.select):
            return False
        if self.ignore and code.startswith(self.ignore):
            return False
        return not any(
            fnmatch.fnmatch(path, pattern) and code.startswith(codes)
            for pattern, codes in self.per_file_ignores
        )


@dataclass(frozen=True)
class Config:
    specs: str = "specs"
    out: str = "generated"
    docs: str | None = None
    lint: LintRules = field(default_factory=LintRules)
    source: str | None = None  # the pyproject.toml it came from


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(start: Path | None = None) -> tuple[Config, list[Diagnostic]]:
    """The configuration that applies in `start` (the working folder by default)."""
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return Config(), []
    import tomllib  # only where a pyproject.toml is found

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Config(), [diagnostic("CFG001", str(path), f"cannot read it: {exc}")]
    table = data.get("tool", {}).get("b24gen")
    if table is None:
        return Config(source=str(path)), []
    return from_table(table, str(path))


def from_table(table: Any, source: str) -> tuple[Config, list[Diagnostic]]:
    problems: list[Diagnostic] = []

    def wrong(key: str, expected: str) -> None:
        message = f"[tool.b24gen] {key} must be {expected}"
        problems.append(diagnostic("CFG001", source, message))

    if not isinstance(table, dict):
        wrong("", "a table")
        return Config(source=source), problems
    for key in sorted(set(table) - KEYS):
        wrong(key, f"one of the known keys ({', '.join(sorted(KEYS))})")
    values: dict[str, str | None] = {}
    for key in ("specs", "out", "docs"):
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            wrong(key, "a path (a string)")
            value = None
        values[key] = value
    lint = lint_rules(table.get("lint", {}), wrong)
    config = Config(
        specs=values["specs"] or "specs",
        out=values["out"] or "generated",
        docs=values["docs"],
        lint=lint,
        source=source,
    )
    return config, problems


def lint_rules(table: Any, wrong: Any) -> LintRules:
    if not isinstance(table, dict):
        wrong("lint", "a table")
        return LintRules()
    for key in sorted(set(table) - LINT_KEYS):
        wrong(f"lint.{key}", f"one of {', '.join(sorted(LINT_KEYS))}")
    select, ignore = codes(table.get("select"), "lint.select", wrong), codes(
        table.get("ignore"), "lint.ignore", wrong
    )
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw = table.get("per-file-ignores", {})
    if not isinstance(raw, dict):
        wrong("lint.per-file-ignores", "a table of glob = [codes]")
        raw = {}
    for pattern, listed in sorted(raw.items()):
        per_file.append((str(pattern), codes(listed, "lint.per-file-ignores", wrong)))
    return LintRules(select, ignore, tuple(per_file))


def codes(value: Any, key: str, wrong: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        wrong(key, "a list of codes or code prefixes")
        return ()
    return normalized_codes(value)


def split_codes(text: str | None) -> tuple[str, ...]:
    return normalized_codes((text or "").split(","))


def normalized_codes(items: list[str]) -> tuple[str, ...]:
    """Codes or prefixes as the registry spells them: upper case, no blanks."""
    return tuple(c.strip().upper() for c in items if c.strip())
