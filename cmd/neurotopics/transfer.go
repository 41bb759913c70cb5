package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/transfer"
)

// transferFlags are the settings of `neurotopics transfer`.
type transferFlags struct {
	interp, baseline      string
	pools                 []string
	shots                 []int
	seeds                 []uint
	e2eSteps              int
	e2eSettings           string
	trainSplit, testSplit string
	trainLimit, testLimit int
	labels, labelColumn   string
	epochs                int
	learningRate, l2      float64
	confusionShots        int
	out                   string
	quiet                 bool
}

func newTransferCmd() *cobra.Command {
	var data dataFlags
	var f transferFlags
	cmd := &cobra.Command{
		Use:   "transfer",
		Short: "Reuse the captioner's semantic layer for action recognition, against pooled frame features and end-to-end training",
		Long: `transfer freezes trained captioners up to their semantic layer a and trains a
softmax classifier (multinomial logistic regression, full-batch Adam,
deterministic) on a for a per-clip label: the motion class of the synthetic
corpus, or for real data a label column of a CSV (--labels, --label-column) or
MSR-VTT's category.

It compares, on the same training and test clips:
  --interp     the semantic layer of an interpretive captioner (λ = 0.1)
  --baseline   the semantic layer of a baseline captioner (λ = 0)
  frames       the frozen frame features pooled over time (--pool mean; mean+delta
               adds the second half's mean minus the first half's)
  end to end   the captioner's encoder and semantic layer trained from scratch on
               the labels (--e2e-steps > 0; same architecture as --interp)
with 1, 5, 10 and all training clips per class (--shots, 0 = all), each over
--seeds (the few-shot samples; end-to-end training also seeds its weights).

Writes to --out: transfer.md (accuracy mean ± sd by method and shots,
per-class accuracy), transfer.json (every number), fewshot.png/.svg (accuracy by
shots), confusion-<method>.png/.svg (summed over seeds, at --confusion-shots)
and index.html.`,
		Example: `  neurotopics transfer --interp runs/interp --baseline runs/baseline --out out/transfer
  neurotopics transfer --interp runs/interp --e2e-steps 500 --shots 1,5,10,0 --seeds 1,2,3 --out out/transfer
  neurotopics transfer --interp runs/msrvtt --captions videodatainfo.json --features feats/ --targets topics/ --out out/t`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runTransfer(cmd, &data, &f); err != nil {
				return fmt.Errorf("transfer: %w", err)
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.interp, "interp", "", "checkpoint (folder or .ntc) of the interpretive captioner (λ = 0.1)")
	fs.StringVar(&f.baseline, "baseline", "", "checkpoint (folder or .ntc) of the baseline captioner (λ = 0)")
	fs.StringSliceVar(&f.pools, "pool", []string{"mean"}, "poolings of the frozen frame features: mean, mean+delta (empty: none)")
	fs.IntSliceVar(&f.shots, "shots", []int{1, 5, 10, 0}, "training clips per class (0 = all)")
	fs.UintSliceVar(&f.seeds, "seeds", []uint{1, 2, 3}, "seeds of the few-shot samples (and of end-to-end training)")
	fs.IntVar(&f.e2eSteps, "e2e-steps", 0, "train the captioner's encoder end to end on the labels for this many steps (0 = skip)")
	fs.StringVar(&f.e2eSettings, "e2e-set", "", `extra hyperparameters of the end-to-end network, "key=value;…"`)
	fs.StringVar(&f.trainSplit, "train-split", "train", "split whose clips the classifiers learn from")
	fs.StringVar(&f.testSplit, "test-split", "test", "split whose clips are classified")
	fs.IntVar(&f.trainLimit, "train-limit", 0, "use only the first N clips of the training split (0 = all)")
	fs.IntVar(&f.testLimit, "test-limit", 0, "use only the first N clips of the test split (0 = all)")
	fs.StringVar(&f.labels, "labels", "", "real data: CSV with a clip id column (clip_id, video_id or id) and --label-column (default: MSR-VTT's category)")
	fs.StringVar(&f.labelColumn, "label-column", "category", "the label column of --labels")
	fs.IntVar(&f.epochs, "epochs", transfer.DefaultClassifierConfig().Epochs, "classifier: full-batch Adam steps")
	fs.Float64Var(&f.learningRate, "lr", transfer.DefaultClassifierConfig().LearningRate, "classifier: Adam's learning rate")
	fs.Float64Var(&f.l2, "l2", transfer.DefaultClassifierConfig().L2, "classifier: weight decay")
	fs.IntVar(&f.confusionShots, "confusion-shots", 0, "shots of the confusion-matrix plots (0 = all)")
	fs.StringVar(&f.out, "out", "", "output folder (required)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	data.register(fs)
	return cmd
}

// runTransfer is the body of `neurotopics transfer`.
func runTransfer(cmd *cobra.Command, data *dataFlags, f *transferFlags) error {
	if f.out == "" {
		return fmt.Errorf("--out is required (the output folder)")
	}
	if f.interp == "" && f.baseline == "" && len(f.pools) == 0 {
		return fmt.Errorf("nothing to compare: give --interp and/or --baseline checkpoints, or --pool")
	}
	if f.e2eSteps > 0 && f.interp == "" && f.baseline == "" {
		return fmt.Errorf("--e2e-steps needs --interp or --baseline (the architecture to train end to end)")
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	models := map[string]*captioner.Model{}
	var first *captioner.Model
	for _, path := range []string{f.interp, f.baseline} {
		if path == "" {
			continue
		}
		m, err := captioner.Load(b, path)
		if err != nil {
			return err
		}
		models[path] = m
		if first == nil {
			first = m
		}
	}
	d, err := data.load(cmd, b, first)
	if err != nil {
		return err
	}
	labels, err := transferLabels(data, d, f)
	if err != nil {
		return err
	}
	trainIDs, testIDs := d.SplitIDs(f.trainSplit), d.SplitIDs(f.testSplit)
	if f.trainLimit > 0 && len(trainIDs) > f.trainLimit {
		trainIDs = trainIDs[:f.trainLimit]
	}
	if f.testLimit > 0 && len(testIDs) > f.testLimit {
		testIDs = testIDs[:f.testLimit]
	}
	task, err := transfer.NewTask(labels, trainIDs, testIDs)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) {
		if !f.quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", args...)
		}
	}
	logf("task: %d classes, %d training and %d test clips", len(task.Classes), len(task.TrainIDs), len(task.TestIDs))
	cc := transfer.ClassifierConfig{Epochs: f.epochs, LearningRate: f.learningRate, L2: f.l2}
	var methods []transfer.Method
	all := task.AllIDs()
	for _, c := range []struct{ path, kind string }{{f.interp, "interpretive"}, {f.baseline, "baseline"}} {
		if c.path == "" {
			continue
		}
		m := models[c.path]
		start := time.Now()
		x, err := transfer.SemanticFeatures(m, d.Features, all)
		if err != nil {
			return err
		}
		label := fmt.Sprintf("%s a (λ=%v)", c.kind, m.Param(captioner.ParamLambda))
		p, err := transfer.NewProbe(label, task, x, cc)
		if err != nil {
			return err
		}
		methods = append(methods, p)
		logf("%s: encoded %d clips in %.1fs", label, len(all), time.Since(start).Seconds())
	}
	for _, name := range f.pools {
		pool, err := transfer.ParsePool(name)
		if err != nil {
			return fmt.Errorf("--pool: %w", err)
		}
		x, err := transfer.PooledFrames(d.Features, all, pool)
		if err != nil {
			return err
		}
		p, err := transfer.NewProbe("frame features ("+pool.String()+")", task, x, cc)
		if err != nil {
			return err
		}
		methods = append(methods, p)
	}
	var e2eSettings string
	if f.e2eSteps > 0 {
		arch := first
		if m := models[f.interp]; m != nil {
			arch = m
		}
		e2eSettings = strings.Trim(transfer.ArchitectureSettings(arch)+";"+f.e2eSettings, ";")
		methods = append(methods, &transfer.EndToEnd{Label: fmt.Sprintf("end to end (%d steps)", f.e2eSteps), Backend: b,
			Features: d.Features, Settings: e2eSettings, Steps: f.e2eSteps})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	seeds := make([]uint64, len(f.seeds))
	for i, s := range f.seeds {
		seeds[i] = uint64(s)
	}
	start := time.Now()
	res, err := transfer.Run(ctx, task, methods, transfer.Config{Shots: f.shots, Seeds: seeds}, func(s string) { logf("%s", s) })
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	sec := &report.Section{ID: "transfer", Title: "Transfer to action recognition"}
	command := "neurotopics " + strings.Join(os.Args[1:], " ")
	sec.Add(report.Table{Caption: "Test accuracy (mean ± sd over seeds) by features and training clips per class",
		Header: append([]string{"features / method"}, shotNames(f.shots)...), Rows: accuracyRows(res), Note: command})
	var md strings.Builder
	fmt.Fprintf(&md, "Transfer: %d classes, %d training and %d test clips (splits %s/%s), seeds %v, classifier %+v.\n\n",
		len(task.Classes), len(task.TrainIDs), len(task.TestIDs), f.trainSplit, f.testSplit, f.seeds, cc)
	md.WriteString(res.Markdown())
	fmt.Fprintf(&md, "\nPer-class accuracy (%s, mean over seeds):\n\n%s", transfer.ShotsName(f.confusionShots), res.PerClassMarkdown(f.confusionShots))
	fmt.Fprintf(&md, "\nCommand: `%s`\n", command)
	fpng, _, err := transfer.PlotFewShot(res, filepath.Join(f.out, "fewshot"))
	if err != nil {
		return err
	}
	sec.Add(report.Figure{Path: filepath.Base(fpng), Caption: "Test accuracy by training clips per class (mean ± sd over seeds)", Width: 640})
	for _, name := range res.Methods() {
		c := res.Cell(name, f.confusionShots)
		if c == nil {
			continue
		}
		base := filepath.Join(f.out, "confusion-"+slug(name))
		png, _, err := transfer.PlotConfusion(c, res.Classes, base)
		if err != nil {
			return err
		}
		sec.Add(report.Figure{Path: filepath.Base(png), Caption: "Confusion matrix: " + name + ", " + transfer.ShotsName(f.confusionShots), Width: 420})
	}
	if err := os.WriteFile(filepath.Join(f.out, "transfer.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	if err := report.SaveSection(filepath.Join(f.out, "section.json"), sec); err != nil {
		return err
	}
	if err := report.WriteJSON(filepath.Join(f.out, "transfer.json"), res); err != nil {
		return err
	}
	rep := &report.Report{Title: "neurotopics: transfer to action recognition", Sections: []*report.Section{sec},
		Metrics: map[string]any{"transfer": res, "seconds": elapsed.Seconds()},
		Config: map[string]any{"interp": f.interp, "baseline": f.baseline, "pools": f.pools, "shots": f.shots, "seeds": f.seeds,
			"classifier": cc, "e2e_steps": f.e2eSteps, "e2e_settings": e2eSettings, "train_split": f.trainSplit, "test_split": f.testSplit,
			"train_clips": len(task.TrainIDs), "test_clips": len(task.TestIDs)}}
	if err := rep.Write(f.out); err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), md.String())
	abs, _ := filepath.Abs(f.out)
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (transfer.md, transfer.json, fewshot.png/svg, confusion-*.png/svg, index.html)\n", abs)
	return nil
}

// transferLabels returns the per-clip labels: the synthetic corpus'
// actions, a CSV column, or MSR-VTT's category.
func transferLabels(data *dataFlags, d *captioner.Data, f *transferFlags) (*transfer.Labels, error) {
	switch {
	case f.labels != "":
		return transfer.ReadLabelsCSV(f.labels, f.labelColumn)
	case data.prepared != nil:
		return transfer.SynthActions(data.prepared.Corpus), nil
	case len(d.Captions.Category) > 0:
		return transfer.LabelsFromCategories(d.Captions.Category), nil
	}
	return nil, fmt.Errorf("no labels: give --labels <csv> --label-column <name> (the captions carry no category)")
}

func shotNames(shots []int) []string {
	out := make([]string, len(shots))
	for i, s := range shots {
		out[i] = transfer.ShotsName(s)
	}
	return out
}

func accuracyRows(r *transfer.Result) [][]string {
	var rows [][]string
	for _, m := range r.Methods() {
		row := []string{m}
		for _, s := range r.Config.Shots {
			if c := r.Cell(m, s); c != nil {
				row = append(row, fmt.Sprintf("%.3f ± %.3f", c.Mean, c.SD))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug turns a method name into a file-name part.
func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
