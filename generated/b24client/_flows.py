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
from collections.abc import (
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast
from urllib.parse import quote, urljoin, urlsplit

from ._errors import (
    Bitrix24Error,
    PagingError,
    ServerError,
    TransportError,
    error_class,
)
from ._runtime import (
    Auth,
    MethodSpec,
    Params,
    Request,
    Result,
    TokenAuth,
    WebhookAuth,
    as_int,
    build_request,
    invalid_answer,
    is_list,
    is_mapping,
    mask_secrets,
    parse_response,
    spec_for,
)

# Decisions (retries, waits, token refreshes) are logged at DEBUG; no URL or secret is.
LOG = logging.getLogger("b24client")
RETRY_CODES = frozenset({"QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT"})
REFRESH_CODES = frozenset({"expired_token"})
FINAL_CODES = frozenset({"PORTAL_DELETED", "OVERLOAD_LIMIT"})  # waiting does not help
SERVER_RETRY_STATUSES = frozenset({500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
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
    params: Params,
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
    refreshed = redirected = False
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
        # The token this call uses: the one to refresh if the portal says it expired.
        token = str(getattr(session.auth, "access_token", ""))
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
        if outcome.status in REDIRECT_STATUSES:
            if redirected:
                raise redirect_error(spec, request, outcome, "a second redirect")
            follow_redirect(session, spec, request, outcome)
            redirected = True
            continue
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
                yield Refresh(token)
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


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name in any case (httpx's headers are; a plain dict may not be)."""
    if name in headers:
        return headers[name]
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def follow_redirect(
    session: Session, spec: MethodSpec, request: Request, answer: Answer
) -> None:
    """A renamed portal answers 301/302 with the same webhook path on its new domain:
    a webhook client moves there (logged as a warning) and sends the call again.
    Anything else (another path, a token client, https to http) raises."""
    location = header(answer.headers, "location")
    if not location:
        raise redirect_error(spec, request, answer, "no Location header")
    target = urlsplit(urljoin(request.url, location))
    source = urlsplit(request.url)
    if not isinstance(session.auth, WebhookAuth):
        raise redirect_error(
            spec,
            request,
            answer,
            "the portal moved; an OAuth token belongs to the old address, so the "
            "application has to be authorized for the new one",
        )
    if source.scheme == "https" and target.scheme != "https":
        raise redirect_error(spec, request, answer, "it leads away from HTTPS")
    if target.path != source.path or target.netloc == source.netloc:
        raise redirect_error(spec, request, answer, "it is not the same webhook")
    origin = f"{target.scheme}://{target.netloc}"
    LOG.warning(
        "%s: the portal answered %d, moved to %s; following it once and sending "
        "every further call there",
        spec.name,
        answer.status,
        origin,
    )
    session.auth.origin = origin


def redirect_error(
    spec: MethodSpec, request: Request, answer: Answer, why: str
) -> TransportError:
    location = mask_secrets(
        urljoin(request.url, header(answer.headers, "location") or "")
    )
    return TransportError(
        f"answered a redirect to {location}, not followed: {why}",
        code="REDIRECT",
        status=answer.status,
        method=spec.name,
    )


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
    # A call asks for a refresh only when the auth `can_refresh`: a TokenAuth.
    auth = cast(TokenAuth, session.auth)
    if getattr(auth, "access_token", None) != stale:
        LOG.debug("access token already refreshed by another call")
        return None  # someone else refreshed while we waited for the lock
    request = auth.refresh_request()
    outcome = yield Send(request)
    if isinstance(outcome, Failure):
        LOG.debug("token refresh failed: %s", outcome.kind)
        raise TransportError(f"token refresh: {outcome.kind}", code="TRANSPORT")
    auth.accept_refresh(outcome.status, outcome.body)
    session.stats["refreshed"] += 1
    LOG.debug("access token refreshed")
    return None


# ---------------------------------------------------------------- batch


def encode_query(
    params: Mapping[str, Any] | Sequence[Any], prefix: str = ""
) -> list[str]:
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
            nested = cast("Mapping[str, Any] | Sequence[Any]", value)
            pairs.extend(encode_query(nested, name))
        elif value is not None:
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            pairs.append(f"{quote(name, safe='[]')}={quote(text, safe='[]$')}")
    return pairs


def command_text(method: str, params: Mapping[str, Any] | None) -> str:
    query = "&".join(encode_query(params or {}))
    return f"{method}?{query}" if query else method


@dataclass(repr=False)
class BatchResult(Mapping[str, Any]):
    """What a batch answered, read-only: `result[key]` is the command's result, or its
    documented exception raised; iterating gives the keys of the commands that were
    answered, in command order. `totals`, `nexts` and `times` hold the per-command
    `total`, `next` and `time` the portal sent; `skipped` the commands not run because
    the batch halted at an error."""

    results: dict[str, Any] = field(default_factory=dict[str, Any])
    errors: dict[str, Bitrix24Error] = field(default_factory=dict[str, Bitrix24Error])
    totals: dict[str, int] = field(default_factory=dict[str, int])
    nexts: dict[str, int] = field(default_factory=dict[str, int])
    times: dict[str, Any] = field(default_factory=dict[str, Any])
    skipped: list[str] = field(default_factory=list[str])
    requests: int = 0
    order: list[str] = field(default_factory=list[str])

    def __getitem__(self, key: str) -> Any:
        """The command's result, or its documented exception raised."""
        if key in self.errors:
            raise self.errors[key]
        if key in self.results:
            return self.results[key]
        if key in self.skipped:
            raise KeyError(f"{key!r} was not run: the batch halted at an error")
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def __contains__(self, key: object) -> bool:
        return key in self.results or key in self.errors

    def __repr__(self) -> str:
        shown = ", ".join(repr(k) for k in self.order[:5])
        more = f", ... {len(self.order) - 5} more" if len(self.order) > 5 else ""
        return (
            f"BatchResult({len(self.results)} results, {len(self.errors)} errors, "
            f"{self.requests} requests: {shown}{more})"
        )


def answered(out: BatchResult, key: str) -> None:
    """Note that the command `key` was answered (kept in command order, once)."""
    if key not in out.order:
        out.order.append(key)


Command = tuple[str, Mapping[str, Any] | None] | tuple[str]
Commands = Mapping[str, Command] | Sequence[Command]


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


def refuse_unbatchable(
    commands: Mapping[str, tuple[str, Any]], api: str = "v2"
) -> None:
    for key, (method, _) in commands.items():
        if not spec_for(method, api).batch:
            raise error_class("ERROR_BATCH_METHOD_NOT_ALLOWED", 405)(
                f"{method} cannot be called inside batch (command {key})",
                code="ERROR_BATCH_METHOD_NOT_ALLOWED",
                method=method,
            )


def resolve_earlier(value: Any, results: Mapping[str, Any]) -> Any:
    """Substitute `$result[key][path…]` references to commands of earlier chunks, which
    the portal cannot see; references inside the same chunk are left to the portal."""
    if is_mapping(value):
        return {k: resolve_earlier(v, results) for k, v in value.items()}
    if is_list(value):
        return [resolve_earlier(v, results) for v in value]
    if isinstance(value, str) and value.startswith("$result["):
        path = value[len("$result[") : -1].split("][")
        if path and path[0] in results:
            current: Any = results[path[0]]
            for part in path[1:]:
                if is_mapping(current):
                    current = current.get(part, "")
                elif is_list(current) and part.isdigit() and int(part) < len(current):
                    current = current[int(part)]
                else:
                    return ""
            return current
    return value


def batch_flow(
    session: Session, commands: Commands, halt: bool = False, api: str = "v2"
) -> Flow:
    """Run any number of commands, 50 per request, in order (REST v3: the JSON-array
    form of `batch`, all or nothing per request)."""
    todo = normalize_commands(commands)
    refuse_unbatchable(todo, api)
    out = BatchResult()
    keys = list(todo)
    idempotent = all(spec_for(m, api).idempotent for m, _ in todo.values())
    spec = BATCH._replace(api=api, idempotent=idempotent)
    for start in range(0, len(keys), BATCH_SIZE):
        chunk = keys[start : start + BATCH_SIZE]
        if halt and out.errors:
            out.skipped.extend(chunk)
            continue
        LOG.debug("batch: request %d, %d commands", out.requests + 1, len(chunk))
        if api == "v3":
            body = [
                {"method": todo[k][0], "query": dict(todo[k][1] or {})} for k in chunk
            ]
            result = yield from call_flow(session, spec, body)
            out.requests += 1
            merge_batch_v3(out, result, chunk)
            continue
        cmd = {
            k: command_text(todo[k][0], resolve_earlier(todo[k][1] or {}, out.results))
            for k in chunk
        }
        result = yield from call_flow(
            session, spec, {"halt": 1 if halt else 0, "cmd": cmd}
        )
        out.requests += 1
        merge_batch(out, result, {k: todo[k][0] for k in chunk}, halt)
    return out


BATCH_TABLES = ("result", "result_error", "result_total", "result_next", "result_time")


def batch_table(
    payload: Mapping[str, Any], name: str, result: Result
) -> dict[str, Any]:
    """One table of a batch answer by command key. PHP encodes an array keyed 0..n-1
    as a JSON list (and an empty one as `[]`), so commands keyed "0", "1", ... (or the
    failing ones of such a batch) come back as a list: both forms are read."""
    table = payload.get(name)
    if table is None:
        return {}
    if is_list(table):
        return {str(i): value for i, value in enumerate(table)}
    if is_mapping(table):
        return {str(k): value for k, value in table.items()}
    raise invalid_answer(
        BATCH, result.status, f"batch `{name}` is {describe(table)}, not a table"
    )


def merge_batch(
    out: BatchResult, result: Result, methods: Mapping[str, str], halt: bool
) -> None:
    """Fold one batch answer into `out`; whatever the portal answered is kept or
    raised, never dropped."""
    payload = result.result
    if not is_mapping(payload) or "result" not in payload:
        raise invalid_answer(
            BATCH,
            result.status,
            f"batch answer is {describe(payload)}, not the batch tables",
        )
    tables = {name: batch_table(payload, name, result) for name in BATCH_TABLES}
    strangers = sorted(
        {k for t in tables.values() for k in t if k not in methods}, key=str
    )
    if strangers:
        raise invalid_answer(
            BATCH,
            result.status,
            "batch answer names commands that were not sent: " + ", ".join(strangers),
        )
    halted = False
    for key, method in methods.items():
        if key in tables["result_error"]:
            error = tables["result_error"][key]
            out.errors[key] = batch_error(key, method, error, result.status)
            halted = halted or halt
        elif key in tables["result"]:
            out.results[key] = tables["result"][key]
        elif halted:
            out.skipped.append(key)
            continue
        else:
            out.errors[key] = error_class("BATCH_COMMAND_UNANSWERED")(
                "the portal's batch answer has neither a result nor an error for it",
                code="BATCH_COMMAND_UNANSWERED",
                method=f"{method} (batch command {key})",
            )
        answered(out, key)
        for name, target in (("result_total", out.totals), ("result_next", out.nexts)):
            number = as_int(tables[name].get(key))
            if number is not None:
                target[key] = number
        if key in tables["result_time"]:
            out.times[key] = tables["result_time"][key]


def merge_batch_v3(out: BatchResult, result: Result, chunk: list[str]) -> None:
    """A REST v3 batch answers `result` as a list in command order (or an object keyed
    by the commands' names or positions)."""
    payload = result.result
    if is_list(payload) and len(payload) == len(chunk):
        answers = dict(zip(chunk, payload, strict=True))
    elif is_mapping(payload) and set(map(str, payload)) == set(chunk):
        answers = {str(k): v for k, v in payload.items()}
    elif is_mapping(payload) and [str(k) for k in payload] == [
        str(i) for i in range(len(chunk))
    ]:
        answers = dict(zip(chunk, payload.values(), strict=True))
    else:
        raise invalid_answer(
            BATCH._replace(api="v3"),
            result.status,
            f"batch of {len(chunk)} commands answered {describe(payload)}",
        )
    for key in chunk:
        out.results[key] = answers[key]
        answered(out, key)
        if result.time is not None:
            out.times[key] = result.time


def batch_error(key: str, method: str, error: Any, status: int) -> Bitrix24Error:
    if is_mapping(error):
        inner = error.get("error")
        if is_mapping(inner):  # a v3-style error object
            code, text = str(inner.get("code", "")), str(inner.get("message", ""))
        else:
            code, text = str(inner or ""), str(error.get("error_description", ""))
    else:
        code, text = str(error), ""
    return error_class(code, None)(
        text, code=code, method=f"{method} (batch command {key})", response=error
    )


def describe(value: Any) -> str:
    """A short account of a JSON value's shape for error messages."""
    if is_mapping(value):
        keys = ", ".join(str(k) for k in list(value)[:6])
        more = ", ..." if len(value) > 6 else ""
        return f"an object with keys {keys}{more}" if value else "an empty object"
    if is_list(value):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    return f"a {type(value).__name__} ({str(value)[:40]!r})"


# ---------------------------------------------------------------- paging
#
# Where a list method's items sit in `result` is a fact of its spec
# (`MethodSpec.result_shape`, read from the documented response):
#
#   "list"         result is the list                    crm.deal.list, user.get
#   "items:KEY"    result is an object, the list at KEY  tasks.task.list: tasks
#   "keyed"        result is an object keyed by ID       (items are its values)
#   "keyed:KEY"    the same, inside KEY                  crm.documentgenerator...
#   "lists:A,B"    several lists: pass items_key= to say which one to follow
#   "value"        not a list: iterate() refuses it
#   ""             not documented: a plain list or an object holding one list is
#                  followed, anything else raises PagingError naming the method
#
# An empty PHP array (`[]`) is an empty page in every shape.


def page_items(
    result: Any, shape: str = "", method: str = "", items_key: str | None = None
) -> tuple[list[Any], str | None]:
    """The items of one page and the key they sit under (None when the result is the
    list itself), read by the rule of the result's shape."""
    kind, _, key = shape.partition(":")
    if items_key:
        kind, key = "items", items_key
    if result is None or (is_list(result) and not result and kind != "list"):
        return [], key or None
    if not kind:
        kind, key = infer_shape(result, method)
    where = f"{method}: " if method else ""
    if kind == "list" and is_list(result):
        return result, None
    if kind == "items" and is_mapping(result):
        if key not in result and not result:
            return [], key
        items = result.get(key)
        if is_list(items):
            return items, key
        if is_mapping(items) and not items:
            return [], key
    if kind == "keyed":
        container = result.get(key) if key and is_mapping(result) else result
        if is_mapping(container):
            return list(container.values()), key or None
        if is_list(container):  # IDs 0..n-1 encode as a list
            return container, key or None
    if kind == "lists":
        raise PagingError(
            f"{where}the result holds several lists ({key}); pass items_key= to say "
            "which one to follow",
            code="RESULT_SHAPE",
            method=method or None,
        )
    if kind == "value":
        raise PagingError(
            f"{where}the documented result is not a list; call the method instead",
            code="RESULT_SHAPE",
            method=method or None,
        )
    expected = {
        "list": "a list",
        "items": f"an object with the list at {key!r}",
        "keyed": "an object keyed by ID" + (f" at {key!r}" if key else ""),
    }.get(kind, kind)
    raise PagingError(
        f"{where}expected {expected} (result shape {shape or 'inferred'}), "
        f"got {describe(result)}",
        code="RESULT_SHAPE",
        method=method or None,
    )


def infer_shape(result: Any, method: str) -> tuple[str, str]:
    """The shape of an undocumented method's page, when it can only be one thing."""
    if isinstance(result, list):
        return "list", ""
    if is_mapping(result):
        lists = [str(k) for k, v in result.items() if isinstance(v, list)]
        if len(lists) == 1:
            return "items", lists[0]
        if result and all(
            str(k).isdigit() and isinstance(v, Mapping) for k, v in result.items()
        ):
            return "keyed", ""
    where = f"{method}: " if method else ""
    raise PagingError(
        f"{where}the result shape is not documented and {describe(result)} is not "
        "one list; pass items_key= to say where the items are",
        code="RESULT_SHAPE",
        method=method or None,
    )


class StartPager:
    """REST v2 lists: `start` offsets, following `next` until it is absent; a `next`
    that does not move forward stops with PagingError instead of looping."""

    def __init__(
        self,
        spec: MethodSpec,
        params: Mapping[str, Any] | None,
        items_key: str | None = None,
    ) -> None:
        self.spec = spec
        self.items_key = items_key
        self.params = dict(params or {})
        self.start: int | None = int(self.params.pop("start", 0) or 0)

    def next_params(self) -> dict[str, Any] | None:
        return None if self.start is None else {**self.params, "start": self.start}

    def feed(self, result: Result) -> list[Any]:
        items = page_items(
            result.result, self.spec.result_shape, self.spec.name, self.items_key
        )[0]
        if result.next is not None and self.start is not None:
            if result.next <= self.start:
                raise PagingError(
                    f"`next` {result.next} does not move past `start` {self.start}; "
                    "stopped instead of asking for the same page again",
                    code="NEXT_NOT_ADVANCING",
                    method=self.spec.name,
                )
        self.start = result.next
        return items


class PagePager:
    """REST v3 lists: `pagination: {page, limit}` until a short page; a page that
    repeats the one before stops with PagingError."""

    def __init__(
        self,
        spec: MethodSpec,
        params: Mapping[str, Any] | None,
        items_key: str | None = None,
        limit: int = PAGE_SIZE,
    ) -> None:
        self.spec = spec
        self.items_key = items_key
        self.params = dict(params or {})
        paging = dict(self.params.pop("pagination", None) or {})
        self.limit = int(paging.get("limit", limit))
        self.page: int | None = int(paging.get("page", 1))
        self.last: list[Any] | None = None

    def next_params(self) -> dict[str, Any] | None:
        if self.page is None:
            return None
        return {**self.params, "pagination": {"page": self.page, "limit": self.limit}}

    def feed(self, result: Result) -> list[Any]:
        shape = self.spec.result_shape or "items:items"
        items = page_items(result.result, shape, self.spec.name, self.items_key)[0]
        if items and items == self.last:
            raise PagingError(
                f"page {self.page} repeats the page before it; stopped instead of "
                "looping",
                code="NEXT_NOT_ADVANCING",
                method=self.spec.name,
            )
        self.last = items
        self.page = (
            self.page + 1
            if self.page is not None and len(items) >= self.limit
            else None
        )
        return items


Pager = StartPager | PagePager


def paged_flow(
    session: Session, spec: MethodSpec, pager: Pager
) -> Generator[Any, Any, list[Any] | None]:
    """One page: yields actions, returns the page's items (None when done)."""
    params = pager.next_params()
    if params is None:
        return None
    result = yield from call_flow(session, spec, params)
    return pager.feed(result)


def pager_for(
    spec: MethodSpec, params: Mapping[str, Any] | None, items_key: str | None = None
) -> Pager:
    if spec.api == "v3":
        return PagePager(spec, params, items_key)
    return StartPager(spec, params, items_key)


class FastPager:
    """Large v2 lists the way the docs recommend: no counting (`start=-1`), an ascending
    `>ID` filter, and pages chained inside batches through `$result` references."""

    def __init__(
        self,
        method: str,
        params: Mapping[str, Any] | None,
        id_field: str = "ID",
        items_key: str | None = None,
    ) -> None:
        self.method = method
        self.shape = spec_for(method).result_shape
        self.items_key = items_key
        kind = self.shape.partition(":")[0]
        if kind in ("keyed", "lists", "value") and not items_key:
            raise PagingError(
                f"fast paging follows lists by position; the result shape is "
                f"{self.shape!r}: use iterate()",
                code="RESULT_SHAPE",
                method=method,
            )
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

    def items(self, result: Any) -> list[Any]:
        return page_items(result, self.shape, self.method, self.items_key)[0]

    def learn(self, result: Any) -> list[Any]:
        """The first page shows where items and their ids sit."""
        items, self.key = page_items(result, self.shape, self.method, self.items_key)
        if items and is_mapping(items[0]):
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
        if items and not fresh:
            raise PagingError(
                f"a page after ID {self.last_id} holds no item with a greater "
                f"{self.item_id}; stopped instead of asking for it again (is the "
                f"`>{self.id_field}` filter ignored?)",
                code="NEXT_NOT_ADVANCING",
                method=self.method,
            )
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
            out.extend(self.accept(self.items(batch.results.get(key))))
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
