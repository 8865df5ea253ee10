"""The pipeline as the CLI and tests call it: read specs, plan, write or check."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.diagnostics import Diagnostic, diagnostic
from generator.ir import Method
from generator.read import duplicate_methods, expand, read_file, read_paths
from generator.render import plan
from generator.render.naming import with_python_names
from generator.render.write import foreign_files, tree_diff, write_tree


@dataclass
class Loaded:
    methods: list[Method] = field(default_factory=list)
    specs: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.severity == "error"]


def load_specs(root: Path) -> Loaded:
    """Read every spec below `root`; paths are shown as `<root name>/<relative path>`
    so headers do not depend on where the checkout lives."""
    loaded = Loaded()
    if not root.is_dir():
        loaded.problems.append(
            diagnostic(
                "READ003",
                str(root),
                "specs folder does not exist",
                "pass the folder holding the spec files",
            )
        )
        return loaded
    found_all: list[Method] = []
    for path in expand([root]):
        display = f"{root.name}/{path.relative_to(root).as_posix()}"
        found, problems = read_file(path, "markdown", display)
        loaded.problems.extend(problems)
        if not found and not any(p.severity == "error" for p in problems):
            loaded.problems.append(
                diagnostic(
                    "SPEC009",
                    display,
                    "no method found in spec",
                    "a spec needs a front matter with 'method'",
                )
            )
        found_all.extend(found)
    loaded.methods, duplicates = duplicate_methods(found_all)
    loaded.problems.extend(duplicates)
    loaded.specs = {m.key: m.source.path for m in loaded.methods if m.source}
    return loaded


def load_docs(root: Path) -> Loaded:
    """Read a docs tree (its root or its `api-reference`, any form the readers know):
    the methods its pages document, with the pages' own paths."""
    loaded = Loaded()
    if not root.exists():
        loaded.problems.append(
            diagnostic(
                "READ003",
                str(root),
                "docs folder does not exist",
                "pass a checkout of the docs or its api-reference folder",
            )
        )
        return loaded
    methods, loaded.problems = read_paths([root])
    loaded.methods, duplicates = duplicate_methods(methods)
    loaded.problems.extend(duplicates)
    loaded.specs = {m.key: m.source.path for m in loaded.methods if m.source}
    return loaded


@dataclass
class Outcome:
    problems: list[Diagnostic]
    changed: list[str]
    written: bool = False


def regenerate(
    specs: Path, out: Path, check: bool = False, force: bool = False
) -> Outcome:
    loaded = load_specs(specs)
    if loaded.errors:
        return Outcome(loaded.problems, [])
    refused = output_problems(out, specs, check or force)
    if refused:
        return Outcome(loaded.problems + refused, [])
    files = plan(loaded.methods, loaded.specs)
    changed = tree_diff(out, files)
    if check or not changed:
        return Outcome(loaded.problems, changed)
    write_tree(out, files)
    return Outcome(loaded.problems, changed, written=True)


def output_problems(out: Path, source: Path, overwrite: bool) -> list[Diagnostic]:
    """Why `out` may not be written: not a folder, the input itself, or (unless
    `overwrite`) holding files b24gen did not write as they are."""
    shown = str(out)
    if out.exists() and not out.is_dir():
        return [diagnostic("OUT001", shown, f"{shown} is a file, not a folder")]
    real_out, real_source = out.resolve(), source.resolve()
    if real_source == real_out or real_source.is_relative_to(real_out):
        return [diagnostic("OUT004", shown, f"{shown} is or holds the input {source}")]
    if overwrite:
        return []
    return [
        diagnostic(
            "OUT002" if f.edited else "OUT003",
            f"{shown}/{f.path}",
            "edited since b24gen wrote it" if f.edited else "not written by b24gen",
        )
        for f in foreign_files(out)
    ]


def read_ir(
    paths: list[Path], fmt: str | None = None
) -> tuple[list[Method], list[Diagnostic]]:
    """Methods as `b24gen ir` prints them: with the Python names the client will use."""
    methods, problems = read_paths(paths, fmt)
    return [replace(m, params=with_python_names(m.params)) for m in methods], problems
