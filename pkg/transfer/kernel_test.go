package transfer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsMatchReference checks affineInto and addOuter against one sum
// at a time in the order of d, to the bit, for class counts around the
// kernels' blocks of 8 and rows with zeros (skipped) and negative zeros.
func TestKernelsMatchReference(t *testing.T) { checkKernels(t) }

func checkKernels(t *testing.T) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	for _, C := range []int{2, 7, 8, 9, 16, 21} {
		D := 37
		x, w, b, g := make([]float64, D), make([]float64, D*C), make([]float64, C), make([]float64, C)
		for d := range x {
			switch r.IntN(4) {
			case 0:
				x[d] = 0
			case 1:
				x[d] = math.Copysign(0, -1)
			default:
				x[d] = r.NormFloat64() * 1e3
			}
		}
		for j := range w {
			w[j] = r.NormFloat64()
		}
		for k := range C {
			b[k], g[k] = r.NormFloat64(), r.NormFloat64()*1e-3
		}
		got := make([]float64, C)
		affineInto(got, b, x, w)
		for k := range C {
			want := b[k]
			for d, v := range x {
				if v != 0 {
					want += v * w[d*C+k]
				}
			}
			if math.Float64bits(got[k]) != math.Float64bits(want) {
				t.Fatalf("C = %d: affineInto[%d] = %v; one sum at a time gives %v", C, k, got[k], want)
			}
		}
		acc := append([]float64(nil), w...)
		addOuter(acc, x, g)
		for d, v := range x {
			for k := range C {
				want := w[d*C+k]
				if v != 0 {
					want += v * g[k]
				}
				if got := acc[d*C+k]; math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("C = %d: addOuter[%d][%d] = %v; want %v", C, d, k, got, want)
				}
			}
		}
	}
}
