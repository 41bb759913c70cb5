package main

import (
	"cmp"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
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
	// The first checkpoint names the synthetic corpus it was trained on.
	var first *captioner.Model
	if path := cmp.Or(f.interp, f.baseline); path != "" {
		if first, err = captioner.Load(b, path); err != nil {
			return err
		}
	}
	if _, err := data.load(cmd, b, first); err != nil {
		return err
	}
	in := transfer.StageInput{Data: data.ds, Backend: b, Interp: f.interp, Baseline: f.baseline,
		Command: "neurotopics " + strings.Join(os.Args[1:], " ")}
	if f.labels != "" {
		if in.Labels, err = transfer.ReadLabelsCSV(f.labels, f.labelColumn); err != nil {
			return err
		}
	}
	if !f.quiet {
		in.Log, in.Progress = cmd.ErrOrStderr(), cmd.ErrOrStderr()
	}
	seeds := make([]uint64, len(f.seeds))
	for i, s := range f.seeds {
		seeds[i] = uint64(s)
	}
	cfg := transfer.StageConfig{Pools: f.pools, Shots: f.shots, Seeds: seeds, TrainSplit: f.trainSplit, TestSplit: f.testSplit,
		TrainLimit: f.trainLimit, TestLimit: f.testLimit, E2ESteps: f.e2eSteps, E2ESettings: f.e2eSettings,
		Classifier: transfer.ClassifierConfig{Epochs: f.epochs, LearningRate: f.learningRate, L2: f.l2}, ConfusionShots: f.confusionShots}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	if _, err := transfer.RunStage(ctx, in, cfg, f.out); err != nil {
		return err
	}
	md, err := os.ReadFile(filepath.Join(f.out, transfer.MarkdownFile))
	if err != nil {
		return err
	}
	if _, err := cmd.OutOrStdout().Write(md); err != nil {
		return err
	}
	abs, _ := filepath.Abs(f.out)
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (transfer.md, transfer.json, fewshot.png/svg, confusion-*.png/svg, index.html)\n", abs)
	return nil
}
