//go:build goexperiment.simd && amd64

package transfer

import "simd/archsimd"

// With GOEXPERIMENT=simd on amd64 the classifier's kernels work on eight
// classes at a time with AVX-512 (one vector of 8 float64) or AVX2 (two of
// 4); the classes past the last multiple of 8, and CPUs with neither, use
// the scalar kernels (kernel.go). Multiplications and additions are separate
// instructions (no FMA), in the scalar kernels' order: the results are the
// same to the bit.

var (
	hasAVX512 = archsimd.X86.AVX512()
	hasAVX2   = archsimd.X86.AVX2()
)

// affineInto sets out[k] = b[k] + Σ_d x[d]·w[d·C+k] for the C = len(out)
// outputs, adding the terms in the order of d and skipping x[d] = 0.
func affineInto(out, b, x, w []float64) {
	C := len(out)
	k := 0
	switch {
	case hasAVX512:
		for ; k+8 <= C; k += 8 {
			s := archsimd.LoadFloat64x8Slice(b[k : k+8])
			for d, v := range x {
				if v != 0 {
					s = s.Add(archsimd.BroadcastFloat64x8(v).Mul(archsimd.LoadFloat64x8Slice(w[d*C+k : d*C+k+8])))
				}
			}
			s.StoreSlice(out[k : k+8])
		}
	case hasAVX2:
		for ; k+8 <= C; k += 8 {
			s0, s1 := archsimd.LoadFloat64x4Slice(b[k:k+4]), archsimd.LoadFloat64x4Slice(b[k+4:k+8])
			for d, v := range x {
				if v != 0 {
					vv, row := archsimd.BroadcastFloat64x4(v), w[d*C+k:d*C+k+8]
					s0 = s0.Add(vv.Mul(archsimd.LoadFloat64x4Slice(row[:4])))
					s1 = s1.Add(vv.Mul(archsimd.LoadFloat64x4Slice(row[4:])))
				}
			}
			s0.StoreSlice(out[k : k+4])
			s1.StoreSlice(out[k+4 : k+8])
		}
	}
	affineIntoScalar(out, b, x, w, k)
}

// addOuter adds the outer product x·gᵀ to w ([len(x)][C] row-major, C =
// len(g)), skipping x[d] = 0.
func addOuter(w, x, g []float64) {
	C := len(g)
	k := 0
	switch {
	case hasAVX512:
		for ; k+8 <= C; k += 8 {
			gv := archsimd.LoadFloat64x8Slice(g[k : k+8])
			for d, v := range x {
				if v != 0 {
					row := w[d*C+k : d*C+k+8]
					archsimd.LoadFloat64x8Slice(row).Add(archsimd.BroadcastFloat64x8(v).Mul(gv)).StoreSlice(row)
				}
			}
		}
	case hasAVX2:
		for ; k+8 <= C; k += 8 {
			g0, g1 := archsimd.LoadFloat64x4Slice(g[k:k+4]), archsimd.LoadFloat64x4Slice(g[k+4:k+8])
			for d, v := range x {
				if v != 0 {
					vv, row := archsimd.BroadcastFloat64x4(v), w[d*C+k:d*C+k+8]
					archsimd.LoadFloat64x4Slice(row[:4]).Add(vv.Mul(g0)).StoreSlice(row[:4])
					archsimd.LoadFloat64x4Slice(row[4:]).Add(vv.Mul(g1)).StoreSlice(row[4:])
				}
			}
		}
	}
	addOuterScalar(w, x, g, k)
}
