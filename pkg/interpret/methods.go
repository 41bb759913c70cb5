package interpret

import (
	"fmt"
	"math"
)

// Method is a unit attribution method: it explains a target of a head for
// every unit of the semantic layer a ([clips][N]) and every clip. PDM,
// Ablation and GradXAct implement it, so they can be compared on the same
// units.
type Method interface {
	// Name names the method ("pdm", "ablation-mean", …).
	Name() string
	// Attribute returns the score of every (clip, unit, output).
	Attribute(h Head, a [][]float32, t Target) (*Scores, error)
}

// Scores are an attribution: one value per clip, unit and output, the shape
// of what it explains.
type Scores struct {
	// Method and Target say what was computed; Engine how ("rows/batched",
	// "affine", …).
	Method string
	Target TargetKind
	Engine string
	// Units is N.
	Units int
	// Outputs[c] names clip c's outputs: the topic names (the same slice for
	// every clip), or the caption's words and "<eos>".
	Outputs [][]string
	// Values[c][i·len(Outputs[c]) + j] is the score of output j of clip c for
	// unit i.
	Values [][]float32
}

// At returns the score of output j of clip c for unit i.
func (s *Scores) At(c, i, j int) float32 { return s.Values[c][i*len(s.Outputs[c])+j] }

// Unit returns the scores of clip c's outputs for unit i.
func (s *Scores) Unit(c, i int) []float32 {
	n := len(s.Outputs[c])
	return s.Values[c][i*n : (i+1)*n : (i+1)*n]
}

// Clips returns the number of clips.
func (s *Scores) Clips() int { return len(s.Values) }

// PDM is prediction difference maximization: unit i is marginalised by its
// empirical distribution over the training clips (Marginal.Samples[i]),
// PD_i,c(x) = score(f_c(x)) − score(E_v f_c(x | a_i = v)) (see Target for
// the score of probabilities).
type PDM struct {
	Marginal *Marginal
	Options
}

// NewPDM returns PDM with the distributions of m and default options.
func NewPDM(m *Marginal) *PDM { return &PDM{Marginal: m} }

// Name returns "pdm".
func (p *PDM) Name() string { return "pdm" }

// Attribute computes PD for every (clip, unit, output).
func (p *PDM) Attribute(h Head, a [][]float32, t Target) (*Scores, error) {
	if p.Marginal == nil {
		return nil, fmt.Errorf("pdm: no marginal distribution (NewMarginal over the training clips)")
	}
	return attributeValues(p.Name(), h, a, t, p.Options, p.Marginal.Samples)
}

// Ablation replaces unit i by Baseline[i] (the unit's training mean, or 0)
// and scores score(f(x)) − score(f(x | a_i = Baseline[i])).
type Ablation struct {
	// Baseline[i] replaces unit i.
	Baseline []float32
	// Kind names the baseline in Name ("mean", "zero").
	Kind string
	Options
}

// MeanAblation replaces each unit by its mean over the training clips.
func MeanAblation(m *Marginal) *Ablation {
	return &Ablation{Baseline: append([]float32(nil), m.Mean...), Kind: "mean"}
}

// ZeroAblation replaces each of n units by 0.
func ZeroAblation(n int) *Ablation {
	return &Ablation{Baseline: make([]float32, n), Kind: "zero"}
}

// Name returns "ablation-<kind>".
func (ab *Ablation) Name() string {
	if ab.Kind == "" {
		return "ablation"
	}
	return "ablation-" + ab.Kind
}

// Attribute computes the ablation difference for every (clip, unit, output).
func (ab *Ablation) Attribute(h Head, a [][]float32, t Target) (*Scores, error) {
	vals := make([][]float32, len(ab.Baseline))
	for i, b := range ab.Baseline {
		vals[i] = []float32{b}
	}
	return attributeValues(ab.Name(), h, a, t, ab.Options, vals)
}

// DefaultFDStep is GradXAct's finite-difference step as a fraction of the
// unit's standard deviation over the training clips.
const DefaultFDStep = 0.05

// GradXAct is gradient × activation, a_i · ∂score(f)/∂a_i. The heads give no
// gradients, so the rows engine uses central finite differences, (f(a_i+h)
// − f(a_i−h)) / 2h with h = Step·Std[i] (1e-3 for a constant unit): exact
// for an affine head up to rounding, O(h²) otherwise. The affine engine
// computes the gradient analytically (W_a).
type GradXAct struct {
	// Std are the units' standard deviations over the training clips.
	Std []float32
	// Step is h as a fraction of Std (0: DefaultFDStep).
	Step float64
	Options
}

// NewGradXAct returns gradient × activation with steps scaled by m.Std.
func NewGradXAct(m *Marginal) *GradXAct { return &GradXAct{Std: append([]float32(nil), m.Std...)} }

// Name returns "gradxact".
func (g *GradXAct) Name() string { return "gradxact" }

// step returns unit i's finite-difference step.
func (g *GradXAct) step(i int) float32 {
	frac := g.Step
	if frac <= 0 {
		frac = DefaultFDStep
	}
	h := float32(frac) * g.Std[i]
	if h <= 0 || math.IsNaN(float64(h)) {
		h = 1e-3
	}
	return h
}

// Attribute computes gradient × activation for every (clip, unit, output).
func (g *GradXAct) Attribute(h Head, a [][]float32, t Target) (*Scores, error) {
	s, base, aff, err := prepare(g.Name(), h, a, t, g.Options, len(g.Std))
	if err != nil {
		return nil, err
	}
	if aff != nil {
		s.Engine = EngineAffine.String()
		if err := runAffine(aff, t, a, base, nil, affineGrad, g.Options, s.Values); err != nil {
			return nil, err
		}
		zeroInactive(s, a, g.Options)
		return s, nil
	}
	err = runRows(h, t, a, g.Options, 2, func(c, i int, dst []float32) []float32 {
		if a[c][i] == 0 {
			return dst // a_i = 0: the score is 0
		}
		hs := g.step(i)
		return append(dst, a[c][i]+hs, a[c][i]-hs)
	}, func(c, i int, _ []float64, outs [][]float64) {
		// The step actually taken, in float32 as the rows hold it.
		up, down := a[c][i]+g.step(i), a[c][i]-g.step(i)
		width := float64(up) - float64(down)
		row := s.Unit(c, i)
		if width == 0 { // the step vanished in float32 next to a_i
			return
		}
		for j := range row {
			d := t.score(t.lift(outs[0][j])) - t.score(t.lift(outs[1][j]))
			row[j] = float32(float64(a[c][i]) * d / width)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", g.Name(), err)
	}
	return s, nil
}

// attributeValues runs PDM or ablation: the values vals[i] replace unit i,
// and the score is score(f(x)) − score(mean over values of lift(f(copy))).
func attributeValues(name string, h Head, a [][]float32, t Target, opts Options, vals [][]float32) (*Scores, error) {
	s, base, aff, err := prepare(name, h, a, t, opts, len(vals))
	if err != nil {
		return nil, err
	}
	S := len(vals[0])
	for i, v := range vals {
		if len(v) == 0 || len(v) != S {
			return nil, fmt.Errorf("%s: unit %d has %d replacement values; unit 0 has %d", name, i, len(v), S)
		}
	}
	if aff != nil {
		s.Engine = EngineAffine.String()
		if err := runAffine(aff, t, a, base, vals, affineExpect, opts, s.Values); err != nil {
			return nil, err
		}
		zeroInactive(s, a, opts)
		return s, nil
	}
	err = runRows(h, t, a, opts, S, func(c, i int, dst []float32) []float32 {
		return append(dst, vals[i]...)
	}, func(c, i int, base []float64, outs [][]float64) {
		row := s.Unit(c, i)
		for j := range row {
			var mean float64
			for _, o := range outs {
				mean += t.lift(o[j])
			}
			mean /= float64(len(outs))
			row[j] = float32(t.score(t.lift(base[j])) - t.score(mean))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// prepare validates the inputs, allocates the scores, and picks the engine:
// it returns the affine map when the affine engine applies (and the head's
// outputs on a, which it needs).
func prepare(name string, h Head, a [][]float32, t Target, opts Options, units int) (*Scores, [][]float64, *Affine, error) {
	if h == nil {
		return nil, nil, nil, fmt.Errorf("%s: nil head", name)
	}
	if len(a) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no clips", name)
	}
	if err := checkRows(name, a, units); err != nil {
		return nil, nil, nil, err
	}
	if err := t.check(len(a)); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	s := &Scores{Method: name, Target: t.Kind, Units: units, Engine: EngineRows.String() + "/" + opts.Schedule.String(),
		Outputs: make([][]string, len(a)), Values: make([][]float32, len(a))}
	var aff *Affine
	var base [][]float64
	useAffine := t.topics() && (opts.Engine == EngineAuto || opts.Engine == EngineAffine)
	if opts.Engine == EngineAffine && !t.topics() {
		return nil, nil, nil, fmt.Errorf("%s: the affine engine explains topic targets only, not %s", name, t.Kind)
	}
	K := 0
	if t.topics() {
		// The head's outputs on the clips give K (and check affinity).
		out, err := forward(h, t, a[:1], []int{0})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		K = len(out[0])
	}
	if useAffine {
		var err error
		if base, err = forward(h, t, a, nil); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if aff, err = ProbeAffine(h, units); err == nil {
			err = aff.Check(a, base)
		}
		if err != nil {
			if opts.Engine == EngineAffine {
				return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			aff, base = nil, nil
		}
	}
	var topicNames []string
	if t.topics() {
		topicNames = t.outputNames(0, K)
	}
	for c := range a {
		if s.Outputs[c] = topicNames; !t.topics() {
			s.Outputs[c] = t.outputNames(c, K)
		}
		s.Values[c] = make([]float32, units*len(s.Outputs[c]))
	}
	return s, base, aff, nil
}

// zeroInactive sets the scores of inactive (clip, unit) pairs to 0 when
// opts.ActiveOnly asks for it (the affine engine computes them all).
func zeroInactive(s *Scores, a [][]float32, opts Options) {
	if !opts.ActiveOnly {
		return
	}
	for c := range a {
		for i, v := range a[c] {
			if v <= 0 {
				clear(s.Unit(c, i))
			}
		}
	}
}
