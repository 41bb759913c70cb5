package topics

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
)

// Model is a trained topic model: its topics (φ), the topic mix of every
// training document (θ), and what is needed to read new text the same way.
type Model struct {
	// K is the number of topics and V the vocabulary size.
	K int
	V int
	// Config and Text are the settings the model was trained with.
	Config Config
	Text   TextOptions
	// IDs names the documents (clips): row d of Theta belongs to IDs[d].
	IDs []string
	// Terms are the vocabulary keys (stems when stemming) and Vocab the words
	// shown for them, by word index.
	Terms []string
	Vocab []string
	// Alpha is the prior α_k of each topic (all Config.Alpha unless
	// Config.OptimizeAlpha).
	Alpha []float64
	// Phi is the K×V topic–word matrix, row-major: Phi[k*V+w] = p(w | k).
	Phi []float32
	// Theta is the D×K document–topic matrix, row-major:
	// Theta[d*K+k] = p(k | d). Documents without words have a uniform row.
	Theta []float32
	// TopicTokens is the expected number of training tokens of each topic.
	TopicTokens []float64
	// DocTokens is the number of training tokens of each document.
	DocTokens []int
	// Prep reports how the corpus was prepared.
	Prep PrepReport
	// Perplexity of the training tokens and, with Config.HeldOut > 0, of the
	// held-out tokens, under the final θ and φ.
	Perplexity        float64
	HeldOutPerplexity float64
	// Trace records perplexity during training (Config.EvalEvery).
	Trace []TracePoint
	// TrainSeconds is the wall time of training (evaluation excluded).
	TrainSeconds float64

	stop  map[string]bool
	index map[string]int32
}

// model turns the sampler's averaged counts into a Model.
func (s *sampler) model(c *Corpus, cfg Config) *Model {
	K, V, D := s.K, s.V, len(s.docStart)-1
	m := &Model{K: K, V: V, Config: cfg, Text: c.Text, IDs: c.IDs, Terms: c.Terms, Vocab: c.Vocab, Prep: c.Prep}
	m.Config.Workers, m.Config.Progress = 0, nil
	m.Alpha = append([]float64(nil), s.alphaK...)
	avg := 1 / float64(s.avgN)
	m.Theta = make([]float32, D*K)
	m.DocTokens = make([]int, D)
	for d := 0; d < D; d++ {
		L := int(s.docStart[d+1] - s.docStart[d])
		m.DocTokens[d] = L
		row := m.Theta[d*K : (d+1)*K]
		den := float64(L) + s.alphaSum
		for k := range row {
			row[k] = float32((s.avgDK[d*K+k]*avg + s.alphaK[k]) / den)
		}
	}
	m.TopicTokens = make([]float64, K)
	for w := 0; w < V; w++ {
		for k := 0; k < K; k++ {
			m.TopicTokens[k] += s.avgWK[w*K+k] * avg
		}
	}
	m.Phi = make([]float32, K*V)
	vb := float64(V) * s.beta
	for k := 0; k < K; k++ {
		den := m.TopicTokens[k] + vb
		for w := 0; w < V; w++ {
			m.Phi[k*V+w] = float32((s.avgWK[w*K+k]*avg + s.beta) / den)
		}
	}
	m.stop, m.index = c.stop, c.index
	return m
}

// tokenPerplexity evaluates the final (averaged) θ and φ on the sampler's
// training and held-out tokens.
func (m *Model) tokenPerplexity(s *sampler) (train, held float64) {
	K, V := m.K, m.V
	return s.perplexity(len(s.docStart)-1, func(int, []int32) {},
		func(d int, _ []int32) func(int) float64 {
			row := m.Theta[d*K : (d+1)*K]
			return func(k int) float64 { return float64(row[k]) }
		},
		func(w int32, k int) float64 { return float64(m.Phi[k*V+int(w)]) })
}

// NumDocs returns the number of documents (rows of Theta).
func (m *Model) NumDocs() int { return len(m.IDs) }

// ThetaRow returns document d's topic distribution (a view, not a copy).
func (m *Model) ThetaRow(d int) []float32 { return m.Theta[d*m.K : (d+1)*m.K] }

// PhiRow returns topic k's word distribution (a view, not a copy).
func (m *Model) PhiRow(k int) []float32 { return m.Phi[k*m.V : (k+1)*m.V] }

// TopWordIDs returns the indices of topic k's n most probable words.
func (m *Model) TopWordIDs(k, n int) []int32 {
	return topIndices(m.PhiRow(k), n)
}

// TopWords returns topic k's n most probable words.
func (m *Model) TopWords(k, n int) []string {
	ids := m.TopWordIDs(k, n)
	out := make([]string, len(ids))
	for i, w := range ids {
		out[i] = m.Vocab[w]
	}
	return out
}

// topIndices returns the indices of the n largest values, largest first,
// ties broken by the lower index.
func topIndices[T float32 | float64](xs []T, n int) []int32 {
	idx := make([]int32, len(xs))
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] > xs[idx[b]] })
	if n < len(idx) {
		idx = idx[:n]
	}
	return idx
}

// Labels are the multi-hot topic labels of documents: each document's top
// topics by θ.
type Labels struct {
	// K is the number of topics (the length of a multi-hot vector).
	K int `json:"k"`
	// TopK and MinWeight are the rule the labels were made with.
	TopK      int     `json:"top_k"`
	MinWeight float64 `json:"min_weight"`
	// IDs names the documents; Topics[i] are document i's topics, strongest
	// first, and Weights[i] their θ weights.
	IDs     []string    `json:"ids"`
	Topics  [][]int     `json:"topics"`
	Weights [][]float32 `json:"weights"`
}

// Default labelling rule: the paper labels each clip with about 3 topics.
const (
	DefaultLabelTopK      = 3
	DefaultLabelMinWeight = 0.05
)

// Labels labels every document with its topK strongest topics whose θ
// weight is at least minWeight; the strongest topic is always kept, except
// for documents without words, which get no labels.
func (m *Model) Labels(topK int, minWeight float64) *Labels {
	if topK < 1 {
		topK = 1
	}
	l := &Labels{K: m.K, TopK: topK, MinWeight: minWeight, IDs: m.IDs,
		Topics: make([][]int, len(m.IDs)), Weights: make([][]float32, len(m.IDs))}
	for d := range m.IDs {
		if m.DocTokens[d] == 0 {
			l.Topics[d], l.Weights[d] = []int{}, []float32{}
			continue
		}
		row := m.ThetaRow(d)
		top := topIndices(row, topK)
		ts, ws := make([]int, 0, len(top)), make([]float32, 0, len(top))
		for i, k := range top {
			if i > 0 && float64(row[k]) < minWeight {
				break
			}
			ts = append(ts, int(k))
			ws = append(ws, row[k])
		}
		l.Topics[d], l.Weights[d] = ts, ws
	}
	return l
}

// Vector returns document i's multi-hot label vector of length K.
func (l *Labels) Vector(i int) []float32 {
	v := make([]float32, l.K)
	for _, k := range l.Topics[i] {
		if k >= 0 && k < l.K {
			v[k] = 1
		}
	}
	return v
}

// MultiHot returns all label vectors as a row-major len(IDs)×K matrix.
func (l *Labels) MultiHot() []float32 {
	out := make([]float32, len(l.IDs)*l.K)
	for i, ts := range l.Topics {
		for _, k := range ts {
			if k >= 0 && k < l.K {
				out[i*l.K+k] = 1
			}
		}
	}
	return out
}

// VectorsByID returns every document's multi-hot vector by document id
// (the per-clip targets the captioner's topic head learns).
func (l *Labels) VectorsByID() map[string][]float32 {
	m := make(map[string][]float32, len(l.IDs))
	for i, id := range l.IDs {
		m[id] = l.Vector(i)
	}
	return m
}

// TopicNames names every topic by its index and its n top words, such as
// "topic 7: cutting slicing knife".
func (m *Model) TopicNames(n int) []string {
	names := make([]string, m.K)
	for k := range names {
		names[k] = fmt.Sprintf("topic %d: %s", k, strings.Join(m.TopWords(k, n), " "))
	}
	return names
}

// ByID returns a map from document id to its row.
func (l *Labels) ByID() map[string]int {
	m := make(map[string]int, len(l.IDs))
	for i, id := range l.IDs {
		m[id] = i
	}
	return m
}

// TopicClips counts, for each topic, the documents labelled with it.
func (l *Labels) TopicClips() []int {
	n := make([]int, l.K)
	for _, ts := range l.Topics {
		for _, k := range ts {
			if k >= 0 && k < l.K {
				n[k]++
			}
		}
	}
	return n
}

// Encode turns text into the model's word indices with the tokenizer, stop
// words, stemming and damping the model was trained with; unknown counts the
// words outside the vocabulary, which are skipped.
func (m *Model) Encode(text string) (words []int32, unknown int) {
	if m.index == nil {
		m.index = make(map[string]int32, len(m.Terms))
		for i, t := range m.Terms {
			m.index[t] = int32(i)
		}
		m.stop = stopSet(m.Text)
	}
	return encode(text, m.Text, m.stop, m.index)
}

// Infer estimates the topic mix of new documents (word indices from Encode)
// by Gibbs sampling with the topics φ held fixed ("folding in"), iterations
// sweeps each, deterministically from seed. It returns a len(docs)×K
// row-major θ; documents without words get a uniform row.
func (m *Model) Infer(docs [][]int32, iterations int, seed uint64) ([]float32, error) {
	if iterations < 1 {
		return nil, fmt.Errorf("inferring topics: iterations = %d; expected at least 1", iterations)
	}
	for d, doc := range docs {
		for _, w := range doc {
			if w < 0 || int(w) >= m.V {
				return nil, fmt.Errorf("inferring topics: document %d: word index %d outside the vocabulary of %d words", d, w, m.V)
			}
		}
	}
	K := m.K
	out := make([]float32, len(docs)*K)
	s := &sampler{workers: runtime.GOMAXPROCS(0)}
	s.parallel(len(docs), 8, func(lo, hi, _ int) {
		p := make([]float64, K)
		ndk := make([]int32, K)
		acc := make([]float64, K)
		for d := lo; d < hi; d++ {
			m.foldIn(docs[d], iterations, seed, d, p, ndk, acc, out[d*K:(d+1)*K])
		}
	})
	return out, nil
}

// foldIn samples one document's topics with φ fixed and writes its θ,
// averaged over the second half of the sweeps.
func (m *Model) foldIn(doc []int32, iterations int, seed uint64, d int, p []float64, ndk []int32, acc []float64, theta []float32) {
	K, V := m.K, m.V
	alpha := m.Alpha
	if len(doc) == 0 {
		for k := range theta {
			theta[k] = float32(1 / float64(K))
		}
		return
	}
	clear(ndk)
	clear(acc)
	z := make([]int32, len(doc))
	r := newRNG(seed, -2, d)
	for i := range z {
		z[i] = int32(r.intn(K))
		ndk[z[i]]++
	}
	kept := 0
	for it := 0; it < iterations; it++ {
		for i, w := range doc {
			ndk[z[i]]--
			sum := 0.0
			for k := 0; k < K; k++ {
				sum += (float64(ndk[k]) + alpha[k]) * float64(m.Phi[k*V+int(w)])
				p[k] = sum
			}
			u := r.float() * sum
			k := min(sort.Search(K, func(i int) bool { return p[i] > u }), K-1)
			z[i] = int32(k)
			ndk[k]++
		}
		if it >= iterations/2 {
			for k, n := range ndk {
				acc[k] += float64(n)
			}
			kept++
		}
	}
	a0 := 0.0
	for _, a := range alpha {
		a0 += a
	}
	den := float64(len(doc)) + a0
	for k := range theta {
		theta[k] = float32((acc[k]/float64(kept) + alpha[k]) / den)
	}
}

// DocumentPerplexity measures held-out perplexity on new documents by
// document completion: each document's even-position words are folded in
// (iterations sweeps, φ fixed) and its odd-position words are predicted,
// perplexity = exp(−Σ log Σ_k θ_dk φ_kw / N). Documents with fewer than two
// words are skipped.
func (m *Model) DocumentPerplexity(docs [][]int32, iterations int, seed uint64) (float64, error) {
	var seen, hidden [][]int32
	for _, doc := range docs {
		if len(doc) < 2 {
			continue
		}
		var a, b []int32
		for i, w := range doc {
			if i%2 == 0 {
				a = append(a, w)
			} else {
				b = append(b, w)
			}
		}
		seen, hidden = append(seen, a), append(hidden, b)
	}
	if len(seen) == 0 {
		return 0, fmt.Errorf("document perplexity: no document with at least two known words")
	}
	theta, err := m.Infer(seen, iterations, seed)
	if err != nil {
		return 0, fmt.Errorf("document perplexity: %w", err)
	}
	K, V := m.K, m.V
	ll, n := 0.0, 0
	for d, doc := range hidden {
		row := theta[d*K : (d+1)*K]
		for _, w := range doc {
			p := 0.0
			for k := 0; k < K; k++ {
				p += float64(row[k]) * float64(m.Phi[k*V+int(w)])
			}
			ll += math.Log(p)
			n++
		}
	}
	return math.Exp(-ll / float64(n)), nil
}
