#!/usr/bin/env bash
# The Slurm executor against a real single-node Slurm (Ops/scripts/slurm.sh: munged, MariaDB, slurmdbd, slurmctld and
# slurmd from Debian's packages, on loopback), with a throwaway PostgreSQL cluster of its own ("test-slurm"):
#
#   1. `runner --executor slurm --until-idle` runs the demo's queued runs as batch jobs under the group's Slurm account
#      (from its allocation): every run succeeds, each attempt's job is recorded with Slurm's final state and accounting,
#      and sacct agrees (job id, account, COMPLETED).
#   2. An allocation whose Slurm account Slurm does not know: sbatch refuses, the run fails with sbatch's words.
#   3. An allocation with no Slurm account: the run fails saying so, nothing is submitted.
#   4. A long run cancelled while its job runs: the runner scancels the job (CANCELLED in sacct, or COMPLETED when the
#      job's command saw the cancellation first), the run is
#      cancelled with no results, and the runner goes on and exits 0 on SIGTERM; a runner stopped (SIGTERM) while a
#      job runs cancels the job and gives the run back to the queue at once.
#   5. A run on SmolLM2 (fetched if missing) whose task allows one minute: Slurm ends the job at its time limit (TIMEOUT)
#      and the run fails saying so.
#
#   Ops/scripts/test-slurm.sh          (root; CONSORTIUM_BIN names the binary; TEST_SLURM_SKIP_TIMEOUT=1 skips 5;
#                                       TEST_SLURM_KEEP=1 keeps the work folder with every runner's log)
#
# One line per check; exit status 1 at the first failed one. Bounded: the whole script runs under `timeout`.
set -euo pipefail
if [[ -z "${TEST_SLURM_UNDER_TIMEOUT:-}" ]]; then
    export TEST_SLURM_UNDER_TIMEOUT=1
    exec timeout --foreground -k 20 "${TEST_SLURM_TIMEOUT:-600}" bash "$0" "$@"
fi
exec </dev/null
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bin="${CONSORTIUM_BIN:-$(swift build --show-bin-path)/consortium}"
bin="$(readlink -f "$bin")"
started=$EPOCHREALTIME
ok() { echo "test-slurm: ok   $*"; }
fail() { echo "test-slurm: FAIL $*" >&2; exit 1; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
[[ $(id -u) -eq 0 ]] || fail "needs root (slurmd starts jobs as their users; Ops/scripts/slurm.sh runs the daemons as root)"

work="$(mktemp -d /tmp/test-slurm.XXXXXX)"
data="$work/data"
runner_pid=""
cleanup() {
    [[ -n "$runner_pid" ]] && kill -9 "$runner_pid" 2>/dev/null || true
    bash Ops/scripts/slurm.sh stop >/dev/null 2>&1 || true
    bash Ops/scripts/db.sh --cluster test-slurm stop >/dev/null 2>&1 || true
    if [[ -n "${TEST_SLURM_KEEP:-}" ]]; then echo "test-slurm: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
: >"$work/empty.env"
export CONSORTIUM_CONFIG="$work/empty.env"
unset CONSORTIUM_DATA_DIR

bash Ops/scripts/db.sh --cluster test-slurm stop >/dev/null 2>&1 || true
rm -rf "$(readlink -f .data/test-slurm 2>/dev/null || echo .data/test-slurm)" .data/test-slurm
bash Ops/scripts/db.sh --cluster test-slurm --test start >/dev/null
url="$(bash Ops/scripts/db.sh --cluster test-slurm url)"
export DATABASE_URL="$url"
q() { PGCONNECT_TIMEOUT=10 psql "$url" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
wait_for() {  # $1: seconds, $2: what (for the failure), rest: a command that succeeds when the wait is over
    local what="$2" deadline=$((SECONDS + $1))
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "waited in vain for $what"
        sleep 0.2
    done
}
common=(--data-dir "$data" --log-level error)
"$bin" migrate "${common[@]}" >/dev/null
"$bin" seed --demo --evaluations "${common[@]}" --minilm-dir "$work/none" --smollm2-file "$work/none.gguf" >/dev/null
group="$(q "SELECT g.slug FROM artifacts a JOIN working_groups g ON g.id = a.working_group_id WHERE a.slug = 'tiny-random-gpt2' AND a.kind = 'checkpoint' LIMIT 1")"
allocation="$(q "SELECT a.id FROM allocations a JOIN working_groups g ON g.id = a.working_group_id JOIN compute_resources c ON c.id = a.resource_id
                 WHERE g.slug = '$group' AND c.unit = 'cpu_hours' AND a.status = 'active' AND daterange(a.period_start, a.period_end) @> current_date")"
account="$(q "SELECT slurm_account FROM allocations WHERE id = '$allocation'")"
[[ -n "$group" && -n "$account" ]] || fail "the demo has no tiny-random-gpt2 checkpoint or its group's CPU allocation has no Slurm account"
demo_runs="$(q "SELECT count(*) FROM runs WHERE status = 'queued'")"
((demo_runs > 0)) || fail "the demo queued no runs"
# Every group with queued runs gets its Slurm account, as an administrator would create them (allocations export-slurm).
accounts="$(q "SELECT string_agg(DISTINCT a.slurm_account, ' ') FROM runs r JOIN allocations a ON a.id = r.allocation_id")"
[[ " $accounts " == *" $account "* ]] || accounts="$accounts $account"

t0=$EPOCHREALTIME
bash Ops/scripts/slurm.sh --accounts "$accounts" start >"$work/slurm-start.log" 2>&1 || fail "Ops/scripts/slurm.sh start: $(tail -5 "$work/slurm-start.log")"
eval "$(bash Ops/scripts/slurm.sh env)"
ok "Slurm up with accounts $accounts ($(since "$t0") s); database seeded: group $group, $demo_runs queued runs"

runner=("$bin" runner --executor slurm --lease-seconds 6 --poll-seconds 0.5 --no-scheduler --owner slurm-runner --threads 1 "${common[@]}")
submit() {  # $1: suite, $2: checkpoint (the tiny GPT-2 unless given) → run id
    local run
    run="$("$bin" eval submit --group "$group" --checkpoint "${2:-tiny-random-gpt2}" --suite "$1" --reserve 0.01 --actor test-slurm "${common[@]}")"
    [[ "$run" =~ ^[0-9a-f-]{36}$ ]] || fail "eval submit printed '$run', not a run id"
    echo "$run"
}

# --- 1. The demo's runs as batch jobs --------------------------------------------------------------------------------
t0=$EPOCHREALTIME
"${runner[@]}" --until-idle >"$work/runner1.out" 2>"$work/runner1.err" || fail "runner --executor slurm --until-idle failed: $(tail -5 "$work/runner1.err")"
succeeded="$(q "SELECT count(*) FROM runs WHERE status = 'succeeded'")"
[[ "$succeeded" == "$demo_runs" ]] || fail "runs: $(q "SELECT status || ' ' || coalesce(error, '') FROM runs" | head -5)"
jobs="$(q "SELECT count(*) FROM run_slurm_jobs j JOIN runs r ON r.id = j.run_id JOIN allocations a ON a.id = r.allocation_id
           WHERE j.state = 'COMPLETED' AND j.account = a.slurm_account AND j.elapsed_seconds IS NOT NULL AND j.cpu_seconds > 0")"
[[ "$jobs" == "$demo_runs" ]] || fail "recorded jobs: $(q "SELECT job_id || ' ' || state || ' ' || account || ' ' || coalesce(elapsed_seconds::text, '-') FROM run_slurm_jobs")"
while IFS='|' read -r job state job_account; do
    said="$(sacct --allocations --noheader --parsable2 --jobs="$job" --format=JobID,State,Account)"
    [[ "$said" == "$job|COMPLETED|$job_account" ]] || fail "sacct says '$said' for job $job (recorded $state under $job_account)"
done < <(q "SELECT job_id, state, account FROM run_slurm_jobs")
charges="$(q "SELECT count(*) FROM usage_records WHERE source = 'evaluation_runner' AND external_id IN (SELECT id::text FROM runs)")"
[[ "$charges" == "$demo_runs" ]] || fail "$charges usage records for $demo_runs runs"
ok "1. $demo_runs demo runs succeeded as Slurm jobs under their groups' accounts ($(since "$t0") s): each job recorded COMPLETED with elapsed and (non-zero) CPU time, sacct agrees, one charge per run"

# --- 2. An account Slurm does not know --------------------------------------------------------------------------------
q "UPDATE allocations SET slurm_account = 'no_such_account' WHERE id = '$allocation'" >/dev/null
run="$(submit causal-lm-demo)"
"${runner[@]}" --until-idle >"$work/runner2.out" 2>"$work/runner2.err" || fail "runner failed: $(tail -5 "$work/runner2.err")"
row="$(q "SELECT status || '|' || coalesce(error, '') FROM runs WHERE id = '$run'")"
[[ "$row" == failed\|*"sbatch refused the job"* && "$row" == *ccount* ]] || fail "2. run with an unknown account: $row"
ok "2. an account Slurm does not know: the run failed with sbatch's words (${row#failed|})"

# --- 3. No Slurm account at all ---------------------------------------------------------------------------------------
q "UPDATE allocations SET slurm_account = NULL WHERE id = '$allocation'" >/dev/null
before="$(q "SELECT count(*) FROM run_slurm_jobs")"
run="$(submit causal-lm-demo)"
"${runner[@]}" --until-idle >"$work/runner3.out" 2>"$work/runner3.err" || fail "runner failed: $(tail -5 "$work/runner3.err")"
row="$(q "SELECT status || '|' || coalesce(error, '') FROM runs WHERE id = '$run'")"
[[ "$row" == failed\|*"no Slurm account"* ]] || fail "3. run without an account: $row"
[[ "$(q "SELECT count(*) FROM run_slurm_jobs")" == "$before" ]] || fail "3. a job was recorded for a run without an account"
ok "3. no Slurm account on the allocation: the run failed saying so, nothing submitted"
q "UPDATE allocations SET slurm_account = '$account' WHERE id = '$allocation'" >/dev/null

# --- 4. Cancelling a run whose job is running ------------------------------------------------------------------------
# Runs in 4 and 5 must outlast what the test does to them on any machine and build: the tiny GPT-2 got through 400,000
# short documents within a minute once its small steps got faster (CI then saw 5's run succeed with its job TIMEOUT).
# SmolLM2 (135M parameters, one thread) needs at least 270 MFLOP a token, so 40,000 documents of about a dozen tokens
# are over 7 minutes of work even at a core's peak, and more at what batch size 1 reaches.
# fetch-models.sh does nothing for a model already in place.
bash Ops/scripts/fetch-models.sh >"$work/fetch-models.log" 2>&1 || fail "4. Ops/scripts/fetch-models.sh failed: $(tail -3 "$work/fetch-models.log")"
smollm2="${CONSORTIUM_SMOLLM2_GGUF:-$root/.data/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf}"
mkdir -p "$work/smollm2"
ln "$smollm2" "$work/smollm2/" 2>/dev/null || cp "$smollm2" "$work/smollm2/"
"$bin" artifacts import "$work/smollm2" --group "$group" --kind checkpoint --slug slurm-smollm2 --actor test-slurm "${common[@]}" >/dev/null
mkdir -p "$work/long"
for ((i = 0; i < 40000; i++)); do echo "{\"text\": \"Document $i of a long evaluation.\"}"; done >"$work/long/long.jsonl"
"$bin" artifacts import "$work/long" --group "$group" --kind dataset --slug slurm-long --actor test-slurm "${common[@]}" >/dev/null
"$bin" eval tasks create --slug slurm-long --kind perplexity --dataset "$group/slurm-long" --file long.jsonl --param batch_size=1 \
    "${common[@]}" >/dev/null
"$bin" eval suites create --slug slurm-long slurm-long "${common[@]}" >/dev/null
"${runner[@]}" --log-level info >"$work/runner4.out" 2>"$work/runner4.err" &
runner_pid=$!
run="$(submit slurm-long slurm-smollm2)"
running_with_progress() {
    [[ "$(q "SELECT r.status = 'running' AND coalesce((r.progress->>'done')::int, 0) > 0 AND j.state = 'RUNNING'
               FROM runs r JOIN run_slurm_jobs j ON j.run_id = r.id WHERE r.id = '$run'")" == t ]]
}
wait_for 90 "run $run's job to be RUNNING with progress" running_with_progress
job="$(q "SELECT job_id FROM run_slurm_jobs WHERE run_id = '$run'")"
t0=$EPOCHREALTIME
"$bin" eval cancel "$run" --reason "test-slurm cancels" "${common[@]}" >/dev/null
# The runner scancels the job; the job's own command may notice the cancellation first (it renews the lease too) and
# end cleanly just before: CANCELLED or COMPLETED, never FAILED, and never still running.
job_ended() { [[ "$(q "SELECT state FROM run_slurm_jobs WHERE run_id = '$run'")" =~ ^(CANCELLED|COMPLETED)$ ]]; }
wait_for 120 "the runner to scancel job $job and record how it ended" job_ended
grep -q "cancelling Slurm job" "$work/runner4.err" || fail "4. the runner never cancelled job $job: $(tail -3 "$work/runner4.err")"
recorded="$(q "SELECT state FROM run_slurm_jobs WHERE run_id = '$run'")"
said="$(sacct --allocations --noheader --parsable2 --jobs="$job" --format=State | cut -d' ' -f1)"
[[ "$said" == "$recorded" ]] || fail "4. sacct says '$said' for the cancelled run's job $job, the run's record '$recorded'"
[[ -z "$(squeue --noheader --jobs="$job" 2>/dev/null)" ]] || fail "4. job $job is still queued"
row="$(q "SELECT status || '|' || (SELECT count(*) FROM results WHERE run_id = r.id) FROM runs r WHERE id = '$run'")"
[[ "$row" == "cancelled|0" ]] || fail "4. the cancelled run: $row (status|results)"
kill -0 "$runner_pid" || fail "4. the runner exited: $(tail -5 "$work/runner4.err")"
ok "4. a run cancelled while its job ran: job $job scancelled ($(since "$t0") s), $recorded in sacct and in the run's record, no results"
kill -TERM "$runner_pid"
status=0
wait "$runner_pid" || status=$?
runner_pid=""
((status == 0)) || fail "4. the runner exited $status on SIGTERM: $(tail -5 "$work/runner4.err")"
ok "4. the runner exited 0 on SIGTERM: $(tail -1 "$work/runner4.out")"

# --- 4b. A runner stopped (SIGTERM) while its run's job runs: the job is cancelled, the run goes back to the queue ------
"${runner[@]}" --log-level info >"$work/runner4b.out" 2>"$work/runner4b.err" &
runner_pid=$!
run="$(submit slurm-long slurm-smollm2)"
wait_for 90 "run $run's job to be RUNNING with progress" running_with_progress
job="$(q "SELECT job_id FROM run_slurm_jobs WHERE run_id = '$run'")"
kill -TERM "$runner_pid"
status=0
wait "$runner_pid" || status=$?
runner_pid=""
((status == 0)) || fail "4b. the runner exited $status on SIGTERM: $(tail -5 "$work/runner4b.err")"
grep -q " 1 released" "$work/runner4b.out" || fail "4b. the runner did not release the run: $(tail -1 "$work/runner4b.out")"
said="$(sacct --allocations --noheader --parsable2 --jobs="$job" --format=State | cut -d' ' -f1)"
[[ "$said" == CANCELLED ]] || fail "4b. sacct says '$said' for job $job of the released run"
row="$(q "SELECT status || '|' || attempts || '|' || coalesce(lease_owner, '-') FROM runs WHERE id = '$run'")"
[[ "$row" == "queued|0|-" ]] || fail "4b. the released run: $row (status|attempts|lease owner)"
ok "4b. a runner stopped with SIGTERM while job $job ran: the job CANCELLED, the run back in the queue at once (attempt not counted), exit 0"
"$bin" eval cancel "$run" --reason "test-slurm is done with it" "${common[@]}" >/dev/null

# --- 5. A job that outlives its task's time limit ---------------------------------------------------------------------
if [[ -z "${TEST_SLURM_SKIP_TIMEOUT:-}" ]]; then
    "$bin" eval tasks create --slug slurm-endless --kind perplexity --dataset "$group/slurm-long" --file long.jsonl \
        --param batch_size=1 --param time_limit_minutes=1 "${common[@]}" >/dev/null
    "$bin" eval suites create --slug slurm-endless slurm-endless "${common[@]}" >/dev/null
    run="$(submit slurm-endless slurm-smollm2)"
    t0=$EPOCHREALTIME
    "${runner[@]}" --until-idle >"$work/runner5.out" 2>"$work/runner5.err" || fail "runner failed: $(tail -5 "$work/runner5.err")"
    row="$(q "SELECT r.status || '|' || j.state || '|' || j.time_limit_minutes || '|' || coalesce(r.error, '')
                FROM runs r JOIN run_slurm_jobs j ON j.run_id = r.id WHERE r.id = '$run' ORDER BY j.attempt DESC LIMIT 1")"
    [[ "$row" == failed\|TIMEOUT\|1\|*"ended TIMEOUT"* ]] || fail "5. the run past its time limit: $row"
    ok "5. a task allowed 1 minute: Slurm ended the job TIMEOUT after $(since "$t0") s and the run failed saying so"
fi
echo "test-slurm: all checks passed in $(since "$started") s"
