# egov: the two commands a newcomer needs are `make up` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: install up down test test-fast lint bench chaos image infra clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is missing: install Python 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

## Run everything locally: Kafka, FerretDB, the three services, demo data (Ctrl-C stops).
up: install
	$(BIN)/egov up

## Stop the local infrastructure if something was left running.
down:
	bash deploy/local/infra.sh stop

## The whole test suite on real Kafka and FerretDB (started if not running).
test: install
	bash deploy/local/test.sh

## Unit tests only: no servers needed.
test-fast: install
	$(BIN)/pytest -q tests/unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services egov_cli

## Benchmark of the running stack: `make bench` (history 10,000, idle 20 s) or
## `make bench HISTORY=100000` (idle 60 s); `ONLY=portal` for the portal's search and rebuild
## alone. Table on the terminal, bench-results/latest.{json,png}.
HISTORY ?=
ONLY ?=
bench: install
	bash deploy/local/with-infra.sh $(BIN)/python -m tests.bench.run $(if $(HISTORY),--history $(HISTORY) --idle-s 60) $(if $(ONLY),--only $(ONLY))

## Faults of a real week on a private Kafka and FerretDB: `make chaos` (about 6 minutes of
## faults, 1,000 documents) or `CHAOS_SECONDS=900 CHAOS_DOCUMENTS=5000 make chaos`.
## Table on the terminal, chaos-results/latest.json; not part of `make test`.
chaos: install
	$(BIN)/python -m tests.chaos.run

## The container image with podman: `make image` (official python:3.11-slim base) or
## `make image BASE=debian` (a Debian base made with debootstrap, when images cannot be pulled).
BASE ?=
image:
	bash deploy/image/build.sh $(if $(filter debian,$(BASE)),--debian-base)

infra:
	bash deploy/local/infra.sh start
