"""Facts shared by every reader: inline-markup stripping, heading and column
vocabularies (English and Russian), required marks, method-name shapes, example
payloads."""

from __future__ import annotations

import json
import re
from functools import lru_cache

METHOD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+$")
DOTLESS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# A label holds no bracket: `[^\]]*` would rescan the rest of the page from every `[`.
LINK = re.compile(r"!?\[([^\[\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
ANCHOR = re.compile(r"\s*\{#[^}]*\}\s*$")
CODE = re.compile(r"`([^`]+)`")

SCOPE_WORDS = {"базовый": "basic", "basic": "basic"}

# Section vocabulary: the docs' heading text (lower-cased, anchors stripped) -> role.
SECTIONS = {
    "method parameters": "params",
    "parameters": "params",
    "параметры метода": "params",
    "параметры": "params",
    "request parameters": "params",
    "параметры запроса": "params",
    "code examples": "examples",
    "code example": "examples",
    "пример кода": "examples",
    "примеры кода": "examples",
    "response handling": "response",
    "обработка ответа": "response",
    "response on success": "response",
    "ответ в случае успеха": "response",
    "returned data": "returns",
    "возвращаемые данные": "returns",
    "error handling": "errors",
    "обработка ошибок": "errors",
    "errors": "errors",
    "ошибки": "errors",
    "possible error codes": "errors",
    "возможные коды ошибок": "errors",
    "statuses and system error codes": "system_errors",
    "статусы и системные коды ошибок": "system_errors",
    "continue learning": "end",
    "продолжите изучение": "end",
    "продолжить изучение": "end",
    "continue your exploration": "end",
    "continue exploring": "end",
    "continue your learning": "end",
    "продолжите обучение": "end",
}
# Sub-headings over lists of values, not of parameters
# ("Possible Values of the TYPE Key").
VALUE_LIST_HEADING = re.compile(
    r"^(?:possible|allowed|available|acceptable|возможные|допустимые|доступные)\b"
    r"(?!.*\bfields?\b)(?!.*\bпол)",
    re.I,
)
# Sub-headings over more top-level parameters ("Additional Parameters").
MORE_PARAMS_HEADING = re.compile(
    r"^(?:additional|other|optional|more|дополнительные|прочие)\s+"
    r"(?:parameters|параметры)$",
    re.I,
)
# Headings (H1/H2) that name parameters: the method's own ("Method Parameters for JS
# Command", "Stage Parameters", "Параметры запроса") or one parameter's fields
# ("Parameter fields", "OPTIONS Parameter", "Parameters of the `BodyDto` Object").
NOT_INPUT_HEADING = re.compile(
    r"\b(?:response|result|returned|return|event|key|boolean|types?|how|which|"
    r"relationship|general|webhook|ответ|результат|возвращ|событи|ключев|тип)",
    re.I,
)
PARAMS_TOP_HEADING = re.compile(
    r"^(?:(?:method|request|input|query|call|stage|command)\s+)?parameters"
    r"(?:\s+of the method|\s+for\s+.+)?$|"
    r"^параметры(?:\s+(?:метода|запроса|вызова))?(?:\s+для\s+.+)?$",
    re.I,
)
PARAMS_SUB_HEADING = re.compile(
    r"^(?:parameters?|параметры?)\s+`?[\w.\[\]]+`?$|"
    r"^`?[\w.\[\]]+`?\s+(?:parameters?|параметры?)$|"
    r"^parameters of the\s+`?\w+`?\s+object$|^параметры объекта\s+`?\w+`?$",
    re.I,
)
SUBPARAM_HEADING = re.compile(
    r"^(?:parameter|параметр|parameters|параметры)\s+`?([\w.\[\]]+)`?", re.I
)

# Column vocabulary for table headers -> role.
COLUMNS = {
    "name": "name",
    "название": "name",
    "parameter": "name",
    "параметр": "name",
    "field": "field",
    "поле": "field",
    "field name": "name",
    "type": "type",
    "тип": "type",
    "description": "description",
    "описание": "description",
    "error description": "description",
    "описание ошибки": "description",
    "code": "code",
    "код": "code",
    "error code": "code",
    "код ошибки": "code",
    "value": "value",
    "значение": "value",
    "status": "status",
    "статус": "status",
    "http status": "status",
    "how to fix": "fix",
    "как исправить": "fix",
    "error message": "message",
    "сообщение об ошибке": "message",
    "message": "message",
    "required": "required",
    "обязательный": "required",
    "key": "key",
    "ключ": "key",
    "error text": "message",
    "текст ошибки": "message",
    "error": "code",
    "ошибка": "code",
    "when it occurs": "value",
    "когда возникает": "value",
    "additional information": "value",
    "reason": "value",
    "причина": "value",
    "when it is returned": "value",
    "what to do": "fix",
    "how to resolve": "fix",
    "example": "example",
    "пример": "example",
}
ODD_CODES = {
    "-",
    "—",
    "0",
    "empty value",
    "пустое значение",
    "empty string",
    "пустая строка",
    "",
}
NO_PARAMS_TEXT = re.compile(
    r"^(?:no parameters|без параметров|the method (?:is called|takes no|has no)|"
    r"метод вызывается без параметров|метод не принимает(?: никаких)? параметр|"
    r"the method does not (?:accept|take|require) (?:any )?parameters)",
    re.I,
)
DEPRECATION = re.compile(
    r"deprecated|development of this method (?:has been|is) (?:halted|stopped)|"
    r"no longer supported|устарел|не поддерживается|не развивается|прекращена",
    re.I,
)
V3_MARKERS = re.compile(r"REST 3\.0|\bv ?3(?:\.0)?\b", re.I)


# Inline markup outside code spans; what a code span holds is literal (`'UF_*'`).
# Each step with the character its pattern cannot match without (most cells have
# none of them).
PLAIN_STEPS = [
    (needle, re.compile(pattern), repl)
    for needle, pattern, repl in (
        ("**", r"\*\*([^*]+)\*\*", r"\1"),
        ("*", r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1"),
        ("^*^", r"\^\*\^", "*"),
        ("<", r"<br\s*/?>", "\n"),
        ("{.", r"\{\.[\w-]+\}", ""),
    )
]
WHITESPACE_STEPS = [
    ("\n", re.compile(r"[ \t]+\n"), "\n"),
    ("\n\n\n", re.compile(r"\n{3,}"), "\n\n"),
]
CODE_SPAN = re.compile(r"(`[^`]+`)")


@lru_cache(maxsize=65536)  # table cells repeat across pages (headers, shared rows)
def plain(text: str) -> str:
    """Markdown inline markup to plain text: links keep their label, emphasis goes."""
    if not any(ch in text for ch in "[{*`^<\n"):
        return text.strip()
    if "[" in text:
        text = LINK.sub(lambda m: m.group(1), text)
    text = text.replace("{#T}", "")
    parts = CODE_SPAN.split(text) if "`" in text else [text]  # odd: code spans
    for i in range(0, len(parts), 2):
        for needle, pattern, repl in PLAIN_STEPS:
            if needle in parts[i]:
                parts[i] = pattern.sub(repl, parts[i])
    text = "".join(p[1:-1] if i % 2 else p for i, p in enumerate(parts))
    for needle, pattern, repl in WHITESPACE_STEPS:
        if needle in text:
            text = pattern.sub(repl, text)
    return text.strip()


def heading_text(text: str) -> str:
    return plain(ANCHOR.sub("", text)).strip().rstrip(":").strip()


def section_role(text: str) -> str | None:
    return SECTIONS.get(heading_text(text).lower())


def params_heading(text: str) -> str | None:
    """ "top" for a heading over the method's own parameters, "sub" for one over one
    parameter's fields, None for any other heading."""
    plain_text = heading_text(text)
    if NOT_INPUT_HEADING.search(plain_text):
        return None
    if PARAMS_TOP_HEADING.match(plain_text):
        return "top"
    if PARAMS_SUB_HEADING.match(plain_text):
        return "sub"
    return None


def column_role(text: str) -> str | None:
    """A header cell's role; the type hint some headers carry ("**Name** `type`",
    "**Name** / `type`") does not change it."""
    first = plain(text).split("\n")[0].strip().strip("*").strip().lower()
    first = re.sub(r"\s*/?\s*\b(?:type|тип)$", "", first).strip(" */") or first
    return COLUMNS.get(first)


def title_method(title: str) -> str | None:
    """The method name a page title ends with ("Approve Task: tasks.task.approve")."""
    words = plain(title).replace(":", " ").split()
    for word in reversed(words):
        word = word.strip("`.,()\"'«»")
        if METHOD_NAME.match(word):
            return word
    if words:
        last = words[-1].strip("`.,()\"'«»")
        if DOTLESS_NAME.match(last):
            return last
    return None


def title_candidates(title: str) -> list[str]:
    """Method names a title may end with: its dotted names, last first, then its last
    word (a dot-less name such as `profile` counts only when the examples call it)."""
    words = [
        w.strip("`.,()\"'«»")
        for w in plain(title).replace(":", " ").split()
        if not w.rstrip("`.,()\"'«»").endswith(".*")
    ]  # a family names no single method
    dotted = [w for w in reversed(words) if METHOD_NAME.match(w)]
    return dotted + (
        [words[-1]] if words and words[-1] and words[-1] not in dotted else []
    )


def corrects(title_name: str, called: str) -> bool:
    """Whether the name the examples call fixes the title's name rather than naming
    another method: it extends it (`im.recent` -> `im.recent.pin`) or keeps its last
    part (`department.department.delete` -> `department.delete`)."""
    t, c = title_name.lower(), called.lower()
    return c.startswith(t + ".") or (
        c.rsplit(".", 1)[-1] == t.rsplit(".", 1)[-1] and "." in c
    )


def parse_name_cell(text: str) -> tuple[str, int, list[str]]:
    """Name, required level (0 no, 1 required, 2 conditionally) and the type tokens of a
    parameter-name cell such as ``**id***`` + ``[`integer`](...)``."""
    name, required, tokens = _name_cell(text)
    return name, required, list(tokens)


@lru_cache(maxsize=65536)  # the same parameters recur across pages
def _name_cell(text: str) -> tuple[str, int, tuple[str, ...]]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return "", 0, ()
    first = lines[0].strip()
    types_text = "\n".join(lines[1:])
    # an escaped character (`\*`) inside the bold does not close it
    bold = re.match(r"^\*\*((?:\\.|[^\\])+?)\*\*(?!\*\*)(.*)$", first) or re.match(
        r"^\*\*((?:\\.|[^\\])+?)\*\*(.*)$", first
    )
    if bold:
        inner, rest = bold.group(1), bold.group(2)
    else:
        inner, rest = first, ""
    marks = ""
    # inside the bold an escaped star is part of the name (`**UF_\***` shows `UF_*`)
    m = re.match(r"^(.*?)((?:(?<!\\)\*|\^\*\^)*)$", inner)
    if m:
        inner, marks = m.group(1).replace("\\*", "*"), m.group(2)
    rest_stripped = rest.strip()
    rest_marks = re.match(r"^((?:\\?\*|\^\*\^)*)(.*)$", rest_stripped)
    if rest_marks:
        marks += rest_marks.group(1)
        types_text = rest_marks.group(2) + "\n" + types_text
    name = plain(inner).strip().strip("`").strip()
    stars = marks.replace("^*^", "*").replace("\\", "").count("*")
    required = 0 if stars == 0 else (1 if stars == 1 else 2)
    return name, required, tuple(type_tokens(types_text))


def type_tokens(text: str) -> list[str]:
    """Types named in backticks (`string`, [`integer`](..)); `a | b` gives two."""
    tokens = []
    for token in CODE.findall(text):
        for part in re.split(r"\s*\\?\|\s*", token):
            part = part.strip()
            if part and part not in tokens:
                tokens.append(part)
    return tokens


def parse_payload(code: str) -> object | None:
    """The JSON a curl example sends with -d / --data, with auth removed."""
    m = re.search(
        r"(?:-d|--data(?:-raw|-binary)?)\s+'(.*?)'\s*\\?\s*(?:\n|$|https?:)", code, re.S
    )
    if not m:
        return None
    raw = m.group(1)
    try:
        data: object = json.loads(raw)
    except ValueError:
        return None
    if isinstance(data, dict):
        data.pop("auth", None)
    return data


CALL_PATTERNS = [
    re.compile(
        r"/rest/(?:api/)?(?:[^/\s'\"]+/)*([A-Za-z][\w.]*)\s*(?:\?|$|\s|\"|')", re.M
    ),
    re.compile(r"callMethod\(\s*['\"]([\w.]+)['\"]"),
    re.compile(
        r"(?:CRest::call|->call|call\.make|callBatch|Call)\(\s*(?:ctx,\s*)?['\"]([\w.]+)['\"]"
    ),
    re.compile(r"method:\s*['\"]([\w.]+)['\"]"),
    re.compile(r"->call\(\s*\n\s*['\"]([\w.]+)['\"]"),
]


def example_calls(code: str) -> str | None:
    """The REST method an example calls, if it names one."""
    for pattern in CALL_PATTERNS:
        m = pattern.search(code)
        if m:
            return m.group(1)
    return None


def language_of(tab: str, fence: str) -> str:
    label = tab.strip() if tab and tab != "?" else ""
    return label or fence or "text"


# ---------------------------------------------------------------- plain-text forms
# Helpers for inputs that carry no markdown (text scraped from the docs website).

NO_PARAMS = re.compile(
    r"^(?:no parameters|без параметров|метод не принимает параметров|"
    r"the method does not (?:accept|take|require) (?:any )?parameters)",
    re.I,
)
HTTP_STATUS_LINE = re.compile(r"^(?:http status|http-статус|статус http)\b", re.I)
ERROR_CODE_LINE = re.compile(
    r"^(?:error code|код ошибки)\s*:\s*`?([A-Za-z0-9_.]*)`?\s*$", re.I
)


def bare_type_tokens(text: str) -> list[str]:
    """Types written without backticks, as scraped text keeps them: `integer`,
    `string | integer`, `object[]`; words that cannot be a type give nothing."""
    tokens = []
    for part in re.split(r"\s*\|\s*", text.strip()):
        part = part.strip()
        if not part or not re.match(r"^[\w\[\].]+$", part):
            return []
        if part not in tokens:
            tokens.append(part)
    return tokens


FILE_NAME = re.compile(r"\.(?:php|js|ts|md|html?|json|py|go|txt)$", re.I)


def method_names(text: str) -> list[str]:
    """Method names (`tasks.task.renew`, `tasks.task.*`) named in running text, in
    order; a sentence's closing dot is not part of the name."""
    out = []
    words = re.findall(
        r"[A-Za-z]\w*(?:\.\w+)+(?:\.\*)?|[A-Za-z]\w*\.\*", text.replace("`", "")
    )
    for word in words:
        base = word[:-2] if word.endswith(".*") else word
        if (
            (METHOD_NAME.match(base) or DOTLESS_NAME.match(base))
            and not FILE_NAME.search(base)
            and len(base.split(".")[0]) > 1
            and word not in out
        ):
            out.append(word)
    return out
