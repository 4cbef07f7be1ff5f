#!/usr/bin/env bash
# A private single-node Slurm for Consortium's Slurm executor and its tests, from Debian's packages: munged,
# MariaDB (unix socket only, no TCP), slurmdbd, slurmctld and slurmd, all as root, state under .data/slurm.
#
#   Ops/scripts/slurm.sh [--accounts "A B ..."] [--cpus N] start|stop|restart|status|env
#
# start    installs what is missing (slurm-wlm slurmdbd munge mariadb-server), starts every daemon, waits until
#          the node is idle and the accounting database answers, then makes sure each account (from --accounts or
#          $SLURM_ACCOUNTS, space or comma separated) exists with root as a user in it. Idempotent: with everything
#          up it only adds accounts; after a crash it ends what is left of ours, drops stale pid files and starts
#          again. Job history and job ids survive stop/start; remove .data/slurm to start from nothing.
# stop     cancels every job, ends every daemon and job process this script started; nothing is left running.
# status   one line per daemon; exit 3 unless all are running.
# env      what a client needs: eval "$(Ops/scripts/slurm.sh env)" then sbatch/squeue/sacct/scancel/sacctmgr.
#
# Cluster "consortium", partition "eval" (default, no time limit), one node named after `hostname -s` on
# 127.0.0.1 with --cpus CPUs (default: all; more than the machine has is allowed, for concurrency in tests; like
# every setting in slurm.conf it takes effect at a cold start: `restart`). One CPU per job unless it asks for more.
# AccountingStorageEnforce=associations,limits: sbatch with an account that does not exist is rejected.
# Ports: slurmctld $SLURM_PORT_BASE (6817), slurmd +1, slurmdbd +2; slurmctld listens on all addresses.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
accounts="${SLURM_ACCOUNTS:-}"
cpus=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --accounts) accounts="$2"; shift 2 ;;
        --cpus) cpus="$2"; shift 2 ;;
        -*) echo "slurm.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
command="${1:-status}"
accounts="${accounts//,/ }"
for account in $accounts; do
    [[ "$account" =~ ^[a-z0-9][a-z0-9_.-]*$ ]] ||
        { echo "slurm.sh: account '$account' must be lower-case letters, digits, '.', '-' or '_' (Slurm lower-cases account names)" >&2; exit 2; }
done
[[ -z "$cpus" || "$cpus" =~ ^[1-9][0-9]*$ ]] || { echo "slurm.sh: --cpus must be a positive number" >&2; exit 2; }
port_base="${SLURM_PORT_BASE:-6817}"
[[ "$port_base" =~ ^[0-9]+$ ]] || { echo "slurm.sh: SLURM_PORT_BASE must be a port number" >&2; exit 2; }
cluster=consortium
[[ $(id -u) -eq 0 ]] || { echo "slurm.sh: must run as root (slurmd starts jobs as their users)" >&2; exit 1; }

data_dir="${CONSORTIUM_DATA_DIR:-$root/.data}"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
link="$data_dir/slurm"

# Where the state lives: .data/slurm when its path is short enough for the unix sockets in it (slurmd's step
# sockets, munged's, MariaDB's: 107 bytes at most), else under /var/lib/consortium with .data/slurm a symlink.
resolve_dir() {
    if [[ -L "$link" ]]; then mkdir -p "$(readlink -f "$link")"; readlink -f "$link"; return; fi
    if [[ -d "$link" ]] || ((${#link} < 60)); then mkdir -p "$link"; echo "$link"; return; fi
    local real
    real="/var/lib/consortium/$(echo -n "$data_dir" | sha1sum | cut -c1-12)-slurm"
    mkdir -p "$real"
    ln -sfn "$real" "$link"
    echo "$real"
}
dir="$(resolve_dir)"
etc="$dir/etc" run_dir="$dir/run" log_dir="$dir/log"
conf="$etc/slurm.conf"
munge_socket="$dir/munge/munge.socket"
db_socket="$dir/mysql/mysqld.sock"
node="$(hostname -s)"
# Every process started here carries this in its environment: how stop and a crashed start find what is ours.
# Not exported: only the daemons get it (through "${as_ours[@]}"), never this script or its callers.
marker="CONSORTIUM_SLURM_DIR=$dir"
as_ours=(env "$marker")
export SLURM_CONF="$conf"

log() { echo "slurm.sh: $*"; }
fail() {
    echo "slurm.sh: $1" >&2
    [[ -n "${2:-}" && -f "$2" ]] && { echo "--- last lines of $2:" >&2; tail -15 "$2" >&2; }
    exit 1
}

install_missing() {
    local packages=(slurm-wlm slurmdbd munge mariadb-server) missing=() package
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    log "installing ${missing[*]}"
    # The packages would start system-wide munge, mariadb and slurm services; we run our own.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
    fi
    local status=0
    (
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq &&
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$dir/apt.log" 2>&1
    ) || status=$?
    ((made_policy)) && rm -f "$policy"
    ((status == 0)) || fail "apt-get install ${missing[*]} failed" "$dir/apt.log"
}

# --- processes ---------------------------------------------------------------------------------------------
# Alive and not a zombie: daemons are reparented to PID 1, which here may take a while to reap them.
alive() { local state; state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" && [[ -n "$state" && "$state" != [ZX] ]]; }
ours() { { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "$marker"; }
pid_of() { # NAME: the pid in run/NAME.pid when that process is alive and ours
    local file="$run_dir/$1.pid" pid
    [[ -f "$file" ]] || return 1
    pid="$(tr -dc 0-9 < "$file")"
    [[ -n "$pid" ]] && alive "$pid" && ours "$pid" && echo "$pid"
}
our_pids() { # every live process with our marker (daemons, slurmstepd), any order
    local entry pid
    for entry in /proc/[0-9]*; do
        pid="${entry#/proc/}"
        alive "$pid" && ours "$pid" && echo "$pid"
    done
    return 0
}
descendants() { # PID...: those processes and all their descendants
    ps -e -o pid=,ppid= | awk -v roots="$*" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
        { parent[$1] = $2 }
        END { do { changed = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 } } while (changed)
              for (p in keep) print p }'
}
daemons=(munged mariadbd slurmdbd slurmctld slurmd)
all_running() { local d; for d in "${daemons[@]}"; do pid_of "$d" >/dev/null || return 1; done; }

wait_for() { # SECONDS WHAT COMMAND...: poll every 0.2 s
    local seconds="$1"; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

port_free() { # PORT: nobody listens on it, or only one of ours
    command -v ss >/dev/null || return 0
    local line
    line="$(ss -Hltnp "sport = :$1" 2>/dev/null)" || return 0
    [[ -z "$line" ]] && return 0
    local pid
    pid="$(grep -o 'pid=[0-9]*' <<<"$line" | head -1 | cut -d= -f2)"
    [[ -n "$pid" ]] && ours "$pid"
}

stop_all() {
    # Cancel what is still queued or running, so accounting records CANCELLED rather than a vanished job.
    if pid_of slurmctld >/dev/null; then
        local jobs
        jobs="$(squeue --noheader --states=PENDING,RUNNING,SUSPENDED,CONFIGURING --format=%i 2>/dev/null | tr '\n' ' ')" || true
        # shellcheck disable=SC2086
        [[ -z "${jobs// /}" ]] || scancel $jobs 2>/dev/null || true
        wait_for 15 "jobs to end" bash -c '[[ -z "$(squeue -h -o %i -t PENDING,RUNNING,SUSPENDED,COMPLETING 2>/dev/null)" ]]' || true
    fi
    # Daemons in reverse order, politely; then anything else of ours (slurmstepd and the jobs under them).
    local d pid
    for d in slurmd slurmctld slurmdbd mariadbd munged; do
        pid="$(pid_of "$d")" || continue
        kill -TERM "$pid" 2>/dev/null || true
        wait_for 30 "$d to exit" eval "! alive $pid" || kill -KILL "$pid" 2>/dev/null || true
    done
    local left
    left="$(our_pids | tr '\n' ' ')"
    if [[ -n "${left// /}" ]]; then
        # shellcheck disable=SC2086
        left="$(descendants $left | tr '\n' ' ')"
        # shellcheck disable=SC2086
        kill -TERM $left 2>/dev/null || true
        sleep 1
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null || true
    fi
    rm -f "$run_dir"/*.pid "$munge_socket" "$munge_socket.lock" "$db_socket"
}

# --- configuration -----------------------------------------------------------------------------------------
write_configs() {
    mkdir -p "$etc" "$run_dir" "$log_dir" "$dir/state" "$dir/spool" "$dir/munge" "$dir/mysql"
    chmod 755 "$dir" "$etc" "$dir/munge" # munged wants its socket's folder open to all; its key stays 0600
    if [[ ! -s "$etc/munge.key" ]]; then mungekey --create --keyfile="$etc/munge.key"; fi
    chmod 600 "$etc/munge.key"

    # The machine as slurmd sees it: "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 ... RealMemory=24105".
    local hardware real_cpus memory
    hardware="$(slurmd -C | head -1)"
    real_cpus="$(grep -o ' CPUs=[0-9]*' <<<"$hardware" | cut -d= -f2)"
    memory="$(grep -o 'RealMemory=[0-9]*' <<<"$hardware" | cut -d= -f2)"
    [[ -n "$real_cpus" && -n "$memory" ]] || fail "slurmd -C did not describe this machine: $hardware"
    local node_cpus="${cpus:-$real_cpus}" overrides="" topology
    topology="$(cut -d' ' -f2- <<<"$hardware")"
    if ((node_cpus > real_cpus)); then
        # More CPUs than the machine has: slurmd would drain the node unless told to trust slurm.conf.
        overrides="SlurmdParameters=config_overrides"
        topology="CPUs=$node_cpus RealMemory=$memory"
    elif ((node_cpus < real_cpus)); then
        topology="CPUs=$node_cpus RealMemory=$memory"
    fi
    cat > "$conf" <<EOF
# Written by Ops/scripts/slurm.sh; rewritten at every cold start.
ClusterName=$cluster
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port_base
SlurmdPort=$((port_base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$run_dir/slurmctld.pid
SlurmdPidFile=$run_dir/slurmd.pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=5
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Start a submitted job at once (the default batch_sched_delay holds batch jobs up to 3 s).
SchedulerParameters=bf_interval=5,batch_sched_delay=0
ReturnToService=2
# A batch job whose node failed ends NODE_FAIL instead of quietly starting again under the same id.
JobRequeue=0
MailProg=/bin/true
# Finished jobs leave slurmctld's memory (squeue, scontrol) after 10 s; sacct keeps them.
MinJobAge=10
# Time limits are whole minutes (sbatch --time 0:05 is 1 minute) and slurmctld checks them every 30 s.
OverTimeLimit=0
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
MessageTimeout=10
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$((port_base + 2))
# For slurmdbd connections the munge socket is taken from here, not from AuthInfo.
AccountingStoragePass=$munge_socket
AccountingStorageEnforce=associations,limits
JobCompType=jobcomp/none
$overrides
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node $topology State=UNKNOWN
PartitionName=eval Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    chmod 644 "$conf"
    cat > "$etc/slurmdbd.conf" <<EOF
# Written by Ops/scripts/slurm.sh; rewritten at every cold start.
AuthType=auth/munge
AuthInfo=socket=$munge_socket
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$((port_base + 2))
SlurmUser=root
PidFile=$run_dir/slurmdbd.pid
LogFile=$log_dir/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
# root over MariaDB's unix socket (unix_socket authentication): the socket comes from MYSQL_UNIX_PORT.
StorageHost=localhost
StorageUser=root
StorageLoc=slurm_acct_db
EOF
    chmod 600 "$etc/slurmdbd.conf"
}

# --- daemons -----------------------------------------------------------------------------------------------
start_munged() {
    rm -f "$munge_socket" "$munge_socket.lock"
    "${as_ours[@]}" munged --socket="$munge_socket" --key-file="$etc/munge.key" --pid-file="$run_dir/munged.pid" \
        --log-file="$log_dir/munged.log" --seed-file="$dir/munge/munged.seed" ||
        fail "munged did not start" "$log_dir/munged.log"
    wait_for 20 munged bash -c "munge -n -S '$munge_socket' | unmunge -S '$munge_socket'" ||
        fail "munged does not answer on $munge_socket" "$log_dir/munged.log"
}

start_mariadbd() {
    local data="$dir/mysql/data"
    if [[ ! -d "$data/mysql" ]]; then
        rm -rf "$data"
        mariadb-install-db --no-defaults --datadir="$data" --user=root --auth-root-authentication-method=socket \
            --skip-test-db >"$log_dir/mariadb-install.log" 2>&1 ||
            fail "mariadb-install-db failed" "$log_dir/mariadb-install.log"
    fi
    rm -f "$db_socket"
    mkdir -p "$dir/mysql/tmp"
    setsid "${as_ours[@]}" mariadbd --no-defaults --datadir="$data" --socket="$db_socket" --skip-networking --user=root \
        --pid-file="$run_dir/mariadbd.pid" --log-error="$log_dir/mariadb.log" --tmpdir="$dir/mysql/tmp" \
        --skip-log-bin --innodb-buffer-pool-size=512M --innodb-log-file-size=64M --innodb-lock-wait-timeout=900 \
        --innodb-flush-log-at-trx-commit=2 --max-allowed-packet=64M </dev/null >>"$log_dir/mariadb.log" 2>&1 &
    wait_for 60 mariadbd mariadb-admin --no-defaults --socket="$db_socket" -u root ping ||
        fail "MariaDB did not start" "$log_dir/mariadb.log"
    wait_for 10 "mariadbd pid file" pid_of mariadbd || fail "MariaDB wrote no pid file" "$log_dir/mariadb.log"
}

start_slurmdbd() {
    "${as_ours[@]}" MYSQL_UNIX_PORT="$db_socket" slurmdbd || fail "slurmdbd did not start" "$log_dir/slurmdbd.log"
    wait_for 60 slurmdbd sacctmgr --noheader --parsable2 show cluster format=cluster ||
        fail "slurmdbd does not answer (sacctmgr show cluster)" "$log_dir/slurmdbd.log"
    if [[ -z "$(sacctmgr --noheader --parsable2 show cluster "$cluster" format=cluster)" ]]; then
        sacctmgr --immediate add cluster "$cluster" >/dev/null || fail "sacctmgr add cluster $cluster failed" "$log_dir/slurmdbd.log"
    fi
}

node_ready() { [[ "$(sinfo --noheader --nodes="$node" --format=%T 2>/dev/null)" =~ ^(idle|mixed|allocated)$ ]]; }

start_slurm() {
    "${as_ours[@]}" slurmctld -f "$conf" || fail "slurmctld did not start" "$log_dir/slurmctld.log"
    wait_for 60 slurmctld bash -c "scontrol ping | grep -q 'is UP'" ||
        fail "slurmctld does not answer (scontrol ping)" "$log_dir/slurmctld.log"
    "${as_ours[@]}" slurmd -f "$conf" -N "$node" || fail "slurmd did not start" "$log_dir/slurmd.log"
    wait_for 60 "node $node idle" node_ready || {
        sinfo --Node --long >&2 || true
        fail "node $node did not become idle" "$log_dir/slurmd.log"
    }
}

# After a crash slurmctld recovers jobs as running whose processes are gone (stop_all ended them): marking the
# node DOWN ends them as NODE_FAIL; ReturnToService=2 brings the node straight back.
end_lost_jobs() {
    [[ -n "$(squeue --noheader --states=RUNNING,COMPLETING,CONFIGURING,SUSPENDED --format=%i)" ]] || return 0
    log "jobs from before the restart are gone: ending them as NODE_FAIL"
    scontrol update NodeName="$node" State=DOWN Reason="slurm.sh restart: processes lost" >/dev/null
    wait_for 30 "lost jobs to end" bash -c '[[ -z "$(squeue --noheader --states=RUNNING,COMPLETING,CONFIGURING,SUSPENDED --format=%i)" ]]' ||
        fail "jobs from before the restart did not end" "$log_dir/slurmctld.log"
    scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true
    wait_for 60 "node $node idle" node_ready || fail "node $node did not come back after the restart" "$log_dir/slurmctld.log"
}

ensure_accounts() {
    local account
    for account in $accounts; do
        if [[ -z "$(sacctmgr --noheader --parsable2 show account "$account" format=account)" ]]; then
            sacctmgr --immediate add account "$account" cluster="$cluster" description="$account" organization=consortium >/dev/null ||
                fail "sacctmgr add account $account failed" "$log_dir/slurmdbd.log"
        fi
        if [[ -z "$(sacctmgr --noheader --parsable2 show association cluster="$cluster" account="$account" user=root format=user)" ]]; then
            sacctmgr --immediate add user root account="$account" cluster="$cluster" >/dev/null ||
                fail "sacctmgr add user root account=$account failed" "$log_dir/slurmdbd.log"
        fi
        # slurmdbd pushes new associations to slurmctld; sbatch is rejected until it has them.
        wait_for 30 "slurmctld to know $account" bash -c \
            "scontrol show assoc_mgr accounts='$account' users=root flags=assoc | grep -q 'UserName=root('" ||
            fail "slurmctld did not receive the association root/$account" "$log_dir/slurmctld.log"
    done
}

start() {
    install_missing
    if all_running; then
        ensure_accounts
        log "running (SLURM_CONF=$conf)${accounts:+, accounts: $accounts}"
        return
    fi
    stop_all # whatever a crash or a half-finished start left behind
    local port
    for port in "$port_base" $((port_base + 1)) $((port_base + 2)); do
        port_free "$port" || fail "port $port is in use by another program (set SLURM_PORT_BASE to move Slurm's three ports)"
    done
    write_configs
    start_munged
    start_mariadbd
    start_slurmdbd
    start_slurm
    end_lost_jobs
    ensure_accounts
    log "running (SLURM_CONF=$conf)${accounts:+, accounts: $accounts}"
}

status() {
    local d pid stopped=0
    for d in "${daemons[@]}"; do
        if pid="$(pid_of "$d")"; then echo "slurm.sh: $d running (pid $pid)"; else echo "slurm.sh: $d stopped"; stopped=1; fi
    done
    ((stopped == 0)) || exit 3
}

case "$command" in
    start) start ;;
    stop) stop_all; log "stopped" ;;
    restart) stop_all; start ;;
    status) status ;;
    env) echo "export SLURM_CONF=$conf" ;;
    *) echo "slurm.sh: unknown command '$command' (start, stop, restart, status, env)" >&2; exit 2 ;;
esac
