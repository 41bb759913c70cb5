// Package evalcap computes the standard caption metrics natively in Go,
// reproducing the numbers of the coco-caption toolkit (pycocoevalcap) on
// pre-tokenised text.
//
// # Input
//
// Captions are assumed to be tokenised and lower-cased already (for example
// by the PTB tokenizer that coco-caption runs first). The only processing done
// here is splitting on white space (unicode.IsSpace), which also trims and
// collapses runs of spaces, like Python's str.split(). Nothing is
// lower-cased and no punctuation is removed. CocoTokenize tokenises raw
// captions the way coco-caption does (PTB tokenizer, lower case, its
// punctuation removed); Evaluate does not call it.
//
// References are given as map[clipID][]string and candidates as
// map[clipID]string. The evaluated set is the set of candidate clips: every
// candidate clip must have at least one non-empty reference; reference clips
// without a candidate are ignored (they do not contribute to the CIDEr-D
// document frequencies either, matching coco-caption which requires the two
// key sets to be equal). An empty candidate is allowed and scores zero on
// every metric. All corpus sums run over clips in sorted ID order, so results
// are deterministic.
//
// # Metrics
//
// BLEU-1..4 (Papineni et al. 2002) as in pycocoevalcap's bleu_scorer.py with
// option "closest": the effective reference length of a clip is the reference
// length closest to the candidate length (ties go to the shorter reference);
// modified n-gram precision clips each candidate n-gram count by its maximum
// count in any single reference; precisions are smoothed as
// (correct + 1e-15) / (guess + 1e-9); BLEU-n is the geometric mean of the
// first n precisions times the brevity penalty exp(1 - r/c), applied when
// (c + 1e-15)/(r + 1e-9) < 1. Corpus BLEU sums clipped counts, candidate
// n-gram counts and lengths over all clips before combining (it is not the
// mean of per-clip scores). Per-clip BLEU uses the same formula on one clip,
// which is why a clip with no matching 4-gram gets a tiny but non-zero
// BLEU-4 (about 1e-4) instead of 0, exactly as coco-caption reports.
//
// ROUGE-L (Lin 2004) as in pycocoevalcap's rouge.py: for each reference the
// longest common subsequence (LCS) with the candidate gives
// precision = LCS/len(candidate) and recall = LCS/len(reference); the maximum
// precision and the maximum recall over references (taken independently) are
// combined as F = (1+β²)PR / (R + β²P) with β = 1.2. The corpus score is the
// mean over clips.
//
// CIDEr-D (Vedantam et al. 2015) exactly as pycocoevalcap's cider_scorer.py,
// which coco-caption reports under the name "CIDEr" (its clipped and
// length-penalised form is what the paper calls CIDEr-D): n-grams n = 1..4;
// the document frequency df(g) is the number of evaluated clips whose
// references contain g; each sentence becomes, per n, a vector of
// tf(g)·(log(N) − log(max(1, df(g)))) with N the number of evaluated clips;
// the similarity of candidate h and reference r for order n is
// Σ_g min(h_g, r_g)·r_g / (‖h‖‖r‖) (the division is skipped when a norm is
// zero), multiplied by exp(−δ²/(2σ²)) with σ = 6 and δ the difference of the
// two sentences' lengths. The clip score is 10 × the mean over n of the mean
// over references. The corpus score is the mean over clips. Two coco-caption
// quirks are kept on purpose: δ is measured in bigram counts (length − 1, or
// 0 for an empty sentence), because the original code counts the length while
// visiting the n = 2 entries; and with a single evaluated clip log(N) = 0, so
// every weight is 0 and CIDEr-D is 0.
//
// METEOR-lite is a simplified METEOR (Banerjee & Lavie 2005), NOT the official
// METEOR 1.5 jar that coco-caption runs: it has no synonym or paraphrase
// modules and its own parameters, so its values are not comparable to
// coco-caption's "METEOR" column. Unigrams are aligned in two stages, exact
// word matches first and then matches of Porter2 stems (the Snowball
// "english" stemmer from github.com/kljensen/snowball, the same stemmer family
// METEOR 1.5 uses) among the words still unmatched. With m matches,
// P = m/len(candidate), R = m/len(reference),
// Fmean = P·R / (α·P + (1−α)·R) with α = 0.9 (recall-weighted),
// Penalty = γ·(chunks/m)^β with β = 3, γ = 0.5, and
// score = Fmean·(1 − Penalty), 0 when m = 0. A chunk is a maximal run of
// matches that are adjacent and in the same order in both sentences. The
// clip score is the maximum over references, the corpus score the mean over
// clips. See meteor.go for the deterministic greedy alignment.
//
// HumanCeiling scores the references against each other (leave one out) to
// give an estimate of human agreement on the same scale.
package evalcap

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Metric identifies one of the metrics computed by this package.
type Metric int

// The metrics, in the order used by Metrics and Scores.Table.
const (
	MetricBleu1      Metric = iota // BLEU-1 ("Bleu_1")
	MetricBleu2                    // BLEU-2 ("Bleu_2")
	MetricBleu3                    // BLEU-3 ("Bleu_3")
	MetricBleu4                    // BLEU-4 ("Bleu_4")
	MetricMETEORLite               // METEOR-lite ("METEOR-lite"), not official METEOR
	MetricRougeL                   // ROUGE-L ("ROUGE_L")
	MetricCIDErD                   // CIDEr-D ("CIDEr-D"; coco-caption's "CIDEr")
	numMetrics
)

var metricNames = [numMetrics]string{
	"Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR-lite", "ROUGE_L", "CIDEr-D",
}

// String returns the metric's display name: "Bleu_1".."Bleu_4",
// "METEOR-lite", "ROUGE_L" or "CIDEr-D".
func (m Metric) String() string {
	if m < 0 || m >= numMetrics {
		return fmt.Sprintf("Metric(%d)", int(m))
	}
	return metricNames[m]
}

// Metrics returns every metric in table order.
func Metrics() []Metric {
	out := make([]Metric, numMetrics)
	for i := range out {
		out[i] = Metric(i)
	}
	return out
}

// Errors returned by Evaluate, HumanCeiling and the single-metric functions.
// Errors about a particular clip are wrapped with its ID; test with errors.Is.
var (
	// ErrEmpty means there was nothing to evaluate (no candidates, or no
	// references for HumanCeiling).
	ErrEmpty = errors.New("evalcap: nothing to evaluate")
	// ErrMissingReferences means a candidate clip has no references.
	ErrMissingReferences = errors.New("evalcap: clip has no references")
	// ErrEmptyReference means a reference caption has no tokens.
	ErrEmptyReference = errors.New("evalcap: empty reference caption")
	// ErrTooFewReferences means HumanCeiling found no clip with at least two
	// references.
	ErrTooFewReferences = errors.New("evalcap: no clip has two or more references")
)

// ClipScores holds the scores of a single clip.
type ClipScores struct {
	Bleu       [4]float64 // per-clip BLEU-1..4 (coco-caption's per-image values)
	METEORLite float64    // METEOR-lite, max over references
	RougeL     float64    // ROUGE-L
	CIDErD     float64    // CIDEr-D
}

// Get returns the clip's value of metric m (NaN for an unknown metric).
func (c ClipScores) Get(m Metric) float64 {
	switch m {
	case MetricBleu1, MetricBleu2, MetricBleu3, MetricBleu4:
		return c.Bleu[m-MetricBleu1]
	case MetricMETEORLite:
		return c.METEORLite
	case MetricRougeL:
		return c.RougeL
	case MetricCIDErD:
		return c.CIDErD
	}
	return math.NaN()
}

// Scores holds corpus-level scores and the per-clip breakdown.
type Scores struct {
	Bleu       [4]float64 // corpus BLEU-1..4 from summed counts
	METEORLite float64    // mean per-clip METEOR-lite
	RougeL     float64    // mean per-clip ROUGE-L
	CIDErD     float64    // mean per-clip CIDEr-D
	NumClips   int        // number of clips scored
	// PerClip maps each scored clip ID to its scores.
	PerClip map[string]ClipScores
}

// Get returns the corpus value of metric m (NaN for an unknown metric).
func (s *Scores) Get(m Metric) float64 {
	return ClipScores{Bleu: s.Bleu, METEORLite: s.METEORLite, RougeL: s.RougeL, CIDErD: s.CIDErD}.Get(m)
}

// Table returns a compact text table with one line per metric, e.g.
//
//	metric       score  (3 clips)
//	Bleu_1       0.894737
//	...
//	CIDEr-D      2.272476
func (s *Scores) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %s  (%d clips)\n", "metric", "score", s.NumClips)
	for _, m := range Metrics() {
		fmt.Fprintf(&b, "%-12s %.6f\n", m, s.Get(m))
	}
	return b.String()
}

// Evaluate scores the candidate captions against the references with every
// metric of the package. cands maps clip ID to one candidate caption and
// refs maps clip ID to that clip's reference captions; all text must be
// pre-tokenised (space separated, lower case).
//
// It returns ErrEmpty if cands is empty, ErrMissingReferences if a candidate
// clip has no references and ErrEmptyReference if a reference has no tokens.
// Empty candidates are allowed (they score 0). Reference clips without a
// candidate are ignored.
func Evaluate(refs map[string][]string, cands map[string]string) (*Scores, error) {
	ds, err := prepare(refs, cands)
	if err != nil {
		return nil, err
	}
	return ds.scoreAll(), nil
}

// Bleu returns corpus BLEU-1..4 and the per-clip BLEU-1..4 values, computed
// as coco-caption does (see the package documentation). Input and errors as
// for Evaluate.
func Bleu(refs map[string][]string, cands map[string]string) (corpus [4]float64, perClip map[string][4]float64, err error) {
	ds, err := prepare(refs, cands)
	if err != nil {
		return corpus, nil, err
	}
	corpus, per := ds.bleu()
	perClip = make(map[string][4]float64, len(per))
	for i, c := range ds.clips {
		perClip[c.id] = per[i]
	}
	return corpus, perClip, nil
}

// RougeL returns corpus ROUGE-L (mean over clips) and the per-clip values.
// Input and errors as for Evaluate.
func RougeL(refs map[string][]string, cands map[string]string) (corpus float64, perClip map[string]float64, err error) {
	return single(refs, cands, (*dataset).rougeL)
}

// CIDErD returns corpus CIDEr-D (coco-caption's "CIDEr", mean over clips) and
// the per-clip values. Document frequencies come from the references of the
// evaluated clips, so a clip's value depends on the whole set. Input and
// errors as for Evaluate.
func CIDErD(refs map[string][]string, cands map[string]string) (corpus float64, perClip map[string]float64, err error) {
	return single(refs, cands, (*dataset).ciderD)
}

// METEORLite returns corpus METEOR-lite (mean over clips) and the per-clip
// values (max over references). METEOR-lite is a simplified METEOR without
// synonyms or paraphrases; see the package documentation. Input and errors
// as for Evaluate.
func METEORLite(refs map[string][]string, cands map[string]string) (corpus float64, perClip map[string]float64, err error) {
	return single(refs, cands, (*dataset).meteorLite)
}

func single(refs map[string][]string, cands map[string]string, f func(*dataset) (float64, []float64)) (float64, map[string]float64, error) {
	ds, err := prepare(refs, cands)
	if err != nil {
		return 0, nil, err
	}
	corpus, per := f(ds)
	perClip := make(map[string]float64, len(per))
	for i, c := range ds.clips {
		perClip[c.id] = per[i]
	}
	return corpus, perClip, nil
}

// HumanCeiling estimates human agreement by scoring the references against
// each other, leave one out. Only clips with at least two references take
// part. The rule is:
//
//   - For round i = 0, 1, ..., K−1 (K the largest number of references of a
//     clip), every clip with more than i references contributes its i-th
//     reference (in the given order) as the candidate and its other
//     references as the references. The round is scored exactly like
//     Evaluate (so CIDEr-D document frequencies and corpus BLEU counts are
//     computed within the round).
//   - A corpus metric is the average of the rounds' corpus values weighted by
//     the number of clips in each round (a plain mean over rounds when every
//     clip has the same number of references).
//   - A clip's per-clip value is the mean over its rounds, i.e. over its
//     references.
//
// NumClips is the number of clips with two or more references. It returns
// ErrEmpty for an empty map, ErrEmptyReference for a reference without
// tokens and ErrTooFewReferences when no clip has two references.
func HumanCeiling(refs map[string][]string) (*Scores, error) {
	if len(refs) == 0 {
		return nil, ErrEmpty
	}
	in := newInterner()
	type multi struct {
		id   string
		refs []*tokens
	}
	var clips []multi
	maxK := 0
	for _, id := range sortedKeys(refs) {
		rs, err := in.refs(id, refs[id])
		if err != nil {
			return nil, err
		}
		if len(rs) < 2 {
			continue
		}
		clips = append(clips, multi{id, rs})
		maxK = max(maxK, len(rs))
	}
	if len(clips) == 0 {
		return nil, ErrTooFewReferences
	}

	out := &Scores{NumClips: len(clips), PerClip: make(map[string]ClipScores, len(clips))}
	sums := make(map[string]ClipScores, len(clips))
	total := 0
	for i := range maxK {
		ds := &dataset{in: in}
		for _, c := range clips {
			if i >= len(c.refs) {
				continue
			}
			others := make([]*tokens, 0, len(c.refs)-1)
			others = append(others, c.refs[:i]...)
			others = append(others, c.refs[i+1:]...)
			ds.clips = append(ds.clips, clip{id: c.id, cand: c.refs[i], refs: others})
		}
		r := ds.scoreAll()
		w := float64(r.NumClips)
		total += r.NumClips
		for k := range out.Bleu {
			out.Bleu[k] += w * r.Bleu[k]
		}
		out.METEORLite += w * r.METEORLite
		out.RougeL += w * r.RougeL
		out.CIDErD += w * r.CIDErD
		for _, c := range ds.clips {
			s, p := sums[c.id], r.PerClip[c.id]
			for k := range s.Bleu {
				s.Bleu[k] += p.Bleu[k]
			}
			s.METEORLite += p.METEORLite
			s.RougeL += p.RougeL
			s.CIDErD += p.CIDErD
			sums[c.id] = s
		}
	}
	t := float64(total)
	for k := range out.Bleu {
		out.Bleu[k] /= t
	}
	out.METEORLite /= t
	out.RougeL /= t
	out.CIDErD /= t
	for _, c := range clips {
		s, n := sums[c.id], float64(len(c.refs))
		for k := range s.Bleu {
			s.Bleu[k] /= n
		}
		s.METEORLite /= n
		s.RougeL /= n
		s.CIDErD /= n
		out.PerClip[c.id] = s
	}
	return out, nil
}

// tokens is one tokenised caption with its n-gram counts (n = 1..4).
type tokens struct {
	ids []int32   // interned words
	ng  []ngCount // distinct n-grams in first-occurrence order
}

// ngCount is one distinct n-gram of a sentence and its count. Sentences keep
// their n-grams in first-occurrence order (by n, then position), the order
// in which coco-caption builds them, so floating-point sums follow the same
// order.
type ngCount struct {
	id    int32 // interned n-gram ID
	n     uint8 // order, 1..4
	count int32
}

// clip is one evaluated clip: a candidate and its references.
type clip struct {
	id   string
	cand *tokens
	refs []*tokens
}

// dataset is a tokenised evaluation set, clips in sorted ID order.
type dataset struct {
	in    *interner
	clips []clip
}

// interner maps words and n-grams to dense integer IDs, so that the
// metrics can use slices indexed by ID instead of hash maps.
type interner struct {
	ids   map[string]int32
	words []string
	stems []int32 // word ID -> stem ID (stem strings interned in sIDs), filled lazily
	sIDs  map[string]int32

	ngIDs  map[ngram]int32
	nNgram int32   // number of interned n-grams
	serial int32   // sentence counter, for seen
	seen   []int32 // n-gram ID -> serial of the last sentence containing it
	pos    []int32 // n-gram ID -> its index in that sentence's ng list
}

func newInterner() *interner {
	return &interner{ids: make(map[string]int32), ngIDs: make(map[ngram]int32)}
}

// tokenize splits s on white space, interns the words and counts n-grams.
func (in *interner) tokenize(s string) *tokens {
	f := strings.Fields(s)
	t := &tokens{ids: make([]int32, len(f))}
	for i, w := range f {
		id, ok := in.ids[w]
		if !ok {
			id = int32(len(in.words))
			in.ids[w] = id
			in.words = append(in.words, w)
		}
		t.ids[i] = id
	}
	in.serial++
	for k := 1; k <= 4; k++ {
		for i := 0; i+k <= len(t.ids); i++ {
			g := ngram{n: uint8(k)}
			copy(g.w[:], t.ids[i:i+k])
			id, ok := in.ngIDs[g]
			if !ok {
				id = in.nNgram
				in.nNgram++
				in.ngIDs[g] = id
				in.seen = append(in.seen, 0)
				in.pos = append(in.pos, 0)
			}
			if in.seen[id] != in.serial {
				in.seen[id] = in.serial
				in.pos[id] = int32(len(t.ng))
				t.ng = append(t.ng, ngCount{id: id, n: uint8(k)})
			}
			t.ng[in.pos[id]].count++
		}
	}
	return t
}

// refs tokenises the references of clip id, rejecting empty ones.
func (in *interner) refs(id string, rs []string) ([]*tokens, error) {
	out := make([]*tokens, len(rs))
	for j, r := range rs {
		t := in.tokenize(r)
		if len(t.ids) == 0 {
			return nil, fmt.Errorf("%w: clip %q reference %d", ErrEmptyReference, id, j)
		}
		out[j] = t
	}
	return out, nil
}

func prepare(refs map[string][]string, cands map[string]string) (*dataset, error) {
	if len(cands) == 0 {
		return nil, ErrEmpty
	}
	ds := &dataset{in: newInterner(), clips: make([]clip, 0, len(cands))}
	for _, id := range sortedKeys(cands) {
		rs := refs[id]
		if len(rs) == 0 {
			return nil, fmt.Errorf("%w: clip %q", ErrMissingReferences, id)
		}
		rt, err := ds.in.refs(id, rs)
		if err != nil {
			return nil, err
		}
		ds.clips = append(ds.clips, clip{id: id, cand: ds.in.tokenize(cands[id]), refs: rt})
	}
	return ds, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// scoreAll computes every metric on the dataset.
func (ds *dataset) scoreAll() *Scores {
	s := &Scores{NumClips: len(ds.clips), PerClip: make(map[string]ClipScores, len(ds.clips))}
	var bleuPer [][4]float64
	var rouge, meteor, cider []float64
	s.Bleu, bleuPer = ds.bleu()
	s.RougeL, rouge = ds.rougeL()
	s.METEORLite, meteor = ds.meteorLite()
	s.CIDErD, cider = ds.ciderD()
	for i, c := range ds.clips {
		s.PerClip[c.id] = ClipScores{Bleu: bleuPer[i], METEORLite: meteor[i], RougeL: rouge[i], CIDErD: cider[i]}
	}
	return s
}

// mean returns the mean of xs summed in order (0 for an empty slice).
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// ngram is an n-gram (n = 1..4) of interned word IDs, the interning key;
// unused slots are 0.
type ngram struct {
	n uint8
	w [4]int32
}
