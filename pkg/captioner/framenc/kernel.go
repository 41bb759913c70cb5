package framenc

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// The encoder as plain Go loops ("kernels"), what Encode runs on the Go
// backend: each worker (one per core) encodes whole frames, one output row of
// patch positions at a time, so that nothing bigger than a frame's
// intermediate values is ever written to memory. In a build with
// GOEXPERIMENT=simd the products that carry almost all the arithmetic — the
// filter responses and the output projection —, the patch normalisation and
// the colour pathway are SIMD (kernel_simd.go: AVX-512, or AVX2 with FMA);
// otherwise (kernel_nosimd.go, or an older CPU) the products go through
// gonum's Sgemm (SSE) and the rest is scalar Go. The operations follow
// graph.go's, in the same order where it matters (the patch variance
// cancels), so both give the same features up to float rounding
// (TestKernelsMatchGraph); the scalar kernels give the default build's graph
// features bit for bit.

// kernelLanes is the padding of the filter and projection columns: the
// widest SIMD vector (16 float32 lanes with AVX-512); padded columns are 0.
const kernelLanes = 16

// kernelBlock is the number of frames a worker encodes before projecting
// them together.
const kernelBlock = 16

// kernelPlan is a fitted encoder laid out for the kernels.
type kernelPlan struct {
	H, W   int
	scales int
	banks  []*bankPlan
	// Colours: centres [kc, 3], their squared norms, the colour grid's cell
	// of each row and column, the pixels in each cell, the raw offsets.
	kc, kcp          int // colours, padded to kernelLanes
	centers, cc      []float32
	cR, cG, cB, ccp  []float32 // the centres' channels and squared norms, padded to kcp
	valid            []float32 // 1 for a colour, 0 for padding [kcp]
	cgrid            int
	ccellY, ccellX   []int
	ccellN           []float32
	colorOff, keyOff int
	keypoints        bool
	xs, ys           []float32 // pixel centres in [−1, 1]
	rawDim           int
	// Output: standardisation, the projection [rawDim, dimPad] with zero
	// padded columns (nil without one) and the output dimension.
	mean, scale    []float32
	proj           []float32
	outDim, dimPad int
}

// bankPlan is one filter bank: the RGB or the saturation filters of one
// scale.
type bankPlan struct {
	scale    int
	sat      bool // on the saturation map (one channel)
	C, K, Kp int  // channels, filters, filters padded to kernelLanes
	P, S     int
	h, w     int // the input image
	ho, wo   int // patch positions
	// F is [P·P·C, Kp], colsum its column sums, bias [Kp]; zero padded.
	F, colsum, bias []float32
	grid            int
	cellY, cellX    []int     // grid cell of each output row and column
	cellN           []float32 // positions in each cell
	maxOff, gridOff int       // offsets of the maxima and the grid means in the raw features
}

// kernels returns the encoder's kernel plan, building it at first use.
func (e *Encoder) kernels() *kernelPlan {
	if e.kern == nil {
		e.kern = newKernelPlan(e)
	}
	return e.kern
}

func newKernelPlan(e *Encoder) *kernelPlan {
	c := e.Config
	p := &kernelPlan{H: e.Height, W: e.Width, scales: c.Scales, rawDim: e.RawDim}
	G2 := c.Grid * c.Grid
	pt := c.passThrough()
	h, w := e.Height, e.Width
	for s := range c.Scales {
		if s > 0 {
			h, w = h/2, w/2
		}
		p.banks = append(p.banks, newBankPlan(c, s, false, h, w, 3, c.Filters, e.Filters[s], e.FilterBias[s],
			s*c.Filters, pt+s*c.Filters*G2))
		if c.ShapeFilters > 0 {
			p.banks = append(p.banks, newBankPlan(c, s, true, h, w, 1, c.ShapeFilters, e.ShapeFilters[s], e.ShapeBias[s],
				c.Scales*c.Filters+s*c.ShapeFilters, pt+c.Scales*c.Filters*G2+s*c.ShapeFilters*G2))
		}
	}
	if c.Colors > 0 {
		p.kc, p.kcp, p.cgrid, p.keypoints = c.Colors, padLanes(c.Colors), c.ColorGrid, c.Keypoints
		p.centers = e.ColorCenters
		p.cc = make([]float32, p.kc)
		for k := range p.kc {
			r, g, b := p.centers[3*k], p.centers[3*k+1], p.centers[3*k+2]
			p.cc[k] = r*r + g*g + b*b
		}
		p.cR, p.cG, p.cB, p.ccp, p.valid = make([]float32, p.kcp), make([]float32, p.kcp), make([]float32, p.kcp), make([]float32, p.kcp), make([]float32, p.kcp)
		for k := range p.kc {
			p.cR[k], p.cG[k], p.cB[k], p.ccp[k], p.valid[k] = p.centers[3*k], p.centers[3*k+1], p.centers[3*k+2], p.cc[k], 1
		}
		p.ccellY, p.ccellX, p.ccellN = gridCells(e.Height, e.Width, c.ColorGrid)
		p.keyOff = c.Scales * (c.Filters + c.ShapeFilters)
		p.colorOff = e.RawDim - p.kc*c.ColorGrid*c.ColorGrid
		p.xs, p.ys = make([]float32, e.Width), make([]float32, e.Height)
		for x := range p.xs {
			p.xs[x] = (float32(x)+0.5)/float32(e.Width)*2 - 1
		}
		for y := range p.ys {
			p.ys[y] = (float32(y)+0.5)/float32(e.Height)*2 - 1
		}
	}
	p.mean, p.scale, p.outDim = e.Mean, e.Scale, e.OutDim()
	if p.outDim != e.RawDim && e.Projection != nil {
		p.dimPad = padLanes(p.outDim)
		p.proj = make([]float32, e.RawDim*p.dimPad)
		for i := range e.RawDim {
			copy(p.proj[i*p.dimPad:i*p.dimPad+p.outDim], e.Projection[i*p.outDim:(i+1)*p.outDim])
		}
	}
	return p
}

func padLanes(k int) int { return (k + kernelLanes - 1) / kernelLanes * kernelLanes }

func newBankPlan(c Config, scale int, sat bool, h, w, C, K int, filters, bias []float32, maxOff, gridOff int) *bankPlan {
	b := &bankPlan{scale: scale, sat: sat, C: C, K: K, Kp: padLanes(K), P: c.Patch, S: c.Stride, h: h, w: w,
		grid: c.Grid, maxOff: maxOff, gridOff: gridOff}
	b.ho, b.wo = c.outSize(h, w)
	pd := c.Patch * c.Patch * C
	b.F = make([]float32, pd*b.Kp)
	b.colsum, b.bias = make([]float32, b.Kp), make([]float32, b.Kp)
	for i := range pd {
		copy(b.F[i*b.Kp:i*b.Kp+K], filters[i*K:(i+1)*K])
	}
	for k := range K {
		var s float32
		for i := range pd {
			s += filters[i*K+k]
		}
		b.colsum[k] = s
	}
	copy(b.bias, bias)
	b.cellY, b.cellX, b.cellN = gridCells(b.ho, b.wo, c.Grid)
	return b
}

// gridCells returns the grid cell (gridMean's, boundaries rounded down) of
// each of h rows and w columns and the number of positions in each cell.
func gridCells(h, w, grid int) (cy, cx []int, count []float32) {
	cy, cx = make([]int, h), make([]int, w)
	for g := range grid {
		for y := g * h / grid; y < (g+1)*h/grid; y++ {
			cy[y] = g
		}
		for x := g * w / grid; x < (g+1)*w/grid; x++ {
			cx[x] = g
		}
	}
	count = make([]float32, grid*grid)
	for y := range h {
		for x := range w {
			count[cy[y]*grid+cx[x]]++
		}
	}
	return cy, cx, count
}

// kernelWork is one worker's scratch memory.
type kernelWork struct {
	imgs, sats [][]float32 // per scale (imgs[0] is the frame itself)
	chs, chq   []float32   // channel sums of a bank's input and of its square
	mean, inv  []float32   // per patch position: mean, 1/std
	resp       []float32   // one output row of responses [wo, Kp]
	cols       []float32   // one output row of patches [wo, P·P·C] (scalar kernels)
	mx, gs     []float32   // maxima [Kp], grid sums [grid², Kp]
	tri        []float32   // colour responses [H·W, kcp]
	cgs, kps   []float32   // colour grid sums [cgrid², kcp], keypoint sums [4, kcp]
	xs         []float32   // standardised raw features of a block [kernelBlock, rawDim]
	raw        []float32   // raw features of a block
}

func (p *kernelPlan) newWork() *kernelWork {
	wk := &kernelWork{}
	h, w := p.H, p.W
	maxRow, maxPos, maxKp, maxG, maxCols := 0, 0, 0, 0, 0
	for _, b := range p.banks {
		maxRow = max(maxRow, b.wo*b.Kp)
		maxCols = max(maxCols, b.wo*b.P*b.P*b.C)
		maxPos = max(maxPos, b.ho*b.wo)
		maxKp = max(maxKp, b.Kp)
		maxG = max(maxG, b.grid*b.grid*b.Kp)
	}
	for s := range p.scales {
		if s > 0 {
			h, w = h/2, w/2
			wk.imgs = append(wk.imgs, make([]float32, h*w*3))
		} else {
			wk.imgs = append(wk.imgs, nil)
		}
		wk.sats = append(wk.sats, make([]float32, h*w))
	}
	wk.chs, wk.chq = make([]float32, p.H*p.W), make([]float32, p.H*p.W)
	wk.mean, wk.inv = make([]float32, maxPos), make([]float32, maxPos)
	wk.resp, wk.mx, wk.gs = make([]float32, maxRow), make([]float32, maxKp), make([]float32, maxG)
	wk.cols = make([]float32, maxCols)
	wk.tri = make([]float32, p.H*p.W*p.kcp)
	wk.cgs, wk.kps = make([]float32, p.cgrid*p.cgrid*p.kcp), make([]float32, 4*p.kcp)
	wk.raw = make([]float32, kernelBlock*p.rawDim)
	wk.xs = make([]float32, kernelBlock*p.rawDim)
	return wk
}

// encodeKernels encodes n frames with the kernels on GOMAXPROCS workers.
func (e *Encoder) encodeKernels(frames []float32, n int, raw bool) ([]float32, error) {
	p := e.kernels()
	dim := p.outDim
	if raw {
		dim = p.rawDim
	}
	out := make([]float32, n*dim)
	frameLen := p.H * p.W * 3
	blocks := (n + kernelBlock - 1) / kernelBlock
	workers := min(runtime.GOMAXPROCS(0), blocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Value
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					panicked.CompareAndSwap(nil, r)
				}
			}()
			wk := p.newWork()
			for {
				b := int(next.Add(1)) - 1
				if b >= blocks || panicked.Load() != nil {
					return
				}
				lo, hi := b*kernelBlock, min(n, (b+1)*kernelBlock)
				for f := lo; f < hi; f++ {
					p.frameRaw(wk, frames[f*frameLen:(f+1)*frameLen], wk.raw[(f-lo)*p.rawDim:(f-lo+1)*p.rawDim])
				}
				if raw {
					copy(out[lo*dim:hi*dim], wk.raw[:(hi-lo)*dim])
				} else {
					p.output(wk, hi-lo, out[lo*dim:hi*dim])
				}
			}
		}()
	}
	wg.Wait()
	if r := panicked.Load(); r != nil {
		panic(r)
	}
	return out, nil
}

// output standardises the m raw feature vectors of wk.raw and projects them
// into out [m, outDim].
func (p *kernelPlan) output(wk *kernelWork, m int, out []float32) {
	D := p.rawDim
	for f := range m {
		raw, xs := wk.raw[f*D:(f+1)*D], wk.xs[f*D:(f+1)*D]
		for i := range xs {
			xs[i] = (raw[i] - p.mean[i]) * p.scale[i]
		}
	}
	if p.proj == nil {
		copy(out, wk.xs[:m*D])
		return
	}
	projectOut(wk.xs, m, D, p.proj, p.dimPad, out, p.outDim)
}

// frameRaw computes the raw features of one frame [H, W, 3] into raw.
func (p *kernelPlan) frameRaw(wk *kernelWork, frame, raw []float32) {
	h, w := p.H, p.W
	wk.imgs[0] = frame
	for s := range p.scales {
		if s > 0 {
			halveInto(wk.imgs[s], wk.imgs[s-1], h, w)
			h, w = h/2, w/2
		}
		img, sat := wk.imgs[s], wk.sats[s]
		for i := range sat {
			r, g, b := img[3*i], img[3*i+1], img[3*i+2]
			sat[i] = max(r, g, b) - min(r, g, b)
		}
	}
	for _, b := range p.banks {
		if b.sat {
			p.runBank(wk, b, wk.sats[b.scale], raw)
		} else {
			p.runBank(wk, b, wk.imgs[b.scale], raw)
		}
	}
	if p.kc > 0 {
		p.colors(wk, frame, raw)
	}
	wk.imgs[0] = nil
}

// halveInto averages the 2×2 blocks of src [h, w, 3] into dst.
func halveInto(dst, src []float32, h, w int) {
	for y := range h / 2 {
		r0, r1 := src[2*y*w*3:(2*y+1)*w*3], src[(2*y+1)*w*3:(2*y+2)*w*3]
		d := dst[y*(w/2)*3 : (y+1)*(w/2)*3]
		for x := range w / 2 {
			for c := range 3 {
				d[3*x+c] = (r0[6*x+c] + r0[6*x+3+c] + r1[6*x+c] + r1[6*x+3+c]) / 4
			}
		}
	}
}

// runBank computes the triangle-encoded responses of bank b on img and
// writes their maxima and grid means into raw.
func (p *kernelPlan) runBank(wk *kernelWork, b *bankPlan, img, raw []float32) {
	h, w, C, P, S := b.h, b.w, b.C, b.P, b.S
	ho, wo, Kp := b.ho, b.wo, b.Kp
	// Brightness and contrast: the mean and 1/std of each patch, from box
	// sums of the channel-summed image and of its square (as graph.go).
	chs, chq := wk.chs[:h*w], wk.chq[:h*w]
	for i := range chs {
		px := img[i*C : (i+1)*C]
		s, q := px[0], px[0]*px[0]
		for _, v := range px[1:] {
			s += v
			q += v * v
		}
		chs[i], chq[i] = s, q
	}
	// Box sums of the P·P shifted copies, added in graph.go's order (the
	// variance below cancels, so the same order keeps the same rounding).
	invd := float32(1 / float64(P*P*C))
	for oy := range ho {
		ms, vs := wk.mean[oy*wo:(oy+1)*wo], wk.inv[oy*wo:(oy+1)*wo]
		for dy := range P {
			for dx := range P {
				row := (oy*S+dy)*w + dx
				if dy == 0 && dx == 0 {
					stridedCopy(ms, chs[row:], S)
					stridedCopy(vs, chq[row:], S)
				} else {
					stridedAdd(ms, chs[row:], S)
					stridedAdd(vs, chq[row:], S)
				}
			}
		}
		meanInvStd(ms, vs, invd)
	}
	mx, gs := wk.mx[:Kp], wk.gs[:b.grid*b.grid*Kp]
	clear(mx) // the responses are ≥ 0
	clear(gs)
	resp := wk.resp[:wo*Kp]
	for oy := range ho {
		convRow(resp, img, b, oy, wk.cols)
		bankEpilogue(resp, b, oy, wk.mean[oy*wo:(oy+1)*wo], wk.inv[oy*wo:(oy+1)*wo], mx, gs[b.cellY[oy]*b.grid*Kp:])
	}
	K := b.K
	copy(raw[b.maxOff:b.maxOff+K], mx[:K])
	for cell, n := range b.cellN {
		inv := float32(1 / float64(n))
		dst := raw[b.gridOff+cell*K : b.gridOff+(cell+1)*K]
		for k, v := range gs[cell*Kp : cell*Kp+K] {
			dst[k] = v * inv
		}
	}
}

// stridedCopy sets dst[i] = src[i·S].
func stridedCopy(dst, src []float32, S int) {
	if S == 1 {
		copy(dst, src[:len(dst)])
		return
	}
	for i := range dst {
		dst[i] = src[i*S]
	}
}

// stridedAdd adds src[i·S] to dst[i].
func stridedAdd(dst, src []float32, S int) {
	if S == 1 {
		addTo(dst, src[:len(dst)])
		return
	}
	for i := range dst {
		dst[i] += src[i*S]
	}
}

// addToScalar adds src to dst element-wise.
func addToScalar(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// meanInvStdScalar turns box sums s and sums of squares q of values into
// the mean (in s) and 1/√(max(variance, 0) + patchEpsilon) (in q); invd is
// 1/(the number of values).
func meanInvStdScalar(s, q []float32, invd float32) {
	q = q[:len(s)]
	for i, x := range s {
		m := x * invd
		v := q[i]*invd - m*m
		s[i] = m
		q[i] = float32(1 / math.Sqrt(float64(max(v, 0)+patchEpsilon)))
	}
}

// convRowScalar computes the filter products of output row oy: resp[ox, k] =
// Σ_i patch(oy, ox)[i]·F[i, k] for the wo positions and Kp filters of b. It
// copies the row's patches into cols [wo, P·P·C] and multiplies them by F
// with gonum's Sgemm, whose SSE kernel adds the products in order of i, as
// the scalar loop would.
func convRowScalar(resp, img []float32, b *bankPlan, oy int, cols []float32) {
	P, S, C, Kp, w, wo := b.P, b.S, b.C, b.Kp, b.w, b.wo
	PC, pd := P*C, P*P*C
	cols = cols[:wo*pd]
	for ox := range wo {
		for dy := range P {
			base := ((oy*S+dy)*w + ox*S) * C
			copy(cols[ox*pd+dy*PC:ox*pd+(dy+1)*PC], img[base:base+PC])
		}
	}
	blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, wo, Kp, pd, 1, cols, pd, b.F, Kp, 0, resp[:wo*Kp], Kp)
}

// convRowScalar1 is convRowScalar one position and filter at a time.
func convRowScalar1(resp, img []float32, b *bankPlan, oy int) {
	P, S, C, Kp, w := b.P, b.S, b.C, b.Kp, b.w
	PC := P * C
	for ox := range b.wo {
		for k := range Kp {
			var a float32
			for dy := range P {
				px := img[((oy*S+dy)*w+ox*S)*C:]
				for j, x := range px[:PC] {
					a += x * b.F[(dy*PC+j)*Kp+k]
				}
			}
			resp[ox*Kp+k] = a
		}
	}
}

// bankEpilogueScalar normalises and triangle-encodes one row of responses
// and pools them: mx the running maxima, gs the grid sums of the row's grid
// row ([grid, Kp] from the row's first cell).
func bankEpilogueScalar(resp []float32, b *bankPlan, oy int, mean, inv, mx, gs []float32) {
	Kp, K := b.Kp, b.K
	invK := float32(1 / float64(K))
	for ox := range b.wo {
		r := resp[ox*Kp : ox*Kp+K]
		m, s := mean[ox], inv[ox]
		cs, bs := b.colsum[:K], b.bias[:K]
		var sum float32
		for k := range r {
			v := (r[k]-m*cs[k])*s + bs[k]
			r[k] = v
			sum += v
		}
		avg := sum * invK
		g := gs[b.cellX[ox]*Kp : b.cellX[ox]*Kp+K]
		mk := mx[:K]
		for k, v := range r {
			t := max(v-avg, 0)
			mk[k] = max(mk[k], t)
			g[k] += t
		}
	}
}

// projectScalar computes out [m, outDim] = xs [m, D] · proj [D, dimPad]
// with gonum's Sgemm, in column blocks it runs serially.
func projectScalar(xs []float32, m, D int, proj []float32, dimPad int, out []float32, outDim int) {
	const cols = 128
	for c := 0; c < outDim; c += cols {
		n := min(cols, outDim-c)
		blas32.Implementation().Sgemm(blas.NoTrans, blas.NoTrans, m, n, D, 1, xs[:m*D], D, proj[c:], dimPad, 0, out[c:], outDim)
	}
}
