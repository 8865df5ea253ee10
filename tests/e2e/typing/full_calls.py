"""Calls on the package generated from the whole English docs, checked by mypy and
pyright (not run). Each `type: ignore[...]` marks a deliberate mistake that must be
reported (warn_unused_ignores / reportUnnecessaryTypeIgnoreComment make an unflagged
mistake fail the check); the other lines must pass."""

from __future__ import annotations

from typing import assert_type

from b24client import Bitrix24
from b24client.crm import CrmActivityTypeAddFields

b24 = Bitrix24.from_webhook("https://example.bitrix24.com/rest/1/secret/")


def right_calls() -> None:
    fields: CrmActivityTypeAddFields = {"TYPE_ID": "1C", "NAME": "Call from 1C"}
    assert_type(b24.crm.activity.type.add(fields=fields), bool)
    b24.crm.deal.add(fields={"TITLE": "New", "UF_CRM_1700000000": "open key"})  # type: ignore[deprecated]
    b24.vote.attached_vote.get(attach_id=1)  # one of the alternative sets
    b24.vote.attached_vote.get(signed_attach_id="abc")
    b24.im.dialog.messages.get(dialog_id="chat1")
    b24.v3.tasks.task.update(id=1, fields={"title": "x"})


def mistakes() -> None:
    b24.crm.activity.type.add(feilds={"TYPE_ID": "1C"})  # type: ignore[call-arg]
    b24.crm.activity.type.add(fields={"TYPE_ID": 1})  # type: ignore[typeddict-item]
    b24.crm.activity.type.add(fields={"NAME": "no type id"})  # type: ignore[typeddict-item]
    b24.im.dialog.messages.get(dialog_id=5)  # type: ignore[arg-type]
    b24.vote.attached_vote.get()  # type: ignore[call-overload]
    b24.crm.deal.get(id=5)  # type: ignore[deprecated]
    b24.task.item.startexecution(taskid=3)  # type: ignore[deprecated]
