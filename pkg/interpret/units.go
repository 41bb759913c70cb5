package interpret

import (
	"cmp"
	"fmt"
	"slices"
)

// SummaryConfig says how much of each unit's interpretation to keep.
type SummaryConfig struct {
	// TopK is the number of top topics (or words) listed per unit (0: 5).
	TopK int
	// TopClips is the number of top-activating clips listed per unit (0: 4).
	TopClips int
	// MinWordCount is the number of occurrences in active clips a word needs
	// to be ranked (words target; 0: 3), so that a word seen once does not
	// top a unit by chance.
	MinWordCount int
}

func (c SummaryConfig) withDefaults() SummaryConfig {
	if c.TopK <= 0 {
		c.TopK = 5
	}
	if c.TopClips <= 0 {
		c.TopClips = 4
	}
	if c.MinWordCount <= 0 {
		c.MinWordCount = 3
	}
	return c
}

// Scored is a named output with its mean score.
type Scored struct {
	Name  string  `json:"name"`
	Index int     `json:"index"` // topic index (−1 for words)
	Score float64 `json:"score"`
	Count int     `json:"count"` // (clip, position) pairs averaged over
}

// ClipActivation is one clip of a unit with the unit's activation on it.
type ClipActivation struct {
	Clip       int     `json:"clip"` // row of a
	ID         string  `json:"id"`
	Activation float32 `json:"activation"`
}

// Unit is the interpretation of one unit of the semantic layer.
type Unit struct {
	Unit int `json:"unit"`
	// Label is the output with the highest mean score over the clips where
	// the unit is active ("" when the unit is never active or no mean score
	// is positive); LabelIndex its topic index (−1 for none or a word).
	Label      string  `json:"label"`
	LabelIndex int     `json:"label_index"`
	LabelScore float64 `json:"label_score"`
	// Active counts the clips where a > 0; MeanActivation and MaxActivation
	// are over all clips.
	Active         int     `json:"active"`
	MeanActivation float64 `json:"mean_activation"`
	MaxActivation  float64 `json:"max_activation"`
	// TopicScores[k] is the mean score of topic k over the active clips
	// (topic targets; all K, for charts), Topics the TopK best.
	TopicScores []float64 `json:"topic_scores,omitempty"`
	Topics      []Scored  `json:"topics,omitempty"`
	// Words are the TopK words by mean score over their occurrences in the
	// active clips' captions (words target).
	Words []Scored `json:"words,omitempty"`
	// Clips are the TopClips clips of highest activation.
	Clips []ClipActivation `json:"clips"`
	// Ground truth (filled by Agree): the unit's best-IoU concept, its IoU,
	// whether the unit is a detector at the agreement's threshold, and
	// whether Label corresponds to Concept.
	Concept  string  `json:"concept,omitempty"`
	IoU      float64 `json:"iou,omitempty"`
	Detector bool    `json:"detector"`
	Agrees   bool    `json:"agrees"`
}

// Dead reports whether the unit is never active on the clips.
func (u *Unit) Dead() bool { return u.Active == 0 }

// Summarize interprets every unit from scores s of the clips whose semantic
// layer is a (ids names the clips; nil: their row numbers): topics or words
// by mean score over the clips where the unit is active, and the
// top-activating clips.
func Summarize(s *Scores, a [][]float32, ids []string, cfg SummaryConfig) ([]Unit, error) {
	cfg = cfg.withDefaults()
	if s == nil {
		return nil, fmt.Errorf("summarize: no scores")
	}
	if len(a) != s.Clips() {
		return nil, fmt.Errorf("summarize: scores of %d clips for %d rows of a", s.Clips(), len(a))
	}
	if ids != nil && len(ids) != len(a) {
		return nil, fmt.Errorf("summarize: %d ids for %d clips", len(ids), len(a))
	}
	if err := checkRows("summarize", a, s.Units); err != nil {
		return nil, err
	}
	units := make([]Unit, s.Units)
	for i := range units {
		u := &units[i]
		u.Unit, u.LabelIndex = i, -1
		var clips []ClipActivation
		for c := range a {
			v := a[c][i]
			u.MeanActivation += float64(v)
			u.MaxActivation = max(u.MaxActivation, float64(v))
			if v > 0 {
				u.Active++
			}
			id := fmt.Sprint(c)
			if ids != nil {
				id = ids[c]
			}
			clips = append(clips, ClipActivation{Clip: c, ID: id, Activation: v})
		}
		u.MeanActivation /= float64(len(a))
		slices.SortStableFunc(clips, func(x, y ClipActivation) int { return cmp.Compare(y.Activation, x.Activation) })
		for _, ca := range clips[:min(cfg.TopClips, len(clips))] {
			if ca.Activation > 0 {
				u.Clips = append(u.Clips, ca)
			}
		}
		if s.Target == Words {
			summarizeWords(u, s, a, cfg)
		} else {
			summarizeTopics(u, s, a, cfg)
		}
	}
	return units, nil
}

// summarizeTopics fills the topic scores of unit u.
func summarizeTopics(u *Unit, s *Scores, a [][]float32, cfg SummaryConfig) {
	names := s.Outputs[0]
	u.TopicScores = make([]float64, len(names))
	for c := range a {
		if a[c][u.Unit] > 0 {
			for k, v := range s.Unit(c, u.Unit) {
				u.TopicScores[k] += float64(v)
			}
		}
	}
	var all []Scored
	for k := range u.TopicScores {
		if u.Active > 0 {
			u.TopicScores[k] /= float64(u.Active)
		}
		all = append(all, Scored{Name: names[k], Index: k, Score: u.TopicScores[k], Count: u.Active})
	}
	if u.Active == 0 {
		return // a dead unit has no topics
	}
	u.Topics = top(all, cfg.TopK)
	if len(u.Topics) > 0 && u.Topics[0].Score > 0 {
		u.Label, u.LabelIndex, u.LabelScore = u.Topics[0].Name, u.Topics[0].Index, u.Topics[0].Score
	}
}

// summarizeWords fills the word scores of unit u.
func summarizeWords(u *Unit, s *Scores, a [][]float32, cfg SummaryConfig) {
	sum, count := map[string]float64{}, map[string]int{}
	for c := range a {
		if a[c][u.Unit] <= 0 {
			continue
		}
		for j, v := range s.Unit(c, u.Unit) {
			w := s.Outputs[c][j]
			sum[w] += float64(v)
			count[w]++
		}
	}
	var all []Scored
	for w, n := range count {
		if n >= cfg.MinWordCount {
			all = append(all, Scored{Name: w, Index: -1, Score: sum[w] / float64(n), Count: n})
		}
	}
	u.Words = top(all, cfg.TopK)
	if len(u.Words) > 0 && u.Words[0].Score > 0 {
		u.Label, u.LabelScore = u.Words[0].Name, u.Words[0].Score
	}
}

// top returns the k highest scores, ties broken by name.
func top(xs []Scored, k int) []Scored {
	slices.SortFunc(xs, func(x, y Scored) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		return cmp.Compare(x.Name, y.Name)
	})
	return slices.Clone(xs[:min(k, len(xs))])
}
