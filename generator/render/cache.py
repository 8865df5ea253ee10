"""Rendered files kept between runs, keyed by what they were rendered from: a module
whose template context is as it was (same generator, same methods, same names) is
not rendered again. One file per source folder in b24gen's cache folder; it only
ever saves time (a missing or damaged one is made anew)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.inputs import cache_file, load_entries, store_entries

FORMAT = 1  # bump when the entries change


def plain(value: Any) -> Any:
    """A JSON-able, order-stable form of a template context value (the model's
    dataclasses by their fields, sets sorted)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if hasattr(value, "__dict__"):
        return [type(value).__name__, vars(value)]
    raise TypeError(f"cannot key a {type(value).__name__}")


def context_key(context: dict[str, Any]) -> str | None:
    """A hash of everything a template renders from (None: not hashable)."""
    try:
        text = json.dumps(context, default=plain, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class RenderCache:
    file: Path | None
    entries: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path | None, key: str) -> RenderCache:
        file = cache_file(folder, "rendered", f"{FORMAT}:{key}")
        return cls(file, load_entries(file))

    def get(self, key: str | None) -> str | None:
        text = self.entries.get(key) if key else None
        if key and text is not None:
            self.used[key] = text
        return text

    def put(self, key: str | None, text: str) -> None:
        if key:
            self.used[key] = text

    def save(self) -> None:
        """Keep what this run used (entries of older runs are dropped)."""
        if self.file is None or self.used == self.entries:
            return
        store_entries(self.file, self.used)
