package evalcap

import "math"

// Smoothing constants of pycocoevalcap's bleu_scorer.py: every precision is
// (correct + bleuTiny) / (guess + bleuSmall), and the length ratio is
// (testlen + bleuTiny) / (reflen + bleuSmall).
const (
	bleuTiny  = 1e-15
	bleuSmall = 1e-9
)

// bleuStats are the sufficient statistics of BLEU for one clip (or, summed,
// for a corpus): candidate length, effective reference length, candidate
// n-gram counts ("guess") and clipped matching counts ("correct").
type bleuStats struct {
	testLen, refLen int
	guess, correct  [4]int
}

// clipBleuStats computes the BLEU statistics of clip i with coco-caption's
// "closest" effective reference length. maxRef and stamp are scratch slices
// indexed by n-gram ID: maxRef[g] is valid for this clip when
// stamp[g] == i+1.
func clipBleuStats(c *clip, i int32, maxRef, stamp []int32) bleuStats {
	var st bleuStats
	st.testLen = len(c.cand.ids)
	bestDiff := -1
	for _, r := range c.refs {
		l := len(r.ids)
		d := l - st.testLen
		if d < 0 {
			d = -d
		}
		// Closest length; on a tie the shorter reference wins.
		if bestDiff < 0 || d < bestDiff || (d == bestDiff && l < st.refLen) {
			bestDiff, st.refLen = d, l
		}
		// Maximum count of each n-gram in any single reference.
		for _, g := range r.ng {
			if stamp[g.id] != i+1 {
				stamp[g.id] = i + 1
				maxRef[g.id] = 0
			}
			maxRef[g.id] = max(maxRef[g.id], g.count)
		}
	}
	for k := range 4 {
		st.guess[k] = max(0, st.testLen-k)
	}
	for _, g := range c.cand.ng {
		if stamp[g.id] == i+1 {
			st.correct[g.n-1] += int(min(g.count, maxRef[g.id]))
		}
	}
	return st
}

// score turns BLEU statistics into BLEU-1..4: cumulative geometric means of
// the smoothed precisions times the brevity penalty.
func (st *bleuStats) score() [4]float64 {
	var out [4]float64
	p := 1.0
	for k := range 4 {
		p *= (float64(st.correct[k]) + bleuTiny) / (float64(st.guess[k]) + bleuSmall)
		out[k] = math.Pow(p, 1/float64(k+1))
	}
	ratio := (float64(st.testLen) + bleuTiny) / (float64(st.refLen) + bleuSmall)
	if ratio < 1 {
		bp := math.Exp(1 - 1/ratio)
		for k := range out {
			out[k] *= bp
		}
	}
	return out
}

// bleu returns corpus BLEU-1..4 (from summed statistics) and per-clip BLEU.
func (ds *dataset) bleu() ([4]float64, [][4]float64) {
	var total bleuStats
	per := make([][4]float64, len(ds.clips))
	maxRef := make([]int32, ds.in.nNgram)
	stamp := make([]int32, ds.in.nNgram)
	for i := range ds.clips {
		st := clipBleuStats(&ds.clips[i], int32(i), maxRef, stamp)
		per[i] = st.score()
		total.testLen += st.testLen
		total.refLen += st.refLen
		for k := range 4 {
			total.guess[k] += st.guess[k]
			total.correct[k] += st.correct[k]
		}
	}
	return total.score(), per
}
