//go:build goexperiment.simd && amd64

package framenc

import (
	"simd/archsimd"
	"unsafe"
)

// With GOEXPERIMENT=simd on amd64 the filter products, their epilogue and the
// output projection use AVX-512 (16 float32 lanes) where the CPU has it and
// AVX2 with FMA (8 lanes) otherwise; the patch statistics and the colour
// pathway use AVX2; CPUs with neither run the scalar kernels (kernel.go).

var (
	hasAVX512 = archsimd.X86.AVX512()
	hasAVX2   = archsimd.X86.AVX2() && archsimd.X86.FMA()
)

// kernelISA names the instruction set the kernels use.
func kernelISA() string {
	switch {
	case hasAVX512:
		return "AVX-512"
	case hasAVX2:
		return "AVX2"
	}
	return "scalar Go"
}

// at16 and at8 return s[i:i+16] and s[i:i+8] as array pointers without
// checking that the array fits in s: their callers check the bounds once per
// row or call.
func at16(s []float32, i int) *[16]float32 {
	return (*[16]float32)(unsafe.Pointer(unsafe.SliceData(s[i:])))
}

func at8(s []float32, i int) *[8]float32 {
	return (*[8]float32)(unsafe.Pointer(unsafe.SliceData(s[i:])))
}

func convRow(resp, img []float32, b *bankPlan, oy int, cols []float32) {
	switch {
	case hasAVX512 && b.wo >= 8:
		checkRow(resp, img, b, oy)
		kc := 0
		for ; kc+32 <= b.Kp; kc += 32 {
			conv512x2(resp, img, b, oy, kc)
		}
		if kc < b.Kp {
			conv512x1(resp, img, b, oy, kc)
		}
	case hasAVX2 && b.wo >= 4:
		checkRow(resp, img, b, oy)
		for kc := 0; kc < b.Kp; kc += 16 {
			conv256x2(resp, img, b, oy, kc)
		}
	default:
		convRowScalar(resp, img, b, oy, cols)
	}
}

// checkRow panics unless every pixel the patches of output row oy read lies
// in img, every response fits in resp and F has its P·P·C rows: the kernels
// below index without bounds checks.
func checkRow(resp, img []float32, b *bankPlan, oy int) {
	last := ((oy*b.S+b.P-1)*b.w+(b.wo-1)*b.S)*b.C + b.P*b.C
	if oy < 0 || oy >= b.ho || last > len(img) || b.wo*b.Kp > len(resp) || len(b.F) < b.P*b.P*b.C*b.Kp || b.Kp%16 != 0 {
		panic("framenc: kernel row out of range")
	}
}

// The filter kernels accumulate 8 vectors (the Go compiler keeps 15 vector
// registers: 8 accumulators, the filter vectors and a pixel fit) for a block
// of patch positions of one output row; the last block overlaps the one
// before when the positions do not divide into blocks. p points at the first
// pixel of a patch row, f at the filter row; sc is the distance between two
// positions' pixels in bytes.

// conv512x2 computes responses kc..kc+31 of output row oy, 4 positions at a
// time.
func conv512x2(resp, img []float32, b *bankPlan, oy, kc int) {
	P, S, C, Kp, w, wo := b.P, b.S, b.C, b.Kp, b.w, b.wo
	PC, sc, kp4 := P*C, uintptr(S*C*4), uintptr(Kp*4)
	for ox0 := 0; ox0 < wo; ox0 += 4 {
		ox := min(ox0, wo-4)
		var a00, a01, a10, a11, a20, a21, a30, a31 archsimd.Float32x16
		for dy := range P {
			p := unsafe.Pointer(&img[((oy*S+dy)*w+ox*S)*C])
			f := unsafe.Pointer(&b.F[dy*PC*Kp+kc])
			for range PC {
				f0 := archsimd.LoadFloat32x16((*[16]float32)(f))
				f1 := archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(f, 64)))
				x := archsimd.BroadcastFloat32x16(*(*float32)(p))
				a00, a01 = f0.MulAdd(x, a00), f1.MulAdd(x, a01)
				x = archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, sc)))
				a10, a11 = f0.MulAdd(x, a10), f1.MulAdd(x, a11)
				x = archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 2*sc)))
				a20, a21 = f0.MulAdd(x, a20), f1.MulAdd(x, a21)
				x = archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 3*sc)))
				a30, a31 = f0.MulAdd(x, a30), f1.MulAdd(x, a31)
				p, f = unsafe.Add(p, 4), unsafe.Add(f, kp4)
			}
		}
		o := ox*Kp + kc
		a00.Store(at16(resp, o))
		a01.Store(at16(resp, o+16))
		a10.Store(at16(resp, o+Kp))
		a11.Store(at16(resp, o+Kp+16))
		a20.Store(at16(resp, o+2*Kp))
		a21.Store(at16(resp, o+2*Kp+16))
		a30.Store(at16(resp, o+3*Kp))
		a31.Store(at16(resp, o+3*Kp+16))
	}
}

// conv512x1 computes responses kc..kc+15 of output row oy, 8 positions at a
// time.
func conv512x1(resp, img []float32, b *bankPlan, oy, kc int) {
	P, S, C, Kp, w, wo := b.P, b.S, b.C, b.Kp, b.w, b.wo
	PC, sc, kp4 := P*C, uintptr(S*C*4), uintptr(Kp*4)
	for ox0 := 0; ox0 < wo; ox0 += 8 {
		ox := min(ox0, wo-8)
		var a0, a1, a2, a3, a4, a5, a6, a7 archsimd.Float32x16
		for dy := range P {
			p := unsafe.Pointer(&img[((oy*S+dy)*w+ox*S)*C])
			f := unsafe.Pointer(&b.F[dy*PC*Kp+kc])
			for range PC {
				v := archsimd.LoadFloat32x16((*[16]float32)(f))
				a0 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(p)), a0)
				a1 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, sc))), a1)
				a2 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 2*sc))), a2)
				a3 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 3*sc))), a3)
				a4 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 4*sc))), a4)
				a5 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 5*sc))), a5)
				a6 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 6*sc))), a6)
				a7 = v.MulAdd(archsimd.BroadcastFloat32x16(*(*float32)(unsafe.Add(p, 7*sc))), a7)
				p, f = unsafe.Add(p, 4), unsafe.Add(f, kp4)
			}
		}
		o := ox*Kp + kc
		a0.Store(at16(resp, o))
		a1.Store(at16(resp, o+Kp))
		a2.Store(at16(resp, o+2*Kp))
		a3.Store(at16(resp, o+3*Kp))
		a4.Store(at16(resp, o+4*Kp))
		a5.Store(at16(resp, o+5*Kp))
		a6.Store(at16(resp, o+6*Kp))
		a7.Store(at16(resp, o+7*Kp))
	}
}

// conv256x2 computes responses kc..kc+15 of output row oy with AVX2, 4
// positions at a time.
func conv256x2(resp, img []float32, b *bankPlan, oy, kc int) {
	P, S, C, Kp, w, wo := b.P, b.S, b.C, b.Kp, b.w, b.wo
	PC, sc, kp4 := P*C, uintptr(S*C*4), uintptr(Kp*4)
	for ox0 := 0; ox0 < wo; ox0 += 4 {
		ox := min(ox0, wo-4)
		var a00, a01, a10, a11, a20, a21, a30, a31 archsimd.Float32x8
		for dy := range P {
			p := unsafe.Pointer(&img[((oy*S+dy)*w+ox*S)*C])
			f := unsafe.Pointer(&b.F[dy*PC*Kp+kc])
			for range PC {
				f0 := archsimd.LoadFloat32x8((*[8]float32)(f))
				f1 := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(f, 32)))
				x := archsimd.BroadcastFloat32x8(*(*float32)(p))
				a00, a01 = f0.MulAdd(x, a00), f1.MulAdd(x, a01)
				x = archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(p, sc)))
				a10, a11 = f0.MulAdd(x, a10), f1.MulAdd(x, a11)
				x = archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(p, 2*sc)))
				a20, a21 = f0.MulAdd(x, a20), f1.MulAdd(x, a21)
				x = archsimd.BroadcastFloat32x8(*(*float32)(unsafe.Add(p, 3*sc)))
				a30, a31 = f0.MulAdd(x, a30), f1.MulAdd(x, a31)
				p, f = unsafe.Add(p, 4), unsafe.Add(f, kp4)
			}
		}
		o := ox*Kp + kc
		a00.Store(at8(resp, o))
		a01.Store(at8(resp, o+8))
		a10.Store(at8(resp, o+Kp))
		a11.Store(at8(resp, o+Kp+8))
		a20.Store(at8(resp, o+2*Kp))
		a21.Store(at8(resp, o+2*Kp+8))
		a30.Store(at8(resp, o+3*Kp))
		a31.Store(at8(resp, o+3*Kp+8))
	}
}

// addTo is addToScalar with SIMD.
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	i := 0
	if hasAVX2 {
		for ; i+8 <= len(dst); i += 8 {
			archsimd.LoadFloat32x8(at8(dst, i)).Add(archsimd.LoadFloat32x8(at8(src, i))).Store(at8(dst, i))
		}
	}
	for ; i < len(dst); i++ {
		dst[i] += src[i]
	}
}

// meanInvStd is meanInvStdScalar with SIMD (the square root and division
// in float32, not float64: within a rounding of the scalar code).
func meanInvStd(s, q []float32, invd float32) {
	q = q[:len(s)]
	i := 0
	if hasAVX2 {
		dB, eps, one := archsimd.BroadcastFloat32x8(invd), archsimd.BroadcastFloat32x8(patchEpsilon), archsimd.BroadcastFloat32x8(1)
		var zero archsimd.Float32x8
		for ; i+8 <= len(s); i += 8 {
			m := archsimd.LoadFloat32x8(at8(s, i)).Mul(dB)
			v := archsimd.LoadFloat32x8(at8(q, i)).Mul(dB).Sub(m.Mul(m))
			m.Store(at8(s, i))
			one.Div(v.Max(zero).Add(eps).Sqrt()).Store(at8(q, i))
		}
	}
	meanInvStdScalar(s[i:], q[i:], invd)
}

// hsum8 returns the sum of v's lanes.
func hsum8(v archsimd.Float32x8) float32 {
	var t [4]float32
	v.GetLo().Add(v.GetHi()).Store(&t)
	return (t[0] + t[1]) + (t[2] + t[3])
}

// hsum16 returns the sum of v's lanes.
func hsum16(v archsimd.Float32x16) float32 {
	return hsum8(v.GetLo().Add(v.GetHi()))
}

// bankEpilogue is bankEpilogueScalar with SIMD over the filters.
func bankEpilogue(resp []float32, b *bankPlan, oy int, mean, inv, mx, gs []float32) {
	Kp := b.Kp
	if !hasAVX2 {
		bankEpilogueScalar(resp, b, oy, mean, inv, mx, gs)
		return
	}
	if len(resp) < b.wo*Kp || len(b.colsum) < Kp || len(b.bias) < Kp || len(mx) < Kp || len(gs) < b.grid*Kp ||
		len(mean) < b.wo || len(inv) < b.wo || len(b.cellX) < b.wo || Kp%16 != 0 {
		panic("framenc: kernel epilogue out of range")
	}
	if hasAVX512 {
		epilogue512(resp, b, mean, inv, mx, gs)
		return
	}
	invK := float32(1 / float64(b.K))
	var zero archsimd.Float32x8
	cs, bs, ms := unsafe.Pointer(&b.colsum[0]), unsafe.Pointer(&b.bias[0]), unsafe.Pointer(&mx[0])
	for ox := range b.wo {
		r := unsafe.Pointer(&resp[ox*Kp])
		mB, sB := archsimd.BroadcastFloat32x8(mean[ox]), archsimd.BroadcastFloat32x8(inv[ox])
		var sum archsimd.Float32x8
		for k := uintptr(0); k < uintptr(Kp*4); k += 32 {
			v := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(r, k)))
			v = v.Sub(archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(cs, k))).Mul(mB)).Mul(sB).Add(archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(bs, k))))
			v.Store((*[8]float32)(unsafe.Add(r, k)))
			sum = sum.Add(v)
		}
		aB := archsimd.BroadcastFloat32x8(hsum8(sum) * invK)
		g := unsafe.Pointer(&gs[b.cellX[ox]*Kp])
		for k := uintptr(0); k < uintptr(Kp*4); k += 32 {
			t := archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(r, k))).Sub(aB).Max(zero)
			archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(ms, k))).Max(t).Store((*[8]float32)(unsafe.Add(ms, k)))
			archsimd.LoadFloat32x8((*[8]float32)(unsafe.Add(g, k))).Add(t).Store((*[8]float32)(unsafe.Add(g, k)))
		}
	}
}

// epilogue512 is bankEpilogue with AVX-512; the bounds are checked.
func epilogue512(resp []float32, b *bankPlan, mean, inv, mx, gs []float32) {
	Kp := b.Kp
	invK := float32(1 / float64(b.K))
	var zero archsimd.Float32x16
	cs, bs, ms := unsafe.Pointer(&b.colsum[0]), unsafe.Pointer(&b.bias[0]), unsafe.Pointer(&mx[0])
	for ox := range b.wo {
		r := unsafe.Pointer(&resp[ox*Kp])
		mB, sB := archsimd.BroadcastFloat32x16(mean[ox]), archsimd.BroadcastFloat32x16(inv[ox])
		var sum archsimd.Float32x16
		for k := uintptr(0); k < uintptr(Kp*4); k += 64 {
			v := archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(r, k)))
			v = v.Sub(archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(cs, k))).Mul(mB)).Mul(sB).Add(archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(bs, k))))
			v.Store((*[16]float32)(unsafe.Add(r, k)))
			sum = sum.Add(v)
		}
		aB := archsimd.BroadcastFloat32x16(hsum16(sum) * invK)
		g := unsafe.Pointer(&gs[b.cellX[ox]*Kp])
		for k := uintptr(0); k < uintptr(Kp*4); k += 64 {
			t := archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(r, k))).Sub(aB).Max(zero)
			archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(ms, k))).Max(t).Store((*[16]float32)(unsafe.Add(ms, k)))
			archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(g, k))).Add(t).Store((*[16]float32)(unsafe.Add(g, k)))
		}
	}
}

// colorTri is colorTriScalar with 8 lanes (AVX2) over the colours.
func colorTri(tri, frame []float32, p *kernelPlan) {
	if !hasAVX2 {
		colorTriScalar(tri, frame, p)
		return
	}
	kcp, n := p.kcp, p.H*p.W
	if len(tri) < n*kcp || len(frame) < 3*n || len(p.cR) < kcp || len(p.cG) < kcp || len(p.cB) < kcp || len(p.ccp) < kcp || len(p.valid) < kcp {
		panic("framenc: colour kernel out of range")
	}
	invK := float32(1 / float64(p.kc))
	var zero archsimd.Float32x8
	two, eps := archsimd.BroadcastFloat32x8(2), archsimd.BroadcastFloat32x8(1e-12)
	for i := range n {
		r, g, b := frame[3*i], frame[3*i+1], frame[3*i+2]
		x2 := archsimd.BroadcastFloat32x8(r*r + g*g + b*b)
		rB, gB, bB := archsimd.BroadcastFloat32x8(r), archsimd.BroadcastFloat32x8(g), archsimd.BroadcastFloat32x8(b)
		o := i * kcp
		var zs archsimd.Float32x8
		for k := 0; k < kcp; k += 8 {
			dot := bB.MulAdd(archsimd.LoadFloat32x8(at8(p.cB, k)), gB.MulAdd(archsimd.LoadFloat32x8(at8(p.cG, k)), rB.Mul(archsimd.LoadFloat32x8(at8(p.cR, k)))))
			d2 := x2.Sub(dot.Mul(two)).Add(archsimd.LoadFloat32x8(at8(p.ccp, k)))
			z := d2.Max(zero).Add(eps).Sqrt()
			z.Store(at8(tri, o+k))
			zs = zs.Add(z.Mul(archsimd.LoadFloat32x8(at8(p.valid, k))))
		}
		aB := archsimd.BroadcastFloat32x8(hsum8(zs) * invK)
		for k := 0; k < kcp; k += 8 {
			aB.Sub(archsimd.LoadFloat32x8(at8(tri, o+k))).Max(zero).Store(at8(tri, o+k))
		}
	}
}

// colorPool is colorPoolScalar with 8 lanes (AVX2) over the colours; the
// sums run over the pixels in the same order.
func colorPool(tri []float32, p *kernelPlan, grid, cgs, kps []float32) {
	if !hasAVX2 {
		colorPoolScalar(tri, p, grid, cgs, kps)
		return
	}
	kc, kcp, H, W, cg := p.kc, p.kcp, p.H, p.W, p.cgrid
	if len(tri) < H*W*kcp || len(cgs) < cg*cg*kcp || len(kps) < 4*kcp || len(p.ccellY) < H || len(p.ccellX) < W ||
		len(p.xs) < W || len(p.ys) < H {
		panic("framenc: colour kernel out of range")
	}
	clear(cgs)
	for y := range H {
		for x := range W {
			g, o := (p.ccellY[y]*cg+p.ccellX[x])*kcp, (y*W+x)*kcp
			for k := 0; k < kcp; k += 8 {
				archsimd.LoadFloat32x8(at8(cgs, g+k)).Add(archsimd.LoadFloat32x8(at8(tri, o+k))).Store(at8(cgs, g+k))
			}
		}
	}
	for cell, n := range p.ccellN {
		inv := float32(1 / float64(n))
		for k := range kc {
			grid[cell*kc+k] = cgs[cell*kcp+k] * inv
		}
	}
	if !p.keypoints {
		return
	}
	eps := archsimd.BroadcastFloat32x8(1e-6)
	for k := 0; k < kcp; k += 8 {
		var mass, sx, sy archsimd.Float32x8
		for y := range H {
			yB := archsimd.BroadcastFloat32x8(p.ys[y])
			for x := range W {
				t := archsimd.LoadFloat32x8(at8(tri, (y*W+x)*kcp+k))
				mass = mass.Add(t)
				sx = sx.Add(t.Mul(archsimd.BroadcastFloat32x8(p.xs[x])))
				sy = sy.Add(t.Mul(yB))
			}
		}
		safe := mass.Add(eps)
		mx, my := sx.Div(safe), sy.Div(safe)
		var sp archsimd.Float32x8
		for y := range H {
			dy := archsimd.BroadcastFloat32x8(p.ys[y]).Sub(my)
			dy2 := dy.Mul(dy)
			for x := range W {
				dx := archsimd.BroadcastFloat32x8(p.xs[x]).Sub(mx)
				sp = sp.Add(archsimd.LoadFloat32x8(at8(tri, (y*W+x)*kcp+k)).Mul(dx.Mul(dx).Add(dy2)))
			}
		}
		mass.Store(at8(kps, k))
		mx.Store(at8(kps, kcp+k))
		my.Store(at8(kps, 2*kcp+k))
		sp.Store(at8(kps, 3*kcp+k))
	}
}

// projectOut computes out [m, outDim] = xs [m, D] · proj [D, dimPad], 4
// frames at a time (xs holds at least m rounded up to 4 rows).
func projectOut(xs []float32, m, D int, proj []float32, dimPad int, out []float32, outDim int) {
	mr := (m + 3) / 4 * 4
	if len(xs) < mr*D || len(proj) < D*dimPad || len(out) < m*outDim {
		panic("framenc: projection kernel out of range")
	}
	switch {
	case hasAVX512:
		c := 0
		for ; c+32 <= dimPad; c += 32 {
			for f0 := 0; f0 < m; f0 += 4 {
				project512x2(xs, f0, D, proj, dimPad, c, out, m, outDim)
			}
		}
		if c < dimPad {
			for f0 := 0; f0 < m; f0 += 4 {
				project512x1(xs, f0, D, proj, dimPad, c, out, m, outDim)
			}
		}
	case hasAVX2:
		for c := 0; c < dimPad; c += 16 {
			for f0 := 0; f0 < m; f0 += 4 {
				project256x2(xs, f0, D, proj, dimPad, c, out, m, outDim)
			}
		}
	default:
		projectScalar(xs, m, D, proj, dimPad, out, outDim)
	}
}

// store16 writes columns c..c+15 of out row f (only those < outDim, rows <
// m).
func store16(v archsimd.Float32x16, out []float32, f, m, c, outDim int) {
	if f >= m || c >= outDim {
		return
	}
	if c+16 <= outDim {
		v.Store(at16(out, f*outDim+c))
		return
	}
	var t [16]float32
	v.Store(&t)
	copy(out[f*outDim+c:(f+1)*outDim], t[:])
}

func store8(v archsimd.Float32x8, out []float32, f, m, c, outDim int) {
	if f >= m || c >= outDim {
		return
	}
	if c+8 <= outDim {
		v.Store(at8(out, f*outDim+c))
		return
	}
	var t [8]float32
	v.Store(&t)
	copy(out[f*outDim+c:(f+1)*outDim], t[:])
}

func project512x2(xs []float32, f0, D int, proj []float32, dimPad, c int, out []float32, m, outDim int) {
	x0, x1, x2, x3 := xs[f0*D:(f0+1)*D], xs[(f0+1)*D:(f0+2)*D], xs[(f0+2)*D:(f0+3)*D], xs[(f0+3)*D:(f0+4)*D]
	var a00, a01, a10, a11, a20, a21, a30, a31 archsimd.Float32x16
	pp, step := unsafe.Pointer(&proj[c]), uintptr(dimPad*4)
	for i := range x0 {
		p0 := archsimd.LoadFloat32x16((*[16]float32)(pp))
		p1 := archsimd.LoadFloat32x16((*[16]float32)(unsafe.Add(pp, 64)))
		pp = unsafe.Add(pp, step)
		x := archsimd.BroadcastFloat32x16(x0[i])
		a00, a01 = p0.MulAdd(x, a00), p1.MulAdd(x, a01)
		x = archsimd.BroadcastFloat32x16(x1[i])
		a10, a11 = p0.MulAdd(x, a10), p1.MulAdd(x, a11)
		x = archsimd.BroadcastFloat32x16(x2[i])
		a20, a21 = p0.MulAdd(x, a20), p1.MulAdd(x, a21)
		x = archsimd.BroadcastFloat32x16(x3[i])
		a30, a31 = p0.MulAdd(x, a30), p1.MulAdd(x, a31)
	}
	store16(a00, out, f0, m, c, outDim)
	store16(a01, out, f0, m, c+16, outDim)
	store16(a10, out, f0+1, m, c, outDim)
	store16(a11, out, f0+1, m, c+16, outDim)
	store16(a20, out, f0+2, m, c, outDim)
	store16(a21, out, f0+2, m, c+16, outDim)
	store16(a30, out, f0+3, m, c, outDim)
	store16(a31, out, f0+3, m, c+16, outDim)
}

func project512x1(xs []float32, f0, D int, proj []float32, dimPad, c int, out []float32, m, outDim int) {
	x0, x1, x2, x3 := xs[f0*D:(f0+1)*D], xs[(f0+1)*D:(f0+2)*D], xs[(f0+2)*D:(f0+3)*D], xs[(f0+3)*D:(f0+4)*D]
	var a0, a1, a2, a3 archsimd.Float32x16
	po := c
	for i := range x0 {
		p := archsimd.LoadFloat32x16(at16(proj, po))
		po += dimPad
		a0 = p.MulAdd(archsimd.BroadcastFloat32x16(x0[i]), a0)
		a1 = p.MulAdd(archsimd.BroadcastFloat32x16(x1[i]), a1)
		a2 = p.MulAdd(archsimd.BroadcastFloat32x16(x2[i]), a2)
		a3 = p.MulAdd(archsimd.BroadcastFloat32x16(x3[i]), a3)
	}
	for r, a := range [4]archsimd.Float32x16{a0, a1, a2, a3} {
		store16(a, out, f0+r, m, c, outDim)
	}
}

func project256x2(xs []float32, f0, D int, proj []float32, dimPad, c int, out []float32, m, outDim int) {
	x0, x1, x2, x3 := xs[f0*D:(f0+1)*D], xs[(f0+1)*D:(f0+2)*D], xs[(f0+2)*D:(f0+3)*D], xs[(f0+3)*D:(f0+4)*D]
	var a00, a01, a10, a11, a20, a21, a30, a31 archsimd.Float32x8
	po := c
	for i := range x0 {
		p0 := archsimd.LoadFloat32x8(at8(proj, po))
		p1 := archsimd.LoadFloat32x8(at8(proj, po+8))
		po += dimPad
		x := archsimd.BroadcastFloat32x8(x0[i])
		a00, a01 = p0.MulAdd(x, a00), p1.MulAdd(x, a01)
		x = archsimd.BroadcastFloat32x8(x1[i])
		a10, a11 = p0.MulAdd(x, a10), p1.MulAdd(x, a11)
		x = archsimd.BroadcastFloat32x8(x2[i])
		a20, a21 = p0.MulAdd(x, a20), p1.MulAdd(x, a21)
		x = archsimd.BroadcastFloat32x8(x3[i])
		a30, a31 = p0.MulAdd(x, a30), p1.MulAdd(x, a31)
	}
	for r, a := range [4][2]archsimd.Float32x8{{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}} {
		store8(a[0], out, f0+r, m, c, outDim)
		store8(a[1], out, f0+r, m, c+8, outDim)
	}
}
