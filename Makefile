# Two entry points for a fresh machine: `make regenerate` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install regenerate check check-code test fuzz goldens bench interop clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

regenerate: $(STAMP)
	$(VENV)/bin/b24gen regenerate specs --out generated

check: $(STAMP)
	$(VENV)/bin/b24gen regenerate specs --out generated --check

# The generator's own code, runtime included: pinned ruff, mypy --strict, black.
check-code: $(STAMP)
	$(VENV)/bin/ruff check generator
	$(VENV)/bin/black --check --quiet generator
	$(VENV)/bin/mypy

test: check-code
	$(PY) -m pytest -q
	$(VENV)/bin/b24gen regenerate specs --out generated --check

# The property tests with the long profile; prints how many inputs each one tried.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -q -p no:cacheprovider tests/read/test_properties.py tests/render/test_naming_properties.py --hypothesis-show-statistics

goldens: $(STAMP)
	$(PY) -m pytest -q tests/test_golden.py --update-goldens

# fast_bitrix24 is installed for the comparison only; it is no dependency of b24gen.
# Prints, among the rest, sync and async calls a second of b24client (httpx and the
# optional aiohttp transport), raw httpx and fast_bitrix24, paired per round.
bench: $(STAMP)
	$(PY) -m pip install --quiet fast_bitrix24
	$(PY) bench/run.py

# Real clients (fast_bitrix24, b24pysdk; test-only dependencies of the dev extra)
# driven against the mock portal; they skip with the reason when not installed.
interop: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests/interop

clean:
	rm -rf $(VENV) build *.egg-info
