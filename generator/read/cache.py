"""What the readers made of each page, kept between runs of `regenerate`: a page
whose bytes (and whose included files) are as they were is not read again. The
cache is one file per source folder and generator version in b24gen's cache folder;
it only ever saves time (a missing or damaged one is made anew)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import Diagnostic
from generator.inputs import cache_file, digest, load_entries, store_entries
from generator.ir import Method

Entry = tuple[str, dict[str, str], list[Method], list[Diagnostic]]
FORMAT = 1  # bump when Entry changes


@dataclass
class PageCache:
    """Read results by display name, valid while the page's hash and its includes'
    hashes hold."""

    file: Path | None
    entries: dict[str, Entry] = field(default_factory=dict)
    changed: bool = False
    seen: set[str] = field(default_factory=set)  # pages of this run; the rest go
    _hashes: dict[Path, str] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path | None, key: str) -> PageCache:
        file = cache_file(folder, "pages", f"{FORMAT}:{key}")
        return cls(file, load_entries(file))

    def know(self, root: Path, hashes: dict[str, str]) -> None:
        """Take the hashes of the files below `root` the run already made
        (`inputs.input_files`), so no page is read twice to be hashed."""
        if root.is_dir():
            self._hashes.update({root / rel: h for rel, h in hashes.items()})

    def hash_of(self, path: Path) -> str:
        if path not in self._hashes:
            try:
                self._hashes[path] = digest(path.read_bytes())
            except OSError:
                self._hashes[path] = ""
        return self._hashes[path]

    def get(
        self, path: Path, display: str
    ) -> tuple[list[Method], list[Diagnostic], set[Path]] | None:
        """The page's methods, problems and included files, if it is as it was."""
        self.seen.add(display)
        entry = self.entries.get(display)
        if entry is None or entry[0] != self.hash_of(path):
            return None
        if any(self.hash_of(Path(p)) != h for p, h in entry[1].items()):
            return None
        return entry[2], entry[3], {Path(p) for p in entry[1]}

    def put(
        self,
        path: Path,
        display: str,
        includes: set[Path],
        methods: list[Method],
        problems: list[Diagnostic],
    ) -> None:
        self.seen.add(display)
        deps = {str(p): self.hash_of(p) for p in sorted(includes)}
        self.entries[display] = (self.hash_of(path), deps, methods, problems)
        self.changed = True

    def save(self) -> None:
        """Write the entries of the pages this run read (pages gone are dropped)."""
        if self.file is None or not (self.changed or set(self.entries) - self.seen):
            return
        self.entries = {d: e for d, e in self.entries.items() if d in self.seen}
        store_entries(self.file, self.entries)
