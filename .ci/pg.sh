#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on loopback for the store tests; prints its URL.
# Usage: source .ci/pg.sh start DIR PORT ; source .ci/pg.sh stop DIR
set -euo pipefail
action=$1 dir=$2 port=${3:-54329}
bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -n "$bin" ] || { echo "PostgreSQL 15 introuvable" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case $action in
  start)
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_pg "$bin/initdb -D '$dir' -U socle --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null"
    as_pg "$bin/pg_ctl -D '$dir' -o \"-c listen_addresses=127.0.0.1 -p $port -k /tmp -c fsync=off\" -l '$dir/log' -w start >/dev/null"
    echo "postgres://socle@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl -D '$dir' -m fast -w stop >/dev/null" || true
    ;;
esac
