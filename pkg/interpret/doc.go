// Package interpret says what each unit of the captioner's semantic layer
// means, and measures how well it says it.
//
// # Attribution
//
// One interface, Method, like Captum's single attribute call, explains a
// target of the part of the model after the semantic layer (a Head: the
// topic head ŝ = W_a a + b_a, or the decoder's teacher-forced word
// log-probabilities) for every unit i of a and every clip:
//
//	s, _ := interpret.NewPDM(marginal).Attribute(head, a, interpret.Topics(false))
//	s.At(clip, unit, topic)   // PD_i,topic(clip)
//
// Three methods share it:
//
//   - PDM, prediction difference maximization (Zintgraf et al. 2017's
//     prediction difference, adapted as in design.md §1): PD_i,c(x) =
//     f_c(x) − E_{v ~ p(a_i)} f_c(x | a_i = v), where p(a_i) is unit i's
//     empirical distribution over training clips (Marginal; 10 samples drawn
//     from a seed by default). For probabilities (sigmoid topics, words) the
//     expectation is taken over probabilities and the difference in log-odds,
//     log2 odds(p) − log2 odds(p'), with Laplace's correction.
//   - Ablation: f(x) − f(x | a_i = b), b the unit's training mean (or 0).
//   - GradXAct, gradient × activation: a_i · ∂f/∂a_i, by central finite
//     differences (exact for an affine head up to rounding; the affine engine
//     computes it analytically).
//
// All three are marginalisations of one unit at a time, so they run on one
// engine: the marginalised copies of a are a batch dimension. The rows engine
// builds every copy (units × values × clips) and passes a block of clips to
// the head in one call (the captioner runs a call as few graph executions);
// it is exact for any head. The affine engine, used for topic targets when
// the head is verified to be affine (the paper's topic head), runs all units
// × samples of a block of clips in one GoMLX graph execution, re-running
// only the head as ŝ(copy) = ŝ(x) + W_a[i]·(v − a_i). A per-unit loop and a
// per-unit-per-clip loop (Schedule) are kept as references for the tests and
// the benchmark.
//
// # Interpretation and ground truth
//
// Summarize turns scores into a per-unit interpretation: the top topics by
// mean PD over the clips where the unit is active, the top words, the
// top-activating clips. Dissect scores units against ground-truth concepts
// Network-Dissection style (IoU over clips between "unit in its top
// quantile" and "concept present"); Agree checks that a unit's PDM label
// corresponds to its best-IoU concept. Section renders the neuron report
// (summary line, concept chart, one card per unit) with pkg/report and
// pkg/viz, and WriteResult saves the numbers as CSV and JSON.
//
// # Stage
//
// RunStage is the interpret stage of the pipeline over a dataset.Dataset:
// it loads the trained model, interprets its units on a split, dissects
// them against the dataset's ground truth (or, on real data, the clips'
// topic labels and class labels: DatasetGroundTruth) and writes what
// `neurotopics interpret` writes; LoadResult reads it back.
package interpret
