"""Shared test fixtures: where ../shared is, golden updating, a loopback HTTP server."""

from __future__ import annotations

import os
import tempfile
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# Runs record their inputs in b24gen's cache: keep the tests' records out of ~/.cache.
os.environ.setdefault("B24GEN_CACHE", tempfile.mkdtemp(prefix="b24gen-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip with the reason when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: corpus and seed tests need the ../shared checkout")
    return path


@pytest.fixture
def seeds() -> Path:
    return shared_path("seeds")


@pytest.fixture
def corpus_en() -> Path:
    return shared_path("corpus", "en")


@pytest.fixture
def corpus_ru() -> Path:
    return shared_path("corpus", "ru")


class Portal:
    """A scripted REST endpoint on 127.0.0.1: answers by method name, records requests."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, object]] = {}
        self.requests: list[dict] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/rest/7/s3cr3tw3bh00k/"

    def answer(self, method: str, status: int, body: object) -> None:
        self.routes[method] = (status, body)

    def _handler(self):
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                portal.requests.append({"path": self.path, "method": method,
                                        "json": json.loads(raw or b"null"),
                                        "headers": dict(self.headers)})
                status, body = portal.routes.get(method, (404, {
                    "error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found"}))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal():
    p = Portal()
    yield p
    p.close()


@pytest.fixture(scope="session")
def b24client():
    """The committed generated package, imported as users import it."""
    path = str(ROOT / "generated")
    if path not in sys.path:
        sys.path.insert(0, path)
    import b24client

    return b24client


# Property tests: a short profile in `make test`, a long one in `make fuzz`
# (HYPOTHESIS_PROFILE=long); both derandomized so a run is reproducible.
try:
    import os as _os

    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "short", max_examples=150, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        "long", max_examples=5000, deadline=None, derandomize=False,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(_os.environ.get("HYPOTHESIS_PROFILE", "short"))
except ImportError:  # hypothesis is a dev dependency; the property tests skip without it
    pass
