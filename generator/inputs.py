"""What a run read, kept in the user's cache beside a hash of the manifest it wrote:
a later run over the same inputs with the same generator, into an output still as
written, ends before reading anything (as Kiota does) and says the warnings the first
run found. Nothing of it goes into the output folder (which users commit).

The record holds a fingerprint of the generator (its code, templates and runtime),
how the run was asked for (specs or docs, the path as given: it appears in the
output), the content hash of every input file below the source folder, the files its
pages included from elsewhere, and the warnings.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import __version__
from generator.diagnostics import Diagnostic, Position
from generator.paths import entries_below, write_atomic

CACHE_ENV = "B24GEN_CACHE"  # a folder, or "off"

INPUT_SUFFIXES = (".md", ".txt", ".yaml", ".yml")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """A hash of everything of the generator that shapes its output."""
    package = Path(__file__).resolve().parent
    versions = [sys.version] + [
        metadata.version(dist) for dist in ("black", "PyYAML", "Jinja2", "ruamel.yaml")
    ]
    h = hashlib.sha256("\0".join([__version__, *versions]).encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def request_key(source: Path, mode: str) -> str:
    """What a run's reading depends on besides the pages: the generator, the kind of
    input and where it lies (paths appear in what the readers make)."""
    return f"{generator_fingerprint()}\0{mode}\0{source}\0{source.resolve()}"


Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
# A file changed (written, or its mtime set back: cp -p, rsync -t, tar) this close to
# a scan may change again within its clock's tick and keep its signature (git's
# "racy" files): its hash is not trusted then.
RACY_NS = 2_000_000_000
# Only where every write moves the ctime (POSIX) does a signature tell a file is
# unchanged; elsewhere (Windows: st_ctime is the creation time) every file is hashed.
TRUST_SIGNATURES = os.name == "posix"


def signatures(source: Path) -> dict[str, Signature]:
    """What the file system says of each file below `source` a reader may read
    (pages and included files, outside hidden folders), keyed by path relative to
    it: a file whose signature is unchanged is unchanged."""
    if source.is_file():
        return {source.name: signature(source.stat())}
    found: dict[str, Signature] = {}
    for rel, entry in entries_below(source, INPUT_SUFFIXES, (".",)):
        try:
            found[rel] = signature(entry.stat())
        except OSError:
            continue
    return found


def signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def unchanged(source: Path, seen: dict[str, Signature], paths: set[Path]) -> bool:
    """Whether the files of `paths` that `seen` holds (the input files below
    `source`) still have their signatures; a path it cannot place below `source`
    has every file compared."""
    if not source.is_dir():
        return signatures(source) == seen
    bases = (source, source.absolute())  # pages come relative, includes absolute
    for path in paths:
        rel = next(
            (
                path.relative_to(base).as_posix()
                for base in bases
                if path.is_relative_to(base)
            ),
            None,
        )
        if rel is None:  # elsewhere, or written otherwise than `source`
            return signatures(source) == seen
        try:
            if rel in seen and signature(path.stat()) != seen[rel]:
                return False
        except OSError:  # gone meanwhile
            return False
    return True


def input_files(
    source: Path, seen: dict[str, Signature] | None = None
) -> dict[str, str]:
    """Content hashes of the files below `source` a reader may read (`seen`: their
    signatures, when taken already). A file whose signature is as b24gen's cache
    recorded it, long enough before that record, keeps its recorded hash instead of
    being read again."""
    seen = signatures(source) if seen is None else seen
    file = cache_file(cache_dir(), "hashes", str(source.resolve()))
    old = load_entries(file)
    known = old.get("files", {}) if isinstance(old.get("at"), int) else {}
    trusted_before = int(old.get("at", 0)) - RACY_NS
    scanned = time.time_ns()
    single = source.is_file()
    hashes: dict[str, str] = {}
    kept: dict[str, tuple[Signature, str]] = {}
    read = 0
    for rel, sig in seen.items():
        recorded = known.get(rel)
        if (
            TRUST_SIGNATURES
            and isinstance(recorded, tuple)
            and recorded[:1] == (sig,)
            and max(sig[1], sig[2]) < trusted_before
        ):
            hashes[rel] = str(recorded[1])
        else:
            read += 1
            path = source if single else source / rel
            try:
                hashes[rel] = digest(path.read_bytes())
            except OSError:
                continue
        kept[rel] = (sig, hashes[rel])
    if read or kept.keys() != known.keys():
        store_entries(file, {"at": scanned, "files": kept})
    return hashes


def beside(source: Path, files: dict[str, str], read: set[Path]) -> dict[str, str]:
    """Hashes of the other files the pages depended on (includes and linked pages
    that `files` does not hold: elsewhere, in hidden folders, of other suffixes; a
    missing one as "")."""
    root = source.resolve()
    out: dict[str, str] = {}
    for path in sorted(read):
        real = path.resolve()
        rel = real.relative_to(root).as_posix() if real.is_relative_to(root) else None
        if rel is None or rel not in files:
            try:
                out[str(path)] = digest(path.read_bytes())
            except OSError:
                out[str(path)] = ""
    return out


def record(
    source: Path,
    mode: str,
    files: dict[str, str],
    read: set[Path],
    problems: list[Diagnostic],
) -> dict[str, Any]:
    """The record of a run; `files` are the input hashes taken before it read
    anything (a page saved during the run is then seen as changed by the next)."""
    return {
        "generator": generator_fingerprint(),
        "mode": mode,
        "source": str(source),
        "resolved": str(source.resolve()),
        "files": files,
        "includes": beside(source, files, read),
        "warnings": [as_list(p) for p in problems],
    }


def still_current(
    old: Any, source: Path, mode: str, files: dict[str, str]
) -> list[Diagnostic] | None:
    """The recorded warnings when `old` records this very run (same generator, same
    request, every input as it was: `files` are the hashes now); None when the run
    must be made."""
    if not isinstance(old, dict):
        return None
    same_request = (
        old.get("generator") == generator_fingerprint()
        and old.get("mode") == mode
        and old.get("source") == str(source)
        and old.get("resolved") == str(source.resolve())
    )
    if not same_request or not source.exists():
        return None
    includes = old.get("includes")
    if not isinstance(includes, dict) or old.get("files") != files:
        return None
    for path, hashed in includes.items():
        try:
            if digest(Path(path).read_bytes()) != hashed:
                return None
        except OSError:
            return None
    try:
        return [from_list(w) for w in old.get("warnings", [])]
    except (TypeError, ValueError, KeyError):
        return None


def as_list(p: Diagnostic) -> list[Any]:
    at = p.position
    return [at.path, at.line, at.col, p.code, p.message, p.hint]


def from_list(item: list[Any]) -> Diagnostic:
    path, line, col, code, message, hint = item
    return Diagnostic(
        Position(str(path), int(line), int(col)), str(code), str(message), str(hint)
    )


def cache_dir() -> Path | None:
    setting = os.environ.get(CACHE_ENV, "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "b24gen"


def cache_file(folder: Path | None, kind: str, key: str) -> Path | None:
    """The file of one cache (`kind`: pages, rendered) for `key` in `folder`; None
    when caching is off."""
    if folder is None:
        return None
    return folder / kind / f"{digest(key.encode('utf-8', 'surrogateescape'))}.pickle"


def load_entries(file: Path | None) -> dict[Any, Any]:
    """A cache's entries; empty when there is none or it cannot be read (a cache only
    ever saves time)."""
    if file is None:
        return {}
    try:
        with file.open("rb") as fh:
            entries = pickle.load(fh)
    except Exception:  # unreadable, or whatever a damaged pickle raises
        return {}
    return entries if isinstance(entries, dict) else {}


# Files kept per cache kind: the newest, one per source folder and generator version
# (an upgrade of b24gen or a project moved leaves the old ones to be pruned here).
KEEP_PER_KIND = 8


def store_entries(
    file: Path | None, entries: dict[Any, Any], pruned: bool = True
) -> None:
    """Replace a cache's file in one step, and (`pruned`) prune its kind's oldest
    files (a cache that cannot be written only costs time)."""
    if file is None:
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(entries, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)
        if pruned:
            prune(file.parent)
    except OSError:
        pass


def prune(folder: Path, keep: int = KEEP_PER_KIND) -> None:
    """Remove all but the `keep` most recently written cache files of `folder`, with
    the folders of parts kept beside them (`<name>.d`, see render/cache.py)."""
    files = sorted(
        folder.glob("*.pickle"), key=lambda f: f.stat().st_mtime_ns, reverse=True
    )
    for old in files[keep:]:
        old.unlink(missing_ok=True)
        shutil.rmtree(old.with_suffix(".d"), ignore_errors=True)


def record_file(out: Path) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = digest(str(out.resolve()).encode("utf-8", "surrogateescape"))
    return folder / "runs" / f"{key}.json"


def save(out: Path, manifest: Path, run: dict[str, Any]) -> None:
    """Keep the record of the run that left `out` as it is (a cache: failing to
    write it only costs the next run its shortcut)."""
    target = record_file(out)
    if target is None:
        return
    try:
        run = {**run, "manifest": digest(manifest.read_bytes())}
        write_atomic(target, json.dumps(run, ensure_ascii=False) + "\n")
    except OSError:
        pass


def load(out: Path, manifest: Path) -> Any:
    """The record of the run that wrote `out`'s present manifest (None without)."""
    target = record_file(out)
    try:
        run = json.loads(target.read_text(encoding="utf-8")) if target else None
        current = digest(manifest.read_bytes())
    except (OSError, ValueError):
        return None
    return run if isinstance(run, dict) and run.get("manifest") == current else None
