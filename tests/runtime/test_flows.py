"""The call policy of the runtime, run from its source and driven without any network
(sans-IO)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def flows(runtime):
    return runtime._flows


@pytest.fixture
def session(runtime, flows):
    auth = runtime.WebhookAuth("https://portal.example/rest/1/secret/")
    return flows.Session(auth, retry=flows.RetryPolicy(max_retries=3, base=0.1))


def ok(result, **extra):
    return b'{"result": %s%s}' % (json.dumps(result).encode(),
                                  b"".join(b', "%s": %s' % (k.encode(), json.dumps(v).encode())
                                           for k, v in extra.items()))


def drive(flow, outcomes):
    """Run a flow, answering each Send with the next outcome; returns (value, actions)."""
    from generator.runtime._flows import Answer, Send

    actions = []
    outcomes = list(outcomes)
    try:
        action = next(flow)
        while True:
            actions.append(action)
            reply = None
            if isinstance(action, Send):
                reply = outcomes.pop(0)
                if type(reply) is tuple:
                    reply = Answer(reply[0], {}, reply[1])
            action = flow.send(reply)
    except StopIteration as done:
        return done.value, actions


def kinds(actions):
    return [type(a).__name__ for a in actions]


def test_dropped_connection_not_resent_for_non_idempotent(runtime, flows, session):
    spec = runtime._runtime.MethodSpec("tasks.task.add", idempotent=False)
    with pytest.raises(runtime.errors.TransportError, match="not resent"):
        drive(flows.call_flow(session, spec, {}), [flows.Failure("ReadError", sent=True)])


def test_dropped_connection_resent_for_idempotent(runtime, flows, session):
    spec = runtime._runtime.MethodSpec("tasks.task.get", idempotent=True)
    value, actions = drive(flows.call_flow(session, spec, {}),
                           [flows.Failure("ReadError", sent=True), (200, ok(1))])
    assert value.result == 1 and kinds(actions) == ["Send", "Sleep", "Send"]


def test_connect_error_is_resent_even_for_writes(runtime, flows, session):
    spec = runtime._runtime.MethodSpec("tasks.task.add", idempotent=False)
    value, _ = drive(flows.call_flow(session, spec, {}),
                     [flows.Failure("ConnectError", sent=False), (200, ok(7))])
    assert value.result == 7


def test_rate_limit_backoff_grows_and_is_bounded(runtime, flows, session):
    spec = runtime._runtime.MethodSpec("user.get", idempotent=True)
    busy = (503, b'{"error": "QUERY_LIMIT_EXCEEDED"}')
    with pytest.raises(runtime.errors.QueryLimitExceededError):
        _, actions = drive(flows.call_flow(session, spec, {}), [busy] * 4)
    # After a 503 the bucket is taken as full: the retry waits one drain step (0.5 s).
    fresh = flows.Session(session.auth, retry=session.retry)
    _, actions = drive(flows.call_flow(fresh, spec, {}), [busy, (200, ok(True))])
    assert [a.seconds for a in actions if type(a).__name__ == "Sleep"] == pytest.approx([0.5], abs=0.02)


def test_server_error_backoff_grows_with_jitter(runtime, flows, session):
    spec = runtime._runtime.MethodSpec("user.get", idempotent=True)
    down = (502, b"<html>bad gateway</html>")
    value, actions = drive(flows.call_flow(session, spec, {}), [down, down, (200, ok(True))])
    sleeps = [a.seconds for a in actions if type(a).__name__ == "Sleep"]
    assert value.result is True and len(sleeps) == 2
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2  # jittered, doubling
    write = runtime._runtime.MethodSpec("user.add", idempotent=False)
    with pytest.raises(runtime.errors.TransportError):
        drive(flows.call_flow(session, write, {}), [down])  # a write is not resent


@pytest.mark.parametrize("code", ["NO_AUTH_FOUND", "INVALID_CREDENTIALS", "insufficient_scope"])
def test_auth_errors_are_never_retried(runtime, flows, session, code):
    spec = runtime._runtime.MethodSpec("user.get", idempotent=True)
    with pytest.raises(runtime.Bitrix24Error) as info:
        drive(flows.call_flow(session, spec, {}), [(401, json.dumps({"error": code}).encode())])
    assert info.value.code == code


def test_expired_token_refreshes_once(runtime, flows):
    auth = runtime.TokenAuth("https://p.example", "old", refresh_token="r", client_id="c",
                               client_secret="s")
    session = flows.Session(auth)
    expired = (401, b'{"error": "expired_token"}')
    spec = runtime._runtime.MethodSpec("user.get")
    value, actions = drive(flows.call_flow(session, spec, {}), [expired, (200, ok(1))])
    assert kinds(actions) == ["Send", "Refresh", "Send"] and actions[1].stale == "old"
    with pytest.raises(runtime.errors.ExpiredTokenError):
        drive(flows.call_flow(session, spec, {}), [expired, expired])


def test_v3_writes_get_a_stable_idempotency_key(runtime, flows, session):
    spec = runtime._runtime.MethodSpec("tasks.task.update", "v3", idempotent=False)
    _, actions = drive(flows.call_flow(session, spec, {}),
                       [flows.Failure("ReadError", sent=True), (200, ok(True))])
    keys = [a.request.headers["Idempotency-Key"] for a in actions if type(a).__name__ == "Send"]
    assert len(keys) == 2 and keys[0] == keys[1]  # resent safely, with the same key
    assert actions[0].request.url == "https://portal.example/rest/api/1/secret/tasks.task.update"


def test_leaky_bucket_paces_after_burst(flows):
    now = [0.0]
    bucket = flows.LeakyBucket(rate=2.0, burst=50, clock=lambda: now[0])
    waits = [bucket.reserve() for _ in range(53)]
    assert waits[:50] == [0.0] * 50
    assert waits[50:] == pytest.approx([0.5, 1.0, 1.5])
    now[0] = 10.0  # 20 drained
    assert bucket.reserve() == 0.0


def test_operating_budget_waits_for_reset(flows):
    now = [1000.0]
    budget = flows.OperatingBudget(480.0, clock=lambda: now[0])
    budget.record("crm.item.list", {"operating": 100, "operating_reset_at": 1600})
    assert budget.wait("crm.item.list") == 0.0
    budget.record("crm.item.list", {"operating": 481, "operating_reset_at": 1600})
    assert budget.wait("CRM.ITEM.LIST") == 600.0 and budget.wait("other") == 0.0


def test_encode_query_like_http_build_query(flows):
    text = flows.command_text("crm.item.list", {"entityTypeId": 2, "filter": {">ID": 5},
                                                "select": ["ID", "TITLE"], "flag": True,
                                                "skip": None})
    assert text == ("crm.item.list?entityTypeId=2&filter[%3EID]=5&select[0]=ID&select[1]=TITLE"
                    "&flag=1")
    assert flows.command_text("x.y", {"id": "$result[a][0][ID]"}) == "x.y?id=$result[a][0][ID]"


def test_batch_chunks_and_resolves_earlier_chunks(runtime, flows, session):
    commands = {f"c{i}": ("user.get", {"ID": i}) for i in range(120)}
    commands["last"] = ("user.get", {"ID": "$result[c0][ID]"})

    def page(keys):
        return (200, json.dumps({"result": {"result": {k: {"ID": k} for k in keys},
                                            "result_error": {}}}).encode())

    flow = flows.batch_flow(session, commands)
    action = next(flow)
    sent = []
    try:
        while True:
            if type(action).__name__ == "Send":
                cmd = action.request.payload["cmd"]
                sent.append(cmd)
                action = flow.send(flows.Answer(*page(cmd)[:1], {}, page(cmd)[1]))
            else:
                action = flow.send(None)
    except StopIteration as done:
        result = done.value
    assert [len(c) for c in sent] == [50, 50, 21]
    assert sent[2]["last"] == "user.get?ID=c0"  # the earlier chunk's value, filled in
    assert result.requests == 3 and len(result.results) == 121


def test_batch_refuses_methods_not_allowed(runtime, flows, session, monkeypatch):
    spec = runtime._runtime.MethodSpec("no.batch.here", batch=False)
    monkeypatch.setitem(runtime._specs.SPECS, ("no.batch.here", "v2"), spec)
    with pytest.raises(runtime.errors.ErrorBatchMethodNotAllowedError):
        drive(flows.batch_flow(session, [("no.batch.here", {})]), [])


def test_fast_pager_chains_pages(flows):
    pager = flows.FastPager("tasks.task.list", {"filter": {"STATUS": 2}})
    first = pager.learn({"tasks": [{"id": str(i)} for i in range(1, 51)]})
    assert len(first) == 50 and pager.key == "tasks" and pager.item_id == "id"
    commands = pager.batch_commands()
    assert commands["p0"][1]["filter"] == {"STATUS": 2, ">ID": 50}
    assert commands["p1"][1]["filter"][">ID"] == "$result[p0][tasks][49][id]"
    assert commands["p0"][1]["start"] == -1 and commands["p0"][1]["order"] == {"ID": "ASC"}
