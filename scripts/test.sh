#!/usr/bin/env bash
# Lint, then every test; "no tests ran" (pytest exit code 5) counts as a failure.
set -uo pipefail
bin="${1:-.venv/bin}"
"$bin/ruff" check . || exit 1
"$bin/python" -m pytest
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest ran no tests: treating as a failure" >&2
  exit 1
fi
exit "$status"
