#!/usr/bin/env bash
# `npm run test:slurm`: a sharded sweep on a real Slurm. Starts a single-node cluster (munged,
# slurmctld and slurmd, from a slurm.conf generated in a temporary directory), submits a 4-task
# job array of a small sweep whose tasks pick their shard from the array's environment, merges the
# shards, and checks that the merge equals the unsharded sweep byte for byte; then a 3-task array
# whose tasks are preempted (scontrol requeue, scancel --signal=TERM, SIGKILL), requeued and go on
# from their checkpoints, merged byte for byte equal to the unsharded sweep. The daemons are
# always stopped; every wait is bounded; a failure is one line (then the logs that explain it).
# Needs Debian's slurm-wlm and munge (.ci/run installs them when missing), and root for slurmd.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/sbin:/sbin # the daemons live there, not always on a user's PATH
ROOT=$PWD
TMP=$(mktemp -d /tmp/patternflow-slurm.XXXXXX)
PIDS=()
LOGS=()
SHARDS=4

fail() {
  echo "test:slurm: FAILED: $*" >&2
  for log in "${LOGS[@]}"; do
    [ -s "$log" ] && { echo "--- last lines of $log" >&2; tail -n 15 "$log" >&2; }
  done
  exit 1
}
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
  local seconds=$1
  shift
  for _ in $(seq $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null || fail "$tool not found: apt-get install -y slurm-wlm munge"
done
[ "$(id -u)" = 0 ] || fail "slurmd must run as root here"

# munged with its own key, socket and files, beside (never instead of) a system munged.
MUNGE_SOCKET=$TMP/munge.socket
dd if=/dev/urandom of="$TMP/munge.key" bs=1024 count=1 status=none
chmod 0400 "$TMP/munge.key"
chmod 0700 "$TMP"
LOGS+=("$TMP/munged.log")
munged --foreground --force --socket="$MUNGE_SOCKET" --key-file="$TMP/munge.key" --pid-file="$TMP/munged.pid" \
  --log-file="$TMP/munged.log" --seed-file="$TMP/munged.seed" >>"$TMP/munged.log" 2>&1 &
PIDS+=($!)
wait_for 20 test -S "$MUNGE_SOCKET" || fail "munged did not start"

# Ports of our own, so that the cluster never meets another one on this machine.
PORT=$((20000 + RANDOM % 20000))
HOST=$(hostname -s)
mkdir -p "$TMP/state" "$TMP/spool"
cat >"$TMP/slurm.conf" <<EOF
ClusterName=patternflow
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$TMP/slurm.conf
LOGS+=("$TMP/slurmctld.log" "$TMP/slurmd.log")
slurmctld -D -i -f "$SLURM_CONF" >>"$TMP/slurmctld.log" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" >>"$TMP/slurmd.log" 2>&1 &
PIDS+=($!)
node_idle() { [ "$(sinfo -h -n "$HOST" -o %t 2>/dev/null)" = idle ]; }
wait_for 60 node_idle || fail "the Slurm node did not come up idle within 60 s"

# A small sweep: 8 cohorts, expected mode, 50 steps.
cat >"$TMP/spec.json" <<'EOF'
{ "base": { "estimator": "expected", "tasks": 16, "steps": 50, "successRates": [0.9, 0.5, 0.4, 0.3] },
  "axes": { "lr": [0.25, 0.5, 1, 2], "initBest": [0.05, 0.3] }, "logEvery": 5 }
EOF
cat >"$TMP/job.sh" <<EOF
#!/usr/bin/env bash
# Each task of the array runs its own shard: the sweep reads SLURM_ARRAY_TASK_ID and _COUNT.
cd "$ROOT"
exec node bin/patternflow.js sweep --spec "$TMP/spec.json" --out "$TMP/shards" --quiet
EOF
LOGS+=("$TMP/job-0.out" "$TMP/job-1.out" "$TMP/job-2.out" "$TMP/job-3.out")
timeout 600 sbatch --wait --array=0-$((SHARDS - 1)) --cpus-per-task=1 --output="$TMP/job-%a.out" --job-name=patternflow-sweep "$TMP/job.sh" >"$TMP/sbatch.out" 2>&1 ||
  fail "the job array did not complete (sbatch: $(tail -n 1 "$TMP/sbatch.out"))"

for i in $(seq 0 $((SHARDS - 1))); do
  name=$(printf 'shard-%05d-of-%05d' "$i" "$SHARDS")
  for f in "$name.parquet" "$name.metrics.parquet" "$name.manifest.json"; do
    [ -f "$TMP/shards/$f" ] || fail "array task $i wrote no $f"
  done
done
# Merges the shards in $TMP/$1 and compares them with the unsharded sweep of spec $2, byte for byte.
merged_equals_whole() {
  node bin/patternflow.js merge "$TMP/$1" --out "$TMP/$1-merged" --quiet || fail "merge of $1 failed"
  node bin/patternflow.js sweep --spec "$2" --out "$TMP/$1-whole" --quiet || fail "the unsharded sweep of $2 failed"
  for f in summary.parquet metrics.parquet; do
    cmp -s "$TMP/$1-merged/$f" "$TMP/$1-whole/$f" || fail "merged $1: $f differs from the unsharded sweep's"
  done
}
merged_equals_whole shards "$TMP/spec.json"
echo "test:slurm: a $SHARDS-task Slurm job array ran 8 cohorts in shards; merged, they equal the unsharded sweep byte for byte"

# Preemption: a 3-task array of a longer sweep (2 cohorts a shard, one pack each), checkpointed
# every 2,000 steps. Each task is stopped mid-run once its first checkpoint is there: task 0 by
# `scontrol requeue`, task 1 by SIGTERM through `scancel --signal=TERM` and then requeued, task 2
# by SIGKILL and then requeued. Each requeued task goes on from its checkpoint; merged, the shards
# equal the unsharded sweep byte for byte.
cat >"$TMP/slow.json" <<'EOF'
{ "base": { "estimator": "expected", "tasks": 2, "steps": 60000, "successRates": [0.9, 0.5, 0.4, 0.3] },
  "axes": { "lr": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] }, "logEvery": 100 }
EOF
cat >"$TMP/slow.sh" <<EOF
#!/usr/bin/env bash
cd "$ROOT"
exec node bin/patternflow.js sweep --spec "$TMP/slow.json" --out "$TMP/pre" --checkpointEvery 2000
EOF
PRE=3
for i in $(seq 0 $((PRE - 1))); do LOGS+=("$TMP/pre-$i.out"); done
JOB=$(sbatch --parsable --requeue --open-mode=append --array=0-$((PRE - 1)) --cpus-per-task=1 --output="$TMP/pre-%a.out" --job-name=patternflow-preempt "$TMP/slow.sh") ||
  fail "sbatch of the preemption array failed"
ckpt() { printf '%s/pre/shard-%05d-of-%05d.ckpt' "$TMP" "$1" "$PRE"; }
gone() { [ -z "$(squeue -h -j "${JOB}_$1" -o %T 2>/dev/null)" ]; } # ended, and no longer completing
# A requeued job starts again once its credential expires (cred_expire above, 120 s by default);
# one that has ended is requeued after that, or its node refuses it as already killed.
requeue() {
  scontrol requeue "${JOB}_$1" >"$TMP/requeue.out" 2>&1 || fail "scontrol requeue of task $1 failed: $(tail -n 1 "$TMP/requeue.out")"
}
# One loop over the tasks, acting on each as soon as it is ready (two CPUs run two tasks at a time).
LOST=?
STATE=(wait wait wait)
ENDED=(0 0 0)
for _ in $(seq 1500); do
  for i in $(seq 0 $((PRE - 1))); do
    case ${STATE[$i]} in
      wait)
        [ -f "$(ckpt "$i")" ] || continue
        case $i in
          0) requeue 0 && STATE[0]=requeued ;;
          1) scancel --batch --signal=TERM "${JOB}_1" || fail "scancel --signal=TERM failed"; STATE[1]=signalled ;;
          2)
            scancel --batch --signal=KILL "${JOB}_2" || fail "scancel --signal=KILL failed"
            killed=$(date +%s.%N)
            saved=$(date -r "$(ckpt 2)" +%s.%N)
            LOST=$(awk -v k="$killed" -v s="$saved" 'BEGIN { printf "%.2f", k - s }')
            STATE[2]=signalled
            ;;
        esac
        ;;
      signalled) gone "$i" && STATE[$i]=ended && ENDED[$i]=$(date +%s) ;;
      ended) [ $(($(date +%s) - ENDED[i])) -gt 11 ] && requeue "$i" && STATE[$i]=requeued ;;
    esac
  done
  [ "${STATE[*]}" = "requeued requeued requeued" ] && break
  sleep 0.2
done
[ "${STATE[*]}" = "requeued requeued requeued" ] || fail "the array tasks were not all stopped and requeued within 300 s (${STATE[*]})"
unfinished() { [ -n "$(squeue -h -j "$JOB" 2>/dev/null)" ]; }
wait_for 300 eval '! unfinished' || fail "the preemption array did not finish within 300 s of its requeues"
grep -q 'stopped by SIGTERM' "$TMP/pre-0.out" || fail "task 0 was not stopped by the SIGTERM of scontrol requeue"
grep -q 'stopped by SIGTERM' "$TMP/pre-1.out" || fail "task 1 was not stopped by scancel --signal=TERM"
for i in $(seq 0 $((PRE - 1))); do
  grep -q "going on from $(ckpt "$i")" "$TMP/pre-$i.out" || fail "requeued task $i did not go on from its checkpoint"
  [ -f "$(ckpt "$i")" ] && fail "task $i left its checkpoint behind"
done
STEP=$(sed -n 's/.*the pack in flight at step \([0-9,]*\).*/\1/p' "$TMP/pre-2.out" | tr -d ,)
merged_equals_whole pre "$TMP/slow.json"
echo "test:slurm: 3 array tasks preempted (scontrol requeue, scancel --signal=TERM, SIGKILL), requeued, went on from their checkpoints; merged, they equal the unsharded sweep byte for byte"
echo "test:slurm: SIGKILL lost the work of the last ${LOST} s (since its last checkpoint, every 2,000 steps); task 2 went on from step ${STEP}"
echo "slurm: 2 passed, 0 failed"
