package revise

import (
	"math"
	"slices"
	"testing"
)

// approxRandom reports whether two random outcomes agree up to rounding.
func approxRandom(x, y RandomOutcome) bool {
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	return near(x.Changed, y.Changed) && near(x.Fixed, y.Fixed) && near(x.Damaged, y.Damaged) && near(x.Strength, y.Strength)
}

// TestMeasureStepsSearchesRandomDraws checks the even control of the
// stepwise protocol on the hand model: a random edit that does not fix the
// case at the strength where the edit it is compared with stopped, but
// fixes it at a higher step, counts as a fix. Judged at the rule's (or
// steering's) stop, as the protocol once did, it would not.
func TestMeasureStepsSearchesRandomDraws(t *testing.T) {
	// Clip "blue" (the caption says red): a = redSquareLeft, red 0.9 over
	// blue 0.2.
	ids := []string{"blue"}
	a := [][]float32{redSquareLeft}
	for _, tc := range []struct {
		name  string
		high  []float32 // the units' high activations (0: not active)
		steps []float64
		// control is the random control searched; steer says whether it is
		// compared with steering (else with the unit rule).
		control int
		steer   bool
	}{
		// Unit 0 (red) is not active: no random draw can suppress it, only
		// the rule does. The active units are 1 (blue) and 5 (right), so a
		// draw suppresses one and boosts the other to the strength (their
		// high activation is 1). The rule (red to 0, blue to s) fixes at
		// 0.5; a draw boosting blue fixes only once s > 0.9 (blue over red
		// 0.9), i.e. at 1, and one boosting right never does.
		{name: "random units", high: []float32{0, 1, 0, 0, 0, 1}, steps: []float64{0.5, 1}, control: ctlRandom},
		// Every unit active; the head is the identity, so steering moves
		// red and blue along (−1, 1)/√2 by the strength, and fixes at 0.5
		// (0.2 + 0.354 > 0.9 − 0.354). A random direction over red and
		// blue (r_red, r_blue) fixes once s·(r_blue − r_red) > 0.7: hardly
		// ever at 0.5, more often the higher the strength.
		{name: "random directions", high: []float32{1, 1, 1, 1, 1, 1}, steps: []float64{0.5, 1, 2, 4}, control: ctlRandomSteer, steer: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := handReviser()
			r.Stats.High = tc.high
			cfg := MeasureConfig{RandomDraws: 8, Seed: 1}
			var at []*Measurement
			for _, s := range tc.steps {
				c := cfg
				c.Strength = s
				m, err := Measure(r, handTruth(), ids, a, c)
				if err != nil {
					t.Fatal(err)
				}
				at = append(at, m)
			}
			c := cfg
			c.Steps = tc.steps
			m, err := Measure(r, handTruth(), ids, a, c)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Cases) != 1 {
				t.Fatalf("%d cases; want 1", len(m.Cases))
			}
			cs := m.Cases[0]
			// The compared edit fixes the case at the first step.
			stop, fixed := cs.Strength, cs.Fixed
			if tc.steer {
				stop, fixed = cs.SteerStrength, cs.Steer.Fixed
			}
			if stop != tc.steps[0] || !fixed {
				t.Fatalf("the compared edit stopped at %v (fixed %v); want a fix at %v", stop, fixed, tc.steps[0])
			}
			got := []RandomOutcome{ctlRandom: cs.Random, ctlRandomOther: cs.RandomOther, ctlRandomSteer: cs.RandomSteer}[tc.control]
			sum := m.All
			rate := []float64{ctlRandom: sum.RandomFixRate, ctlRandomOther: sum.RandomOtherFixRate, ctlRandomSteer: sum.RandomSteerFixRate}[tc.control]
			meanStop := []float64{ctlRandom: sum.RandomMeanStrength, ctlRandomOther: sum.RandomOtherMeanStrength, ctlRandomSteer: sum.RandomSteerMeanStrength}[tc.control]
			// Judged at the compared edit's stop (the old protocol): no fix.
			old := at[0].Cases[0]
			oldFix := []float64{ctlRandom: old.Random.Fixed, ctlRandomOther: old.RandomOther.Fixed, ctlRandomSteer: old.RandomSteer.Fixed}[tc.control]
			if oldFix != 0 {
				t.Errorf("random draws judged at the compared edit's stop fix %v; want 0", oldFix)
			}
			// Searched: at least as many fixes as at any one step, and some.
			for i, st := range at {
				o := []float64{ctlRandom: st.All.RandomFixRate, ctlRandomOther: st.All.RandomOtherFixRate, ctlRandomSteer: st.All.RandomSteerFixRate}[tc.control]
				if got.Fixed < o {
					t.Errorf("searched random fix %v below the fix at step %v alone, %v", got.Fixed, tc.steps[i], o)
				}
			}
			if got.Fixed <= 0 || rate != got.Fixed {
				t.Errorf("searched random draws fix %v (summary %v); want > 0 and the same", got.Fixed, rate)
			}
			// A draw stops at its first fix: above the first step here.
			if got.Strength <= tc.steps[0] || meanStop != got.Strength || got.Strength > tc.steps[len(tc.steps)-1] {
				t.Errorf("random draws stopped at %v on average (summary %v); want in (%v, %v]", got.Strength, meanStop, tc.steps[0], tc.steps[len(tc.steps)-1])
			}
			if tc.control == ctlRandom {
				// Worked out by hand from each draw's units [suppressed,
				// boosted]: a draw fixes (at 1) iff it boosts blue, and
				// every draw stops at 1 (its fix, or the last step).
				ds := at[0].Cases[0].draws[ctlRandom]
				boostsBlue := 0
				for _, d := range ds {
					if len(d.units) != 2 || !slices.Contains(d.units, 1) || !slices.Contains(d.units, 5) {
						t.Fatalf("draw units %v; want 1 and 5", d.units)
					}
					if d.units[1] == 1 {
						boostsBlue++
					}
				}
				want := RandomOutcome{Changed: 1, Fixed: float64(boostsBlue) / 8, Damaged: float64(8-boostsBlue) / 8, Strength: 1}
				if !approxRandom(got, want) || boostsBlue == 0 {
					t.Errorf("searched random units %+v; want %+v (%d of 8 draws boost blue)", got, want, boostsBlue)
				}
				// Random units outside the rule's (right, suppressed)
				// never fix a colour, so they stop at the last step.
				if cs.RandomOther.Fixed != 0 || cs.RandomOther.Strength != 1 {
					t.Errorf("random other units %+v; want no fix, stopped at 1", cs.RandomOther)
				}
			}
		})
	}
}

// TestRandomDrawsSameAtEveryStrength checks that a random draw is one fixed
// choice: the same units (and, for a direction, the same direction) at
// every strength, whichever control, and that another seed draws others.
func TestRandomDrawsSameAtEveryStrength(t *testing.T) {
	ids := []string{"blue", "right", "good", "shape"}
	a := [][]float32{redSquareLeft, redSquareLeft, redSquareLeft, redSquareLeft}
	measure := func(seed uint64, s float64) *Measurement {
		t.Helper()
		m, err := Measure(handReviser(), handTruth(), ids, a, MeasureConfig{RandomDraws: 6, Seed: seed, Strength: s})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ref := measure(1, 0.2)
	other := measure(2, 0.2)
	for _, tc := range []struct {
		name    string
		control int
		units   int // units a draw edits
	}{
		{"random units", ctlRandom, 2},
		{"random other units", ctlRandomOther, 2},
		{"random directions", ctlRandomSteer, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			differs := false
			for _, s := range []float64{0.01, 0.5, 1, 3} {
				m := measure(1, s)
				for k, cs := range m.Cases {
					got, want := cs.draws[tc.control], ref.Cases[k].draws[tc.control]
					if len(got) != 6 || !slices.EqualFunc(got, want, draw.same) {
						t.Errorf("strength %v, clip %s: draws %+v; at 0.2 %+v", s, cs.Clip, got, want)
					}
					for _, d := range got {
						if len(d.units) != tc.units {
							t.Errorf("strength %v, clip %s: a draw edits units %v; want %d", s, cs.Clip, d.units, tc.units)
						}
					}
				}
			}
			for k, cs := range other.Cases {
				differs = differs || !slices.EqualFunc(cs.draws[tc.control], ref.Cases[k].draws[tc.control], draw.same)
			}
			if !differs {
				t.Error("seeds 1 and 2 draw the same; the check above would see nothing")
			}
		})
	}
}
