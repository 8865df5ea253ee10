"""Command line: argument parsing, exit codes, progress and colour only.

Exit status: 0 clean, 1 findings (lint, `--check` drift, a breaking diff), 2 bad input
(reported as `path:line:col: CODE message (hint)`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import __version__, config, console, diagnostics, output, workers
from generator.diagnostics import Diagnostic, diagnostic
from generator.ir import to_json

if TYPE_CHECKING:
    from generator.maintain.importer import Imported

EXIT_OK, EXIT_DRIFT, EXIT_INPUT = 0, 1, 2


def shown(problems: list[Diagnostic], least: str = "warning") -> list[Diagnostic]:
    """The findings of `least` severity or worse ("error" or "warning"), in the
    order of their positions."""
    keep = ("error",) if least == "error" else ("error", "warning")
    return sorted(
        (p for p in problems if p.severity in keep),
        key=lambda p: (p.position.path, p.position.line, p.position.col, p.code),
    )


def report(problems: list[Diagnostic], least: str = "warning") -> None:
    """Finding lines on standard error, coloured on a terminal."""
    for p in shown(problems, least):
        console.finding_line(p.format(), p.severity)


def least_shown(args: argparse.Namespace) -> str:
    """Errors only, or with `--verbose` warnings too."""
    return "warning" if args.verbose else "error"


def emit(
    args: argparse.Namespace,
    problems: list[Diagnostic],
    summary: dict[str, Any],
    least: str = "error",
) -> None:
    """The run's findings in its `--output-format`: lines on standard error (text),
    workflow commands on standard output (github), or the one JSON document with the
    verb's `summary` (json)."""
    found = shown(problems, least)
    if args.output_format == "json":
        sys.stdout.write(output.json_document(found, summary))
    elif args.output_format == "github":
        sys.stdout.write(output.github_annotations(found))
    else:
        report(found)


def say(args: argparse.Namespace, text: str) -> None:
    """A summary line on standard error; `--quiet` leaves it out."""
    if not args.quiet:
        print(text, file=sys.stderr)


def detail(args: argparse.Namespace, text: str) -> None:
    """A per-file line on standard error, shown with `--verbose`."""
    if args.verbose:
        print(text, file=sys.stderr, flush=True)


def progress_of(args: argparse.Namespace) -> console.Progress:
    """A bar on a terminal; none under `--quiet` (what `pipeline.regenerate` is to be
    given as its progress callback)."""
    return console.no_progress if args.quiet else console.progress


def bar(args: argparse.Namespace, label: str) -> Callable[[list[Path]], Iterable[Path]]:
    """Walk files with a progress bar on a terminal (nothing when piped, in CI or
    under `--quiet`)."""
    return lambda files: console.walk(files, len(files), label, progress_of(args))


def bad_paths(
    paths: list[str], kind: str = "any", missing_is: str = "ARG001"
) -> list[Diagnostic]:
    """Findings for named paths that are missing or not of the `kind` a verb reads
    ("folder", or "any" for a file or a folder), shown as the user wrote them."""
    found = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            found.append(diagnostic(missing_is, raw, f"{raw} does not exist"))
        elif kind == "folder" and not path.is_dir():
            found.append(diagnostic("ARG001", raw, f"{raw} is a file, not a folder"))
    return found


def refused(problems: list[Diagnostic]) -> int:
    """Report bad input and give its exit status."""
    report(problems, "error")
    return EXIT_INPUT


def out_of_range(
    option: str, value: float, low: float, high: float
) -> list[Diagnostic]:
    if low <= value <= high:
        return []
    message = f"{option} {value:g} is out of range ({low:g} to {high:g})"
    return [diagnostic("ARG002", option, message)]


def has_errors(problems: list[Diagnostic]) -> bool:
    return any(p.severity == "error" for p in problems)


def cmd_ir(args: argparse.Namespace) -> int:
    from generator import pipeline  # only the verbs that read import it

    if problems := bad_paths(args.paths):
        return refused(problems)
    methods, problems = pipeline.read_ir(
        [Path(p) for p in args.paths], args.format, bar(args, "reading pages")
    )
    report(problems, least_shown(args))
    if args.json or args.output_format == "json":
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
    return EXIT_INPUT if has_errors(problems) else EXIT_OK


def cmd_regenerate(args: argparse.Namespace) -> int:
    from generator import pipeline  # only the verbs that read import it

    settings, problems = config.load()
    if problems:
        return refused(problems)
    args.out = args.out or settings.out
    if args.docs and args.specs:
        message = f"give a specs folder ({args.specs}) or --docs, not both"
        return refused([diagnostic("ARG005", "--docs", message)])
    outcome = pipeline.regenerate(
        Path(args.specs or settings.specs),
        Path(args.out),
        check=args.check,
        force=args.force,
        docs=Path(args.docs) if args.docs else None,
        report=args.report,
        each=bar(args, "reading pages"),
    )
    written = outcome.changed if outcome.written else []
    summary = {
        "out": args.out,
        "check": args.check,
        "changed": outcome.changed,
        "written": written,
        "report": (
            dict(vars(outcome.report)) if args.report and outcome.report else None
        ),
    }
    emit(args, outcome.problems, summary, least_shown(args))
    text = args.output_format != "json"
    if text and args.report and outcome.report is not None:
        sys.stdout.write(outcome.report.format())
    if has_errors(outcome.problems):
        say(args, f"b24gen: {args.out} left unchanged")
        return EXIT_INPUT
    if args.check:
        for rel in outcome.changed if text else []:
            print(f"drift: {args.out}/{rel}")
        if outcome.changed:
            say(
                args,
                f"b24gen: {len(outcome.changed)} generated file(s) differ from what "
                "the specs produce; run `make regenerate`",
            )
            return EXIT_DRIFT
        return EXIT_OK
    for rel in written:
        gone = not (Path(args.out) / rel).exists()
        detail(args, f"{'removed' if gone else 'wrote'} {args.out}/{rel}")
    say(
        args,
        (
            f"b24gen: {len(outcome.changed)} file(s) written to {args.out}"
            if outcome.written
            else f"b24gen: {args.out} is up to date"
        ),
    )
    return EXIT_OK


def cmd_mock(args: argparse.Namespace) -> int:
    from generator import mock

    problems = bad_paths([args.docs or args.specs], "folder")
    problems += out_of_range("--port", args.port, 0, 65535)
    problems += out_of_range("--dataset", args.dataset, 0, 10_000_000)
    for option, value in (("--drain", args.drain), ("--burst", args.burst)):
        problems += out_of_range(option, value, 0.001, 1e12)
    problems += out_of_range("--operating", args.operating, 0, 1e6)
    if problems:
        return refused(problems)
    docs = Path(args.docs) if args.docs else None
    loaded = mock.prepare(Path(args.specs), docs)
    report(loaded.problems, least_shown(args))
    if loaded.errors:
        say(args, "b24gen: mock portal not started")
        return EXIT_INPUT
    options = {
        "dataset_size": args.dataset,
        "drain": args.drain,
        "burst": args.burst,
        "operating_per_call": args.operating,
        "seed": args.seed,
        "tls": args.tls,
    }
    try:
        mock.serve(
            loaded,
            port=args.port,
            options=options,
            announce=lambda text: print(text, flush=True),
        )
    except OSError as exc:
        message = f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}"
        return refused([diagnostic("ARG003", "--port", message)])
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    from generator.maintain import lint

    if problems := bad_paths(args.paths + ([args.compare] if args.compare else [])):
        return refused(problems)
    settings, problems = config.load()
    if problems:
        return refused(problems)
    rules = settings.lint.with_options(args.select, args.ignore)
    result = lint.lint_paths(
        [Path(p) for p in args.paths],
        [Path(args.compare)] if args.compare else None,
        bar(args, "linting pages"),
    )
    result.findings = [
        f for f in result.findings if rules.keeps(f.code, f.position.path)
    ]
    if args.output_format == "json":
        sys.stdout.write(lint.as_json(result))
    elif args.output_format == "github":
        sys.stdout.write(output.github_annotations(result.findings))
    elif args.statistics:
        sys.stdout.write(lint.statistics(result))
    else:
        for f in result.findings:
            console.finding_line(lint.line_of(f), f.severity, sys.stdout)
    say(args, lint.summary(result))
    return EXIT_DRIFT if result.failed(args.strict) else EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from generator.maintain import sync

    if problems := bad_paths(args.paths):
        return refused(problems)
    results = sync.sync_paths(
        [Path(p) for p in args.paths], args.fix, bar(args, "syncing pages")
    )
    changed = [r for r in results if r.changed]
    # the diff is what --check reports; when writing, --quiet leaves it out
    if args.output_format != "json" and (args.check or not args.quiet):
        for r in changed:  # the diff first, then the write
            sys.stdout.write(sync.unified(r.display, r.old, r.new))
    written = [] if args.check else sync.write(results)
    for r in results:
        state = "would change" if args.check else "changed"
        detail(args, f"{state if r.changed else 'unchanged':12s} {r.display}")
    problems = [p for r in results for p in r.problems]
    emit(args, problems, sync.summary_data(results, written), "warning")
    if has_errors(problems):
        return EXIT_INPUT
    verb = "would change" if args.check else "changed"
    say(args, f"b24gen sync: {len(changed)} of {len(results)} file(s) {verb}")
    return EXIT_DRIFT if args.check and changed else EXIT_OK


def import_lines(r: Imported, args: argparse.Namespace) -> list[str]:
    """What the run prints for one method: a line for each spec created or updated
    (all of them, and what each page lost, with `--verbose`; none with `--quiet`
    or in JSON)."""
    if args.quiet or args.output_format == "json":
        return []
    if r.action == "unchanged" and not args.verbose:
        return []
    lost = [f"    lost: {item}" for item in r.lost] if args.verbose else []
    return [r.describe(args.dry_run), *lost]


def print_import(args: argparse.Namespace) -> Callable[[Imported], None]:
    """Streams `import_lines` as each method is imported."""

    def show(r: Imported) -> None:
        for line in import_lines(r, args):
            print(line, flush=True)

    return show


def cmd_import(args: argparse.Namespace) -> int:
    from generator.maintain import importer

    if problems := bad_paths(args.sources):
        return refused(problems)
    run = importer.import_sources(
        [Path(p) for p in args.sources],
        Path(args.to),
        args.scope,
        write=not args.dry_run,
        on_result=print_import(args),
        each=bar(args, "reading pages"),
    )
    problems = run.problems + [p for r in run.results for p in r.problems]
    if args.scope and not run.results and not problems:
        known = ", ".join(sorted(run.scopes_seen)) or "none"
        message = f"no page has scope {', '.join(args.scope)} (scopes there: {known})"
        problems.append(diagnostic("ARG004", "--scope", message))
    summary = {"to": args.to, "dry_run": args.dry_run, **run.summary_data()}
    emit(args, problems, summary, least_shown(args))
    for lost, pages in run.losses():
        say(args, f"b24gen import: the source form lost {lost} ({pages} page(s))")
    say(
        args,
        f"b24gen import: {len(run.results)} method(s), {run.skipped} page(s) skipped",
    )
    return EXIT_INPUT if has_errors(problems) else EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from generator.maintain import diff
    from generator.read import read_paths

    if args.git:
        repo, revisions = args.git
        if args.old or args.new:
            message = "give OLD NEW or --git, not both"
            return refused([diagnostic("ARG005", "--git", message)])
        labels = tuple(revisions.split("..", 1))
        try:
            with diff.git_trees(Path(repo), revisions) as (old_dir, new_dir):
                old, old_problems = read_paths([old_dir], None, bar(args, labels[0]))
                new, new_problems = read_paths([new_dir], None, bar(args, labels[-1]))
        except diff.GitError as exc:
            return refused([diagnostic("ARG007", repo, str(exc))])
    else:
        if not (args.old and args.new):
            message = "give OLD and NEW trees (or --git REPO OLD..NEW)"
            return refused(
                [diagnostic("ARG006", "NEW" if args.old else "OLD", message)]
            )
        if problems := bad_paths([args.old, args.new]):
            return refused(problems)
        old, old_problems = read_paths(
            [Path(args.old)], None, bar(args, f"reading {args.old}")
        )
        new, new_problems = read_paths(
            [Path(args.new)], None, bar(args, f"reading {args.new}")
        )
        labels = (args.old, args.new)
    report(old_problems + new_problems, least_shown(args))
    changes = diff.diff_methods(old, new)
    if args.output_format == "json":
        sys.stdout.write(diff.as_json(changes))
    else:
        console.changelog(diff.as_markdown(changes, labels[0], labels[1]))
    fail = {
        "breaking": bool(diff.breaking(changes)),
        "any": bool(changes),
        "never": False,
    }
    return EXIT_DRIFT if fail[args.fail_on] else EXIT_OK


def cmd_conformance(args: argparse.Namespace) -> int:
    import json

    from generator import conformance

    named = args.dirs + ([args.compare] if args.compare else [])
    if problems := bad_paths(named, "folder"):
        return refused(problems)
    roots = [Path(p) for p in named]

    def complete(r: conformance.TreeReport) -> bool:
        return not r.crashes and r.ratio >= args.min_complete

    reports = [conformance.check_tree(r, bar(args, f"checking {r}")) for r in roots]
    agreement = (
        conformance.compare_languages(reports[0], reports[-1]) if args.compare else None
    )
    if args.json or args.output_format == "json":
        data: dict[str, object] = {"trees": [conformance.tree_data(r) for r in reports]}
        if agreement is not None:
            data["agreement"] = conformance.agreement_data(agreement)
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for r in reports:
            if not args.quiet:
                print(*conformance.format_table(r), sep="\n")
                console.verdict(conformance.format_totals(r), complete(r))
            if args.output_format == "github":
                sys.stdout.write(output.github_annotations(r.findings()))
                continue
            for f in r.findings():
                console.finding_line(f.format(), f.severity, sys.stdout)
        if agreement is not None:
            first, second = args.dirs[0], args.compare
            if not args.quiet:
                console.verdict(
                    conformance.agreement_headline(agreement, first, second),
                    agreement.ratio >= args.min_agreement,
                )
            for line in conformance.disagreement_lines(agreement, first, second):
                print(line)
    below = not all(complete(r) for r in reports) or (
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
    output_format(conf, help="json is the same as --json; github annotates findings")
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
    lint.add_argument("paths", nargs="+", help="spec or docs files and folders")
    lint.add_argument(
        "--select",
        metavar="CODES",
        help="report only these codes or prefixes, comma-separated (LINT,SPEC010); "
        "adds to [tool.b24gen.lint] select",
    )
    lint.add_argument(
        "--ignore",
        metavar="CODES",
        help="leave out these codes or prefixes, comma-separated (LINT204)",
    )
    output_format(lint, "--format")
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
    sync.add_argument("paths", nargs="+", help="spec files and folders")
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
    output_format(sync)
    sync.set_defaults(run=cmd_sync)

    imp = sub.add_parser("import", help="turn docs pages into spec files")
    imp.add_argument(
        "sources", nargs="+", help="docs pages or folders (markdown or scraped text)"
    )
    imp.add_argument("--to", default="specs", help="the specs tree (default: specs)")
    imp.add_argument(
        "--scope", action="append", help="only methods of this scope (repeatable)"
    )
    imp.add_argument("--dry-run", action="store_true", help="report, write nothing")
    output_format(imp)
    imp.set_defaults(run=cmd_import)

    df = sub.add_parser("diff", help="changelog between two spec or docs trees")
    df.add_argument("old", nargs="?", help="the old tree")
    df.add_argument("new", nargs="?", help="the new tree")
    df.add_argument(
        "--git",
        nargs=2,
        metavar=("DOCS_REPO", "OLD..NEW"),
        help="compare two revisions of a git checkout of the docs (read with git "
        "archive; the checkout is not touched)",
    )
    output_format(
        df,
        "--format",
        choices=("markdown", "text", "json"),
        help="text is the Markdown changelog",
    )
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
    ir.add_argument("paths", nargs="+", help="docs pages, specs or folders of them")
    ir.add_argument(
        "--json", action="store_true", help="one JSON object per method (the contract)"
    )
    output_format(ir, choices=("text", "json"), help="json is the same as --json")
    ir.add_argument(
        "--format", choices=["markdown", "pipe", "blank"], help="skip sniffing"
    )
    ir.set_defaults(run=cmd_ir)


def add_regenerate_verb(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    regen = sub.add_parser(
        "regenerate",
        help="render specs (or a docs tree, --docs) into the generated package",
    )
    regen.add_argument("specs", nargs="?", help="the specs folder (default: specs)")
    regen.add_argument(
        "--docs",
        metavar="PATH",
        help="build from a docs checkout (its root or its api-reference), either "
        "language, instead of specs",
    )
    regen.add_argument(
        "--out",
        help="the output folder (default: [tool.b24gen] out, else generated)",
    )
    regen.add_argument(
        "--report",
        action="store_true",
        help="print what was made: methods, typed parameters, TypedDicts, Any "
        "fallbacks by cause, renamed names, skipped pages with reasons",
    )
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
    output_format(regen)
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
        "--tls",
        action="store_true",
        help="serve HTTPS with a throw-away certificate (its CA file is printed)",
    )
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


DESCRIPTION = """b24gen generates a typed Python client for the Bitrix24 REST API from
its documentation, and keeps specs, docs and client in step.

exit status: 0 clean, 1 findings (lint, --check drift, a breaking diff), 2 bad input"""

EXAMPLES = {
    "ir": "b24gen ir ../b24-rest-docs/api-reference/tasks --json",
    "regenerate": "b24gen regenerate specs --out generated --check",
    "mock": "b24gen mock --specs specs --port 8024 --dataset 500",
    "lint": "b24gen lint specs --statistics",
    "sync": "b24gen sync --check specs",
    "import": "b24gen import ../b24-rest-docs/api-reference/tasks --to specs",
    "diff": "b24gen diff old-specs specs --fail-on breaking",
    "conformance": "b24gen conformance ../b24-rest-docs --compare ../b24-rest-docs-ru",
    "explain": "b24gen explain SPEC010",
}


class HelpFormatter(
    argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter
):
    """Defaults shown (where there is one to show), descriptions and examples kept
    as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or isinstance(action.default, list):
            return action.help
        return super()._get_help_string(action)


def output_format(
    verb: argparse.ArgumentParser,
    *aliases: str,
    choices: tuple[str, ...] = output.FORMATS,
    help: str = "json: one document with the findings and the run's summary; "
    "github: workflow commands that annotate the findings in a GitHub check",
) -> None:
    """`--output-format`, the same option on every verb that reports."""
    verb.add_argument(
        "--output-format",
        *aliases,
        dest="output_format",
        choices=choices,
        default=choices[0],
        help=help,
    )


def verbosity(verb: argparse.ArgumentParser) -> None:
    """`-q` and `-v`, with one meaning on every verb."""
    group = verb.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only findings and errors: no summary, no progress bar",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print warnings, and a line per file where the verb has one "
        "(written, created, changed)",
    )


def described(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Every verb: its help as description, an example, defaults shown, and the
    options every verb shares."""
    helps = {action.dest: action.help for action in sub._choices_actions}
    for name, verb in sub.choices.items():
        verb.formatter_class = HelpFormatter
        verb.description = verb.description or helps.get(name)
        verb.epilog = f"example:\n  {EXAMPLES[name]}"
        verbosity(verb)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="b24gen", description=DESCRIPTION, formatter_class=HelpFormatter
    )
    p.add_argument("--version", action="version", version=f"b24gen {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    add_ir_verb(sub)
    add_regenerate_verb(sub)
    add_mock_verb(sub)
    add_spec_verbs(sub)
    add_conformance_verb(sub)
    add_explain_verb(sub)
    described(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    workers.allow()  # the command's main module is guarded: workers may spawn
    workers.batch_gc()
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run  # set by the verb's parser
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of b24gen's: one line, never a traceback
        if os.environ.get("B24GEN_DEBUG"):
            raise
        print(
            f"b24gen: internal error: {type(exc).__name__}: {exc} (this is a bug in "
            "b24gen; B24GEN_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INPUT


def run() -> None:
    """The `b24gen` command: `main`, then out of the process without tearing the
    interpreter down (freeing every object of a large run one by one costs more than
    a small run's work; mypy ends the same way). Output is flushed first."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (`| head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
