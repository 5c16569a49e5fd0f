#!/usr/bin/env bash
# Keeps an experiment's finished runs beside the report, less their model: config.json, log.jsonl, metrics.json and
# the per-user test rows gzipped (test_users.jsonl.gz, which `re4j compare` and experiment summaries read). A kept run
# is what `re4j experiment` needs to summarise and pair it again, so an experiment can be finished later from them:
# copy the kept directories back into its --out and run the same command.
#
# Usage: scripts/keep-trials.sh runs/exp/NAME [docs/results/trials/NAME]
set -euo pipefail
src=${1:?usage: scripts/keep-trials.sh runs/exp/NAME [DEST]}
dest=${2:-docs/results/trials/$(basename "$src")}
mkdir -p "$dest"
for run in "$src"/*/; do
  run=${run%/}
  [ -f "$run/metrics.json" ] || continue  # unfinished
  [ -L "$run" ] && continue               # another experiment's run, kept with that experiment
  to="$dest/$(basename "$run")"
  mkdir -p "$to"
  cp "$run/config.json" "$run/log.jsonl" "$run/metrics.json" "$to/"
  if [ -f "$run/test_users.jsonl" ]; then gzip -9 -n -c "$run/test_users.jsonl" > "$to/test_users.jsonl.gz"; rm -f "$to/test_users.jsonl"; fi
  echo "kept $to"
done
