#!/usr/bin/env bash
# PacedCamerasBench (issue 13: 8 cameras x 1 frame/s through the onnx tier with OCR, lag p50 < 500 ms) in one
# command: packages caption-service from this work tree, compiles the driver against the reactor's classes (no
# mvn install) and runs it with ./sightline's caption-service heap flags.
#
#   bench/caption-pipeline/run-paced.sh                    # 8 cameras x 1 fps for 60 s, then 16 x 1 for 45 s
#   SKIP_BUILD=1 bench/caption-pipeline/run-paced.sh 8 1 60
#
# Args: cameras fps seconds [cameras fps seconds ...]. CAPTION_JVM: the service's JVM flags.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT="${OUT:-/tmp/caption-pipeline-bench}"
CAPTION_JVM="${CAPTION_JVM:--Xms64m -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true}"
mkdir -p "$OUT"
[[ $# -gt 0 ]] || set -- 8 1 60 16 1 45
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$OUT/cp-ts.txt" ]]; then
  ./mvnw -o -B -q -pl caption-service -am package -DskipTests
  # -am: the last module written is test-support, whose class path the driver needs
  ./mvnw -o -B -q -pl test-support -am dependency:build-classpath -Dmdep.outputFile="$OUT/cp-ts.txt"
fi
CP="test-support/target/classes:common/target/classes:$(cat "$OUT/cp-ts.txt")"
rm -rf "$OUT/classes" && mkdir -p "$OUT/classes"
javac -d "$OUT/classes" -cp "$CP" bench/caption-pipeline/src/main/java/io/sightline/bench/caption/PacedCamerasBench.java
cd bench/caption-pipeline && mkdir -p target   # the driver writes the service log to target/
exec java -Dcaption.jar="$ROOT/caption-service/target/quarkus-app/quarkus-run.jar" "-Dcaption.jvm=$CAPTION_JVM" \
  -cp "$OUT/classes:$ROOT/test-support/target/classes:$ROOT/common/target/classes:$(cat "$OUT/cp-ts.txt")" \
  io.sightline.bench.caption.PacedCamerasBench "$@"
