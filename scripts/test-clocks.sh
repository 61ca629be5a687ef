#!/usr/bin/env bash
# The whole suite under other system clocks (libfaketime): it must pass on any day.
# Usage: bash scripts/test-clocks.sh [.venv/bin] [YYYY-MM-DD ...]
# Default dates span 2026-2030; each run takes as long as the suite (about 3 minutes here).
set -uo pipefail
bin="${1:-.venv/bin}"
shift || true
dates=("$@")
[ ${#dates[@]} -eq 0 ] && dates=(2026-01-01 2026-12-20 2027-06-15 2028-02-29 2030-12-31)
command -v faketime >/dev/null || { echo "faketime is missing: bash scripts/install-browser.sh" >&2; exit 1; }
failed=()
for day in "${dates[@]}"; do
  echo "== system clock at $day"
  # the clock starts at that day and runs on (-f is not given: time keeps moving).
  # real_timers tests are left out: libfaketime shifts the monotonic clock, and the serve's
  # builder thread then waits for the shift (days) in a timed wait it does not intercept;
  # with FAKETIME_DONT_FAKE_MONOTONIC=1 the preview server did not come up at all.
  if ! faketime "$day 10:00:00" "$bin/python" -m pytest -q -n "${QUNSOP_TEST_WORKERS:-2}" \
      --dist loadfile -m "not browser and not real_timers" -p no:cacheprovider; then
    failed+=("$day")
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "failed under: ${failed[*]}" >&2
  exit 1
fi
echo "passed under: ${dates[*]}"
