#!/usr/bin/env bash
# Headless Chromium, its driver, a CJK and an emoji font for the browser tests, and libfaketime
# for the tests that move the system clock (Debian packages).
set -euo pipefail
have_font() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && fc-list 2>/dev/null | grep -qi "Noto Color Emoji"; }
if command -v chromium >/dev/null && command -v chromedriver >/dev/null && have_font \
    && command -v faketime >/dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "需要 root 或 sudo 来安装 chromium chromium-driver fonts-noto-cjk" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver fonts-noto-cjk fonts-noto-color-emoji faketime >/dev/null
