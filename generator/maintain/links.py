"""Inline links of a page's text, as lint checks them and import re-points them."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

# `[label](href "title")` and images; a label may hold brackets of its own
# ([`string[]`](..)).
LINK = re.compile(
    r"(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)"
)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#|\{\{)", re.I)


def local_target(base: Path, href: str) -> Path | None:
    """The file a relative link points to (anchor and query dropped); None for links
    that leave the tree (URLs, mail, anchors on the same page, templates)."""
    if not href or EXTERNAL.match(href):
        return None
    page = unquote(href.split("#")[0].split("?")[0])
    return base / page if page else None
