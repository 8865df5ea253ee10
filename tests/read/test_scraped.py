"""The scraped-text reader: both forms ("pipe", "blank") into the same IR as the markdown
reader, with what a form cannot carry listed in `lossy` and problems returned as values."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ir import Method
from generator.read import read_file, sniff
from generator.read.scraped import LOSSY, State, read_scraped_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "scraped"
PIPE_LOSSY = ("errors.code", "errors.description", "errors.field", "errors.message",
              "errors.status", "examples.language", "params.description", "params.type",
              "returns.fields.description", "returns.fields.type")


def read_one(name: str) -> tuple[Method, list]:
    methods, problems = read_file(FIXTURES / name, display=name)
    assert len(methods) == 1, problems
    return methods[0], problems


def codes(problems: list) -> list[tuple[str, int, str]]:
    return sorted((p.code, p.position.line, p.severity) for p in problems)


# ---------------------------------------------------------------- own fixtures: pipe form


def test_pipe_fixture_header_fields() -> None:
    m, _ = read_one("pipe_note_archive.txt")
    assert (m.method, m.scope, m.scopes, m.api) == (
        "notes.note.archive", "notes", ("notes", "user"), "v2")
    assert m.who_can_execute == "the author of the note"  # split off the glued scope line
    assert m.description == ("Puts a note into the archive, so that lists stop showing it.\n\n"
                             "An archived note stays readable for its author.")
    assert (m.deprecated, m.replacement) == (True, "notes.item.archive")
    assert m.source is not None and (m.source.path, m.source.format) == (
        "pipe_note_archive.txt", "pipe")
    assert m.position is not None and m.position.line == 1
    assert m.lossy == PIPE_LOSSY == tuple(sorted(LOSSY["pipe"]))


def test_pipe_fixture_params_and_returns() -> None:
    m, _ = read_one("pipe_note_archive.txt")
    assert [(p.name, p.required, p.type) for p in m.params] == [
        ("noteId", True, "any"), ("reason", False, "any")]
    assert m.params[1].description == "Free text kept with the note.\nIt shows up in the history."
    assert [p.position.line for p in m.params] == [14, 17]
    assert [(r.name, r.type) for r in m.returns.fields] == [("result", "any"), ("time", "any")]
    assert m.returns.example == {"result": True, "time": {"start": 1, "finish": 2}}
    assert m.returns.example_valid


def test_pipe_fixture_examples_split_and_labelled() -> None:
    m, _ = read_one("pipe_note_archive.txt")
    assert [(e.language, e.calls, e.position.line) for e in m.examples] == [
        ("cURL (Webhook)", "notes.note.archive", 24), ("BX24.js", "notes.note.archive", 28)]
    assert m.examples[0].payload == {"noteId": 42, "reason": "done"}
    assert m.examples[1].payload is None
    assert m.examples[1].code.splitlines()[0] == "BX24.callMethod("
    assert m.examples[1].code.splitlines()[-1] == ");"


def test_pipe_fixture_errors_keep_empty_codes() -> None:
    m, problems = read_one("pipe_note_archive.txt")
    assert [(e.code, e.odd, e.status, e.system, e.message, e.description) for e in m.errors] == [
        ("", True, 400, False, "There is no such note", "No note has the key"),
        ("", True, 400, False, "Already archived", "Nothing left to do"),
        ("", True, None, True, "", "Too many calls in a short time"),
    ]
    assert [e.position.line for e in m.errors] == [67, 71, 82]
    assert codes(problems) == [("SCR005", 62, "info"), ("SCR005", 77, "info")]


# ---------------------------------------------------------------- own fixtures: blank form


def test_blank_fixture_method() -> None:
    m, _ = read_one("blank_note_move.txt")
    assert (m.method, m.scope, m.api, m.deprecated, m.replacement) == (
        "notes.note.move", "notes", "v3", False, None)
    assert m.who_can_execute == "anyone who may edit the note"
    assert m.source is not None and m.source.format == "blank"
    assert m.lossy == ("examples.language",) == LOSSY["blank"]


def test_blank_fixture_params_keep_types_and_nested_fields() -> None:
    m, _ = read_one("blank_note_move.txt")
    assert [(p.name, p.required, p.type, p.item_type) for p in m.params] == [
        ("id", True, "integer", None), ("target", True, "object", None),
        ("tags", False, "array", "string")]
    assert m.params[0].description == "Key of the note.\n\nIt is returned when a note is created"
    assert [(f.name, f.required, f.type) for f in m.params[1].fields] == [
        ("folderId", True, "integer"), ("position", False, "integer")]
    assert [(r.name, r.type) for r in m.returns.fields] == [("result", "object")]


def test_blank_fixture_examples_are_dedented_and_joined() -> None:
    m, _ = read_one("blank_note_move.txt")
    assert [e.position.line for e in m.examples] == [56, 61, 69]
    assert [e.payload for e in m.examples] == [
        {"id": 7, "target": {"folderId": 3}}, {"id": 7, "target": {"folderId": 3}}, None]
    assert m.examples[0].code.splitlines()[1] == '-H "Content-Type: application/json" \\'
    assert m.examples[2].code == ("$b24.callMethod(\n    'notes.note.move',\n"
                                  "    { id: 7, target: { folderId: 3 } }\n)\n\n"
                                  ".then(r => console.log(r.data()))")
    assert {e.language for e in m.examples} == {"text"}


def test_blank_fixture_invalid_response_is_kept_as_text() -> None:
    m, problems = read_one("blank_note_move.txt")
    assert not m.returns.example_valid and m.returns.example is None
    assert m.returns.example_text == '{\n    "result": {"moved": true},\n}'
    assert codes(problems) == [("SCR004", 81, "warning")]


def test_blank_fixture_v3_and_system_errors() -> None:
    m, _ = read_one("blank_note_move.txt")
    assert [(e.code, e.field, e.status, e.system, e.message) for e in m.errors] == [
        ("NOTES_V3_VALIDATION", "id, target", 400, False, "A required field is absent"),
        ("NOTES_V3_VALIDATION", "target.folderId", 400, False, "The folder does not exist"),
        ("NOTES_V3_ACCESS", "id", 400, False, "No right to edit this note"),
        ("QUERY_LIMIT_EXCEEDED", None, 503, True, "Too many requests"),
        ("expired_token", None, 401, True, "Token expired"),
    ]
    assert m.errors[2].description == "Ask the author for access"  # "Rights" ended the table
    assert m.errors[3].description == "Calls came in faster than allowed"
    assert not any(e.odd for e in m.errors)


def test_blank_intro_lines() -> None:
    text = ("Copy a Folder notes.folder.copy\n\nScope: notes, disk\n\n"
            "If you work with AI tools, connect the MCP server first.\n\n"
            "Quick navigation: all folder methods\n\n"
            "Who can execute the method: any user\n\n"
            "This method belongs to REST 3.0 and answers in its format.\n\n"
            "Development of this method has been stopped. Call notes.folder.clone instead.\n\n"
            "Makes a copy of a folder.\n\nMethod Parameters\n\nThe method does not accept "
            "parameters\n")
    methods, problems = read_scraped_text(text, Path("intro.txt"), "intro.txt", "blank")
    assert problems == []
    m = methods[0]
    assert (m.scopes, m.who_can_execute, m.api) == (("notes", "disk"), "any user", "v3")
    assert (m.deprecated, m.replacement) == (True, "notes.folder.clone")
    assert m.description == "Makes a copy of a folder." and m.params == ()


# ---------------------------------------------------------------- defects are values


def test_defects_are_reported_with_lines() -> None:
    m, problems = read_one("pipe_defects.txt")
    assert codes(problems) == [("SCR003", 10, "warning"), ("SCR004", 17, "warning"),
                               ("SCR006", 1, "warning"), ("SCR007", 17, "warning")]
    assert [p.name for p in m.params] == ["folderId", "title"]
    assert m.returns.example_text == '{\n"result": true,' and not m.returns.example_valid
    assert [r.name for r in m.returns.fields] == ["result"]  # reading went on past the JSON
    assert m.examples[0].payload == {"folderId": 5, "title": "New"}


@pytest.mark.parametrize("text", ["", "\n\n|\n|\n", "just words\n\nmore words",
                                  "Title x.y\n|\nName |\n|\n|", "A b.c\nScope:"])
@pytest.mark.parametrize("fmt", ["pipe", "blank"])
def test_junk_never_raises(text: str, fmt: str) -> None:
    methods, problems = read_scraped_text(text, Path("junk.txt"), "junk.txt", fmt)
    assert all(p.position.path == "junk.txt" for p in problems)
    if not methods:
        assert any(p.code == "SCR002" for p in problems)


def test_unknown_form_is_an_error_value() -> None:
    methods, problems = read_scraped_text("T a.b", Path("x"), "x", "tsv")
    assert methods == [] and [(p.code, p.severity) for p in problems] == [("SCR001", "error")]


def test_sniff_tells_the_forms_apart() -> None:
    assert sniff((FIXTURES / "pipe_note_archive.txt").read_text()) == "pipe"
    assert sniff((FIXTURES / "pipe_defects.txt").read_text()) == "pipe"
    assert sniff((FIXTURES / "blank_note_move.txt").read_text()) == "blank"


# ---------------------------------------------------------------- seeds vs the markdown pages

SEEDS = {
    "001": ("api-reference/tasks/deprecated/task-item/task-item-renew.md", "pipe"),
    "003": ("api-reference/tasks/tasks-task-approve.md", "pipe"),
    "004": ("api-reference/tasks/tasks-task-update-rest-v3.md", "blank"),
}
# Where the scraped snapshot and the corpus snapshot of the docs really say different things
# (wording changed between the two), not where the reader loses something.
DRIFT = {
    "001": {},
    "003": {"who_can_execute": ("task creator or administrator", "task Creator or administrator")},
    "004": {"scope": ("task", "tasks")},
}
# IR fields a form may lose, compared between the two readings.
LOSSY_PROBES = {
    "params.type": lambda m: [p.type for p in m.params],
    "returns.fields.type": lambda m: [r.type for r in m.returns.fields],
    "errors.code": lambda m: [e.code for e in m.errors],
    "errors.status": lambda m: [e.status for e in m.errors],
    "errors.field": lambda m: [e.field for e in m.errors],
}


def read_pair(seed: str, seeds: Path, corpus_en: Path) -> tuple[Method, Method]:
    page, _ = SEEDS[seed]
    scraped, _ = read_file(next(seeds.glob(f"{seed}_*.txt")))
    markdown, _ = read_file(corpus_en / page)
    assert len(scraped) == 1 and len(markdown) == 1
    return scraped[0], markdown[0]


def languages_match(scraped: Method, markdown: Method) -> bool:
    ours = [e.language for e in scraped.examples]
    return ours == [e.language for e in markdown.examples][:len(ours)]


@pytest.mark.corpus
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_matches_markdown_header(seed: str, seeds: Path, corpus_en: Path) -> None:
    s, md = read_pair(seed, seeds, corpus_en)
    assert s.source is not None and s.source.format == SEEDS[seed][1]
    for name in ("method", "scope", "api", "deprecated", "replacement", "who_can_execute",
                 "language", "pagination"):
        if name in DRIFT[seed]:
            assert (getattr(s, name), getattr(md, name)) == DRIFT[seed][name]
        else:
            assert getattr(s, name) == getattr(md, name), name


@pytest.mark.corpus
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_matches_markdown_body(seed: str, seeds: Path, corpus_en: Path) -> None:
    s, md = read_pair(seed, seeds, corpus_en)
    assert [(p.name, p.required) for p in s.params] == [(p.name, p.required) for p in md.params]
    assert [r.name for r in s.returns.fields] == [r.name for r in md.returns.fields]
    assert len(s.errors) == len(md.errors)
    assert [e.system for e in s.errors] == [e.system for e in md.errors]
    assert [e.payload for e in s.examples if e.payload is not None] == \
        [e.payload for e in md.examples if e.payload is not None]
    assert {e.calls for e in s.examples} == {e.calls for e in md.examples} == {md.method}
    if isinstance(md.returns.example, dict):
        assert s.returns.example_valid and sorted(s.returns.example) == sorted(md.returns.example)


@pytest.mark.corpus
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_lossy_lists_what_differs(seed: str, seeds: Path, corpus_en: Path) -> None:
    s, md = read_pair(seed, seeds, corpus_en)
    differs = {name for name, probe in LOSSY_PROBES.items() if probe(s) != probe(md)}
    if not languages_match(s, md):
        differs.add("examples.language")
    assert differs <= set(s.lossy), differs - set(s.lossy)
    if SEEDS[seed][1] == "blank":  # the blank form claims no loss it does not have
        assert not {"errors.code", "errors.status", "errors.field", "params.type",
                    "returns.fields.type"} & set(s.lossy)
    assert list(s.lossy) == sorted(s.lossy)


@pytest.mark.corpus
def test_seed_001_deprecated_pipe_page(seeds: Path, corpus_en: Path) -> None:
    s, md = read_pair("001", seeds, corpus_en)
    assert (s.deprecated, s.replacement) == (True, "tasks.task.renew")
    assert "DEPRECATED" not in s.description and "halted" not in s.description
    assert languages_match(s, md) and len(s.examples) == 7  # labels paired in order
    assert [e.payload for e in s.examples[:2]] == [{"taskId": 13}, {"taskId": 13}]


@pytest.mark.corpus
def test_seed_003_pipe_errors_lost_their_codes(seeds: Path, corpus_en: Path) -> None:
    s, md = read_pair("003", seeds, corpus_en)
    method_errors = [e for e in s.errors if not e.system]
    assert [(e.code, e.odd, e.status) for e in method_errors] == [("", True, 400)] * 3
    assert [e.message for e in method_errors] == [e.message for e in md.errors[:3]]
    assert [e.code for e in md.errors[:3]] == ["0", "1048582", "100"]
    system = [e for e in s.errors if e.system]
    assert len(system) == 15 and all(e.code == "" and e.status is None for e in system)
    assert all(e.description for e in system)
    assert [p.type for p in s.params] == ["any"] and [p.type for p in md.params] == ["integer"]
    assert s.returns.example["result"]["task"]["id"] == "8017"


@pytest.mark.corpus
def test_seed_004_blank_v3_keeps_codes_and_types(seeds: Path, corpus_en: Path) -> None:
    s, md = read_pair("004", seeds, corpus_en)
    assert s.api == "v3" and "v 3.0" not in s.title  # v3 comes from the /rest/api/ examples
    assert [p.type for p in s.params] == [p.type for p in md.params] == ["integer", "object"]
    assert [e.code for e in s.errors] == [e.code for e in md.errors]
    assert [e.field for e in s.errors] == [e.field for e in md.errors]
    assert [e.status for e in s.errors] == [e.status for e in md.errors]
    assert s.errors[0].field == "id, fields" and not any(e.odd for e in s.errors)
    assert [e.message for e in s.errors if e.system] == [e.message for e in md.errors if e.system]


# ---------------------------------------------------------------- issue 11: flattened-form rules
# Small pages in the two scraped forms, one rule each. Every page starts the same way.

PIPE_HEAD = ["Move a Card demo.card.move", "Scope:", "demoWho can execute the method: anyone",
             "Moves one card.", "Method Parameters"]
BLANK_HEAD = ["Move a Card demo.card.move", "Scope: demo", "Who can execute the method: anyone",
              "Moves one card.", "Method Parameters"]


def read(text: str, fmt: str) -> Method:
    methods, _ = read_scraped_text(text, Path("page.txt"), "page.txt", fmt)
    assert len(methods) == 1, text
    return methods[0]


def pipe_page(*lines: str) -> Method:
    return read("\n".join([*PIPE_HEAD, *lines]) + "\n", "pipe")


def blank_page(*blocks: str) -> Method:
    return read("\n\n".join([*BLANK_HEAD, *blocks]) + "\n", "blank")


def paths(m: Method) -> dict[str, bool]:
    """Every parameter path (nested fields too) -> required."""
    out: dict[str, bool] = {}

    def walk(params: tuple, prefix: str) -> None:
        for p in params:
            out[prefix + p.name] = p.required
            walk(p.fields, prefix + p.name + ".")

    walk(m.params, "")
    return out


def own_codes(m: Method) -> list[str]:
    return [e.code for e in m.errors if not e.system]


def test_pipe_cell_reading_like_a_heading_stays_a_cell() -> None:
    m = pipe_page("|", "Name |", "Description |", "|", "board* |", "Target board |",
                  "|", "rules |", "Parameters for the next run |", "|", "note |", "Free text |")
    assert paths(m) == {"board": True, "rules": False, "note": False}
    assert m.params[1].description == "Parameters for the next run"


@pytest.mark.parametrize(("cell", "name", "required"), [
    ("FILTER [", "FILTER", False),  # a bracket before a type the form dropped
    ("order Possible values for", "order", False),  # text run on after the name
    ("title*,**", "title", True),  # stray marks after the required one
    ("CARD_ID* | ID*", "CARD_ID", True),  # an alternative name after the first
    ("Colour of the lane", "Colour of the lane", False),  # a phrase is one name
    ("LANGUAGE_ID (LANG)", "LANGUAGE_ID (LANG)", False),
    ("<node selector>@<position>", "<node selector>@<position>", False),
])
def test_pipe_name_cell_keeps_the_name_alone(cell: str, name: str, required: bool) -> None:
    m = pipe_page("|", "Name |", "Description |", "|", f"{cell} |", "What it does |")
    assert paths(m) == {name: required}


def test_blank_name_and_type_on_one_line() -> None:
    m = blank_page("Name\ntype", "Description", "boardId* integer", "Target board",
                   "LANE string", "Lane code")
    assert [(p.name, p.required, p.type) for p in m.params] == [
        ("boardId", True, "integer"), ("LANE", False, "string")]


def test_pipe_names_lost_as_inline_code_are_lossy() -> None:
    m = pipe_page("|", "Name |", "Description |", "|", "board* |", "Target board |",
                  "|", "rules |", "Rules by lane |", "Parameter rules", "|", "Name |",
                  "Description |", "|", "|", "Rule for lanes without one of their own |")
    assert paths(m) == {"board": True, "rules": False}
    assert "params.fields" in m.lossy and "params.name" not in m.lossy
    top = pipe_page("|", "Name |", "Description |", "|", "|", "Key of the card |")
    assert "params.name" in top.lossy


@pytest.mark.parametrize("fmt", ["pipe", "blank"])
def test_star_after_underscore_is_lossy(fmt: str) -> None:
    if fmt == "pipe":
        m = pipe_page("|", "Name |", "Description |", "|", "UF_* |", "Custom fields |")
    else:
        m = blank_page("Name\ntype", "Description", "UF_*\nobject", "Custom fields")
    # `UF_*` (a wildcard) or `UF_` marked required: only bold type told them apart
    assert "params.name" in m.lossy


def test_pipe_header_with_an_empty_last_cell() -> None:
    m = pipe_page("Parameter settings", "|", "Name |", "|", "|", "COLOUR |", "|", "|",
                  "WIDTH |", "|", "|", "Name |", "|", "|", "HEIGHT |", "|")
    assert paths(m) == {"COLOUR": False, "WIDTH": False, "HEIGHT": False}


def test_pipe_first_row_of_labels_is_a_header() -> None:
    m = pipe_page("|", "Name |", "Description |", "|", "mode |", "How cards move |",
                  "Parameter mode", "|", "Change |", "Outcome |", "|", "|", "Lane is kept |",
                  "|", "Other fields |", "Nothing happens |")
    assert paths(m) == {"mode": False}


@pytest.mark.parametrize("fmt", ["pipe", "blank"])
def test_key_column_names_parameters(fmt: str) -> None:
    if fmt == "pipe":
        m = pipe_page("|", "Name |", "Description |", "|", "data* |", "Changes |",
                      "Parameter data", "|", "Key |", "Description |", "|", "<selector> |",
                      "A selector of the block |")
    else:
        m = blank_page("Name\ntype", "Description", "data*\nobject", "Changes",
                       "Parameter data", "Key\ntype", "Description", "<selector>\nstring",
                       "A selector of the block")
    assert paths(m) == {"data": True, "data.<selector>": False}


def test_pipe_labelled_value_is_no_heading_and_tab_labels_keep_it() -> None:
    m = pipe_page("|", "Name |", "Description |", "|", "kind* |", "Kind of card |",
                  "|", "fields* |", "Values of the card |", "Parameter fields", "Task", "Note",
                  "Card kind: 1", "|", "Name |", "Description |", "|", "title |", "Title |",
                  "Card kind: 2", "|", "Name |", "Description |", "|", "text |", "Text |")
    assert paths(m) == {"kind": True, "fields": True, "fields.title": False,
                        "fields.text": False}


@pytest.mark.parametrize("fmt", ["pipe", "blank"])
def test_table_markup_left_as_text_is_a_table(fmt: str) -> None:
    markup = ["#|", "|| Name", "type | Description ||", "|| start", "integer | First number ||",
              "|| step", "integer | Increment ||", "|#"]
    if fmt == "pipe":
        m = pipe_page("|", "Name |", "Description |", "|", "counter |", "Counter settings |",
                      "Parameters", "counter", *markup)
    else:
        m = blank_page("Name\ntype", "Description", "counter\nobject", "Counter settings",
                       "Parameters", "counter\n" + "\n".join(markup))
    assert paths(m) == {"counter": False, "counter.start": False, "counter.step": False}


@pytest.mark.parametrize("heading", ["Reminder settings object", "Settings by lane kind"])
def test_sub_table_placed_only_by_a_guess_is_lossy(heading: str) -> None:
    m = blank_page("Name\ntype", "Description", "settings\nobject", "Board settings",
                   "lanes\narray", "Lanes of the board", heading, "Name\ntype", "Description",
                   "count\ninteger", "How many")
    assert paths(m) == {"settings": False, "lanes": False}
    assert "params.fields" in m.lossy


def test_blank_error_message_table_without_codes() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Errors",
                   "Error Message", "Description", "Not found", "No card has this key")
    assert [(e.code, e.message, e.odd) for e in m.errors] == [("", "Not found", True)]


def test_blank_short_last_cell_before_a_section_is_no_title() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Code", "Description", "Value", "Empty value", "Lane is full",
                   "Pick another lane", "Empty value", "Disk is full", "CARD_LOCKED",
                   "The card is locked", "Statuses and System Error Codes")
    assert own_codes(m) == ["Empty value", "Empty value", "CARD_LOCKED"]


def test_blank_own_errors_under_two_status_classes_are_not_system() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "HTTP Status: 40x, 50x",
                   "Possible Errors", "Code", "Description", "CARD_GONE", "No such card")
    assert [(e.code, e.system) for e in m.errors] == [("CARD_GONE", False)]


def test_blank_list_after_a_colon_stays_in_its_cell() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Code", "Description", "Value", "0", "Move refused", "Returned when:",
                   "the card with this key does not exist", "the lane is closed",
                   "Statuses and System Error Codes")
    assert own_codes(m) == ["0"]
    codes = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                       "Code", "Description", "201", "Lane not found", "202",
                       "Some lanes cannot be removed:", "N", "F", "DN", "100", "No key",
                       "Statuses and System Error Codes")
    assert own_codes(codes) == ["201", "202", "100"]


def test_blank_table_goes_on_past_code_in_a_cell() -> None:
    m = blank_page("Name\ntype", "Description", "RULES\nobject", "Rules, for example:",
                   "RULES: {\n        SKIP: [ 'box' ]\n    }\n        ",
                   "Another rule", "RULES: {\n        ONLY: [ 'cloud' ]\n    }\n        ",
                   "LANE\nstring", "Lane code")
    assert paths(m) == {"RULES": False, "LANE": False}


def test_blank_error_code_is_no_cell_text() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Code", "Description", "Value", "Empty value", "Bad lane", "Lane is unknown",
                   "Empty value", "Disk is full", "ERROR_CORE", "The card is broken",
                   "Statuses and System Error Codes")
    assert own_codes(m) == ["Empty value", "Empty value", "ERROR_CORE"]


def test_blank_title_case_heading_with_a_note_ends_an_error_table() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Code", "Description", "0", "Card not found", "Error Handling Features",
                   "For business errors the code may be 0, read the text then.",
                   "HTTP Status: 20x, 40x, 50x", "Status", "Code\nError Message",
                   "Description", "503", "QUERY_LIMIT_EXCEEDED\nToo many requests", "Slow down")
    assert own_codes(m) == ["0"]
    assert [e.code for e in m.errors if e.system] == ["QUERY_LIMIT_EXCEEDED"]


def test_blank_v3_fields_lists_and_lower_case_type() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Error Code: DEMO_VALIDATION", "Field", "Error Description", "How to Fix",
                   "type", "Type is missing", "Pass a type", "dateFrom, dateTo",
                   "Bad date", "Use Y-m-d", "—", "No access", "Ask the owner")
    assert [(e.code, e.field) for e in m.errors] == [
        ("DEMO_VALIDATION", "type"), ("DEMO_VALIDATION", "dateFrom, dateTo"),
        ("DEMO_VALIDATION", "—")]


def test_blank_several_codes_in_a_cell_give_the_first() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Code", "Description", "300400001, 300400002", "Card not found")
    assert own_codes(m) == ["300400001"]


def test_blank_continue_exploring_ends_the_errors() -> None:
    m = blank_page("card\ninteger", "Card key", "Error Handling", "Possible Error Codes",
                   "Code", "Description", "Value", "empty string", "Card not found",
                   "No card has this key", "Continue exploring", "{#T}", "{#T}")
    assert own_codes(m) == ["empty string"]


def test_blank_rows_without_the_promised_type() -> None:
    m = blank_page("Name\ntype", "Description", "order", "Sorting fields", "filter",
                   "Filter fields", "id*", "Key\n\nfields\narray", "Values")
    assert paths(m) == {"order": False, "filter": False, "id": True, "fields": False}


def test_blank_header_label_and_empty_last_cells() -> None:
    m = blank_page("Name\ntype", "Description", "Limits", "CODE*\nstring", "Type code",
                   "a-z only", "TITLE\nstring", "Shown name", "NOTE\nstring", "Shown note",
                   "SIZE\ninteger", "Height in pixels")
    assert paths(m) == {"CODE": True, "TITLE": False, "NOTE": False, "SIZE": False}


def test_blank_table_without_header_under_a_parameter_heading() -> None:
    m = blank_page("filter\nobject", "Filter of the cards", "Parameter filter",
                   "from*\nstring", "Start date", "to*\nstring", "End date", "Code Examples")
    assert paths(m) == {"filter": False, "filter.from": True, "filter.to": True}


def test_blank_heading_words_as_a_description() -> None:
    m = blank_page("Name\ntype", "Description", "TEMPLATE_ID\ninteger", "Template key",
                   "WIDGET_PARAMS\nobject", "Parameters for the template engine",
                   "CONTENT\nstring", "Markup")
    assert paths(m) == {"TEMPLATE_ID": False, "WIDGET_PARAMS": False, "CONTENT": False}
    untyped = blank_page("Name", "Description", "ORDER", "Parameters", "USER", "User")
    assert paths(untyped) == {"ORDER": False, "USER": False}


def test_blank_type_named_in_the_header_cell() -> None:
    m = blank_page("Parameter / Type", "Description", "kindId*\ninteger", "Kind",
                   "name*\nstring", "Shown name")
    assert paths(m) == {"kindId": True, "name": True}


def test_blank_note_title_heads_no_intro_table() -> None:
    text = "\n\n".join(["Set Rows demo.row.set", "Scope: demo", "DEPRECATED",
                        "The development of this method has been halted.",
                        "Name\ntype", "Description", "id*\ninteger", "Item key",
                        "rows\nobject[]", "Rows, listed below",
                        "The list of fields is given below",
                        "List of Available Fields for Rows", "Name\ntype", "Description",
                        "PRICE\ndouble", "Price"]) + "\n"
    m = read(text, "blank")
    assert paths(m) == {"id": True, "rows": False, "rows.PRICE": False}


def test_blank_several_type_lines_end_a_list() -> None:
    m = blank_page("Name\ntype", "Description", "TEXT*\nstring", "Text. It may hold:",
                   "plain words", "links", "MENU\nobject\nstring", "Buttons under the text")
    assert paths(m) == {"TEXT": True, "MENU": False}


def test_blank_values_tables_with_unknown_first_columns() -> None:
    m = blank_page("Name", "Description", "CARDID", "Card key",
                   "Mapping of Keys and Actions", "Identifier", "Description", "1",
                   "ACTION_MOVE", "2", "ACTION_DROP")
    assert paths(m) == {"CARDID": False}
    codes = blank_page("Name\ntype", "Description", "status\nstring", "Status, see below",
                       "Available status", "Code", "Shown Text", "DEMO_STATUS_BUSY", "Busy",
                       "DEMO_STATUS_FREE", "Free")
    assert paths(codes) == {"status": False}


def test_blank_long_heading_and_definition_lines() -> None:
    m = blank_page("Name\ntype", "Description", "select\narray", "Fields to return",
                   "Description of the Card Link Fields with the Board Object", "Name\ntype",
                   "Description", "CARD_ID\ninteger", "Card key")
    assert paths(m) == {"select": False}  # the heading names no parameter: left out
    assert "params.fields" in m.lossy
    d = blank_page("Name\ntype", "Description", "data*\nobject", "Changes", "Parameter data",
                   "The data is passed as:", "{\n        selector_n: tag_n\n    }\n        ",
                   "where:", "tag_n — new tag name", "Key\ntype", "Description",
                   "<selector>\nstring", "Selector")
    assert paths(d) == {"data": True, "data.<selector>": False}


def test_candidate_headings_beside_lists() -> None:
    state = State(role="params")
    for line in ["Parameter fields", "Task", "Note", "Card kind: 1"]:
        state.note(line)
    assert state.candidates() == ["Parameter fields"]  # tab labels and a label line around
    state = State(role="params")
    for line in ["The list of fields is given below", "List of Available Fields for Rows"]:
        state.note(line)
    assert state.candidates() == ["List of Available Fields for Rows"]


def test_blank_value_column_with_a_type_hint_names_parameters() -> None:
    m = blank_page("Name\ntype", "Description", "items\nobject[]", "Items, see below",
                   "Parameter items", "Value\ntype", "Description", "itemId*\ninteger",
                   "Item key", "amount*\nnumber", "How many")
    assert paths(m) == {"items": False, "items.itemId": True, "items.amount": True}
