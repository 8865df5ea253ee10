"""Reader for YFM markdown pages (the official docs, and specs with a YAML front matter)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.ir import Diagnostic, Error, Example, Method, Param, Position, ReturnField, Returns, Source
from generator.read import frontmatter, text as T
from generator.read.yfm import Block, Cell, scan


@dataclass
class Page:
    """A page's blocks with includes spliced in and each block's section role known."""

    path: Path
    display: str
    blocks: list[Block]
    roles: list[str | None]  # role of the H2/H3 section each block sits in
    subsections: list[str]  # text of the nearest heading above each block
    problems: list[Diagnostic] = field(default_factory=list)


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def read_file_text(path: Path, display: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Diagnostic(Position(display, 1, exc.start + 1), "READ002",
                                 "file is not valid UTF-8", "save the file as UTF-8")]
    except OSError as exc:
        return None, [Diagnostic(Position(display, 0, 0), "READ001",
                                 f"cannot read file: {exc.strerror or exc}",
                                 "check that the path exists and is readable")]


def expand_includes(blocks: list[Block], path: Path, display: str, depth: int = 0
                    ) -> tuple[list[Block], list[Diagnostic]]:
    out: list[Block] = []
    problems: list[Diagnostic] = []
    for block in blocks:
        if block.kind != "include":
            out.append(block)
            continue
        target = (path.parent / block.text.split("#")[0]).resolve()
        target_display = display_path(target)
        if depth > 5 or not target.is_file():
            problems.append(Diagnostic(Position(display, block.line, block.col), "YFM006",
                                       f"include target '{block.text}' does not exist",
                                       "fix the include path (it is relative to this file)",
                                       "warning"))
            continue
        text, errs = read_file_text(target, target_display)
        problems.extend(errs)
        if text is None:
            continue
        inner, inner_problems = scan(text, target_display)
        inner, more = expand_includes(inner, target, target_display, depth + 1)
        for b in inner:
            b.tab = b.tab or block.tab
        out.extend(inner)
        problems.extend(inner_problems + more)
    return out, problems


def build_page(path: Path, display: str, body: str, body_line: int) -> Page:
    blocks, problems = scan(body, display, body_line)
    blocks, more = expand_includes(blocks, path, display)
    roles: list[str | None] = []
    subsections: list[str] = []
    role: str | None = None
    sub = ""
    for block in blocks:
        if block.kind == "heading":
            found = T.section_role(block.text)
            if block.level <= 2:
                role = found
            elif found:
                role = found
            elif role == "system_errors" or (role == "returns" and block.level >= 3):
                pass
            sub = T.heading_text(block.text)
        roles.append(role)
        subsections.append(sub)
    return Page(path, display, blocks, roles, subsections, problems + more)


# ---------------------------------------------------------------- tables


def header_roles(row: list[Cell]) -> list[str | None]:
    return [T.column_role(c.text) for c in row]


def column(roles: list[str | None], *wanted: str) -> int | None:
    for w in wanted:
        if w in roles:
            return roles.index(w)
    return None


def cell_text(row: list[Cell], idx: int | None) -> str:
    if idx is None or idx >= len(row):
        return ""
    return row[idx].text


def params_from_table(block: Block, display: str, problems: list[Diagnostic]) -> list[Param]:
    rows = block.rows
    if not rows:
        return []
    roles = header_roles(rows[0])
    name_col = column(roles, "name", "field")
    if name_col is None:
        return []
    type_col = column(roles, "type")
    desc_col = column(roles, "description")
    params = []
    for row in rows[1:]:
        if len(row) != len(rows[0]):
            problems.append(Diagnostic(Position(display, row[0].line if row else block.line,
                                                row[0].col if row else 1), "YFM007",
                                       f"table row has {len(row)} cells, the header has "
                                       f"{len(rows[0])}", "check for a stray or missing |",
                                       "warning"))
        if name_col >= len(row):
            continue
        cell = row[name_col]
        name, required, types = T.parse_name_cell(cell.text)
        if not name:
            continue
        if type_col is not None:
            types = T.type_tokens(cell_text(row, type_col)) or [T.plain(cell_text(row, type_col))]
        ptype, item = normalize_type(types)
        params.append(Param(
            name=name, type=ptype, item_type=item, required=required == 1,
            conditionally_required=required == 2,
            description=T.plain(cell_text(row, desc_col)),
            position=Position(display, cell.line, cell.col)))
    return params


def normalize_type(tokens: list[str]) -> tuple[str, str | None]:
    """Docs type tokens to (type, item_type): `integer[]` -> array of integer."""
    tokens = [t for t in tokens if t]
    if not tokens:
        return "any", None
    if len(tokens) == 1:
        t = tokens[0]
        if t.endswith("[]"):
            return "array", t[:-2]
        return t, None
    if len(tokens) == 2 and tokens[0] == "array":
        return "array", tokens[1]
    return " | ".join(tokens), None


def return_fields(block: Block, display: str) -> list[ReturnField]:
    rows = block.rows
    if not rows:
        return []
    roles = header_roles(rows[0])
    name_col = column(roles, "name", "field")
    if name_col is None:
        return []
    desc_col = column(roles, "description")
    type_col = column(roles, "type")
    out = []
    for row in rows[1:]:
        if name_col >= len(row):
            continue
        name, _, types = T.parse_name_cell(row[name_col].text)
        if type_col is not None:
            types = T.type_tokens(cell_text(row, type_col))
        if not name:
            continue
        rtype, _ = normalize_type(types)
        out.append(ReturnField(name=name, type=rtype, description=T.plain(cell_text(row, desc_col)),
                               position=Position(display, row[name_col].line, row[name_col].col)))
    return out


def status_from(text: str) -> int | None:
    m = re.search(r"\b([1-5]\d\d)\b", T.plain(text))
    return int(m.group(1)) if m else None


def errors_from_table(block: Block, display: str, system: bool, status: int | None,
                      v3_code: str | None) -> list[Error]:
    rows = block.rows
    if not rows:
        return []
    roles = header_roles(rows[0])
    code_col = column(roles, "code")
    field_col = column(roles, "field")
    status_col = column(roles, "status")
    desc_col = column(roles, "description")
    value_col = column(roles, "value", "fix")
    if code_col is None and not (field_col is not None and v3_code):
        return []
    out = []
    for row in rows[1:]:
        anchor = row[0] if row else Cell("", block.line, 1)
        message = T.plain(cell_text(row, desc_col))
        description = T.plain(cell_text(row, value_col))
        if code_col is not None:
            raw = cell_text(row, code_col)
            lines = [ln for ln in raw.split("\n") if ln.strip()]
            codes = T.CODE.findall(lines[0]) if lines else []
            code = codes[0].strip() if codes else T.plain(lines[0] if lines else "")
            if len(lines) > 1 and status_col is not None:
                description = message
                message = T.plain("\n".join(lines[1:]))
            odd = code.strip().lower() in T.ODD_CODES
            row_status = status_from(cell_text(row, status_col)) if status_col is not None else status
            out.append(Error(code=code, status=row_status, message=message, description=description,
                             system=system, odd=odd,
                             position=Position(display, anchor.line, anchor.col)))
        else:
            fields = T.CODE.findall(cell_text(row, field_col)) or [T.plain(cell_text(row, field_col))]
            out.append(Error(code=v3_code or "", status=status, message=message,
                             description=description, system=system,
                             field=", ".join(f for f in fields if f) or None,
                             position=Position(display, anchor.line, anchor.col)))
    return out


# ---------------------------------------------------------------- page -> method


@dataclass
class Draft:
    title: str = ""
    title_pos: Position | None = None
    scopes: list[str] = field(default_factory=list)
    who: str = ""
    description: list[str] = field(default_factory=list)
    deprecated: bool = False
    replacement: str | None = None
    v3: bool = False
    params: list[Param] = field(default_factory=list)
    sub_params: list[tuple[str, list[Param]]] = field(default_factory=list)
    returns: list[ReturnField] = field(default_factory=list)
    example_text: str | None = None
    errors: list[Error] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    no_params: bool = False


def read_markdown(path: Path, display: str | None = None, fmt: str = "markdown"
                  ) -> tuple[list[Method], list[Diagnostic]]:
    display = display or display_path(path)
    text, problems = read_file_text(path, display)
    if text is None:
        return [], problems
    return read_markdown_text(text, path, display, fmt)


def read_markdown_text(text: str, path: Path, display: str, fmt: str = "markdown"
                       ) -> tuple[list[Method], list[Diagnostic]]:
    fm, problems = frontmatter.split(text, display)
    page = build_page(path, display, fm.body, fm.body_line)
    problems += page.problems
    draft = extract(page)
    method = assemble(draft, fm, page, fmt, problems)
    return ([method] if method else []), problems


def extract(page: Page) -> Draft:
    d = Draft()
    status: int | None = None
    v3_code: str | None = None
    seen_h2 = False
    for block, role, sub in zip(page.blocks, page.roles, page.subsections):
        kind = block.kind
        if kind == "heading":
            if block.level == 1 and not d.title:
                d.title = T.heading_text(block.text)
                d.title_pos = Position(page.display, block.line, block.col)
            elif block.level >= 2:
                seen_h2 = True
            v3_code = None
            continue
        if kind == "quote" and d.title and not seen_h2:
            read_quote(block.text, d)
            continue
        if kind == "para" and role in ("errors", "system_errors", "response", None):
            if block.text.lstrip().lower().startswith(("http status", "http-статус", "статус http")):
                status = status_from(block.text)
            m = re.search(r"(?:Error Code|Код ошибки)\s*:?\s*`([A-Z0-9_]+)`", block.text)
            if m:
                v3_code = m.group(1)
        if kind in ("para", "note") and d.title and not seen_h2:
            read_intro(block, d, page)
            continue
        if kind == "table":
            read_table(block, role, sub, d, page, status, v3_code)
            continue
        if kind == "para" and role == "params" and re.search(
                r"^(?:no parameters|без параметров|метод не принимает параметров|"
                r"the method does not (?:accept|take|require) (?:any )?parameters)",
                T.plain(block.text), re.I):
            d.no_params = True
        if kind == "code":
            read_code(block, role, d, page)
    return d


def read_quote(text: str, d: Draft) -> None:
    plain = T.plain(text)
    low = plain.lower()
    if low.startswith(("scope", "область")):
        raw = text.split(":", 1)[1] if ":" in text else text
        found = T.CODE.findall(raw) or [w.strip(" ,.") for w in T.plain(raw).split(",")]
        for s in found:
            s = T.SCOPE_WORDS.get(s.strip().lower(), s.strip())
            if s and s not in d.scopes:
                d.scopes.append(s)
    elif low.startswith(("who can", "кто может")) and ":" in plain:
        d.who = plain.split(":", 1)[1].strip()


def read_intro(block: Block, d: Draft, page: Page) -> None:
    text = block.text
    if block.kind == "note":
        if T.DEPRECATION.search(text):
            d.deprecated = True
        return
    if block.note == "tip" or (block.note and block.note_title.strip() == "" and "MCP" in text):
        return
    if re.search(r"REST 3\.0", text) and block.note:
        d.v3 = True
        return
    if (block.note == "warning" and T.DEPRECATION.search(block.note_title + " " + text)) or (
            not block.note and T.DEPRECATION.search(text) and re.search("method|метод", text, re.I)):
        d.deprecated = True
        if d.replacement is None:
            d.replacement = find_replacement(text, page)
        return
    if block.note:
        return
    d.description.append(T.plain(text))


TITLE_CACHE: dict[Path, str | None] = {}


def page_method_name(target: Path) -> str | None:
    """The method a linked page documents, read from its title (cached)."""
    if target not in TITLE_CACHE:
        name = None
        try:
            with target.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("# "):
                        name = T.title_method(line[2:])
                        break
        except OSError:
            pass
        TITLE_CACHE[target] = name
    return TITLE_CACHE[target]


def find_replacement(text: str, page: Page) -> str | None:
    """The method a deprecation note points to: the link's target page decides; a link to
    an index page names a family (`tasks.task.*`)."""
    for label, href in T.LINK.findall(text):
        label = T.plain(label).strip("` ")
        if not href or href.startswith(("http", "#")):
            continue
        target = (page.path.parent / href.split("#")[0]).resolve()
        if target.name != "index.md" and target.is_file():
            name = page_method_name(target)
            if name:
                return name
        if T.METHOD_NAME.match(label.rstrip(".*").rstrip(".")) or "*" in label:
            return label
    for token in T.CODE.findall(text):
        if T.METHOD_NAME.match(token):
            return token
    return None


def read_table(block: Block, role: str | None, sub: str, d: Draft, page: Page,
               status: int | None, v3_code: str | None) -> None:
    display = page.display
    is_system = role == "system_errors" or "system-errors" in block.path
    if role in ("errors", "system_errors") or is_system:
        d.errors.extend(errors_from_table(block, block.path or display, is_system,
                                          status, v3_code))
        return
    if role == "params":
        sub_match = T.SUBPARAM_HEADING.match(sub) if sub and T.section_role(sub) != "params" else None
        params = params_from_table(block, block.path or display, page.problems)
        if sub_match:
            d.sub_params.append((sub_match.group(1), params))
        elif not d.params:
            d.params = params
        else:
            d.sub_params.append(("", params))
        return
    if role == "returns" and not d.returns:
        d.returns = return_fields(block, block.path or display)


def read_code(block: Block, role: str | None, d: Draft, page: Page) -> None:
    if role == "examples" or (role is None and block.tab):
        lang = T.language_of(block.tab, block.lang)
        calls = T.example_calls(block.text)
        if calls and "/rest/api/" in block.text:
            d.v3 = True
        d.examples.append(Example(language=lang, code=block.text.strip("\n"),
                                  payload=T.parse_payload(block.text), calls=calls,
                                  position=Position(page.display, block.line, block.col)))
    elif role in ("response", "returns") and d.example_text is None:
        d.example_text = block.text


def attach_fields(params: list[Param], parent: str, fields: list[Param]) -> tuple[list[Param], bool]:
    out, done = [], False
    for p in params:
        if not done and p.name.lower() == parent.lower():
            p = replace(p, fields=tuple(fields))
            done = True
        elif not done and p.fields:
            inner, done = attach_fields(list(p.fields), parent, fields)
            p = replace(p, fields=tuple(inner))
        out.append(p)
    return out, done


def parse_example(text: str | None) -> tuple[Any, bool]:
    if text is None:
        return None, True
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


def assemble(d: Draft, fm: frontmatter.FrontMatter, page: Page, fmt: str,
             problems: list[Diagnostic]) -> Method | None:
    data = fm.data
    name = T.title_method(d.title) if d.title else None
    calls = [e.calls for e in d.examples if e.calls]
    if name and "." not in name and name not in calls:
        name = None  # a dot-less last word is a method only when the examples call it
    fm_name = data.get("method") if isinstance(data.get("method"), str) else None
    if fm.present and not fm.parsed:
        return None
    if fm.present and not fm_name:
        problems.append(Diagnostic(Position(page.display, 1, 1), "SPEC007",
                                   "front matter has no 'method'",
                                   "add 'method: <wire name>' to the front matter"))
        return None
    name = fm_name or name
    if not name:
        return None
    is_method_page = fm.present or bool(d.scopes) or bool(d.params) or bool(calls) or d.no_params
    if not is_method_page:
        return None
    params = d.params
    fm_params = data.get("params")
    if not params and not d.no_params and isinstance(fm_params, list):
        params = [param_from_front_matter(p, fm.positions.get("params")) for p in fm_params
                  if isinstance(p, dict) and p.get("name")]
    for parent, fields in d.sub_params:
        if parent:
            params, _ = attach_fields(params, parent, fields)
    example, valid = parse_example(d.example_text)
    scope_value = data.get("scope")
    scopes = ([scope_value] if isinstance(scope_value, str) else list(scope_value or [])) or d.scopes
    api = data.get("api") if data.get("api") in ("v2", "v3") else ("v3" if d.v3 or (
        d.title and T.V3_MARKERS.search(d.title)) else "v2")
    deprecated = d.deprecated or data.get("deprecated") is True
    replacement = data.get("replacement") if isinstance(data.get("replacement"), str) else None
    replacement = replacement or (d.replacement if deprecated else None)
    language = "ru" if re.search(r"[А-Яа-яЁё]", d.title + " ".join(d.description[:1])) else "en"
    pagination = data.get("pagination") if data.get("pagination") in frontmatter.PAGINATION \
        else infer_pagination(params, api)
    rate = data.get("rate_limit_per_sec")
    return Method(
        method=name,
        scope=scopes[0] if scopes else "",
        scopes=tuple(scopes),
        api=api,
        title=d.title,
        description="\n\n".join(x for x in d.description if x),
        who_can_execute=d.who,
        deprecated=deprecated,
        replacement=replacement,
        params=tuple(params),
        returns=Returns(fields=tuple(d.returns), example=example,
                        example_text=None if valid else d.example_text, example_valid=valid),
        errors=tuple(d.errors),
        examples=tuple(d.examples),
        pagination=pagination,
        rate_limit_per_sec=rate if isinstance(rate, (int, float)) and not isinstance(rate, bool)
        else None,
        aliases=tuple(str(a) for a in data.get("aliases") or () if isinstance(data.get("aliases"), list)),
        language=language,
        batch=data.get("batch") is not False,
        idempotent=data.get("idempotent") if isinstance(data.get("idempotent"), bool) else None,
        source=Source(page.display, fmt),
        position=d.title_pos,
    )


def param_from_front_matter(item: dict, pos: Position | None) -> Param:
    ptype, item_type = normalize_type([str(item.get("type", "any"))])
    return Param(name=str(item["name"]), type=ptype, item_type=item.get("item_type") or item_type,
                 required=bool(item.get("required")), description=str(item.get("description", "")),
                 position=pos)


def infer_pagination(params: list[Param], api: str) -> str:
    names = {p.name.lower() for p in params}
    if api == "v3" and names & {"pagination", "page", "limit"}:
        return "page-limit"
    if api == "v2" and "start" in names:
        return "start-next"
    return "none"
