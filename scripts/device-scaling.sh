#!/usr/bin/env bash
# The multi-core curve of the training step and of evaluation, for a machine with many cores and no Java.
#   scripts/device-scaling.sh prepare   # here: builds the jar and a jlink'd runtime into .runtime/ (git-ignored)
#   scripts/device-scaling.sh run       # there (carry .runtime): JSON lines into $OUT/scaling.jsonl (or ./scaling.jsonl)
# The run takes about 8 minutes on 16 cores: ComiRec-SA and Re4 steps on Amazon Book's catalogue at 1, 2, 4, 8 and 16
# workers in interleaved rounds (one JVM per model, so the ratios share the machine's state), then evaluation
# users/s at 1-16 threads with the sgemm peak of each.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rt="$here/.runtime"
case "${1:-}" in
  prepare)
    (cd "$here" && mvn -q -B package -DskipTests -pl re4j-core)
    rm -rf "$rt/jre"
    # What bench step and eval need (jdeps also lists java.desktop, for plot only, and java.compiler, java.instrument,
    # java.security.jgss and java.sql, which optional code paths use: leaving them out keeps the runtime and the jar
    # within the 64 MiB a device run carries)
    mods=java.base,java.logging,java.management,java.naming,java.net.http,jdk.management,jdk.unsupported,jdk.incubator.vector
    jlink --add-modules "$mods" --strip-debug --strip-native-debug-symbols=objcopy=/usr/bin/objcopy --no-header-files --no-man-pages --compress=2 --output "$rt/jre"
    cp "$here/re4j-core/target/re4j.jar" "$rt/re4j.jar"
    du -sh "$rt"
    ;;
  run)
    out="${OUT:-.}/scaling.jsonl"
    java=("$rt/jre/bin/java" --add-modules=jdk.incubator.vector -Xmx24g -jar "$rt/re4j.jar")
    : > "$out"
    for model in comirec-sa re4; do
      timeout 200 "${java[@]}" bench step --model "$model" --items 367982 --histories protocol --workers 1,2,4,8,16 \
        --rounds 3 --steps 60 --warmup 40 2>/dev/null | tee -a "$out" || echo "{\"bench\":\"step\",\"model\":\"$model\",\"error\":\"timeout or failure\"}" >> "$out"
    done
    for t in 1 2 4 8 16; do
      timeout 60 "${java[@]}" bench eval --items 367982 --interests 8 --users 512 --threads "$t" 2>/dev/null | tee -a "$out" || true
    done
    ;;
  *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac
