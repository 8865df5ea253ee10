"""`b24gen import`: upstream docs pages (markdown or scraped text) become spec files.

One spec per method at `<to>/<scope>/<method>.md` (a method already in the tree keeps
its file). A markdown page keeps its body; includes and links are pointed into the specs
tree: an include of the docs' `_includes/<name>` becomes one of `<to>/_includes/<name>`
when that file exists and is dropped otherwise, a link to another page becomes a link to
that page's spec when the method is in the tree and `#` otherwise. A scraped page gets a
body written from its record (`body.py`). Then `sync` fills the front matter, so
re-importing a page replaces the body and re-syncs the front matter, keeping the
maintainers' comments in it.

Each result says what the source form could not carry (`lossy` of the IR) and what the
import itself dropped.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import workers
from generator.diagnostics import Diagnostic, diagnostic
from generator.ir import Method
from generator.maintain.body import body_from_method
from generator.maintain.links import LINK, local_target
from generator.maintain.page import SpecPage, read_page
from generator.maintain.sync import sync_text, with_front_matter
from generator.paths import is_inside, resolved, write_atomic
from generator.read import Each, duplicate_methods, every, expand
from generator.read.deps import display_path
from generator.read.frontmatter import split
from generator.read.markdown import (
    page_method_name,
    remember_page_method,
)
from generator.read.yfm import scan

SYSTEM_ERRORS = "system-errors.md"


@dataclass
class Imported:
    source: str
    method: str
    api: str
    target: Path
    action: str = "unchanged"  # created | updated | unchanged
    lost: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def describe(self, dry_run: bool = False) -> str:
        """One line; what the source form lost is summarised once for the run."""
        action = (
            f"would {self.action[:-1]}"
            if dry_run and self.action != "unchanged"
            else self.action
        )
        return f"{action:12s} {self.target}  <- {self.source}"


@dataclass
class ImportRun:
    results: list[Imported] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    skipped: int = 0  # pages that document no method (or another scope)
    scopes_seen: set[str] = field(default_factory=set)  # of every method page read

    def losses(self) -> list[tuple[str, int]]:
        """What the source forms could not carry, with the number of pages each."""
        counted = Counter(item for r in self.results for item in dict.fromkeys(r.lost))
        return sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))

    def summary_data(self) -> dict[str, Any]:
        """The run for `--output-format json`: each method's spec and what became of
        it, the count of each action, pages skipped and what the source forms lost."""
        actions = Counter(r.action for r in self.results)
        return {
            "methods": [
                {
                    "method": r.method,
                    "api": r.api,
                    "source": r.source,
                    "target": str(r.target),
                    "action": r.action,
                    "lost": r.lost,
                }
                for r in self.results
            ],
            **{a: actions[a] for a in ("created", "updated", "unchanged")},
            "skipped": self.skipped,
            "lost": [{"what": what, "pages": n} for what, n in self.losses()],
        }


def import_sources(
    sources: list[Path],
    to: Path,
    scopes: list[str] | None = None,
    write: bool = True,
    on_result: Callable[[Imported], None] | None = None,
    each: Each = every,
) -> ImportRun:
    """Import the method pages below `sources` into `to`; `on_result` sees each
    result as it is made (the CLI streams them), `each` walks the pages read (the
    CLI's progress bar)."""
    run = ImportRun()
    if to.exists() and not to.is_dir():
        message = f"{to} is a file, not a folder"
        run.problems.append(diagnostic("OUT001", str(to), message))
        return run
    pages: list[tuple[SpecPage, Method]] = []
    files = expand(sources)
    for sp in workers.paced(workers.ordered_map(read_for_import, files), each(files)):
        run.problems.extend(p for p in sp.problems if p.severity == "error")
        m = sp.method
        if m is not None:
            run.scopes_seen.update(s for s in m.scopes or (m.scope,) if s)
        if m is None or (scopes and not set(scopes) & set(m.scopes or (m.scope,))):
            run.skipped += 1
            continue
        pages.append((sp, m))
    pages = first_claims(pages, run)
    targets = plan_targets([m for _, m in pages], existing_specs(to), to)
    by_name = {key[0]: path for key, path in targets.items()}
    # links between specs not yet written resolve at once
    titles = {resolved(targets[m.key]): m.method for _, m in pages}
    jobs: list[tuple[SpecPage, Method, Path]] = []
    for sp, m in pages:
        target = targets[m.key]
        if not is_inside(to, target):  # a linked folder below --to leads elsewhere
            message = f"{m.method} would be written to {target}, outside {to}"
            run.problems.append(diagnostic("OUT005", sp.display, message))
            continue
        jobs.append((sp, m, target))
    context = (titles, to, by_name, write)
    for result in workers.ordered_map(import_job, jobs, import_setup, context):
        run.results.append(result)
        if on_result is not None:
            on_result(result)
    return run


def read_for_import(path: Path) -> SpecPage:
    return read_page(path).slim()


# What every page's import needs, set once in each worker (`import_setup`).
_SHARED: dict[str, Any] = {}


def import_setup(
    titles: dict[Path, str], to: Path, by_name: dict[str, Path], write: bool
) -> None:
    for target, name in titles.items():
        remember_page_method(target, name)
    _SHARED.update(to=to, by_name=by_name, write=write)


def import_job(job: tuple[SpecPage, Method, Path]) -> Imported:
    """One page's import; a bug that raises on it is that page's IMP000, and the
    other pages go on (in a worker, a raise would leave pages written but never
    reported)."""
    sp, m, target = job
    try:
        return import_page(
            sp, m, target, _SHARED["to"], _SHARED["by_name"], _SHARED["write"]
        )
    except Exception as exc:  # noqa: BLE001 (reported as the page's finding)
        message = f"importing the page raised {type(exc).__name__}: {exc}"
        return Imported(
            sp.display,
            m.method,
            m.api,
            target,
            problems=[diagnostic("IMP000", sp.display, message)],
        )


def first_claims(
    pages: list[tuple[SpecPage, Method]], run: ImportRun
) -> list[tuple[SpecPage, Method]]:
    """One page per method (name and api): the first, as the readers keep it
    (`duplicate_methods`, the rule `diff` follows too); every later page claiming
    the method is a SPEC008 naming both pages, and nothing of it is written."""
    kept, found = duplicate_methods([m for _, m in pages])
    run.problems.extend(found)
    first = {id(m) for m in kept}
    return [(sp, m) for sp, m in pages if id(m) in first]


def existing_specs(to: Path) -> dict[tuple[str, str], Path]:
    found: dict[tuple[str, str], Path] = {}
    for path in expand([to]) if to.is_dir() else []:
        sp = read_page(path)
        if sp.method is not None:
            found.setdefault(sp.method.key, path)
    return found


def plan_targets(
    methods: list[Method], existing: dict[tuple[str, str], Path], to: Path
) -> dict[tuple[str, str], Path]:
    """Where each method's spec lives: its existing file, else `<scope>/<method>.md`
    (`<method>.<api>.md` when another record of the name has that file)."""
    targets = dict(existing)
    taken = set(existing.values())
    for m in methods:
        if m.key in targets:
            continue
        folder = to / (m.scope or "unscoped")
        path = folder / f"{m.method}.md"
        if path in taken:
            path = folder / f"{m.method}.{m.api}.md"
        targets[m.key] = path
        taken.add(path)
    return targets


def import_page(
    sp: SpecPage,
    m: Method,
    target: Path,
    to: Path,
    by_name: dict[str, Path],
    write: bool,
) -> Imported:
    """Import `m`, the method page `sp` documents, into its spec at `target`."""
    result = Imported(sp.display, m.method, m.api, target, lost=list(m.lossy))
    include = (
        relative(to / "_includes" / SYSTEM_ERRORS, target.parent)
        if (to / "_includes" / SYSTEM_ERRORS).is_file()
        else None
    )
    if sp.is_markdown:
        body, lost = rebased_body(sp, target, to, by_name)
    else:
        body, lost = body_from_method(m, include), []
        if any(not e.code for e in m.errors if not e.system):
            lost.append("error rows without a code")
    result.lost += lost
    head = (
        front_matter_lines(target.read_text(encoding="utf-8"))
        if target.is_file()
        else front_matter_lines(sp.text or "")
    )
    old = target.read_text(encoding="utf-8") if target.is_file() else None
    synced = sync_text(head + body, target, display_path(target))
    if not any(p.severity == "error" for p in synced.problems):
        completed, notes = completed_front_matter(synced.new, m)
        if completed != synced.new:
            result.lost += notes
            synced = sync_text(completed, target, display_path(target))
    result.problems = synced.problems
    if any(p.severity == "error" for p in synced.problems):
        return result
    if synced.new != old:
        result.action = "created" if old is None else "updated"
        if write:
            write_atomic(target, synced.new)
    return result


UNSCOPED = "unscoped"
EXAMPLE_ONLY = (
    "sent by the page's code examples; the page's parameter table does not list it"
)


def completed_front_matter(text: str, m: Method) -> tuple[str, list[str]]:
    """What the page leaves open, filled in so the spec is whole: a page without a
    Scope line gets `scope: unscoped` (the folder it is placed in), and keys the
    examples send that the parameter table lacks become front-matter parameters of
    type any (sync keeps them while the examples send them). Returns the text and
    notes for the import's report."""
    fm, _ = split(text, "")
    if not fm.present or not fm.parsed:
        return text, []
    changes: dict[str, Any] = {}
    notes: list[str] = []
    if not fm.data.get("scope") and not m.scopes:
        changes["scope"] = UNSCOPED
        notes.append(f"the page names no scope (scope: {UNSCOPED})")
    params = fm.data.get("params")
    if isinstance(params, list):
        names = {p.name.lower() for p in m.params}
        listed = {str(p.get("name")) for p in params if isinstance(p, dict)}
        extra = [
            k
            for k in sent_keys(m)
            if k.lower() not in names and k not in listed and NAME.fullmatch(k)
        ]
        if extra:
            changes["params"] = list(params) + [
                {
                    "name": k,
                    "type": "any",
                    "required": False,
                    "description": EXAMPLE_ONLY,
                }
                for k in extra
            ]
            notes.append(
                "parameters only the examples send, kept in the front matter: "
                + ", ".join(extra)
            )
    return (with_front_matter(text, changes) if changes else text), notes


NAME = re.compile(r"[A-Za-z_][\w.\[\]-]{0,80}")


def sent_keys(m: Method) -> list[str]:
    keys: list[str] = []
    for e in m.examples:
        if isinstance(e.payload, dict):
            keys.extend(str(k) for k in e.payload if str(k) not in keys)
    return keys


def front_matter_lines(text: str) -> str:
    """The `---` … `---` block a text starts with (with its newline), or ''."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return ""
    end = next(
        (i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None
    )
    return "" if end is None else "\n".join(lines[: end + 1]) + "\n"


def relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(resolved(target), resolved(start))).as_posix()


def rebased_body(
    sp: SpecPage, target: Path, to: Path, by_name: dict[str, Path]
) -> tuple[str, list[str]]:
    """The page body with includes and links pointed into the specs tree."""
    body = sp.fm.body.lstrip("\n")
    source = body.split("\n")
    lines: list[str | None] = list(source)  # None: a line dropped
    blocks, _ = scan(body, sp.display)
    skip: set[int] = set()
    for b in blocks:
        if b.kind == "code":
            skip.update(range(b.line - 1, b.line + b.text.count("\n") + 1))
    lost: list[str] = []
    for b in (b for b in blocks if b.kind == "include"):
        skip.add(b.line - 1)
        lines[b.line - 1] = rebased_include(
            source[b.line - 1], b.text, target, to, lost
        )
    dead = 0
    folder = sp.path.parent
    for i, line in enumerate(lines):
        if i not in skip and line and "](" in line:  # no link without it
            lines[i], n = rebased_links(line, folder, target, by_name)
            dead += n
    if dead:
        lost.append(f"{dead} link(s) to pages that are not specs (now '#')")
    return "\n" + "\n".join(without_dropped(lines)).rstrip("\n") + "\n", lost


def without_dropped(lines: list[str | None]) -> list[str]:
    """Lines left after dropping some, without the doubled blank line a drop leaves."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if line is None:
            if (
                out
                and not out[-1].strip()
                and i + 1 < len(lines)
                and not (lines[i + 1] or "").strip()
            ):
                out.pop()
            continue
        out.append(line)
    return out


def rebased_include(
    line: str, href: str, target: Path, to: Path, lost: list[str]
) -> str | None:
    name = Path(href.split("#")[0]).name
    local = to / "_includes" / name
    if local.is_file():
        return line.replace(f"({href})", f"({relative(local, target.parent)})")
    lost.append(f"include of {name} (no {to.name}/_includes/{name})")
    return None


def rebased_links(
    line: str, source_dir: Path, target: Path, by_name: dict[str, Path]
) -> tuple[str, int]:
    dead = 0

    def point(match: re.Match[str]) -> str:
        nonlocal dead
        bang, label, href = match.groups()
        page = local_target(source_dir, href)
        if page is None:
            return match.group(0)
        name = page_method_name(resolved(page))
        spec = by_name.get(name.lower()) if name else None
        if spec is None:
            dead += 1
            return f"{bang}[{label}](#)"
        anchor = href.partition("#")[2]
        fragment = "#" + anchor if anchor else ""
        return f"{bang}[{label}]({relative(spec, target.parent)}{fragment})"

    return LINK.sub(point, line), dead
