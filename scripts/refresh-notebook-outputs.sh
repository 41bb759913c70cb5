#!/usr/bin/env bash
# Writes the outputs of a full (not quick) run into the notebooks, as they
# are committed: executes each notebook headless with real Jupyter and the
# GoNB kernel (docker/install-notebook-env.sh installs both), checks its key
# outputs (notebooks/tools/check_outputs.py) and only then replaces the
# notebook in notebooks/ with the executed one.
#
#   scripts/refresh-notebook-outputs.sh                         # every notebook
#   scripts/refresh-notebook-outputs.sh notebooks/04_neurons.ipynb
#   scripts/refresh-notebook-outputs.sh --quick --out /tmp/nb   # a quick preview, elsewhere
#
# --out DIR writes the executed notebooks into DIR instead of notebooks/;
# --quick runs quick mode (NEUROTOPICS_QUICK=1: not for committing).
#
# The run is `neurotopics run`'s defaults (nbui.FullSetting), computed once by
# the first notebook into $NEUROTOPICS_NOTEBOOK_DIR (default
# /tmp/neurotopics-notebooks, so that the paths the outputs show are the same
# from one refresh to the next) and read from its cache by the others; the
# pipeline is deterministic, so a refresh changes only timings unless the
# code changed. Widgets are off (a headless run answers none); cell timing
# metadata is not recorded.
set -euo pipefail
out="" quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --quick) quick=1; shift ;;
    *) break ;;
  esac
done
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export JUPYTER_DATA_DIR=$tmp/jupyter
docker/install-notebook-env.sh
export PATH="$(go env GOPATH)/bin:$PATH"
export GOEXPERIMENT=simd NEUROTOPICS_WIDGETS=0
export NEUROTOPICS_NOTEBOOK_DIR=${NEUROTOPICS_NOTEBOOK_DIR:-/tmp/neurotopics-notebooks}
unset NEUROTOPICS_QUICK NEUROTOPICS_CAPTIONS NEUROTOPICS_FEATURES NEUROTOPICS_IDS NEUROTOPICS_GROUND_TRUTH NEUROTOPICS_VIDEOS NEUROTOPICS_MAPPING
[ $quick = 0 ] || export NEUROTOPICS_QUICK=1
nbs=("$@")
[ ${#nbs[@]} -gt 0 ] || nbs=(notebooks/*.ipynb)
go run ./notebooks/tools/nbcheck "${nbs[@]}"
for nb in "${nbs[@]}"; do
  start=$(date +%s)
  echo "== executing $nb ($([ $quick = 1 ] && echo quick || echo full) run)"
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=-1 --ExecutePreprocessor.record_timing=False \
    --output-dir "$tmp/out" "$nb"
  /usr/bin/python3 notebooks/tools/check_outputs.py "$tmp/out/$(basename "$nb")"
  dest=$nb; [ -z "$out" ] || dest=$out/$(basename "$nb")
  cp "$tmp/out/$(basename "$nb")" "$dest"
  echo "   $(( $(date +%s) - start )) s: $dest, $(du -h "$dest" | cut -f1)"
done
