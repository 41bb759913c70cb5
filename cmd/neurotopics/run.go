package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/videodata"
)

// runFlags are the settings of `neurotopics run`.
type runFlags struct {
	out, cache           string
	jobs                 int
	quick, force, quiet  bool
	opts                 pipeline.Options // the pipeline's flags; Quick is quick
	synthTrain, synthVal int
	synthTest, fitFrames int
	frameBits            int
	data                 dataFlags
	video                videoFlags
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the whole pipeline on a dataset (the synthetic corpus, or your captions + features) and write the report",
		Long: `run does every stage of the paper on a dataset and writes a reproducible report.
The dataset is the embedded synthetic corpus (the default; it has ground truth:
concepts per clip and action classes), or real captions and features:
--captions (MSVD .tsv files or an MSR-VTT videodatainfo.json) with --features
(a folder of <clipID>.npy, or one stacked .npy with --ids). Clips on one side
only are left out, counted and reported (--max-missing stops the run above a
share). Sections that need ground truth (concept families, dissection against
concepts) appear only with it; without it units are dissected against the
clips' topic labels (and MSR-VTT categories), and wrong captions are judged
against the references. Transfer needs class labels (MSR-VTT's category, the
synthetic action): MSVD has none, and the report says so.

  data       the synthetic corpus, generated and its frames encoded once
             (cached in --cache), or the captions and features joined by clip id
  topics     LDA topics of the captions; each clip's top topics are its labels
             (neurotopics topics), matched to the ground-truth concepts
  train      for each seed (neurotopics train): the baseline (λ = 0), the
             paper's setting (λ = 0.1, squared error; --paper) and the
             interpretive captioner: one unit per topic (--topic-head) and
             --free-units more, BCE (--interp-loss) at --lambda 0.5 on the
             topic labels (docs/units.md)
  eval       caption metrics on the test split, the human ceiling and the
             constant-caption floor, concept accuracy per family (neurotopics eval)
  interpret  PDM labels of every semantic unit, Network-Dissection IoU against
             the ground truth, unit cards (neurotopics interpret)
  transfer   action recognition from the frozen semantic layer (neurotopics transfer)
  revise     the automatic revision rule on wrong captions (neurotopics revise measure)
  report     index.html with the paper's tables, unit cards and plots (plots/),
             metrics.json (every number; identical for the same seed and
             settings), config.json (the full configuration)

Stage outputs are cached under --out/stages/<stage>-<hash of its configuration>
and reused on the next run with the same configuration (--force recomputes
them); an interrupted run resumes where it stopped (training resumes from its
newest checkpoint). Two runs with the same --out take turns: the second waits
for the first (it says which process holds the folder), then reuses its stages.
--quick runs a small corpus and short trainings (≈ 1.2 minutes
on 2 cores) to try the pipeline; the default takes ≈ 3 minutes on a first run
and ≈ 2 once the frame features are cached, --seeds 3 ≈ 6 (README). These
times are for a binary built with GOEXPERIMENT=simd (Go's SIMD matrix kernels,
amd64): without it training is ≈ 3× slower.`,
		Example: `  neurotopics run                       # default corpus, one seed, report in report/
  neurotopics run --captions msrvtt/videodatainfo.json --features feats/ --out report-msrvtt
  neurotopics export --out /tmp/synth-export && neurotopics run --captions /tmp/synth-export/videodatainfo.json --features /tmp/synth-export/features
  neurotopics run --quick --out /tmp/r  # ≈ 2 minutes
  neurotopics run --seeds 3             # mean ± sd over 3 seeds for the paper's tables
  neurotopics run --paper=false --lambda 0.1 --interp-loss mse --topic-head dense   # the paper's setting alone
  neurotopics run --set "train_steps=4000;semantic_bias=0.1"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runPipeline(cmd, &f); err != nil {
				return fmt.Errorf("run: %w", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.out, "out", "report", "report folder (index.html, metrics.json, config.json, plots/); stage outputs are cached in its stages/")
	def := pipeline.DefaultOptions()
	o := &f.opts
	fs.IntVar(&o.Seeds, "seeds", def.Seeds, "model seeds per λ (the tables show mean ± sd over them)")
	fs.BoolVar(&f.force, "force", false, "recompute every stage even when its cached output exists")
	fs.StringVar(&o.Settings, "set", def.Settings, `captioner hyperparameters for every model, "key=value;…" (see neurotopics train --help)`)
	fs.Float64Var(&o.Lambda, "lambda", def.Lambda, "λ of the interpretive model; the baseline has λ = 0, the paper's setting (--paper) 0.1")
	fs.StringVar(&o.InterpLoss, "interp-loss", def.InterpLoss, `the interpretive model's loss: "bce" (sigmoid cross-entropy of the topic head against the topic labels) or "mse" (the paper's ‖ŝ − s‖²)`)
	fs.StringVar(&o.TopicHead, "topic-head", def.TopicHead, `the interpretive model's topic head: "diagonal" (unit k alone predicts topic k: K topic units and --free-units more; docs/units.md) or "dense" (the paper's: every unit feeds every topic)`)
	fs.IntVar(&o.FreeUnits, "free-units", def.FreeUnits, "with --topic-head diagonal: semantic units beyond the K topic units, read by the decoder only")
	fs.Float64Var(&o.ActivityL1, "activity-l1", def.ActivityL1, "L1 penalty on the interpretive model's semantic layer (captioner's activity_l1; the baseline gets none): fewer units per clip and per topic")
	fs.IntVar(&o.Steps, "steps", def.Steps, "training steps per model (0: 1000, or 400 with --quick)")
	fs.IntVar(&o.TopicsK, "topics-k", def.TopicsK, "LDA topics")
	fs.Float64Var(&o.TopicsAlpha, "topics-alpha", def.TopicsAlpha, "LDA's prior on each clip's topic mix (0: neurotopics topics' default, 0.1; larger: topics that each name one concept)")
	fs.IntVar(&o.TopicsLabelK, "topics-label-k", def.TopicsLabelK, "topics each clip is labelled with at most (0: neurotopics topics' default, 3)")
	fs.BoolVar(&o.Paper, "paper", def.Paper, "also train the paper's setting (squared error, λ = 0.1, dense head) next to the interpretive model, as the report's reproduction row (--paper=false: baseline and interpretive model only)")
	fs.StringVar(&o.InterpSettings, "interp-set", def.InterpSettings, `captioner hyperparameters for the interpretive model only, after --set (e.g. "semantic_bias=0.1")`)
	fs.IntVar(&o.InterpretClips, "interpret-clips", def.InterpretClips, "test clips interpreted (0: all)")
	fs.IntVar(&o.TransferSeeds, "transfer-seeds", def.TransferSeeds, "few-shot samples per transfer point")
	fs.IntVar(&o.ReviseClips, "revise-clips", def.ReviseClips, "test clips captioned and revised (0: all)")
	fs.IntVar(&f.jobs, "jobs", min(2, runtime.NumCPU()), "models trained at the same time (each uses about one core)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bars (stage lines only)")
	f.registerSynth(fs)
	fs.StringSliceVar(&f.data.captions, "captions", nil, "real data: caption files or folders (MSVD .tsv, MSR-VTT videodatainfo.json); without it, the synthetic corpus is used")
	fs.StringVar(&f.data.features, "features", "", "real data: per-frame features, a folder of <clipID>.npy [frames, dim] or one .npy [clips, frames, dim] with --ids")
	fs.StringVar(&f.data.ids, "ids", "", "real data: the clip id of each row of a stacked --features .npy, one a line")
	fs.StringVar(&f.data.groundTruth, "ground-truth", "", "real data: optional ground truth (concepts per clip, class labels) as written by neurotopics export; sections that need it appear only with it")
	fs.Float64Var(&f.data.maxMissing, "max-missing", dataset.DefaultMaxMissing, "real data: the largest share of clips that may lack features (or a readable video) or captions (they are left out and counted in the report); above it the run stops")
	f.video.register(fs)
	return cmd
}

// options turns the flags into the pipeline's options.
func (f *runFlags) options() pipeline.Options {
	o := f.opts
	o.Quick = f.quick
	return o
}

// registerSynth registers the flags of the synthetic corpus and its frame
// encoder.
func (f *runFlags) registerSynth(fs *pflag.FlagSet) {
	fs.BoolVar(&f.quick, "quick", false, "small corpus and short trainings, to try the pipeline in a few minutes")
	fs.IntVar(&f.synthTrain, "synth-train", 0, "synthetic data: training clips of the corpus (0: the default corpus' 5000, or 600 with --quick)")
	fs.IntVar(&f.synthVal, "synth-val", 0, "synthetic data: validation clips (0: 500, or 100 with --quick)")
	fs.IntVar(&f.synthTest, "synth-test", 0, "synthetic data: test clips (0: 1000, or 200 with --quick)")
	fs.IntVar(&f.fitFrames, "frame-fit-frames", 0, "synthetic data: frames the frozen frame encoder is fitted on (0: 3000, or 1000 with --quick)")
	fs.StringVar(&f.cache, "cache", synthexp.DefaultConfig().CacheDir, "folder caching the encoded frame features of the synthetic corpus (shared with neurotopics train; keyed by the corpus and encoder configuration) and the decoded frames and features of --videos")
	fs.IntVar(&f.frameBits, "synth-frame-bits", 0, "synthetic data: 8 rounds the rendered frames to 8 bits as a video file stores them (the frames of export --videos --codec ffv1 are then exactly the corpus'); 0 keeps float frames")
}

// synthConfig is the synthetic corpus and frame encoder of the flags.
func (f *runFlags) synthConfig() (synthexp.Config, error) {
	cache := f.cache
	if cache == "" {
		cache = filepath.Join(f.out, "stages", "features")
	}
	cfg, err := synthexp.RunConfig(f.quick, synthexp.Sizes{Train: f.synthTrain, Val: f.synthVal, Test: f.synthTest, FitFrames: f.fitFrames}, cache)
	cfg.Synth.FrameBits = f.frameBits
	return cfg, err
}

// dataset loads the run's data: real captions and features (--captions,
// --features, --ids, --ground-truth), or the synthetic corpus, whose frames
// are encoded once into the feature cache. It returns the dataset and its
// source's configuration (for config.json).
func (f *runFlags) dataset(ctx context.Context, cmd *cobra.Command, b compute.Backend) (*dataset.Dataset, any, error) {
	log := cmd.ErrOrStderr()
	if f.video.videos != "" {
		return f.videoDataset(ctx, cmd, b)
	}
	if !f.data.synthetic() && videodata.IsFeatureFolder(f.data.features) {
		d, err := videodata.Open(b, f.data.captions, f.data.features, f.data.groundTruth, f.data.maxMissing)
		if err != nil {
			return nil, nil, err
		}
		for _, line := range append(d.Join.Lines(), d.Captions.Warnings...) {
			fmt.Fprintln(log, "data:", line)
		}
		return d, dataset.Config{Captions: f.data.captions, Features: f.data.features, GroundTruth: f.data.groundTruth, MaxMissing: f.data.maxMissing}, nil
	}
	if !f.data.synthetic() {
		cfg := dataset.Config{Captions: f.data.captions, Features: f.data.features, IDs: f.data.ids, GroundTruth: f.data.groundTruth, MaxMissing: f.data.maxMissing}
		d, err := dataset.Load(cfg)
		if err != nil {
			return nil, nil, err
		}
		for _, line := range append(d.Join.Lines(), d.Captions.Warnings...) {
			fmt.Fprintln(log, "data:", line)
		}
		return d, cfg, nil
	}
	cfg, err := f.synthConfig()
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	bar := newBar(cfg.Synth.NumClips(), "encoding frames")
	if f.quiet {
		bar = nil
	}
	d, p, err := synthexp.Dataset(b, cfg, func(done, total int) {
		if bar != nil {
			_ = bar.Set(done)
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return nil, nil, err
	}
	how := "encoded"
	if p.Cached {
		how = "read cached"
	}
	fmt.Fprintf(log, "features: %s %d clips × %d frames of dim %d in %.1fs (%s)\n", how, d.NumClips(), cfg.Synth.Frames, d.Features.Dim, time.Since(start).Seconds(), p.FeatureDir)
	return d, cfg.Source(), nil
}

func runPipeline(cmd *cobra.Command, f *runFlags) error {
	opts := f.options()
	if err := opts.Validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	logw := cmd.ErrOrStderr()
	if h := backend.SpeedHint(); h != "" {
		fmt.Fprintln(logw, h)
	}
	// The report folder is checked before the data is made, not after.
	if err := pipeline.CheckWritable(f.out, "--out"); err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	d, source, err := f.dataset(ctx, cmd, b)
	if err != nil {
		return err
	}
	plan, err := pipeline.NewPlan(opts, d, source)
	if err != nil {
		return err
	}
	progress := io.Writer(logw)
	if f.quiet || !isTerminal(logw) {
		progress = io.Discard
	}
	sum, err := pipeline.Run(ctx, d, plan, pipeline.RunConfig{Out: f.out, Force: f.force, Jobs: f.jobs, Log: logw, Progress: progress,
		Reproduce: pipeline.Reproduce(append([]string{"run"}, reproduceArgs(cmd)...))})
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "report: %s (%.0fs in all)\n", sum.Report, sum.Seconds)
	return nil
}

// reproduceArgs lists the flags of cmd that were set, as a shell would take
// them.
func reproduceArgs(cmd *cobra.Command) []string {
	var args []string
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if fl.Name == "quiet" || fl.Name == "force" || fl.Name == "jobs" || fl.Name == "out" || fl.Name == "cache" {
			return
		}
		if fl.Value.Type() == "bool" {
			args = append(args, "--"+fl.Name)
			return
		}
		v := fl.Value.String()
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			v = strings.Join(sv.GetSlice(), ",")
		}
		if v == "" || strings.ContainsAny(v, " \t\"'$;&|<>*?()[]{}\\`!#~") {
			v = strconv.Quote(v)
		}
		args = append(args, "--"+fl.Name, v)
	})
	return args
}

// videoDataset decodes and encodes the run's --videos (cached in --cache).
func (f *runFlags) videoDataset(ctx context.Context, cmd *cobra.Command, b compute.Backend) (*dataset.Dataset, any, error) {
	if len(f.data.captions) == 0 {
		return nil, nil, fmt.Errorf("--videos needs --captions (MSVD .tsv files or an MSR-VTT videodatainfo.json naming the clips)")
	}
	if f.data.features != "" {
		return nil, nil, fmt.Errorf("--videos and --features both given: the features are made from the videos; give one")
	}
	scfg, err := f.synthConfig()
	if err != nil {
		return nil, nil, err
	}
	log := cmd.ErrOrStderr()
	var bar *progressbar.ProgressBar
	step := func(what string) func(done, total int) {
		return func(done, total int) {
			if f.quiet {
				return
			}
			if bar == nil || bar.GetMax() != total {
				bar = newBar(total, what)
			}
			_ = bar.Set(done)
		}
	}
	cfg := videodata.Config{Source: videodata.Source{Videos: f.video.videos, Captions: f.data.captions, Mapping: f.video.mapping},
		Decode: f.video.decode(), Encoder: scfg.Encoder, GroundTruth: f.data.groundTruth, MaxMissing: f.data.maxMissing,
		CacheDir: scfg.CacheDir, Jobs: runtime.NumCPU(), Decoding: step("decoding videos"), Encoding: step("encoding frames")}
	start := time.Now()
	d, err := videodata.Load(ctx, b, cfg)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return nil, nil, err
	}
	for _, line := range append(d.Join.Lines(), d.Captions.Warnings...) {
		fmt.Fprintln(log, "data:", line)
	}
	fmt.Fprintf(log, "videos: %d clips decoded and encoded in %.1fs (cached in %s)\n", d.NumClips(), time.Since(start).Seconds(), scfg.CacheDir)
	return d, cfg, nil
}
