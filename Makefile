# The two commands of the README: `make run` and `make test`. Both build .venv from hashed lock
# files: `make run` installs the runtime lock only (nothing of the tests or the load test), `make
# test` the dev lock too. `make locks` rewrites both after a change to pyproject.toml.
PYTHON_VERSION := 3.12
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint bench install install-dev check-deploy locks

$(VENV)/installed-runtime: requirements.lock
	@command -v pyenv >/dev/null 2>&1 && pyenv local $(PYTHON_VERSION) >/dev/null 2>&1 || true
	@test -x $(PY) || python$(PYTHON_VERSION) -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"Python 3.12 is required, not {sys.version}"'
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

$(VENV)/installed-dev: $(VENV)/installed-runtime requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

install: $(VENV)/installed-runtime
install-dev: $(VENV)/installed-dev

# Versions already locked are kept (uv prefers them); `uv pip compile --upgrade-package X` moves one.
locks: install-dev
	$(VENV)/bin/uv pip compile pyproject.toml --python-version $(PYTHON_VERSION) --generate-hashes \
		--custom-compile-command "make locks" --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version $(PYTHON_VERSION) \
		--generate-hashes -c requirements.lock --custom-compile-command "make locks" --quiet \
		-o requirements-dev.lock

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py import_catalog
	$(PY) manage.py seed_demo
	$(PY) manage.py serve --port $(PORT)

test: install-dev
	$(PY) tests/run_suite.py $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# Benchmarks (need PostgreSQL and Redis); how to read them: bench/RESULTS.md.
BENCH_USERS ?= 50 200
BENCH_DURATION ?= 90
bench: install-dev
	$(PY) bench/bench_overhead.py
	$(PY) bench/load.py --users $(BENCH_USERS) --duration $(BENCH_DURATION)

# Production settings as a deployment would set them must pass Django's deployment checklist.
check-deploy: install
	DATABASE_URL=postgres://aviator@db.invalid/aviator REDIS_URL=redis://cache.invalid:6379/0 \
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=aviator.example.org EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	AVIATOR_TESTING= DEBUG= AVIATOR_HTTPS= $(PY) manage.py check --deploy --fail-level WARNING
