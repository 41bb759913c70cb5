//go:build goexperiment.simd && amd64

package framenc

import "testing"

// TestKernelsMatchGraphISAs runs TestKernelsMatchGraph with AVX2 instead of
// AVX-512 and with the scalar kernels, where the CPU has them.
func TestKernelsMatchGraphISAs(t *testing.T) {
	avx512, avx2 := hasAVX512, hasAVX2
	defer func() { hasAVX512, hasAVX2 = avx512, avx2 }()
	if avx2 {
		t.Run("AVX2", func(t *testing.T) {
			hasAVX512 = false
			checkKernelsMatchGraph(t)
		})
	}
	t.Run("scalar", func(t *testing.T) {
		hasAVX512, hasAVX2 = false, false
		checkKernelsMatchGraph(t)
	})
}
