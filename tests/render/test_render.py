"""Rendering: safety of text that reaches source, determinism, strictness."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from generator.ir import Method, Param, Source
from generator.render import plan
from generator.render.env import docstring, environment, pystr

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ['a """ b', "ends with quote\"", "back\\slash \\n", "x\x00y",
                                  '"""; import os; """', "trailing \\"])
def test_docstring_filter_makes_a_safe_literal(text):
    literal = docstring(text, 4)
    tree = ast.parse(f"def f():\n    {literal}\n    return 1\n")
    doc = ast.get_docstring(tree.body[0], clean=False)
    assert doc.strip() == text.replace("\x00", " ").strip()


@pytest.mark.parametrize("value", ['say "hi"', "line\nbreak", "\\", "ünï", None, True])
def test_pystr_roundtrips(value):
    assert ast.literal_eval(pystr(value)) == value


def test_strict_undefined():
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_hostile_description_cannot_inject_code():
    evil = 'x"""\nimport os\nos.system("echo pwned")\n"""'
    method = Method(method="evil.thing.run", scope="evil", description=evil,
                    params=(Param(name="a", description=evil, type="string"),),
                    source=Source("specs/evil.md", "markdown"))
    files = plan([method], {method.key: "specs/evil.md"})
    tree = ast.parse(files["b24client/evil.py"])
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", "") == "system"]
    assert calls == []


def test_output_is_identical_across_hash_seeds(tmp_path):
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "generator.cli", "regenerate",
                        str(ROOT / "tests" / "fixtures" / "specs"), "--out", str(out)],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes()
                        for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1] == outputs[2]


def test_client_attributes_read_from_source_match_the_classes():
    """The names no namespace may take are read from the runtime's source (importing
    it would load httpx); they are the public attributes of the classes themselves."""
    from generator.render import model
    from generator.runtime._client import AsyncClient, SyncClient

    public = {n for c in (SyncClient, AsyncClient) for n in dir(c) if not n.startswith("_")}
    assert model.client_attrs() == public | {"v3", "timeout"}


RENAMED_SPECS = {
    "demo.itemGet.md": ("demo.itemGet", "v2"),
    "demo.item_get.md": ("demo.item_get", "v2"),
    "typing.a.md": ("typing.a", "v3"),
}


def test_the_report_lists_renames_per_api_client_first(tmp_path, monkeypatch):
    """Package-wide renames, then per api the client's attributes and its namespaces'
    members: v2 members come before the v3 client's renames."""
    from generator import pipeline

    monkeypatch.setenv("B24GEN_CACHE", "off")
    specs = tmp_path / "specs"
    specs.mkdir()
    for name, (method, api) in RENAMED_SPECS.items():
        (specs / name).write_text(
            f"---\nmethod: {method}\nscope: demo\napi: {api}\n---\n\n# Do it {method}\n\nDoes it.\n"
        )
    outcome = pipeline.regenerate(specs, tmp_path / "out", report=True)
    where = [r.split(":")[0] for r in outcome.report.renames]
    assert "demo" in where and "client.v3" in where
    assert where.index("demo") < where.index("client.v3"), where


def test_mockdata_is_what_json_dumps_writes():
    """`mockdata.json` is joined from per-method texts (each kept with its page):
    it must be the bytes `json.dumps(..., indent=1, sort_keys=True)` writes, line
    separators of other kinds inside strings included."""
    import json

    from generator.ir import Error, Returns
    from generator.render import model
    from generator.render.planning import Listed, mock_json, mock_text
    from generator.render.cache import RenderCache

    odd = "a\u2028b\x85c\x1cd\r\ne"
    methods = [
        Method(method="demo.b.get", scope="demo", params=(Param(name=odd, type="string"),)),
        Method(method="demo.A.get", scope="demo", api="v3",
               returns=Returns(example={"result": {odd: [1, {"k": None}]}}),
               errors=(Error(code="NOT_FOUND", message=odd, description="not found"),)),
        Method(method="demo.a.get", scope="demo"),
    ]
    lookup = dict(zip(model.refs(methods), methods)).__getitem__
    texts = [mock_text(RenderCache(None), None, lookup, at)
             for at in sorted(model.refs(methods), key=model.mock_order)]
    expected = json.dumps(model.mock_data(methods), indent=1, sort_keys=True,
                          ensure_ascii=False) + "\n"
    assert mock_json(texts) == expected
    assert mock_json([]) == json.dumps({"methods": []}, indent=1) + "\n"
    assert plan(methods, {})["b24client/mockdata.json"] == expected
    assert Listed(methods).page_methods("") == methods


def test_a_method_recorded_twice_on_one_page_renders_its_first_record():
    """`plan` of records as given: two of one name on one page are told apart (the
    module takes the first, the mock portal lists each with its own data)."""
    import json

    from generator.render import model

    twins = [
        Method(method="demo.x.get", scope="demo", params=(Param(name="first", type="integer"),)),
        Method(method="demo.x.get", scope="demo", params=(Param(name="second", type="string"),)),
    ]
    import re

    files = plan(twins, {})
    module = files["b24client/demo.py"]
    assert re.search(r"\bfirst\b", module) and not re.search(r"\bsecond\b", module)
    assert files["b24client/mockdata.json"] == json.dumps(
        model.mock_data(twins), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert model.build(twins, {}).methods == twins
