package transfer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsMatchReference checks affineInto, addOuter and their four-row
// forms against one row and one sum at a time in the order of d, to the
// bit, for class counts around the kernels' blocks (of 2, 4 and 8) and rows
// with zeros and negative zeros.
func TestKernelsMatchReference(t *testing.T) { checkKernels(t) }

func checkKernels(t *testing.T) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	for _, C := range []int{2, 3, 4, 5, 7, 8, 9, 12, 16, 21} {
		D := 37
		xs := make([][]float64, 4)
		gs := make([][]float64, 4)
		for i := range xs {
			xs[i], gs[i] = make([]float64, D), make([]float64, C)
			for d := range xs[i] {
				switch r.IntN(4) {
				case 0:
					xs[i][d] = 0
				case 1:
					xs[i][d] = math.Copysign(0, -1)
				default:
					xs[i][d] = r.NormFloat64() * 1e3
				}
			}
			for k := range C {
				gs[i][k] = r.NormFloat64() * 1e-3
			}
		}
		w, b := make([]float64, D*C), make([]float64, C)
		for j := range w {
			w[j] = r.NormFloat64()
		}
		for k := range C {
			b[k] = r.NormFloat64()
		}
		want := make([][]float64, 4)
		for i, x := range xs {
			want[i] = make([]float64, C)
			for k := range C {
				s := b[k]
				for d, v := range x {
					s += v * w[d*C+k]
				}
				want[i][k] = s
			}
		}
		same := func(what string, got, want []float64) {
			t.Helper()
			for k := range want {
				if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
					t.Fatalf("C = %d: %s[%d] = %v; one sum at a time gives %v", C, what, k, got[k], want[k])
				}
			}
		}
		got := make([]float64, C)
		affineInto(got, b, xs[0], w)
		same("affineInto", got, want[0])
		o := [4][]float64{make([]float64, C), make([]float64, C), make([]float64, C), make([]float64, C)}
		affineInto4(o[0], o[1], o[2], o[3], b, xs[0], xs[1], xs[2], xs[3], w)
		for i := range o {
			same("affineInto4", o[i], want[i])
		}

		// The gradient: rows in order, each weight's terms in that order.
		wantW := append([]float64(nil), w...)
		for i, x := range xs {
			for d, v := range x {
				for k := range C {
					wantW[d*C+k] += v * gs[i][k]
				}
			}
			if i == 0 {
				acc := append([]float64(nil), w...)
				addOuter(acc, x, gs[0])
				same("addOuter", acc, wantW)
			}
		}
		acc := append([]float64(nil), w...)
		addOuter4(acc, xs[0], xs[1], xs[2], xs[3], gs[0], gs[1], gs[2], gs[3])
		same("addOuter4", acc, wantW)
	}
}
