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
class Shelf:
    """Entries kept in one file by key: what a run gets or puts is kept when it
    saves, the rest is dropped."""

    file: Path | None
    entries: dict[str, Any] | None = None  # None: not read yet (read on a `get`)
    used: dict[str, Any] = field(default_factory=dict)
    pruned: bool = False  # saving prunes the oldest files of its kind

    def get(self, key: str | None) -> Any:
        """What an earlier run kept under `key` (None: nothing)."""
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
        """Keep what this run used; a shelf it never read stays as it is unless
        the run filled it."""
        if self.file is None:
            return
        if self.entries is None:
            changed = bool(self.used)
        else:
            changed = self.used.keys() != self.entries.keys()  # a key names one value
        if changed:
            store_entries(self.file, self.used, pruned=self.pruned)


@dataclass
class RenderCache(Shelf):
    """The render cache of one source folder: its own entries, the shelves of its
    modules, and entries kept apart, in a folder beside its file."""

    pruned: bool = True
    shelves: dict[str, Shelf] = field(default_factory=dict)  # named this run

    @classmethod
    def open(cls, folder: Path | None, key: str) -> RenderCache:
        file = cache_file(folder, "rendered", f"{FORMAT}:{key}")
        return cls(file, load_entries(file))

    @property
    def folder(self) -> Path | None:
        """Where shelves and entries kept apart lie."""
        return self.file.with_suffix(".d") if self.file is not None else None

    def get(self, key: str | None) -> Any:
        value = super().get(key)
        if key and isinstance(value, Apart):
            value = (
                load_entries(self.folder / value.name).get(key) if self.folder else None
            )
            if value is None:  # its file is gone: not kept, then
                del self.used[key]
        return value

    def put(self, key: str | None, value: Any, apart: bool = False) -> None:
        """Keep `value` under `key`; `apart`: in a file of its own."""
        if key and apart and self.folder is not None:
            name = f"{digest(key.encode())}.kept.pickle"
            store_entries(self.folder / name, {key: value}, pruned=False)
            value = Apart(name)
        super().put(key, value)

    def shelf(self, name: str) -> Shelf:
        """The shelf of `name` (a module), kept while a run names it; its file is
        read on the first `get`."""
        if name not in self.shelves:
            folder = self.folder
            file = folder / f"{digest(name.encode())}.pickle" if folder else None
            self.shelves[name] = Shelf(file)
        return self.shelves[name]

    def save(self) -> None:
        """Keep what this run used (entries of older runs are dropped), the shelves
        it named and the entries kept apart it used (those of modules gone are
        removed)."""
        if self.folder is None:
            return
        for shelf in self.shelves.values():
            shelf.save()
        kept = {s.file.name for s in self.shelves.values() if s.file is not None}
        kept |= {v.name for v in self.used.values() if isinstance(v, Apart)}
        if self.folder.is_dir():
            for old in self.folder.glob("*.pickle"):
                if old.name not in kept:
                    with contextlib.suppress(OSError):
                        old.unlink()
        super().save()
