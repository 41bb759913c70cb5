//go:build !(goexperiment.simd && amd64)

package transfer

// Without GOEXPERIMENT=simd (or off amd64) the four-row kernels are scalar
// Go (kernel.go).

func affineInto4(o0, o1, o2, o3, b, x0, x1, x2, x3, w []float64) {
	affineInto4Scalar(o0, o1, o2, o3, b, x0, x1, x2, x3, w, 0)
}

func addOuter4(w, x0, x1, x2, x3, g0, g1, g2, g3 []float64) {
	addOuter4Scalar(w, x0, x1, x2, x3, g0, g1, g2, g3, 0)
}
