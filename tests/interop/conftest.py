"""Real clients of Bitrix24 (fast_bitrix24, b24pysdk) driven against the mock portal of the
runtime (generator/runtime/testing.py, from source) over 127.0.0.1."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from generator.pipeline import load_specs
from generator.render.model import mock_data
from generator.runtime import testing

ROOT = Path(__file__).resolve().parents[2]
SPECS = mock_data(load_specs(ROOT / "specs").methods)
# tasks.task.get as its docs page describes it (the seed specs do not hold it).
TASK_GET = {"name": "tasks.task.get", "api": "v2", "batch": True, "pagination": "none",
            "params": [{"name": "taskId", "type": "integer", "required": True},
                       {"name": "select", "type": "array", "required": False}],
            "result": {"task": {"id": "8017", "title": "Quarterly report", "status": "2"}},
            "errors": [["ERROR_TASK_NOT_FOUND", 400]],
            "error_roles": {"not_found": {"code": "ERROR_TASK_NOT_FOUND", "status": 400,
                                          "message": "Task not found"}}}
DATASET = 260  # more than five pages of 50


def mockdata() -> dict:
    data = copy.deepcopy(SPECS)
    data["methods"].append(TASK_GET)
    return data


@pytest.fixture
def mock():
    """A mock portal over plain HTTP with a dataset of DATASET rows per entity."""
    with testing.mock_portal(mockdata(), dataset_size=DATASET) as portal:
        yield portal


@pytest.fixture
def mock_tls(monkeypatch):
    """The same over HTTPS; `requests` (b24pysdk's HTTP client) trusts its CA."""
    with testing.mock_portal(mockdata(), dataset_size=DATASET, tls=True) as portal:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(portal.ca_path))
        yield portal
