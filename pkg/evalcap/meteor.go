package evalcap

import (
	"math"

	"github.com/kljensen/snowball/english"
)

// METEOR-lite parameters (the classic METEOR values of Lavie & Agarwal).
const (
	meteorAlpha = 0.9 // Fmean = P·R / (α·P + (1−α)·R)
	meteorBeta  = 3.0 // Penalty = γ·(chunks/matches)^β
	meteorGamma = 0.5
)

// stem returns the interned Porter2 stem of word ID id. Stems come from the
// Snowball "english" stemmer of github.com/kljensen/snowball (Porter2, the
// revised Porter algorithm), applied to every word including stop words.
func (in *interner) stem(id int32) int32 {
	for len(in.stems) < len(in.words) {
		w := in.words[len(in.stems)]
		s := english.Stem(w, true)
		if in.sIDs == nil {
			in.sIDs = make(map[string]int32)
		}
		sid, ok := in.sIDs[s]
		if !ok {
			sid = int32(len(in.sIDs))
			in.sIDs[s] = sid
		}
		in.stems = append(in.stems, sid)
	}
	return in.stems[id]
}

// meteorAlign aligns candidate and reference unigrams and returns, for each
// candidate position, the matched reference position or −1.
//
// Alignment is deterministic and greedy, in two stages: stage 1 matches
// identical words, stage 2 matches words with identical Porter2 stems among
// the positions still unmatched. Within a stage the candidate is scanned left
// to right; for an unmatched candidate word the unmatched reference positions
// with the same key (word or stem) are the options, chosen by:
//
//  1. the position right after the reference match of the previous candidate
//     word, if it is an option (extends that chunk);
//  2. else the position right before the reference match of the next
//     candidate word, if it is an option (joins that chunk; only possible in
//     stage 2);
//  3. else the option that starts the longest run of consecutive unmatched
//     positions whose keys agree in both sentences, the leftmost on a tie.
//
// This is not guaranteed to minimise the number of chunks (official METEOR
// searches alignments), but it keeps runs together in the usual cases.
func meteorAlign(cand, ref []int32, key func(int32) int32, match []int, used []bool) {
	for i := range cand {
		if match[i] >= 0 {
			continue
		}
		k := key(cand[i])
		ok := func(j int) bool { return j >= 0 && j < len(ref) && !used[j] && key(ref[j]) == k }
		best := -1
		switch {
		case i > 0 && match[i-1] >= 0 && ok(match[i-1]+1):
			best = match[i-1] + 1
		case i+1 < len(cand) && match[i+1] >= 0 && ok(match[i+1]-1):
			best = match[i+1] - 1
		default:
			bestRun := 0
			for j := range ref {
				if !ok(j) {
					continue
				}
				run := 1
				for i+run < len(cand) && j+run < len(ref) &&
					match[i+run] < 0 && !used[j+run] && key(cand[i+run]) == key(ref[j+run]) {
					run++
				}
				if run > bestRun {
					best, bestRun = j, run
				}
			}
		}
		if best >= 0 {
			match[i] = best
			used[best] = true
		}
	}
}

// meteorPair is the METEOR-lite score of one candidate against one reference.
func (in *interner) meteorPair(cand, ref []int32) float64 {
	if len(cand) == 0 || len(ref) == 0 {
		return 0
	}
	match := make([]int, len(cand))
	for i := range match {
		match[i] = -1
	}
	used := make([]bool, len(ref))
	meteorAlign(cand, ref, func(w int32) int32 { return w }, match, used)
	meteorAlign(cand, ref, in.stem, match, used)

	m, chunks, prev := 0, 0, -2 // prev: reference position of the previous candidate word's match
	for i := range cand {
		j := match[i]
		if j < 0 {
			prev = -2
			continue
		}
		m++
		if j != prev+1 {
			chunks++
		}
		prev = j
	}
	if m == 0 {
		return 0
	}
	p := float64(m) / float64(len(cand))
	r := float64(m) / float64(len(ref))
	fmean := p * r / (meteorAlpha*p + (1-meteorAlpha)*r)
	pen := meteorGamma * math.Pow(float64(chunks)/float64(m), meteorBeta)
	return fmean * (1 - pen)
}

// meteorLite returns the mean METEOR-lite and the per-clip values (each the
// maximum over the clip's references).
func (ds *dataset) meteorLite() (float64, []float64) {
	per := make([]float64, len(ds.clips))
	for i := range ds.clips {
		c := &ds.clips[i]
		for _, r := range c.refs {
			per[i] = max(per[i], ds.in.meteorPair(c.cand.ids, r.ids))
		}
	}
	return mean(per), per
}
