package revise

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/interpret"
)

// Model is the part of the captioner after the semantic layer:
// *captioner.Model satisfies it; tests use hand-set models in plain Go.
type Model interface {
	// SemanticUnits returns N, the width of a.
	SemanticUnits() int
	// TopicsFrom returns the topic scores ŝ of each row of a.
	TopicsFrom(a [][]float32) ([][]float32, error)
	// DecodeFrom decodes one caption from each row of a.
	DecodeFrom(a [][]float32, opts captioner.DecodeOptions) ([]captioner.Caption, error)
	// WordLogProbs returns the teacher-forced log-probabilities of the words
	// (and EOS) of captions[i] given a[i].
	WordLogProbs(a [][]float32, captions []string) ([][]float64, error)
}

// Reviser explains and revises captions of one model. Its methods do not
// change it: every call is a function of its arguments, so one Reviser can
// serve a notebook widget, the CLI and a measurement. Like the captioner it
// wraps, it is not safe for concurrent use.
type Reviser struct {
	Model Model
	// Topics maps topics to units (needed for topic requests, and to label
	// units in explanations).
	Topics *UnitTopics
	// Stats gives the boost levels (needed for boosts).
	Stats *Stats
	// Decode says how captions are decoded (zero value: greedy).
	Decode captioner.DecodeOptions
	// MaxUnitsPerTopic caps the units a topic request edits, strongest label
	// first (0: all the topic's units).
	MaxUnitsPerTopic int
	// TopicsPerUnit widens the units of a topic to those that count it among
	// their TopicsPerUnit best topics (UnitTopics.UnitsForTop; 0 or 1: only
	// the units labelled with it).
	TopicsPerUnit int
	// Marginal holds the units' training distributions, which Explain's PDM
	// marginalises over (needed for Explain); VocabSize is the decoder's
	// vocabulary size, for Laplace's correction of word probabilities (0:
	// none).
	Marginal  *interpret.Marginal
	VocabSize int
	// ConceptTopics maps a ground-truth concept ("color:red") to the names
	// of the topics that stand for it, for Measure on a model trained on
	// topic labels (e.g. LDA's) rather than on the concepts themselves
	// (nil: a concept's topic is the one named like it).
	ConceptTopics map[string][]string
	// Head is the affine topic head W_a, for MapHead requests (nil: probed
	// from the model when needed).
	Head *interpret.Affine
}

// NewReviser returns a reviser of m with greedy decoding.
func NewReviser(m Model, topics *UnitTopics, stats *Stats) *Reviser {
	return &Reviser{Model: m, Topics: topics, Stats: stats, Decode: captioner.Greedy()}
}

// decodeOptions returns r.Decode with the greedy default.
func (r *Reviser) decodeOptions() captioner.DecodeOptions {
	o := r.Decode
	if o.Beam < 1 {
		o.Beam = 1
	}
	return o
}

// units returns N, checking the model.
func (r *Reviser) units() (int, error) {
	if r == nil || r.Model == nil {
		return 0, fmt.Errorf("revise: no model")
	}
	n := r.Model.SemanticUnits()
	if r.Topics != nil && r.Topics.Units() != n {
		return 0, fmt.Errorf("revise: the unit topics cover %d units; the model has %d", r.Topics.Units(), n)
	}
	if r.Stats != nil && len(r.Stats.High) != n {
		return 0, fmt.Errorf("revise: the unit statistics cover %d units; the model has %d", len(r.Stats.High), n)
	}
	return n, nil
}

// TopicUnits returns the units a request for topic (name or index) edits,
// strongest label first, at most MaxUnitsPerTopic.
func (r *Reviser) TopicUnits(topic string) (int, []int, error) {
	if r.Topics == nil {
		return 0, nil, fmt.Errorf("topic %q: no unit interpretations to map topics to units (edit units by number)", topic)
	}
	k, err := r.Topics.TopicIndex(topic)
	if err != nil {
		return 0, nil, err
	}
	return k, r.unitsOfTopic(k), nil
}

// unitsOfTopic returns the units a request for topic k edits.
func (r *Reviser) unitsOfTopic(k int) []int {
	us := r.Topics.UnitsForTop(k, r.TopicsPerUnit)
	if r.MaxUnitsPerTopic > 0 && len(us) > r.MaxUnitsPerTopic {
		us = us[:r.MaxUnitsPerTopic]
	}
	return us
}

// boostLevel returns the value a boost of strength s sets unit i to.
func (r *Reviser) boostLevel(i int, s float64) (float64, error) {
	if r.Stats == nil {
		return 0, fmt.Errorf("boosting unit %d: no unit statistics to take its high activation from", i)
	}
	h := r.Stats.High[i]
	if h <= 0 {
		return 0, fmt.Errorf("boosting unit %d: the unit is never active on the training clips; set it to a value instead", i)
	}
	return s * float64(h), nil
}

// Resolve turns a request into unit edits, in this order: the units of the
// None topics set to 0, those of the More topics boosted (or, with Map =
// MapHead, one add edit per active unit along the topic head's direction),
// the Suppress units set to 0, the Boost units boosted, then the explicit
// Edits (so a later edit of the same unit wins). It fails with a message naming the
// problem on an unknown unit or topic, a topic no unit is interpreted as,
// or a non-finite value.
func (r *Reviser) Resolve(q Request) ([]Edit, error) {
	n, err := r.units()
	if err != nil {
		return nil, err
	}
	s, err := q.strength()
	if err != nil {
		return nil, fmt.Errorf("revise: %w", err)
	}
	var edits []Edit
	topic := func(name string, more bool) error {
		k, us, err := r.TopicUnits(name)
		if err != nil {
			return err
		}
		if len(us) == 0 {
			return fmt.Errorf("no unit is interpreted as topic %q (labels: %s); edit units by number instead", r.Topics.Topics[k], r.Topics.Source)
		}
		for _, i := range us {
			if !more {
				edits = append(edits, Edit{Unit: i, Op: OpSet, Value: 0, Reason: "none of " + r.Topics.Topics[k]})
				continue
			}
			v, err := r.boostLevel(i, s)
			if err != nil {
				return err
			}
			edits = append(edits, Edit{Unit: i, Op: OpSet, Value: v, Reason: "more of " + r.Topics.Topics[k]})
		}
		return nil
	}
	switch q.Map {
	case MapUnits, "":
		for _, t := range q.None {
			if err := topic(t, false); err != nil {
				return nil, fmt.Errorf("revise: none of %q: %w", t, err)
			}
		}
		for _, t := range q.More {
			if err := topic(t, true); err != nil {
				return nil, fmt.Errorf("revise: more of %q: %w", t, err)
			}
		}
	case MapHead:
		if len(q.None)+len(q.More) > 0 {
			if r.Topics == nil {
				return nil, fmt.Errorf("revise: no topic names to map topics to")
			}
			index := func(names []string) ([]int, error) {
				var ks []int
				for _, t := range names {
					k, err := r.Topics.TopicIndex(t)
					if err != nil {
						return nil, err
					}
					ks = append(ks, k)
				}
				return ks, nil
			}
			more, err := index(q.More)
			if err != nil {
				return nil, fmt.Errorf("revise: more of: %w", err)
			}
			none, err := index(q.None)
			if err != nil {
				return nil, fmt.Errorf("revise: none of: %w", err)
			}
			d, step, err := r.steerDirection(more, none, s)
			if err != nil {
				return nil, fmt.Errorf("revise: %w", err)
			}
			var parts []string
			if len(q.More) > 0 {
				parts = append(parts, "towards "+strings.Join(q.More, ", "))
			}
			if len(q.None) > 0 {
				parts = append(parts, "away from "+strings.Join(q.None, ", "))
			}
			edits = append(edits, steerEdits(d, step, "steer "+strings.Join(parts, " and "))...)
		}
	default:
		return nil, fmt.Errorf("revise: map %q; expected %q or %q", q.Map, MapUnits, MapHead)
	}
	for _, i := range q.Suppress {
		edits = append(edits, Edit{Unit: i, Op: OpSet, Value: 0, Reason: "suppress"})
	}
	for _, i := range q.Boost {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("revise: boost: unit %d does not exist: the semantic layer has units 0..%d", i, n-1)
		}
		v, err := r.boostLevel(i, s)
		if err != nil {
			return nil, fmt.Errorf("revise: %w", err)
		}
		edits = append(edits, Edit{Unit: i, Op: OpSet, Value: v, Reason: "boost"})
	}
	edits = append(edits, q.Edits...)
	if err := CheckEdits(edits, n); err != nil {
		return nil, fmt.Errorf("revise: %w", err)
	}
	return edits, nil
}

// TopicScore is a topic with its score ŝ.
type TopicScore struct {
	Topic string  `json:"topic"`
	Score float64 `json:"score"`
}

// Revision is one revised caption: what was asked, the unit edits it
// resolved to, and the captions before and after.
type Revision struct {
	Clip string `json:"clip"`
	// Request is what was asked (nil when edits were given directly).
	Request *Request `json:"request,omitempty"`
	// Edits are the unit edits applied, in order; replaying them reproduces
	// After.
	Edits []Edit `json:"edits"`
	// Before and After are the decoded captions without and with the edits;
	// Changes their word-level difference.
	Before  string       `json:"before"`
	After   string       `json:"after"`
	Changes []WordChange `json:"changes"`
	// TopicsBefore and TopicsAfter are the three highest topic scores.
	TopicsBefore []TopicScore `json:"topics_before,omitempty"`
	TopicsAfter  []TopicScore `json:"topics_after,omitempty"`
	// Beam, MaxWords and LengthPenalty are the decoding options used.
	Beam          int     `json:"beam"`
	MaxWords      int     `json:"max_words,omitempty"`
	LengthPenalty float64 `json:"length_penalty,omitempty"`
}

// Changed reports whether the edits changed the caption.
func (v *Revision) Changed() bool { return v.Before != v.After }

// Marked returns the new caption with its changes marked: "[-removed-]",
// "{+added+}".
func (v *Revision) Marked() string { return MarkChanges(v.Changes) }

// String formats the revision on three lines: edits, before, after
// (marked).
func (v *Revision) String() string {
	es := make([]string, len(v.Edits))
	for k, e := range v.Edits {
		es[k] = e.String()
	}
	return fmt.Sprintf("clip %s, edits: %s\nbefore: %s\nafter:  %s", v.Clip, strings.Join(es, ", "), v.Before, v.Marked())
}

// Revise resolves q and applies it to the clip's semantic layer a.
func (r *Reviser) Revise(clip string, a []float32, q Request) (*Revision, error) {
	edits, err := r.Resolve(q)
	if err != nil {
		return nil, err
	}
	revs, err := r.ApplyBatch([]string{clip}, [][]float32{a}, [][]Edit{edits})
	if err != nil {
		return nil, err
	}
	qq := q
	revs[0].Request = &qq
	return revs[0], nil
}

// Apply applies edits to the clip's semantic layer a and re-decodes.
func (r *Reviser) Apply(clip string, a []float32, edits []Edit) (*Revision, error) {
	revs, err := r.ApplyBatch([]string{clip}, [][]float32{a}, [][]Edit{edits})
	if err != nil {
		return nil, err
	}
	return revs[0], nil
}

// ApplyBatch applies edits[c] to clip c's semantic layer as[c] for every
// clip, decoding all captions before and after in one call of the model.
func (r *Reviser) ApplyBatch(clips []string, as [][]float32, edits [][]Edit) (revs []*Revision, err error) {
	defer recoverErr("revise", &err)
	n, err := r.units()
	if err != nil {
		return nil, err
	}
	if len(clips) != len(as) || len(as) != len(edits) {
		return nil, fmt.Errorf("revise: %d clips, %d rows of a and %d edit lists", len(clips), len(as), len(edits))
	}
	rows := make([][]float32, 0, 2*len(as))
	for c, a := range as {
		if len(a) != n {
			return nil, fmt.Errorf("revise: clip %s: a has %d units; the model has %d", clips[c], len(a), n)
		}
		ed, err := ApplyEdits(a, edits[c])
		if err != nil {
			return nil, fmt.Errorf("revise: clip %s: %w", clips[c], err)
		}
		rows = append(rows, a, ed)
	}
	opts := r.decodeOptions()
	caps, err := r.Model.DecodeFrom(rows, opts)
	if err != nil {
		return nil, fmt.Errorf("revise: %w", err)
	}
	if len(caps) != len(rows) {
		return nil, fmt.Errorf("revise: the model decoded %d captions for %d rows", len(caps), len(rows))
	}
	var topics [][]float32
	if r.Topics != nil {
		if topics, err = r.Model.TopicsFrom(rows); err != nil {
			return nil, fmt.Errorf("revise: %w", err)
		}
	}
	out := make([]*Revision, len(as))
	for c := range as {
		v := &Revision{Clip: clips[c], Edits: slices.Clone(edits[c]), Before: caps[2*c].Text(), After: caps[2*c+1].Text(),
			Beam: opts.Beam, MaxWords: opts.MaxWords, LengthPenalty: opts.LengthPenalty}
		if v.Edits == nil {
			v.Edits = []Edit{}
		}
		v.Changes = DiffWords(v.Before, v.After)
		if topics != nil {
			v.TopicsBefore = topTopics(r.Topics.Topics, topics[2*c], 3)
			v.TopicsAfter = topTopics(r.Topics.Topics, topics[2*c+1], 3)
		}
		out[c] = v
	}
	return out, nil
}

// Replay re-applies a saved revision's edits to the clip's semantic layer a
// with the revision's decoding options; same reports whether it reproduces
// the saved captions.
func (r *Reviser) Replay(v *Revision, a []float32) (got *Revision, same bool, err error) {
	if v.Request != nil {
		if err := r.checkRequest(*v.Request); err != nil {
			return nil, false, fmt.Errorf("replaying the revision of clip %s: its request: %w", v.Clip, err)
		}
	}
	rr := *r
	rr.Decode = captioner.DecodeOptions{Beam: v.Beam, MaxWords: v.MaxWords, LengthPenalty: v.LengthPenalty}
	got, err = rr.Apply(v.Clip, a, v.Edits)
	if err != nil {
		return nil, false, fmt.Errorf("replaying the revision of clip %s: %w", v.Clip, err)
	}
	got.Request = v.Request
	return got, got.Before == v.Before && got.After == v.After, nil
}

// checkRequest verifies a saved request against the model: its units exist,
// its topics are the model's, its strength is a finite number ≥ 0.
func (r *Reviser) checkRequest(q Request) error {
	n, err := r.units()
	if err != nil {
		return err
	}
	for _, list := range []struct {
		name  string
		units []int
	}{{"suppress", q.Suppress}, {"boost", q.Boost}} {
		for _, u := range list.units {
			if u < 0 || u >= n {
				return fmt.Errorf("%s: unit %d does not exist: the semantic layer has units 0..%d", list.name, u, n-1)
			}
		}
	}
	if err := CheckEdits(q.Edits, n); err != nil {
		return err
	}
	if _, err := q.strength(); err != nil {
		return err
	}
	if r.Topics != nil {
		for _, name := range append(slices.Clone(q.None), q.More...) {
			if _, err := r.Topics.TopicIndex(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// topTopics returns the k highest scores of s.
func topTopics(names []string, s []float32, k int) []TopicScore {
	out := make([]TopicScore, 0, len(s))
	for i, v := range s {
		name := fmt.Sprint(i)
		if i < len(names) {
			name = names[i]
		}
		out = append(out, TopicScore{Topic: name, Score: float64(v)})
	}
	slices.SortStableFunc(out, func(x, y TopicScore) int { return cmp.Compare(y.Score, x.Score) })
	return out[:min(k, len(out))]
}
