"""The SDK built from the whole English docs in one command (`regenerate --docs`):
it generates, `mypy --strict` and pyright in strict mode (the runtime modules included)
report no error on it, a file of deliberate mistakes is flagged line by line, and a
sample of its methods called over loopback against the mock portal sends the documented
wire names.

The package is generated once per session into a temporary folder (formatting is
cached, so a second session is quick). Skipped when ../shared is absent."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from generator import pipeline
from generator.render import PACKAGE
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
TYPING = Path(__file__).parent / "typing"
pytestmark = pytest.mark.corpus


@pytest.fixture(scope="session")
def full_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.Report]:
    docs = SHARED / "corpus" / "en"
    if not docs.exists():
        pytest.skip(f"{docs} is absent: the full-docs tests need the ../shared checkout")
    out = tmp_path_factory.mktemp("full") / "out"
    outcome = pipeline.regenerate(None, out, docs=docs)
    assert not [p for p in outcome.problems if p.severity == "error"]
    assert outcome.written and outcome.report is not None
    return out, outcome.report


def test_output_does_not_depend_on_the_hash_seed(full_package, tmp_path):
    """The same docs in another process with another hash seed: byte-identical."""
    out, _ = full_package
    again = tmp_path / "again"
    probe = ("import sys; from pathlib import Path; from generator import pipeline; "
             "pipeline.regenerate(None, Path(sys.argv[1]), docs=Path(sys.argv[2]))")
    result = subprocess.run([sys.executable, "-c", probe, str(again), str(SHARED / "corpus" / "en")],
                            cwd=ROOT, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((out / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_the_russian_docs_generate_and_type_check(tmp_path):
    docs = SHARED / "corpus" / "ru"
    if not docs.exists():
        pytest.skip(f"{docs} is absent: the full-docs tests need the ../shared checkout")
    outcome = pipeline.regenerate(None, tmp_path / "ru", docs=docs)
    assert not [p for p in outcome.problems if p.severity == "error"]
    assert outcome.report is not None and outcome.report.methods > 600
    text = (tmp_path / "ru" / PACKAGE / "crm.py").read_text(encoding="utf-8")
    assert "https://apidocs.bitrix24.ru/" in text  # the Russian site's pages
    result = run(sys.executable, "-m", "mypy", "--strict", "--config-file", "/dev/null",
                 "--cache-dir", "/dev/null", "-p", PACKAGE, cwd=tmp_path / "ru")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)


def test_the_whole_english_docs_generate(full_package):
    out, report = full_package
    assert report.methods > 1600 and report.typed_dicts > 1000
    assert report.typed_params / report.params > 0.75
    skipped = {why for _, why in report.skipped}
    assert any("BX24.placement.call: a JS SDK function" in w for w in skipped)
    text = (out / PACKAGE / "vote.py").read_text()
    assert "def get(" in text and "_one_of(" in text
    assert "def get_transcript(" in (out / PACKAGE / "crm.py").read_text()  # getTranscript


def test_mypy_strict_passes_on_the_full_package(full_package):
    out, _ = full_package
    result = run(sys.executable, "-m", "mypy", "--strict", "--config-file", "/dev/null",
                 "--cache-dir", "/dev/null", "-p", PACKAGE, cwd=out)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr


def pyright_config(out: Path, extra: list[str]) -> None:
    """Strict for the whole package (the rendered modules and the runtime modules
    copied from generator/runtime alike) and for the extra files; a `# type: ignore`
    that is not needed is an error too."""
    config = {"typeCheckingMode": "strict", "pythonVersion": "3.11",
              "include": [PACKAGE, *extra],
              "reportUnnecessaryTypeIgnoreComment": "error"}
    (out / "pyrightconfig.json").write_text(json.dumps(config))


def pyright(out: Path) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).parent / "pyright"
    if not binary.exists():
        pytest.skip("pyright is not installed (pip install -e '.[dev]')")
    return run(str(binary), "--pythonpath", sys.executable, cwd=out)


def test_pyright_passes_on_the_full_package_and_flags_each_mistake(full_package):
    out, _ = full_package
    (out / "full_calls.py").write_text((TYPING / "full_calls.py").read_text())
    pyright_config(out, ["full_calls.py"])
    result = pyright(out)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "0 errors" in result.stdout


def test_mistakes_are_flagged_by_mypy(full_package):
    out, _ = full_package
    result = run(sys.executable, "-m", "mypy", "--strict", "--warn-unused-ignores",
                 "--enable-error-code", "deprecated", "--config-file", "/dev/null",
                 "--cache-dir", "/dev/null", str(TYPING / "full_calls.py"), cwd=out)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr


PROBE = """
import json, random, sys, warnings
import b24client
from b24client.testing import mock_portal
from b24client._runtime import _SPECS
data = json.load(open("b24client/mockdata.json"))
sample = json.loads(sys.argv[1])
warnings.simplefilter("ignore", DeprecationWarning)
with mock_portal(data) as portal:
    b24 = b24client.Bitrix24.from_webhook(portal.webhook_url, allow_http=True)
    for path, kwargs, wire, wires in sample:
        target = b24.v3 if path[0] == "v3" else b24
        for part in path[1 if path[0] == "v3" else 0:]:
            target = getattr(target, part)
        try:
            target(**kwargs)
        except b24client.Bitrix24Error:
            pass  # the mock refuses values of the wrong kind; what was sent counts
        sent = portal.requests[-1]
        assert sent.method.lower() == wire.lower(), (sent.path, wire)
        prefix = "/rest/api/" if path[0] == "v3" else "/rest/"
        assert sent.path.startswith(prefix), sent.path
        assert set(wires) <= set(sent.params), (wire, wires, sent.params)
    print(len(sample))
"""


def test_a_sample_of_methods_sends_documented_wire_names(full_package):
    """Each sampled method, called with its required arguments, goes to its URL with
    the documented wire names."""
    out, _ = full_package
    from generator.pipeline import load_docs
    from generator.render import model

    loaded = load_docs(SHARED / "corpus" / "en")
    built = model.build(loaded.methods, loaded.specs)
    calls = []
    for api, roots in built.trees.items():
        for key, root in roots.items():
            if not key:
                continue
            for ns in root.walk():
                for fn in ns.functions_sorted:
                    path = ([] if api == "v2" else ["v3"]) + [root.attr] + [
                        n for n in _attr_path(root, ns)] + [fn.name]
                    given = {py for py, _ in fn.one_of[0][0]} if fn.one_of else set()
                    args = [a for a in fn.args if a.required or a.name in given]
                    kwargs = {a.name: _value(a.annotation) for a in args}
                    calls.append((path, kwargs, fn.wire, [a.wire for a in args]))
    sample = random.Random(9).sample(sorted(calls), 60)
    result = run(sys.executable, "-c", PROBE, json.dumps(sample), cwd=out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "60"


def _attr_path(root, target) -> list[str]:
    def walk(ns, trail):
        if ns is target:
            return trail
        for child in ns.children.values():
            found = walk(child, trail + [child.attr])
            if found is not None:
                return found
        return None
    return walk(root, []) or []


def _value(annotation: str):
    first = annotation.split(" | ")[0].replace("builtins.", "")
    return {"int": 1, "str": "1", "bool": True, "float": 1.0}.get(
        first, [] if first.startswith("list") else {})
