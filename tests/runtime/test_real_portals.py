"""The client against what real portals send (issue 10), over 127.0.0.1, sync and async:
both JSON encodings of batch tables, BatchResult as a read-only mapping, one paging rule
per result shape and a guard on `next`, error codes in any case and by pattern, a portal
that moved to another domain, REST v3 batch, decisions logged without secrets, and the
optional aiohttp transport."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pytest

# What a portal sends for `batch` when the command keys are "0", "1", "2": PHP encodes an
# array keyed 0..n-1 as a JSON list, every table alike (written from the documented
# format of `batch` and of `time`).
TIME = {"start": 1718001234.5, "finish": 1718001234.6, "duration": 0.1, "processing": 0.02,
        "date_start": "2024-06-10T09:13:54+02:00", "date_finish": "2024-06-10T09:13:54+02:00",
        "operating_reset_at": 1718001834, "operating": 0}
LISTED = {"result": {
    "result": [{"tasks": [{"id": "1"}]}, {"tasks": [{"id": "51"}]}, {"tasks": [{"id": "101"}]}],
    "result_error": [],
    "result_total": [120, 120, 120],
    "result_next": [50, 100],
    "result_time": [TIME, TIME, TIME],
}, "time": TIME}
# Commands "0" and "1" failed, "2" answered: `result_error` is a list, `result` an object.
FAILED_FIRST = {"result": {
    "result": {"2": {"task": {"id": "3"}}},
    "result_error": [{"error": "1048582", "error_description": "Action on the task is not allowed"},
                     {"error": "ERROR_TASK_NOT_FOUND", "error_description": "Task not found"}],
    "result_total": [],
    "result_next": [],
    "result_time": {"0": TIME, "1": TIME, "2": TIME},
}, "time": TIME}
THREE = {"0": ("tasks.task.list", {"start": 0}), "1": ("tasks.task.list", {"start": 50}),
         "2": ("tasks.task.list", {"start": 100})}


def method_facts(name, api="v2", **facts):
    base = {"name": name, "api": api, "batch": True, "pagination": "none", "params": [],
            "result": None, "errors": [], "error_roles": {}}
    return {**base, **facts}


@pytest.fixture
def facts(testing):
    """The package's mock data plus the get methods of the task dataset."""
    data = testing.load_mockdata()
    data["methods"] = [*data["methods"],
                       method_facts("tasks.task.get", params=[
                           {"name": "taskId", "type": "integer", "required": True}],
                           result={"task": {"id": "8017", "title": "Quarterly report"}}),
                       method_facts("tasks.task.get", "v3", params=[
                           {"name": "id", "type": "integer", "required": True}],
                           result={"item": {"id": 8017, "title": "Quarterly report"}})]
    return data


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG, logger="b24client")
    return caplog


# ---------------------------------------------------------------- batch encodings


def test_batch_tables_encoded_as_lists_are_read(flavor, portal):
    portal.reply("batch", 200, LISTED)
    result = flavor(flavor.client(portal).batch(THREE))
    assert list(result) == ["0", "1", "2"]
    assert [result[k]["tasks"][0]["id"] for k in result] == ["1", "51", "101"]
    assert result.totals == {"0": 120, "1": 120, "2": 120}
    assert result.nexts == {"0": 50, "1": 100}
    assert result.times["2"]["operating_reset_at"] == 1718001834


def test_failing_commands_keyed_from_zero_are_read(flavor, portal):
    portal.reply("batch", 200, FAILED_FIRST)
    result = flavor(flavor.client(portal).batch(THREE))
    assert list(result) == ["0", "1", "2"] and result["2"] == {"task": {"id": "3"}}
    with pytest.raises(flavor.lib.errors.ERRORS["1048582"]) as info:
        result["0"]
    assert "batch command 0" in str(info.value)
    with pytest.raises(flavor.lib.Bitrix24Error) as info:
        result["1"]
    assert info.value.code == "ERROR_TASK_NOT_FOUND"
    assert isinstance(info.value, flavor.lib._errors.NotFoundError)  # by its name
    assert set(result.times) == {"0", "1", "2"}


def test_the_mock_answers_batches_keyed_from_zero_in_lists(flavor, portal):
    """The mock encodes its tables as PHP does; the client reads them as sent."""
    b24 = flavor.client(portal)
    result = flavor(b24.batch(THREE))
    assert [int(result[k]["tasks"][0]["id"]) for k in "012"] == [1, 51, 101]
    assert result.totals == {"0": 500, "1": 500, "2": 500}
    assert result.nexts == {"0": 50, "1": 100, "2": 150}
    refused = flavor(b24.batch({"0": ("tasks.task.approve", {"taskId": 1}),
                                "1": ("tasks.task.approve", {"taskId": 2})}))
    assert set(refused.errors) == {"0", "1"} and not refused.results


@pytest.mark.parametrize("answer, why", [
    ({"result": {"result": [1, 2, 3], "result_error": []}}, "not sent: 0, 1, 2"),
    ({"result": [1, 2]}, "not the batch tables"),
    ({"result": {"result": "yes"}}, "not a table"),
])
def test_a_batch_answer_that_cannot_be_placed_is_an_error(flavor, portal, answer, why):
    portal.reply("batch", 200, answer)
    with pytest.raises(flavor.lib.errors.TransportError, match=why):
        flavor(flavor.client(portal).batch([("tasks.task.list", {}), ("tasks.task.list", {})]))


def test_a_command_the_portal_left_out_raises_on_access(flavor, portal):
    portal.reply("batch", 200, {"result": {"result": {"a": 1}, "result_error": []}})
    result = flavor(flavor.client(portal).batch({"a": ("tasks.task.list", {}),
                                                 "b": ("tasks.task.list", {})}))
    assert result["a"] == 1 and list(result) == ["a", "b"]
    with pytest.raises(flavor.lib.errors.BatchError, match="neither a result nor an error"):
        result["b"]


# ---------------------------------------------------------------- BatchResult


def test_batch_result_is_a_read_only_mapping_with_a_short_repr(flavor, portal):
    b24 = flavor.client(portal)
    commands = {f"c{i}": ("tasks.task.list", {"start": i}) for i in range(8)}
    commands["bad"] = ("tasks.task.approve", {"taskId": 1})
    result = flavor(b24.batch(commands))
    assert isinstance(result, Mapping) and len(result) == 9
    assert list(result)[:2] == ["c0", "c1"] and list(result)[-1] == "bad"
    assert "bad" in result and "nope" not in result
    assert result.get("c0")["tasks"][0]["id"] == "1"
    with pytest.raises(flavor.lib.errors.ERRORS["1048582"]):
        result.get("bad")  # access raises the command's typed error
    with pytest.raises(KeyError):
        result["nope"]
    with pytest.raises(TypeError):
        result["c0"] = 1  # read-only
    text = repr(result)
    assert text.startswith("BatchResult(8 results, 1 errors, 1 requests") and len(text) < 200
    assert "Item" not in text  # no result in the repr
    halted = flavor(b24.batch([("tasks.task.approve", {"taskId": 1}), ("tasks.task.list", {})],
                              halt=True))
    with pytest.raises(KeyError, match="halted"):
        halted["cmd1"]


# ---------------------------------------------------------------- paging


@pytest.fixture
def listing(flavor, portal, monkeypatch):
    """A client whose spec of `demo.item.list` has the given result shape."""

    def make(shape: str, api: str = "v2"):
        from b24client import _runtime, _specs

        pagination = "page-limit" if api == "v3" else "start-next"
        spec = _runtime.MethodSpec("demo.item.list", api, idempotent=True,
                                   pagination=pagination, result_shape=shape)
        monkeypatch.setitem(_specs.SPECS, ("demo.item.list", api), spec)
        return flavor.client(portal)

    return make


@pytest.mark.parametrize("shape, page, expected", [
    ("list", [{"ID": "1"}, {"ID": "2"}], ["1", "2"]),
    ("items:tasks", {"tasks": [{"id": "1"}, {"id": "2"}]}, ["1", "2"]),
    ("keyed", {"37": {"id": "37"}, "41": {"id": "41"}}, ["37", "41"]),
    ("keyed:templates", {"templates": {"37": {"id": "37"}}, "count": 1}, ["37"]),
    ("lists:tasks,users", {"tasks": [{"id": "1"}], "users": [{"id": "9"}]}, None),
    ("", {"tasks": [{"id": "1"}], "users": [{"id": "9"}]}, None),
    ("items:tasks", [{"id": "1"}], None),  # the docs say an object, the page is a list
    ("list", [], []),  # an empty PHP array is an empty page in every shape
    ("items:tasks", [], []),
])
def test_one_paging_rule_per_result_shape(flavor, portal, listing, shape, page, expected):
    b24 = listing(shape)
    portal.reply("demo.item.list", 200, {"result": page, "total": 2, "time": TIME})
    if expected is None:
        with pytest.raises(flavor.lib._errors.PagingError) as info:
            flavor.items(b24.iterate("demo.item.list"))
        assert "demo.item.list" in str(info.value)
        assert "items_key" in str(info.value) or "expected" in str(info.value)
        return
    assert [i["id" if "id" in i else "ID"] for i in flavor.items(b24.iterate("demo.item.list"))] \
        == expected


def test_items_key_picks_one_of_several_lists(flavor, portal, listing):
    b24 = listing("lists:tasks,users")
    portal.reply("demo.item.list", 200, {"result": {"tasks": [{"id": "1"}],
                                                    "users": [{"id": "9"}]}})
    items = flavor.items(b24.iterate("demo.item.list", items_key="users"))
    assert items == [{"id": "9"}]


def test_next_that_does_not_advance_stops_with_an_error(flavor, portal, listing):
    b24 = listing("items:tasks")
    page = {"result": {"tasks": [{"id": str(i)} for i in range(50)]}, "total": 500,
            "next": 50, "time": TIME}
    portal.reply("demo.item.list", 200, page, times=5)
    with pytest.raises(flavor.lib._errors.PagingError, match="does not move past") as info:
        flavor.items(b24.iterate("demo.item.list"))
    assert info.value.code == "NEXT_NOT_ADVANCING"
    assert len(portal.calls("demo.item.list")) == 2  # the first page, then the repeat


def test_a_v3_page_that_repeats_stops_with_an_error(flavor, portal, listing):
    b24 = listing("items:items", api="v3")
    page = {"result": {"items": [{"id": i} for i in range(50)]}, "time": TIME}
    portal.reply("demo.item.list", 200, page, times=5)
    with pytest.raises(flavor.lib._errors.PagingError, match="repeats"):
        flavor.items(b24.iterate("demo.item.list", api="v3"))
    assert len(portal.calls("demo.item.list")) == 2


def test_fast_paging_stops_when_the_id_filter_is_ignored(flavor, portal, listing):
    b24 = listing("items:tasks")
    first = {"result": {"tasks": [{"id": str(i)} for i in range(1, 51)]}, "time": TIME}
    again = {"result": {"result": {f"p{n}": first["result"] for n in range(50)},
                        "result_error": []}, "time": TIME}
    portal.reply("demo.item.list", 200, first)
    portal.reply("batch", 200, again)
    with pytest.raises(flavor.lib._errors.PagingError, match="no item with a greater"):
        flavor.items(b24.iterate_fast("demo.item.list"))


def test_documented_shapes_reach_the_specs(flavor):
    from b24client import _specs

    assert _specs.SPECS[("tasks.task.list", "v2")].result_shape == "items:tasks"
    assert _specs.SPECS[("tasks.task.list", "v3")].result_shape == "items:items"
    assert _specs.SPECS[("crm.item.list", "v2")].result_shape == "items:items"


# ---------------------------------------------------------------- errors


def test_codes_are_looked_up_in_any_case(flavor, portal):
    portal.reply("tasks.task.list", 403, {"error": "USER_ACCESS_ERROR",
                                          "error_description": "No access to the app"})
    documented = flavor.lib.errors.ERRORS["user_access_error"]  # the class of the code
    with pytest.raises(documented) as info:
        flavor(flavor.client(portal).call("tasks.task.list"))
    assert info.value.code == "USER_ACCESS_ERROR"  # as the portal sent it
    assert isinstance(info.value, flavor.lib.errors.AccessError)


@pytest.mark.parametrize("code, status, category", [
    ("ERROR_DEAL_NOT_FOUND", 400, "NotFoundError"),
    ("BITRIX_REST_V3_EXCEPTION_SECTIONNOTFOUNDEXCEPTION", 400, "NotFoundError"),
    ("DEAL_ACCESS_DENIED", 400, "AccessError"),
    ("BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION_NEW", 400, "AccessError"),
    ("TASK_READ_ACCESS_ERROR", 400, "AccessError"),
    ("ERROR_ARGUMENT", 400, "ValidationError"),
    ("FIELD_VALUE_INVALID", 400, "ValidationError"),
    ("TITLE_REQUIRED", 400, "ValidationError"),
    ("INVALID_TOKEN", 401, "AuthError"),
    ("SOMETHING_NEW", 404, "NotFoundError"),
    ("SOMETHING_NEW", 403, "AccessError"),
    ("SOMETHING_NEW", 502, "ServerError"),
    ("SOMETHING_NEW", 400, "Bitrix24Error"),
])
def test_undocumented_codes_get_a_category(flavor, portal, code, status, category):
    portal.reply("tasks.task.approve", status, {"error": code, "error_description": "x"})
    with pytest.raises(flavor.lib.Bitrix24Error) as info:
        flavor(flavor.client(portal).tasks.task.approve(task_id=3))
    assert type(info.value) is getattr(flavor.lib._errors, category)
    assert (info.value.code, info.value.status) == (code, status)


def test_the_mocks_own_error_argument_is_a_validation_error(flavor, portal):
    with pytest.raises(flavor.lib.errors.ValidationError) as info:
        flavor(flavor.client(portal).call("crm.item.list", {"select": ["id"]}))
    assert info.value.code == "ERROR_ARGUMENT" and "entityTypeId" in info.value.description


def test_a_renamed_portal_is_followed_once_and_logged(flavor, testing, logs):
    with testing.mock_portal(dataset_size=60) as new, testing.mock_portal() as old:
        old.move_to(new.url)
        b24 = flavor.client(old)
        assert len(flavor.items(b24.iterate("tasks.task.list"))) == 60
        assert len(old.requests) == 1 and len(new.calls("tasks.task.list")) == 2
        moved = [r for r in logs.records if r.levelno == logging.WARNING]
        assert len(moved) == 1 and new.url in moved[0].getMessage()
        assert old.secret not in moved[0].getMessage()
        assert flavor(b24.tasks.task.approve(task_id=3))["task"]["status"] == "5"
        assert new.tasks[3]["status"] == "5" and old.tasks[3]["status"] == "4"


def test_a_second_redirect_or_another_path_is_an_error(flavor, testing):
    with testing.mock_portal() as third, testing.mock_portal() as second, \
            testing.mock_portal() as first:
        first.move_to(second.url)
        second.move_to(third.url)
        b24 = flavor.client(first)
        with pytest.raises(flavor.lib.errors.TransportError, match="second redirect") as info:
            flavor(b24.call("tasks.task.list"))
        assert info.value.code == "REDIRECT" and first.secret not in str(info.value)
        assert third.requests == []
        second.move_to(None)
        second.reply(None, 302, b"", headers={"Location": f"{third.url}/auth/"})
        with pytest.raises(flavor.lib.errors.TransportError, match="not the same webhook"):
            flavor(b24.call("tasks.task.list"))


def test_a_token_client_is_told_the_portal_moved(flavor, testing):
    with testing.mock_portal() as new, testing.mock_portal() as old:
        old.move_to(new.url, status=302)
        b24 = flavor.oauth(old, "valid-token")
        with pytest.raises(flavor.lib.errors.TransportError, match="portal moved"):
            flavor(b24.call("tasks.task.list"))


# ---------------------------------------------------------------- REST v3 batch


def test_v3_batch_sends_the_documented_array(flavor, testing, facts):
    with testing.mock_portal(facts, dataset_size=120) as p:
        b24 = flavor.client(p)
        commands = {f"t{i}": ("tasks.task.get", {"id": i}) for i in range(1, 61)}
        commands["list"] = ("tasks.task.list", {"select": ["id", "status"],
                                                "filter": [["status", "=", "4"]]})
        result = flavor(b24.batch(commands, api="v3"))
        assert result.requests == 2 and len(result) == 61
        assert result["t3"] == {"item": {"id": 3, "title": "Item 3", "status": "4",
                                         "taskControl": "Y"}}
        assert [i["id"] for i in result["list"]["items"]] == list(range(3, 121, 5))
        sent = p.calls("batch")[0]
        assert sent.path.startswith("/rest/api/") and sent.array[0] == {
            "method": "tasks.task.get", "query": {"id": 1}}
        with pytest.raises(flavor.lib._errors.NotFoundError):  # all or nothing
            flavor(b24.batch([("tasks.task.get", {"id": 3}), ("tasks.task.get", {"id": 999})],
                             api="v3"))


def test_v3_batch_with_an_oauth_token(flavor, testing, facts):
    with testing.mock_portal(facts, dataset_size=10) as p:
        b24 = flavor.oauth(p, "valid-token")
        result = flavor(b24.batch([("tasks.task.get", {"id": 2})], api="v3"))
        assert result["cmd0"]["item"]["id"] == 2
        assert p.calls("batch")[0].params == {"auth": "valid-token"}  # in the URL
        assert p.calls("batch")[0].array == [{"method": "tasks.task.get", "query": {"id": 2}}]


# ---------------------------------------------------------------- logging


def test_decisions_are_logged_at_debug_without_secrets(flavor, testing, logs):
    with testing.mock_portal(dataset_size=120, drain=50, burst=3) as p:
        b24 = flavor.client(p, limits=flavor.lib.Limits(drain=50, burst=3))
        p.inject("tasks.task.list", "500")
        flavor.items(b24.iterate("tasks.task.list"))  # a retry, then waits for the bucket
        flavor(b24.batch([("tasks.task.list", {})]))
        oauth = flavor.oauth(p, "expired-token", retry=flavor.lib.RetryPolicy(base=0.01))
        flavor(oauth.call("tasks.task.list"))
    text = "\n".join(r.getMessage() for r in logs.records if r.name == "b24client")
    assert all(r.levelno == logging.DEBUG for r in logs.records if r.name == "b24client")
    for decision in ("retry 1", "waiting", "refreshing", "refreshed", "batch: request 1"):
        assert decision in text, decision
    for secret in (p.secret, "expired-token", "token-1"):
        assert secret not in text


# ---------------------------------------------------------------- aiohttp transport


def test_aiohttp_transport_is_chosen_by_the_user(flavor, portal):
    pytest.importorskip("aiohttp")
    if not flavor.loop:
        with pytest.raises(ValueError, match="AsyncBitrix24"):
            flavor.client(portal, transport="aiohttp")
        return
    b24 = flavor.client(portal, transport="aiohttp")
    assert len(flavor.items(b24.iterate("tasks.task.list"))) == 500
    portal.inject("tasks.task.approve", "drop")
    with pytest.raises(flavor.lib.errors.TransportError, match="not resent"):
        flavor(b24.tasks.task.approve(task_id=3))  # dropped after sending: not resent
    assert len(portal.calls("tasks.task.approve")) == 1
    portal.inject("tasks.task.list", "drop")
    assert flavor(b24.call("tasks.task.list", {"start": 450}))["tasks"][0]["id"] == "451"
