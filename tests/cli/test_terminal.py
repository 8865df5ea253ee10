"""On a terminal (a pseudo-terminal here) findings are coloured and a long run shows a
progress bar; piped, under CI=true or with NO_COLOR, the output is plain lines."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from generator import console

ROOT = Path(__file__).resolve().parents[2]
ESC = "\x1b["


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run b24gen with stdout and stderr on a pseudo-terminal; all it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", *args], cwd=ROOT,
                            stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def plain_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env["COLUMNS"] = "120"
    return env


def test_a_terminal_sees_colour_and_a_progress_bar(tmp_path, monkeypatch):
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(400):  # enough pages for the run to pass the one-second mark
        (pages / f"p{i}.md").write_text("---\nmethod: demo.x.get\nscope: [unclosed\n---\n"
                                        + "# T\n\ntext\n" * 200, encoding="utf-8")
    env = plain_env()
    env["B24GEN_PROGRESS_AFTER"] = "0"
    shown = on_a_terminal(["lint", str(pages)], env)
    assert ESC in shown, "colour codes on a terminal"
    assert "linting pages" in shown, "a progress bar"


@pytest.mark.parametrize("extra", [{}, {"CI": "true"}, {"NO_COLOR": "1"}])
def test_piped_or_ci_or_no_color_output_is_plain(tmp_path, extra):
    page = tmp_path / "bad.md"
    page.write_text("---\nmethod: demo.x.get\nscope: [unclosed\n---\n# T\n", encoding="utf-8")
    env = {**plain_env(), **extra}
    if extra:  # the same terminal, but told to be plain
        shown = on_a_terminal(["lint", str(page)], env)
    else:
        result = subprocess.run([sys.executable, "-m", "generator.cli", "lint", str(page)],
                                cwd=ROOT, capture_output=True, text=True, env=env)
        shown = result.stdout + result.stderr
    assert "SPEC002" in shown and ESC not in shown


def test_interactive_means_a_terminal_without_ci_or_no_color(monkeypatch):
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert console.is_interactive(Tty())  # type: ignore[arg-type]
    monkeypatch.setenv("CI", "true")
    assert not console.is_interactive(Tty())  # type: ignore[arg-type]
