# examsys — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
FLASK  := $(VENV)/bin/flask --app examsys
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Debian packages WeasyPrint needs (with HarfBuzz subsetting, see shared MEASURED.md) and a CJK font.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi-dev \
                   libjpeg62-turbo fonts-noto-cjk
.PHONY: run test lint format venv system-deps translations migrate demo serve serve-exam clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

system-deps:
	@bash bin/system-deps $(SYSTEM_PACKAGES)

translations: venv
	$(VENV)/bin/pybabel compile -d examsys/translations -f --statistics

migrate: venv translations
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

# The web app (gunicorn, one process: SQLite has one writer, and the consoles' Socket.IO rooms
# live in the process unless EXAMSYS_REDIS_URL is set; each open console's websocket holds one
# of the WEB_THREADS threads) plus the one scheduler process (deadline hand-in); stopping make
# stops both.
WEB_THREADS ?= 40
serve:
	$(FLASK) scheduler run & SCHED=$$!; trap "kill $$SCHED" EXIT INT TERM; \
	$(PY) -m examsys.serve web --host $(HOST) --port $(PORT) --threads $(WEB_THREADS)

# The machine-test tier for large sittings (PostgreSQL and Redis configured, beside make serve):
# granian worker processes for the lab machines' browsers, which open http://<server>:EXAM_PORT/exam/.
EXAM_PORT ?= 5001
EXAM_WORKERS ?= 2
EXAM_THREADS ?= 4
serve-exam: venv
	$(PY) -m examsys.serve exam --host $(HOST) --port $(EXAM_PORT) --workers $(EXAM_WORKERS) --threads $(EXAM_THREADS)

run: system-deps venv translations migrate demo serve

lint: venv
	$(VENV)/bin/ruff check examsys tests bench migrations/env.py question_banks
	$(VENV)/bin/ruff format --check examsys tests bench migrations/env.py question_banks

format: venv
	$(VENV)/bin/ruff check --fix examsys tests bench migrations/env.py question_banks
	$(VENV)/bin/ruff format examsys tests bench migrations/env.py question_banks

test: venv translations lint
	env -u EXAMSYS_TEST_DATABASE_URL $(VENV)/bin/pytest -q
	@if [ -n "$$EXAMSYS_TEST_DATABASE_URL" ]; then \
	  echo "== again on $$EXAMSYS_TEST_DATABASE_URL =="; \
	  $(VENV)/bin/pytest -q; \
	else echo "EXAMSYS_TEST_DATABASE_URL not set: SQLite only"; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
