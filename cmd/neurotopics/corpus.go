package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

func newCorpusCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "corpus",
		Short: "Inspect caption corpora and check that captions, features and labels line up",
	}
	cmd.AddCommand(newCorpusStatsCmd(), newCorpusJoinCmd())
	return cmd
}

func newCorpusStatsCmd() *cobra.Command {
	var minCount int
	var vocabOut string
	cmd := &cobra.Command{
		Use:   "stats PATH...",
		Short: "Count clips, captions and words; print a caption length histogram",
		Long: `stats loads captions and reports clips, captions per split, captions per clip,
vocabulary size and the caption length histogram, plus every warning of the loader
(for example clips that appear in more than one split).

PATH is an MSVD caption file (lines "clipID<TAB>caption"; the split is the part of
the file name after the last "_"), an MSR-VTT videodatainfo.json, or a folder with
a videodatainfo.json or *.tsv files. Several paths are read as one corpus.`,
		Example: `  neurotopics corpus stats data/synth
  neurotopics corpus stats ../shared/data/msvd --min-count 3 --vocab-out vocab.tsv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := corpus.LoadCaptions(args...)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "files            %s\n", strings.Join(c.Files, ", "))
			fmt.Fprint(cmd.OutOrStdout(), corpus.ComputeStats(c, minCount))
			if vocabOut != "" {
				if err := corpus.BuildVocab(c, minCount).Save(vocabOut); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "vocabulary written to %s\n", vocabOut)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&minCount, "min-count", 3, "a word needs at least this many occurrences to enter the vocabulary")
	cmd.Flags().StringVar(&vocabOut, "vocab-out", "", "also write the vocabulary to this file (word<TAB>count lines)")
	return cmd
}

func newCorpusJoinCmd() *cobra.Command {
	var captions []string
	var features, ids, labels, column string
	cmd := &cobra.Command{
		Use:   "join",
		Short: "Join captions, features and labels by clip id and report what each lacks",
		Long: `join loads the inputs a training run would use and reports how many clips have all
of them, and which clip ids each input lacks. Nothing is dropped silently.

Features are a folder of <clipID>.npy files [frames, dim], or one .npy
[clips, frames, dim] with --ids (one clip id a line, in row order); float32 or
float16, finite. Labels are a CSV with a header holding clip_id (or video_id, id)
and the --label-column.`,
		Example: `  neurotopics corpus join --captions data/synth --features data/synth/frames_train.npy --ids data/synth/ids_train.txt
  neurotopics corpus join --captions msvd/ --features feats/ --labels labels.csv --label-column category`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(captions) == 0 {
				return fmt.Errorf("join: --captions is required")
			}
			c, err := corpus.LoadCaptions(captions...)
			if err != nil {
				return err
			}
			for _, w := range c.Warnings {
				fmt.Fprintf(cmd.OutOrStdout(), "! %s\n", w)
			}
			sources := []corpus.Source{{Name: "captions", IDs: c.Clips}}
			if features != "" {
				var fids []string
				if strings.HasSuffix(features, ".npy") && strings.Contains(features, "frames_") {
					fr, err := corpus.LoadFrames(features, ids)
					if err != nil {
						return err
					}
					fids = fr.IDs
				} else {
					f, err := corpus.LoadFeatures(features, ids)
					if err != nil {
						return err
					}
					fids = f.IDs
				}
				sources = append(sources, corpus.Source{Name: "features", IDs: fids})
			}
			if labels != "" {
				m, err := corpus.ReadLabels(labels, column)
				if err != nil {
					return err
				}
				sources = append(sources, corpus.Source{Name: "labels", IDs: corpus.Keys(m)})
			}
			fmt.Fprintln(cmd.OutOrStdout(), corpus.Join(sources...))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&captions, "captions", nil, "caption files or folders (MSVD .tsv, MSR-VTT videodatainfo.json); repeat or comma-separate")
	f.StringVar(&features, "features", "", "features: a folder of <clipID>.npy, or one stacked .npy (needs --ids); a synthetic frames_<split>.npy also works")
	f.StringVar(&ids, "ids", "", "id list for a stacked .npy: one clip id a line, in row order")
	f.StringVar(&labels, "labels", "", "CSV of per-clip labels with a header row")
	f.StringVar(&column, "label-column", "action", "the label column of --labels")
	return cmd
}
