# The two commands of the README: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# Debian packages: Chromium for the browser tests, a CJK font and Pango for the PDFs, pdftotext.
SYSTEM_PACKAGES := chromium chromium-driver poppler-utils fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test lint system-deps install install-dev requirements migrate pdf-font worker beat

# `make run` installs the runtime pins only (what the production image has); `make test` adds the dev pins.
$(RUN_STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-run-* && touch $@

$(DEV_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* && touch $@

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

# Recompile the pins from the short .in files (uv, run from a throw-away environment).
requirements:
	$(PYTHON) -m venv /tmp/credit-portal-uv && /tmp/credit-portal-uv/bin/pip install -q uv
	/tmp/credit-portal-uv/bin/uv pip compile -q --python-version 3.11 requirements.in -o requirements.txt
	/tmp/credit-portal-uv/bin/uv pip compile -q --python-version 3.11 requirements-dev.in -o requirements-dev.txt
	sed -i '1i -r requirements.txt' requirements-dev.txt

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Please install: sudo apt-get install $$missing"; exit 1; \
		fi; \
	fi

migrate: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput

# Cut the CJK font for the PDFs once (fontTools); later renders only subset the small cut.
pdf-font: system-deps $(RUN_STAMP)
	$(BIN)/python manage.py prepare_pdf_font

run: system-deps migrate pdf-font
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_commitments
	$(BIN)/python manage.py serve_demo 127.0.0.1:8000

# axe-core for the browser tests' accessibility check (package.json pins it; nothing from a CDN at run time).
# `make test` only: Node.js and npm are installed (Debian's packages) where npm is missing.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="nodejs npm"
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: system-deps lint pdf-font node_modules/axe-core/axe.min.js
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 --dist loadfile

worker: $(RUN_STAMP)
	$(BIN)/celery -A credit_portal worker -l info

beat: $(RUN_STAMP)
	$(BIN)/celery -A credit_portal beat -l info
