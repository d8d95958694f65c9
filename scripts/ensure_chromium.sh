#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests when it is missing and we can (root + apt).
# The e2e tests themselves fail, not skip, under CI when the browser is absent.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the end-to-end tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null && exit 0
  echo "apt-get could not install chromium" >&2
  exit 1
fi
echo "chromium is not installed and cannot be installed here (need root and apt-get);" \
     "the end-to-end tests will fail. Install it with: sudo apt-get install chromium" >&2
exit 0
