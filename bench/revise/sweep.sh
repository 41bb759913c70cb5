#!/usr/bin/env bash
# sweep.sh RUN_DIR OUT_DIR: measure the revision rule of `neurotopics revise
# measure` over edit strengths and units per topic, and steering over
# strengths, on the interpretive models of a `neurotopics run` report folder
# (all its seeds), on the validation and test splits, with 20 random draws per
# case; then print the pooled tables (go run ./bench/revise).
#
#   GOEXPERIMENT=simd go run ./cmd/neurotopics run --interp-loss bce --lambda 1 --seeds 3 --out runs/bce
#   bash bench/revise/sweep.sh runs/bce out/revise-sweep
#
# LAMBDA selects the models (default 1, the folder name's "lambda1").
# STRENGTHS × UNITS (units per topic, 0 = all) and FEW_STRENGTHS × FEW_UNITS
# are the settings swept (defaults below); an empty list skips its loop.
# STEPS lists stepwise protocols (`revise measure --steps`, comma-separated
# strengths; default one, 0.2 to 1), measured with every labelled unit.
set -euo pipefail
run=${1:?usage: sweep.sh RUN_DIR OUT_DIR}
out=${2:?usage: sweep.sh RUN_DIR OUT_DIR}
lambda=${LAMBDA:-1}
strengths=${STRENGTHS-0.25 0.5 0.75 1}
units=${UNITS-0 3}
few_strengths=${FEW_STRENGTHS-1 1.5 2 3}
few_units=${FEW_UNITS-1 2}
steps=${STEPS-0.2,0.3,0.4,0.5,0.75,1}
cache=${CACHE:-$HOME/.cache/neurotopics/features}
cd "$(dirname "$0")/../.."
bin=$(mktemp -d)/neurotopics
go build -o "$bin" ./cmd/neurotopics
topics=$(ls -d "$run"/stages/topics-* | head -1)
mkdir -p "$out"
measure() { # split seed strength units
	local o="$out/$1-s$2-st$3-mu$4" m
	m=$(ls -d "$run"/stages/train-lambda"$lambda"-seed"$2"-* | head -1)
	[ -f "$o/measure.json" ] && return
	"$bin" revise measure --model "$m" --concept-topics "$topics/concept_topics.json" --cache "$cache" \
		--split "$1" --strength "$3" --max-units-per-topic "$4" --draws 20 --out "$o" > "$o.log" 2>&1
}
stepwise() { # split seed steps
	local o="$out/$1-s$2-stup${3//,/_}-mu0" m
	m=$(ls -d "$run"/stages/train-lambda"$lambda"-seed"$2"-* | head -1)
	[ -f "$o/measure.json" ] && return
	"$bin" revise measure --model "$m" --concept-topics "$topics/concept_topics.json" --cache "$cache" \
		--split "$1" --steps "$3" --draws 20 --out "$o" > "$o.log" 2>&1
}
seeds=$(ls -d "$run"/stages/train-lambda"$lambda"-seed* | sed 's/.*-seed\([0-9]*\)-.*/\1/' | sort -n)
for split in val test; do
	for s in $seeds; do
		for st in $strengths; do for mu in $units; do measure $split $s $st $mu; done; done
		for st in $few_strengths; do for mu in $few_units; do measure $split $s $st $mu; done; done
		for st in $steps; do stepwise $split $s $st; done
	done
done
go run ./bench/revise "$out"
