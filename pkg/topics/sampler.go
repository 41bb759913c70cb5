package topics

// The sampler's alias tables (the Metropolis–Hastings word proposals), the
// per-sweep rebuild, perplexity and the optimisation of α.

import (
	"math"
)

// aliasEntry is one topic of a word's alias table: the topic's stale
// weight α_k φ̃_wk, and the table's cell k (keep k with probability prob,
// else take alias).
type aliasEntry struct {
	weight float32
	prob   float32
	alias  int32
}

// buildAlias makes, for every word, an alias table of the weights
// α_k (n_wk + β) / (n_k + Vβ) of the current counts (Vose's method).
func (s *sampler) buildAlias() {
	K := s.K
	if s.alias == nil {
		s.alias = make([]aliasEntry, s.V*K)
		s.aliasSum = make([]float64, s.V)
	}
	// c_k = α_k / (n_k + Vβ), so that the weight of (w, k) is (n_wk + β) c_k.
	c := make([]float32, K)
	for k := range c {
		c[k] = float32(s.alphaK[k] * s.invNk[k])
	}
	beta := float32(s.beta)
	s.parallel(s.V, 64, func(lo, hi, _ int) {
		p := make([]float32, K)
		small := make([]int32, K)
		large := make([]int32, K)
		for w := lo; w < hi; w++ {
			base := w * K
			row := s.nwk[base : base+K]
			table := s.alias[base : base+K]
			var sum float32
			for k, n := range row {
				x := (float32(n) + beta) * c[k]
				table[k].weight = x
				sum += x
			}
			s.aliasSum[w] = float64(sum)
			scale := float32(K) / sum
			ns, nl := 0, 0
			for k := range table {
				x := table[k].weight * scale
				p[k] = x
				if x < 1 {
					small[ns] = int32(k)
					ns++
				} else {
					large[nl] = int32(k)
					nl++
				}
			}
			for ns > 0 && nl > 0 {
				ns--
				l := small[ns]
				g := large[nl-1]
				table[l].prob, table[l].alias = p[l], g
				p[g] += p[l] - 1
				if p[g] < 1 {
					nl--
					small[ns] = g
					ns++
				}
			}
			for _, k := range large[:nl] {
				table[k].prob, table[k].alias = 1, k
			}
			for _, k := range small[:ns] { // rounding leftovers
				table[k].prob, table[k].alias = 1, k
			}
		}
	})
}

// rebuild recomputes the word-side state from z: the word-major topics, the
// word–topic counts and the topic totals. Integer counting makes the result
// independent of the schedule.
func (s *sampler) rebuild(accumulate bool) {
	N := len(s.z)
	s.parallel(N, 1<<14, func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			s.wz[s.pos[i]] = s.z[i]
		}
	})
	K := s.K
	partial := make([][]int64, s.workers)
	for i := range partial {
		partial[i] = make([]int64, K)
	}
	s.parallel(s.V, 64, func(lo, hi, worker int) {
		nk := partial[worker]
		for w := lo; w < hi; w++ {
			row := s.nwk[w*K : w*K+K]
			clear(row)
			for _, t := range s.wz[s.wordStart[w]:s.wordStart[w+1]] {
				row[t]++
			}
			for k, n := range row {
				nk[k] += int64(n)
			}
			if accumulate {
				acc := s.avgWK[w*K : w*K+K]
				for k, n := range row {
					acc[k] += float64(n)
				}
			}
		}
	})
	clear(s.nk)
	for _, p := range partial {
		for k, n := range p {
			s.nk[k] += n
		}
	}
	vb := float64(s.V) * s.beta
	for k, n := range s.nk {
		s.invNk[k] = 1 / (float64(n) + vb)
	}
	if accumulate {
		s.avgN++
	}
}

// currentPerplexity evaluates the current sample's point estimates on the
// training tokens and the held-out tokens.
func (s *sampler) currentPerplexity() (train, held float64) {
	D := len(s.docStart) - 1
	K := s.K
	phi := func(w int32, k int) float64 {
		return (float64(s.nwk[int(w)*K+k]) + s.beta) * s.invNk[k]
	}
	theta := func(d int, ndk []int32) func(int) float64 {
		L := float64(s.docStart[d+1] - s.docStart[d])
		den := 1 / (L + s.alphaSum)
		return func(k int) float64 { return (float64(ndk[k]) + s.alphaK[k]) * den }
	}
	return s.perplexity(D, func(d int, ndk []int32) {
		clear(ndk)
		for _, k := range s.z[s.docStart[d]:s.docStart[d+1]] {
			ndk[k]++
		}
	}, theta, phi)
}

// perplexity computes exp(−mean log p(w | d)) over the training and the
// held-out tokens, with p(w | d) = Σ_k θ_dk φ_kw.
func (s *sampler) perplexity(D int, fill func(d int, ndk []int32), theta func(d int, ndk []int32) func(int) float64, phi func(w int32, k int) float64) (train, held float64) {
	K := s.K
	ll := make([]float64, 2*D)
	s.parallel(D, 16, func(lo, hi, worker int) {
		ndk := s.scratch[worker]
		th := make([]float64, K)
		for d := lo; d < hi; d++ {
			fill(d, ndk)
			tf := theta(d, ndk)
			for k := range th {
				th[k] = tf(k)
			}
			logp := func(ws []int32) float64 {
				sum := 0.0
				for i := 0; i < len(ws); {
					w := ws[i]
					j := i
					for j < len(ws) && ws[j] == w {
						j++
					}
					p := 0.0
					for k := 0; k < K; k++ {
						p += th[k] * phi(w, k)
					}
					sum += float64(j-i) * math.Log(p)
					i = j
				}
				return sum
			}
			ll[2*d] = logp(s.words[s.docStart[d]:s.docStart[d+1]])
			ll[2*d+1] = logp(s.held[s.heldStart[d]:s.heldStart[d+1]])
		}
	})
	var a, b float64
	for d := 0; d < D; d++ {
		a += ll[2*d]
		b += ll[2*d+1]
	}
	train = math.Exp(-a / float64(len(s.words)))
	if len(s.held) > 0 {
		held = math.Exp(-b / float64(len(s.held)))
	}
	return train, held
}

// setAlpha installs a prior and its cumulative sums.
func (s *sampler) setAlpha(a []float64) {
	s.alphaK = a
	s.alphaCum = make([]float64, len(a))
	sum := 0.0
	for k, x := range a {
		sum += x
		s.alphaCum[k] = sum
	}
	s.alphaSum = sum
}

// searchCum returns the first k with cum[k] > u.
func searchCum(cum []float64, u float64) int {
	lo, hi := 0, len(cum)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cum[m] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// α is optimized every alphaEvery sweeps after the burn-in, and no longer
// once θ and φ are being averaged.
const alphaEvery = 10

func alphaBurnIn(cfg Config) int { return max(20, cfg.Iterations/5) }

// minAlpha keeps every α_k positive.
const minAlpha = 1e-3

// optimizeAlpha updates α_k by Minka's fixed point for the Dirichlet–
// multinomial, computed from histograms of the document–topic counts
// (Wallach 2008):
//
//	α_k ← α_k · Σ_d [ψ(n_dk + α_k) − ψ(α_k)] / Σ_d [ψ(L_d + α₀) − ψ(α₀)],
//
// using ψ(n + a) − ψ(a) = Σ_{i<n} 1/(a + i).
func (s *sampler) optimizeAlpha() {
	K, W := s.K, s.maxLen+1
	hist := make([]int64, K*W)
	for _, sh := range s.shards {
		for i, n := range sh.hist {
			hist[i] += int64(n)
		}
	}
	lenHist := make([]int64, W)
	D := len(s.docStart) - 1
	for d := 0; d < D; d++ {
		if L := s.docStart[d+1] - s.docStart[d]; L > 0 {
			lenHist[L]++
		}
	}
	alpha := append([]float64(nil), s.alphaK...)
	for step := 0; step < 5; step++ {
		a0 := 0.0
		for _, a := range alpha {
			a0 += a
		}
		den, dg := 0.0, 0.0
		for n := 1; n < W; n++ {
			dg += 1 / (a0 + float64(n-1))
			den += float64(lenHist[n]) * dg
		}
		if den <= 0 {
			return
		}
		for k := range alpha {
			num, dg := 0.0, 0.0
			row := hist[k*W : (k+1)*W]
			last := 0
			for n := W - 1; n > 0; n-- {
				if row[n] != 0 {
					last = n
					break
				}
			}
			for n := 1; n <= last; n++ {
				dg += 1 / (alpha[k] + float64(n-1))
				num += float64(row[n]) * dg
			}
			alpha[k] = max(alpha[k]*num/den, minAlpha)
		}
	}
	s.setAlpha(alpha)
}

// initSequential draws the initial topics as one pass of collapsed Gibbs
// sampling that starts from empty counts: each shard takes its documents in
// order and draws every token from the exact conditional given the tokens
// drawn before it in the shard (O(K) per token, once). This starts the
// chain far closer to the posterior than uniform random topics.
func (s *sampler) initSequential() {
	K := s.K
	vb := float64(s.V) * s.beta
	s.parallel(len(s.shards), 1, func(lo, hi, _ int) {
		p := make([]float64, K)
		for _, sh := range s.shards[lo:hi] {
			clear(sh.nwk)
			clear(sh.nk)
			for d := sh.lo; d < sh.hi; d++ {
				ndk := sh.ndk
				clear(ndk)
				r := newRNG(s.seed, -1, d)
				for i := s.docStart[d]; i < s.docStart[d+1]; i++ {
					w := int(s.words[i])
					row := sh.nwk[w*K : w*K+K]
					sum := 0.0
					for k := 0; k < K; k++ {
						sum += (float64(ndk[k]) + s.alphaK[k]) * (float64(row[k]) + s.beta) / (float64(sh.nk[k]) + vb)
						p[k] = sum
					}
					u := r.float() * sum
					k := 0
					for k < K-1 && p[k] <= u {
						k++
					}
					s.z[i] = int32(k)
					ndk[k]++
					row[k]++
					sh.nk[k]++
				}
			}
		}
	})
}

// aliasEvery is how often (in sweeps) the alias tables are rebuilt. Their
// staleness only lowers the acceptance rate a little: the Metropolis–
// Hastings test keeps the sampler exact (LightLDA and AliasLDA also reuse
// stale tables).
const aliasEvery = 4
