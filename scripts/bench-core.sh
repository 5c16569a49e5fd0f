#!/usr/bin/env bash
# Speed benchmarks (docs/results.md, section 2), each repeated 3 times (the median goes in the report):
# one ComiRec-SA training step (batch 128, maxlen 20, K 4, d 64, lazy Adam) on a 3,706- and a 367,982-item catalogue
# with the system OpenBLAS and with the pure-Java BLAS; dense Adam for comparison; Re4 next to ComiRec-SA at K 8 and
# each backward flow against the forward flow (interleaved in one JVM);
# exact top-50 evaluation throughput at 367,982 items with K 8. Run on an otherwise idle machine; prints JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f re4j-core/target/re4j.jar ] || mvn -q -B package -DskipTests -pl re4j-core
run() { ./re4j "$@" 2>/dev/null; }
for rep in 1 2 3; do
  for blas in native java; do
    for items in 3706 367982; do
      run bench step --model comirec-sa --items "$items" --blas "$blas" --steps 500 --warmup 200
    done
  done
  for model in comirec-sa re4; do
    run bench step --model "$model" --interests 8 --items 367982 --steps 300 --warmup 100
  done
  run bench flows --items 367982 --rounds 7
  run bench step --model comirec-sa --items 367982 --adam dense --steps 50 --warmup 10
  run bench eval --items 367982 --interests 8 --users 1000
  OPENBLAS_NUM_THREADS=1 run bench eval --items 367982 --interests 8 --users 1000
done
