"""A killed `sync` loses nothing: every file is its old text or its new text, never a
part of either; the temporary files it leaves are removed by the next run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.paths import KILL_AT

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "sync" / "commented.md"


def tree(tmp_path: Path, count: int) -> Path:
    specs = tmp_path / "specs" / "demo"
    specs.mkdir(parents=True)
    text = FIXTURE.read_text(encoding="utf-8")
    for i in range(count):
        (specs / f"demo.widget.rename{i}.md").write_text(
            text.replace("demo.widget.rename", f"demo.widget.rename{i}"), encoding="utf-8")
    return specs


def sync(specs: Path, kill_at: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, KILL_AT: kill_at} if kill_at else dict(os.environ)
    return subprocess.Popen([sys.executable, "-m", "generator.cli", "sync", str(specs)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def states(specs: Path, old: dict[str, str]) -> dict[str, str]:
    """Each spec as 'old' or 'new' (synced); anything else fails."""
    out = {}
    for path in sorted(specs.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text == old[path.name]:
            out[path.name] = "old"
        else:
            assert "deprecated: true" in text and "replacement: demo.widget.update" in text, \
                f"{path.name} is torn:\n{text}"
            out[path.name] = "new"
    return out


def test_kill_before_a_rename_leaves_old_files_and_the_next_run_cleans_up(tmp_path):
    specs = tree(tmp_path, 3)
    old = {p.name: p.read_text(encoding="utf-8") for p in specs.glob("*.md")}
    assert sync(specs, kill_at="file-written").wait() == -signal.SIGKILL
    assert set(states(specs, old).values()) == {"old"}
    assert list(specs.glob(".*.tmp")), "the killed run left its temporary file"
    assert sync(specs).wait() == 0
    assert set(states(specs, old).values()) == {"new"}
    assert not list(specs.glob(".*.tmp"))


def test_kill_at_random_moments_never_tears_a_file(tmp_path):
    specs = tree(tmp_path, 40)
    old = {p.name: p.read_text(encoding="utf-8") for p in specs.glob("*.md")}
    rng = random.Random(99)
    for _ in range(6):
        proc = sync(specs)
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        states(specs, old)
    assert sync(specs).wait() == 0
    assert set(states(specs, old).values()) == {"new"}
    assert not list(specs.glob(".*.tmp"))
