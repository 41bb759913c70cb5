package evalcap

import "math"

// ciderSigma is the standard deviation of CIDEr-D's Gaussian length penalty.
const ciderSigma = 6.0

// tfidf is the CIDEr tf-idf representation of a sentence.
type tfidf struct {
	keys []ngram           // n-grams in first-occurrence order
	w    map[ngram]float64 // tf · (log N − log max(1, df))
	norm [4]float64        // Euclidean norm per n
	// length is the number of bigrams, as in coco-caption, whose counts2vec
	// accumulates the length while visiting the n = 2 entries.
	length int
}

func newTfidf(ng *ngramCounts, df map[ngram]int, logN float64) tfidf {
	v := tfidf{keys: ng.keys, w: make(map[ngram]float64, len(ng.keys))}
	var sq [4]float64
	for _, g := range ng.keys {
		tf := ng.counts[g]
		x := float64(tf) * (logN - math.Log(max(1, float64(df[g]))))
		v.w[g] = x
		sq[g.n-1] += x * x
		if g.n == 2 {
			v.length += tf
		}
	}
	for n := range sq {
		v.norm[n] = math.Sqrt(sq[n])
	}
	return v
}

// ciderSim returns the clipped, length-penalised cosine similarity per n.
func ciderSim(h, r *tfidf) [4]float64 {
	var val [4]float64
	for _, g := range h.keys {
		rv := r.w[g]
		val[g.n-1] += min(h.w[g], rv) * rv
	}
	delta := float64(h.length - r.length)
	pen := math.Exp(-(delta * delta) / (2 * ciderSigma * ciderSigma))
	for n := range val {
		if h.norm[n] != 0 && r.norm[n] != 0 {
			val[n] /= h.norm[n] * r.norm[n]
		}
		val[n] *= pen
	}
	return val
}

// ciderD returns the mean CIDEr-D and the per-clip values.
func (ds *dataset) ciderD() (float64, []float64) {
	// Document frequency: number of clips whose references contain g.
	df := make(map[ngram]int)
	seen := make(map[ngram]int) // g -> index+1 of the last clip counted
	for i := range ds.clips {
		for _, r := range ds.clips[i].refs {
			for _, g := range r.ng.keys {
				if seen[g] != i+1 {
					seen[g] = i + 1
					df[g]++
				}
			}
		}
	}
	logN := math.Log(float64(len(ds.clips)))
	per := make([]float64, len(ds.clips))
	for i := range ds.clips {
		c := &ds.clips[i]
		h := newTfidf(&c.cand.ng, df, logN)
		var sum [4]float64
		for _, rt := range c.refs {
			r := newTfidf(&rt.ng, df, logN)
			v := ciderSim(&h, &r)
			for n := range sum {
				sum[n] += v[n]
			}
		}
		m := (sum[0] + sum[1] + sum[2] + sum[3]) / 4
		per[i] = m / float64(len(c.refs)) * 10
	}
	return mean(per), per
}
