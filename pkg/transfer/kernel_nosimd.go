//go:build !(goexperiment.simd && amd64)

package transfer

// Without GOEXPERIMENT=simd (or off amd64) the classifier's kernels are
// scalar Go (kernel.go).

// affineInto sets out[k] = b[k] + Σ_d x[d]·w[d·C+k] for the C = len(out)
// outputs, adding the terms in the order of d and skipping x[d] = 0.
func affineInto(out, b, x, w []float64) { affineIntoScalar(out, b, x, w, 0) }

// addOuter adds the outer product x·gᵀ to w ([len(x)][C] row-major, C =
// len(g)), skipping x[d] = 0.
func addOuter(w, x, g []float64) { addOuterScalar(w, x, g, 0) }
