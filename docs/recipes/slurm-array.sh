#!/usr/bin/env bash
# Loss Landscape on a Slurm cluster: one array task per shard. Make the plan first (on a login
# node or in a one-task job) in a folder every node sees, then submit this script from a folder
# where `npx loss-landscape` runs (the clone), then merge:
#
#   npx loss-landscape plan mnist.landscape.ts --analysis plane --grid 51 --shards 16 --out /shared/plan
#   sbatch --array=0-15 docs/recipes/slurm-array.sh /shared/plan mnist.landscape.ts
#   # when the array is done (or: sbatch --dependency=afterok:<jobid> ...):
#   npx loss-landscape merge /shared/plan --out /shared/result
#
# Array index i evaluates shard i + 1 of the plan into /shared/plan/shards/. A task that failed,
# was cancelled or timed out is submitted again by its index alone, and resumes from its file:
#
#   sbatch --array=3 docs/recipes/slurm-array.sh /shared/plan mnist.landscape.ts    # shard 4
#
# LOSS_LANDSCAPE: the command to run (default: npx loss-landscape).
#SBATCH --job-name=loss-landscape
#SBATCH --array=0-15
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=loss-landscape-%A_%a.log
set -euo pipefail
PLAN=${1:?usage: sbatch --array=0-(N-1) slurm-array.sh PLAN FILE}
FILE=${2:?usage: sbatch --array=0-(N-1) slurm-array.sh PLAN FILE}
K=$((${SLURM_ARRAY_TASK_ID:?submit as an array: sbatch --array=0-(N-1) slurm-array.sh PLAN FILE} + 1))
LL=${LOSS_LANDSCAPE:-npx loss-landscape}

# scancel, a time limit or a preemption sends SIGTERM to this script: pass it on to every process
# of the shard (npx does not, and Slurm's proctrack/linuxproc loses the processes behind npx), so
# that the shard stops at once, keeping its points, instead of running on outside the job.
set -m                                 # the shard in a process group of its own
$LL probe "$FILE" --plan "$PLAN" --shard "$K" &
pid=$!
set +m
trap 'kill -TERM -- "-$pid" 2>/dev/null || true' TERM INT
code=0
wait "$pid" || code=$?
while kill -0 "$pid" 2>/dev/null; do wait "$pid" || code=$?; done
exit "$code"
