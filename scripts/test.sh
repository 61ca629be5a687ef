#!/usr/bin/env bash
# Lint, type-check, the scripts' unit tests in Node, then every test on both cores;
# "no tests ran" (pytest exit code 5) is a failure.
set -uo pipefail
bin="${1:-.venv/bin}"
"$bin/ruff" check . || exit 1
"$bin/mypy" || exit 1
# the browser scripts' logic (tests/js/, Node's own runner: no npm packages); Node comes with
# the browser tools (scripts/install-browser.sh, run by `make test`)
command -v node >/dev/null || { echo "Node.js is needed for tests/js (apt-get install nodejs)" >&2; exit 1; }
node --test tests/js/*.test.js || exit 1
"$bin/python" -m pytest -n "${QUNSOP_TEST_WORKERS:-2}" --dist loadfile
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest ran no tests: treating as a failure" >&2
  exit 1
fi
exit "$status"
