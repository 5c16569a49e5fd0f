#!/usr/bin/env bash
# ComiRec-SA and POP on the four real datasets under the ComiRec protocol (docs/results.md, section 1).
# Reads ../shared/data in place. Usage: scripts/reproduce-core.sh [steps-cap] [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-50000}
out=${2:-runs/core}
# shellcheck source=scripts/datasets.sh
source scripts/datasets.sh
for ds in ${DATASETS:-gowalla ml-1m beauty sports}; do
  for model in ${MODELS:-pop comirec-sa}; do
    dir="$out/$ds-$model"
    cmd=(./re4j train --data "${files[$ds]}" --name "$ds" --model "$model" --steps "$steps"
         --eval-every 1000 --patience 10 --seed 1230 --out "$dir" --no-progress)
    echo "== ${cmd[*]}"
    start=$(date +%s)
    "${cmd[@]}"
    echo "   wall $(( $(date +%s) - start )) s"
    echo "${cmd[*]}" > "$dir/command.txt"
  done
done
