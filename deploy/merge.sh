#!/bin/sh
# Merge every partial result in $OUT_DIR (default ./parts) into $RESULT
# (default ./result.out): exactly the output of the unsharded command.
set -eu
out="${OUT_DIR:-./parts}"
cartsim="${CARTSIM:-cartsim}"
"$cartsim" merge "$out"/part-*.json > "${RESULT:-./result.out}"
