"""Command line: argument parsing and exit codes only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from generator import __version__, diagnostics, mock, pipeline
from generator.diagnostics import Diagnostic
from generator.ir import to_json

EXIT_OK, EXIT_DRIFT, EXIT_INPUT = 0, 1, 2


def report(problems: list[Diagnostic], min_severity: str = "warning") -> None:
    keep = ("error",) if min_severity == "error" else ("error", "warning")
    for p in sorted(
        problems,
        key=lambda p: (p.position.path, p.position.line, p.position.col, p.code),
    ):
        if p.severity in keep:
            print(p.format(), file=sys.stderr)


def cmd_ir(args: argparse.Namespace) -> int:
    methods, problems = pipeline.read_ir([Path(p) for p in args.paths], args.format)
    report(problems, "warning" if args.verbose else "error")
    if args.json:
        sys.stdout.write(to_json(methods))
    else:
        for m in methods:
            flags = (
                " deprecated" + (f" -> {m.replacement}" if m.replacement else "")
                if m.deprecated
                else ""
            )
            print(
                f"{m.method} [{m.api}, scope {m.scope or '?'}] {len(m.params)} params, "
                f"{len(m.errors)} errors{flags}  ({m.source.path if m.source else ''})"
            )
    return EXIT_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def cmd_regenerate(args: argparse.Namespace) -> int:
    outcome = pipeline.regenerate(
        Path(args.specs), Path(args.out), check=args.check, force=args.force
    )
    report(outcome.problems, "error")
    if any(p.severity == "error" for p in outcome.problems):
        print(f"b24gen: {args.out} left unchanged", file=sys.stderr)
        return EXIT_INPUT
    if args.check:
        for rel in outcome.changed:
            print(f"drift: {args.out}/{rel}")
        if outcome.changed:
            print(
                f"b24gen: {len(outcome.changed)} generated file(s) differ from what "
                "the specs produce; run `make regenerate`",
                file=sys.stderr,
            )
            return EXIT_DRIFT
        return EXIT_OK
    print(
        f"b24gen: {len(outcome.changed)} file(s) written to {args.out}"
        if outcome.written
        else f"b24gen: {args.out} is up to date"
    )
    return EXIT_OK


def cmd_mock(args: argparse.Namespace) -> int:
    docs = Path(args.docs) if args.docs else None
    loaded = mock.prepare(Path(args.specs), docs)
    report(loaded.problems, "error")
    if loaded.errors:
        print("b24gen: mock portal not started", file=sys.stderr)
        return EXIT_INPUT
    options = {
        "dataset_size": args.dataset,
        "drain": args.drain,
        "burst": args.burst,
        "operating_per_call": args.operating,
        "seed": args.seed,
    }
    mock.serve(
        loaded,
        port=args.port,
        options=options,
        announce=lambda text: print(text, flush=True),
    )
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    from generator.maintain import lint

    result = lint.lint_paths(
        [Path(p) for p in args.paths], [Path(args.compare)] if args.compare else None
    )
    if args.format == "json":
        sys.stdout.write(lint.as_json(result))
    else:
        sys.stdout.write(
            lint.statistics(result) if args.statistics else lint.as_text(result)
        )
    print(lint.summary(result), file=sys.stderr)
    return EXIT_DRIFT if result.failed(args.strict) else EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from generator.maintain import sync

    results = sync.sync_paths([Path(p) for p in args.paths], fix=args.fix)
    changed = [r for r in results if r.changed]
    for r in changed:  # the diff first, then the write
        sys.stdout.write(sync.unified(r.display, r.old, r.new))
    if not args.check:
        sync.write(results)
    report([p for r in results for p in r.problems], "warning")
    if any(p.severity == "error" for r in results for p in r.problems):
        return EXIT_INPUT
    verb = "would change" if args.check else "changed"
    print(
        f"b24gen sync: {len(changed)} of {len(results)} file(s) {verb}", file=sys.stderr
    )
    return EXIT_DRIFT if args.check and changed else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from generator.maintain import importer

    run = importer.import_sources(
        [Path(p) for p in args.sources],
        Path(args.to),
        args.scope,
        write=not args.dry_run,
    )
    for r in run.results:
        print(r.describe())
    problems = run.problems + [p for r in run.results for p in r.problems]
    report(problems, "error")
    print(
        f"b24gen import: {len(run.results)} method(s), {run.skipped} page(s) skipped",
        file=sys.stderr,
    )
    return EXIT_INPUT if any(p.severity == "error" for p in problems) else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.maintain import diff
    from generator.read import read_paths

    old, old_problems = read_paths([Path(args.old)])
    new, new_problems = read_paths([Path(args.new)])
    report(old_problems + new_problems, "error")
    changes = diff.diff_methods(old, new)
    sys.stdout.write(
        diff.as_json(changes)
        if args.format == "json"
        else diff.as_markdown(changes, args.old, args.new)
    )
    fail = {
        "breaking": bool(diff.breaking(changes)),
        "any": bool(changes),
        "never": False,
    }
    return EXIT_DRIFT if fail[args.fail_on] else EXIT_OK


def cmd_conformance(args: argparse.Namespace) -> int:
    import json

    from generator import conformance

    roots = [Path(p) for p in args.dirs] + (
        [Path(args.compare)] if args.compare else []
    )
    missing = [str(r) for r in roots if not r.exists()]
    if missing:
        print(
            f"b24gen conformance: no such folder: {', '.join(missing)}", file=sys.stderr
        )
        return EXIT_INPUT
    reports = [conformance.check_tree(r) for r in roots]
    agreement = (
        conformance.compare_languages(reports[0], reports[-1]) if args.compare else None
    )
    if args.json:
        data: dict[str, object] = {"trees": [conformance.tree_data(r) for r in reports]}
        if agreement is not None:
            data["agreement"] = conformance.agreement_data(agreement)
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for r in reports:
            print("\n".join(conformance.format_tree(r)))
        if agreement is not None:
            print(
                "\n".join(
                    conformance.format_agreement(agreement, args.dirs[0], args.compare)
                )
            )
    below = any(r.crashes or r.ratio < args.min_complete for r in reports) or (
        agreement is not None and agreement.ratio < args.min_agreement
    )
    return EXIT_DRIFT if below else EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        text = (
            diagnostics.explain(args.code) if args.code else diagnostics.explain_all()
        )
    except diagnostics.UnknownCode as exc:
        print(f"b24gen explain: {exc}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(text)
    return EXIT_OK


def add_explain_verb(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ex = sub.add_parser(
        "explain", help="what a diagnostic code means and how to fix it"
    )
    ex.add_argument(
        "code", nargs="?", help="a code such as LINT204; without one, list every code"
    )
    ex.set_defaults(run=cmd_explain)


def add_conformance_verb(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    conf = sub.add_parser(
        "conformance", help="how completely the docs trees read into methods"
    )
    conf.add_argument("dirs", nargs="+", help="docs trees (e.g. ../shared/corpus/en)")
    conf.add_argument(
        "--json", action="store_true", help="one JSON object with every number"
    )
    conf.add_argument(
        "--compare",
        metavar="OTHER_DIR",
        help="the same docs in another language: check that methods agree",
    )
    conf.add_argument(
        "--min-complete",
        type=float,
        default=0.995,
        help="exit 1 below this share of complete method records (0.995)",
    )
    conf.add_argument(
        "--min-agreement",
        type=float,
        default=0.98,
        help="exit 1 below this share of agreeing methods (0.98)",
    )
    conf.set_defaults(run=cmd_conformance)


def add_spec_verbs(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    lint = sub.add_parser("lint", help="report problems in spec and docs pages")
    lint.add_argument("paths", nargs="+")
    lint.add_argument("--format", choices=["text", "json"], default="text")
    lint.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    lint.add_argument(
        "--compare",
        metavar="OTHER",
        help="a tree in the other language: report where the methods disagree",
    )
    lint.add_argument(
        "--statistics",
        action="store_true",
        help="print the count of findings per rule instead of the findings",
    )
    lint.set_defaults(run=cmd_lint)

    sync = sub.add_parser(
        "sync", help="fill the front matter of specs from their bodies"
    )
    sync.add_argument("paths", nargs="+")
    sync.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print the diff and exit 1 if a file would change",
    )
    sync.add_argument(
        "--fix",
        action="store_true",
        help="also repair fixable body defects (fences closed with 4+ spaces)",
    )
    sync.set_defaults(run=cmd_sync)

    imp = sub.add_parser("import", help="turn docs pages into spec files")
    imp.add_argument("sources", nargs="+")
    imp.add_argument("--to", default="specs", help="the specs tree (default: specs)")
    imp.add_argument(
        "--scope", action="append", help="only methods of this scope (repeatable)"
    )
    imp.add_argument("--dry-run", action="store_true", help="report, write nothing")
    imp.set_defaults(run=cmd_import)

    df = sub.add_parser("diff", help="changelog between two spec or docs trees")
    df.add_argument("old")
    df.add_argument("new")
    df.add_argument("--format", choices=["markdown", "json"], default="markdown")
    df.add_argument(
        "--fail-on",
        choices=["breaking", "any", "never"],
        default="breaking",
        help="exit 1 when such changes exist (default: breaking)",
    )
    df.set_defaults(run=cmd_diff)


def add_ir_verb(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ir = sub.add_parser(
        "ir", help="read docs or specs and print the intermediate model"
    )
    ir.add_argument("paths", nargs="+")
    ir.add_argument("--json", action="store_true", help="one JSON object per method")
    ir.add_argument(
        "--format", choices=["markdown", "pipe", "blank"], help="skip sniffing"
    )
    ir.add_argument("-v", "--verbose", action="store_true", help="print warnings too")
    ir.set_defaults(run=cmd_ir)


def add_regenerate_verb(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    regen = sub.add_parser("regenerate", help="render specs into the generated package")
    regen.add_argument("specs", nargs="?", default="specs")
    regen.add_argument("--out", default="generated")
    regen.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list files that would change",
    )
    regen.add_argument(
        "--force",
        action="store_true",
        help="overwrite files edited by hand and delete files b24gen did not write",
    )
    regen.set_defaults(run=cmd_regenerate)


def add_mock_verb(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mk = sub.add_parser(
        "mock", help="serve a mock Bitrix24 portal built from the specs"
    )
    source = mk.add_mutually_exclusive_group()
    source.add_argument("--specs", default="specs", help="folder of spec files")
    source.add_argument(
        "--docs", help="a docs checkout or its api-reference folder, read as it is"
    )
    mk.add_argument("--port", type=int, default=8024, help="0 picks a free port")
    mk.add_argument(
        "--dataset", type=int, default=200, help="items each list method pages over"
    )
    mk.add_argument(
        "--drain",
        type=float,
        default=2.0,
        help="leaky bucket: requests drained a second",
    )
    mk.add_argument(
        "--burst", type=float, default=50, help="leaky bucket: requests before 503"
    )
    mk.add_argument(
        "--operating",
        type=float,
        default=0.0,
        help="operating seconds each call adds (429 above 480 s)",
    )
    mk.add_argument(
        "--seed", type=int, default=0, help="0: IDs 1..N; other seeds leave gaps"
    )
    mk.set_defaults(run=cmd_mock)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="b24gen", description=__doc__)
    p.add_argument("--version", action="version", version=f"b24gen {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    add_ir_verb(sub)
    add_regenerate_verb(sub)
    add_mock_verb(sub)
    add_spec_verbs(sub)
    add_conformance_verb(sub)
    add_explain_verb(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run  # set by the verb's parser
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
