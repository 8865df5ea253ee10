"""b24gen as users install it: a wheel in a fresh virtual environment outside the
checkout, generating from a copy of specs/ (templates and runtime come from the wheel)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_generates_outside_the_checkout(tmp_path):
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "dist",
        ROOT, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("b24gen-*.whl"))
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    work = tmp_path / "work"
    shutil.copytree(ROOT / "specs", work / "specs")

    run(bin_dir / "b24gen", "regenerate", "specs", "--out", "out", cwd=work)

    probe = ("import b24client, b24client.testing\n"
             "b = b24client.Bitrix24.from_webhook('https://p.example/rest/1/s/')\n"
             "assert callable(b.tasks.task.approve)\n"
             "print(b24client.__version__, b24client.__file__)")
    shown = run(bin_dir / "python", "-c", probe, cwd=work / "out").stdout
    assert str(work / "out" / "b24client") in shown
    expected = {p.relative_to(ROOT / "generated") for p in (ROOT / "generated").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    produced = {p.relative_to(work / "out") for p in (work / "out").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert produced == expected
    for rel in sorted(expected):
        assert (work / "out" / rel).read_bytes() == (ROOT / "generated" / rel).read_bytes(), rel

    # The installed b24gen reads [tool.b24gen] of the project it runs in.
    (work / "pyproject.toml").write_text(
        '[tool.b24gen]\nspecs = "specs"\nout = "configured"\n\n'
        '[tool.b24gen.lint]\nignore = ["LINT"]\n', encoding="utf-8")
    run(bin_dir / "b24gen", "regenerate", cwd=work)
    assert (work / "configured" / "b24client" / "client.py").is_file()
