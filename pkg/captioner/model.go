package captioner

// This file is the model's architecture, and only that: graph-building
// functions, which panic on errors (the exported entry points in
// captioner.go and train.go turn panics into errors).
//
//	features [B,T,D] ─► per-frame projection ─► [GRU or tconv] ─► mean_t ─┐
//	                 ─► motion stream (differences of the clip's thirds) ─┴► v̄
//
//	(the default encoder, "mean", has no recurrence: v̄'s first part is the
//	mean of the per-frame projections)
//	v̄ ─► semantic layer  a = ReLU(W v̄ + b)          [B,N]  (dropout)
//	  ─► topic head      ŝ = W_a a + b_a            [B,K]
//	a ─► LSTM decoder: h₀ = tanh(W_h a), c₀ = W_c a, and W_x a added to every
//	     step's input gates; the decoder sees the video ONLY through a, so
//	     editing a changes the caption.
//
// The LSTM's gates are one fused matrix product per step; the words' input
// to the gates is a table lookup, the a part is computed once and the output
// layer for all steps at once, so that matrix products are few and large
// (the Go backend runs small ones slowly).

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gomlx/gomlx/support/exceptions"
)

// dtype of every float in the model.
var dtype = dtypes.Float32

// arch holds the sizes a graph needs: the hyperparameters and the data
// dimensions.
type arch struct {
	p          params
	featDim    int // D, per-frame feature length
	numTargets int // K, topics (or concepts)
	vocabSize  int // V, including the special tokens
}

// steps is the number of decoder steps of teacher forcing: BOS plus
// MaxWords words in, MaxWords words plus EOS out.
func (m *arch) steps() int { return m.p.MaxWords + 1 }

// Scope names of the model's blocks.
const (
	scopeEncoder  = "encoder"
	scopeSemantic = "semantic"
	scopeTopics   = "topics"
	scopeDecoder  = "decoder"
)

// pyramidSegments is the number of consecutive segments of the clip whose
// mean frame projection the "tconv" encoder passes to the semantic layer.
const pyramidSegments = 3

// semanticGraph maps features [B,T,D] to the semantic layer a [B,N]
// (after ReLU, before dropout).
func (m *arch) semanticGraph(scope *model.Scope, feats *Node) *Node {
	return relu(m.semanticPre(scope, feats))
}

// semanticPre maps features [B,T,D] to the semantic layer before its ReLU,
// z = W v̄ + b [B,N].
func (m *arch) semanticPre(scope *model.Scope, feats *Node) *Node {
	B, T, D, E := feats.Shape().Dimensions[0], m.p.Frames, m.featDim, m.p.EncoderDim
	feats.AssertDims(B, T, D)
	enc := scope.At(scopeEncoder)

	// Per-frame projection, all frames in one product.
	u := relu(dense(enc.At("frame_proj"), Reshape(feats, B*T, D), E))
	u = Reshape(u, B, T, E)

	var vbar *Node
	switch m.p.Encoder {
	case "tconv":
		h1 := temporalConv(enc.At("tconv1"), u, 1)
		h1.AssertDims(B, T-2, E)
		h2 := temporalConv(enc.At("tconv2"), h1, 2)
		h2.AssertDims(B, T-6, E)
		// v̄: the means over time of the encoder's outputs: the temporal
		// context h2 over the whole clip and the frame projections u over
		// each third of it (a temporal pyramid: where things are at the start,
		// middle and end, so that displacement is a linear function of v̄).
		parts := []*Node{}
		for k := range pyramidSegments {
			lo, hi := k*T/pyramidSegments, (k+1)*T/pyramidSegments
			parts = append(parts, ReduceMean(Slice(u, AxisRange(), AxisRange(lo, hi)), 1))
		}
		vbar = Concatenate(append(parts, ReduceMean(h2, 1)), -1)
		vbar.AssertDims(B, (pyramidSegments+1)*E)
	case "mean":
		// v̄: the mean over the clip of the per-frame projections. What
		// moves, and how, comes from the motion stream below.
		vbar = ReduceMean(u, 1)
		vbar.AssertDims(B, E)
	case "gru":
		hs := gru(enc.At("gru"), u, E)
		hs.AssertDims(B, T, E)
		vbar = ReduceMean(hs, 1)
		vbar.AssertDims(B, E)
	default:
		exceptions.Panicf("unknown %s %q", ParamEncoder, m.p.Encoder)
	}
	if m.p.MotionStream {
		vbar = Concatenate([]*Node{vbar, motionStream(enc.At("motion"), feats, E)}, -1)
	}
	biasInit := initializer.VariableInitializer(initializer.Zero)
	if b := m.p.SemanticBias; b != 0 {
		biasInit = func(g *Graph, shape shapes.Shape) *Node {
			return Add(initializer.Zero(g, shape), Scalar(g, dtype, b))
		}
	}
	z := denseBias(scope.At(scopeSemantic), vbar, m.p.SemanticUnits, biasInit)
	z.AssertDims(B, m.p.SemanticUnits)
	return z
}

// topicsGraph is the topic head ŝ = W_a a + b_a: [B,N] → [B,K]. With the
// "diagonal" head W_a starts as the identity on its first K rows and is
// multiplied by that pattern, so that its other entries stay zero (their
// gradient is zero) and topic k reads unit k alone; b_a stays zero.
func (m *arch) topicsGraph(scope *model.Scope, a *Node) *Node {
	N, K := a.Shape().Dimensions[1], m.numTargets
	var s *Node
	switch m.p.TopicHead {
	case "dense":
		s = dense(scope.At(scopeTopics), a, K)
	case "diagonal":
		if N < K {
			exceptions.Panicf("the diagonal topic head needs %s ≥ %d targets; it is %d", ParamSemanticUnits, K, N)
		}
		diag := func(g *Graph, shape shapes.Shape) *Node {
			return ConvertDType(Equal(Iota(g, shapes.Make(dtypes.Int32, N, K), 0), Iota(g, shapes.Make(dtypes.Int32, N, K), 1)), shape.DType)
		}
		sc := scope.At(scopeTopics)
		w := sc.WithInitializer(diag).VariableWithShape("weights", shapes.Make(dtype, N, K)).NodeValue(a.Graph())
		// No bias: σ(ŝ_k) > ½ exactly when z_k > 0, so that unit k is on
		// when, and only when, it predicts its topic. The zero biases are
		// still created, for the stages that read the head as a dense one.
		sc.WithInitializer(initializer.Zero).VariableWithShape("biases", shapes.Make(dtype, K))
		s = matmul(a, Mul(w, StopGradient(diag(a.Graph(), w.Shape()))))
	default:
		exceptions.Panicf("unknown %s %q", ParamTopicHead, m.p.TopicHead)
	}
	s.AssertDims(a.Shape().Dimensions[0], K)
	return s
}

// decoderWeights are the decoder's variables as nodes of one graph.
type decoderWeights struct {
	wordGates *Node // [V, 4H]: each word's input to the gates
	whh       *Node // [H, 4H]: recurrent part of the gates
	outW      *Node // [H, V]
	outB      *Node // [V]
	fromSem   *Node // [N, 6H]: h₀ (H), c₀ (H), per-step gate input (4H)
	semB      *Node // [6H]
	// gateScale and gateShift: lstmStep's constants (gateConsts).
	gateScale, gateShift *Node
}

// decoderVars returns the decoder's variables in g, creating them at first
// use. The gate layout is (input, forget, output, cell); the forget gate's
// bias starts at 1.
//
// A word enters the LSTM as one row of wordGates: the product of a one-hot
// word with the input weights, which is what an embedding followed by the
// input weights computes too, without the matrix product (the Go backend's
// bottleneck).
func (m *arch) decoderVars(scope *model.Scope, g *Graph) *decoderWeights {
	dec := scope.At(scopeDecoder)
	H, V, N := m.p.DecoderDim, m.vocabSize, m.p.SemanticUnits
	v := func(name string, dims ...int) *Node {
		return dec.VariableWithShape(name, shapes.Make(dtype, dims...)).NodeValue(g)
	}
	w := &decoderWeights{
		wordGates: dec.WithInitializer(initializer.RandomNormalFn(dec, 0.1)).
			VariableWithShape("word_gates", shapes.Make(dtype, V, 4*H)).NodeValue(g),
		whh:     v("recurrent_weights", H, 4*H),
		outW:    v("output_weights", H, V),
		outB:    dec.WithInitializer(initializer.Zero).VariableWithShape("output_biases", shapes.Make(dtype, V)).NodeValue(g),
		fromSem: v("semantic_weights", N, 6*H),
	}
	biasInit := func(g *Graph, shape shapes.Shape) *Node {
		// Zero except the forget gate's part of the per-step gate input: 1.
		b := make([]float32, 6*H)
		for i := 2*H + H; i < 2*H+2*H; i++ {
			b[i] = 1
		}
		return Const(g, b)
	}
	w.semB = dec.WithInitializer(biasInit).VariableWithShape("semantic_biases", shapes.Make(dtype, 6*H)).NodeValue(g)
	return w
}

// decoderInit computes, from a [B,N], the initial state (h₀, c₀) [B,H] and
// the per-step gate input ga [B,4H].
func (m *arch) decoderInit(w *decoderWeights, a *Node) (h, c, ga *Node) {
	B, H := a.Shape().Dimensions[0], m.p.DecoderDim
	z := Add(matmul(a, w.fromSem), ExpandAxes(w.semB, 0))
	z.AssertDims(B, 6*H)
	parts := split(z, 1, H, H, 4*H)
	return Tanh(parts[0]), parts[1], parts[2]
}

// lstmStep advances the decoder one step given the input part of the gates
// gx [B,4H] (word and a).
func (m *arch) lstmStep(w *decoderWeights, h, c, gx *Node) (*Node, *Node) {
	B, H := h.Shape().Dimensions[0], m.p.DecoderDim
	gates := Add(gx, matmul(h, w.whh))
	// All four activations in one Tanh: σ(x) = ½ + ½·tanh(x/2) for the
	// input, forget and output gates, tanh(x) for the candidate.
	scale, shift := w.gateConsts(h.Graph(), B, H)
	act := Add(Mul(Tanh(Mul(gates, scale)), scale), shift)
	g := split(act, 1, H, H, H, H)
	i, f, o, cand := g[0], g[1], g[2], g[3]
	c = Add(Mul(f, c), Mul(i, cand))
	h = Mul(o, Tanh(c))
	return h, c
}

// gateConsts returns the [B,4H] constants of lstmStep's fused activation,
// ½ on the sigmoid gates and 1 on the candidate (the scale, before and
// after the Tanh) and ½ and 0 (the shift), made once for all the steps of
// the graph.
func (w *decoderWeights) gateConsts(g *Graph, B, H int) (scale, shift *Node) {
	if w.gateScale == nil || w.gateScale.Shape().Dimensions[0] != B {
		w.gateScale, w.gateShift = gateConst(g, B, H, 0.5, 1), gateConst(g, B, H, 0.5, 0)
	}
	return w.gateScale, w.gateShift
}

// gateConst is a [B,4H] constant whose first 3H columns (the sigmoid
// gates) hold sig and last H (the candidate) cand.
func gateConst(g *Graph, B, H int, sig, cand float32) *Node {
	v := make([]float32, B*4*H)
	for r := range B {
		row := v[r*4*H : (r+1)*4*H]
		for j := range row {
			row[j] = sig
			if j >= 3*H {
				row[j] = cand
			}
		}
	}
	return Const(g, tensors.FromFlatDataAndDimensions(v, B, 4*H))
}

// wordInputs returns the words' input to the gates for tokens [...]:
// [..., 4H].
func (m *arch) wordInputs(w *decoderWeights, tokens *Node) *Node {
	return Gather(w.wordGates, InsertAxes(tokens, -1))
}

// outputLogits maps decoder states [n,H] to word logits [n,V].
func (m *arch) outputLogits(w *decoderWeights, h *Node) *Node {
	return Add(matmul(h, w.outW), ExpandAxes(w.outB, 0))
}

// teacherForced runs the decoder over tokensIn [B,L] (BOS, words…) from a
// [B,N] and returns the word logits of the next tokens, time-major:
// [L,B,V]. If training, dropout is applied to the decoder states.
func (m *arch) teacherForced(scope *model.Scope, a, tokensIn *Node, training bool) *Node {
	g := a.Graph()
	B, L, H := a.Shape().Dimensions[0], tokensIn.Shape().Dimensions[1], m.p.DecoderDim
	w := m.decoderVars(scope, g)
	h, c, ga := m.decoderInit(w, a)
	// Time-major throughout, so that each step's slice is contiguous.
	gx := m.wordInputs(w, TransposeAllAxes(tokensIn, 1, 0)) // [L,B,4H]
	gx.AssertDims(L, B, 4*H)
	hs := make([]*Node, L)
	for t, gxt := range unstack(gx) {
		h, c = m.lstmStep(w, h, c, Add(gxt, ga))
		hs[t] = h
	}
	all := Stack(hs, 0) // [L,B,H]
	all.AssertDims(L, B, H)
	if training {
		all = dropout(scope.At(scopeDecoder), all, m.p.Dropout)
	}
	logits := m.outputLogits(w, Reshape(all, L*B, H))
	return Reshape(logits, L, B, m.vocabSize)
}

// lossTerms are the parts of the training objective for a batch.
type lossTerms struct {
	total   *Node // scalar: caption + λ·interpretive + activity_l1·Σ_i a_i
	caption *Node // scalar: caption NLL summed over words, mean over captions
	interp  *Node // scalar: interpretive loss (mean over clips)
}

// rowLosses returns, for feats [C,T,D] of C clips, tokens [B,L+1] of
// B = C·R captions, R of each clip in clip order (int32; BOS, words, EOS,
// padding; any L ≤ steps() that fits the batch's longest caption) and
// targets [C,K], each caption's NLL (summed over its words and EOS) and
// number of words (EOS included), two [B] vectors, and each clip's
// interpretive loss and the L1 norm of its semantic layer (Σ_i a_i, a ≥ 0),
// two [C] vectors.
func (m *arch) rowLosses(scope *model.Scope, feats, tokens, targets *Node, training bool) (nll, words, interp, activity *Node) {
	C, B, L, V := feats.Shape().Dimensions[0], tokens.Shape().Dimensions[0], tokens.Shape().Dimensions[1]-1, m.vocabSize
	if B%C != 0 {
		exceptions.Panicf("%d captions for %d clips; expected a multiple", B, C)
	}
	targets.AssertDims(C, m.numTargets)
	z := m.semanticPre(scope, feats)
	a := relu(z)
	activity = ReduceSum(a, -1)
	if training {
		a = dropout(scope.At(scopeSemantic), a, m.p.Dropout)
	}
	// The diagonal head is trained on the units' values before the ReLU, so
	// that a unit that is off still learns from its topic (none dies); it
	// reads a, where z > 0, the same way.
	headIn := a
	if m.p.TopicHead == "diagonal" {
		headIn = z
	}
	shat := m.topicsGraph(scope, headIn)
	if R := B / C; R > 1 { // each clip's a, once per caption
		N := a.Shape().Dimensions[1]
		a = Reshape(BroadcastToDims(InsertAxes(a, 1), C, R, N), B, N)
	}

	in := Slice(tokens, AxisRange(), AxisRange(0, L))
	out := TransposeAllAxes(Slice(tokens, AxisRange(), AxisRange(1, L+1)), 1, 0)           // [L,B]
	mask := ConvertDType(NotEqual(out, ScalarZero(tokens.Graph(), tokens.DType())), dtype) // PadID = 0
	logits := m.teacherForced(scope, a, in, training)                                      // [L,B,V]
	// −log p(word) = logsumexp(logits) − logits[word]: the word's logit is
	// gathered, not picked with a one-hot product over the vocabulary (two
	// fewer passes over [L,B,V] each way).
	flat := Reshape(logits, L*B*V)
	rows := Add(MulScalar(Iota(tokens.Graph(), shapes.Make(out.DType(), L, B), 0), float64(B*V)),
		Add(MulScalar(Iota(tokens.Graph(), shapes.Make(out.DType(), L, B), 1), float64(V)), out))
	picked := Gather(flat, InsertAxes(rows, -1)) // [L,B]
	mx := StopGradient(ReduceMax(logits, -1))    // [L,B]
	lse := Add(Log(ReduceSum(Exp(Sub(logits, InsertAxes(mx, -1))), -1)), mx)
	nll = ReduceSum(Mul(Sub(lse, picked), mask), 0) // [B]
	words = ReduceSum(mask, 0)

	switch m.p.InterpLoss {
	case "mse":
		interp = ReduceSum(Square(Sub(shat, targets)), -1)
	case "bce":
		// softplus(x) − x·s is −[s log σ(x) + (1−s) log(1−σ(x))].
		interp = ReduceSum(Sub(Softplus(shat), Mul(shat, targets)), -1)
	default:
		exceptions.Panicf("unknown %s %q", ParamInterpLoss, m.p.InterpLoss)
	}
	nll.AssertDims(B)
	interp.AssertDims(C)
	activity.AssertDims(C)
	return nll, words, interp, activity
}

// losses builds the objective of a batch (see rowLosses for the inputs).
func (m *arch) losses(scope *model.Scope, feats, tokens, targets *Node, training bool) lossTerms {
	nll, _, interp, activity := m.rowLosses(scope, feats, tokens, targets, training)
	lt := lossTerms{caption: ReduceMean(nll), interp: ReduceMean(interp)}
	lt.total = lt.caption
	if m.p.Lambda != 0 {
		lt.total = Add(lt.total, MulScalar(lt.interp, m.p.Lambda))
	}
	if m.p.ActivityL1 != 0 {
		lt.total = Add(lt.total, MulScalar(ReduceMean(activity), m.p.ActivityL1))
	}
	return lt
}

// trainStepGraph builds one training step: the objective, the learning-rate
// schedule and Adam's update. It returns the total, caption and interpretive
// losses.
func (m *arch) trainStepGraph(scope *model.Scope, feats, tokens, targets *Node) (total, caption, interp *Node) {
	g := feats.Graph()
	lt := m.losses(scope, feats, tokens, targets, true)

	// Learning rate: linear warm-up, then cosine decay (or constant).
	step := ConvertDType(optimizer.GetGlobalStepVar(scope).NodeValue(g), dtype) // before this step's increment
	lr := Scalar(g, dtype, m.p.LearningRate)
	if m.p.WarmupSteps > 0 {
		lr = Mul(lr, MinScalar(DivScalar(AddScalar(step, 1), float64(m.p.WarmupSteps)), 1.0))
	}
	if m.p.Schedule == "cosine" && m.p.TrainSteps > 0 {
		progress := ClipScalar(DivScalar(step, float64(m.p.TrainSteps)), 0.0, 1.0)
		cos := MulScalar(OnePlus(Cos(MulScalar(progress, math.Pi))), 0.5)
		lr = Mul(lr, AddScalar(MulScalar(cos, 1-m.p.MinLRFraction), m.p.MinLRFraction))
	}
	optimizer.LearningRateVar(scope, dtype, m.p.LearningRate).SetNodeValue(lr)
	optimizer.Adam().Done().UpdateGraph(scope, g, lt.total)
	return lt.total, lt.caption, lt.interp
}

// --- building blocks ---------------------------------------------------------

// dense is x·W + b over the last axis of x (rank 2).
func dense(scope *model.Scope, x *Node, out int) *Node {
	return denseBias(scope, x, out, initializer.Zero)
}

// denseBias is dense with the biases' initial values given by biasInit.
func denseBias(scope *model.Scope, x *Node, out int, biasInit initializer.VariableInitializer) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[x.Rank()-1]
	w := scope.VariableWithShape("weights", shapes.Make(dtype, in, out)).NodeValue(g)
	b := scope.WithInitializer(biasInit).VariableWithShape("biases", shapes.Make(dtype, out)).NodeValue(g)
	return Add(matmul(x, w), ExpandAxes(b, 0))
}

// temporalConv is a kernel-3 convolution over time with the given dilation,
// written as one product over the concatenated shifted frames, followed by
// ReLU: [B,T,E] → [B,T−2·dilation,E].
func temporalConv(scope *model.Scope, u *Node, dilation int) *Node {
	B, T, E := u.Shape().Dimensions[0], u.Shape().Dimensions[1], u.Shape().Dimensions[2]
	To := T - 2*dilation
	x := Concatenate([]*Node{
		Slice(u, AxisRange(), AxisRange(0, To)),
		Slice(u, AxisRange(), AxisRange(dilation, dilation+To)),
		Slice(u, AxisRange(), AxisRange(2*dilation, 2*dilation+To)),
	}, -1)
	h := relu(dense(scope, Reshape(x, B*To, 3*E), E))
	return Reshape(h, B, To, E)
}

// gru runs a GRU (PyTorch's formulation, one fused recurrent product per
// step) over u [B,T,E] and returns all states [B,T,H].
func gru(scope *model.Scope, u *Node, H int) *Node {
	g := u.Graph()
	B, T, E := u.Shape().Dimensions[0], u.Shape().Dimensions[1], u.Shape().Dimensions[2]
	gx := Reshape(dense(scope.At("input"), Reshape(u, B*T, E), 3*H), B, T, 3*H)
	gx = TransposeAllAxes(gx, 1, 0, 2) // [T,B,3H]
	whh := scope.VariableWithShape("recurrent_weights", shapes.Make(dtype, H, 3*H)).NodeValue(g)
	bhh := scope.WithInitializer(initializer.Zero).VariableWithShape("recurrent_biases", shapes.Make(dtype, 3*H)).NodeValue(g)
	h := Zeros(g, shapes.Make(dtype, B, H))
	hs := make([]*Node, T)
	for t := range T {
		x := Reshape(Slice(gx, AxisElem(t)), B, 3*H)
		r := Add(matmul(h, whh), ExpandAxes(bhh, 0))
		zr := sigmoid(Add(Slice(x, AxisRange(), AxisRange(0, 2*H)), Slice(r, AxisRange(), AxisRange(0, 2*H))))
		z := Slice(zr, AxisRange(), AxisRange(0, H))
		rg := Slice(zr, AxisRange(), AxisRange(H, 2*H))
		n := Tanh(Add(Slice(x, AxisRange(), AxisRange(2*H, 3*H)), Mul(rg, Slice(r, AxisRange(), AxisRange(2*H, 3*H)))))
		h = Add(n, Mul(z, Sub(h, n))) // (1−z)·n + z·h
		hs[t] = h
	}
	return Stack(hs, 1)
}

// motionStream summarises how the features change over the clip: the
// differences between the mean features of its thirds (last − first,
// middle − first, last − middle), projected to E units with ReLU: [B,T,D] →
// [B,E]. Static appearance cancels out of the differences, so this stream
// cannot memorise clips by their look and must see their motion (which the
// recurrent stream, with its per-frame view, learned slowly and overfitted).
func motionStream(scope *model.Scope, feats *Node, E int) *Node {
	B, T := feats.Shape().Dimensions[0], feats.Shape().Dimensions[1]
	seg := func(k int) *Node {
		lo, hi := k*T/3, max(k*T/3+1, (k+1)*T/3)
		return ReduceMean(Slice(feats, AxisRange(), AxisRange(lo, hi)), 1)
	}
	first, middle, last := seg(0), seg(1), seg(2)
	d := Concatenate([]*Node{Sub(last, first), Sub(middle, first), Sub(last, middle)}, -1)
	out := relu(dense(scope, d, E))
	out.AssertDims(B, E)
	return out
}

// relu is max(x, 0), written as x times its (constant) indicator x > 0:
// the gradient is then one product, where Max's costs six passes over x and
// a sum (GoMLX's minMaxVJP).
func relu(x *Node) *Node {
	on := StopGradient(ConvertDType(GreaterThan(x, ScalarZero(x.Graph(), x.DType())), x.DType()))
	return Mul(x, on)
}

// sigmoid is written with tanh, which the Go backend computes ≈ 3× faster
// than its logistic op: σ(x) = ½ + ½·tanh(x/2).
func sigmoid(x *Node) *Node { return AddScalar(MulScalar(Tanh(MulScalar(x, 0.5)), 0.5), 0.5) }

// dropout zeroes each value with probability rate and scales the others by
// 1/(1−rate). Only call it in training graphs.
func dropout(scope *model.Scope, x *Node, rate float64) *Node {
	if rate <= 0 {
		return x
	}
	g := x.Graph()
	keep := GreaterOrEqual(scope.RandomUniform(g, x.Shape()), Scalar(g, dtype, rate))
	return Where(keep, MulScalar(x, 1/(1-rate)), ZerosLike(x))
}
