package topics

import (
	"fmt"
	"math"
	"sort"
)

// Cooccurrence counts in how many documents words occur, alone and in
// pairs; NPMI coherence is computed from it. Documents are the reference
// texts (for neurotopics: clips, all captions of a clip together).
type Cooccurrence struct {
	// N is the number of documents.
	N        int
	postings [][]int32 // word → sorted ids of the documents holding it
}

// NewCooccurrence indexes docs (word indices below V).
func NewCooccurrence(docs [][]int32, V int) *Cooccurrence {
	c := &Cooccurrence{N: len(docs), postings: make([][]int32, V)}
	for d, doc := range docs {
		for _, w := range doc {
			if w < 0 || int(w) >= V {
				continue
			}
			p := c.postings[w]
			if n := len(p); n == 0 || p[n-1] != int32(d) {
				c.postings[w] = append(p, int32(d))
			}
		}
	}
	return c
}

// DocFreq returns the number of documents holding word w.
func (c *Cooccurrence) DocFreq(w int32) int { return len(c.postings[w]) }

// PairFreq returns the number of documents holding both a and b.
func (c *Cooccurrence) PairFreq(a, b int32) int {
	pa, pb := c.postings[a], c.postings[b]
	n, i, j := 0, 0, 0
	for i < len(pa) && j < len(pb) {
		switch {
		case pa[i] < pb[j]:
			i++
		case pa[i] > pb[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// PairNPMI returns the normalized pointwise mutual information of two words
// over documents (Bouma 2009):
//
//	NPMI(a, b) = log(P(a,b) / (P(a) P(b))) / −log P(a,b),  P(x) = D(x)/N,
//
// which is −1 for words that never occur together, 0 for independent words
// and 1 for words that always occur together.
func (c *Cooccurrence) PairNPMI(a, b int32) float64 {
	dab := c.PairFreq(a, b)
	if dab == 0 {
		return -1
	}
	n := float64(c.N)
	pab := float64(dab) / n
	if pab >= 1 {
		return 1
	}
	pa, pb := float64(c.DocFreq(a))/n, float64(c.DocFreq(b))/n
	return math.Log(pab/(pa*pb)) / -math.Log(pab)
}

// NPMI returns the coherence of a list of words: the mean NPMI over all
// pairs (0 for fewer than two words).
func (c *Cooccurrence) NPMI(words []int32) float64 {
	sum, n := 0.0, 0
	for i := range words {
		for j := i + 1; j < len(words); j++ {
			sum += c.PairNPMI(words[i], words[j])
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Diversity returns the fraction of distinct words among the top-n words of
// all topics (Dieng et al. 2020): 1 when no two topics share a top word.
func Diversity(topWords [][]int32) float64 {
	seen := map[int32]bool{}
	total := 0
	for _, ws := range topWords {
		for _, w := range ws {
			seen[w] = true
			total++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(len(seen)) / float64(total)
}

// LabelTopWords derives each topic's top words from the documents labelled
// with it, not from φ, so that models of different kinds can be compared by
// the labels they produce. A word's score for topic k is the share of k's
// documents that contain it times its inverse document frequency over the
// whole corpus,
//
//	score_k(w) = |{d ∈ C_k : w ∈ d}| / |C_k| · ln(N / D(w)),
//
// a tf-idf in which a clip counts a word once, as NPMI's co-occurrence does
// (a clip's raw counts mostly measure how many of its captions repeat a
// word). The n best-scoring words are returned, best first; a topic no
// document is labelled with gets none.
func LabelTopWords(docs [][]int32, V int, labels [][]int, K, n int) [][]int32 {
	df := make([]int, V)
	present := make([][]int32, len(docs))
	mark := make([]int, V)
	for i := range mark {
		mark[i] = -1
	}
	for d, doc := range docs {
		for _, w := range doc {
			if w >= 0 && int(w) < V && mark[w] != d {
				mark[w] = d
				df[w]++
				present[d] = append(present[d], w)
			}
		}
	}
	N := float64(len(docs))
	score := make([][]float64, K)
	size := make([]int, K)
	for d, ts := range labels {
		if d >= len(docs) {
			break
		}
		for _, k := range ts {
			if k < 0 || k >= K {
				continue
			}
			if score[k] == nil {
				score[k] = make([]float64, V)
			}
			size[k]++
			for _, w := range present[d] {
				score[k][w]++
			}
		}
	}
	out := make([][]int32, K)
	for k, sc := range score {
		if sc == nil {
			continue
		}
		for w := range sc {
			if sc[w] > 0 {
				sc[w] = sc[w] / float64(size[k]) * math.Log(N/float64(df[w]))
			}
		}
		out[k] = topIndices(sc, n)
	}
	return out
}

// Quality summarises how good a model's topics are.
type Quality struct {
	// TopN is the number of top words per topic used for coherence
	// (conventionally 10); DiversityTopN for diversity (25).
	TopN          int `json:"top_n"`
	DiversityTopN int `json:"diversity_top_n"`
	// NPMI is the mean coherence of the topics' top words by φ, with
	// co-occurrence counted over documents (clips); TopicNPMI per topic.
	NPMI      float64   `json:"npmi"`
	TopicNPMI []float64 `json:"topic_npmi"`
	// LabelNPMI is the mean coherence of the label-derived top words (see
	// LabelTopWords) over the topics that label at least one document;
	// TopicLabelNPMI per topic (0 for unused topics).
	LabelNPMI      float64   `json:"label_npmi"`
	TopicLabelNPMI []float64 `json:"topic_label_npmi"`
	// LabelTopicsUsed counts the topics that label at least one document.
	LabelTopicsUsed int `json:"label_topics_used"`
	// Diversity is the fraction of distinct words among all topics' top words.
	Diversity float64 `json:"diversity"`
	// TopicClips counts the documents labelled with each topic; TopicShare
	// is each topic's share of the training tokens.
	TopicClips []int     `json:"topic_clips"`
	TopicShare []float64 `json:"topic_share"`
	// Perplexity and HeldOutPerplexity are copied from the model.
	Perplexity        float64 `json:"perplexity"`
	HeldOutPerplexity float64 `json:"held_out_perplexity,omitempty"`
}

// Evaluate measures a model on the corpus it was trained on, with labels
// from m.Labels. Coherence uses the top 10 words, diversity the top 25.
func Evaluate(m *Model, c *Corpus, l *Labels) (*Quality, error) {
	if len(c.Docs) != len(m.IDs) || len(c.Vocab) != m.V {
		return nil, fmt.Errorf("evaluating topics: corpus has %d documents and %d words, model %d and %d; evaluate on the corpus the model was trained on",
			len(c.Docs), len(c.Vocab), len(m.IDs), m.V)
	}
	if l == nil {
		l = m.Labels(DefaultLabelTopK, DefaultLabelMinWeight)
	}
	if len(l.Topics) != len(c.Docs) || l.K != m.K {
		return nil, fmt.Errorf("evaluating topics: %d labels of %d topics for %d documents of a %d-topic model", len(l.Topics), l.K, len(c.Docs), m.K)
	}
	q := &Quality{TopN: 10, DiversityTopN: 25, Perplexity: m.Perplexity, HeldOutPerplexity: m.HeldOutPerplexity}
	co := NewCooccurrence(c.Docs, m.V)
	q.TopicNPMI = make([]float64, m.K)
	div := make([][]int32, m.K)
	for k := 0; k < m.K; k++ {
		q.TopicNPMI[k] = co.NPMI(m.TopWordIDs(k, q.TopN))
		q.NPMI += q.TopicNPMI[k] / float64(m.K)
		div[k] = m.TopWordIDs(k, q.DiversityTopN)
	}
	q.Diversity = Diversity(div)
	q.TopicLabelNPMI = make([]float64, m.K)
	for k, ws := range LabelTopWords(c.Docs, m.V, l.Topics, m.K, q.TopN) {
		if ws == nil {
			continue
		}
		q.TopicLabelNPMI[k] = co.NPMI(ws)
		q.LabelNPMI += q.TopicLabelNPMI[k]
		q.LabelTopicsUsed++
	}
	if q.LabelTopicsUsed > 0 {
		q.LabelNPMI /= float64(q.LabelTopicsUsed)
	}
	q.TopicClips = l.TopicClips()
	q.TopicShare = make([]float64, m.K)
	total := 0.0
	for _, n := range m.TopicTokens {
		total += n
	}
	for k, n := range m.TopicTokens {
		if total > 0 {
			q.TopicShare[k] = n / total
		}
	}
	return q, nil
}

// TopicOrder returns topic indices ordered by decreasing share of tokens,
// the order in which tables and plots list topics.
func (q *Quality) TopicOrder() []int {
	idx := make([]int, len(q.TopicShare))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return q.TopicShare[idx[a]] > q.TopicShare[idx[b]] })
	return idx
}
