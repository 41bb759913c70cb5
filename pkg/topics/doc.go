// Package topics extracts semantic topics from the human descriptions of
// video clips and labels every clip with its top topics, the first stage of
// neurotopics (Dong et al., CVPR 2017: LDA over one document per clip, K = 100
// topics, each clip labelled with a multi-hot vector of about three topics).
//
// # Pipeline
//
//	captions ─► FromCaptions (tokens, stop words, stemming, damping, vocabulary)
//	            (or NewCorpus from any texts)
//	         ─► Train (LDA by collapsed Gibbs sampling, parallel, seeded)
//	         ─► Model.Labels (top-k topics with a minimum weight)
//	         ─► Save / Load / LoadLabels (JSON, CSV and .npy files)
//	         ─► Evaluate (perplexity, NPMI coherence, diversity)
//	            EvaluateConcepts (purity and NMI against ground-truth concepts)
//
// # Sampler
//
// Train is collapsed Gibbs sampling of LDA. A token's conditional
//
//	p(z = k) ∝ (n_dk + α_k)(n_wk + β)/(n_k + Vβ)
//	         = n_dk (n_wk + β)/(n_k + Vβ)  +  α_k (n_wk + β)/(n_k + Vβ)
//
// splits into a document part, non-zero only for the K_d topics the
// document already uses, and a smoothing part that depends on the word only.
// The document part is computed exactly, the smoothing part is drawn in O(1)
// from a per-word alias table rebuilt every few sweeps, and the mixture is
// corrected by a Metropolis–Hastings test against the exact conditional
// (AliasLDA, Li et al., KDD 2014). A token costs O(K_d + MHSteps) instead
// of O(K), and since the proposal differs from the conditional only by the
// staleness of the smoothing part, nearly every proposal is accepted: a
// sweep mixes as well as a sweep of exact Gibbs sampling. The first topics
// come from one sequential pass of exact sampling, not from uniform noise.
//
// # Parallelism and determinism
//
// The documents are split into Config.Shards contiguous shards of about
// equal size (AD-LDA, Newman et al. 2009). In a sweep every shard is sampled
// sequentially by one goroutine against its own copy of the word–topic
// counts, which it keeps up to date; after the sweep the global counts are
// recounted from all topics by integer counting, whose result does not
// depend on order, and the alias tables are rebuilt. Each document draws
// its random numbers from its own generator, seeded from (Seed, sweep,
// document). So the result of Train depends only on the corpus and the
// Config (Seed and Shards included), and is bit-for-bit identical for any
// number of workers, any GOMAXPROCS and any goroutine scheduling.
package topics
