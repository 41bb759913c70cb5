package captioner

// Hand-written gradients for the hot path of a training step. GoMLX's
// gradient of a matrix product ends in a Transpose of each gradient, even
// when the permutation is the identity, and the Go backend executes every
// Transpose as an element-by-element copy: at the default sizes those
// copies were 15% of a step's CPU time. The products below give the same
// gradients as DotGeneral products in the layouts the backend runs
// directly (docs/benchmarks.md).

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified
	"github.com/gomlx/gomlx/support/exceptions"
)

// withVJP returns forward(inputs), whose gradients with respect to the
// inputs are vjp(vs) (vs: the gradients with respect to the outputs, nil
// for an output the objective does not use) instead of what reverse-mode
// differentiation of forward would give.
//
// It relies on the order of GoMLX's reverse pass, which visits nodes from
// the last created to the first: the outputs' custom gradients (created
// after forward) run before the inputs' (created before it), which then
// receive vjp(vs). Autodiff still builds forward's own gradient, which
// nothing uses and the backend drops (dead-code elimination).
// TestWithVJPMatchesAutodiff checks the results against autodiff.
func withVJP(inputs []*Node, forward func(in []*Node) []*Node, vjp func(vs []*Node) []*Node) []*Node {
	// vs collects one reverse pass's output gradients; a graph may hold
	// several passes (one per Gradient call), so a pass starts afresh when
	// the inputs' gradients of the previous one were handed out, or when an
	// output is visited a second time.
	var vs, grads []*Node
	consumed := false
	taps := make([]*Node, len(inputs))
	for i, x := range inputs {
		taps[i] = IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
			if vs == nil {
				exceptions.Panicf("withVJP: the gradient of input %d was asked before the outputs' (GoMLX's reverse order changed?)", i)
			}
			consumed = true
			if grads == nil {
				grads = vjp(vs)
				if len(grads) != len(inputs) {
					exceptions.Panicf("withVJP: %d gradients for %d inputs", len(grads), len(inputs))
				}
				for j, g := range grads {
					if !g.Shape().Equal(inputs[j].Shape()) {
						exceptions.Panicf("withVJP: gradient %d has shape %s, its input %s", j, g.Shape(), inputs[j].Shape())
					}
				}
			}
			return grads[i]
		})
	}
	outs := forward(taps)
	for k, out := range outs {
		outs[k] = IdentityWithCustomGradient(out, func(_, v *Node) *Node {
			if vs == nil || consumed || vs[k] != nil {
				vs, consumed = make([]*Node, len(outs)), false
			}
			vs[k], grads = v, nil
			return v
		})
	}
	return outs
}

// matmul is x·w for x [M,K] and w [K,N], with the gradients
// ∂x = v·wᵀ (a product the backend runs without transposing) and
// ∂w = xᵀ·v (weightGrad), computed without GoMLX's final transposes.
func matmul(x, w *Node) *Node {
	x.AssertRank(2)
	w.AssertRank(2)
	return withVJP([]*Node{x, w},
		func(in []*Node) []*Node { return []*Node{Dot(in[0], in[1]).Product()} },
		func(vs []*Node) []*Node {
			v := vs[0]
			return []*Node{
				DotGeneral(v, []int{1}, nil, w, []int{1}, nil),
				weightGrad(x, v),
			}
		})[0]
}

// packedProducts is the size M·K·N from which the Go backend multiplies
// matrices with its packed kernels (gomlx/compute v0.1.6, with and without
// GOEXPERIMENT=simd): they pack either operand layout into the same
// panels, so a product's result does not depend on its operands' layouts
// there (TestWeightGradMatchesProduct checks it).
const packedProducts = 4 << 20

// weightGrad returns xᵀ·v [K,N] for x [M,K] and v [M,N]. The backend runs a
// product that contracts the first axes of both operands by transposing
// both first, each an element-by-element copy. From packedProducts on, it
// transposes only x (M·K values) or only v and the result (M·N + K·N),
// whichever copies less, for a layout the backend runs directly: the same
// result to the bit. Below, where the kernels differ by layout, it keeps
// the product as it is.
func weightGrad(x, v *Node) *Node {
	M, K, N := x.Shape().Dimensions[0], x.Shape().Dimensions[1], v.Shape().Dimensions[1]
	switch {
	case M*K*N < packedProducts:
		return DotGeneral(x, []int{0}, nil, v, []int{0}, nil)
	case M*K <= M*N+K*N:
		return DotGeneral(TransposeAllAxes(x, 1, 0), []int{1}, nil, v, []int{0}, nil)
	default:
		return TransposeAllAxes(DotGeneral(TransposeAllAxes(v, 1, 0), []int{1}, nil, x, []int{0}, nil), 1, 0)
	}
}

// unstack splits x [L,...] into its L slices along the first axis (each
// without that axis), with the gradient the stack of the slices' gradients
// (zeros for unused ones): autodiff would give each slice's gradient as a
// zero-padded copy of the whole of x, and add the L copies.
func unstack(x *Node) []*Node {
	L := x.Shape().Dimensions[0]
	dims := x.Shape().Dimensions[1:]
	return withVJP([]*Node{x},
		func(in []*Node) []*Node {
			parts := make([]*Node, L)
			for t := range L {
				parts[t] = Reshape(Slice(in[0], AxisElem(t)), dims...)
			}
			return parts
		},
		func(vs []*Node) []*Node {
			parts := make([]*Node, L)
			for t, v := range vs {
				if v == nil {
					v = Zeros(x.Graph(), shapes.Make(x.DType(), dims...))
				}
				parts[t] = v
			}
			return []*Node{Stack(parts, 0)}
		})
}

// split cuts x along axis into consecutive parts of the given sizes (which
// must add up to the axis' dimension), with the gradient the concatenation
// of the parts' gradients (zeros for unused ones): autodiff would give each
// part's gradient as a zero-padded copy of the whole of x, and add them.
func split(x *Node, axis int, sizes ...int) []*Node {
	axis = MustAdjustAxis(axis, x)
	total := 0
	for _, n := range sizes {
		total += n
	}
	if total != x.Shape().Dimensions[axis] {
		exceptions.Panicf("split: sizes %v for axis %d of %s", sizes, axis, x.Shape())
	}
	return withVJP([]*Node{x},
		func(in []*Node) []*Node {
			parts := make([]*Node, len(sizes))
			start := 0
			for k, n := range sizes {
				parts[k] = SliceAxis(in[0], axis, AxisRange(start, start+n))
				start += n
			}
			return parts
		},
		func(vs []*Node) []*Node {
			parts := make([]*Node, len(vs))
			for k, v := range vs {
				if v == nil {
					dims := append([]int(nil), x.Shape().Dimensions...)
					dims[axis] = sizes[k]
					v = Zeros(x.Graph(), shapes.Make(x.DType(), dims...))
				}
				parts[k] = v
			}
			return []*Node{Concatenate(parts, axis)}
		})
}
