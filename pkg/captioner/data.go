package captioner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Targets are the per-clip multi-hot vectors the topic head learns to
// predict: the LDA topics of a clip's captions (pkg/topics), or, as a
// stand-in with known ground truth, the synthetic corpus' concepts.
type Targets struct {
	// Names[k] names target k (e.g. "topic 7" or "shape:circle").
	Names []string
	// ByClip maps a clip id to its vector of len(Names) values (usually 0/1).
	ByClip map[string][]float32
}

// K returns the number of targets.
func (t *Targets) K() int { return len(t.Names) }

// check verifies that every clip in ids has a finite vector of length K.
func (t *Targets) check(ids []string) error {
	if t == nil || len(t.Names) == 0 {
		return fmt.Errorf("targets: no target names; expected K ≥ 1 (topics or concepts)")
	}
	for _, id := range ids {
		v, ok := t.ByClip[id]
		if !ok {
			return fmt.Errorf("targets: clip %q has no target vector", id)
		}
		if len(v) != len(t.Names) {
			return fmt.Errorf("targets: clip %q has %d values; expected K = %d", id, len(v), len(t.Names))
		}
		for k, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("targets: clip %q, target %d (%s) is %v; expected a finite value", id, k, t.Names[k], x)
			}
		}
	}
	return nil
}

// Data is what training and evaluation read: per-frame features, captions
// with their splits, and per-clip targets. Every clip of a split used must
// have features and targets.
type Data struct {
	Features *corpus.Features
	Captions *corpus.Captions
	Targets  *Targets
}

// SplitIDs returns the clip ids of split that have features, in caption
// order.
func (d *Data) SplitIDs(split string) []string {
	var ids []string
	for _, id := range d.Captions.Splits[split] {
		if d.Features.Index(id) >= 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// References returns the tokenised, lower-case references of clips ids, as
// pkg/evalcap expects them.
func (d *Data) References(ids []string) map[string][]string {
	refs := make(map[string][]string, len(ids))
	for _, id := range ids {
		for _, c := range d.Captions.ByClip[id] {
			if toks := corpus.Tokenize(c); len(toks) > 0 {
				refs[id] = append(refs[id], strings.Join(toks, " "))
			}
		}
	}
	return refs
}

// clipFeatures returns clip id's features resampled to T frames: [T·D]. A
// clip with F frames contributes frame ⌊(t+½)·F/T⌋ at step t. When F = T it
// returns f's own slice, not a copy (callers only read it): the training
// and evaluation splits of every model of a run then share the features in
// memory instead of holding a copy each.
func clipFeatures(f *corpus.Features, id string, T int) ([]float32, error) {
	i := f.Index(id)
	if i < 0 {
		return nil, fmt.Errorf("features: no features for clip %q", id)
	}
	F, D := f.NumFrames[i], f.Dim
	src := f.Data[i]
	if len(src) != F*D {
		return nil, fmt.Errorf("features: clip %q has %d values; expected %d frames × %d", id, len(src), F, D)
	}
	out := src[: F*D : F*D]
	if F != T {
		out = make([]float32, T*D)
		for t := range T {
			s := int((float64(t) + 0.5) * float64(F) / float64(T))
			copy(out[t*D:(t+1)*D], src[s*D:(s+1)*D])
		}
	}
	for j, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("features: clip %q has a non-finite value %v at frame %d, dim %d", id, v, j/D, j%D)
		}
	}
	return out, nil
}

// encodeCaption returns BOS, the word ids, EOS and padding: maxWords+2
// tokens; ok is false if the caption has no words or more than maxWords.
func encodeCaption(v *corpus.Vocab, caption string, maxWords int) ([]int32, bool) {
	ids := v.Encode(caption)
	if len(ids) < 3 || len(ids) > maxWords+2 {
		return nil, false
	}
	out := make([]int32, maxWords+2)
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out, true
}

// pair is one training example: a clip and one of its captions.
type pair struct {
	clip   int
	tokens []int32
}

// splitData is a split prepared for the model.
type splitData struct {
	ids     []string
	feats   [][]float32 // [T·D] per clip
	targets [][]float32 // [K] per clip
	pairs   []pair
	skipped int // captions not used (empty or too long)
}

// prepareSplit resolves features, targets and encoded captions of ids.
func prepareSplit(d *Data, ids []string, v *corpus.Vocab, a *arch) (*splitData, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("no clips with features")
	}
	if d.Features.Dim != a.featDim {
		return nil, fmt.Errorf("features have dim %d; the model expects %d", d.Features.Dim, a.featDim)
	}
	if err := d.Targets.check(ids); err != nil {
		return nil, err
	}
	if d.Targets.K() != a.numTargets {
		return nil, fmt.Errorf("targets: %d per clip; the model has %d", d.Targets.K(), a.numTargets)
	}
	s := &splitData{ids: ids}
	for ci, id := range ids {
		f, err := clipFeatures(d.Features, id, a.p.Frames)
		if err != nil {
			return nil, err
		}
		s.feats = append(s.feats, f)
		s.targets = append(s.targets, d.Targets.ByClip[id])
		for _, c := range d.Captions.ByClip[id] {
			toks, ok := encodeCaption(v, c, a.p.MaxWords)
			if !ok {
				s.skipped++
				continue
			}
			s.pairs = append(s.pairs, pair{ci, toks})
		}
	}
	return s, nil
}

// batch is a training or evaluation batch as flat arrays.
type batch struct {
	feats   []float32 // [C,T,D]
	tokens  []int32   // [B,L+1], B = C·R captions, R per clip
	targets []float32 // [C,K]
	steps   int       // L, the decoder steps of this batch
	n       int       // real rows (the rest is padding)
	clips   int       // C, the rows of feats and targets
}

// words returns the number of words of an encoded caption.
func (p pair) words() int {
	n := 0
	for _, t := range p.tokens[1:] {
		if t == corpus.EOSID {
			return n
		}
		n++
	}
	return n
}

// stepBucket is the granularity of the decoder steps of a batch: a batch
// runs ⌈(longest caption + 1)/stepBucket⌉·stepBucket steps (at most
// max_words + 1), so a few graphs serve all batches and short captions do
// not pay for the longest.
const stepBucket = 4

// stepsFor returns the decoder steps needed by pairs.
func (a *arch) stepsFor(ps []pair) int {
	need := 1
	for _, p := range ps {
		need = max(need, p.words()+1)
	}
	return min(a.steps(), (need+stepBucket-1)/stepBucket*stepBucket)
}

// fill writes pairs into a batch of B captions, R of each clip (R = 1: a
// clip row per caption). The clip of a group of R rows is that of its first
// pair. Rows past len(ps) repeat the first pair and are not counted in n.
func (s *splitData) fill(ps []pair, B, R int, a *arch) *batch {
	T, D, K := a.p.Frames, a.featDim, a.numTargets
	L := a.stepsFor(ps)
	C := B / R
	b := &batch{feats: make([]float32, C*T*D), tokens: make([]int32, B*(L+1)), targets: make([]float32, C*K), steps: L, n: len(ps), clips: C}
	for r := range B {
		p := ps[0]
		if r < len(ps) {
			p = ps[r]
		}
		copy(b.tokens[r*(L+1):(r+1)*(L+1)], p.tokens)
		if r%R == 0 {
			copy(b.feats[r/R*T*D:], s.feats[p.clip])
			copy(b.targets[r/R*K:], s.targets[p.clip])
		}
	}
	return b
}

// sampler draws training batches in a fixed order. With one caption per
// clip, epoch e visits the pairs in a permutation seeded by (seed, e); with
// R > 1 captions per clip, it visits the clips so, each with R of its
// captions drawn without replacement (cycling through them if it has fewer).
// The permutation is cut into pools of samplerPool batches, each pool sorted
// by caption length and cut into batches (so a batch holds captions of
// similar length and needs few decoder steps), and the epoch's batches are
// shuffled. Step s takes batch s mod (batches per epoch) of epoch s div
// (batches per epoch), so resuming at a step continues the same sequence
// of batches.
type sampler struct {
	s         *splitData
	seed      uint64
	epoch     int
	batches   [][]pair
	batchSize int
	perClip   int     // R, captions per clip
	byClip    [][]int // pair indices of each clip that has pairs (R > 1)
}

const samplerPool = 16

func newSampler(s *splitData, seed uint64, batchSize, perClip int) *sampler {
	sm := &sampler{s: s, seed: seed, epoch: -1, batchSize: batchSize, perClip: max(1, perClip)}
	if sm.perClip > 1 {
		idx := map[int][]int{}
		var clips []int
		for i, p := range s.pairs {
			if idx[p.clip] == nil {
				clips = append(clips, p.clip)
			}
			idx[p.clip] = append(idx[p.clip], i)
		}
		for _, c := range clips {
			sm.byClip = append(sm.byClip, idx[c])
		}
	}
	return sm
}

// pairsAt returns the pairs of step: batchSize pairs, perClip of each clip
// in turn.
func (sm *sampler) pairsAt(step int64) []pair {
	R := sm.perClip
	G := sm.batchSize / R // groups (clips) per batch
	n := len(sm.s.pairs)
	if R > 1 {
		n = len(sm.byClip)
	}
	per := max(1, n/G) // batches per epoch
	e := int(step / int64(per))
	if e != sm.epoch {
		r := rand.New(rand.NewPCG(sm.seed, uint64(e)+0x9e3779b97f4a7c15))
		perm := r.Perm(n)
		for len(perm) < per*G { // fewer than a batch: repeat them
			perm = append(perm, perm[:min(len(perm), per*G-len(perm))]...)
		}
		perm = perm[:per*G]
		// groups[i] are the pairs of the i-th element of perm.
		groups := make([][]pair, len(perm))
		for i, x := range perm {
			if R == 1 {
				groups[i] = []pair{sm.s.pairs[x]}
				continue
			}
			own := slices.Clone(sm.byClip[x])
			r.Shuffle(len(own), func(a, b int) { own[a], own[b] = own[b], own[a] })
			groups[i] = make([]pair, R)
			for j := range R {
				groups[i][j] = sm.s.pairs[own[j%len(own)]]
			}
		}
		longest := func(g []pair) int {
			w := 0
			for _, p := range g {
				w = max(w, p.words())
			}
			return w
		}
		sm.batches = sm.batches[:0]
		for lo := 0; lo < len(groups); lo += samplerPool * G {
			pool := groups[lo:min(len(groups), lo+samplerPool*G)]
			slices.SortStableFunc(pool, func(x, y []pair) int { return longest(x) - longest(y) })
			for b := 0; b+G <= len(pool); b += G {
				ps := make([]pair, 0, sm.batchSize)
				for _, g := range pool[b : b+G] {
					ps = append(ps, g...)
				}
				sm.batches = append(sm.batches, ps)
			}
		}
		r.Shuffle(len(sm.batches), func(i, j int) { sm.batches[i], sm.batches[j] = sm.batches[j], sm.batches[i] })
		sm.epoch = e
	}
	return sm.batches[int(step%int64(per))]
}
