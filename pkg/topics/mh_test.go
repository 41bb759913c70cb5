package topics

import (
	"math"
	"testing"
)

// TestMHStationary checks the Metropolis–Hastings update of one token: run
// as a chain with all other counts fixed, the token's topic must follow the
// collapsed conditional π(k) ∝ (n_dk + α_k)(n_wk + β)/(n_k + Vβ), for live
// counts and a prior that differ from the stale ones of the alias tables.
func TestMHStationary(t *testing.T) {
	c := toyCorpus(t, toyGroups, 30, 12)
	cfg := toyConfig(5)
	cfg.Iterations = 3
	cfg.OptimizeAlpha = false
	s := newSampler(c, cfg)
	// An asymmetric prior exercises the α draw of the document proposal.
	s.setAlpha([]float64{0.05, 0.3, 0.1, 0.8, 0.2})
	s.sweep(0, false, false) // z moves away from the state nwk/wz were counted from
	sh := s.shards[0]
	copy(sh.nwk, s.nwk)
	copy(sh.nk, s.nk)
	// Perturb the live counts so that they differ from the stale ones.
	d, i := 3, 5
	lo := s.docStart[d]
	zs := s.z[lo:s.docStart[d+1]]
	w := s.words[lo+int32(i)]
	K, V := s.K, s.V
	for k := 0; k < K; k++ {
		sh.nwk[int(w)*K+k] += int32(2 * k)
		sh.nk[k] += int64(2 * k)
	}
	ndk := make([]int32, K)
	for _, k := range zs {
		ndk[k]++
	}
	old := zs[i]
	ndk[old]--
	live := sh.nwk[int(w)*K : int(w)*K+K]
	live[old]--
	sh.nk[old]--
	invNk := make([]float64, K)
	for k := range invNk {
		invNk[k] = 1 / (float64(sh.nk[k]) + float64(V)*s.beta)
	}
	want := make([]float64, K)
	sum := 0.0
	for k := range want {
		want[k] = (float64(ndk[k]) + s.alphaK[k]) * (float64(live[k]) + s.beta) * invNk[k]
		sum += want[k]
	}
	var dtop []int32
	for k, c := range ndk {
		if c > 0 {
			dtop = append(dtop, int32(k))
		}
	}
	cum := make([]float64, K)
	s.mh = 1
	r := newRNG(9, 9, 9)
	const n = 400000
	got := make([]float64, K)
	cur := old
	accepted := 0
	for it := 0; it < n; it++ {
		next := s.sampleToken(&r, w, cur, ndk, dtop, cum, live, invNk)
		if next != cur {
			accepted++
		}
		cur = next
		got[cur]++
	}
	t.Logf("moves %.1f%%", 100*float64(accepted)/n)
	for k := range want {
		p, q := want[k]/sum, got[k]/n
		if math.Abs(p-q) > 4*math.Sqrt(p*(1-p)/n*20)+1e-4 { // MCMC samples are correlated: allow 20× the iid variance
			t.Errorf("topic %d: chain frequency %.4f, conditional %.4f", k, q, p)
		}
	}
	t.Logf("conditional %v\nchain       %v", norm(want), norm(got))
}

func norm(xs []float64) []float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Round(x/s*1e4) / 1e4
	}
	return out
}
