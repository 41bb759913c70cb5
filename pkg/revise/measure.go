package revise

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// DefaultFamilies are the concept families whose wrong mentions Measure
// revises by default, those of the synthetic corpus: colour, shape and
// motion. A ground truth with none of them (one derived from references,
// say) has all its families revised (see MeasureFamilies).
var DefaultFamilies = []string{"color", "shape", "motion"}

// MeasureFamilies returns the families Measure revises by default on gt:
// those of DefaultFamilies that gt has, in that order, or, when gt has none
// of them, all of gt's families in its order.
func MeasureFamilies(gt *dataset.GroundTruth) []string {
	names := gt.FamilyNames()
	var out []string
	for _, f := range DefaultFamilies {
		if slices.Contains(names, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return names
	}
	return out
}

// MeasureConfig configures Measure.
type MeasureConfig struct {
	// Families are the concept families revised (default: MeasureFamilies
	// of the ground truth).
	Families []string `json:"families"`
	// Strength is the boost strength of the rule (0 = 1).
	Strength float64 `json:"strength"`
	// Steps, if not empty, replace Strength with what a person at a slider
	// does: raise the boost through these strengths (ascending) and stop at
	// the first whose caption is fixed (or at the last, where a case that no
	// step fixes is judged). The halves of the rule are judged at the
	// strength the rule stopped at; steering stops at its own first fix.
	// Every random control gets the same search as the edit it is compared
	// with: each random draw is one fixed choice (the same units, or the
	// same direction, at every strength; the draws do not depend on the
	// strength), its strength rises through the same steps, and it stops at
	// its own first fix and is judged there (or at the last step if none
	// fixes it). The random units (Case.Random, Case.RandomOther) are
	// searched like the rule, the random directions (Case.RandomSteer) like
	// steering.
	Steps []float64 `json:"steps,omitempty"`
	// RandomDraws is the number of random edits per case and control
	// (default 5).
	RandomDraws int `json:"random_draws"`
	// Seed seeds the random edits. A case's draws come from generators
	// seeded by Seed and the case's index, consumed alike at every strength:
	// draw d of a case is the same at every strength.
	Seed uint64 `json:"seed"`
}

// withDefaults fills in the defaults; the families' default depends on gt.
func (c MeasureConfig) withDefaults(gt *dataset.GroundTruth) MeasureConfig {
	if len(c.Families) == 0 {
		c.Families = MeasureFamilies(gt)
	}
	if c.Strength == 0 {
		c.Strength = 1
	}
	if c.RandomDraws <= 0 {
		c.RandomDraws = 5
	}
	return c
}

// Case is one clip whose caption names a concept the clip does not have,
// and what the revision rule and random edits did to it.
type Case struct {
	Clip   string `json:"clip"`
	Family string `json:"family"`
	// Wrong is the wrongly named concept, Right the clip's concept of the
	// same family that the rule asks for.
	Wrong string `json:"wrong"`
	Right string `json:"right"`
	// Before is the caption, After the caption revised by the rule.
	Before string `json:"before"`
	After  string `json:"after"`
	// Suppressed and Boosted count the units the rule edited.
	Suppressed int `json:"suppressed"`
	Boosted    int `json:"boosted"`
	// Edits are the rule's unit edits.
	Edits []Edit `json:"edits"`
	// Strength is the boost strength of the rule's edits (with
	// MeasureConfig.Steps, where it stopped); SteerStrength that of
	// steering.
	Strength      float64 `json:"strength"`
	SteerStrength float64 `json:"steer_strength"`
	// Outcome of the rule.
	Outcome
	// SuppressOnly and BoostOnly are the outcomes of half of the rule.
	SuppressOnly Outcome `json:"suppress_only"`
	BoostOnly    Outcome `json:"boost_only"`
	// Random is the mean outcome of editing random active units, as many
	// suppressed and boosted as the rule's (fractions of the draws). At one
	// strength the draws are judged at Strength; with MeasureConfig.Steps
	// each draw is searched through the steps as the rule is and judged
	// where it stopped (its own first fix, or the last step), and
	// Random.Strength is the mean strength at which the draws stopped.
	Random RandomOutcome `json:"random"`
	// RandomOther is the same with the random units drawn only from the
	// active units the rule does not edit: edits that the interpretations
	// call unrelated to either concept.
	RandomOther RandomOutcome `json:"random_other"`
	// Steer is the outcome of steering a along the topic head instead
	// (MapHead), which edits SteerUnits units; RandomSteer that of moving
	// the same units as far in random directions (with MeasureConfig.Steps,
	// each direction searched through the steps as steering is, like
	// Random).
	Steer       Outcome       `json:"steer"`
	SteerUnits  int           `json:"steer_units"`
	RandomSteer RandomOutcome `json:"random_steer"`
	// SteerEdits and SteerAfter are the steering edits and caption.
	SteerEdits []Edit `json:"steer_edits"`
	SteerAfter string `json:"steer_after"`
	// draws are the single random draws behind Random, RandomOther and
	// RandomSteer (indexed by ctlRandom…), which the stepwise protocol
	// searches one by one; not saved.
	draws [numControls][]draw
}

// Outcome judges one revised caption.
type Outcome struct {
	// Changed: the caption changed. NamesRight: it names the right concept.
	// DropsWrong: it no longer names the wrong one. Fixed: both. Damaged: a
	// concept that was right became wrong: another family that the caption
	// named only correctly before is named wrongly after. NewWrong (broader):
	// the caption names a wrong concept of another family that it did not
	// name before.
	Changed    bool `json:"changed"`
	NamesRight bool `json:"names_right"`
	DropsWrong bool `json:"drops_wrong"`
	Fixed      bool `json:"fixed"`
	Damaged    bool `json:"damaged"`
	NewWrong   bool `json:"new_wrong"`
}

// RandomOutcome is the fraction of random draws with each outcome. With
// MeasureConfig.Steps, each draw is judged at the step where it stopped
// (its own first fix, or the last step), and Strength is the mean strength
// at which the draws stopped (0, and left out of the JSON, at one strength).
type RandomOutcome struct {
	Changed, Fixed, Damaged float64
	Strength                float64 `json:",omitempty"`
}

// add counts outcome o with weight w.
func (r *RandomOutcome) add(o Outcome, w float64) {
	r.Changed += b2f(o.Changed) * w
	r.Fixed += b2f(o.Fixed) * w
	r.Damaged += b2f(o.Damaged) * w
}

// Summary aggregates cases.
type Summary struct {
	Family string `json:"family"`
	Cases  int    `json:"cases"`
	// Rates of the rule's outcomes over the cases.
	FixRate, DamageRate, ChangedRate, NamesRightRate, DropsWrongRate, NewWrongRate float64
	// Rates of the halves of the rule.
	SuppressOnlyFixRate, BoostOnlyFixRate float64
	// Rates of random edits of the same counts, of any active units and of
	// active units outside the rule's (with MeasureConfig.Steps, each draw
	// searched through the steps like the rule and judged where it
	// stopped).
	RandomFixRate, RandomDamageRate, RandomChangedRate float64
	RandomOtherFixRate, RandomOtherDamageRate          float64
	// MeanUnits is the mean number of units edited; NoUnits counts cases
	// where no unit is interpreted as either concept.
	MeanUnits float64 `json:"mean_units"`
	NoUnits   int     `json:"no_units"`
	// Steering along the topic head, and random directions (with
	// MeasureConfig.Steps, each searched through the steps like steering).
	SteerFixRate, SteerDamageRate, SteerNewWrongRate, SteerMeanUnits float64
	RandomSteerFixRate, RandomSteerDamageRate                        float64
	// MeanStrength and SteerMeanStrength are the mean boost strengths (of
	// interest with MeasureConfig.Steps).
	MeanStrength, SteerMeanStrength float64
	// RandomMeanStrength, RandomOtherMeanStrength and
	// RandomSteerMeanStrength are, with MeasureConfig.Steps, the mean
	// strengths at which the random draws of each control stopped, over
	// cases and draws (0, and left out of the JSON, at one strength).
	RandomMeanStrength      float64 `json:",omitempty"`
	RandomOtherMeanStrength float64 `json:",omitempty"`
	RandomSteerMeanStrength float64 `json:",omitempty"`
}

// Measurement is the outcome of Measure.
type Measurement struct {
	Config MeasureConfig `json:"config"`
	// Clips is the number of clips captioned; Labels the source of the unit
	// labels.
	Clips  int    `json:"clips"`
	Labels string `json:"labels"`
	// All sums every case; ByFamily per family of the wrong concept.
	All      Summary   `json:"all"`
	ByFamily []Summary `json:"by_family"`
	Cases    []Case    `json:"cases"`
	// AtSteps, with MeasureConfig.Steps, summarizes the measurement at each
	// step's fixed strength.
	AtSteps []StepSummary `json:"at_steps,omitempty"`
}

// StepSummary is the summary of a measurement at one fixed strength.
type StepSummary struct {
	Strength float64   `json:"strength"`
	All      Summary   `json:"all"`
	ByFamily []Summary `json:"by_family"`
}

// FindCase returns the case of clip, whose caption is caption, if the
// caption names a concept of one of families that the clip does not have
// (by gt: the first such family in order, the first such concept in
// gt.Concepts order), and the concept the caption should have named
// instead: the clip's first concept of that family the caption does not
// name (or its first of the family). ok is false if the caption names no
// wrong concept of those families.
func FindCase(gt *dataset.GroundTruth, clip, caption string, families []string) (c Case, ok bool) {
	named := gt.ConceptsInCaption(caption)
	present := gt.ByClip[clip]
	for _, fam := range families {
		var wrong string
		for _, n := range named {
			if dataset.FamilyOf(n) == fam && !slices.Contains(present, n) {
				wrong = n
				break
			}
		}
		if wrong == "" {
			continue
		}
		right := ""
		for _, p := range present {
			if dataset.FamilyOf(p) == fam && !slices.Contains(named, p) {
				right = p
				break
			}
		}
		if right == "" {
			for _, p := range present {
				if dataset.FamilyOf(p) == fam {
					right = p
					break
				}
			}
		}
		if right == "" {
			continue
		}
		return Case{Clip: clip, Family: fam, Wrong: wrong, Right: right, Before: caption}, true
	}
	return Case{}, false
}

// Judge scores after, a revised caption of case c (of clip c.Clip), by gt.
func Judge(gt *dataset.GroundTruth, c Case, after string) Outcome {
	before := gt.ConceptsInCaption(c.Before)
	now := gt.ConceptsInCaption(after)
	o := Outcome{Changed: after != c.Before, NamesRight: slices.Contains(now, c.Right), DropsWrong: !slices.Contains(now, c.Wrong)}
	o.Fixed = o.NamesRight && o.DropsWrong
	// Per family: named at all, named wrongly.
	type state struct{ named, wrong bool }
	fams := func(cs []string) map[string]state {
		m := map[string]state{}
		for _, n := range cs {
			fam := dataset.FamilyOf(n)
			st := m[fam]
			st.named = true
			st.wrong = st.wrong || !gt.Has(c.Clip, n)
			m[fam] = st
		}
		return m
	}
	fb, fa := fams(before), fams(now)
	for fam, st := range fa {
		if fam == c.Family || !st.wrong {
			continue
		}
		if b := fb[fam]; b.named && !b.wrong {
			o.Damaged = true
		}
	}
	for _, n := range now {
		if dataset.FamilyOf(n) != c.Family && !gt.Has(c.Clip, n) && !slices.Contains(before, n) {
			o.NewWrong = true
		}
	}
	return o
}

// Measure applies the automatic revision rule to every clip of ids (with
// semantic layers a) whose caption names a wrong concept by the
// ground truth gt: suppress the units interpreted as the wrong concept's
// topic, boost those of the right one (a concept's topics are those
// Reviser.ConceptTopics lists, or the topic named like it, as the synthetic
// corpus' concept targets are). It compares the rule with its halves and
// with cfg.RandomDraws random edits of as many active units, and aggregates
// fix and damage rates. All captions are decoded in two calls of the model.
//
// With cfg.Steps it measures at every step and keeps, per case, the first
// step that fixes it, and per random draw the first step that fixes that
// draw (see MeasureConfig.Steps). Every step decodes every edit anyway (for
// Measurement.AtSteps), so searching the random draws costs no decoding.
func Measure(r *Reviser, gt *dataset.GroundTruth, ids []string, a [][]float32, cfg MeasureConfig) (*Measurement, error) {
	if gt == nil {
		return nil, fmt.Errorf("measuring revisions: no ground truth to tell which captions are wrong")
	}
	cfg = cfg.withDefaults(gt)
	known := gt.FamilyNames()
	for _, f := range cfg.Families {
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("measuring revisions: the ground truth has no concept family %q (its families: %s)", f, strings.Join(known, ", "))
		}
	}
	if len(cfg.Steps) == 0 {
		m, err := measureAt(r, gt, ids, a, cfg)
		if err != nil {
			return nil, err
		}
		m.summarize()
		return m, nil
	}
	for i, s := range cfg.Steps {
		if !(s > 0) || math.IsInf(s, 0) || (i > 0 && s <= cfg.Steps[i-1]) {
			return nil, fmt.Errorf("measuring revisions: strength steps %v; expected finite strengths > 0, ascending", cfg.Steps)
		}
	}
	var ms []*Measurement
	for _, s := range cfg.Steps {
		at := cfg
		at.Strength, at.Steps = s, nil
		m, err := measureAt(r, gt, ids, a, at)
		if err != nil {
			return nil, err
		}
		m.summarize()
		ms = append(ms, m)
	}
	m := &Measurement{Config: cfg, Clips: ms[0].Clips, Labels: ms[0].Labels}
	for _, at := range ms {
		m.AtSteps = append(m.AtSteps, StepSummary{Strength: at.Config.Strength, All: at.All, ByFamily: at.ByFamily})
	}
	first := func(k int, fixed func(Case) bool) int {
		for j := range ms {
			if fixed(ms[j].Cases[k]) {
				return j
			}
		}
		return len(ms) - 1
	}
	for j := range ms {
		if !slices.EqualFunc(ms[j].Cases, ms[0].Cases, func(x, y Case) bool { return x.Clip == y.Clip }) {
			return nil, fmt.Errorf("measuring revisions: the cases differ between strengths %v and %v", cfg.Steps[0], cfg.Steps[j])
		}
	}
	for k := range ms[0].Cases {
		cs := ms[first(k, func(c Case) bool { return c.Fixed })].Cases[k]
		st := ms[first(k, func(c Case) bool { return c.Steer.Fixed })].Cases[k]
		cs.Steer, cs.SteerUnits, cs.SteerEdits, cs.SteerAfter, cs.SteerStrength =
			st.Steer, st.SteerUnits, st.SteerEdits, st.SteerAfter, st.SteerStrength
		// Each random draw searched alike, stopping at its own first fix.
		for c, out := range []*RandomOutcome{ctlRandom: &cs.Random, ctlRandomOther: &cs.RandomOther, ctlRandomSteer: &cs.RandomSteer} {
			o, err := searchDraws(ms, k, c)
			if err != nil {
				return nil, err
			}
			*out = o
		}
		cs.draws = [numControls][]draw{}
		m.Cases = append(m.Cases, cs)
	}
	m.summarize()
	return m, nil
}

// measureAt is Measure at one strength, cfg.Strength, without the summaries.
func measureAt(r *Reviser, gt *dataset.GroundTruth, ids []string, a [][]float32, cfg MeasureConfig) (m *Measurement, err error) {
	defer recoverErr("measuring revisions", &err)
	if _, err := r.units(); err != nil {
		return nil, err
	}
	if r.Topics == nil || r.Stats == nil {
		return nil, fmt.Errorf("measuring revisions: the reviser needs unit topics and statistics")
	}
	if len(ids) != len(a) {
		return nil, fmt.Errorf("measuring revisions: %d ids for %d rows of a", len(ids), len(a))
	}
	if r.Head == nil { // probe the topic head once, not per case
		head, err := r.headWeights()
		if err != nil {
			return nil, fmt.Errorf("measuring revisions: %w", err)
		}
		rr := *r
		rr.Head = head
		r = &rr
	}
	for _, id := range ids {
		if _, ok := gt.ByClip[id]; !ok {
			return nil, fmt.Errorf("measuring revisions: clip %q has no ground truth (it covers %d clips)", id, len(gt.ByClip))
		}
	}
	caps, err := r.Model.DecodeFrom(a, r.decodeOptions())
	if err != nil {
		return nil, fmt.Errorf("measuring revisions: %w", err)
	}
	m = &Measurement{Config: cfg, Clips: len(ids), Labels: r.Topics.Source}
	var alive []int
	for i, h := range r.Stats.High {
		if h > 0 {
			alive = append(alive, i)
		}
	}
	// Rows to decode: per case the rule, its two halves, the random draws,
	// steering, its random directions and the random draws outside the
	// rule's units.
	perCase := 4 + 3*cfg.RandomDraws
	var rows [][]float32
	for ci, id := range ids {
		cs, ok := FindCase(gt, id, caps[ci].Text(), cfg.Families)
		if !ok {
			continue
		}
		sup, err := r.conceptUnits(cs.Wrong)
		if err != nil {
			return nil, err
		}
		boo, err := r.conceptUnits(cs.Right)
		if err != nil {
			return nil, err
		}
		cs.Suppressed, cs.Boosted = len(sup), len(boo)
		supEdits := make([]Edit, len(sup))
		for k, i := range sup {
			supEdits[k] = Edit{Unit: i, Op: OpSet, Value: 0, Reason: "none of " + cs.Wrong}
		}
		booEdits := make([]Edit, len(boo))
		for k, i := range boo {
			booEdits[k] = Edit{Unit: i, Op: OpSet, Value: cfg.Strength * float64(r.Stats.High[i]), Reason: "more of " + cs.Right}
		}
		cs.Edits = append(slices.Clone(supEdits), booEdits...)
		cs.Strength, cs.SteerStrength = cfg.Strength, cfg.Strength
		variants := [][]Edit{cs.Edits, supEdits, booEdits}
		// The draws depend on the seed, the case's index and the draw's
		// index, not on the strength: the generators consume the same
		// (shuffles of the same pools, directions over the same units)
		// whatever the strength, so the stepwise protocol can search each
		// draw (searchDraws checks that they agree).
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(len(m.Cases))))
		for range cfg.RandomDraws {
			ed := r.randomEdits(alive, len(sup), len(boo), cfg.Strength, rng)
			cs.draws[ctlRandom] = append(cs.draws[ctlRandom], draw{units: editedUnits(ed)})
			variants = append(variants, ed)
		}
		kw, _ := r.conceptTopics(cs.Wrong)
		kr, _ := r.conceptTopics(cs.Right)
		var d []float64
		var step float64
		if len(kw)+len(kr) > 0 {
			var err error
			if d, step, err = r.steerDirection(kr, kw, cfg.Strength); err != nil && !errors.Is(err, errNoDirection) {
				return nil, fmt.Errorf("measuring revisions: clip %s: %w", id, err)
			}
		}
		if d == nil {
			// No topic stands for either concept, or no active unit carries
			// them: nothing to steer along (the steered and random-steered
			// captions stay unchanged, and count as not fixed).
			for range 1 + cfg.RandomDraws {
				variants = append(variants, nil)
			}
			cs.draws[ctlRandomSteer] = make([]draw, cfg.RandomDraws)
		} else {
			steer := steerEdits(d, step, "steer "+cs.Right+" − "+cs.Wrong)
			cs.SteerUnits, cs.SteerEdits = len(steer), steer
			variants = append(variants, steer)
			for range cfg.RandomDraws {
				dir := randomDirection(d, rng)
				ed := steerEdits(dir, step, "random")
				cs.draws[ctlRandomSteer] = append(cs.draws[ctlRandomSteer], draw{units: editedUnits(ed), dir: hashDirection(dir)})
				variants = append(variants, ed)
			}
		}
		// Its own generator, so that the draws above do not depend on this
		// control.
		others := slices.DeleteFunc(slices.Clone(alive), func(u int) bool { return slices.Contains(sup, u) || slices.Contains(boo, u) })
		rngOther := rand.New(rand.NewPCG(cfg.Seed, uint64(len(m.Cases))|1<<63))
		for range cfg.RandomDraws {
			ed := r.randomEdits(others, len(sup), len(boo), cfg.Strength, rngOther)
			cs.draws[ctlRandomOther] = append(cs.draws[ctlRandomOther], draw{units: editedUnits(ed)})
			variants = append(variants, ed)
		}
		for _, ed := range variants {
			row, err := ApplyEdits(a[ci], ed)
			if err != nil {
				return nil, fmt.Errorf("measuring revisions: clip %s: %w", id, err)
			}
			rows = append(rows, row)
		}
		m.Cases = append(m.Cases, cs)
	}
	if len(rows) > 0 {
		after, err := r.Model.DecodeFrom(rows, r.decodeOptions())
		if err != nil {
			return nil, fmt.Errorf("measuring revisions: %w", err)
		}
		for k := range m.Cases {
			cs := &m.Cases[k]
			out := after[k*perCase : (k+1)*perCase]
			cs.After = out[0].Text()
			cs.Outcome = Judge(gt, *cs, cs.After)
			cs.SuppressOnly = Judge(gt, *cs, out[1].Text())
			cs.BoostOnly = Judge(gt, *cs, out[2].Text())
			w := 1 / float64(cfg.RandomDraws)
			judge := func(c int, into *RandomOutcome, outs []captioner.Caption) {
				for d, o := range outs {
					oc := Judge(gt, *cs, o.Text())
					into.add(oc, w)
					cs.draws[c][d].outcome = oc
				}
			}
			judge(ctlRandom, &cs.Random, out[3:3+cfg.RandomDraws])
			cs.SteerAfter = out[3+cfg.RandomDraws].Text()
			cs.Steer = Judge(gt, *cs, cs.SteerAfter)
			judge(ctlRandomSteer, &cs.RandomSteer, out[4+cfg.RandomDraws:4+2*cfg.RandomDraws])
			judge(ctlRandomOther, &cs.RandomOther, out[4+2*cfg.RandomDraws:])
		}
	}
	return m, nil
}

// conceptUnits returns the units interpreted as a concept's topic, at most
// MaxUnitsPerTopic; a concept that is not a topic name is an error.
func (r *Reviser) conceptUnits(concept string) ([]int, error) {
	ks, err := r.conceptTopics(concept)
	if err != nil {
		return nil, err
	}
	var units []int
	for _, k := range ks {
		for _, u := range r.unitsOfTopic(k) {
			if !slices.Contains(units, u) {
				units = append(units, u)
			}
		}
	}
	return units, nil
}

// conceptTopics returns the indices of the topics that stand for a concept:
// those ConceptTopics lists for it, or else the topic named like it. With
// ConceptTopics, a concept no topic stands for has none (no error).
func (r *Reviser) conceptTopics(concept string) ([]int, error) {
	if r.ConceptTopics != nil {
		var ks []int
		for _, name := range r.ConceptTopics[concept] {
			k := slices.Index(r.Topics.Topics, name)
			if k < 0 {
				return nil, fmt.Errorf("measuring revisions: concept %q maps to topic %q, which the model does not have (its topics: %s)",
					concept, name, strings.Join(quoteAll(r.Topics.Topics[:min(5, len(r.Topics.Topics))]), ", ")+", …")
			}
			ks = append(ks, k)
		}
		return ks, nil
	}
	k := slices.Index(r.Topics.Topics, concept)
	if k < 0 {
		return nil, fmt.Errorf("measuring revisions: the model has no topic named %q; Measure needs a model whose targets are the ground truth's concepts (the synthetic corpus' default), or a concept → topics map (Reviser.ConceptTopics, --concept-topics)", concept)
	}
	return []int{k}, nil
}
