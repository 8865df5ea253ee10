# Part of the b24gen runtime: ordinary Python, copied unchanged into every generated
# package (its source is generator/runtime/ of b24gen). Do not edit the copy.
"""Call policy written once for both clients: pacing, retries, token refresh, batch,
paging.

Each flow is a generator that yields actions (`Sleep`, `Send`, `Refresh`) and receives
their outcomes; the sync client runs them with blocking calls, the async client with
awaits. No policy lives in the clients themselves.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote

from ._errors import Bitrix24Error, ServerError, TransportError, error_class
from ._runtime import (
    Auth,
    MethodSpec,
    Request,
    Result,
    build_request,
    parse_response,
    spec_for,
)

# Decisions (retries, waits, token refreshes) are logged at DEBUG; no URL or secret is.
LOG = logging.getLogger("b24client")
RETRY_CODES = frozenset({"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT"})
REFRESH_CODES = frozenset({"expired_token"})
FINAL_CODES = frozenset({"PORTAL_DELETED", "OVERLOAD_LIMIT"})  # waiting does not help
SERVER_RETRY_STATUSES = frozenset({500, 502, 503, 504})
BATCH_SIZE = 50
PAGE_SIZE = 50
BATCH = MethodSpec("batch", "v2", idempotent=False)


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Limits:
    """The portal's leaky bucket (requests drain per second, burst before 503) and the
    per-method operating-time budget (seconds of server time per window)."""

    drain: float = 2.0
    burst: int = 50
    operating_budget: float = 480.0
    # Seconds of headroom: the portal starts draining when the first request arrives,
    # which is later than the client sends it, so the client keeps drain * margin below
    # the burst.
    margin: float = 0.1
    max_wait: float = (
        60.0  # a longer wait for the operating budget raises instead of sleeping
    )


STANDARD = Limits()
ENTERPRISE = Limits(drain=5.0, burst=250)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and jitter."""

    max_retries: int = 5
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling: float = min(self.cap, self.base * (2 ** (attempt - 1)))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


# ---------------------------------------------------------------- pacing


class LeakyBucket:
    """A client-side copy of the portal's counter: each request adds one, the counter
    drains at `rate` per second; a request waits until it fits under `burst`."""

    def __init__(self, rate: float, burst: float, clock: Any = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.level = 0.0
        self.stamp = clock()
        self.lock = threading.Lock()

    def reserve(self) -> float:
        """Take a place; returns how long to wait before sending."""
        with self.lock:
            now = self.clock()
            self.level = max(0.0, self.level - (now - self.stamp) * self.rate)
            self.stamp = now
            wait = max(0.0, (self.level + 1 - self.burst) / self.rate)
            self.level += 1
            return wait

    def saturate(self) -> None:
        """The portal said 503: assume its counter is full."""
        with self.lock:
            now = self.clock()
            self.level = max(self.level - (now - self.stamp) * self.rate, self.burst)
            self.stamp = now


class OperatingBudget:
    """Per-method server time as the portal reports it in `time.operating`; a method
    past its budget waits for `operating_reset_at`."""

    def __init__(self, budget: float, clock: Any = time.time) -> None:
        self.budget = budget
        self.clock = clock
        self.used: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def record(self, method: str, timing: Mapping[str, Any] | None) -> None:
        if not isinstance(timing, Mapping) or "operating" not in timing:
            return
        try:
            used = float(timing["operating"])
            reset = float(timing.get("operating_reset_at") or 0)
        except (TypeError, ValueError):
            return
        with self.lock:
            self.used[method.lower()] = (used, reset)

    def exhaust(self, method: str) -> None:
        with self.lock:
            _, reset = self.used.get(method.lower(), (0.0, 0.0))
            self.used[method.lower()] = (self.budget, reset)

    def wait(self, method: str) -> float:
        with self.lock:
            used, reset = self.used.get(method.lower(), (0.0, 0.0))
        if used < self.budget:
            return 0.0
        now: float = self.clock()
        return max(0.0, reset - now)


@dataclass
class Session:
    """Everything a client shares between calls (and with its `raw` view)."""

    auth: Auth
    limits: Limits = STANDARD
    retry: RetryPolicy = RetryPolicy()
    auto_idempotency_keys: bool = True
    rng: random.Random = field(default_factory=random.Random)
    timeout: float = 30.0  # seconds a call may take, all its attempts included
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        headroom = self.limits.drain * self.limits.margin
        self.bucket = LeakyBucket(
            self.limits.drain, max(1.0, self.limits.burst - headroom)
        )
        self.budget = OperatingBudget(self.limits.operating_budget)
        self.method_buckets: dict[str, LeakyBucket] = {}
        self.stats = {"sent": 0, "retried": 0, "limited": 0, "refreshed": 0}

    def pace(self, spec: MethodSpec) -> float:
        wait = self.bucket.reserve()
        if spec.rate_limit:
            bucket = self.method_buckets.setdefault(
                spec.name.lower(),
                LeakyBucket(spec.rate_limit, max(1.0, spec.rate_limit)),
            )
            wait = max(wait, bucket.reserve())
        return wait

    def check_budget(self, spec: MethodSpec) -> float:
        """Seconds to wait for the method's operating budget; raises when that is longer
        than the caller agreed to wait (the portal would answer 429 meanwhile)."""
        wait = self.budget.wait(spec.name)
        if wait > self.limits.max_wait:
            raise error_class("OPERATION_TIME_LIMIT", 429)(
                f"operating-time budget used up; it resets in {wait:.0f} s",
                code="OPERATION_TIME_LIMIT",
                method=spec.name,
            )
        return wait


# ---------------------------------------------------------------- actions


class Sleep(NamedTuple):
    seconds: float


class Send(NamedTuple):
    """Send a request; the whole exchange (connect, send, every byte of the answer)
    must end within `timeout` seconds, or it fails as a `Deadline`."""

    request: Request
    timeout: float | None = None


class Refresh(NamedTuple):
    """Refresh the OAuth token unless someone already did since `stale` was used."""

    stale: str


class Answer(NamedTuple):
    status: int
    headers: Mapping[str, str]
    body: bytes


class Failure(NamedTuple):
    """The transport failed; `sent` tells whether the request may have reached the
    portal."""

    kind: str
    sent: bool


Flow = Generator[Any, Any, Any]


def call_flow(
    session: Session,
    spec: MethodSpec,
    params: Mapping[str, Any] | None,
    idempotency_key: str | None = None,
    timeout: float | None = None,
) -> Flow:
    """One logical call: paced, retried on rate limits and safe failures, refreshed
    once. `timeout` (the session's by default) bounds the call from its first send:
    every attempt, answer body and backoff in between; a retry that cannot finish in
    time is not started."""
    if (
        idempotency_key is None
        and spec.api == "v3"
        and not spec.idempotent
        and session.auto_idempotency_keys
    ):
        idempotency_key = str(uuid.UUID(int=session.rng.getrandbits(128), version=4))
    resendable = spec.idempotent or idempotency_key is not None
    attempt = 0
    refreshed = False
    delay = (
        0.0  # backoff owed by the last failure; pacing and backoff overlap, not add up
    )
    clock = Deadline(session.clock, session.timeout if timeout is None else timeout)
    while True:
        wait = max(session.check_budget(spec), delay)
        wait = max(session.pace(spec), wait)
        if wait > 0:
            LOG.debug("%s: waiting %.2f s for the rate limits", spec.name, wait)
            yield Sleep(wait)
        request = build_request(session.auth, spec, params, idempotency_key)
        session.stats["sent"] += 1
        outcome = yield Send(request, clock.start())
        if isinstance(outcome, Failure):
            if (
                (resendable or not outcome.sent)
                and attempt < session.retry.max_retries
                and clock.allows(delay := session.retry.delay(attempt + 1, session.rng))
            ):
                attempt += 1
                session.stats["retried"] += 1
                log_retry(spec, outcome.kind, attempt, delay)
                continue
            unknown = (
                " (it may have been carried out: not resent)"
                if outcome.sent and not resendable
                else ""
            )
            raise TransportError(
                f"{outcome.kind}{unknown}", code="TRANSPORT", method=spec.name
            )
        try:
            result = parse_response(spec, outcome.status, outcome.headers, outcome.body)
        except Bitrix24Error as error:
            if (
                error.code in REFRESH_CODES
                and session.auth.can_refresh
                and not refreshed
            ):
                refreshed = True
                LOG.debug("%s: access token expired, refreshing it", spec.name)
                yield Refresh(
                    str(request.payload.get("auth", ""))
                )  # the token this call used
                continue
            if (
                not should_retry(error, resendable)
                or attempt >= session.retry.max_retries
            ):
                raise
            attempt += 1
            session.stats["retried"] += 1
            delay = backoff(session, spec, error, attempt)
            if not clock.allows(delay):
                raise
            log_retry(spec, error.code, attempt, delay)
            continue
        session.budget.record(spec.name, result.time)
        return result


class Deadline:
    """The time left to a call, counted from its first send."""

    def __init__(self, clock: Callable[[], float], seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.end: float | None = None

    def start(self) -> float:
        """Seconds the next attempt may take (starting the count on the first)."""
        now = self.clock()
        if self.end is None:
            self.end = now + self.seconds
        return max(0.0, self.end - now)

    def allows(self, wait: float) -> bool:
        """Whether waiting `wait` seconds still leaves time for another attempt."""
        return self.end is None or self.clock() + wait < self.end


def log_retry(spec: MethodSpec, reason: str, attempt: int, delay: float) -> None:
    LOG.debug(
        "%s: %s, retry %d in %.2f s", spec.name, reason or "error", attempt, delay
    )


def should_retry(error: Bitrix24Error, resendable: bool) -> bool:
    if error.code in RETRY_CODES:
        return True
    if error.code in FINAL_CODES or not resendable:
        return False
    # A server-side failure: the call may or may not have run, so only safe calls go
    # again.
    return (
        isinstance(error, (TransportError, ServerError))
        and error.status in SERVER_RETRY_STATUSES
    )


def backoff(
    session: Session, spec: MethodSpec, error: Bitrix24Error, attempt: int
) -> float:
    if error.code == "QUERY_LIMIT_EXCEEDED":
        session.stats["limited"] += 1
        session.bucket.saturate()
    elif error.code == "OPERATION_TIME_LIMIT":
        session.budget.exhaust(spec.name)
        return max(
            session.check_budget(spec), session.retry.delay(attempt, session.rng)
        )
    return session.retry.delay(attempt, session.rng)


def refresh_flow(session: Session, stale: str) -> Flow:
    """Refresh the token once for all callers that saw `stale` (run under a lock)."""
    auth = session.auth
    if getattr(auth, "access_token", None) != stale:
        return None  # someone else refreshed while we waited for the lock
    request = auth.refresh_request()  # type: ignore[union-attr]
    outcome = yield Send(request)
    if isinstance(outcome, Failure):
        raise TransportError(f"token refresh: {outcome.kind}", code="TRANSPORT")
    auth.accept_refresh(outcome.status, outcome.body)  # type: ignore[union-attr]
    session.stats["refreshed"] += 1
    return None


# ---------------------------------------------------------------- batch


def encode_query(params: Mapping[str, Any], prefix: str = "") -> list[str]:
    """`http_build_query` of nested params:
    {"filter": {">ID": 5}} -> filter%5B%3EID%5D=5.
    `$result[...]` references are left readable for the portal to substitute."""
    pairs: list[str] = []
    items: Iterable[tuple[Any, Any]] = (
        params.items() if isinstance(params, Mapping) else enumerate(params)
    )
    for key, value in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, (Mapping, list, tuple)):
            pairs.extend(encode_query(value, name))  # type: ignore[arg-type]
        elif value is not None:
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            pairs.append(f"{quote(name, safe='[]')}={quote(text, safe='[]$')}")
    return pairs


def command_text(method: str, params: Mapping[str, Any] | None) -> str:
    query = "&".join(encode_query(params or {}))
    return f"{method}?{query}" if query else method


@dataclass
class BatchResult:
    """Per-command results and typed errors of a batch, in command order."""

    results: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Bitrix24Error] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    nexts: dict[str, int] = field(default_factory=dict)
    requests: int = 0

    def __getitem__(self, key: str) -> Any:
        """The command's result, or its documented exception raised."""
        if key in self.errors:
            raise self.errors[key]
        return self.results[key]


Commands = (
    Mapping[str, "tuple[str, Mapping[str, Any] | None]"]
    | Sequence["tuple[str, Mapping[str, Any] | None]"]
)


def normalize_commands(
    commands: Commands,
) -> dict[str, tuple[str, Mapping[str, Any] | None]]:
    if isinstance(commands, Mapping):
        return {
            str(k): (v[0], v[1] if len(v) > 1 else None) for k, v in commands.items()
        }
    return {
        f"cmd{i}": (c[0], c[1] if len(c) > 1 else None) for i, c in enumerate(commands)
    }


def refuse_unbatchable(commands: Mapping[str, tuple[str, Any]]) -> None:
    for key, (method, _) in commands.items():
        if not spec_for(method).batch:
            raise error_class("ERROR_BATCH_METHOD_NOT_ALLOWED", 405)(
                f"{method} cannot be called inside batch (command {key})",
                code="ERROR_BATCH_METHOD_NOT_ALLOWED",
                method=method,
            )


def resolve_earlier(value: Any, results: Mapping[str, Any]) -> Any:
    """Substitute `$result[key][path…]` references to commands of earlier chunks, which
    the portal cannot see; references inside the same chunk are left to the portal."""
    if isinstance(value, Mapping):
        return {k: resolve_earlier(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_earlier(v, results) for v in value]
    if isinstance(value, str) and value.startswith("$result["):
        path = value[len("$result[") : -1].split("][")
        if path and path[0] in results:
            current: Any = results[path[0]]
            for part in path[1:]:
                if isinstance(current, Mapping):
                    current = current.get(part, "")
                elif (
                    isinstance(current, list)
                    and part.isdigit()
                    and int(part) < len(current)
                ):
                    current = current[int(part)]
                else:
                    return ""
            return current
    return value


def batch_flow(session: Session, commands: Commands, halt: bool = False) -> Flow:
    """Run any number of commands, 50 per request, in order."""
    todo = normalize_commands(commands)
    refuse_unbatchable(todo)
    out = BatchResult()
    keys = list(todo)
    idempotent = all(spec_for(m).idempotent for m, _ in todo.values())
    spec = BATCH._replace(idempotent=idempotent)
    for start in range(0, len(keys), BATCH_SIZE):
        chunk = keys[start : start + BATCH_SIZE]
        cmd = {
            k: command_text(todo[k][0], resolve_earlier(todo[k][1] or {}, out.results))
            for k in chunk
        }
        result = yield from call_flow(
            session, spec, {"halt": 1 if halt else 0, "cmd": cmd}
        )
        out.requests += 1
        merge_batch(out, result.result, result.status)
        if halt and out.errors:
            break
    return out


def merge_batch(out: BatchResult, payload: Any, status: int) -> None:
    payload = payload if isinstance(payload, Mapping) else {}
    results = payload.get("result") or {}
    if isinstance(results, Mapping):
        out.results.update(results)
    errors = payload.get("result_error") or {}
    if isinstance(errors, Mapping):
        for key, error in errors.items():
            out.errors[key] = batch_error(key, error, status)
    for name, target in (("result_total", out.totals), ("result_next", out.nexts)):
        values = payload.get(name) or {}
        if isinstance(values, Mapping):
            target.update(
                {k: int(v) for k, v in values.items() if str(v).lstrip("-").isdigit()}
            )


def batch_error(key: str, error: Any, status: int) -> Bitrix24Error:
    if isinstance(error, Mapping):
        inner = error.get("error")
        if isinstance(inner, Mapping):  # a v3-style error object
            code, text = str(inner.get("code", "")), str(inner.get("message", ""))
        else:
            code, text = str(inner or ""), str(error.get("error_description", ""))
    else:
        code, text = str(error), ""
    return error_class(code, None)(text, code=code, method=key)


# ---------------------------------------------------------------- paging


def page_items(result: Any) -> tuple[list[Any], str | None]:
    """The list in a page and the key it sits under (`tasks`, `items`) when it is
    wrapped."""
    if isinstance(result, list):
        return result, None
    if isinstance(result, Mapping):
        lists = [(k, v) for k, v in result.items() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0][1], lists[0][0]
    return [], None


class StartPager:
    """REST v2 lists: `start` offsets, following `next` until it is absent."""

    def __init__(self, params: Mapping[str, Any] | None) -> None:
        self.params = dict(params or {})
        self.start: int | None = int(self.params.pop("start", 0) or 0)

    def next_params(self) -> dict[str, Any] | None:
        return None if self.start is None else {**self.params, "start": self.start}

    def feed(self, result: Result) -> list[Any]:
        self.start = result.next if result.next is not None else None
        return page_items(result.result)[0]


class PagePager:
    """REST v3 lists: `pagination: {page, limit}` until a short page."""

    def __init__(
        self, params: Mapping[str, Any] | None, limit: int = PAGE_SIZE
    ) -> None:
        self.params = dict(params or {})
        paging = dict(self.params.pop("pagination", None) or {})
        self.limit = int(paging.get("limit", limit))
        self.page: int | None = int(paging.get("page", 1))

    def next_params(self) -> dict[str, Any] | None:
        if self.page is None:
            return None
        return {**self.params, "pagination": {"page": self.page, "limit": self.limit}}

    def feed(self, result: Result) -> list[Any]:
        items = page_items(result.result)[0]
        self.page = (
            self.page + 1
            if self.page is not None and len(items) >= self.limit
            else None
        )
        return items


def paged_flow(
    session: Session, spec: MethodSpec, pager: Any
) -> Generator[Any, Any, list[Any] | None]:
    """One page: yields actions, returns the page's items (None when done)."""
    params = pager.next_params()
    if params is None:
        return None
    result = yield from call_flow(session, spec, params)
    items: list[Any] = pager.feed(result)
    return items


def pager_for(spec: MethodSpec, params: Mapping[str, Any] | None) -> Any:
    return PagePager(params) if spec.api == "v3" else StartPager(params)


class FastPager:
    """Large v2 lists the way the docs recommend: no counting (`start=-1`), an ascending
    `>ID` filter, and pages chained inside batches through `$result` references."""

    def __init__(
        self, method: str, params: Mapping[str, Any] | None, id_field: str = "ID"
    ) -> None:
        self.method = method
        self.params = dict(params or {})
        self.params.pop("start", None)
        self.filter = dict(self.params.pop("filter", None) or {})
        self.id_field = id_field
        self.last_id: int | None = None
        self.key: str | None = (
            None  # where the list sits in a page (`tasks` for tasks.task.list)
        )
        self.item_id: str = (
            id_field  # the id's key in an item (`id` for tasks.task.list)
        )
        self.done = False

    def page_params(self, after: Any) -> dict[str, Any]:
        flt = (
            {**self.filter, f">{self.id_field}": after}
            if after is not None
            else self.filter
        )
        return {
            **self.params,
            "filter": flt,
            "order": {self.id_field: "ASC"},
            "start": -1,
        }

    def first_params(self) -> dict[str, Any]:
        return self.page_params(None)

    def learn(self, result: Any) -> list[Any]:
        """The first page shows where items and their ids sit."""
        items, self.key = page_items(result)
        if items and isinstance(items[0], Mapping):
            self.item_id = next(
                (k for k in items[0] if k.lower() == self.id_field.lower()),
                self.id_field,
            )
        return self.accept(items)

    def accept(self, items: list[Any]) -> list[Any]:
        keyed = [(self.item_key(i), i) for i in items]
        fresh = [
            (k, i)
            for k, i in keyed
            if k is not None and (self.last_id is None or k > self.last_id)
        ]
        if fresh:
            self.last_id = fresh[-1][0]
        if len(items) < PAGE_SIZE:
            self.done = True
        return [i for _, i in fresh]

    def item_key(self, item: Any) -> int | None:
        try:
            return int(item[self.item_id])
        except (KeyError, TypeError, ValueError):
            return None

    def batch_commands(self) -> dict[str, tuple[str, dict[str, Any]]]:
        commands: dict[str, tuple[str, dict[str, Any]]] = {}
        path = f"[{self.key}]" if self.key else ""
        for n in range(BATCH_SIZE):
            after: Any = (
                self.last_id
                if n == 0
                else f"$result[p{n - 1}]{path}[{PAGE_SIZE - 1}][{self.item_id}]"
            )
            commands[f"p{n}"] = (self.method, self.page_params(after))
        return commands

    def accept_batch(self, batch: BatchResult) -> list[Any]:
        out: list[Any] = []
        for n in range(BATCH_SIZE):
            key = f"p{n}"
            if key in batch.errors:
                raise batch.errors[key]
            out.extend(self.accept(page_items(batch.results.get(key))[0]))
            if self.done:
                break
        return out


def fast_flow(
    session: Session, pager: FastPager
) -> Generator[Any, Any, list[Any] | None]:
    """The next slice of items (a first page, then a whole batch of pages); None when
    done."""
    if pager.done:
        return None
    if pager.last_id is None and pager.key is None:
        result = yield from call_flow(
            session, spec_for(pager.method), pager.first_params()
        )
        return pager.learn(result.result)
    batch = yield from batch_flow(session, pager.batch_commands())
    return pager.accept_batch(batch)
