"""Calls on the generated seed package, checked by mypy (not run): each `assert_type`
pins what a user's editor sees; each `type: ignore[...]` marks a mistake that must be
reported (mypy runs with warn_unused_ignores and the `deprecated` error code, so an
unflagged mistake fails the check)."""

from __future__ import annotations

from typing import Any, assert_type

from b24client import AsyncBitrix24, Bitrix24, Result
from b24client.tasks import (
    AsyncTasksTaskApi,
    TasksTaskApi,
    TasksTaskApproveResult,
    TasksTaskListResult,
)

WEBHOOK = "https://example.bitrix24.com/rest/1/secret/"


def sync_calls() -> None:
    b24 = Bitrix24.from_webhook(WEBHOOK)
    assert_type(b24, Bitrix24)
    oauth = Bitrix24.from_token(
        "https://example.bitrix24.com", "token", refresh_token="r", client_id="c"
    )
    assert_type(oauth, Bitrix24)
    assert_type(b24.raw, Bitrix24)
    assert_type(b24.tasks.task, TasksTaskApi)
    approved = b24.tasks.task.approve(task_id=8017)
    assert_type(approved, TasksTaskApproveResult)
    assert_type(approved["task"]["id"], str)
    listed = b24.tasks.task.list(select=["ID"], start=0)
    assert_type(listed, TasksTaskListResult)
    assert_type(b24.call_raw("user.current"), Result)
    assert_type(b24.call("user.current"), Any)
    with Bitrix24.from_webhook(WEBHOOK) as client:
        assert_type(client, Bitrix24)

    b24.tasks.task.approve(task_id="8017")  # type: ignore[arg-type]
    b24.tasks.task.approve()  # type: ignore[call-arg]
    b24.tasks.task.approve(taks_id=8017)  # type: ignore[call-arg]
    b24.tasks.task.approve(8017)  # type: ignore[call-arg]
    b24.tasks.task.list(start="0")  # type: ignore[arg-type]
    approved["tsk"]  # type: ignore[typeddict-item]
    b24.task.item.startexecution(taskid=3)  # type: ignore[deprecated]
    Bitrix24.from_webhook(WEBHOOK, timeout="soon")  # type: ignore[arg-type]
    Bitrix24.from_webhook(WEBHOOK, limit=5)  # type: ignore[call-arg]
    b24.tasks.taks  # type: ignore[attr-defined]


async def async_calls() -> None:
    b24 = AsyncBitrix24.from_webhook(WEBHOOK)
    assert_type(b24, AsyncBitrix24)
    assert_type(AsyncBitrix24.from_token("https://p.example", "t"), AsyncBitrix24)
    assert_type(b24.tasks.task, AsyncTasksTaskApi)
    assert_type(await b24.tasks.task.approve(task_id=1), TasksTaskApproveResult)
    async with AsyncBitrix24.from_webhook(WEBHOOK) as client:
        assert_type(client, AsyncBitrix24)

    await b24.tasks.task.approve(task_id=[1])  # type: ignore[arg-type]
    b24.tasks.task.approve(task_id=1).result  # type: ignore[attr-defined]
    await b24.task.item.renew(taskid=1)  # type: ignore[deprecated]
