#!/usr/bin/env bash
# Checks the private Slurm of Ops/scripts/slurm.sh end to end, as the Slurm executor will use it: start, submit
# with an account, follow with squeue, read sacct, an unknown account rejected, scancel, a time limit enforced;
# then stops everything. One line per check, then "N passed, N failed"; exit 1 if any failed.
#
#   Ops/scripts/test-slurm-setup.sh [--quick]      # --quick skips the time-limit check (it takes 60-90 s)
#
# Bounded: every wait has a deadline, every Slurm command a 30 s timeout; about 100 s in all, 15 s with --quick.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
slurm="$root/Ops/scripts/slurm.sh"
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

work="$(mktemp -d)"
cleanup() {
    "$slurm" stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
    exit
}
s() { timeout 30 "$@"; } # a Slurm client command that cannot hang the check

started=$SECONDS
if "$slurm" --accounts "bigsci-arch bigsci-eval" start >"$work/start.log" 2>&1; then
    ok "slurm.sh start ($((SECONDS - started)) s)"
else
    not_ok "slurm.sh start: $(tail -20 "$work/start.log")"
    finish
fi
eval "$("$slurm" env)"
cd "$work" # sbatch writes slurm-ID.out into the folder it was called from

if "$slurm" status >/dev/null; then ok "slurm.sh status: every daemon running"; else not_ok "slurm.sh status: $("$slurm" status || true)"; fi
"$slurm" --accounts "bigsci-arch bigsci-eval" start >/dev/null 2>&1 && ok "slurm.sh start again (idempotent)" ||
    not_ok "slurm.sh start twice failed"

# sacct's line for the job itself (not its ID.batch step) once its state is final; empty on timeout. Not -X:
# with -X TotalCPU is always 00:00:00, since CPU time is recorded on the steps and summed only without it.
final_state() { # ID SECONDS
    local id="$1" deadline=$((SECONDS + $2)) line
    while ((SECONDS < deadline)); do
        line="$(s sacct -j "$id" --format=JobID,State,ExitCode,Elapsed,TotalCPU,Account --parsable2 --noheader 2>/dev/null | grep "^$id|" || true)"
        case "$(cut -d'|' -f2 <<<"$line")" in
            "" | PENDING | RUNNING | REQUEUED | RESIZING | SUSPENDED | COMPLETING) sleep 0.5 ;;
            *) echo "$line"; return ;;
        esac
    done
}

# The time-limit job goes first: its minute runs while the other checks do.
timeout_id=""
if ((quick == 0)); then
    timeout_id="$(s sbatch --parsable --account bigsci-eval --time 0:05 --job-name limit --wrap 'sleep 300' 2>"$work/err")" ||
        not_ok "sbatch --time 0:05: $(cat "$work/err")"
fi

# 1. A job with an account: --parsable prints the bare id; squeue sees it; sacct has it COMPLETED.
if id="$(s sbatch --parsable --account bigsci-eval --time 1 --wrap 'echo hello; sleep 2' 2>"$work/err")" && [[ "$id" =~ ^[0-9]+$ ]]; then
    ok "sbatch --parsable --account bigsci-eval: job $id"
    queued="$(s squeue --noheader --jobs "$id" --format='%i|%T|%a' 2>&1 || true)"
    if [[ "$queued" =~ ^$id\|(PENDING|CONFIGURING|RUNNING|COMPLETING)\|bigsci-eval$ ]]; then ok "squeue shows it: $queued"; else not_ok "squeue: '$queued'"; fi
    line="$(final_state "$id" 40)"
    if [[ "$line" =~ ^$id\|COMPLETED\|0:0\|[0-9:-]+\|[0-9:.-]+\|bigsci-eval$ ]]; then ok "sacct: $line"; else not_ok "sacct after completion: '$line'"; fi
    if grep -qx hello "slurm-$id.out" 2>/dev/null; then ok "its output is in slurm-$id.out"; else not_ok "slurm-$id.out lacks 'hello'"; fi
else
    not_ok "sbatch --parsable: '${id:-}' $(cat "$work/err")"
fi

# 2. An account that does not exist is refused at submission.
if s sbatch --parsable --account nobody --time 1 --wrap true >"$work/out" 2>"$work/err"; then
    not_ok "sbatch --account nobody was accepted: $(cat "$work/out")"
elif grep -q "Invalid account or account/partition combination specified" "$work/err"; then
    ok "sbatch --account nobody rejected: $(cat "$work/err")"
else
    not_ok "sbatch --account nobody failed with an unexpected message: $(cat "$work/err")"
fi

# 3. scancel of a running job: CANCELLED in sacct.
if id="$(s sbatch --parsable --account bigsci-arch --time 10 --wrap 'sleep 300' 2>"$work/err")"; then
    deadline=$((SECONDS + 30))
    until [[ "$(s squeue --noheader --jobs "$id" --format=%T 2>/dev/null || true)" == RUNNING ]] || ((SECONDS >= deadline)); do sleep 0.5; done
    s scancel "$id" 2>"$work/err" || not_ok "scancel $id: $(cat "$work/err")"
    line="$(final_state "$id" 30)"
    if [[ "$line" =~ ^$id\|CANCELLED\ by\ 0\|0:0\|[0-9:-]+\|[0-9:.-]+\|bigsci-arch$ ]]; then ok "scancel: $line"; else not_ok "sacct after scancel: '$line'"; fi
else
    not_ok "sbatch sleep 300: $(cat "$work/err")"
fi

# 4. A time limit: --time 0:05 is rounded up to one minute, and slurmctld looks every 30 s.
if [[ -n "$timeout_id" ]]; then
    line="$(final_state "$timeout_id" 120)"
    if [[ "$line" =~ ^$timeout_id\|TIMEOUT\|0:[0-9]+\|00:0[1-2]:[0-9][0-9]\| ]]; then ok "time limit: $line"; else not_ok "sacct of the --time 0:05 job: '$line'"; fi
fi

# 5. stop leaves nothing running.
"$slurm" stop >/dev/null 2>&1 || not_ok "slurm.sh stop failed"
if "$slurm" status >/dev/null 2>&1; then not_ok "daemons still running after stop"; else ok "slurm.sh stop: every daemon stopped"; fi
finish
