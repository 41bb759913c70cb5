package revise

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/interpret"
)

// UnitTopics says which topic each unit of the semantic layer stands for:
// the mapping through which a request for a topic becomes edits of units.
type UnitTopics struct {
	// Topics names the topics (the model's target names).
	Topics []string `json:"topics"`
	// Label[i] is the topic index of unit i (−1: none); Score[i] the
	// strength of that label (mean PD for PDM, the head weight for
	// FromHeadWeights).
	Label []int     `json:"label"`
	Score []float64 `json:"score"`
	// Scores[i][k], if not nil, is unit i's score for every topic k (mean PD
	// over the clips where the unit is active, or the head weight), which
	// UnitsForTop ranks by.
	Scores [][]float64 `json:"scores,omitempty"`
	// Source says how the labels were made ("pdm", "head-weights", …).
	Source string `json:"source"`
}

// FromInterpretation takes the labels of pkg/interpret's unit
// interpretations of a topic target (interpret.Run or Summarize): unit i
// stands for its Label topic.
func FromInterpretation(units []interpret.Unit, topics []string, source string) (*UnitTopics, error) {
	if len(units) == 0 {
		return nil, fmt.Errorf("unit topics: no units")
	}
	t := &UnitTopics{Topics: topics, Label: make([]int, len(units)), Score: make([]float64, len(units)), Source: source}
	for i, u := range units {
		if u.Unit != i {
			return nil, fmt.Errorf("unit topics: interpretation %d is of unit %d; expected units in order", i, u.Unit)
		}
		if u.LabelIndex >= len(topics) {
			return nil, fmt.Errorf("unit topics: unit %d is labelled topic %d; there are %d topics", i, u.LabelIndex, len(topics))
		}
		if u.LabelIndex >= 0 && u.Label != topics[u.LabelIndex] {
			return nil, fmt.Errorf("unit topics: unit %d: label %q disagrees with its label_index %d (topic %q); expected the two to name one topic",
				i, corpus.Short(u.Label), u.LabelIndex, corpus.Short(topics[u.LabelIndex]))
		}
		if math.IsNaN(u.LabelScore) || math.IsInf(u.LabelScore, 0) {
			return nil, fmt.Errorf("unit topics: unit %d: label_score %v; expected a finite number", i, u.LabelScore)
		}
		t.Label[i], t.Score[i] = u.LabelIndex, u.LabelScore
		if u.LabelIndex < 0 {
			t.Label[i] = -1
		}
		if len(u.TopicScores) == len(topics) {
			if t.Scores == nil {
				t.Scores = make([][]float64, len(units))
			}
			t.Scores[i] = u.TopicScores
		}
	}
	if t.Scores != nil {
		for i := range t.Scores {
			if t.Scores[i] == nil {
				t.Scores[i] = make([]float64, len(topics))
			}
		}
	}
	return t, nil
}

// FromHeadWeights labels each unit with the topic its topic-head weight
// raises most, W_a[i][k] (read from the head by interpret.ProbeAffine):
// a stand-in for PDM that needs no clips. For the paper's linear head it
// gives PDM's labels: PD of unit i on topic k is W_a[i][k]·(a_i − E a_i),
// whose mean over the clips where the unit is active is W_a[i][k] times a
// positive number. Units that are never active (stats.High[i] = 0) and
// units with no positive weight get no label. stats may be nil.
func FromHeadWeights(h interpret.Head, units int, topics []string, stats *Stats) (*UnitTopics, error) {
	aff, err := interpret.ProbeAffine(h, units)
	if err != nil {
		return nil, fmt.Errorf("unit topics: %w", err)
	}
	if len(aff.B) != len(topics) {
		return nil, fmt.Errorf("unit topics: the head has %d topic outputs for %d topic names", len(aff.B), len(topics))
	}
	t := &UnitTopics{Topics: topics, Label: make([]int, units), Score: make([]float64, units), Scores: make([][]float64, units), Source: "head-weights"}
	for i, w := range aff.W {
		t.Label[i] = -1
		t.Scores[i] = make([]float64, len(topics))
		if stats != nil && stats.High[i] <= 0 {
			continue
		}
		for k, v := range w {
			t.Scores[i][k] = float64(v)
		}
		if k := slices.Index(w, slices.Max(w)); w[k] > 0 {
			t.Label[i], t.Score[i] = k, float64(w[k])
		}
	}
	return t, nil
}

// Units returns the number of units.
func (t *UnitTopics) Units() int { return len(t.Label) }

// LabelOf returns unit i's topic name ("" for none).
func (t *UnitTopics) LabelOf(i int) string {
	if i < 0 || i >= len(t.Label) || t.Label[i] < 0 {
		return ""
	}
	return t.Topics[t.Label[i]]
}

// UnitsFor returns the units labelled topic k, highest score first (ties:
// lower unit first).
func (t *UnitTopics) UnitsFor(k int) []int {
	var out []int
	for i, l := range t.Label {
		if l == k {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(x, y int) int { return cmp.Compare(t.Score[y], t.Score[x]) })
	return out
}

// UnitsForTop returns the units that count topic k among their perUnit
// best topics with a positive score, highest score for k first (ties: lower
// unit first). perUnit = 1 is UnitsFor; without Scores it falls back to
// UnitsFor.
func (t *UnitTopics) UnitsForTop(k, perUnit int) []int {
	if perUnit <= 1 || t.Scores == nil {
		return t.UnitsFor(k)
	}
	var out []int
	for i, sc := range t.Scores {
		if k < 0 || k >= len(sc) || sc[k] <= 0 {
			continue
		}
		better := 0 // topics that unit i scores higher than k
		for j, v := range sc {
			if v > sc[k] || (v == sc[k] && j < k) {
				better++
			}
		}
		if better < perUnit {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(x, y int) int { return cmp.Compare(t.Scores[y][k], t.Scores[x][k]) })
	return out
}

// TopicIndex finds a topic by name ("color:red", "topic 7") or by index
// ("7").
func (t *UnitTopics) TopicIndex(name string) (int, error) {
	name = strings.TrimSpace(name)
	if k := slices.Index(t.Topics, name); k >= 0 {
		return k, nil
	}
	if k, err := strconv.Atoi(name); err == nil {
		if k < 0 || k >= len(t.Topics) {
			return 0, fmt.Errorf("topic %d does not exist: there are topics 0..%d", k, len(t.Topics)-1)
		}
		return k, nil
	}
	var close []string
	for _, n := range t.Topics {
		if strings.Contains(n, name) || strings.Contains(name, n) {
			close = append(close, n)
		}
	}
	hint := ""
	if len(close) > 0 {
		hint = fmt.Sprintf(" (did you mean %s?)", strings.Join(quoteAll(close[:min(5, len(close))]), ", "))
	}
	return 0, fmt.Errorf("unknown topic %q%s; topics are named like %q or given by index 0..%d", name, hint, t.Topics[0], len(t.Topics)-1)
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Quote(x)
	}
	return out
}

// Stats are each unit's activation statistics over the training clips: the
// levels that boosts set units to.
type Stats struct {
	// Mean is the mean activation; Active the fraction of clips where the
	// unit is active (a > 0).
	Mean   []float32 `json:"mean"`
	Active []float64 `json:"active"`
	// High is the 95th percentile of the unit's activation over the clips
	// where it is active (0 for a unit that is never active): "as active as
	// it gets", the level of a boost of strength 1.
	High []float32 `json:"high"`
}

// HighQuantile is the quantile of active values that Stats.High holds.
const HighQuantile = 0.95

// NewStats computes the statistics of train ([clips][N]).
func NewStats(train [][]float32) (*Stats, error) {
	if len(train) == 0 || len(train[0]) == 0 {
		return nil, fmt.Errorf("unit statistics: no training rows")
	}
	N := len(train[0])
	s := &Stats{Mean: make([]float32, N), Active: make([]float64, N), High: make([]float32, N)}
	vals := make([]float32, 0, len(train))
	for i := range N {
		vals = vals[:0]
		var sum float64
		for c, row := range train {
			if len(row) != N {
				return nil, fmt.Errorf("unit statistics: row %d has %d values; expected %d", c, len(row), N)
			}
			v := row[i]
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("unit statistics: row %d, unit %d is %v", c, i, v)
			}
			sum += float64(v)
			if v > 0 {
				vals = append(vals, v)
			}
		}
		s.Mean[i] = float32(sum / float64(len(train)))
		s.Active[i] = float64(len(vals)) / float64(len(train))
		if len(vals) > 0 {
			slices.Sort(vals)
			s.High[i] = vals[min(len(vals)-1, int(HighQuantile*float64(len(vals))))]
		}
	}
	return s, nil
}
