#!/usr/bin/env bash
# Mutation run on the date and scope rules (issue 26): every mutant of the functions listed in
# scripts/mutmut_config.py must fail tests/test_date_rules.py or tests/test_scope_rules.py.
# Survivors are listed in benchmarks/RESULTS.md, each killed by a test or explained. Text
# (string and f-string mutants) is left out: messages are pinned by exact-text tests, and a
# rule is its comparisons, arithmetic, names and conditions.
#
# mutmut 2 (it runs any test command and has a pre-mutation hook to pick functions and tests)
# lives in a venv of its own, .venv-mutmut/, so the project's dev extras stay as they are.
# It mutates generator/ in place, one mutant at a time, and puts each file back: run nothing
# else in this worktree meanwhile. Niced; about 10-15 minutes on a busy 2-core machine.
#
#   bash scripts/mutation.sh            # run (results are cached in .mutmut-cache)
#   .venv-mutmut/bin/mutmut results     # list survivors;  mutmut show ID  shows one
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
if [ ! -x .venv-mutmut/bin/mutmut ]; then
  python3 -m venv .venv-mutmut
  .venv-mutmut/bin/pip install --quiet "mutmut==2.5.1"
fi
files="generator/schedule.py,generator/models.py,generator/rules.py,generator/resolve.py,generator/plan.py,generator/festivals.py,generator/lint.py"
# scripts/mutation_tests.sh runs pytest with no bytecode written (a mutant of the same size as
# the last one, in the same second, must not be read back from a stale .pyc) and maps its exit
# code for mutmut; scripts/mutmut_config.py narrows the tests for each mutant
export PYTHON="$python"
runner="bash scripts/mutation_tests.sh tests/test_date_rules.py tests/test_scope_rules.py"
export PYTHONPATH=scripts  # mutmut imports mutmut_config by name
status=0
nice -n 10 .venv-mutmut/bin/mutmut run --paths-to-mutate "$files" --tests-dir tests \
  --runner "$runner" --disable-mutation-types string,fstring,decorator,annassign --no-progress || status=$?
.venv-mutmut/bin/mutmut results || true
# mutmut's exit code is a bit field: 2 survivors, 4 timeouts, 8 suspicious, 1 a fatal error
exit $(( status & 1 ))
