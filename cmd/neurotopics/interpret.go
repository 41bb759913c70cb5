package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gomlx/compute"
	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/interpret"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/synthexp/claim"
)

// interpretFlags are the settings of `neurotopics interpret`.
type interpretFlags struct {
	checkpoint, method, target, engine, schedule string
	split, captionsFrom, out                     string
	clips, trainClips, samples, topK, topClips   int
	seed                                         uint64
	activeOnly, quiet                            bool
	topicConcepts, topicWords, head              string
	figDir                                       string
}

func newInterpretCmd() *cobra.Command {
	var data dataFlags
	var f interpretFlags
	cmd := &cobra.Command{
		Use:   "interpret",
		Short: "Interpret the semantic units of a trained captioner (PDM, ablation, gradient × activation)",
		Long: `interpret explains every unit of the captioner's semantic layer a:

  --method pdm        prediction difference maximization (Zintgraf et al. 2017, as
                      adapted in design.md): unit i is replaced by --samples values
                      of its distribution over --train-clips training clips, and
                      PD = f(x) − E f(x | a_i) (log-odds for probabilities)
  --method ablation   unit i replaced by its training mean (ablation-zero: by 0)
  --method gradxact   gradient × activation (analytic for the linear topic head,
                      central finite differences for words)

of the topic outputs (--target topics) or of the log-probabilities of the words
of one caption per clip under teacher forcing (--target words; the greedy
caption, or the first reference with --captions-from reference).

Each unit is labelled with the output of highest mean score over the clips
where it is active, listed with its top topics or words and its
top-activating clips, and — with ground truth (the synthetic corpus'
concepts, or on real data the --targets labels) — scored Network-Dissection
style: IoU over clips between "unit in its top quantile" (matched to the
concept's base rate) and "concept present", detectors at IoU > 0.04
(NetDissect) and > 0.5 (clips), and whether its label corresponds to its
best-IoU concept.

Writes to --out: units.json, units.csv, topic_scores.csv, iou.csv,
agreement.csv, concept_rates.csv, and index.html with the neuron report (one
card per unit, figures in interpret/).

Subcommands: bench (batched vs per-unit timing), claim (baseline vs
interpretive models over seeds).`,
		Example: `  neurotopics interpret --checkpoint runs/interp --out out/neurons
  neurotopics interpret --checkpoint runs/interp --method ablation --out out/ablation
  neurotopics interpret --checkpoint runs/interp --target words --clips 50 --active-only --out out/words`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runInterpret(cmd, &data, &f); err != nil {
				return fmt.Errorf("interpret: %w", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint folder (its newest checkpoint) or .ntc file written by `neurotopics train`")
	fs.StringVar(&f.method, "method", interpret.MethodPDM, "attribution: "+strings.Join(interpret.MethodNames, ", "))
	fs.StringVar(&f.target, "target", "topics", "what is explained: topics or words")
	fs.StringVar(&f.engine, "engine", "auto", "auto, rows or affine (see pkg/interpret)")
	fs.StringVar(&f.schedule, "schedule", "batched", "rows engine: batched, per-unit or per-unit-clip (references)")
	fs.StringVar(&f.split, "split", "test", "split whose clips are interpreted")
	fs.IntVar(&f.clips, "clips", 0, "interpret the first N clips of the split (0 = all for topics, 50 for words)")
	fs.IntVar(&f.trainClips, "train-clips", 0, "training clips of the units' distributions (0 = all)")
	fs.IntVar(&f.samples, "samples", interpret.DefaultSamples, "PDM: samples of each unit's distribution")
	fs.Uint64Var(&f.seed, "seed", 1, "PDM: seed of the samples")
	fs.BoolVar(&f.activeOnly, "active-only", false, "explain only the clips where each unit is active (the labels are the same; much faster for words)")
	fs.StringVar(&f.captionsFrom, "captions-from", "generated", "words target: generated (greedy) or reference captions")
	fs.IntVar(&f.topK, "top", 5, "topics or words listed per unit")
	fs.IntVar(&f.topClips, "top-clips", 4, "top-activating clips shown per unit")
	fs.StringVar(&f.topicConcepts, "topic-concepts", "", `JSON {"<target name>": ["<concept>", …]}: which concepts each topic corresponds to (default: a target corresponds to the concept of the same name)`)
	fs.StringVar(&f.topicWords, "topic-words", "", `JSON {"<target name>": ["<word>", …]}: the topic words shown on the cards (default for the synthetic concepts: their synonyms)`)
	fs.StringVar(&f.head, "head", "model", "topics target: the model's topic head, or a linear probe fitted to the training clips' targets (for a baseline model, λ = 0, whose topic head is untrained)")
	fs.StringVar(&f.figDir, "fig-dir", "interpret", "folder under --out for the unit cards' and charts' PNG/SVG files")
	fs.StringVar(&f.out, "out", "", "output folder (required)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	data.register(fs)
	cmd.AddCommand(newInterpretBenchCmd(), newInterpretClaimCmd())
	return cmd
}

// runInterpret is the body of `neurotopics interpret`: the flags become the
// interpret stage's configuration and input (interpret.RunStage).
func runInterpret(cmd *cobra.Command, data *dataFlags, f *interpretFlags) error {
	if f.out == "" {
		return fmt.Errorf("--out is required (the output folder)")
	}
	if f.checkpoint == "" {
		return fmt.Errorf("--checkpoint is required (a checkpoint folder written by `neurotopics train`, or one .ntc file)")
	}
	cfg := interpret.StageConfig{Method: f.method, Target: f.target, Engine: f.engine, Schedule: f.schedule, Split: f.split,
		Clips: f.clips, TrainClips: f.trainClips, Samples: f.samples, Seed: f.seed, ActiveOnly: f.activeOnly,
		CaptionsFrom: f.captionsFrom, Top: f.topK, TopClips: f.topClips, Head: f.head, FigDir: f.figDir}
	if err := cfg.Validate(); err != nil {
		return err
	}
	in := interpret.StageInput{Model: f.checkpoint, Log: cmd.ErrOrStderr()}
	for _, j := range []struct {
		path string
		v    *map[string][]string
	}{{f.topicConcepts, &in.TopicConcepts}, {f.topicWords, &in.TopicWords}} {
		if j.path != "" {
			if err := corpus.ReadJSONFile(j.path, j.v); err != nil {
				return err
			}
		}
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	// The model's notes say which synthetic corpus and targets it was
	// trained on.
	m, err := captioner.Load(b, f.checkpoint)
	if err != nil {
		return err
	}
	d, err := data.load(cmd, b, m)
	if err != nil {
		return err
	}
	in.Data, in.Backend, in.Targets = data.ds, b, d.Targets
	if !f.quiet && isTerminal(os.Stderr) {
		in.Progress = os.Stderr
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	r, err := interpret.RunStage(ctx, in, cfg, f.out)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s of %s on %d clips × %d units in %.1fs (%s engine)\n", r.Method, r.Target, r.Clips, len(r.Units), r.Seconds, r.Engine)
	for _, g := range r.Agreement {
		fmt.Fprintln(w, g.Line())
	}
	abs, _ := filepath.Abs(f.out)
	fmt.Fprintf(w, "wrote %s (index.html, %s, %s)\n", abs, interpret.UnitsCSV, interpret.UnitsJSON)
	return nil
}

// readJSON decodes a JSON file into v.
// countingHead counts the calls and rows a head is asked for.
type countingHead struct {
	interpret.Head
	calls, rows int
}

func (h *countingHead) TopicsFrom(a [][]float32) ([][]float32, error) {
	h.calls++
	h.rows += len(a)
	return h.Head.TopicsFrom(a)
}

func (h *countingHead) WordLogProbs(a [][]float32, caps []string) ([][]float64, error) {
	h.calls++
	h.rows += len(a)
	return h.Head.WordLogProbs(a, caps)
}

func newInterpretBenchCmd() *cobra.Command {
	var data dataFlags
	var checkpoint, settings, target, runs string
	var clips, trainClips, samples, repeat int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time batched PDM against the per-unit loops on all units",
		Long: `bench times PDM of all units of the semantic layer on --clips clips of the test
split, with each engine and schedule of --runs:

  affine          the affine engine: all units × samples of a block of clips in
                  one GoMLX graph execution (topic targets)
  batched         the rows engine: every marginalised copy as a row, a block of
                  clips per head call
  per-unit        one head call per unit (all clips): the reference loop
  per-unit-clip   one head call per unit and clip (N_units × N_clips calls)

and prints each one's time (the median of --repeat runs), head calls and rows, the ratios, and the largest
difference between its scores and those of the first run. The model is
--checkpoint, or an untrained one with --set's hyperparameters (timing does not
depend on the weights); the activations are those of the synthetic corpus.`,
		Example: `  neurotopics interpret bench --clips 1000
  neurotopics interpret bench --checkpoint runs/interp --target words --clips 20 --runs batched,per-unit`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := backend.New()
			if err != nil {
				return err
			}
			var m *captioner.Model
			if checkpoint != "" {
				if m, err = captioner.Load(b, checkpoint); err != nil {
					return fmt.Errorf("interpret bench: %w", err)
				}
			}
			d, err := data.load(cmd, b, m)
			if err != nil {
				return fmt.Errorf("interpret bench: %w", err)
			}
			if m == nil {
				if m, err = untrainedModel(b, d, settings); err != nil {
					return fmt.Errorf("interpret bench: %w", err)
				}
			}
			return runBench(cmd.OutOrStdout(), m, d, target, strings.Split(runs, ","), clips, trainClips, samples, repeat)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&checkpoint, "checkpoint", "", "checkpoint to time (default: an untrained model with --set)")
	fs.StringVar(&settings, "set", "", "hyperparameters of the untrained model (default: the captioner's defaults, 128 semantic units)")
	fs.StringVar(&target, "target", "topics", "topics or words (the greedy captions)")
	fs.StringVar(&runs, "runs", "affine,batched,per-unit,per-unit-clip", "engines/schedules to time, comma-separated")
	fs.IntVar(&clips, "clips", 1000, "test clips")
	fs.IntVar(&trainClips, "train-clips", 1000, "training clips of the units' distributions")
	fs.IntVar(&samples, "samples", interpret.DefaultSamples, "samples per unit")
	fs.IntVar(&repeat, "repeat", 1, "time each run this many times and report the median")
	data.register(fs)
	return cmd
}

// untrainedModel returns a model with settings over d's vocabulary and
// targets (its weights are drawn at first use).
func untrainedModel(b compute.Backend, d *captioner.Data, settings string) (*captioner.Model, error) {
	store, err := captioner.NewStore(settings)
	if err != nil {
		return nil, err
	}
	caps := corpus.NewCaptions()
	for _, id := range d.SplitIDs("train") {
		for _, c := range d.Captions.ByClip[id] {
			caps.Add("train", id, c)
		}
	}
	return captioner.New(b, store, corpus.BuildVocab(caps, 1), d.Targets.Names, d.Features.Dim)
}

// runBench times PDM with each of runs and prints a table.
func runBench(w io.Writer, m *captioner.Model, d *captioner.Data, target string, runs []string, clips, trainClips, samples, repeat int) error {
	ids, trainIDs := d.SplitIDs("test"), d.SplitIDs("train")
	ids, trainIDs = ids[:min(clips, len(ids))], trainIDs[:min(trainClips, len(trainIDs))]
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		return err
	}
	train, err := m.EncodeToSemantic(d.Features, trainIDs)
	if err != nil {
		return err
	}
	marg, err := interpret.NewMarginal(train, samples, 1)
	if err != nil {
		return err
	}
	t := interpret.TopicTarget(m, len(train))
	if target == "words" {
		caps, err := interpret.GeneratedCaptions(m, a)
		if err != nil {
			return err
		}
		t = interpret.WordTarget(m, caps, len(train))
	}
	zeros := 0
	for _, r := range a {
		for _, v := range r {
			if v <= 0 {
				zeros++
			}
		}
	}
	host, _ := os.Hostname()
	fmt.Fprintf(w, "PDM of %s, %d units × %d clips × %d samples; %d training clips; %.0f%% of activations are 0; backend %s; GOMAXPROCS %d; host %s\n",
		t.Kind, m.SemanticUnits(), len(ids), samples, len(trainIDs), 100*float64(zeros)/float64(len(a)*m.SemanticUnits()),
		backend.Config(), runtime.GOMAXPROCS(0), host)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\tseconds (median)\thead calls\trows\tmax |Δ| vs first\t")
	var first *interpret.Scores
	times := map[string]float64{}
	for _, run := range runs {
		run = strings.TrimSpace(run)
		opts := interpret.Options{Engine: interpret.EngineRows}
		switch run {
		case "affine":
			opts.Engine = interpret.EngineAffine
		case "batched":
		case "per-unit":
			opts.Schedule = interpret.PerUnit
		case "per-unit-clip":
			opts.Schedule = interpret.PerUnitClip
		default:
			return fmt.Errorf("unknown run %q; expected affine, batched, per-unit or per-unit-clip", run)
		}
		p := interpret.NewPDM(marg)
		p.Options = opts
		var s *interpret.Scores
		var h *countingHead
		var secs []float64
		for range max(1, repeat) {
			h = &countingHead{Head: m}
			start := time.Now()
			if s, err = p.Attribute(h, a, t); err != nil {
				return fmt.Errorf("%s: %w", run, err)
			}
			secs = append(secs, time.Since(start).Seconds())
		}
		slices.Sort(secs)
		sec := secs[len(secs)/2]
		times[run] = sec
		diff := 0.0
		if first == nil {
			first = s
		} else {
			for c := range s.Values {
				for j, v := range s.Values[c] {
					diff = math.Max(diff, math.Abs(float64(v-first.Values[c][j])))
				}
			}
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%d\t%d\t%.2g\t\n", run, sec, h.calls, h.rows, diff)
	}
	_ = tw.Flush()
	for _, fast := range []string{"affine", "batched"} {
		for _, slow := range []string{"per-unit", "per-unit-clip"} {
			if times[fast] > 0 && times[slow] > 0 {
				fmt.Fprintf(w, "%s vs %s: speed-up %.1f×\n", fast, slow, times[slow]/times[fast])
			}
		}
	}
	return nil
}

func newInterpretClaimCmd() *cobra.Command {
	var data dataFlags
	var out, settings, method, head string
	var lambdas []float64
	var seeds []int
	var trainClips, testClips int
	var quiet bool
	cmd := &cobra.Command{
		Use:   "claim",
		Short: "Measure the paper's claim: interpretability of baseline (λ=0) vs interpretive (λ=0.1) models over seeds",
		Long: `claim trains (or loads, or resumes) one captioner per --lambdas value and --seeds
seed on the synthetic corpus, in --out/lambda-<λ>-seed-<s>, interprets each
one's semantic units against the ground-truth concepts (as interpret does) and
prints the interpretability table, mean ± sd over seeds: the fraction of units
that detect a concept (IoU > 0.04 and > 0.5), the unique concepts detected,
the fraction whose PDM label is their best-IoU concept, and the fraction that
match a concept by both measures. Writes --out/claim.json and claim.md.`,
		Example: `  neurotopics interpret claim --out runs/claim --set "train_steps=1500;semantic_units=32"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("interpret claim: --out is required")
			}
			b, err := backend.New()
			if err != nil {
				return err
			}
			if _, err := data.load(cmd, b, nil); err != nil {
				return fmt.Errorf("interpret claim: %w", err)
			}
			if data.prepared == nil {
				return fmt.Errorf("interpret claim: needs the synthetic corpus (its ground truth); drop --captions")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			res, err := claim.Measure(ctx, claim.Config{Prepared: data.prepared, Backend: b, Dir: out, Settings: settings,
				Lambdas: lambdas, Seeds: seeds, TrainClips: trainClips, TestClips: testClips,
				Interpret: interpret.Config{Method: method}, Head: head, Notes: data.notes(), Log: cmd.ErrOrStderr(), Progress: !quiet && isTerminal(cmd.ErrOrStderr())})
			if res != nil && len(res.Runs) > 0 {
				if werr := report.WriteJSON(filepath.Join(out, "claim.json"), res); werr != nil {
					return werr
				}
				md := res.Markdown()
				if werr := corpus.WriteFileAtomic(filepath.Join(out, "claim.md"), func(w io.Writer) error {
					_, err := io.WriteString(w, md)
					return err
				}); werr != nil {
					return werr
				}
				fmt.Fprint(cmd.OutOrStdout(), md)
			}
			if err != nil {
				return fmt.Errorf("interpret claim: %w", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&out, "out", "", "folder of the models' checkpoints and of claim.json / claim.md")
	fs.StringVar(&settings, "set", "", `hyperparameters shared by the models, "key=value;…" (interp_lambda and seed are set per model)`)
	fs.StringVar(&method, "method", interpret.MethodPDM, "attribution whose labels are compared with the concepts")
	fs.StringVar(&head, "head", "", "topic head of the PDM labels: empty (the model's when λ > 0, a linear probe for λ = 0, whose head is untrained), model or probe")
	fs.Float64SliceVar(&lambdas, "lambdas", []float64{0, 0.1}, "interpretive-loss weights")
	fs.IntSliceVar(&seeds, "seeds", []int{1, 2, 3}, "seeds")
	fs.IntVar(&trainClips, "train-clips", 0, "training clips of the units' distributions (0 = all)")
	fs.IntVar(&testClips, "test-clips", 0, "test clips interpreted (0 = all)")
	fs.BoolVar(&quiet, "quiet", false, "no progress bars")
	data.register(fs)
	return cmd
}
