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
  `/oauth/token/` for the `refresh_token` grant. Parameters come as a JSON body or as a
  PHP-style query string (`filter[>ID]=5&order[ID]=ASC`), in the body or the URL.
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
  answers, `halt`, `ERROR_BATCH_METHOD_NOT_ALLOWED` for methods marked `batch: false`.
- lists (`pagination` start-next or page-limit): `dataset_size` generated items with
  ascending IDs (1..N for seed 0, gaps drawn from the seed otherwise), paged by `start`
  (50 a page; `-1` skips `total`/`next`) or v3 `pagination: {page, limit, offset}`;
  filtered on the ID (`>ID`, `>=id`, `<`, `<=`, `=`, `!`, `@`; v3 `[["id", ">", 5]]`)
  and ordered by ID. With `dataset_size=0` a list method answers its documented example.
- tasks 1..20 with the status rules of the task methods: task n has status
  (2, 3, 4, 5, 6)[(n - 1) % 5] and task control for odd n. Start puts a task in progress
  (3); defer works only from 3 (to 6); renew only from completed 5 (to 2); approve only
  on a task waiting for control (4) with task control on (to 5). A refused change
  answers 400 `1048582`. `tasks.task.start`, `.defer` and `.renew` are served even
  without a spec.
- faults: `inject(method_or_None, kind, times=1, delay=0.0)` with kind `drop` (close the
  connection after reading the request), `500`, `html` (a 502 HTML page) or `slow`
  (sleep `delay`, then answer). A fault matches the method named in the URL (`batch` for
  a batch).
"""

from __future__ import annotations

import bisect
import json
import random
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["MockPortal", "Received", "load_mockdata", "mock_portal", "parse_query"]

PAGE_SIZE = 50
BATCH_LIMIT = 50
OPERATING_LIMIT = 480.0
OPERATING_WINDOW = 600.0
BASKET_SECONDS = 60.0
V3_VALIDATION = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"
V3_VALIDATION_MESSAGE = "Error during request object validation"
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
TASK_COUNT = 20
FORBIDDEN_CODE = "1048582"
FORBIDDEN_MESSAGE = "Action on the task is not allowed"


# ----------------------------------------------------------- data the mock answers from


def load_mockdata(path: str | Path | None = None) -> dict[str, Any]:
    """The method facts rendered next to this module (or another mockdata.json)."""
    source = Path(path) if path else Path(__file__).with_name("mockdata.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
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


def seed_tasks() -> dict[int, dict[str, str]]:
    statuses = (PENDING, IN_PROGRESS, WAITING_CONTROL, COMPLETED, DEFERRED)
    return {
        n: {
            "id": str(n),
            "title": f"Task {n}",
            "status": statuses[(n - 1) % len(statuses)],
            "taskControl": "Y" if n % 2 else "N",
        }
        for n in range(1, TASK_COUNT + 1)
    }


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
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child


def php_lists(value: Any) -> Any:
    """Maps keyed 0..n-1 become lists, the way PHP arrays encode to JSON."""
    if isinstance(value, dict):
        value = {k: php_lists(v) for k, v in value.items()}
        if value and list(value) == [str(i) for i in range(len(value))]:
            return list(value.values())
    return value


def parse_query(text: str) -> dict[str, Any]:
    """A PHP `http_build_query` string to nested data:
    `a[b][]=1&c=2` -> {"a": {"b": ["1"]}, "c": "2"}."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        put_value(out, key_path(key), value)
    params: dict[str, Any] = php_lists(out)
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


@dataclass
class Answer:
    result: Any
    total: int | None = None
    next: int | None = None
    time: dict[str, Any] | None = None


@dataclass(frozen=True)
class Received:
    """One request as the portal saw it."""

    path: str
    method: str  # the REST method named in the URL ("" for other paths)
    params: dict[str, Any]
    time: float
    api: str = "v2"
    http_method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()

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
    out = []
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
    found = (spec.get("error_roles") or {}).get(role)
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


# ---------------------------------------------------------------- generated list data


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
    if isinstance(example, dict):
        keys = [k for k, v in example.items() if isinstance(v, list)]
        if len(keys) == 1:
            wrapper, rows = keys[0], example[keys[0]]
    first = (
        rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
    )
    if not first:
        return ListShape(wrapper, lower=v3, int_ids=v3)
    lower = "id" in first or "ID" not in first
    sample = first.get("id", first.get("ID"))
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
    ids, current = [], 0
    for _ in range(size):
        current += rng.randint(1, 3)
        ids.append(current)
    return ids


def make_item(item_id: int, shape: ListShape) -> dict[str, Any]:
    value: Any = item_id if shape.int_ids else str(item_id)
    title = "title" if shape.lower else "TITLE"
    return {shape.id_key: value, title: f"Item {item_id}"}


def is_list_method(spec: Mapping[str, Any]) -> bool:
    return spec.get("pagination") in ("start-next", "page-limit")


V2_ID_KEY = re.compile(r"^(>=|<=|!=|>|<|=|!|@)?id$", re.IGNORECASE)
V3_OPERATORS = {">", ">=", "<", "<=", "=", "!=", "in"}


def id_conditions(filter_: Any) -> list[tuple[str, Any]]:
    """The (operator, value) pairs of a filter that concern the ID, v2 or v3 form."""
    out: list[tuple[str, Any]] = []
    if isinstance(filter_, dict):
        for key, value in filter_.items():
            m = V2_ID_KEY.match(str(key))
            if m:
                out.append((m.group(1) or "=", value))
    elif isinstance(filter_, list):
        for cond in filter_:
            if (
                isinstance(cond, list)
                and len(cond) == 3
                and str(cond[0]).lower() == "id"
            ):
                out.append((str(cond[1]).lower(), cond[2]))
            elif (
                isinstance(cond, list)
                and len(cond) == 2
                and str(cond[0]).lower() == "id"
            ):
                out.append(("=", cond[1]))
    return out


def id_matches(item_id: int, op: str, value: Any) -> bool:
    if op in ("@", "in"):
        values = value if isinstance(value, (list, dict)) else [value]
        values = list(values.values()) if isinstance(values, dict) else values
        if not all(is_int(v) for v in values):
            raise Refusal(
                400, "INVALID_ARG_VALUE", "Invalid filter: field 'ID' has invalid value"
            )
        return item_id in {int(v) for v in values}
    if not is_int(value):
        raise Refusal(
            400, "INVALID_ARG_VALUE", "Invalid filter: field 'ID' has invalid value"
        )
    target = int(value)
    return {
        ">": item_id > target,
        ">=": item_id >= target,
        "<": item_id < target,
        "<=": item_id <= target,
        "=": item_id == target,
        "!=": item_id != target,
        "!": item_id != target,
    }.get(op, True)


def filter_by_id(
    items: list[dict[str, Any]], shape: ListShape, filter_: Any
) -> list[dict[str, Any]]:
    conditions = id_conditions(filter_)
    return [
        i
        for i in items
        if all(id_matches(int(i[shape.id_key]), op, v) for op, v in conditions)
    ]


def first_matches(
    items: list[dict[str, Any]],
    shape: ListShape,
    conditions: list[tuple[str, Any]],
    limit: int,
) -> list[dict[str, Any]]:
    """The first `limit` items (ascending IDs) meeting the conditions, starting the scan
    at the lower bound a `>`/`>=` condition gives."""
    lower = 0
    for op, value in conditions:
        if op in (">", ">=") and is_int(value):
            key = int(value) + (1 if op == ">" else 0)
            lower = max(
                lower,
                bisect.bisect_left(items, key, key=lambda i: int(i[shape.id_key])),
            )
    out: list[dict[str, Any]] = []
    for item in items[lower:]:
        if all(id_matches(int(item[shape.id_key]), op, v) for op, v in conditions):
            out.append(item)
            if len(out) == limit:
                break
    return out


def id_descending(order: Any) -> bool:
    if isinstance(order, dict):
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
    p = pagination if isinstance(pagination, dict) else {}
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
    names = {str(s).lower() for s in (select if isinstance(select, list) else [])}
    if "*" in names:
        return dict(item)
    return {k: v for k, v in item.items() if k == shape.id_key or k.lower() in names}


def wrap_rows(rows: list[Any], shape: ListShape) -> Any:
    return {shape.wrapper: rows} if shape.wrapper else rows


def documented_list(result: Any) -> Answer:
    """A list method answered from its documented example (no generated dataset)."""
    rows = result
    if isinstance(result, dict):
        lists = [v for v in result.values() if isinstance(v, list)]
        rows = lists[0] if len(lists) == 1 else None
    return Answer(result, total=len(rows) if isinstance(rows, list) else None)


# ---------------------------------------------------------------- batch


BATCH_REF = re.compile(r"\$(result(?:_error|_total|_next|_time)?)((?:\[[^\[\]]*\])+)")


def batch_commands(cmd: Any) -> list[tuple[str, str]]:
    if isinstance(cmd, dict):
        return [(str(k), str(v)) for k, v in cmd.items()]
    if isinstance(cmd, list):
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
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
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
    if isinstance(value, dict):
        return {k: substitute_refs(v, tables) for k, v in value.items()}
    if isinstance(value, list):
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
    result: dict[str, Any] = field(default_factory=dict)
    result_error: dict[str, Any] = field(default_factory=dict)
    result_total: dict[str, Any] = field(default_factory=dict)
    result_next: dict[str, Any] = field(default_factory=dict)
    result_time: dict[str, Any] = field(default_factory=dict)

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

    def matches(self, method: str) -> bool:
        return self.method is None or self.method == method.lower()


def read_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """URL query and body together; the body wins on a clash."""
    params = parse_query(query)
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return params
    if "json" in content_type.lower() or text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise Refusal(
                400, "ERROR_ARGUMENT", "The request body is not valid JSON"
            ) from None
        if not isinstance(data, dict):
            raise Refusal(
                400, "ERROR_ARGUMENT", "The request body must be a JSON object"
            )
        params.update(data)
    else:
        params.update(parse_query(text))
    return params


# ---------------------------------------------------------------- the portal


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    portal: MockPortal

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout, dropped connection) is not an error here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
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
        reply = self.server.portal.respond(
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
        self.user_id = WEBHOOK_USER
        self.secret = WEBHOOK_SECRET
        self.tasks = seed_tasks()
        self.requests: list[Received] = []
        self.count_503 = 0
        self.count_429 = 0
        self.refreshes = 0
        self.valid_tokens = {VALID_TOKEN}
        self.expired_tokens = {EXPIRED_TOKEN}
        self._faults: list[Fault] = []
        self._datasets: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle

    def start(self) -> MockPortal:
        if self._server is None:
            server = _Server((self.host, self.port), _Handler)
            server.portal = self
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
        return f"http://{host}:{port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/rest/{self.user_id}/{self.secret}/"

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

    def expire_token(self, token: str = VALID_TOKEN) -> None:
        """From now on `token` answers 401 `expired_token`."""
        with self._lock:
            self.valid_tokens.discard(token)
            self.expired_tokens.add(token)

    def calls(self, method: str) -> list[Received]:
        return [r for r in self.requests if r.method.lower() == method.lower()]

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
            params = read_params(parts.query, body, content_type)
            bad_body = None
        except Refusal as refusal:
            params, bad_body = {}, refusal
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
                )
            )
        fault = self._take_fault(route.method)
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
            if route.api == "v2" and route.method.lower() == "batch":
                answer = self._batch(params, started)
            else:
                answer = self._call(route.api, route.method, params)
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
        self, api: str, method: str, params: dict[str, Any], in_batch: bool = False
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
        result = spec.get("result")
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
        return Answer({"task": snapshot} if rule.returns_task else spec.get("result"))

    def _dataset(
        self, api: str, spec: Mapping[str, Any], shape: ListShape
    ) -> list[dict[str, Any]]:
        key = (api, spec["name"].lower())
        with self._lock:
            if key not in self._datasets:
                ids = dataset_ids(self.dataset_size, self.seed)
                self._datasets[key] = [make_item(i, shape) for i in ids]
            return self._datasets[key]

    def _list(
        self, api: str, spec: Mapping[str, Any], params: Mapping[str, Any]
    ) -> Answer:
        if self.dataset_size <= 0:
            return documented_list(spec.get("result"))
        shape = list_shape(spec)
        dataset = self._dataset(api, spec, shape)
        if (
            api == "v2"
            and start_offset(params) == -1
            and not id_descending(params.get("order"))
        ):
            # No counting asked for: find the first page without scanning the whole
            # dataset.
            rows = first_matches(
                dataset, shape, id_conditions(params.get("filter")), PAGE_SIZE
            )
            return Answer(wrap_rows([dict(r) for r in rows], shape))
        conditions = id_conditions(params.get("filter"))
        items = (
            filter_by_id(dataset, shape, params.get("filter"))
            if conditions
            else dataset
        )
        if id_descending(params.get("order")):  # the dataset is kept in ascending order
            items = items[::-1]
        if api == "v3":
            rows = page_v3(items, params.get("pagination"))
            return Answer(
                wrap_rows(
                    [apply_select(r, params.get("select"), shape, True) for r in rows],
                    shape,
                )
            )
        rows, total, nxt = page_v2(items, start_offset(params))
        return Answer(wrap_rows([dict(r) for r in rows], shape), total=total, next=nxt)

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
            command_params = substitute_refs(parse_query(query), tables.as_dict())
            command_params.pop("auth", None)
            try:
                answer = self._call("v2", method.strip(), command_params, in_batch=True)
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


def transition_allowed(rule: Transition, task: Mapping[str, str]) -> bool:
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
) -> Iterator[MockPortal]:
    """A started MockPortal for a `with` block or a pytest fixture; stopped on exit."""
    portal = MockPortal(data, **options).start()
    try:
        yield portal
    finally:
        portal.stop()
