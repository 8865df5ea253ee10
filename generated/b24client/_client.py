# Part of the b24gen runtime: ordinary Python, copied unchanged into every generated
# package (its source is generator/runtime/ of b24gen). Do not edit the copy.
"""The machinery of `Bitrix24` (sync) and `AsyncBitrix24` (async).

Both run the same flows from `_flows`; they differ only in how an action is carried out
(blocking or awaited). The generated `client.py` adds the namespaces of the documented
methods on top of `SyncClient` and `AsyncClient`; generated namespaces call
`_call_method` on either.
"""

from __future__ import annotations

import asyncio
import importlib
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, Generic, Self, TypeVar

import httpx

from ._flows import (
    STANDARD,
    Answer,
    BatchResult,
    Commands,
    Failure,
    FastPager,
    Flow,
    Limits,
    Refresh,
    RetryPolicy,
    Send,
    Session,
    Sleep,
    batch_flow,
    call_flow,
    fast_flow,
    paged_flow,
    pager_for,
    refresh_flow,
)
from ._runtime import (
    DEFAULT_HEADERS,
    MethodSpec,
    Request,
    Result,
    TokenAuth,
    WebhookAuth,
    mask_library_logs,
    method_params,
    spec_for,
    warn_if_deprecated,
)

mask_library_logs()

# httpx errors raised before a request could reach the portal: safe to send again.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
TOKEN_URL = "https://oauth.bitrix.info/oauth/token/"

TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)


class DeadlineExceeded(httpx.TimeoutException):
    """The answer did not arrive in full before the call's deadline."""


# Headers aiohttp writes itself from the request it sends.
AIOHTTP_OWN_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection"}
)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's async requests carried by aiohttp, whose event-loop HTTP/1.1 client
    spends less time a request than httpcore's (about twice the calls a second on a
    loopback portal). Optional: aiohttp is imported when the first transport is made;
    httpx stays the only dependency of the client.

    Failures map onto httpx's exceptions by what they say about the request: refused
    or unreachable before sending is `ConnectError`/`ConnectTimeout` (safe to send
    again), anything after it (dropped connection, read timeout, broken body) is a
    read error, so writes are not resent when their outcome is unknown.
    """

    def __init__(self, verify: ssl.SSLContext | bool = True, limit: int = 100) -> None:
        try:
            self._aiohttp: Any = importlib.import_module("aiohttp")
        except ImportError:
            raise ImportError(
                "the aiohttp transport needs aiohttp: pip install aiohttp"
            ) from None
        self.verify = verify
        self.limit = limit
        self._session: Any = None

    def _open(self) -> Any:
        if self._session is None or self._session.closed:
            aiohttp = self._aiohttp
            connector = aiohttp.TCPConnector(limit=self.limit, ssl=self.verify)
            self._session = aiohttp.ClientSession(
                connector=connector, auto_decompress=False, cookie_jar=None
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        aiohttp = self._aiohttp
        timeout = request.extensions.get("timeout", {})
        headers = [
            (k, v)
            for k, v in request.headers.multi_items()
            if k.lower() not in AIOHTTP_OWN_HEADERS
        ]
        body = await request.aread()
        try:
            async with self._open().request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            ) as answer:
                content = await answer.read()
                return httpx.Response(
                    answer.status,
                    headers=list(answer.raw_headers),
                    content=content,
                    request=request,
                )
        except aiohttp.ConnectionTimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc), request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except TimeoutError as exc:
            raise httpx.ReadTimeout(
                str(exc) or "read timeout", request=request
            ) from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.ReadError(str(exc), request=request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def failure(exc: httpx.HTTPError) -> Failure:
    return Failure(type(exc).__name__, sent=not isinstance(exc, NOT_SENT))


def answer(response: httpx.Response) -> Answer:
    return Answer(response.status_code, response.headers, response.content)


class BaseClient(Generic[TransportT]):
    """What both flavours share: construction, auth, statistics and the `raw` view."""

    _SHARED = ("_session", "_http", "timeout", "_refresh_lock")

    def __init__(
        self,
        auth: WebhookAuth | TokenAuth,
        *,
        limits: Limits = STANDARD,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        auto_idempotency_keys: bool = True,
        transport: TransportT | str | None = None,
    ) -> None:
        self._session = Session(
            auth, limits, retry or RetryPolicy(), auto_idempotency_keys, timeout=timeout
        )
        self._raw = False
        self.timeout = timeout
        self._open(transport)

    def _open(self, transport: TransportT | str | None) -> None:
        raise NotImplementedError

    @classmethod
    def from_webhook(
        cls,
        url: str,
        *,
        allow_http: bool = False,
        limits: Limits = STANDARD,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        auto_idempotency_keys: bool = True,
        transport: TransportT | str | None = None,
    ) -> Self:
        """A client for an incoming webhook URL (https://portal/rest/<user>/<secret>/).

        `transport` is an httpx transport, or "aiohttp" for `AsyncBitrix24` to carry
        the requests with aiohttp (installed separately), which manages about twice
        the calls a second."""
        return cls(
            WebhookAuth(url, allow_http=allow_http),
            limits=limits,
            retry=retry,
            timeout=timeout,
            auto_idempotency_keys=auto_idempotency_keys,
            transport=transport,
        )

    @classmethod
    def from_token(
        cls,
        portal: str,
        access_token: str,
        *,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        on_refresh: Callable[[TokenAuth], None] | None = None,
        token_url: str = TOKEN_URL,
        allow_http: bool = False,
        limits: Limits = STANDARD,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        auto_idempotency_keys: bool = True,
        transport: TransportT | str | None = None,
    ) -> Self:
        """A client for an OAuth access token, refreshed on `expired_token` when a
        refresh token and the application's credentials are given; `on_refresh(auth)`
        persists them."""
        auth = TokenAuth(
            portal,
            access_token,
            refresh_token=refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            token_url=token_url,
            on_refresh=on_refresh,
            allow_http=allow_http,
        )
        return cls(
            auth,
            limits=limits,
            retry=retry,
            timeout=timeout,
            auto_idempotency_keys=auto_idempotency_keys,
            transport=transport,
        )

    @property
    def auth(self) -> WebhookAuth | TokenAuth:
        return self._session.auth

    @property
    def stats(self) -> dict[str, int]:
        """Requests sent, retried, rate-limited (503 seen), token refreshes so far."""
        return self._session.stats

    @property
    def raw(self) -> Self:
        """The same client, whose methods return the whole `Result` (time, status,
        headers) instead of its `result`."""
        view = object.__new__(type(self))
        shared = {k: v for k, v in self.__dict__.items() if k in self._SHARED}
        view.__dict__.update(shared)
        view._raw = True
        return view

    @property
    def _client(self) -> Self:
        """What root-level generated methods call `_call_method` on: the client."""
        return self

    def _limit(self, action: Send) -> float:
        """Seconds the transport may take for a Send (the session's default)."""
        return self._session.timeout if action.timeout is None else action.timeout

    def _finish(self, result: Result) -> Any:
        return result if self._raw else result.result

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.auth!r})"


class SyncClient(BaseClient[httpx.BaseTransport]):
    """Synchronous client: flows carried out with blocking calls."""

    _http: httpx.Client
    _refresh_lock: threading.Lock

    def _open(self, transport: httpx.BaseTransport | str | None) -> None:
        if isinstance(transport, str):
            raise ValueError(
                f"transport={transport!r} is for AsyncBitrix24; the sync client takes "
                "an httpx.BaseTransport"
            )
        self._http = httpx.Client(
            timeout=self.timeout, transport=transport, headers=DEFAULT_HEADERS
        )
        self._refresh_lock = threading.Lock()

    def _run(self, flow: Flow) -> Any:
        """Carry out a flow's actions with blocking calls."""
        try:
            action = next(flow)
            while True:
                action = flow.send(self._act(action))
        except StopIteration as done:
            return done.value

    def _act(self, action: Any) -> Any:
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            return None
        if isinstance(action, Send):
            try:
                return self._send(action.request, self._limit(action))
            except httpx.HTTPError as exc:
                return failure(exc)
        if isinstance(action, Refresh):
            with self._refresh_lock:
                return self._run(refresh_flow(self._session, action.stale))
        raise TypeError(f"unknown action {action!r}")

    def _send(self, request: Request, timeout: float) -> Answer:
        """One exchange, every byte of the answer read within `timeout` seconds (a
        per-read timeout alone lets a server that drips bytes hold a call forever)."""
        deadline = time.monotonic() + timeout
        with self._http.stream(
            request.verb,
            request.url,
            json=request.payload if request.verb != "GET" else None,
            headers=request.headers or None,
            timeout=timeout,
        ) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                if time.monotonic() > deadline:
                    raise DeadlineExceeded(f"answer not complete in {timeout:g} s")
                body += chunk
        return Answer(response.status_code, response.headers, bytes(body))

    def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        api: str = "v2",
        timeout: float | None = None,
    ) -> Any:
        """Call any method by its wire name; returns `result` (or a `Result` on
        `.raw`)."""
        return self._finish(self.call_raw(method, params, api=api, timeout=timeout))

    def call_raw(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        api: str = "v2",
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Call any method; returns the whole `Result` (time, total, next, status,
        headers)."""
        spec = spec_for(method, api)
        warn_if_deprecated(spec)
        flow = call_flow(self._session, spec, params, idempotency_key, timeout)
        result: Result = self._run(flow)
        return result

    def _call_method(
        self,
        spec: MethodSpec,
        wire: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        warn_if_deprecated(spec)
        params = method_params(wire, extra or {})
        flow = call_flow(self._session, spec, params, None, timeout)
        return self._finish(self._run(flow))

    def batch(
        self, commands: Commands, *, halt: bool = False, api: str = "v2"
    ) -> BatchResult:
        """Run commands (`{key: (method, params)}` or a list) 50 per request, in order;
        `$result[key][field]` refers to an earlier command's result. `api="v3"` sends
        REST v3's JSON-array batch (all or nothing per request)."""
        flow = batch_flow(self._session, commands, halt, api)
        result: BatchResult = self._run(flow)
        return result

    def iterate(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        api: str = "v2",
        items_key: str | None = None,
    ) -> Iterator[Any]:
        """Every item of a list method, page after page (`start`/`next`, or v3
        `pagination`), read by the rule of the method's documented result shape;
        `items_key` names the list to follow where the docs do not say."""
        spec = spec_for(method, api)
        pager = pager_for(spec, params, items_key)
        while (items := self._run(paged_flow(self._session, spec, pager))) is not None:
            yield from items

    def iterate_fast(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        id_field: str = "ID",
        items_key: str | None = None,
    ) -> Iterator[Any]:
        """Every item of a large v2 list: no counting, `>ID` filter, pages chained in
        batches."""
        pager = FastPager(method, params, id_field, items_key)
        while (items := self._run(fast_flow(self._session, pager))) is not None:
            yield from items

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(BaseClient[httpx.AsyncBaseTransport]):
    """Asynchronous client: the same flows, carried out with awaits."""

    _http: httpx.AsyncClient
    _refresh_lock: asyncio.Lock

    def _open(self, transport: httpx.AsyncBaseTransport | str | None) -> None:
        if transport == "aiohttp":
            transport = AiohttpTransport()
        elif isinstance(transport, str):
            raise ValueError(
                f"transport must be 'aiohttp' or httpx's, not {transport!r}"
            )
        self._http = httpx.AsyncClient(
            timeout=self.timeout, transport=transport, headers=DEFAULT_HEADERS
        )
        self._refresh_lock = asyncio.Lock()

    async def _run(self, flow: Flow) -> Any:
        """Carry out a flow's actions with awaits."""
        try:
            action = next(flow)
            while True:
                action = flow.send(await self._act(action))
        except StopIteration as done:
            return done.value

    async def _act(self, action: Any) -> Any:
        if isinstance(action, Sleep):
            await asyncio.sleep(action.seconds)
            return None
        if isinstance(action, Send):
            timeout = self._limit(action)
            try:
                # httpx's own timeouts end a silent exchange first; this bounds one
                # whose answer trickles in byte by byte (a timeout scope, not
                # `wait_for`, which would start a task for every request).
                async with asyncio.timeout(timeout * 1.1 + 0.25):
                    return await self._send(action.request, timeout)
            except httpx.HTTPError as exc:
                return failure(exc)
            except TimeoutError:
                return Failure(DeadlineExceeded.__name__, sent=True)
        if isinstance(action, Refresh):
            async with self._refresh_lock:
                return await self._run(refresh_flow(self._session, action.stale))
        raise TypeError(f"unknown action {action!r}")

    async def _send(self, request: Request, timeout: float) -> Answer:
        response = await self._http.request(
            request.verb,
            request.url,
            json=request.payload if request.verb != "GET" else None,
            headers=request.headers or None,
            timeout=timeout,
        )
        return answer(response)

    async def call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        api: str = "v2",
        timeout: float | None = None,
    ) -> Any:
        """Call any method by its wire name; returns `result` (or a `Result` on
        `.raw`)."""
        result = await self.call_raw(method, params, api=api, timeout=timeout)
        return self._finish(result)

    async def call_raw(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        api: str = "v2",
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> Result:
        """Call any method; returns the whole `Result` (time, total, next, status,
        headers)."""
        spec = spec_for(method, api)
        warn_if_deprecated(spec)
        flow = call_flow(self._session, spec, params, idempotency_key, timeout)
        result: Result = await self._run(flow)
        return result

    async def _call_method(
        self,
        spec: MethodSpec,
        wire: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        warn_if_deprecated(spec)
        params = method_params(wire, extra or {})
        flow = call_flow(self._session, spec, params, None, timeout)
        return self._finish(await self._run(flow))

    async def batch(
        self, commands: Commands, *, halt: bool = False, api: str = "v2"
    ) -> BatchResult:
        """Run commands (`{key: (method, params)}` or a list) 50 per request, in order;
        `$result[key][field]` refers to an earlier command's result. `api="v3"` sends
        REST v3's JSON-array batch (all or nothing per request)."""
        flow = batch_flow(self._session, commands, halt, api)
        result: BatchResult = await self._run(flow)
        return result

    async def iterate(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        api: str = "v2",
        items_key: str | None = None,
    ) -> AsyncIterator[Any]:
        """Every item of a list method, page after page (`start`/`next`, or v3
        `pagination`), read by the rule of the method's documented result shape;
        `items_key` names the list to follow where the docs do not say."""
        spec = spec_for(method, api)
        pager = pager_for(spec, params, items_key)
        while (
            items := await self._run(paged_flow(self._session, spec, pager))
        ) is not None:
            for item in items:
                yield item

    async def iterate_fast(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        id_field: str = "ID",
        items_key: str | None = None,
    ) -> AsyncIterator[Any]:
        """Every item of a large v2 list: no counting, `>ID` filter, pages chained in
        batches."""
        pager = FastPager(method, params, id_field, items_key)
        while (items := await self._run(fast_flow(self._session, pager))) is not None:
            for item in items:
                yield item

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
