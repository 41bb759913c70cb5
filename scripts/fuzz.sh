#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a bounded time each.
#   scripts/fuzz.sh            # 30 s per target
#   FUZZTIME=5m scripts/fuzz.sh pkg/corpus
# New failing inputs are written by `go test` under the package's
# testdata/fuzz/<Target>/; commit them so they stay regression seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || mapfile -t pkgs < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u)
for pkg in "${pkgs[@]}"; do
  pkg=./${pkg#./}
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | sed 's/^func //' | sort -u); do
    echo "== $pkg $target ($fuzztime)"
    # Minimisation bounded by executions, not time: minimising each new input of
    # a large seed (an encoder, a topic model) for seconds left the workers
    # minimising instead of fuzzing (framenc FuzzLoad ran 32 inputs in 20 s;
    # with 100x, 54,736).
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 100x "$pkg"
  done
done
