#!/usr/bin/env bash
# Prints the path of a `temporal` CLI (with its embedded dev server), building it once from Go
# modules when none is found. Order: $TEMPORAL_BIN, then PATH, then the cache outside the repo.
# No prebuilt binary is downloaded: the only source is the Go module proxy.
set -euo pipefail
VERSION=1.5.1   # the newest CLI that `go install` accepts (later ones carry a replace directive)
if [ -n "${TEMPORAL_BIN:-}" ]; then
  [ -x "$TEMPORAL_BIN" ] || { echo "TEMPORAL_BIN=$TEMPORAL_BIN is not an executable" >&2; exit 1; }
  echo "$TEMPORAL_BIN"; exit 0
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
cache="${KRITHI_STATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/krithi-import}/bin"
if [ -x "$cache/temporal" ]; then echo "$cache/temporal"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "no temporal binary and no Go toolchain to build one; set TEMPORAL_BIN" >&2; exit 1; }
mkdir -p "$cache"
echo "building temporal CLI v$VERSION into $cache (once; a few minutes)…" >&2
# Build into a temp name then rename, so an interrupted build never leaves a broken binary.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$tmp" go install \
  -ldflags "-X github.com/temporalio/cli/temporalcli.Version=$VERSION" \
  "github.com/temporalio/cli/cmd/temporal@v$VERSION" >&2
mv "$tmp/temporal" "$cache/temporal"
echo "$cache/temporal"
