#!/usr/bin/env bash
# Prints the directory holding the real Temporal server (`temporal-server`), its SQL schema tool
# (`temporal-sql-tool`) and the server's PostgreSQL schema (`temporal-schema/postgresql/v12`),
# building the binaries once from Go modules when they are not cached. Used by the `postgres` and
# `cluster` stack modes (src/temporal/server-node.ts) to run ops/temporal/.
# Order: $TEMPORAL_SERVER_BIN_DIR (must hold all three), then the cache outside the repo.
# No prebuilt binary is downloaded: the only source is the Go module proxy.
set -euo pipefail
VERSION=1.29.1   # the server version the CLI 1.5.1 dev server embeds: one engine across modes
check() {
  [ -x "$1/temporal-server" ] && [ -x "$1/temporal-sql-tool" ] && [ -d "$1/temporal-schema/postgresql/v12" ]
}
if [ -n "${TEMPORAL_SERVER_BIN_DIR:-}" ]; then
  check "$TEMPORAL_SERVER_BIN_DIR" || {
    echo "TEMPORAL_SERVER_BIN_DIR=$TEMPORAL_SERVER_BIN_DIR needs temporal-server, temporal-sql-tool and temporal-schema/postgresql/v12" >&2
    exit 1
  }
  echo "$TEMPORAL_SERVER_BIN_DIR"; exit 0
fi
cache="${KRITHI_STATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/krithi-import}/bin"
if check "$cache"; then echo "$cache"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "no temporal-server binary and no Go toolchain to build one; set TEMPORAL_SERVER_BIN_DIR" >&2; exit 1; }
mkdir -p "$cache"
# Build into a temp dir then rename, so an interrupted build never leaves a broken binary.
tmp=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$tmp"
if [ ! -x "$cache/temporal-server" ]; then
  echo "building temporal-server v$VERSION into $cache (once; ~6 min on 2 cores)…" >&2
  go install "go.temporal.io/server/cmd/server@v$VERSION" >&2
  mv "$tmp/server" "$cache/temporal-server"
fi
if [ ! -x "$cache/temporal-sql-tool" ]; then
  echo "building temporal-sql-tool v$VERSION into $cache…" >&2
  go install "go.temporal.io/server/cmd/tools/sql@v$VERSION" >&2
  mv "$tmp/sql" "$cache/temporal-sql-tool"
fi
if [ ! -d "$cache/temporal-schema/postgresql/v12" ]; then
  # The schema ships in the server module (already in the module cache after the build).
  dir=$(go mod download -json "go.temporal.io/server@v$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -d "$dir/schema/postgresql/v12" ] || { echo "no schema/postgresql/v12 in go.temporal.io/server@v$VERSION ($dir)" >&2; exit 1; }
  mkdir -p "$tmp/temporal-schema"
  cp -R "$dir/schema/postgresql" "$tmp/temporal-schema/"
  chmod -R u+w "$tmp/temporal-schema"   # the module cache is read-only
  rm -rf "$cache/temporal-schema"
  mv "$tmp/temporal-schema" "$cache/temporal-schema"
fi
echo "$cache"
