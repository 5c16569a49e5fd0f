#!/usr/bin/env bash
# One training step of every trainable model (batch 128, maxlen 20, d 64, 1,280 negatives, lazy Adam, native BLAS),
# on a 3,706-item catalogue; each model 3 times, interleaved. Prints JSON lines (docs/results.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f re4j-core/target/re4j.jar ] || mvn -q -B package -DskipTests -pl re4j-core
for rep in 1 2 3; do
  for model in youtube-dnn gru4rec mind comirec-dr comirec-sa re4; do
    ./re4j bench step --model "$model" --items 3706 --steps 300 --warmup 100 2>/dev/null
  done
done
