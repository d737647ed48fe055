#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL 15 on loopback, and ADVISOR_TEST_DATABASE_URL pointing at it.
#
#   scripts/with_postgres.sh pytest -q tests/test_storage.py
#
# initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user (in a temp dir
# owned by it); as anyone else they run as that user. The server listens on a free port of 127.0.0.1
# only, trusts local connections (nothing else can reach it), and is stopped and deleted on exit,
# whatever the command's outcome. If PostgreSQL cannot start, the script fails: it never runs the
# command without the database.
set -euo pipefail

PG_BIN=${PG_BIN:-}
if [[ -z "$PG_BIN" ]]; then
    for dir in /usr/lib/postgresql/*/bin; do [[ -x "$dir/initdb" ]] && PG_BIN=$dir; done
fi
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
    echo "with_postgres: PostgreSQL is not installed (apt-get install -y postgresql-15)" >&2
    exit 3
fi

as_pg() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

workdir=$(mktemp -d "${TMPDIR:-/tmp}/advisor-pg.XXXXXX")
chmod 755 "$workdir"
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$workdir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
    as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap stop EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$workdir/data" -A trust -U postgres -E UTF8 --no-sync >"$workdir/initdb.log" 2>&1 \
    || { cat "$workdir/initdb.log" >&2; echo "with_postgres: initdb failed" >&2; exit 3; }
if ! as_pg "$PG_BIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 30 \
    -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
    cat "$workdir/server.log" >&2 || true
    echo "with_postgres: PostgreSQL did not start" >&2
    exit 3
fi
export ADVISOR_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with_postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
