package revise

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/interpret"
)

// UnitDriver is a unit that drives a word: its prediction difference on the
// word (PDM: log2-odds of the word with the unit as it is minus with the
// unit marginalised), its activation and its topic label.
type UnitDriver struct {
	Unit       int     `json:"unit"`
	PD         float64 `json:"pd"`
	Activation float32 `json:"activation"`
	Label      string  `json:"label,omitempty"`
}

// WordDrivers are the units that drive one word of a caption.
type WordDrivers struct {
	// Position is the word's index in the caption (len(words) for <eos>).
	Position int    `json:"position"`
	Word     string `json:"word"`
	// Units are the units of largest positive PD, largest first.
	Units []UnitDriver `json:"units"`
}

// Explanation explains one clip's caption by its semantic units.
type Explanation struct {
	Clip    string        `json:"clip"`
	Caption string        `json:"caption"`
	Words   []WordDrivers `json:"words"`
	// Topics are the clip's three highest topic scores.
	Topics []TopicScore `json:"topics,omitempty"`
	// TopUnits are the units of the layer with the highest activation,
	// with their labels, for sliders (PD 0).
	TopUnits []UnitDriver `json:"top_units"`
}

// String formats the explanation, one line per word.
func (e *Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "clip %s: %s\n", e.Clip, e.Caption)
	for _, w := range e.Words {
		parts := make([]string, len(w.Units))
		for k, u := range w.Units {
			label := u.Label
			if label == "" {
				label = "–"
			}
			parts[k] = fmt.Sprintf("unit %d (%s, PD %+.2f, a=%.2f)", u.Unit, label, u.PD, u.Activation)
		}
		fmt.Fprintf(&b, "  %-12s %s\n", w.Word, strings.Join(parts, "; "))
	}
	return b.String()
}

// Explain decodes the clip's caption from a and finds, for each of its
// words (and <eos>), the topK units that drive it most: PDM on the word
// targets (interpret.PDM with r.Marginal, all units of the clip in one
// batched call of the model), each unit named by its topic label.
func (r *Reviser) Explain(clip string, a []float32, topK int) (ex *Explanation, err error) {
	defer recoverErr("explaining clip "+clip, &err)
	n, err := r.units()
	if err != nil {
		return nil, err
	}
	if r.Marginal == nil {
		return nil, fmt.Errorf("explaining clip %s: no unit distributions (Reviser.Marginal, interpret.NewMarginal of the training clips' a)", clip)
	}
	if len(a) != n {
		return nil, fmt.Errorf("explaining clip %s: a has %d units; the model has %d", clip, len(a), n)
	}
	if topK < 1 {
		topK = 3
	}
	caps, err := r.Model.DecodeFrom([][]float32{a}, r.decodeOptions())
	if err != nil {
		return nil, fmt.Errorf("explaining clip %s: %w", clip, err)
	}
	caption := caps[0].Text()
	t := interpret.WordsOf([]string{caption}, r.VocabSize)
	if r.VocabSize > 0 {
		t.LaplaceN = r.Marginal.N
	}
	s, err := interpret.NewPDM(r.Marginal).Attribute(r.Model, [][]float32{a}, t)
	if err != nil {
		return nil, fmt.Errorf("explaining clip %s: %w", clip, err)
	}
	label := func(i int) string {
		if r.Topics == nil {
			return ""
		}
		return r.Topics.LabelOf(i)
	}
	ex = &Explanation{Clip: clip, Caption: caption}
	for j, w := range s.Outputs[0] {
		wd := WordDrivers{Position: j, Word: w}
		for i := range n {
			if pd := float64(s.At(0, i, j)); pd > 0 {
				wd.Units = append(wd.Units, UnitDriver{Unit: i, PD: pd, Activation: a[i], Label: label(i)})
			}
		}
		slices.SortStableFunc(wd.Units, func(x, y UnitDriver) int { return cmp.Compare(y.PD, x.PD) })
		wd.Units = wd.Units[:min(topK, len(wd.Units))]
		ex.Words = append(ex.Words, wd)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(a[y], a[x]) })
	for _, i := range order[:min(8, n)] {
		if a[i] > 0 {
			ex.TopUnits = append(ex.TopUnits, UnitDriver{Unit: i, Activation: a[i], Label: label(i)})
		}
	}
	if r.Topics != nil {
		sc, err := r.Model.TopicsFrom([][]float32{a})
		if err != nil {
			return nil, fmt.Errorf("explaining clip %s: %w", clip, err)
		}
		ex.Topics = topTopics(r.Topics.Topics, sc[0], 3)
	}
	return ex, nil
}

// recoverErr turns a panic (e.g. from graph building) into an error
// prefixed with what.
func recoverErr(what string, err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: %v", what, p)
	}
}
