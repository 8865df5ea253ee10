"""The one type mapping: documentation types -> Python annotations."""

from __future__ import annotations

SCALARS = {
    "integer": "int",
    "int": "int",
    "long": "int",
    "string": "str",
    "text": "str",
    "char": "str",
    "boolean": "bool",
    "bool": "bool",
    "y/n": "str",
    "double": "float",
    "float": "float",
    "number": "float",
    "decimal": "float",
    "object": "dict[str, Any]",
    "array": "list[Any]",
    "map": "dict[str, Any]",
    "date": "str",
    "datetime": "str",
    "time": "dict[str, Any]",
    "null": "None",
    "file": "Any",
    "any": "Any",
}


def annotation(doc_type: str | None, item_type: str | None = None) -> str:
    """`integer` -> `int`; `string | null` -> `str | None`; array of `integer` ->
    `list[int]`; anything the docs name that we do not know -> `Any`."""
    if not doc_type:
        return "Any"
    parts = [p.strip().lower() for p in doc_type.split("|") if p.strip()]
    out: list[str] = []
    for part in parts:
        if part == "array" and item_type:
            mapped = f"list[{annotation(item_type)}]"
        elif part.endswith("[]"):
            mapped = f"list[{annotation(part[:-2])}]"
        else:
            mapped = SCALARS.get(part, "Any")
        if mapped not in out:
            out.append(mapped)
    if "Any" in out:
        return "Any"
    return " | ".join(out) if out else "Any"


def is_known(doc_type: str) -> bool:
    return all(
        p.strip().lower() in SCALARS or p.strip().endswith("[]")
        for p in doc_type.split("|")
        if p.strip()
    )


def optional(annotation_text: str) -> str:
    """The annotation of an argument that may be left out (None is not sent)."""
    if annotation_text == "Any" or "None" in annotation_text.split(" | "):
        return annotation_text
    return f"{annotation_text} | None"
