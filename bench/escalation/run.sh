#!/usr/bin/env bash
# Builds caption-service (packaged) and capture-service (for its change gate) through the reactor, compiles this
# driver against test-support's classpath without installing anything, then replays the recording. Args: [recall window s].
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd); cd "$root"
./mvnw -o -B -q -pl caption-service -am package -DskipTests
./mvnw -o -B -q -pl capture-service -am compile
./mvnw -o -B -q -pl test-support -am compile dependency:build-classpath -Dmdep.outputFile="$here/target/classpath.txt"
rm -rf "$here/target/caption-service-app" && mkdir -p "$here/target/classes"
cp -r caption-service/target/quarkus-app "$here/target/caption-service-app"
cp="$root/common/target/classes:$root/test-support/target/classes:$root/capture-service/target/classes:$(cat "$here/target/classpath.txt")"
javac -d "$here/target/classes" -cp "$cp" $(find "$here/src/main/java" -name '*.java')
cd "$here" && java -Dsightline.testdata.dir="$root/../shared/testdata" -Dsightline.models.dir="$root/../shared/models" \
  -cp "$here/target/classes:$cp" io.sightline.bench.escalation.EscalationReplayBench "$@"
