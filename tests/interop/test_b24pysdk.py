"""b24pysdk (requests, HTTPS only) against the mock in its HTTPS mode: a single call,
as_list and as_list_fast paging, a batch with $result references, errors."""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import DATASET

pytestmark = [
    pytest.mark.interop,
    pytest.mark.skipif(importlib.util.find_spec("b24pysdk") is None,
                       reason="b24pysdk is not installed (pip install -e '.[dev]')"),
]


@pytest.fixture
def client(mock_tls):
    from b24pysdk import BitrixWebhook, Client

    token = BitrixWebhook(domain=mock_tls.domain,
                          webhook_token=f"{mock_tls.user_id}/{mock_tls.secret}")
    return Client(token)


def test_single_call(client, mock_tls):
    assert client.tasks.task.get(task_id=3).result == {
        "task": {"id": "3", "title": "Item 3", "status": "4", "taskControl": "Y"}}
    sent = mock_tls.calls("tasks.task.get")[-1]
    assert sent.path.endswith("/tasks.task.get.json") and sent.params == {"taskId": 3}


def test_as_list_and_as_list_fast(client, mock_tls):
    items = client.crm.item.list(entity_type_id=2).as_list().result
    assert [i["id"] for i in items] == list(range(1, DATASET + 1))
    fast = list(client.crm.item.list(entity_type_id=2).as_list_fast().result)
    assert sorted(i["id"] for i in fast) == list(range(1, DATASET + 1))
    tasks = client.tasks.task.list().as_list().result
    assert sorted(int(t["id"]) for t in tasks) == list(range(1, DATASET + 1))
    limited = client.tasks.task.list(filter={"STATUS": 4}).as_list(limit=10).result
    assert [t["id"] for t in limited] == [str(i) for i in range(3, 50, 5)]
    assert mock_tls.count_503 == 0


def test_batch_with_result_references(client, mock_tls):
    batch = client.call_batch({
        "task": client.tasks.task.get(task_id=3),
        "after": client.tasks.task.list(filter={">ID": "$result[task][task][id]"}),
    })
    result = batch.result
    assert result.result["task"]["task"]["id"] == "3"
    assert result.result["after"]["tasks"][0]["id"] == "4"
    assert result.result_total["after"] == DATASET - 3


def test_errors(client, mock_tls):
    from b24pysdk.errors import BitrixAPIError

    with pytest.raises(BitrixAPIError) as info:
        client.tasks.task.get(task_id=9999).result
    assert info.value.error == "ERROR_TASK_NOT_FOUND" and info.value.status_code == 400
    batch = client.call_batch({"ok": client.tasks.task.get(task_id=3),
                               "bad": client.tasks.task.get(task_id=9999)})
    result = batch.result
    assert list(result.result) == ["ok"]
    assert result.result_error["bad"]["error"] == "ERROR_TASK_NOT_FOUND"
