package transfer

// The classifier's training loop is two products per epoch over the
// standardised rows: the logits X·W and the weights' gradient Xᵀ·G. The
// kernels below take the rows four at a time, so that each weight (or
// gradient) is loaded once for four rows, and keep every sum in the order
// of d (rows in order for the gradient): the results are those of one row
// and one sum at a time, to the bit (TestKernelsMatchReference). With
// GOEXPERIMENT=simd the four-row kernels use AVX2 vectors of four classes
// (kernel_simd.go), a multiplication then an addition as here: the same
// roundings. (Vectors of one row's classes alone were slower than scalar
// sums: each vector is one chain of dependent additions.)

// affineInto sets out[k] = b[k] + Σ_d x[d]·w[d·C+k] for the C = len(out)
// outputs, adding the terms in the order of d, eight sums at a time.
func affineInto(out, b, x, w []float64) {
	C := len(out)
	k := 0
	for ; k+8 <= C; k += 8 {
		s0, s1, s2, s3, s4, s5, s6, s7 := b[k], b[k+1], b[k+2], b[k+3], b[k+4], b[k+5], b[k+6], b[k+7]
		for d, v := range x {
			row := w[d*C+k : d*C+k+8 : d*C+k+8]
			s0 += v * row[0]
			s1 += v * row[1]
			s2 += v * row[2]
			s3 += v * row[3]
			s4 += v * row[4]
			s5 += v * row[5]
			s6 += v * row[6]
			s7 += v * row[7]
		}
		out[k], out[k+1], out[k+2], out[k+3], out[k+4], out[k+5], out[k+6], out[k+7] = s0, s1, s2, s3, s4, s5, s6, s7
	}
	for ; k < C; k++ {
		s := b[k]
		for d, v := range x {
			s += v * w[d*C+k]
		}
		out[k] = s
	}
}

// affineInto4Scalar is affineInto for four rows x0…x3 (of the same length)
// into o0…o3, for the classes k0 and up: two classes of four rows, eight
// sums, at a time. (affineInto4, in kernel_simd.go and kernel_nosimd.go,
// calls it for the classes its vectors leave.)
func affineInto4Scalar(o0, o1, o2, o3, b, x0, x1, x2, x3, w []float64, k0 int) {
	C, D := len(b), len(x0)
	o0, o1, o2, o3 = o0[:C], o1[:C], o2[:C], o3[:C]
	x1, x2, x3 = x1[:D], x2[:D], x3[:D]
	k := k0
	for ; k+2 <= C; k += 2 {
		s00, s01 := b[k], b[k+1]
		s10, s11, s20, s21, s30, s31 := s00, s01, s00, s01, s00, s01
		for d, v0 := range x0 {
			row := w[d*C+k : d*C+k+2 : d*C+k+2]
			w0, w1 := row[0], row[1]
			v1, v2, v3 := x1[d], x2[d], x3[d]
			s00 += v0 * w0
			s01 += v0 * w1
			s10 += v1 * w0
			s11 += v1 * w1
			s20 += v2 * w0
			s21 += v2 * w1
			s30 += v3 * w0
			s31 += v3 * w1
		}
		o0[k], o0[k+1] = s00, s01
		o1[k], o1[k+1] = s10, s11
		o2[k], o2[k+1] = s20, s21
		o3[k], o3[k+1] = s30, s31
	}
	for ; k < C; k++ {
		s0 := b[k]
		s1, s2, s3 := s0, s0, s0
		for d, v0 := range x0 {
			wk := w[d*C+k]
			s0 += v0 * wk
			s1 += x1[d] * wk
			s2 += x2[d] * wk
			s3 += x3[d] * wk
		}
		o0[k], o1[k], o2[k], o3[k] = s0, s1, s2, s3
	}
}

// addOuter adds the outer product x·gᵀ to w ([len(x)][C] row-major, C =
// len(g)), eight columns at a time.
func addOuter(w, x, g []float64) {
	C := len(g)
	k := 0
	for ; k+8 <= C; k += 8 {
		g0, g1, g2, g3, g4, g5, g6, g7 := g[k], g[k+1], g[k+2], g[k+3], g[k+4], g[k+5], g[k+6], g[k+7]
		for d, v := range x {
			row := w[d*C+k : d*C+k+8 : d*C+k+8]
			row[0] += v * g0
			row[1] += v * g1
			row[2] += v * g2
			row[3] += v * g3
			row[4] += v * g4
			row[5] += v * g5
			row[6] += v * g6
			row[7] += v * g7
		}
	}
	for ; k < C; k++ {
		gk := g[k]
		for d, v := range x {
			w[d*C+k] += v * gk
		}
	}
}

// addOuter4Scalar adds the outer products x0·g0ᵀ, …, x3·g3ᵀ to the
// columns k0 and up of w, in that order for each weight (as four calls of
// addOuter would), loading and storing each weight once.
func addOuter4Scalar(w, x0, x1, x2, x3, g0, g1, g2, g3 []float64, k0 int) {
	C, D := len(g0), len(x0)
	g0, g1, g2, g3 = g0[k0:C], g1[k0:C], g2[k0:C], g3[k0:C]
	x1, x2, x3 = x1[:D], x2[:D], x3[:D]
	for d, v0 := range x0 {
		v1, v2, v3 := x1[d], x2[d], x3[d]
		row := w[d*C+k0 : d*C+C]
		row = row[:len(g0)]
		for k := range row {
			t := row[k]
			t += v0 * g0[k]
			t += v1 * g1[k]
			t += v2 * g2[k]
			t += v3 * g3[k]
			row[k] = t
		}
	}
}
