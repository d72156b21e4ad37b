# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REFERENCE ?= ../shared/reference-data

.PHONY: demo test test-hostile lint data bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# requirements-test.lock pins what CI tested (`.venv/bin/pip freeze --exclude-editable`), so a
# fresh clone installs the same versions; regenerate it after changing a dependency.
$(STAMP): pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,web]" -c requirements-test.lock
	# Byte-compile the package once: start-up time matters for every CLI call, and some
	# machines set PYTHONDONTWRITEBYTECODE, which would recompile it on every run.
	$(BIN)/python -m compileall -q src > /dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/alliance demo --out out

# The browser tests drive Debian's headless Chromium (tests/test_web_pages.py).
browser:
	command -v chromium > /dev/null || (apt-get update && apt-get install -y chromium)

test: $(STAMP) browser
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest

# The heavy hostile-input probes (zip bombs, huge claim files, runaway SQL), each bounded by its fix.
test-hostile: $(STAMP)
	$(BIN)/pytest -m hostile

# Regenerate src/alliance/data/ from the official files in $(REFERENCE).
data: $(STAMP)
	$(BIN)/python scripts/build_data.py --reference $(REFERENCE)

bench: $(STAMP)
	$(BIN)/python bench/run.py --reference $(REFERENCE)

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
