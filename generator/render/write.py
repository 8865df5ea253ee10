"""Writing a generated tree atomically: all files or none."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_tree(out: Path, files: dict[str, str]) -> None:
    """Write every file into a temporary sibling folder, then swap it in for `out`.
    A failure at any point leaves `out` as it was."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for rel, text in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def tree_diff(out: Path, files: dict[str, str]) -> list[str]:
    """Paths (relative to `out`) whose content differs from the plan, plus extra
    files."""
    changed = []
    existing = (
        {
            str(p.relative_to(out)).replace(os.sep, "/")
            for p in out.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        if out.exists()
        else set()
    )
    for rel, text in files.items():
        target = out / rel
        if rel not in existing or target.read_bytes() != text.encode("utf-8"):
            changed.append(rel)
    changed.extend(sorted(existing - set(files)))
    return sorted(changed)
