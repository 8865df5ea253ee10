"""A spec body in the docs' YFM dialect, written from a Method (for pages that were not
markdown to begin with: the scraped forms). The markdown reader reads it back into the
same parameters, errors, examples and response; what the method lacks is simply left
out.
"""

from __future__ import annotations

import json

from generator.ir import Error, Method, Param, ReturnField
from generator.read import text as T

LABELS = {
    "en": {
        "who": "Who can execute the method",
        "params": "Method Parameters",
        "param": "Parameter",
        "examples": "Code Examples",
        "response": "Response Handling",
        "returns": "Returned Data",
        "errors": "Error Handling",
        "codes": "Possible Error Codes",
        "name": "Name",
        "description": "Description",
        "status": "Status",
        "code": "Code",
        "value": "Value",
        "field": "Field",
        "fix": "How to Fix",
        "error_code": "Error Code",
        "http": "HTTP Status",
        "deprecated": "This method is deprecated.",
        "use": "Use {} instead.",
        "no_params": "No parameters.",
    },
    "ru": {
        "who": "Кто может выполнять метод",
        "params": "Параметры метода",
        "param": "Параметр",
        "examples": "Примеры кода",
        "response": "Обработка ответа",
        "returns": "Возвращаемые данные",
        "errors": "Обработка ошибок",
        "codes": "Возможные коды ошибок",
        "name": "Название",
        "description": "Описание",
        "status": "Статус",
        "code": "Код",
        "value": "Значение",
        "field": "Поле",
        "fix": "Как исправить",
        "error_code": "Код ошибки",
        "http": "HTTP-статус",
        "deprecated": "Метод устарел.",
        "use": "Используйте {}.",
        "no_params": "Без параметров.",
    },
}
FENCE_LANGS = (
    ("curl", "bash"),
    ("php", "php"),
    ("python", "python"),
    ("js", "js"),
    ("bx24", "js"),
    ("ts", "ts"),
    ("go", "go"),
    ("java", "java"),
)


def body_from_method(m: Method, system_include: str | None) -> str:
    """`system_include`: the relative path of the system-errors include, if any."""
    L = LABELS.get(m.language, LABELS["en"])
    parts = [title_line(m), scope_quote(m, L)]
    if m.description:
        parts.append(m.description)
    if m.deprecated:
        use = " " + L["use"].format(f"`{m.replacement}`") if m.replacement else ""
        parts.append(
            f'{{% note warning "DEPRECATED" %}}\n\n{L["deprecated"]}{use}\n\n'
            "{% endnote %}"
        )
    parts.append(f"## {L['params']}")
    parts.extend(param_tables(m.params, L) if m.params else [L["no_params"]])
    if m.examples:
        parts.append(f"## {L['examples']}")
        parts.append(examples(m))
    if m.returns.example is not None or m.returns.example_text or m.returns.fields:
        parts.append(f"## {L['response']}")
        parts.extend(response(m, L))
    own = [e for e in m.errors if not e.system and e.code]
    if own or system_include:
        parts.append(f"## {L['errors']}")
        parts.extend(error_tables(own, L))
        if system_include:
            parts.append(f"{{% include [system errors]({system_include}) %}}")
    return "\n" + "\n\n".join(p for p in parts if p) + "\n"


def title_line(m: Method) -> str:
    title = m.title or m.method
    if (T.title_method(title) or "").lower() != m.method.lower():
        title = f"{title} {m.method}"
    return f"# {title}"


def scope_quote(m: Method, L: dict[str, str]) -> str:
    scopes = m.scopes or ((m.scope,) if m.scope else ())
    lines = []
    if scopes:
        lines.append("> Scope: " + ", ".join(f"[`{s}`](#)" for s in scopes))
    if m.who_can_execute:
        lines += [">"] if lines else []
        lines.append(f"> {L['who']}: {m.who_can_execute}")
    return "\n".join(lines)


def cell(text: str) -> str:
    return text.replace("|", "\\|").strip() or " "


def type_cell(type_: str, item_type: str | None) -> str:
    shown = f"{item_type}[]" if type_ == "array" and item_type else type_
    return "[`" + shown.replace("|", "\\|") + "`](#)"


def param_tables(
    params: tuple[Param, ...], L: dict[str, str], parent: str = ""
) -> list[str]:
    out = []
    if parent:
        out.append(f"### {L['param']} `{parent}`")
    rows = [f"|| **{L['name']}**\n`type` | **{L['description']}** ||"]
    for p in params:
        stars = "**" if p.conditionally_required else "*" if p.required else ""
        rows.append(
            f"|| **{p.name}{stars}**\n{type_cell(p.type, p.item_type)} | "
            f"{cell(p.description)} ||"
        )
    out.append("#|\n" + "\n".join(rows) + "\n|#")
    for p in params:
        if p.fields:
            out.extend(param_tables(p.fields, L, p.name))
    return out


def fence_lang(label: str) -> str:
    low = label.lower()
    return next((lang for key, lang in FENCE_LANGS if key in low), "")


def examples(m: Method) -> str:
    items = []
    for ex in m.examples:
        label = ex.language if ex.language and ex.language != "text" else "Example"
        fence = "````" if "```" in ex.code else "```"
        code = "\n".join(
            ("    " + ln) if ln.strip() else "" for ln in ex.code.split("\n")
        )
        items.append(
            f"- {label}\n\n    {fence}{fence_lang(label)}\n{code}\n    {fence}"
        )
    return "{% list tabs %}\n\n" + "\n\n".join(items) + "\n\n{% endlist %}"


def response(m: Method, L: dict[str, str]) -> list[str]:
    out = [f"{L['http']}: **200**"]
    if m.returns.example is not None:
        text = json.dumps(m.returns.example, indent=4, ensure_ascii=False)
        out.append(f"```json\n{text}\n```")
    elif m.returns.example_text:
        out.append(f"```json\n{m.returns.example_text.strip(chr(10))}\n```")
    if m.returns.fields:
        out.append(f"### {L['returns']}")
        out.append(return_table(m.returns.fields, L))
    return out


def return_table(fields: tuple[ReturnField, ...], L: dict[str, str]) -> str:
    rows = [f"|| **{L['name']}**\n`type` | **{L['description']}** ||"]
    rows += [
        f"|| **{f.name}**\n{type_cell(f.type, None)} | {cell(f.description)} ||"
        for f in fields
    ]
    return "#|\n" + "\n".join(rows) + "\n|#"


def error_tables(errors: list[Error], L: dict[str, str]) -> list[str]:
    """Coded rows in one Status | Code | Description | Value table; REST 3.0 rows that
    name a field under their code ("Error Code: `X`" + Field table)."""
    coded = [e for e in errors if not e.field]
    return (coded_table(coded, L) if coded else []) + field_tables(errors, L)


def coded_table(coded: list[Error], L: dict[str, str]) -> list[str]:
    rows = [
        f"|| **{L['status']}** | **{L['code']}** | **{L['description']}** | "
        f"**{L['value']}** ||"
    ]
    rows += [
        f"|| {f'`{e.status}`' if e.status else ' '} | `{e.code}` | "
        f"{cell(e.message)} | {cell(e.description)} ||"
        for e in coded
    ]
    return [f"### {L['codes']}", "#|\n" + "\n".join(rows) + "\n|#"]


def field_tables(errors: list[Error], L: dict[str, str]) -> list[str]:
    """One Field table per (code, status) of the rows that name a field."""
    by_code: dict[tuple[str, int | None], list[tuple[str, Error]]] = {}
    for e in errors:
        if e.field:
            by_code.setdefault((e.code, e.status), []).append((e.field, e))
    out = []
    for (code, status), rows_of in by_code.items():
        if status:
            out.append(f"{L['http']}: **{status}**")
        out.append(f"{L['error_code']}: `{code}`")
        rows = [f"|| **{L['field']}** | **{L['description']}** | **{L['fix']}** ||"]
        rows += [
            f"|| {' '.join(f'`{x.strip()}`' for x in fields.split(','))} | "
            f"{cell(e.message)} | {cell(e.description)} ||"
            for fields, e in rows_of
        ]
        out.append("#|\n" + "\n".join(rows) + "\n|#")
    return out
