//go:build goexperiment.simd && amd64

package transfer

import "testing"

// TestKernelsMatchReferenceISAs runs TestKernelsMatchReference with AVX2
// instead of AVX-512 and with the scalar kernels, where the CPU has them.
func TestKernelsMatchReferenceISAs(t *testing.T) {
	avx512, avx2 := hasAVX512, hasAVX2
	defer func() { hasAVX512, hasAVX2 = avx512, avx2 }()
	if avx2 {
		t.Run("AVX2", func(t *testing.T) {
			hasAVX512 = false
			checkKernels(t)
		})
	}
	t.Run("scalar", func(t *testing.T) {
		hasAVX512, hasAVX2 = false, false
		checkKernels(t)
	})
}
