#!/usr/bin/env bash
# PacedCamerasBench on this tree's caption-service jar and on an older build's, back to back in one run.
#   OLD_JAR=/path/to/old/caption-service/target/quarkus-app/quarkus-run.jar bench/caption-pipeline/paced-ab.sh
# Run bench/caption-pipeline/run-paced.sh once first (it builds the jar and the driver's class path).
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/caption-pipeline-bench}"
: "${OLD_JAR:?OLD_JAR: the older build's quarkus-run.jar}"
CP="$OUT/classes:$ROOT/test-support/target/classes:$ROOT/common/target/classes:$(cat "$OUT/cp-ts.txt")"
cd "$ROOT/bench/caption-pipeline"
for jar in "$ROOT/caption-service/target/quarkus-app/quarkus-run.jar" "$OLD_JAR"; do
  echo "=== $jar"
  java -Dcaption.jar="$jar" "-Dcaption.jvm=-Xms64m -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true" -cp "$CP" \
    io.sightline.bench.caption.PacedCamerasBench 8 1 60 16 1 45 2>&1 | grep -E "cameras x|warm-up|pid"
done
