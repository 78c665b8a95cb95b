#!/usr/bin/env bash
# CPU per pushed frame in capture-service (issue 13, push path).
#
# Starts a fresh single-node Kafka (tools/local-kafka) and the packaged capture-service (quarkus-run.jar,
# the JVM flags ./sightline gives it), then pushes a JPEG with PushLoadDriver straight to capture-service's
# push route, N closed-loop clients, each to its own push camera. Reads utime+stime of both processes from
# /proc/<pid>/stat around the measured driver run and prints CPU ms per pushed frame. JFR=1 adds a flight
# recording of capture-service during the measured run (it costs CPU itself: take figures from a run without it).
#
# Usage: bench/capture/push-cpu.sh [requests (2000)] [clients (16)] [jpeg (/tmp/framepath/in-720p-q85.jpg)]
# Needs: ./mvnw -o -B -q package -DskipTests -pl capture-service,tools/local-kafka -am
#        javac -d /tmp/push-cpu/driver bench/gateway/src/main/java/io/sightline/bench/gateway/PushLoadDriver.java
#        the JPEG (FramePathBench writes /tmp/framepath/in-720p-q85.jpg)
# Env: PUSH_CPU_WARMUP (warm-up pushes before the measured run, default = requests), PUSH_CPU_DIR (/tmp/push-cpu), PUSH_CPU_KAFKA_PORT (23092), PUSH_CPU_CAPTURE_PORT (23081), JFR (0),
#      CAPTURE_JAVA_OPTS (extra JVM flags for capture-service).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REQUESTS="${1:-2000}"
CLIENTS="${2:-16}"
JPEG="${3:-/tmp/framepath/in-720p-q85.jpg}"
DIR="${PUSH_CPU_DIR:-/tmp/push-cpu}"
KAFKA_PORT="${PUSH_CPU_KAFKA_PORT:-23092}"
CONTROLLER_PORT=$((KAFKA_PORT + 1))
CAPTURE_PORT="${PUSH_CPU_CAPTURE_PORT:-23081}"
TICKS="$(getconf CLK_TCK)"

[[ -f "$ROOT/capture-service/target/quarkus-app/quarkus-run.jar" ]] || { echo "package capture-service first" >&2; exit 1; }
[[ -d "$ROOT/tools/local-kafka/target/lib" ]] || { echo "package tools/local-kafka first" >&2; exit 1; }
[[ -f "$DIR/driver/io/sightline/bench/gateway/PushLoadDriver.class" ]] || { echo "compile PushLoadDriver into $DIR/driver" >&2; exit 1; }
[[ -f "$JPEG" ]] || { echo "no $JPEG (run FramePathBench)" >&2; exit 1; }

rm -rf "$DIR/kafka" "$DIR/state"
mkdir -p "$DIR/kafka/data" "$DIR/state" "$DIR/logs"
KAFKA_PID=""
CAPTURE_PID=""
cleanup() {
  [[ -n "$CAPTURE_PID" ]] && kill "$CAPTURE_PID" 2>/dev/null && wait "$CAPTURE_PID" 2>/dev/null || true
  [[ -n "$KAFKA_PID" ]] && kill "$KAFKA_PID" 2>/dev/null && wait "$KAFKA_PID" 2>/dev/null || true
}
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sys_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $13}'; }
# "<ticks> <thread name>" per thread of a process; numbered names (executor-thread-3) summed under one
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    printf '%s %s\n' "$(sed 's/.*) //' "$t/stat" | awk '{print $12 + $13}')" "$(tr ' ' '_' < "$t/comm" | sed 's/[-_ ]*[0-9]*$//')"
  done 2>/dev/null | awk '{s[$2] += $1} END {for (n in s) print n, s[n]}' | sort
}

cat > "$DIR/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/kafka/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
message.max.bytes=8388608
replica.fetch.max.bytes=8388608
EOF
KCP="$ROOT/tools/local-kafka/target/lib/*"
java -cp "$KCP" kafka.tools.StorageTool format -t "$(java -cp "$KCP" kafka.tools.StorageTool random-uuid | tail -n1)" \
  -c "$DIR/kafka/server.properties" > "$DIR/logs/kafka.log" 2>&1
# the flags ./sightline starts its broker with
java -Xms64m -Xmx384m -XX:+UseG1GC -Djava.awt.headless=true -cp "$KCP" kafka.Kafka "$DIR/kafka/server.properties" \
  >> "$DIR/logs/kafka.log" 2>&1 &
KAFKA_PID=$!
until port_open "$KAFKA_PORT"; do kill -0 "$KAFKA_PID" || { echo "kafka exited, see $DIR/logs/kafka.log" >&2; exit 1; }; sleep 0.5; done

TOKEN="push-cpu-$RANDOM$RANDOM"
printf '%s' "$TOKEN" > "$DIR/token"
JFR_OPTS=()
[[ "${JFR:-0}" == 1 ]] && JFR_OPTS=("-XX:StartFlightRecording=name=push,settings=profile,filename=$DIR/capture.jfr")
# the flags ./sightline gives capture-service (heap_flags, SerialGC, full tiered compilation)
(
  # cwd in the worktree: a hold of the helpers' processes (SIGSTOP by cwd) then pauses broker, service and driver together
  cd "$ROOT"
  QUARKUS_HTTP_PORT="$CAPTURE_PORT" QUARKUS_HTTP_HOST=127.0.0.1 KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" \
  SIGHTLINE_STATE_DIR="$DIR/state" SIGHTLINE_INTERNAL_TOKEN="$TOKEN" \
  exec java -Xms32m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true ${CAPTURE_JAVA_OPTS:-} "${JFR_OPTS[@]}" \
    -jar "$ROOT/capture-service/target/quarkus-app/quarkus-run.jar"
) > "$DIR/logs/capture-service.log" 2>&1 &
CAPTURE_PID=$!
until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CAPTURE_PORT/q/health/ready" || true)" == 200 ]]; do
  kill -0 "$CAPTURE_PID" || { echo "capture-service exited, see $DIR/logs/capture-service.log" >&2; exit 1; }
  sleep 1
done

DRIVER=(java -Xmx256m -cp "$DIR/driver" io.sightline.bench.gateway.PushLoadDriver "http://127.0.0.1:$CAPTURE_PORT" "$DIR/token" "$JPEG" "$CLIENTS")
# warm-up: JIT, producer connections and metadata (the driver warms up again with requests/5 inside each run)
"${DRIVER[@]}" "${PUSH_CPU_WARMUP:-$REQUESTS}" bench-push- | sed 's/^/warm-up: /'
[[ "${JFR:-0}" == 1 ]] && jcmd "$CAPTURE_PID" JFR.stop name=push > /dev/null && \
  jcmd "$CAPTURE_PID" JFR.start name=push settings=profile filename="$DIR/capture.jfr" > /dev/null
WARMUP=$(( CLIENTS * 5 > REQUESTS / 5 ? CLIENTS * 5 : REQUESTS / 5 ))
PUSHES=$(( REQUESTS + WARMUP ))
thread_ticks "$CAPTURE_PID" > "$DIR/threads.before"
s0="$(sys_ticks "$CAPTURE_PID")"; c0="$(cpu_ticks "$CAPTURE_PID")"; k0="$(cpu_ticks "$KAFKA_PID")"; t0="$(date +%s.%N)"
"${DRIVER[@]}" "$REQUESTS" bench-push-
s1="$(sys_ticks "$CAPTURE_PID")"; c1="$(cpu_ticks "$CAPTURE_PID")"; k1="$(cpu_ticks "$KAFKA_PID")"; t1="$(date +%s.%N)"
thread_ticks "$CAPTURE_PID" > "$DIR/threads.after"
[[ "${JFR:-0}" == 1 ]] && jcmd "$CAPTURE_PID" JFR.stop name=push > /dev/null && echo "JFR: $DIR/capture.jfr"
awk -v c="$((c1 - c0))" -v s="$((s1 - s0))" -v k="$((k1 - k0))" -v n="$PUSHES" -v hz="$TICKS" -v t0="$t0" -v t1="$t1" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  printf "CPU per pushed frame over %d pushes (%.1f s): capture-service %.2f ms (kernel %.2f), kafka %.2f ms; capture-service used %.2f cores; load average %s\n",
    n, t1 - t0, c * 1000 / hz / n, s * 1000 / hz / n, k * 1000 / hz / n, c / hz / (t1 - t0), load }'
echo "capture-service CPU ms per pushed frame by thread (threads that exited during the run are missing):"
join -a 2 -e 0 -o 0,1.2,2.2 "$DIR/threads.before" "$DIR/threads.after" \
  | awk -v n="$PUSHES" -v hz="$TICKS" '$3 - $2 > 0 {printf "  %-40s %6.2f\n", $1, ($3 - $2) * 1000 / hz / n}' | sort -k2 -rn
grep -m 3 ' ERROR ' "$DIR/logs/capture-service.log" | cut -c1-400 || true
grep -c ' WARN \| ERROR ' "$DIR/logs/capture-service.log" | sed 's/^/capture-service log lines at WARN or ERROR: /'
