#!/bin/sh
# Run one shard of a cartsim study on a batch engine and write its partial
# result to $OUT_DIR/part-<index>.json.
#
#   run-shard.sh COMMAND [OPTIONS...]      e.g. run-shard.sh sensitivity --model clinical ...
#
# The shard index and count come from the engine:
#   Slurm job array:        SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT
#   Kubernetes Indexed Job: JOB_COMPLETION_INDEX, and SHARDS (set it to the Job's completions)
# or, anywhere else: SHARD_INDEX, SHARDS.
# OUT_DIR (default ./parts) must be shared with the merge step.
set -eu
index="${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:-${SHARD_INDEX:-}}}"
count="${SLURM_ARRAY_TASK_COUNT:-${SHARDS:-}}"
if [ -z "$index" ] || [ -z "$count" ]; then
    echo "run-shard.sh: no shard index/count (SLURM_ARRAY_TASK_ID/COUNT, JOB_COMPLETION_INDEX+SHARDS or SHARD_INDEX+SHARDS)" >&2
    exit 2
fi
out="${OUT_DIR:-./parts}"
mkdir -p "$out"
cartsim="${CARTSIM:-cartsim}"
# Write to a temporary name first: the merge step never sees half a file.
"$cartsim" "$@" --shard "$index/$count" > "$out/part-$index.json.tmp"
mv "$out/part-$index.json.tmp" "$out/part-$index.json"
