#!/usr/bin/env bash
# CPU a process uses over a window, as a share of one core, from /proc/<pid>/stat (utime + stime).
# Usage: bench/fallback/idle-cpu.sh <pid> [seconds, default 30]
set -euo pipefail
pid="$1"; window="${2:-30}"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
t0="$(ticks "$pid")"; s0="$(date +%s.%N)"
sleep "$window"
t1="$(ticks "$pid")"; s1="$(date +%s.%N)"
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" -v pid="$pid" \
  'BEGIN { printf "pid %s: %.2f %% of a core over %.1f s (%d ticks at %d Hz)\n", pid, 100 * (b - a) / hz / (s1 - s0), s1 - s0, b - a, hz }'
