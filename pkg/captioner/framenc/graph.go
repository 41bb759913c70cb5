package framenc

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified
	"github.com/gomlx/gomlx/core/tensors"
)

// The encoder as GoMLX graphs: what Encode runs on backends other than the
// Go backend (XLA), and the reference the Go kernels (kernel.go) are tested
// against. One graph per chunk of chunkFrames frames, the patches as slices
// + one matrix product ("im2col").

// chunkFrames is the number of frames encoded per graph execution; the last
// chunk is padded, so one compiled graph serves every call.
const chunkFrames = 128

// encodeExec caches the compiled graphs of an encoder for one backend.
type encodeExec struct {
	backend  compute.Backend
	raw, out *Exec
}

// graphs returns the compiled graphs for backend, building them at first use.
func (e *Encoder) graphs(backend compute.Backend) (*encodeExec, error) {
	if e.exec != nil && e.exec.backend == backend {
		return e.exec, nil
	}
	raw, err := NewExec(backend, e.rawGraph)
	if err != nil {
		return nil, err
	}
	out, err := NewExec(backend, func(frames *Node) *Node { return e.outGraph(e.rawGraph(frames)) })
	if err != nil {
		return nil, err
	}
	e.exec = &encodeExec{backend: backend, raw: raw, out: out}
	return e.exec, nil
}

// rawGraph maps frames [n, H, W, 3] to pooled features [n, RawDim].
func (e *Encoder) rawGraph(frames *Node) *Node {
	g := frames.Graph()
	c := e.Config
	n := frames.Shape().Dimensions[0]
	H, W := e.Height, e.Width
	frames.AssertDims(n, H, W, 3)

	var maxima, satMaxima, grids, satGrids []*Node
	img := frames
	for s := range c.Scales {
		if s > 0 { // average 2×2 blocks
			h, w := img.Shape().Dimensions[1], img.Shape().Dimensions[2]
			img = ReduceMean(Reshape(img, n, h/2, 2, w/2, 2, 3), 2, 4)
		}
		resp := e.filterGraph(img, e.Filters[s], e.FilterBias[s], c.Filters)
		maxima = append(maxima, ReduceMax(resp, 1, 2))
		grids = append(grids, gridMean(resp, c.Grid))
		if c.ShapeFilters > 0 {
			sat := Sub(ReduceAndKeep(img, ReduceMax, -1), ReduceAndKeep(img, ReduceMin, -1)) // [n,h,w,1]
			resp := e.filterGraph(sat, e.ShapeFilters[s], e.ShapeBias[s], c.ShapeFilters)
			satMaxima = append(satMaxima, ReduceMax(resp, 1, 2))
			satGrids = append(satGrids, gridMean(resp, c.Grid))
		}
	}
	maxima = append(maxima, satMaxima...)
	grids = append(grids, satGrids...)
	var colorGrid, keypoints *Node
	if c.Colors > 0 {
		kc := c.Colors
		px := Reshape(frames, n*H*W, 3)
		centers := Const(g, tensors.FromFlatDataAndDimensions(e.ColorCenters, kc, 3))
		// ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²
		d2 := Add(
			Sub(ReduceAndKeep(Square(px), ReduceSum, -1), MulScalar(Dot(px, Transpose(centers, 0, 1)).Product(), 2)),
			ExpandAxes(ReduceSum(Square(centers), -1), 0))
		z := Sqrt(AddScalar(Max(d2, ScalarZero(g, d2.DType())), 1e-12))
		tri := Reshape(Max(Sub(ReduceAndKeep(z, ReduceMean, -1), z), ScalarZero(g, z.DType())), n, H, W, kc)
		colorGrid = gridMean(tri, c.ColorGrid)
		if c.Keypoints {
			keypoints = colorKeypoints(tri)
		}
	}
	parts := maxima
	if keypoints != nil {
		parts = append(parts, keypoints)
	}
	parts = append(parts, grids...)
	if colorGrid != nil {
		parts = append(parts, colorGrid)
	}
	out := Concatenate(parts, -1)
	out.AssertDims(n, c.rawDim())
	return out
}

// filterGraph computes the triangle-encoded responses of the filters
// [Patch·Patch·C, K] (bias [K]) on img [n, h, w, C]: [n, ho, wo, K].
func (e *Encoder) filterGraph(img *Node, filterValues, biasValues []float32, K int) *Node {
	g := img.Graph()
	c := e.Config
	n, h, w, C := img.Shape().Dimensions[0], img.Shape().Dimensions[1], img.Shape().Dimensions[2], img.Shape().Dimensions[3]
	ho, wo := c.outSize(h, w)
	P, S := c.Patch, c.Stride
	pd := P * P * C

	// Patches ("im2col"): one slice per offset inside the patch, concatenated
	// along the channels in (dy, dx, channel) order, the order fit.go uses.
	shifted := func(x *Node, dy, dx int) *Node {
		return Slice(x, AxisRange(), AxisRange(dy, dy+(ho-1)*S+1).Stride(S), AxisRange(dx, dx+(wo-1)*S+1).Stride(S))
	}
	cols := make([]*Node, 0, P*P)
	for dy := range P {
		for dx := range P {
			cols = append(cols, shifted(img, dy, dx))
		}
	}
	patches := Concatenate(cols, -1)
	patches.AssertDims(n, ho, wo, pd)

	// Brightness and contrast normalisation of each patch, folded into the
	// product: with m and s² the patch's mean and variance,
	// ((p − m)/√(s²+ε))·F = (p·F − m·ΣF)/√(s²+ε). m and s² come from sums of
	// the same shifted slices of the channel-summed image and of its square.
	d := float64(pd)
	boxSum := func(x *Node) *Node { // x [n,h,w] → [n,ho,wo] sums over each patch
		var sum *Node
		for dy := range P {
			for dx := range P {
				if sl := shifted(x, dy, dx); sum == nil {
					sum = sl
				} else {
					sum = Add(sum, sl)
				}
			}
		}
		return sum
	}
	mean := DivScalar(boxSum(ReduceSum(img, -1)), d)
	variance := Sub(DivScalar(boxSum(ReduceSum(Square(img), -1)), d), Square(mean))
	invStd := Rsqrt(AddScalar(Max(variance, ScalarZero(g, variance.DType())), patchEpsilon))

	// Filter responses, triangle-encoded.
	filters := Const(g, tensors.FromFlatDataAndDimensions(filterValues, pd, K))
	bias := Const(g, tensors.FromFlatDataAndDimensions(biasValues, K))
	resp := Dot(Reshape(patches, n*ho*wo, pd), filters).Product()
	resp = Reshape(resp, n, ho, wo, K)
	resp = Sub(resp, Mul(ExpandAxes(mean, -1), ExpandAxes(ReduceSum(filters, 0), 0, 1, 2)))
	resp = Add(Mul(resp, ExpandAxes(invStd, -1)), ExpandAxes(bias, 0, 1, 2))
	return Max(Sub(resp, ReduceAndKeep(resp, ReduceMean, -1)), ScalarZero(g, resp.DType()))
}

// outGraph standardises raw features [n, RawDim] and projects them.
func (e *Encoder) outGraph(raw *Node) *Node {
	g := raw.Graph()
	mean := Const(g, tensors.FromFlatDataAndDimensions(e.Mean, e.RawDim))
	scale := Const(g, tensors.FromFlatDataAndDimensions(e.Scale, e.RawDim))
	x := Mul(Sub(raw, ExpandAxes(mean, 0)), ExpandAxes(scale, 0))
	if e.OutDim() != e.RawDim {
		proj := Const(g, tensors.FromFlatDataAndDimensions(e.Projection, e.RawDim, e.OutDim()))
		x = Dot(x, proj).Product()
	}
	x.AssertDims(raw.Shape().Dimensions[0], e.OutDim())
	return x
}

// keypointMass is the summed colour response (in pixels × response) at
// which a colour's keypoint is damped by half: below it the colour is nearly
// absent and its mean position is noise.
const keypointMass = 2.0

// colorKeypoints maps colour responses r [n, H, W, k] to [n, 3k]: for each
// colour the response-weighted mean x, mean y (pixel centres in [−1, 1])
// and the root mean squared distance to that mean, each multiplied by
// m/(m + keypointMass) where m = Σ r.
func colorKeypoints(r *Node) *Node {
	g := r.Graph()
	dims := r.Shape().Dimensions
	n, H, W, k := dims[0], dims[1], dims[2], dims[3]
	xs, ys := make([]float32, W), make([]float32, H)
	for x := range xs {
		xs[x] = (float32(x)+0.5)/float32(W)*2 - 1
	}
	for y := range ys {
		ys[y] = (float32(y)+0.5)/float32(H)*2 - 1
	}
	xmap := Reshape(Const(g, xs), 1, 1, W, 1)
	ymap := Reshape(Const(g, ys), 1, H, 1, 1)
	mass := ReduceSum(r, 1, 2) // [n,k]
	safe := AddScalar(mass, 1e-6)
	mx := Div(ReduceSum(Mul(r, xmap), 1, 2), safe)
	my := Div(ReduceSum(Mul(r, ymap), 1, 2), safe)
	dx := Sub(xmap, Reshape(mx, n, 1, 1, k))
	dy := Sub(ymap, Reshape(my, n, 1, 1, k))
	spread := Sqrt(AddScalar(Div(ReduceSum(Mul(r, Add(Square(dx), Square(dy))), 1, 2), safe), 1e-6))
	conf := Div(mass, AddScalar(mass, keypointMass))
	out := Concatenate([]*Node{Mul(mx, conf), Mul(my, conf), Mul(spread, conf)}, -1)
	out.AssertDims(n, 3*k)
	return out
}

// gridMean averages x [n, h, w, k] over the cells of a grid×grid grid (cell
// boundaries rounded down) and returns [n, grid·grid·k] in (row, col, k)
// order.
func gridMean(x *Node, grid int) *Node {
	dims := x.Shape().Dimensions
	n, h, w, k := dims[0], dims[1], dims[2], dims[3]
	if h%grid == 0 && w%grid == 0 {
		cells := ReduceMean(Reshape(x, n, grid, h/grid, grid, w/grid, k), 2, 4)
		return Reshape(cells, n, grid*grid*k)
	}
	parts := make([]*Node, 0, grid*grid)
	for gy := range grid {
		for gx := range grid {
			cell := Slice(x, AxisRange(), AxisRange(gy*h/grid, (gy+1)*h/grid), AxisRange(gx*w/grid, (gx+1)*w/grid))
			parts = append(parts, ReduceMean(cell, 1, 2))
		}
	}
	return Concatenate(parts, -1)
}

// encodeGraph runs the raw or the full graph over n frames in chunks.
func (e *Encoder) encodeGraph(backend compute.Backend, frames []float32, n int, raw bool) ([]float32, error) {
	frameLen := e.Height * e.Width * 3
	ex, err := e.graphs(backend)
	if err != nil {
		return nil, err
	}
	exec, dim := ex.out, e.OutDim()
	if raw {
		exec, dim = ex.raw, e.RawDim
	}
	feats := make([]float32, n*dim)
	buf := make([]float32, chunkFrames*frameLen)
	for start := 0; start < n; start += chunkFrames {
		m := min(chunkFrames, n-start)
		copy(buf, frames[start*frameLen:(start+m)*frameLen])
		clear(buf[m*frameLen:])
		in := tensors.FromFlatDataAndDimensions(buf, chunkFrames, e.Height, e.Width, 3)
		outs, err := exec.Call(in)
		in.MustFinalizeAll()
		if err != nil {
			return nil, err
		}
		tensors.MustConstFlatData(outs[0], func(flat []float32) {
			copy(feats[start*dim:(start+m)*dim], flat[:m*dim])
		})
		outs[0].MustFinalizeAll()
	}
	return feats, nil
}
