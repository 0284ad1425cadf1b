# Kyoka developer tasks. Needs only Python 3.11 and make; everything else goes into .venv.
#
#   make run     web + Celery worker + beat on the embedded stack (SQLite, filesystem broker)
#   make test    the whole pytest suite (browser tests too when /usr/bin/chromium exists)
#
# Installs are stamped (.venv/.installed-*) against the requirements files, so a second run
# does not touch the network. uv is bootstrapped into the venv with pip for speed; if that
# fails (or USE_UV=0) plain pip is used.

PYTHON ?= python3.11
VENV   ?= .venv
USE_UV ?= 1
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k regime -x"
PYTEST_ARGS ?=

PY       := $(VENV)/bin/python
BIN      := $(CURDIR)/$(VENV)/bin
CHROMIUM := /usr/bin/chromium

# The embedded stack keeps its SQLite database, broker queue and uploads here (see config/settings.py).
VAR      := $(or $(KYOKA_VAR_DIR),var)
VAR_DIRS := $(VAR)/celery/queue $(VAR)/celery/processed $(VAR)/media

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test lint format migrations-check check-deploy bench ci var-dirs

help:
	@echo "Kyoka make targets:"
	@echo "  make run               install, migrate, seed demo accounts, start web + worker + beat (honcho)"
	@echo "  make test              install dev deps and run the whole pytest suite (PYTEST_ARGS=... to narrow)"
	@echo "  make lint              ruff check + ruff format --check"
	@echo "  make format            ruff format + ruff check --fix"
	@echo "  make migrations-check  fail if models have changes without a migration"
	@echo "  make check-deploy      Django's deploy checks with production settings"
	@echo "  make bench             run the benchmarks (bench/run.py)"
	@echo "  make install           runtime dependencies into $(VENV)"
	@echo "  make install-dev       runtime + test/lint dependencies into $(VENV)"
	@echo "  make ci                the CI script (bash .ci/run)"

# --- Installation -------------------------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)

# $(call venv_install,<requirements files>)
define venv_install
	@if [ "$(USE_UV)" = "1" ] && { [ -x $(VENV)/bin/uv ] || $(PY) -m pip install -q --disable-pip-version-check uv; }; then \
		$(VENV)/bin/uv pip install --python $(PY) $(addprefix -r ,$(1)); \
	else \
		$(PY) -m pip install --disable-pip-version-check $(addprefix -r ,$(1)); \
	fi
endef

$(VENV)/.installed-base: requirements/base.txt | $(PY)
	$(call venv_install,requirements/base.txt)
	@touch $@

$(VENV)/.installed-dev: requirements/base.txt requirements/dev.txt | $(PY)
	$(call venv_install,requirements/base.txt requirements/dev.txt)
	@touch $(VENV)/.installed-base $@

install: $(VENV)/.installed-base

install-dev: $(VENV)/.installed-dev

var-dirs:
	@mkdir -p $(VAR_DIRS)

# --- Running ------------------------------------------------------------------------------------

run: install var-dirs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Kyoka is starting (web, Celery worker and beat; Ctrl-C stops all three):"
	@echo "  exporter site      http://127.0.0.1:8000/"
	@echo "  officials (admin)  http://127.0.0.1:8000/admin/"
	@echo "  partner API docs   http://127.0.0.1:8000/api/docs/"
	@echo "  demo logins        exporter / officer / supervisor, password kyoka-demo"
	@echo ""
	PATH="$(BIN):$$PATH" exec $(VENV)/bin/honcho start -f Procfile

# --- Checks -------------------------------------------------------------------------------------

# Browser tests need Debian's Chromium; without it they are deselected (and said so).
test: install-dev
	@mkdir -p $(VAR)
	@[ -x $(CHROMIUM) ] || echo "note: $(CHROMIUM) not found, browser tests deselected (apt-get install -y chromium)"
	$(PY) -m pytest $(if $(wildcard $(CHROMIUM)),,-m "not browser") $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install var-dirs
	$(PY) manage.py makemigrations --check --dry-run

# A throwaway key: this only checks settings, it never serves.
check-deploy: install
	DJANGO_ENV=production ALLOWED_HOSTS=kyoka.example \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	$(PY) manage.py check --deploy --fail-level WARNING

bench: install-dev var-dirs
	$(PY) bench/run.py

ci:
	bash .ci/run
