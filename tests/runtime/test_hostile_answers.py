"""The generated client against answers and callers meant to break it, over 127.0.0.1,
sync and async: slow bodies, deep nesting, envelopes without a result, method names that
are paths, and logs that must never carry a secret."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class DripServer:
    """Answers every request with headers at once and then one body byte at a time."""

    def __init__(self, pause: float) -> None:
        self.pause = pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.stopped = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/rest/1/dripsecret/"

    def serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.drip, args=(conn,), daemon=True).start()

    def drip(self, conn: socket.socket) -> None:
        body = b'{"result": true}' + b" " * 200
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        try:
            conn.recv(65536)
            conn.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body))
            for byte in body:
                if self.stopped.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.pause)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


class FixedServer:
    """Answers every POST with the same status and body; counts the requests."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests += 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.requests = 0
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/rest/1/fixedsecret/"

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def answering(flavor):
    """A client of a server that always gives one answer: answering(body) -> client."""
    servers: list[FixedServer] = []

    def client(body: bytes | dict):
        server = FixedServer(body if isinstance(body, bytes) else json.dumps(body).encode())
        servers.append(server)
        cls = flavor.lib.AsyncBitrix24 if flavor.loop else flavor.lib.Bitrix24
        b24 = cls.from_webhook(server.webhook, allow_http=True)
        flavor.clients.append(b24)
        return b24

    yield client
    for server in servers:
        server.close()


@pytest.fixture
def drip():
    server = DripServer(pause=0.05)
    yield server
    server.close()


def test_a_dripping_answer_ends_at_the_deadline(flavor, drip):
    cls = flavor.lib.AsyncBitrix24 if flavor.loop else flavor.lib.Bitrix24
    b24 = cls.from_webhook(drip.webhook, allow_http=True, timeout=0.6,
                           retry=flavor.lib.RetryPolicy(max_retries=3, base=0.01))
    flavor.clients.append(b24)
    start = time.monotonic()
    with pytest.raises(flavor.lib.errors.TransportError):
        flavor(b24.call("user.get"))  # a read: idempotent, so retries were allowed
    assert time.monotonic() - start < 2.0  # 216 bytes at 20/s would take 11 s each try


def test_per_call_timeout_overrides_the_client(flavor, drip):
    cls = flavor.lib.AsyncBitrix24 if flavor.loop else flavor.lib.Bitrix24
    b24 = cls.from_webhook(drip.webhook, allow_http=True, timeout=60)
    flavor.clients.append(b24)
    start = time.monotonic()
    with pytest.raises(flavor.lib.errors.TransportError):
        flavor(b24.call("user.add", timeout=0.5))
    assert time.monotonic() - start < 1.5


def test_deep_nesting_is_a_transport_error_naming_the_method(flavor, answering):
    b24 = answering(b'{"result": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    with pytest.raises(flavor.lib.errors.TransportError, match="user.get.*nested"):
        flavor(b24.call("user.get"))


def test_an_envelope_without_result_raises(flavor, answering):
    b24 = answering({"time": {"start": 1}})
    with pytest.raises(flavor.lib.errors.TransportError, match="neither"):
        flavor(b24.call("user.get"))


def test_totals_sent_as_strings_become_numbers(flavor, answering):
    b24 = answering({"result": [], "total": "120", "next": "50"})
    result = flavor(b24.call_raw("user.get"))
    assert (result.total, result.next) == (120, 50)


@pytest.mark.parametrize("name", ["../../../etc/passwd", "user.get\r\nX-Evil: 1",
                                  "user\x00get", "", "user.get?auth=x", "/user.get"])
def test_a_method_name_that_is_not_one_is_refused_before_sending(flavor, portal, name):
    b24 = flavor.client(portal)
    with pytest.raises(ValueError, match="not a method name"):
        flavor(b24.call(name))
    assert portal.requests == []
    with pytest.raises(ValueError, match="not a method name"):
        flavor(b24.batch({"a": (name, {})}))
    assert portal.requests == []


@pytest.fixture
def all_logs():
    """Every record of every logger at DEBUG, formatted as a handler would."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore", "b24client"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield records
    root.removeHandler(handler)
    root.setLevel(previous)


def test_no_secret_reaches_any_log(flavor, testing, all_logs):
    client_secret, refresh = "app-secret-0123456789", "refresh-token-0123456789"
    with testing.mock_portal() as portal:
        portal.expired_tokens.add("expired-token")
        webhook = flavor.client(portal)
        flavor(webhook.tasks.task.list())
        cls = flavor.lib.AsyncBitrix24 if flavor.loop else flavor.lib.Bitrix24
        oauth = cls.from_token(portal.url, "expired-token", refresh_token=refresh,
                               client_id="app", client_secret=client_secret,
                               token_url=f"{portal.url}/oauth/token/", allow_http=True)
        flavor.clients.append(oauth)
        flavor(oauth.tasks.task.list())
        assert oauth.stats["refreshed"] == 1
    text = "\n".join(all_logs)
    assert "HTTP Request" in text  # httpx did log the requests
    assert "refreshing" in text  # and the client its decision
    for secret in (portal.secret, client_secret, refresh, "expired-token"):
        assert secret not in text
