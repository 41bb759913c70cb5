package captioner

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/schollz/progressbar/v3"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better with the ops unqualified

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// TrainConfig says where and how to train.
type TrainConfig struct {
	// Backend runs the graphs (use backend.New()).
	Backend compute.Backend
	// Dir is the checkpoint folder: training resumes from its newest
	// checkpoint if there is one. Empty: no checkpoints.
	Dir string
	// Settings overrides hyperparameters, "key=value;…" (see ApplySettings).
	// When resuming, only the keys of ResumableParams may differ from the
	// checkpoint's.
	Settings string
	// TrainSplit and ValSplit name the caption splits to train and validate
	// on. Defaults "train" and "val" (no validation if ValSplit has no
	// clips).
	TrainSplit, ValSplit string
	// Log receives a line per validation and checkpoint (nil: silent).
	Log io.Writer
	// Progress shows a progress bar (loss, steps/s) on ProgressOut.
	Progress    bool
	ProgressOut io.Writer
	// Notes are saved with the checkpoints (e.g. the frame encoder used).
	Notes map[string]string
	// StopAfter, if > 0, stops after that many steps of this call (tests
	// and benchmarks); the model is checkpointed as at the end.
	StopAfter int
	// OnStep, if not nil, is called after every training step of this call
	// with the step's losses (e.g. to draw a live loss curve in a
	// notebook). It runs on the training goroutine: keep it cheap.
	OnStep func(StepReport)
	// OnValidation, if not nil, is called with every validation as soon as
	// it is made (the periodic ones and the final one; the same reports
	// TrainResult.Validations collects).
	OnValidation func(ValidationReport)
}

// StepReport is what TrainConfig.OnStep receives after a training step.
type StepReport struct {
	// Step is the global step reached; TrainSteps the global step training
	// stops at.
	Step, TrainSteps int64
	// Loss, CaptionNLL and Interp are the step's batch losses (total,
	// caption NLL, interpretive); Smoothed is an exponential moving average
	// of Loss (the value the progress bar shows).
	Loss, CaptionNLL, Interp, Smoothed float64
	// Duration is the wall time of the step.
	Duration time.Duration
}

// ResumableParams are the hyperparameters a resumed training may change.
var ResumableParams = []string{ParamTrainSteps, ParamEvalEvery, ParamEvalClips, ParamCheckpointEvery,
	ParamCheckpointKeep, ParamBeamSize}

// ValidationReport is one periodic validation.
type ValidationReport struct {
	Step int64
	// Loss is the mean total loss per caption; CaptionNLL the mean caption
	// NLL per caption, WordNLL per word; Interp the mean interpretive loss
	// per clip (with the model's interp_loss).
	Loss, CaptionNLL, WordNLL, Interp float64
	// TopicMAP is the mean over targets of the average precision of ŝ over
	// the validation clips.
	TopicMAP float64
	// CIDErD is the CIDEr-D of greedy captions of the first eval_clips
	// validation clips (0 if not computed).
	CIDErD float64
	// Clips counts the validation clips.
	Clips int
}

// String formats the report on one line.
func (r ValidationReport) String() string {
	return fmt.Sprintf("step %d: val loss %.4f (caption NLL %.3f, %.4f/word; interp %.4f), topic mAP %.4f, CIDEr-D %.4f on %d clips",
		r.Step, r.Loss, r.CaptionNLL, r.WordNLL, r.Interp, r.TopicMAP, r.CIDErD, r.Clips)
}

// TrainResult is what Train returns besides the model.
type TrainResult struct {
	// Resumed is the step training resumed from (0 for a fresh model).
	Resumed int64
	// Steps is the number of steps this call ran.
	Steps int
	// StepTime is the median wall time of a training step.
	StepTime time.Duration
	// Validations are the periodic validations, in order.
	Validations []ValidationReport
	// Checkpoint is the last checkpoint written ("" if none).
	Checkpoint string
	// SkippedCaptions counts training captions not used (no words, or more
	// than max_words).
	SkippedCaptions int
}

// Train trains a captioner on d, or resumes the newest checkpoint of
// cfg.Dir, until the global step reaches train_steps. It stops with an error
// naming the step if the loss becomes NaN or infinite. When ctx is cancelled
// it checkpoints the last completed step and returns the model with
// ctx.Err().
func Train(ctx context.Context, d *Data, cfg TrainConfig) (m *Model, res *TrainResult, err error) {
	defer recoverErr("training", &err)
	if cfg.Backend == nil {
		return nil, nil, fmt.Errorf("training: no backend (use backend.New())")
	}
	if d == nil || d.Features == nil || d.Captions == nil || d.Targets == nil {
		return nil, nil, fmt.Errorf("training: data needs features, captions and targets")
	}
	if cfg.TrainSplit == "" {
		cfg.TrainSplit = "train"
	}
	if cfg.ValSplit == "" {
		cfg.ValSplit = "val"
	}
	res = &TrainResult{}

	m, err = startModel(d, cfg)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range cfg.Notes {
		m.Notes[k] = v
	}
	p := m.arch.p
	res.Resumed = m.Step()

	trainIDs := d.SplitIDs(cfg.TrainSplit)
	tr, err := prepareSplit(d, trainIDs, m.Vocab, m.arch)
	if err != nil {
		return nil, nil, fmt.Errorf("training split %q: %w", cfg.TrainSplit, err)
	}
	if len(tr.pairs) == 0 {
		return nil, nil, fmt.Errorf("training split %q: no captions of 1..%d words", cfg.TrainSplit, p.MaxWords)
	}
	res.SkippedCaptions = tr.skipped
	var val *splitData
	if ids := d.SplitIDs(cfg.ValSplit); len(ids) > 0 {
		if val, err = prepareSplit(d, ids, m.Vocab, m.arch); err != nil {
			return nil, nil, fmt.Errorf("validation split %q: %w", cfg.ValSplit, err)
		}
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	if res.Resumed > 0 {
		logf("resumed from step %d (%s)", res.Resumed, cfg.Dir)
	}

	trainE, err := m.exec("train_step", func(scope *model.Scope, in []*Node) []*Node {
		C := in[0].Shape().Dimensions[0]
		feats := Reshape(in[0], C, p.Frames, m.FeatureDim)
		total, caption, interp := m.arch.trainStepGraph(scope, feats, in[1], in[2])
		return []*Node{total, caption, interp}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("training: %w", err)
	}

	var bar *progressbar.ProgressBar
	if cfg.Progress && cfg.ProgressOut != nil {
		bar = progressbar.NewOptions64(int64(p.TrainSteps),
			progressbar.OptionSetWriter(cfg.ProgressOut),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(250*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
		)
		_ = bar.Set64(res.Resumed)
	}
	save := func() error {
		if cfg.Dir == "" {
			return nil
		}
		path, err := m.saveCheckpoint(cfg.Dir, p.CheckpointKeep)
		if err != nil {
			return err
		}
		res.Checkpoint = path
		logf("step %d: saved %s", m.Step(), path)
		return nil
	}
	validate := func() error {
		if val == nil {
			return nil
		}
		rep, err := m.validate(d, val, p.EvalClips)
		if err != nil {
			return err
		}
		res.Validations = append(res.Validations, rep)
		if cfg.OnValidation != nil {
			cfg.OnValidation(rep)
		}
		if bar != nil {
			_ = bar.Clear()
		}
		logf("%s", rep)
		return nil
	}

	sm := newSampler(tr, uint64(p.Seed), p.BatchSize, p.CaptionsPerClip)
	var durations []time.Duration
	var ema float64
	for step := m.Step(); step < int64(p.TrainSteps); step = m.Step() {
		if err := ctx.Err(); err != nil {
			if res.Steps > 0 {
				if serr := save(); serr != nil {
					return m, res, fmt.Errorf("%w (and saving a checkpoint failed: %v)", err, serr)
				}
			}
			return m, res, err
		}
		if cfg.StopAfter > 0 && res.Steps >= cfg.StopAfter {
			break
		}
		b := tr.fill(sm.pairsAt(step), p.BatchSize, p.CaptionsPerClip, m.arch)
		start := time.Now()
		outs, err := trainE.Call(
			tensors.FromFlatDataAndDimensions(b.feats, b.clips, p.Frames*m.FeatureDim),
			tensors.FromFlatDataAndDimensions(b.tokens, p.BatchSize, b.steps+1),
			tensors.FromFlatDataAndDimensions(b.targets, b.clips, m.arch.numTargets))
		if err != nil {
			return nil, nil, fmt.Errorf("training step %d: %w", step+1, err)
		}
		vals := make([]float64, 3)
		for i, o := range outs {
			vals[i] = float64(tensors.ToScalar[float32](o))
			o.MustFinalizeAll()
		}
		durations = append(durations, time.Since(start))
		res.Steps++
		done := m.Step()
		for i, name := range []string{"loss", "caption NLL", "interpretive loss"} {
			if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
				last := "no checkpoint was written"
				if cfg.Dir != "" {
					if l, _ := LatestCheckpoint(cfg.Dir); l != "" {
						last = "the newest checkpoint, " + l + ", is intact"
					}
				}
				return nil, nil, fmt.Errorf("training stopped at step %d: the %s is %v (loss %v, caption NLL %v, interpretive %v); %s; try a smaller %s",
					done, name, vals[i], vals[0], vals[1], vals[2], last, ParamLearningRate)
			}
		}
		if ema == 0 {
			ema = vals[0]
		}
		ema = 0.95*ema + 0.05*vals[0]
		if cfg.OnStep != nil {
			cfg.OnStep(StepReport{Step: done, TrainSteps: int64(p.TrainSteps), Loss: vals[0], CaptionNLL: vals[1], Interp: vals[2],
				Smoothed: ema, Duration: durations[len(durations)-1]})
		}
		if bar != nil {
			bar.Describe(fmt.Sprintf("loss %.3f (caption %.3f, interp %.4f)", ema, vals[1], vals[2]))
			_ = bar.Set64(done)
		}
		if p.EvalEvery > 0 && done%int64(p.EvalEvery) == 0 && done < int64(p.TrainSteps) {
			if err := validate(); err != nil {
				return nil, nil, err
			}
		}
		if p.CheckpointEvery > 0 && done%int64(p.CheckpointEvery) == 0 && done < int64(p.TrainSteps) {
			if err := save(); err != nil {
				return nil, nil, err
			}
		}
	}
	if bar != nil {
		_ = bar.Finish()
		fmt.Fprintln(cfg.ProgressOut)
	}
	if len(durations) > 0 {
		slices.Sort(durations)
		res.StepTime = durations[len(durations)/2]
	}
	if res.Steps > 0 || res.Checkpoint == "" {
		if err := validate(); err != nil {
			return nil, nil, err
		}
		if err := save(); err != nil {
			return nil, nil, err
		}
	}
	return m, res, nil
}

// startModel loads the newest checkpoint of cfg.Dir, or makes a new model.
func startModel(d *Data, cfg TrainConfig) (*Model, error) {
	if cfg.Dir != "" {
		latest, err := LatestCheckpoint(cfg.Dir)
		if err != nil {
			return nil, err
		}
		if latest != "" {
			m, err := Load(cfg.Backend, latest)
			if err != nil {
				return nil, err
			}
			before := map[string]any{}
			for _, k := range ParamKeys() {
				before[k], _ = m.Store.GetParam(k)
			}
			changed, err := ApplySettings(m.Store, cfg.Settings)
			if err != nil {
				return nil, err
			}
			for _, k := range changed {
				now, _ := m.Store.GetParam(k)
				if !slices.Contains(ResumableParams, k) && fmt.Sprint(before[k]) != fmt.Sprint(now) {
					return nil, fmt.Errorf("resuming %s: --set %s=%v differs from the checkpoint's %v; only %s may change when resuming (use a new folder to train another model)",
						latest, k, now, before[k], strings.Join(ResumableParams, ", "))
				}
			}
			if m.arch.p, err = readParams(m.Store); err != nil {
				return nil, err
			}
			if m.FeatureDim != d.Features.Dim {
				return nil, fmt.Errorf("resuming %s: the model reads features of dim %d; the data has %d", latest, m.FeatureDim, d.Features.Dim)
			}
			if !slices.Equal(m.TargetNames, d.Targets.Names) {
				return nil, fmt.Errorf("resuming %s: the model's %d targets differ from the data's %d", latest, len(m.TargetNames), len(d.Targets.Names))
			}
			return m, nil
		}
	}
	store, err := NewStore(cfg.Settings)
	if err != nil {
		return nil, err
	}
	p, err := readParams(store)
	if err != nil {
		return nil, err
	}
	vocab, err := vocabOfSplit(d, cfg.TrainSplit, p.MinWordCount)
	if err != nil {
		return nil, err
	}
	return New(cfg.Backend, store, vocab, d.Targets.Names, d.Features.Dim)
}

// vocabOfSplit builds the vocabulary of the captions of split's clips that
// have features.
func vocabOfSplit(d *Data, split string, minCount int) (*corpus.Vocab, error) {
	caps := corpus.NewCaptions()
	for _, id := range d.SplitIDs(split) {
		for _, c := range d.Captions.ByClip[id] {
			caps.Add(split, id, c)
		}
	}
	if caps.NumCaptions() == 0 {
		return nil, fmt.Errorf("training split %q has no captions of clips with features", split)
	}
	return corpus.BuildVocab(caps, minCount), nil
}
