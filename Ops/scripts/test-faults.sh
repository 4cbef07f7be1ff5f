#!/usr/bin/env bash
# Fault injection against the built binary, on a throwaway PostgreSQL cluster of its own ("test-faults"), loopback only:
#
#   (a) kill -9 of `serve` in the middle of a burst of 200 idempotent creates (POST /api/v1/artifacts with an
#       Idempotency-Key each); after a restart every request is retried with its key and body until it gets a 2xx:
#       one artifact per key, and retries answer with the id a first response already acknowledged.
#   (b) kill -9 of runners at random moments while 4 of them drain 100 queued runs (--lease-seconds 3): every run ends
#       once, succeeded, with all its metric rows and one usage record, and its attempts count the kills it took.
#   (c) the artifact store's disk fills up during a 20 MiB upload (the serve's data dir on an 8 MiB tmpfs): a clean
#       problem+json error (507), no partial file anywhere, and the server still serves and stores once space is free.
#   (d) PostgreSQL stopped and started again under wrk load and a stream of writes: 503 with Retry-After while it is
#       away, never a 500, recovery without restarting serve, every acknowledged write still there.
#
#   Ops/scripts/test-faults.sh          (root: (c) mounts a tmpfs; CONSORTIUM_BIN names the binary to test)
#
# One line per check (PASS/FAIL/SKIP), exit status 1 when any check failed. Bounded: every wait has a timeout and the
# whole script runs under `timeout` (FAULTS_TIME_LIMIT seconds, default 420). FAULTS_KEEP=1 keeps the work folder;
# FAULTS_SCENARIOS="a d" runs some of them (in that order; b to d do not need a).
set -uo pipefail

if [[ -z "${FAULTS_UNDER_TIMEOUT:-}" ]]; then
    export FAULTS_UNDER_TIMEOUT=1
    # --foreground: stay in the caller's process group, so a Ctrl-C reaches the script (whose trap cleans up).
    exec timeout --foreground -k 20 "${FAULTS_TIME_LIMIT:-420}" bash "$0" "$@"
fi
exec </dev/null
unset CONSORTIUM_DATA_DIR  # db.sh would put the cluster there; every consortium command here gets --data-dir instead
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
started=$EPOCHREALTIME

bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
[[ -x "$bin" ]] || { echo "test-faults: no consortium binary at $bin (set CONSORTIUM_BIN)" >&2; exit 1; }
# wrk drives (d), jq reads the API's answers; both from Debian when missing (setup.sh installs the rest).
for tool in wrk jq curl; do
    command -v "$tool" >/dev/null && continue
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq --no-install-recommends "$tool" || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$tool"; }; } >/dev/null 2>&1
    command -v "$tool" >/dev/null || { echo "test-faults: $tool is missing and could not be installed with apt-get" >&2; exit 1; }
done
command -v psql >/dev/null || { echo "test-faults: psql is missing (run Ops/scripts/setup.sh)" >&2; exit 1; }

cluster=test-faults
port=18291       # the server of (a), (b) and (d)
disk_port=18292  # the server on a full disk, (c)
work="$(mktemp -d /tmp/test-faults.XXXXXX)"
data="$work/data"
mkdir -p "$data"

# ---------------------------------------------------------------- bookkeeping

passed=0
failed=0
skipped=0
declare -A live=()   # pids this script started and has not reaped yet: the only ones it may kill
mounts=()

pass() { echo "PASS $1${2:+ — $2}"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+ — $2}"; failed=$((failed + 1)); }
skip() { echo "SKIP $1${2:+ — $2}"; skipped=$((skipped + 1)); }
verdict() { if [[ "$1" == 0 ]]; then pass "$2" "${3:-}"; else fail "$2" "${3:-}"; fi; }  # $1: 0 for pass
info() { echo "     $*"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
die() { fail "setup" "$*"; exit 1; }
must() { "$@" >>"$work/setup.log" 2>&1 || die "'$*' failed; last lines of $work/setup.log: $(tail -3 "$work/setup.log" | tr '\n' ' ')"; }

# Polls `command` every 0.1 s until it succeeds; false after `seconds`.
wait_for() {
    local seconds=$1
    shift
    local until=$((${EPOCHREALTIME%.*} + seconds))
    until "$@" >/dev/null 2>&1; do
        ((${EPOCHREALTIME%.*} >= until)) && return 1
        sleep 0.1
    done
}

# Waits for a child to exit (up to `seconds`), then kill -9s it if it has not; reaps it either way. Servers and
# runners are disowned when started (so bash prints no "Killed" line for them): the shell reaps them by itself.
reap() {
    local pid=$1 seconds=${2:-10}
    local until=$((${EPOCHREALTIME%.*} + seconds))
    while kill -0 "$pid" 2>/dev/null && ((${EPOCHREALTIME%.*} < until)); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null
        until=$((${EPOCHREALTIME%.*} + 5))
        while kill -0 "$pid" 2>/dev/null && ((${EPOCHREALTIME%.*} < until)); do sleep 0.05; done
    fi
    wait "$pid" 2>/dev/null
    unset "live[$pid]"
}

stop_gracefully() { [[ -n "${live[$1]:-}" ]] && kill -TERM "$1" 2>/dev/null; reap "$1" "${2:-10}"; }

cleanup() {
    local status=$?
    trap - EXIT TERM INT
    for pid in "${!live[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${!live[@]}"; do reap "$pid" 5; done
    for mount in "${mounts[@]}"; do umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null; done
    bash Ops/scripts/db.sh --cluster "$cluster" stop >/dev/null 2>&1
    if [[ "${FAULTS_KEEP:-}" == 1 ]]; then echo "test-faults: kept $work"; else rm -rf "$work"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo "FAIL test-faults: stopped by a signal (time limit ${FAULTS_TIME_LIMIT:-420} s?) after $(since "$started") s"; exit 124' TERM INT

port_free() { ! curl -s -m 1 -o /dev/null "http://127.0.0.1:$1/" 2>/dev/null; }

# Starts `serve` on $1 with data dir $2, logging to $3; sets serve_pid (or returns 1).
start_serve() {
    "$bin" serve --port "$1" --data-dir "$2" --log-level warning >>"$3" 2>&1 &
    local pid=$!
    disown "$pid"
    live[$pid]=1
    if ! wait_for 20 curl -sf -m 1 -o /dev/null "http://127.0.0.1:$1/healthz"; then
        stop_gracefully "$pid" 2
        return 1
    fi
    serve_pid=$pid
}

# ---------------------------------------------------------------- the database and the server

bash Ops/scripts/db.sh --cluster "$cluster" stop >/dev/null 2>&1 || true
rm -rf "$(readlink -f ".data/$cluster" 2>/dev/null || echo ".data/$cluster")" ".data/$cluster"
must bash Ops/scripts/db.sh --cluster "$cluster" --test start
DATABASE_URL="$(bash Ops/scripts/db.sh --cluster "$cluster" url)"
export DATABASE_URL
sql() { psql "$DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
must "$bin" migrate
must "$bin" seed --demo

admin="$(sql "SELECT email FROM members WHERE is_admin ORDER BY email LIMIT 1")"
token="$("$bin" tokens create --member "$admin" --scope admin --expires 1d --name test-faults 2>/dev/null | grep -o 'cons_[A-Za-z0-9_-]*' | head -1)"
[[ -n "$token" ]] || die "could not create an admin token for $admin"
api="http://127.0.0.1:$port/api/v1"
for p in "$port" "$disk_port"; do port_free "$p" || die "something already answers on 127.0.0.1:$p"; done
start_serve "$port" "$data" "$work/serve.log" || die "serve did not answer /healthz within 20 s: $(tail -3 "$work/serve.log")"
echo "test-faults: cluster $cluster, server on :$port, work folder $work ($(since "$started") s)"

# ---------------------------------------------------------------- (a) kill -9 of serve during idempotent creates

# One POST of request $1 (phase $2: first or retry); prints the status code (000: no response) and the seconds taken.
post_artifact() {
    curl -sS -m 15 -o "$A_DIR/$1.$2.json" -D "$A_DIR/$1.$2.hdr" -w '%{http_code} %{time_total}' \
        -H "Authorization: Bearer $A_TOKEN" -H "Idempotency-Key: $A_KEY-$1" -H 'Content-Type: application/json' \
        --data-binary "@$A_DIR/$1.body" "$A_API/artifacts" 2>>"$A_DIR/$1.$2.err"
}
first_attempt() {
    local code seconds
    read -r code seconds < <(post_artifact "$1" first)
    echo "${code:-000}" >"$A_DIR/$1.first.tmp" && mv "$A_DIR/$1.first.tmp" "$A_DIR/$1.first.status"
}
retry_until_2xx() {
    local code seconds
    while :; do
        read -r code seconds < <(post_artifact "$1" retry)
        code="${code:-000}"
        echo "$code $(jq -r '.type // empty' "$A_DIR/$1.retry.json" 2>/dev/null)" >>"$A_DIR/$1.retry.log"
        echo "${seconds:-0}" >>"$A_DIR/retry.seconds"
        [[ "$code" == 2?? ]] && break
        ((${EPOCHREALTIME%.*} >= A_DEADLINE)) && break
        sleep 0.3
    done
    echo "$code" >"$A_DIR/$1.final.status"
}
export -f post_artifact first_attempt retry_until_2xx

scenario_a() {
    local t0=$EPOCHREALTIME n=200
    echo "== (a) kill -9 of serve during $n idempotent creates"
    export A_DIR="$work/a" A_TOKEN="$token" A_API="$api" A_KEY="faults-a-$$"
    mkdir -p "$A_DIR"
    local i
    for i in $(seq "$n"); do
        printf '{"working_group":"evaluation","kind":"report","slug":"faults-a-%03d","title":"faults-a %03d","description":"create %d of %d, serve killed mid-burst"}' \
            "$i" "$i" "$i" "$n" >"$A_DIR/$i.body"
    done
    acked() { cat "$A_DIR"/*.first.status 2>/dev/null | grep -c '^2'; }
    at_least_acked() { (($(acked) >= $1)); }

    seq "$n" | xargs -P 24 -n 1 bash -c 'first_attempt "$1"' _ &
    local burst=$!
    live[$burst]=1
    wait_for 30 at_least_acked 40 || info "fewer than 40 creates acknowledged after 30 s"
    local acked_before
    acked_before=$(acked)
    kill -9 "$serve_pid"
    local killed_at=$EPOCHREALTIME
    reap "$serve_pid" 5
    reap "$burst" 40
    local acked_total
    acked_total=$(acked)
    verdict $(((acked_total > 0 && acked_total < n) ? 0 : 1)) "(a) serve killed mid-burst" \
        "$acked_before acknowledged just before the kill, $acked_total of $n in all; the rest saw the connection drop or refused"
    info "first responses: $(cat "$A_DIR"/*.first.status | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')"
    local live_5xx
    live_5xx=$(cat "$A_DIR"/*.first.status | grep -c '^5')
    verdict $((live_5xx == 0 ? 0 : 1)) "(a) no 5xx from the server before it was killed" "$live_5xx"

    start_serve "$port" "$data" "$work/serve.log" || { fail "(a) serve restarts after kill -9" "$(tail -3 "$work/serve.log")"; return; }
    pass "(a) serve restarts after kill -9" "answering again $(since "$killed_at") s after the kill"

    export A_DEADLINE=$((${EPOCHREALTIME%.*} + 30))
    local retry_started=$EPOCHREALTIME
    seq "$n" | xargs -P 16 -n 1 bash -c 'retry_until_2xx "$1"' _ &
    local retries=$!
    live[$retries]=1
    reap "$retries" 90
    info "retries took $(since "$retry_started") s (slowest answers: $(sort -gr "$A_DIR/retry.seconds" | head -3 | paste -sd' ') s); statuses seen on retry: $(cat "$A_DIR"/*.retry.log | sort | uniq -c | awk '{printf "%s %s×%s  ", $2, $3, $1}')"

    # What the database holds per title, and what each request was told.
    declare -A rows=() row_id=()
    local title count id
    while IFS='|' read -r title count id; do
        rows[$title]=$count
        row_id[$title]=$id
    done < <(sql "SELECT title, count(*), min(id::text) FROM artifacts WHERE title LIKE 'faults-a %' GROUP BY title")
    local stuck=() lost_acked=() missing=() duplicated=() id_changed=() id_mismatch=() not_replayed=()
    for i in $(seq "$n"); do
        title="$(printf 'faults-a %03d' "$i")"
        local first final first_id="" final_id=""
        first="$(cat "$A_DIR/$i.first.status" 2>/dev/null || echo 000)"
        final="$(cat "$A_DIR/$i.final.status" 2>/dev/null || echo 000)"
        [[ "$first" == 2?? ]] && first_id="$(jq -r '.id // empty' "$A_DIR/$i.first.json" 2>/dev/null)"
        [[ "$final" == 2?? ]] && final_id="$(jq -r '.id // empty' "$A_DIR/$i.retry.json" 2>/dev/null)"
        if [[ "$final" != 2?? ]]; then
            stuck+=("#$i: $(tail -1 "$A_DIR/$i.retry.log" 2>/dev/null) after $(cat "$A_DIR/$i.retry.log" 2>/dev/null | wc -l) tries (first answer $first, artifact rows ${rows[$title]:-0})")
        fi
        count="${rows[$title]:-0}"
        if ((count == 0)); then
            if [[ -n "$first_id" ]]; then lost_acked+=("#$i ($first_id)"); else missing+=("#$i"); fi
        elif ((count > 1)); then
            duplicated+=("#$i ×$count")
        fi
        if [[ -n "$first_id" && -n "$final_id" && "$first_id" != "$final_id" ]]; then id_changed+=("#$i: $first_id then $final_id"); fi
        if [[ -n "$first_id" && -n "$final_id" ]] && ! grep -qi '^idempotent-replayed: *true' "$A_DIR/$i.retry.hdr"; then not_replayed+=("#$i"); fi
        if [[ -n "$final_id" && "$count" == 1 && "${row_id[$title]}" != "$final_id" ]]; then id_mismatch+=("#$i"); fi
    done
    verdict $((${#stuck[@]} == 0 ? 0 : 1)) "(a) every request gets a 2xx when retried with its key (30 s)" \
        "${#stuck[@]} of $n never did${stuck:+; e.g. ${stuck[*]:0:3}}"
    verdict $((${#lost_acked[@]} == 0 ? 0 : 1)) "(a) no acknowledged create lost" "${#lost_acked[@]}${lost_acked:+: ${lost_acked[*]:0:5}}"
    verdict $((${#missing[@]} + ${#duplicated[@]} == 0 ? 0 : 1)) "(a) each key made exactly one artifact" \
        "${#missing[@]} made none${missing:+ (${missing[*]:0:8})}, ${#duplicated[@]} made several${duplicated:+ (${duplicated[*]:0:8})}"
    verdict $((${#id_changed[@]} == 0 ? 0 : 1)) "(a) retries return the id of the acknowledged first response" \
        "${#id_changed[@]} differ${id_changed:+: ${id_changed[*]:0:3}}"
    verdict $((${#not_replayed[@]} == 0 ? 0 : 1)) "(a) retries of acknowledged creates are replays (Idempotent-Replayed: true)" \
        "${#not_replayed[@]} are not${not_replayed:+: ${not_replayed[*]:0:5}}"
    verdict $((${#id_mismatch[@]} == 0 ? 0 : 1)) "(a) retries return the id of the stored artifact" "${#id_mismatch[@]} differ${id_mismatch:+: ${id_mismatch[*]:0:5}}"
    local unfinished
    unfinished="$(sql "SELECT count(*) FROM idempotency_keys WHERE key LIKE '$A_KEY-%' AND status IS NULL")"
    verdict $((unfinished == 0 ? 0 : 1)) "(a) no Idempotency-Key left claimed without a stored response" "$unfinished"
    info "(a) took $(since "$t0") s"
}

# ---------------------------------------------------------------- (b) kill -9 of runners across 100 queued runs

runner_pid=()
start_runner() {  # $1: slot
    "$bin" runner --concurrency 1 --threads 1 --lease-seconds 3 --poll-seconds 0.2 --no-scheduler --data-dir "$data" \
        --log-level warning >>"$work/b/runner.$1.log" 2>&1 &
    runner_pid[$1]=$!
    disown "$!"
    live[$!]=1
}

scenario_b() {
    local t0=$EPOCHREALTIME n=100 slots=4
    echo "== (b) kill -9 of runners at random moments across $n queued runs on $slots runners"
    local dir="$work/b"
    mkdir -p "$dir/datasets"
    # A tiny causal LM and a perplexity dataset; `limit` is calibrated so a run takes about 0.3 s on this machine and build.
    local i
    for i in $(seq 100); do cat Ops/demo/datasets/perplexity.jsonl; done >"$dir/datasets/ppl.jsonl"
    must "$bin" artifacts import Tests/InferenceTests/Fixtures/tiny-gpt2 --group evaluation --kind checkpoint --slug faults-tiny --data-dir "$data"
    must "$bin" artifacts import "$dir/datasets" --group evaluation --kind dataset --slug faults-ppl --data-dir "$data"
    if [[ "$(sql "SELECT count(*) FROM allocations a JOIN compute_resources c ON c.id = a.resource_id JOIN working_groups g ON g.id = a.working_group_id
                   WHERE g.slug = 'evaluation' AND c.slug = 'eval-cpu-pool' AND a.status = 'active'
                     AND daterange(a.period_start, a.period_end) @> current_date")" == 0 ]]; then
        must "$bin" allocations grant --group evaluation --resource eval-cpu-pool --amount 10000 --from "$(date -u +%F)" \
            --to "$(date -u -d '+30 days' +%F)" --justification test-faults --yes
    fi
    local checkpoint
    checkpoint="$(sql "SELECT id FROM artifacts WHERE slug = 'faults-tiny'")"
    must "$bin" eval tasks create --slug faults-calibrate --kind perplexity --dataset evaluation/faults-ppl --file ppl.jsonl --param limit=120
    must "$bin" eval suites create --slug faults-calibrate faults-calibrate
    must "$bin" eval submit --group evaluation --checkpoint "$checkpoint" --suite faults-calibrate --reserve 0.01
    must timeout 60 "$bin" runner --until-idle --threads 1 --no-scheduler --data-dir "$data" --log-level error
    local per_item limit
    per_item="$(sql "SELECT o.wall_seconds / greatest(o.items, 1) FROM run_task_outcomes o JOIN runs r ON r.id = o.run_id
                      JOIN evaluation_suites s ON s.id = r.suite_id WHERE s.slug = 'faults-calibrate' LIMIT 1")"
    [[ -n "$per_item" ]] || die "the calibration run did not succeed: $(sql "SELECT status || ' ' || coalesce(error, '') FROM runs LIMIT 1")"
    limit="$(awk -v s="$per_item" 'BEGIN { l = int(0.3 / (s > 0 ? s : 1e-6)); if (l < 12) l = 12; if (l > 1200) l = 1200; print l }')"
    must "$bin" eval tasks create --slug faults-ppl --kind perplexity --dataset evaluation/faults-ppl --file ppl.jsonl --param "limit=$limit"
    must "$bin" eval suites create --slug faults-ppl faults-ppl
    info "calibration: $(awk -v s="$per_item" 'BEGIN { printf "%.2f", s * 1000 }') ms per item, so limit=$limit items per run"

    local queued=0 code
    for i in $(seq "$n"); do
        code="$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            -d "{\"working_group\":\"evaluation\",\"checkpoint\":\"$checkpoint\",\"suite\":\"faults-ppl\",\"reserve_cpu_hours\":0.01}" "$api/runs")"
        [[ "$code" == 201 ]] && queued=$((queued + 1))
    done
    ((queued == n)) || die "queued only $queued of $n runs through POST /api/v1/runs"
    # A run killed three times fails by design (max_attempts); here the question is whether the kills corrupt
    # anything, so the runs may take as many kills as the random schedule gives them.
    sql "UPDATE runs SET max_attempts = 50 WHERE suite_id = (SELECT id FROM evaluation_suites WHERE slug = 'faults-ppl')" >/dev/null
    local ours="(SELECT r.id FROM runs r JOIN evaluation_suites s ON s.id = r.suite_id WHERE s.slug = 'faults-ppl')"

    for i in $(seq 0 $((slots - 1))); do start_runner "$i"; done
    local chaos_started=$EPOCHREALTIME deadline=$((${EPOCHREALTIME%.*} + 120)) kills=0 hits=0 remaining="$n" slot pid holding
    : >"$dir/kills"
    while ((${EPOCHREALTIME%.*} < deadline)); do
        remaining="$(sql "SELECT count(*) FROM runs WHERE id IN $ours AND status IN ('queued', 'running')")"
        ((remaining == 0)) && break
        sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.4 + r / 32767 }')"
        slot=$((RANDOM % slots))
        pid=${runner_pid[$slot]}
        # Frozen first, so the run it holds (if any) cannot change between the look and the kill.
        kill -STOP "$pid" 2>/dev/null
        sleep 0.05
        holding="$(sql "SELECT id FROM runs WHERE status = 'running' AND lease_owner LIKE '%:$pid'")"
        kill -9 "$pid" 2>/dev/null
        reap "$pid" 5
        kills=$((kills + 1))
        if [[ -n "$holding" ]]; then
            hits=$((hits + 1))
            echo "$holding" >>"$dir/kills"
        fi
        start_runner "$slot"
    done
    local chaos_seconds
    chaos_seconds="$(since "$chaos_started")"
    # The survivors finish what is left (a killed runner's lease runs out in 3 s), then stop cleanly.
    drained() { [[ "$(sql "SELECT count(*) FROM runs WHERE id IN $ours AND status IN ('queued', 'running')")" == 0 ]]; }
    wait_for 30 drained
    for slot in $(seq 0 $((slots - 1))); do kill -TERM "${runner_pid[$slot]}" 2>/dev/null; done
    for slot in $(seq 0 $((slots - 1))); do reap "${runner_pid[$slot]}" 10; done

    info "$kills runners killed in $chaos_seconds s, $hits of them while holding a run; statuses: $(sql "SELECT string_agg(status || '×' || n, ' ') FROM (SELECT status, count(*) n FROM runs WHERE id IN $ours GROUP BY status) s")"
    info "attempts per run: $(sql "SELECT string_agg(attempts || '→' || n || ' runs', ', ' ORDER BY attempts) FROM (SELECT attempts, count(*) n FROM runs WHERE id IN $ours GROUP BY attempts) s")"
    local open
    open="$(sql "SELECT count(*) FROM runs WHERE id IN $ours AND status IN ('queued', 'running')")"
    verdict $((open == 0 ? 0 : 1)) "(b) queue drained: no run left queued or running" \
        "$open left$( ((open > 0)) && echo ": $(sql "SELECT string_agg(id || ' ' || status || ' attempt ' || attempts || ' lease ' || coalesce(lease_owner, '-'), '; ') FROM (SELECT * FROM runs WHERE id IN $ours AND status IN ('queued', 'running') LIMIT 3) r")")"
    local bad
    bad="$(sql "SELECT count(*) FROM runs WHERE id IN $ours AND status <> 'succeeded'")"
    verdict $((bad == 0 ? 0 : 1)) "(b) every run succeeded" \
        "$bad did not$( ((bad > 0)) && echo ": $(sql "SELECT string_agg(id || ' ' || status || ' (' || coalesce(error, '') || ')', '; ') FROM (SELECT * FROM runs WHERE id IN $ours AND status <> 'succeeded' LIMIT 3) r")")"
    verdict $((hits > 0 ? 0 : 1)) "(b) the kills interrupted running runs" "$hits of $kills kills hit a runner holding a run"
    bad="$(sql "SELECT count(*) FROM (SELECT r.id FROM runs r LEFT JOIN audit_log a ON a.entity_type = 'run' AND a.entity_id = r.id::text
                  AND a.action IN ('run.succeed', 'run.fail') WHERE r.id IN $ours GROUP BY r.id HAVING count(a.id) <> 1) x")"
    verdict $((bad == 0 ? 0 : 1)) "(b) every run ended exactly once (one run.succeed/run.fail in the audit log)" "$bad runs with another count"
    # Each kill that hit a run cost that run an attempt: attempts >= 1 + kills it took.
    local short=0 run took attempts
    while read -r took run; do
        [[ -z "$run" ]] && continue
        attempts="$(sql "SELECT attempts FROM runs WHERE id = '$run'")"
        ((attempts >= took + 1)) || short=$((short + 1))
    done < <(sort "$dir/kills" | uniq -c)
    bad="$(sql "SELECT count(*) FROM runs WHERE id IN $ours AND NOT attempts BETWEEN 1 AND max_attempts")"
    verdict $((short + bad == 0 ? 0 : 1)) "(b) attempts recorded: each run counts at least 1 + the kills it took" \
        "$short runs count fewer, $bad outside 1…max_attempts; $(sql "SELECT count(*) FROM runs WHERE id IN $ours AND attempts > 1") runs took more than one attempt"
    bad="$(sql "WITH expected AS (
                  SELECT st.suite_id, t.id AS task_id, m.metric FROM evaluation_suite_tasks st JOIN evaluation_tasks t ON t.id = st.task_id,
                         unnest(t.metrics) AS m(metric))
                SELECT count(*) FROM runs r WHERE r.id IN $ours AND r.status = 'succeeded' AND (
                  EXISTS (SELECT 1 FROM expected e WHERE e.suite_id = r.suite_id AND NOT EXISTS (
                      SELECT 1 FROM results x WHERE x.run_id = r.id AND x.task_id = e.task_id AND x.metric = e.metric))
                  OR (SELECT count(*) FROM results x WHERE x.run_id = r.id) <> (SELECT count(*) FROM expected e WHERE e.suite_id = r.suite_id)
                  OR (SELECT count(*) FROM run_task_outcomes o WHERE o.run_id = r.id)
                     <> (SELECT count(*) FROM evaluation_suite_tasks st WHERE st.suite_id = r.suite_id))")"
    local stray
    stray="$(sql "SELECT count(*) FROM runs r WHERE r.id IN $ours AND r.status <> 'succeeded'
                    AND (EXISTS (SELECT 1 FROM results x WHERE x.run_id = r.id) OR EXISTS (SELECT 1 FROM run_task_outcomes o WHERE o.run_id = r.id))")"
    verdict $((bad + stray == 0 ? 0 : 1)) "(b) results whole: every succeeded run has each metric of each task and one outcome per task" \
        "$bad succeeded runs incomplete, $stray unfinished runs with results; $(sql "SELECT count(*) FROM results WHERE run_id IN $ours") metric rows"
    bad="$(sql "SELECT count(*) FROM (SELECT r.id FROM runs r LEFT JOIN usage_records u ON u.source = 'evaluation_runner' AND u.external_id = r.id::text
                  WHERE r.id IN $ours AND r.status = 'succeeded' GROUP BY r.id, r.charged_amount
                  HAVING count(u.id) <> 1 OR sum(u.amount) IS DISTINCT FROM r.charged_amount) x")"
    verdict $((bad == 0 ? 0 : 1)) "(b) usage charged once per run (one evaluation_runner record = charged_amount)" "$bad runs otherwise"
    local staging
    staging="$(find "$data/runner-cache" -maxdepth 2 -name '.staging-*' 2>/dev/null | wc -l)"
    info "runner warnings: $(cat "$dir"/runner.*.log 2>/dev/null | grep -c warning), left-over cache staging folders: $staging"
    info "(b) took $(since "$t0") s"
}

# ---------------------------------------------------------------- (c) disk full during an upload

scenario_c() {
    local t0=$EPOCHREALTIME
    echo "== (c) the artifact store's disk fills up during a 20 MiB upload"
    local dir="$work/c" disk="$work/c/disk"
    mkdir -p "$dir" "$disk"
    local error
    if ! error="$(mount -t tmpfs -o size=8m tmpfs "$disk" 2>&1)"; then
        info "mount -t tmpfs failed: $error; trying an 8 MiB ext4 image on a loop device"
        truncate -s 8M "$dir/disk.img" && mkfs.ext4 -q -F "$dir/disk.img" >/dev/null 2>&1 || true
        if ! error="$(mount -o loop "$dir/disk.img" "$disk" 2>&1)"; then
            skip "(c) disk full during an upload" "cannot mount a small file system here: $error"
            return
        fi
    fi
    mounts+=("$disk")
    info "$(df -h --output=source,fstype,size "$disk" | tail -1 | tr -s ' ')"
    port_free "$disk_port" || { fail "(c) a port for the second server" "something answers on 127.0.0.1:$disk_port"; return; }
    local disk_pid main_pid=$serve_pid
    start_serve "$disk_port" "$disk" "$dir/serve.log" || { fail "(c) serve starts on the small disk" "$(tail -3 "$dir/serve.log")"; return; }
    disk_pid=$serve_pid
    serve_pid=$main_pid
    local capi="http://127.0.0.1:$disk_port/api/v1"
    # A chair of the group with a write-scoped token, as a member uploading would have.
    local chair ctoken
    chair="$(sql "SELECT m.email FROM memberships s JOIN members m ON m.id = s.member_id JOIN working_groups g ON g.id = s.working_group_id
                  WHERE g.slug = 'evaluation' AND s.role = 'chair' AND s.ended_on IS NULL ORDER BY m.email LIMIT 1")"
    ctoken="$("$bin" tokens create --member "$chair" --scope write --expires 1d --name test-faults 2>/dev/null | grep -o 'cons_[A-Za-z0-9_-]*' | head -1)"
    [[ -n "$ctoken" ]] || { fail "(c) a write token for a chair of evaluation" "$chair"; return; }
    local id
    id="$(curl -sS -m 10 -H "Authorization: Bearer $ctoken" -H 'Content-Type: application/json' \
        -d '{"working_group":"evaluation","kind":"dataset","slug":"faults-disk-full","title":"faults-c disk full"}' "$capi/artifacts" | jq -r '.id // empty')"
    [[ -n "$id" ]] || { fail "(c) a draft artifact to upload into"; return; }
    head -c 20M /dev/urandom >"$dir/big.bin"

    local code rc
    code="$(curl -sS -m 60 -T "$dir/big.bin" -H "Authorization: Bearer $ctoken" -H 'Content-Type: application/octet-stream' \
        -D "$dir/put.hdr" -o "$dir/put.json" -w '%{http_code}' "$capi/artifacts/$id/files/data/big.bin" 2>"$dir/put.err")"
    rc=$?
    local ctype
    ctype="$(grep -i '^content-type:' "$dir/put.hdr" | tail -1 | cut -d' ' -f2- | tr -d '\r')"
    info "upload answered $code ($ctype), curl exit $rc: $(head -c 300 "$dir/put.json") $(head -c 200 "$dir/put.err")"
    local clean=1
    [[ "$code" =~ ^[45][0-9][0-9]$ && "$ctype" == application/problem+json* ]] && jq -e ".status == $code" "$dir/put.json" >/dev/null 2>&1 && clean=0
    verdict "$clean" "(c) the upload is refused with a problem+json 4xx/5xx" "$code $ctype"
    verdict "$([[ "$code" == 507 ]] && echo 0 || echo 1)" "(c) disk full is answered 507 Insufficient Storage" \
        "got $code $(jq -r '.type + ": " + .detail' "$dir/put.json" 2>/dev/null)"
    code="$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ctoken" "$capi/artifacts/$id/files/data/big.bin")"
    verdict "$([[ "$code" == 404 ]] && echo 0 || echo 1)" "(c) the file is not there (GET → 404)" "$code"
    local listed
    listed="$(curl -sS -m 10 -H "Authorization: Bearer $ctoken" "$capi/artifacts/$id/files" | jq -r '[.items[].path] | join(",")' 2>/dev/null)"
    verdict "$([[ "$listed" != *big.bin* ]] && echo 0 || echo 1)" "(c) the artifact's file list does not name it" "files: [${listed}]"
    local rows
    rows="$(sql "SELECT count(*) FROM artifact_files WHERE artifact_id = '$id'")"
    verdict $((rows == 0 ? 0 : 1)) "(c) no artifact_files row for it" "$rows"
    # The server removes its temporary file once the request has failed; give it a moment.
    store_empty() { [[ -z "$(find "$disk/artifacts" -type f 2>/dev/null)" ]]; }
    wait_for 5 store_empty
    local leftovers
    leftovers="$(find "$disk/artifacts" -type f -printf '%P (%s bytes) ' 2>/dev/null)"
    verdict "$([[ -z "$leftovers" ]] && echo 0 || echo 1)" "(c) nothing left in the store (no temporary or partial object)" \
        "${leftovers:-empty}; $(df -h --output=used "$disk" | tail -1 | tr -d ' ') used"
    code="$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$disk_port/healthz")"
    verdict "$([[ "$code" == 200 ]] && kill -0 "$disk_pid" 2>/dev/null && echo 0 || echo 1)" "(c) the server is still up (/healthz)" "$code"
    printf 'faults-c small file %s\n' "$RANDOM" >"$dir/small.txt"
    code="$(curl -sS -m 10 -T "$dir/small.txt" -H "Authorization: Bearer $ctoken" -o "$dir/small.json" -w '%{http_code}' \
        "$capi/artifacts/$id/files/small.txt" 2>&1)"
    local back=1
    [[ "$code" == 201 ]] && curl -sS -m 10 -H "Authorization: Bearer $ctoken" "$capi/artifacts/$id/files/small.txt" | cmp -s - "$dir/small.txt" && back=0
    verdict "$back" "(c) a small upload afterwards is stored and reads back" "$code"
    stop_gracefully "$disk_pid" 10
    umount "$disk" 2>/dev/null && mounts=()
    info "(c) took $(since "$t0") s"
}

# ---------------------------------------------------------------- (d) PostgreSQL restarted under load

scenario_d() {
    local t0=$EPOCHREALTIME
    echo "== (d) PostgreSQL stopped and started again while wrk and a stream of writes drive the API"
    local dir="$work/d"
    mkdir -p "$dir"
    local serve_before=$serve_pid
    cat >"$dir/count.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do io.write(string.format("status %d %d\n", status, n)) end
  io.write(string.format("errors connect %d read %d write %d timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
LUA
    # Acknowledged writes: each 201 with its id; every answer with its status and Retry-After (lines start with the
    # time the request was sent).
    (
        i=0
        while [[ ! -e "$dir/stop" ]]; do
            i=$((i + 1))
            sent=$EPOCHREALTIME
            code="$(curl -sS -m 5 -D "$dir/w.hdr" -o "$dir/w.json" -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
                -d "{\"working_group\":\"evaluation\",\"kind\":\"report\",\"slug\":\"faults-d-$i\",\"title\":\"faults-d $i\"}" "$api/artifacts" 2>/dev/null)"
            retry="$(grep -i '^retry-after:' "$dir/w.hdr" 2>/dev/null | cut -d' ' -f2 | tr -d '\r')"
            echo "$sent ${code:-000} $i $(jq -r '.id // "-"' "$dir/w.json" 2>/dev/null || echo -) ${retry:--}" >>"$dir/writes"
            sleep 0.05
        done
    ) &
    local writer=$!
    live[$writer]=1
    (
        while [[ ! -e "$dir/stop" ]]; do
            sent=$EPOCHREALTIME
            code="$(curl -sS -m 5 -D "$dir/p.hdr" -o "$dir/p.json" -w '%{http_code}' "$api/working-groups" 2>/dev/null)"
            retry="$(grep -i '^retry-after:' "$dir/p.hdr" 2>/dev/null | cut -d' ' -f2 | tr -d '\r')"
            ctype="$(grep -i '^content-type:' "$dir/p.hdr" 2>/dev/null | cut -d' ' -f2 | tr -d '\r;')"
            echo "$sent ${code:-000} ${retry:--} ${ctype:--}" >>"$dir/polls"
            sleep 0.1
        done
    ) &
    local poller=$!
    live[$poller]=1
    wrk -t 2 -c 8 -d 18s --timeout 5s -s "$dir/count.lua" "$api/working-groups" >"$dir/wrk.out" 2>&1 &
    local wrk_pid=$!
    live[$wrk_pid]=1

    sleep 3
    local stop_begin=$EPOCHREALTIME
    bash Ops/scripts/db.sh --cluster "$cluster" stop >>"$dir/db.log" 2>&1
    local stopped=$EPOCHREALTIME
    sleep 4
    local start_begin=$EPOCHREALTIME
    timeout 60 bash Ops/scripts/db.sh --cluster "$cluster" start >>"$dir/db.log" 2>&1 || info "db.sh start failed: $(tail -2 "$dir/db.log")"
    local back_up=$EPOCHREALTIME
    recovered() { awk -v t="$back_up" '$1 > t && $2 == 200 { found = 1 } END { exit !found }' "$dir/polls"; }
    wait_for 30 recovered
    local recovered_ok=$?
    sleep 2
    touch "$dir/stop"
    reap "$writer" 10
    reap "$poller" 10
    reap "$wrk_pid" 30

    info "PostgreSQL stopped in $(awk -v a="$stop_begin" -v b="$stopped" 'BEGIN { printf "%.1f", b - a }') s, away $(awk -v a="$stopped" -v b="$start_begin" 'BEGIN { printf "%.1f", b - a }') s, started in $(awk -v a="$start_begin" -v b="$back_up" 'BEGIN { printf "%.1f", b - a }') s"
    info "polls: $(awk '{ print $2 }' "$dir/polls" | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}'); writes: $(awk '{ print $2 }' "$dir/writes" | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')"
    info "wrk: $(grep -E '^(status|errors)|Requests/sec' "$dir/wrk.out" | tr -s ' ' | tr '\n' ';')"

    local outage_polls outage_503
    outage_polls="$(awk -v a="$stopped" -v b="$start_begin" '$1 > a && $1 + 0 < b' "$dir/polls" | wc -l)"
    outage_503="$(awk -v a="$stopped" -v b="$start_begin" '$1 > a && $1 + 0 < b && $2 == 503' "$dir/polls" | wc -l)"
    verdict $(((outage_polls >= 3 && outage_polls == outage_503) ? 0 : 1)) "(d) while the database is away the API answers 503" \
        "$outage_503 of $outage_polls polls during the outage$( ((outage_polls != outage_503)) && echo "; others: $(awk -v a="$stopped" -v b="$start_begin" '$1 > a && $1 + 0 < b && $2 != 503 { print $2 }' "$dir/polls" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')")"
    local all_503 with_retry problem
    all_503="$(cat "$dir/polls" "$dir/writes" | awk '$2 == 503' | wc -l)"
    with_retry="$(awk '$2 == 503 && $3 ~ /^[0-9]+$/' "$dir/polls" | wc -l)"
    with_retry=$((with_retry + $(awk '$2 == 503 && $5 ~ /^[0-9]+$/' "$dir/writes" | wc -l)))
    verdict $(((all_503 > 0 && all_503 == with_retry) ? 0 : 1)) "(d) every 503 carries Retry-After" "$with_retry of $all_503"
    problem="$(awk '$2 == 503 && $4 != "application/problem+json"' "$dir/polls" | wc -l)"
    verdict $((problem == 0 ? 0 : 1)) "(d) the 503s are problem+json" "$problem are not"
    # Every answer as "source status count": wrk's totals, the polls and the writes.
    {
        awk '$1 == "status" { print "wrk", $2, $3 }' "$dir/wrk.out"
        awk '$1 == "errors" { print "wrk", "socket-errors", $3 + $5 + $7 + $9 }' "$dir/wrk.out"
        awk '{ print "poll", $2 }' "$dir/polls" | sort | uniq -c | awk '{ print $2, $3, $1 }'
        awk '{ print "write", $2 }' "$dir/writes" | sort | uniq -c | awk '{ print $2, $3, $1 }'
    } >"$dir/answers"
    local fives
    fives="$(awk '$2 ~ /^5/ && $2 != 503 && $3 > 0 { printf "%s %s×%s ", $1, $2, $3 }' "$dir/answers")"
    verdict "$([[ -z "$fives" ]] && echo 0 || echo 1)" "(d) no 5xx other than 503 (wrk, polls, writes)" "${fives:-none}"
    local others
    others="$(awk '$3 > 0 && !($2 == 503 || ($1 != "write" && $2 == 200) || ($1 == "write" && $2 == 201)) { printf "%s %s×%s ", $1, $2, $3 }' "$dir/answers")"
    verdict "$([[ -z "$others" ]] && echo 0 || echo 1)" "(d) nothing but 200/201 or 503 (no 401 for a token it cannot check, no dropped connection)" "${others:-none}"
    local first_ok
    first_ok="$(awk -v t="$back_up" '$1 > t && $2 == 200 { printf "%.1f", $1 - t; exit }' "$dir/polls")"
    verdict "$([[ $recovered_ok == 0 && "$serve_pid" == "$serve_before" ]] && kill -0 "$serve_pid" 2>/dev/null && echo 0 || echo 1)" \
        "(d) recovers without restarting serve" "first 200 ${first_ok:-never} s after PostgreSQL was back; serve pid $serve_before $(kill -0 "$serve_pid" 2>/dev/null && echo alive || echo gone)"
    local late_errors
    late_errors="$(awk -v t="$back_up" '$1 > t + 1 && $2 != 200' "$dir/polls" | wc -l)"
    late_errors=$((late_errors + $(awk -v t="$back_up" '$1 > t + 1 && $2 != 201' "$dir/writes" | wc -l)))
    verdict $((late_errors == 0 ? 0 : 1)) "(d) no errors from 1 s after the database is back" "$late_errors"
    local acked present
    acked="$(awk '$2 == 201 && $4 != "-" { print $4 }' "$dir/writes" | sort -u)"
    local acked_count
    acked_count="$(grep -c . <<<"$acked")"
    present=0
    ((acked_count > 0)) && present="$(sql "SELECT count(*) FROM artifacts WHERE id::text IN ($(sed "s/.*/'&'/" <<<"$acked" | paste -sd, -))")"
    verdict $(((acked_count > 0 && present == acked_count) ? 0 : 1)) "(d) every acknowledged write is present" "$present of $acked_count"
    local written
    written="$(sql "SELECT count(*) FROM artifacts WHERE title LIKE 'faults-d %'")"
    info "artifacts written in (d): $written rows for $acked_count acknowledged creates ($(awk '$2 != 201' "$dir/writes" | wc -l) unacknowledged attempts)"
    info "(d) took $(since "$t0") s"
}

for scenario in ${FAULTS_SCENARIOS:-a b c d}; do "scenario_$scenario"; done

echo "test-faults: $passed passed, $failed failed, $skipped skipped in $(since "$started") s"
((failed == 0))
