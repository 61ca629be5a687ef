#!/usr/bin/env bash
# Lint, type-check, then every test on both cores; "no tests ran" (pytest exit code 5) is a failure.
set -uo pipefail
bin="${1:-.venv/bin}"
"$bin/ruff" check . || exit 1
"$bin/mypy" || exit 1
"$bin/python" -m pytest -n "${QUNSOP_TEST_WORKERS:-2}" --dist loadfile
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest ran no tests: treating as a failure" >&2
  exit 1
fi
exit "$status"
