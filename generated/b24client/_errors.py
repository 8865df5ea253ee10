# Part of the b24gen runtime: ordinary Python, copied unchanged into every generated
# package (its source is generator/runtime/ of b24gen). Do not edit the copy.
"""The error hierarchy every generated package shares, and the lookup by code.

Catch `Bitrix24Error` for everything, a category (`AuthError`, `RateLimitError`, ...)
for a kind of failure, or a documented code's own class. The classes of the documented
codes are generated (`errors.py`) and registered here with `register_errors` when the
package loads.
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import MutableMapping
from typing import Any, cast


class Bitrix24Error(Exception):
    """An error answer from the portal (or the transport to it)."""

    code: str = ""
    status: int | None = None

    def __init__(
        self,
        description: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        method: str | None = None,
        validation: list[dict[str, Any]] | None = None,
        response: Any = None,
    ) -> None:
        self.code = code if code is not None else type(self).code
        self.description = description
        self.status = status if status is not None else type(self).status
        self.method = method
        self.validation = list(validation or [])
        self.response = response
        super().__init__(self._message())

    @property
    def fields(self) -> list[str]:
        """Fields named by a REST v3 validation error."""
        return [str(v.get("field")) for v in self._entries()]

    def _entries(self) -> list[dict[str, Any]]:
        """The validation entries that are objects: the list is the portal's JSON, and
        a hostile or broken answer may hold anything in it."""
        entries: list[object] = list(self.validation)
        return [cast("dict[str, Any]", v) for v in entries if isinstance(v, dict)]

    def _message(self) -> str:
        where = f"{self.method}: " if self.method else ""
        status = f" (HTTP {self.status})" if self.status else ""
        text = f"{where}{self.code or 'error'}{status}"
        if self.description:
            text += f": {self.description}"
        if self.validation:
            text += "; " + "; ".join(
                f"{v.get('field')}: {v.get('message')}" for v in self._entries()
            )
        return text


class TransportError(Bitrix24Error):
    """The portal could not be reached, or answered something that is not the REST
    envelope."""


class AuthError(Bitrix24Error):
    """Authentication failed: a missing, wrong or expired token or webhook."""


class RateLimitError(Bitrix24Error):
    """A request-rate or operating-time limit was hit; retry later."""


class AccessError(Bitrix24Error):
    """The caller lacks the permission, scope or plan the method needs."""


class ValidationError(Bitrix24Error):
    """The request's parameters did not pass validation."""


class NotFoundError(Bitrix24Error):
    """The object (or method) the request names does not exist."""


class ServerError(Bitrix24Error):
    """The portal failed on its side."""


class BatchError(Bitrix24Error):
    """A batch request was refused as a whole."""


class MethodError(Bitrix24Error):
    """A method-specific error documented on the method's page."""


class PagingError(Bitrix24Error):
    """The pages of a list could not be followed: a result shape the client does not
    know how to read, or a `next` that does not move forward."""


# The generated `errors.ERRORS`, held by reference like the specs in `_runtime`.
_BY_CODE: ChainMap[str, type[Bitrix24Error]] = ChainMap()

# Undocumented codes get the category their name says, in this order (the docs' codes
# follow these patterns: `expired_token`, `QUERY_LIMIT_EXCEEDED`,
# `ERROR_TASK_NOT_FOUND`, `BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION`,
# `ACCESS_DENIED`, `USER_ACCESS_ERROR`, `insufficient_scope`, `ERROR_ARGUMENT`,
# `BX_INVALID_VALUE`, `*_REQUIRED`, `*_EMPTY`, ...), then the one the HTTP status says.
_BY_PATTERN: tuple[tuple[re.Pattern[str], type[Bitrix24Error]], ...] = (
    (
        re.compile(
            r"TOKEN|(^|_)AUTH(_|$)|AUTHORI[SZ]|CREDENTIALS|^INVALID_(GRANT|CLIENT)$"
        ),
        AuthError,
    ),
    (re.compile(r"LIMIT_EXCEEDED|OVERLOAD|TIME_LIMIT|TOO_MANY"), RateLimitError),
    (re.compile(r"(^|_)BATCH(_|$)"), BatchError),
    (re.compile(r"NOT_?FOUND"), NotFoundError),
    (
        re.compile(r"(^|_)ACCESS|ACCESSDENIED|PERMISSION|DENIED|FORBIDDEN|SCOPE"),
        AccessError,
    ),
    (
        re.compile(r"ARGUMENT|INVALID|VALIDATION|WRONG|REQUIRED|EMPTY|INCORRECT"),
        ValidationError,
    ),
)

_BY_STATUS: dict[int, type[Bitrix24Error]] = {
    401: AuthError,
    403: AccessError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitError,
    503: RateLimitError,
}


def register_errors(classes: MutableMapping[str, type[Bitrix24Error]]) -> None:
    """Make the generated classes of documented codes the ones `error_class` returns."""
    _BY_CODE.maps.insert(0, classes)


def documented_class(code: str) -> type[Bitrix24Error] | None:
    """The generated class of a documented code, the code's case aside
    (`USER_ACCESS_ERROR` finds the class of `user_access_error`)."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    folded = code.casefold()
    for known, cls in _BY_CODE.items():
        if known.casefold() == folded:
            return cls
    return None


def category_class(code: str, status: int | None = None) -> type[Bitrix24Error]:
    """The category of an undocumented code: by its name, else by the HTTP status."""
    upper = code.upper()
    for pattern, cls in _BY_PATTERN:
        if pattern.search(upper):
            return cls
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status is not None and status >= 500:
        return ServerError
    return Bitrix24Error


def error_class(code: str, status: int | None = None) -> type[Bitrix24Error]:
    """The class for an error code: the documented code's own class (looked up in any
    case), else the category its name or HTTP status gives."""
    return documented_class(code) or category_class(code, status)
