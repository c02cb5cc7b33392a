#!/usr/bin/env bash
# The whole test suite, phase by phase, with timings. `make test` and .ci/run call this.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/actions/bin/python
RASA=.venv/rasa/bin/rasa
export RASA_TELEMETRY_ENABLED=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p results
# Live tests run their own stack on ports that do not clash with a `make run` in progress.
export RASA_PORT=${TEST_RASA_PORT:-5105} ACTION_PORT=${TEST_ACTION_PORT:-5155}
export LDN_DATA_DIR=${LDN_TEST_DATA_DIR:-$PWD/results/test-stack}

suite_start=$(date +%s)
summary=()
failed=0

phase() {
  local name=$1; shift
  echo
  echo "=== [$name] $*"
  local start=$(date +%s)
  "$@"
  local rc=$?
  local took=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then
    summary+=("$(printf '%-22s ok      %4ss' "$name" "$took")")
  else
    summary+=("$(printf '%-22s FAILED  %4ss (exit %s)' "$name" "$took" "$rc")")
    failed=1
  fi
  return $rc
}

phase lint            $PY -m ruff check ldn_core actions channels rasa_plugins nlu_components cds_service scripts tests bench
phase knowledge       $PY -m ldn_core.knowledge.validate
# the domain-tuned retrieval encoder and the embedding index (about 2 min when the knowledge
# changed; cached by content hash otherwise)
phase index           $PY -m ldn_core.retrieval.build
# tests/cds includes the live CDS Hooks test: it starts `python -m cds_service` on a free
# port by itself, so it needs neither the Rasa model nor the stack.
UNIT_TESTS=(tests/structure tests/core tests/actions tests/channels tests/scripts tests/bench tests/nlu_components tests/cds -q)
phase unit            $PY -m pytest "${UNIT_TESTS[@]}" -p no:cacheprovider
# The same knowledge validation and unit tests in a plain clone of HEAD with nothing beside it
# (no ../shared evidence dossier): the repository must carry its own verification record.
phase bare-clone      scripts/bare_clone_check.sh "${UNIT_TESTS[@]}"
phase data-validate   $RASA data validate --config config.yml --domain domain.yml --data data
phase train           $PY scripts/model.py
if [ $failed -eq 0 ]; then
  model=$($PY -c 'from scripts.model import ROOT, fingerprint; print(ROOT / "models" / f"ldn-{fingerprint()}.tar.gz")')
  phase conversations $RASA test core --model "$model" --stories tests/conversations \
        --fail-on-prediction-errors --out results/rasa-test-core
  phase chromium      scripts/ensure_chromium.sh
  phase live          $PY -m pytest tests/live -q -rsxX -p no:cacheprovider
  # Production profile on the machine's PostgreSQL, Redis and RabbitMQ (skipped, with the
  # reason printed, where a service or nginx is missing).
  phase nginx         scripts/ensure_nginx.sh
  phase production    $PY -m pytest tests/production -q -rsxX -p no:cacheprovider
else
  summary+=("conversations, live, production: skipped, an earlier phase failed")
fi

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "total: $(( $(date +%s) - suite_start ))s"
exit $failed
