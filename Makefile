# The two commands: `make run` (the demo on http://127.0.0.1:5000) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test lint clean translations compile-translations

TRANSLATIONS := tracker/translations
KEYWORDS := -k _l -k N_ -k N_plural:1,2 -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

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

test: $(VENV)/.installed-dev compile-translations
	$(BIN)/ruff check tracker tests
	$(BIN)/bandit -c pyproject.toml -r tracker -q
	$(BIN)/python -m pytest -n auto

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
