"""`b24gen import`: docs pages and scraped text become specs placed by scope, with includes
and links pointed into the specs tree, the front matter synced, losses reported; importing
again updates the body and keeps the maintainers' comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.read.frontmatter import split
from generator.read.markdown import read_markdown_text
from generator.maintain.importer import import_sources
from generator.maintain.lint import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
DOCS, SCRAPED = FIXTURES / "docs", FIXTURES / "scraped"


@pytest.fixture
def specs(tmp_path):
    target = tmp_path / "specs"
    shutil.copytree(FIXTURES / "specs", target)
    return target


def test_import_places_by_scope_and_fills_front_matter(specs):
    run = import_sources([DOCS, SCRAPED], specs)
    assert run.skipped == 1  # the index page documents no method
    placed = {r.method: (r.action, r.target.relative_to(specs).as_posix()) for r in run.results}
    assert placed == {"demo.widget.get": ("created", "demo/demo.widget.get.md"),
                      "demo.widget.list": ("created", "demo/demo.widget.list.md"),
                      "demo.widget.move": ("created", "demo/demo.widget.move.md")}
    text = (specs / "demo" / "demo.widget.get.md").read_text(encoding="utf-8")
    fm, problems = split(text, "x")
    assert not problems
    assert fm.data["method"] == "demo.widget.get" and fm.data["scope"] == "demo"
    assert fm.data["params"][0] == {"name": "id", "type": "integer", "required": True}
    assert "{% include [system errors](../_includes/system-errors.md) %}" in text
    assert "required.md" not in text
    assert "[widget list](demo.widget.list.md)" in text and "[widget guide](#)" in text
    assert "[not](a-link.md)" in text  # code is left alone
    assert lint_paths([specs]).findings == []


def test_losses_are_reported(specs):
    run = import_sources([DOCS, SCRAPED], specs)
    lost = {r.method: r.lost for r in run.results}
    assert any("required.md" in item for item in lost["demo.widget.get"])
    assert any("link(s)" in item for item in lost["demo.widget.get"])
    assert "examples.language" in lost["demo.widget.move"]


def test_scraped_page_reads_back_the_same(specs):
    import_sources([SCRAPED], specs)
    from generator.read import read_file

    source = read_file(SCRAPED / "widget-move.txt")[0][0]
    path = specs / "demo" / "demo.widget.move.md"
    spec = read_markdown_text(path.read_text(encoding="utf-8"), path, "x")[0][0]
    fields = lambda m: ([(p.name, p.type, p.required) for p in m.params],
                        [(e.code, e.status) for e in m.errors if not e.system],
                        m.scope, m.api, m.deprecated, [e.calls for e in m.examples])
    assert fields(spec) == fields(source)
    assert any(e.system for e in spec.errors)


def test_scope_filter(specs):
    assert import_sources([DOCS], specs, ["crm"]).results == []
    assert len(import_sources([DOCS], specs, ["demo"]).results) == 2


def test_reimport_keeps_comments_and_updates_body(specs, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    import_sources([docs], specs)
    spec = specs / "demo" / "demo.widget.get.md"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("scope: demo\n", "scope: demo  # checked by hand\n")
                    .replace("---\nmethod:", "---\n# owner: widgets team\nmethod:", 1),
                    encoding="utf-8")
    assert [r.action for r in import_sources([docs], specs).results] == ["unchanged"] * 2
    page = docs / "api-reference" / "widgets" / "widget-get.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "|| **select**\n[`string[]`](../data-types.md) | Fields to return ||",
        "|| **select***\n[`string[]`](../data-types.md) | Fields to return ||"), encoding="utf-8")
    run = import_sources([docs], specs)
    assert {r.method: r.action for r in run.results}["demo.widget.get"] == "updated"
    new = spec.read_text(encoding="utf-8")
    assert "# owner: widgets team\n" in new and "scope: demo  # checked by hand\n" in new
    assert "|| **select***" in new
    fm, _ = split(new, "x")
    assert fm.data["params"][1]["required"] is True


def test_existing_spec_keeps_its_file(specs):
    moved = specs / "elsewhere" / "get.md"
    import_sources([DOCS], specs)
    moved.parent.mkdir()
    (specs / "demo" / "demo.widget.get.md").rename(moved)
    run = import_sources([DOCS], specs, ["demo"])
    assert {r.method: r.target for r in run.results}["demo.widget.get"] == moved
    assert not (specs / "demo" / "demo.widget.get.md").exists()


def test_seed_000_becomes_a_spec(seeds, specs):
    run = import_sources(sorted(seeds.glob("000_*.txt")), specs)
    [result] = run.results
    assert result.target == specs / "task" / "task.item.startexecution.md"
    fm, _ = split(result.target.read_text(encoding="utf-8"), "x")
    assert fm.data["deprecated"] is True
    assert [p["name"] for p in fm.data["params"]] == ["TASKID"]


def test_cli_dry_run_writes_nothing(capsys, specs):
    before = sorted(p.name for p in specs.rglob("*"))
    assert main(["import", str(DOCS), "--to", str(specs), "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "would create" in captured.out and "lost" not in captured.out
    losses = [ln for ln in captured.err.splitlines() if "the source form lost" in ln]
    assert losses and len(losses) == len(set(losses))  # each loss said once, counted
    assert sorted(p.name for p in specs.rglob("*")) == before


AWKWARD = FIXTURES / "awkward"


def test_import_output_lints_clean_and_is_a_sync_fixed_point(tmp_path, capsys):
    """Pages with what real docs have: two pages claiming one method, a page without a
    Scope line, examples sending a key the table lacks, a replacement linked to a page
    not written yet under another spelling."""
    target = tmp_path / "specs"
    run = import_sources([AWKWARD], target)
    twins = [p for p in run.problems if p.code == "SPEC008"]
    assert len(twins) == 1 and "gadget-read.md" in str(twins[0].position)
    assert "gadget-get.md" in twins[0].hint  # both pages named
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*.md"))
    assert written == ["demo/demo.gadget.get.md", "demo/demo.gadget.old.md",
                       "unscoped/demo.gadget.bind.md"]
    assert [r.method for r in run.results].count("demo.gadget.get") == 1
    get = split((target / "demo" / "demo.gadget.get.md").read_text(encoding="utf-8"), "x")[0]
    assert [p["name"] for p in get.data["params"]] == ["id", "withParts"]  # the first page
    assert get.data["params"][1]["type"] == "any"
    bind = split((target / "unscoped" / "demo.gadget.bind.md").read_text(encoding="utf-8"), "x")[0]
    assert bind.data["scope"] == "unscoped"
    old = split((target / "demo" / "demo.gadget.old.md").read_text(encoding="utf-8"), "x")[0]
    assert old.data["replacement"] == "demo.gadget.get"
    report = lint_paths([target])
    assert report.count("error") == 0, [f.format() for f in report.findings]
    assert {f.code for f in report.findings} >= {"LINT211"}
    assert main(["sync", "--check", str(target)]) == 0
    lost = " ".join(" ".join(r.lost) for r in run.results)
    assert "withParts" in lost and "names no scope" in lost


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "en" / "api-reference"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no docs corpus at ../shared/corpus/en")
def test_importing_the_corpus_lints_clean_and_syncs_to_itself(tmp_path, capsys):
    target = tmp_path / "specs"
    run = import_sources([CORPUS], target)
    assert run.results and not [p for r in run.results for p in r.problems
                                if p.severity == "error"]
    assert all(p.code == "SPEC008" for p in run.problems if p.severity == "error")
    report = lint_paths([target])
    assert report.count("error") == 0, [f.format() for f in report.findings
                                        if f.severity == "error"][:10]
    assert main(["sync", "--check", str(target)]) == 0


def test_import_with_several_workers_writes_what_one_writes(tmp_path, monkeypatch):
    """Pages are read and imported in worker processes (generator/workers.py); the
    specs and the order of the results do not depend on how many."""
    made = {}
    for workers in ("1", "3"):
        monkeypatch.setenv("B24GEN_WORKERS", workers)
        to = tmp_path / workers
        run = import_sources([FIXTURES], to)
        made[workers] = (
            [(r.method, r.action) for r in run.results],
            {p.relative_to(to).as_posix(): p.read_bytes() for p in sorted(to.rglob("*"))
             if p.is_file()},
        )
    assert made["1"][0] and made["1"] == made["3"]


def test_a_page_whose_import_raises_is_reported_and_the_others_are_written(specs, monkeypatch, capsys):
    """A bug that raises on one page is that page's IMP000 (exit 2); the other pages
    are imported and reported, and nothing of the failing page is written."""
    from generator.maintain import importer

    real = importer.import_page
    monkeypatch.setenv("B24GEN_WORKERS", "1")

    def failing(sp, m, *args):
        if m.method == "demo.widget.list":
            raise RuntimeError("boom")
        return real(sp, m, *args)

    monkeypatch.setattr(importer, "import_page", failing)
    assert main(["import", str(DOCS), "--to", str(specs)]) == 2
    err = capsys.readouterr().err
    assert "IMP000" in err and "RuntimeError: boom" in err
    assert (specs / "demo" / "demo.widget.get.md").is_file()
    assert not (specs / "demo" / "demo.widget.list.md").exists()
