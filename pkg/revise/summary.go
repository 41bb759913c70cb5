package revise

import (
	"fmt"
	"slices"
	"strings"
)

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
		s.RandomMeanStrength += c.Random.Strength * w
		s.RandomOtherMeanStrength += c.RandomOther.Strength * w
		s.RandomSteerMeanStrength += c.RandomSteer.Strength * w
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
		fmt.Fprintf(&b, "\nStepwise: the boost rose through strengths %v until the caption was fixed; it stopped at %.3f on average for the rule, %.3f for steering. "+
			"Each random draw (the same units or direction at every strength) was searched alike and judged at its own first fix (or the last strength): "+
			"random units stopped at %.3f on average, random other units at %.3f, random directions at %.3f.\n",
			m.Config.Steps, m.All.MeanStrength, m.All.SteerMeanStrength, m.All.RandomMeanStrength, m.All.RandomOtherMeanStrength, m.All.RandomSteerMeanStrength)
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
