"""The one registry of diagnostic codes: every code the source emits is registered,
every registered code is emitted, each is documented, findings take their severity from
it, and each example really triggers its rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator import diagnostics
from generator.diagnostics import (
    RULES,
    SEVERITIES,
    Diagnostic,
    Position,
    UnknownCode,
    diagnostic,
)
from generator.maintain.lint import lint_paths, statistics
from generator.maintain.sync import sync_text

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "generator"
CODE = re.compile(r"""(["'])([A-Z]{2,4}\d{3})\1""")

# Examples that are not one page lint can read alone: a path or a command, two files,
# two languages, a crash, a scraped form no reader has, or a reader bug (CONF).
NOT_A_PAGE = {
    "READ001", "READ003", "READ004", "SPEC008", "SPEC009", "SCR001", "LINT000",
    "LINT401", "LINT402", "LINT403", "SYNC001", "SYNC002", "READ005", "MD011", "CFG001",
    "IMP000",
} | {c for c in RULES if c.startswith(("CONF", "OUT", "ARG"))}


def codes_in_source() -> dict[str, list[str]]:
    """Code-shaped string literals in generator/*.py (the registry itself left out),
    with where they occur."""
    found: dict[str, list[str]] = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        if path == GENERATOR / "diagnostics.py":
            continue
        text = path.read_text(encoding="utf-8")
        for m in CODE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(m[2], []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def test_every_code_in_the_source_is_registered():
    found = codes_in_source()
    assert {"LINT204", "SCR005", "CONF013", "MD010"} <= set(found)  # the scan works
    unregistered = {c: where for c, where in found.items() if c not in RULES}
    assert not unregistered, f"not in generator/diagnostics.py: {unregistered}"


def test_no_registered_code_is_dead():
    dead = sorted(set(RULES) - set(codes_in_source()))
    assert not dead, f"registered but never emitted: {dead}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_documented(code):
    r = RULES[code]
    assert r.code == code and re.fullmatch(r"[A-Z]{2,4}\d{3}", code)
    assert r.severity in SEVERITIES
    assert r.summary.strip() and r.hint.strip() and r.example.strip()
    assert "\n" not in r.summary and "\n" not in r.hint
    assert r.fix in ("", "sync", "sync --fix")


def test_diagnostic_takes_severity_and_default_hint_from_the_registry():
    d = diagnostic("YFM002", "page.md", "code fence never closes", line=4, col=2)
    assert (d.position, d.severity, d.hint) == (
        Position("page.md", 4, 2), "warning", RULES["YFM002"].hint)
    specific = diagnostic("LINT201", Position("p.md", 3, 1), "m", "document it")
    assert (specific.severity, specific.hint) == ("error", "document it")
    assert diagnostic("SCR005", "p.txt", "m", "").hint == ""
    assert Diagnostic(Position("p.md"), "SCR002", "m").severity == "info"


def test_an_unregistered_code_or_severity_is_a_programming_error():
    with pytest.raises(KeyError) as raised:
        diagnostic("LINT999", "p.md", "m")
    assert isinstance(raised.value, UnknownCode) and "LINT403" in str(raised.value)
    with pytest.raises(UnknownCode):
        Diagnostic(Position("p.md"), "NOPE001", "m")
    with pytest.raises(ValueError, match="YFM002"):
        Diagnostic(Position("p.md"), "YFM002", "m", "", "error")


def test_ir_keeps_exporting_position_and_diagnostic():
    from generator import ir

    assert ir.Diagnostic is Diagnostic and ir.Position is Position


@pytest.mark.parametrize("code", sorted(set(RULES) - NOT_A_PAGE))
def test_the_example_triggers_its_rule(tmp_path, code):
    example = RULES[code].example
    page = tmp_path / ("page.txt" if code.startswith("SCR") else "page.md")
    if code == "READ002":  # the example spells the Latin-1 byte as \xe9
        page.write_bytes(example.replace("\\xe9", "\xe9").encode("latin-1"))
    else:
        page.write_text(example, encoding="utf-8")
    assert code in {f.code for f in lint_paths([page]).findings}


def test_the_sync_example_triggers_sync002(tmp_path):
    page = tmp_path / "page.md"
    synced = sync_text(RULES["SYNC002"].example + "\n# Get a deal crm.deal.get\n\n"
                       "> Scope: [`crm`](#)\n", page, "page.md")
    assert [p.code for p in synced.problems] == ["SYNC002"]


def test_lint_statistics_read_the_registry(monkeypatch):
    page = ROOT / "tests" / "fixtures" / "lint" / "bad" / "link_missing.md"
    report = lint_paths([page])
    assert statistics(report).split() == ["1", "LINT204", "warning",
                                          *RULES["LINT204"].summary.split()]
    changed = diagnostics.Rule("LINT204", "warning", "a summary from the registry",
                               "hint", example="x")
    monkeypatch.setitem(RULES, "LINT204", changed)
    assert statistics(report).rstrip().endswith("warning  a summary from the registry")
