#!/usr/bin/env bash
# Runs the JMH kernel benchmarks (re4j-core/src/test/java/org/re4j/bench). Extra arguments go to JMH, e.g. -jvmArgsAppend -Dre4j.blas=java
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl re4j-core test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java --add-modules=jdk.incubator.vector -cp "re4j-core/target/test-classes:re4j-core/target/classes:$(cat re4j-core/target/test-classpath.txt)" \
  org.openjdk.jmh.Main "$@"
