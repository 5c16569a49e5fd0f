#!/usr/bin/env bash
# Batch scoring on Spark (local[2]) against the core's embed-users and recommend, same model, same users (docs/scale.md).
# Trains a ComiRec-SA model on ML-1M (2,000 steps) into a temporary directory unless MODEL is given.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/ml-1m/ratings.dat.gz
work=$(mktemp -d)
model=${MODEL:-$work/model}
[ -d "$model" ] || ./re4j train --model comirec-sa --data "$data" --steps 2000 --out "$model" --no-progress 2>/dev/null
mvn -q -B -pl re4j-spark -am test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
cp="re4j-spark/target/test-classes:re4j-spark/target/classes:re4j-core/target/classes:$(cat re4j-spark/target/test-classpath.txt)"
# Spark 4 on Java 17 needs these (re4j-spark/pom.xml's spark.jvm.flags; spark-submit adds them itself).
flags="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
java $flags --add-modules=jdk.incubator.vector -Xmx6g -cp "$cp" org.re4j.spark.bench.ScoringBench "$model" "$data" 50 1 64 2>/dev/null
# The core on the same machine: embed-users (all users' interests, 512 per batch) and one recommend call.
s=$(date +%s.%N); ./re4j embed-users --model "$model" --out "$work/users.safetensors" 2>/dev/null; e=$(date +%s.%N)
echo "{\"bench\":\"embed-users\",\"seconds\":$(echo "$e - $s" | bc)}"
hist=$(sed -n 2p "$model/items.txt"),$(sed -n 3p "$model/items.txt")
s=$(date +%s.%N); ./re4j recommend --model "$model" --history "$hist" -n 50 >/dev/null 2>&1; e=$(date +%s.%N)
echo "{\"bench\":\"recommend\",\"users\":1,\"seconds\":$(echo "$e - $s" | bc)}"
rm -rf "$work"
