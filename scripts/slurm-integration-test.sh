#!/usr/bin/env bash
# Integration test of `cimtrain sweep --runner slurm` on a real Slurm: starts a one-node cluster on
# loopback (munged, slurmctld, slurmd; no systemd needed), submits a 4-job sweep of tiny lenet-paper
# runs (mode fp32/mp x seed 0/1, 1 epoch of 5 steps on mnist-10k), waits until the queue is empty,
# checks that all 4 results arrived (`sweep status --json` and OUT/jobs/<id>/), then requeues the task
# of a longer one-job sweep once it has a checkpoint (as preemption would) and checks that the new try
# resumed and completed the job, and stops the cluster again.
# Prints PASS or FAIL; on failure, the daemons' and the tasks' logs.
#
#   sudo scripts/slurm-integration-test.sh      (or as root; .ci/run calls it after mvn -B test)
#
# Needs root: it installs slurmctld, slurmd, slurm-client and munge with apt-get when they are missing,
# and runs the daemons. Everything else lives in a temporary folder, removed after a pass (kept after
# a failure, for a look). It leaves any Slurm or munge already running on the machine alone: its own
# munged listens on its own socket, and its daemons on free ports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
me="slurm-integration-test"
timeout_s="${SLURM_TEST_TIMEOUT:-600}"
start_time=$SECONDS

say() { echo "$me: $*"; }
fail_early() { echo "$me: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "$me: needs root (it installs Slurm and starts its daemons): sudo $0" >&2; exit 2; }

need=()
command -v slurmctld >/dev/null || need+=(slurmctld)
command -v slurmd >/dev/null || need+=(slurmd)
command -v sbatch >/dev/null || need+=(slurm-client)
command -v munged >/dev/null || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
for c in slurmctld slurmd sbatch squeue scontrol sinfo munged munge; do
  command -v "$c" >/dev/null || fail_early "$c is not installed"
done

# the jar first: the array tasks call the launcher, which would otherwise build it in every task
./cimtrain --version >/dev/null || fail_early "cannot build cimtrain (see target-build.log)"

work="$(mktemp -d /tmp/cimtrain-slurm-test.XXXXXX)"
# munged runs as the munge user and must reach its folder inside this one
chmod 755 "$work"
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
chown munge:munge "$work/munge"
conf="$work/slurm.conf"
passed=0
job=""

dump_logs() {
  for f in "$work"/log/slurmctld.log "$work"/log/slurmd.log "$work"/munge/munged.log; do
    [ -f "$f" ] && { echo "----- $f (last 60 lines)"; tail -n 60 "$f"; }
  done
  for f in "$work"/out/slurm/*.log "$work"/out/jobs/*/log.txt "$work"/out/jobs/*/failed.txt; do
    [ -f "$f" ] && { echo "----- $f (last 30 lines)"; tail -n 30 "$f"; }
  done
  [ -f "$work/submit.txt" ] && { echo "----- sweep output"; cat "$work/submit.txt"; }
  return 0
}

stop_pid_file() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  if [ -n "$job" ] && [ -f "$conf" ]; then
    SLURM_CONF="$conf" scancel "$job" 2>/dev/null
    sleep 1
  fi
  [ "$passed" = 1 ] || dump_logs >&2
  stop_pid_file "$work/slurmd.pid"
  stop_pid_file "$work/slurmctld.pid"
  stop_pid_file "$work/munge/munged.pid"
  if [ "$passed" = 1 ]; then
    rm -rf "$work"
    echo "$me: PASS ($((SECONDS - start_time)) s)"
  else
    echo "$me: FAIL (exit status $rc; files kept in $work)" >&2
    [ "$rc" = 0 ] && rc=1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "$me: FAIL: $*" >&2; exit 1; }

# --- munge: the package's key, our own socket (a munged the machine may run keeps its own) ---------
if [ ! -f /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key
  else create-munge-key; fi
  chown munge:munge /etc/munge/munge.key
  chmod 600 /etc/munge/munge.key
fi
sock="$work/munge/munge.socket"
runuser -u munge -- munged --socket="$sock" --key-file=/etc/munge/munge.key \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
  || fail "munged did not start"
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
munge -S "$sock" -n | unmunge -S "$sock" >/dev/null || fail "munge cannot encode and decode a credential"

# --- slurm.conf -------------------------------------------------------------------------------------
# Ports: the first free pair from 16817 up, so that a Slurm the machine runs (6817/6818) is not in the way.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ctld_port=16817
while ! port_free "$ctld_port" || ! port_free "$((ctld_port + 1))"; do ctld_port=$((ctld_port + 2)); done
node="$(hostname -s)"
# The node as slurmd sees it (CPUs, sockets, cores, threads, RealMemory), so slurmd registers without
# complaint; UpTime is no node setting.
node_hw="$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ *UpTime=.*//')"
cat >"$conf" <<EOF
# One-node test cluster on loopback, made by $me.
ClusterName=cimtrain-test
# the node's name as 'hostname -s' gives it, reached on 127.0.0.1 whatever the name resolves to (a
# container's name often resolves to nothing or to an address of another interface)
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire also delays a requeued job's restart (by cred_expire + 1 s; the default 120 s would make
# the requeue check below wait two minutes)
AuthInfo=socket=$sock,cred_expire=10
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
# Without systemd and with a cgroup file system that is not ours to manage (containers, CI), the
# cgroup plugins cannot work: track a job's processes by parent pid and bind no tasks to cores.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# no slurmdbd: sacct has nothing to say, and status uses squeue
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
# finished jobs stay known to the controller (for the requeue check) for this long
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 $node_hw State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$conf"

slurmctld -f "$conf" || fail "slurmctld did not start"
slurmd -f "$conf" -N "$node" || fail "slurmd did not start"
up=0
for _ in $(seq 100); do
  state="$(sinfo -h -N -n "$node" -o '%t' 2>/dev/null || true)"
  case "$state" in idle*|mix*|alloc*) up=1; break ;; esac
  sleep 0.2
done
[ "$up" = 1 ] || fail "node $node did not come up (sinfo says '${state:-nothing}')"
say "cluster up: node $node ($node_hw), ports $ctld_port/$((ctld_port + 1)) ($((SECONDS - start_time)) s)"

# --- the sweep --------------------------------------------------------------------------------------
cat >"$work/plan.yaml" <<'EOF'
# 4 tiny jobs: 1 epoch of 5 batches on 320 training images of the embedded MNIST subset
base:
  model: lenet-paper
  dataset: mnist-10k
  epochs: 1
  steps-per-epoch: 5
  train-limit: 320
  batch: 64
  lr: 0.004
axes:
  mode: [fp32, mp]
  seed: [0, 1]
EOF
out="$work/out"
./cimtrain sweep "$work/plan.yaml" --runner slurm --out "$out" --max-parallel 2 --time 10 --json >"$work/submit.txt" \
  || fail "sweep --runner slurm failed"
cat "$work/submit.txt"
job="$(sed -n 's/^submitted Slurm job \([0-9][0-9]*\):.*/\1/p' "$work/submit.txt")"
[ -n "$job" ] || fail "no Slurm job id in the sweep's output"
grep -q "\"job_id\" *: *\"$job\"" "$out/slurm/submitted.json" || fail "submitted.json does not record job $job"
grep -q '^#SBATCH --array=0-3%2$' "$out/slurm/sweep.sbatch" || fail "the script's array is not 0-3%2"
./cimtrain sweep status "$out" --json >"$work/status0.txt" || fail "sweep status failed"
grep -q "\"slurm\":{\"job_id\":\"$job\"" "$work/status0.txt" || fail "sweep status --json has no slurm object for job $job"

say "waiting for Slurm job $job (at most $timeout_s s) ..."
deadline=$((SECONDS + timeout_s))
while [ -n "$(squeue -h -j "$job" -o '%i %T' 2>/dev/null)" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "Slurm job $job still queued after $timeout_s s: $(squeue -h -j "$job" -o '%i %T' | tr '\n' ' ')"
  sleep 1
done
say "queue empty ($((SECONDS - start_time)) s)"

# --- the checks -------------------------------------------------------------------------------------
./cimtrain sweep status "$out" --json >"$work/status.txt" || fail "sweep status failed"
cat "$work/status.txt"
status_json="$(tail -n 1 "$work/status.txt")"
for want in '"done":4' '"running":0' '"failed":0' '"left":0' '"source":"squeue"' '"pending":0'; do
  case "$status_json" in *"$want"*) ;; *) fail "sweep status --json lacks $want" ;; esac
done
n_jobs="$(find "$out/jobs" -mindepth 1 -maxdepth 1 -type d | wc -l)"
[ "$n_jobs" = 4 ] || fail "expected 4 job folders, found $n_jobs"
for d in "$out"/jobs/*/; do
  id="$(basename "$d")"
  [ -s "$d/result.json" ] || fail "job $id has no result.json"
  grep -q '"test_accuracy"' "$d/result.json" || fail "job $id's result.json has no test accuracy"
  [ -f "$d/run/summary.json" ] || fail "job $id has no run/summary.json"
  [ "$(wc -l <"$d/completions.txt")" = 1 ] || fail "job $id trained to completion more than once"
  grep -q "]=$id" "$out/slurm/sweep.sbatch" || fail "job $id is not in the script"
done
for t in 0 1 2 3; do
  log="$out/slurm/${job}_$t.log"
  [ -f "$log" ] || fail "no Slurm log $log"
  grep -q 'done, test accuracy' "$log" || fail "task $t's log does not say done"
done

# Submitting again submits nothing: every job is complete.
./cimtrain sweep "$work/plan.yaml" --runner slurm --out "$out" >"$work/again.txt" || fail "second sweep --runner slurm failed"
grep -q 'nothing to submit' "$work/again.txt" || fail "a second submission of a complete sweep submitted: $(cat "$work/again.txt")"
say "4-job sweep passed ($((SECONDS - start_time)) s)"

# --- requeue (what preemption does) -----------------------------------------------------------------
# A one-job sweep long enough to catch running: once its first checkpoint is written, the task is
# requeued (Slurm kills it and starts it again); the new try must resume from the checkpoint and the
# job end complete, trained to completion once.
cat >"$work/requeue.yaml" <<'EOF'
base: {model: lenet-paper, dataset: mnist-10k, epochs: 15, steps-per-epoch: 5, train-limit: 320, batch: 64, lr: 0.004}
EOF
rq="$work/requeue"
./cimtrain sweep "$work/requeue.yaml" --runner slurm --out "$rq" >"$work/submit-requeue.txt" || fail "sweep --runner slurm (requeue) failed"
job="$(sed -n 's/^submitted Slurm job \([0-9][0-9]*\):.*/\1/p' "$work/submit-requeue.txt")"
[ -n "$job" ] || fail "no Slurm job id in the requeue sweep's output"
rid="$(sed -n 's/^ids=(\[0\]=\([0-9a-f]*\)).*/\1/p' "$rq/slurm/sweep.sbatch")"
[ -n "$rid" ] || fail "no job id in $rq/slurm/sweep.sbatch"
deadline=$((SECONDS + timeout_s))
until [ -f "$rq/jobs/$rid/run/checkpoint.h5" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "job $rid wrote no checkpoint in $timeout_s s"
  sleep 0.2
done
[ ! -f "$rq/jobs/$rid/run/summary.json" ] || fail "job $rid finished before it could be requeued (make it longer)"
scontrol requeue "${job}_0" || fail "scontrol requeue ${job}_0 failed"
say "requeued task ${job}_0 after its first checkpoint ($((SECONDS - start_time)) s)"
until grep -q 'restart 1' "$rq/slurm/${job}_0.log" 2>/dev/null && [ -z "$(squeue -h -j "$job" 2>/dev/null)" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the requeued task ${job}_0 did not run to its end in $timeout_s s"
  sleep 1
done
grep -q ': resuming' "$rq/slurm/${job}_0.log" || fail "the requeued task did not resume from the checkpoint"
[ -s "$rq/jobs/$rid/result.json" ] || fail "the requeued job has no result.json"
[ "$(wc -l <"$rq/jobs/$rid/completions.txt")" = 1 ] || fail "the requeued job trained to completion more than once"
epochs="$(grep -c '^[0-9]' "$rq/jobs/$rid/run/metrics.csv" || true)"
[ "$epochs" = 15 ] || fail "the requeued job's metrics.csv has $epochs epochs, not 15"
./cimtrain sweep status "$rq" --json | tail -n 1 | grep -q '"done":1' || fail "sweep status does not count the requeued job done"
say "requeue passed ($((SECONDS - start_time)) s)"

job=""
passed=1
