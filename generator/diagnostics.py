"""Findings and the one registry of their codes.

A finding is a value with a position (`path:line:col`), a stable code, a severity and a
hint; readers, lint, sync, the pipeline and conformance collect them instead of raising.
Every code is registered in `RULES` exactly once, with its severity, a one-line summary,
the default hint, the b24gen command that repairs it (if any) and a short input that
triggers it. Findings are made with `diagnostic()`, which takes the severity (and, when
the site has nothing more specific to say, the hint) from the registry; an unregistered
code is a programming error (`UnknownCode`). `b24gen explain` prints the registry.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Position:
    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in an input, reported with a position instead of raised.

    Make one with `diagnostic()`. The code must be registered; the severity is always
    the registry's (left empty, it is filled in from there).
    """

    position: Position
    code: str
    message: str
    hint: str = ""
    severity: str = ""

    def __post_init__(self) -> None:
        expected = rule(self.code).severity
        if not self.severity:
            object.__setattr__(self, "severity", expected)
        elif self.severity != expected:
            raise ValueError(
                f"{self.code} is registered as {expected!r}, not {self.severity!r}: "
                "severities are chosen in generator/diagnostics.py only"
            )

    def format(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.position}: {self.code} {self.message}{hint}"


def diagnostic(
    code: str,
    where: str | Position,
    message: str,
    hint: str | None = None,
    line: int = 1,
    col: int = 1,
) -> Diagnostic:
    """A finding of a registered code at `where` (a Position, or a path with `line`
    and `col`); without a specific `hint` the registry's default hint is used."""
    r = rule(code)
    position = where if isinstance(where, Position) else Position(where, line, col)
    return Diagnostic(position, code, message, r.hint if hint is None else hint)


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # one of SEVERITIES
    summary: str  # one line: what `lint --statistics` and `explain` show
    hint: str  # what the finding means and how to repair it; the default hint
    fix: str = ""  # the b24gen command that repairs it: "sync", "sync --fix" or ""
    example: str = ""  # a short input that triggers it


class UnknownCode(KeyError):
    """A code that is not in the registry (a programming error where a finding is
    made; a user error for `b24gen explain`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        near = closest(self.code)
        also = f"; closest: {', '.join(near)}" if near else ""
        return (
            f"unknown diagnostic code {self.code!r}{also} "
            "(`b24gen explain` lists them all)"
        )


_FRONT = "---\nmethod: crm.deal.get\nscope: crm\n"
_TITLE = "# Get a deal crm.deal.get\n\n> Scope: [`crm`](#)\n"
_TABLE = "\n## Method Parameters\n\n#|\n|| **Name**\n`type` | **Description** ||\n"
_ID_ROW = "|| **id***\n[`integer`](#) | Deal ID ||\n|#\n"
_CURL = (
    "\n## Code Examples\n\n```bash\ncurl -d '{payload}' "
    "https://b24.example/rest/{rest}crm.deal.{verb}\n```\n"
)


def _page(
    front: str = "",
    body: str = "",
    curl: str = "get",
    rest: str = "",
    payload: str = '{"id": 7}',
) -> str:
    """A small YFM method page: front-matter lines, the title and Scope line, more
    body, and an example sending `payload` to `crm.deal.<curl>` (none if empty)."""
    example = _CURL.format(payload=payload, rest=rest, verb=curl) if curl else ""
    return f"{_FRONT}{front}---\n\n{_TITLE}{body}{example}"


_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------ reading files
    Rule(
        "READ001",
        "error",
        "file cannot be read",
        "the path does not exist or cannot be opened; check that it exists and "
        "is readable",
        example="$ b24gen lint specs/crm/deal-gte.md    # a misspelt file name",
    ),
    Rule(
        "READ002",
        "error",
        "file is not UTF-8",
        "the file holds bytes that are not UTF-8 (often a Windows-1251 or Latin-1 "
        "save); save it as UTF-8",
        example="---\nmethod: crm.deal.get\n"
        "title: Caf\\xe9   <- the single byte 0xE9 of Latin-1\n",
    ),
    Rule(
        "READ003",
        "error",
        "input folder does not exist",
        "the folder of specs or docs named on the command line is missing; pass the "
        "folder holding the pages",
        example="$ b24gen regenerate spec    # the folder is called specs",
    ),
    Rule(
        "READ004",
        "error",
        "no reader for the page's form",
        "the page is scraped text and this build has no reader for that form; convert "
        "the page to markdown",
        example="Get a deal crm.deal.get\nName |\n|\nid* |\n"
        "(a pipe-scraped page, in a build without generator/read/scraped.py)",
    ),
    Rule(
        "READ005",
        "error",
        "file is too large to be a page",
        "a docs page or spec is a few kilobytes; a file over the limit is refused "
        "unread, so a stray archive or log cannot exhaust memory",
        example="$ b24gen ir dump.md   # a 200 MB file",
    ),
    # ------------------------------------------------------------ front matter
    Rule(
        "SPEC001",
        "error",
        "front matter never closes",
        "a front matter opened with --- needs a closing line holding only ---; "
        "everything after the opener is read as body",
        example="---\nmethod: crm.deal.get\nscope: crm\n\n# Get a deal crm.deal.get\n",
    ),
    Rule(
        "SPEC002",
        "error",
        "front matter is not valid YAML",
        "the YAML between the --- lines does not load; quote values holding ': ' "
        "or '#'",
        example="---\nmethod: crm.deal.get\ntitle: Deal: one record\n---\n",
    ),
    Rule(
        "SPEC003",
        "error",
        "front matter is not a mapping",
        "the front matter must be 'key: value' lines, not a list or a bare value",
        example="---\n- crm.deal.get\n- crm\n---\n",
    ),
    Rule(
        "SPEC004",
        "error",
        "unknown front-matter key",
        "the key is not part of the spec format (often a typo); use one of the keys "
        "the spec format lists",
        example="---\nmethod: crm.deal.get\nscope: crm\npaginaton: none\n---\n",
    ),
    Rule(
        "SPEC005",
        "error",
        "front-matter value of the wrong type",
        "the value's YAML type is not the one the key takes (a list for a string, "
        "text for a number); see the spec format in DESIGN.md",
        example="---\nmethod: crm.deal.get\nscope: crm\n"
        "rate_limit_per_sec: fast\n---\n",
    ),
    Rule(
        "SPEC006",
        "warning",
        "front-matter value not among the allowed ones",
        "api and pagination take a fixed set of values (v2/v3; none, start-next, "
        "page-limit); use one of them",
        example="---\nmethod: crm.deal.list\nscope: crm\npagination: offset\n---\n",
    ),
    Rule(
        "SPEC007",
        "error",
        "front matter has no method",
        "a front matter must name the method it documents; add 'method: <wire name>'",
        example="---\nscope: crm\n---\n\n# Get a deal crm.deal.get\n",
    ),
    Rule(
        "SPEC008",
        "error",
        "method defined twice",
        "two pages document the same method (name and api); only the first is used, "
        "delete or rename the other",
        example="specs/crm/deal-get.md:  method: crm.deal.get\n"
        "specs/crm/deal-read.md: method: crm.deal.get\n",
    ),
    Rule(
        "SPEC009",
        "error",
        "spec file defines no method",
        "every file below specs/ must be one method's spec; a spec needs a front "
        "matter with 'method'",
        example="specs/crm/notes.md:\n# Working with deals\n\nSome general prose.\n",
    ),
    # ------------------------------------------------------------ command line
    Rule(
        "ARG001",
        "error",
        "a path named on the command line does not exist or is of the wrong kind",
        "check the path; verbs that read a tree need a folder, not a file",
        example="$ b24gen conformance README.md",
    ),
    Rule(
        "ARG002",
        "error",
        "an option's value is out of range",
        "ports are 0 (any free port) to 65535; counts and rates are not negative",
        example="$ b24gen mock --port 99999",
    ),
    Rule(
        "ARG004",
        "error",
        "no page has the scope asked for",
        "the finding lists the scopes of the pages read; pick one of them",
        example="$ b24gen import docs/api-reference --scope nosuchscope",
    ),
    Rule(
        "ARG003",
        "error",
        "the mock portal cannot listen on the port",
        "another program holds the port; pick another with --port, or 0 for any",
        example="$ b24gen mock --port 8024   # while another mock runs on 8024",
    ),
    Rule(
        "ARG005",
        "error",
        "two inputs given where the verb reads one",
        "give one source: a specs folder or --docs for regenerate, OLD NEW or "
        "--git for diff",
        example="$ b24gen regenerate specs --docs ../b24-rest-docs",
    ),
    Rule(
        "ARG006",
        "error",
        "an input the verb needs is missing",
        "diff compares two trees: give OLD and NEW, or --git REPO OLD..NEW",
        example="$ b24gen diff old-specs",
    ),
    Rule(
        "ARG007",
        "error",
        "the git revisions cannot be read",
        "--git needs a git checkout and two revisions it has, as OLD..NEW "
        "(tags, branches or commits)",
        example="$ b24gen diff --git ../b24-rest-docs nosuchtag..HEAD",
    ),
    # ------------------------------------------------------------ configuration
    Rule(
        "CFG001",
        "error",
        "[tool.b24gen] in pyproject.toml is not valid",
        "a key is unknown or has a value of the wrong type; see the README's "
        "configuration section",
        example="[tool.b24gen]\nspecs = 5\n",
    ),
    # ------------------------------------------------------------ output folder
    Rule(
        "OUT001",
        "error",
        "output path is not a folder",
        "--out names a file; pass a folder (new, empty, or one b24gen wrote)",
        example="$ b24gen regenerate specs --out README.md",
    ),
    Rule(
        "OUT002",
        "error",
        "generated file was edited by hand",
        "the file differs from what b24gen wrote last; move the change into the spec "
        "(or the generator) and regenerate, or pass --force to overwrite it",
        example="generated/b24client/tasks.py: a line added after `make regenerate`",
    ),
    Rule(
        "OUT003",
        "error",
        "output folder holds a file b24gen did not write",
        "b24gen writes only into a folder it owns: new, empty, or holding only what it "
        "generated; pick another --out, or pass --force to delete the file",
        example="$ b24gen regenerate specs --out docs   # docs/ holds your own files",
    ),
    Rule(
        "OUT005",
        "error",
        "a spec would be written outside the target folder",
        "a folder below --to links elsewhere; nothing is written outside --to, so "
        "replace the link with a folder",
        example="specs/crm -> /etc   (a symbolic link below --to)",
    ),
    Rule(
        "OUT004",
        "error",
        "output folder is or holds the input",
        "--out would replace the specs or docs being read; pass a folder beside them",
        example="$ b24gen regenerate specs --out specs",
    ),
    Rule(
        "SPEC010",
        "error",
        "name not shaped like a Bitrix24 name",
        "method names, aliases and scopes are dotted words of letters, digits and _ "
        "(`crm.deal.add`, `user.basic`); a parameter name is text on one line; the "
        "record (or the parameter) is left out",
        example="---\nmethod: ../../etc/demo.get\nscope: demo\n---\n# Demo\n",
    ),
    # ------------------------------------------------------------ YFM blocks
    Rule(
        "YFM001",
        "warning",
        "code fence 'closed' with 4+ spaces of indent",
        "a closing fence indented 4 or more columns more than its opener does not "
        "close the block (CommonMark), so the code runs on; indent the closing ``` "
        "like the opening one",
        fix="sync --fix",
        example='# Get a deal crm.deal.get\n\n```json\n{"result": true}\n    ```\n\n'
        "This text ends up inside the code block.\n```\n",
    ),
    Rule(
        "YFM002",
        "warning",
        "code fence never closes",
        "a code block opened with ``` runs to the end of the page; add the closing "
        "```",
        example="# Who am I user.current\n\n```bash\n"
        "curl https://b24.example/rest/user.current\n",
    ),
    Rule(
        "YFM003",
        "warning",
        "note never closes",
        "a {% note %} without {% endnote %} swallows the rest of the page; add "
        "{% endnote %}",
        example="{% note info %}\n\nKeep the webhook token secret.\n",
    ),
    Rule(
        "YFM004",
        "error",
        "table never closes",
        "a table opened with #| needs |# after its last row, or the rest of the page "
        "is read as table cells",
        example="# Get a deal crm.deal.get\n\n#|\n|| Name | Description ||\n"
        "|| id | Deal ID ||\n",
    ),
    Rule(
        "YFM005",
        "warning",
        "table row never closes",
        "a table row opened with || must end with ||; the row runs into the next "
        "lines",
        example="# Get a deal crm.deal.get\n\n#|\n|| Name | Description ||\n"
        "|| id | Deal ID\n|#\n",
    ),
    Rule(
        "YFM006",
        "warning",
        "include target does not exist",
        "an {% include %} names a file that is not there (the path is relative to "
        "the including page); what it would add is missing",
        example="{% include [errors](_includes/no-such-file.md) %}\n",
    ),
    Rule(
        "YFM007",
        "warning",
        "table row with the wrong number of cells",
        "a row has more or fewer cells than the header, so cells land in the wrong "
        "columns; check for a stray or missing |",
        example="# Get a deal crm.deal.get\n\n#|\n|| Name | Type | Description ||\n"
        "|| id | integer ||\n|#\n",
    ),
    Rule(
        "MD010",
        "warning",
        "sub-table not linked to any parameter",
        "a table of nested fields whose heading names no parameter, and no row links "
        "to it; its rows are not attached anywhere",
        example=_page(
            body=f"{_TABLE}|| **fields***\n[`object`](#) | Values ||\n|#\n\n"
            "### Options\n\n#|\n|| **Name**\n`type` | **Description** ||\n"
            "|| **color**\n[`string`](#) | Colour ||\n|#\n",
            curl="",
        ),
    ),
    Rule(
        "MD011",
        "warning",
        "sub-tables nested too deeply",
        "nested fields are followed twelve levels down; a sub-table below that is left "
        "out (the docs need five at most)",
        example="thirteen sub-tables, each holding the field that links to the next",
    ),
    # ------------------------------------------------------------ scraped pages
    Rule(
        "SCR001",
        "error",
        "unknown scraped form",
        "scraped text comes in the 'pipe' or the 'blank' form; name one of them",
        example="read_scraped_text(text, path, display, fmt='html')",
    ),
    Rule(
        "SCR002",
        "info",
        "scraped page documents no method",
        "a method page starts with a title ending in the method name and has a "
        "scope, parameters or examples; other pages make no record",
        example="Getting started with webhooks\n\nThis page explains how to create "
        "a webhook.\n",
    ),
    Rule(
        "SCR003",
        "warning",
        "pipe-scraped table row with too few cells",
        "the scraped row stops before the header's last column; the missing cells "
        "are empty, check the scraped text",
        example="Get a deal crm.deal.get\nScope: crm\nMethod Parameters\n|\nName |\n"
        "Description |\n|\nid* |\n",
    ),
    Rule(
        "SCR004",
        "warning",
        "scraped response example is not valid JSON",
        "the response example is kept as text (example_valid is false), so the "
        "result's type is not derived from it",
        example="Get a deal crm.deal.get\n\nScope: crm\n\nResponse Handling\n\n"
        '{\n    "result": {"ID": 7, ...}\n    }\n',
    ),
    Rule(
        "SCR005",
        "info",
        "scraped error rows lost their codes",
        "the scraped form drops inline code, and with it the error codes; read the "
        "markdown page for them",
        example="Get a deal crm.deal.get\nScope: crm\nError Handling\n|\nCode |\n"
        "Description |\n|\n|\nDeal not found |\n",
    ),
    Rule(
        "SCR006",
        "warning",
        "scraped page has no scope",
        "no 'Scope:' line follows the title, so the record has no scope",
        example="Get a deal crm.deal.get\n\nReturns one deal.\n\nMethod Parameters\n\n"
        "Name\ntype\n\nDescription\n\nid*\ninteger\n\nDeal ID\n",
    ),
    Rule(
        "SCR007",
        "warning",
        "scraped JSON example never closes",
        "the example's brackets never balance, so it runs to the next section; check "
        "the scraped text",
        example="Get a deal crm.deal.get\nScope: crm\nResponse Handling\n|\n{\n"
        '"result": {\n"ID": 7\nReturned Data\n',
    ),
    Rule(
        "SCR008",
        "warning",
        "blank-scraped table row with too few cells",
        "a cell of the row is empty or missing in the scraped text; the row is kept "
        "with the cells it has",
        example="Get a deal crm.deal.get\n\nScope: crm\n\nMethod Parameters\n\n"
        "Name\ntype\n\nDescription\n\nid*\ninteger\n",
    ),
    # ------------------------------------------------------------ lint: the run
    Rule(
        "LINT000",
        "error",
        "the page could not be checked (internal error)",
        "a check raised while reading the page, which is a bug in b24gen; please "
        "report it with the page",
        example="any page on which a lint check raises an exception",
    ),
    # ------------------------------------------------------------ lint: front matter
    Rule(
        "LINT101",
        "error",
        "front matter has no scope",
        "the front matter names a method but no scope; add 'scope: <scope>' "
        "(`b24gen sync` takes it from the Scope line)",
        fix="sync",
        example="---\nmethod: crm.deal.get\n---\n\n# Get a deal crm.deal.get\n",
    ),
    Rule(
        "LINT110",
        "error",
        "front-matter method differs from the body's",
        "the front matter names another method than the title; the body is the "
        "ground truth: `b24gen sync` takes its value",
        fix="sync",
        example=_page().replace("method: crm.deal.get", "method: crm.deal.fetch"),
    ),
    Rule(
        "LINT111",
        "error",
        "front-matter scope differs from the body's",
        "the front matter's scope is not the one the Scope line names; `b24gen sync` "
        "takes the body's",
        fix="sync",
        example=_page().replace("scope: crm", "scope: tasks"),
    ),
    Rule(
        "LINT112",
        "error",
        "front-matter api differs from the body's",
        "the examples call /rest/ (v2) or /rest/api/ (v3), the front matter says "
        "the other; `b24gen sync` takes the body's",
        fix="sync",
        example=_page("api: v3\n"),
    ),
    Rule(
        "LINT113",
        "error",
        "front-matter deprecated contradicts the body",
        "the body has a deprecation note and the front matter says deprecated: false "
        "(or the other way round); `b24gen sync` takes the body's",
        fix="sync",
        example=_page(
            "deprecated: false\n",
            '\n{% note warning "DEPRECATED" %}\n\nNo longer developed.\n\n'
            "{% endnote %}\n",
        ),
    ),
    Rule(
        "LINT114",
        "error",
        "front-matter replacement differs from the body's",
        "the deprecation note names another replacement than the front matter; "
        "`b24gen sync` takes the body's",
        fix="sync",
        example=_page(
            "deprecated: true\nreplacement: crm.item.list\n",
            '\n{% note warning "DEPRECATED" %}\n\nUse `crm.item.get` instead.\n\n'
            "{% endnote %}\n",
        ),
    ),
    Rule(
        "LINT115",
        "error",
        "front-matter params are not the parameter table",
        "the front matter's params list other names, types or required marks than "
        "the body's parameter table; `b24gen sync` takes the table's",
        fix="sync",
        example=_page("params:\n  - {name: ID, type: string}\n", _TABLE + _ID_ROW),
    ),
    Rule(
        "LINT116",
        "error",
        "front-matter pagination differs from the parameters",
        "a list that takes 'start' pages with start-next (v2), one that takes 'page' "
        "and 'limit' with page-limit (v3); `b24gen sync` takes the body's",
        fix="sync",
        example=_page(
            "pagination: none\n",
            _TABLE + "|| **start**\n[`integer`](#) | Offset ||\n|#\n",
            curl="list",
            payload='{"start": 0}',
        ).replace("crm.deal.get", "crm.deal.list"),
    ),
    Rule(
        "LINT117",
        "warning",
        "front-matter returns differs from the response",
        "the JSON type of 'result' in the response example is not the front "
        "matter's returns type; `b24gen sync` takes the example's",
        fix="sync",
        example=_page(
            "returns: {type: array}\n",
            '\n## Response Handling\n\n```json\n{"result": {"ID": 7}}\n```\n',
        ),
    ),
    Rule(
        "LINT118",
        "warning",
        "front-matter errors differ from the error table",
        "the front matter's errors list other codes or statuses than the body's "
        "error table; `b24gen sync` takes the table's",
        fix="sync",
        example=_page(
            "errors: [{code: DEAL_LOCKED}]\n",
            "\n## Error Handling\n\n#|\n|| **Code** | **Description** ||\n"
            "|| `NOT_FOUND` | No deal has this ID ||\n|#\n",
        ),
    ),
    # ------------------------------------------------------------ lint: the body
    Rule(
        "LINT201",
        "error",
        "example sends a key that is not a documented parameter",
        "a code example sends a key the parameter table does not list, so the "
        "client cannot send it by name; document the parameter or fix the example",
        example=_page(body=_TABLE + _ID_ROW).replace('"id": 7', '"id": 7, "mode": 1'),
    ),
    Rule(
        "LINT202",
        "warning",
        "example key differs from the parameter only in case",
        "the example and the table spell one parameter differently; the server may "
        "take only one of them, use one spelling in both",
        example=_page(body=_TABLE + _ID_ROW).replace('"id": 7', '"ID": 7'),
    ),
    Rule(
        "LINT211",
        "warning",
        "parameter documented only in the front matter, from the examples",
        "the page's code examples send this key and its parameter table does not list "
        "it; the front matter keeps it (type any) so the client can send it by name: "
        "add it to the table with its type and description",
        example=_page(
            "params:\n  - name: id\n    type: integer\n    required: true\n"
            "  - name: mode\n    type: any\n    required: false\n",
            body=_TABLE + _ID_ROW,
        ).replace('"id": 7', '"id": 7, "mode": 1'),
    ),
    Rule(
        "LINT203",
        "warning",
        "title names another method than the examples call",
        "the page's title and its examples disagree on the method; make them name "
        "the same one",
        example=_page(curl="fetch"),
    ),
    Rule(
        "LINT204",
        "warning",
        "link to a page that does not exist",
        "a relative link points to no file; fix the link (it is relative to the "
        "page)",
        example="# Get a deal crm.deal.get\n\nSee [the fields](./deal-fields.md).\n",
    ),
    Rule(
        "LINT205",
        "warning",
        "response example is not valid JSON",
        "the response example does not parse, so the result's type is not derived "
        "from it; write it as JSON (no comments, no '...')",
        example=_page(
            body='\n## Response Handling\n\n```json\n{"result": {"ID": 7, ...}}\n'
            "```\n"
        ),
    ),
    Rule(
        "LINT206",
        "warning",
        "type unknown to the generator",
        "a parameter or returned field has a type the client has no Python type for "
        "and types as Any; use a documented type or add it to render/types.py",
        example=_page(
            body=_TABLE + "|| **id***\n[`deal_key`](#) | Deal ID ||\n|#\n",
        ),
    ),
    Rule(
        "LINT301",
        "warning",
        "replacement method is not among the methods read",
        "a deprecated method names a replacement no page documents; name an existing "
        "method, or lint the whole tree",
        example=_page(
            "deprecated: true\nreplacement: crm.deal.fetch\n",
            '\n{% note warning "DEPRECATED" %}\n\nUse `crm.deal.fetch` instead.\n\n'
            "{% endnote %}\n",
        ),
    ),
    # ------------------------------------------------------------ lint: languages
    Rule(
        "LINT401",
        "warning",
        "parameter documented in one language only",
        "`lint --compare` found a parameter in one language's page of the method "
        "and not in the other's; make both languages document the same",
        example="en/deal-get.md:  || **id*** | Deal ID ||  || **lang** | Language ||\n"
        "ru/deal-get.md:  || **id*** | ID сделки ||\n",
    ),
    Rule(
        "LINT402",
        "warning",
        "required mark differs between languages",
        "one language marks the parameter required (*) and the other does not; make "
        "both languages document the same",
        example="en/deal-get.md:  || **id*** | Deal ID ||\n"
        "ru/deal-get.md:  || **id** | ID сделки ||\n",
    ),
    Rule(
        "LINT403",
        "warning",
        "error code listed in one language only",
        "one language's error table lists a code the other's lacks; make both "
        "languages document the same",
        example="en/deal-get.md:  || `NOT_FOUND` | ... ||  || `NO_ACCESS` | ... ||\n"
        "ru/deal-get.md:  || `NOT_FOUND` | ... ||\n",
    ),
    # ------------------------------------------------------------ sync
    Rule(
        "SYNC001",
        "warning",
        "scraped page has no front matter to sync",
        "sync fills a markdown page's front matter; a scraped page has none, turn "
        "it into a spec with `b24gen import`",
        example="$ b24gen sync deal-get.txt    # a pipe- or blank-scraped page",
    ),
    Rule(
        "SYNC002",
        "error",
        "front matter cannot be edited",
        "the round-trip YAML editor refuses the front matter (a duplicate key, tabs); "
        "fix the YAML and sync again",
        example="---\nmethod: crm.deal.get\nscope: crm\nscope: crm\n---\n",
    ),
    # ------------------------------------------------------------ import
    Rule(
        "IMP000",
        "error",
        "the page could not be imported (internal error)",
        "importing the page raised, which is a bug in b24gen; nothing of the page was "
        "written, the other pages were imported; please report it with the page",
        example="any page whose import raises an exception",
    ),
    # ------------------------------------------------------------ conformance
    Rule(
        "CONF000",
        "error",
        "the reader raised on the page (internal error)",
        "reading the page raised an exception, which is a reader bug; report it with "
        "the page",
        example="any page on which the markdown reader raises an exception",
    ),
    Rule(
        "CONF001",
        "error",
        "method page gave no method record",
        "the raw scan sees a method page, the reader made no record of it: the reader "
        "found no method name or no method evidence",
        example="# Get a deal crm.deal.get\n\n> Scope: [`crm`](#)\n"
        "(and the reader returns no record for it)",
    ),
    Rule(
        "CONF002",
        "error",
        "record's method name differs from the page's",
        "the title and the examples name one method, the reader's record another; "
        "a reader bug in taking the name",
        example=_page() + "(the record says crm.deal.gets)\n",
    ),
    Rule(
        "CONF003",
        "error",
        "record has no scope, the page has a Scope line",
        "the reader did not take the scope from the page's Scope line",
        example="# Get a deal crm.deal.get\n\n> Scope: [`crm`](#)\n"
        "(the record's scope is empty)",
    ),
    Rule(
        "CONF004",
        "error",
        "record's api differs from the examples' URLs",
        "examples calling /rest/api/ document REST v3, those calling /rest/ v2; the "
        "record has the other api",
        example=_page(rest="api/") + "(the record says api v2)\n",
    ),
    Rule(
        "CONF005",
        "error",
        "parameter row missing from the record",
        "a row of the page's parameter table is not a parameter of the record; the "
        "reader lost it",
        example=_page(body=_TABLE + _ID_ROW) + "(the record has no parameter 'id')\n",
    ),
    Rule(
        "CONF006",
        "error",
        "required mark differs between the page and the record",
        "the page marks a parameter (or a sub-table's field) required, "
        "conditionally required or optional, the record otherwise",
        example=_page(body=_TABLE + _ID_ROW) + "(the record says 'id' is optional)\n",
    ),
    Rule(
        "CONF007",
        "error",
        "sub-table is not the fields of any parameter",
        "the rows of a nested table are not the fields of any parameter of the "
        "record; the reader did not attach them",
        example="### Parameter fields\n\n#|\n|| **Name**\n`type` | **Description** ||\n"
        "|| **TITLE**\n[`string`](#) | Title ||\n|#\n(no parameter holds TITLE)\n",
    ),
    Rule(
        "CONF008",
        "error",
        "number of error rows differs from the record's",
        "the page's error table has more or fewer rows than the record has "
        "method-specific errors",
        example="## Error Handling\n\n#|\n|| **Code** | **Description** ||\n"
        "|| `NOT_FOUND` | No such deal ||\n|#\n(the record has no errors)\n",
    ),
    Rule(
        "CONF009",
        "error",
        "number of included system error rows differs",
        "the included system-errors page has more or fewer rows than the record has "
        "system errors",
        example="{% include [system errors](_includes/system-errors.md) %}\n"
        "(the record has none of its errors)\n",
    ),
    Rule(
        "CONF010",
        "error",
        "deprecation note, record not deprecated",
        "the page has a deprecation note and the reader's record is not deprecated",
        example=_page(
            body='\n{% note warning "DEPRECATED" %}\n\nNo longer developed.\n\n'
            "{% endnote %}\n",
        )
        + "(the record says deprecated: false)\n",
    ),
    Rule(
        "CONF011",
        "error",
        "deprecation note links a replacement, record has none",
        "the deprecation note links the method to use instead, the record has no "
        "replacement",
        example='{% note warning "DEPRECATED" %}\n\nUse [crm.item.get](../item-get.md)'
        ".\n\n{% endnote %}\n(the record's replacement is empty)\n",
    ),
    Rule(
        "CONF012",
        "error",
        "record has a parameter no table row lists",
        "the record has a parameter that none of the page's tables lists; the reader "
        "made it up or took it from elsewhere",
        example=_page(body=_TABLE + _ID_ROW) + "(the record also has 'fields')\n",
    ),
    Rule(
        "CONF013",
        "error",
        "error codes differ between the page and the record",
        "as many error rows as the record has errors, but other codes: the reader "
        "read some code cells wrong",
        example="|| `NOT_FOUND` | No such deal ||\n"
        "(the record's error code is 'NOT')\n",
    ),
)


def _registry(rules: tuple[Rule, ...]) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for r in rules:
        if r.code in out or r.severity not in SEVERITIES:
            raise ValueError(f"{r.code}: registered twice or with a bad severity")
        out[r.code] = r
    return out


RULES: dict[str, Rule] = _registry(_RULES)


def rule(code: str) -> Rule:
    """The registered rule of `code`; `UnknownCode` for any other code."""
    try:
        return RULES[code]
    except KeyError:
        raise UnknownCode(code) from None


def closest(code: str, n: int = 3) -> list[str]:
    """Registered codes nearest to `code`: of its family (LINT, SPEC, ...) the nearest
    by number, else the nearest by spelling."""
    code = code.strip().upper()
    m = re.fullmatch(r"([A-Z]+)(\d+)", code)
    if m:
        prefix, number = m[1], int(m[2])
        family = [c for c in RULES if re.fullmatch(rf"{prefix}\d+", c)]

        def distance(c: str) -> tuple[int, str]:
            return abs(int(c[len(prefix) :]) - number), c

        if family:
            return sorted(family, key=distance)[:n]
    return difflib.get_close_matches(code, sorted(RULES), n=n, cutoff=0.0)


# ---------------------------------------------------------------- explaining


def explain(code: str) -> str:
    """`b24gen explain CODE`: everything the registry knows about one code."""
    r = rule(code.strip().upper())
    lines = [f"{r.code} ({r.severity}): {r.summary}", ""]
    lines += textwrap.wrap(r.hint[0].upper() + r.hint[1:] + ".", 88)
    lines += ["", f"Fix: b24gen {r.fix}"] if r.fix else []
    lines += ["", "Example:", *(f"    {ln}".rstrip() for ln in r.example.splitlines())]
    return "\n".join(lines) + "\n"


def explain_all() -> str:
    """`b24gen explain`: every code with its severity and summary."""
    return "".join(
        f"{r.code:8s} {r.severity:8s} {r.summary}\n"
        for r in sorted(RULES.values(), key=lambda r: r.code)
    )
