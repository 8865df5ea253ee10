"""The mock portal (generator/runtime/testing.py, run from source over the facts of specs/)
over real HTTP on 127.0.0.1, raw httpx."""

from __future__ import annotations

import copy
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from generator.pipeline import load_specs
from generator.render.model import mock_data
from generator.runtime import testing as TESTING

ROOT = Path(__file__).resolve().parents[2]
MOCKDATA = mock_data(load_specs(ROOT / "specs").methods)
V3_VALIDATION = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"
TIME_KEYS = {"start", "finish", "duration", "processing", "date_start", "date_finish",
             "operating_reset_at", "operating"}


@pytest.fixture
def http():
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def portal():
    with TESTING.mock_portal(MOCKDATA, dataset_size=120) as p:
        yield p


def call(http, portal, method, params=None, api="v2"):
    base = portal.webhook_url if api == "v2" else portal.webhook_url.replace("/rest/", "/rest/api/")
    return http.post(base + method, json=params or {})


def with_methods(*extra):
    """The generated mockdata plus methods a test needs (a v3 list, a batch-less method)."""
    data = copy.deepcopy(MOCKDATA)
    data["methods"].extend(extra)
    return data


def method_facts(name, api="v2", **facts):
    base = {"name": name, "api": api, "batch": True, "pagination": "none", "params": [],
            "result": None, "errors": [], "error_roles": {}}
    return {**base, **facts}


def roles(name):
    return next(m for m in MOCKDATA["methods"] if m["name"] == name)["error_roles"]


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize("query, expected", [
    ("filter[>ID]=5&order[ID]=ASC", {"filter": {">ID": "5"}, "order": {"ID": "ASC"}}),
    ("select[]=ID&select[]=TITLE&start=-1", {"select": ["ID", "TITLE"], "start": "-1"}),
    ("cmd[c0]=a.b%3Fx%3D1&halt=1", {"cmd": {"c0": "a.b?x=1"}, "halt": "1"}),
    ("a[b][c]=1&a[b][d]=&broken[=2", {"a": {"b": {"c": "1", "d": ""}}, "broken[": "2"}),
])
def test_parse_query_reads_php_brackets(query, expected):
    assert TESTING.parse_query(query) == expected


# ---------------------------------------------------------------- answers and errors


def test_documented_example_and_time_envelope(http, portal):
    r = call(http, portal, "tasks.task.update", {"id": 11, "fields": {"title": "T"}}, api="v3")
    assert r.status_code == 200
    body = r.json()
    assert body["result"] == {"result": True}
    assert set(body["time"]) == TIME_KEYS
    assert portal.requests[-1].method == "tasks.task.update"
    assert portal.requests[-1].params == {"id": 11, "fields": {"title": "T"}}


def test_get_with_query_string_and_json_suffix(http, portal):
    r = http.get(portal.webhook_url + "crm.item.list.json?entityTypeId=2&start=-1&filter[>id]=118")
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["result"]["items"]] == [119, 120]


def test_v2_missing_required_parameter_uses_documented_code(http, portal):
    r = call(http, portal, "tasks.task.approve", {})
    assert r.status_code == 400
    assert r.json()["error"] == roles("tasks.task.approve")["missing"]["code"]
    assert set(r.json()) == {"error", "error_description"}
    r = call(http, portal, "crm.item.list", {"select": ["id"]})
    assert (r.status_code, r.json()["error"]) == (400, "ERROR_ARGUMENT")
    assert "entityTypeId" in r.json()["error_description"]


def test_v2_wrong_type(http, portal):
    r = call(http, portal, "crm.item.list", {"entityTypeId": "deals"})
    assert (r.status_code, r.json()["error"]) == (400, "ERROR_ARGUMENT")
    assert call(http, portal, "crm.item.list", {"entityTypeId": "2"}).status_code == 200


def test_v2_wrong_type_uses_the_documented_role_when_there_is_one(http):
    data = with_methods(method_facts("demo.thing.get", params=[
        {"name": "id", "type": "integer", "required": True}], error_roles={
        "wrong_type": {"code": "0", "status": 400, "message": "wrong id"}}))
    with TESTING.mock_portal(data) as p:
        r = call(http, p, "demo.thing.get", {"id": "x"})
        assert (r.status_code, r.json()) == (400, {"error": "0", "error_description": "wrong id"})
        assert call(http, p, "demo.thing.get", {"id": 5}).json()["result"] is True


def test_v3_missing_and_wrong_type_give_validation_entries(http, portal):
    r = call(http, portal, "tasks.task.update", {"id": "eleven"}, api="v3")
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == V3_VALIDATION
    assert [v["field"] for v in error["validation"]] == ["id", "fields"]
    r = call(http, portal, "tasks.task.update", {}, api="v3")
    assert {v["field"] for v in r.json()["error"]["validation"]} == {"id", "fields"}


def test_unknown_method_and_wrong_webhook(http, portal):
    r = call(http, portal, "no.such.method")
    assert (r.status_code, r.json()["error"]) == (404, "ERROR_METHOD_NOT_FOUND")
    r = call(http, portal, "no.such.method", api="v3")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "ERROR_METHOD_NOT_FOUND")
    r = http.post(f"{portal.url}/rest/1/wrongsecret/tasks.task.approve", json={"taskId": 3})
    assert (r.status_code, r.json()["error"]) == (401, "NO_AUTH_FOUND")


# ---------------------------------------------------------------- limits


def test_leaky_bucket_refuses_over_burst_and_recovers_after_drain(http):
    with TESTING.mock_portal(MOCKDATA, burst=5, drain=2) as p:
        codes = [call(http, p, "tasks.task.update", {"id": 1, "fields": {}}, api="v3").status_code
                 for _ in range(6)]
        assert codes == [200] * 5 + [503]
        r = call(http, p, "tasks.task.approve", {"taskId": 3})
        assert (r.status_code, r.json()["error"]) == (503, "QUERY_LIMIT_EXCEEDED")
        assert p.count_503 == 2
        time.sleep(0.6)  # 2 a second drains more than one request
        assert call(http, p, "tasks.task.approve", {"taskId": 3}).status_code == 200


def test_batch_counts_as_one_request(http):
    with TESTING.mock_portal(MOCKDATA, burst=2, drain=1) as p:
        cmd = {f"c{i}": "tasks.task.approve?taskId=3" for i in range(10)}
        assert call(http, p, "batch", {"cmd": cmd}).status_code == 200
        assert call(http, p, "tasks.task.approve", {"taskId": 13}).status_code == 200
        assert call(http, p, "tasks.task.approve", {"taskId": 13}).status_code == 503


def test_bucket_is_thread_safe(http):
    with TESTING.mock_portal(MOCKDATA, burst=20, drain=0.01) as p:
        codes: list[int] = []

        def hit() -> None:
            with httpx.Client(timeout=5) as c:
                for _ in range(5):
                    codes.append(call(c, p, "tasks.task.update", {"id": 1, "fields": {}},
                                      api="v3").status_code)

        threads = [threading.Thread(target=hit) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert codes.count(200) == 20 and codes.count(503) == 10 == p.count_503


def test_operating_time_is_reported_and_limited(http):
    with TESTING.mock_portal(MOCKDATA, operating_per_call=100) as p:
        first = call(http, p, "tasks.task.update", {"id": 1, "fields": {}}, api="v3").json()
        assert first["time"]["operating"] == 100
        assert first["time"]["operating_reset_at"] >= int(first["time"]["start"]) + 599
        for _ in range(4):
            assert call(http, p, "tasks.task.update", {"id": 1, "fields": {}},
                        api="v3").status_code == 200
        r = call(http, p, "tasks.task.update", {"id": 1, "fields": {}}, api="v3")
        assert (r.status_code, r.json()["error"]["code"]) == (429, "OPERATION_TIME_LIMIT")
        assert call(http, p, "tasks.task.approve", {"taskId": 3}).status_code == 200  # per method


# ---------------------------------------------------------------- batch


def test_batch_substitutes_references_in_order(http, portal):
    r = call(http, portal, "batch", {"halt": 0, "cmd": {
        "c0": "tasks.task.list?order[ID]=ASC&start=0",
        "c1": "crm.item.list?entityTypeId=2&filter[>id]=$result[c0][tasks][49][id]&start=-1",
        "c2": "crm.item.list?entityTypeId=2&filter[>id]=$result[c1][items][4][id]",
        "c3": "crm.item.list?entityTypeId=$result[c9][nothing]",
    }})
    assert r.status_code == 200
    body = r.json()["result"]
    assert set(body) == {"result", "result_error", "result_total", "result_next", "result_time"}
    assert [i["id"] for i in body["result"]["c1"]["items"]][:2] == [51, 52]
    assert body["result"]["c2"]["items"][0]["id"] == 56
    assert body["result_total"] == {"c0": 120, "c2": 65}
    assert body["result_next"] == {"c0": 50, "c2": 50}
    assert body["result_error"]["c3"]["error"] == "ERROR_ARGUMENT"  # missing path -> ""
    assert set(body["result_time"]["c0"]) == TIME_KEYS


def test_batch_halt_stops_at_first_error(http, portal):
    cmd = {"a": "tasks.task.approve?taskId=3", "b": "no.such.method", "c": "tasks.task.approve?taskId=13"}
    body = call(http, portal, "batch", {"halt": 1, "cmd": cmd}).json()["result"]
    assert list(body["result"]) == ["a"]
    assert body["result_error"] == {"b": {"error": "ERROR_METHOD_NOT_FOUND",
                                          "error_description": "Method not found!"}}
    assert portal.tasks[13]["status"] == "4"  # c never ran
    body = call(http, portal, "batch", {"halt": 0, "cmd": cmd}).json()["result"]
    assert body["result_error"]["a"]["error"] == "1048582"  # already approved
    assert body["result"]["c"]["task"]["status"] == "5"


def test_batch_as_form_with_list_cmd_and_empty_tables(http, portal):
    r = http.post(portal.webhook_url + "batch", data={
        "cmd[0]": "tasks.task.approve?taskId=3", "cmd[1]": "tasks.task.approve?taskId=13"})
    body = r.json()["result"]
    assert [t["task"]["id"] for t in body["result"]] == ["3", "13"]
    assert body["result_error"] == [] and body["result_total"] == []


def test_batch_refuses_methods_not_allowed_and_too_many_commands(http):
    data = with_methods(method_facts("demo.export", batch=False, result={"ok": True}))
    with TESTING.mock_portal(data) as p:
        body = call(http, p, "batch", {"cmd": {"x": "demo.export", "y": "batch?cmd[z]=demo.export"}})
        errors = body.json()["result"]["result_error"]
        assert {k: v["error"] for k, v in errors.items()} == {
            "x": "ERROR_BATCH_METHOD_NOT_ALLOWED", "y": "ERROR_BATCH_METHOD_NOT_ALLOWED"}
        assert call(http, p, "demo.export").json()["result"] == {"ok": True}
        cmd = {f"c{i}": "tasks.task.approve?taskId=3" for i in range(51)}
        r = call(http, p, "batch", {"cmd": cmd})
        assert (r.status_code, r.json()["error"]) == (400, "ERROR_BATCH_LENGTH_EXCEEDED")


# ---------------------------------------------------------------- lists


def test_list_paging_with_start(http, portal):
    first = call(http, portal, "tasks.task.list", {"order": {"ID": "ASC"}}).json()
    assert [t["id"] for t in first["result"]["tasks"]][:3] == ["1", "2", "3"]
    assert (len(first["result"]["tasks"]), first["total"], first["next"]) == (50, 120, 50)
    last = call(http, portal, "tasks.task.list", {"start": 100}).json()
    assert [t["id"] for t in last["result"]["tasks"]] == [str(i) for i in range(101, 121)]
    assert last["total"] == 120 and "next" not in last
    desc = call(http, portal, "crm.item.list", {"entityTypeId": 2, "order": {"id": "DESC"}}).json()
    assert desc["result"]["items"][0] == {"id": 120, "title": "Item 120"}


def test_start_minus_one_with_id_filter(http, portal):
    seen, last = [], 0
    while True:
        r = http.post(portal.webhook_url + "tasks.task.list",
                      data={"start": "-1", "filter[>ID]": str(last), "order[ID]": "ASC"}).json()
        assert "total" not in r and "next" not in r
        page = r["result"]["tasks"]
        if not page:
            break
        seen += [int(t["id"]) for t in page]
        last = seen[-1]
    assert seen == list(range(1, 121))


def test_seed_leaves_gaps_in_ascending_ids(http):
    with TESTING.mock_portal(MOCKDATA, dataset_size=30, seed=7) as p:
        ids = [int(t["id"]) for t in call(http, p, "tasks.task.list").json()["result"]["tasks"]]
    assert ids == sorted(set(ids)) and len(ids) == 30 and ids[-1] > 30


def test_list_without_dataset_answers_documented_example(http):
    with TESTING.mock_portal(MOCKDATA) as p:
        body = call(http, p, "crm.item.list", {"entityTypeId": 2}).json()
    assert body["result"] == roles_free_example("crm.item.list") and body["total"] == 2


def roles_free_example(name):
    return next(m for m in MOCKDATA["methods"] if m["name"] == name)["result"]


def test_v3_pagination(http):
    data = with_methods(method_facts("tasks.task.list", api="v3", pagination="page-limit"))
    with TESTING.mock_portal(data, dataset_size=120) as p:
        r = call(http, p, "tasks.task.list", {"pagination": {"page": 2, "limit": 10}}, api="v3")
        assert r.json()["result"] == {"items": [{"id": i} for i in range(11, 21)]}
        r = call(http, p, "tasks.task.list", {"select": ["id", "title"], "filter": [["id", ">", 115]],
                                              "pagination": {"offset": 2}}, api="v3")
        assert r.json()["result"]["items"] == [{"id": 118, "title": "Item 118"},
                                               {"id": 119, "title": "Item 119"},
                                               {"id": 120, "title": "Item 120"}]
        assert "total" not in r.json()
        r = call(http, p, "tasks.task.list", {"pagination": {"limit": "many"}}, api="v3")
        assert r.json()["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_INVALIDPAGINATIONEXCEPTION"


# ---------------------------------------------------------------- task status rules


def status_of(portal, task_id):
    return portal.tasks[task_id]["status"]


@pytest.mark.parametrize("method, param, task_id, before, after", [
    ("task.item.startexecution", "TASKID", 1, "2", "3"),
    ("tasks.task.start", "taskId", 5, "6", "3"),
    ("task.item.defer", "TASKID", 2, "3", "6"),
    ("tasks.task.defer", "taskId", 7, "3", "6"),
    ("task.item.renew", "TASKID", 4, "5", "2"),
    ("tasks.task.renew", "taskId", 9, "5", "2"),
    ("tasks.task.approve", "taskId", 3, "4", "5"),
])
def test_allowed_transitions(http, portal, method, param, task_id, before, after):
    assert status_of(portal, task_id) == before
    r = call(http, portal, method, {param: task_id})
    assert r.status_code == 200, r.text
    assert status_of(portal, task_id) == after
    if method.startswith("tasks."):
        assert r.json()["result"]["task"]["status"] == after
    else:
        assert r.json()["result"] is None  # the deprecated methods document a null result


@pytest.mark.parametrize("method, task_id, why", [
    ("task.item.defer", 1, "defer from pending"),
    ("tasks.task.defer", 4, "defer from completed"),
    ("task.item.renew", 2, "renew from in progress"),
    ("tasks.task.renew", 1, "renew from pending"),
    ("tasks.task.approve", 1, "approve a pending task"),
    ("tasks.task.approve", 8, "approve without task control"),
])
def test_refused_transitions(http, portal, method, task_id, why):
    before = status_of(portal, task_id)
    r = call(http, portal, method, {"taskId" if method.startswith("tasks.") else "TASKID": task_id})
    assert (r.status_code, r.json()) == (400, {"error": "1048582",
                                               "error_description": "Action on the task is not allowed"}), why
    assert status_of(portal, task_id) == before


def test_unknown_task(http, portal):
    r = call(http, portal, "tasks.task.approve", {"taskId": 999})
    assert r.status_code == 400
    assert r.json()["error"] == roles("tasks.task.approve").get("not_found", {}).get(
        "code", "ERROR_TASK_NOT_FOUND")
    r = call(http, portal, "task.item.defer", {"TASKID": 999})
    assert r.json()["error"] == "ERROR_TASK_NOT_FOUND"


def test_start_then_defer_then_start_again(http, portal):
    assert call(http, portal, "tasks.task.defer", {"taskId": 1}).status_code == 400
    assert call(http, portal, "tasks.task.start", {"taskId": 1}).status_code == 200
    assert call(http, portal, "tasks.task.defer", {"taskId": 1}).status_code == 200
    assert call(http, portal, "task.item.startexecution", {"taskid": 1}).status_code == 200
    assert status_of(portal, 1) == "3"


# ---------------------------------------------------------------- faults


def test_drop_closes_the_connection_after_reading(http, portal):
    portal.inject("tasks.task.approve", "drop")
    with pytest.raises(httpx.TransportError):
        call(http, portal, "tasks.task.approve", {"taskId": 3})
    assert portal.requests[-1].params == {"taskId": 3}
    assert status_of(portal, 3) == "4"  # not executed
    assert call(http, portal, "tasks.task.approve", {"taskId": 3}).status_code == 200


def test_500_and_html_faults(http, portal):
    portal.inject(None, "500", times=2)
    portal.inject("tasks.task.approve", "html")
    for _ in range(2):
        r = call(http, portal, "tasks.task.update", {"id": 1, "fields": {}}, api="v3")
        assert (r.status_code, r.json()["error"]) == (500, "INTERNAL_SERVER_ERROR")
    r = call(http, portal, "tasks.task.approve", {"taskId": 3})
    assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError):
        r.json()
    assert call(http, portal, "tasks.task.approve", {"taskId": 3}).status_code == 200


def test_slow_fault_delays_then_answers(http, portal):
    portal.inject("tasks.task.approve", "slow", delay=0.3)
    began = time.monotonic()
    assert call(http, portal, "tasks.task.approve", {"taskId": 3}).status_code == 200
    assert time.monotonic() - began >= 0.3
    portal.inject(None, "slow", delay=0.5)
    with pytest.raises(httpx.ReadTimeout):
        http.post(portal.webhook_url + "tasks.task.approve", json={"taskId": 13}, timeout=0.1)
    with pytest.raises(ValueError):
        portal.inject(None, "explode")


# ---------------------------------------------------------------- OAuth


def test_oauth_tokens_expiry_and_refresh(http, portal):
    url = f"{portal.url}/rest/tasks.task.approve"
    assert http.post(url, json={"taskId": 3, "auth": "valid-token"}).status_code == 200
    r = http.post(url, json={"taskId": 13, "auth": "expired-token"})
    assert (r.status_code, r.json()["error"]) == (401, "expired_token")
    r = http.post(url + "?auth=nonsense", json={"taskId": 13})
    assert (r.status_code, r.json()["error"]) == (401, "NO_AUTH_FOUND")
    grant = http.get(f"{portal.url}/oauth/token/", params={
        "grant_type": "refresh_token", "client_id": "app", "client_secret": "s",
        "refresh_token": "r1"}).json()
    assert portal.refreshes == 1 and grant["access_token"] and grant["refresh_token"]
    assert http.post(url, json={"taskId": 13, "auth": grant["access_token"]}).status_code == 200
    portal.expire_token(grant["access_token"])
    r = http.post(url, json={"taskId": 13, "auth": grant["access_token"]})
    assert r.json()["error"] == "expired_token"
    r = http.post(f"{portal.url}/oauth/token/", data={"grant_type": "refresh_token",
                                                      "refresh_token": "invalid-refresh-token"})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    v3 = http.post(f"{portal.url}/rest/api/tasks.task.update",
                   json={"id": 1, "fields": {}, "auth": "valid-token"})
    assert v3.json()["result"] == {"result": True}


def test_url_needs_a_started_portal():
    p = TESTING.MockPortal(MOCKDATA)
    with pytest.raises(RuntimeError):
        p.url
    with p:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/rest/1/\w+/", p.webhook_url)


# ---------------------------------------------------------------- CLI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_mock_serves_until_terminated(http):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "mock", "--specs", "specs",
                             "--port", str(port), "--dataset", "60", "--burst", "10"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line, line + proc.stderr.read()
        webhook = proc.stdout.readline().split()[-1]
        r = http.post(webhook + "tasks.task.list", json={"start": 50})
        assert [t["id"] for t in r.json()["result"]["tasks"]] == [str(i) for i in range(51, 61)]
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_cli_mock_reports_bad_specs(tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(ROOT / "tests" / "fixtures" / "specs", specs)
    (specs / "demo" / "zz_bad.md").write_text("---\nscope: demo\n---\n# Title\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generator.cli", "mock", "--specs", str(specs),
                             "--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "SPEC007" in result.stderr and "not started" in result.stderr


def test_cli_mock_serves_a_docs_tree_without_rendering(http):
    docs = ROOT / "tests" / "fixtures" / "conformance" / "en" / "api-reference"
    proc = subprocess.Popen([sys.executable, "-m", "generator.cli", "mock", "--docs", str(docs),
                             "--port", str(free_port())],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "mock portal on" in line, line + proc.stderr.read()
        webhook = proc.stdout.readline().split()[-1]
        missing = http.post(webhook + "demo.widget.add", json={}).json()
        assert missing["error"]  # a documented error for the missing required parameter
        assert http.post(webhook + "no.such.method", json={}).status_code == 404
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
