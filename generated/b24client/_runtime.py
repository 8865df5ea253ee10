# Part of the b24gen runtime: ordinary Python, copied unchanged into every generated
# package (its source is generator/runtime/ of b24gen). Do not edit the copy.
"""The runtime shared by the sync and async clients.

Everything that decides something (URLs, payloads, error mapping, deprecation warnings)
is a pure function here; the two client flavours only move bytes.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeGuard
from urllib.parse import urlencode, urlsplit

from ._errors import Bitrix24Error, TransportError, error_class
from ._version import VERSION

USER_AGENT = f"b24client/{VERSION}"
DEFAULT_HEADERS = {"Accept": "application/json", "User-Agent": USER_AGENT}


class MethodSpec(NamedTuple):
    """What the runtime must know about a documented method."""

    name: str
    api: str = "v2"
    deprecated: bool = False
    replacement: str | None = None
    idempotent: bool = False  # safe to resend when a call's outcome is unknown
    batch: bool = True  # may be called inside `batch`
    rate_limit: float | None = (
        None  # the method's own calls-per-second limit, if documented
    )
    pagination: str = "none"  # none | start-next | page-limit
    # Where a list's items sit in `result` ("list", "items:tasks", "keyed", ...; see
    # `_flows.page_items`), "" when the docs do not show it.
    result_shape: str = ""


@dataclass(frozen=True)
class Result:
    """A successful answer: the `result` payload plus what came with it."""

    result: Any
    time: Mapping[str, Any] | None = None
    total: int | None = None
    next: int | None = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict[str, str])


class Request(NamedTuple):
    url: str
    payload: dict[str, Any] | list[Any]  # a JSON object, or REST v3 batch's array
    headers: dict[str, str]
    verb: str = "POST"


# A method's parameters; a list is a JSON-array body (the REST v3 form of `batch`).
Params = Mapping[str, Any] | list[Any] | None


def is_mapping(value: object) -> TypeGuard[Mapping[Any, Any]]:
    """Whether a JSON value (or what a caller passed) is an object. Its keys and values
    are untyped: JSON decodes to `Any`, and a caller's mapping may hold anything."""
    return isinstance(value, Mapping)


def is_list(value: object) -> TypeGuard[list[Any]]:
    """Whether a JSON value (or what a caller passed) is a list of untyped values."""
    return isinstance(value, list)


def mask(secret: str) -> str:
    """Show only enough of a secret to tell two apart."""
    return (secret[:2] + "***") if len(secret) > 4 else "***"


def check_url(url: str, allow_http: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError("portal URL must look like https://example.bitrix24.com/...")
    if parts.scheme == "http" and not allow_http:
        raise ValueError(
            "Bitrix24 requires HTTPS; pass allow_http=True only for a local test server"
        )
    return url


class WebhookAuth:
    """An incoming webhook: https://portal/rest/<user id>/<secret>/."""

    def __init__(self, url: str, *, allow_http: bool = False) -> None:
        check_url(url, allow_http)
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 3 or segments[-3] != "rest":
            raise ValueError("a webhook URL ends in /rest/<user id>/<secret>/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = "/".join(segments[:-3])
        self.user_id = segments[-2]
        self._secret = segments[-1]

    can_refresh = False

    def url(self, method: str, api: str) -> str:
        rest = "rest/api" if api == "v3" else "rest"
        prefix = f"/{self.prefix}" if self.prefix else ""
        return f"{self.origin}{prefix}/{rest}/{self.user_id}/{self._secret}/{method}"

    def sign(self, payload: dict[str, Any]) -> dict[str, Any]:
        return payload

    def sign_url(self, url: str) -> str:
        """A URL carrying the credentials when the body cannot (a JSON-array body)."""
        return url

    def __repr__(self) -> str:
        return f"WebhookAuth({self.origin}/rest/{self.user_id}/{mask(self._secret)}/)"


class TokenAuth:
    """An OAuth access token sent as the `auth` parameter, refreshed when it expires.

    `on_refresh(auth)` is called with the new tokens so the caller can persist them.
    """

    def __init__(
        self,
        portal: str,
        access_token: str,
        *,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str = "https://oauth.bitrix.info/oauth/token/",
        on_refresh: Callable[[TokenAuth], None] | None = None,
        allow_http: bool = False,
    ) -> None:
        check_url(portal, allow_http)
        check_url(token_url, allow_http)
        self.origin = portal.rstrip("/")
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self.on_refresh = on_refresh

    @property
    def can_refresh(self) -> bool:
        return bool(self.refresh_token and self.client_id and self.client_secret)

    def url(self, method: str, api: str) -> str:
        rest = "rest/api" if api == "v3" else "rest"
        return f"{self.origin}/{rest}/{method}"

    def sign(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "auth": self.access_token}

    def sign_url(self, url: str) -> str:
        """A URL carrying the token when the body cannot (a JSON-array body)."""
        return f"{url}?{urlencode({'auth': self.access_token})}"

    def refresh_request(self) -> Request:
        query = urlencode(
            {
                "grant_type": "refresh_token",
                "client_id": self.client_id or "",
                "client_secret": self.client_secret or "",
                "refresh_token": self.refresh_token or "",
            }
        )
        return Request(
            f"{self.token_url}?{query}", {}, {"Accept": "application/json"}, "GET"
        )

    def accept_refresh(self, status: int, body: bytes) -> None:
        """Take the new tokens from the OAuth server's answer, or raise AuthError."""
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if status != 200 or not is_mapping(data) or "access_token" not in data:
            code = str(data.get("error", "")) if is_mapping(data) else ""
            raise error_class("expired_token", 401)(
                f"token refresh failed ({code or status})",
                code=code or "expired_token",
                status=status,
            )
        self.access_token = str(data["access_token"])
        self.refresh_token = str(data.get("refresh_token") or self.refresh_token)
        if self.on_refresh is not None:
            self.on_refresh(self)

    def __repr__(self) -> str:
        return f"TokenAuth({self.origin}, token={mask(self.access_token)})"


Auth = WebhookAuth | TokenAuth


# Dotted words of letters, digits and underscores: what every documented method is.
METHOD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*")
# A webhook's secret in a path, and secrets in a query (OAuth refresh, `auth`).
SECRETS = re.compile(
    r"(/rest/(?:api/)?[^/\s]+/)[^/?#\s]+(?=/)"
    r"|((?:client_secret|refresh_token|access_token|auth|code)=)[^&\s\"']+"
)


def check_method_name(method: object) -> None:
    """Refuse anything but a method name (a caller may pass any object at runtime)."""
    if not isinstance(method, str) or not METHOD_NAME.fullmatch(method):
        raise ValueError(
            f"{method!r} is not a method name (dotted words: letters, digits, _)"
        )


def mask_secrets(text: str) -> str:
    """A URL or log line with webhook secrets and tokens replaced by ***."""
    return SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


class MaskSecrets(logging.Filter):
    """Keeps httpx's request log (`HTTP Request: POST <url>`) from carrying the
    webhook secret or OAuth credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = mask_secrets(record.getMessage())
            record.args = None
        elif isinstance(record.msg, str):
            record.msg = mask_secrets(record.msg)
        return True


def mask_library_logs() -> None:
    """Install the filter on httpx's logger once per runtime copy."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, MaskSecrets) for f in logger.filters):
        logger.addFilter(MaskSecrets())


def warn_if_deprecated(spec: MethodSpec) -> None:
    if spec.deprecated:
        use = f"; use {spec.replacement} instead" if spec.replacement else ""
        warnings.warn(
            f"{spec.name} is deprecated{use}", DeprecationWarning, stacklevel=4
        )


def method_params(wire: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments left as None are not sent; extra keys go as they are."""
    params = {k: v for k, v in wire.items() if v is not None}
    params.update(extra)
    return params


def build_request(
    auth: Auth,
    spec: MethodSpec,
    params: Params,
    idempotency_key: str | None = None,
) -> Request:
    headers: dict[str, str] = {}  # the clients send DEFAULT_HEADERS on every request
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    url = auth.url(spec.name, spec.api)
    if isinstance(params, list):
        return Request(auth.sign_url(url), list(params), headers)
    return Request(url, auth.sign(dict(params or {})), headers)


def parse_response(
    spec: MethodSpec, status: int, headers: Mapping[str, str], body: bytes
) -> Result:
    """The REST envelope to a Result, or the documented exception for its error."""
    data = decode_json(spec, status, body)
    if is_mapping(data) and "error" in data:
        raise error_from(spec.name, status, data)
    if not is_mapping(data) or "result" not in data:
        raise invalid_answer(spec, status, "answer has neither `result` nor `error`")
    return Result(
        result=data["result"],
        time=data.get("time"),
        total=as_int(data.get("total")),
        next=as_int(data.get("next")),
        status=status,
        headers=headers,  # httpx.Headers: looked up case-insensitively
    )


def decode_json(spec: MethodSpec, status: int, body: bytes) -> Any:
    """The answer's JSON; a body that is not JSON, or nested deeper than the parser
    can follow, is a TransportError naming the method."""
    try:
        return json.loads(body) if body else None
    except RecursionError:
        raise invalid_answer(spec, status, "answer is nested too deeply") from None
    except ValueError:
        snippet = body[:120].decode("utf-8", "replace")
        raise invalid_answer(spec, status, f"answer is not JSON: {snippet!r}") from None


def invalid_answer(spec: MethodSpec, status: int, why: str) -> TransportError:
    return TransportError(why, code="INVALID_RESPONSE", status=status, method=spec.name)


def as_int(value: Any) -> int | None:
    """`total` and `next` as numbers, whether the portal sent 50 or "50"."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def error_from(method: str, status: int, data: Mapping[str, Any]) -> Bitrix24Error:
    """REST v2 (`error` + `error_description`) and v3
    (`error: {code, message, validation}`)."""
    error = data["error"]
    validation: Any  # the portal's JSON: a list of entries when it follows the docs
    if is_mapping(error):
        code = str(error.get("code", ""))
        description = str(error.get("message", ""))
        validation = error.get("validation") or []
    else:
        code = str(error)
        description = str(data.get("error_description", ""))
        validation = []
    cls = error_class(code, status)
    return cls(
        description,
        code=code,
        status=status,
        method=method,
        validation=validation,
        response=data,
    )


# The generated `_specs.SPECS`, held by reference so that what changes it changes
# lookups.
_SPECS: ChainMap[tuple[str, str], MethodSpec] = ChainMap()


def register_specs(specs: MutableMapping[tuple[str, str], MethodSpec]) -> None:
    """Make the generated per-method facts (keyed by lower-cased name and api) known."""
    _SPECS.maps.insert(0, specs)


def spec_for(method: str, api: str = "v2") -> MethodSpec:
    """The documented spec of a method called by name, or a plain one for undocumented
    names (checked to be shaped like a method name before any URL is built)."""
    check_method_name(method)
    if api not in ("v2", "v3"):
        raise ValueError(f"api must be 'v2' or 'v3', not {api!r}")
    return _SPECS.get((method.lower(), api)) or MethodSpec(method, api)
