"""`b24gen ir` on the two markdown seeds, read as they are (they need ../shared)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ir(*paths: Path) -> dict[str, dict]:
    result = subprocess.run([sys.executable, "-m", "generator.cli", "ir", "--json", *map(str, paths)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {r["method"]: r for r in map(json.loads, result.stdout.splitlines())}


def test_markdown_seeds(seeds):
    found = ir(*sorted(seeds.glob("000_*.txt")), *sorted(seeds.glob("002_*.txt")))
    assert set(found) == {"task.item.startexecution", "task.item.defer"}
    for record in found.values():
        # The body wins over the stub front matter: deprecated, TASKID, not order/filter/...
        assert record["deprecated"] is True
        assert [p["name"] for p in record["params"]] == ["TASKID"]
        assert record["scope"] == "task" and record["api"] == "v2"
        assert record["language"] == "ru"
        assert record["source"]["format"] == "markdown"
        assert record["params"][0]["position"]["line"] > 40
    assert found["task.item.startexecution"]["examples"][0]["payload"] == {"taskId": 3}
    assert found["task.item.defer"]["examples"][0]["payload"] == {"TASKID": 13}


def test_specs_state_the_seed_facts():
    found = ir(ROOT / "specs")
    assert found["task.item.startexecution"]["replacement"] == "tasks.task.start"
    assert found["task.item.defer"]["replacement"] == "tasks.task.defer"
    assert found["task.item.renew"]["replacement"] == "tasks.task.renew"
    approve = found["tasks.task.approve"]
    assert {e["code"] for e in approve["errors"] if not e["system"]} == {"0", "1048582", "100"}
    assert approve["returns"]["example"]["result"]["task"]["id"] == "8017"
    system = {e["code"]: e["status"] for e in approve["errors"] if e["system"]}
    assert len(system) >= 15
    assert system["QUERY_LIMIT_EXCEEDED"] == 503 and system["NO_AUTH_FOUND"] == 401
    assert system["expired_token"] == 401 and system["INVALID_REQUEST"] == 400
    assert system["OPERATION_TIME_LIMIT"] == 429
    assert found["tasks.task.update"]["api"] == "v3"
