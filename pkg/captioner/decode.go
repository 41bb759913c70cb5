package captioner

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// DecodeOptions says how to turn a into captions.
type DecodeOptions struct {
	// Beam is the beam width: 1 is greedy decoding.
	Beam int
	// MaxWords limits the caption length (0 = the model's max_words).
	MaxWords int
	// LengthPenalty α ranks finished beams by logP / len^α (0 = plain
	// log-probability; len counts EOS).
	LengthPenalty float64
}

// Greedy returns the options of greedy decoding.
func Greedy() DecodeOptions { return DecodeOptions{Beam: 1} }

// BeamSearch returns the options of beam search of width k.
func BeamSearch(k int) DecodeOptions { return DecodeOptions{Beam: k} }

// Caption is a decoded caption.
type Caption struct {
	// Words are the caption's words (no BOS or EOS).
	Words []string
	// LogProb is the sum of the log-probabilities of the words and EOS.
	LogProb float64
}

// Text returns the words joined by spaces.
func (c Caption) Text() string { return strings.Join(c.Words, " ") }

// decoderStepGraph builds one decoder step for the decoding executors:
// inputs h, c [n,H], ga [n,4H], word [n] (int32) → h, c, log p(next word)
// [n,V].
func (m *Model) decoderStepGraph(scope *model.Scope, in []*Node) []*Node {
	h, c, ga, word := in[0], in[1], in[2], in[3]
	w := m.arch.decoderVars(scope, h.Graph())
	gx := Add(m.arch.wordInputs(w, word), ga)
	h, c = m.arch.lstmStep(w, h, c, gx)
	return []*Node{h, c, LogSoftmax(m.arch.outputLogits(w, h), -1)}
}

// decoderInitGraph maps a [n,N] to the decoder's h₀, c₀ and ga.
func (m *Model) decoderInitGraph(scope *model.Scope, in []*Node) []*Node {
	w := m.arch.decoderVars(scope, in[0].Graph())
	h, c, ga := m.arch.decoderInit(w, in[0])
	return []*Node{h, c, ga}
}

// DecodeFrom decodes one caption from each row of a (the semantic layer, as
// returned by EncodeToSemantic, possibly edited) with greedy or beam search.
func (m *Model) DecodeFrom(a [][]float32, opts DecodeOptions) (caps []Caption, err error) {
	defer recoverErr("decoding", &err)
	N := m.arch.p.SemanticUnits
	if err := checkRows("decoding", a, N); err != nil {
		return nil, err
	}
	if opts.Beam < 1 || opts.Beam > m.Vocab.Size() {
		// A beam wider than the vocabulary keeps nothing more, and a huge one
		// (from a hand-edited revisions file, say) would only exhaust memory.
		return nil, fmt.Errorf("decoding: beam %d; expected 1 (greedy) to %d (the vocabulary size)", opts.Beam, m.Vocab.Size())
	}
	if opts.MaxWords <= 0 {
		opts.MaxWords = m.arch.p.MaxWords
	}
	initE, err := m.exec("decoder_init", m.decoderInitGraph)
	if err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	stepE, err := m.exec("decoder_step", m.decoderStepGraph)
	if err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	// Initial states of every clip.
	H := m.arch.p.DecoderDim
	h0, c0, ga := make([][]float32, len(a)), make([][]float32, len(a)), make([][]float32, len(a))
	err = runChunked(initE, len(a), func(lo, hi, chunk int) []any {
		return []any{packRows(a, lo, hi, chunk, N)}
	}, func(lo, hi int, outs []*tensors.Tensor) {
		tensorRows(outs[0], h0, lo, hi)
		tensorRows(outs[1], c0, lo, hi)
		tensorRows(outs[2], ga, lo, hi)
	})
	if err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	// Groups of clips, each decoded alone (the same captions however the
	// groups are shared out), by inferWorkers() goroutines.
	caps = make([]Caption, len(a))
	group := max(1, inferChunk/opts.Beam)
	groups := (len(a) + group - 1) / group
	errs := make([]error, groups)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(inferWorkers(), groups) {
		wg.Go(func() {
			for g := int(next.Add(1)) - 1; g < groups; g = int(next.Add(1)) - 1 {
				lo, hi := g*group, min(len(a), (g+1)*group)
				var res []Caption
				res, errs[g] = m.beamSearchGroup(stepE, h0[lo:hi], c0[lo:hi], ga[lo:hi], H, opts)
				if errs[g] != nil {
					next.Store(int64(groups)) // stop the others
					return
				}
				copy(caps[lo:hi], res)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("decoding: %w", err)
		}
	}
	return caps, nil
}

// beamSearchGroup is beamSearch with a panic turned into an error.
func (m *Model) beamSearchGroup(stepE *model.Exec, h0, c0, ga [][]float32, H int, opts DecodeOptions) (caps []Caption, err error) {
	defer recoverErr("beam search", &err)
	return m.beamSearch(stepE, h0, c0, ga, H, opts)
}

// hyp is a partial caption in a beam.
type hyp struct {
	words []int
	score float64
}

// beamCand is a candidate extension of a beam: word w after hypothesis
// parent, with the extended caption's log-probability.
type beamCand struct {
	parent, w int
	score     float64
}

// before orders candidates: higher score first, ties by parent, then word.
func (x beamCand) before(y beamCand) bool {
	if x.score != y.score {
		return x.score > y.score
	}
	if x.parent != y.parent {
		return x.parent < y.parent
	}
	return x.w < y.w
}

// topCands keeps the best n candidates offered, in order.
type topCands struct {
	list []beamCand
	n    int
}

// reset empties the list and sets its capacity to n.
func (t *topCands) reset(n int) *topCands {
	t.list, t.n = t.list[:0], n
	return t
}

// offer inserts c in its place if it is among the best n so far.
func (t *topCands) offer(c beamCand) {
	if len(t.list) == t.n && !c.before(t.list[len(t.list)-1]) {
		return
	}
	if len(t.list) < t.n {
		t.list = append(t.list, c)
	} else {
		t.list[len(t.list)-1] = c
	}
	for j := len(t.list) - 1; j > 0 && c.before(t.list[j-1]); j-- {
		t.list[j], t.list[j-1] = t.list[j-1], c
	}
}

// beamSearch decodes a group of clips (at most inferChunk/beam) together:
// every live hypothesis is one row of the step graph.
func (m *Model) beamSearch(stepE *model.Exec, h0, c0, ga [][]float32, H int, opts DecodeOptions) ([]Caption, error) {
	n, k, V := len(h0), opts.Beam, m.arch.vocabSize
	rows := inferChunk
	// Row r = clip·k + beam. Rows past n·k are padding.
	h := make([]float32, rows*H)
	c := make([]float32, rows*H)
	g := make([]float32, rows*4*H)
	word := make([]int32, rows)
	live := make([][]hyp, n)
	for i := range n {
		live[i] = []hyp{{score: 0}}
		for b := range k {
			r := i*k + b
			copy(h[r*H:(r+1)*H], h0[i])
			copy(c[r*H:(r+1)*H], c0[i])
			copy(g[r*4*H:(r+1)*4*H], ga[i])
			word[r] = corpus.BOSID
		}
	}
	finished := make([][]hyp, n)
	rank := func(x hyp) float64 {
		if opts.LengthPenalty == 0 {
			return x.score
		}
		return x.score / math.Pow(float64(len(x.words)+1), opts.LengthPenalty)
	}
	banned := func(w int) bool { return w == corpus.PadID || w == corpus.BOSID || w == corpus.UNKID }
	var top topCands
	for t := 0; t <= opts.MaxWords; t++ {
		outs, err := stepE.Call(
			tensors.FromFlatDataAndDimensions(h, rows, H),
			tensors.FromFlatDataAndDimensions(c, rows, H),
			tensors.FromFlatDataAndDimensions(g, rows, 4*H),
			tensors.FromFlatDataAndDimensions(word, rows))
		if err != nil {
			return nil, err
		}
		newH := tensors.MustCopyFlatData[float32](outs[0])
		newC := tensors.MustCopyFlatData[float32](outs[1])
		logp := tensors.MustCopyFlatData[float32](outs[2])
		for _, o := range outs {
			o.MustFinalizeAll()
		}
		nh, nc, ng := make([]float32, len(h)), make([]float32, len(c)), make([]float32, len(g))
		nword := make([]int32, rows)
		any := false
		for i := range n {
			// Each parent can end (EOS) at most once, so the loop below reads
			// at most 2k candidates: keeping the best 2k in order gives what
			// sorting them all would.
			best := top.reset(2 * k)
			for b, hy := range live[i] {
				r := i*k + b
				lp := logp[r*V : (r+1)*V]
				if t == opts.MaxWords { // length limit: only EOS
					best.offer(beamCand{b, corpus.EOSID, hy.score + float64(lp[corpus.EOSID])})
					continue
				}
				for w := range V {
					if !banned(w) {
						best.offer(beamCand{b, w, hy.score + float64(lp[w])})
					}
				}
			}
			cands := best.list
			var next []hyp
			for _, cd := range cands {
				if len(next) == k {
					break
				}
				parent := live[i][cd.parent]
				if cd.w == corpus.EOSID {
					if len(finished[i]) < k {
						finished[i] = append(finished[i], hyp{words: parent.words, score: cd.score})
					}
					continue
				}
				r, pr := i*k+len(next), i*k+cd.parent
				copy(nh[r*H:(r+1)*H], newH[pr*H:(pr+1)*H])
				copy(nc[r*H:(r+1)*H], newC[pr*H:(pr+1)*H])
				copy(ng[r*4*H:(r+1)*4*H], g[pr*4*H:(pr+1)*4*H])
				nword[r] = int32(cd.w)
				next = append(next, hyp{words: append(slices.Clone(parent.words), cd.w), score: cd.score})
			}
			// Stop a clip once it has k finished captions, or when no live
			// hypothesis can still beat its best finished one (scores only
			// decrease; exact without a length penalty).
			if len(finished[i]) >= k || (opts.LengthPenalty == 0 && len(finished[i]) > 0 && len(next) > 0 &&
				bestScore(finished[i], rank) >= next[0].score) {
				next = nil
			}
			live[i] = next
			any = any || len(next) > 0
		}
		h, c, g, word = nh, nc, ng, nword
		if !any {
			break
		}
	}
	out := make([]Caption, n)
	for i := range n {
		if len(finished[i]) == 0 { // cannot happen: the last step forces EOS
			return nil, fmt.Errorf("internal: clip %d finished no caption", i)
		}
		best := finished[i][0]
		for _, f := range finished[i][1:] {
			if rank(f) > rank(best) {
				best = f
			}
		}
		words := make([]string, len(best.words))
		for j, w := range best.words {
			words[j] = m.Vocab.Words[w]
		}
		out[i] = Caption{Words: words, LogProb: best.score}
	}
	return out, nil
}

// bestScore returns the highest rank among hyps.
func bestScore(hs []hyp, rank func(hyp) float64) float64 {
	best := math.Inf(-1)
	for _, h := range hs {
		best = math.Max(best, rank(h))
	}
	return best
}

// WordLogProbs returns, for each caption i, the teacher-forced
// log-probabilities log p(wⱼ | w<ⱼ, a[i]) of its words and of EOS (len(words)+1
// values), under the decoder given a[i]. Words outside the vocabulary count
// as <unk>. A caption longer than the model's max_words is an error.
func (m *Model) WordLogProbs(a [][]float32, captions []string) (lp [][]float64, err error) {
	defer recoverErr("word log-probabilities", &err)
	N, L := m.arch.p.SemanticUnits, m.arch.steps()
	if err := checkRows("word log-probabilities", a, N); err != nil {
		return nil, err
	}
	if len(captions) != len(a) {
		return nil, fmt.Errorf("word log-probabilities: %d captions for %d rows of a", len(captions), len(a))
	}
	toks := make([][]int32, len(captions))
	for i, c := range captions {
		ids := m.Vocab.Encode(c)
		if len(ids)-2 > m.arch.p.MaxWords {
			return nil, fmt.Errorf("word log-probabilities: caption %d has %d words; the model's limit is %d", i, len(ids)-2, m.arch.p.MaxWords)
		}
		toks[i] = make([]int32, L+1)
		for j, id := range ids {
			toks[i][j] = int32(id)
		}
	}
	e, err := m.exec("word_logprobs", func(scope *model.Scope, in []*Node) []*Node {
		a, tokens := in[0], in[1]
		B := a.Shape().Dimensions[0]
		logits := m.arch.teacherForced(scope, a, Slice(tokens, AxisRange(), AxisRange(0, L)), false) // [L,B,V]
		out := TransposeAllAxes(Slice(tokens, AxisRange(), AxisRange(1, L+1)), 1, 0)
		picked := TransposeAllAxes(ReduceSum(Mul(LogSoftmax(logits, -1), OneHot(out, m.arch.vocabSize, dtype)), -1), 1, 0)
		picked.AssertDims(B, L)
		return []*Node{picked}
	})
	if err != nil {
		return nil, fmt.Errorf("word log-probabilities: %w", err)
	}
	lp = make([][]float64, len(a))
	err = runChunked(e, len(a), func(lo, hi, chunk int) []any {
		flat := make([]int32, chunk*(L+1))
		for i := lo; i < hi; i++ {
			copy(flat[(i-lo)*(L+1):], toks[i])
		}
		return []any{packRows(a, lo, hi, chunk, N), tensors.FromFlatDataAndDimensions(flat, chunk, L+1)}
	}, func(lo, hi int, outs []*tensors.Tensor) {
		tensors.MustConstFlatData(outs[0], func(flat []float32) {
			for i := lo; i < hi; i++ {
				n := 0
				for _, t := range toks[i][1:] {
					if t != corpus.PadID {
						n++
					}
				}
				row := make([]float64, n)
				for j := range n {
					row[j] = float64(flat[(i-lo)*L+j])
				}
				lp[i] = row
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("word log-probabilities: %w", err)
	}
	return lp, nil
}
