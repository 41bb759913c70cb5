package topics

import (
	"math"
	"testing"
)

// exactGibbs is a plain collapsed Gibbs sampler, O(K) per token, used as an
// oracle for the Metropolis–Hastings sampler. It returns the training
// perplexity of its last sample.
func exactGibbs(c *Corpus, K int, alpha, beta float64, iters int, seed uint64) float64 {
	V := len(c.Vocab)
	r := newRNG(seed, 0, 0)
	nwk := make([]float64, V*K)
	nk := make([]float64, K)
	z := make([][]int, len(c.Docs))
	ndk := make([][]float64, len(c.Docs))
	for d, doc := range c.Docs {
		ndk[d] = make([]float64, K)
		z[d] = make([]int, len(doc))
		for i, w := range doc {
			k := r.intn(K)
			z[d][i] = k
			ndk[d][k]++
			nwk[int(w)*K+k]++
			nk[k]++
		}
	}
	p := make([]float64, K)
	for it := 0; it < iters; it++ {
		for d, doc := range c.Docs {
			for i, w := range doc {
				k := z[d][i]
				ndk[d][k]--
				nwk[int(w)*K+k]--
				nk[k]--
				s := 0.0
				for j := 0; j < K; j++ {
					s += (ndk[d][j] + alpha) * (nwk[int(w)*K+j] + beta) / (nk[j] + float64(V)*beta)
					p[j] = s
				}
				u := r.float() * s
				k = 0
				for k < K-1 && p[k] <= u {
					k++
				}
				z[d][i] = k
				ndk[d][k]++
				nwk[int(w)*K+k]++
				nk[k]++
			}
		}
	}
	ll, n := 0.0, 0
	for d, doc := range c.Docs {
		L := float64(len(doc))
		for _, w := range doc {
			pw := 0.0
			for k := 0; k < K; k++ {
				pw += (ndk[d][k] + alpha) / (L + float64(K)*alpha) * (nwk[int(w)*K+k] + beta) / (nk[k] + float64(V)*beta)
			}
			ll += math.Log(pw)
			n++
		}
	}
	return math.Exp(-ll / float64(n))
}

// TestSamplerMatchesExactGibbs checks the fast sampler against plain
// collapsed Gibbs sampling: on a corpus of mixed documents both reach the
// same fit.
func TestSamplerMatchesExactGibbs(t *testing.T) {
	// Documents mixing two of four word groups.
	ids, texts := toyTexts(toyGroups, 60, 20, 5)
	_, more := toyTexts([][]string{toyGroups[1], toyGroups[2], toyGroups[3], toyGroups[0]}, 60, 20, 6)
	for i := range texts {
		texts[i] += " " + more[i]
	}
	c, err := NewCorpus(ids, texts, TextOptions{MinWordLen: 2, MinDocFreq: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Both samplers can stop in a local optimum: compare the best of three
	// seeds. Each document mixes two groups of 6 equiprobable words, so the
	// ideal perplexity is about 12.
	best, bestExact := math.Inf(1), math.Inf(1)
	for seed := uint64(1); seed <= 3; seed++ {
		cfg := toyConfig(4)
		cfg.Iterations = 100
		cfg.AverageLast = 1
		cfg.Seed = seed
		m, err := Train(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		best = min(best, m.Perplexity)
		bestExact = min(bestExact, exactGibbs(c, 4, cfg.Alpha, cfg.Beta, cfg.Iterations, seed))
	}
	t.Logf("best perplexity: fast sampler %.3f, exact Gibbs %.3f", best, bestExact)
	if math.Abs(best-bestExact) > 0.02*bestExact || best > 12.5 {
		t.Fatalf("fast sampler perplexity %.3f, exact Gibbs %.3f, ideal ≈ 12", best, bestExact)
	}
}
