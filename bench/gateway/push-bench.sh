#!/usr/bin/env bash
# The push bench in one command: ./sightline up with bench/gateway/perf-env.example.sh, two passes of 16 pushing clients on
# the whole stack, fallback-service's idle CPU and every process's RSS, then three passes with the consumers of frames
# stopped (the frame path alone); each pass followed by Kafka's ProducerPerformance on the same broker (the anchor).
# Needs the packaged services (./mvnw -o -B -q package -DskipTests), kafka-tools 4.0.0 in ~/.m2
# (mvn dependency:get -Dartifact=org.apache.kafka:kafka-tools:4.0.0) and /tmp/framepath/in-720p-q85.jpg (bench/capture FramePathBench).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/gateway/perf-env.example.sh
mkdir -p /tmp/perf-bench/gw && javac -d /tmp/perf-bench/gw bench/gateway/src/main/java/io/sightline/bench/gateway/PushLoadDriver.java
KCP="tools/local-kafka/target/lib/*:$HOME/.m2/repository/org/apache/kafka/kafka-tools/4.0.0/kafka-tools-4.0.0.jar"
P=$SIGHTLINE_HOME/pids
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
rss() { awk '/VmRSS/{print int($2/1024)}' /proc/$1/status; }
push() { java -cp /tmp/perf-bench/gw io.sightline.bench.gateway.PushLoadDriver http://127.0.0.1:22080 $SIGHTLINE_HOME/secrets/admin.key /tmp/framepath/in-720p-q85.jpg 16 $1 "$2"; }
anchor() {
  java -cp "$KCP" org.apache.kafka.tools.ProducerPerformance --topic perf-anchor --num-records $1 --record-size 135735 --throughput -1 \
    --producer-props bootstrap.servers=127.0.0.1:22092 acks=all max.request.size=4259840 2>&1 | tail -1
}
./sightline up > /tmp/bench/up.log 2>&1 || { ./sightline up >> /tmp/bench/up.log 2>&1 || { echo "up failed"; tail -20 /tmp/bench/up.log; exit 1; }; }
./sightline status
java -cp "$KCP" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:22092 --create --if-not-exists --topic perf-anchor \
  --partitions 6 --replication-factor 1 --config max.message.bytes=4259840 2>&1 | tail -1
echo "load: $(cat /proc/loadavg)"
declare -A c0
for s in $(ls $P | sed 's/.pid//'); do c0[$s]=$(cpu $(cat $P/$s.pid)); done
echo "=== whole stack pass 1"; push 2000 wsa-; echo "anchor: $(anchor 2000)"
echo "=== whole stack pass 2"; push 2000 wsb-; echo "anchor: $(anchor 2000)"
echo "CPU ticks (10 ms) per service over both whole-stack passes (4000 measured + warm-up pushes, plus anchors):"
for s in $(ls $P | sed 's/.pid//'); do echo "  $s $(( $(cpu $(cat $P/$s.pid)) - ${c0[$s]} ))"; done
echo "=== idle 60 s (no pushes; demo camera still sends)"
sleep 30
f=$(cat $P/fallback-service.pid); a=$(cpu $f); sleep 30; b=$(cpu $f); echo "fallback-service idle CPU: $(( (b-a) )) ticks in 30 s = $(echo "scale=2; ($b-$a)*10/300" | bc) % of a core"
echo "RSS MiB:"; tot=0; for s in $(ls $P | sed 's/.pid//'); do r=$(rss $(cat $P/$s.pid)); tot=$((tot+r)); echo "  $s $r"; done; echo "  total (pid files) $tot"
echo "=== frame path only: stopping the consumers of frames"
for s in caption-service history-service fallback-service watch-service notify-service vlm-service; do kill $(cat $P/$s.pid) 2>/dev/null; done
sleep 5
for s in gateway capture-service kafka; do c0[$s]=$(cpu $(cat $P/$s.pid)); done
echo "=== frame path pass 1"; push 2000 fpa-
for s in gateway capture-service kafka; do echo "  CPU ticks $s $(( $(cpu $(cat $P/$s.pid)) - ${c0[$s]} ))"; done
echo "anchor: $(anchor 2000)"
echo "=== frame path pass 2"; push 2000 fpb-; echo "anchor: $(anchor 2000)"
echo "=== frame path pass 3"; push 2000 fpc-; echo "anchor: $(anchor 2000)"
echo "load: $(cat /proc/loadavg)"
./sightline down > /dev/null 2>&1
