package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
)

// loadModel loads the checkpoint (file or folder) of --model.
func loadModel(path string) (*captioner.Model, error) {
	if path == "" {
		return nil, fmt.Errorf("--model is required (a checkpoint folder written by `neurotopics train`, or one .ntc file)")
	}
	b, err := backend.New()
	if err != nil {
		return nil, err
	}
	return captioner.Load(b, path)
}

// decodeFlags are the decoding options of caption and eval.
type decodeFlags struct {
	beam          int
	maxWords      int
	lengthPenalty float64
}

func (d *decodeFlags) register(cmd *cobra.Command) {
	cmd.Flags().IntVar(&d.beam, "beam", 0, "beam width (1 = greedy; 0 = the model's beam_size, default 5)")
	cmd.Flags().IntVar(&d.maxWords, "max-words", 0, "caption length limit in words (0 = the model's max_words)")
	cmd.Flags().Float64Var(&d.lengthPenalty, "length-penalty", 0, "rank finished beams by log p / length^α (0 = plain log p)")
}

func (d *decodeFlags) options(m *captioner.Model) captioner.DecodeOptions {
	beam := d.beam
	if beam <= 0 {
		beam, _ = m.Param(captioner.ParamBeamSize).(int)
	}
	return captioner.DecodeOptions{Beam: max(1, beam), MaxWords: d.maxWords, LengthPenalty: d.lengthPenalty}
}

func newCaptionCmd() *cobra.Command {
	var data dataFlags
	var dec decodeFlags
	var modelPath, split string
	var limit int
	var topics bool
	cmd := &cobra.Command{
		Use:   "caption",
		Short: "Caption clips with a trained captioner (greedy or beam search)",
		Long: `caption loads a checkpoint and prints one "clip_id<TAB>caption" line per clip of
--split, decoded with beam search (--beam, default the model's beam_size) or
greedily (--beam 1). With --topics it adds the clip's three highest-scoring
targets (topics, or concepts for the synthetic corpus).

The data flags are those of train; for a model trained on the synthetic corpus
they default to the corpus it was trained on.`,
		Example: `  neurotopics caption --model runs/interp --split test --limit 10
  neurotopics caption --model runs/interp --beam 1 --topics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := loadModel(modelPath)
			if err != nil {
				return fmt.Errorf("caption: %w", err)
			}
			b, err := backend.New()
			if err != nil {
				return err
			}
			d, err := data.load(cmd, b, m)
			if err != nil {
				return fmt.Errorf("caption: %w", err)
			}
			ids := d.SplitIDs(split)
			if limit > 0 && len(ids) > limit {
				ids = ids[:limit]
			}
			if len(ids) == 0 {
				return fmt.Errorf("caption: split %q has no clips with features (splits: %v)", split, d.Captions.SplitNames())
			}
			a, err := m.EncodeToSemantic(d.Features, ids)
			if err != nil {
				return fmt.Errorf("caption: %w", err)
			}
			caps, err := m.DecodeFrom(a, dec.options(m))
			if err != nil {
				return fmt.Errorf("caption: %w", err)
			}
			var scores [][]float32
			if topics {
				if scores, err = m.TopicsFrom(a); err != nil {
					return fmt.Errorf("caption: %w", err)
				}
			}
			w := cmd.OutOrStdout()
			for i, id := range ids {
				fmt.Fprintf(w, "%s\t%s", id, caps[i].Text())
				if topics {
					fmt.Fprintf(w, "\t%s", topTargets(m.TargetNames, scores[i], 3))
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelPath, "model", "", "checkpoint folder (its newest checkpoint) or .ntc file")
	f.StringVar(&split, "split", "test", "split whose clips to caption")
	f.IntVar(&limit, "limit", 0, "caption only the first N clips of the split (0 = all)")
	f.BoolVar(&topics, "topics", false, "also print each clip's 3 highest-scoring targets")
	dec.register(cmd)
	data.register(f)
	return cmd
}

// topTargets formats the n highest scores as "name (score), …".
func topTargets(names []string, s []float32, n int) string {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	for i := 0; i < n && i < len(idx); i++ {
		for j := i + 1; j < len(idx); j++ {
			if s[idx[j]] > s[idx[i]] {
				idx[i], idx[j] = idx[j], idx[i]
			}
		}
	}
	out := ""
	for i := 0; i < n && i < len(idx); i++ {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s (%.2f)", names[idx[i]], s[idx[i]])
	}
	return out
}
