# Two commands do everything on a fresh machine:
#   make demo   set up .venv and run grimoire on the bundled example (output in out/)
#   make test   set up .venv and the real clients (Claude Code, AsyncAPI parser, Mermaid,
#               PlantUML, buf, PostgreSQL and PgBouncer, uv, the pinned wheels), then run ruff
#               and the full test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GRIMOIRE := $(PY) scripts/grimoire.py
EXAMPLE := examples/order-flow/design.yaml

.PHONY: demo test lint bench clean lock

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

demo: $(VENV)/.runtime
	rm -rf out && mkdir -p out
	$(GRIMOIRE) check $(EXAMPLE)
	$(GRIMOIRE) saga verify $(EXAMPLE)
	$(GRIMOIRE) transport $(EXAMPLE) --top 3
	$(GRIMOIRE) capacity $(EXAMPLE)
	$(GRIMOIRE) diagram $(EXAMPLE) --out out/diagrams
	$(GRIMOIRE) export asyncapi $(EXAMPLE) -o out/asyncapi.yaml
	$(GRIMOIRE) export docs $(EXAMPLE) -o out/docs
	@echo "demo: diagrams in out/diagrams, AsyncAPI in out/asyncapi.yaml, catalog in out/docs/index.md"

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check scripts tests bench references/patterns
	$(VENV)/bin/ruff format --check scripts tests bench references/patterns

test: $(VENV)/.dev
	bash tests/tools/install.sh
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(VENV)/.runtime
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

# The plugin's pinned packages with the hashes of every platform's files (bin/grimoire installs them).
lock:
	bash tests/tools/install.sh
	.cache/tools/uv/bin/uv pip compile requirements.txt --universal --python-version 3.9 \
		--generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
