#!/usr/bin/env bash
# bench/vlm-service: starts a KRaft broker, vlm-service hosting the tiny real llama-server model, runs
# VlmServiceBench (direct llama-server baseline and through vlm-service, in the same run), stops both by PID.
# Needs: vlm-service packaged (./mvnw -pl vlm-service -am package -DskipTests), tools/local-kafka/target/lib
# (./mvnw -pl tools/local-kafka package), ../shared/tools/llama-server/setup.sh done.
# Ports: BENCH_PORT_BASE (default 18500) + 84 (vlm-service), + 91 (llama-server), + 92/93 (broker).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${BENCH_PORT_BASE:-18500}"
VLM_PORT=$((BASE + 84)); LLAMA_PORT=$((BASE + 91)); KAFKA_PORT=$((BASE + 92)); CONTROLLER_PORT=$((BASE + 93))
LLAMA="${LLAMA_WORK:-$HOME/.cache/sightline/llama-server}"
WORK="$(mktemp -d /tmp/bench-vlm-service.XXXXXX)"
TOKEN="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

mkdir -p "$WORK/kafka" "$WORK/vlm/config"
cat > "$WORK/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$WORK/kafka/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
CP="$ROOT/tools/local-kafka/target/lib/*"
CLUSTER="$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
java -Xmx256m -cp "$CP" kafka.tools.StorageTool format -t "$CLUSTER" -c "$WORK/kafka/server.properties" > "$WORK/kafka-format.log" 2>&1
java -Xmx384m -cp "$CP" kafka.Kafka "$WORK/kafka/server.properties" > "$WORK/kafka.log" 2>&1 &
PIDS+=($!)

cat > "$WORK/vlm/config/application.properties" <<PROPS
kafka.bootstrap.servers=127.0.0.1:$KAFKA_PORT
sightline.internal.token=$TOKEN
sightline.vlm.model=tiny
sightline.vlm.models-dir=$WORK/vlm/models
sightline.vlm.download.enabled=false
sightline.vlm.llama-server.executable=$LLAMA/bin/llama-server
sightline.vlm.llama-server.log-dir=$WORK
sightline.vlm.llama-server.ctx-size=2048
sightline.vlm.llama-server.threads=1
sightline.vlm.hosted.tiny.model=$LLAMA/models/tiny-llava-text.gguf
sightline.vlm.hosted.tiny.mmproj=$LLAMA/models/tiny-llava-mmproj.gguf
sightline.vlm.hosted.tiny.port=$LLAMA_PORT
sightline.vlm.hosted.tiny.parallel=2
sightline.vlm.queue.batch-cap=64
PROPS
(cd "$WORK/vlm" && exec java -Xmx256m -XX:+UseSerialGC -Dquarkus.http.port=$VLM_PORT -jar "${VLM_APP:-$ROOT/vlm-service/target/quarkus-app}/quarkus-run.jar" > "$WORK/vlm-service.log" 2>&1) &
PIDS+=($!)
for i in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$VLM_PORT/q/health/ready" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$VLM_PORT/q/health/ready" >/dev/null || { echo "vlm-service not ready; see $WORK/vlm-service.log"; exit 1; }
echo "load average before: $(cat /proc/loadavg)"
# the direct baseline needs the llama-server up: the driver's first (cold) request through vlm-service starts it
java -Xmx256m "$ROOT/bench/vlm-service/VlmServiceBench.java" "http://127.0.0.1:$VLM_PORT/v1" "http://127.0.0.1:$LLAMA_PORT/v1" "$TOKEN" tiny
echo "load average after: $(cat /proc/loadavg)"
