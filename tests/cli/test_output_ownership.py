"""`regenerate` writes only into a folder it owns and never loses a file it did not write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "fixtures" / "specs", tmp_path / "specs")
    return tmp_path / "specs"


def regenerate(*args: str) -> int:
    return main(["regenerate", *args])


def test_a_file_as_out_is_refused_and_kept(specs, tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("mine\n")
    assert regenerate(str(specs), "--out", str(readme)) == 2
    assert readme.read_text() == "mine\n"
    assert "OUT001" in capsys.readouterr().err


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_the_input_folder_as_out_is_refused_even_with_force(specs, capsys, force):
    before = sorted(p.read_bytes() for p in specs.rglob("*.md"))
    assert regenerate(str(specs), "--out", str(specs), *force) == 2
    assert sorted(p.read_bytes() for p in specs.rglob("*.md")) == before
    assert "OUT004" in capsys.readouterr().err


def test_a_folder_of_other_files_is_refused_unless_forced(specs, tmp_path, capsys):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    assert regenerate(str(specs), "--out", str(out)) == 2
    assert (out / "notes.txt").read_text() == "mine\n"
    assert "OUT003" in capsys.readouterr().err
    assert regenerate(str(specs), "--out", str(out), "--force") == 0
    assert not (out / "notes.txt").exists() and (out / "b24client" / "client.py").is_file()


def test_a_hand_edit_is_refused_then_overwritten_with_force(specs, tmp_path, capsys):
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    client = out / "b24client" / "client.py"
    original = client.read_text()
    client.write_text(original + "# my change\n")
    assert regenerate(str(specs), "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert "OUT002" in err and "client.py" in err
    assert client.read_text().endswith("# my change\n")
    assert regenerate(str(specs), "--out", str(out), "--check") == 1  # drift, not refusal
    assert regenerate(str(specs), "--out", str(out), "--force") == 0
    assert client.read_text() == original


def test_a_no_op_run_rewrites_nothing(specs, tmp_path, capsys):
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    stamps = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert "up to date" in capsys.readouterr().err  # the summary, on standard error
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*")
            if p.is_file()} == stamps


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file()}


def test_a_no_op_run_reads_nothing(specs, tmp_path, monkeypatch):
    """Same inputs, same generator, output as written: the run ends before reading."""
    from generator import pipeline

    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0

    def no_reading(_root: Path) -> None:
        raise AssertionError("a no-op run read the specs")

    monkeypatch.setattr(pipeline, "load_specs", no_reading)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert regenerate(str(specs), "--out", str(out), "--check") == 0


def add_a_sentence(spec):
    """One sentence more below the spec's title: its method's docs change."""
    text = spec.read_text()
    title = next(line for line in text.splitlines() if line.startswith("# "))
    spec.write_text(text.replace(title, title + "\n\nOne sentence more.", 1))


def pages_read(monkeypatch):
    """The display names of the pages read from now on (not taken from a cache)."""
    import generator.read as read

    read_now: list[str] = []
    real = read.read_job
    monkeypatch.setattr(read, "read_job", lambda job, finish=None: read_now.append(job[2]) or real(job, finish))
    return read_now


def assert_same_as_uncached(out, specs, tmp_path, monkeypatch):
    """`out` holds what a run without any cache writes."""
    monkeypatch.setenv("B24GEN_CACHE", "off")
    assert regenerate(str(specs), "--out", str(tmp_path / "fresh")) == 0
    fresh = tmp_path / "fresh"
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert all((out / f).read_bytes() == (fresh / f).read_bytes() for f in files)


def test_one_changed_spec_rewrites_only_its_files(specs, tmp_path, capsys):
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    before = stamps(out)
    add_a_sentence(specs / "demo" / "demo.item.get.md")
    capsys.readouterr()
    assert regenerate(str(specs), "--out", str(out), "-v") == 0
    err = capsys.readouterr().err
    after = stamps(out)
    rewritten = sorted(rel for rel in after if after[rel] != before.get(rel))
    assert rewritten == [".b24gen-manifest.json", "b24client/demo.py"], rewritten
    assert "2 file(s) written" in err and f"wrote {out}/b24client/demo.py" in err


def test_an_input_edit_that_changes_no_output_is_noticed_and_recorded(specs, tmp_path):
    """A spec edit that changes nothing generated (blank lines at the end): the run
    reads again, writes nothing, and records the new inputs for the next run."""
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    spec = next(p for p in sorted(specs.rglob("*.md")) if "_includes" not in p.parts)
    spec.write_text(spec.read_text() + "\n\n")
    before = stamps(out)
    assert regenerate(str(specs), "--out", str(out), "--check") == 0
    assert regenerate(str(specs), "--out", str(out)) == 0
    after = stamps(out)
    assert after == before  # nothing generated changed, so nothing was written
    from generator import inputs

    run = inputs.load(out, out / ".b24gen-manifest.json")
    assert inputs.still_current(run, specs, "specs", inputs.input_files(specs)) is not None


def test_output_is_the_same_with_one_worker_or_several(specs, tmp_path, monkeypatch):
    """Pages read in worker processes (generator/workers.py) come back in their order."""
    for workers in ("1", "3"):
        monkeypatch.setenv("B24GEN_WORKERS", workers)
        assert regenerate(str(specs), "--out", str(tmp_path / workers)) == 0
    one, three = tmp_path / "1", tmp_path / "3"
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(three) for p in three.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (three / f).read_bytes() for f in files)


def test_a_second_run_reads_only_the_pages_that_changed(specs, tmp_path, monkeypatch):
    """What the readers made of each page is cached (generator/read/cache.py): after
    one spec changes, only that spec is read again, and the output equals a run
    without the cache."""
    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("B24GEN_WORKERS", "1")
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    add_a_sentence(specs / "demo" / "demo.item.get.md")
    read_now = pages_read(monkeypatch)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert read_now == ["specs/demo/demo.item.get.md"]
    assert_same_as_uncached(out, specs, tmp_path, monkeypatch)


def test_a_changed_include_reads_its_pages_again(specs, tmp_path, monkeypatch):
    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("B24GEN_WORKERS", "1")
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    include = specs / "_includes" / "errors.md"
    include.write_text(include.read_text().replace("Slow down", "Wait a little"))
    users = sorted(f"specs/{p.relative_to(specs).as_posix()}" for p in specs.rglob("*.md")
                   if "_includes/errors.md" in p.read_text())
    assert users, "the fixture has pages that include errors.md"
    read_now = pages_read(monkeypatch)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert sorted(read_now) == users


def test_a_program_read_from_standard_input_reads_in_one_process(specs, tmp_path):
    """A spawned worker imports the main module again, which `python - < script`
    cannot offer: the pages are read in the process itself then."""
    import subprocess
    import sys

    script = (f"from pathlib import Path\nfrom generator import pipeline\n"
              f"out = pipeline.regenerate(Path({str(specs)!r}), Path({str(tmp_path / 'o')!r}))\n"
              f"print(len(out.changed))\n")
    env = {**__import__("os").environ, "B24GEN_WORKERS": "3", "B24GEN_CACHE": "off"}
    result = subprocess.run([sys.executable, "-"], input=script, text=True, cwd=ROOT,
                            capture_output=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) > 10


def test_rendered_modules_are_kept_and_match_a_fresh_render(specs, tmp_path, monkeypatch):
    """Namespace modules are kept by their inputs (generator/render/planning.py,
    `part_key`): after a change, the unchanged modules are neither built nor rendered
    again, and the output equals a run without any cache."""
    from generator.render import planning

    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    add_a_sentence(specs / "demo" / "demo.item.get.md")
    rendered: list[str] = []
    real = planning.render_module

    def recorded(out, part, *rest):
        made = real(out, part, *rest)
        rendered.extend(made.files)
        return made

    monkeypatch.setattr(planning, "render_module", recorded)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert sorted(rendered) == ["b24client/demo.py", "b24client/demo.pyi"]
    assert (out / "b24client/v3/demo.py").is_file() and (out / "b24client/_root.py").is_file()
    assert_same_as_uncached(out, specs, tmp_path, monkeypatch)


def outlines_and_unpickled_pages(monkeypatch):
    """How often the run makes the package's outline, and which cached pages it
    unpickles, from now on."""
    from generator.read.cache import PageCache
    from generator.render import model

    made: list[int] = []
    unpickled: list[str] = []
    real_outline, real_methods = model.outline, PageCache.methods

    def outline(methods, specs):
        made.append(len(methods))
        return real_outline(methods, specs)

    def methods(self, display):
        unpickled.append(display)
        return real_methods(self, display)

    monkeypatch.setattr(model, "outline", outline)
    monkeypatch.setattr(PageCache, "methods", methods)
    return made, unpickled


def test_a_changed_description_keeps_the_outline_and_loads_no_other_page(
    specs, tmp_path, monkeypatch
):
    """The package-wide decisions read only names, pages and error tables
    (`model.outline_facts`): after a description changes, the outline of the last
    run is taken as it was, and no unchanged page is unpickled: the module rendered
    again takes its other methods as built and rendered by the last run."""
    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    add_a_sentence(specs / "demo" / "demo.item.get.md")
    made, unpickled = outlines_and_unpickled_pages(monkeypatch)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert made == [] and unpickled == []
    assert "One sentence more." in (out / "b24client" / "demo.py").read_text()
    assert_same_as_uncached(out, specs, tmp_path, monkeypatch)


def test_a_module_rendered_again_builds_and_renders_only_the_changed_method(
    specs, tmp_path, monkeypatch
):
    """The module's other methods are taken as the last run built them, and so is
    what the templates rendered from them (its shelf in the render cache)."""
    from generator.render import model, planning

    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    add_a_sentence(specs / "demo" / "demo.item.get.md")
    built: list[str] = []
    rendered: list[tuple[str, bool, bool]] = []
    real_build, real_function = model.build_function, planning.Planner.function

    def build_function(method, *rest):
        built.append(method.method)
        return real_build(method, *rest)

    def function(self, fn, is_async, stub):
        rendered.append((fn.wire, is_async, stub))
        return real_function(self, fn, is_async, stub)

    monkeypatch.setattr(model, "build_function", build_function)
    monkeypatch.setattr(planning.Planner, "function", function)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert built == ["demo.item.get"]
    assert sorted(rendered) == [("demo.item.get", a, s) for a in (False, True) for s in (False, True)]
    assert_same_as_uncached(out, specs, tmp_path, monkeypatch)


def test_a_changed_error_table_makes_the_outline_again(specs, tmp_path, monkeypatch):
    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert regenerate(str(specs), "--out", str(out)) == 0
    spec = specs / "demo" / "demo.item.get.md"
    spec.write_text(spec.read_text().replace("ITEM_NOT_FOUND", "ITEM_IS_GONE"))
    made, unpickled = outlines_and_unpickled_pages(monkeypatch)
    assert regenerate(str(specs), "--out", str(out)) == 0
    assert len(made) == 1 and unpickled  # every method, the unchanged ones unpickled
    assert "class ItemIsGone" in (out / "b24client" / "errors.py").read_text()
    assert "ItemNotFound" not in (out / "b24client" / "errors.py").read_text()
    assert_same_as_uncached(out, specs, tmp_path, monkeypatch)
