#!/usr/bin/env bash
# The Re4 paper's experiments as re4j runs them (docs/results.md, sections 3 and 5), with the flags used there.
# Resumable: `re4j experiment` keeps every run whose metrics.json exists, so running this again continues where it
# stopped (the directories are the ones docs/results.md names, so finished runs there are reused).
#
# Usage: scripts/reproduce-paper.sh [out-dir, default runs/exp]
#   SEEDS=1230,1231,1232     seeds of every experiment
#   ONLY="table2 table4"     experiments to run, from: table2 compare table3 table4 table5 table6 figure3 authors
#   DATASETS="beauty sports" limit to these datasets (gowalla ml-1m beauty sports)
#   DRY=1                    print the commands only
# Reads ../shared/data in place. Long: on 2 cores one seed of Table 2 on the four datasets is several hours, a
# Re4 run on Gowalla 15-40 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/exp}
seeds=${SEEDS:-1230,1231,1232}
only=" ${ONLY:-table2 compare table4 figure3 table3 table5 table6 authors} "
datasets=" ${DATASETS:-gowalla ml-1m beauty sports} "
# shellcheck source=scripts/datasets.sh
source scripts/datasets.sh
# Gowalla's runs are the longest; they stop after 5 evaluations without a better valid recall, the others after 10.
flags() { if [ "$1" = gowalla ]; then echo "--steps 40000 --eval-every 1000 --patience 5"; else echo "--steps 50000 --eval-every 1000 --patience 10"; fi; }

experiment() { # experiment dataset [variant selection and extra flags...]
  local e=$1 ds=$2 dir=$3; shift 3
  [[ $only == *" $e "* && $datasets == *" $ds "* ]] || return 0
  local cmd=(./re4j experiment "${e/authors/compare}" --data "${files[$ds]}" --name "$ds" --seeds "$seeds" --out "$out/$ds-$dir" "$@")
  echo "== ${cmd[*]}"
  [ -n "${DRY:-}" ] || "${cmd[@]}"
}

for ds in gowalla ml-1m beauty sports; do
  # shellcheck disable=SC2046
  experiment table2 "$ds" table2 -- $(flags "$ds")
done
# Re4 at its defaults against ComiRec-SA at Re4's K (one worker per run, so that a run is the same on any machine).
for ds in gowalla ml-1m beauty sports; do
  # shellcheck disable=SC2046
  experiment compare "$ds" compare --only comirec-sa-k8,re4 -- $(flags "$ds") --workers 1 --checkpoint-every 2000
done
# shellcheck disable=SC2046
{
experiment table4 gowalla table4-k8 -- $(flags gowalla) --workers 1 --checkpoint-every 2000
experiment table4 beauty table4-k8 -- $(flags beauty) --workers 1 --checkpoint-every 2000
experiment figure3 gowalla figure3 -- $(flags gowalla)
experiment table5 gowalla table5 -- $(flags gowalla)
experiment table6 gowalla table6 -- $(flags gowalla)
experiment table3 ml-1m table3 -- $(flags ml-1m)
experiment table3 beauty table3 -- $(flags beauty)
}
# The authors' preset (batch 1024, every prefix a sample): an evaluation every 150 steps is about one epoch on Beauty.
for ds in gowalla ml-1m beauty sports; do
  experiment authors "$ds" authors --only re4 -- --preset re4-authors --steps 6000 --eval-every 150 --patience 5
done
# ComiRec-SA (K 8) trained with the authors' recipe, next to the preset's Re4: the preset's training settings only (it is
# defined once, in Re4's model family), as plain `re4j train` runs (a run whose metrics.json exists is kept).
recipe=(--preset re4-authors --model comirec-sa --interests 8 --steps 6000 --eval-every 150 --patience 5)
for ds in gowalla ml-1m beauty sports; do
  [[ $only == *" authors "* && $datasets == *" $ds "* ]] || continue
  for s in ${seeds//,/ }; do
    dir="$out/$ds-authors/comirec-sa-k8-recipe-seed$s"
    [ ! -f "$dir/metrics.json" ] || continue
    cmd=(./re4j train --data "${files[$ds]}" --name "$ds" --seed "$s" "${recipe[@]}" --out "$dir" --no-progress)
    echo "== ${cmd[*]}"
    [ -n "${DRY:-}" ] || "${cmd[@]}"
  done
done
