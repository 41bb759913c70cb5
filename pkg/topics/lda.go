package topics

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Config holds the hyperparameters of LDA training.
type Config struct {
	// K is the number of topics (the paper: 100).
	K int `json:"k"`
	// Alpha is the Dirichlet prior on each document's topic mix (its value
	// for every topic at the start); smaller values give each clip fewer,
	// stronger topics.
	Alpha float64 `json:"alpha"`
	// OptimizeAlpha learns an asymmetric prior α_k during training (Minka's
	// fixed point, as in Wallach et al. 2009 and MALLET): topics that many
	// documents use, such as one gathering "man person guy", get a larger
	// α_k, which leaves the other topics more specific.
	OptimizeAlpha bool `json:"optimize_alpha"`
	// Beta is the symmetric Dirichlet prior on each topic's words.
	Beta float64 `json:"beta"`
	// Iterations is the number of Gibbs sweeps over all tokens.
	Iterations int `json:"iterations"`
	// MHSteps is the number of Metropolis–Hastings proposals per token and
	// sweep (see the package documentation); 1 or 2 is plenty, as nearly
	// every proposal is accepted.
	MHSteps int `json:"mh_steps"`
	// AverageLast averages the counts of the last AverageLast sweeps into
	// the θ and φ estimates (1: the last sample only).
	AverageLast int `json:"average_last"`
	// Seed makes training reproducible: the same corpus, Config and Seed give
	// bit-identical results, whatever Workers is.
	Seed uint64 `json:"seed"`
	// Shards is the number of contiguous groups of documents sampled in
	// parallel, each against its own live copy of the word–topic counts,
	// merged after every sweep (AD-LDA). It is part of the model's
	// definition: results depend on it, not on Workers. More shards allow
	// more parallelism and see each other's updates one sweep late.
	Shards int `json:"shards"`
	// Workers is the number of goroutines (≤ 0: runtime.GOMAXPROCS). It
	// changes speed only, never results.
	Workers int `json:"-"`
	// HeldOut is the fraction of each document's tokens kept out of training
	// to measure held-out perplexity (0: none). The choice of tokens depends
	// only on Seed.
	HeldOut float64 `json:"held_out,omitempty"`
	// EvalEvery records training (and held-out) perplexity in the model's
	// Trace every EvalEvery sweeps, and after the last (0: after the last only).
	EvalEvery int `json:"eval_every,omitempty"`
	// Progress, when set, is called after every sweep.
	Progress func(done, total int) `json:"-"`
}

// DefaultConfig returns the defaults used by the project: K = 100 topics as
// in the paper, α = 0.1, β = 0.05, 60 sweeps of 2 Metropolis–Hastings
// proposals per token, θ and φ averaged over the last 10 sweeps, 4 shards,
// seed 1.
func DefaultConfig() Config {
	return Config{K: 100, Alpha: 0.1, Beta: 0.05, Iterations: 60, MHSteps: 2, AverageLast: 10, Shards: 4, Seed: 1}
}

func (cfg *Config) validate() error {
	switch {
	case cfg.K < 1:
		return fmt.Errorf("K = %d topics; expected at least 1", cfg.K)
	case !(cfg.Alpha > 0) || math.IsInf(cfg.Alpha, 0):
		return fmt.Errorf("alpha = %g; expected a positive number", cfg.Alpha)
	case !(cfg.Beta > 0) || math.IsInf(cfg.Beta, 0):
		return fmt.Errorf("beta = %g; expected a positive number", cfg.Beta)
	case cfg.Iterations < 1:
		return fmt.Errorf("iterations = %d; expected at least 1", cfg.Iterations)
	case cfg.Shards < 1:
		return fmt.Errorf("shards = %d; expected at least 1", cfg.Shards)
	case cfg.MHSteps < 1:
		return fmt.Errorf("mh_steps = %d; expected at least 1", cfg.MHSteps)
	case !(cfg.HeldOut >= 0 && cfg.HeldOut < 1):
		return fmt.Errorf("held_out = %g; expected a fraction in [0, 1)", cfg.HeldOut)
	case cfg.EvalEvery < 0:
		return fmt.Errorf("eval_every = %d; expected 0 or more", cfg.EvalEvery)
	}
	if cfg.AverageLast < 1 {
		cfg.AverageLast = 1
	}
	if cfg.AverageLast > cfg.Iterations {
		cfg.AverageLast = cfg.Iterations
	}
	return nil
}

// TracePoint records the model's fit after a sweep.
type TracePoint struct {
	Iteration int `json:"iteration"`
	// Perplexity of the training tokens under the current θ and φ.
	Perplexity float64 `json:"perplexity"`
	// HeldOutPerplexity of the held-out tokens (0 without Config.HeldOut).
	HeldOutPerplexity float64 `json:"held_out_perplexity,omitempty"`
	// Seconds since training started (evaluation time excluded).
	Seconds float64 `json:"seconds"`
}

// sampler is the state of one training run.
type sampler struct {
	K, V        int
	alpha, beta float64
	alphaK      []float64 // asymmetric prior (all alpha unless optimized)
	alphaCum    []float64 // cumulative alphaK, to draw from it
	alphaSum    float64
	workers     int
	seed        uint64
	mh          int

	docStart []int32 // D+1 offsets into words / z
	words    []int32 // training tokens, doc-major, sorted by word within a doc
	z        []int32 // their topics

	wordStart []int32 // V+1 offsets into wz
	wz        []int32 // topics in word-major order, to count nwk
	pos       []int32 // doc-major token → word-major slot

	nwk   []int32   // V×K word–topic counts at the start of a sweep
	nk    []int64   // K topic totals
	invNk []float64 // 1 / (n_k + Vβ)

	heldStart []int32 // D+1 offsets into held
	held      []int32 // held-out tokens

	avgDK []float64 // D×K accumulated document–topic counts
	avgWK []float64 // V×K accumulated word–topic counts
	avgN  int

	// Per word (V×K): the stale weights α_k φ̃_wk and their alias table,
	// and (V) their sums; rebuilt every aliasEvery sweeps.
	alias    []aliasEntry
	aliasSum []float64

	shards  []*shard
	scratch [][]int32 // per-worker K-vectors for evaluation

	maxLen int // longest document, in training tokens
}

// Train fits LDA to the corpus. Documents without words are kept with a
// uniform θ. It fails on an empty corpus, invalid hyperparameters, or more
// topics than vocabulary words.
func Train(c *Corpus, cfg Config) (*Model, error) {
	if c == nil || len(c.Docs) == 0 {
		return nil, errors.New("training topics: no documents (empty corpus)")
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("training topics: %w", err)
	}
	V := len(c.Vocab)
	if V == 0 || c.Prep.Tokens == 0 {
		return nil, errors.New("training topics: no words in the corpus (all documents empty after stop words and filters)")
	}
	if cfg.K > V {
		return nil, fmt.Errorf("training topics: K = %d topics is more than the %d vocabulary words; use fewer topics or relax the word filters (min_doc_freq %d)",
			cfg.K, V, c.Text.MinDocFreq)
	}
	start := time.Now()
	s := newSampler(c, cfg)
	if len(s.words) == 0 {
		return nil, fmt.Errorf("training topics: held_out = %g left no training tokens", cfg.HeldOut)
	}
	var trace []TracePoint
	evalTime := time.Duration(0)
	for it := 0; it < cfg.Iterations; it++ {
		accumulate := it >= cfg.Iterations-cfg.AverageLast
		optimize := cfg.OptimizeAlpha && it >= alphaBurnIn(cfg) && !accumulate && (it+1)%alphaEvery == 0
		s.sweep(it, accumulate, optimize)
		if optimize {
			s.optimizeAlpha()
		}
		s.rebuild(accumulate)
		if (it+1)%aliasEvery == 0 {
			s.buildAlias()
		}
		if cfg.EvalEvery > 0 && ((it+1)%cfg.EvalEvery == 0 || it == cfg.Iterations-1) {
			t0 := time.Now()
			tp := TracePoint{Iteration: it + 1, Seconds: t0.Sub(start).Seconds() - evalTime.Seconds()}
			tp.Perplexity, tp.HeldOutPerplexity = s.currentPerplexity()
			trace = append(trace, tp)
			evalTime += time.Since(t0)
		}
		if cfg.Progress != nil {
			cfg.Progress(it+1, cfg.Iterations)
		}
	}
	m := s.model(c, cfg)
	m.TrainSeconds = time.Since(start).Seconds() - evalTime.Seconds()
	m.Trace = trace
	m.Perplexity, m.HeldOutPerplexity = m.tokenPerplexity(s)
	if len(trace) > 0 {
		// The final point uses the averaged estimates, as the model does.
		trace[len(trace)-1].Perplexity, trace[len(trace)-1].HeldOutPerplexity = m.Perplexity, m.HeldOutPerplexity
	}
	return m, nil
}

func newSampler(c *Corpus, cfg Config) *sampler {
	K, V, D := cfg.K, len(c.Vocab), len(c.Docs)
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	s := &sampler{K: K, V: V, alpha: cfg.Alpha, beta: cfg.Beta, workers: workers, seed: cfg.Seed, mh: cfg.MHSteps}
	s.alphaK = make([]float64, K)
	for k := range s.alphaK {
		s.alphaK[k] = cfg.Alpha
	}
	s.setAlpha(s.alphaK)
	s.docStart = make([]int32, D+1)
	s.heldStart = make([]int32, D+1)
	s.words = make([]int32, 0, c.Prep.Tokens)
	for d, doc := range c.Docs {
		if cfg.HeldOut > 0 {
			// Hold out tokens by a hash of (seed, document, position).
			thr := uint64(cfg.HeldOut * (1 << 53))
			for i, w := range doc {
				if mix64(cfg.Seed^mix64(uint64(d)<<32|uint64(i)))>>11 < thr {
					s.held = append(s.held, w)
				} else {
					s.words = append(s.words, w)
				}
			}
		} else {
			s.words = append(s.words, doc...)
		}
		s.docStart[d+1] = int32(len(s.words))
		s.maxLen = max(s.maxLen, int(s.docStart[d+1]-s.docStart[d]))
		s.heldStart[d+1] = int32(len(s.held))
		slices.Sort(s.words[s.docStart[d]:s.docStart[d+1]])
		slices.Sort(s.held[s.heldStart[d]:s.heldStart[d+1]])
	}
	N := len(s.words)
	s.z = make([]int32, N)
	// Word-major layout.
	s.wordStart = make([]int32, V+1)
	for _, w := range s.words {
		s.wordStart[w+1]++
	}
	for w := 0; w < V; w++ {
		s.wordStart[w+1] += s.wordStart[w]
	}
	fill := make([]int32, V)
	s.pos = make([]int32, N)
	for i, w := range s.words {
		s.pos[i] = s.wordStart[w] + fill[w]
		fill[w]++
	}
	s.wz = make([]int32, N)
	s.nwk = make([]int32, V*K)
	s.nk = make([]int64, K)
	s.invNk = make([]float64, K)
	s.avgDK = make([]float64, D*K)
	s.avgWK = make([]float64, V*K)
	s.scratch = make([][]int32, workers)
	for i := range s.scratch {
		s.scratch[i] = make([]int32, K)
	}
	s.makeShards(cfg.Shards)
	s.initSequential()
	s.rebuild(false)
	s.buildAlias()
	return s
}

// parallel runs fn over [0, n) in chunks on s.workers goroutines. Which
// goroutine runs which chunk varies; callers must not let results depend on
// it (each index is written by one call only).
func (s *sampler) parallel(n, chunk int, fn func(lo, hi, worker int)) {
	if s.workers <= 1 || n <= chunk {
		fn(0, n, 0)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < s.workers; w++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n), worker)
			}
		}(w)
	}
	wg.Wait()
}

// shard is a contiguous range of documents sampled sequentially by one
// goroutine, with its own live copy of the word–topic counts.
type shard struct {
	lo, hi int       // documents [lo, hi)
	nwk    []int32   // V×K word–topic counts, live within the sweep
	nk     []int64   // K topic totals, live
	invNk  []float64 // 1 / (nk + Vβ), live
	ndk    []int32   // the current document's topic counts
	dtop   []int32   // the current document's topics with ndk > 0
	dpos   []int32   // position of each topic in dtop, or -1
	cum    []float64 // cumulative weights of dtop
	hist   []int32   // K×(maxLen+1) histogram of n_dk, when optimizing α
}

// makeShards splits the documents into n contiguous shards of about equal
// numbers of tokens.
func (s *sampler) makeShards(n int) {
	D := len(s.docStart) - 1
	n = max(1, min(n, D))
	total := int(s.docStart[D])
	s.shards = make([]*shard, 0, n)
	lo := 0
	for i := 0; i < n; i++ {
		hi := D
		if i < n-1 {
			target := int32(total * (i + 1) / n)
			hi = lo
			for hi < D && s.docStart[hi] < target {
				hi++
			}
		}
		sh := &shard{lo: lo, hi: hi, nwk: make([]int32, s.V*s.K), nk: make([]int64, s.K), invNk: make([]float64, s.K),
			ndk: make([]int32, s.K), dtop: make([]int32, 0, s.K), dpos: make([]int32, s.K), cum: make([]float64, s.K)}
		s.shards = append(s.shards, sh)
		lo = hi
	}
}

// sweep resamples every training token once. Each shard starts from the
// word–topic counts of the previous sweep and keeps its own copy up to date
// as it goes (as in AD-LDA); rebuild then recounts the global state from
// all topics. With histogram set, each shard also counts, per topic, how
// many documents have each count n_dk.
func (s *sampler) sweep(it int, accumulate, histogram bool) {
	s.parallel(len(s.shards), 1, func(lo, hi, _ int) {
		for _, sh := range s.shards[lo:hi] {
			copy(sh.nwk, s.nwk)
			copy(sh.nk, s.nk)
			copy(sh.invNk, s.invNk)
			if histogram {
				if sh.hist == nil {
					sh.hist = make([]int32, s.K*(s.maxLen+1))
				}
				clear(sh.hist)
			}
			for d := sh.lo; d < sh.hi; d++ {
				s.sampleDoc(d, it, sh)
				if histogram {
					for k, n := range sh.ndk {
						if n > 0 {
							sh.hist[k*(s.maxLen+1)+int(n)]++
						}
					}
				}
				if accumulate {
					acc := s.avgDK[d*s.K : (d+1)*s.K]
					for k, n := range sh.ndk {
						acc[k] += float64(n)
					}
				}
			}
		}
	})
}

// sampleDoc resamples one document's tokens against the shard's live
// counts; sh.ndk ends holding the document's topic counts.
func (s *sampler) sampleDoc(d, it int, sh *shard) {
	ndk := sh.ndk
	clear(ndk)
	lo, hi := s.docStart[d], s.docStart[d+1]
	L := int(hi - lo)
	if L == 0 {
		return
	}
	zs := s.z[lo:hi]
	ws := s.words[lo:hi]
	for _, k := range zs {
		ndk[k]++
	}
	dtop, dpos := sh.dtop[:0], sh.dpos
	for k, n := range ndk {
		if n > 0 {
			dpos[k] = int32(len(dtop))
			dtop = append(dtop, int32(k))
		} else {
			dpos[k] = -1
		}
	}
	K := s.K
	vb := float64(s.V) * s.beta
	invNk, nk := sh.invNk, sh.nk
	r := newRNG(s.seed, it, d)
	for i := 0; i < L; i++ {
		w := ws[i]
		old := zs[i]
		live := sh.nwk[int(w)*K : int(w)*K+K]
		ndk[old]--
		if ndk[old] == 0 { // drop old from the document's topic list
			p, last := dpos[old], dtop[len(dtop)-1]
			dtop[p], dpos[last] = last, p
			dtop = dtop[:len(dtop)-1]
			dpos[old] = -1
		}
		live[old]--
		nk[old]--
		invNk[old] = 1 / (float64(nk[old]) + vb)
		cur := s.sampleToken(&r, w, old, ndk, dtop, sh.cum, live, invNk)
		zs[i] = cur
		if ndk[cur] == 0 {
			dpos[cur] = int32(len(dtop))
			dtop = append(dtop, cur)
		}
		ndk[cur]++
		live[cur]++
		nk[cur]++
		invNk[cur] = 1 / (float64(nk[cur]) + vb)
	}
	sh.dtop = dtop
}

// sampleToken draws a new topic for a token of word w, now in topic cur,
// removed from the live counts ndk (its document), live (word w's row) and
// invNk. The target is the collapsed conditional
//
//	π(k) ∝ (n_dk + α_k) (n_wk + β) / (n_k + Vβ)
//	     = n_dk (n_wk + β)/(n_k + Vβ)  +  α_k (n_wk + β)/(n_k + Vβ).
//
// The first term is non-zero only for the document's topics (dtop): it is
// computed exactly, in O(K_d). The second is drawn in O(1) from the word's
// alias table, built from the counts at the start of the sweep. Their
// mixture is proposed and accepted by Metropolis–Hastings (AliasLDA, Li
// et al. 2014); the proposal differs from π only by the staleness of the
// second term, so nearly every proposal is accepted.
func (s *sampler) sampleToken(r *rng, w int32, cur int32, ndk []int32, dtop []int32, cum []float64, live []int32, invNk []float64) int32 {
	K := s.K
	beta := s.beta
	pd := 0.0
	cum = cum[:len(dtop)]
	live = live[:K]
	invNk = invNk[:K]
	ndk = ndk[:K]
	for j, k := range dtop {
		pd += float64(ndk[k]) * (float64(live[k]) + beta) * invNk[k]
		cum[j] = pd
	}
	base := int(w) * K
	qw := s.aliasSum[w]
	table := s.alias[base : base+K]
	alphaK := s.alphaK
	for m := 0; m < s.mh; m++ {
		u := r.float() * (pd + qw)
		var t int32
		if u < pd {
			j := 0
			for j < len(dtop)-1 && cum[j] <= u {
				j++
			}
			t = dtop[j]
		} else {
			v := (u - pd) / qw * float64(K)
			k := min(int(v), K-1)
			if e := &table[k]; v-float64(k) < float64(e.prob) {
				t = int32(k)
			} else {
				t = e.alias
			}
		}
		if t == cur {
			continue
		}
		ft := (float64(live[t]) + beta) * invNk[t]
		fs := (float64(live[cur]) + beta) * invNk[cur]
		// π(t) q(s) / (π(s) q(t)), q(k) = n_dk f_k + stale α_k φ̃_wk.
		num := (float64(ndk[t]) + alphaK[t]) * ft * (float64(ndk[cur])*fs + float64(table[cur].weight))
		den := (float64(ndk[cur]) + alphaK[cur]) * fs * (float64(ndk[t])*ft + float64(table[t].weight))
		if r.float()*den < num {
			cur = t
		}
	}
	return cur
}
