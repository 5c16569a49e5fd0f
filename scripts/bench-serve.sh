#!/usr/bin/env bash
# Serving benchmarks (docs/results.md, section 4): HNSW recall@50 vs exact on a model's test users, then HTTP load
# from a second process against 're4j serve' with exact and with HNSW retrieval. Usage: scripts/bench-serve.sh MODEL_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-runs/core/gowalla-comirec-sa}
port=${PORT:-18081}
[ -f re4j-core/target/re4j.jar ] || mvn -q -B package -DskipTests -pl re4j-core
./re4j bench ann --model "$model" --users 1000 --ef 200 2>/dev/null | grep '^{'
./re4j bench ann --model "$model" --users 1000 --ef 50 2>/dev/null | grep '^{'
for index in exact hnsw; do
  ./re4j serve --model "$model" --port "$port" --index "$index" > "/tmp/re4j-serve-$index.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "localhost:$port/health" > /dev/null && break; sleep 1; done
  echo "{\"index\":\"$index\"}"
  ./re4j bench http --model "$model" --url "http://127.0.0.1:$port" --requests 3000 --concurrency 4 2>/dev/null | grep '^{'
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
