#!/usr/bin/env bash
# FramePathBench twice (full tiered and C1) around the OpenCV anchor, two passes; compile the bench first (RESULTS.md)
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CP=/tmp/perf-bench/classes:capture-service/target/classes:common/target/classes:$HOME/.m2/repository/org/apache/kafka/kafka-clients/4.0.0/kafka-clients-4.0.0.jar
for pass in 1 2; do
  echo "=== pass $pass Java C2"; java -Xmx512m -XX:+UseSerialGC -cp $CP io.sightline.bench.capture.FramePathBench /tmp/framepath 3 3 2>&1 | grep -v "^WARN\|^Dec"
  echo "=== pass $pass OpenCV"; /usr/bin/python3 bench/capture/opencv/anchor.py /tmp/framepath 3 3
  echo "=== pass $pass Java C1"; java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp $CP io.sightline.bench.capture.FramePathBench /tmp/framepath 3 3 2>&1 | grep -v "^WARN\|^Dec"
done
