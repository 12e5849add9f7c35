#!/usr/bin/env bash
# Idempotent bootstrap for `npm run demo` and `npm test`: installs npm packages only when the
# lockfile changed and makes sure a temporal binary exists. The database schema and reference data
# are applied by the commands themselves (migrate on start). Fast on a second run.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.krithi-lockfile.sha256
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "installing npm packages (lockfile changed)…" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$sum" > "$stamp"
fi
bash scripts/ensure-temporal.sh >/dev/null

# promtool (Debian's `prometheus` package) checks and unit-tests ops/prometheus/rules.yml in the
# suite. Installed once; a machine without apt or root gets a warning and that test says why.
if ! command -v promtool >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "installing promtool (apt-get install prometheus)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 ||
      { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; } ||
      echo "warning: could not install promtool; the Prometheus rules test will fail until it is on PATH" >&2
  else
    echo "warning: promtool not found and no apt-get; install Prometheus's promtool for the rules test" >&2
  fi
fi
