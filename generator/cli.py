"""Command line: argument parsing and exit codes only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import __version__, pipeline
from generator.ir import Diagnostic, to_json

EXIT_OK, EXIT_DRIFT, EXIT_INPUT = 0, 1, 2


def report(problems: list[Diagnostic], min_severity: str = "warning") -> None:
    keep = ("error",) if min_severity == "error" else ("error", "warning")
    for p in sorted(problems, key=lambda p: (p.position.path, p.position.line, p.position.col,
                                             p.code)):
        if p.severity in keep:
            print(p.format(), file=sys.stderr)


def cmd_ir(args: argparse.Namespace) -> int:
    methods, problems = pipeline.read_ir([Path(p) for p in args.paths], args.format)
    report(problems, "warning" if args.verbose else "error")
    if args.json:
        sys.stdout.write(to_json(methods))
    else:
        for m in methods:
            flags = " deprecated" + (f" -> {m.replacement}" if m.replacement else "") \
                if m.deprecated else ""
            print(f"{m.method} [{m.api}, scope {m.scope or '?'}] {len(m.params)} params, "
                  f"{len(m.errors)} errors{flags}  ({m.source.path if m.source else ''})")
    return EXIT_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def cmd_regenerate(args: argparse.Namespace) -> int:
    outcome = pipeline.regenerate(Path(args.specs), Path(args.out), check=args.check)
    report(outcome.problems, "error")
    if any(p.severity == "error" for p in outcome.problems):
        print(f"b24gen: {args.out} left unchanged", file=sys.stderr)
        return EXIT_INPUT
    if args.check:
        for rel in outcome.changed:
            print(f"drift: {args.out}/{rel}")
        if outcome.changed:
            print(f"b24gen: {len(outcome.changed)} generated file(s) differ from what the "
                  "specs produce; run `make regenerate`", file=sys.stderr)
            return EXIT_DRIFT
        return EXIT_OK
    print(f"b24gen: {len(outcome.changed)} file(s) written to {args.out}"
          if outcome.written else f"b24gen: {args.out} is up to date")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="b24gen", description=__doc__)
    p.add_argument("--version", action="version", version=f"b24gen {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    ir = sub.add_parser("ir", help="read docs or specs and print the intermediate model")
    ir.add_argument("paths", nargs="+")
    ir.add_argument("--json", action="store_true", help="one JSON object per method")
    ir.add_argument("--format", choices=["markdown", "pipe", "blank"], help="skip sniffing")
    ir.add_argument("-v", "--verbose", action="store_true", help="print warnings too")
    ir.set_defaults(run=cmd_ir)

    regen = sub.add_parser("regenerate", help="render specs into the generated package")
    regen.add_argument("specs", nargs="?", default="specs")
    regen.add_argument("--out", default="generated")
    regen.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 and list files that would change")
    regen.set_defaults(run=cmd_regenerate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
