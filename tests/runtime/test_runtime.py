"""Every runtime feature over real HTTP against the generated mock portal, sync and async."""

from __future__ import annotations

import time

import pytest


# ---------------------------------------------------------------- calls and errors


def test_documented_methods_and_task_rules(flavor, portal):
    b24 = flavor.client(portal)
    before = portal.tasks[3]["status"]
    assert before == "4"  # waiting for control
    task = flavor(b24.tasks.task.approve(task_id=3))["task"]
    assert task["status"] == "5"
    with pytest.raises(flavor.lib.errors.Error1048582) as info:
        flavor(b24.tasks.task.approve(task_id=3))  # no longer waiting for control
    assert info.value.status == 400 and info.value.method == "tasks.task.approve"
    with pytest.warns(DeprecationWarning, match="tasks.task.defer"):
        with pytest.raises(flavor.lib.errors.Error1048582):
            flavor(b24.task.item.defer(taskid=1))  # task 1 is not in progress
    with pytest.warns(DeprecationWarning, match="tasks.task.start"):
        flavor(b24.task.item.startexecution(taskid=1))
    with pytest.warns(DeprecationWarning):
        flavor(b24.task.item.defer(taskid=1))
    assert portal.tasks[1]["status"] == "6"


def test_v3_validation_error_and_idempotency_key(flavor, portal):
    b24 = flavor.client(portal)
    assert flavor(b24.v3.tasks.task.update(id=11, fields={"title": "x"})) is not None
    sent = portal.calls("tasks.task.update")[-1]
    assert sent.path.startswith("/rest/api/") and sent.header("Idempotency-Key")
    with pytest.raises(flavor.lib.errors.ValidationError) as info:
        flavor(b24.call_raw("tasks.task.update", {"fields": {}}, api="v3"))
    assert "id" in info.value.fields


def test_raw_view_exposes_time_status_headers(flavor, portal):
    b24 = flavor.client(portal)
    result = flavor(b24.raw.tasks.task.list(start=0))
    assert result.status == 200 and result.total == 500 and result.next == 50
    assert "operating" in result.time and result.headers["content-type"].startswith("application/json")
    assert isinstance(flavor(b24.tasks.task.list()), dict)  # the plain client is unchanged


# ---------------------------------------------------------------- auth


def test_oauth_refresh_once_and_persist(flavor, portal):
    saved = []
    b24 = flavor.oauth(portal, "expired-token", on_refresh=lambda auth: saved.append(
        (auth.access_token, auth.refresh_token)))
    assert flavor(b24.tasks.task.list()) is not None
    assert portal.refreshes == 1 and saved == [("token-1", "refresh-1")]
    assert "token-1" not in repr(b24) and "expired-token" not in repr(b24)


def test_concurrent_refreshes_are_merged(flavor, portal):
    b24 = flavor.oauth(portal, "expired-token")
    results = flavor.gather([lambda: b24.call("tasks.task.list") for _ in range(6)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert portal.refreshes == 1


def test_auth_failures_raise_at_once(flavor, portal):
    b24 = flavor.oauth(portal, "not-a-token")
    with pytest.raises(flavor.lib.errors.NoAuthFoundError) as info:
        flavor(b24.call("tasks.task.list"))
    assert len(portal.requests) == 1 and portal.refreshes == 0
    assert "not-a-token" not in str(info.value)


# ---------------------------------------------------------------- limits and faults


def test_pacing_keeps_503_from_the_portal(flavor, testing):
    with testing.mock_portal(drain=20, burst=5) as p:
        b24 = flavor.client(p, limits=flavor.lib.Limits(drain=20, burst=5))
        start = time.monotonic()
        for _ in range(15):
            flavor(b24.call("tasks.task.list"))
        elapsed = time.monotonic() - start
    assert p.count_503 == 0
    assert elapsed >= (15 - 5) / 20 * 0.9  # the client waited instead of being refused


def test_503_is_retried_when_the_portal_is_busier_than_expected(flavor, testing):
    with testing.mock_portal(drain=5, burst=3) as p:
        b24 = flavor.client(p, limits=flavor.lib.Limits(drain=1000, burst=1000),
                            retry=flavor.lib.RetryPolicy(max_retries=8, base=0.1))
        for _ in range(8):
            flavor(b24.call("tasks.task.list"))
    assert p.count_503 > 0  # the portal refused some, the caller saw none
    assert b24.stats["limited"] == p.count_503


def test_operating_budget_refuses_locally_instead_of_sleeping(flavor, testing):
    with testing.mock_portal(operating_per_call=200) as p:
        b24 = flavor.client(p)
        for _ in range(3):
            flavor(b24.call("tasks.task.list"))  # the portal reports 600 s used of 480
        with pytest.raises(flavor.lib.errors.OperationTimeLimitError, match="resets in"):
            flavor(b24.call("tasks.task.list"))
    assert len(p.calls("tasks.task.list")) == 3 and p.count_429 == 0  # not sent


def test_operating_time_limit_from_the_portal_is_typed(flavor, testing):
    with testing.mock_portal(operating_per_call=200) as p:
        unaware = flavor.lib.Limits(operating_budget=10**6)
        b24 = flavor.client(p, limits=unaware, retry=flavor.lib.RetryPolicy(max_retries=0))
        for _ in range(3):
            flavor(b24.call("tasks.task.list"))
        with pytest.raises(flavor.lib.errors.OperationTimeLimitError):
            flavor(b24.call("tasks.task.list"))
    assert p.count_429 == 1


@pytest.mark.parametrize("kind", ["drop", "500", "html"])
def test_faults_on_reads_are_retried(flavor, portal, kind):
    b24 = flavor.client(portal)
    portal.inject("tasks.task.list", kind, times=2)
    assert flavor(b24.tasks.task.list()) is not None
    assert len(portal.calls("tasks.task.list")) == 3


def test_dropped_write_is_not_resent(flavor, portal):
    b24 = flavor.client(portal)
    portal.inject("tasks.task.approve", "drop")
    with pytest.raises(flavor.lib.errors.TransportError, match="not resent"):
        flavor(b24.tasks.task.approve(task_id=3))
    assert len(portal.calls("tasks.task.approve")) == 1


def test_timeout_on_a_write(flavor, portal):
    b24 = flavor.client(portal, timeout=0.2)
    portal.inject("tasks.task.approve", "slow", delay=0.6)
    with pytest.raises(flavor.lib.errors.TransportError, match="ReadTimeout"):
        flavor(b24.tasks.task.approve(task_id=3))
    assert len(portal.calls("tasks.task.approve")) == 1


def test_html_error_page_on_a_write(flavor, portal):
    b24 = flavor.client(portal)
    portal.inject("tasks.task.approve", "html")
    with pytest.raises(flavor.lib.errors.TransportError) as info:
        flavor(b24.tasks.task.approve(task_id=3))
    assert info.value.status == 502


# ---------------------------------------------------------------- batch


def test_batch_chunks_references_and_typed_errors(flavor, portal):
    b24 = flavor.client(portal)
    commands = {f"c{i}": ("tasks.task.list", {"start": i}) for i in range(60)}
    commands["first"] = ("tasks.task.list", {"filter": {">ID": "$result[c0][tasks][0][id]"}})
    commands["bad"] = ("tasks.task.approve", {"taskId": 1})  # task 1 is not waiting for control
    result = flavor(b24.batch(commands))
    assert result.requests == 2 and len(portal.calls("batch")) == 2
    assert result["first"]["tasks"][0]["id"] == "2"  # resolved across chunks by the client
    with pytest.raises(flavor.lib.errors.Error1048582):
        result["bad"]
    assert result.totals["c0"] == 500


def test_batch_halt_stops_after_an_error(flavor, portal):
    b24 = flavor.client(portal)
    commands = [("tasks.task.approve", {"taskId": 1}), ("tasks.task.list", {})]
    result = flavor(b24.batch(commands, halt=True))
    assert "cmd0" in result.errors and "cmd1" not in result.results


def test_batch_refuses_a_method_not_allowed(flavor, portal, monkeypatch):
    from b24client import _runtime, _specs

    spec = _runtime.MethodSpec("tasks.task.list", batch=False)
    monkeypatch.setitem(_specs.SPECS, ("tasks.task.list", "v2"), spec)
    b24 = flavor.client(portal)
    with pytest.raises(flavor.lib.errors.ErrorBatchMethodNotAllowedError):
        flavor(b24.batch([("tasks.task.list", {})]))
    assert portal.calls("batch") == []


# ---------------------------------------------------------------- pagination


def test_iterate_v2_start_next(flavor, portal):
    b24 = flavor.client(portal)
    ids = [int(t["id"]) for t in flavor.items(b24.iterate("tasks.task.list"))]
    assert ids == list(range(1, 501))
    assert len(portal.calls("tasks.task.list")) == 10


def test_iterate_v3_pages(flavor, portal):
    b24 = flavor.client(portal)
    items = flavor.items(b24.iterate("tasks.task.list", {"pagination": {"limit": 100}}, api="v3"))
    assert [i["id"] for i in items] == list(range(1, 501))


def test_iterate_fast_in_batches(flavor, portal):
    b24 = flavor.client(portal)
    ids = [int(t["id"]) for t in flavor.items(b24.iterate_fast("tasks.task.list"))]
    assert ids == list(range(1, 501))
    first = portal.calls("tasks.task.list")[0]
    assert str(first.params["start"]) == "-1" and len(portal.calls("batch")) == 1


def test_bulk_fast_mode_under_the_limit(flavor, testing):
    """10,000 items under the portal's 2/s, burst-50 bucket: none lost, none twice, no 503."""
    with testing.mock_portal(dataset_size=10_000, seed=7) as p:
        b24 = flavor.client(p)
        items = flavor.items(b24.iterate_fast("crm.item.list", {"entityTypeId": 2}))
        expected = sorted(int(i) for i in testing.dataset_ids(10_000, 7))
    ids = [int(i["id"]) for i in items]
    assert ids == expected and len(set(ids)) == 10_000
    assert p.count_503 == 0 and b24.stats["limited"] == 0
