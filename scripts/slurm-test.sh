#!/usr/bin/env bash
# `npm run test:slurm`: a sharded sweep on a real Slurm. Starts a single-node cluster (munged,
# slurmctld and slurmd, from a slurm.conf generated in a temporary directory), submits a 4-task
# job array of a small sweep whose tasks pick their shard from the array's environment, merges the
# shards, and checks that the merge equals the unsharded sweep byte for byte. The daemons are
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
AuthInfo=socket=$MUNGE_SOCKET
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
node bin/patternflow.js merge "$TMP/shards" --out "$TMP/merged" --quiet || fail "merge failed"
node bin/patternflow.js sweep --spec "$TMP/spec.json" --out "$TMP/whole" --quiet || fail "the unsharded sweep failed"
for f in summary.parquet metrics.parquet; do
  cmp -s "$TMP/merged/$f" "$TMP/whole/$f" || fail "merged $f differs from the unsharded sweep's"
done
echo "test:slurm: a $SHARDS-task Slurm job array ran 8 cohorts in shards; merged, they equal the unsharded sweep byte for byte"
echo "slurm: 1 passed, 0 failed"
