"""The YFM block scanner and the markdown reader on small pages written for the tests."""

from __future__ import annotations

from pathlib import Path

from generator.read.frontmatter import split
from generator.read.markdown import read_markdown_text
from generator.read.text import parse_name_cell
from generator.read.yfm import scan, split_table


def rows_of(source: str) -> list[list[str]]:
    rows, _ = split_table(source.split("\n"), "t.md", 1)
    return [[c.text for c in row] for row in rows]


def test_table_rows_and_multiline_cells():
    src = "#|\n|| **Name** | **Description** ||\n|| **id***\n`integer` | first line\n\nsecond ||\n|#"
    assert rows_of(src)[1] == ["**id***\n`integer`", "first line\n\nsecond"]


def test_unclosed_row_is_kept_and_reported():
    rows, problems = split_table(["#|", "|| a | b ||", "|| c | d", "|#"], "t.md", 1)
    assert [[c.text for c in r] for r in rows] == [["a", "b"], ["c", "d"]]
    assert [p.code for p in problems] == ["YFM005"]


def test_escaped_pipe_and_fence_in_cell_protect_pipes():
    src = ("#|\n|| a | b ||\n|| x \\| y | code:\n```js\nif (a || b) { c | d }\n```\n"
           "after ||\n|#")
    assert rows_of(src) == [["a", "b"], ["x | y", "code:\n```js\nif (a || b) { c | d }\n```\nafter"]]


def test_cell_positions():
    rows, _ = split_table(["#|", "|| **n** | d ||", "|| **id** | x ||", "|#"], "t.md", 10)
    assert (rows[1][0].line, rows[1][0].col) == (12, 4)


def test_fence_closed_with_four_spaces_runs_on():
    text = "```bash\ncurl one\n    ```\n\n- tab\n\n    ```bash\n    curl two\n```\nafter\n"
    blocks, problems = scan(text, "p.md")
    codes = [b for b in blocks if b.kind == "code"]
    assert len(codes) == 1 and "curl two" in codes[0].text
    assert [p.code for p in problems] == ["YFM001"]
    assert problems[0].position.line == 3


def test_unclosed_fence_is_reported():
    _, problems = scan("```js\nnever closed\n", "p.md")
    assert [p.code for p in problems] == ["YFM002"]


def test_notes_tabs_dev_blocks_comments():
    text = ("{% note warning \"DEPRECATED\" %}\n\nOld.\n\n{% endnote %}\n"
            "{% if build == 'dev' %}\nsecret dev text\n{% endif %}\n<!-- hidden -->\n"
            "{% list tabs %}\n\n- PHP\n\n    ```php\n    echo 1;\n    ```\n\n{% endlist %}\n")
    blocks, _ = scan(text, "p.md")
    para = [b for b in blocks if b.kind == "para"]
    assert [b.text for b in para] == ["Old."] and para[0].note == "warning"
    code = [b for b in blocks if b.kind == "code"][0]
    assert (code.tab, code.lang, code.text) == ("PHP", "php", "echo 1;")
    assert all("secret" not in b.text and "hidden" not in b.text for b in blocks)


def test_required_marks():
    assert parse_name_cell("**id***\n[`integer`](x.md)") == ("id", 1, ["integer"])
    assert parse_name_cell("**X**^*^") == ("X", 1, [])
    assert parse_name_cell("**id^*^**") == ("id", 1, [])
    assert parse_name_cell("**w****") == ("w", 2, [])
    assert parse_name_cell("**plain**\n`string` \\| `null`") == ("plain", 0, ["string", "null"])


def test_front_matter_positions_and_errors():
    fm, problems = split("---\nmethod: a.b\nscope: x\n---\nbody\n", "s.md")
    assert fm.positions["scope"].line == 3 and fm.body_line == 5 and not problems
    fm, problems = split("---\nmethod: a.b\nbogus: 1\n---\n", "s.md")
    assert [(p.code, p.position.line) for p in problems] == [("SPEC004", 3)]


PAGE = """# Do a thing: demo.thing.do

> Scope: [`demo`](x.md), [`базовый`](y.md)
>
> Кто может выполнять метод: любой

Does the thing.

{% note warning "DEPRECATED" %}

Frozen. Use [demo.thing.run](./nowhere.md).

{% endnote %}

## Method Parameters

#|
|| **Name**
`type` | **Description** ||
|| **fields***
[`object`](x) | The fields ||
|#

### Parameter fields

#|
|| **Name**
`type` | **Description** ||
|| **TITLE**
[`string`](x) | Title ||
|#

## Code Examples

{% list tabs %}

- cURL (Webhook)

    ```bash
    curl -d '{"fields":{"TITLE":"a"}}' https://x/rest/1/y/demo.thing.do
    ```

{% endlist %}

## Error Handling

HTTP Status: **400**

#|
|| **Code** | **Description** | **Value** ||
|| `ERR_ONE` | One | First ||
|| `-` | Odd | Dash ||
|#
"""


def test_markdown_page_to_method(tmp_path: Path):
    methods, problems = read_markdown_text(PAGE, tmp_path / "p.md", "p.md")
    (m,) = methods
    assert (m.method, m.scope, m.scopes, m.api) == ("demo.thing.do", "demo", ("demo", "basic"), "v2")
    assert (m.deprecated, m.replacement) == (True, "demo.thing.run")
    assert m.who_can_execute == "любой"
    (p,) = m.params
    assert (p.name, p.type, p.required) == ("fields", "object", True)
    assert [f.name for f in p.fields] == ["TITLE"]
    assert [(e.code, e.status, e.odd) for e in m.errors] == [("ERR_ONE", 400, False), ("-", 400, True)]
    assert m.examples[0].payload == {"fields": {"TITLE": "a"}}
    assert m.examples[0].calls == "demo.thing.do"


def test_plain_text_keeps_what_code_spans_hold():
    from generator.read.text import plain

    text = "By default — `'*'` + custom fields — `'UF_*'`, and *emphasis* goes"
    assert plain(text) == "By default — '*' + custom fields — 'UF_*', and emphasis goes"
