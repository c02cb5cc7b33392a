# Two commands do all set-up on a fresh machine:
#   make run    build what is missing, then start the assistant on localhost
#   make test   build what is missing, then run the whole test suite (CI runs this)
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/actions/bin/python
RASA := .venv/rasa/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# The two deployables and what they share (packages/*/pyproject.toml), installed editable into
# per-clone venvs over shared, cached base venvs (scripts/ensure_env.sh): nothing sets PYTHONPATH.
CORE := packages/ldn-core
TOOLS := packages/ldn-dev-tools

.PHONY: help envs index model run run-cds cds-demo run-production test lint validate unit nlu-report bench bench-load clean curator-report evidence-watch

help:
	@echo "make run         start the assistant (REST + socket.io on :5005, actions on :5055)"
	@echo "make run-cds     only the CDS Hooks service for EHRs (:5010; docs/cds-hooks.md)"
	@echo "make cds-demo    post a sample LDN order hook to a running CDS service, print the cards"
	@echo "make run-production  replicas behind nginx on PostgreSQL/Redis/RabbitMQ (:8080; docs/deployment.md)"
	@echo "make test        the full test suite (unit, data validation, training, rasa test, live REST)"
	@echo "make nlu-report  NLU cross-validation and held-out evaluation (slow; not in CI)"
	@echo "make bench       latency/memory benchmark against a running stack"
	@echo "make evidence-watch  new LDN records on PubMed / ClinicalTrials.gov to review (offline-safe)"
	@echo "make curator-report  declined questions, not-helpful answers, passages involved (results/curator-report/)"
	@echo "make bench-load  load benchmark: starts the production profile, several minutes"

envs:
	@scripts/ensure_env.sh actions 3.11 requirements/actions.lock $(CORE) packages/ldn-action-server $(TOOLS)
	@scripts/ensure_env.sh rasa 3.10 requirements/rasa.lock $(CORE) packages/ldn-rasa-server $(TOOLS)

index: envs
	@$(PY) -m ldn_core.retrieval.build

model: envs
	@$(PY) scripts/model.py

run: envs index model
	@$(PY) scripts/cli.py run

run-cds: envs
	@$(PY) -m cds_service

cds-demo: envs
	@$(PY) scripts/cds_demo.py

run-production: envs index model
	@scripts/ensure_nginx.sh
	@$(PY) scripts/cli.py run --profile production

test: envs
	@scripts/test_all.sh

lint: envs
	@$(PY) -m ruff check ldn_core actions channels rasa_plugins nlu_components cds_service scripts tests bench

validate: envs
	@$(PY) -m ldn_core.knowledge.validate

unit: envs
	@$(PY) -m pytest tests/structure tests/core tests/actions tests/channels tests/cds -q

evidence-watch: envs
	@$(PY) scripts/evidence_watch.py $(ARGS)

curator-report: envs
	@.venv/rasa/bin/python scripts/curator_report.py $(ARGS)

nlu-report: envs model
	@scripts/nlu_report.sh

bench: envs
	@$(PY) bench/rest_latency.py

bench-load: envs index model
	@scripts/ensure_nginx.sh
	@$(PY) bench/load_test.py --start --json results/load.json

clean:
	rm -rf models var .pytest_cache results
