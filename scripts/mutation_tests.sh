#!/usr/bin/env bash
# The test command of scripts/mutation.sh for one mutant: pytest on the given tests, its exit
# code made into what mutmut 2 reads. mutmut counts only exit code 1 as "the tests failed", so
# a mutant that breaks the import (pytest's 2: a collection error) would count as surviving;
# 5 (no test selected) must not count as a kill.
PYTHONDONTWRITEBYTECODE=1 "${PYTHON:-.venv/bin/python}" -m pytest -x -q -p no:cacheprovider "$@"
code=$?
case $code in
  0|5) exit 0 ;;
  *) exit 1 ;;
esac
