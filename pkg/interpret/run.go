package interpret

import (
	"fmt"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/captioner"
)

// Method names accepted by NewMethod (and the CLI's --method).
const (
	MethodPDM          = "pdm"
	MethodAblation     = "ablation" // mean ablation
	MethodZeroAblation = "ablation-zero"
	MethodGradXAct     = "gradxact"
)

// MethodNames lists the names NewMethod accepts.
var MethodNames = []string{MethodPDM, MethodAblation, MethodZeroAblation, MethodGradXAct}

// NewMethod returns the named method built from the training distribution
// m, with opts.
func NewMethod(name string, m *Marginal, opts Options) (Method, error) {
	switch name {
	case MethodPDM:
		p := NewPDM(m)
		p.Options = opts
		return p, nil
	case MethodAblation, "ablation-mean":
		a := MeanAblation(m)
		a.Options = opts
		return a, nil
	case MethodZeroAblation:
		a := ZeroAblation(m.Units())
		a.Options = opts
		return a, nil
	case MethodGradXAct:
		g := NewGradXAct(m)
		g.Options = opts
		return g, nil
	}
	return nil, fmt.Errorf("unknown method %q; expected one of %s", name, strings.Join(MethodNames, ", "))
}

// Config configures Run.
type Config struct {
	// Method is one of MethodNames (default "pdm").
	Method string
	// Samples is the number of samples per unit of the training distribution
	// (default DefaultSamples); Seed seeds them.
	Samples int
	Seed    uint64
	// Options are the engine options of the method.
	Options
	Summary SummaryConfig
	Dissect DissectConfig
	// Thresholds are the IoU thresholds reported (default NetDissectThreshold
	// and ClipThreshold); the units' detector flags are those of the last.
	Thresholds []float64
}

// Input is what Run interprets.
type Input struct {
	// Head is the model after the semantic layer.
	Head Head
	// Train is the semantic layer of the training clips (the units'
	// distributions), A that of the clips to interpret, IDs their ids.
	Train, A [][]float32
	IDs      []string
	// Target is what is explained.
	Target Target
	// GroundTruth, if not nil, holds the concepts of the clips of A;
	// Correspond maps the units' labels to them (nil: Identity of the
	// target's names).
	GroundTruth *GroundTruth
	Correspond  Correspondence
}

// Result is the interpretation of a semantic layer.
type Result struct {
	Method string `json:"method"`
	Target string `json:"target"`
	Engine string `json:"engine"`
	// Outputs names the topics (topic targets).
	Outputs []string `json:"outputs,omitempty"`
	Clips   int      `json:"clips"`
	Units   []Unit   `json:"units"`
	// Dissection and Agreement are set with ground truth; Agreement has one
	// entry per threshold.
	Dissection *Dissection  `json:"-"`
	Agreement  []Agreement  `json:"agreement,omitempty"`
	Marginal   MarginalInfo `json:"marginal"`
	// Seconds is the wall time of the attribution (set by RunStage and
	// LoadResult; kept in metrics.json, not units.json).
	Seconds float64 `json:"-"`
}

// MarginalInfo records how the units' distributions were sampled.
type MarginalInfo struct {
	TrainClips int    `json:"train_clips"`
	Samples    int    `json:"samples"`
	Seed       uint64 `json:"seed"`
}

// Strict returns the agreement at the last (strictest) threshold, or the
// zero value without ground truth.
func (r *Result) Strict() Agreement {
	if len(r.Agreement) == 0 {
		return Agreement{}
	}
	return r.Agreement[len(r.Agreement)-1]
}

// Run attributes the target to every unit, interprets the units and, with
// ground truth, dissects them and measures the agreement.
func Run(in Input, cfg Config) (*Result, error) {
	if cfg.Method == "" {
		cfg.Method = MethodPDM
	}
	if cfg.Samples <= 0 {
		cfg.Samples = DefaultSamples
	}
	if len(cfg.Thresholds) == 0 {
		cfg.Thresholds = []float64{NetDissectThreshold, ClipThreshold}
	}
	marg, err := NewMarginal(in.Train, cfg.Samples, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("interpret: %w", err)
	}
	meth, err := NewMethod(cfg.Method, marg, cfg.Options)
	if err != nil {
		return nil, fmt.Errorf("interpret: %w", err)
	}
	s, err := meth.Attribute(in.Head, in.A, in.Target)
	if err != nil {
		return nil, fmt.Errorf("interpret: %w", err)
	}
	units, err := Summarize(s, in.A, in.IDs, cfg.Summary)
	if err != nil {
		return nil, fmt.Errorf("interpret: %w", err)
	}
	r := &Result{Method: meth.Name(), Target: in.Target.Kind.String(), Engine: s.Engine, Clips: len(in.A), Units: units,
		Marginal: MarginalInfo{TrainClips: marg.N, Samples: cfg.Samples, Seed: cfg.Seed}}
	if in.Target.topics() {
		r.Outputs = s.Outputs[0]
	}
	if in.GroundTruth == nil {
		return r, nil
	}
	if r.Dissection, err = Dissect(in.A, in.GroundTruth, cfg.Dissect); err != nil {
		return nil, fmt.Errorf("interpret: %w", err)
	}
	corr := in.Correspond
	if corr == nil {
		corr = Identity(r.Outputs)
	}
	for _, th := range cfg.Thresholds {
		g, err := Agree(r.Units, r.Dissection, corr, th)
		if err != nil {
			return nil, fmt.Errorf("interpret: %w", err)
		}
		r.Agreement = append(r.Agreement, g)
	}
	return r, nil
}

// TopicTarget returns the target of m's topic head: logits when m was
// trained with the "bce" interpretive loss, linear scores otherwise; named
// by m.TargetNames, with Laplace's n = trainClips.
func TopicTarget(m *captioner.Model, trainClips int) Target {
	loss, _ := m.Param(captioner.ParamInterpLoss).(string)
	t := Topics(loss == "bce")
	t.Names, t.LaplaceN = m.TargetNames, trainClips
	return t
}

// WordTarget returns the target of the words of captions (one per clip)
// under m's decoder, with Laplace's n = trainClips and k = the vocabulary
// size.
func WordTarget(m *captioner.Model, captions []string, trainClips int) Target {
	t := WordsOf(captions, m.Vocab.Size())
	t.LaplaceN = trainClips
	return t
}

// GeneratedCaptions decodes one caption per row of a with m (greedy), the
// captions a words target explains by default.
func GeneratedCaptions(m *captioner.Model, a [][]float32) ([]string, error) {
	caps, err := m.DecodeFrom(a, captioner.Greedy())
	if err != nil {
		return nil, err
	}
	out := make([]string, len(caps))
	for i, c := range caps {
		out[i] = c.Text()
	}
	return out, nil
}
