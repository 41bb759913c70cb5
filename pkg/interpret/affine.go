package interpret

import (
	"fmt"
	"math"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"gonum.org/v1/gonum/mat"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

// Affine is a topic head that is affine in a: ŝ = a·W + B.
type Affine struct {
	// W[i] is the change of ŝ per unit of a_i: [N][K].
	W [][]float32
	// B is ŝ at a = 0: [K].
	B []float32
}

// ProbeAffine reads the affine map of h's topic output over n units with
// one call of n+1 rows: B = ŝ(0), W[i] = ŝ(e_i) − B. It does not check that
// the head is affine; Check does.
func ProbeAffine(h Head, n int) (*Affine, error) {
	if n < 1 {
		return nil, fmt.Errorf("probing the topic head: %d units", n)
	}
	rows := make([][]float32, n+1)
	for i := range rows {
		rows[i] = make([]float32, n)
		if i > 0 {
			rows[i][i-1] = 1
		}
	}
	s, err := h.TopicsFrom(rows)
	if err != nil {
		return nil, fmt.Errorf("probing the topic head: %w", err)
	}
	if len(s) != n+1 || len(s[0]) == 0 {
		return nil, fmt.Errorf("probing the topic head: %d rows for %d inputs", len(s), n+1)
	}
	f := &Affine{B: s[0], W: make([][]float32, n)}
	for i := range n {
		f.W[i] = make([]float32, len(f.B))
		for k := range f.B {
			f.W[i][k] = s[i+1][k] - f.B[k]
		}
	}
	return f, nil
}

// Check verifies that the head's outputs s ([clips][K]) on rows a agree with
// the affine map up to float32 rounding: |s − (a·W + B)| ≤ 1e-4·(1 + Σᵢ|aᵢWᵢ| + |B|)
// for every value.
func (f *Affine) Check(a [][]float32, s [][]float64) error {
	for c := range a {
		if len(s[c]) != len(f.B) {
			return fmt.Errorf("affine check: clip %d has %d topic outputs; the probe found %d", c, len(s[c]), len(f.B))
		}
		for k := range f.B {
			pred, scale := float64(f.B[k]), 1+math.Abs(float64(f.B[k]))
			for i, v := range a[c] {
				pred += float64(v) * float64(f.W[i][k])
				scale += math.Abs(float64(v) * float64(f.W[i][k]))
			}
			if d := math.Abs(pred - s[c][k]); d > 1e-4*scale || math.IsNaN(d) {
				return fmt.Errorf("the topic head is not affine in a: clip %d, output %d is %g; the affine map gives %g", c, k, s[c][k], pred)
			}
		}
	}
	return nil
}

// affineMode is what the affine graph computes.
type affineMode int

const (
	affineExpect affineMode = iota // score(x) − score(E_v lift(ŝ(x | a_i = v)))
	affineGrad                     // a_i · ∂score/∂a_i
)

// affineBlockElems bounds B·N·S·K, the largest intermediate of the affine
// graph (8M float32 values, 32 MiB).
const affineBlockElems = 8 << 20

var (
	defaultBackendOnce sync.Once
	defaultBackend     compute.Backend
	defaultBackendErr  error
)

// backendOf returns opts.Backend or the process' default backend.
func backendOf(opts Options) (compute.Backend, error) {
	if opts.Backend != nil {
		return opts.Backend, nil
	}
	defaultBackendOnce.Do(func() { defaultBackend, defaultBackendErr = backend.New() })
	return defaultBackend, defaultBackendErr
}

// runAffine computes, with the affine engine, the scores of every (clip,
// unit, topic) into dst ([clip][unit·K + k]): for affineExpect, with the
// values vals[i] ([N][S], the same for every clip) replacing unit i; for
// affineGrad, gradient × activation. base are the head's outputs on a.
func runAffine(f *Affine, t Target, a [][]float32, base [][]float64, vals [][]float32, mode affineMode, opts Options, dst [][]float32) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("affine engine: %v", r)
		}
	}()
	b, err := backendOf(opts)
	if err != nil {
		return err
	}
	nClips, N, K := len(a), len(f.W), len(f.B)
	S := 1
	if mode == affineExpect {
		S = len(vals[0])
		for i, v := range vals {
			if len(v) != S {
				return fmt.Errorf("affine engine: unit %d has %d values; unit 0 has %d", i, len(v), S)
			}
		}
	}
	per := N * K
	if mode == affineExpect && t.Kind == TopicLogits {
		per *= S
	}
	B := max(1, min(nClips, affineBlockElems/max(1, per)))
	exec, err := graph.NewExec(b, func(s, x, w, v *graph.Node) *graph.Node { return affineGraph(t, mode, s, x, w, v) })
	if err != nil {
		return fmt.Errorf("affine engine: %w", err)
	}
	flatW := make([]float32, 0, N*K)
	for _, r := range f.W {
		flatW = append(flatW, r...)
	}
	flatV := make([]float32, 0, N*S)
	for i := range N {
		if mode == affineExpect {
			flatV = append(flatV, vals[i]...)
		} else {
			flatV = append(flatV, 0)
		}
	}
	wT := tensors.FromFlatDataAndDimensions(flatW, N, K)
	vT := tensors.FromFlatDataAndDimensions(flatV, N, S)
	defer wT.MustFinalizeAll()
	defer vT.MustFinalizeAll()
	for lo := 0; lo < nClips; lo += B {
		if err := opts.canceled(); err != nil {
			return err
		}
		hi := min(nClips, lo+B)
		sFlat, xFlat := make([]float32, B*K), make([]float32, B*N)
		for c := lo; c < hi; c++ {
			for k := range K {
				sFlat[(c-lo)*K+k] = float32(base[c][k])
			}
			copy(xFlat[(c-lo)*N:], a[c])
		}
		sT := tensors.FromFlatDataAndDimensions(sFlat, B, K)
		xT := tensors.FromFlatDataAndDimensions(xFlat, B, N)
		outs, err := exec.Call(sT, xT, wT, vT)
		sT.MustFinalizeAll()
		xT.MustFinalizeAll()
		if err != nil {
			return fmt.Errorf("affine engine: %w", err)
		}
		tensors.MustConstFlatData(outs[0], func(flat []float32) {
			for c := lo; c < hi; c++ {
				copy(dst[c], flat[(c-lo)*N*K:(c-lo+1)*N*K])
			}
		})
		outs[0].MustFinalizeAll()
		if opts.Progress != nil {
			opts.Progress(hi*N, nClips*N)
		}
	}
	return nil
}

// affineGraph builds the affine engine's graph: s [B,K] (the head's
// outputs), x [B,N] (a), w [N,K], v [N,S] (replacement values) → [B,N,K].
func affineGraph(t Target, mode affineMode, s, x, w, v *graph.Node) *graph.Node {
	B, K := s.Shape().Dimensions[0], s.Shape().Dimensions[1]
	N, S := v.Shape().Dimensions[0], v.Shape().Dimensions[1]
	w3 := graph.Reshape(w, 1, N, K)
	x3 := graph.Reshape(x, B, N, 1)
	switch {
	case mode == affineGrad && t.Kind == TopicScores:
		return graph.Mul(x3, w3)
	case mode == affineGrad: // logits: a_i · W[i,k] · dscore/dŝ_k
		return graph.Mul(graph.Mul(x3, w3), graph.Reshape(dScoreGraph(t, s), B, 1, K))
	case t.Kind == TopicScores:
		// Linear outputs: E_v ŝ(x | a_i = v) = ŝ(x) + W[i]·(E v − a_i), so
		// PD = W[i]·(a_i − mean v), exactly.
		vbar := graph.Reshape(graph.ReduceMean(v, 1), 1, N, 1)
		return graph.Mul(w3, graph.Sub(x3, vbar))
	}
	// Logits: every copy's ŝ, its probability, the mean over values, and
	// the log-odds difference. σ(z) = ½ + ½·tanh(z/2), with the halves
	// folded into the small tensors, so that the [B,N,S,K] part is five
	// operations (the Go backend's tanh is also faster than its logistic).
	// The mean is taken of the differences from p(x), so that a copy equal
	// to x (a dead unit) contributes exactly 0.
	half := graph.MulScalar(s, 0.5)
	d := graph.Sub(graph.Reshape(v, 1, N, S, 1), graph.Reshape(x, B, N, 1, 1)) // [B,N,S,1]
	z := graph.Add(graph.Reshape(half, B, 1, 1, K), graph.Mul(graph.Reshape(graph.MulScalar(w, 0.5), 1, N, 1, K), d))
	th := graph.Tanh(half)
	dp := graph.MulScalar(graph.ReduceMean(graph.Sub(graph.Tanh(z), graph.Reshape(th, B, 1, 1, K)), 2), 0.5) // [B,N,K]
	p := graph.AddScalar(graph.MulScalar(th, 0.5), 0.5)                                                      // σ(ŝ) [B,K]
	mean := graph.Add(graph.Reshape(p, B, 1, K), dp)
	return graph.Sub(graph.Reshape(scoreGraph(t, p), B, 1, K), scoreGraph(t, mean))
}

// scoreGraph is Target.score of probabilities p.
func scoreGraph(t Target, p *graph.Node) *graph.Node {
	q := laplaceGraph(t, p)
	return graph.MulScalar(graph.Sub(graph.Log(q), graph.Log(graph.OneMinus(q))), 1/math.Ln2)
}

// laplaceGraph is Target.laplace.
func laplaceGraph(t Target, p *graph.Node) *graph.Node {
	if t.LaplaceN > 0 && t.Classes > 0 {
		n := float64(t.LaplaceN)
		return graph.DivScalar(graph.AddScalar(graph.MulScalar(p, n), 1), n+float64(t.Classes))
	}
	return graph.ClipScalar(p, 1e-7, 1-1e-7)
}

// dScoreGraph is Target.dScore of logits s.
func dScoreGraph(t Target, s *graph.Node) *graph.Node {
	p := graph.Sigmoid(s)
	q := laplaceGraph(t, p)
	dq := 1.0
	if t.LaplaceN > 0 && t.Classes > 0 {
		n := float64(t.LaplaceN)
		dq = n / (n + float64(t.Classes))
	}
	num := graph.MulScalar(graph.Mul(p, graph.OneMinus(p)), dq/math.Ln2)
	return graph.Div(num, graph.Mul(q, graph.OneMinus(q)))
}

// TopicsFrom returns a·W + B for each row of a, so that an Affine is a
// Head for topic targets (a linear probe of a layer whose own topic head
// was never trained, as the baseline model's).
func (f *Affine) TopicsFrom(a [][]float32) ([][]float32, error) {
	out := make([][]float32, len(a))
	for r, row := range a {
		if len(row) != len(f.W) {
			return nil, fmt.Errorf("affine head: row %d has %d values; expected %d", r, len(row), len(f.W))
		}
		s := make([]float64, len(f.B))
		for k, b := range f.B {
			s[k] = float64(b)
		}
		for i, v := range row {
			if v == 0 {
				continue
			}
			for k, w := range f.W[i] {
				s[k] += float64(v) * float64(w)
			}
		}
		out[r] = make([]float32, len(s))
		for k, v := range s {
			out[r][k] = float32(v)
		}
	}
	return out, nil
}

// WordLogProbs reports that an affine topic head has no decoder.
func (f *Affine) WordLogProbs([][]float32, []string) ([][]float64, error) {
	return nil, fmt.Errorf("an affine topic head has no words to explain")
}

// FitAffine fits a linear probe ŝ = a·W + B to targets y ([clips][K]) by
// ridge regression on the centred rows of a ([clips][N]): (AᵀA + ridge·n·I)
// W = AᵀY, B = ȳ − ā·W. A unit that is constant over the clips gets W = 0.
func FitAffine(a [][]float32, y [][]float32, ridge float64) (*Affine, error) {
	n := len(a)
	if n == 0 || len(y) != n {
		return nil, fmt.Errorf("fitting a linear probe: %d rows of a for %d targets", n, len(y))
	}
	N, K := len(a[0]), len(y[0])
	if err := checkRows("fitting a linear probe", a, N); err != nil {
		return nil, err
	}
	if err := checkRows("fitting a linear probe (targets)", y, K); err != nil {
		return nil, err
	}
	if ridge <= 0 {
		return nil, fmt.Errorf("fitting a linear probe: ridge %v; expected > 0", ridge)
	}
	meanA, meanY := make([]float64, N), make([]float64, K)
	for c := range n {
		for i, v := range a[c] {
			meanA[i] += float64(v) / float64(n)
		}
		for k, v := range y[c] {
			meanY[k] += float64(v) / float64(n)
		}
	}
	ata := mat.NewSymDense(N, nil)
	aty := mat.NewDense(N, K, nil)
	x := make([]float64, N)
	for c := range n {
		for i, v := range a[c] {
			x[i] = float64(v) - meanA[i]
		}
		ata.SymRankOne(ata, 1, mat.NewVecDense(N, x))
		for i := range N {
			if x[i] == 0 {
				continue
			}
			for k := range K {
				aty.Set(i, k, aty.At(i, k)+x[i]*(float64(y[c][k])-meanY[k]))
			}
		}
	}
	for i := range N {
		ata.SetSym(i, i, ata.At(i, i)+ridge*float64(n))
	}
	var chol mat.Cholesky
	if !chol.Factorize(ata) {
		return nil, fmt.Errorf("fitting a linear probe: the regularised Gram matrix is not positive definite")
	}
	var w mat.Dense
	if err := chol.SolveTo(&w, aty); err != nil {
		return nil, fmt.Errorf("fitting a linear probe: %w", err)
	}
	f := &Affine{W: make([][]float32, N), B: make([]float32, K)}
	for k := range K {
		b := meanY[k]
		for i := range N {
			b -= meanA[i] * w.At(i, k)
		}
		f.B[k] = float32(b)
	}
	for i := range N {
		f.W[i] = make([]float32, K)
		for k := range K {
			f.W[i][k] = float32(w.At(i, k))
		}
	}
	return f, nil
}
