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
