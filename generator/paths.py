"""Where a verb may write: inside its target folder, links and `..` resolved."""

from __future__ import annotations

from pathlib import Path


def is_inside(folder: Path, path: Path) -> bool:
    """Whether `path`, links and `..` resolved, lies below `folder` (not `folder`
    itself)."""
    real_folder, real_path = folder.resolve(), path.resolve()
    return real_path != real_folder and real_path.is_relative_to(real_folder)
