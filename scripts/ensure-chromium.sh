#!/usr/bin/env bash
# The review-page browser test drives Debian's chromium through playwright-core (no browser
# download). Installs it when missing; a no-op when /usr/bin/chromium exists.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium is missing: install it (apt-get install chromium) to run the review-page test" >&2
  exit 1
fi
echo "installing chromium for the browser test…" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
