# The two commands: `make run` (the demo on http://127.0.0.1:5000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
UV ?= uv
LOCK_FLAGS ?=

.PHONY: run demo-code test test-heavy lint clean translations compile-translations lock sizes webfonts screenshots

TRANSLATIONS := tracker/translations
KEYWORDS := -k _l -k N_ -k N_plural:1,2 -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exactly the locked versions, then the project itself without resolving anything again.
$(VENV)/.installed: requirements-run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

# Pin every dependency (needs uv: `pip install uv`). Run it after changing pyproject.toml's dependencies:
# versions already pinned stay where they still fit; `make lock LOCK_FLAGS=--upgrade` takes the newest allowed.
# requirements.lock (runtime + dev) is what `make test` and .ci/run install; requirements-run.lock (runtime only,
# the same versions) is what `make run` installs.
lock:
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 $(LOCK_FLAGS) \
		--custom-compile-command "make lock" -o requirements.lock
	$(UV) pip compile pyproject.toml --python-version 3.11 --constraint requirements.lock \
		--custom-compile-command "make lock" -o requirements-run.lock

# Extract every UI string into the template and bring the French and Spanish catalogues up to date.
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg $(KEYWORDS) --sort-by-file --project "Evidence Tracker" --copyright-holder "Evidence Tracker contributors" -o $(TRANSLATIONS)/messages.pot .
	for lang in fr es; do \
		if [ -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang --no-fuzzy-matching --ignore-obsolete; \
		else \
			$(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang; \
		fi; \
	done

# The compiled catalogues (.mo) are build products, not committed.
compile-translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics 2>&1 | tail -n 2

run: $(VENV)/.installed compile-translations
	$(BIN)/flask --app tracker init-db
	$(BIN)/flask --app tracker seed-demo --if-empty
	@echo "Serving Evidence Tracker on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(BIN)/flask --app tracker run --host 127.0.0.1 --port $(PORT)

# The current two-factor code of a demo account (`make demo-code EMAIL=admin@example.org`): read from
# instance/demo-logins.txt without building the app, so it answers in a fraction of a second.
demo-code: $(VENV)/.installed
	@$(BIN)/python -m tracker.demo_logins "$(EMAIL)"

test: $(VENV)/.installed-dev compile-translations
	$(BIN)/ruff check tracker tests
	$(BIN)/lint-imports
	$(BIN)/bandit -c pyproject.toml -r tracker -q
	$(BIN)/python -m pytest -n auto --dist loadscope -m "not heavy"

# The slow tier: the wheel built and installed, the benchmarks and the load generator, long generative runs.
test-heavy: $(VENV)/.installed-dev compile-translations
	$(BIN)/python -m pytest -n auto -m heavy

# Each role's home at 1280 and 390 px into docs/screenshots/ (a fresh demo in a temporary folder, Debian's
# chromium through Playwright, as the browser tests run). Not part of `make test`.
screenshots: $(VENV)/.installed-dev compile-translations
	$(BIN)/python -m tests.browser.screenshots

# Code-size figures (views, largest modules, modules over 400 lines) as JSON.
webfonts:
	$(PYTHON) .ci/build_webfonts.py

sizes:
	$(PYTHON) .ci/sizes.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
