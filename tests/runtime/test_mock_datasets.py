"""The mock portal (generator/runtime/testing.py, from source) as real clients and the
docs' own examples call it, over 127.0.0.1 with raw httpx: positional JSON-array bodies,
one dataset per entity that list, get, filters and the task rules agree on, lists whose
example is broken, REST v3 batch in both forms, HTTPS with a throw-away CA, and the
pytest plugin."""

from __future__ import annotations

import copy
import importlib.util
import os
import ssl
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from generator.pipeline import load_specs
from generator.render.model import mock_data
from generator.runtime import testing as TESTING

ROOT = Path(__file__).resolve().parents[2]
MOCKDATA = mock_data(load_specs(ROOT / "specs").methods)


def facts(name, api="v2", **more):
    base = {"name": name, "api": api, "batch": True, "pagination": "none", "params": [],
            "result": None, "errors": [], "error_roles": {}}
    return {**base, **more}


# Facts written from the docs' pages of these methods (parameters in documented order).
ELAPSED = facts("task.elapseditem.getlist", params=[
    {"name": "TASKID", "type": "integer", "required": False},
    {"name": "ORDER", "type": "object", "required": False},
    {"name": "FILTER", "type": "object", "required": False},
    {"name": "SELECT", "type": "array", "required": False},
    {"name": "PARAMS", "type": "object", "required": False}], result=None)
TASK_GET = facts("tasks.task.get", params=[
    {"name": "taskId", "type": "integer", "required": True},
    {"name": "select", "type": "array", "required": False}],
    result={"task": {"id": "8017", "title": "Quarterly report", "status": "2",
                     "responsibleId": "1"}},
    error_roles={"not_found": {"code": "ERROR_TASK_NOT_FOUND", "status": 400,
                               "message": "Task not found"}})
TASK_GET_V3 = facts("tasks.task.get", "v3", params=[
    {"name": "id", "type": "integer", "required": True},
    {"name": "select", "type": "array", "required": False}],
    result={"item": {"id": 8017, "title": "Quarterly report"}})
ITEM_GET = facts("crm.item.get", params=[
    {"name": "entityTypeId", "type": "integer", "required": True},
    {"name": "id", "type": "integer", "required": True}],
    result={"item": {"id": 41, "title": "Deal #41", "stageId": "NEW"}})
BROKEN_LIST = facts("crm.lead.list", pagination="start-next", result=None, params=[
    {"name": "filter", "type": "object"}, {"name": "start", "type": "integer"}])
BROKEN_V3 = facts("mail.message.list", "v3", pagination="page-limit", result=None)


def data(*extra):
    out = copy.deepcopy(MOCKDATA)
    out["methods"].extend(extra)
    return out


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as client:
        yield client


def call(http, portal, method, params=None, api="v2", **kw):
    base = portal.webhook_url if api == "v2" else portal.webhook_url.replace("/rest/", "/rest/api/")
    return http.post(base + method, json=params if params is not None else {}, **kw)


# ---------------------------------------------------------------- positional bodies


def test_a_json_array_body_takes_the_documented_parameters_in_order(http):
    with TESTING.mock_portal(data(ELAPSED, TASK_GET)) as p:
        r = call(http, p, "task.elapseditem.getlist",
                 [{"ID": "desc"}, {">=CREATED_DATE": "2024-02-16"}])
        assert r.status_code == 200, r.text
        assert p.requests[-1].array == [{"ID": "desc"}, {">=CREATED_DATE": "2024-02-16"}]
        r = call(http, p, "task.elapseditem.getlist", [691, {"ID": "asc"}, {}, ["ID"]])
        assert r.status_code == 200
        r = call(http, p, "task.elapseditem.getlist", [1, {}, {}, [], {}, "extra"])
        assert (r.status_code, r.json()["error"]) == (400, "ERROR_ARGUMENT")
        # A required parameter is not skipped: the wrong value is reported against it.
        r = call(http, p, "tasks.task.get", [{"ID": "desc"}])
        assert (r.status_code, r.json()["error"]) == (400, "ERROR_ARGUMENT")
        assert call(http, p, "tasks.task.get", [3]).json()["result"]["task"]["id"] == "3"
        assert call(http, p, "task.item.startexecution", [5]).status_code == 200
        assert p.tasks[5]["status"] == "3"


def test_positional_parameters_in_a_batch_command(http):
    with TESTING.mock_portal(data(ELAPSED, TASK_GET)) as p:
        body = call(http, p, "batch", {"cmd": {
            "a": "task.elapseditem.getlist?0[ID]=desc&1[>=CREATED_DATE]=2024-02-16",
            "b": "tasks.task.get?0=13"}}).json()["result"]
        assert body["result"]["a"] == [] and body["result_total"]["a"] == 0
        assert body["result"]["b"]["task"]["id"] == "13"


# ---------------------------------------------------------------- one dataset


def test_list_get_and_the_task_rules_see_the_same_tasks(http):
    with TESTING.mock_portal(data(TASK_GET, TASK_GET_V3), dataset_size=120) as p:
        listed = {t["id"]: t for t in call(http, p, "tasks.task.list", {"start": 0})
                  .json()["result"]["tasks"]}
        got = call(http, p, "tasks.task.get", {"taskId": 13}).json()["result"]["task"]
        assert got["id"] == "13" and got["title"] == listed["13"]["title"] == "Item 13"
        assert got["status"] == listed["13"]["status"] == "4"
        assert got["responsibleId"] == "1"  # the documented fields stay
        assert call(http, p, "tasks.task.approve", {"taskId": 13}).status_code == 200
        assert call(http, p, "tasks.task.get", {"taskId": 13}).json()["result"]["task"][
            "status"] == "5"
        again = call(http, p, "tasks.task.list", {"filter": {"ID": 13}}).json()
        assert again["result"]["tasks"] == [{**listed["13"], "status": "5"}] and again["total"] == 1
        v3 = call(http, p, "tasks.task.get", {"id": 13}, api="v3").json()["result"]["item"]
        assert v3 == {"id": 13, "title": "Item 13", "status": "5", "taskControl": "Y"}
        r = call(http, p, "tasks.task.get", {"taskId": 999})
        assert (r.status_code, r.json()["error"]) == (400, "ERROR_TASK_NOT_FOUND")
        r = call(http, p, "tasks.task.get", {"id": 999}, api="v3")
        assert r.json()["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION"
        assert len(p.tasks) == 120 and p.tasks[13] is p.rows("tasks.task")[12]


def test_without_a_dataset_the_rows_are_the_documented_examples(http):
    with TESTING.mock_portal(data(ITEM_GET, TASK_GET)) as p:
        listed = call(http, p, "crm.item.list", {"entityTypeId": 2}).json()
        assert [i["id"] for i in listed["result"]["items"]] == [41, 42]
        got = call(http, p, "crm.item.get", {"entityTypeId": 2, "id": 42}).json()["result"]
        assert got["item"]["title"] == "Deal #42" and got["item"]["stageId"] == "WON"
        assert call(http, p, "crm.item.get", {"entityTypeId": 2, "id": 8017}).status_code == 400
        # Tasks 1..20 of the status rules and the documented example rows, together.
        ids = [int(t["id"]) for t in call(http, p, "tasks.task.list").json()["result"]["tasks"]]
        assert ids == [*range(1, 21), 101, 102]
        assert call(http, p, "tasks.task.get", {"taskId": 101}).json()["result"]["task"][
            "title"] == "Prepare the offer"


@pytest.mark.parametrize("flt, expected", [
    ({"STATUS": 4}, [3, 8, 13, 18]),
    ({"=status": "4", "<ID": 10}, [3, 8]),
    ({">=ID": 15, "<=ID": 17}, [15, 16, 17]),
    ({">ID": 15, "<ID": 17}, [16]),
    ({"!STATUS": [2, 3, 4, 5], ">ID": 10}, [15, 20]),
    ({"@ID": [2, 4, 19]}, [2, 4, 19]),
    ({"ID": [2, 4]}, [2, 4]),
    ({"TASK_CONTROL": "N", "STATUS": 5}, [4, 14]),
    ({"%TITLE": "item 1"}, [1, *range(10, 20)]),
    ({"UNKNOWN_FIELD": 1, "ID": 7}, [7]),  # fields the rows lack are ignored
])
def test_v2_filters(http, flt, expected):
    with TESTING.mock_portal(MOCKDATA, dataset_size=20) as p:
        body = call(http, p, "tasks.task.list", {"filter": flt}).json()
        assert [int(t["id"]) for t in body["result"]["tasks"]] == expected
        assert body["total"] == len(expected)
        fast = call(http, p, "tasks.task.list", {"filter": flt, "start": -1}).json()
        assert [int(t["id"]) for t in fast["result"]["tasks"]] == expected


@pytest.mark.parametrize("flt, expected", [
    ([["status", "=", "4"]], [3, 8, 13, 18]),
    ([["id", ">", 15], ["id", "<=", 17]], [16, 17]),
    ([["id", "in", [1, 2]]], [1, 2]),
    ([["id", [5, 6]]], [5, 6]),
    ([["id", "between", [9, 11]]], [9, 10, 11]),
    ([["status", "!=", "2"], {"logic": "or", "conditions": [["id", 1], ["id", "<", 4]]}],
     [2, 3]),
])
def test_v3_filters(http, flt, expected):
    with TESTING.mock_portal(MOCKDATA, dataset_size=20) as p:
        body = call(http, p, "tasks.task.list", {"filter": flt}, api="v3").json()
        assert [t["id"] for t in body["result"]["items"]] == expected
    with TESTING.mock_portal(MOCKDATA, dataset_size=20) as p:
        r = call(http, p, "tasks.task.list", {"filter": [["id", "like", 1]]}, api="v3")
        assert r.json()["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION"


def test_list_methods_with_a_broken_example_answer_no_rows(http):
    with TESTING.mock_portal(data(BROKEN_LIST, BROKEN_V3, ELAPSED)) as p:
        body = call(http, p, "crm.lead.list").json()
        assert (body["result"], body["total"]) == ([], 0)
        assert call(http, p, "task.elapseditem.getlist", {"TASKID": 1}).json()["total"] == 0
        assert call(http, p, "mail.message.list", {}, api="v3").json()["result"] == {"items": []}
        b = call(http, p, "batch", {"cmd": {"l": "crm.lead.list"}}).json()["result"]
        assert b["result"] == {"l": []} and b["result_total"] == {"l": 0}


# ---------------------------------------------------------------- REST v3 batch


def test_v3_batch_as_the_docs_and_b24jssdk_send_it(http):
    with TESTING.mock_portal(data(TASK_GET_V3), dataset_size=30) as p:
        array = [{"method": "tasks.task.get", "query": {"id": 3, "select": ["id", "title"]}},
                 {"method": "tasks.task.list", "query": {"filter": [["id", "<", 3]]}}]
        r = call(http, p, "batch", array, api="v3")
        assert r.status_code == 200, r.text
        assert r.json()["result"] == [
            {"item": {"id": 3, "title": "Item 3", "status": "4", "taskControl": "Y"}},
            {"items": [{"id": 1}, {"id": 2}]}]
        assert "time" in r.json()
        # @bitrix24/b24jssdk adds `as` and `parallel` to every command of the array.
        jssdk = [{"method": "tasks.task.get", "query": {"id": 4}, "as": "four",
                  "parallel": False}]
        assert call(http, p, "batch", jssdk, api="v3").json()["result"][0]["item"]["id"] == 4
        named = {"four": {"method": "tasks.task.get", "query": {"id": 4}},
                 "five": {"method": "tasks.task.get", "query": {"id": 5}}}
        result = call(http, p, "batch", named, api="v3").json()["result"]
        assert list(result) == ["four", "five"] and result["five"]["item"]["id"] == 5
        r = call(http, p, "batch", {"cmd": {"a": "tasks.task.get?id=3"}}, api="v3")
        assert (r.status_code, r.json()["error"]["code"]) == (
            400, "BITRIX_REST_V3_EXCEPTION_INVALIDSELECTEXCEPTION")
        r = call(http, p, "batch", [{"method": "tasks.task.get"}], api="v3")
        assert r.json()["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_INVALIDSELECTEXCEPTION"
        r = call(http, p, "batch", [{"method": "tasks.task.get", "query": {"id": 1}},
                                    {"method": "tasks.task.get", "query": {"id": 99}}], api="v3")
        assert (r.status_code, r.json()["error"]["code"]) == (
            400, "BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION")  # all or nothing
        r = call(http, p, "batch", [{"method": "tasks.task.get", "query": {"id": 1}}] * 51,
                 api="v3")
        assert r.json()["error"]["code"] == "ERROR_BATCH_LENGTH_EXCEEDED"
        assert len(p.calls("batch")) == 7 and p.count_503 == 0


# ---------------------------------------------------------------- controls


def test_reply_and_move_to_controls(http):
    with TESTING.mock_portal(MOCKDATA) as p:
        p.reply("tasks.task.list", 418, {"error": "TEAPOT"}, headers={"X-Why": "test"})
        r = call(http, p, "tasks.task.list")
        assert (r.status_code, r.json(), r.headers["x-why"]) == (418, {"error": "TEAPOT"}, "test")
        assert call(http, p, "tasks.task.list").status_code == 200
        p.move_to("https://renamed.example")
        r = call(http, p, "tasks.task.list?x=1")
        assert r.status_code == 301
        assert r.headers["location"] == (
            f"https://renamed.example/rest/1/{p.secret}/tasks.task.list?x=1")
        p.move_to(None)
        assert call(http, p, "tasks.task.list").status_code == 200


# ---------------------------------------------------------------- HTTPS


def test_https_mode_with_a_throw_away_ca(http):
    with TESTING.mock_portal(MOCKDATA, tls=True, dataset_size=60) as p:
        assert p.url.startswith("https://127.0.0.1:") and p.ca_path.is_file()
        with httpx.Client(verify=p.ssl_context()) as trusted:
            r = trusted.post(p.webhook_url + "tasks.task.list", json={"start": 50})
            assert [t["id"] for t in r.json()["result"]["tasks"]] == [str(i) for i in range(51, 61)]
            local = trusted.post(p.url.replace("127.0.0.1", "localhost") + p.webhook_url[len(p.url):]
                                 + "tasks.task.list")
            assert local.status_code == 200
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            http.post(p.webhook_url + "tasks.task.list")  # the system CAs do not know it
        with pytest.raises(httpx.TransportError):  # plain HTTP to the HTTPS port
            httpx.post(p.webhook_url.replace("https://", "http://") + "tasks.task.list")
    assert TESTING.MockPortal(MOCKDATA).ca_path is None


def test_certificates_from_the_openssl_binary_verify(tmp_path):
    files = TESTING.openssl_certificates(tmp_path)
    ssl.create_default_context(cafile=str(files.ca))  # a CA Python's ssl accepts
    done = subprocess.run(["openssl", "verify", "-CAfile", str(files.ca), str(files.cert)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["openssl", "x509", "-in", str(files.cert), "-noout", "-text"],
                          capture_output=True, text=True).stdout
    assert "IP Address:127.0.0.1" in text and "DNS:localhost" in text


@pytest.mark.skipif(importlib.util.find_spec("cryptography") is None,
                    reason="the cryptography package is not installed (the openssl "
                           "binary makes the certificates instead)")
def test_certificates_from_the_cryptography_package(tmp_path):
    files = TESTING.cryptography_certificates(tmp_path)
    done = subprocess.run(["openssl", "verify", "-CAfile", str(files.ca), str(files.cert)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- pytest plugin


def test_the_pytest_plugin_gives_a_b24_portal_fixture(tmp_path):
    (tmp_path / "test_uses_portal.py").write_text(textwrap.dedent('''
        import httpx
        import pytest
        from b24client import Bitrix24


        def test_plain(b24_portal):
            b24 = Bitrix24.from_webhook(b24_portal.webhook_url, allow_http=True)
            assert b24.tasks.task.approve(task_id=3)["task"]["status"] == "5"


        @pytest.mark.b24_portal(dataset_size=70, tls=True)
        def test_marked(b24_portal):
            transport = httpx.HTTPTransport(verify=b24_portal.ssl_context())
            b24 = Bitrix24.from_webhook(b24_portal.webhook_url, transport=transport)
            assert len(list(b24.iterate("tasks.task.list"))) == 70
    '''), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "generated")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "b24client.pytest_plugin", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
