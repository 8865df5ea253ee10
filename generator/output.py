"""The report formats every verb shares, so `lint`, `sync`, `import` and `regenerate`
say the same thing the same way.

- json: one document per run: the verb's summary keys first, then `errors`,
  `warnings`, `counts` (findings per code) and `findings`, each with `path`, `line`,
  `col`, `code`, `severity`, `message`, `hint` and `fixable`.
- github: one GitHub Actions workflow command per finding, which annotates the line
  in a pull request.
- text: `path:line:col: CODE message (hint)` lines (`Diagnostic.format`).

Pure functions returning text; the CLI decides where it goes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from generator.diagnostics import Diagnostic, rule

FORMATS = ("text", "json", "github")


def finding_data(d: Diagnostic) -> dict[str, Any]:
    return {
        "path": d.position.path,
        "line": d.position.line,
        "col": d.position.col,
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "hint": d.hint,
        "fixable": bool(rule(d.code).fix),
    }


def json_document(
    findings: Iterable[Diagnostic], summary: Mapping[str, Any] | None = None
) -> str:
    """The run as one JSON document: `summary`'s keys, then the findings and their
    counts."""
    found = list(findings)
    severities = Counter(d.severity for d in found)
    data = {
        **(summary or {}),
        "errors": severities["error"],
        "warnings": severities["warning"],
        "counts": dict(sorted(Counter(d.code for d in found).items())),
        "findings": [finding_data(d) for d in found],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def github_annotation(finding: Diagnostic) -> str:
    """A GitHub Actions workflow command that annotates the finding's line."""
    level = {"error": "error", "warning": "warning"}.get(finding.severity, "notice")
    where = finding.position

    def escaped(text: str) -> str:  # the command syntax's own escapes
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:  # a property value also escapes its separators
        return escaped(text).replace(":", "%3A").replace(",", "%2C")

    props = f"file={prop(where.path)},line={where.line},col={where.col}"
    message = finding.message + (f" ({finding.hint})" if finding.hint else "")
    return f"::{level} {props},title={finding.code}::{escaped(message)}"


def github_annotations(findings: Iterable[Diagnostic]) -> str:
    return "".join(github_annotation(d) + "\n" for d in findings)
