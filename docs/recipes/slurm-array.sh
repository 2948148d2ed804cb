#!/usr/bin/env bash
# Loss Landscape on a Slurm cluster: one array task per shard. Make the plan first (on a login
# node or in a one-task job) in a folder every node sees, then submit this script, then merge:
#
#   npx loss-landscape plan mnist.landscape.ts --analysis plane --grid 51 --shards 16 --out /shared/plan
#   sbatch --array=0-15 docs/recipes/slurm-array.sh /shared/plan mnist.landscape.ts
#   # when the array is done (or: sbatch --dependency=afterok:<jobid> ...):
#   npx loss-landscape merge /shared/plan --out /shared/result
#
# Each task evaluates shard SLURM_ARRAY_TASK_ID + 1 (--shard auto; an array from 1 works too,
# SLURM_ARRAY_TASK_MIN is subtracted) into /shared/plan/shards/. A requeued or rerun task resumes.
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
exec npx loss-landscape probe "$FILE" --plan "$PLAN" --shard auto
