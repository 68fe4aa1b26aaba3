# Shortcuts for developers; the scripts in scripts/ are the source of truth.
.DEFAULT_GOAL := help
VENV := .venv/bin

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

setup: ## Create .venv and install everything
	bash scripts/setup

demo: ## Generate the demo program and serve the web UI on 127.0.0.1:8000
	bash scripts/demo

test: ## Lint, type-check and run the suite on SQLite, PostgreSQL and Chromium
	bash scripts/test

quick: setup ## Run the SQLite pass only, without lint
	$(VENV)/pytest -n 2 -m "not browser"

lint: setup ## ruff, mypy and import-linter
	$(VENV)/ruff check . && $(VENV)/ruff format --check . && $(VENV)/mypy advocacy bench && $(VENV)/lint-imports

format: setup ## Format the code with ruff
	$(VENV)/ruff format . && $(VENV)/ruff check --fix .

bench: setup ## Run every benchmark at small scale on SQLite
	$(VENV)/python bench/run.py all --scale small

.PHONY: help setup demo test quick lint format bench
