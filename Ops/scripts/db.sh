#!/usr/bin/env bash
# A private PostgreSQL cluster for Consortium under .data/: unix socket in the cluster folder, no TCP.
#
#   Ops/scripts/db.sh [--cluster NAME] [--test] start|stop|restart|status|url|uri|psql
#
# NAME defaults to "postgres" (the local default every `consortium` command uses without DATABASE_URL).
# --test makes a throwaway-grade cluster (fsync off) for the test suite. As root, the server runs as the
# unprivileged user "consortium-pg", since initdb refuses to run as root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster=postgres
test_mode=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cluster) cluster="$2"; shift 2 ;;
        --test) test_mode=1; shift ;;
        -*) echo "db.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
command="${1:-status}"
[[ "$cluster" =~ ^[A-Za-z0-9_-]+$ ]] || { echo "db.sh: cluster name must be letters, digits, - or _" >&2; exit 2; }

data_dir="${CONSORTIUM_DATA_DIR:-$root/.data}"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
link="$data_dir/$cluster"

pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -n "$pg_bin" ]] || { echo "db.sh: PostgreSQL is not installed; run Ops/scripts/setup.sh" >&2; exit 1; }

as_owner=()
owner="$(id -un)"
if [[ $(id -u) -eq 0 ]]; then
    owner=consortium-pg
    id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
    as_owner=(runuser -u "$owner" --)
fi

# Where the cluster really lives: in .data/ when the server's user can reach it and the socket path fits
# the 107-byte limit, else under /var/lib/consortium (or /tmp) with .data/NAME a symlink to it.
resolve_dir() {
    if [[ -L "$link" ]]; then readlink -f "$link"; return; fi
    if [[ -d "$link" ]]; then echo "$link"; return; fi
    local candidate="$link"
    local reachable=1
    if ((${#as_owner[@]})); then
        mkdir -p "$candidate" && chown "$owner" "$candidate"
        "${as_owner[@]}" test -w "$candidate" || reachable=0
    else
        mkdir -p "$candidate"
    fi
    if ((reachable)) && ((${#candidate} + 20 < 100)); then echo "$candidate"; return; fi
    rmdir "$candidate" 2>/dev/null || true
    local base=/var/lib/consortium
    [[ -w /var/lib ]] || base="${TMPDIR:-/tmp}/consortium-$(id -u)"
    local real
    real="$base/$(echo -n "$data_dir" | sha1sum | cut -c1-12)-$cluster"
    mkdir -p "$real"
    ln -sfn "$real" "$link"
    echo "$real"
}
dir="$(resolve_dir)"
((${#as_owner[@]})) && chown "$owner" "$dir" && chmod 700 "$dir"

run() { (cd "$dir" && "${as_owner[@]}" "$@"); }
running() { run "$pg_bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; }

init_cluster() {
    [[ -f "$dir/PG_VERSION" ]] && return
    echo "db.sh: creating cluster in $dir"
    run "$pg_bin/initdb" -D "$dir" -U consortium --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/../initdb-$cluster.log" 2>&1 ||
        { cat "$dir/../initdb-$cluster.log" >&2; exit 1; }
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$dir'"
        echo "unix_socket_permissions = 0700"
        # Test suites run in parallel, each with its own pools and CLI processes.
        if ((test_mode)); then echo "max_connections = 500"; else echo "max_connections = 200"; fi
        echo "timezone = 'UTC'"
        if ((test_mode)); then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } | run tee -a "$dir/postgresql.conf" >/dev/null
}

start() {
    init_cluster
    if ! running; then
        run "$pg_bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null ||
            { echo "db.sh: PostgreSQL did not start; last lines of $dir/server.log:" >&2; tail -5 "$dir/server.log" >&2; exit 1; }
    fi
    if ! run "$pg_bin/psql" -h "$dir" -U consortium -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'consortium'" | grep -q 1; then
        run "$pg_bin/createdb" -h "$dir" -U consortium consortium
    fi
    echo "db.sh: $cluster running (socket in $dir)"
}

stop() {
    if running; then run "$pg_bin/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null; fi
    echo "db.sh: $cluster stopped"
}

case "$command" in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    status)
        if running; then echo "db.sh: $cluster running (socket in $dir)"; else echo "db.sh: $cluster stopped"; exit 3; fi ;;
    url) echo "host=$dir dbname=consortium user=consortium" ;;
    psql) shift; exec "$pg_bin/psql" -h "$dir" -U consortium -d consortium "$@" ;;
    *) echo "db.sh: unknown command '$command' (start, stop, restart, status, url, psql)" >&2; exit 2 ;;
esac
