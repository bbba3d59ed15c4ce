# tiktok-connector: `make serve` starts the server on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# test processes (pytest-xdist); 0 runs the suite in one process
TEST_JOBS ?= 2

.PHONY: serve test services bench clean

$(BIN)/activate: setup.cfg pyproject.toml setup.py injector/_fastscan.c injector/_fastio.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgresql,fast]' || { \
	  echo "gunicorn_h1c (the fast extra) did not build: gunicorn parses requests in Python"; \
	  $(BIN)/pip install --quiet -e '.[test,postgresql]'; }
	touch $(BIN)/activate

## serve: install into .venv and start the server (gunicorn) on SQLite in ./instance; the public URL
## follows HOST and PORT unless TTC_PUBLIC_URL is set
serve: $(BIN)/activate
	TTC_LISTEN_URL=http://$(HOST):$(PORT) $(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) wsgi:app

## services: what the tests need from the machine (Chromium, Node, nginx, PostgreSQL, Redis)
services:
	@bash scripts/test-services.sh

## test: install, bring up the services, lint (a finding stops here), run the whole suite (SQLite and PostgreSQL)
test: $(BIN)/activate services
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

## bench: run every benchmark (prints figures; see README "Performance")
bench: $(BIN)/activate
	bash scripts/bench-tools.sh
	for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache
