#!/bin/sh
# The one setup of Temporal's side of krithi-import, for the native stacks (src/temporal/engine.ts
# runs it) and for docker-compose.yml (the temporal-schema and temporal-setup jobs run it in the
# admin-tools image). POSIX sh: the admin-tools image has no bash. Every step is idempotent.
#
#   setup.sh schema      creates both databases if missing, then applies the versioned schema
#                        (update-schema runs only the versions a database does not have yet, so
#                        after a server upgrade this is the schema migration)
#   setup.sh namespace   creates the namespace if missing and registers the custom search
#                        attributes, waiting until the frontend lists them
#
# schema:    TEMPORAL_DB_HOST, TEMPORAL_DB_PORT, TEMPORAL_DB_USER, TEMPORAL_DB_PASSWORD,
#            TEMPORAL_DB_NAME, TEMPORAL_VISIBILITY_DB_NAME (as in config/krithi.yaml),
#            TEMPORAL_SCHEMA_DIR (…/schema/postgresql/v12 of go.temporal.io/server, the same version
#            as the server), TEMPORAL_SQL_TOOL (default temporal-sql-tool)
# namespace: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_NAMESPACE_RETENTION (default 720h),
#            TEMPORAL_CLI (default temporal)
set -eu

# Must equal SEARCH_ATTRIBUTES in src/shared.ts (test/unit/ops-temporal.test.ts checks it).
SEARCH_ATTRIBUTES="BatchId ImportStatus SourceSite Composer ResolutionConfidence"

schema() {
  : "${TEMPORAL_SCHEMA_DIR:?set TEMPORAL_SCHEMA_DIR to the server module's schema/postgresql/v12}"
  tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
  export SQL_PLUGIN=postgres12
  export SQL_HOST="${TEMPORAL_DB_HOST:-127.0.0.1}" SQL_PORT="${TEMPORAL_DB_PORT:-5432}"
  export SQL_USER="${TEMPORAL_DB_USER:-postgres}" SQL_PASSWORD="${TEMPORAL_DB_PASSWORD:-}"
  for pair in "${TEMPORAL_DB_NAME:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}:visibility"; do
    db=${pair%%:*}
    dir=${pair#*:}
    # create-database fails on an existing database; that one case is fine.
    if ! out=$("$tool" --db "$db" create-database 2>&1); then
      case "$out" in
        *"already exists"*) ;;
        *) echo "$out" >&2; echo "could not create database $db" >&2; exit 1 ;;
      esac
    fi
    "$tool" --quiet --db "$db" setup-schema -v 0.0 >/dev/null 2>&1 || "$tool" --db "$db" setup-schema -v 0.0
    "$tool" --quiet --db "$db" update-schema -d "$TEMPORAL_SCHEMA_DIR/$dir/versioned" >/dev/null 2>&1 ||
      "$tool" --db "$db" update-schema -d "$TEMPORAL_SCHEMA_DIR/$dir/versioned"
    echo "database $db: schema $dir up to date"
  done
}

namespace() {
  : "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS to a frontend host:port}"
  ns=${TEMPORAL_NAMESPACE:-default}
  cli=${TEMPORAL_CLI:-temporal}
  tries=0
  until "$cli" operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 60 ]; then
      "$cli" operator cluster health --address "$TEMPORAL_ADDRESS" >&2 || true
      echo "no Temporal frontend answers at $TEMPORAL_ADDRESS" >&2
      exit 1
    fi
    sleep 1
  done
  "$cli" operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$ns" >/dev/null 2>&1 ||
    "$cli" operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$ns" \
      --retention "${TEMPORAL_NAMESPACE_RETENTION:-720h}" >/dev/null
  # A new namespace reaches a frontend's cache within its refresh interval (~10 s); until then the
  # attribute calls answer "namespace not found", so each is retried until it is listed.
  for attribute in $SEARCH_ATTRIBUTES; do
    tries=0
    until "$cli" operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$ns" 2>/dev/null | grep -qw "$attribute"; do
      tries=$((tries + 1))
      if [ "$tries" -gt 60 ]; then echo "could not register the search attribute $attribute" >&2; exit 1; fi
      "$cli" operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$ns" \
        --name "$attribute" --type Keyword >/dev/null 2>&1 || true
      sleep 1
    done
  done
  echo "namespace $ns ready with search attributes: $SEARCH_ATTRIBUTES"
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: setup.sh schema|namespace" >&2; exit 2 ;;
esac
