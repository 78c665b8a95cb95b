#!/usr/bin/env bash
# the paced bench on the new jar and on the jar before partial OCR (3666a24), same box, back to back
set -u
ROOT=/work/main
OUT=/tmp/caption-pipeline-bench
CP="$OUT/classes:$ROOT/test-support/target/classes:$ROOT/common/target/classes:$(cat $OUT/cp-ts.txt)"
cd $ROOT/bench/caption-pipeline
for jar in "$ROOT/caption-service/target/quarkus-app/quarkus-run.jar" /tmp/old-caption/caption-service/target/quarkus-app/quarkus-run.jar; do
  echo "=== $jar"
  java -Dcaption.jar="$jar" "-Dcaption.jvm=-Xms64m -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true" -cp "$CP" \
    io.sightline.bench.caption.PacedCamerasBench 8 1 60 16 1 45 2>&1 | grep -E "cameras x|warm-up|pid"
done
