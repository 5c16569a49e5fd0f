#!/usr/bin/env bash
# Runs the JMH kernel benchmarks (src/test/java/org/re4j/bench). Extra arguments go to JMH, e.g. -jvmArgsAppend -Dre4j.blas=java
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java --add-modules=jdk.incubator.vector -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.openjdk.jmh.Main "$@"
