#!/usr/bin/env bash
# Tests `serve --read-database-url` against a real streaming replica: a throwaway primary cluster
# ("test-replica-primary", migrated and seeded with the demo) and a hot standby made from it with pg_basebackup -R
# (own data folder, unix socket folder and port under a temp folder). `serve` gets DATABASE_URL = the primary and
# --read-database-url = the replica, and then:
#
#   1. GETs are answered from the replica (its pg_stat_activity and /metrics show the app's connections; with replay
#      paused there, a GET does not see a row just written), a POST (a token for oneself) lands on the primary and is
#      replicated to the standby;
#   2. an authenticated GET works (its token's last-used time is written to the primary) — no 5xx;
#   3. primary stopped: anonymous GETs (API and the home page) still answer 200 from the replica; a POST, an
#      authenticated GET and /readyz answer 503 problem+json with Retry-After; primary started again: a POST succeeds
#      without restarting serve;
#   4. replica stopped: GETs and /readyz answer 503 problem+json with Retry-After (never a 500) while writes still work
#      on the primary; replica started again: GETs answer 200 without restarting serve.
#
#   Ops/scripts/test-replica.sh      (root; CONSORTIUM_BIN names the binary to test, default: swift build's)
#
# One line per check, exit status 1 when any check failed. Unix sockets only (serve on loopback), no stdin, every wait
# bounded and the whole script under `timeout` (TEST_REPLICA_TIMEOUT seconds, default 120). Both clusters, serve and
# the temp folder are removed on exit; TEST_REPLICA_KEEP=1 keeps the temp folder (logs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [[ -z "${TEST_REPLICA_BOUNDED:-}" ]]; then
    limit="${TEST_REPLICA_TIMEOUT:-120}"
    status=0
    TEST_REPLICA_BOUNDED=1 timeout -k 20 "$limit" bash "${BASH_SOURCE[0]}" "$@" </dev/null || status=$?
    ((status != 124)) || echo "test-replica: FAIL timed out after $limit s" >&2
    exit "$status"
fi
exec </dev/null
started=$EPOCHREALTIME

bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
for tool in curl jq psql; do
    command -v "$tool" >/dev/null || { echo "test-replica: $tool is missing (run Ops/scripts/setup.sh; apt-get install $tool)" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "test-replica: run as root (the clusters run as consortium-pg, as db.sh does)" >&2; exit 1; }
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$pg_bin/pg_basebackup" ]] || { echo "test-replica: PostgreSQL is not installed; run Ops/scripts/setup.sh" >&2; exit 1; }

# db.sh puts the cluster under .data/ (CONSORTIUM_DATA_DIR would move it); every consortium command names its database.
unset CONSORTIUM_DATA_DIR DATABASE_READ_URL PGDATABASE PGHOST PGPORT PGUSER PGPASSWORD PGSERVICE PGOPTIONS
export PGCONNECT_TIMEOUT=5
cluster=test-replica-primary
owner=consortium-pg
port="${TEST_REPLICA_PORT:-18295}"  # serve
replica_port=5433                   # the standby's socket: .s.PGSQL.5433 in its own folder
work="$(mktemp -d /tmp/test-replica.XXXXXX)"
chmod 711 "$work"                   # consortium-pg passes through to its folder, reads nothing else
pg="$work/pg"                       # the standby's data folder, socket and log, owned by consortium-pg
mkdir -p "$pg/sock" "$work/data"
: >"$work/empty.env"
export CONSORTIUM_CONFIG="$work/empty.env"  # nothing from a machine-wide /etc/consortium/consortium.env
serve_pid=""

as_pg() { (cd "$pg" && runuser -u "$owner" -- "$@"); }
replica_ctl() {  # start|stop
    if [[ "$1" == start ]]; then
        as_pg "$pg_bin/pg_ctl" -D "$pg/data" -l "$pg/replica.log" -w -t 30 \
            -o "-k $pg/sock -p $replica_port -c listen_addresses=''" start >>"$work/setup.log" 2>&1
    else
        as_pg "$pg_bin/pg_ctl" -D "$pg/data" -m fast -w -t 30 stop >>"$work/setup.log" 2>&1
    fi
}
drop_primary() {
    bash Ops/scripts/db.sh --cluster "$cluster" stop >/dev/null 2>&1 || true
    rm -rf "$(readlink -f ".data/$cluster" 2>/dev/null || echo ".data/$cluster")" ".data/$cluster" ".data/initdb-$cluster.log"
}
cleanup() {
    local status=$?
    trap - EXIT
    set +e
    if [[ -n "$serve_pid" ]] && kill -0 "$serve_pid" 2>/dev/null; then
        kill -TERM "$serve_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$serve_pid" 2>/dev/null || true
    fi
    [[ -f "$pg/data/postmaster.pid" ]] && as_pg "$pg_bin/pg_ctl" -D "$pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1
    drop_primary
    if [[ "${TEST_REPLICA_KEEP:-}" == 1 ]]; then echo "test-replica: kept $work"; else rm -rf "$work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failed=0
ok() { echo "test-replica: ok   $*"; }
info() { echo "test-replica: info $*"; }
bad() { echo "test-replica: FAIL $*"; failed=$((failed + 1)); }
check() { if [[ "$1" == 0 ]]; then ok "$2"; else bad "$2${3:+ — $3}"; fi; }  # $1: 0 for pass, $2: what, $3: evidence on failure
result() { if "$@"; then echo 0; else echo 1; fi; }  # 0 when the command succeeds, for check
die() { echo "test-replica: FAIL setup: $*" >&2; exit 1; }
must() { "$@" >>"$work/setup.log" 2>&1 || die "'$*' failed; last lines of $work/setup.log: $(tail -3 "$work/setup.log" | tr '\n' ' ')"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# Polls `command` every 0.2 s until it succeeds; false after `seconds`.
wait_for() {
    local seconds=$1
    shift
    local until=$((${EPOCHREALTIME%.*} + seconds))
    until "$@" >/dev/null 2>&1; do
        ((${EPOCHREALTIME%.*} >= until)) && return 1
        sleep 0.2
    done
}
q() { psql -XAtq -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }  # $1: connection, $2: SQL → unaligned rows

# One request: `http NAME METHOD PATH [curl options]` → prints the status (000: no answer), keeps $work/NAME.{hdr,body}.
http() {
    local name=$1 method=$2 path=$3
    shift 3
    curl -sS -m 10 -X "$method" -D "$work/$name.hdr" -o "$work/$name.body" -w '%{http_code}' "$@" "http://127.0.0.1:$port$path" \
        2>"$work/$name.err" || true
}
header() { grep -i "^$2:" "$work/$1.hdr" 2>/dev/null | tail -1 | cut -d' ' -f2- | tr -d '\r'; }  # $1: NAME, $2: header
# "status, Retry-After, content type, problem type" of a response, for evidence.
said() { echo "$1 (Retry-After: $(header "$2" retry-after), $(header "$2" content-type), $(jq -r '(.type // "") + " " + (.detail // "")' "$work/$2.body" 2>/dev/null | head -c 160))"; }
# A 503 problem+json with a numeric Retry-After and its status in the document.
is_503_problem() {  # $1: status, $2: NAME
    [[ "$1" == 503 && "$(header "$2" retry-after)" =~ ^[0-9]+$ && "$(header "$2" content-type)" == application/problem+json* ]] &&
        jq -e '.status == 503' "$work/$2.body" >/dev/null 2>&1
}
post_token() {  # $1: NAME, $2: token name → status; the created token in $work/NAME.body
    http "$1" POST /api/v1/tokens -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' -d "{\"name\":\"$2\"}"
}
serve_alive() { kill -0 "$serve_pid" 2>/dev/null; }

# --- The primary: a test cluster that streams WAL to unix-socket replication clients --------------------------------
drop_primary
must bash Ops/scripts/db.sh --cluster "$cluster" --test start
primary_dir="$(readlink -f ".data/$cluster")"
primary_url="$(bash Ops/scripts/db.sh --cluster "$cluster" url)"
{
    echo "wal_level = replica"
    echo "max_wal_senders = 4"
} | runuser -u "$owner" -- tee -a "$primary_dir/postgresql.conf" >/dev/null
grep -Eq '^local[[:space:]]+replication[[:space:]]+all[[:space:]]+trust' "$primary_dir/pg_hba.conf" ||
    echo "local replication all trust" | runuser -u "$owner" -- tee -a "$primary_dir/pg_hba.conf" >/dev/null
must bash Ops/scripts/db.sh --cluster "$cluster" restart
[[ "$(q "$primary_url" "SHOW wal_level")" == replica ]] || die "the primary's wal_level is not replica after the restart"
export DATABASE_URL="$primary_url"
must "$bin" migrate --log-level error
must "$bin" seed --demo --log-level error
admin="$(q "$primary_url" "SELECT email FROM members WHERE is_admin ORDER BY email LIMIT 1")"
admin_token="$("$bin" tokens create --member "$admin" --scope admin --expires 1d --name test-replica --log-level error 2>>"$work/setup.log" |
    grep -o 'cons_[A-Za-z0-9_-]*' | head -1)"
[[ -n "$admin_token" ]] || die "could not create an admin token for $admin: $(tail -2 "$work/setup.log")"
ok "primary $cluster: wal_level=replica, local replication in pg_hba, migrated, demo seeded, admin token for $admin ($(since "$started") s)"

# --- The replica: pg_basebackup -R, started as a hot standby on its own socket folder and port ---------------------
chown -R "$owner" "$pg"
must as_pg "$pg_bin/pg_basebackup" -h "$primary_dir" -U consortium -D "$pg/data" -R -X stream -c fast
must replica_ctl start
replica_url="host=$pg/sock port=$replica_port dbname=consortium user=consortium"
[[ "$(q "$replica_url" "SELECT pg_is_in_recovery()")" == t ]] || die "the replica is not in recovery"
streaming() { [[ "$(q "$primary_url" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" == 1 ]]; }
wait_for 15 streaming || die "the primary shows no streaming replica: $(q "$primary_url" "SELECT state FROM pg_stat_replication")"
ok "replica: pg_basebackup -R, hot standby on $pg/sock port $replica_port, pg_is_in_recovery() = t, streaming from the primary"

# --- serve: writes to the primary, GETs to the replica ---------------------------------------------------------------
curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && die "something already answers on 127.0.0.1:$port (set TEST_REPLICA_PORT)"
# --api-cache-seconds 0: this test is about where each query goes, and public reads kept in memory are read from the
# primary (PublicCacheTests shows that with a replica beside it).
"$bin" serve --port "$port" --data-dir "$work/data" --read-database-url "$replica_url" --api-cache-seconds 0 --log-level warning \
    >"$work/serve.log" 2>&1 &
serve_pid=$!
wait_for 20 curl -sf -m 1 -o /dev/null "http://127.0.0.1:$port/healthz" ||
    die "serve did not answer /healthz within 20 s: $(tail -3 "$work/serve.log")"
ok "serve on 127.0.0.1:$port: DATABASE_URL = the primary, --read-database-url = the replica"
app_on_replica() { q "$replica_url" "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"; }
info_before="$(app_on_replica)"

# --- 1. GETs from the replica, writes to the primary, replicated ------------------------------------------------------
code="$(http wg GET /api/v1/working-groups)"
groups="$(jq -r '.items | length' "$work/wg.body" 2>/dev/null || echo 0)"
check "$([[ "$code" == 200 && "$groups" -gt 0 ]] && echo 0 || echo 1)" "1. GET /api/v1/working-groups: 200, $groups groups" "$(said "$code" wg)"
on_replica="$(app_on_replica)"
check "$((on_replica > 0 ? 0 : 1))" "1. the replica's pg_stat_activity shows the app's connections after the GET: $on_replica (before: $info_before)" "$on_replica"
http metrics GET /metrics >/dev/null
replica_pool="$(awk '/^consortium_db_pool_connections\{pool="replica"/ { s += $2 } END { print s + 0 }' "$work/metrics.body")"
check "$((replica_pool > 0 ? 0 : 1))" "1. /metrics: consortium_db_pool_connections{pool=\"replica\"} sums to $replica_pool" \
    "$(grep '^consortium_db_pool_connections' "$work/metrics.body" | tr '\n' ' ')"

code="$(post_token post1 "test-replica-1")"
id1="$(jq -r '.token.id // empty' "$work/post1.body" 2>/dev/null)"
check "$([[ "$code" == 201 && -n "$id1" ]] && echo 0 || echo 1)" "1. POST /api/v1/tokens: 201, token $id1" "$(said "$code" post1)"
if [[ -n "$id1" ]]; then
    check "$([[ "$(q "$primary_url" "SELECT count(*) FROM api_tokens WHERE id = '$id1'")" == 1 ]] && echo 0 || echo 1)" "1. the new token is on the primary"
    replicated() { [[ "$(q "$replica_url" "SELECT count(*) FROM api_tokens WHERE id = '$id1'")" == 1 ]]; }
    t0=$EPOCHREALTIME
    check "$(result wait_for 10 replicated)" "1. the new token shows up on the replica within 10 s ($(since "$t0") s)"
fi

# Proof the GETs' queries run on the replica: with replay paused there, a row just written to the primary is not seen.
q "$replica_url" "SELECT pg_wal_replay_pause()" >/dev/null
code="$(post_token post2 "test-replica-paused")"
id2="$(jq -r '.token.id // empty' "$work/post2.body" 2>/dev/null)"
check "$([[ "$code" == 201 && -n "$id2" ]] && echo 0 || echo 1)" "1. POST /api/v1/tokens with replay paused on the replica: 201" "$(said "$code" post2)"
used_before="$(q "$primary_url" "SELECT last_used_at FROM api_tokens WHERE name = 'test-replica'")"
sleep 0.05

# --- 2. An authenticated GET: the token's use is recorded on the primary -----------------------------------------------
code="$(http tokens GET '/api/v1/tokens?limit=100' -H "Authorization: Bearer $admin_token")"
check "$([[ "$code" == 200 ]] && echo 0 || echo 1)" "2. authenticated GET /api/v1/tokens: 200" "$(said "$code" tokens)"
used_after="$(q "$primary_url" "SELECT last_used_at FROM api_tokens WHERE name = 'test-replica'")"
check "$([[ -n "$used_after" && "$used_after" > "$used_before" ]] && echo 0 || echo 1)" \
    "2. its token's last_used_at advanced on the primary ($used_before → $used_after)" "$used_before → $used_after"
listed() { jq -e --arg id "$1" '[.items[].id] | index($id) != null' "$work/tokens.body" >/dev/null 2>&1; }
check "$([[ -n "$id2" ]] && listed "$id1" && ! listed "$id2" && echo 0 || echo 1)" \
    "2. that GET was answered from the replica: it lists the replicated token, not the one written while replay is paused" \
    "ids listed: $(jq -c '[.items[].name]' "$work/tokens.body" 2>/dev/null)"
q "$replica_url" "SELECT pg_wal_replay_resume()" >/dev/null
sees_id2() { [[ "$(http tokens GET '/api/v1/tokens?limit=100' -H "Authorization: Bearer $admin_token")" == 200 ]] && listed "$id2"; }
t0=$EPOCHREALTIME
check "$(result wait_for 10 sees_id2)" "2. replay resumed: within 10 s the GET lists the token written meanwhile ($(since "$t0") s)"

# --- 3. The primary stopped: reads go on from the replica, writes and /readyz say 503 ---------------------------------
must runuser -u "$owner" -- "$pg_bin/pg_ctl" -D "$primary_dir" -m fast -w -t 30 stop
for path in /api/v1/working-groups /; do
    code="$(http anon GET "$path")"
    check "$([[ "$code" == 200 ]] && echo 0 || echo 1)" "3. primary stopped: anonymous GET $path: 200 from the replica" "$(said "$code" anon)"
done
code="$(http page GET / -H 'Accept: text/html')"
check "$([[ "$code" == 200 ]] && echo 0 || echo 1)" "3. primary stopped: GET / as a browser (Accept: text/html): 200" "$(said "$code" page)"
code="$(post_token down "test-replica-down")"
check "$(result is_503_problem "$code" down)" "3. primary stopped: POST /api/v1/tokens: 503 problem+json with Retry-After ($(header down retry-after))" "$(said "$code" down)"
code="$(http authget GET /api/v1/working-groups -H "Authorization: Bearer $admin_token")"
check "$(result is_503_problem "$code" authget)" "3. primary stopped: authenticated GET (its token is checked on the primary): 503 problem+json with Retry-After" "$(said "$code" authget)"
code="$(http ready GET /readyz)"
check "$(result is_503_problem "$code" ready)" "3. primary stopped: /readyz: 503 problem+json with Retry-After" "$(said "$code" ready)"
http metrics GET /metrics >/dev/null
up="$(grep -E '^consortium_database_up ' "$work/metrics.body" || true)"
check "$([[ "$up" == "consortium_database_up 0.0" ]] && echo 0 || echo 1)" "3. primary stopped: /metrics says the primary is down ($up)" "$up"
must bash Ops/scripts/db.sh --cluster "$cluster" start
t0=$EPOCHREALTIME
post_works() { post_token again "test-replica-again" >"$work/again.code"; [[ "$(cat "$work/again.code")" == 201 ]]; }
rc=0
wait_for 15 post_works || rc=1
serve_alive || rc=1
check "$rc" "3. primary started again: within 15 s POST /api/v1/tokens answers 201 without restarting serve ($(since "$t0") s)" \
    "$( ((rc)) && said "$(cat "$work/again.code" 2>/dev/null)" again)"
code="$(http ready GET /readyz)"
check "$([[ "$code" == 200 ]] && echo 0 || echo 1)" "3. primary started again: /readyz: 200" "$(said "$code" ready)"

# --- 4. The replica stopped: GETs say 503, writes go on; started again: GETs answer 200 -------------------------------
streams_again() { [[ "$(q "$primary_url" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" == 1 ]]; }
wait_for 15 streams_again || bad "4. the replica streams from the restarted primary again (15 s)"
must replica_ctl stop
statuses=()
all503=0
for path in /api/v1/working-groups / /api/v1/working-groups /api/v1/institutions; do
    code="$(http rdown GET "$path")"
    statuses+=("$path $(said "$code" rdown)")
    is_503_problem "$code" rdown || all503=1
done
check "$all503" "4. replica stopped: anonymous GETs answer 503 problem+json with Retry-After" "$(printf '%s; ' "${statuses[@]}")"
code="$(http rdownauth GET /api/v1/tokens -H "Authorization: Bearer $admin_token")"
check "$(result is_503_problem "$code" rdownauth)" "4. replica stopped: authenticated GET: 503 problem+json with Retry-After" "$(said "$code" rdownauth)"
code="$(post_token rdownpost "test-replica-replica-down")"
check "$([[ "$code" == 201 ]] && echo 0 || echo 1)" "4. replica stopped: POST /api/v1/tokens still 201 on the primary" "$(said "$code" rdownpost)"
code="$(http ready GET /readyz)"
check "$(result is_503_problem "$code" ready)" "4. replica stopped: /readyz: 503 (every GET needs the replica)" "$(said "$code" ready)"
http metrics GET /metrics >/dev/null
up="$(grep -E '^consortium_database_up ' "$work/metrics.body" || true)"
check "$([[ "$up" == "consortium_database_up 1.0" ]] && echo 0 || echo 1)" "4. replica stopped: /metrics says the primary is up ($up)" "$up"
must replica_ctl start
t0=$EPOCHREALTIME
get_works() { http back GET /api/v1/working-groups >"$work/back.code"; [[ "$(cat "$work/back.code")" == 200 ]]; }
rc=0
wait_for 15 get_works || rc=1
serve_alive || rc=1
check "$rc" "4. replica started again: within 15 s GET answers 200 without restarting serve ($(since "$t0") s)" \
    "$( ((rc)) && said "$(cat "$work/back.code" 2>/dev/null)" back)"
statuses=()
all200=0
for path in /api/v1/working-groups / /api/v1/institutions /api/v1/working-groups /api/v1/members / /api/v1/working-groups /api/v1/institutions /api/v1/working-groups /; do
    code="$(http again GET "$path")"
    statuses+=("$path $code")
    [[ "$code" == 200 ]] || all200=1
done
check "$all200" "4. replica started again: the next 10 GETs all answer 200" "$(printf '%s; ' "${statuses[@]}")"

# --- Whatever the server logged as failed --------------------------------------------------------------------------
failures="$(grep -c 'request failed' "$work/serve.log" || true)"
check "$((failures == 0 ? 0 : 1))" "serve logged no 'request failed' (500) errors" "$failures: $(grep 'request failed' "$work/serve.log" | head -3 | cut -c1-300)"
check "$(result serve_alive)" "serve ran throughout (pid $serve_pid)"

if ((failed)); then
    echo "test-replica: $failed check(s) failed in $(since "$started") s (serve's log: $work/serve.log with TEST_REPLICA_KEEP=1)" >&2
    exit 1
fi
echo "test-replica: all checks passed in $(since "$started") s"
