//go:build goexperiment.simd && amd64

package transfer

import "testing"

// TestKernelsMatchReferenceISAs runs the kernel and classifier checks with
// the scalar four-row kernels as well (the AVX2 ones run in the tests
// above where the CPU has AVX2).
func TestKernelsMatchReferenceISAs(t *testing.T) {
	avx2 := hasAVX2
	defer func() { hasAVX2 = avx2 }()
	hasAVX2 = false
	t.Run("scalar", func(t *testing.T) {
		checkKernels(t)
		TestClassifierMatchesReference(t)
	})
}
