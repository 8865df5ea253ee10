"""The runtime as source (generator/runtime), set up as a generated package sets it up:
documented error codes and method facts registered with it."""

from __future__ import annotations

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
