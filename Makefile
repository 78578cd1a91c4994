# Pingan: `make run` serves the demo district, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?=

.PHONY: run test check install install-dev vendor system-deps bench screenshots clean messages federation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

run: install
	$(BIN)/pingan migrate --noinput
	$(BIN)/pingan demo --if-empty
	$(BIN)/pingan legal load --if-empty
	$(BIN)/pingan serve --with-worker

# 互联互通: the city 海东市 on :8001 and the district 平安区 on :8000, linked (docs/links.md).
federation: install
	$(BIN)/python -m tests.federation

# Debian packages the tests need; installed only when we are root (CI, dev boxes).
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  need=""; \
	  [ -x /usr/bin/chromium ] || need="$$need chromium"; \
	  [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need="$$need fonts-wqy-zenhei"; \
	  command -v sipp >/dev/null || need="$$need sip-tester"; \
	  [ -x /usr/sbin/pgbouncer ] || need="$$need pgbouncer"; \
	  [ -x /usr/sbin/nginx ] || need="$$need nginx-light"; \
	  if [ -n "$$need" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  fi; \
	fi

test: install-dev system-deps
	$(BIN)/pytest
	PGURL=$$(scripts/ensure-postgres.sh) && DATABASE_URL=$$PGURL $(BIN)/pytest -m "not browser and not live"

check: install-dev
	$(BIN)/ruff check pingan bench tests scripts
	$(BIN)/ruff format --check pingan bench tests scripts
	$(BIN)/mypy pingan

bench: install-dev
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

screenshots: install-dev system-deps
	$(BIN)/python scripts/screenshots.py

vendor:
	npm install --no-audit --no-fund
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css pingan/web/static/vendor/
	mkdir -p pingan/web/static/vendor/images && cp node_modules/leaflet/dist/images/* pingan/web/static/vendor/images/
	cp node_modules/htmx.org/dist/htmx.min.js pingan/web/static/vendor/
	cp node_modules/echarts/dist/echarts.common.min.js pingan/web/static/vendor/
	cp node_modules/leaflet.heat/dist/leaflet-heat.js pingan/web/static/vendor/

clean:
	rm -rf $(VENV) var *.egg-info

# After changing user-facing strings: extract, fill English from scripts/translate_en.py, compile.
messages: install-dev
	cd pingan && ../$(BIN)/pingan makemessages -l en --ignore "static/*" --ignore "*/tests/*" --ignore conftest.py
	$(BIN)/python scripts/translate_en.py
	cd pingan && ../$(BIN)/pingan compilemessages -l en
