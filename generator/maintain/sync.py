"""`b24gen sync`: fill or refresh the front matter from the body.

Only keys whose value differs from what the body says are rewritten (see `derive.py`);
the rest of the front matter stays byte-for-byte (see `yamlrt.py`) and the body is never
touched, except by `--fix`, which also repairs the mechanical defects lint marks as
fixable (a code fence "closed" with four or more spaces of indent). Files are written
atomically.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError

from generator.diagnostics import Diagnostic, diagnostic
from generator.maintain.derive import ORDER, derived, differences
from generator.maintain.page import read_page_text
from generator.maintain.yamlrt import (
    fresh,
    merge_items,
    merge_mapping,
    update_mapping,
)
from generator.paths import write_atomic
from generator.read import Each, every, expand
from generator.read.deps import display_path
from generator.read.frontmatter import YamlMapping, split
from generator.read.markdown import (
    normalized,
    param_from_front_matter,
    read_file_text,
)
from generator.read.yfm import scan


def same_param(old: YamlMapping, new: YamlMapping) -> bool:
    a, b = param_from_front_matter(old, None), param_from_front_matter(new, None)
    return (a.name, a.type, a.item_type, a.required) == (
        b.name,
        b.type,
        b.item_type,
        b.required,
    )


def same_error(old: YamlMapping, new: YamlMapping) -> bool:
    same_code: bool = str(old.get("code")) == new["code"]
    same_status: bool = old.get("status") == new.get("status")
    return same_code and same_status


MERGERS = {
    "params": merge_items(
        "name", ("name", "type", "required", "item_type"), same_param
    ),
    "errors": merge_items("code", ("code", "status"), same_error),
    "returns": merge_mapping,
}


UNREADABLE_FRONT_MATTER = ("SPEC001", "SPEC002", "SPEC003")


@dataclass
class Synced:
    path: Path
    display: str
    old: str
    new: str
    problems: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)  # defects --fix repaired

    @property
    def changed(self) -> bool:
        return self.old != self.new


# ---------------------------------------------------------------- one text


def sync_text(text: str, path: Path, display: str, fix: bool = False) -> Synced:
    """The synced text of one page (pure apart from reading its includes). `text` is
    as the file holds it: a byte-order mark and CRLF line ends are kept."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    synced = sync_body(text.removeprefix(bom), path, display, fix)
    return replace(synced, old=text, new=bom + synced.new)


def sync_body(text: str, path: Path, display: str, fix: bool) -> Synced:
    fixed: list[Diagnostic] = []
    new = text
    if fix:
        new, fixed = fix_fences(new, display)
    sp = read_page_text(normalized(new), path, display)
    if not sp.is_markdown:
        return Synced(
            path,
            display,
            text,
            text,
            [
                diagnostic(
                    "SYNC001",
                    display,
                    f"a {sp.fmt}-scraped page has no front matter to sync",
                    "turn it into a spec with `b24gen import`",
                )
            ],
        )
    broken = [p for p in sp.problems if p.code in UNREADABLE_FRONT_MATTER]
    if broken:
        return Synced(path, display, text, new, broken, fixed)
    want = derived(sp)
    changes = {d.key: d.new for d in differences(sp.fm.data, want)}
    if changes:
        try:
            new = with_front_matter(new, changes)
        except YAMLError as exc:
            return Synced(
                path,
                display,
                text,
                text,
                [
                    diagnostic(
                        "SYNC002",
                        display,
                        f"the front matter cannot be edited: {exc}".split("\n")[0],
                        "fix the YAML (duplicate keys, tabs) and sync again",
                    )
                ],
            )
    return Synced(path, display, text, new, [], fixed)


def with_front_matter(text: str, changes: dict[str, Any]) -> str:
    """`text` with its front matter updated (or a new one put in front of it)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        yaml_text = fresh(changes).rstrip("\n")
        return newline.join(["---", *yaml_text.split("\n"), "---"]) + newline + text
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    crlf = [ln.endswith("\r") for ln in lines[1:end]]
    yaml_text = "\n".join(
        ln[:-1] if cr else ln for ln, cr in zip(lines[1:end], crlf, strict=True)
    )
    updated = update_mapping(yaml_text, changes, ORDER, MERGERS).split("\n")
    if newline == "\r\n":
        updated = [ln + "\r" for ln in updated]
    if updated == [""] or updated == ["\r"]:
        updated = []
    return "\n".join([lines[0], *updated, *lines[end:]])


def fix_fences(text: str, display: str) -> tuple[str, list[Diagnostic]]:
    """Indent each code fence that only looks closed (YFM001) like the fence it closes,
    one at a time: every repair changes how the rest of the page scans."""
    fm, _ = split(text, display)
    lines = text.split("\n")
    fixed: list[Diagnostic] = []
    for _ in range(len(lines)):
        body = "\n".join(lines[fm.body_line - 1 :])
        blocks, problems = scan(body, display, fm.body_line)
        bad = next((p for p in problems if p.code == "YFM001"), None)
        if bad is None:
            break
        line = bad.position.line
        opener = max(
            (b for b in blocks if b.kind == "code" and b.line < line),
            key=lambda b: b.line,
            default=None,
        )
        if opener is None:
            break
        idx = line - 1
        lines[idx] = " " * (opener.col - 1) + lines[idx].lstrip(" \t")
        fixed.append(bad)
    return "\n".join(lines), fixed


# ---------------------------------------------------------------- files


def sync_paths(
    paths: list[Path], fix: bool = False, each: Each = every
) -> list[Synced]:
    """What syncing every page below `paths` gives; nothing is written (see `write`).
    `each` walks the pages (the CLI's progress bar)."""
    out = []
    for path in each(expand(paths)):
        display = display_path(path)
        text, problems = read_file_text(path, display, raw=True)
        out.append(
            Synced(path, display, "", "", problems)
            if text is None
            else sync_text(text, path, display, fix)
        )
    return out


def write(results: list[Synced]) -> list[Synced]:
    """Write the pages that changed and have no errors; returns them."""
    written = [
        r
        for r in results
        if r.changed and not any(p.severity == "error" for p in r.problems)
    ]
    for r in written:
        write_atomic(r.path, r.new)
    return written


def unified(display: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), f"a/{display}", f"b/{display}"
        )
    )


def summary_data(results: list[Synced], written: list[Synced]) -> dict[str, Any]:
    """The run for `--output-format json`: files read, those that change (or would,
    under `--check`), those written and the defects `--fix` repaired."""
    return {
        "files": len(results),
        "changed": [r.display for r in results if r.changed],
        "written": [r.display for r in written],
        "fixed": sum(len(r.fixed) for r in results),
    }
