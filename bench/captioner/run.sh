#!/usr/bin/env bash
# Per-step training time of the captioner: GoMLX's Go backend (pkg/backend's
# default configuration, or $GOMLX_BACKEND), built both without and with
# GOEXPERIMENT=simd, against the same model in PyTorch on the CPU at its
# fastest setting on this machine, in alternating rounds of one run.
# bench/captioner/README.md says how and why; bench.py does the measuring.
#
#   bench/captioner/run.sh                       # 5 rounds of 60 steps, mean-pooling encoder
#   PAIRS=7 STEPS=100 bench/captioner/run.sh     # more rounds, longer runs
#   ENCODER=gru bench/captioner/run.sh           # the GRU encoder on both sides
#   GOSTEP_SET="decoder_dim=96" bench/captioner/run.sh   # other hyperparameters (both sides where torch_step.py has them)
#   OUT=/tmp/x.json bench/captioner/run.sh       # where the JSON record goes (default /tmp/captioner-bench.json)
#
# PyTorch: Debian's python3-torch 1.13 under /usr/bin/python3, with OpenBLAS:
#   apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread libopenblas0-openmp
set -euo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
	echo "bench/captioner: PyTorch is not installed for $py:" >&2
	echo "    apt-get install -y --no-install-recommends python3-torch libopenblas0-pthread libopenblas0-openmp" >&2
	exit 1
fi
"$py" bench/captioner/bench.py --check # an optimised BLAS, before building
load=$(cut -d' ' -f1 /proc/loadavg)
bin=$(mktemp -d "${TMPDIR:-/tmp}/neurotopics-gostep.XXXXXX")
trap 'rm -rf "$bin"' EXIT
echo "building gostep: default build and GOEXPERIMENT=simd build" >&2
env -u GOEXPERIMENT go build -o "$bin/gostep-default" ./bench/captioner/gostep
GOEXPERIMENT=simd go build -o "$bin/gostep-simd" ./bench/captioner/gostep
"$py" bench/captioner/bench.py --go-default "$bin/gostep-default" --go-simd "$bin/gostep-simd" --load-before-build "$load"
