package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

// dataFlags selects the data of train, caption and eval: the synthetic
// corpus (the default, generated in memory and encoded once into a feature
// cache) or real captions, features and targets.
type dataFlags struct {
	captions           []string
	features, ids      string
	groundTruth        string
	maxMissing         float64
	targets            string
	cache              string
	synthCfg           synthexp.SynthConfig
	synthSet           bool
	encoderFilters     int
	encoderDim         int
	encoderMethod      string
	encoderFitFrames   int
	synthFromModel     bool
	prepared           *synthexp.Prepared // set for synthetic data
	synthexpConfigUsed synthexp.Config
	targetsUsed        string // absolute path of --targets on synthetic data
	// ds is the dataset load read (synthetic or real).
	ds *dataset.Dataset
}

func (f *dataFlags) register(fs *pflag.FlagSet) {
	f.synthCfg = synthexp.DefaultSynthConfig()
	ecfg := synthexp.DefaultConfig()
	fs.StringSliceVar(&f.captions, "captions", nil, "real data: caption files or folders (MSVD .tsv, MSR-VTT videodatainfo.json); without it, the synthetic corpus is used")
	fs.StringVar(&f.features, "features", "", "real data: per-frame features, a folder of <clipID>.npy [frames, dim] or one .npy [clips, frames, dim] with --ids")
	fs.StringVar(&f.ids, "ids", "", "real data: the clip id of each row of a stacked --features .npy, one a line")
	fs.StringVar(&f.groundTruth, "ground-truth", "", "real data: optional ground truth (concepts per clip, labels), as written by neurotopics export")
	fs.Float64Var(&f.maxMissing, "max-missing", dataset.DefaultMaxMissing, "real data: the largest share of clips that may lack features or captions (they are left out and counted); above it loading stops")
	fs.StringVar(&f.targets, "targets", "", "per-clip targets, a folder written by neurotopics topics --out (labels.npy, clips.txt) or a CSV clip_id,<names…>; required for real data; on the synthetic corpus they replace the ground-truth concepts (a model trained so remembers the path)")
	fs.StringVar(&f.cache, "cache", ecfg.CacheDir, "synthetic data: folder caching the encoded frame features")
	fs.Uint64Var(&f.synthCfg.Seed, "synth-seed", f.synthCfg.Seed, "synthetic data: corpus seed")
	fs.IntVar(&f.synthCfg.Train, "synth-train", f.synthCfg.Train, "synthetic data: training clips")
	fs.IntVar(&f.synthCfg.Val, "synth-val", f.synthCfg.Val, "synthetic data: validation clips")
	fs.IntVar(&f.synthCfg.Test, "synth-test", f.synthCfg.Test, "synthetic data: test clips")
	fs.IntVar(&f.encoderFilters, "frame-filters", ecfg.Encoder.Filters, "synthetic data: filters per scale of the frozen frame encoder")
	fs.IntVar(&f.encoderDim, "frame-dim", ecfg.Encoder.Dim, "synthetic data: feature dimension the frozen frame encoder outputs")
	fs.StringVar(&f.encoderMethod, "frame-filter-method", ecfg.Encoder.Method, "synthetic data: how the frame encoder gets its filters, kmeans or random")
	fs.IntVar(&f.encoderFitFrames, "frame-fit-frames", ecfg.Encoder.FitFrames, "synthetic data: training frames the frame encoder is fitted on")
}

// synthetic reports whether the flags select the synthetic corpus.
func (f *dataFlags) synthetic() bool { return len(f.captions) == 0 }

// noteKey is the model note holding the synthetic configuration.
const noteKey = "synthexp_config"

// load returns the data. For the synthetic corpus, a model's note (from
// training) supplies the configuration unless synthetic flags were given.
func (f *dataFlags) load(cmd *cobra.Command, b compute.Backend, m *captioner.Model) (*captioner.Data, error) {
	if !f.synthetic() {
		if f.features == "" || f.targets == "" {
			return nil, fmt.Errorf("real data needs --captions, --features (with --ids for a stacked .npy) and --targets")
		}
		ds, err := dataset.Load(dataset.Config{Captions: f.captions, Features: f.features, IDs: f.ids, GroundTruth: f.groundTruth, MaxMissing: f.maxMissing})
		if err != nil {
			return nil, err
		}
		for _, line := range ds.Join.Lines() {
			fmt.Fprintln(cmd.ErrOrStderr(), "data:", line)
		}
		t, err := captioner.LoadTargets(f.targets)
		if err != nil {
			return nil, err
		}
		f.ds = ds
		return &captioner.Data{Features: ds.Features, Captions: ds.Captions, Targets: t}, nil
	}
	cfg := synthexp.DefaultConfig()
	cfg.Synth = f.synthCfg
	cfg.Encoder.Filters, cfg.Encoder.Dim, cfg.Encoder.Method = f.encoderFilters, f.encoderDim, f.encoderMethod
	cfg.Encoder.FitFrames = f.encoderFitFrames
	cfg.CacheDir = f.cache
	changed := false
	for _, name := range []string{"synth-seed", "synth-train", "synth-val", "synth-test", "frame-filters", "frame-dim", "frame-filter-method", "frame-fit-frames"} {
		changed = changed || cmd.Flags().Changed(name)
	}
	if m != nil && !changed {
		if note := m.Notes[noteKey]; note != "" {
			if err := json.Unmarshal([]byte(note), &cfg); err != nil {
				return nil, fmt.Errorf("the model's note %s: %w", noteKey, err)
			}
			cfg.CacheDir = f.cache
		}
	}
	start := time.Now()
	bar := newBar(cfg.Synth.NumClips(), "encoding frames")
	p, err := synthexp.Prepare(b, cfg, func(done, total int) { _ = bar.Set(done) })
	_ = bar.Finish()
	if err != nil {
		return nil, err
	}
	how := "encoded"
	if p.Cached {
		how = "read cached"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "synthetic corpus: %d clips (seed %d), %s features of dim %d in %.1fs (%s)\n",
		len(p.Corpus.Clips), cfg.Synth.Seed, how, p.Data.Features.Dim, time.Since(start).Seconds(), p.FeatureDir)
	f.prepared, f.synthexpConfigUsed = p, cfg
	f.ds = p.Dataset(cfg)
	targets := f.targets
	if targets == "" && m != nil {
		targets = m.Notes[targetsNoteKey]
	}
	if targets == "" {
		return p.Data, nil
	}
	// Topic labels (e.g. LDA's, from `neurotopics topics`) replace the
	// ground-truth concepts as the interpretive loss's targets.
	t, err := captioner.LoadTargets(targets)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(targets); err == nil {
		f.targetsUsed = abs
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "targets: %d topics from %s\n", t.K(), targets)
	d := *p.Data
	d.Targets = t
	return &d, nil
}

// targetsNoteKey is the model note holding the targets folder of a model
// trained on the synthetic corpus with topic labels (--targets).
const targetsNoteKey = "targets"

// notes returns what train saves with the model about its data.
func (f *dataFlags) notes() map[string]string {
	if f.prepared == nil {
		return map[string]string{"features": f.features, "targets": f.targets}
	}
	b, _ := json.Marshal(f.synthexpConfigUsed)
	notes := map[string]string{noteKey: string(b)}
	if f.targetsUsed != "" {
		notes[targetsNoteKey] = f.targetsUsed
	}
	return notes
}

func newTrainCmd() *cobra.Command {
	var data dataFlags
	var out, settings string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train the interpretive captioner (or resume its newest checkpoint)",
		Long: `train fits the captioner of Dong et al. (CVPR 2017): an encoder over
per-frame features (by default the mean of their projections next to a motion
stream; encoder=gru for a GRU), a semantic layer a = ReLU(W v̄ + b) whose units predict the
clip's topics through the interpretive loss λ‖ŝ − s‖², and an LSTM decoder that
reads the video only through a.

Data: by default the synthetic corpus (generated from --synth-seed; its frames
are encoded once by a frozen frame encoder and cached in --cache) with its
ground-truth concepts as the targets. For real data give --captions, --features
(--ids) and --targets (the labels of ` + "`neurotopics topics`" + `).

Checkpoints go to --out every checkpoint_every steps (the newest
checkpoint_keep are kept, each written atomically); running train again with
the same --out resumes from the newest one. Progress (loss, steps/s) is shown on
stderr; a validation line (loss, topic mAP, CIDEr-D of eval_clips clips) is
printed every eval_every steps. A NaN or infinite loss stops training with the
step.

Hyperparameters (--set "key=value;key=value"; stored in every checkpoint):
` + captioner.ParamsHelp(),
		Example: `  neurotopics train --out runs/interp
  neurotopics train --out runs/baseline --set "interp_lambda=0"
  neurotopics train --out runs/bce --set "interp_loss=bce;seed=2;train_steps=5000"
  neurotopics train --out runs/msvd --captions msvd/ --features feats/ --targets out/topics-msvd`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("train: --out is required (the checkpoint folder)")
			}
			if h := backend.SpeedHint(); h != "" {
				fmt.Fprintln(cmd.OutOrStdout(), h)
			}
			// One training at a time in a checkpoint folder.
			release, err := pipeline.LockDir(out, func(holder string) { fmt.Fprintln(cmd.ErrOrStderr(), "train:", holder) })
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			defer release()
			b, err := backend.New()
			if err != nil {
				return err
			}
			d, err := data.load(cmd, b, nil)
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			start := time.Now()
			m, res, err := captioner.Train(ctx, d, captioner.TrainConfig{
				Backend: b, Dir: out, Settings: settings, Log: cmd.ErrOrStderr(),
				Progress: !quiet && isTerminal(cmd.ErrOrStderr()), ProgressOut: cmd.ErrOrStderr(), Notes: data.notes(),
			})
			if err != nil {
				if m != nil && ctx.Err() != nil {
					return fmt.Errorf("train: interrupted at step %d (the newest checkpoint in %s is intact; run again to resume)", m.Step(), out)
				}
				return fmt.Errorf("train: %w", err)
			}
			abs, _ := filepath.Abs(out)
			resumed := ""
			if res.Resumed > 0 {
				resumed = fmt.Sprintf("resumed from step %d, ", res.Resumed)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "trained to step %d (%s%d steps this run, median %.1f ms a step, %.0fs in all); checkpoint %s\n",
				m.Step(), resumed, res.Steps, float64(res.StepTime.Microseconds())/1000, time.Since(start).Seconds(), res.Checkpoint)
			if n := len(res.Validations); n > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "last validation: %s\n", res.Validations[n-1])
			}
			fmt.Fprintf(cmd.OutOrStdout(), "next: neurotopics eval --model %s\n", abs)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "checkpoint folder (created if missing; resumed if it has checkpoints)")
	f.StringVar(&settings, "set", "", `hyperparameters, "key=value;key=value" (see the list above)`)
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	data.register(f)
	return cmd
}
