"""Test data for the scraped readers: docs pages rendered by the docs' own renderer and
flattened into the two scraped text forms.

    python bench/scraped/generate.py CORPUS_LANG_DIR OUT_DIR

renders every page below CORPUS_LANG_DIR/api-reference with `@diplodoc/transform`
(pinned in package.json / package-lock.json beside this file, installed here with
`npm ci --prefix`), and writes OUT_DIR/pipe/<page>.txt and OUT_DIR/blank/<page>.txt
(`<page>` is the page's path below CORPUS_LANG_DIR, `.md` replaced by `.txt`). A stamp
of the inputs (corpus files, renderer, flattener) lets a second run with nothing changed
skip the work. Needs node and npm; exits 3 (printing why) when either is missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import flatten  # noqa: E402

EXIT_NO_TOOL = 3


def missing_tools() -> str | None:
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def install() -> None:
    """The pinned renderer in node_modules beside this file (npm ci, once)."""
    marker = HERE / "node_modules" / "@diplodoc" / "transform" / "package.json"
    if marker.is_file():
        return
    subprocess.run(
        ["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund", "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def pages_of(root: Path) -> list[str]:
    base = root / "api-reference"
    return sorted(
        p.relative_to(root).as_posix()
        for p in base.rglob("*.md")
        if p.is_file()
        and not any(part.startswith(("_", ".")) for part in p.relative_to(base).parts)
    )


def stamp(root: Path, pages: list[str]) -> str:
    digest = hashlib.sha256()
    for name in ("render.cjs", "flatten.py", "generate.py", "package-lock.json"):
        digest.update((HERE / name).read_bytes())
    for folder in (root / "api-reference", root / "_includes"):
        for p in sorted(folder.rglob("*.md")):
            st = p.stat()
            digest.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    digest.update("\n".join(pages).encode())
    return digest.hexdigest()


def render(root: Path, pages: list[str]) -> list[dict[str, str]]:
    proc = subprocess.run(
        ["node", str(HERE / "render.cjs"), str(root)],
        input="\n".join(pages) + "\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=str(HERE),
    )
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def generate(root: Path, out: Path) -> int:
    pages = pages_of(root)
    want = stamp(root, pages)
    stamp_file = out / "stamp"
    if stamp_file.is_file() and stamp_file.read_text() == want:
        return len(pages)
    install()
    for style in ("pipe", "blank"):
        shutil.rmtree(out / style, ignore_errors=True)
    failed = 0
    for item in render(root, pages):
        if "html" not in item:
            failed += 1
            print(f"{item['path']}: not rendered: {item.get('error')}", file=sys.stderr)
            continue
        rel = Path(item["path"]).with_suffix(".txt")
        for style, fn in (("pipe", flatten.pipe), ("blank", flatten.blank)):
            target = out / style / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(fn(item["html"]), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    tmp = stamp_file.with_suffix(".tmp")
    tmp.write_text(want)
    os.replace(tmp, stamp_file)
    return len(pages) - failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="a docs language folder (holds api-reference/)")
    ap.add_argument("out", help="where the pipe/ and blank/ trees go")
    args = ap.parse_args()
    why = missing_tools()
    if why:
        print(f"scraped test data not made: {why}", file=sys.stderr)
        return EXIT_NO_TOOL
    root = Path(args.corpus).resolve()
    if not (root / "api-reference").is_dir():
        print(f"scraped test data not made: no {root}/api-reference", file=sys.stderr)
        return EXIT_NO_TOOL
    n = generate(root, Path(args.out))
    print(f"{n} pages rendered and flattened into {args.out}/pipe and {args.out}/blank")
    return 0


if __name__ == "__main__":
    sys.exit(main())
