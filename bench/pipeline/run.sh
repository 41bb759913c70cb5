#!/usr/bin/env bash
# Times the main job as docs/benchmarks.md reports it: the README's build
# (GOEXPERIMENT=simd), one cold `run` (an empty feature cache: the frame
# encoder's fit and encoding included), RUNS runs with the features cached
# (each into a new output folder), and, with SEEDS3=1, one `run --seeds 3`.
# For each run it records the 1-minute load before it, the wall time, the
# user CPU time and the peak RSS (/usr/bin/time -v), checks that every
# cached run's metrics.json is the cold run's byte for byte, and prints a
# markdown table and the median and range of the cached runs.
#
#   bench/pipeline/run.sh                  # cold + 5 cached runs (≈ 13 min on 2 cores)
#   RUNS=3 SEEDS3=1 bench/pipeline/run.sh  # cold + 3 cached + --seeds 3
#   ARGS="--quick" RUNS=2 bench/pipeline/run.sh
#
# Run it on an otherwise idle machine: other work on the host shows up in
# the loads it prints. Work files go to $WORK (default: a new temporary
# folder, removed at the end unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
SEEDS3=${SEEDS3:-0}
ARGS=${ARGS:-}
if [ ! -x /usr/bin/time ]; then
  echo "bench/pipeline/run.sh needs /usr/bin/time for the peak RSS: apt-get install time" >&2
  exit 1
fi
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
if [ "${KEEP:-0}" != 1 ] && [ -z "${WORK:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
echo "building: GOEXPERIMENT=simd go build -o $work/nt ./cmd/neurotopics" >&2
GOEXPERIMENT=simd go build -o "$work/nt" ./cmd/neurotopics

rows=()
cached=()
# timed NAME ARGS…: one run of nt, its row appended to rows.
timed() {
  local name=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  echo "$name: nt $* (load $load)" >&2
  if ! /usr/bin/time -v "$work/nt" "$@" >"$work/$name.log" 2>"$work/$name.time"; then
    echo "$name failed; its output:" >&2; tail -20 "$work/$name.log" "$work/$name.time" >&2; exit 1
  fi
  local wall user rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; printf "%.1f", s}' "$work/$name.time")
  user=$(awk -F': ' '/User time/ {printf "%.0f", $2}' "$work/$name.time")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.2f", $2/1048576}' "$work/$name.time")
  rows+=("| $name | $load | $wall | $user | $rss |")
  LAST_WALL=$wall
}

# shellcheck disable=SC2086 # ARGS is a list of flags
timed cold run --quiet $ARGS --cache "$work/cache" --out "$work/out-cold"
for i in $(seq 1 "$RUNS"); do
  # shellcheck disable=SC2086
  timed "cached$i" run --quiet $ARGS --cache "$work/cache" --out "$work/out-$i"
  cached+=("$LAST_WALL")
  if ! cmp -s "$work/out-cold/metrics.json" "$work/out-$i/metrics.json"; then
    echo "cached$i: metrics.json differs from the cold run's" >&2; exit 1
  fi
done
if [ "$SEEDS3" = 1 ]; then
  # shellcheck disable=SC2086
  timed seeds3 run --quiet $ARGS --seeds 3 --cache "$work/cache" --out "$work/out-seeds3"
fi

echo
echo "$(go version | cut -d' ' -f3), GOEXPERIMENT=simd, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); run $ARGS"
echo
echo "| run | load before | wall s | user CPU s | peak RSS GB |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if [ "${#cached[@]}" -gt 0 ]; then
  printf '%s\n' "${cached[@]}" | sort -g | awk '{v[NR]=$1} END {m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
    printf "\nfeatures cached, %d runs: median %.1f s (%.1f–%.1f); metrics.json identical to the cold run'"'"'s in all\n", NR, m, v[1], v[NR]}'
fi
