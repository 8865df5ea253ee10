"""Rendered files kept between runs, keyed by what they were rendered from: a module
whose inputs are as they were (same generator, same methods, same names) is neither
built nor rendered again. One file per source folder in b24gen's cache folder; it
only ever saves time (a missing or damaged one is made anew).

What only a module rendered again needs (its methods as built, its pieces as
rendered) is kept on a shelf of that module's: a file of its own beside the cache
file, loaded when the module is rendered again, so a run that keeps the module
neither loads nor writes it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.inputs import cache_file, digest, load_entries, store_entries

FORMAT = 3  # bump when the entries change


@dataclass(frozen=True)
class Apart:
    """An entry kept in a file of its own beside the cache file (a module's files:
    written when made, read when used, never rewritten with the rest)."""

    name: str


@dataclass
class RenderCache:
    file: Path | None
    entries: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Any] = field(default_factory=dict)
    shelves: dict[str, Shelf] = field(default_factory=dict)  # named this run
    kept_apart: dict[str, str] = field(default_factory=dict)  # key -> file name

    @classmethod
    def open(cls, folder: Path | None, key: str) -> RenderCache:
        file = cache_file(folder, "rendered", f"{FORMAT}:{key}")
        return cls(file, load_entries(file))

    @property
    def folder(self) -> Path | None:
        """Where shelves and entries kept apart lie."""
        return self.file.with_suffix(".d") if self.file is not None else None

    def get(self, key: str | None) -> Any:
        """What an earlier run kept under `key` (None: nothing)."""
        value = self.entries.get(key) if key else None
        if key and isinstance(value, Apart) and self.folder is not None:
            value = load_entries(self.folder / value.name).get(key)
            if value is not None:
                self.kept_apart[key] = self.entries[key].name
        if key and value is not None:
            self.used[key] = value
        return value

    def put(self, key: str | None, value: Any, apart: bool = False) -> None:
        """Keep `value` under `key`; `apart`: in a file of its own."""
        if key:
            self.used[key] = value
            if apart and self.folder is not None:
                name = f"{digest(key.encode())}.kept.pickle"
                store_entries(self.folder / name, {key: value}, pruned=False)
                self.kept_apart[key] = name

    def shelf(self, name: str) -> Shelf:
        """The shelf of `name` (a module), kept while a run names it; its file is
        read on the first `get`."""
        if name not in self.shelves:
            folder = self.folder
            file = folder / f"{digest(name.encode())}.pickle" if folder else None
            self.shelves[name] = Shelf(file)
        return self.shelves[name]

    def save(self) -> None:
        """Keep what this run used (entries of older runs are dropped), and the
        shelves it named (those of modules gone are removed)."""
        if self.file is None or self.folder is None:
            return
        for shelf in self.shelves.values():
            shelf.save()
        kept = {s.file.name for s in self.shelves.values() if s.file is not None}
        kept |= set(self.kept_apart.values())
        if self.folder.is_dir():
            for old in self.folder.glob("*.pickle"):
                if old.name not in kept:
                    with contextlib.suppress(OSError):
                        old.unlink()
        index = {
            key: Apart(self.kept_apart[key]) if key in self.kept_apart else value
            for key, value in self.used.items()
        }
        if index.keys() != self.entries.keys():  # a key names one value
            store_entries(self.file, index)


@dataclass
class Shelf:
    """One module's part of the render cache (`RenderCache.shelf`)."""

    file: Path | None
    entries: dict[str, Any] | None = None  # None: not read yet
    used: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str | None) -> Any:
        if not key or self.file is None:
            return None
        if self.entries is None:
            self.entries = load_entries(self.file)
        value = self.entries.get(key)
        if value is not None:
            self.used[key] = value
        return value

    def put(self, key: str | None, value: Any) -> None:
        if key and self.file is not None:
            self.used[key] = value

    def save(self) -> None:
        """Keep what a module rendered again used; a shelf not used stays as it is."""
        if self.used and (
            self.entries is None or self.used.keys() != self.entries.keys()
        ):
            store_entries(self.file, self.used, pruned=False)
