#!/usr/bin/env bash
# A PostgreSQL with pgvector, for history-service's HNSW search path (its tests and bench/history).
#
#   tools/pgvector/server.sh start DIR [PORT]   prints the JDBC URL of the server's postgres database
#   tools/pgvector/server.sh stop DIR
#
# pgvector 0.8.6 (PostgreSQL License, LICENSE here) is vendored in this directory because neither Maven Central
# nor Debian 12 ship it. It is built against Debian's PostgreSQL 15 (postgresql-15, postgresql-server-dev-15,
# installed when missing) and installed into it, once per machine. The server runs as the postgres user (PostgreSQL
# refuses root), with its data, socket and log under DIR; stop removes DIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_VERSION=15
PGBIN="/usr/lib/postgresql/$PG_VERSION/bin"
VECTOR_VERSION="$(sed -n 's/^EXTVERSION = //p' "$here/Makefile")"

die() { echo "pgvector: $*" >&2; exit 1; }

install_pgvector() {
  # the server's headers too: postgresql-15 alone ships initdb and pg_config but not postgres.h
  if [[ ! -x "$PGBIN/initdb" || ! -x "$PGBIN/pg_config" || ! -f "$("$PGBIN/pg_config" --includedir-server 2>/dev/null)/postgres.h" ]]; then
    echo "pgvector: installing postgresql-$PG_VERSION and postgresql-server-dev-$PG_VERSION (Debian)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "postgresql-$PG_VERSION" "postgresql-server-dev-$PG_VERSION" make gcc >/dev/null
  fi
  if [[ -f "/usr/share/postgresql/$PG_VERSION/extension/vector--$VECTOR_VERSION.sql" ]]; then
    return
  fi
  echo "pgvector: building $VECTOR_VERSION for PostgreSQL $PG_VERSION" >&2
  local build
  build="$(mktemp -d)"
  cp -r "$here/Makefile" "$here/vector.control" "$here/src" "$here/sql" "$build/"
  # OPTFLAGS="": portable code (no -march=native); with_llvm=no: no JIT bitcode to build
  make -C "$build" -s -j2 PG_CONFIG="$PGBIN/pg_config" OPTFLAGS="" with_llvm=no >&2
  make -C "$build" -s install PG_CONFIG="$PGBIN/pg_config" with_llvm=no >&2
  rm -rf "$build"
}

case "${1:-}" in
  start)
    dir="${2:?usage: server.sh start DIR [PORT]}"
    port="${3:-55433}"
    [[ "$(id -u)" == 0 ]] || die "run as root (it installs packages and starts the server as the postgres user)"
    install_pgvector
    id postgres >/dev/null 2>&1 || die "no postgres user (the postgresql-common package creates it)"
    rm -rf "$dir"
    mkdir -p "$dir"
    chown postgres "$dir"
    runuser -u postgres -- "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
      || die "initdb failed, see $dir/initdb.log"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null || die "the server did not start, see $dir/server.log"
    echo "jdbc:postgresql://127.0.0.1:$port/postgres"
    ;;
  stop)
    dir="${2:?usage: server.sh stop DIR}"
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    rm -rf "$dir"
    ;;
  *) die "usage: server.sh start DIR [PORT] | stop DIR" ;;
esac
