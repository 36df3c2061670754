#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 server for the tests (idempotent).
#   scripts/test-postgres.sh start   install if missing (root only), init, start; print the URL
#   scripts/test-postgres.sh stop    stop the server (the cluster stays for the next start)
#   scripts/test-postgres.sh url     print the URL
# The cluster lives in ${CEASEFIRE_PG_DIR:-/tmp/ceasefire-pg}, listens only on
# 127.0.0.1:${CEASEFIRE_PG_PORT:-54329} (no Unix socket) with trust auth, fsync on.
# Only the URL goes to stdout; progress and errors go to stderr.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
POSTGIS_CONTROL=/usr/share/postgresql/15/extension/postgis.control
DIR=${CEASEFIRE_PG_DIR:-/tmp/ceasefire-pg}
DATA=$DIR/data
PORT=${CEASEFIRE_PG_PORT:-54329}
ROLE=ceasefire
DB=ceasefire_test
URL="postgresql://$ROLE@127.0.0.1:$PORT/$DB"

say() { echo "test-postgres: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# initdb and the server refuse to run as root: as root, run them as the postgres user.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_if_missing() {
    if [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -f "$POSTGIS_CONTROL" ]; then
        return
    fi
    # name only what is missing: naming an installed postgresql-15 would upgrade it
    local missing="PostGIS 3 for PostgreSQL 15 ($POSTGIS_CONTROL)"
    local packages=(postgresql-15-postgis-3)
    if ! [ -x "$PG_BIN/initdb" ] || ! [ -x "$PG_BIN/pg_ctl" ]; then
        missing="the PostgreSQL 15 server ($PG_BIN)"
        packages=(postgresql-15 postgresql-15-postgis-3)
    fi
    if [ "$(id -u)" -ne 0 ]; then
        die "$missing is not installed and only root can install it: apt-get install ${packages[*]}"
    fi
    command -v apt-get >/dev/null || die "$missing is not installed and there is no apt-get to install it"
    say "installing ${packages[*]} (missing: $missing)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2 || die "apt-get update failed"
    apt-get install -y --no-install-recommends "${packages[@]}" >&2 \
        || die "apt-get install ${packages[*]} failed"
    [ -x "$PG_BIN/pg_ctl" ] && [ -f "$POSTGIS_CONTROL" ] \
        || die "installed, but $PG_BIN/pg_ctl or $POSTGIS_CONTROL is still missing"
}

running() {
    [ -f "$DATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

init_cluster() {
    if [ -f "$DATA/PG_VERSION" ]; then
        return
    fi
    mkdir -p "$DIR"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "there is no 'postgres' user to own the cluster"
        chown postgres: "$DIR"
        runuser -u postgres -- test -w "$DIR" \
            || die "the postgres user cannot write to $DIR (a parent folder is private?); set CEASEFIRE_PG_DIR"
    fi
    chmod 700 "$DIR"
    rm -rf "$DATA" # a half-made cluster from an interrupted start
    say "creating a cluster in $DATA"
    as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=trust >"$DIR/initdb.log" 2>&1 \
        || {
            tail -n 20 "$DIR/initdb.log" >&2
            die "initdb failed (whole log: $DIR/initdb.log)"
        }
    as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# scripts/test-postgres.sh: a loopback-only test server
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = on
synchronous_commit = on
timezone = 'UTC'
EOF
    as_owner tee "$DATA/pg_hba.conf" >/dev/null <<EOF
# scripts/test-postgres.sh: trust, and only on loopback (no Unix socket is opened)
host all all 127.0.0.1/32 trust
EOF
}

start_server() {
    say "starting PostgreSQL on 127.0.0.1:$PORT"
    if ! as_owner "$PG_BIN/pg_ctl" start -D "$DATA" -w -t 60 -l "$DIR/server.log" \
        -o "-p $PORT" >/dev/null 2>&1 9>&-; then # 9>&-: the server must not hold the lock
        tail -n 20 "$DIR/server.log" >&2 || true
        die "the server did not start (is port $PORT taken? set CEASEFIRE_PG_PORT; log: $DIR/server.log)"
    fi
}

psql_as_postgres() {
    PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"
}

ready() {
    local try
    for try in 1 2 3 4 5 6 7 8 9 10; do
        psql_as_postgres -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}

ensure_database() {

    local have
    have=$(psql_as_postgres -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'") \
        || die "cannot connect to the server on 127.0.0.1:$PORT as postgres"
    [ -n "$have" ] || psql_as_postgres -d postgres -c "CREATE ROLE $ROLE LOGIN" >&2
    have=$(psql_as_postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")
    [ -n "$have" ] || psql_as_postgres -d postgres -c "CREATE DATABASE $DB OWNER $ROLE" >&2
    psql_as_postgres -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2 \
        || die "CREATE EXTENSION postgis failed in $DB"
}

start() {
    install_if_missing
    mkdir -p "$(dirname "$DIR")"
    # two concurrent starts (two test runs) must not both initdb
    exec 9>"$DIR.lock"
    flock 9
    if ! running; then
        init_cluster
        start_server
    fi
    if ! ready; then # the server we saw may have been dying (killed with its session)
        sleep 2
        running || start_server
        ready || die "the server on 127.0.0.1:$PORT does not accept connections (log: $DIR/server.log)"
    fi
    ensure_database
    echo "$URL"
}

stop() {
    if running; then
        as_owner "$PG_BIN/pg_ctl" stop -D "$DATA" -m fast -w >/dev/null \
            || die "pg_ctl stop failed (log: $DIR/server.log)"
        say "stopped"
    else
        say "not running"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "$URL" ;;
    *)
        sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
