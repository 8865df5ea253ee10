"""The caches of `regenerate` (no-op record, pages, rendered modules) never leave the
output stale: after any input changes, a cached run writes what a run without caches
writes. Each case is a dependency a page has besides its own bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.read import markdown

ROOT = Path(__file__).resolve().parents[2]

PAGE = """---
method: demo.{name}.get
scope: demo
api: v2
---

# Read a {name} demo.{name}.get

> Scope: [`demo`](#)
>
> Who can execute the method: anyone

Reads one {name}.

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **id***
[`integer`](#) | Which {name} ||
|#

## Error Handling

{{% include [errors](../_includes/outer.md) %}}
{{% include [later](../_includes/later.md) %}}
"""

TABLE = """#|
|| **Status** | **Code**
**Message** | **Meaning** ||
|| `400` | `{code}`
Refused | Why it was refused ||
|#
"""


@pytest.fixture
def cached(tmp_path, monkeypatch):
    monkeypatch.setenv("B24GEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("B24GEN_WORKERS", "1")
    return tmp_path


def forget_process_caches() -> None:
    """What a new process would not know (the CLI runs each time in a new one)."""
    for cache in (markdown.TITLE_CACHE, markdown.FAMILY_CACHE, markdown.INCLUDE_CACHE):
        cache.clear()


def same_as_uncached(made: Path, source: Path, tmp: Path, monkeypatch, docs: bool = False):
    monkeypatch.setenv("B24GEN_CACHE", "off")
    forget_process_caches()
    fresh = tmp / "fresh"
    if docs:
        pipeline.regenerate(None, fresh, docs=source)
    else:
        pipeline.regenerate(source, fresh)
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(made) for p in made.rglob("*") if p.is_file())
    for f in files:
        assert (made / f).read_bytes() == (fresh / f).read_bytes(), f


def test_nested_and_missing_includes_are_dependencies(cached, monkeypatch):
    specs = cached / "specs"
    (specs / "demo").mkdir(parents=True)
    (specs / "_includes").mkdir()
    for name in ("alpha", "beta"):
        (specs / "demo" / f"demo.{name}.get.md").write_text(PAGE.format(name=name))
    (specs / "_includes" / "outer.md").write_text("{% include [inner](inner.md) %}\n")
    (specs / "_includes" / "inner.md").write_text(TABLE.format(code="FIRST_CODE"))
    out = cached / "out"
    pipeline.regenerate(specs, out)
    (specs / "_includes" / "inner.md").write_text(TABLE.format(code="SECOND_CODE"))
    (specs / "_includes" / "later.md").write_text(TABLE.format(code="LATER_CODE"))
    forget_process_caches()
    outcome = pipeline.regenerate(specs, out)
    assert not [p for p in outcome.problems if p.code == "YFM006"]
    errors = (out / "b24client" / "errors.py").read_text()
    assert "SECOND_CODE" in errors and "LATER_CODE" in errors and "FIRST_CODE" not in errors
    same_as_uncached(out, specs, cached, monkeypatch)


def test_an_include_in_a_hidden_folder_is_a_dependency(cached, monkeypatch):
    specs = cached / "specs"
    shutil.copytree(ROOT / "tests" / "fixtures" / "specs", specs)
    (specs / ".shared").mkdir()
    shutil.move(specs / "_includes" / "errors.md", specs / ".shared" / "errors.md")
    page = specs / "demo" / "demo.item.get.md"
    page.write_text(page.read_text().replace("../_includes/errors.md", "../.shared/errors.md"))
    out = cached / "out"
    pipeline.regenerate(specs, out)
    shared = specs / ".shared" / "errors.md"
    shared.write_text(shared.read_text().replace("QUERY_LIMIT_EXCEEDED", "A_CODE_ADDED_LATER"))
    forget_process_caches()
    assert pipeline.regenerate(specs, out).written
    assert "A_CODE_ADDED_LATER" in (out / "b24client" / "errors.py").read_text()
    same_as_uncached(out, specs, cached, monkeypatch)


DEPRECATED = """# Do a thing: demo.thing.do

> Scope: [`demo`](x.md)
>
> Who can execute the method: any user

Does the thing.

{% note warning "DEPRECATED" %}

Do not use it any more: the [new method](./new.md) replaces it.

{% endnote %}

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **ID***
[`integer`](x) | Which thing ||
|#
"""

REPLACEMENT = """# Run a thing: demo.thing.{name}

> Scope: [`demo`](x.md)
>
> Who can execute the method: any user

Runs the thing.

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **ID***
[`integer`](x) | Which thing ||
|#
"""


@pytest.mark.parametrize("new_process", [True, False], ids=["new process", "same process"])
def test_a_linked_page_whose_title_names_the_replacement_is_a_dependency(
    cached, monkeypatch, new_process
):
    """In a new process (the CLI) and in one calling the pipeline twice (a library
    program: the title cache is keyed by the file as it is)."""
    docs = cached / "docs"
    folder = docs / "api-reference" / "demo"
    folder.mkdir(parents=True)
    (folder / "old.md").write_text(DEPRECATED)
    (folder / "new.md").write_text(REPLACEMENT.format(name="run"))
    out = cached / "out"
    pipeline.regenerate(None, out, docs=docs)
    assert 'replacement="demo.thing.run"' in (out / "b24client" / "_specs.py").read_text()
    (folder / "new.md").write_text(REPLACEMENT.format(name="proceed"))
    if new_process:
        forget_process_caches()
    pipeline.regenerate(None, out, docs=docs)
    assert 'replacement="demo.thing.proceed"' in (out / "b24client" / "_specs.py").read_text()
    same_as_uncached(out, docs, cached, monkeypatch, docs=True)


def test_a_page_saved_while_a_run_reads_is_read_by_the_next_run(cached, monkeypatch):
    """The record keeps the hashes taken before reading: a page saved during a run
    (after it was read) makes the next run read again."""
    specs = cached / "specs"
    shutil.copytree(ROOT / "tests" / "fixtures" / "specs", specs)
    out = cached / "out"
    page = specs / "demo" / "demo.item.get.md"

    def edit_while_reading(files):
        for path in files:
            yield path
        page.write_text(page.read_text().replace("# ", "# Edited: ", 1))

    pipeline.regenerate(specs, out, each=edit_while_reading)
    forget_process_caches()
    assert pipeline.regenerate(specs, out).written
    assert "Edited" in (out / "b24client" / "demo.py").read_text()


NAMED_PAGE = """---
method: {method}
scope: demo
---

# Read it {method}

Reads one.

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **id***
[`integer`](#) | Which one ||
|#

## Error Handling

#|
|| **Status** | **Code**
**Message** | **Meaning** ||
|| `400` | `{code}`
Refused | Why it was refused ||
|#
"""


@pytest.mark.parametrize(
    ("added", "code", "renamed"),
    [
        # an error code of another module takes the class name first
        ("beta.item.get", "ITEM-NOT-FOUND", "ItemNotFoundError2"),
        # a namespace of another module takes the class name first
        ("foo.bar.list", "OTHER_CODE", "FooBarApi2"),
    ],
)
def test_a_name_another_module_takes_rebuilds_the_module_that_loses_it(
    cached, monkeypatch, added, code, renamed
):
    """A module kept by its inputs is also keyed by the names the rest of the package
    gave it: a page added elsewhere that takes one of its names makes it anew."""
    specs = cached / "specs"
    specs.mkdir()
    (specs / "first.md").write_text(NAMED_PAGE.format(method="foo_bar.get", code="ITEM_NOT_FOUND"))
    out = cached / "out"
    pipeline.regenerate(specs, out)
    module = out / "b24client" / "foo_bar.py"
    assert renamed not in module.read_text()
    (specs / "second.md").write_text(NAMED_PAGE.format(method=added, code=code))
    forget_process_caches()
    pipeline.regenerate(specs, out)
    assert renamed in module.read_text() or renamed in (out / "b24client" / "foo_bar.pyi").read_text()
    same_as_uncached(out, specs, cached, monkeypatch)


def test_a_file_rewritten_with_its_old_size_and_mtime_is_hashed_again(cached, monkeypatch):
    """Hashes are reused by file signature; a rewrite that restores size and mtime
    still changes the ctime, and a file changed close to the last scan is never
    trusted by its signature alone (as on a file system whose clock ticks coarsely:
    here, one that keeps no ctime)."""
    import os
    import time

    from generator import inputs

    folder = cached / "pages"
    folder.mkdir()
    page = folder / "a.md"
    page.write_text("first")
    old = time.time_ns() - 10_000_000_000
    os.utime(page, ns=(old, old))
    first = inputs.input_files(folder)
    time.sleep(0.01)
    page.write_text("other")
    os.utime(page, ns=(old, old))
    assert inputs.input_files(folder)["a.md"] != first["a.md"]
    real = inputs.signature
    monkeypatch.setattr(inputs, "signature", lambda st: (*real(st)[:2], 0, real(st)[3]))
    fresh = folder / "b.md"
    fresh.write_text("one")
    inputs.input_files(folder)
    mtime = fresh.stat().st_mtime_ns
    fresh.write_text("two")  # within the same tick of a coarse clock
    os.utime(fresh, ns=(mtime, mtime))
    assert inputs.input_files(folder)["b.md"] == inputs.digest(b"two")


def test_the_cache_keeps_the_newest_files_of_each_kind(cached):
    from generator import inputs

    folder = cached / "cache" / "pages"
    for n in range(inputs.KEEP_PER_KIND + 3):
        inputs.store_entries(folder / f"{n:02d}.pickle", {"n": n})
    kept = sorted(p.name for p in folder.glob("*.pickle"))
    assert len(kept) == inputs.KEEP_PER_KIND and kept[-1] == f"{inputs.KEEP_PER_KIND + 2:02d}.pickle"


def test_a_signature_whose_ctime_is_in_the_racy_window_is_not_trusted(cached):
    """A file whose mtime was set back (cp -p, rsync -t, tar) but which changed just
    now may change again within the ctime's tick and keep its signature."""
    import time

    from generator import inputs

    src = cached / "specs"
    src.mkdir()
    page = src / "a.md"
    page.write_bytes(b"AAA")
    now = time.time_ns()
    sig = (3, now - 3600 * 10**9, now, page.stat().st_ino)  # mtime an hour old, ctime now
    assert inputs.input_files(src, {"a.md": sig})["a.md"] == inputs.digest(b"AAA")
    page.write_bytes(b"BBB")
    assert inputs.input_files(src, {"a.md": sig})["a.md"] == inputs.digest(b"BBB")


def test_where_a_write_may_not_move_the_ctime_every_file_is_hashed(cached, monkeypatch):
    """On Windows st_ctime is the creation time: a same-size rewrite that keeps the
    mtime keeps the signature, so signatures are not trusted there."""
    import os
    import time

    from generator import inputs

    monkeypatch.setattr(inputs, "TRUST_SIGNATURES", False)
    real = inputs.signature
    monkeypatch.setattr(inputs, "signature", lambda st: (*real(st)[:2], 0, real(st)[3]))
    src = cached / "specs"
    src.mkdir()
    page = src / "a.md"
    old = time.time_ns() - 3600 * 10**9
    page.write_bytes(b"AAA")
    os.utime(page, ns=(old, old))
    inputs.input_files(src)
    page.write_bytes(b"BBB")
    os.utime(page, ns=(old, old))
    assert inputs.input_files(src)["a.md"] == inputs.digest(b"BBB")


def test_a_method_documented_twice_stays_skipped_when_the_outline_is_kept(cached, monkeypatch):
    """Which page a method is taken from is decided from the pages' heads: after the
    second page's text changes (its outline facts do not), the first page still wins,
    the second is still reported skipped, and the output is a fresh run's."""
    docs = cached / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "b").mkdir()
    (docs / "_includes").mkdir()
    for name in ("outer", "later"):
        (docs / "_includes" / f"{name}.md").write_text(TABLE.format(code=f"{name.upper()}_CODE"))
    (docs / "a" / "demo-twin-get.md").write_text(PAGE.format(name="twin"))
    second = docs / "b" / "demo-twin-get.md"
    second.write_text(PAGE.format(name="twin").replace("Reads one", "Also reads one"))
    out = cached / "out"
    first = pipeline.regenerate(None, out, docs=docs, report=True)
    assert first.report is not None
    twice = [s for s in first.report.skipped if "duplicate method" in s[1]]
    assert [path.endswith("b/demo-twin-get.md") for path, _ in twice] == [True]
    second.write_text(second.read_text().replace("Also reads", "Still reads"))
    forget_process_caches()
    again = pipeline.regenerate(None, out, docs=docs, report=True)
    assert again.report is not None and again.report.skipped == first.report.skipped
    assert "Reads one twin" in (out / "b24client" / "demo.py").read_text()
    same_as_uncached(out, docs, cached, monkeypatch, docs=True)


def test_a_spec_defining_a_method_again_stops_a_cached_run(cached):
    specs = cached / "specs"
    specs.mkdir()
    (specs / "one.md").write_text(NAMED_PAGE.format(method="demo.twin.get", code="ITEM_NOT_FOUND"))
    out = cached / "out"
    assert pipeline.regenerate(specs, out).written
    (specs / "two.md").write_text(NAMED_PAGE.format(method="demo.twin.get", code="ITEM_NOT_FOUND"))
    forget_process_caches()
    outcome = pipeline.regenerate(specs, out)
    assert not outcome.written
    assert [(p.code, p.position.path) for p in outcome.problems if p.severity == "error"] == [
        ("SPEC008", "specs/two.md")
    ]


def test_a_page_that_cannot_be_read_is_reported_not_left_out(cached):
    """The pages come from the scan of the folder, not from the files it could hash:
    a page whose bytes cannot be read is a READ001, and nothing is written."""
    mem = Path("/proc/self/mem")
    if not mem.exists():
        pytest.skip("needs /proc/self/mem (Linux): a file whose read fails")
    specs = cached / "specs"
    specs.mkdir()
    (specs / "one.md").write_text(NAMED_PAGE.format(method="demo.one.get", code="ITEM_NOT_FOUND"))
    (specs / "two.md").symlink_to(mem)
    outcome = pipeline.regenerate(specs, cached / "out")
    assert not outcome.written
    errors = [(p.code, p.position.path) for p in outcome.problems if p.severity == "error"]
    assert errors == [("READ001", "specs/two.md")]


def test_a_damaged_page_in_the_cache_makes_the_run_again_without_it(cached, monkeypatch):
    """A page entry the cache vouches for but cannot unpickle (a damaged file) is no
    crash: the run is made again without the cache, and writes what it would."""
    import pickle

    from generator import inputs

    specs = cached / "specs"
    shutil.copytree(ROOT / "tests" / "fixtures" / "specs", specs)
    out = cached / "out"
    pipeline.regenerate(specs, out)
    (file,) = (cached / "cache" / "pages").glob("*.pickle")
    entries = inputs.load_entries(file)
    hashed, deps, blob, head = entries["specs/demo/demo.item.md"]
    entries["specs/demo/demo.item.md"] = (hashed, deps, blob.replace(b"generator.ir", b"generator.iq"), head)
    file.write_bytes(pickle.dumps(entries))
    page = specs / "demo" / "demo.item.get.md"  # a new code: every method is loaded
    page.write_text(page.read_text().replace("# ", "# Changed: ", 1).replace("ITEM_NOT_FOUND", "ITEM_GONE"))
    forget_process_caches()
    runs = []
    real = pipeline.run
    monkeypatch.setattr(pipeline, "run", lambda *a: runs.append(a[-1]) or real(*a))
    outcome = pipeline.regenerate(specs, out)
    assert runs == [cached / "cache", None]  # with the cache, then without
    assert outcome.written and "Changed:" in (out / "b24client" / "demo.py").read_text()
    same_as_uncached(out, specs, cached, monkeypatch)


def test_the_shelf_of_a_module_gone_is_removed(cached):
    """Each module's shelf and files (render/cache.py) live as long as the module."""
    specs = cached / "specs"
    specs.mkdir()
    for method in ("alpha.item.get", "beta.item.get"):
        (specs / f"{method}.md").write_text(NAMED_PAGE.format(method=method, code="ITEM_NOT_FOUND"))
    out = cached / "out"
    pipeline.regenerate(specs, out)
    (folder,) = (cached / "cache" / "rendered").glob("*.d")

    def files() -> tuple[int, int]:  # (shelves, modules' files kept apart)
        names = [f.name for f in folder.glob("*.pickle")]
        apart = sum(name.endswith(".kept.pickle") for name in names)
        return len(names) - apart, apart

    assert files() == (2, 2)
    (specs / "beta.item.get.md").unlink()
    pipeline.regenerate(specs, out)
    assert files() == (1, 1)
    assert not (out / "b24client" / "beta.py").exists()
