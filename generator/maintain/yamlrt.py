"""Editing a YAML front matter in place with ruamel.yaml, untouched keys kept byte for
byte.

ruamel.yaml's round trip keeps comments, key order and quoting, but re-emits every value
in its own spacing (`{"a":1}` comes back as `{"a": 1}`). So the document is loaded and
edited with ruamel, dumped, and only the lines of the keys that changed are taken from
the dump; the lines of every other key are the original ones.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.util import load_yaml_guess_indent


class Representer(RoundTripRepresenter):
    """Writes None as `null` (ruamel's default is an empty value)."""


Representer.add_representer(
    type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
)


def make_yaml(text: str = "") -> YAML:
    """A round-trip YAML that indents sequences the way `text` does (`  - name:` in
    specs)."""
    sequence, offset = 4, 2
    if text.strip():
        try:
            _, indent, block_seq_indent = load_yaml_guess_indent(text)
        except Exception:  # noqa: BLE001 (a guess only; the real load reports errors)
            indent = block_seq_indent = None
        if indent:
            sequence, offset = indent, block_seq_indent or 0
    yaml = YAML()
    yaml.Representer = Representer
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=max(sequence, offset + 2), offset=offset)
    return yaml


def dump(yaml: YAML, doc: Any) -> str:
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def fresh(data: dict[str, Any]) -> str:
    """A new front matter's YAML, as `dump(make_yaml(), to_node(data))` writes it.
    Front matters are mostly names, types, codes and flags: those are written here
    directly (ruamel's emitter took a quarter of `b24gen import`); a document with
    any other value (quoting, numbers, text of other scripts) goes to ruamel. Tests
    hold the two to the same output."""
    lines: list[str] = []
    if data and _block(data, 0, lines):
        return "\n".join(lines) + "\n"
    return dump(make_yaml(), to_node(data))


# A string ruamel writes plain: a word of letters first, then letters, digits and
# punctuation that is no YAML indicator, single spaces between (no `: `, ` #`).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./(),;'\-]*(?: [A-Za-z0-9_./(),;'\-]+)*")
# Words YAML (1.1 or 1.2) reads as something other than a string.
_NOT_STRINGS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def _scalar(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if (
        type(value) is str
        and _PLAIN.fullmatch(value)
        and value.lower() not in _NOT_STRINGS
    ):
        return value
    return None


def _block(data: dict[str, Any], indent: int, lines: list[str]) -> bool:
    """`data` as a block mapping at `indent` (make_yaml's mapping 2, sequence 4,
    offset 2); False where a value is not one `_scalar` writes."""
    pad = " " * indent
    for key, value in data.items():
        if type(key) is not str or _scalar(key) != key:
            return False
        if isinstance(value, dict):
            if not value:
                lines.append(f"{pad}{key}: {{}}")
            else:
                lines.append(f"{pad}{key}:")
                if not _block(value, indent + 2, lines):
                    return False
        elif isinstance(value, list):
            if not value:
                lines.append(f"{pad}{key}: []")
                continue
            lines.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict) and item:
                    nested: list[str] = []
                    if not _block(item, indent + 4, nested):
                        return False
                    lines.append(f"{pad}  - {nested[0][indent + 4 :]}")
                    lines.extend(nested[1:])
                else:
                    text = _scalar(item)
                    if text is None:
                        return False
                    lines.append(f"{pad}  - {text}")
        else:
            text = _scalar(value)
            if text is None:
                return False
            lines.append(f"{pad}{key}: {text}")
    return True


def to_node(value: Any) -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = to_node(v)
        return node
    if isinstance(value, list):
        return CommentedSeq(to_node(v) for v in value)
    return value


def styled(old: Any, new: Any) -> Any:
    """A new scalar in the old one's quoting style."""
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    return to_node(new)


# A merger takes the old ruamel value and the new plain value and returns the value to
# store, reusing the old containers (and so their comments) where it can.
Merger = Callable[[Any, Any], Any]


def merge_items(
    id_key: str, managed: tuple[str, ...], same: Callable[[Any, Any], bool]
) -> Merger:
    """A merger for lists of mappings identified by `id_key`: matching items keep their
    comments and unmanaged keys; only managed keys that differ are rewritten."""

    def merge(old: Any, new: list[dict[str, Any]]) -> Any:
        if not isinstance(old, CommentedSeq) or not all(
            isinstance(i, CommentedMap) for i in old
        ):
            return to_node(new)
        by_id = {str(i.get(id_key)): i for i in old}
        result = []
        for item in new:
            existing = by_id.get(str(item[id_key]))
            if existing is None:
                result.append(to_node(item))
                continue
            if not same(existing, item):
                for k in managed:
                    if k in item and (
                        existing.get(k) != item[k]
                        or type(existing.get(k)) is not type(item[k])
                    ):
                        existing[k] = styled(existing.get(k), item[k])
                    elif k not in item and k in existing:
                        del existing[k]
            result.append(existing)
        if [id(i) for i in result] != [id(i) for i in old]:
            old[:] = result
        return old

    return merge


def merge_mapping(old: Any, new: dict[str, Any]) -> Any:
    if not isinstance(old, CommentedMap):
        return to_node(new)
    for k, v in new.items():
        if old.get(k) != v:
            old[k] = styled(old.get(k), v)
    return old


def key_spans(
    doc: CommentedMap, line_count: int
) -> tuple[int, dict[Any, tuple[int, int]]]:
    """(line of the first key, {key: (first line, end line)}) of a block mapping."""
    starts = [(doc.lc.key(k)[0], k) for k in doc]
    spans = {}
    for i, (start, key) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else line_count
        spans[key] = (start, end)
    return (starts[0][0] if starts else line_count), spans


def update_mapping(
    text: str, changes: dict[str, Any], order: list[str], mergers: dict[str, Merger]
) -> str:
    """`text` (a YAML mapping, no `---` lines) with `changes` applied; new keys go after
    the nearest key that precedes them in `order`. Lines of unchanged keys are kept as
    they are.
    """
    yaml = make_yaml(text)
    lines = text.split("\n")
    doc = yaml.load(text) if text.strip() else None
    if not isinstance(doc, CommentedMap) or doc.fa.flow_style():
        return rewrite_whole(yaml, doc, changes, order, mergers)
    header, old_spans = key_spans(doc, len(lines))
    for key, new in changes.items():
        if key in doc:
            doc[key] = mergers.get(key, styled)(doc[key], new)
        else:
            doc.insert(insert_at(list(doc), key, order), key, to_node(new))
    dumped = dump(yaml, doc).rstrip("\n").split("\n")
    _, new_spans = key_spans(yaml.load("\n".join(dumped)), len(dumped))
    out = lines[:header]
    for key in doc:
        if key in changes:
            start, end = new_spans[key]
            out.extend(dumped[start:end])
        else:
            start, end = old_spans[key]
            out.extend(lines[start:end])
    return "\n".join(out)


def rewrite_whole(
    yaml: YAML,
    doc: Any,
    changes: dict[str, Any],
    order: list[str],
    mergers: dict[str, Merger],
) -> str:
    """An empty or flow-style front matter: written anew, existing keys in order."""
    base = doc if isinstance(doc, CommentedMap) else CommentedMap()
    for key, new in changes.items():
        if key in base:
            base[key] = mergers.get(key, styled)(base[key], new)
        else:
            base.insert(insert_at(list(base), key, order), key, to_node(new))
    base.fa.set_block_style()
    return dump(yaml, base).rstrip("\n")


def insert_at(keys: list[Any], key: str, order: list[str]) -> int:
    """Index for a new key: after the last existing key that precedes it in `order`."""
    rank = order.index(key) if key in order else len(order)
    at = 0
    for i, existing in enumerate(keys):
        if existing in order and order.index(existing) < rank:
            at = i + 1
    return at
