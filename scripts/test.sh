#!/usr/bin/env bash
# The project's test command (the README's; .ci/run calls it):
#   gofmt, the docs check (scripts/check-docs.sh), ffmpeg installed when missing, go vet, every test
#   of every package, then the loaders again under -race.
# Slow tests honour `go test -short`; this script runs them all.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
# README ≤ 200 lines; no dates or change history in the README, docs/ (but
# docs/history.md), notebooks/README.md or Go files.
scripts/check-docs.sh
# ffmpeg from Debian (when missing): the video path's tests decode and
# encode real files.
scripts/install-ffmpeg.sh
go vet ./...
# The XLA build (GoMLX's XLA/PJRT backend, -tags xla) compiles and vets, and
# asking for xla:cpu computes or fails fast naming the fix (docs/backends.md).
go vet -tags xla ./...
go test -count=1 -tags xla ./pkg/backend
go test -count=1 -timeout 30m ./...
# The SIMD kernels (GOEXPERIMENT=simd, the README's build) of the frame
# encoder and the transfer classifier against the scalar ones and the
# reference, with each instruction set the CPU has; the captioner's
# rewritten weight gradients against GoMLX's products on the SIMD kernels.
GOEXPERIMENT=simd go test -count=1 -run 'ISAs|Kernel|Classifier|WeightGrad' ./pkg/captioner/framenc ./pkg/transfer ./pkg/captioner
CGO_ENABLED=1 go test -count=1 -race -timeout 20m ./pkg/corpus/... ./pkg/dataset/...
