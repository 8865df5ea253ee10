"""What the readers made of each page, kept between runs of `regenerate`: a page
whose bytes (and whose included files) are as they were is not read again. The
cache is one file per source folder and generator version in b24gen's cache folder;
it only ever saves time (a missing or damaged one is made anew).

Each page's methods are kept pickled on their own, beside a head that is not: the
keys of its methods, its problems and the caller's summary of its methods. A run
that only needs the heads of unchanged pages (see `pipeline.Loaded`) unpickles
none of their methods; loading the cache and saving it again after one page
changed handles bytes."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator.diagnostics import Diagnostic
from generator.inputs import cache_file, digest, load_entries, store_entries
from generator.ir import Method


class Head(NamedTuple):
    """What a run may need of a page without its methods."""

    keys: tuple[tuple[str, str], ...]  # its methods' `Method.key`, in page order
    problems: list[Diagnostic]
    summary: str  # the caller's digest of its methods ("" when none was asked)


# page hash, {file it depended on: hash}, pickled methods, head
Entry = tuple[str, dict[str, str], bytes, Head]
FORMAT = 3  # bump when Entry changes


@dataclass
class PageCache:
    """Read results by display name, valid while the page's hash and its includes'
    hashes hold."""

    file: Path | None
    entries: dict[str, Entry] = field(default_factory=dict)
    changed: bool = False
    seen: set[str] = field(default_factory=set)  # pages of this run; the rest go
    _hashes: dict[str, str] = field(default_factory=dict)  # by str(path)
    _paths: dict[str, Path] = field(default_factory=dict)  # one Path per include
    read: set[Path] = field(default_factory=set)  # pages read this run, and their deps
    _fingerprints: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path | None, key: str) -> PageCache:
        file = cache_file(folder, "pages", f"{FORMAT}:{key}")
        return cls(file, load_entries(file))

    def know(self, root: Path, hashes: dict[str, str], pages: dict[str, Path]) -> None:
        """Take the hashes of the files below `root` the run already made
        (`inputs.input_files`), so no page is read twice to be hashed (`pages`: the
        paths the run reads pages by, by relative path)."""
        if root.is_dir():
            self._hashes.update(
                {str(pages.get(rel) or root / rel): h for rel, h in hashes.items()}
            )

    def hash_of(self, path: str) -> str:
        if path not in self._hashes:
            try:
                self._hashes[path] = digest(Path(path).read_bytes())
            except OSError:
                self._hashes[path] = ""
        return self._hashes[path]

    def head(self, path: Path, display: str) -> tuple[Head, set[Path]] | None:
        """The page's head and included files, if it is as it was."""
        self.seen.add(display)
        entry = self.entries.get(display)
        if not isinstance(entry, tuple) or len(entry) != 4:
            return None
        if not isinstance(entry[3], Head) or not isinstance(entry[1], dict):
            return None
        hashed, deps, _, head = entry
        if hashed != self.hash_of(str(path)):
            return None
        if any(self.hash_of(p) != h for p, h in deps.items()):
            return None
        return head, {self._path(p) for p in deps}

    def methods(self, display: str) -> list[Method] | None:
        """The methods of a page this run found as it was (`head`) or read."""
        entry = self.entries.get(display) if display in self.seen else None
        if entry is None:
            return None
        try:
            methods = pickle.loads(entry[2])
        except Exception:  # whatever a damaged pickle raises: not kept, then
            return None
        return methods if isinstance(methods, list) else None

    def _path(self, name: str) -> Path:
        if name not in self._paths:
            self._paths[name] = Path(name)
        return self._paths[name]

    def put(
        self,
        path: Path,
        display: str,
        includes: set[Path],
        methods: list[Method],
        head: Head,
    ) -> None:
        self.seen.add(display)
        self.read |= {path, *includes}
        deps = {str(p): self.hash_of(str(p)) for p in sorted(includes)}
        blob = pickle.dumps(methods, protocol=pickle.HIGHEST_PROTOCOL)
        self.entries[display] = (self.hash_of(str(path)), deps, blob, head)
        self.changed = True

    def fingerprint(self, display: str) -> str | None:
        """What identifies a page's input in this run: the hashes its entry is valid
        for (the page and every file it depended on). None for a page this run
        neither read nor found here."""
        if display not in self._fingerprints:
            entry = self.entries.get(display) if display in self.seen else None
            self._fingerprints[display] = (
                None
                if entry is None
                else digest(
                    repr((display, entry[0], sorted(entry[1].items()))).encode()
                )
            )
        return self._fingerprints[display]

    def save(self) -> None:
        """Write the entries of the pages this run read (pages gone are dropped)."""
        if self.file is None or not (self.changed or set(self.entries) - self.seen):
            return
        self.entries = {d: e for d, e in self.entries.items() if d in self.seen}
        store_entries(self.file, self.entries)
