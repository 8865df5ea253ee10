"""Property tests: whatever text a reader, the front-matter parser or sync is given, it
answers with records and registered findings at real positions, never an exception.
`make test` runs a short profile; `make fuzz` the long one and prints how many inputs
each property was tried with."""

from __future__ import annotations

from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is a dev dependency")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.diagnostics import RULES  # noqa: E402
from generator.maintain.sync import sync_text  # noqa: E402
from generator.read.frontmatter import split  # noqa: E402
from generator.read.markdown import read_markdown_text  # noqa: E402
from generator.read.scraped import read_scraped_text  # noqa: E402

# Pieces the readers react to, so that generated pages reach deep into them.
MARKUP = [
    "---\n", "#|", "||", "|#", "|", "**", "`", "```", "~~~", "\n", "\n\n", "# ", "## ",
    "{% note info %}", "{% endnote %}", "{% list tabs %}", "{% endlist %}", "- ",
    "{% if build == 'dev' %}", "{% endif %}", "<!--", "-->", "[", "](", ")", "(#", "{#a}",
    "{% include [x](../_includes/system-errors.md) %}", "method: ", "scope: ", "params:",
    "  - name: ", "type: ", "required: true", "*", "\\", "\t", "\r", "\ufeff",
    "tasks.task.add", "Parameters", "Method parameters", "Error handling", "Code",
    "Name", "Description", "integer[]", "object", ">", "Scope: ", "Who can execute: ",
    "Returned data", '{"result": ', "[", "]", "{", "}", '"', "'", ": ", "&a ", "*a", "!!int",
]
page_text = st.lists(
    st.one_of(st.sampled_from(MARKUP), st.text(max_size=12)), max_size=80
).map("".join)
yaml_text = st.lists(
    st.one_of(st.sampled_from(MARKUP[24:]), st.text(max_size=8)), max_size=30
).map("".join)
PATH = Path("/nonexistent/docs/page.md")


def assert_findings(problems) -> None:
    for p in problems:
        assert p.code in RULES, p
        assert p.position.line >= 1 and p.position.col >= 1, p


@given(page_text)
def test_markdown_reader_never_raises(text):
    methods, problems = read_markdown_text(text, PATH, "page.md")
    assert_findings(problems)


@pytest.mark.parametrize("form", ["pipe", "blank"])
@given(text=page_text)
def test_scraped_readers_never_raise(form, text):
    methods, problems = read_scraped_text(text, PATH, "page.txt", form)
    assert_findings(problems)


@given(yaml_text)
def test_front_matter_parser_never_raises(body):
    fm, problems = split(f"---\n{body}\n---\n# T\n", "page.md")
    assert_findings(problems)
    assert isinstance(fm.data, dict)


@given(page_text)
def test_sync_never_raises_and_is_a_fixed_point(text):
    first = sync_text(text, PATH, "page.md")
    assert_findings(first.problems)
    if not any(p.severity == "error" for p in first.problems):
        assert sync_text(first.new, PATH, "page.md").new == first.new
