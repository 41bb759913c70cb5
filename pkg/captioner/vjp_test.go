package captioner

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// TestWithVJPMatchesAutodiff checks the hand-written gradients of matmul,
// unstack and split against GoMLX's autodiff of the same expressions written with
// Dot and Slice, on an objective that uses some slices twice and some not at
// all (their gradients must be zero).
func TestWithVJPMatchesAutodiff(t *testing.T) {
	exec := MustNewExec(testBackend(t), func(x, w, s *Node) []*Node {
		objective := func(mm func(a, b *Node) *Node, parts func(*Node) []*Node, cut func(*Node, int, ...int) []*Node) *Node {
			y := mm(x, w)                       // [5,4]
			y = mm(Tanh(y), Transpose(w, 0, 1)) // [5,3]: w used twice
			total := ReduceAllSum(Mul(y, y))
			p := parts(s) // [4,2,3]: slices 0, 1, 3; slice 2 unused
			total = Add(total, ReduceAllSum(Mul(p[0], p[1])))
			total = Add(total, ReduceAllSum(Mul(Tanh(p[3]), p[0])))
			q := cut(y, 1, 1, 1, 1) // three columns, the last unused
			total = Add(total, ReduceAllSum(Mul(q[0], Tanh(q[1]))))
			return total
		}
		plainParts := func(v *Node) []*Node {
			out := make([]*Node, v.Shape().Dimensions[0])
			for i := range out {
				out[i] = Reshape(Slice(v, AxisElem(i)), v.Shape().Dimensions[1:]...)
			}
			return out
		}
		plainMM := func(a, b *Node) *Node { return Dot(a, b).Product() }
		plainCut := func(v *Node, axis int, sizes ...int) []*Node {
			out, start := make([]*Node, len(sizes)), 0
			for k, n := range sizes {
				out[k] = SliceAxis(v, axis, AxisRange(start, start+n))
				start += n
			}
			return out
		}
		custom := objective(matmul, unstack, split)
		plain := objective(plainMM, plainParts, plainCut)
		gc := Gradient(custom, x, w, s)
		gp := Gradient(plain, x, w, s)
		return append(append([]*Node{custom, plain}, gc...), gp...)
	})
	fill := func(seed float64, dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(math.Sin(seed*float64(i+1)) * 0.8)
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	outs, err := exec.Exec(fill(1.3, 5, 3), fill(2.1, 3, 4), fill(0.7, 4, 2, 3))
	if err != nil {
		t.Fatal(err)
	}
	if c, p := outs[0].Value().(float32), outs[1].Value().(float32); math.Abs(float64(c-p)) > 1e-4*math.Abs(float64(p)) {
		t.Fatalf("objective %v with matmul/unstack, %v with Dot/Slice", c, p)
	}
	for i, name := range []string{"x", "w", "s"} {
		c, p := outs[2+i], outs[5+i]
		if !c.Shape().Equal(p.Shape()) {
			t.Fatalf("∂/∂%s: shape %s, autodiff's %s", name, c.Shape(), p.Shape())
		}
		cv, pv := tensors.MustCopyFlatData[float32](c), tensors.MustCopyFlatData[float32](p)
		nonzero := 0
		for j := range cv {
			if math.Abs(float64(cv[j]-pv[j])) > 1e-4*(1+math.Abs(float64(pv[j]))) {
				t.Fatalf("∂/∂%s[%d] = %v; autodiff gives %v", name, j, cv[j], pv[j])
			}
			if pv[j] != 0 {
				nonzero++
			}
		}
		if nonzero == 0 {
			t.Fatalf("∂/∂%s is all zero: the test checks nothing", name)
		}
	}
	// Slice 2 is unused: its block of ∂/∂s is zero.
	gs := tensors.MustCopyFlatData[float32](outs[4])
	for j := 2 * 6; j < 3*6; j++ {
		if gs[j] != 0 {
			t.Fatalf("∂/∂s of the unused slice = %v at %d; want 0", gs[j], j)
		}
	}
}

// TestWithVJPTwoGradients takes two gradients in one graph, the second of an
// objective that uses fewer of unstack's parts than the first: the second
// must not reuse the first pass's gradients of the parts it does not use.
func TestWithVJPTwoGradients(t *testing.T) {
	exec := MustNewExec(testBackend(t), func(s *Node) []*Node {
		p := unstack(s) // [3,2]: three parts of 2
		first := Gradient(ReduceAllSum(Add(Mul(p[0], p[0]), Add(p[1], p[2]))), s)[0]
		second := Gradient(ReduceAllSum(p[2]), s)[0]
		return []*Node{first, second}
	})
	outs, err := exec.Exec(tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	first, second := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
	wantFirst, wantSecond := []float32{2, 4, 1, 1, 1, 1}, []float32{0, 0, 0, 0, 1, 1}
	for i := range wantFirst {
		if first[i] != wantFirst[i] || second[i] != wantSecond[i] {
			t.Fatalf("gradients %v and %v; want %v and %v", first, second, wantFirst, wantSecond)
		}
	}
}

// TestWeightGradMatchesProduct checks weightGrad against the plain product
// contracting the first axes, to the bit, at the step's shapes on either
// side of packedProducts (both of its rewritten forms included): the
// rewrite must leave training's results unchanged.
func TestWeightGradMatchesProduct(t *testing.T) {
	for _, sh := range [][3]int{
		{64, 128, 512},  // the LSTM's recurrent weights (exactly packedProducts)
		{768, 128, 320}, // the output layer: x transposed
		{768, 384, 128}, // the per-frame projection: v and the result transposed
		{64, 1152, 128}, // an encoder layer
		{64, 42, 32},    // the topic head: below packedProducts, unchanged
	} {
		M, K, N := sh[0], sh[1], sh[2]
		exec := MustNewExec(testBackend(t), func(x, v *Node) []*Node {
			return []*Node{weightGrad(x, v), DotGeneral(x, []int{0}, nil, v, []int{0}, nil)}
		})
		fill := func(seed float64, dims ...int) *tensors.Tensor {
			v := make([]float32, dims[0]*dims[1])
			for i := range v {
				v[i] = float32(math.Sin(seed*float64(i+1)) * 0.8)
			}
			return tensors.FromFlatDataAndDimensions(v, dims...)
		}
		outs, err := exec.Exec(fill(1.3, M, K), fill(2.1, M, N))
		if err != nil {
			t.Fatal(err)
		}
		if !outs[0].Shape().Equal(outs[1].Shape()) {
			t.Fatalf("%v: shape %s, the product's %s", sh, outs[0].Shape(), outs[1].Shape())
		}
		got, want := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("M, K, N = %v: value %d is %v; the product gives %v", sh, i, got[i], want[i])
			}
		}
	}
}
