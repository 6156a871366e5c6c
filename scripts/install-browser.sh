#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it; its own browser
# download cannot work offline). Without root or apt, the browser tests skip.
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium not installed and no root/apt: browser tests will be skipped" >&2
  exit 0
fi
echo "installing Debian's chromium for the browser tests" >&2
apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
  || echo "chromium could not be installed: browser tests will be skipped" >&2
exit 0
