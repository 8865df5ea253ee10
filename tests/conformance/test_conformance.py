"""Conformance: the reader against an independent count of what pages hold.

Small pages written for these tests (tests/fixtures/conformance, fictional `demo.widget.*`
methods) exercise each form the docs come in; the corpus tests read the real English and
Russian docs once per module and hold the reader to the issue's bar: no crash, at least
99.5% complete method records, at least 98% of the methods in both languages agreeing.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from generator import conformance as C
from generator.cli import main
from generator.diagnostics import RULES
from generator.ir import Method

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "conformance"
EN, RU = HERE / "en", HERE / "ru"
DEMO = EN / "api-reference" / "demo"


@pytest.fixture(scope="module")
def en_report() -> C.TreeReport:
    return C.check_tree(EN)


@pytest.fixture(scope="module")
def ru_report() -> C.TreeReport:
    return C.check_tree(RU)


def method(report: C.TreeReport, name: str, lang_path: str = "") -> Method:
    found = [m for m in report.methods if m.method == name and lang_path in m.source.path]
    assert len(found) == 1, [m.method for m in report.methods]
    return found[0]


def names(params) -> list[str]:
    return [p.name for p in params]


def field(params, *path: str):
    for name in path:
        params = {p.name: p for p in (params if isinstance(params, tuple) else params.fields)}[name]
    return params


# ---------------------------------------------------------------- the fixture tree


def test_fixture_tree_is_complete(en_report: C.TreeReport, ru_report: C.TreeReport) -> None:
    assert (en_report.method_pages, en_report.complete, en_report.crashes) == (9, 9, 0)
    assert (ru_report.method_pages, ru_report.complete, ru_report.crashes) == (2, 2, 0)
    assert en_report.findings() == []
    (demo, events) = en_report.categories()
    assert (demo.category, demo.pages, demo.method_pages) == ("demo", 10, 9)
    assert (events.category, events.method_pages) == ("events", 0)  # an event is no method


def test_required_marks_and_types(en_report: C.TreeReport) -> None:
    m = method(en_report, "demo.widget.add")
    marks = {p.name: (p.required, p.conditionally_required) for p in m.params}
    assert marks == {"ownerId": (True, False), "code": (True, False), "label": (True, False),
                     "color": (False, True), "note": (False, False), "fields": (True, False),
                     "tags": (False, False)}
    types = {p.name: (p.type, p.item_type) for p in m.params}
    assert types["ownerId"] == ("integer", None)
    assert types["note"] == ("string | null", None)
    assert types["tags"] == ("array", "string")


def test_sub_tables_nest_under_their_parameter(en_report: C.TreeReport) -> None:
    m = method(en_report, "demo.widget.add")
    fields = field(m.params, "fields")
    assert names(fields.fields) == ["TITLE", "SETTINGS", "KIND"]  # linked by its anchor
    assert field(fields, "TITLE").required
    settings = field(fields, "SETTINGS")  # named by its heading, one level deeper
    assert names(settings.fields) == ["MAX_LENGTH", "MIN", "MAX"]  # both tabs' tables
    assert names(field(m.params, "tags").fields) == ["value"]  # inside {% cut %}: kept
    assert "text" not in names(C.flat(m.params))  # "Possible values of ..." lists values


def test_hidden_text_is_dropped(en_report: C.TreeReport) -> None:
    m = method(en_report, "demo.widget.add")
    every = names(C.flat(m.params))
    assert "draftOnly" not in every  # inside {% if build == 'dev' %}
    assert "commentedOut" not in every  # inside an HTML comment


def test_scopes_several_and_russian_basic(en_report: C.TreeReport, ru_report: C.TreeReport) -> None:
    assert method(en_report, "demo.widget.add").scopes == ("demo", "placement", "extra")
    ru_get = method(ru_report, "demo.widget.get")
    assert (ru_get.scope, ru_get.language) == ("basic", "ru")


def test_no_parameters(en_report: C.TreeReport, ru_report: C.TreeReport) -> None:
    assert method(en_report, "demo.widget.get").params == ()
    assert method(ru_report, "demo.widget.get").params == ()


def test_error_table_shapes_and_odd_codes(en_report: C.TreeReport) -> None:
    add = method(en_report, "demo.widget.add")
    own = [(e.code, e.odd, e.status) for e in add.errors if not e.system]
    assert own == [("WIDGET_EXISTS", False, 400), ("0", True, 400), ("-", True, 400),
                   ("Empty value", True, 400)]
    system = [(e.code, e.status) for e in add.errors if e.system]
    assert system == [("QUERY_LIMIT_EXCEEDED", 503), ("NO_AUTH_FOUND", 401)]
    get = method(en_report, "demo.widget.get")
    assert [(e.code, e.status, e.message) for e in get.errors if not e.system] == [
        ("ACCESS_DENIED", 403, "Access denied"), ("NOT_FOUND", 404, "No widget")]
    listing = method(en_report, "demo.widget.list")
    assert [(e.code, e.odd, e.message) for e in listing.errors] == [("", True, "Too many")]


def test_rest_v3_page(en_report: C.TreeReport) -> None:
    m = method(en_report, "demo.widget.update")
    assert m.api == "v3"
    assert [(e.code.rsplit("_", 1)[-1], e.field) for e in m.errors] == [
        ("REQUESTVALIDATIONEXCEPTION", "id, fields"), ("REQUESTVALIDATIONEXCEPTION", "fields"),
        ("ACCESSDENIEDEXCEPTION", "-")]


def test_deprecation_resolves_the_replacement(en_report: C.TreeReport) -> None:
    get = method(en_report, "demo.widget.get")
    assert (get.deprecated, get.replacement) == (True, "demo.widget.add")  # the target's title
    listing = method(en_report, "demo.widget.list")
    assert (listing.deprecated, listing.replacement) == (True, "demo.widget.*")  # an index page


def test_method_names(en_report: C.TreeReport) -> None:
    found = {m.method for m in en_report.methods}
    assert "profile" in found  # a dot-less name the examples call
    assert "demo.gadget.pin" in found  # the title says demo.gadget, the examples the full name
    assert not any("ONDEMOWIDGETADD" in n or n == "event.bind" for n in found)


def test_alternative_tables_and_a_table_without_header(en_report: C.TreeReport) -> None:
    m = method(en_report, "demo.widget.list")
    assert [(p.name, p.required) for p in m.params] == [
        ("ownerId", True), ("prefix", True), ("limit", False)]


def test_table_before_any_section_and_fence_closing_a_row(en_report: C.TreeReport) -> None:
    m = method(en_report, "demo.widget.move")
    assert names(m.params) == ["id", "target", "keepOrder"]


def test_invalid_response_example_keeps_its_text(en_report: C.TreeReport) -> None:
    r = method(en_report, "demo.widget.add").returns
    assert (r.example_valid, r.example) == (False, None)
    assert r.example_text.startswith('{\n    "result": 15')
    assert method(en_report, "demo.widget.get").returns.example == {"result": {"ID": 15}}


# ---------------------------------------------------------------- the independent count


def test_count_does_not_use_the_reader() -> None:
    facts = C.page_facts((DEMO / "demo-widget-add.md").read_text(encoding="utf-8"),
                         DEMO / "demo-widget-add.md")
    assert facts.method_page and facts.name == "demo.widget.add"
    assert [C.row_name(r) for r in facts.params] == [
        "ownerId", "code", "label", "color", "note", "fields", "tags"]
    assert [C.row_mark(r) for r in facts.params] == [1, 1, 1, 2, 0, 1, 0]
    assert [(s.heading, s.names) for s in facts.sub_tables] == [
        ("parameter fields", ("TITLE", "SETTINGS", "KIND")),
        ("parameter settings", ("MAX_LENGTH",)), ("parameter settings", ("MIN", "MAX")),
        ("parameter tags", ("value",))]
    assert (facts.error_rows, facts.system_rows) == (4, 2)
    assert facts.error_codes == ("WIDGET_EXISTS", "0", "-", "Empty value")


def test_an_incomplete_record_is_reported_with_positions(en_report: C.TreeReport) -> None:
    path = DEMO / "demo-widget-add.md"
    facts = C.page_facts(path.read_text(encoding="utf-8"), path)
    good = method(en_report, "demo.widget.add")
    fields = field(good.params, "fields")
    broken = replace(
        good, scope="", params=tuple(p for p in good.params if p.name != "note") + (
            replace(fields, name="extra", fields=()),),
        errors=good.errors[1:])
    broken = replace(broken, params=tuple(replace(p, fields=()) if p.name == "fields" else p
                                          for p in broken.params))
    codes = {f.code for f in C.judge(facts, broken, "p.md")}
    assert codes == {"CONF003", "CONF005", "CONF007", "CONF008", "CONF012"}
    (missing,) = [f for f in C.judge(facts, broken, "p.md") if f.code == "CONF005"]
    assert (missing.position.path, missing.position.line) == ("p.md", 37)
    # no hint of its own: the registry's default hint, and its severity
    assert (missing.hint, missing.severity) == (RULES["CONF005"].hint, "error")
    assert C.judge(facts, None, "p.md")[0].code == "CONF001"
    assert C.judge(facts, good, "p.md") == []


def test_parameters_under_any_heading_that_names_them(en_report: C.TreeReport) -> None:
    """"Method Parameters for <mode>" (twice), "Stage Parameters", "## Parameter fields";
    `SORT` beside `sort` and `title` beside `TITLE` are separate parameters."""
    register = method(en_report, "demo.widget.register")
    assert names(register.params) == ["OWNER_ID", "sort", "SORT", "fields", "FRAME_URL"]
    assert names(field(register.params, "fields").fields) == ["TITLE", "title"]
    assert [p.required for p in register.params] == [True, False, False, False, True]
    stage = method(en_report, "demo.stage.get")
    assert names(stage.params) == ["id"] and stage.params[0].required


def test_the_count_catches_records_that_lose_those_parameters(
    en_report: C.TreeReport,
) -> None:
    """The misses of earlier readers: no parameters under "... for <mode>" headings, the
    row under "Stage Parameters" lost, a case variant merged into its twin."""
    for page, name in (("demo-widget-register.md", "demo.widget.register"),
                       ("demo-stage-get.md", "demo.stage.get")):
        facts = C.page_facts((DEMO / page).read_text(encoding="utf-8"), DEMO / page)
        good = method(en_report, name)
        assert C.judge(facts, good, page) == []
        assert "CONF005" in {f.code for f in C.judge(facts, replace(good, params=()), page)}
    facts = C.page_facts((DEMO / "demo-widget-register.md").read_text(encoding="utf-8"),
                         DEMO / "demo-widget-register.md")
    good = method(en_report, "demo.widget.register")
    merged = replace(good, params=tuple(p for p in good.params if p.name != "SORT"))
    (lost,) = C.judge(facts, merged, "p.md")
    assert lost.code == "CONF005" and "'SORT'" in lost.message
    fields = field(good.params, "fields")
    one_title = replace(good, params=tuple(
        replace(p, fields=fields.fields[:1]) if p.name == "fields" else p
        for p in good.params))
    assert {f.code for f in C.judge(facts, one_title, "p.md")} == {"CONF007"}


def test_a_crash_becomes_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.read

    def explode(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(generator.read, "read_file", explode)
    report = C.check_tree(DEMO)
    assert report.crashes == len(report.pages) and report.complete == 0
    finding = report.findings()[0]
    assert (finding.code, finding.position.line) == ("CONF000", 1)
    assert "ValueError: boom" in finding.message and finding.position.path.endswith(".md")


def test_english_against_russian(en_report: C.TreeReport, ru_report: C.TreeReport) -> None:
    agreement = C.compare_languages(en_report, ru_report)
    assert (agreement.pairs, agreement.agreeing) == (2, 1)
    (d,) = agreement.disagreements
    assert (d.method, d.aspect, d.only_first, d.only_second) == (
        "demo.widget.get", "errors", (), ("WRONG_USER",))


def test_cli_conformance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", str(EN)]) == 0
    out = capsys.readouterr().out
    assert "complete method records: 9 of 9 (100.00%); crashes: 0" in out
    assert main(["conformance", str(EN), "--compare", str(RU), "--json"]) == 1  # 50% agree
    data = json.loads(capsys.readouterr().out)
    assert [t["method_pages"] for t in data["trees"]] == [9, 2]
    assert data["agreement"]["disagreements"][0]["only_second"] == ["WRONG_USER"]
    assert main(["conformance", str(HERE / "nowhere")]) == 2


# ---------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def corpus_reports() -> dict[Path, C.TreeReport]:
    """Each corpus is read once for the whole module."""
    return {}


def corpus_report(reports: dict[Path, C.TreeReport], root: Path) -> C.TreeReport:
    if root not in reports:
        reports[root] = C.check_tree(root)
    return reports[root]


@pytest.mark.corpus
def test_corpus_en(corpus_en: Path, corpus_reports) -> None:
    report = corpus_report(corpus_reports, corpus_en)
    assert report.crashes == 0
    assert report.method_pages > 1600
    assert report.ratio >= 0.995, "\n".join(f.format() for f in report.findings()[:40])
    assert sum(m.api == "v3" for m in report.methods if m.source) >= 100


@pytest.mark.corpus
def test_corpus_ru(corpus_ru: Path, corpus_reports) -> None:
    report = corpus_report(corpus_reports, corpus_ru)
    assert report.crashes == 0
    assert report.method_pages > 600
    assert report.ratio >= 0.995, "\n".join(f.format() for f in report.findings()[:40])


@pytest.mark.corpus
def test_corpus_en_against_ru(corpus_en: Path, corpus_ru: Path, corpus_reports) -> None:
    agreement = C.compare_languages(corpus_report(corpus_reports, corpus_en),
                                    corpus_report(corpus_reports, corpus_ru))
    assert agreement.pairs > 600
    assert agreement.ratio >= 0.98, [(d.method, d.aspect) for d in agreement.disagreements]
