package backend

import (
	"runtime"
	"strings"
)

// SIMDBuild reports whether this binary was built with GOEXPERIMENT=simd on
// amd64, which compiles the SIMD (AVX2/AVX-512) matrix kernels of the Go
// backend (github.com/gomlx/compute v0.1.6). Without them its matrix
// products run scalar Go code: a training step of the default captioner takes
// about 3× as long without them (143 against 46 ms on 2 cores,
// bench/captioner/run.sh, docs/benchmarks.md).
func SIMDBuild() bool { return simdBuild }

// SpeedHint returns a one-line hint to rebuild with GOEXPERIMENT=simd when
// it would make the Go backend faster — an amd64 binary built without it,
// using the Go backend — and "" otherwise.
func SpeedHint() string {
	if simdBuild || runtime.GOARCH != "amd64" || !strings.HasPrefix(Config(), "go") {
		return ""
	}
	return "note: built without GOEXPERIMENT=simd, so the Go backend multiplies matrices without SIMD (≈ 3× slower training); " +
		"run `GOEXPERIMENT=simd go run ./cmd/neurotopics …` (Go ≥ 1.26, amd64)"
}
