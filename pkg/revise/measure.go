package revise

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/synth"
)

// DefaultFamilies are the concept families whose wrong mentions Measure
// revises: colour, shape and motion.
var DefaultFamilies = []string{synth.FamilyColor, synth.FamilyShape, synth.FamilyMotion}

// MeasureConfig configures Measure.
type MeasureConfig struct {
	// Families are the concept families revised (default DefaultFamilies).
	Families []string `json:"families"`
	// Strength is the boost strength of the rule (0 = 1).
	Strength float64 `json:"strength"`
	// Steps, if not empty, replace Strength with what a person at a slider
	// does: raise the boost through these strengths (ascending) and stop at
	// the first whose caption is fixed (or at the last). The halves of the
	// rule and the random edits are judged at the strength the rule stopped
	// at; steering stops at its own first fix.
	Steps []float64 `json:"steps,omitempty"`
	// RandomDraws is the number of random edits per case (default 5).
	RandomDraws int `json:"random_draws"`
	// Seed seeds the random edits.
	Seed uint64 `json:"seed"`
}

func (c MeasureConfig) withDefaults() MeasureConfig {
	if len(c.Families) == 0 {
		c.Families = DefaultFamilies
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
	// suppressed and boosted as the rule's (fractions of the draws).
	Random RandomOutcome `json:"random"`
	// RandomOther is the same with the random units drawn only from the
	// active units the rule does not edit: edits that the interpretations
	// call unrelated to either concept.
	RandomOther RandomOutcome `json:"random_other"`
	// Steer is the outcome of steering a along the topic head instead
	// (MapHead), which edits SteerUnits units; RandomSteer that of moving
	// the same units as far in random directions.
	Steer       Outcome       `json:"steer"`
	SteerUnits  int           `json:"steer_units"`
	RandomSteer RandomOutcome `json:"random_steer"`
	// SteerEdits and SteerAfter are the steering edits and caption.
	SteerEdits []Edit `json:"steer_edits"`
	SteerAfter string `json:"steer_after"`
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

// RandomOutcome is the fraction of random draws with each outcome.
type RandomOutcome struct {
	Changed, Fixed, Damaged float64
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
	// active units outside the rule's.
	RandomFixRate, RandomDamageRate, RandomChangedRate float64
	RandomOtherFixRate, RandomOtherDamageRate          float64
	// MeanUnits is the mean number of units edited; NoUnits counts cases
	// where no unit is interpreted as either concept.
	MeanUnits float64 `json:"mean_units"`
	NoUnits   int     `json:"no_units"`
	// Steering along the topic head, and random directions.
	SteerFixRate, SteerDamageRate, SteerNewWrongRate, SteerMeanUnits float64
	RandomSteerFixRate, RandomSteerDamageRate                        float64
	// MeanStrength and SteerMeanStrength are the mean boost strengths (of
	// interest with MeasureConfig.Steps).
	MeanStrength, SteerMeanStrength float64
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

// FindCase returns the case of a clip whose caption names a concept of one
// of families that the clip does not have (the first such family in order,
// the first such concept), and the concept the caption should have named
// instead: the clip's first value of that family the caption does not name
// (or its first value). ok is false if the caption names no wrong concept
// of those families.
func FindCase(clip *synth.Clip, caption string, families []string) (c Case, ok bool) {
	named := synth.ConceptsInCaption(caption)
	present := clip.Concepts()
	for _, fam := range families {
		prefix := fam + ":"
		var wrong string
		for _, n := range named {
			if strings.HasPrefix(n, prefix) && !slices.Contains(present, n) {
				wrong = n
				break
			}
		}
		if wrong == "" {
			continue
		}
		right := ""
		for _, p := range present {
			if strings.HasPrefix(p, prefix) && !slices.Contains(named, p) {
				right = p
				break
			}
		}
		if right == "" {
			for _, p := range present {
				if strings.HasPrefix(p, prefix) {
					right = p
					break
				}
			}
		}
		if right == "" {
			continue
		}
		return Case{Clip: clip.ID, Family: fam, Wrong: wrong, Right: right, Before: caption}, true
	}
	return Case{}, false
}

// Judge scores a revised caption of case c of clip.
func Judge(clip *synth.Clip, c Case, after string) Outcome {
	before := synth.ConceptsInCaption(c.Before)
	now := synth.ConceptsInCaption(after)
	o := Outcome{Changed: after != c.Before, NamesRight: slices.Contains(now, c.Right), DropsWrong: !slices.Contains(now, c.Wrong)}
	o.Fixed = o.NamesRight && o.DropsWrong
	// Per family: named at all, named wrongly.
	type state struct{ named, wrong bool }
	fams := func(cs []string) map[string]state {
		m := map[string]state{}
		for _, n := range cs {
			fam, _, _ := strings.Cut(n, ":")
			st := m[fam]
			st.named = true
			st.wrong = st.wrong || !clip.HasConcept(n)
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
		if !strings.HasPrefix(n, c.Family+":") && !clip.HasConcept(n) && !slices.Contains(before, n) {
			o.NewWrong = true
		}
	}
	return o
}

// Measure applies the automatic revision rule to every clip of ids (with
// semantic layers a, in c) whose caption names a wrong concept: suppress
// the units interpreted as the wrong concept's topic, boost those of the
// right one (topics are named by their concepts, as the synthetic corpus'
// concept targets are). It compares the rule with its halves and with
// cfg.RandomDraws random edits of as many active units, and aggregates fix
// and damage rates. All captions are decoded in two calls of the model.
//
// With cfg.Steps it measures at every step and keeps, per case, the first
// step that fixes it (see MeasureConfig.Steps).
func Measure(r *Reviser, c *synth.Corpus, ids []string, a [][]float32, cfg MeasureConfig) (*Measurement, error) {
	cfg = cfg.withDefaults()
	if len(cfg.Steps) == 0 {
		m, err := measureAt(r, c, ids, a, cfg)
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
		m, err := measureAt(r, c, ids, a, at)
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
		cs.Steer, cs.SteerUnits, cs.RandomSteer, cs.SteerEdits, cs.SteerAfter, cs.SteerStrength =
			st.Steer, st.SteerUnits, st.RandomSteer, st.SteerEdits, st.SteerAfter, st.SteerStrength
		m.Cases = append(m.Cases, cs)
	}
	m.summarize()
	return m, nil
}

// measureAt is Measure at one strength, cfg.Strength, without the summaries.
func measureAt(r *Reviser, c *synth.Corpus, ids []string, a [][]float32, cfg MeasureConfig) (m *Measurement, err error) {
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
	byID := make(map[string]*synth.Clip, len(c.Clips))
	for i := range c.Clips {
		byID[c.Clips[i].ID] = &c.Clips[i]
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
	var caseRow []int // row of a of each case
	for ci, id := range ids {
		clip := byID[id]
		if clip == nil {
			return nil, fmt.Errorf("measuring revisions: clip %q is not in the corpus", id)
		}
		cs, ok := FindCase(clip, caps[ci].Text(), cfg.Families)
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
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(len(m.Cases))))
		for range cfg.RandomDraws {
			variants = append(variants, r.randomEdits(alive, len(sup), len(boo), cfg.Strength, rng))
		}
		kw, _ := r.conceptTopics(cs.Wrong)
		kr, _ := r.conceptTopics(cs.Right)
		if len(kw)+len(kr) == 0 {
			// No topic stands for either concept: nothing to steer along
			// (the steered and random-steered captions stay unchanged).
			for range 1 + cfg.RandomDraws {
				variants = append(variants, nil)
			}
		} else {
			d, step, err := r.steerDirection(kr, kw, cfg.Strength)
			if err != nil {
				return nil, fmt.Errorf("measuring revisions: clip %s: %w", id, err)
			}
			steer := steerEdits(d, step, "steer "+cs.Right+" − "+cs.Wrong)
			cs.SteerUnits, cs.SteerEdits = len(steer), steer
			variants = append(variants, steer)
			for range cfg.RandomDraws {
				variants = append(variants, steerEdits(randomDirection(d, rng), step, "random"))
			}
		}
		// Its own generator, so that the draws above stay what they were
		// before this control was added.
		others := slices.DeleteFunc(slices.Clone(alive), func(u int) bool { return slices.Contains(sup, u) || slices.Contains(boo, u) })
		rngOther := rand.New(rand.NewPCG(cfg.Seed, uint64(len(m.Cases))|1<<63))
		for range cfg.RandomDraws {
			variants = append(variants, r.randomEdits(others, len(sup), len(boo), cfg.Strength, rngOther))
		}
		for _, ed := range variants {
			row, err := ApplyEdits(a[ci], ed)
			if err != nil {
				return nil, fmt.Errorf("measuring revisions: clip %s: %w", id, err)
			}
			rows = append(rows, row)
		}
		m.Cases = append(m.Cases, cs)
		caseRow = append(caseRow, ci)
	}
	if len(rows) > 0 {
		after, err := r.Model.DecodeFrom(rows, r.decodeOptions())
		if err != nil {
			return nil, fmt.Errorf("measuring revisions: %w", err)
		}
		for k := range m.Cases {
			cs := &m.Cases[k]
			clip := byID[ids[caseRow[k]]]
			out := after[k*perCase : (k+1)*perCase]
			cs.After = out[0].Text()
			cs.Outcome = Judge(clip, *cs, cs.After)
			cs.SuppressOnly = Judge(clip, *cs, out[1].Text())
			cs.BoostOnly = Judge(clip, *cs, out[2].Text())
			w := 1 / float64(cfg.RandomDraws)
			for _, o := range out[3 : 3+cfg.RandomDraws] {
				cs.Random.add(Judge(clip, *cs, o.Text()), w)
			}
			cs.SteerAfter = out[3+cfg.RandomDraws].Text()
			cs.Steer = Judge(clip, *cs, cs.SteerAfter)
			for _, o := range out[4+cfg.RandomDraws : 4+2*cfg.RandomDraws] {
				cs.RandomSteer.add(Judge(clip, *cs, o.Text()), w)
			}
			for _, o := range out[4+2*cfg.RandomDraws:] {
				cs.RandomOther.add(Judge(clip, *cs, o.Text()), w)
			}
		}
	}
	return m, nil
}

// summarize fills m.All and m.ByFamily from m.Cases.
func (m *Measurement) summarize() {
	m.All = summarize("all", m.Cases)
	m.ByFamily = nil
	for _, fam := range m.Config.Families {
		var cs []Case
		for _, c := range m.Cases {
			if c.Family == fam {
				cs = append(cs, c)
			}
		}
		m.ByFamily = append(m.ByFamily, summarize(fam, cs))
	}
}

// randomEdits sets ns units drawn from pool to 0 and nb others to strength
// times their high activation (fewer if the pool is smaller).
func (r *Reviser) randomEdits(pool []int, ns, nb int, strength float64, rng *rand.Rand) []Edit {
	pick := slices.Clone(pool)
	rng.Shuffle(len(pick), func(i, j int) { pick[i], pick[j] = pick[j], pick[i] })
	ns = min(ns, len(pick))
	nb = min(nb, len(pick)-ns)
	var ed []Edit
	for _, i := range pick[:ns] {
		ed = append(ed, Edit{Unit: i, Op: OpSet, Value: 0})
	}
	for _, i := range pick[ns : ns+nb] {
		ed = append(ed, Edit{Unit: i, Op: OpSet, Value: strength * float64(r.Stats.High[i])})
	}
	return ed
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
		return nil, fmt.Errorf("measuring revisions: the model has no topic named %q; Measure needs the synthetic corpus' concept targets, or a concept → topics map (Reviser.ConceptTopics, --concept-topics)", concept)
	}
	return []int{k}, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// summarize aggregates cases.
func summarize(name string, cs []Case) Summary {
	s := Summary{Family: name, Cases: len(cs)}
	if len(cs) == 0 {
		return s
	}
	w := 1 / float64(len(cs))
	for _, c := range cs {
		s.FixRate += b2f(c.Fixed) * w
		s.DamageRate += b2f(c.Damaged) * w
		s.ChangedRate += b2f(c.Changed) * w
		s.NamesRightRate += b2f(c.NamesRight) * w
		s.DropsWrongRate += b2f(c.DropsWrong) * w
		s.NewWrongRate += b2f(c.NewWrong) * w
		s.SteerNewWrongRate += b2f(c.Steer.NewWrong) * w
		s.SuppressOnlyFixRate += b2f(c.SuppressOnly.Fixed) * w
		s.BoostOnlyFixRate += b2f(c.BoostOnly.Fixed) * w
		s.RandomFixRate += c.Random.Fixed * w
		s.RandomDamageRate += c.Random.Damaged * w
		s.RandomChangedRate += c.Random.Changed * w
		s.RandomOtherFixRate += c.RandomOther.Fixed * w
		s.RandomOtherDamageRate += c.RandomOther.Damaged * w
		s.MeanUnits += float64(c.Suppressed+c.Boosted) * w
		if c.Suppressed+c.Boosted == 0 {
			s.NoUnits++
		}
		s.SteerFixRate += b2f(c.Steer.Fixed) * w
		s.SteerDamageRate += b2f(c.Steer.Damaged) * w
		s.SteerMeanUnits += float64(c.SteerUnits) * w
		s.RandomSteerFixRate += c.RandomSteer.Fixed * w
		s.RandomSteerDamageRate += c.RandomSteer.Damaged * w
		s.MeanStrength += c.Strength * w
		s.SteerMeanStrength += c.SteerStrength * w
	}
	return s
}

// Markdown returns the measurement as two tables, one row per family and
// one for all cases: the unit rule (with its halves and random units), and
// steering along the topic head (with random directions).
func (m *Measurement) Markdown() string {
	var b strings.Builder
	rows := append(slices.Clone(m.ByFamily), m.All)
	b.WriteString("| wrong concept | cases | fix rate | damage rate | mean units edited | random units: fix | random units: damage | random other units: fix | suppress only: fix | boost only: fix | changed | new wrong | no units |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range rows {
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.1f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %d |\n", s.Family, s.Cases,
			s.FixRate, s.DamageRate, s.MeanUnits, s.RandomFixRate, s.RandomDamageRate, s.RandomOtherFixRate, s.SuppressOnlyFixRate, s.BoostOnlyFixRate,
			s.ChangedRate, s.NewWrongRate, s.NoUnits)
	}
	b.WriteString("\nSteering along the topic head (every active unit moves along W_a[:,right] − W_a[:,wrong]):\n\n")
	b.WriteString("| wrong concept | cases | fix rate | damage rate | units edited | random directions: fix | random directions: damage | new wrong |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range rows {
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.1f | %.3f | %.3f | %.3f |\n", s.Family, s.Cases,
			s.SteerFixRate, s.SteerDamageRate, s.SteerMeanUnits, s.RandomSteerFixRate, s.RandomSteerDamageRate, s.SteerNewWrongRate)
	}
	if len(m.Config.Steps) > 0 {
		fmt.Fprintf(&b, "\nStepwise: the boost rose through strengths %v until the caption was fixed; it stopped at %.3f on average for the rule (random edits at the same strength), %.3f for steering.\n",
			m.Config.Steps, m.All.MeanStrength, m.All.SteerMeanStrength)
	}
	return b.String()
}

// Revisions returns the revision of each case (only of the fixed cases if
// onlyFixed) by the unit rule (mapping MapUnits or "") or by steering
// (MapHead), as a person who accepted them would save them.
func (m *Measurement) Revisions(onlyFixed bool, r *Reviser, mapping string) []Revision {
	opts := r.decodeOptions()
	var out []Revision
	for _, c := range m.Cases {
		o, edits, after := c.Outcome, c.Edits, c.After
		if mapping == MapHead {
			o, edits, after = c.Steer, c.SteerEdits, c.SteerAfter
		}
		if onlyFixed && !o.Fixed {
			continue
		}
		strength := c.Strength
		if mapping == MapHead {
			strength = c.SteerStrength
		}
		if strength == 0 { // measured before cases kept their strength
			strength = m.Config.Strength
		}
		q := Request{None: []string{c.Wrong}, More: []string{c.Right}, Strength: strength, Map: mapping}
		out = append(out, Revision{Clip: c.Clip, Request: &q, Edits: slices.Clone(edits), Before: c.Before, After: after,
			Changes: DiffWords(c.Before, after), Beam: opts.Beam, MaxWords: opts.MaxWords, LengthPenalty: opts.LengthPenalty})
	}
	return out
}
