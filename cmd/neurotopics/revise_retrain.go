package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/report"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

// retrainFlags are the settings of `neurotopics revise retrain`.
type retrainFlags struct {
	revisions            string
	reviseSplit          string
	reviseClips          int
	evalSplit, out       string
	evalClips            int
	steps, repeat, draws int
	strength             float64
	mapping              string
	noControl            bool
}

func newReviseRetrainCmd() *cobra.Command {
	var data dataFlags
	var rf reviserFlags
	var f retrainFlags
	cmd := &cobra.Command{
		Use:   "retrain",
		Short: "Revise then retrain: fine-tune the captioner with revised captions and evaluate on held-out clips",
		Long: `retrain fine-tunes the captioner with revised captions as extra training data:
each revised clip joins the training split with its revised caption (--repeat
times). The revisions are those of --revisions (a file written by revise --out
or revise measure), or, on the synthetic corpus, the automatic rule's revisions
of the clips of --revise-split that it fixed.

It evaluates on the held-out clips of --eval-split, before fine-tuning, after
fine-tuning with the revisions, and after the same fine-tuning without them
(the control; --no-control skips it): CIDEr-D, and on the synthetic corpus the
accuracy of the colours, shapes and motions named (on real data with
--ground-truth, of its families). It also reports how many revised clips the
fine-tuned model now captions as revised without any edit.
Checkpoints go to --out/revised and --out/control; the table to
--out/retrain.md and retrain.json.`,
		Example: `  neurotopics revise retrain --model runs/interp --out runs/retrain --steps 300`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return reviseErr("revise retrain", runReviseRetrain(cmd, &data, &rf, &f))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.revisions, "revisions", "", "revisions file to learn from (default: the rule's fixes on --revise-split)")
	fl.StringVar(&f.reviseSplit, "revise-split", "val", "split whose wrong captions the rule revises")
	fl.IntVar(&f.reviseClips, "revise-clips", 0, "use the first N clips of --revise-split (0 = all)")
	fl.StringVar(&f.evalSplit, "eval-split", "test", "held-out split of the evaluation")
	fl.IntVar(&f.evalClips, "eval-clips", 0, "evaluate on the first N clips of --eval-split (0 = all)")
	fl.IntVar(&f.steps, "steps", 200, "fine-tuning steps")
	fl.IntVar(&f.repeat, "repeat", 3, "times each revised caption is added to its clip's captions")
	fl.IntVar(&f.draws, "draws", 1, "random draws of the rule's measurement (only the rule's revisions are used)")
	fl.Float64Var(&f.strength, "strength", 1, "boost strength of the rule")
	fl.StringVar(&f.mapping, "map", revise.MapUnits, "which rule makes the revisions: units (suppress/boost the concepts' units) or head (steer along the topic head)")
	fl.BoolVar(&f.noControl, "no-control", false, "skip the control fine-tuning without revisions")
	fl.StringVar(&f.out, "out", "", "output folder (required; must not hold checkpoints)")
	rf.register(fl)
	data.register(fl)
	return cmd
}

// runReviseRetrain is the body of `neurotopics revise retrain`.
func runReviseRetrain(cmd *cobra.Command, data *dataFlags, rf *reviserFlags, f *retrainFlags) error {
	if f.out == "" {
		return fmt.Errorf("--out is required (the output folder)")
	}
	m, d, r, err := rf.setup(cmd, data)
	if err != nil {
		return err
	}
	var revs []revise.Revision
	if f.revisions != "" {
		file, err := revise.LoadFile(f.revisions)
		if err != nil {
			return err
		}
		if err := file.CheckModel(f.revisions, m.Step()); err != nil {
			return err
		}
		revs = file.Revisions
	} else {
		if data.ds == nil || data.ds.GroundTruth == nil {
			return fmt.Errorf("give --revisions: the automatic rule needs a ground truth (the synthetic corpus', or --ground-truth on real data)")
		}
		ids := d.SplitIDs(f.reviseSplit)
		if f.reviseClips > 0 && len(ids) > f.reviseClips {
			ids = ids[:f.reviseClips]
		}
		a, err := m.EncodeToSemantic(d.Features, ids)
		if err != nil {
			return err
		}
		res, err := revise.Measure(r, data.ds.GroundTruth, ids, a, revise.MeasureConfig{Strength: f.strength, RandomDraws: f.draws, Seed: rf.seed})
		if err != nil {
			return err
		}
		revs = res.Revisions(true, r, f.mapping)
		fmt.Fprintf(cmd.ErrOrStderr(), "rule (%s): %d wrong captions among %d %s clips, %d fixed\n", f.mapping, res.All.Cases, len(ids), f.reviseSplit, len(revs))
	}
	if len(revs) == 0 {
		return fmt.Errorf("no revisions to learn from")
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	if err := revise.SaveFile(filepath.Join(f.out, "revisions.json"), &revise.File{Model: rf.model, Step: m.Step(), Revisions: revs}); err != nil {
		return err
	}
	b, err := backend.New()
	if err != nil {
		return err
	}
	gt := data.ds.GroundTruth
	var families []string // the families whose accuracy retrain.md shows
	if gt != nil {
		families = revise.MeasureFamilies(gt)
	}
	evaluate := func(name string, mm *captioner.Model) (revise.RetrainEval, error) {
		ev := revise.RetrainEval{Model: name, Step: mm.Step()}
		met, err := mm.Evaluate(d, f.evalSplit, captioner.Greedy(), f.evalClips)
		if err != nil {
			return ev, err
		}
		if met.Captions != nil {
			ev.CIDErD, ev.BLEU4 = met.Captions.CIDErD, met.Captions.Bleu[3]
		}
		if gt != nil {
			ev.Families = map[string]float64{}
			for _, fs := range gt.FamilyAccuracy(met.Generated) {
				ev.Families[fs.Family] = fs.Accuracy()
			}
		}
		ids := make([]string, len(revs))
		for i, v := range revs {
			ids[i] = v.Clip
		}
		a, err := mm.EncodeToSemantic(d.Features, ids)
		if err != nil {
			return ev, err
		}
		caps, err := mm.DecodeFrom(a, r.Decode)
		if err != nil {
			return ev, err
		}
		for i, c := range caps {
			if c.Text() == revs[i].After {
				ev.RevisedAsRevised += 1 / float64(len(revs))
			}
		}
		return ev, nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	evals := []revise.RetrainEval{}
	ev, err := evaluate("before", m)
	if err != nil {
		return err
	}
	evals = append(evals, ev)
	runs := []string{"revised"}
	if !f.noControl {
		runs = append(runs, "control") // the same fine-tuning without the revisions
	}
	for _, run := range runs {
		start := time.Now()
		var with []revise.Revision
		if run == "revised" {
			with = revs
		}
		mm, _, err := revise.Retrain(ctx, m, d, with, revise.RetrainConfig{Backend: b, Dir: filepath.Join(f.out, run),
			Steps: f.steps, Repeat: f.repeat, Log: cmd.ErrOrStderr()})
		if err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: fine-tuned %d steps in %.0fs\n", run, f.steps, time.Since(start).Seconds())
		ev, err := evaluate(run, mm)
		if err != nil {
			return err
		}
		evals = append(evals, ev)
	}
	command := "neurotopics " + strings.Join(os.Args[1:], " ")
	var md strings.Builder
	fmt.Fprintf(&md, "Revise then retrain: %d revised clips (repeat %d), %d fine-tuning steps; evaluation on %s (greedy).\n\n",
		len(revs), f.repeat, f.steps, f.evalSplit)
	md.WriteString(revise.RetrainTable(evals, families))
	fmt.Fprintf(&md, "\nCommand: `%s`\n", command)
	if err := os.WriteFile(filepath.Join(f.out, "retrain.md"), []byte(md.String()), 0o644); err != nil {
		return err
	}
	if err := report.WriteJSON(filepath.Join(f.out, "retrain.json"), evals); err != nil {
		return err
	}
	fmt.Fprint(cmd.OutOrStdout(), md.String())
	return nil
}
