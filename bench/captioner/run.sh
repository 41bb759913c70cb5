#!/usr/bin/env bash
# Per-step training time of the captioner: the Go backend (GoMLX, pkg/backend's
# default configuration, or $GOMLX_BACKEND) against the same architecture in
# PyTorch on CPU, measured one after the other in one run.
#
#   bench/captioner/run.sh              # default build
#   GOEXPERIMENT=simd bench/captioner/run.sh   # Go 1.26 SIMD matmul kernels
#   STEPS=100 bench/captioner/run.sh
#   ENCODER=gru bench/captioner/run.sh         # the GRU encoder on both sides (default: mean, the model's)
#
# PyTorch: Debian's python3-torch 1.13 under /usr/bin/python3, 2 threads,
# OPENBLAS_NUM_THREADS=1 (apt-get install python3-torch).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-60}
ENCODER=${ENCODER:-mean}
go build -o /tmp/neurotopics-gostep ./bench/captioner/gostep
go_json=$(/tmp/neurotopics-gostep -steps "$STEPS" -set "encoder=$ENCODER${GOSTEP_SET:+;$GOSTEP_SET}")
torch_json=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/captioner/torch_step.py --steps "$STEPS" --threads 2 --encoder "$ENCODER")
echo "$go_json"
echo "$torch_json"
/usr/bin/python3 - "$go_json" "$torch_json" <<'PY'
import json, sys
g, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"Go ({g['backend']}): {g['median_ms']:.1f} ms/step; PyTorch {t['version']} ({t['threads']} threads): "
      f"{t['median_ms']:.1f} ms/step; ratio Go/PyTorch = {g['median_ms'] / t['median_ms']:.2f}")
PY
