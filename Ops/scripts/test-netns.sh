#!/usr/bin/env bash
# Scale-out over a real network (issue 7): PostgreSQL and three `consortium runner` processes, each in a network
# namespace of its own ("machines" cnt-db, cnt-r1..3 on 10.231.0.0/24), plugged into a Linux bridge in a fifth one
# (cnt-sw, "the switch"), talking TCP only (password auth). The runners drain the demo's runs; then, twice, a long run
# (30000 one-line documents for perplexity on the tiny GPT-2) is submitted and, once a runner is inside it, that
# runner's switch port is set down: a silent partition, packets vanish and nothing is reset.
#   (a) the port comes back just after another runner took the run over: the renewal the victim sent into the cut gets
#       through, finds the lease someone else's (RunQueue.renew → lost), and the victim stops mid-run, writing nothing;
#   (b) the port stays down until the heir has finished: the victim completes its computation while cut off, its
#       completion cannot reach the database; once back it must still write nothing (complete/fail check the lease).
# Each time: taken over once the 4 s lease expires, finished exactly once (one set of results, one task outcome, one
# usage charge, one `run.succeed` in the audit log, all the heir's), the victim's attempt ends "abandoned"; afterwards
# the victim of (b) alone claims and finishes a fresh run, and every runner exits 0 on SIGTERM. One line per check.
#
#   Ops/scripts/test-netns.sh      (root: ip netns, veth, bridge; uses $CONSORTIUM_BIN; its own PostgreSQL)
#
# Nothing outside the namespaces is touched (no address or route in the root namespace): setup and checks use the
# test cluster's unix socket. Everything is removed on exit (processes, namespaces with their links, the work folder).
# No stdin, bounded by TEST_NETNS_TIMEOUT seconds (default 170); TEST_NETNS_KEEP=1 keeps the work folder and logs;
# TEST_NETNS_DOCUMENTS sets the long run's length (default 30000, about 10 s of one core).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

if [[ -z "${TEST_NETNS_BOUNDED:-}" ]]; then
    limit="${TEST_NETNS_TIMEOUT:-170}"
    status=0
    # --foreground: a Ctrl-C reaches the script, whose trap removes what it made.
    TEST_NETNS_BOUNDED=1 timeout --foreground -k 20 "$limit" bash "${BASH_SOURCE[0]}" "$@" </dev/null || status=$?
    ((status != 124)) || echo "test-netns: FAIL timed out after $limit s" >&2
    exit "$status"
fi

started=$EPOCHREALTIME
ok() { echo "test-netns: ok   $*"; }
fail() { echo "test-netns: FAIL $*" >&2; exit 1; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }  # seconds since an $EPOCHREALTIME

[[ $(id -u) -eq 0 ]] || fail "needs root (network namespaces, veth pairs, a bridge)"
if ! command -v ip >/dev/null; then  # iproute2: on any Debian machine, but not in a minimal container image
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq --no-install-recommends iproute2 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends iproute2; }; } >/dev/null 2>&1 || true
fi
for tool in ip psql runuser flock; do command -v "$tool" >/dev/null || fail "$tool is missing (iproute2, postgresql-client, util-linux)"; done
bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
[[ -x "$bin" ]] || fail "$bin is not an executable; build first or set CONSORTIUM_BIN"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -n "$pg_bin" ]] || fail "PostgreSQL is not installed; run Ops/scripts/setup.sh"
pg_user=consortium-pg  # initdb refuses root; the same unprivileged user as db.sh's
id -u "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"

# One instance at a time: the namespace names and the subnet are fixed. (Children get `9>&-`: a server or runner left
# behind must not hold the lock.)
exec 9>/run/consortium-test-netns.lock
flock -n 9 || fail "another test-netns.sh is running (lock /run/consortium-test-netns.lock)"

# The runners must see libpq as a deployment would: no PGCONNECT_TIMEOUT or other PG* settings from the caller; and no
# CONSORTIUM_* setting of the caller's (log format, lease, pool size…) may change what is tested.
unset DATABASE_URL DATABASE_POOL_SIZE PGDATABASE PGHOST PGPORT PGUSER PGPASSWORD PGSERVICE PGOPTIONS PGCONNECT_TIMEOUT PGSSLMODE PGTZ
for name in $(compgen -e | grep '^CONSORTIUM_' | grep -vx CONSORTIUM_BIN); do unset "$name"; done

net=10.231.0
namespaces=(cnt-sw cnt-db cnt-r1 cnt-r2 cnt-r3)  # the switch, the database machine, three runner machines
work="$(mktemp -d /tmp/test-netns.XXXXXX)"
chmod 711 "$work"  # the server's user must reach its folder inside
: >"$work/empty.env"
export CONSORTIUM_CONFIG="$work/empty.env"  # nothing from a machine-wide /etc/consortium/consortium.env
pg="$work/pg"
declare -A runner_pid=()

kill_namespace_processes() {  # $1: namespace; what still runs in it was started by this script (or an earlier run of it)
    local pid
    for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
}
remove_namespaces() {
    local ns
    for ns in "${namespaces[@]}"; do
        ip netns list | grep -qw "^$ns" || continue
        kill_namespace_processes "$ns"
        ip netns del "$ns" 2>/dev/null || true  # its veth ends go with it, and so do their peers
    done
}
cleanup() {
    set +e  # remove everything, whatever fails on the way
    local pid
    for pid in "${runner_pid[@]}"; do kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    [[ -f "$pg/postmaster.pid" ]] && runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$pg" -m immediate -w -t 20 stop >/dev/null 2>&1
    remove_namespaces
    if [[ -n "${TEST_NETNS_KEEP:-}" ]]; then echo "test-netns: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

q() { PGCONNECT_TIMEOUT=10 psql -XAtq -v ON_ERROR_STOP=1 -h "$pg" -U consortium -d consortium -c "$1"; }  # SQL over the unix socket → rows
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }
can_reach_db() {  # $1: namespace; a TCP connection to the server within 2 s
    in_ns "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$net.1/5432" 2>/dev/null
}
wait_for() {  # $1: seconds, $2: what (for the failure), rest: command that succeeds when the wait is over
    local limit="$1" what="$2" deadline=$((SECONDS + $1))
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "waited $limit s in vain for $what"
        sleep 0.1
    done
}

# --- The network: a bridge in cnt-sw, one veth pair per machine (eth0 inside, port p-NAME on the switch) ---------
remove_namespaces  # leftovers of an earlier run killed before its trap could run
for ns in "${namespaces[@]}"; do
    ip netns add "$ns" || fail "cannot create network namespace $ns (needs CAP_SYS_ADMIN and CAP_NET_ADMIN)"
    ip -n "$ns" link set lo up
done
ip -n cnt-sw link add br0 type bridge
ip -n cnt-sw link set br0 up
address=1
for machine in db r1 r2 r3; do
    ip -n cnt-sw link add "p-$machine" type veth peer name eth0 netns "cnt-$machine"
    ip -n cnt-sw link set "p-$machine" master br0 up
    ip -n "cnt-$machine" addr add "$net.$address/24" dev eth0
    ip -n "cnt-$machine" link set eth0 up
    address=$((address == 1 ? 11 : address + 1))  # db .1, runners .11 .12 .13
done
ok "network: bridge in cnt-sw; cnt-db $net.1, cnt-r1..3 $net.11-13 on veth pairs; nothing in the root namespace"

# --- PostgreSQL in cnt-db, on TCP (and a unix socket for this script's setup and checks) -------------------------
mkdir "$pg" && chown "$pg_user" "$pg" && chmod 700 "$pg"
password="netns-$RANDOM$RANDOM"
echo "$password" >"$work/pwfile" && chown "$pg_user" "$work/pwfile"
runuser -u "$pg_user" -- "$pg_bin/initdb" -D "$pg" -U consortium --pwfile="$work/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; fail "initdb failed"; }
{
    echo "listen_addresses = '$net.1'"
    echo "port = 5432"
    echo "unix_socket_directories = '$pg'"
    echo "unix_socket_permissions = 0700"
    echo "max_connections = 100"
    echo "timezone = 'UTC'"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
} >>"$pg/postgresql.conf"
# The runners' machines, with the password (what a real deployment would do); this script itself uses the socket.
echo "host consortium consortium $net.0/24 scram-sha-256" >"$pg/pg_hba.conf"
echo "local all consortium trust" >>"$pg/pg_hba.conf"
in_ns cnt-db runuser -u "$pg_user" -- "$pg_bin/pg_ctl" -D "$pg" -l "$pg/server.log" -w -t 30 start >/dev/null 9>&- ||
    { tail -5 "$pg/server.log" >&2; fail "PostgreSQL did not start in cnt-db"; }
runuser -u "$pg_user" -- "$pg_bin/createdb" -h "$pg" -U consortium consortium
url="postgresql://consortium:$password@$net.1:5432/consortium"
for machine in r1 r2 r3; do can_reach_db "cnt-$machine" || fail "cnt-$machine cannot reach $net.1:5432"; done
ok "PostgreSQL in cnt-db on $net.1:5432 (password auth for the subnet); each runner machine reaches it over the bridge"

# --- The demo consortium, and three runners over TCP -------------------------------------------------------------
data="$work/data"  # the shared artifact store (NFS on real machines); each runner has its own folder and cache
admin=(--database-url "host=$pg dbname=consortium user=consortium" --data-dir "$data" --log-level error)
"$bin" migrate "${admin[@]}" >/dev/null
"$bin" seed --demo --evaluations "${admin[@]}" --minilm-dir "$work/none" --smollm2-file "$work/none.gguf" >/dev/null
demo_runs="$(q "SELECT count(*) FROM runs WHERE status = 'queued'")"
((demo_runs > 0)) || fail "the demo queued no runs"

start_runner() {  # $1: machine (r1…); the runner's owner name is the machine's
    mkdir -p "$work/$1"
    [[ -e "$work/$1/artifacts" ]] || ln -s "$data/artifacts" "$work/$1/artifacts"
    # ip netns exec execs the runner: $! is the runner's pid.
    ip netns exec "cnt-$1" "$bin" runner --database-url "$url" --data-dir "$work/$1" --owner "$1" --lease-seconds 4 --poll-seconds 0.2 \
        --no-scheduler --threads 1 --log-level info --log-format text >"$work/$1.out" 2>>"$work/$1.log" 9>&- &
    runner_pid[$1]=$!
}
for machine in r1 r2 r3; do start_runner "$machine"; done
queue_drained() { [[ "$(q "SELECT count(*) FROM runs WHERE status IN ('queued', 'running')")" == 0 ]]; }
wait_for 60 "the runners to drain the demo's $demo_runs runs" queue_drained
[[ "$(q "SELECT count(*) FROM runs WHERE status = 'succeeded'")" == "$demo_runs" ]] ||
    fail "demo runs not all succeeded: $(q "SELECT status, count(*) FROM runs GROUP BY 1" | paste -sd' ')"
for machine in r1 r2 r3; do kill -0 "${runner_pid[$machine]}" 2>/dev/null || fail "runner $machine exited: $(tail -3 "$work/$machine.log")"; done
clients="$(q "SELECT string_agg(DISTINCT host(client_addr), ' ' ORDER BY host(client_addr)) FROM pg_stat_activity WHERE datname = 'consortium' AND client_addr IS NOT NULL")"
[[ "$clients" == "$net.11 $net.12 $net.13" ]] || fail "connections from $clients, expected the three runner machines"
ok "three runners (lease 4 s, poll 0.2 s) drained the demo's $demo_runs runs over TCP; PostgreSQL sees clients $clients"

# --- A run long enough to be cut off in the middle of: 30000 one-line documents, one per batch, on tiny GPT-2 ---
group="$(q "SELECT g.slug FROM artifacts a JOIN working_groups g ON g.id = a.working_group_id WHERE a.slug = 'tiny-random-gpt2' AND a.kind = 'checkpoint' LIMIT 1")"
[[ -n "$group" ]] || fail "the demo has no tiny-random-gpt2 checkpoint"
mkdir "$work/long"
for ((i = 0; i < ${TEST_NETNS_DOCUMENTS:-30000}; i++)); do echo "{\"text\": \"Document $i of a long evaluation.\"}"; done >"$work/long/long.jsonl"
"$bin" artifacts import "$work/long" --group "$group" --kind dataset --slug netns-long --actor test-netns "${admin[@]}" >/dev/null
"$bin" eval tasks create --slug netns-long --kind perplexity --dataset "$group/netns-long" --file long.jsonl --param batch_size=1 "${admin[@]}" >/dev/null
"$bin" eval suites create --slug netns-long netns-long "${admin[@]}" >/dev/null

abandoned=(0 0 0 0)  # attempts each runner (index 1..3) must report abandoned at exit
# Submits a long run and cuts off the runner that is inside it. Sets run, victim, others, heir, cut (its time).
submit_and_cut() {  # $1: scenario label
    run="$("$bin" eval submit --group "$group" --checkpoint tiny-random-gpt2 --suite netns-long --reserve 0.01 --actor test-netns "${admin[@]}")"
    [[ "$run" =~ ^[0-9a-f-]{36}$ ]] || fail "eval submit printed '$run', not a run id"
    inside() {  # the run is running and its runner has reported progress past the start
        [[ "$(q "SELECT status = 'running' AND coalesce((progress->>'done')::int, 0) > 0 FROM runs WHERE id = '$run'")" == t ]]
    }
    wait_for 30 "run $run to be running with progress" inside
    victim="$(q "SELECT lease_owner FROM runs WHERE id = '$run'")"
    local progress
    progress="$(q "SELECT progress->>'done' || '/' || (progress->>'total') FROM runs WHERE id = '$run'")"
    [[ "$victim" =~ ^r[123]$ ]] || fail "run $run is leased by '$victim', not one of the runners"
    others=()
    for machine in r1 r2 r3; do [[ "$machine" == "$victim" ]] || others+=("$machine"); done
    ip -n cnt-sw link set "p-$victim" down
    cut=$EPOCHREALTIME
    lines_at_cut="$(wc -l <"$work/$victim.log")"
    ! can_reach_db "cnt-$victim" || fail "cnt-$victim still reaches the database with its port down"
    can_reach_db "cnt-${others[0]}" || fail "cnt-${others[0]} lost the database too"
    ok "$1: run $run on $victim at $progress documents; $victim's switch port set down: it cannot reach $net.1, the others can"
    taken_over() { [[ "$(q "SELECT lease_owner IS DISTINCT FROM '$victim' AND attempts = 2 FROM runs WHERE id = '$run'")" == t ]]; }
    wait_for 20 "another runner to take run $run over" taken_over
    heir="$(q "SELECT coalesce(lease_owner, '(finished)') FROM runs WHERE id = '$run'")"
    [[ " ${others[*]} " == *" $heir "* ]] || fail "run $run taken over by '$heir', not by ${others[*]}"
    ok "$1: run $run taken over by $heir (attempt 2) $(since "$cut") s after the cut (lease 4 s)"
}
snapshot() {  # $1: run; everything it left behind, one line
    q "SELECT r.status || ' attempts=' || r.attempts || ' lease=' || coalesce(r.lease_owner, '-') || ' finished=' || coalesce(r.finished_at::text, '-')
              || ' runner=' || coalesce(r.reproducibility->>'runner', '-') || ' attempt=' || coalesce(r.reproducibility->>'attempt', '-')
              || ' charged=' || coalesce(r.charged_amount::text, '-')
              || ' results=' || (SELECT count(*) FROM results WHERE run_id = r.id)
              || ' metrics=' || (SELECT count(DISTINCT metric) FROM results WHERE run_id = r.id)
              || ' outcomes=' || (SELECT count(*) FROM run_task_outcomes WHERE run_id = r.id)
              || ' charges=' || (SELECT count(*) || ':' || coalesce(string_agg(consumer, ','), '') FROM usage_records WHERE external_id = r.id::text)
              || ' succeed=' || (SELECT count(*) || ':' || coalesce(string_agg(actor_name, ','), '') FROM audit_log WHERE action = 'run.succeed' AND entity_id = r.id::text)
              || ' fail=' || (SELECT count(*) FROM audit_log WHERE action = 'run.fail' AND entity_id = r.id::text)
         FROM runs r WHERE r.id = '$1'"
}
finished() { [[ "$(q "SELECT status <> 'running' FROM runs WHERE id = '$run'")" == t ]]; }
ended_as() { grep -F "run=$run " "$work/$victim.log" | sed -n 's/.*ending=\([a-z]*\) run=.*run ended$/\1/p' | paste -sd' '; }
victim_ended() { [[ -n "$(ended_as)" ]]; }
check_once() {  # $1: scenario label; the run succeeded once, by the heir; sets after_heir
    after_heir="$(snapshot "$run")"
    local expected="succeeded attempts=2 lease=- finished=.* runner=$heir attempt=2 charged=[0-9.]+ results=4 metrics=4 outcomes=1 charges=1:$heir succeed=1:runner $heir fail=0"
    [[ "$after_heir" =~ ^$expected$ ]] || fail "run $run after $heir finished it: $after_heir"
    ok "$1: run $run succeeded once, $(since "$cut") s after the cut: 4 metrics, 1 task outcome, 1 usage charge by $heir, 1 run.succeed by runner $heir"
}
check_unchanged() {  # $1: scenario label; the victim, back, wrote nothing
    [[ "$(ended_as)" == abandoned ]] || fail "$victim ended run $run as '$(ended_as)', not once as abandoned"
    abandoned[${victim#r}]=$((abandoned[${victim#r}] + 1))
    sleep 1
    [[ "$(snapshot "$run")" == "$after_heir" ]] || fail "run $run changed after $victim came back: $(snapshot "$run") (was $after_heir)"
    ok "$1: run $run unchanged with $victim back: one set of results, one charge, one run.succeed ($heir's); $victim's attempt ended 'abandoned'"
}

# --- (a) A partition longer than the lease, shorter than the run --------------------------------------------------
# The renewal the victim sent into the cut gets through once the port is back (TCP retransmits it): the run is no longer
# the victim's (RunQueue.renew → .lost), so its compute thread stops at the next batch and the attempt is abandoned.
submit_and_cut "(a)"
ip -n cnt-sw link set "p-$victim" up
restored=$EPOCHREALTIME
wait_for 60 "$victim to end its attempt at run $run once its port is up again" victim_ended
noticed="$(since "$restored")"
[[ "$(q "SELECT status || ' ' || lease_owner FROM runs WHERE id = '$run'")" == "running $heir" ]] ||
    fail "$victim noticed only after $heir had finished: $(snapshot "$run")"
! sed -n "$((lines_at_cut + 1)),\$p" "$work/$victim.log" | grep -q "run failed.*run=$run" ||
    fail "$victim's attempt failed instead of finding the lease lost: $(grep "run failed.*run=$run" "$work/$victim.log" | tail -1)"
ok "(a): port up $(awk -v a="$cut" -v b="$restored" 'BEGIN { printf "%.1f", b - a }') s after the cut; $noticed s later $victim's renewal found the lease $heir's and it stopped mid-run, no error, while $heir ran on"
wait_for 60 "run $run to finish" finished
check_once "(a)"
check_unchanged "(a)"

# --- (b) A partition longer than the run: the victim finishes computing while cut off --------------------------------
# Its completion cannot reach the database: a new connection fails (no route to host), a pooled one waits on TCP
# (libpq has no timeout); either way nothing is written while it is cut off. Once the port is back, any late
# completion or failure finds another runner's finished run (RunQueue.complete/fail lock the run and check the lease
# owner) and writes nothing.
submit_and_cut "(b)"
wait_for 90 "run $run to finish" finished
check_once "(b)"
kill -0 "${runner_pid[$victim]}" 2>/dev/null || fail "the cut-off runner $victim exited while partitioned: $(tail -3 "$work/$victim.log")"
log_cut="$(sed -n "$((lines_at_cut + 1)),\$p" "$work/$victim.log")"
renewal_warnings="$(grep -c "lease renewal failed" <<<"$log_cut" || true)"
if victim_ended; then
    why="$(sed -n '/run failed$/{s/.* error=//; s/ Is the server.*//; s/\. Check DATABASE_URL.*//; s/ run=.*//; s/.*failed: //; p; q}' <<<"$log_cut")"
    how="its attempt already ended '$(ended_as)'${why:+ (its completion, then its failure report, could not connect: ${why:0:160})}"
else
    how="still inside its attempt (its database calls wait on TCP)"
fi
ok "(b): after $(since "$cut") s cut off, $victim is alive, $how; $renewal_warnings 'lease renewal failed' warnings while cut off"
ended_cut_off="$(victim_ended && echo yes || echo no)"
ip -n cnt-sw link set "p-$victim" up
restored=$EPOCHREALTIME
wait_for 60 "$victim to end its attempt at run $run once its port is up again" victim_ended
if [[ $ended_cut_off == yes ]]; then how="its attempt had ended already"; else how="its attempt ended $(since "$restored") s later"; fi
ok "(b): port up after $(awk -v a="$cut" -v b="$restored" 'BEGIN { printf "%.1f", b - a }') s cut off; $how"
check_unchanged "(b)"

# --- The victim of (b) works normally again: with the others stopped, it alone claims and finishes a fresh run ------
stop_runner() {  # $1: machine; SIGTERM, exit 0 within 15 s
    local pid="${runner_pid[$1]}" status=0
    kill -TERM "$pid"
    wait_for 15 "runner $1 to exit on SIGTERM" bash -c "! kill -0 $pid 2>/dev/null"
    wait "$pid" || status=$?
    unset "runner_pid[$1]"
    ((status == 0)) || fail "runner $1 exited with status $status on SIGTERM: $(tail -3 "$work/$1.log")"
    local summary expected="^runner $1: [0-9]+ succeeded, 0 failed, 0 retried, 0 refused, 0 released, ${abandoned[${1#r}]} abandoned$"
    summary="$(tail -1 "$work/$1.out")"
    [[ "$summary" =~ $expected ]] || fail "$1's summary: '$summary' (expected $expected)"
    ok "$1 exited 0 on SIGTERM: $summary"
}
for machine in "${others[@]}"; do stop_runner "$machine"; done
again="$("$bin" eval submit --group "$group" --checkpoint tiny-random-gpt2 --suite causal-lm-demo --reserve 0.01 --actor test-netns "${admin[@]}")"
done_again() { [[ "$(q "SELECT status FROM runs WHERE id = '$again'")" =~ ^(succeeded|failed|cancelled)$ ]]; }
wait_for 60 "$victim to run $again" done_again
[[ "$(q "SELECT status || ' ' || (reproducibility->>'runner') || ' ' || (SELECT count(*) FROM usage_records WHERE external_id = '$again') FROM runs WHERE id = '$again'")" == "succeeded $victim 1" ]] ||
    fail "run $again: $(q "SELECT status, error, reproducibility->>'runner' FROM runs WHERE id = '$again'")"
ok "$victim, reconnected, claimed and finished a fresh run $again on its own"
stop_runner "$victim"
[[ "$(q "SELECT count(*) FROM runs WHERE status <> 'succeeded'")" == 0 ]] || fail "some runs did not succeed: $(q "SELECT id, status, error FROM runs WHERE status <> 'succeeded'")"
[[ "$(q "SELECT count(*) FROM usage_records WHERE source = 'evaluation_runner'")" == "$(q "SELECT count(*) FROM runs")" ]] || fail "not one charge per run"
[[ "$(q "SELECT count(*) FROM audit_log WHERE action = 'run.succeed'")" == "$(q "SELECT count(*) FROM runs")" ]] || fail "not one run.succeed per run"
ok "all $(q "SELECT count(*) FROM runs") runs succeeded: one usage charge and one run.succeed each"

echo "test-netns: all checks passed in $(since "$started") s"
