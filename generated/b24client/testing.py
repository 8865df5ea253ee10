# Part of the b24gen runtime: ordinary Python, copied unchanged into every generated
# package (its source is generator/runtime/ of b24gen). Do not edit the copy.
"""A mock Bitrix24 portal for tests, answering from the method specs (`mockdata.json`).

    from b24client.testing import mock_portal

    with mock_portal(dataset_size=120, burst=10) as portal:
        httpx.post(portal.webhook_url + "tasks.task.list", json={"start": 50})
        portal.inject("tasks.task.list", "500")  # the next call to it fails

What it serves (stdlib only: a ThreadingHTTPServer on 127.0.0.1):

- routes: `/rest/<user>/<secret>/<method>` (v2, `.json` suffix allowed),
  `/rest/api/<user>/<secret>/<method>` (v3), `/rest/<method>` and `/rest/api/<method>`
  with an OAuth token in `auth` (`valid-token` and refreshed tokens pass,
  `expired-token` gets 401 `expired_token`, anything else 401 `NO_AUTH_FOUND`), and
  `/oauth/token/` for the `refresh_token` grant. Parameters come as a JSON body, as a
  PHP-style query string (`filter[>ID]=5&order[ID]=ASC`) in the body or the URL, or as
  a JSON array the way the docs' webhook examples of the old methods send them
  (`[{"ID": "desc"}, {">=CREATED_DATE": "2024-02-16"}]`): the values take the method's
  documented parameters in order, an optional one whose type a value does not fit
  being skipped.
- HTTPS: `mock_portal(tls=True)` serves https:// with a certificate for 127.0.0.1 and
  localhost signed by a throw-away CA made at start (with the `cryptography` package
  when it is installed, else the `openssl` binary; nothing is fetched);
  `portal.ca_path` is the CA to trust and `portal.ssl_context()` a client context
  trusting it.
- answers: the documented `result` example of the method (or `true`); the documented
  error when a required parameter is missing or has the wrong type (v2
  `error`/`error_description`, v3 `error: {code, message, validation}`);
  `ERROR_METHOD_NOT_FOUND` (404) for other names.
- limits: a leaky bucket per portal (each HTTP request adds 1, a batch too; `drain` per
  second leaks away; a request that would push the counter over `burst` gets 503
  `QUERY_LIMIT_EXCEEDED` and adds nothing) and operating time per method
  (`operating_per_call` seconds a call, in one-minute baskets that expire after ten
  minutes; over 480 s the method answers 429 `OPERATION_TIME_LIMIT`).
- `batch`: up to 50 commands run in order, `$result[key][path...]` references to earlier
  answers, `halt`, `ERROR_BATCH_METHOD_NOT_ALLOWED` for methods marked `batch: false`;
  the tables come back as PHP encodes them (`[]` when empty, a list when keyed 0..n-1).
  REST v3 `batch` (`/rest/api/.../batch`) takes the documented JSON array of
  `{"method", "query"}` (`as` and `parallel` as @bitrix24/b24jssdk adds them are
  accepted) and answers `result` as a list in order; an object of named commands
  (`{"a": {"method", "query"}}`) is answered as an object by name. All or nothing: the
  first failing command's error is the answer. The v2 `cmd` form is refused with
  `BITRIX_REST_V3_EXCEPTION_INVALIDSELECTEXCEPTION`.
- one dataset per entity: the methods `<entity>.<verb>` (`tasks.task.list`,
  `tasks.task.get`, the task status methods, v2 and v3 alike, `task.item.*` too) share
  the rows of one store. With `dataset_size` N the rows are generated (IDs 1..N for
  seed 0, ascending with gaps drawn from the seed otherwise, `title` "Item <id>");
  with 0 they are the rows of the list methods' documented examples. Lists page over
  them by `start` (50 a page; `-1` skips `total`/`next`) or v3
  `pagination: {page, limit, offset}`, filtered on any field the rows have (v2 keys
  with `=`, `!`, `>`, `>=`, `<`, `<=`, `@`, `%` prefixes; v3 `[["field", op, value]]`
  and `{"logic": "or", "conditions": [...]}`; fields the rows lack are ignored) and
  ordered by ID. `<entity>.get` answers the row with that ID in the shape of its
  documented example (or the documented not-found error). A list method whose example
  is missing or broken answers `[]` with `total: 0`.
- tasks: task n has status (2, 3, 4, 5, 6)[(n - 1) % 5] and task control for odd n;
  tasks 1..20 exist even without a dataset. Start puts a task in progress (3); defer
  works only from 3 (to 6); renew only from completed 5 (to 2); approve only on a task
  waiting for control (4) with task control on (to 5). A refused change answers 400
  `1048582`. `tasks.task.start`, `.defer` and `.renew` are served even without a
  spec. `tasks.task.list`, `tasks.task.get` and the status methods see the same tasks.
- faults: `inject(method_or_None, kind, times=1, delay=0.0)` with kind `drop` (close the
  connection after reading the request), `500`, `html` (a 502 HTML page) or `slow`
  (sleep `delay`, then answer). A fault matches the method named in the URL (`batch` for
  a batch). `reply(method, status, body, headers)` answers the next call with exactly
  that; `move_to(url)` answers every REST call with a 301 to the same path at `url`,
  the way a renamed portal does.
"""

from __future__ import annotations

import atexit
import bisect
import importlib
import ipaddress
import json
import random
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeGuard, cast
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "MockPortal",
    "Received",
    "load_mockdata",
    "mock_portal",
    "parse_query",
    "tls_files",
]

PAGE_SIZE = 50
BATCH_LIMIT = 50
OPERATING_LIMIT = 480.0
OPERATING_WINDOW = 600.0
BASKET_SECONDS = 60.0
V3_VALIDATION = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"
V3_VALIDATION_MESSAGE = "Error during request object validation"
V3_NOT_FOUND = "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION"
V3_INVALID_SELECT = "BITRIX_REST_V3_EXCEPTION_INVALIDSELECTEXCEPTION"
V3_INVALID_JSON = "BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION"
VALID_TOKEN = "valid-token"
EXPIRED_TOKEN = "expired-token"
INVALID_REFRESH_TOKEN = "invalid-refresh-token"
WEBHOOK_USER = "1"
WEBHOOK_SECRET = "mockwebhooksecret"
FAULT_KINDS = ("drop", "500", "html", "slow")
JSON_TYPE = "application/json; charset=utf-8"
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>502 Bad Gateway</h1><p>The portal is not answering.</p></body></html>\n"
)

PENDING, IN_PROGRESS, WAITING_CONTROL, COMPLETED, DEFERRED = "2", "3", "4", "5", "6"
TASK_STATUSES = (PENDING, IN_PROGRESS, WAITING_CONTROL, COMPLETED, DEFERRED)
TASK_COUNT = 20
TASK_FAMILY = "tasks.task"
# Method groups that work on another group's rows: the old task methods on the tasks.
FAMILY_ALIASES = {"task.item": TASK_FAMILY}
FORBIDDEN_CODE = "1048582"
FORBIDDEN_MESSAGE = "Action on the task is not allowed"
LIST_VERBS = ("list", "getlist")


# ----------------------------------------------------------- untyped JSON, narrowed


def is_dict(value: object) -> TypeGuard[dict[str, Any]]:
    """Whether a JSON value is an object (its keys are text; its values untyped)."""
    return isinstance(value, dict)


def is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    """Whether a value is a mapping: a JSON object, or a row a test passed."""
    return isinstance(value, Mapping)


def is_list(value: object) -> TypeGuard[list[Any]]:
    """Whether a JSON value is an array of untyped values."""
    return isinstance(value, list)


# ----------------------------------------------------------- data the mock answers from


def load_mockdata(path: str | Path | None = None) -> dict[str, Any]:
    """The method facts rendered next to this module (or another mockdata.json)."""
    source = Path(path) if path else Path(__file__).with_name("mockdata.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    if not is_dict(data):
        raise ValueError(f"{source}: the mock data must be a JSON object")
    return data


@dataclass(frozen=True)
class Transition:
    """A task status change: the status it sets and the statuses it starts from."""

    param: str  # the parameter naming the task
    target: str
    allowed_from: tuple[str, ...] | None = None  # None: from any status
    needs_control: bool = False
    returns_task: bool = (
        False  # answer {"task": {...}} instead of the documented result
    )


TRANSITIONS = {
    "task.item.startexecution": Transition("TASKID", IN_PROGRESS),
    "task.item.defer": Transition("TASKID", DEFERRED, (IN_PROGRESS,)),
    "task.item.renew": Transition("TASKID", PENDING, (COMPLETED,)),
    "tasks.task.start": Transition("taskId", IN_PROGRESS, returns_task=True),
    "tasks.task.defer": Transition(
        "taskId", DEFERRED, (IN_PROGRESS,), returns_task=True
    ),
    "tasks.task.renew": Transition("taskId", PENDING, (COMPLETED,), returns_task=True),
    "tasks.task.approve": Transition(
        "taskId", COMPLETED, (WAITING_CONTROL,), needs_control=True, returns_task=True
    ),
}


def implied_method(name: str, rule: Transition) -> dict[str, Any]:
    """The facts of a task method the specs do not describe but the mock still
    serves."""
    return {
        "name": name,
        "api": "v2",
        "batch": True,
        "pagination": "none",
        "params": [{"name": rule.param, "type": "integer", "required": True}],
        "result": None,
        "errors": [],
        "error_roles": {},
    }


def method_table(data: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(api, lower-case name) -> method facts, with the task methods the rules need."""
    table = {(m["api"], m["name"].lower()): dict(m) for m in data.get("methods", [])}
    for name, rule in TRANSITIONS.items():
        table.setdefault(("v2", name), implied_method(name, rule))
    return table


def task_fields(task_id: int) -> dict[str, str]:
    """The status and task control the status rules give task `task_id`."""
    return {
        "status": TASK_STATUSES[(task_id - 1) % len(TASK_STATUSES)],
        "taskControl": "Y" if task_id % 2 else "N",
    }


def family_of(name: str) -> str:
    """The group of methods that share rows: `tasks.task.get` -> `tasks.task`."""
    head = name.lower().rpartition(".")[0] or name.lower()
    return FAMILY_ALIASES.get(head, head)


# ---------------------------------------------------------------- query strings


def key_path(key: str) -> list[str]:
    """`filter[>ID]` -> ["filter", ">ID"]; `a[]` -> ["a", ""]; a malformed key stays
    whole."""
    head, bracket, _ = key.partition("[")
    if not bracket or not head:
        return [key]
    tail = key[len(head) :]
    parts = re.findall(r"\[([^\]]*)\]", tail)
    if "".join(f"[{p}]" for p in parts) != tail:
        return [key]
    return [head, *parts]


def next_index(node: dict[str, Any]) -> int:
    numbers = [int(k) for k in node if k.isdigit()]
    return max(numbers) + 1 if numbers else 0


def put_value(target: dict[str, Any], path: list[str], value: str) -> None:
    node = target
    for depth, part in enumerate(path):
        if part == "":
            part = str(next_index(node))
        if depth == len(path) - 1:
            node[part] = value
            return
        child = node.get(part)
        if not is_dict(child):
            child = node[part] = {}
        node = child


def php_lists(value: Any) -> Any:
    """Maps keyed 0..n-1 become lists, the way PHP arrays encode to JSON."""
    if is_dict(value):
        value = {k: php_lists(v) for k, v in value.items()}
        if value and list(value) == [str(i) for i in range(len(value))]:
            return list(value.values())
    return value


def parse_query_value(text: str) -> Any:
    """A PHP `http_build_query` string to nested data, a list when its top-level keys
    are 0..n-1 (`0[ID]=desc&1[>ID]=5`: positional parameters)."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        put_value(out, key_path(key), value)
    return php_lists(out)


def parse_query(text: str) -> dict[str, Any]:
    """A PHP `http_build_query` string to nested data:
    `a[b][]=1&c=2` -> {"a": {"b": ["1"]}, "c": "2"}."""
    value = parse_query_value(text)
    if is_list(value):
        return {str(i): v for i, v in enumerate(value)}
    params: dict[str, Any] = value
    return params


def php_array(mapping: Mapping[str, Any]) -> Any:
    """A batch answer table as PHP encodes it: [] when empty, a list when keyed
    0..n-1."""
    if not mapping:
        return []
    return php_lists({str(k): v for k, v in mapping.items()})


# ---------------------------------------------------------------- envelopes and errors


class Refusal(Exception):
    """An error answer: HTTP status, code, message and (v3) validation entries."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        validation: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.validation = validation or []


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Answer:
    result: Any
    total: int | None = None
    next: int | None = None
    time: dict[str, Any] | None = None


@dataclass(frozen=True)
class Received:
    """One request as the portal saw it (`array`: a JSON-array body as it came)."""

    path: str
    method: str  # the REST method named in the URL ("" for other paths)
    params: dict[str, Any]
    time: float
    api: str = "v2"
    http_method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    array: list[Any] | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def json_reply(status: int, data: Any) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def error_body(api: str, refusal: Refusal) -> dict[str, Any]:
    if api == "v3":
        return {
            "error": {
                "code": refusal.code,
                "message": refusal.message,
                "validation": list(refusal.validation),
            }
        }
    return {"error": refusal.code, "error_description": refusal.message}


def success_body(api: str, answer: Answer) -> dict[str, Any]:
    body: dict[str, Any] = {"result": answer.result}
    if api == "v2" and answer.total is not None:
        body["total"] = answer.total
    if api == "v2" and answer.next is not None:
        body["next"] = answer.next
    body["time"] = answer.time
    return body


def iso_time(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def time_block(
    started: float, finished: float, operating: float, reset_at: float
) -> dict[str, Any]:
    return {
        "start": started,
        "finish": finished,
        "duration": finished - started,
        "processing": finished - started,
        "date_start": iso_time(started),
        "date_finish": iso_time(finished),
        "operating_reset_at": int(reset_at),
        "operating": operating,
    }


# ----------------------------------------------------------- parameters and their types

INT_TEXT = re.compile(r"^[+-]?\d+$")
NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
BOOL_TEXT = {"y", "n", "true", "false", "0", "1"}


def is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (
        isinstance(value, str) and bool(INT_TEXT.match(value.strip()))
    )


def fits_type(value: Any, doc_type: str | None) -> bool:
    """Whether a sent value can stand for the documented type (form values arrive as
    text)."""
    kind = (doc_type or "any").lower()
    if kind in ("integer", "int"):
        return is_int(value)
    if kind in ("number", "double", "float"):
        if isinstance(value, str):
            return bool(NUMBER_TEXT.match(value.strip()))
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        if isinstance(value, str):
            return value.strip().lower() in BOOL_TEXT
        return isinstance(value, bool) or value in (0, 1)
    if kind == "object":
        return isinstance(value, dict) or value == []
    if kind == "array":
        return isinstance(value, (list, dict))
    return True


def find_param(params: Mapping[str, Any], name: str, exact: bool) -> tuple[bool, Any]:
    """REST v2 matches parameter names in any case; v3 only as written."""
    if name in params:
        return True, params[name]
    if not exact:
        for key, value in params.items():
            if key.lower() == name.lower():
                return True, value
    return False, None


def param_problems(
    spec: Mapping[str, Any], params: Mapping[str, Any], exact: bool
) -> list[tuple[str, str, str]]:
    """(name, "missing" | "wrong_type", documented type) for each bad parameter, in
    spec order."""
    out: list[tuple[str, str, str]] = []
    for p in spec.get("params", []):
        kind = p.get("type") or "any"
        found, value = find_param(params, p["name"], exact)
        if p.get("required") and (not found or value is None or value == ""):
            out.append((p["name"], "missing", kind))
        elif found and value is not None and not fits_type(value, kind):
            out.append((p["name"], "wrong_type", kind))
    return out


def validation_entry(name: str, problem: str, kind: str) -> dict[str, str]:
    if problem == "missing":
        return {"field": name, "message": f"{name} is required"}
    return {"field": name, "message": f"{name} must be of type {kind}"}


def documented_refusal(
    spec: Mapping[str, Any], role: str, fallback: Refusal
) -> Refusal:
    """The error the method's page gives for this case, else the generic one."""
    roles: Mapping[str, Any] = spec.get("error_roles") or {}
    found = roles.get(role)
    if not found:
        return fallback
    return Refusal(
        int(found.get("status") or 400),
        str(found["code"]),
        found.get("message") or fallback.message,
    )


def v2_argument_refusal(
    spec: Mapping[str, Any], problems: list[tuple[str, str, str]]
) -> Refusal:
    """Missing parameters are reported before mistyped ones, one error per answer."""
    missing = [p for p in problems if p[1] == "missing"]
    name, problem, kind = (missing or problems)[0]
    if problem == "missing":
        generic = Refusal(
            400, "ERROR_ARGUMENT", f"Required parameter {name} is not set"
        )
    else:
        generic = Refusal(
            400, "ERROR_ARGUMENT", f"Parameter {name} must be of type {kind}"
        )
    return documented_refusal(spec, problem, generic)


def positional_params(spec: Mapping[str, Any], values: list[Any]) -> dict[str, Any]:
    """A JSON-array body (the old methods' positional form) as named parameters: each
    value takes the next documented parameter, skipping optional ones whose type it
    does not fit when a later one fits it (`task.elapseditem.getlist` called with
    `[ORDER, FILTER]` leaves out the optional TASKID)."""
    documented = list(spec.get("params", []))
    named: dict[str, Any] = {}
    at = 0
    for value in values:
        if at >= len(documented):
            raise Refusal(
                400,
                "ERROR_ARGUMENT",
                f"{len(values)} positional values for {len(documented)} parameters",
            )
        take = at
        for later in range(at, len(documented)):
            if fits_type(value, documented[later].get("type")):
                skipped = documented[at:later]
                if not any(p.get("required") for p in skipped):
                    take = later
                break
        named[documented[take]["name"]] = value
        at = take + 1
    return named


def check_params(api: str, spec: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    problems = param_problems(spec, params, exact=api == "v3")
    if not problems:
        return
    if api == "v3":
        entries = [validation_entry(*p) for p in problems]
        raise Refusal(400, V3_VALIDATION, V3_VALIDATION_MESSAGE, entries)
    raise v2_argument_refusal(spec, problems)


# ---------------------------------------------------------------- limits


class LeakyBucket:
    """The request-rate limit: +1 a request, `drain` a second leaks away, `burst` at
    most."""

    def __init__(self, drain: float, burst: float, clock: Any = time.monotonic) -> None:
        self.drain = drain
        self.burst = burst
        self.clock = clock
        self.level = 0.0
        self.updated = clock()
        self._lock = threading.Lock()

    def admit(self) -> bool:
        with self._lock:
            now = self.clock()
            self.level = max(0.0, self.level - (now - self.updated) * self.drain)
            self.updated = now
            if self.level + 1 > self.burst:
                return False
            self.level += 1
            return True


class OperatingClock:
    """Seconds spent per method, in one-minute baskets that leave the sum ten minutes
    after their first call."""

    def __init__(self, limit: float = OPERATING_LIMIT, clock: Any = time.time) -> None:
        self.limit = limit
        self.clock = clock
        self._baskets: dict[str, list[list[float]]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> list[list[float]]:
        baskets = [
            b for b in self._baskets.get(key, []) if b[0] + OPERATING_WINDOW > now
        ]
        self._baskets[key] = baskets
        return baskets

    def total(self, key: str) -> float:
        with self._lock:
            return sum(b[1] for b in self._live(key, self.clock()))

    def reset_at(self, key: str) -> float:
        with self._lock:
            now = self.clock()
            baskets = self._live(key, now)
            return (baskets[0][0] if baskets else now) + OPERATING_WINDOW

    def blocked(self, key: str) -> bool:
        return self.total(key) > self.limit

    def add(self, key: str, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            now = self.clock()
            baskets = self._live(key, now)
            if not baskets or now - baskets[-1][0] >= BASKET_SECONDS:
                baskets.append([now, 0.0])
            baskets[-1][1] += seconds


# ---------------------------------------------------------------- rows and lists


@dataclass(frozen=True)
class ListShape:
    """How a list method's items look, read from its documented example."""

    wrapper: (
        str | None
    )  # the key holding the list in `result` ("tasks", "items") or None
    lower: bool  # keys `id`/`title` rather than `ID`/`TITLE`
    int_ids: bool

    @property
    def id_key(self) -> str:
        return "id" if self.lower else "ID"


def list_shape(spec: Mapping[str, Any]) -> ListShape:
    v3 = spec.get("api") == "v3"
    example = spec.get("result")
    wrapper, rows = ("items" if v3 else None), example
    if is_dict(example):
        keys = [k for k, v in example.items() if isinstance(v, list)]
        if len(keys) == 1:
            wrapper, rows = keys[0], example[keys[0]]
    first: dict[str, Any] = (
        rows[0] if is_list(rows) and rows and is_dict(rows[0]) else {}
    )
    if not first:
        return ListShape(wrapper, lower=v3, int_ids=v3)
    return row_shape(first, wrapper, v3)


def row_shape(row: Mapping[str, Any], wrapper: str | None, v3: bool) -> ListShape:
    """The key case and ID type of a documented row."""
    if not any(norm_key(k) == "id" for k in row):
        lower = v3 or not any(is_upper(k) for k in row)
        return ListShape(wrapper, lower=lower, int_ids=v3)
    lower = "id" in row or "ID" not in row
    sample = row.get("id", row.get("ID"))
    return ListShape(
        wrapper,
        lower=lower,
        int_ids=isinstance(sample, int) and not isinstance(sample, bool),
    )


def dataset_ids(size: int, seed: int) -> list[int]:
    """1..size for seed 0; ascending IDs with gaps drawn from the seed otherwise."""
    if seed == 0:
        return list(range(1, size + 1))
    rng = random.Random(seed)
    ids: list[int] = []
    current = 0
    for _ in range(size):
        current += rng.randint(1, 3)
        ids.append(current)
    return ids


def make_item(item_id: int, shape: ListShape) -> dict[str, Any]:
    return render_row({"id": item_id, "title": f"Item {item_id}"}, shape)


def generated_row(item_id: int, family: str) -> dict[str, Any]:
    """A generated row: ID and title, and the status fields for tasks."""
    row: dict[str, Any] = {"id": item_id, "title": f"Item {item_id}"}
    if family == TASK_FAMILY:
        row.update(task_fields(item_id))
    return row


def is_list_method(spec: Mapping[str, Any]) -> bool:
    return spec.get("pagination") in ("start-next", "page-limit")


def looks_like_list(spec: Mapping[str, Any]) -> bool:
    """A paged method, or one named `*.list` / `*.getlist`."""
    verb = str(spec.get("name", "")).lower().rpartition(".")[2]
    return is_list_method(spec) or verb in LIST_VERBS


def norm_key(key: Any) -> str:
    """A field name compared without case or underscores: TASK_CONTROL = taskControl."""
    return str(key).lower().replace("_", "")


def is_upper(key: str) -> bool:
    return key == key.upper() and any(c.isalpha() for c in key)


def upper_snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).upper()


def camel(key: str) -> str:
    head, *rest = key.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def row_id(row: Any) -> int | None:
    if is_mapping(row):
        for key, value in row.items():
            if norm_key(key) == "id":
                return int(value) if is_int(value) else None
    return None


def render_row(row: Mapping[str, Any], shape: ListShape) -> dict[str, Any]:
    """A stored row as a method shows it: its ID key and type, its key case."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if norm_key(key) == "id":
            out[shape.id_key] = int(value) if shape.int_ids else str(value)
        elif shape.lower and is_upper(key):
            out[camel(key)] = value
        elif not shape.lower and not is_upper(key):
            out[upper_snake(key)] = value
        else:
            out[key] = value
    return out


def example_rows(result: Any) -> list[Any] | None:
    """The rows of a documented list example (None when there is no example)."""
    if is_list(result):
        return result
    if is_dict(result):
        lists = [v for v in result.values() if is_list(v)]
        if len(lists) == 1:
            return lists[0]
    return None


class Store:
    """The rows of one group of methods, ascending by ID; list, get and the task
    status rules all read and change these."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        keyed = sorted(((row_id(r) or 0, r) for r in rows), key=lambda p: p[0])
        self.ids = [k for k, _ in keyed]
        self.rows = [r for _, r in keyed]
        self.by_id = dict(keyed)


Condition = tuple[str, str, Any]  # (field compared by norm_key, operator, value)
Predicate = Callable[[Mapping[str, Any]], bool]
V2_FILTER_KEY = re.compile(r"^(>=|<=|!=|>|<|=|!|@|%)?(.+)$", re.DOTALL)
V3_OPERATORS = {"=", "!=", ">", ">=", "<", "<=", "in", "between"}


def row_value(row: Mapping[str, Any], field: str) -> tuple[bool, Any]:
    for key, value in row.items():
        if norm_key(key) == field:
            return True, value
    return False, None


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and bool(NUMBER_TEXT.match(value.strip()))


def same(actual: Any, value: Any) -> bool:
    if is_number(actual) and is_number(value):
        return float(actual) == float(value)
    return str(actual) == str(value)


def order_of(actual: Any, value: Any) -> int:
    if is_number(actual) and is_number(value):
        x, y = float(actual), float(value)
        return (x > y) - (x < y)
    a, b = str(actual), str(value)
    return (a > b) - (a < b)


def compare(actual: Any, op: str, value: Any) -> bool:
    """One filter condition on one row's value (v2 and v3 operators)."""
    if op in ("@", "in") or (
        (is_list(value) or is_dict(value)) and op in ("=", "!", "!=")
    ):
        if is_dict(value):
            values = list(value.values())
        else:
            values = value if is_list(value) else [value]
        hit = any(same(actual, v) for v in values)
        return not hit if op in ("!", "!=") else hit
    if op == "%":
        return str(value).lower() in str(actual).lower()
    if op == "between":
        bounds = list(value) if is_list(value) and value else [value]
        low, high = bounds[0], bounds[-1]
        return order_of(actual, low) >= 0 and order_of(actual, high) <= 0
    if op == "=":
        return same(actual, value)
    if op in ("!", "!="):
        return not same(actual, value)
    sign = order_of(actual, value)
    return {">": sign > 0, ">=": sign >= 0, "<": sign < 0, "<=": sign <= 0}[op]


def check_id_value(field: str, op: str, value: Any) -> None:
    """IDs are numbers: anything else in an ID condition is refused, as the portal
    does."""
    if field != "id":
        return
    values = (
        list(value.values()) if is_dict(value) else value if is_list(value) else [value]
    )
    if not values or not all(is_int(v) for v in values):
        raise Refusal(
            400, "INVALID_ARG_VALUE", "Invalid filter: field 'ID' has invalid value"
        )


def condition_test(condition: Condition) -> Predicate:
    field, op, value = condition
    check_id_value(field, op, value)

    def test(row: Mapping[str, Any]) -> bool:
        found, actual = row_value(row, field)
        return not found or compare(actual, op, value)  # fields rows lack: ignored

    return test


def v2_conditions(filter_: Any) -> list[Condition]:
    out: list[Condition] = []
    if is_dict(filter_):
        for key, value in filter_.items():
            match = V2_FILTER_KEY.match(str(key))
            if match and norm_key(match.group(2)) != "logic":
                out.append((norm_key(match.group(2)), match.group(1) or "=", value))
    return out


def v3_condition(node: list[Any]) -> Condition:
    if len(node) == 2:
        op = "in" if is_list(node[1]) else "="
        return norm_key(node[0]), op, node[1]
    op = str(node[1]).lower()
    if op not in V3_OPERATORS:
        raise Refusal(
            400,
            "BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION",
            f"Unknown filter operator `{node[1]}`",
        )
    return norm_key(node[0]), op, node[2]


def v3_test(node: Any) -> Predicate:
    """A v3 filter node: a condition `[field, op, value]`, a list of nodes (AND) or
    `{"logic": "or"|"and", "conditions": [...]}`."""
    if is_list(node) and node and isinstance(node[0], str):
        return condition_test(v3_condition(node))
    if is_dict(node):
        children = [v3_test(c) for c in node.get("conditions") or ()]
        if str(node.get("logic", "and")).lower() == "or":
            return lambda row: any(c(row) for c in children) if children else True
        return lambda row: all(c(row) for c in children)
    if is_list(node):
        parts = [v3_test(c) for c in node]
        return lambda row: all(p(row) for p in parts)
    raise Refusal(400, V3_VALIDATION, "Invalid filter")


def row_filter(api: str, filter_: Any) -> tuple[Predicate | None, int]:
    """The filter as a test on rows (None: no condition) and the lowest ID it can
    match (a `>`/`>=` condition on the ID), to start scanning there."""
    if api == "v3" and is_list(filter_):
        top = [
            v3_condition(n)
            for n in filter_
            if is_list(n) and n and isinstance(n[0], str)
        ]
        test: Predicate | None = v3_test(filter_) if filter_ else None
    else:
        top = v2_conditions(filter_)
        tests = [condition_test(c) for c in top]
        test = (lambda row: all(t(row) for t in tests)) if tests else None
    lowest = 0
    for name, op, value in top:
        if name == "id" and op in (">", ">=") and is_int(value):
            lowest = max(lowest, int(value) + (1 if op == ">" else 0))
    return test, lowest


def first_matches(
    store: Store, test: Predicate | None, lowest: int, limit: int
) -> list[dict[str, Any]]:
    """The first `limit` rows (ascending IDs) passing the test, the scan starting at
    the lowest ID the filter allows."""
    start = bisect.bisect_left(store.ids, lowest)
    out: list[dict[str, Any]] = []
    for row in store.rows[start:]:
        if test is None or test(row):
            out.append(row)
            if len(out) == limit:
                break
    return out


def id_descending(order: Any) -> bool:
    if is_dict(order):
        for key, value in order.items():
            if str(key).lower() == "id":
                return str(value).lower() == "desc"
    return False


def start_offset(params: Mapping[str, Any]) -> int:
    value = params.get("start", 0)
    return int(value) if is_int(value) else 0


def page_v2(items: list[Any], start: int) -> tuple[list[Any], int | None, int | None]:
    """A page, `total` and `next` the way `start` paging reports them."""
    if start == -1:
        return items[:PAGE_SIZE], None, None
    start = max(start, 0)
    end = start + PAGE_SIZE
    return items[start:end], len(items), (end if end < len(items) else None)


def page_v3(items: list[Any], pagination: Any) -> list[Any]:
    p: dict[str, Any] = pagination if is_dict(pagination) else {}
    for key in ("page", "limit", "offset"):
        if key in p and not is_int(p[key]):
            raise Refusal(
                400,
                "BITRIX_REST_V3_EXCEPTION_INVALIDPAGINATIONEXCEPTION",
                f"Pagination {key} is not a number",
            )
    limit = int(p.get("limit", PAGE_SIZE))
    if limit <= 0:
        raise Refusal(
            400,
            "BITRIX_REST_V3_EXCEPTION_INVALIDPAGINATIONEXCEPTION",
            "Pagination limit must be positive",
        )
    begin = (
        (max(int(p["page"]), 1) - 1) * limit
        if "page" in p
        else max(int(p.get("offset", 0)), 0)
    )
    return items[begin : begin + limit]


def apply_select(
    item: dict[str, Any], select: Any, shape: ListShape, v3: bool
) -> dict[str, Any]:
    """v3 returns only the ID unless fields are selected; v2 ignores `select` here."""
    if not v3:
        return dict(item)
    names = {str(s).lower() for s in (select if is_list(select) else [])}
    if "*" in names:
        return dict(item)
    return {k: v for k, v in item.items() if k == shape.id_key or k.lower() in names}


def wrap_rows(rows: list[Any], shape: ListShape) -> Any:
    return {shape.wrapper: rows} if shape.wrapper else rows


def documented_list(result: Any) -> Answer:
    """A list method answered from its documented example as it is (rows without an
    ID to keep them by)."""
    rows = example_rows(result)
    return Answer(result, total=len(rows) if isinstance(rows, list) else None)


def empty_list(api: str, spec: Mapping[str, Any]) -> Answer:
    """A list method whose example is missing or broken: no rows."""
    shape = list_shape(spec)
    return Answer(wrap_rows([], shape), total=0 if api == "v2" else None)


def id_parameter(spec: Mapping[str, Any], family: str) -> str | None:
    """The parameter of a `get` naming the row: `id`, or `<entity>Id` (`taskId`)."""
    entity = family.rpartition(".")[2]
    names = [str(p["name"]) for p in spec.get("params", [])]
    for wanted in ("id", f"{entity}id"):
        for name in names:
            if norm_key(name) == wanted:
                return name
    ids = [
        str(p["name"])
        for p in spec.get("params", [])
        if p.get("required") and norm_key(p["name"]).endswith("id")
    ]
    return ids[0] if len(ids) == 1 else None


def embed_row(example: Any, row: Mapping[str, Any], api: str) -> Any:
    """A row in the shape of a documented single-object answer: the example's fields
    with the row's over them (`{"task": {...}}`, `{"item": {...}}` or the object
    itself)."""
    wrapper: str | None = None
    inner: Mapping[str, Any] = {}
    if is_dict(example):
        objects = [k for k, v in example.items() if isinstance(v, dict)]
        if not any(norm_key(k) == "id" for k in example) and len(objects) == 1:
            wrapper, inner = objects[0], example[objects[0]]
        else:
            inner = example
    elif api == "v3":
        wrapper = "item"
    shape = row_shape(inner, None, api == "v3")
    merged = {**inner, **render_row(row, shape)}
    return {wrapper: merged} if wrapper else merged


# ---------------------------------------------------------------- batch


BATCH_REF = re.compile(r"\$(result(?:_error|_total|_next|_time)?)((?:\[[^\[\]]*\])+)")


def batch_commands(cmd: Any) -> list[tuple[str, str]]:
    if is_dict(cmd):
        return [(str(k), str(v)) for k, v in cmd.items()]
    if is_list(cmd):
        return [(str(i), str(v)) for i, v in enumerate(cmd)]
    return []


def is_truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "y", "yes")
    return bool(value)


def resolve_ref(tables: Mapping[str, Mapping[str, Any]], table: str, path: str) -> Any:
    """`$result[c0][49][ID]` against the answers so far; a missing step gives ""."""
    node: Any = tables.get(table, {})
    for step in re.findall(r"\[([^\]]*)\]", path):
        if is_dict(node):
            node = node.get(step)
        elif is_list(node) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            node = None
        if node is None:
            return ""
    return node


def ref_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def substitute_refs(value: Any, tables: Mapping[str, Mapping[str, Any]]) -> Any:
    """Replace batch references in parameter values; a value that is one whole reference
    takes the referenced value as it is (a list or an object included)."""
    if is_dict(value):
        return {k: substitute_refs(v, tables) for k, v in value.items()}
    if is_list(value):
        return [substitute_refs(v, tables) for v in value]
    if not isinstance(value, str) or "$result" not in value:
        return value
    whole = BATCH_REF.fullmatch(value)
    if whole:
        return resolve_ref(tables, whole.group(1), whole.group(2))
    return BATCH_REF.sub(
        lambda m: ref_text(resolve_ref(tables, m.group(1), m.group(2))), value
    )


@dataclass
class BatchTables:
    result: dict[str, Any] = field(default_factory=dict[str, Any])
    result_error: dict[str, Any] = field(default_factory=dict[str, Any])
    result_total: dict[str, Any] = field(default_factory=dict[str, Any])
    result_next: dict[str, Any] = field(default_factory=dict[str, Any])
    result_time: dict[str, Any] = field(default_factory=dict[str, Any])

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {
            "result": self.result,
            "result_error": self.result_error,
            "result_total": self.result_total,
            "result_next": self.result_next,
            "result_time": self.result_time,
        }

    def record(self, key: str, answer: Answer) -> None:
        self.result[key] = answer.result
        if answer.total is not None:
            self.result_total[key] = answer.total
        if answer.next is not None:
            self.result_next[key] = answer.next
        self.result_time[key] = answer.time

    def answer(self) -> dict[str, Any]:
        return {name: php_array(table) for name, table in self.as_dict().items()}


def v3_batch_commands(body: Body) -> tuple[list[tuple[str, str, Any]], bool]:
    """The commands of a REST v3 batch as (key, method, query), and whether they came
    named (an object) rather than as the documented array."""
    entries: list[tuple[Any, Any]]
    if body.array is not None:
        entries = list(enumerate(body.array))
        named = False
    else:
        data = {k: v for k, v in body.params.items() if k != "auth"}
        cmd = data.get("cmd")
        if is_dict(cmd) and any(isinstance(v, str) for v in cmd.values()):
            raise Refusal(
                400,
                V3_INVALID_SELECT,
                "REST 3.0 batch takes a JSON array of {method, query}, not `cmd`",
            )
        entries = list(data.items())
        named = True
    commands: list[tuple[str, str, Any]] = []
    for key, entry in entries:
        if not (
            is_dict(entry)
            and isinstance(entry.get("method"), str)
            and isinstance(entry.get("query"), dict)
        ):
            raise Refusal(
                400,
                V3_INVALID_SELECT,
                f"batch command {key} needs `method` and a `query` object",
            )
        commands.append((str(key), entry["method"], entry["query"]))
    if not commands:
        raise Refusal(400, V3_VALIDATION, "batch needs at least one command")
    return commands, named


# ---------------------------------------------------------------- routes and faults


@dataclass(frozen=True)
class Route:
    kind: str  # "webhook" | "token" | "oauth" | "unknown"
    api: str = "v2"
    method: str = ""
    user: str = ""
    secret: str = ""


def parse_route(path: str) -> Route:
    segments = [s for s in path.split("/") if s]
    if segments[:2] == ["oauth", "token"] and len(segments) == 2:
        return Route("oauth")
    if not segments or segments[0] != "rest":
        return Route("unknown")
    rest = segments[1:]
    api = "v2"
    if len(rest) in (2, 4) and rest[0] == "api":
        api, rest = "v3", rest[1:]
    method = (
        rest[-1][:-5]
        if rest and rest[-1].endswith(".json")
        else (rest[-1] if rest else "")
    )
    if len(rest) == 3:
        return Route("webhook", api, method, rest[0], rest[1])
    if len(rest) == 1:
        return Route("token", api, method)
    return Route("unknown", api, method)


@dataclass
class Fault:
    method: str | None
    kind: str
    times: int
    delay: float = 0.0
    reply: Reply | None = None  # kind "reply": the answer to give

    def matches(self, method: str) -> bool:
        return self.method is None or self.method == method.lower()


@dataclass
class Body:
    """A request's parameters: URL query and body together (the body wins on a
    clash), and a JSON-array body as it came."""

    params: dict[str, Any]
    array: list[Any] | None = None


def read_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """URL query and body together; the body wins on a clash."""
    return read_body(query, body, content_type).params


def read_body(query: str, body: bytes, content_type: str) -> Body:
    params = parse_query(query)
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return Body(params)
    if "json" in content_type.lower() or text.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except ValueError:
            raise Refusal(
                400, "ERROR_ARGUMENT", "The request body is not valid JSON"
            ) from None
    else:
        data = parse_query_value(text)
    if is_list(data):
        return Body(params, data)
    if not is_dict(data):
        raise Refusal(
            400, "ERROR_ARGUMENT", "The request body must be a JSON object or array"
        )
    params.update(data)
    return Body(params)


# ---------------------------------------------------------------- HTTPS

_TLS_LOCK = threading.Lock()
_tls: TlsFiles | None = None


@dataclass(frozen=True)
class TlsFiles:
    """A throw-away CA and a server certificate it signed for 127.0.0.1 and
    localhost (PEM files in a temporary folder removed at exit)."""

    ca: Path
    cert: Path
    key: Path


def tls_files() -> TlsFiles:
    """The mock's certificates, made once a process: with the `cryptography` package
    when it is installed, else with the `openssl` binary."""
    global _tls
    with _TLS_LOCK:
        if _tls is None:
            folder = Path(tempfile.mkdtemp(prefix="b24mock-tls-"))
            atexit.register(shutil.rmtree, folder, True)
            try:
                importlib.import_module("cryptography")
            except ImportError:
                _tls = openssl_certificates(folder)
            else:
                _tls = cryptography_certificates(folder)
        return _tls


def openssl_certificates(folder: Path) -> TlsFiles:
    """The CA and the server certificate made by the `openssl` binary."""
    if shutil.which("openssl") is None:
        raise RuntimeError(
            "HTTPS mode needs the `cryptography` package or the `openssl` binary"
        )
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    extensions = folder / "server.ext"
    extensions.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n",
        encoding="utf-8",
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    steps = [
        ["req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30"]
        + ["-subj", "/CN=b24client mock portal CA"]
        + ["-addext", "basicConstraints=critical,CA:TRUE"]
        + ["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["req", *ec, "-keyout", "server.key", "-out", "server.csr"]
        + ["-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"]
        + ["-set_serial", str(random.getrandbits(63)), "-days", "30"]
        + ["-out", "server.pem", "-extfile", "server.ext"],
    ]
    for step in steps:
        done = subprocess.run(
            ["openssl", *step], cwd=folder, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"openssl {step[0]} failed: {done.stderr.strip()}")
    return files


def cryptography_certificates(folder: Path) -> TlsFiles:
    """The CA and the server certificate made with the `cryptography` package
    (imported by name: it is no dependency of the runtime)."""
    x509: Any = importlib.import_module("cryptography.x509")
    oid: Any = importlib.import_module("cryptography.x509.oid")
    hashes: Any = importlib.import_module("cryptography.hazmat.primitives.hashes")
    ec: Any = importlib.import_module("cryptography.hazmat.primitives.asymmetric.ec")
    encoding: Any = importlib.import_module(
        "cryptography.hazmat.primitives.serialization"
    )
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())

    def name(text: str) -> Any:
        return x509.Name([x509.NameAttribute(oid.NameOID.COMMON_NAME, text)])

    def builder(subject: str, public: Any) -> Any:
        return (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name("b24client mock portal CA"))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=30))
        )

    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        builder("b24client mock portal CA", ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        builder("127.0.0.1", key.public_key())
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.DNSName("localhost"),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([oid.ExtendedKeyUsageOID.SERVER_AUTH]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca.write_bytes(ca.public_bytes(encoding.Encoding.PEM))
    files.cert.write_bytes(server.public_bytes(encoding.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            encoding.Encoding.PEM,
            encoding.PrivateFormat.PKCS8,
            encoding.NoEncryption(),
        )
    )
    return files


# ---------------------------------------------------------------- the portal


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    portal: MockPortal

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout, dropped connection) is not an error here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            # The TLS handshake runs here, in the request's thread, not in the accept
            # loop, so one slow client does not hold up the others.
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        # Headers and body go out in two writes; without this, delayed ACKs add ~40 ms a
        # call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        portal = cast(_Server, self.server).portal  # the server this handler serves
        reply = portal.respond(
            verb,
            self.path,
            body,
            self.headers.get("Content-Type", ""),
            tuple(self.headers.items()),
        )
        if reply is None:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class MockPortal:
    """A Bitrix24-compatible REST endpoint on 127.0.0.1 built from the method specs."""

    def __init__(
        self,
        data: Mapping[str, Any] | str | Path | None = None,
        *,
        drain: float = 2.0,
        burst: float = 50,
        operating_per_call: float = 0.0,
        dataset_size: int = 0,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
    ) -> None:
        facts = data if isinstance(data, Mapping) else load_mockdata(data)
        self.methods = method_table(facts)
        self.bucket = LeakyBucket(drain, burst)
        self.operating = OperatingClock()
        self.operating_per_call = operating_per_call
        self.dataset_size = dataset_size
        self.seed = seed
        self.host = host
        self.port = port
        self.tls = tls
        self.user_id = WEBHOOK_USER
        self.secret = WEBHOOK_SECRET
        self.requests: list[Received] = []
        self.count_503 = 0
        self.count_429 = 0
        self.refreshes = 0
        self.valid_tokens = {VALID_TOKEN}
        self.expired_tokens = {EXPIRED_TOKEN}
        self._faults: list[Fault] = []
        self._stores: dict[str, Store | None] = {}
        self._moved: tuple[str, int] | None = None
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle

    def start(self) -> MockPortal:
        if self._server is None:
            server = _Server((self.host, self.port), _Handler)
            server.portal = self
            if self.tls:
                files = tls_files()
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(files.cert, files.key)
                server.socket = context.wrap_socket(
                    server.socket, server_side=True, do_handshake_on_connect=False
                )
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, args=(0.05,), daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MockPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the mock portal is not started")
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes | bytearray):
            host = host.decode()
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    @property
    def domain(self) -> str:
        """host:port, the way SDKs that build `https://<domain>/rest/` want it."""
        return urlsplit(self.url).netloc

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/rest/{self.user_id}/{self.secret}/"

    @property
    def ca_path(self) -> Path | None:
        """The CA certificate a client trusts to verify the HTTPS mode (None without
        it)."""
        return tls_files().ca if self.tls else None

    @property
    def cert_path(self) -> Path | None:
        """The server's certificate in HTTPS mode (signed by `ca_path`)."""
        return tls_files().cert if self.tls else None

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the HTTPS mode's CA (and nothing else)."""
        if not self.tls:
            raise RuntimeError("the mock portal serves plain HTTP (tls=False)")
        return ssl.create_default_context(cafile=str(tls_files().ca))

    def __repr__(self) -> str:
        where = self.url if self._server else "stopped"
        return f"MockPortal({where}, {len(self.methods)} methods)"

    # -- test controls

    def inject(
        self, method: str | None, kind: str, times: int = 1, delay: float = 0.0
    ) -> None:
        """Make the next `times` requests for `method` (None: any) fail the given
        way."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(
                Fault(method.lower() if method else None, kind, times, delay)
            )

    def reply(
        self,
        method: str | None,
        status: int,
        body: Any,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests for `method` (None: any) with exactly
        this: `body` as JSON (bytes as they are)."""
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        kind = JSON_TYPE if not isinstance(body, bytes) else "text/html; charset=utf-8"
        canned = Reply(status, payload, kind, tuple((headers or {}).items()))
        with self._lock:
            self._faults.append(
                Fault(method.lower() if method else None, "reply", times, reply=canned)
            )

    def move_to(self, url: str | None, status: int = 301) -> None:
        """Answer every REST call with `status` and a Location on `url` with the same
        path, as a renamed portal does (None: serve again)."""
        with self._lock:
            self._moved = (url.rstrip("/"), status) if url else None

    def expire_token(self, token: str = VALID_TOKEN) -> None:
        """From now on `token` answers 401 `expired_token`."""
        with self._lock:
            self.valid_tokens.discard(token)
            self.expired_tokens.add(token)

    def calls(self, method: str) -> list[Received]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

    @property
    def tasks(self) -> dict[int, dict[str, Any]]:
        """The tasks by ID, as `tasks.task.list`, `.get` and the status methods see
        them (the rows themselves: a test may change them)."""
        store = self._store(TASK_FAMILY)
        return store.by_id if store is not None else {}

    def rows(self, family: str) -> list[dict[str, Any]]:
        """The rows a group of methods (`crm.item`, `tasks.task`) shares."""
        store = self._store(family_of(family + ".x"))
        return store.rows if store is not None else []

    # -- one HTTP request

    def respond(
        self,
        verb: str,
        raw_path: str,
        body: bytes,
        content_type: str,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> Reply | None:
        """The reply to one request, or None to drop the connection unanswered."""
        started = time.time()
        parts = urlsplit(raw_path)
        route = parse_route(parts.path)
        try:
            request = read_body(parts.query, body, content_type)
            bad_body = None
        except Refusal as refusal:
            request, bad_body = Body({}), refusal
        params = request.params
        with self._lock:
            self.requests.append(
                Received(
                    parts.path,
                    route.method,
                    dict(params),
                    started,
                    route.api,
                    verb,
                    headers,
                    request.array,
                )
            )
            moved = self._moved
        if moved is not None and route.kind in ("webhook", "token"):
            return Reply(
                moved[1],
                b"",
                "text/html; charset=utf-8",
                (("Location", moved[0] + raw_path),),
            )
        fault = self._take_fault(route.method)
        if fault is not None and fault.reply is not None:
            return fault.reply
        if fault is not None and fault.kind != "slow":
            return fault_reply(fault.kind)
        if fault is not None:
            time.sleep(fault.delay)
        if route.kind == "oauth":
            return self._token_reply(params)
        try:
            if bad_body is not None:
                raise bad_body
            if route.kind == "unknown":
                raise Refusal(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
            self._authenticate(route, params)
            if not self.bucket.admit():
                with self._lock:
                    self.count_503 += 1
                raise Refusal(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
            if route.method.lower() == "batch" and route.api == "v2":
                answer = self._batch(params, started)
            elif route.method.lower() == "batch":
                answer = self._batch_v3(request, started)
            else:
                answer = self._call(
                    route.api, route.method, params, array=request.array
                )
        except Refusal as refusal:
            return json_reply(refusal.status, error_body(route.api, refusal))
        return json_reply(200, success_body(route.api, answer))

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _authenticate(self, route: Route, params: dict[str, Any]) -> None:
        token = params.pop("auth", None)
        if route.kind == "webhook":
            if (route.user, route.secret) != (self.user_id, self.secret):
                raise Refusal(401, "NO_AUTH_FOUND", "Wrong authorization data")
            return
        with self._lock:
            if token in self.valid_tokens:
                return
            if token in self.expired_tokens:
                raise Refusal(
                    401, "expired_token", "The access token provided has expired"
                )
        raise Refusal(401, "NO_AUTH_FOUND", "Wrong authorization data")

    def _token_reply(self, params: Mapping[str, Any]) -> Reply:
        if params.get("grant_type") != "refresh_token":
            return json_reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Use refresh_token",
                },
            )
        refresh = params.get("refresh_token")
        if not refresh or refresh == INVALID_REFRESH_TOKEN:
            return json_reply(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Invalid refresh token",
                },
            )
        with self._lock:
            self.refreshes += 1
            n = self.refreshes
            token = f"token-{n}"
            self.valid_tokens.add(token)
        return json_reply(200, token_grant(token, f"refresh-{n}", self.url))

    # -- methods

    def _call(
        self,
        api: str,
        method: str,
        params: dict[str, Any],
        in_batch: bool = False,
        array: list[Any] | None = None,
    ) -> Answer:
        started = time.time()
        name = method.lower()
        spec = self.methods.get((api, name))
        if in_batch and name == "batch":
            raise Refusal(
                405,
                "ERROR_BATCH_METHOD_NOT_ALLOWED",
                "Method is not allowed for batch usage",
            )
        if spec is None:
            raise Refusal(404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
        if in_batch and spec.get("batch") is False:
            raise Refusal(
                405,
                "ERROR_BATCH_METHOD_NOT_ALLOWED",
                "Method is not allowed for batch usage",
            )
        if array is not None:
            params = {**params, **positional_params(spec, array)}
        key = f"{api}:{name}"
        if self.operating.blocked(key):
            with self._lock:
                self.count_429 += 1
            raise Refusal(
                429,
                "OPERATION_TIME_LIMIT",
                "Method is blocked due to operation time limit",
            )
        try:
            check_params(api, spec, params)
            answer = self._execute(api, name, spec, params)
        finally:
            self.operating.add(key, self.operating_per_call)
        answer.time = time_block(
            started,
            time.time(),
            self.operating.total(key),
            self.operating.reset_at(key),
        )
        return answer

    def _execute(
        self, api: str, name: str, spec: Mapping[str, Any], params: Mapping[str, Any]
    ) -> Answer:
        if api == "v2" and name in TRANSITIONS:
            return self._transition(TRANSITIONS[name], spec, params)
        if is_list_method(spec):
            return self._list(api, spec, params)
        found = self._get(api, spec, params)
        if found is not None:
            return found
        result = spec.get("result")
        if result is None and looks_like_list(spec):
            return empty_list(api, spec)
        return Answer(True if result is None else result)

    def _transition(
        self, rule: Transition, spec: Mapping[str, Any], params: Mapping[str, Any]
    ) -> Answer:
        _, value = find_param(params, rule.param, exact=False)
        task_id = int(value)
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None:
                raise documented_refusal(
                    spec,
                    "not_found",
                    Refusal(400, "ERROR_TASK_NOT_FOUND", "Task not found"),
                )
            if not transition_allowed(rule, task):
                raise Refusal(400, FORBIDDEN_CODE, FORBIDDEN_MESSAGE)
            task["status"] = rule.target
            snapshot = dict(task)
        if not rule.returns_task:
            return Answer(spec.get("result"))
        return Answer(embed_row(spec.get("result") or {"task": {}}, snapshot, "v2"))

    # -- the rows lists and gets share

    def _list_specs(self, family: str) -> list[Mapping[str, Any]]:
        """The paged list methods of a group, v2 first."""
        specs = [
            m
            for (_, name), m in sorted(self.methods.items())
            if family_of(name) == family and is_list_method(m)
        ]
        return sorted(specs, key=lambda m: m.get("api") != "v2")

    def _store(self, family: str) -> Store | None:
        """The rows of a group, made on first use: generated (`dataset_size`), or the
        rows of its list methods' documented examples (None when those have rows
        without IDs: the lists then answer their examples as they are)."""
        with self._lock:
            if family not in self._stores:
                rows = self._seed_rows(family)
                self._stores[family] = Store(rows) if rows is not None else None
            return self._stores[family]

    def _seed_rows(self, family: str) -> list[dict[str, Any]] | None:
        if self.dataset_size > 0:
            ids = dataset_ids(self.dataset_size, self.seed)
            return [generated_row(i, family) for i in ids]
        rows: dict[int, dict[str, Any]] = {}
        if family == TASK_FAMILY:
            rows = {n: generated_row(n, family) for n in range(1, TASK_COUNT + 1)}
        unkeyed = False
        for spec in self._list_specs(family):
            for row in example_rows(spec.get("result")) or []:
                key = row_id(row)
                if key is None:
                    unkeyed = True
                    continue
                rows[key] = {**rows.get(key, {}), **row}
        if unkeyed and not rows:
            return None
        return list(rows.values())

    def _list(
        self, api: str, spec: Mapping[str, Any], params: Mapping[str, Any]
    ) -> Answer:
        store = self._store(family_of(spec["name"]))
        if store is None:
            return documented_list(spec.get("result"))
        shape = list_shape(spec)
        exact = api == "v3"
        _, filter_ = find_param(params, "filter", exact)
        _, order = find_param(params, "order", exact)
        test, lowest = row_filter(api, filter_)
        descending = id_descending(order)
        with self._lock:
            if api == "v2" and start_offset(params) == -1 and not descending:
                # No counting asked for: find the first page without scanning the
                # whole dataset.
                rows = first_matches(store, test, lowest, PAGE_SIZE)
                return Answer(wrap_rows([render_row(r, shape) for r in rows], shape))
            items = store.rows[bisect.bisect_left(store.ids, lowest) :]
            items = [r for r in items if test(r)] if test is not None else items
            if descending:  # the rows are kept in ascending order
                items = items[::-1]
            if api == "v3":
                _, select = find_param(params, "select", exact)
                page = [
                    apply_select(render_row(r, shape), select, shape, True)
                    for r in page_v3(items, params.get("pagination"))
                ]
                return Answer(wrap_rows(page, shape))
            rows, total, nxt = page_v2(items, start_offset(params))
            rendered = [render_row(r, shape) for r in rows]
        return Answer(wrap_rows(rendered, shape), total=total, next=nxt)

    def _get(
        self, api: str, spec: Mapping[str, Any], params: Mapping[str, Any]
    ) -> Answer | None:
        """`<entity>.get` with an ID: the row of the group's store, or not found."""
        name = str(spec["name"]).lower()
        family = family_of(name)
        if name.rpartition(".")[2] != "get" or not self._list_specs(family):
            return None
        id_param = id_parameter(spec, family)
        if id_param is None:
            return None
        found, value = find_param(params, id_param, exact=api == "v3")
        store = self._store(family)
        if not found or store is None:
            return None
        with self._lock:
            row = store.by_id.get(int(value)) if is_int(value) else None
            snapshot = dict(row) if row is not None else None
        if snapshot is None:
            fallback = (
                Refusal(400, V3_NOT_FOUND, "Entity not found")
                if api == "v3"
                else Refusal(400, "NOT_FOUND", "Not found")
            )
            raise documented_refusal(spec, "not_found", fallback)
        return Answer(embed_row(spec.get("result"), snapshot, api))

    # -- batch

    def _batch(self, params: Mapping[str, Any], started: float) -> Answer:
        commands = batch_commands(params.get("cmd"))
        if len(commands) > BATCH_LIMIT:
            raise Refusal(
                400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"
            )
        halt = is_truthy(params.get("halt", 0))
        tables = BatchTables()
        for key, text in commands:
            method, _, query = text.partition("?")
            parsed = substitute_refs(parse_query_value(query), tables.as_dict())
            array = parsed if is_list(parsed) else None
            command_params: dict[str, Any] = {} if array is not None else dict(parsed)
            command_params.pop("auth", None)
            try:
                answer = self._call(
                    "v2", method.strip(), command_params, in_batch=True, array=array
                )
            except Refusal as refusal:
                tables.result_error[key] = {
                    "error": refusal.code,
                    "error_description": refusal.message,
                }
                if halt:
                    break
                continue
            tables.record(key, answer)
        finished = time.time()
        return Answer(
            tables.answer(),
            time=time_block(started, finished, 0.0, finished + OPERATING_WINDOW),
        )

    def _batch_v3(self, request: Body, started: float) -> Answer:
        """REST v3 batch: all or nothing, the first failing command's error is the
        answer."""
        commands, named = v3_batch_commands(request)
        if len(commands) > BATCH_LIMIT:
            raise Refusal(
                400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"
            )
        results: list[tuple[str, Any]] = []
        for key, method, query in commands:
            answer = self._call("v3", method.strip(), dict(query), in_batch=True)
            results.append((key, answer.result))
        finished = time.time()
        result: Any = dict(results) if named else [r for _, r in results]
        return Answer(
            result, time=time_block(started, finished, 0.0, finished + OPERATING_WINDOW)
        )


def transition_allowed(rule: Transition, task: Mapping[str, Any]) -> bool:
    if rule.allowed_from is not None and task["status"] not in rule.allowed_from:
        return False
    return not rule.needs_control or task.get("taskControl") == "Y"


def fault_reply(kind: str) -> Reply | None:
    if kind == "drop":
        return None
    if kind == "html":
        return Reply(502, HTML_PAGE, "text/html; charset=utf-8")
    return json_reply(
        500,
        {
            "error": "INTERNAL_SERVER_ERROR",
            "error_description": "Internal server error",
        },
    )


def token_grant(access: str, refresh: str, url: str) -> dict[str, Any]:
    now = int(time.time())
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": 3600,
        "expires": now + 3600,
        "scope": "app",
        "domain": urlsplit(url).netloc,
        "server_endpoint": f"{url}/oauth/rest/",
        "client_endpoint": f"{url}/rest/",
        "member_id": "mockmember",
        "user_id": 1,
        "status": "L",
    }


@contextmanager
def mock_portal(
    data: Mapping[str, Any] | str | Path | None = None, **options: Any
) -> Generator[MockPortal, None, None]:
    """A started MockPortal for a `with` block or a pytest fixture; stopped on exit."""
    portal = MockPortal(data, **options).start()
    try:
        yield portal
    finally:
        portal.stop()
