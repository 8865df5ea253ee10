"""The generated client over real HTTP against a scripted portal on 127.0.0.1."""

from __future__ import annotations

import asyncio
import warnings

import pytest

V3_VALIDATION = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"


@pytest.fixture
def b24(b24client, portal):
    fast = b24client.RetryPolicy(max_retries=2, base=0.01)
    client = b24client.Bitrix24.from_webhook(portal.webhook, allow_http=True, retry=fast)
    yield client
    client.close()


def test_success_returns_result_and_sends_wire_names(b24, portal):
    portal.answer("tasks.task.approve", 200, {"result": {"task": {"id": "8017"}}, "time": {}})
    assert b24.tasks.task.approve(task_id=8017) == {"task": {"id": "8017"}}
    sent = portal.requests[-1]
    assert sent["path"] == "/rest/7/s3cr3tw3bh00k/tasks.task.approve"
    assert sent["json"] == {"taskId": 8017}


@pytest.mark.parametrize("name", ["startexecution", "renew", "defer"])
def test_deprecated_methods_warn_with_replacement(b24, portal, name):
    portal.answer(f"task.item.{name}", 200, {"result": True})
    replacement = {"startexecution": "tasks.task.start", "renew": "tasks.task.renew",
                   "defer": "tasks.task.defer"}[name]
    with pytest.warns(DeprecationWarning, match=replacement) as caught:
        assert getattr(b24.task.item, name)(taskid=13) is True
    assert caught[0].filename == __file__  # the warning points at the caller's line
    assert portal.requests[-1]["json"] == {"TASKID": 13}


def test_v2_error_raises_documented_class(b24client, b24, portal):
    portal.answer("tasks.task.approve", 400, {"error": "1048582",
                                              "error_description": "Action not allowed"})
    with pytest.raises(b24client.errors.Error1048582) as info:
        b24.tasks.task.approve(task_id=1)
    err = info.value
    assert (err.code, err.description, err.status, err.method) == (
        "1048582", "Action not allowed", 400, "tasks.task.approve")
    assert isinstance(err, b24client.errors.MethodError)
    assert isinstance(err, b24client.Bitrix24Error)


def test_system_error_classes_and_categories(b24client, b24, portal):
    errors = b24client.errors
    portal.answer("tasks.task.approve", 503, {"error": "QUERY_LIMIT_EXCEEDED",
                                              "error_description": "Too many requests"})
    with pytest.raises(errors.QueryLimitExceededError) as info:
        b24.tasks.task.approve(task_id=1)
    assert isinstance(info.value, errors.RateLimitError) and info.value.status == 503
    assert len(portal.requests) == 3  # retried twice (bounded), then raised
    portal.answer("tasks.task.approve", 401, {"error": "expired_token"})
    with pytest.raises(errors.ExpiredTokenError) as info:
        b24.tasks.task.approve(task_id=1)
    assert isinstance(info.value, errors.AuthError)
    assert errors.ERRORS["INVALID_REQUEST"].status == 400
    assert errors.ERRORS["OPERATION_TIME_LIMIT"].status == 429


def test_unknown_code_raises_base_with_code(b24client, b24, portal):
    portal.answer("tasks.task.approve", 400, {"error": "SOMETHING_NEW", "error_description": "x"})
    with pytest.raises(b24client.Bitrix24Error) as info:
        b24.tasks.task.approve(task_id=1)
    assert type(info.value) is b24client.Bitrix24Error
    assert (info.value.code, info.value.description) == ("SOMETHING_NEW", "x")


def test_v3_goes_to_rest_api_and_raises_validation(b24client, b24, portal):
    portal.answer("tasks.task.update", 200, {"result": {"result": True}})
    assert b24.v3.tasks.task.update(id=11, fields={"title": "T"}) == {"result": True}
    assert portal.requests[-1]["path"] == "/rest/api/7/s3cr3tw3bh00k/tasks.task.update"
    assert portal.requests[-1]["json"] == {"id": 11, "fields": {"title": "T"}}
    portal.answer("tasks.task.update", 400, {"error": {
        "code": V3_VALIDATION, "message": "Error during request object validation",
        "validation": [{"field": "creatorId", "message": "cannot be changed"}]}})
    with pytest.raises(b24client.errors.ValidationError) as info:
        b24.v3.tasks.task.update(id=11, fields={"creatorId": 2})
    assert info.value.code == V3_VALIDATION
    assert info.value.fields == ["creatorId"]
    assert "creatorId" in str(info.value)


def test_extra_and_optional_params(b24, portal):
    portal.answer("tasks.task.approve", 200, {"result": {}})
    b24.tasks.task.approve(task_id=5, extra={"SOME_FLAG": "Y"})
    assert portal.requests[-1]["json"] == {"taskId": 5, "SOME_FLAG": "Y"}


def test_a_misspelt_keyword_is_a_type_error_and_nothing_is_sent(b24, portal):
    with pytest.raises(TypeError, match="task_idd"):
        b24.tasks.task.approve(task_idd=5)
    with pytest.raises(TypeError):
        b24.tasks.task.approve(5)  # keyword-only, like every documented parameter
    assert portal.requests == []


def test_timeout_per_call_overrides_the_client_default(b24, portal):
    portal.answer("tasks.task.approve", 200, {"result": {}})
    b24.tasks.task.approve(task_id=5, timeout=3)
    assert portal.requests[-1]["json"] == {"taskId": 5}


def test_call_escape_hatch(b24, portal):
    portal.answer("user.current", 200, {"result": {"ID": "1"}, "time": {"operating": 0}})
    assert b24.call("user.current") == {"ID": "1"}
    raw = b24.call_raw("user.current")
    assert raw.status == 200 and raw.time == {"operating": 0}


def test_html_answer_is_a_transport_error(b24client, b24, portal):
    portal.answer("tasks.task.approve", 502, b"<html>Bad gateway</html>")
    with pytest.raises(b24client.errors.TransportError) as info:
        b24.tasks.task.approve(task_id=1)
    assert info.value.status == 502


def test_https_required_and_secret_masked(b24client, portal):
    with pytest.raises(ValueError, match="HTTPS"):
        b24client.Bitrix24.from_webhook(portal.webhook)
    client = b24client.Bitrix24.from_webhook("https://example.bitrix24.com/rest/7/s3cr3tw3bh00k/")
    assert "s3cr3tw3bh00k" not in repr(client)
    client.close()


def test_secret_not_in_error_messages(b24client, b24, portal):
    portal.answer("tasks.task.approve", 401, {"error": "NO_AUTH_FOUND",
                                              "error_description": "Wrong authorization data"})
    with pytest.raises(b24client.errors.NoAuthFoundError) as info:
        b24.tasks.task.approve(task_id=1)
    assert "s3cr3tw3bh00k" not in str(info.value)


def test_async_client_all_five(b24client, portal):
    for name in ("task.item.startexecution", "task.item.renew", "task.item.defer"):
        portal.answer(name, 200, {"result": True})
    portal.answer("tasks.task.approve", 200, {"result": {"task": {"id": "3"}}})
    portal.answer("tasks.task.update", 200, {"result": {"result": True}})

    async def run():
        async with b24client.AsyncBitrix24.from_webhook(portal.webhook, allow_http=True) as b24:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert await b24.task.item.startexecution(taskid=3) is True
                assert await b24.task.item.renew(taskid=3) is True
                assert await b24.task.item.defer(taskid=3) is True
            assert [w.category for w in caught] == [DeprecationWarning] * 3
            assert await b24.tasks.task.approve(task_id=3) == {"task": {"id": "3"}}
            assert await b24.v3.tasks.task.update(id=3, fields={}) == {"result": True}

    asyncio.run(run())
    paths = [r["path"] for r in portal.requests]
    assert paths[-1] == "/rest/api/7/s3cr3tw3bh00k/tasks.task.update"
    assert paths[0] == "/rest/7/s3cr3tw3bh00k/task.item.startexecution"
