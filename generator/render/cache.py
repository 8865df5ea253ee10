"""Rendered files kept between runs, keyed by what they were rendered from: a module
whose inputs are as they were (same generator, same methods, same names) is neither
built nor rendered again. One file per source folder in b24gen's cache folder; it
only ever saves time (a missing or damaged one is made anew)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.inputs import cache_file, load_entries, store_entries

FORMAT = 2  # bump when the entries change


@dataclass
class RenderCache:
    file: Path | None
    entries: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path | None, key: str) -> RenderCache:
        file = cache_file(folder, "rendered", f"{FORMAT}:{key}")
        return cls(file, load_entries(file))

    def get(self, key: str | None) -> Any:
        """What an earlier run kept under `key` (None: nothing)."""
        value = self.entries.get(key) if key else None
        if key and value is not None:
            self.used[key] = value
        return value

    def put(self, key: str | None, value: Any) -> None:
        if key:
            self.used[key] = value

    def save(self) -> None:
        """Keep what this run used (entries of older runs are dropped)."""
        if self.file is None or self.used.keys() == self.entries.keys():
            return
        store_entries(self.file, self.used)
