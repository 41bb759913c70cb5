#!/usr/bin/env bash
# Video decoding and feature extraction speed of `neurotopics features`:
# generates N MSVD-sized clips (320x240, 30 fps, 10 s, H.264 .mp4) from ffmpeg's
# test sources with train/val/test .tsv captions, runs `neurotopics features
# --jobs 2` on them R times (a fresh --out each run), reports clips/s decoded and
# decoded+encoded (median and range), measures how encoding grows with the clips
# (400 short clips), projects MSVD and MSR-VTT times, then runs 2 shards side by
# side (xargs -P 2) and `features merge`, and checks that the merged features.npy
# is byte-identical to the unsharded run's (exit 1 if not).
#
#   bench/video/run.sh                      # 40 clips, 3 runs
#   bench/video/run.sh -n 100 -r 5          # or N=100 RUNS=5 bench/video/run.sh
#   GOEXPERIMENT=simd bench/video/run.sh    # the build the Dockerfile uses
#   KEEP=1 bench/video/run.sh               # keep the temp folder (clips, outputs)
#
# Needs Go, bc, ffmpeg and ffprobe with libx264 (scripts/install-ffmpeg.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-40}
RUNS=${RUNS:-3}
while getopts "n:r:h" opt; do
  case $opt in
    n) N=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
(( N >= 7 && N <= 400 && RUNS >= 1 )) || { echo "need 7..400 clips (train, val and test each need clips) and 1 run or more" >&2; exit 2; }

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
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
cid() { printf 'clip%04d' "$1"; }

# N clips, 2 at a time: four sources, each clip with its own hue and noise seed;
# short/ holds a 1 s 64x48 cut of each, linked 10 times over for the encoding step.
mkdir -p "$TMP/videos" "$TMP/captions" "$TMP/short" "$TMP/many"
gen() {
  local i=$1 src
  case $((i % 4)) in
    0) src="testsrc2=size=320x240:rate=30" ;;
    1) src="smptebars=size=320x240:rate=30" ;;
    2) src="mandelbrot=size=320x240:rate=30" ;;
    3) src="cellauto=size=320x240:rate=30:rule=$((30 + i % 3 * 60)):seed=$i" ;;
  esac
  ffmpeg -nostdin -v error -y -f lavfi -i "$src" -t 10 -vf "hue=h=$((i * 47 % 360)),noise=alls=10:allf=t:all_seed=$i" \
    -threads 1 -c:v libx264 -pix_fmt yuv420p "$TMP/videos/$(cid "$i").mp4"
  ffmpeg -nostdin -v error -y -i "$TMP/videos/$(cid "$i").mp4" -t 1 -vf scale=64:48 -threads 1 -c:v libx264 "$TMP/short/$i.mp4"
}
words=("test pattern" "colour bars" "fractal zoom" "cellular automaton")
# captions DIR COUNT: train/val/test .tsv (70/15/15%), 2 captions for each of clips 0..COUNT-1.
captions() {
  local i s
  mkdir -p "$1"
  for ((i = 0; i < $2; i++)); do
    if (( i < $2 * 70 / 100 )); then s=train; elif (( i < $2 * 85 / 100 )); then s=val; else s=test; fi
    printf '%s\ta %s on screen\n%s\tclip %d shows a %s\n' "$(cid "$i")" "${words[i % 4]}" "$(cid "$i")" "$i" "${words[i % 4]}" >>"$1/$s.tsv"
  done
}
t0=$(now)
for ((i = 0; i < N; i++)); do gen "$i" & (( i % 2 == 1 )) && wait; done; wait
(( $(ls "$TMP/videos" | wc -l) == N )) || { echo "ffmpeg made $(ls "$TMP/videos" | wc -l) of $N clips" >&2; exit 1; }
captions "$TMP/captions" "$N"
clips() { echo $(( $(wc -l <"$TMP/captions/$1.tsv") / 2 )); }   # 2 captions a clip
printf 'generated %d clips (%d/%d/%d train/val/test, %s) in %.0fs\n' "$N" "$(clips train)" "$(clips val)" "$(clips test)" \
  "$(du -sh "$TMP/videos" | cut -f1)" "$(since "$t0")"

# feat OUT VIDEOS CAPTIONS COUNT [FLAGS]: runs features; sets d (decode s), e (encode s), w (wall s).
feat() {
  local out=$1 videos=$2 caps=$3 n=$4 line nd nf ne t; shift 4
  t=$(now)
  "$BIN" features --videos "$videos" --captions "$caps" --out "$out" --jobs 2 "$@" >"$out.out" 2>"$out.err" ||
    { cat "$out.err" >&2; echo "features --out $out failed" >&2; exit 1; }
  w=$(since "$t")
  line=$(grep '^decoded .* clips of shard' "$out.err") || { cat "$out.err" >&2; exit 1; }
  read -r nd d nf < <(sed -E 's/^decoded ([0-9]+) clips of shard [0-9/]+ in ([0-9.]+)s \(([0-9]+) could not be read\)$/\1 \2 \3/' <<<"$line")
  e=$(sed -nE 's/^features of [0-9]+ clips .* \(([0-9.]+)s\);.*/\1/p' "$out.out")
  ne=$(sed -nE 's/^features of ([0-9]+) clips .*/\1/p' "$out.out")
  if [[ $nd != "$n" || $nf != 0 || $ne != "$n" || -z $e ]]; then
    echo "$out: expected $n clips decoded and encoded, 0 unreadable; got:" >&2; cat "$out.err" "$out.out" >&2; exit 1
  fi
}
# stats LABEL VALUES...: median and range.
stats() {
  local label=$1; shift
  printf '%s\n' "$@" | sort -g | awk -v l="$label" '{v[NR]=$1} END {
    printf "%-26s median %7.2f  range %.2f–%.2f\n", l, NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2, v[1], v[NR] }'
}
median() { stats x "$@" | awk '{print $3}'; }

dec=(); enc=(); wall=(); rdec=(); rall=()
for ((r = 1; r <= RUNS; r++)); do
  feat "$TMP/run$r" "$TMP/videos" "$TMP/captions" "$N"
  printf 'run %d: decoded %d clips in %.1fs, encoded in %.1fs, command %.1fs wall\n' "$r" "$N" "$d" "$e" "$w"
  dec+=("$d"); enc+=("$e"); wall+=("$w")
  rdec+=("$(echo "scale=4; $N / $d" | bc)"); rall+=("$(echo "scale=4; $N / ($d + $e)" | bc)")
done
echo
stats "decode seconds" "${dec[@]}"
stats "encode seconds" "${enc[@]}"
stats "command wall seconds" "${wall[@]}"
stats "clips/s decoded" "${rdec[@]}"
stats "clips/s decoded+encoded" "${rall[@]}"

# Encoding is a fixed cost (fitting the encoder on min(3000, 12 x training
# clips) frames) plus a cost a clip. Measured back to back, on frames already
# decoded: 400 clips (the short cuts, each linked 10 times) and the N clips of
# run 1, both with the fit of the runs above, give the cost a clip; the 400 again
# with the default fit (3000 frames, as for MSVD and MSR-VTT) the fixed cost.
ntrain=$(clips train)
for ((i = 0; i < 400; i++)); do ln "$TMP/short/$((i % N)).mp4" "$TMP/many/$(cid "$i").mp4"; done
captions "$TMP/many-captions" 400
feat "$TMP/many-out" "$TMP/many" "$TMP/many-captions" 400 --frame-fit-frames $((12 * ntrain)); e1=$e
mkdir "$TMP/again"; cp -al "$TMP/run1/frames" "$TMP/again/"
feat "$TMP/again" "$TMP/videos" "$TMP/captions" "$N"; e0=$e
feat "$TMP/many-out" "$TMP/many" "$TMP/many-captions" 400; e2=$e
read -r per fixed < <(echo "p = ($e1 - $e0) / (400 - $N); p; $e2 - 400 * p" | bc -l | xargs)
printf 'encoding only: %d clips %.1fs, 400 clips %.1fs (fit on %d frames), 400 clips %.1fs (fit on 3000 frames)\n' \
  "$N" "$e0" "$e1" $((12 * ntrain)) "$e2"
printf '  = %.3fs a clip + %.1fs fixed (fit on 3000 frames)\n' "$per" "$fixed"

# Projections: decoding at the median rate (MSR-VTT's ~15 s clips also scaled
# by duration, 1.5x), encoding by the fixed cost and the cost a clip.
awk -v md="$(median "${rdec[@]}")" -v ma="$(median "${rall[@]}")" -v p="$per" -v f="$fixed" 'BEGIN {
  msvd = 1970 / md + f + 1970 * p
  printf "\nprojected MSVD (1,970 clips): decode %.0fs + encode %.0fs = %.0fs (%.1f min): %s the goal of <= 10 min on 2 cores\n",
    1970 / md, f + 1970 * p, msvd, msvd / 60, msvd <= 600 ? "meets" : "does NOT meet"
  printf "  (the decoded+encoded rate of the runs above alone, fit included, would give %.0fs)\n", 1970 / ma
  msr = 10000 / md + f + 10000 * p; msr15 = 1.5 * 10000 / md + f + 10000 * p
  printf "projected MSR-VTT (10,000 clips): %.0fs (%.1f min) at 10 s a clip; %.0fs (%.1f min) with decoding scaled 1.5x for ~15 s clips\n",
    msr, msr / 60, msr15, msr15 / 60 }'

# Sharded: 2 shards side by side (one ffmpeg each), then merge.
t0=$(now)
printf '1\n2\n' | xargs -P 2 -I{} "$BIN" features --videos "$TMP/videos" --captions "$TMP/captions" \
  --shard {}/2 --jobs 1 --out "$TMP/shard{}" >"$TMP/shard.log" 2>&1 || { cat "$TMP/shard.log" >&2; exit 1; }
"$BIN" features merge --captions "$TMP/captions" --out "$TMP/merged" "$TMP/shard1" "$TMP/shard2" >>"$TMP/shard.log" 2>&1 ||
  { cat "$TMP/shard.log" >&2; exit 1; }
ws=$(since "$t0")
echo; grep -E '^(decoded|features of)' "$TMP/shard.log" | sed -E "s|$TMP/||g; s/; use it with.*//"
printf 'sharded (2 shards x --jobs 1, then merge): %.1fs wall\n' "$ws"
if cmp "$TMP/run1/features.npy" "$TMP/merged/features.npy" && cmp "$TMP/run1/ids.txt" "$TMP/merged/ids.txt"; then
  echo "merged features.npy and ids.txt: byte-identical to the unsharded run's"
else
  echo "merged features differ from the unsharded run's" >&2; exit 1
fi
echo "load after: $(uptime | sed 's/.*load average: //')"
