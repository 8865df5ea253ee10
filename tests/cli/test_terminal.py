"""On a terminal (a pseudo-terminal here) findings, diff sections and verdicts are
coloured and a long run shows a progress bar; piped, under CI=true or with NO_COLOR, the
output is plain lines."""

from __future__ import annotations

import io
import os
import pty
import re
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
    for i in range(20):  # B24GEN_PROGRESS_AFTER=0: the bar shows at once
        (pages / f"p{i}.md").write_text("---\nmethod: demo.x.get\nscope: [unclosed\n---\n"
                                        + "# T\n\ntext\n", encoding="utf-8")
    env = plain_env()
    env["B24GEN_PROGRESS_AFTER"] = "0"
    shown = on_a_terminal(["lint", str(pages)], env)
    assert coloured("SPEC002", shown), "findings coloured on a terminal"
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


FIXTURES = "tests/fixtures"
# verb: its arguments, the label of its bar, and a line it colours (the escape code
# right before the text)
VERBS = {
    "import": ([f"{FIXTURES}/import/awkward", "--to", "{tmp}/specs", "--dry-run"],
               "reading pages", "SPEC008"),
    "conformance": ([f"{FIXTURES}/conformance/en"], f"checking {FIXTURES}/conformance/en",
                    "complete method records"),
    "diff": ([f"{FIXTURES}/diff/old", f"{FIXTURES}/diff/new"],
             f"reading {FIXTURES}/diff/old", "## Breaking"),
}


def verb_args(verb: str, tmp_path: Path, *extra: str) -> list[str]:
    return [verb, *(a.format(tmp=tmp_path) for a in VERBS[verb][0]), *extra]


def coloured(text: str, shown: str) -> bool:
    return re.search(r"\x1b\[[\d;]+m" + re.escape(text), shown) is not None


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_terminal_sees_the_bar_and_colour_of_each_verb(tmp_path, verb):
    _, label, line = VERBS[verb]
    env = {**plain_env(), "B24GEN_PROGRESS_AFTER": "0"}
    shown = on_a_terminal(verb_args(verb, tmp_path), env)
    assert label in shown, "a progress bar"
    assert coloured(line, shown), shown


@pytest.mark.parametrize("extra", [{}, {"CI": "true"}, {"NO_COLOR": "1"}])
@pytest.mark.parametrize("verb", sorted(VERBS))
def test_piped_ci_or_no_color_see_no_bar_and_no_colour(tmp_path, verb, extra):
    _, label, line = VERBS[verb]
    env = {**plain_env(), "B24GEN_PROGRESS_AFTER": "0", **extra}
    if extra:
        shown = on_a_terminal(verb_args(verb, tmp_path), env)
    else:
        result = subprocess.run([sys.executable, "-m", "generator.cli",
                                 *verb_args(verb, tmp_path)],
                                cwd=ROOT, capture_output=True, text=True, env=env)
        shown = result.stdout + result.stderr
    assert line in shown
    assert label not in shown and ESC not in shown


def test_quiet_shows_no_bar_on_a_terminal(tmp_path):
    env = {**plain_env(), "B24GEN_PROGRESS_AFTER": "0"}
    shown = on_a_terminal(verb_args("import", tmp_path, "-q"), env)
    assert "reading pages" not in shown and "b24gen import:" not in shown
    assert coloured("SPEC008", shown)


def test_a_redirected_output_keeps_its_lines_while_the_bar_shows(tmp_path):
    """The bar on a terminal's standard error must not take standard output's lines
    when that goes to a file."""
    leader, follower = pty.openpty()
    env = {**plain_env(), "B24GEN_PROGRESS_AFTER": "0"}
    proc = subprocess.run([sys.executable, "-m", "generator.cli",
                           *verb_args("import", tmp_path)],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=follower, env=env,
                          text=True, timeout=120)
    os.close(follower)
    os.close(leader)
    assert proc.stdout.count("would create") == 3, proc.stdout


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_through_advance(monkeypatch):
    """The callback the pipeline is given: `with progress(total, label) as advance`."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(console, "PROGRESS_AFTER", 0.0)
    screen = Tty()
    with console.progress(3, "rendering files", stream=screen) as advance:  # type: ignore[arg-type]
        advance()
        advance(2)
    assert "rendering files" in screen.getvalue() and "3/3" in screen.getvalue()
    piped = io.StringIO()
    with console.progress(3, "rendering files", stream=piped) as advance:
        advance(3)
    with console.no_progress(3, "rendering files") as advance:
        advance()
    assert piped.getvalue() == ""


def test_diff_sections_and_items_have_their_styles():
    style = console.change_style
    assert style("## Breaking (2)") == console.CHANGE_STYLES["breaking"]
    assert style("## Not breaking (1)") == console.CHANGE_STYLES["not breaking"]
    assert style("## Docs only (1)") == console.CHANGE_STYLES["docs only"]
    assert style("- `m.get`: parameter `removed` added (integer)") == "green"
    assert style("- `m.get` (REST 3.0): method removed") == "red"
    assert style("- `m.get`: parameter `q` is now required") == "yellow"
    assert style("| demo | 1 | 0 | 0 |") == ""


def test_regenerate_shows_a_bar_while_reading_on_a_terminal_only(tmp_path):
    args = ["regenerate", f"{FIXTURES}/specs", "--out", str(tmp_path / "out")]
    env = {**plain_env(), "B24GEN_PROGRESS_AFTER": "0", "B24GEN_CACHE": "off"}
    assert "reading pages" in on_a_terminal(args, env)
    result = subprocess.run([sys.executable, "-m", "generator.cli", *args[:-1],
                             str(tmp_path / "piped")], cwd=ROOT, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0 and "reading pages" not in result.stderr + result.stdout
