package interpret

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// GroundTruth says which concepts each clip has: the synthetic corpus'
// concepts ("shape:circle", …), or topic labels on real data.
type GroundTruth struct {
	// Concepts names the concepts.
	Concepts []string
	// Present[c][j] says whether clip c has concept j.
	Present [][]bool
}

// NewGroundTruth builds the ground truth of clips from each clip's concept
// names (e.g. synth's Clip.Concepts()). Every name must be in concepts.
func NewGroundTruth(concepts []string, clipConcepts [][]string) (*GroundTruth, error) {
	index := make(map[string]int, len(concepts))
	for j, n := range concepts {
		if _, dup := index[n]; dup {
			return nil, fmt.Errorf("ground truth: concept %q listed twice", n)
		}
		index[n] = j
	}
	g := &GroundTruth{Concepts: concepts, Present: make([][]bool, len(clipConcepts))}
	for c, names := range clipConcepts {
		g.Present[c] = make([]bool, len(concepts))
		for _, n := range names {
			j, ok := index[n]
			if !ok {
				return nil, fmt.Errorf("ground truth: clip %d has concept %q, which is not among the %d concepts", c, n, len(concepts))
			}
			g.Present[c][j] = true
		}
	}
	return g, nil
}

// Detection thresholds on IoU.
const (
	// NetDissectThreshold is Network Dissection's IoU threshold (Bau et al.
	// 2017), reported for comparison. Over clips it is lenient: with the
	// base-rate quantile, a unit unrelated to a concept of base rate f has
	// IoU ≈ f/(2−f), which exceeds 0.04 for every f ≥ 0.08.
	NetDissectThreshold = 0.04
	// ClipThreshold is the stricter threshold that suits clips: IoU > 0.5
	// with the base-rate quantile means that more than two thirds of the
	// concept's clips are among the unit's top clips (and of the unit's top
	// clips have the concept), far above chance (≤ 0.43 for the concepts
	// allowed by DefaultMaxBaseRate).
	ClipThreshold = 0.5
	// DefaultMaxBaseRate excludes from detection the concepts present in
	// more than this fraction of clips, whose chance IoU f/(2−f) nears the
	// clip threshold (e.g. "count:one", in ≈73% of synthetic clips; its
	// complement "count:two" remains).
	DefaultMaxBaseRate = 0.6
)

// DissectConfig says how units are binarised and which concepts count.
type DissectConfig struct {
	// Quantile is the unit's top quantile that counts as "on". 0 (the
	// default) matches each concept's base rate: for concept j present in
	// n_j clips, the unit is on in its n_j highest clips, so a perfect
	// detector has IoU 1 whatever the concept's frequency. Network
	// Dissection's 0.005 (for pixels) caps the IoU over clips at 0.005/f,
	// below 0.04 for most concepts; set it to reproduce that.
	Quantile float64
	// MaxBaseRate excludes concepts more frequent than this from being a
	// unit's best concept (0: DefaultMaxBaseRate; ≥ 1: none excluded).
	MaxBaseRate float64
}

// Dissection is the IoU of every unit with every concept over clips.
type Dissection struct {
	Concepts []string `json:"concepts"`
	// BaseRate[j] is the fraction of clips with concept j; Eligible[j] says
	// whether it may be a unit's best concept (BaseRate ≤ MaxBaseRate).
	BaseRate []float64 `json:"base_rate"`
	Eligible []bool    `json:"eligible"`
	// IoU[i][j] is unit i's IoU with concept j.
	IoU [][]float64 `json:"iou"`
	// Best[i] is unit i's eligible concept of highest IoU (−1 if the unit is
	// never active), BestIoU its IoU.
	Best    []int     `json:"best"`
	BestIoU []float64 `json:"best_iou"`
	// Quantile is the configuration used (0: base-rate matched).
	Quantile float64 `json:"quantile"`
}

// Dissect computes, for each unit of a ([clips][N]) and each concept of gt,
// the IoU over clips of "unit on" (activation ≥ its top-quantile value and
// > 0) and "concept present".
func Dissect(a [][]float32, gt *GroundTruth, cfg DissectConfig) (*Dissection, error) {
	if gt == nil || len(gt.Concepts) == 0 {
		return nil, fmt.Errorf("dissect: no concepts")
	}
	if len(a) == 0 || len(a) != len(gt.Present) {
		return nil, fmt.Errorf("dissect: %d clips of activations for %d clips of ground truth", len(a), len(gt.Present))
	}
	if cfg.Quantile < 0 || cfg.Quantile >= 1 {
		return nil, fmt.Errorf("dissect: quantile %v; expected 0 (base-rate matched) or in (0, 1)", cfg.Quantile)
	}
	N := len(a[0])
	if err := checkRows("dissect", a, N); err != nil {
		return nil, err
	}
	maxRate := cfg.MaxBaseRate
	if maxRate <= 0 {
		maxRate = DefaultMaxBaseRate
	}
	n, C := len(a), len(gt.Concepts)
	d := &Dissection{Concepts: gt.Concepts, BaseRate: make([]float64, C), Eligible: make([]bool, C),
		IoU: make([][]float64, N), Best: make([]int, N), BestIoU: make([]float64, N), Quantile: cfg.Quantile}
	count := make([]int, C)
	for c := range n {
		if len(gt.Present[c]) != C {
			return nil, fmt.Errorf("dissect: clip %d has %d concept flags; expected %d", c, len(gt.Present[c]), C)
		}
		for j, p := range gt.Present[c] {
			if p {
				count[j]++
			}
		}
	}
	for j := range C {
		d.BaseRate[j] = float64(count[j]) / float64(n)
		d.Eligible[j] = count[j] > 0 && d.BaseRate[j] <= maxRate
	}
	sorted := make([]float32, n)
	for i := range N {
		for c := range n {
			sorted[c] = a[c][i]
		}
		slices.SortFunc(sorted, func(x, y float32) int { return cmp.Compare(y, x) })
		// threshold returns the activation of the unit's m-th highest clip.
		threshold := func(m int) float32 { return sorted[max(0, min(n, m)-1)] }
		d.IoU[i] = make([]float64, C)
		d.Best[i] = -1
		for j := range C {
			m := count[j]
			if cfg.Quantile > 0 {
				m = int(math.Ceil(cfg.Quantile * float64(n)))
			}
			if m == 0 {
				continue
			}
			t := threshold(m)
			var inter, union int
			for c := range n {
				on := a[c][i] >= t && a[c][i] > 0
				if on && gt.Present[c][j] {
					inter++
				}
				if on || gt.Present[c][j] {
					union++
				}
			}
			if union > 0 {
				d.IoU[i][j] = float64(inter) / float64(union)
			}
			if d.Eligible[j] && sorted[0] > 0 && (d.Best[i] < 0 || d.IoU[i][j] > d.BestIoU[i]) {
				d.Best[i], d.BestIoU[i] = j, d.IoU[i][j]
			}
		}
	}
	return d, nil
}

// Detectors returns the units whose best IoU exceeds threshold and the
// distinct concepts they detect, in concept order.
func (d *Dissection) Detectors(threshold float64) (units []int, concepts []string) {
	seen := make([]bool, len(d.Concepts))
	for i, j := range d.Best {
		if j >= 0 && d.BestIoU[i] > threshold {
			units = append(units, i)
			seen[j] = true
		}
	}
	for j, s := range seen {
		if s {
			concepts = append(concepts, d.Concepts[j])
		}
	}
	return units, concepts
}

// DetectorsPerConcept returns, for each concept, the number of units that
// detect it at threshold.
func (d *Dissection) DetectorsPerConcept(threshold float64) []int {
	out := make([]int, len(d.Concepts))
	for i, j := range d.Best {
		if j >= 0 && d.BestIoU[i] > threshold {
			out[j]++
		}
	}
	return out
}

// Correspondence says whether a unit's label corresponds to a concept: the
// label's topic index (−1 for a word) and its name.
type Correspondence func(index int, label, concept string) bool

// Identity is the correspondence of a head whose outputs are the concepts
// themselves (the synthetic corpus' concept targets): topic k corresponds
// to names[k] only (a word label to the concept of the same name).
func Identity(names []string) Correspondence {
	return func(k int, label, concept string) bool {
		if k < 0 {
			return label == concept
		}
		return k < len(names) && names[k] == concept
	}
}

// TopicConcepts is the correspondence of LDA topics matched to concepts:
// topic k corresponds to the concepts concepts(k) returns (pkg/topics' topic
// ↔ concept match).
func TopicConcepts(concepts func(topic int) []string) Correspondence {
	return func(k int, _, concept string) bool { return k >= 0 && slices.Contains(concepts(k), concept) }
}

// WordConcepts is the correspondence of word labels (words target): a word
// corresponds to the concept conceptOf returns for it (e.g.
// synth.WordConcept: "ball" → "shape:circle"; "" for other words).
func WordConcepts(conceptOf func(word string) string) Correspondence {
	return func(_ int, word, concept string) bool { return word != "" && conceptOf(word) == concept }
}

// Agreement summarises, at one IoU threshold, how many units match a concept
// by Network Dissection and by their PDM label.
type Agreement struct {
	Threshold float64 `json:"threshold"`
	// Units counts all units, Alive those active on at least one clip.
	Units int `json:"units"`
	Alive int `json:"alive"`
	// Detectors counts the units whose best IoU exceeds Threshold, Concepts
	// the distinct concepts they detect.
	Detectors int `json:"detectors"`
	Concepts  int `json:"concepts"`
	// Agree counts the units whose label corresponds to their best-IoU
	// concept; Both the detectors among them (a unit that matches a concept
	// by both measures).
	Agree int `json:"agree"`
	Both  int `json:"both"`
}

// Frac returns n / Units (0 without units).
func (g Agreement) Frac(n int) float64 {
	if g.Units == 0 {
		return 0
	}
	return float64(n) / float64(g.Units)
}

// Line is the report's summary line: "N of M units detect K concepts".
func (g Agreement) Line() string {
	plural := "s"
	if g.Concepts == 1 {
		plural = ""
	}
	return fmt.Sprintf("%d of %d units detect %d concept%s (IoU > %g); %d of %d match their concept by both IoU and label",
		g.Detectors, g.Units, g.Concepts, plural, g.Threshold, g.Both, g.Units)
}

// Agree compares the units' labels (from Summarize) with their best-IoU
// concepts at threshold, and records on each unit its concept, IoU,
// detector flag and agreement (overwriting those of an earlier call).
func Agree(units []Unit, d *Dissection, corr Correspondence, threshold float64) (Agreement, error) {
	if len(units) != len(d.Best) {
		return Agreement{}, fmt.Errorf("agreement: %d units for a dissection of %d", len(units), len(d.Best))
	}
	g := Agreement{Threshold: threshold, Units: len(units)}
	_, concepts := d.Detectors(threshold)
	g.Concepts = len(concepts)
	for i := range units {
		u := &units[i]
		if !u.Dead() {
			g.Alive++
		}
		u.Concept, u.IoU, u.Detector, u.Agrees = "", 0, false, false
		j := d.Best[i]
		if j < 0 {
			continue
		}
		u.Concept, u.IoU = d.Concepts[j], d.BestIoU[i]
		u.Detector = d.BestIoU[i] > threshold
		u.Agrees = u.Label != "" && corr != nil && corr(u.LabelIndex, u.Label, u.Concept)
		if u.Detector {
			g.Detectors++
		}
		if u.Agrees {
			g.Agree++
		}
		if u.Agrees && u.Detector {
			g.Both++
		}
	}
	return g, nil
}
