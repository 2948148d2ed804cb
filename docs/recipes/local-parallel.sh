#!/usr/bin/env bash
# Loss Landscape on one machine with several processes (or a few machines sharing a folder):
# plan once, evaluate the N shards at the same time, merge. Uses GNU parallel when it is
# installed, else xargs -P (same effect). Rerun the same command after a kill: the plan is kept
# and every shard resumes from its file.
#
#   docs/recipes/local-parallel.sh FILE PLAN N OUT [plan options...]
#   e.g. docs/recipes/local-parallel.sh examples/mnist-mlp.landscape.ts plan 4 out --analysis plane --grid 51
#
# LOSS_LANDSCAPE: the command to run (default: npx loss-landscape).
set -euo pipefail
FILE=$1 PLAN=$2 N=$3 OUT=$4
shift 4
LL=${LOSS_LANDSCAPE:-npx loss-landscape}

[ -f "$PLAN/plan.json" ] || $LL plan "$FILE" "$@" --shards "$N" --out "$PLAN"
if command -v parallel >/dev/null; then
  parallel -j "$N" --halt now,fail=1 $LL probe "$FILE" --plan "$PLAN" --shard {}/"$N" ::: $(seq 1 "$N")
else
  seq 1 "$N" | xargs -P "$N" -I{} $LL probe "$FILE" --plan "$PLAN" --shard {}/"$N"
fi
$LL merge "$PLAN" --out "$OUT"
