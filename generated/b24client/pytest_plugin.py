# Part of the b24gen runtime: ordinary Python, copied unchanged into every generated
# package (its source is generator/runtime/ of b24gen). Do not edit the copy.
"""A pytest plugin giving tests a mock Bitrix24 portal: the `b24_portal` fixture.

Enabled by the package's `pytest11` entry point, or by hand with
`pytest -p b24client.pytest_plugin` / `pytest_plugins = ["b24client.pytest_plugin"]`:

    def test_tasks(b24_portal):
        b24 = Bitrix24.from_webhook(b24_portal.webhook_url, allow_http=True)
        assert b24.tasks.task.approve(task_id=3)["task"]["status"] == "5"

    @pytest.mark.b24_portal(dataset_size=500, tls=True)
    def test_over_https(b24_portal):
        transport = httpx.HTTPTransport(verify=b24_portal.ssl_context())
        b24 = Bitrix24.from_webhook(b24_portal.webhook_url, transport=transport)

The portal serves the method facts of the package (`mockdata.json`) on 127.0.0.1 for
one test and stops after it; the marker's keyword arguments are `MockPortal`'s
(`dataset_size`, `seed`, `drain`, `burst`, `operating_per_call`, `tls`), a positional
one other method facts (a mapping or the path of a mockdata.json).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import MockPortal, mock_portal

MARKER = "b24_portal"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(data=None, **options): how the b24_portal fixture's mock portal is "
        "set up (MockPortal's options: dataset_size, seed, drain, burst, "
        "operating_per_call, tls)",
    )


@pytest.fixture
def b24_portal(request: pytest.FixtureRequest) -> Iterator[MockPortal]:
    """A started mock Bitrix24 portal on 127.0.0.1, stopped after the test."""
    marker = request.node.get_closest_marker(MARKER)
    args = marker.args if marker else ()
    options = dict(marker.kwargs) if marker else {}
    with mock_portal(args[0] if args else None, **options) as portal:
        yield portal
