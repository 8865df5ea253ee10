"""The runtime as source (generator/runtime), set up as a generated package sets it up:
documented error codes and method facts registered with it."""

from __future__ import annotations

import asyncio
import inspect
import threading
from types import SimpleNamespace

import pytest

from generator.runtime import _client, _errors, _flows, _runtime


def documented(name: str, code: str, base: type[_errors.Bitrix24Error]) -> type:
    """A class like the ones the generated errors.py defines for a documented code."""
    return type(name, (base,), {"code": code, "__module__": "tests.documented"})


ERRORS = {
    cls.code: cls
    for cls in (
        documented("QueryLimitExceededError", "QUERY_LIMIT_EXCEEDED", _errors.RateLimitError),
        documented("ExpiredTokenError", "expired_token", _errors.AuthError),
        documented("ErrorBatchMethodNotAllowedError", "ERROR_BATCH_METHOD_NOT_ALLOWED",
                   _errors.BatchError),
    )
}
SPECS: dict[tuple[str, str], _runtime.MethodSpec] = {}
_errors.register_errors(ERRORS)
_runtime.register_specs(SPECS)


@pytest.fixture(scope="session")
def runtime() -> SimpleNamespace:
    """The runtime modules under the names the generated package gives them."""
    errors = SimpleNamespace(**{c.__name__: c for c in ERRORS.values()},
                             **{n: getattr(_errors, n) for n in dir(_errors)
                                if n.endswith("Error")})
    return SimpleNamespace(_flows=_flows, _runtime=_runtime, _client=_client, errors=errors,
                           _specs=SimpleNamespace(SPECS=SPECS),
                           Bitrix24Error=_errors.Bitrix24Error,
                           TokenAuth=_runtime.TokenAuth, WebhookAuth=_runtime.WebhookAuth)


class Flavor:
    """Runs the same test body against `Bitrix24` or `AsyncBitrix24`."""

    def __init__(self, name: str, b24client) -> None:
        self.name = name
        self.lib = b24client
        self.loop = asyncio.new_event_loop() if name == "async" else None
        self.clients: list = []

    def client(self, portal, **options):
        cls = self.lib.AsyncBitrix24 if self.loop else self.lib.Bitrix24
        options.setdefault("retry", self.lib.RetryPolicy(max_retries=3, base=0.02))
        client = cls.from_webhook(portal.webhook_url, allow_http=True, **options)
        self.clients.append(client)
        return client

    def oauth(self, portal, token, **options):
        cls = self.lib.AsyncBitrix24 if self.loop else self.lib.Bitrix24
        client = cls.from_token(portal.url, token, refresh_token="r0", client_id="app",
                                client_secret="s", token_url=f"{portal.url}/oauth/token/",
                                allow_http=True, **options)
        self.clients.append(client)
        return client

    def __call__(self, value):
        """The value of a call: awaited on the async flavour."""
        return self.loop.run_until_complete(value) if inspect.isawaitable(value) else value

    def items(self, iterator) -> list:
        if not self.loop:
            return list(iterator)

        async def collect():
            return [item async for item in iterator]

        return self.loop.run_until_complete(collect())

    def gather(self, calls: list):
        """Run calls concurrently: threads for sync, tasks for async."""
        if self.loop:
            async def together():
                return await asyncio.gather(*(c() for c in calls), return_exceptions=True)

            return self.loop.run_until_complete(together())
        results: list = [None] * len(calls)

        def run(i, c):
            try:
                results[i] = c()
            except Exception as exc:  # noqa: BLE001 (collected for the assertion)
                results[i] = exc

        threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def close(self) -> None:
        for c in self.clients:
            self(c.aclose()) if self.loop else c.close()
        if self.loop:
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def flavor(request, b24client):
    f = Flavor(request.param, b24client)
    yield f
    f.close()


@pytest.fixture
def testing(b24client):
    from b24client import testing

    return testing


@pytest.fixture
def portal(testing):
    with testing.mock_portal(dataset_size=500) as p:
        yield p
