package evalcap

import "math"

// ciderSigma is the standard deviation of CIDEr-D's Gaussian length penalty.
const ciderSigma = 6.0

// tfidf is the CIDEr tf-idf representation of a sentence.
type tfidf struct {
	ng   []ngCount  // the sentence's n-grams
	w    []float64  // w[k] = tf · (log N − log max(1, df)) of ng[k]
	norm [4]float64 // Euclidean norm per n
	// length is the number of bigrams, as in coco-caption, whose counts2vec
	// accumulates the length while visiting the n = 2 entries.
	length int
}

// ciderState holds the document frequencies of one evaluated set and scratch
// space indexed by n-gram ID.
type ciderState struct {
	df    []int32 // n-gram ID -> number of clips whose references contain it
	logN  float64 // log(number of clips)
	rw    []float64
	stamp []int32 // rw[g] is valid when stamp[g] == cur
	cur   int32
}

func (cs *ciderState) tfidf(t *tokens) tfidf {
	v := tfidf{ng: t.ng, w: make([]float64, len(t.ng))}
	var sq [4]float64
	for k, g := range t.ng {
		idf := cs.logN
		if df := cs.df[g.id]; df > 1 {
			idf -= math.Log(float64(df))
		}
		x := float64(g.count) * idf
		v.w[k] = x
		sq[g.n-1] += x * x
		if g.n == 2 {
			v.length += int(g.count)
		}
	}
	for n := range sq {
		v.norm[n] = math.Sqrt(sq[n])
	}
	return v
}

// sim returns the clipped, length-penalised cosine similarity per n of
// candidate h and reference r.
func (cs *ciderState) sim(h, r *tfidf) [4]float64 {
	cs.cur++
	for k, g := range r.ng {
		cs.rw[g.id] = r.w[k]
		cs.stamp[g.id] = cs.cur
	}
	var val [4]float64
	for k, g := range h.ng {
		if cs.stamp[g.id] != cs.cur {
			continue // absent from the reference: contributes 0
		}
		rv := cs.rw[g.id]
		val[g.n-1] += min(h.w[k], rv) * rv
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
	nng := ds.in.nNgram
	cs := &ciderState{
		df:    make([]int32, nng),
		logN:  math.Log(float64(len(ds.clips))),
		rw:    make([]float64, nng),
		stamp: make([]int32, nng),
	}
	// Document frequency: number of clips whose references contain g.
	last := make([]int32, nng) // g -> index+1 of the last clip counted
	for i := range ds.clips {
		for _, r := range ds.clips[i].refs {
			for _, g := range r.ng {
				if last[g.id] != int32(i+1) {
					last[g.id] = int32(i + 1)
					cs.df[g.id]++
				}
			}
		}
	}
	per := make([]float64, len(ds.clips))
	for i := range ds.clips {
		c := &ds.clips[i]
		h := cs.tfidf(c.cand)
		var sum [4]float64
		for _, rt := range c.refs {
			r := cs.tfidf(rt)
			v := cs.sim(&h, &r)
			for n := range sum {
				sum[n] += v[n]
			}
		}
		m := (sum[0] + sum[1] + sum[2] + sum[3]) / 4
		per[i] = m / float64(len(c.refs)) * 10
	}
	return mean(per), per
}
