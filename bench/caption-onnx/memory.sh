#!/usr/bin/env bash
# RSS of caption-service (onnx tier) under the same load, one packaged build after another, with NMT.
#
#   bench/caption-onnx/memory.sh APP_DIR [APP_DIR ...]      # e.g. /tmp/caption-old/quarkus-app caption-service/target/quarkus-app
#
# Needs a running stack (./sightline up, or bench/startup/run.sh with KEEP_UP=1) under the same SIGHTLINE_HOME
# and SIGHTLINE_*_PORT env. Takes the running caption-service's command line, environment and working
# directory from /proc, stops it, and for each APP_DIR starts that build's quarkus-run.jar with the same
# command line plus -XX:NativeMemoryTracking=summary and SIGHTLINE_VISION_BACKEND=onnx; when ready, a
# directory camera "caption-mem" on capture-service loops over the bench frames (the capture bench's 720p
# and 1080p JPEGs if present, and ../shared/testdata/images) at FPS frames/s, next to the stack's demo
# camera, for LOAD_SECONDS; then VmRSS/VmHWM, NMT's summary and the largest pmap mappings are written to
# $OUT_DIR/<n>-*.txt and a line per build is printed. The last build stays running under the stack's PID file.
# EXTRA_JVM_FLAGS go last before -jar (e.g. -Xmx256m); EXTRA_ENV="NAME=value ..." is added to the environment.
# DROP_ENV names environment variables to leave out (e.g. the malloc settings, to measure the build before them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOME_DIR="${SIGHTLINE_HOME:-$ROOT/.sightline}"
CAPTURE_PORT="${SIGHTLINE_CAPTURE_PORT:-8081}"
CAPTION_PORT="${SIGHTLINE_CAPTION_PORT:-8082}"
LOAD_SECONDS="${LOAD_SECONDS:-120}"
FPS="${FPS:-2}"
OUT_DIR="${OUT_DIR:-/tmp/caption-memory}"
EXTRA_JVM_FLAGS="${EXTRA_JVM_FLAGS:-}"
TOKEN="$(cat "$HOME_DIR/secrets/internal.token")"
PIDFILE="$HOME_DIR/pids/caption-service.pid"
MEDIA="$HOME_DIR/state/capture-service/media/caption-mem"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'memory.sh: %s\n' "$*" >&2; exit 1; }
(( $# >= 1 )) || die "usage: memory.sh APP_DIR [APP_DIR ...]"

mkdir -p "$OUT_DIR" "$MEDIA"
for f in /tmp/framepath/in-720p-q85.jpg /tmp/framepath/in-1080p-q90.jpg "$ROOT"/../shared/testdata/images/*.png; do
  [[ -f "$f" ]] && cp "$f" "$MEDIA/"
done

pid="$(cat "$PIDFILE")"
mapfile -d '' envs < "/proc/$pid/environ"
mapfile -d '' cmd < "/proc/$pid/cmdline"
cwd="$(readlink "/proc/$pid/cwd")"
# DROP_ENV="MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_": measure a build without what ./sightline now exports
if [[ -n "${DROP_ENV:-}" ]]; then
  kept=()
  for e in "${envs[@]}"; do
    drop=0
    for name in $DROP_ENV; do [[ "$e" == "$name="* ]] && drop=1; done
    (( drop )) || kept+=("$e")
  done
  envs=("${kept[@]}")
fi

stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 120); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$1" 2>/dev/null || true
}

camera() {
  if [[ "$1" == put ]]; then
    curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$CAPTURE_PORT/api/v1/cameras/caption-mem" \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"source\":{\"type\":\"directory\",\"path\":\"$MEDIA\",\"loop\":true},\"fps\":$FPS}"
  else
    curl -sS -o /dev/null -X DELETE "http://127.0.0.1:$CAPTURE_PORT/api/v1/cameras/caption-mem" \
      -H "Authorization: Bearer $TOKEN" || true
  fi
}

n=0
for app in "$@"; do
  n=$((n + 1))
  jar="$(cd "$app" && pwd)/quarkus-run.jar"
  [[ -f "$jar" ]] || die "no quarkus-run.jar in $app"
  run=()
  for a in "${cmd[@]}"; do
    [[ "$a" == -XX:NativeMemoryTracking=* ]] && continue
    if [[ "$a" == -jar ]]; then
      # NMT and the extra flags last before -jar, so they win over the stack's own (-Xmx...)
      run+=(-XX:NativeMemoryTracking=summary)
      # shellcheck disable=SC2206
      [[ -n "$EXTRA_JVM_FLAGS" ]] && run+=($EXTRA_JVM_FLAGS)
    fi
    if [[ "$a" == */quarkus-run.jar ]]; then run+=("$jar"); else run+=("$a"); fi
  done
  stop_pid "$pid"
  log "build $n: $jar"
  (cd "$cwd" && exec env -i "${envs[@]}" SIGHTLINE_VISION_BACKEND=onnx ${EXTRA_ENV:-} "${run[@]}" >> "$HOME_DIR/logs/caption-memory.log" 2>&1) &
  pid=$!
  echo "$pid" > "$PIDFILE"
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CAPTION_PORT/q/health/ready" || true)" == 200 ]]; do
    kill -0 "$pid" 2>/dev/null || die "caption-service exited, see $HOME_DIR/logs/caption-memory.log"
    sleep 0.5
  done
  ready="$(awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$pid/status")"
  camera put
  captions0="$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$CAPTION_PORT/q/metrics" | awk '/^sightline_captions_published_total/ {s += $2} END {print s + 0}')"
  sleep "$LOAD_SECONDS"
  camera delete
  captions1="$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$CAPTION_PORT/q/metrics" | awk '/^sightline_captions_published_total/ {s += $2} END {print s + 0}')"
  grep -E '^Vm(RSS|HWM)' "/proc/$pid/status" > "$OUT_DIR/$n-status.txt"
  jcmd "$pid" VM.native_memory summary > "$OUT_DIR/$n-nmt.txt" 2>&1 || true
  pmap -x "$pid" | sort -k3 -n -r | head -25 > "$OUT_DIR/$n-pmap.txt" 2>&1 || true
  rss="$(awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "$OUT_DIR/$n-status.txt")"
  hwm="$(awk '/^VmHWM:/ {printf "%d", $2 / 1024}' "$OUT_DIR/$n-status.txt")"
  committed="$(awk '/^Total:/ {for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) {sub("committed=", "", $i); sub("KB", "", $i); printf "%d", $i / 1024}}' "$OUT_DIR/$n-nmt.txt")"
  printf '%s\tready %s MiB\tafter %ss load %s MiB (peak %s MiB)\tNMT committed %s MiB\tcaptions %s\n' \
    "$app" "$ready" "$LOAD_SECONDS" "$rss" "$hwm" "${committed:-?}" "$((${captions1%.*} - ${captions0%.*}))"
done
