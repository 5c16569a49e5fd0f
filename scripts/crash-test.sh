#!/usr/bin/env bash
# Crash test of model directories: kills 're4j train --overwrite' (SIGKILL, in a child JVM) at random points while it
# replaces a model, N times (default 100), and tallies what each kill left: nothing, the complete previous model,
# the complete new model, a directory refused in one clear line, or an inconsistent one (must be 0; exit 1 if not).
# Usage: scripts/crash-test.sh [--kills N] [--seed S] [--work DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl re4j-core test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java --add-modules=jdk.incubator.vector -Xmx1g -cp "re4j-core/target/test-classes:re4j-core/target/classes:$(cat re4j-core/target/test-classpath.txt)" \
  org.re4j.cli.CrashHarness "$@"
