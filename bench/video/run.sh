#!/usr/bin/env bash
# Video decoding and feature extraction speed of `neurotopics features`:
# generates N MSVD-sized clips (320x240, 30 fps, 10 s, H.264 .mp4) from ffmpeg's
# test sources with train/val/test .tsv captions, runs `neurotopics features
# --jobs 2` on them R times (a fresh --out each run), reports clips/s decoded and
# decoded+encoded (median and range), projects MSVD and MSR-VTT times, then runs
# 2 shards side by side (xargs -P 2) and `features merge`, and checks that the
# merged features.npy is byte-identical to the unsharded run's (exit 1 if not).
#
#   bench/video/run.sh                      # 40 clips, 3 runs
#   bench/video/run.sh -n 100 -r 5          # or N=100 RUNS=5 bench/video/run.sh
#   GOEXPERIMENT=simd bench/video/run.sh    # the build the Dockerfile uses
#   KEEP=1 bench/video/run.sh               # keep the temp folder (clips, outputs)
#
# Needs Go, ffmpeg and ffprobe (scripts/install-ffmpeg.sh) with libx264.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-40}
RUNS=${RUNS:-3}
while getopts "n:r:h" opt; do
  case $opt in
    n) N=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
(( N >= 7 && RUNS >= 1 )) || { echo "need at least 7 clips (train, val and test each need clips) and 1 run" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ntvideo.XXXXXX")
if [[ -n ${KEEP:-} ]]; then echo "keeping $TMP"; else trap 'rm -rf "$TMP"' EXIT; fi
BIN=$TMP/neurotopics
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit+=" (with uncommitted changes)"
echo "commit:  $commit"
echo "build:   $(go version | cut -d' ' -f3), GOEXPERIMENT=${GOEXPERIMENT:-}"
echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "ffmpeg:  $(ffmpeg -version | head -1)"
echo "load before: $(uptime | sed 's/.*load average: //')"
go build -o "$BIN" ./cmd/neurotopics

# N clips, 2 at a time: four sources, each clip with its own hue and noise seed.
mkdir -p "$TMP/videos" "$TMP/captions"
gen() {
  local i=$1 id src word
  id=$(printf 'clip%04d' "$i")
  case $((i % 4)) in
    0) src="testsrc2=size=320x240:rate=30"; word="test pattern" ;;
    1) src="smptebars=size=320x240:rate=30"; word="colour bars" ;;
    2) src="mandelbrot=size=320x240:rate=30"; word="fractal zoom" ;;
    3) src="cellauto=size=320x240:rate=30:rule=$((30 + i % 3 * 60)):seed=$i"; word="cellular automaton" ;;
  esac
  ffmpeg -nostdin -v error -y -f lavfi -i "$src" -t 10 \
    -vf "hue=h=$((i * 47 % 360)),noise=alls=10:allf=t:all_seed=$i" \
    -threads 1 -c:v libx264 -pix_fmt yuv420p "$TMP/videos/$id.mp4"
  printf '%s\ta %s on screen\n%s\tclip %d shows a %s\n' "$id" "$word" "$id" "$i" "$word" >"$TMP/captions/$id.part"
}
t0=$(date +%s.%N)
for ((i = 0; i < N; i++)); do
  gen "$i" &
  (( i % 2 == 1 )) && wait
done
wait
(( $(ls "$TMP/videos" | wc -l) == N )) || { echo "ffmpeg made $(ls "$TMP/videos" | wc -l) of $N clips" >&2; exit 1; }
ntrain=$(( N * 70 / 100 )); nval=$(( N * 15 / 100 ))
for ((i = 0; i < N; i++)); do
  if (( i < ntrain )); then s=train; elif (( i < ntrain + nval )); then s=val; else s=test; fi
  cat "$TMP/captions/$(printf 'clip%04d' "$i").part" >>"$TMP/captions/$s.tsv"
done
rm -f "$TMP"/captions/*.part
printf 'generated %d clips (%d/%d/%d train/val/test, %s) in %.0fs\n' "$N" "$ntrain" "$nval" $((N - ntrain - nval)) \
  "$(du -sh "$TMP/videos" | cut -f1)" "$(echo "$(date +%s.%N) - $t0" | bc)"

# stats LABEL VALUES...: median and range.
stats() {
  local label=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v l="$label" '{v[NR]=$1} END {
    m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    printf "%-34s median %8.2f  range %.2f–%.2f\n", l, m, v[1], v[NR] }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

dec=(); enc=(); wall=(); rdec=(); rall=()
for ((r = 1; r <= RUNS; r++)); do
  out=$TMP/run$r
  t0=$(date +%s.%N)
  "$BIN" features --videos "$TMP/videos" --captions "$TMP/captions" --out "$out" --jobs 2 >"$TMP/stdout$r" 2>"$TMP/stderr$r" ||
    { cat "$TMP/stderr$r" >&2; echo "run $r failed" >&2; exit 1; }
  w=$(echo "$(date +%s.%N) - $t0" | bc)
  line=$(grep '^decoded .* clips of shard' "$TMP/stderr$r") || { cat "$TMP/stderr$r" >&2; exit 1; }
  read -r nd d nf < <(sed -E 's/^decoded ([0-9]+) clips of shard [0-9/]+ in ([0-9.]+)s \(([0-9]+) could not be read\)$/\1 \2 \3/' <<<"$line")
  e=$(sed -nE 's/^features of [0-9]+ clips .* \(([0-9.]+)s\);.*/\1/p' "$TMP/stdout$r")
  ne=$(sed -nE 's/^features of ([0-9]+) clips .*/\1/p' "$TMP/stdout$r")
  if [[ $nd != "$N" || $nf != 0 || $ne != "$N" || -z $e ]]; then
    echo "run $r: expected $N clips decoded and encoded, 0 unreadable; got:" >&2
    cat "$TMP/stderr$r" "$TMP/stdout$r" >&2; exit 1
  fi
  printf 'run %d: decoded %d clips in %.1fs, encoded in %.1fs, command %.1fs wall\n' "$r" "$nd" "$d" "$e" "$w"
  dec+=("$d"); enc+=("$e"); wall+=("$w")
  rdec+=("$(echo "scale=4; $N / $d" | bc)"); rall+=("$(echo "scale=4; $N / ($d + $e)" | bc)")
done
echo
stats "decode seconds" "${dec[@]}"
stats "encode seconds" "${enc[@]}"
stats "command wall seconds" "${wall[@]}"
stats "clips/s decoded" "${rdec[@]}"
stats "clips/s decoded+encoded" "${rall[@]}"

# Projections at the median rates (encoding scaled by clips; decoding of
# MSR-VTT's ~15 s clips also by duration, 1.5x).
md=$(median "${rdec[@]}"); ma=$(median "${rall[@]}"); me=$(median "${enc[@]}")
ers=$(echo "scale=4; $N / $me" | bc)   # clips/s encoded
awk -v md="$md" -v ma="$ma" -v er="$ers" 'BEGIN {
  msvd = 1970 / ma
  printf "\nprojected MSVD (1,970 clips): decode %.0fs, decode+encode %.0fs (%.1f min): %s the goal of <= 10 min on 2 cores\n",
    1970 / md, msvd, msvd / 60, msvd <= 600 ? "meets" : "does NOT meet"
  printf "projected MSR-VTT (10,000 clips): decode+encode %.0fs (%.1f min) at 10 s a clip; with decoding scaled 1.5x for ~15 s clips %.0fs (%.1f min)\n",
    10000 / ma, 10000 / ma / 60, 1.5 * 10000 / md + 10000 / er, (1.5 * 10000 / md + 10000 / er) / 60 }'

# Sharded: 2 shards side by side (one ffmpeg each), then merge.
t0=$(date +%s.%N)
printf '1\n2\n' | xargs -P 2 -I{} "$BIN" features --videos "$TMP/videos" --captions "$TMP/captions" \
  --shard {}/2 --jobs 1 --out "$TMP/shard{}" >"$TMP/shard.log" 2>&1 || { cat "$TMP/shard.log" >&2; exit 1; }
"$BIN" features merge --captions "$TMP/captions" --out "$TMP/merged" "$TMP/shard1" "$TMP/shard2" >>"$TMP/shard.log" 2>&1 ||
  { cat "$TMP/shard.log" >&2; exit 1; }
ws=$(echo "$(date +%s.%N) - $t0" | bc)
grep -E '^(decoded|shard|features of)' "$TMP/shard.log" | sed "s|$TMP/||g"
printf 'sharded (2 shards x --jobs 1, then merge): %.1fs wall\n' "$ws"
if cmp "$TMP/run1/features.npy" "$TMP/merged/features.npy" && cmp "$TMP/run1/ids.txt" "$TMP/merged/ids.txt"; then
  echo "merged features.npy and ids.txt: byte-identical to the unsharded run's"
else
  echo "merged features differ from the unsharded run's" >&2; exit 1
fi
echo "load after: $(uptime | sed 's/.*load average: //')"
