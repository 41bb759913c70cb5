// Package claim measures the paper's central claim on the synthetic corpus:
// that training the semantic layer with the interpretive loss (λ = 0.1)
// makes its units interpretable, against the baseline captioner (λ = 0). It
// trains (or resumes) one captioner per λ and seed, interprets each with
// pkg/interpret against the corpus' ground-truth concepts, and tabulates
// the interpretability measures as mean ± sd over seeds.
package claim

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

// Config configures Measure.
type Config struct {
	// Prepared is the synthetic corpus with its encoded features and concept
	// targets (synthexp.Prepare).
	Prepared *synthexp.Prepared
	// Backend trains and runs the models.
	Backend compute.Backend
	// Dir holds one checkpoint folder per model, "lambda-<λ>-seed-<s>";
	// a model whose newest checkpoint has reached train_steps is loaded, an
	// unfinished one resumed.
	Dir string
	// Settings are the hyperparameters shared by every model
	// ("key=value;…"); interp_lambda and seed are set per model.
	Settings string
	// Lambdas default to {0, 0.1}; Seeds to {1, 2, 3}.
	Lambdas []float64
	Seeds   []int
	// TrainClips is the number of training clips the units' distributions
	// are taken from (0: all); TestSplit the split interpreted (default
	// "test"), TestClips its first clips used (0: all).
	TrainClips, TestClips int
	TestSplit             string
	// Interpret configures the interpretation (default: PDM).
	Interpret interpret.Config
	// Head says which topic head PDM runs through: HeadAuto (the default)
	// uses the model's own head when it was trained (λ > 0) and a linear
	// probe fitted to the training clips' concepts for the baseline (λ = 0),
	// whose topic head gets no gradient and stays at its random
	// initialisation; HeadModel and HeadProbe force one or the other.
	Head string
	// Notes are saved with every trained model (e.g. the synthetic corpus'
	// configuration, so that `neurotopics interpret` finds its data).
	Notes map[string]string
	// Log receives progress lines (nil: silent); Progress shows training
	// progress bars on Log.
	Log      io.Writer
	Progress bool
}

// Heads of Config.Head.
const (
	HeadAuto  = ""
	HeadModel = "model"
	HeadProbe = "probe"
)

// ProbeRidge is the ridge penalty of the linear probe (per clip).
const ProbeRidge = 1e-3

// ModelRun is one interpreted model.
type ModelRun struct {
	Lambda     float64 `json:"lambda"`
	Seed       int     `json:"seed"`
	Checkpoint string  `json:"checkpoint"`
	Step       int64   `json:"step"`
	// Head is the topic head PDM ran through: "model" or "probe".
	Head string `json:"head"`
	// TrainTime is the wall time of this call's training (0 if loaded).
	TrainTime time.Duration `json:"train_time_ns"`
	// Agreement has one entry per IoU threshold of the interpretation.
	Agreement []interpret.Agreement `json:"agreement"`
	// Validation is the last validation of this call's training (if any).
	Validation *captioner.ValidationReport `json:"validation,omitempty"`
}

// Result holds every model's measures.
type Result struct {
	Runs []ModelRun `json:"runs"`
	// Settings are the shared hyperparameters; Method the attribution.
	Settings string `json:"settings"`
	Method   string `json:"method"`
}

// ModelDir returns the checkpoint folder of (λ, seed) under dir.
func ModelDir(dir string, lambda float64, seed int) string {
	return filepath.Join(dir, fmt.Sprintf("lambda-%g-seed-%d", lambda, seed))
}

// Measure trains or loads every (λ, seed) model and interprets it. When ctx
// is cancelled it returns the models measured so far with ctx.Err().
func Measure(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Prepared == nil || cfg.Backend == nil || cfg.Dir == "" {
		return nil, fmt.Errorf("claim: needs the prepared corpus, a backend and a checkpoint folder")
	}
	if len(cfg.Lambdas) == 0 {
		cfg.Lambdas = []float64{0, 0.1}
	}
	if len(cfg.Seeds) == 0 {
		cfg.Seeds = []int{1, 2, 3}
	}
	if cfg.TestSplit == "" {
		cfg.TestSplit = synth.SplitTest
	}
	res := &Result{Settings: cfg.Settings, Method: cfg.Interpret.Method}
	if res.Method == "" {
		res.Method = interpret.MethodPDM
	}
	for _, seed := range cfg.Seeds {
		for _, lambda := range cfg.Lambdas {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			run, err := measureOne(ctx, cfg, lambda, seed)
			if err != nil {
				return res, fmt.Errorf("claim: λ = %g, seed %d: %w", lambda, seed, err)
			}
			res.Runs = append(res.Runs, *run)
			if cfg.Log != nil {
				fmt.Fprintf(cfg.Log, "λ = %g, seed %d (step %d): %s\n", lambda, seed, run.Step, run.Agreement[len(run.Agreement)-1].Line())
			}
		}
	}
	return res, nil
}

// measureOne trains or loads one model and interprets it.
func measureOne(ctx context.Context, cfg Config, lambda float64, seed int) (*ModelRun, error) {
	settings := strings.TrimRight(cfg.Settings, "; ") + fmt.Sprintf(";%s=%g;%s=%d", captioner.ParamLambda, lambda, captioner.ParamSeed, seed)
	store, err := captioner.NewStore(settings)
	if err != nil {
		return nil, err
	}
	steps, _ := store.GetParam(captioner.ParamTrainSteps)
	dir := ModelDir(cfg.Dir, lambda, seed)
	run := &ModelRun{Lambda: lambda, Seed: seed}
	var m *captioner.Model
	if latest, err := captioner.LatestCheckpoint(dir); err == nil && latest != "" {
		if m, err = captioner.Load(cfg.Backend, latest); err != nil {
			return nil, err
		}
		if m.Step() < int64(steps.(int)) {
			m = nil // unfinished: resume below
		} else {
			run.Checkpoint = latest
		}
	}
	if m == nil {
		start := time.Now()
		var tr *captioner.TrainResult
		m, tr, err = captioner.Train(ctx, cfg.Prepared.Data, captioner.TrainConfig{Backend: cfg.Backend, Dir: dir, Settings: settings,
			Log: cfg.Log, Progress: cfg.Progress && cfg.Log != nil, ProgressOut: cfg.Log, Notes: cfg.Notes})
		if err != nil {
			return nil, err
		}
		run.TrainTime, run.Checkpoint = time.Since(start), tr.Checkpoint
		if n := len(tr.Validations); n > 0 {
			run.Validation = &tr.Validations[n-1]
		}
	}
	run.Step = m.Step()
	probe := cfg.Head == HeadProbe || (cfg.Head == HeadAuto && lambda == 0)
	if cfg.Head != HeadAuto && cfg.Head != HeadModel && cfg.Head != HeadProbe {
		return nil, fmt.Errorf("head %q; expected %q, %q or empty (auto)", cfg.Head, HeadModel, HeadProbe)
	}
	run.Head = HeadModel
	if probe {
		run.Head = HeadProbe
	}
	in, err := SynthInput(m, cfg.Prepared, cfg.TrainClips, cfg.TestSplit, cfg.TestClips, probe)
	if err != nil {
		return nil, err
	}
	r, err := interpret.Run(*in, cfg.Interpret)
	if err != nil {
		return nil, err
	}
	run.Agreement = r.Agreement
	return run, nil
}

// SynthInput encodes the clips of the synthetic corpus p for
// interpret.Run: the semantic layer of the first trainClips training clips
// (0: all) and of the first testClips clips of split (0: all), m's topic
// target, and the ground-truth concepts of the split's clips. With probe,
// the head is a linear probe fitted to the training clips' targets
// (FitAffine) instead of m's topic head. Targets named like concepts
// correspond to them by identity.
func SynthInput(m *captioner.Model, p *synthexp.Prepared, trainClips int, split string, testClips int, probe bool) (*interpret.Input, error) {
	d := p.Data
	trainIDs, ids := d.SplitIDs(synth.SplitTrain), d.SplitIDs(split)
	if trainClips > 0 && len(trainIDs) > trainClips {
		trainIDs = trainIDs[:trainClips]
	}
	if testClips > 0 && len(ids) > testClips {
		ids = ids[:testClips]
	}
	if len(trainIDs) == 0 || len(ids) == 0 {
		return nil, fmt.Errorf("interpreting: %d training and %d %s clips with features", len(trainIDs), len(ids), split)
	}
	train, err := m.EncodeToSemantic(d.Features, trainIDs)
	if err != nil {
		return nil, err
	}
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		return nil, err
	}
	gt, err := GroundTruth(p.Corpus, ids)
	if err != nil {
		return nil, err
	}
	in := &interpret.Input{Head: m, Train: train, A: a, IDs: ids, Target: interpret.TopicTarget(m, len(train)), GroundTruth: gt}
	if probe {
		y := make([][]float32, len(trainIDs))
		for c, id := range trainIDs {
			y[c] = d.Targets.ByClip[id]
		}
		f, err := interpret.FitAffine(train, y, ProbeRidge)
		if err != nil {
			return nil, err
		}
		in.Head = f
		in.Target = interpret.Topics(false)
		in.Target.Names = d.Targets.Names
	}
	return in, nil
}

// GroundTruth returns the concepts (synth.AllConcepts) of the clips ids of
// corpus c.
func GroundTruth(c *synth.Corpus, ids []string) (*interpret.GroundTruth, error) {
	byID := make(map[string]*synth.Clip, len(c.Clips))
	for i := range c.Clips {
		byID[c.Clips[i].ID] = &c.Clips[i]
	}
	concepts := make([][]string, len(ids))
	for k, id := range ids {
		clip := byID[id]
		if clip == nil {
			return nil, fmt.Errorf("ground truth: clip %q is not in the synthetic corpus", id)
		}
		concepts[k] = clip.Concepts()
	}
	return interpret.NewGroundTruth(synth.AllConcepts(), concepts)
}

// Stat is a mean and standard deviation over seeds.
type Stat struct {
	Mean, SD float64
	N        int
}

// String formats the stat as "mean ± sd".
func (s Stat) String() string {
	if s.N < 2 {
		return fmt.Sprintf("%.3g", s.Mean)
	}
	return fmt.Sprintf("%.3g ± %.2g", s.Mean, s.SD)
}

// stat returns the mean and the sample standard deviation of xs.
func stat(xs []float64) Stat {
	s := Stat{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(len(xs))
	if len(xs) > 1 {
		var v float64
		for _, x := range xs {
			v += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(v / float64(len(xs)-1))
	}
	return s
}

// Measures are the columns of Table, each a fraction of all units except
// the concept count and the last, a fraction of the live units (active on
// at least one clip).
var Measures = []string{"live units", "detectors IoU>0.04", "detectors IoU>0.5", "concepts IoU>0.5",
	"label = best-IoU concept", "both (IoU>0.5 and label)", "both, of live units"}

// Summary returns, for each λ (in the order of the runs), the Measures as
// mean ± sd over its seeds.
func (r *Result) Summary() (lambdas []float64, stats [][]Stat) {
	by := map[float64][][]float64{}
	for _, run := range r.Runs {
		if _, ok := by[run.Lambda]; !ok {
			lambdas = append(lambdas, run.Lambda)
			by[run.Lambda] = make([][]float64, len(Measures))
		}
		loose, strict := run.Agreement[0], run.Agreement[len(run.Agreement)-1]
		live := 0.0
		if strict.Alive > 0 {
			live = float64(strict.Both) / float64(strict.Alive)
		}
		vals := []float64{strict.Frac(strict.Alive), loose.Frac(loose.Detectors), strict.Frac(strict.Detectors),
			float64(strict.Concepts), strict.Frac(strict.Agree), strict.Frac(strict.Both), live}
		for k, v := range vals {
			by[run.Lambda][k] = append(by[run.Lambda][k], v)
		}
	}
	for _, l := range lambdas {
		row := make([]Stat, len(Measures))
		for k := range Measures {
			row[k] = stat(by[l][k])
		}
		stats = append(stats, row)
	}
	return lambdas, stats
}

// Table is the interpretability table, baseline vs interpretive, for the
// report.
func (r *Result) Table() report.Table {
	lambdas, stats := r.Summary()
	t := report.Table{Caption: "Interpretability of the semantic units (fractions of units; mean ± sd over seeds)",
		Header: append([]string{"model", "seeds"}, Measures...),
		Note: fmt.Sprintf("Method %s; hyperparameters %q. Detectors: best IoU over clips above the threshold (unit in its top quantile, matched to the concept's base rate, vs concept present); label: the unit's top topic by mean %s over the clips where it is active.",
			r.Method, r.Settings, r.Method)}
	heads := map[float64]string{}
	for _, run := range r.Runs {
		heads[run.Lambda] = run.Head
	}
	for i, l := range lambdas {
		name := fmt.Sprintf("λ = %g", l)
		if l == 0 {
			name += " (baseline)"
		}
		if heads[l] == HeadProbe {
			name += ", linear probe"
		}
		row := []string{name, fmt.Sprint(stats[i][0].N)}
		for _, s := range stats[i] {
			row = append(row, s.String())
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Markdown renders Table as a Markdown table.
func (r *Result) Markdown() string {
	t := r.Table()
	var b strings.Builder
	b.WriteString("| " + strings.Join(t.Header, " | ") + " |\n|")
	for range t.Header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	return b.String()
}
