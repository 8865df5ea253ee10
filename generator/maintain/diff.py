"""`b24gen diff`: what changed between two spec or docs trees, for users of the client.

Both trees are read into IR records (one record per method and api: a second page
claiming a method is a SPEC008 and is left out, the rule `b24gen import` follows) and
compared method by method. Whether a change is *breaking* is decided from what the
client generated from each tree would do, not from the docs' wording:

* types are compared as the client types them (`render.types.annotation`): `int` and
  `integer`, `array<integer>` and `integer[]` are one type, so a change of spelling
  changes nothing in the client and is listed apart as docs-only;
* a type is breaking only when the new annotation no longer accepts what the old one
  did (`int` -> `int | str` widens);
* a parameter or error code that disappears while a similar one appears is paired as
  a rename (`taskId` -> `TASKID`); a parameter rename breaks calls only when the
  keyword argument's Python name changes, an error rename always changes the class;
* an HTTP status the old table listed in its code column (`400`) is no error class
  of its own: its changes, and changes of an error's status alone, are status-only;
* a removed method, parameter or error class, a parameter that became required, a
  required parameter added, and a result type that no longer fits are breaking.

Changes are grouped by scope with counts. Two git revisions of a docs checkout are
compared directly (`git_trees`: `git archive` of each revision into a temp folder).
"""

from __future__ import annotations

import difflib
import io
import json
import re
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from generator.ir import Error, Method, Param
from generator.maintain.compare import CODE_SHAPE, pair_methods
from generator.maintain.derive import returns_type
from generator.render.naming import snake
from generator.render.types import annotation


@dataclass(frozen=True)
class Change:
    method: str
    api: str
    kind: str
    subject: str = ""
    old: str | None = None
    new: str | None = None
    breaking: bool = False
    scope: str = ""

    @property
    def client(self) -> bool:
        """Whether the generated client changes at all."""
        return self.kind not in DOCS_ONLY

    def describe(self) -> str:
        what = {
            "method-added": "method added",
            "method-removed": "method removed",
            "method-deprecated": "deprecated"
            + (f", use `{self.new}`" if self.new else ""),
            "method-undeprecated": "no longer deprecated",
            "replacement-changed": (
                f"replacement changed from `{self.old}` to `{self.new}`"
            ),
            "param-added": f"parameter `{self.subject}` added ({self.new})",
            "param-removed": f"parameter `{self.subject}` removed",
            "param-renamed": (
                f"parameter `{self.old}` renamed to `{self.subject}`"
                + ("" if self.breaking else " (same Python name)")
            ),
            "param-required": f"parameter `{self.subject}` is now required",
            "param-optional": f"parameter `{self.subject}` is now optional",
            "param-type": (
                f"parameter `{self.subject}` type changed "
                f"from `{self.old}` to `{self.new}`"
            ),
            "param-type-spelling": (
                f"parameter `{self.subject}` type spelt `{self.new}` "
                f"instead of `{self.old}` (same client type)"
            ),
            "returns-type": f"result type changed from `{self.old}` to `{self.new}`",
            "error-added": f"error `{self.subject}` added",
            "error-removed": f"error `{self.subject}` removed",
            "error-renamed": f"error `{self.old}` renamed to `{self.subject}`",
            "error-status": (
                f"error `{self.subject}`: HTTP status "
                f"{self.old or 'none'} -> {self.new or 'none'}"
            ),
            "status-as-code": (
                f"HTTP status `{self.subject}` "
                + (
                    "no longer listed as an error code"
                    if self.new is None
                    else "listed as an error code"
                )
            ),
        }[self.kind]
        return f"`{self.method}`{' (REST 3.0)' if self.api == 'v3' else ''}: {what}"


KINDS = [
    "method-removed",
    "method-added",
    "method-deprecated",
    "method-undeprecated",
    "replacement-changed",
    "param-removed",
    "param-added",
    "param-renamed",
    "param-required",
    "param-optional",
    "param-type",
    "param-type-spelling",
    "returns-type",
    "error-removed",
    "error-added",
    "error-renamed",
    "error-status",
    "status-as-code",
]
# Changes of the docs that leave the generated client as it was.
DOCS_ONLY = {"param-type-spelling", "error-status", "status-as-code"}


def diff_methods(old: list[Method], new: list[Method]) -> list[Change]:
    old_keys = {m.key for m in old}
    new_keys = {m.key for m in new}
    changes = [
        Change(m.method, m.api, "method-removed", breaking=True, scope=m.scope)
        for m in old
        if m.key not in new_keys
    ]
    changes += [
        Change(m.method, m.api, "method-added", scope=m.scope)
        for m in new
        if m.key not in old_keys
    ]
    for before, after in pair_methods(old, new):
        changes += method_changes(before, after)
    return sorted(
        changes, key=lambda c: (c.method.lower(), c.api, KINDS.index(c.kind), c.subject)
    )


def method_changes(a: Method, b: Method) -> list[Change]:
    out = []
    if a.deprecated != b.deprecated:
        kind = "method-deprecated" if b.deprecated else "method-undeprecated"
        out.append(Change(b.method, b.api, kind, new=b.replacement))
    elif b.deprecated and a.replacement != b.replacement:
        out.append(
            Change(
                b.method,
                b.api,
                "replacement-changed",
                old=a.replacement,
                new=b.replacement,
            )
        )
    out += param_changes(a, b) + returns_changes(a, b) + error_changes(a, b)
    return [replace(c, scope=b.scope or a.scope) for c in out]


# ---------------------------------------------------------------- parameters


GENERIC = re.compile(r"^(?:array|list)\s*<\s*(.+?)\s*>$", re.I)


def spelled(doc_type: str, item_type: str | None) -> tuple[str, str | None]:
    """The docs' spellings of one type made one: `array<integer>`, `integer[]` and
    array of `integer` are the same array; case does not matter."""
    t = doc_type.strip().lower()
    m = GENERIC.match(t)
    if m:
        return "array", m.group(1)
    if t.endswith("[]"):
        return "array", t[:-2]
    return t, item_type.lower() if item_type else None


def client_type(p: Param) -> str:
    """The annotation the generated client gives the parameter (`render.types`)."""
    return annotation(*spelled(p.type, p.item_type))


def type_text(p: Param) -> str:
    return f"{p.item_type}[]" if p.type == "array" and p.item_type else p.type


def parts(annotation_text: str) -> set[str]:
    """The members of a union annotation (`int | str` -> {int, str}), brackets kept
    whole."""
    out, depth, word = set(), 0, ""
    for ch in annotation_text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            out.add(word.strip())
            word = ""
        else:
            word += ch
    out.add(word.strip())
    return {p for p in out if p}


def accepts(new: str, old: str) -> bool:
    """Whether a value of client type `old` is still accepted by `new`."""
    if new == old or "Any" in parts(new):
        return True
    return parts(old) <= parts(new)


def widens(old: Param, new: Param) -> bool:
    """The new type accepts everything the old one did (`integer` -> `integer |
    string`, anything -> `any`), as the client types them."""
    return accepts(client_type(new), client_type(old))


def param_changes(a: Method, b: Method) -> list[Change]:
    before = {p.name: p for p in a.params}
    after = {p.name: p for p in b.params}
    removed = [n for n in before if n not in after]
    added = [n for n in after if n not in before]
    pairs = renamed_params(removed, added, before, after)
    out: list[Change] = []
    for old_name, new_name in pairs:
        q, p = before[old_name], after[new_name]
        out.append(
            Change(
                b.method,
                b.api,
                "param-renamed",
                new_name,
                old_name,
                new_name,
                breaking=snake(old_name) != snake(new_name),
            )
        )
        out += same_param_changes(b, new_name, q, p)
    paired_old = {o for o, _ in pairs}
    paired_new = {n for _, n in pairs}
    out += [
        Change(b.method, b.api, "param-removed", n, breaking=True)
        for n in removed
        if n not in paired_old
    ]
    out += [
        Change(
            b.method,
            b.api,
            "param-added",
            n,
            new="required" if after[n].required else "optional",
            breaking=after[n].required,
        )
        for n in added
        if n not in paired_new
    ]
    for name in (n for n in after if n in before):
        out += same_param_changes(b, name, before[name], after[name])
    return out


def same_param_changes(b: Method, name: str, q: Param, p: Param) -> list[Change]:
    out = []
    if p.required != q.required:
        out.append(
            Change(
                b.method,
                b.api,
                "param-required" if p.required else "param-optional",
                name,
                breaking=p.required,
            )
        )
    if type_text(p) != type_text(q):
        same = client_type(p) == client_type(q)
        out.append(
            Change(
                b.method,
                b.api,
                "param-type-spelling" if same else "param-type",
                name,
                type_text(q),
                type_text(p),
                breaking=not same and not widens(q, p),
            )
        )
    return out


def squashed(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def renamed_params(
    removed: list[str],
    added: list[str],
    before: dict[str, Param],
    after: dict[str, Param],
) -> list[tuple[str, str]]:
    """Removed and added parameters that are one parameter renamed: the same letters
    (`taskId` -> `TASKID`, `task_id`), or a close spelling of the same client type."""

    def score(o: str, n: str) -> float:
        if squashed(o) == squashed(n):
            return 2.0
        if client_type(before[o]) != client_type(after[n]):
            return 0.0
        ratio = difflib.SequenceMatcher(None, squashed(o), squashed(n)).ratio()
        return ratio if ratio >= 0.8 else 0.0

    return best_pairs(removed, added, score)


def best_pairs(
    left: list[str], right: list[str], score: Callable[[str, str], float]
) -> list[tuple[str, str]]:
    """Greedy one-to-one pairing by descending score (ties in list order)."""
    scored = sorted(
        (-s, i, j, o, n)
        for i, o in enumerate(left)
        for j, n in enumerate(right)
        if (s := score(o, n)) > 0
    )
    used_left: set[str] = set()
    used_right: set[str] = set()
    out = []
    for _, _, _, o, n in scored:
        if o in used_left or n in used_right:
            continue
        used_left.add(o)
        used_right.add(n)
        out.append((o, n))
    return out


# ---------------------------------------------------------------- the result

JSON_ANNOTATION = {
    "boolean": "bool",
    "integer": "int",
    "double": "float",
    "string": "str",
    "array": "list",
    "object": "dict",
}


def result_type(m: Method) -> str | None:
    """The client's type of `result`, coarse: from the response example or the
    returned-data table (None when the docs give neither)."""
    doc = returns_type(m)
    if doc is None:
        return None
    if doc in JSON_ANNOTATION:
        return JSON_ANNOTATION[doc]
    typed = annotation(doc)
    return re.sub(r"\[.*\]$", "", typed)


def returns_changes(a: Method, b: Method) -> list[Change]:
    old, new = result_type(a), result_type(b)
    if old is None or new is None or old == new:
        return []
    compatible = new == "Any" or (old == "int" and new == "float")
    return [Change(b.method, b.api, "returns-type", "result", old, new, not compatible)]


# ---------------------------------------------------------------- errors

STATUS_CODE = re.compile(r"[45]\d\d")


def is_status_row(e: Error) -> bool:
    """An HTTP status written in a table's code column (`400`), not an error code."""
    return bool(STATUS_CODE.fullmatch(e.code)) and e.status in (None, int(e.code))


def own_errors(m: Method) -> dict[str, Error]:
    """The method's error codes (first row of each), HTTP statuses in the code column
    left out."""
    out: dict[str, Error] = {}
    for e in m.errors:
        if e.system or e.odd or not CODE_SHAPE.fullmatch(e.code) or is_status_row(e):
            continue
        out.setdefault(e.code, e)
    return out


def status_rows(m: Method) -> set[str]:
    return {e.code for e in m.errors if not e.system and is_status_row(e)}


def error_changes(a: Method, b: Method) -> list[Change]:
    before, after = own_errors(a), own_errors(b)
    removed = [c for c in before if c not in after]
    added = [c for c in after if c not in before]

    def score(o: str, n: str) -> float:
        x, y = before[o], after[n]
        if x.status is not None and y.status is not None and x.status != y.status:
            return 0.0
        by_code = difflib.SequenceMatcher(None, squashed(o), squashed(n)).ratio()
        by_text = difflib.SequenceMatcher(
            None, x.message.lower(), y.message.lower()
        ).ratio()
        if squashed(o) == squashed(n):
            return 2.0
        if x.message and by_text >= 0.9:
            return 1.0 + by_text
        return by_code if by_code >= 0.8 else 0.0

    pairs = best_pairs(removed, added, score)
    out = [
        Change(b.method, b.api, "error-renamed", n, o, n, breaking=True)
        for o, n in pairs
    ]
    paired_old = {o for o, _ in pairs}
    paired_new = {n for _, n in pairs}
    out += [
        Change(b.method, b.api, "error-removed", c, breaking=True)
        for c in removed
        if c not in paired_old
    ]
    out += [
        Change(b.method, b.api, "error-added", c) for c in added if c not in paired_new
    ]
    out += [
        Change(
            b.method,
            b.api,
            "error-status",
            c,
            str(before[c].status) if before[c].status else None,
            str(after[c].status) if after[c].status else None,
        )
        for c in after
        if c in before and before[c].status != after[c].status
    ]
    old_rows, new_rows = status_rows(a), status_rows(b)
    out += [
        Change(b.method, b.api, "status-as-code", s, old=s)
        for s in sorted(old_rows - new_rows)
    ]
    out += [
        Change(b.method, b.api, "status-as-code", s, new=s)
        for s in sorted(new_rows - old_rows)
    ]
    return out


# ---------------------------------------------------------------- two git revisions


class GitError(Exception):
    """A revision that cannot be read from the repository (the message says why)."""


@contextmanager
def git_trees(repo: Path, revisions: str) -> Iterator[tuple[Path, Path]]:
    """The trees of `OLD..NEW` of a git checkout, each extracted with `git archive`
    into a temp folder (removed afterwards); the working tree is not touched."""
    if ".." not in revisions or revisions.count("..") != 1:
        raise GitError(f"'{revisions}' is not a range OLD..NEW")
    old, new = revisions.split("..")
    if not old or not new:
        raise GitError(f"'{revisions}' names no old or no new revision")
    with tempfile.TemporaryDirectory(prefix="b24gen-diff-") as tmp:
        dirs = []
        for label, rev in (("old", old), ("new", new)):
            target = Path(tmp) / label
            target.mkdir()
            extract(repo, rev, target)
            dirs.append(docs_root(target))
        yield dirs[0], dirs[1]


def extract(repo: Path, rev: str, target: Path) -> None:
    if rev.startswith("-"):
        raise GitError(f"'{rev}' is not a revision")
    try:
        run = subprocess.run(
            ["git", "-C", str(repo), "archive", "--format=tar", rev],
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc}") from exc
    if run.returncode != 0:
        raise GitError(run.stderr.decode("utf-8", "replace").strip() or "git failed")
    with tarfile.open(fileobj=io.BytesIO(run.stdout)) as tar:
        tar.extractall(target, filter="data")


def docs_root(tree: Path) -> Path:
    """The api-reference folder of a docs checkout, when it has one."""
    found = sorted(tree.glob("**/api-reference"), key=lambda p: len(p.parts))
    return found[0] if found else tree


# ---------------------------------------------------------------- output


def breaking(changes: list[Change]) -> list[Change]:
    return [c for c in changes if c.breaking]


def scope_of(c: Change) -> str:
    return c.scope or "(no scope)"


def by_scope(changes: list[Change]) -> dict[str, dict[str, int]]:
    """Per scope: how many changes break the client, change it, or only the docs."""
    out: dict[str, Counter[str]] = {}
    for c in changes:
        group = "breaking" if c.breaking else ("other" if c.client else "docs_only")
        out.setdefault(scope_of(c), Counter())[group] += 1
    return {
        s: {k: out[s][k] for k in ("breaking", "other", "docs_only")}
        for s in sorted(out)
    }


def as_markdown(changes: list[Change], old_label: str, new_label: str) -> str:
    lines = [f"# Changes from {old_label} to {new_label}", ""]
    if not changes:
        return "\n".join(lines + ["No changes to the client.", ""])
    counts = by_scope(changes)
    total = Counter(
        "breaking" if c.breaking else ("other" if c.client else "docs_only")
        for c in changes
    )
    lines += [
        f"{total['breaking']} breaking, {total['other']} other client changes, "
        f"{total['docs_only']} docs-only (the client stays as it was)",
        "",
        "| scope | breaking | other | docs only |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {s} | {n['breaking']} | {n['other']} | {n['docs_only']} |"
        for s, n in counts.items()
    ]
    lines.append("")
    for title, group in (
        ("Breaking", [c for c in changes if c.breaking]),
        ("Not breaking", [c for c in changes if not c.breaking and c.client]),
        ("Docs only", [c for c in changes if not c.client]),
    ):
        if not group:
            continue
        lines += [f"## {title} ({len(group)})", ""]
        scopes = sorted({scope_of(c) for c in group})
        for s in scopes:
            mine = [c for c in group if scope_of(c) == s]
            lines += [f"### {s} ({len(mine)})", ""]
            lines += [f"- {c.describe()}" for c in mine] + [""]
    return "\n".join(lines)


def as_json(changes: list[Change]) -> str:
    return (
        json.dumps(
            {
                "breaking": len(breaking(changes)),
                "docs_only": sum(1 for c in changes if not c.client),
                "by_scope": by_scope(changes),
                "changes": [asdict(c) for c in changes],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
