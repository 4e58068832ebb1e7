# regwatch — two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/regwatch/web/static/vendor
export REGWATCH_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test install assets lint typecheck pytest serve clean bench

demo: install assets
	$(BIN)/regwatch demo

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/tabler $(VENDOR)/htmx $(VENDOR)/echarts $(VENDOR)/flatpickr
	cp node_modules/@tabler/core/dist/css/tabler.min.css node_modules/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	cp node_modules/flatpickr/dist/flatpickr.min.js node_modules/flatpickr/dist/flatpickr.min.css node_modules/flatpickr/dist/l10n/zh.js $(VENDOR)/flatpickr/
	touch $@

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	PYTHONPATH=src $(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src

pytest: install assets
	$(BIN)/python -m tests.run

test: lint typecheck pytest

serve: install assets
	$(BIN)/regwatch serve

bench: install assets
	$(BIN)/regwatch bench

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
