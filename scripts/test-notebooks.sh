#!/usr/bin/env bash
# Checks the notebooks' Go cells (gofmt, and go vet of each notebook's cells
# assembled as GoNB assembles them: notebooks/tools/nbcheck), then executes
# every notebook headless with real Jupyter and the real GoNB kernel, in
# quick mode, into a temporary folder, and checks each one's key outputs
# (notebooks/tools/check_outputs.py). Installs the notebook environment first
# with the same script the Docker image runs (docker/install-notebook-env.sh).
#   scripts/test-notebooks.sh                 # all notebooks
#   scripts/test-notebooks.sh notebooks/01_corpus.ipynb
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export JUPYTER_DATA_DIR=${JUPYTER_DATA_DIR:-$tmp/jupyter}
docker/install-notebook-env.sh
export PATH="$(go env GOPATH)/bin:$PATH"
export NEUROTOPICS_QUICK=1
# The notebooks write their run under $TMPDIR (nbui.WorkDir): a folder of this
# test's own, so that two test runs (or a user's notebook) never share one.
# They share that one run: 00 computes it, the others read it from the cache.
export TMPDIR="$tmp/tmp"
unset NEUROTOPICS_NOTEBOOK_DIR
# 00's "Your own data" and "Your own videos" cells must take the paths their
# checks expect (skipped; the demo videos).
unset NEUROTOPICS_CAPTIONS NEUROTOPICS_FEATURES NEUROTOPICS_IDS NEUROTOPICS_GROUND_TRUTH NEUROTOPICS_VIDEOS NEUROTOPICS_MAPPING
mkdir -p "$TMPDIR"
# GoNB compiles the cells like the Docker image does: with the Go backend's
# SIMD kernels (docs/benchmarks.md).
export GOEXPERIMENT=${GOEXPERIMENT-simd}
nbs=("$@")
[ ${#nbs[@]} -gt 0 ] || nbs=(notebooks/*.ipynb)
echo "== checking the Go cells of ${#nbs[@]} notebooks (gofmt, go vet)"
go run ./notebooks/tools/nbcheck -vet "${nbs[@]}"
fail=0
for nb in "${nbs[@]}"; do
  start=$(date +%s)
  echo "== executing $nb"
  if ! jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1200 \
      --output-dir "$tmp/out" "$nb" >"$tmp/log" 2>&1; then
    grep -v '^I[0-9]' "$tmp/log" | tail -40
    echo "FAILED: $nb did not execute"; fail=1; continue
  fi
  /usr/bin/python3 notebooks/tools/check_outputs.py "$tmp/out/$(basename "$nb")" || fail=1
  echo "   $(( $(date +%s) - start )) s"
done
exit $fail
