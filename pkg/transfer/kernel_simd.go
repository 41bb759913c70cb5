//go:build goexperiment.simd && amd64

package transfer

import "simd/archsimd"

// With GOEXPERIMENT=simd on amd64, on CPUs with AVX2, the four-row kernels
// take the classes four at a time in AVX2 vectors (the classes left over,
// C mod 4, in scalar sums); every lane multiplies and then adds, as the
// scalar kernels do, so the results are the same to the bit.

var hasAVX2 = archsimd.X86.AVX2()

// affineInto4 is affineInto for four rows (kernel.go).
func affineInto4(o0, o1, o2, o3, b, x0, x1, x2, x3, w []float64) {
	kv := 0
	if hasAVX2 {
		kv = len(b) &^ 3
		affineInto4AVX2(o0, o1, o2, o3, b, x0, x1, x2, x3, w, kv)
	}
	if kv < len(b) {
		affineInto4Scalar(o0, o1, o2, o3, b, x0, x1, x2, x3, w, kv)
	}
}

// addOuter4 adds four outer products to w (kernel.go).
func addOuter4(w, x0, x1, x2, x3, g0, g1, g2, g3 []float64) {
	kv := 0
	if hasAVX2 {
		kv = len(g0) &^ 3
		addOuter4AVX2(w, x0, x1, x2, x3, g0, g1, g2, g3, kv)
	}
	if kv < len(g0) {
		addOuter4Scalar(w, x0, x1, x2, x3, g0, g1, g2, g3, kv)
	}
}

// affineInto4AVX2 computes the classes below kv (a multiple of 4) of
// affineInto4: eight classes of four rows at a time, then four.
func affineInto4AVX2(o0, o1, o2, o3, b, x0, x1, x2, x3, w []float64, kv int) {
	C, D := len(b), len(x0)
	x1, x2, x3 = x1[:D], x2[:D], x3[:D]
	k := 0
	for ; k+8 <= kv; k += 8 {
		b0, b1 := archsimd.LoadFloat64x4Slice(b[k:]), archsimd.LoadFloat64x4Slice(b[k+4:])
		s00, s01, s10, s11, s20, s21, s30, s31 := b0, b1, b0, b1, b0, b1, b0, b1
		for d, v := range x0 {
			row := w[d*C+k : d*C+k+8]
			w0, w1 := archsimd.LoadFloat64x4Slice(row), archsimd.LoadFloat64x4Slice(row[4:])
			bv := archsimd.BroadcastFloat64x4(v)
			s00, s01 = s00.Add(bv.Mul(w0)), s01.Add(bv.Mul(w1))
			bv = archsimd.BroadcastFloat64x4(x1[d])
			s10, s11 = s10.Add(bv.Mul(w0)), s11.Add(bv.Mul(w1))
			bv = archsimd.BroadcastFloat64x4(x2[d])
			s20, s21 = s20.Add(bv.Mul(w0)), s21.Add(bv.Mul(w1))
			bv = archsimd.BroadcastFloat64x4(x3[d])
			s30, s31 = s30.Add(bv.Mul(w0)), s31.Add(bv.Mul(w1))
		}
		s00.StoreSlice(o0[k:])
		s01.StoreSlice(o0[k+4:])
		s10.StoreSlice(o1[k:])
		s11.StoreSlice(o1[k+4:])
		s20.StoreSlice(o2[k:])
		s21.StoreSlice(o2[k+4:])
		s30.StoreSlice(o3[k:])
		s31.StoreSlice(o3[k+4:])
	}
	for ; k < kv; k += 4 {
		b0 := archsimd.LoadFloat64x4Slice(b[k:])
		s0, s1, s2, s3 := b0, b0, b0, b0
		for d, v := range x0 {
			w0 := archsimd.LoadFloat64x4Slice(w[d*C+k : d*C+k+4])
			s0 = s0.Add(archsimd.BroadcastFloat64x4(v).Mul(w0))
			s1 = s1.Add(archsimd.BroadcastFloat64x4(x1[d]).Mul(w0))
			s2 = s2.Add(archsimd.BroadcastFloat64x4(x2[d]).Mul(w0))
			s3 = s3.Add(archsimd.BroadcastFloat64x4(x3[d]).Mul(w0))
		}
		s0.StoreSlice(o0[k:])
		s1.StoreSlice(o1[k:])
		s2.StoreSlice(o2[k:])
		s3.StoreSlice(o3[k:])
	}
}

// addOuter4AVX2 computes the columns below kv (a multiple of 4) of
// addOuter4, four at a time, the four rows' gradients of those columns held
// in registers over the features.
func addOuter4AVX2(w, x0, x1, x2, x3, g0, g1, g2, g3 []float64, kv int) {
	C, D := len(g0), len(x0)
	x1, x2, x3 = x1[:D], x2[:D], x3[:D]
	for k := 0; k < kv; k += 4 {
		a0, a1 := archsimd.LoadFloat64x4Slice(g0[k:]), archsimd.LoadFloat64x4Slice(g1[k:])
		a2, a3 := archsimd.LoadFloat64x4Slice(g2[k:]), archsimd.LoadFloat64x4Slice(g3[k:])
		for d, v := range x0 {
			cell := w[d*C+k : d*C+k+4]
			t := archsimd.LoadFloat64x4Slice(cell)
			t = t.Add(archsimd.BroadcastFloat64x4(v).Mul(a0))
			t = t.Add(archsimd.BroadcastFloat64x4(x1[d]).Mul(a1))
			t = t.Add(archsimd.BroadcastFloat64x4(x2[d]).Mul(a2))
			t = t.Add(archsimd.BroadcastFloat64x4(x3[d]).Mul(a3))
			t.StoreSlice(cell)
		}
	}
}
