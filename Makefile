# Pasar Binaan. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app marketplace

.PHONY: run test install translations lint typecheck serve migrate demo bench clean extract-messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -D "messages wtforms" --statistics

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: install lint typecheck
	$(BIN)/python -m pytest

typecheck: $(VENV)/.installed
	$(BIN)/mypy marketplace/payments

# Seeds its own benchmark databases when missing (SQLite always; PostgreSQL too when
# TEST_DATABASE_URL is set), then writes bench/results.json. wrk measures throughput when
# installed (apt-get install wrk); otherwise a threaded Python client does.
bench: install
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || true)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
