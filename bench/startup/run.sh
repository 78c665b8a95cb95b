#!/usr/bin/env bash
# Start-to-ready time and RSS of every packaged Sightline service next to an empty Quarkus 3.28.5 app
# (quarkus-rest + quarkus-smallrye-health), each with the JIT flags ./sightline uses and with the other
# setting (full tiered compilation vs -XX:TieredStopAtLevel=1). See bench/startup/RESULTS.md.
#
#   bench/startup/run.sh            # REPEATS=3 LOAD_SECONDS=30 PORT_BASE=26000 SERVICES="capture-service ..."
#
# How: builds the empty app under $EMPTY_DIR (offline, -o), starts the whole stack with ./sightline up
# (broker, database and every service the measured one talks to; SIGHTLINE_HOME=$SIGHTLINE_HOME, ports
# PORT_BASE+80..99), then for each service in turn: takes the running instance's command line, environment
# and working directory from /proc, stops it, and starts it again alone with exactly that command line
# (and the JIT variant), measuring wall clock from exec to the first 200 of /q/health/ready (polled every
# 50 ms), VmRSS when ready, and VmRSS after LOAD_SECONDS of light load (two requests a second: its
# readiness and a cheap GET, while the stack's demo camera sends a frame a second through capture,
# caption, fallback, history and watch). The last instance of each service is left running under the
# stack's PID file, so ./sightline down (same env) stops everything; the script does that at the end
# unless KEEP_UP=1. Run it on a quiet box: one measurement at a time, nothing else running.
#
# CDS (class-data sharing, see ./sightline's cds_flags): CDS=on (default) measures every process with its
# archive: when the stack's first "up" had none, the script runs "down" (which saves them) and "up" again, and
# the empty app gets one of its own the same way; CDS=first measures the start that dumps the archive (the
# stack's archives are removed first); CDS=off starts everything without (SIGHTLINE_CDS=0).
# Besides wall clock, each line has the process's CPU seconds (user + system, /proc/<pid>/stat) up to ready:
# robust when the box is busy or the process is held for a while.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT_BASE="${PORT_BASE:-26000}"
REPEATS="${REPEATS:-3}"
LOAD_SECONDS="${LOAD_SECONDS:-30}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"
SERVICES_TO_MEASURE="${SERVICES:-capture-service caption-service fallback-service vlm-service history-service watch-service notify-service gateway}"
EMPTY_DIR="${EMPTY_DIR:-/tmp/sl-startup-empty}"
OUT="${OUT:-/tmp/sl-startup-results.tsv}"
CDS="${CDS:-on}"
# the JIT variants a service is measured with (the empty app always gets both)
VARIANTS="${VARIANTS:-c1 c2}"

export SIGHTLINE_HOME="${SIGHTLINE_HOME:-/tmp/sl-startup}"
export SIGHTLINE_GATEWAY_PORT=$((PORT_BASE + 80)) SIGHTLINE_CAPTURE_PORT=$((PORT_BASE + 81))
export SIGHTLINE_CAPTION_PORT=$((PORT_BASE + 82)) SIGHTLINE_FALLBACK_PORT=$((PORT_BASE + 83))
export SIGHTLINE_VLM_PORT=$((PORT_BASE + 84)) SIGHTLINE_HISTORY_PORT=$((PORT_BASE + 85))
export SIGHTLINE_WATCH_PORT=$((PORT_BASE + 86)) SIGHTLINE_NOTIFY_PORT=$((PORT_BASE + 87))
export SIGHTLINE_KAFKA_PORT=$((PORT_BASE + 92)) SIGHTLINE_KAFKA_CONTROLLER_PORT=$((PORT_BASE + 93))
export SIGHTLINE_POSTGRES_PORT=$((PORT_BASE + 32))
export SIGHTLINE_READY_TIMEOUT="$READY_TIMEOUT"
EMPTY_PORT=$((PORT_BASE + 99))
PIDS="$SIGHTLINE_HOME/pids"
case "$CDS" in
  on|first) export SIGHTLINE_CDS=1 ;;
  off) export SIGHTLINE_CDS=0 ;;
  *) echo "bench/startup: CDS is on, first or off" >&2; exit 2 ;;
esac

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'bench/startup: %s\n' "$*" >&2; exit 1; }

port_of() {
  case "$1" in
    gateway) echo "$SIGHTLINE_GATEWAY_PORT" ;;
    capture-service) echo "$SIGHTLINE_CAPTURE_PORT" ;;
    caption-service) echo "$SIGHTLINE_CAPTION_PORT" ;;
    fallback-service) echo "$SIGHTLINE_FALLBACK_PORT" ;;
    vlm-service) echo "$SIGHTLINE_VLM_PORT" ;;
    history-service) echo "$SIGHTLINE_HISTORY_PORT" ;;
    watch-service) echo "$SIGHTLINE_WATCH_PORT" ;;
    notify-service) echo "$SIGHTLINE_NOTIFY_PORT" ;;
    empty-quarkus) echo "$EMPTY_PORT" ;;
  esac
}

# a cheap GET each service answers (auth or not: the request is the load, not the answer)
light_path() {
  case "$1" in
    gateway) echo /api/v1/cameras ;;
    capture-service) echo /api/v1/cameras ;;
    caption-service) echo /api/v1/backends ;;
    vlm-service) echo /v1/models ;;
    empty-quarkus) echo /hello ;;
    *) echo /q/health/live ;;
  esac
}

rss_mib() { awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

# user + system CPU seconds of process $1 so far (all its threads); the command name may hold spaces, so
# the fields are counted from the closing parenthesis
cpu_seconds() {
  local stat
  stat="$(cat "/proc/$1/stat")"
  awk -v hz="$(getconf CLK_TCK)" '{ print ($12 + $13) / hz }' <<< "${stat##*) }"
}

build_empty_app() {
  if [[ -f "$EMPTY_DIR/target/quarkus-app/quarkus-run.jar" ]]; then
    return
  fi
  log "building the empty Quarkus app in $EMPTY_DIR (offline)"
  rm -rf "$EMPTY_DIR"
  mkdir -p "$EMPTY_DIR/src/main/java/bench/empty" "$EMPTY_DIR/src/main/resources"
  cp "$ROOT/bench/startup/empty-app-pom.xml" "$EMPTY_DIR/pom.xml"
  cat > "$EMPTY_DIR/src/main/java/bench/empty/HelloResource.java" <<'EOF'
package bench.empty;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("/hello")
public class HelloResource {
    @GET
    public String hello() {
        return "hello";
    }
}
EOF
  "$ROOT/mvnw" -o -B -q -f "$EMPTY_DIR/pom.xml" package -DskipTests || die "the empty app did not build offline"
}

# CPU seconds per thread of process $1, summed by thread name (digits dropped: "executor-thread-3" counts as
# "executor-thread-"), the largest first: where the start spends its CPU (main, C1/C2 compilers, GC, Kafka...)
thread_cpu() {
  local hz t stat
  hz="$(getconf CLK_TCK)"
  for t in /proc/"$1"/task/*; do
    stat="$(cat "$t/stat" 2>/dev/null)" || continue
    printf '%s\t%s\n' "$(tr -d '0-9' < "$t/comm")" "$(awk '{ print $12 + $13 }' <<< "${stat##*) }")"
  done | awk -F'\t' -v hz="$hz" '{ c[$1] += $2 } END { for (n in c) printf "%.2f\t%s\n", c[n] / hz, n }' | sort -rn | head -n 8 \
    | awk -F'\t' '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 } END { print "" }'
}

# measure NAME VARIANT CWD -- ENV... -- CMD...   prints: name variant seconds rss_ready rss_load pid cpu_seconds
# VARIANT: "c1" (-XX:TieredStopAtLevel=1 added) or "c2" (removed: full tiered compilation)
measure() {
  local name="$1" variant="$2" cwd="$3"
  shift 3
  [[ "$1" == -- ]] || die "measure: expected --"
  shift
  local envs=() cmd=()
  while [[ "$1" != -- ]]; do envs+=("$1"); shift; done
  shift
  local arg first=1
  for arg in "$@"; do
    [[ "$arg" == -XX:TieredStopAtLevel=1 ]] && continue
    cmd+=("$arg")
    if (( first )) && [[ "$variant" == c1 ]]; then
      cmd+=(-XX:TieredStopAtLevel=1)
    fi
    first=0
  done
  local port path
  port="$(port_of "$name")"
  path="$(light_path "$name")"
  local t0 t1 pid
  t0="$(date +%s%N)"
  (cd "$cwd" && exec env -i "${envs[@]}" "${cmd[@]}" >> "$SIGHTLINE_HOME/logs/startup-bench-$name.log" 2>&1) &
  pid=$!
  while [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/q/health/ready" || true)" != 200 ]]; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during startup (see $SIGHTLINE_HOME/logs/startup-bench-$name.log)"
    (( ($(date +%s%N) - t0) / 1000000000 < READY_TIMEOUT )) || die "$name not ready within ${READY_TIMEOUT}s"
    sleep 0.05
  done
  t1="$(date +%s%N)"
  local ready cpu
  ready="$(rss_mib "$pid")"
  cpu="$(cpu_seconds "$pid")"
  printf '%s\t%s\t%s\n' "$name" "$variant" "$(thread_cpu "$pid")" >> "$OUT.threads"
  local end=$((SECONDS + LOAD_SECONDS))
  while (( SECONDS < end )); do
    curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/q/health/ready" || true
    curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port$path" || true
    sleep 0.5
  done
  printf '%s\t%s\t%.2f\t%s\t%s\t%s\t%.2f\n' "$name" "$variant" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print (b - a) / 1e9}')" \
    "$ready" "$(rss_mib "$pid")" "$pid" "$cpu"
}

stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# the capture-service restart forgets nothing (cameras persist), but the demo camera is re-put to be sure
ensure_demo_camera() {
  local images="${SIGHTLINE_DEMO_IMAGES:-$ROOT/../shared/testdata/images}"
  [[ -d "$images" ]] || return 0
  curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$SIGHTLINE_CAPTURE_PORT/api/v1/cameras/demo" \
    -H "Authorization: Bearer $(cat "$SIGHTLINE_HOME/secrets/internal.token")" -H 'Content-Type: application/json' \
    -d "{\"source\":{\"type\":\"directory\",\"path\":\"$(cd "$images" && pwd)\",\"loop\":true},\"fps\":1}" || true
}

main() {
  command -v curl >/dev/null || die "curl is needed"
  build_empty_app
  for s in $SERVICES_TO_MEASURE; do
    [[ -f "$ROOT/$s/target/quarkus-app/quarkus-run.jar" ]] \
      || die "$s is not packaged: ./mvnw -o -B -q package -DskipTests -pl $s,tools/local-kafka -am"
  done
  [[ "$CDS" == first ]] && rm -rf "$SIGHTLINE_HOME/cds"
  log "starting the stack (SIGHTLINE_HOME=$SIGHTLINE_HOME, ports $PORT_BASE+, CDS=$CDS)"
  # a second try: on a loaded box the broker may take longer than ./sightline's 60 s to open its port (it keeps
  # starting, and the second "up" finds it running)
  "$ROOT/sightline" up > "$SIGHTLINE_HOME.up.log" 2>&1 || "$ROOT/sightline" up >> "$SIGHTLINE_HOME.up.log" 2>&1 \
    || { cat "$SIGHTLINE_HOME.up.log" >&2; die "./sightline up failed"; }
  trap '[[ "${KEEP_UP:-0}" == 1 ]] || "$ROOT/sightline" down >/dev/null 2>&1 || true' EXIT
  local notes=()
  for s in $SERVICES_TO_MEASURE; do notes+=("$PIDS/$s.cds"); done
  if [[ "$CDS" == on ]] && grep -qs '^dump ' "${notes[@]}"; then
    log "no class-data archives yet: down (saves them) and up again"
    "$ROOT/sightline" down >> "$SIGHTLINE_HOME.up.log" 2>&1 || { cat "$SIGHTLINE_HOME.up.log" >&2; die "./sightline down failed"; }
    "$ROOT/sightline" up >> "$SIGHTLINE_HOME.up.log" 2>&1 || { cat "$SIGHTLINE_HOME.up.log" >&2; die "./sightline up failed"; }
  fi
  : > "$OUT"
  : > "$OUT.threads"

  # the empty app: same heap, GC and headless flags as ./sightline gives a service
  local empty_env=(PATH="$PATH" HOME="$HOME" QUARKUS_HTTP_PORT="$EMPTY_PORT" QUARKUS_HTTP_HOST=127.0.0.1)
  local empty_jvm=(java -Xms32m -Xmx"${SIGHTLINE_SERVICE_HEAP:-512m}" -XX:+UseSerialGC -Djava.awt.headless=true)
  local empty_jar=(-jar "$EMPTY_DIR/target/quarkus-app/quarkus-run.jar") empty_cmd
  mkdir -p "$SIGHTLINE_HOME/logs"
  # the empty app's archive, dumped the way ./sightline dumps a service's: one start, ready, TERM
  local empty_archive="$EMPTY_DIR/empty-quarkus.jsa"
  case "$CDS" in
    off) empty_cmd=("${empty_jvm[@]}" "${empty_jar[@]}") ;;
    first) empty_cmd=("${empty_jvm[@]}" -XX:ArchiveClassesAtExit="$empty_archive" "${empty_jar[@]}") ;;
    on)
      if [[ ! -s "$empty_archive" || "$empty_archive" -ot "$EMPTY_DIR/target/quarkus-app/quarkus-run.jar" ]]; then
        log "dumping the empty app's class-data archive"
        line="$(LOAD_SECONDS=0 measure empty-quarkus c2 "$EMPTY_DIR" -- "${empty_env[@]}" -- \
          "${empty_jvm[@]}" -XX:ArchiveClassesAtExit="$empty_archive" "${empty_jar[@]}")"
        stop_pid "$(cut -f6 <<< "$line")"
      fi
      empty_cmd=("${empty_jvm[@]}" -Xshare:auto -XX:+VerifySharedSpaces -XX:SharedArchiveFile="$empty_archive" "${empty_jar[@]}")
      ;;
  esac

  for r in $(seq 1 "$REPEATS"); do
    for variant in c1 c2; do
      log "round $r: empty-quarkus ($variant)"
      line="$(measure empty-quarkus "$variant" "$EMPTY_DIR" -- "${empty_env[@]}" -- "${empty_cmd[@]}")"
      echo "$line" >> "$OUT"
      stop_pid "$(cut -f6 <<< "$line")"
    done
    for s in $SERVICES_TO_MEASURE; do
      local pid envs=() cmd=() cwd
      pid="$(cat "$PIDS/$s.pid")"
      mapfile -d '' envs < "/proc/$pid/environ"
      mapfile -d '' cmd < "/proc/$pid/cmdline"
      cwd="$(readlink "/proc/$pid/cwd")"
      for variant in $VARIANTS; do
        stop_pid "$pid"
        log "round $r: $s ($variant)"
        line="$(measure "$s" "$variant" "$cwd" -- "${envs[@]}" -- "${cmd[@]}")"
        echo "$line" >> "$OUT"
        pid="$(cut -f6 <<< "$line")"
        echo "$pid" > "$PIDS/$s.pid"
        [[ "$s" == capture-service ]] && ensure_demo_camera
      done
    done
  done
  report
}

# median per (app, variant); ratio to the empty app with the same JIT flags
report() {
  local sightline_jit
  echo
  echo "CDS=$CDS, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| app | JIT | ./sightline uses | start to ready s | CPU to ready s | RSS ready MiB | RSS after ${LOAD_SECONDS}s load MiB | start / empty | CPU / empty | RSS (load) / empty |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' -v root="$ROOT" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { k = $1 SUBSEP $2; if (!(k in seen)) { order[++n] = k; seen[k] = 1 }
      t[k] = t[k] " " $3; r[k] = r[k] " " $4; l[k] = l[k] " " $5; c[k] = c[k] " " $7 }
    END {
      for (i = 1; i <= n; i++) { k = order[i]; mt[k] = median(t[k]); mr[k] = median(r[k]); ml[k] = median(l[k]); mc[k] = median(c[k]) }
      for (i = 1; i <= n; i++) {
        k = order[i]; split(k, p, SUBSEP); e = "empty-quarkus" SUBSEP p[2]
        uses = (p[1] == "empty-quarkus") ? "" : ((p[1] == "capture-service" || p[1] == "caption-service") ? "c2" : "c1")
        printf "| %s | %s | %s | %.2f | %.2f | %d | %d | %.2fx | %.2fx | %.2fx |\n", p[1], (p[2] == "c1" ? "C1 (TieredStopAtLevel=1)" : "C2 (full tiered)"),
          (uses == p[2] ? "yes" : ""), mt[k], mc[k], mr[k], ml[k], mt[k] / mt[e], mc[k] / mc[e], ml[k] / ml[e]
      }
    }' "$OUT"
  echo
  echo "raw measurements (app, JIT, seconds, RSS ready, RSS after load, pid, CPU seconds): $OUT"
  echo "CPU seconds to ready by thread: $OUT.threads"
}

main "$@"; exit $?
