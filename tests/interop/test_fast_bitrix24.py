"""fast_bitrix24 (aiohttp), sync `Bitrix` and async `BitrixAsync`, against the mock:
a single call, get_all paging, a batch with $result references, get_by_ID, errors."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

from .conftest import DATASET

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(importlib.util.find_spec("fast_bitrix24") is None,
                       reason="fast_bitrix24 is not installed (pip install -e '.[dev]')"),
]


@pytest.fixture(params=["sync", "async"])
def bx(request, mock):
    """(client, run): `run(call)` gives a call's value for either flavour."""
    import fast_bitrix24

    if request.param == "sync":
        yield fast_bitrix24.Bitrix(mock.webhook_url, verbose=False, ssl=False), lambda v: v
        return
    client = fast_bitrix24.BitrixAsync(mock.webhook_url, verbose=False, ssl=False)
    loop = asyncio.new_event_loop()
    yield client, loop.run_until_complete
    loop.close()


def test_single_call(bx, mock):
    client, run = bx
    assert run(client.call("tasks.task.get", {"taskId": 3})) == {
        "id": "3", "title": "Item 3", "status": "4", "taskControl": "Y"}
    raw = run(client.call("tasks.task.get", {"taskId": 4}, raw=True))
    assert raw["result"]["task"]["status"] == "5" and "operating" in raw["time"]


def test_get_all_pages_through_every_item(bx, mock):
    client, run = bx
    tasks = run(client.get_all("tasks.task.list"))
    assert sorted(int(t["id"]) for t in tasks) == list(range(1, DATASET + 1))
    items = run(client.get_all("crm.item.list", {"entityTypeId": 2}))
    assert sorted(i["id"] for i in items) == list(range(1, DATASET + 1))
    first = mock.calls("tasks.task.list")[0]
    assert first.params["order"] == {"ID": "ASC"}  # fast_bitrix24 sorts by ID itself
    assert mock.calls("batch") and mock.count_503 == 0


def test_filtered_get_all_agrees_with_get(bx, mock):
    client, run = bx
    waiting = run(client.get_all("tasks.task.list", {"filter": {"STATUS": 4, "<=ID": 20}}))
    assert sorted(int(t["id"]) for t in waiting) == [3, 8, 13, 18]
    by_id = run(client.get_by_ID("tasks.task.get", [3, 8], ID_field_name="taskId"))
    assert {k: v["task"]["status"] for k, v in by_id.items()} == {"3": "4", "8": "4"}


def test_batch_with_result_references(bx, mock):
    client, run = bx
    result = run(client.call_batch({"halt": 0, "cmd": {
        "task": "tasks.task.get?taskId=3",
        "after": "tasks.task.list?filter[>ID]=$result[task][task][id]&start=-1",
        "page": "crm.item.list?entityTypeId=2&filter[>id]=$result[after][tasks][49][id]",
    }}))
    assert result["task"]["task"]["id"] == "3"
    assert [t["id"] for t in result["after"]["tasks"]][:2] == ["4", "5"]
    assert result["page"]["items"][0]["id"] == 54


def test_errors(bx, mock):
    import aiohttp
    from fast_bitrix24.server_response import ErrorInServerResponseException

    client, run = bx
    with pytest.raises(ErrorInServerResponseException, match="ERROR_TASK_NOT_FOUND"):
        run(client.call("tasks.task.get", {"taskId": 9999}))  # inside a batch
    with pytest.raises(aiohttp.ClientResponseError) as info:
        run(client.call("tasks.task.get", {"taskId": 9999}, raw=True))  # a plain call
    assert info.value.status == 400
    assert mock.calls("tasks.task.get")[-1].params == {"taskId": 9999}
