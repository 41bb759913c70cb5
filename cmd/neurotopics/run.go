package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/topics"
)

// runFlags are the settings of `neurotopics run`.
type runFlags struct {
	out, settings, cache   string
	jobs                   int
	quick, force, quiet    bool
	seeds, steps, topicsK  int
	synthTrain, synthVal   int
	synthTest, fitFrames   int
	interpretClips, shots  int
	transferSeeds, revClip int
	lambda, activityL1     float64
	interpLoss             string
}

// runPlan is the whole configuration of a pipeline run, saved as the
// report's config.json.
type runPlan struct {
	Quick bool         `json:"quick"`
	Synth synth.Config `json:"synth"`
	// FitFrames is the number of frames the frozen frame encoder is fitted on.
	FitFrames int `json:"frame_fit_frames"`
	// TopicsK, TopicsIterations: LDA's K and Gibbs sweeps (stemmed words).
	TopicsK          int `json:"topics_k"`
	TopicsIterations int `json:"topics_iterations"`
	// Lambdas are the interpretive-loss weights compared (baseline first),
	// Seeds the model seeds of each.
	Lambdas []float64 `json:"lambdas"`
	Seeds   []int     `json:"seeds"`
	// InterpLoss is the interpretive models' loss: "mse" (the paper's) or
	// "bce" (captioner's interp_loss).
	InterpLoss string `json:"interp_loss"`
	// ActivityL1 is the interpretive models' L1 penalty on the semantic
	// layer's activity (captioner's activity_l1; 0 = none).
	ActivityL1 float64 `json:"activity_l1,omitempty"`
	// Settings are the captioner hyperparameters shared by every model
	// ("key=value;…"; interp_lambda and seed are set per model).
	Settings string `json:"settings"`
	// InterpretClips test clips are interpreted (0 = all); units'
	// distributions come from InterpretTrainClips training clips.
	InterpretClips      int `json:"interpret_clips"`
	InterpretTrainClips int `json:"interpret_train_clips"`
	// TransferSeeds few-shot samples per point; ReviseClips test clips are
	// captioned and revised (0 = all).
	TransferSeeds int `json:"transfer_seeds"`
	ReviseClips   int `json:"revise_clips"`
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the whole pipeline on the synthetic corpus and write the report",
		Long: `run does every stage of the paper on the embedded synthetic corpus, with ground
truth, and writes a reproducible report:

  corpus     generate the captioned clips (neurotopics synth)
  topics     LDA topics of the captions; each clip's top topics are its labels
             (neurotopics topics), matched to the ground-truth concepts
  train      the baseline (λ = 0) and the interpretive captioner (--lambda,
             the paper's 0.1, with --interp-loss, the paper's squared error),
             trained on the topic labels, for each seed (neurotopics train)
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
--quick runs a small corpus and short trainings (≈ 1.5 minutes
on 2 cores) to try the pipeline; the default takes ≈ 6 minutes on a first run
and ≈ 3 once the frame features are cached, --seeds 3 ≈ 8 (README). These
times are for a binary built with GOEXPERIMENT=simd (Go's SIMD matrix kernels,
amd64): without it training is ≈ 3× slower.`,
		Example: `  neurotopics run                       # default corpus, one seed, report in report/
  neurotopics run --quick --out /tmp/r  # ≈ 2 minutes
  neurotopics run --seeds 3             # mean ± sd over 3 seeds for the paper's tables
  neurotopics run --interp-loss bce --lambda 1   # the BCE interpretive loss
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
	fs.BoolVar(&f.quick, "quick", false, "small corpus and short trainings, to try the pipeline in a few minutes")
	fs.IntVar(&f.seeds, "seeds", 1, "model seeds per λ (the tables show mean ± sd over them)")
	fs.BoolVar(&f.force, "force", false, "recompute every stage even when its cached output exists")
	fs.StringVar(&f.settings, "set", "", `captioner hyperparameters for every model, "key=value;…" (see neurotopics train --help)`)
	fs.Float64Var(&f.lambda, "lambda", 0.1, "λ of the interpretive model (the paper's 0.1); the baseline has λ = 0")
	fs.StringVar(&f.interpLoss, "interp-loss", "mse", `the interpretive model's loss: "mse" (the paper's ‖ŝ − s‖²) or "bce" (sigmoid cross-entropy; with --lambda 1 it named every concept family better and kept more units alive: docs/results.md)`)
	fs.Float64Var(&f.activityL1, "activity-l1", 0, "L1 penalty on the interpretive model's semantic layer (captioner's activity_l1; the baseline gets none): fewer units per clip and per topic, which revision edits (docs/results.md)")
	fs.IntVar(&f.steps, "steps", 0, "training steps per model (0: 1500, or 400 with --quick)")
	fs.IntVar(&f.topicsK, "topics-k", 30, "LDA topics")
	fs.IntVar(&f.synthTrain, "synth-train", 0, "training clips of the corpus (0: the default corpus' 5000, or 600 with --quick)")
	fs.IntVar(&f.synthVal, "synth-val", 0, "validation clips (0: 500, or 100 with --quick)")
	fs.IntVar(&f.synthTest, "synth-test", 0, "test clips (0: 1000, or 200 with --quick)")
	fs.IntVar(&f.fitFrames, "frame-fit-frames", 0, "frames the frozen frame encoder is fitted on (0: 3000, or 1000 with --quick)")
	fs.IntVar(&f.interpretClips, "interpret-clips", 0, "test clips interpreted (0: all)")
	fs.IntVar(&f.transferSeeds, "transfer-seeds", 3, "few-shot samples per transfer point")
	fs.IntVar(&f.revClip, "revise-clips", 0, "test clips captioned and revised (0: all)")
	fs.StringVar(&f.cache, "cache", synthexp.DefaultConfig().CacheDir, "folder caching the encoded frame features (shared with neurotopics train; keyed by the corpus and encoder configuration)")
	fs.IntVar(&f.jobs, "jobs", min(2, runtime.NumCPU()), "models trained at the same time (each uses about one core)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bars (stage lines only)")
	return cmd
}

// plan turns the flags into the run's configuration.
func (f *runFlags) plan() (runPlan, error) {
	p := runPlan{Quick: f.quick, Synth: synth.DefaultConfig(), FitFrames: 3000, TopicsK: f.topicsK, TopicsIterations: 200,
		Lambdas: []float64{0, f.lambda}, InterpLoss: f.interpLoss, ActivityL1: f.activityL1, InterpretClips: f.interpretClips, TransferSeeds: f.transferSeeds, ReviseClips: f.revClip}
	steps := 1500 // enough for every concept family ≥ 0.9 with the "mean" encoder (docs/results.md)
	if f.quick {
		p.Synth.Train, p.Synth.Val, p.Synth.Test = 600, 100, 200
		p.FitFrames, p.TopicsIterations, steps = 1000, 100, 400
	}
	for _, o := range []struct {
		v   int
		dst *int
	}{{f.synthTrain, &p.Synth.Train}, {f.synthVal, &p.Synth.Val}, {f.synthTest, &p.Synth.Test}, {f.fitFrames, &p.FitFrames}, {f.steps, &steps}} {
		if o.v < 0 {
			return p, fmt.Errorf("a size flag is %d; expected ≥ 0 (0 = the default)", o.v)
		}
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	if f.seeds < 1 {
		return p, fmt.Errorf("--seeds %d; expected ≥ 1", f.seeds)
	}
	if !(f.lambda > 0) || math.IsInf(f.lambda, 0) {
		return p, fmt.Errorf("--lambda %v; expected a finite λ > 0 (the baseline, λ = 0, is always trained)", f.lambda)
	}
	if !(f.activityL1 >= 0) || math.IsInf(f.activityL1, 0) {
		return p, fmt.Errorf("--activity-l1 %v; expected a finite weight ≥ 0", f.activityL1)
	}
	if f.interpLoss != "mse" && f.interpLoss != "bce" {
		return p, fmt.Errorf("--interp-loss %q; expected \"mse\" (the paper's) or \"bce\"", f.interpLoss)
	}
	if f.topicsK < 2 {
		return p, fmt.Errorf("--topics-k %d; expected ≥ 2", f.topicsK)
	}
	for s := 1; s <= f.seeds; s++ {
		p.Seeds = append(p.Seeds, s)
	}
	p.InterpretTrainClips = min(1000, p.Synth.Train)
	// Checkpoints every fifth of the training, for resuming; one validation,
	// at the end (the eval stage measures the test split; each periodic
	// validation would cost ≈ 5 s).
	every := max(100, steps/5)
	p.Settings = fmt.Sprintf("train_steps=%d;eval_every=0;checkpoint_every=%d;eval_clips=%d",
		steps, every, min(200, p.Synth.Val))
	// The captioner's default N = 128 semantic units (64 units collapsed to
	// 11 live ones with LDA targets: docs/results.md); N must be ≥ K.
	if units := captioner.DefaultParams()[captioner.ParamSemanticUnits].(int); f.topicsK > units {
		p.Settings += fmt.Sprintf(";semantic_units=%d", f.topicsK)
	}
	p.Settings = strings.Trim(p.Settings+";"+f.settings, ";")
	return p, nil
}

// stageLog prints one line per stage: its number, name and time, or that
// its cached output was reused.
type stageLog struct {
	mu    sync.Mutex
	w     io.Writer
	n, of int
	r     *pipeline.Runner
}

// next numbers a stage and prints its start.
func (l *stageLog) next(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	fmt.Fprintf(l.w, "[%d/%d] %s …\n", l.n, l.of, name)
	return l.n
}

func (l *stageLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// do runs stage s through the runner and prints its line.
func (l *stageLog) do(s pipeline.Stage) (*pipeline.Result, error) {
	n := l.next(s.Name)
	res, err := l.r.Do(s)
	switch {
	case err != nil:
		l.printf("[%d/%d] %s failed\n", n, l.of, s.Name)
	case res.Cached:
		l.printf("[%d/%d] %s: cached (%s)\n", n, l.of, s.Name, res.Dir)
	default:
		l.printf("[%d/%d] %s: done in %.1fs\n", n, l.of, s.Name, res.Seconds)
	}
	return res, err
}

// task is a stage of the run that waits for others: build makes its stage
// once the stages of deps are done (their results are read then), with the
// writer its progress bar goes to; done receives its result.
type task struct {
	deps  []*task
	build func(bar io.Writer) pipeline.Stage
	done  func(*pipeline.Result)

	started, finished bool
}

// runTasks runs tasks, at most jobs at a time: each starts, in the order of
// tasks, as soon as its dependencies are done. One running task at a time
// draws its progress bar on bar; the others draw none. After a failure no
// new task starts; it returns the failures once the running tasks end.
func (l *stageLog) runTasks(tasks []*task, jobs int, bar io.Writer) error {
	type outcome struct {
		t      *task
		res    *pipeline.Result
		err    error
		hadBar bool
	}
	finished := make(chan outcome)
	running, barFree := 0, true
	var errs []error
	for {
		for _, t := range tasks {
			if running >= max(1, jobs) || len(errs) > 0 {
				break
			}
			waiting := slices.ContainsFunc(t.deps, func(d *task) bool { return !d.finished })
			if t.started || waiting {
				continue
			}
			t.started = true
			running++
			w, hasBar := io.Discard, barFree
			if hasBar {
				w, barFree = bar, false
			}
			st := t.build(w)
			go func() {
				res, err := l.do(st)
				finished <- outcome{t, res, err, hasBar}
			}()
		}
		if running == 0 {
			break
		}
		o := <-finished
		running--
		barFree = barFree || o.hadBar
		if o.err != nil {
			errs = append(errs, o.err)
			continue
		}
		o.t.finished = true
		if o.t.done != nil {
			o.t.done(o.res)
		}
	}
	if len(errs) == 0 && slices.ContainsFunc(tasks, func(t *task) bool { return !t.finished }) {
		errs = append(errs, fmt.Errorf("internal: a task waits for one that is not in the list"))
	}
	return errors.Join(errs...)
}

// step runs a step that is not a cached stage and prints its line.
func (l *stageLog) step(name string, run func() error) error {
	n := l.next(name)
	start := time.Now()
	if err := run(); err != nil {
		l.printf("[%d/%d] %s failed\n", n, l.of, name)
		return err
	}
	l.printf("[%d/%d] %s: done in %.1fs\n", n, l.of, name, time.Since(start).Seconds())
	return nil
}

// subcommand runs one neurotopics command in-process with args; its stdout
// goes to out, its stderr (progress bars, validation lines) to errw.
func subcommand(ctx context.Context, c *cobra.Command, args []string, out, errw io.Writer) error {
	c.SetArgs(args)
	c.SetOut(out)
	c.SetErr(errw)
	c.SilenceUsage, c.SilenceErrors = true, true
	return c.ExecuteContext(ctx)
}

// modelName names the model of (λ, seed).
func modelName(lambda float64, seed int) string {
	return fmt.Sprintf("lambda%s-seed%d", strconv.FormatFloat(lambda, 'g', -1, 64), seed)
}

func runPipeline(cmd *cobra.Command, f *runFlags) error {
	plan, err := f.plan()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	// One run at a time in a folder: a second run with the same --out waits
	// for the first, then reuses its stages.
	release, err := pipeline.LockDir(f.out, func(holder string) { fmt.Fprintln(cmd.ErrOrStderr(), "run:", holder) })
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	defer release()
	start := time.Now()
	stagesDir := filepath.Join(f.out, "stages")
	featCache := f.cache
	if featCache == "" {
		featCache = filepath.Join(stagesDir, "features")
	}
	logw := cmd.ErrOrStderr()
	progress := io.Writer(logw)
	if f.quiet {
		progress = io.Discard
	}
	if h := backend.SpeedHint(); h != "" {
		fmt.Fprintln(logw, h)
	}
	nModels := len(plan.Lambdas) * len(plan.Seeds)
	r := &pipeline.Runner{Root: stagesDir, Force: f.force}
	sl := &stageLog{w: logw, of: 3 + 3*nModels + 3, r: r}
	quietArg := func(args []string) []string {
		if f.quiet {
			return append(args, "--quiet")
		}
		return args
	}
	dataArgs := []string{"--cache", featCache, "--synth-seed", strconv.FormatUint(plan.Synth.Seed, 10),
		"--synth-train", strconv.Itoa(plan.Synth.Train), "--synth-val", strconv.Itoa(plan.Synth.Val),
		"--synth-test", strconv.Itoa(plan.Synth.Test), "--frame-fit-frames", strconv.Itoa(plan.FitFrames)}

	// 1. corpus
	corpusRes, err := sl.do(pipeline.Stage{Name: "corpus", Config: plan.Synth, Run: func(dir string) error {
		c, err := synth.Generate(plan.Synth)
		if err != nil {
			return err
		}
		return c.Write(dir, nil)
	}})
	if err != nil {
		return err
	}

	// 2. topics
	topicsCfg := map[string]any{"k": plan.TopicsK, "iterations": plan.TopicsIterations, "stem": true}
	topicsRes, err := sl.do(pipeline.Stage{Name: "topics", Config: topicsCfg, After: []*pipeline.Result{corpusRes}, Run: func(dir string) error {
		log, err := os.Create(filepath.Join(dir, "log.txt"))
		if err != nil {
			return err
		}
		defer log.Close()
		args := quietArg([]string{"--captions", corpusRes.Dir, "--k", strconv.Itoa(plan.TopicsK), "--iterations", strconv.Itoa(plan.TopicsIterations),
			"--stem", "--out", dir})
		if err := subcommand(ctx, newTopicsCmd(), args, log, progress); err != nil {
			return err
		}
		return writeTopicConcepts(dir, filepath.Join(corpusRes.Dir, "groundtruth.json"))
	}})
	if err != nil {
		return err
	}

	// 3. The frame features, encoded once into the cache the trainings read
	// (so that parallel trainings do not encode them twice).
	if err := sl.step("features", func() error { return prepareFeatures(plan, featCache, logw) }); err != nil {
		return err
	}

	// 4–5. Train every model, then evaluate and interpret each, transfer the
	// first seed's models to action recognition and revise the first
	// interpretive model's wrong captions: tasks that start, --jobs at a
	// time, as soon as the stages they read are done (trainings first).
	topicConcepts := filepath.Join(topicsRes.Dir, "topic_concepts.json")
	var models []*modelRun
	var trains, later []*task
	for si, seed := range plan.Seeds {
		for i, lambda := range plan.Lambdas {
			mr := &modelRun{Lambda: lambda, Seed: seed, Name: modelName(lambda, seed)}
			models = append(models, mr)
			settings := plan.modelSettings(lambda, seed)
			// The key holds every resolved hyperparameter, not only the
			// settings, so that a changed default retrains the model.
			params, err := captioner.ResolveParams(settings)
			if err != nil {
				return fmt.Errorf("--set %q: %w", plan.Settings, err)
			}
			train := &task{build: func(bar io.Writer) pipeline.Stage {
				st := pipeline.Stage{Name: "train-" + mr.Name, Config: map[string]any{"settings": settings, "params": params, "data": dataArgs[2:]},
					After: []*pipeline.Result{topicsRes}}
				key, err := pipeline.Key(st)
				if err != nil {
					st.Run = func(string) error { return err }
					return st
				}
				// Checkpoints go to a folder outside the stage's temporary
				// one, so that a run interrupted during training resumes
				// from them.
				ckpt := filepath.Join(stagesDir, "checkpoints", st.Name+"-"+key)
				args := append([]string{"--out", ckpt, "--targets", topicsRes.Dir, "--set", settings}, dataArgs...)
				if bar == io.Discard {
					args = append(args, "--quiet")
				}
				st.Run = func(dir string) error {
					if err := subcommand(ctx, newTrainCmd(), args, logFile(dir), bar); err != nil {
						return err
					}
					return copyNewestCheckpoint(ckpt, dir)
				}
				return st
			}}
			train.done = func(r *pipeline.Result) { mr.train = r }
			trains = append(trains, train)

			baselines := si == 0 && i == 0 // the human ceiling and constant floor, once
			eval := &task{deps: []*task{train}, build: func(io.Writer) pipeline.Stage {
				return pipeline.Stage{Name: "eval-" + mr.Name, Config: map[string]any{"baselines": baselines},
					After: []*pipeline.Result{mr.train}, Run: func(dir string) error {
						out, err := os.Create(filepath.Join(dir, "eval.json"))
						if err != nil {
							return err
						}
						defer out.Close()
						args := append([]string{"--model", mr.train.Dir, "--json"}, dataArgs[:2]...)
						if baselines {
							args = append(args, "--baselines")
						}
						return subcommand(ctx, newEvalCmd(), args, out, logFile(dir))
					}}
			}}
			eval.done = func(r *pipeline.Result) { mr.eval = r }
			head := "model"
			if lambda == 0 {
				head = "probe" // a baseline's topic head is untrained
			}
			icfg := map[string]any{"head": head, "clips": plan.InterpretClips, "train_clips": plan.InterpretTrainClips}
			interp := &task{deps: []*task{train}, build: func(bar io.Writer) pipeline.Stage {
				return pipeline.Stage{Name: "interpret-" + mr.Name, Config: icfg, After: []*pipeline.Result{mr.train, topicsRes},
					Run: func(dir string) error {
						args := quietArg(append([]string{"--checkpoint", mr.train.Dir, "--out", dir, "--head", head,
							"--topic-concepts", topicConcepts, "--topic-words", filepath.Join(topicsRes.Dir, "topic_words.json"),
							"--clips", strconv.Itoa(plan.InterpretClips), "--train-clips", strconv.Itoa(plan.InterpretTrainClips),
							"--fig-dir", "plots"}, dataArgs[:2]...))
						return subcommand(ctx, newInterpretCmd(), args, logFile(dir), bar)
					}}
			}}
			interp.done = func(r *pipeline.Result) { mr.interp = r }
			later = append(later, eval, interp)
		}
	}
	// The first seed's baseline and interpretive model.
	base, interp := models[0], models[1]
	baseTrain, interpTrain := trains[0], trains[1]
	var transferRes, reviseRes *pipeline.Result
	transfer := &task{deps: []*task{baseTrain, interpTrain}, build: func(bar io.Writer) pipeline.Stage {
		return pipeline.Stage{Name: "transfer", Config: map[string]any{"seeds": plan.TransferSeeds},
			After: []*pipeline.Result{base.train, interp.train}, Run: func(dir string) error {
				var seeds []string
				for s := 1; s <= plan.TransferSeeds; s++ {
					seeds = append(seeds, strconv.Itoa(s))
				}
				args := quietArg(append([]string{"--interp", interp.train.Dir, "--baseline", base.train.Dir, "--pool", "mean,mean+delta",
					"--shots", "1,5,10,0", "--seeds", strings.Join(seeds, ","), "--out", dir}, dataArgs[:2]...))
				return subcommand(ctx, newTransferCmd(), args, logFile(dir), bar)
			}}
	}}
	transfer.done = func(r *pipeline.Result) { transferRes = r }
	revise := &task{deps: []*task{interpTrain}, build: func(bar io.Writer) pipeline.Stage {
		// "random_other": measure.json has that control since 2026-12-01; the
		// key changes, so that a cached stage without it is measured again.
		// "steps": since 2026-12-01 the stage measures the person's
		// protocol (revise measure --steps), with the fixed strengths' summaries.
		return pipeline.Stage{Name: "revise", Config: map[string]any{"clips": plan.ReviseClips, "random_other": true, "steps": reviseSteps},
			After: []*pipeline.Result{interp.train, topicsRes}, Run: func(dir string) error {
				args := append([]string{"measure", "--model", interp.train.Dir, "--concept-topics", filepath.Join(topicsRes.Dir, "concept_topics.json"),
					"--clips", strconv.Itoa(plan.ReviseClips), "--steps", reviseSteps, "--out", dir}, dataArgs[:2]...)
				return subcommand(ctx, newReviseCmd(), args, logFile(dir), bar)
			}}
	}}
	revise.done = func(r *pipeline.Result) { reviseRes = r }
	// Longest first: trainings, then the transfer and the revision (the
	// longest of the rest), then the others in order.
	tasks := append(append(trains, transfer, revise), later...)
	if err := sl.runTasks(tasks, f.jobs, progress); err != nil {
		return err
	}

	// 6. the report.
	fmt.Fprintf(logw, "[%d/%d] report …\n", sl.of, sl.of)
	if err := writeRunReport(f.out, plan, r, corpusRes, topicsRes, models, transferRes, reviseRes); err != nil {
		return err
	}
	abs, _ := filepath.Abs(filepath.Join(f.out, "index.html"))
	fmt.Fprintf(cmd.OutOrStdout(), "report: %s (%.0fs in all)\n", abs, time.Since(start).Seconds())
	return nil
}

// modelRun is one captioner of the run and its stages.
type modelRun struct {
	Lambda              float64
	Seed                int
	Name                string
	train, eval, interp *pipeline.Result
}

// logFile opens dir/log.txt for appending (a stage's messages); on error it
// returns io.Discard.
func logFile(dir string) io.Writer {
	f, err := os.OpenFile(filepath.Join(dir, "log.txt"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return io.Discard
	}
	return f // closed at exit; a few per run
}

// copyNewestCheckpoint copies the newest checkpoint of ckptDir into dir.
func copyNewestCheckpoint(ckptDir, dir string) error {
	latest, err := captioner.LatestCheckpoint(ckptDir)
	if err != nil {
		return err
	}
	if latest == "" {
		return fmt.Errorf("training wrote no checkpoint in %s", ckptDir)
	}
	return copyFile(latest, filepath.Join(dir, filepath.Base(latest)))
}

// copyFile copies src to dst (atomically).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return corpus.WriteFileAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// writeTopicConcepts matches each LDA topic of the topics stage in dir to
// the ground-truth concept whose clips it labels best, and writes the maps
// the later stages read: topic_concepts.json {"topic k": [concept]},
// concept_topics.json {concept: ["topic k", …]}, topic_words.json
// {"topic k": [top words]} and concepts.json (the concept report).
func writeTopicConcepts(dir, groundTruth string) error {
	m, err := topics.Load(dir)
	if err != nil {
		return err
	}
	labels, err := topics.LoadLabels(dir)
	if err != nil {
		return err
	}
	gt, err := synth.ReadGroundTruth(groundTruth)
	if err != nil {
		return err
	}
	truth := map[string][]string{}
	for _, c := range gt.Clips {
		truth[c.ID] = c.Concepts
	}
	cr, err := topics.EvaluateConcepts(m, labels, truth)
	if err != nil {
		return err
	}
	topicConcepts, conceptTopics, topicWords := map[string][]string{}, map[string][]string{}, map[string][]string{}
	for k := 0; k < m.K; k++ {
		name := fmt.Sprintf("topic %d", k)
		if cs := cr.ConceptsOf(k); len(cs) > 0 {
			topicConcepts[name] = cs
			for _, c := range cs {
				conceptTopics[c] = append(conceptTopics[c], name)
			}
		}
		topicWords[name] = m.TopWords(k, 6)
	}
	for c := range conceptTopics {
		slices.Sort(conceptTopics[c])
	}
	for file, v := range map[string]any{"topic_concepts.json": topicConcepts, "concept_topics.json": conceptTopics,
		"topic_words.json": topicWords, "concepts.json": cr} {
		if err := report.WriteJSON(filepath.Join(dir, file), v); err != nil {
			return err
		}
	}
	return nil
}

// reviseSteps are the strengths of the revise stage's stepwise protocol:
// a person raising the boost until the caption is right. The last, 1, is
// also the fixed strength the report's first revision table shows.
const reviseSteps = "0.2,0.3,0.4,0.5,0.75,1"

// modelSettings returns the captioner hyperparameters of the model with
// interpretive weight lambda and seed: the run's shared settings, then λ and
// the seed, then, for an interpretive model (λ > 0), its loss and activity
// penalty.
func (plan runPlan) modelSettings(lambda float64, seed int) string {
	settings := fmt.Sprintf("%s;interp_lambda=%g;seed=%d", plan.Settings, lambda, seed)
	if lambda > 0 && plan.InterpLoss != "mse" {
		settings += ";interp_loss=" + plan.InterpLoss
	}
	if lambda > 0 && plan.ActivityL1 > 0 {
		settings += fmt.Sprintf(";activity_l1=%g", plan.ActivityL1)
	}
	return settings
}

// prepareFeatures encodes the frames of the run's corpus into the feature
// cache, with the configuration `neurotopics train` derives from the same
// flags, so that the trainings find them there.
func prepareFeatures(plan runPlan, cache string, log io.Writer) error {
	b, err := backend.New()
	if err != nil {
		return err
	}
	cfg := synthexp.DefaultConfig()
	cfg.Synth, cfg.CacheDir = plan.Synth, cache
	cfg.Encoder.FitFrames = plan.FitFrames
	bar := newBar(cfg.Synth.NumClips(), "encoding frames")
	p, err := synthexp.Prepare(b, cfg, func(done, total int) { _ = bar.Set(done) })
	_ = bar.Finish()
	if err != nil {
		return err
	}
	how := "encoded"
	if p.Cached {
		how = "read cached"
	}
	fmt.Fprintf(log, "features: %s %d clips × %d frames of dim %d (%s)\n", how, len(p.Corpus.Clips), plan.Synth.Frames, p.Data.Features.Dim, p.FeatureDir)
	return nil
}
