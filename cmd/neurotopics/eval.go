package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/evalcap"
)

// evalReport is what eval --json prints.
type evalReport struct {
	Model      string             `json:"model"`
	Step       int64              `json:"step"`
	Split      string             `json:"split"`
	Clips      int                `json:"clips"`
	Beam       int                `json:"beam"`
	Scores     map[string]float64 `json:"scores"`
	Families   []familyJSON       `json:"families,omitempty"`
	Ceiling    map[string]float64 `json:"human_ceiling,omitempty"`
	Floor      map[string]float64 `json:"constant_floor,omitempty"`
	FloorText  string             `json:"constant_caption,omitempty"`
	Parameters json.RawMessage    `json:"params"`
}

type familyJSON struct {
	Family      string  `json:"family"`
	Accuracy    float64 `json:"accuracy"`
	MentionRate float64 `json:"mention_rate"`
	Named       int     `json:"named"`
}

func scoreMap(s *evalcap.Scores) map[string]float64 {
	out := map[string]float64{}
	for _, m := range evalcap.Metrics() {
		out[m.String()] = s.Get(m)
	}
	return out
}

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
			opts := dec.options(m)
			r, err := m.Evaluate(d, split, opts, limit)
			if err != nil {
				return fmt.Errorf("eval: %w", err)
			}
			if r.Captions == nil {
				return fmt.Errorf("eval: need at least 2 clips to score captions")
			}
			rep := evalReport{Model: modelPath, Step: m.Step(), Split: split, Clips: r.Clips, Beam: opts.Beam,
				Scores: scoreMap(r.Captions), Parameters: json.RawMessage(m.ParamsJSON())}
			rep.Scores["topic_mAP"] = r.TopicMAP
			rep.Scores["caption_NLL"] = r.CaptionNLL
			rep.Scores["word_NLL"] = r.WordNLL
			rep.Scores["interp_loss"] = r.Interp
			if probe, err := m.ProbeTopicMAP(d, "train", split, 0); err == nil {
				rep.Scores["topic_mAP_probe"] = probe
			} else {
				fmt.Fprintf(cmd.ErrOrStderr(), "eval: no topic probe: %v\n", err)
			}
			if p := data.prepared; p != nil {
				for _, f := range synthexp.FamilyAccuracy(p.Corpus, r.Generated) {
					rep.Families = append(rep.Families, familyJSON{f.Family, f.Accuracy(), f.MentionRate(), f.Named})
				}
			}
			if baselines {
				ids := d.SplitIDs(split)
				if limit > 0 && len(ids) > limit {
					ids = ids[:limit]
				}
				ceil, err := evalcap.HumanCeiling(d.References(ids))
				if err != nil {
					return fmt.Errorf("eval: human ceiling: %w", err)
				}
				rep.Ceiling = scoreMap(ceil)
				text, floor, err := synthexp.ConstantFloor(d, "val", split, 50)
				if err != nil {
					return fmt.Errorf("eval: constant floor: %w", err)
				}
				rep.Floor, rep.FloorText = scoreMap(floor), text
			}
			w := cmd.OutOrStdout()
			if asJSON {
				e := json.NewEncoder(w)
				e.SetIndent("", "  ")
				return e.Encode(rep)
			}
			fmt.Fprintf(w, "model %s, step %d, split %s, %d clips, beam %d\n\n", modelPath, m.Step(), split, r.Clips, opts.Beam)
			fmt.Fprintf(w, "%-12s %9s", "metric", "model")
			if baselines {
				fmt.Fprintf(w, " %9s %9s", "ceiling", "constant")
			}
			fmt.Fprintln(w)
			for _, mt := range evalcap.Metrics() {
				fmt.Fprintf(w, "%-12s %9.4f", mt, r.Captions.Get(mt))
				if baselines {
					fmt.Fprintf(w, " %9.4f %9.4f", rep.Ceiling[mt.String()], rep.Floor[mt.String()])
				}
				fmt.Fprintln(w)
			}
			for _, k := range []string{"topic_mAP", "topic_mAP_probe", "caption_NLL", "word_NLL", "interp_loss"} {
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
