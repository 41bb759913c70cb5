package captioner

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified

	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

// Metrics are the scores of a model on a split.
type Metrics struct {
	Split string
	// Clips is the number of clips evaluated.
	Clips int
	// Captions holds BLEU-1..4, METEOR-lite, ROUGE-L and CIDEr-D of the
	// generated captions against the clips' references (pkg/evalcap).
	Captions *evalcap.Scores
	// TopicMAP is the mean over targets (with at least one positive clip) of
	// the average precision of the topic head's scores.
	TopicMAP float64
	// CaptionNLL is the mean NLL per reference caption (summed over its words
	// and EOS), WordNLL the mean per word; Interp the mean interpretive loss
	// per clip; Loss = CaptionNLL + λ·Interp.
	CaptionNLL, WordNLL, Interp, Loss float64
	// Generated maps clip id to its generated caption.
	Generated map[string]string
	// TopicScores maps clip id to ŝ.
	TopicScores map[string][]float32
}

// Table returns the metrics as aligned "name value" lines.
func (r *Metrics) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %s (%d clips)\n", "metric", r.Split, r.Clips)
	if r.Captions != nil {
		for _, mt := range evalcap.Metrics() {
			fmt.Fprintf(&b, "%-12s %.4f\n", mt, r.Captions.Get(mt))
		}
	}
	fmt.Fprintf(&b, "%-12s %.4f\n", "topic_mAP", r.TopicMAP)
	fmt.Fprintf(&b, "%-12s %.4f\n", "caption_NLL", r.CaptionNLL)
	fmt.Fprintf(&b, "%-12s %.4f\n", "word_NLL", r.WordNLL)
	fmt.Fprintf(&b, "%-12s %.4f\n", "interp_loss", r.Interp)
	fmt.Fprintf(&b, "%-12s %.4f\n", "loss", r.Loss)
	return b.String()
}

// Evaluate scores the model on the clips of split (the first maxClips of
// them if maxClips > 0): captions decoded with opts against the references,
// topic mAP against d.Targets, and the losses.
func (m *Model) Evaluate(d *Data, split string, opts DecodeOptions, maxClips int) (r *Metrics, err error) {
	defer recoverErr("evaluating", &err)
	ids := d.SplitIDs(split)
	if maxClips > 0 && len(ids) > maxClips {
		ids = ids[:maxClips]
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("evaluating: split %q has no clips with features", split)
	}
	s, err := prepareSplit(d, ids, m.Vocab, m.arch)
	if err != nil {
		return nil, fmt.Errorf("evaluating split %q: %w", split, err)
	}
	r = &Metrics{Split: split, Clips: len(ids)}
	if err := m.scoreSplit(d, s, len(ids), opts, true, r); err != nil {
		return nil, err
	}
	return r, nil
}

// validate is the periodic validation of training.
func (m *Model) validate(d *Data, s *splitData, decodeClips int) (ValidationReport, error) {
	var r Metrics
	if err := m.scoreSplit(d, s, decodeClips, Greedy(), false, &r); err != nil {
		return ValidationReport{}, err
	}
	rep := ValidationReport{Step: m.Step(), Loss: r.Loss, CaptionNLL: r.CaptionNLL, WordNLL: r.WordNLL,
		Interp: r.Interp, TopicMAP: r.TopicMAP, Clips: len(s.ids)}
	if r.Captions != nil {
		rep.CIDErD = r.Captions.CIDErD
	}
	return rep, nil
}

// scoreSplit fills r with the losses and topic mAP over all clips of s and
// the caption metrics of the first decodeClips clips (all if keep).
func (m *Model) scoreSplit(d *Data, s *splitData, decodeClips int, opts DecodeOptions, keep bool, r *Metrics) error {
	a, err := m.semanticOf(s.feats)
	if err != nil {
		return err
	}
	shat, err := m.TopicsFrom(a)
	if err != nil {
		return err
	}
	r.TopicMAP = meanAveragePrecision(shat, s.targets)
	var interp float64
	for i := range shat {
		interp += interpLoss(m.arch.p.InterpLoss, shat[i], s.targets[i])
	}
	r.Interp = interp / float64(len(shat))
	nll, words, err := m.captionNLL(s)
	if err != nil {
		return err
	}
	if len(s.pairs) > 0 {
		r.CaptionNLL = nll / float64(len(s.pairs))
		r.WordNLL = nll / words
	}
	r.Loss = r.CaptionNLL + m.arch.p.Lambda*r.Interp
	if keep {
		r.TopicScores = make(map[string][]float32, len(s.ids))
		for i, id := range s.ids {
			r.TopicScores[id] = shat[i]
		}
	}
	if decodeClips <= 0 {
		return nil
	}
	n := min(decodeClips, len(s.ids))
	caps, err := m.DecodeFrom(a[:n], opts)
	if err != nil {
		return err
	}
	r.Generated = make(map[string]string, n)
	for i := range n {
		r.Generated[s.ids[i]] = caps[i].Text()
	}
	if n >= 2 { // CIDEr-D needs at least two clips for its document frequencies
		r.Captions, err = evalcap.Evaluate(d.References(s.ids[:n]), r.Generated)
		if err != nil {
			return err
		}
	}
	return nil
}

// captionNLL returns the NLL summed over all pairs of s and their number of
// words (EOS included), without dropout.
func (m *Model) captionNLL(s *splitData) (nll, words float64, err error) {
	p := m.arch.p
	e, err := m.exec("eval_loss", func(scope *model.Scope, in []*Node) []*Node {
		B := in[0].Shape().Dimensions[0]
		feats := Reshape(in[0], B, p.Frames, m.FeatureDim)
		nll, words, _, _ := m.arch.rowLosses(scope, feats, in[1], in[2], false)
		return []*Node{nll, words}
	})
	if err != nil {
		return 0, 0, err
	}
	// Sorted by length, so that chunks need few decoder steps.
	pairs := slices.Clone(s.pairs)
	slices.SortStableFunc(pairs, func(x, y pair) int { return x.words() - y.words() })
	err = runChunked(e, len(pairs), func(lo, hi, chunk int) []any {
		b := s.fill(pairs[lo:hi], chunk, 1, m.arch)
		return []any{
			tensors.FromFlatDataAndDimensions(b.feats, chunk, p.Frames*m.FeatureDim),
			tensors.FromFlatDataAndDimensions(b.tokens, chunk, b.steps+1),
			tensors.FromFlatDataAndDimensions(b.targets, chunk, m.arch.numTargets),
		}
	}, func(lo, hi int, outs []*tensors.Tensor) {
		n := tensors.MustCopyFlatData[float32](outs[0])
		w := tensors.MustCopyFlatData[float32](outs[1])
		for i := range hi - lo {
			nll += float64(n[i])
			words += float64(w[i])
		}
	})
	return nll, words, err
}

// interpLoss is the interpretive loss of one clip, as in the graph.
func interpLoss(kind string, shat, s []float32) float64 {
	var l float64
	for k := range shat {
		x, y := float64(shat[k]), float64(s[k])
		if kind == "bce" {
			l += math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) - x*y
		} else {
			l += (x - y) * (x - y)
		}
	}
	return l
}

// meanAveragePrecision returns the mean over targets with at least one
// positive (value > 0.5) clip of the average precision of ranking the clips
// by score (ties broken by clip order).
func meanAveragePrecision(scores, targets [][]float32) float64 {
	if len(scores) == 0 {
		return 0
	}
	K := len(scores[0])
	var sum float64
	var n int
	idx := make([]int, len(scores))
	for k := range K {
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(x, y int) bool { return scores[idx[x]][k] > scores[idx[y]][k] })
		var hits int
		var ap float64
		for rank, i := range idx {
			if targets[i][k] > 0.5 {
				hits++
				ap += float64(hits) / float64(rank+1)
			}
		}
		if hits > 0 {
			sum += ap / float64(hits)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// ProbeTopicMAP measures how much target information the semantic layer a
// carries, whether or not the model's own topic head was trained (it is not
// when λ = 0): it fits a ridge regression from a to the targets on the clips
// of trainSplit (the first maxTrain if maxTrain > 0) and returns its topic
// mAP on the clips of evalSplit.
func (m *Model) ProbeTopicMAP(d *Data, trainSplit, evalSplit string, maxTrain int) (mAP float64, err error) {
	defer recoverErr("topic probe", &err)
	trainIDs, evalIDs := d.SplitIDs(trainSplit), d.SplitIDs(evalSplit)
	if maxTrain > 0 && len(trainIDs) > maxTrain {
		trainIDs = trainIDs[:maxTrain]
	}
	if len(trainIDs) == 0 || len(evalIDs) == 0 {
		return 0, fmt.Errorf("topic probe: splits %q (%d clips) and %q (%d clips) need clips with features", trainSplit, len(trainIDs), evalSplit, len(evalIDs))
	}
	if err := d.Targets.check(append(slices.Clone(trainIDs), evalIDs...)); err != nil {
		return 0, fmt.Errorf("topic probe: %w", err)
	}
	aTrain, err := m.EncodeToSemantic(d.Features, trainIDs)
	if err != nil {
		return 0, err
	}
	aEval, err := m.EncodeToSemantic(d.Features, evalIDs)
	if err != nil {
		return 0, err
	}
	N, K := m.arch.p.SemanticUnits, d.Targets.K()
	// Normal equations of [a, 1]·W ≈ s with a small ridge, solved by Cholesky.
	P := N + 1
	A := make([]float64, P*P)
	B := make([]float64, P*K)
	row := make([]float64, P)
	for i, id := range trainIDs {
		copy64(row, aTrain[i])
		row[N] = 1
		for r := range P {
			for c := range P {
				A[r*P+c] += row[r] * row[c]
			}
			for k, y := range d.Targets.ByClip[id] {
				B[r*K+k] += row[r] * float64(y)
			}
		}
	}
	var trace float64
	for r := range P {
		trace += A[r*P+r]
	}
	for r := range N { // the bias is not penalised
		A[r*P+r] += 1e-3*trace/float64(P) + 1e-9
	}
	W, err := choleskySolve(A, B, P, K)
	if err != nil {
		return 0, fmt.Errorf("topic probe: %w", err)
	}
	scores := make([][]float32, len(evalIDs))
	targets := make([][]float32, len(evalIDs))
	for i, id := range evalIDs {
		copy64(row, aEval[i])
		row[N] = 1
		scores[i] = make([]float32, K)
		for k := range K {
			var s float64
			for r := range P {
				s += row[r] * W[r*K+k]
			}
			scores[i][k] = float32(s)
		}
		targets[i] = d.Targets.ByClip[id]
	}
	return meanAveragePrecision(scores, targets), nil
}

func copy64(dst []float64, src []float32) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// choleskySolve solves A X = B for a symmetric positive definite A [p,p] and
// B [p,k], both row-major.
func choleskySolve(A, B []float64, p, k int) ([]float64, error) {
	L := make([]float64, p*p)
	for i := range p {
		for j := 0; j <= i; j++ {
			s := A[i*p+j]
			for t := range j {
				s -= L[i*p+t] * L[j*p+t]
			}
			if i == j {
				if s <= 0 {
					return nil, fmt.Errorf("matrix not positive definite at row %d", i)
				}
				L[i*p+i] = math.Sqrt(s)
			} else {
				L[i*p+j] = s / L[j*p+j]
			}
		}
	}
	X := slices.Clone(B)
	for c := range k {
		for i := range p { // L y = b
			s := X[i*k+c]
			for t := range i {
				s -= L[i*p+t] * X[t*k+c]
			}
			X[i*k+c] = s / L[i*p+i]
		}
		for i := p - 1; i >= 0; i-- { // Lᵀ x = y
			s := X[i*k+c]
			for t := i + 1; t < p; t++ {
				s -= L[t*p+i] * X[t*k+c]
			}
			X[i*k+c] = s / L[i*p+i]
		}
	}
	return X, nil
}
