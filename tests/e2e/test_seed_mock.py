"""Every generated method of the seed package, called over loopback against the mock
portal with its required arguments: the documented wire names go to the method's URL,
and a documented error comes back as the generated class."""

from __future__ import annotations

import json
import warnings

import pytest

from generator.pipeline import load_specs
from generator.render import model
from tests.conftest import ROOT


def seed_calls():
    loaded = load_specs(ROOT / "specs")
    built = model.build(loaded.methods, loaded.specs)
    for api, roots in sorted(built.trees.items()):
        for key, root in sorted(roots.items()):
            stack = [(root, [root.attr] if key else [])]
            while stack:
                ns, path = stack.pop()
                for fn in ([ns.call] if ns.call else []) + ns.functions_sorted:
                    tail = [] if fn is ns.call else [fn.name]
                    yield api, path + tail, fn
                stack += [(c, path + [c.attr]) for c in ns.children_sorted]


def value(annotation: str):
    first = annotation.split(" | ")[0].replace("builtins.", "")
    return {"int": 1, "str": "1", "bool": True, "float": 1.0}.get(
        first, [] if first.startswith("list") else {})


CALLS = list(seed_calls())
V3_VALIDATION = "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION"


@pytest.mark.parametrize("api,path,fn", CALLS, ids=[f"{c[0]}:{c[2].wire}" for c in CALLS])
def test_method_sends_wire_names_and_raises_documented_class(b24client, api, path, fn):
    from b24client.testing import mock_portal

    data = json.loads((ROOT / "generated" / "b24client" / "mockdata.json").read_text())
    kwargs = {a.name: value(a.annotation) for a in fn.args if a.required}
    with mock_portal(data) as portal:
        b24 = b24client.Bitrix24.from_webhook(portal.webhook_url, allow_http=True)
        target = b24.v3 if api == "v3" else b24
        for part in path:
            target = getattr(target, part)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                target(**kwargs)
            except b24client.Bitrix24Error:
                pass  # the mock's task rules may refuse; what was sent counts
        sent = portal.requests[-1]
        assert sent.method.lower() == fn.wire.lower()
        assert sent.path.startswith("/rest/api/" if api == "v3" else "/rest/1/")
        assert {a.wire for a in fn.args if a.required} <= set(sent.params)
    if not fn.errors:
        return
    cls = getattr(b24client.errors, fn.errors[0])
    if api == "v3":  # REST v3 answers a missing parameter with its validation code
        cls = b24client.errors.error_class(V3_VALIDATION)
        assert cls is not b24client.Bitrix24Error
    entry = next(m for m in data["methods"] if m["name"] == fn.wire and m["api"] == api)
    entry["params"].append({"name": "zzProbe", "type": "integer", "required": True})
    entry["error_roles"] = {"missing": {"code": cls.code, "status": 400, "message": "x"}}
    with mock_portal(data) as portal:
        b24 = b24client.Bitrix24.from_webhook(portal.webhook_url, allow_http=True)
        target = b24.v3 if api == "v3" else b24
        for part in path:
            target = getattr(target, part)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            with pytest.raises(cls):
                target(**kwargs)
