#!/usr/bin/env bash
# The one test command (npm test): installs what the suites need, lints, type-checks, runs every
# test, and ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

checks_failed=0
bash scripts/ensure-deps.sh || { echo "dependency set-up failed"; echo "0 passed, 1 failed"; exit 1; }
echo "== build"; npm run -s build || checks_failed=$((checks_failed + 1))
echo "== lint (import boundaries)"; npx eslint . || checks_failed=$((checks_failed + 1))
echo "== type-check"; npx tsc -p tsconfig.json --noEmit || checks_failed=$((checks_failed + 1))
echo "== import graph (no cycles, layer rules; type-only imports too)"; npx depcruise src --config .dependency-cruiser.cjs || checks_failed=$((checks_failed + 1))

results=$(mktemp -t filebridge-vitest-XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@"
status=$?
node scripts/summary.mjs "$results" "$checks_failed"
summary_status=$?
rm -f "$results"
if [ $status -ne 0 ] || [ $summary_status -ne 0 ] || [ $checks_failed -ne 0 ]; then exit 1; fi
