"""Pages built to break the readers: each is read within a bounded time and gives records
or findings with positions, never an exception (the hostile-input issue's cases)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.diagnostics import RULES
from generator.read import read_file

HEAD = "---\nmethod: demo.item.get\nscope: demo\n---\n# Get an item demo.item.get\n\n"


def front(extra: str) -> str:
    return f"---\nmethod: demo.item.get\nscope: demo\n{extra}\n---\n# T\n"


def chained_sub_tables(n: int) -> str:
    body = "## Parameters\n\n#|\n|| **Name** | **Description** ||\n|| **p0** | [x](#t1) ||\n|#\n"
    for i in range(1, n):
        body += (f"\n#### t{i} {{#t{i}}}\n\n#|\n|| **Name** | **Description** ||\n"
                 f"|| **p{i}** | [x](#t{i + 1}) ||\n|#\n")
    return HEAD + body


def alias_bomb() -> str:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return front("\n".join(rows))


CASES = {
    "40k brackets": HEAD + "[" * 40_000,
    "24k unclosed comments": HEAD + "<!--\n" * 24_000,
    "12k unclosed dev blocks": HEAD + "{% if build == 'dev' %}\n" * 12_000,
    "200k backticks": HEAD + "`" * 200_000,
    "80k list items": HEAD + "- item\n" * 80_000,
    "link openers": HEAD + "](#" * 30_000 + "](" * 30_000,
    "invalid date": front("replacement: 2024-02-30"),
    "bad !!int": front("rate_limit_per_sec: !!int abc"),
    "bad !!bool": front("deprecated: !!bool maybe"),
    "bad !!timestamp": front("title: !!timestamp yesterday"),
    "5000 digits": front("rate_limit_per_sec: " + "9" * 5000),
    "2000 levels of YAML": front("params: " + "[" * 2000 + "]" * 2000),
    "lone surrogate": front('title: "x\\ud800"'),
    "merge key": front("base: &b {title: x}\n<<: *b"),
    "alias bomb": alias_bomb(),
    "item_type 5": front("params:\n  - name: a\n    type: array\n    item_type: 5"),
    "type repeated": front("params:\n  - name: a\n    type: " + "integer[]" * 1200),
    "empty param name": front("params:\n  - name: ''\n    type: string"),
    "infinite rate": front("rate_limit_per_sec: .inf"),
    "NaN rate": front("rate_limit_per_sec: .nan"),
    "deep JSON example": HEAD + "## Response\n\n```json\n" + '{"result":' + "[" * 2000
    + "]" * 2000 + "}\n```\n",
    "800 chained sub-tables": chained_sub_tables(800),
    "BOM": "\ufeff" + front("batch: false"),
    "lone CR": front("batch: false").replace("\n", "\r"),
    "tabs in YAML": front("\tbatch: false"),
    "NUL bytes": HEAD + "\x00" * 1000,
}


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """A hang guard, not a speed check: the cases take well under a second each."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"reading took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_page_gives_records_or_findings(tmp_path, name):
    page = tmp_path / "page.md"
    page.write_text(CASES[name], encoding="utf-8", errors="surrogatepass")
    with at_most(20):
        methods, problems = read_file(page)
    for p in problems:
        assert p.code in RULES and p.position.line >= 1 and p.position.col >= 1, p
    for m in methods:
        assert m.method == "demo.item.get"
        assert all(p.name.strip() for p in m.params)


def test_a_bom_does_not_hide_the_front_matter(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(CASES["BOM"], encoding="utf-8")
    (method,), _ = read_file(page)
    assert method.batch is False


def test_yaml_failures_point_at_the_value(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(CASES["bad !!int"], encoding="utf-8")
    _, problems = read_file(page)
    assert [(p.code, p.position.line) for p in problems] == [("SPEC002", 4)]
    page.write_text(CASES["alias bomb"], encoding="utf-8")
    _, problems = read_file(page)
    assert [p.code for p in problems] == ["SPEC002"] and "alias" in problems[0].message


def test_invalid_utf8_is_reported_at_its_line_and_column(tmp_path):
    page = tmp_path / "page.md"
    page.write_bytes(HEAD.encode() + b"fine\nbad \xff here\n")
    _, problems = read_file(page)
    assert [(p.code, p.position.line, p.position.col) for p in problems] == [
        ("READ002", 8, 5)]


def test_a_huge_file_is_refused_unread(tmp_path, monkeypatch):
    from generator.read import markdown

    monkeypatch.setattr(markdown, "MAX_PAGE_BYTES", 1000)
    page = tmp_path / "page.md"
    page.write_text(HEAD + "x" * 2000, encoding="utf-8")
    assert [p.code for p in read_file(page)[1]] == ["READ005"]


@pytest.mark.parametrize("method, scope", [
    ("../../x.get", "demo"), ("a..b", "demo"), ("x.", "demo"), ("m" * 10_000, "demo"),
    ("demo.get", "/abs/path"), ("demo.get", "../up"),
])
def test_names_not_shaped_like_bitrix24_names_are_refused(tmp_path, method, scope):
    page = tmp_path / "page.md"
    page.write_text(f"---\nmethod: '{method}'\nscope: '{scope}'\n---\n# T\n", encoding="utf-8")
    methods, problems = read_file(page)
    assert methods == [] and [p.code for p in problems] == ["SPEC010"]


def test_scraped_scope_that_is_a_path_is_refused(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("Get an item demo.item.get\n\nScope: /etc/evil\n\nWho can execute: anyone\n",
                    encoding="utf-8")
    methods, problems = read_file(page, "blank")
    assert all(m.scope != "/etc/evil" for m in methods)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "0", "-2"])
def test_a_rate_that_is_no_positive_number_is_refused_and_not_kept(tmp_path, value):
    page = tmp_path / "page.md"
    page.write_text(front(f"rate_limit_per_sec: {value}"), encoding="utf-8")
    methods, problems = read_file(page)
    assert [p.code for p in problems] == ["SPEC005"]
    assert all(m.rate_limit_per_sec is None for m in methods)


def test_pystr_writes_python_for_every_float():
    from generator.render.env import pystr

    assert [pystr(float(x)) for x in ("inf", "-inf", "nan")] == [
        'float("inf")', 'float("-inf")', 'float("nan")']
