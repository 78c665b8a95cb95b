#!/usr/bin/env bash
# Issue 13's detector targets in one run: raw ONNX Runtime session.run vs caption-service's detector
# (decoded frame and from JPEG bytes), and detect+OCR vs detect on a photo without text and on text images;
# median of ROUNDS rounds after warm-up, rows interleaved. Compiled against the reactor's classes (no mvn install).
#
#   bench/caption-onnx/run.sh                   # ROUNDS=3 SECONDS_PER_ROW=3 WARMUP=5 FRAME=/tmp/framepath/in-720p-q85.jpg
#
# FRAME: the JPEG to detect on (the capture bench's 720p q85 frame); when missing, coffee.png at 1280x720 q85.
# The CPU ms column is the caller thread's CPU time (one intra-op thread: ORT computes on the caller), so it is
# the per-frame cost even on a busy box; the wall column is only meaningful on a quiet one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ROUNDS="${ROUNDS:-3}"
SECONDS_PER_ROW="${SECONDS_PER_ROW:-3}"
WARMUP="${WARMUP:-5}"
FRAME="${FRAME:-/tmp/framepath/in-720p-q85.jpg}"
MODELS="${SIGHTLINE_MODELS_DIR:-$ROOT/../shared/models}"
IMAGES="${IMAGES:-$ROOT/../shared/testdata/images}"
OUT_CLASSES="${OUT_CLASSES:-/tmp/caption-onnx-bench/classes}"
ORT="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar"

[[ "${SKIP_COMPILE:-0}" == 1 ]] || ./mvnw -o -B -q -pl caption-service -am compile
rm -rf "$OUT_CLASSES" && mkdir -p "$OUT_CLASSES"
# the driver sits in caption-service's onnx package (it uses the package-private letterbox and session tuning)
CP="$ROOT/caption-service/target/classes:$ROOT/common/target/classes:$ORT"
javac -d "$OUT_CLASSES" -cp "$CP" \
  bench/caption-onnx/src/main/java/io/sightline/caption/backend/onnx/DetectorVsOrtBench.java \
  bench/caption-onnx/src/main/java/io/sightline/bench/onnx/OnnxMemoryProbe.java
# keep the command line short: ONNX Runtime 1.29 crashes loading its native library under a command line over ~4 KB
exec java -Xmx512m -XX:+UseSerialGC ${BENCH_JVM_FLAGS:-} -cp "$OUT_CLASSES:$CP" io.sightline.caption.backend.onnx.DetectorVsOrtBench \
  "$MODELS" "$IMAGES" "$FRAME" "$ROUNDS" "$SECONDS_PER_ROW" "$WARMUP"
