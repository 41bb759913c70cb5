package interpret

import (
	"fmt"
	"math"
	"testing"
)

// handMethods returns every method with the given options, built from the
// training distribution m.
func handMethods(m *Marginal, opts Options) []Method {
	pdm := NewPDM(m)
	mean := MeanAblation(m)
	zero := ZeroAblation(m.Units())
	grad := NewGradXAct(m)
	pdm.Options, mean.Options, zero.Options, grad.Options = opts, opts, opts, opts
	return []Method{pdm, mean, zero, grad}
}

// handTargets are the targets of the hand-set head for n clips.
func handTargets(n int) map[string]Target {
	logits := Topics(true)
	logits.LaplaceN = 200
	words := WordsOf(handCaptionsOf(n), len(handVocab))
	words.LaplaceN = 200
	plain := WordsOf(handCaptionsOf(n), len(handVocab))
	plain.Plain = true
	return map[string]Target{"topics": Topics(false), "topics-logits": logits, "words": words, "words-plain": plain}
}

// TestHandSetLabels: on a hand-set head whose answer is known by
// construction, every method, target and engine labels unit 0 topic 3 /
// "circle", unit 1 topic 1 / "red", unit 3 topic 4 / "square", and gives
// the dead unit 2 no label and zero scores.
func TestHandSetLabels(t *testing.T) {
	train, test := handActivations(200, 1), handActivations(60, 2)
	m, err := NewMarginal(train, DefaultSamples, 7)
	if err != nil {
		t.Fatal(err)
	}
	wantTopic := map[int]int{0: 3, 1: 1, 3: 4}
	wantWord := map[int]string{0: "circle", 1: "red", 3: "square"}
	engines := []Options{
		{Engine: EngineRows, Schedule: Batched},
		{Engine: EngineRows, Schedule: PerUnit},
		{Engine: EngineRows, Schedule: PerUnitClip},
		{Engine: EngineRows, Schedule: Batched, ActiveOnly: true},
		{Engine: EngineAuto},
	}
	for tname, target := range handTargets(len(test)) {
		for _, opts := range engines {
			for _, meth := range handMethods(m, opts) {
				name := fmt.Sprintf("%s/%s/%s/%s/active=%v", tname, meth.Name(), opts.Engine, opts.Schedule, opts.ActiveOnly)
				t.Run(name, func(t *testing.T) {
					s, err := meth.Attribute(newHandHead(), test, target)
					if err != nil {
						t.Fatal(err)
					}
					if target.topics() && opts.Engine == EngineAuto && s.Engine != "affine" {
						t.Errorf("engine %s; the hand-set topic head is affine", s.Engine)
					}
					units, err := Summarize(s, test, nil, SummaryConfig{})
					if err != nil {
						t.Fatal(err)
					}
					for i, u := range units {
						switch {
						case i == 2:
							if u.Label != "" || !u.Dead() {
								t.Errorf("dead unit 2: label %q, active %d", u.Label, u.Active)
							}
							for c := range test {
								for _, v := range s.Unit(c, 2) {
									if math.Abs(float64(v)) > 1e-6 {
										t.Fatalf("dead unit 2 scores %g on clip %d", v, c)
									}
								}
							}
						case target.topics():
							if u.LabelIndex != wantTopic[i] {
								t.Errorf("unit %d labelled topic %d (%v); want %d", i, u.LabelIndex, u.Topics, wantTopic[i])
							}
						default:
							if u.Label != wantWord[i] {
								t.Errorf("unit %d labelled %q (%v); want %q", i, u.Label, u.Words, wantWord[i])
							}
						}
					}
				})
			}
		}
	}
}

// TestPDMByHand checks PDM values computed by hand. For a linear topic head
// PD_i,k(x) = W[i][k]·(a_i − mean of the samples); for logits, the log-odds
// form with Laplace's correction.
func TestPDMByHand(t *testing.T) {
	h := newHandHead()
	a := [][]float32{{1, 0, 0, 0.5}, {0, 2, 0, 0}}
	m := &Marginal{Samples: [][]float32{{0, 1, 2}, {0, 0, 3}, {0, 0, 0}, {1, 1, 1}}, N: 100}
	for _, e := range []Engine{EngineRows, EngineAffine} {
		p := NewPDM(m)
		p.Engine = e
		s, err := p.Attribute(h, a, Topics(false))
		if err != nil {
			t.Fatal(err)
		}
		// Clip 0, unit 0, topic 3: W = 2, a = 1, mean = 1 → 0.
		// Clip 1, unit 1, topic 1: W = 1.5, a = 2, mean = 1 → 1.5.
		// Clip 0, unit 3, topic 4: W = 1, a = 0.5, mean = 1 → −0.5.
		for _, c := range []struct {
			clip, unit, topic int
			want              float64
		}{{0, 0, 3, 0}, {1, 1, 1, 1.5}, {0, 3, 4, -0.5}, {1, 0, 3, 2 * (0 - 1)}, {0, 1, 0, 0}} {
			if got := s.At(c.clip, c.unit, c.topic); math.Abs(float64(got)-c.want) > 1e-6 {
				t.Errorf("%s: PD(clip %d, unit %d, topic %d) = %g; want %g", e, c.clip, c.unit, c.topic, got, c.want)
			}
		}
		// Logits: clip 1, unit 1, topic 1: ŝ(x) = −0.2 + 3 = 2.8; copies
		// with a_1 = 0, 0, 3: ŝ = −0.2, −0.2, 4.3.
		tl := Topics(true)
		tl.LaplaceN = 100
		s, err = p.Attribute(h, a, tl)
		if err != nil {
			t.Fatal(err)
		}
		lap := func(p float64) float64 { return (p*100 + 1) / 102 }
		lo := func(p float64) float64 { q := lap(p); return math.Log2(q / (1 - q)) }
		mean := (sigmoid(-0.2)*2 + sigmoid(4.3)) / 3
		want := lo(sigmoid(2.8)) - log2Odds(lap(mean))
		if got := s.At(1, 1, 1); math.Abs(float64(got)-want) > 1e-4 {
			t.Errorf("%s: logits PD = %g; want %g", e, got, want)
		}
	}
}

// TestSchedulesAgreeExactly: the batched rows engine, the per-unit loop
// and the per-unit-per-clip loop give identical scores (the same samples,
// each row evaluated alone), with fewer head calls when batched.
func TestSchedulesAgreeExactly(t *testing.T) {
	train, test := handActivations(100, 3), handActivations(40, 4)
	m, _ := NewMarginal(train, DefaultSamples, 11)
	for tname, target := range handTargets(len(test)) {
		var ref *Scores
		calls := map[string]int{}
		for _, run := range []struct {
			sched Schedule
			rows  int
		}{{PerUnit, 0}, {Batched, 0}, {PerUnitClip, 0}, {PerUnit, 256}, {Batched, 256}} {
			p := NewPDM(m)
			p.Engine, p.Schedule, p.RowsPerCall = EngineRows, run.sched, run.rows
			h := newHandHead()
			s, err := p.Attribute(h, test, target)
			if err != nil {
				t.Fatal(err)
			}
			sched := run.sched
			calls[fmt.Sprintf("%s%d", sched, run.rows)] = h.calls
			if ref == nil {
				ref = s
				continue
			}
			for c := range test {
				for j, v := range s.Values[c] {
					if v != ref.Values[c][j] {
						t.Fatalf("%s %s: clip %d value %d = %v; per-unit loop %v", tname, sched, c, j, v, ref.Values[c][j])
					}
				}
			}
		}
		if !(calls["batched0"] < calls["per-unit0"] && calls["per-unit0"] < calls["per-unit-clip0"]) {
			t.Errorf("%s: head calls %v; expected batched < per-unit < per-unit-clip", tname, calls)
		}
	}
}

// TestAffineEngineMatchesRows: the affine engine's PDM and ablation equal
// the rows engine's, and its analytic gradient × activation equals the
// rows engine's central finite differences (exact for an affine head up to
// rounding).
func TestAffineEngineMatchesRows(t *testing.T) {
	train, test := handActivations(100, 5), handActivations(30, 6)
	m, _ := NewMarginal(train, DefaultSamples, 13)
	logits := Topics(true)
	logits.LaplaceN = 100
	for _, target := range []Target{Topics(false), logits} {
		for _, mk := range []func(Options) Method{
			func(o Options) Method { p := NewPDM(m); p.Options = o; return p },
			func(o Options) Method { p := MeanAblation(m); p.Options = o; return p },
			func(o Options) Method { p := NewGradXAct(m); p.Options = o; return p },
		} {
			rows, err := mk(Options{Engine: EngineRows}).Attribute(newHandHead(), test, target)
			if err != nil {
				t.Fatal(err)
			}
			aff, err := mk(Options{Engine: EngineAffine}).Attribute(newHandHead(), test, target)
			if err != nil {
				t.Fatal(err)
			}
			if aff.Engine != "affine" {
				t.Fatalf("engine %s", aff.Engine)
			}
			for c := range test {
				for j, v := range aff.Values[c] {
					r := rows.Values[c][j]
					if math.Abs(float64(v-r)) > 2e-3*(1+math.Abs(float64(r))) {
						t.Fatalf("%s %s: clip %d value %d: affine %g, rows %g", rows.Method, target.Kind, c, j, v, r)
					}
				}
			}
		}
	}
}

// nonAffineHead squares the topic scores of the hand-set head.
type nonAffineHead struct{ *handHead }

func (h nonAffineHead) TopicsFrom(a [][]float32) ([][]float32, error) {
	s, err := h.handHead.TopicsFrom(a)
	for _, r := range s {
		for k := range r {
			r[k] *= r[k]
		}
	}
	return s, err
}

// TestAffineCheckRejectsNonAffineHeads: EngineAuto falls back to the rows
// engine, EngineAffine refuses.
func TestAffineCheckRejectsNonAffineHeads(t *testing.T) {
	test := handActivations(20, 8)
	m, _ := NewMarginal(handActivations(50, 9), 4, 1)
	p := NewPDM(m)
	s, err := p.Attribute(nonAffineHead{newHandHead()}, test, Topics(false))
	if err != nil || s.Engine != "rows/batched" {
		t.Fatalf("auto on a non-affine head: engine %v, %v", s, err)
	}
	p.Engine = EngineAffine
	if _, err := p.Attribute(nonAffineHead{newHandHead()}, test, Topics(false)); err == nil {
		t.Error("the affine engine accepted a non-affine head")
	}
	if _, err := p.Attribute(newHandHead(), test, WordsOf(handCaptionsOf(20), 6)); err == nil {
		t.Error("the affine engine accepted a words target")
	}
}

func TestAttributeErrors(t *testing.T) {
	m, _ := NewMarginal(handActivations(10, 1), 3, 1)
	p := NewPDM(m)
	h := newHandHead()
	for name, f := range map[string]func() error{
		"no clips": func() error { _, err := p.Attribute(h, nil, Topics(false)); return err },
		"ragged":   func() error { _, err := p.Attribute(h, [][]float32{{1, 2}}, Topics(false)); return err },
		"NaN": func() error {
			_, err := p.Attribute(h, [][]float32{{1, float32(math.NaN()), 0, 0}}, Topics(false))
			return err
		},
		"captions":    func() error { _, err := p.Attribute(h, handActivations(3, 1), WordsOf([]string{"a"}, 6)); return err },
		"no marginal": func() error { _, err := (&PDM{}).Attribute(h, handActivations(1, 1), Topics(false)); return err },
		"unknown word": func() error {
			_, err := p.Attribute(h, handActivations(1, 1), WordsOf([]string{"zebra"}, 6))
			return err
		},
		"marginal empty": func() error { _, err := NewMarginal(nil, 3, 1); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestFitAffineRecoversTheHead: a linear probe fitted to a hand-set head's
// outputs recovers its weights (the dead unit gets none) and, as a head,
// gives the same labels.
func TestFitAffineRecoversTheHead(t *testing.T) {
	h := newHandHead()
	train := handActivations(300, 21)
	y, _ := h.TopicsFrom(train)
	f, err := FitAffine(train, y, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	for i := range handUnits {
		for k := range handTopics {
			want := h.W[i][k]
			if i == 2 {
				want = 0 // never active: not identifiable, and the ridge zeroes it
			}
			if math.Abs(float64(f.W[i][k])-want) > 1e-4 {
				t.Errorf("W[%d][%d] = %g; want %g", i, k, f.W[i][k], want)
			}
		}
	}
	test := handActivations(50, 22)
	s, err := NewPDM(mustMarginal(t, train)).Attribute(f, test, Topics(false))
	if err != nil {
		t.Fatal(err)
	}
	units, _ := Summarize(s, test, nil, SummaryConfig{})
	for i, want := range map[int]int{0: 3, 1: 1, 3: 4} {
		if units[i].LabelIndex != want {
			t.Errorf("probe: unit %d labelled %d; want %d", i, units[i].LabelIndex, want)
		}
	}
	if _, err := f.WordLogProbs(test, nil); err == nil {
		t.Error("an affine head explained words")
	}
	if _, err := FitAffine(train, y[:3], 1); err == nil {
		t.Error("mismatched targets accepted")
	}
}

func mustMarginal(t *testing.T, train [][]float32) *Marginal {
	t.Helper()
	m, err := NewMarginal(train, DefaultSamples, 1)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
