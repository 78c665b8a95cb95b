#!/usr/bin/env bash
# GatewayLoadDriver on this tree's gateway and on an older build's (OLD_JAR), interleaved twice, with the JIT flag
# ./sightline gives the gateway (GATEWAY_JVM overrides). Compile the driver first (RESULTS.md, template section).
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CP="/tmp/perf-bench/gwd:test-support/target/classes:$(cat /tmp/cp-ts.txt)"
NEW=$PWD/gateway/target/quarkus-app/quarkus-run.jar
OLD=${OLD_JAR:?OLD_JAR: the older build's gateway quarkus-run.jar}
for jar in $NEW $OLD $NEW $OLD; do
  echo "=== $jar"
  java -Dgateway.jar=$jar "-Dgateway.jvm=${GATEWAY_JVM:--XX:TieredStopAtLevel=1}" -cp "$CP" io.sightline.bench.gateway.GatewayLoadDriver 2000 200 2 2>&1 | grep -E "^\||^Run|^#"
done
