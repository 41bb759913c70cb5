package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

func newEvalCmd() *cobra.Command {
	var data dataFlags
	var dec decodeFlags
	var modelPath, split string
	var limit int
	var baselines, asJSON bool
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score a trained captioner on a split: caption metrics, topic mAP, losses",
		Long: `eval loads a checkpoint, captions every clip of --split (beam search, --beam) and
prints BLEU-1..4, METEOR-lite, ROUGE-L and CIDEr-D (pkg/evalcap, coco-caption's
definitions; METEOR-lite is not METEOR 1.5), the topic head's mAP against the
targets, the mAP of a ridge probe fitted from the semantic layer to the
targets on the training split (topic_mAP_probe: what a carries, also for a
λ = 0 model whose head is untrained), and the caption and interpretive losses.

On the synthetic corpus it also prints, per concept family (shape, color, size,
motion, count, background), the share of concepts named by the generated
captions that are in the clip, and how often the family is named at all; with
--baselines, the human ceiling (each reference scored against the clip's other
references) and the best constant caption (chosen on the validation split).`,
		Example: `  neurotopics eval --model runs/interp
  neurotopics eval --model runs/interp --split val --beam 1 --json
  neurotopics eval --model runs/interp --baselines`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := loadModel(modelPath)
			if err != nil {
				return fmt.Errorf("eval: %w", err)
			}
			b, err := backend.New()
			if err != nil {
				return err
			}
			d, err := data.load(cmd, b, m)
			if err != nil {
				return fmt.Errorf("eval: %w", err)
			}
			cfg := captioner.EvalConfig{Split: split, Beam: dec.beam, MaxWords: dec.maxWords, LengthPenalty: dec.lengthPenalty,
				Limit: limit, Baselines: baselines}
			rep, err := captioner.Evaluation(cmd.Context(), captioner.EvalInput{Data: data.ds, Targets: d.Targets, Backend: b,
				Model: modelPath, Log: cmd.ErrOrStderr()}, cfg)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return rep.WriteJSON(w)
			}
			printEval(w, rep, baselines)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "checkpoint folder (its newest checkpoint) or .ntc file")
	f.StringVar(&split, "split", "test", "split to evaluate")
	f.IntVar(&limit, "limit", 0, "evaluate only the first N clips of the split (0 = all)")
	f.BoolVar(&baselines, "baselines", false, "also print the human ceiling and the constant-caption floor")
	f.BoolVar(&asJSON, "json", false, "print a JSON report instead of tables")
	dec.register(cmd)
	data.register(f)
	return cmd
}

// printEval prints rep as tables.
func printEval(w io.Writer, rep *captioner.EvalReport, baselines bool) {
	fmt.Fprintf(w, "model %s, step %d, split %s, %d clips, beam %d\n\n", rep.Model, rep.Step, rep.Split, rep.Clips, rep.Beam)
	fmt.Fprintf(w, "%-12s %9s", "metric", "model")
	if baselines {
		fmt.Fprintf(w, " %9s %9s", "ceiling", "constant")
	}
	fmt.Fprintln(w)
	for _, mt := range evalcap.Metrics() {
		fmt.Fprintf(w, "%-12s %9.4f", mt, rep.Scores[mt.String()])
		if baselines {
			fmt.Fprintf(w, " %9.4f %9.4f", rep.Ceiling[mt.String()], rep.Floor[mt.String()])
		}
		fmt.Fprintln(w)
	}
	for _, k := range captioner.ScoreKeys {
		if v, ok := rep.Scores[k]; ok {
			fmt.Fprintf(w, "%-15s %9.4f\n", k, v)
		}
	}
	if baselines {
		fmt.Fprintf(w, "\nconstant caption: %q\n", rep.FloorText)
	}
	if len(rep.Families) > 0 {
		fmt.Fprintf(w, "\n%-12s %9s %9s %7s\n", "family", "accuracy", "mentioned", "named")
		for _, f := range rep.Families {
			fmt.Fprintf(w, "%-12s %9.4f %9.4f %7d\n", f.Family, f.Accuracy, f.MentionRate, f.Named)
		}
	}
}
