"""Scraped-form conformance: make the test data and print how the scraped readers agree
with the markdown records of the same pages.

    .venv/bin/python bench/scraped/run.py [CORPUS_LANG_DIR] [--out DIR] [--list N]

CORPUS_LANG_DIR defaults to ../shared/corpus/en, the test data goes to
build/scraped/<lang> (made again only when the corpus or the generator changed). Needs
node and npm; says so and exits 3 without them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from generator.conformance.scraped import compare_tree, format_reports  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared/corpus/en"))
    ap.add_argument("--out", help="test data folder (default build/scraped/<lang>)")
    ap.add_argument("--list", type=int, default=0, help="list N mismatches a form")
    args = ap.parse_args()
    corpus = Path(args.corpus).resolve()
    out = Path(args.out) if args.out else ROOT / "build" / "scraped" / corpus.name
    made = subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(corpus), str(out)], check=False
    )
    if made.returncode:
        return made.returncode
    reports = compare_tree(corpus, out)
    print("\n".join(format_reports(reports, limit=args.list)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
