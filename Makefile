# The two commands of the README: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
# Debian packages: Chromium for the browser tests, a CJK font and Pango for the PDFs, pdftotext.
SYSTEM_PACKAGES := chromium chromium-driver poppler-utils fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test lint system-deps install migrate pdf-font worker beat

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Please install: sudo apt-get install $$missing"; exit 1; \
		fi; \
	fi

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

# Cut the CJK font for the PDFs once (fontTools); later renders only subset the small cut.
pdf-font: system-deps $(STAMP)
	$(BIN)/python manage.py prepare_pdf_font

run: system-deps migrate pdf-font
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system-deps lint pdf-font
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 --dist loadfile

worker: $(STAMP)
	$(BIN)/celery -A credit_portal worker -l info

beat: $(STAMP)
	$(BIN)/celery -A credit_portal beat -l info
