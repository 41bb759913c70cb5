package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/topics"
)

func newTopicsCmd() *cobra.Command {
	cfg := topics.DefaultConfig()
	text := topics.DefaultTextOptions()
	var (
		captions  []string
		out       string
		labelK    int
		minWeight float64
		rows      int
		words     int
		quiet     bool
	)
	cmd := &cobra.Command{
		Use:   "topics",
		Short: "Extract topics from captions with LDA and label every clip with its top topics",
		Long: `topics learns K topics from human descriptions by LDA (collapsed Gibbs sampling
with a sparse + alias Metropolis-Hastings sampler, on all cores, deterministic for
a seed), with one document per clip (all its captions), and labels every clip with
its top topics (--label-k of them, each with θ weight at least --label-min-weight;
the paper uses K = 100 and about 3 topics per clip).

It prints a table of the largest topics (share of tokens, clips labelled, NPMI
coherence of the top 10 words over clips, top words) and writes into --out:
  model.json        settings, vocabulary, clip ids, priors, preparation counts
  topic_word.npy    φ, float32 [K, V]: p(word | topic)
  theta.npy         θ, float32 [clips, K]: p(topic | clip), rows as clips.txt
  labels.csv        clip, label topics (strongest first), their weights
  labels.npy        multi-hot labels, uint8 [clips, K]
  topics.csv        topic, share, clips, npmi, label_npmi, alpha, top words
  vocab.txt, clips.txt, quality.json
  topics.png, topics.svg   topic sizes and coherence

--captions takes MSVD .tsv files, an MSR-VTT videodatainfo.json, or folders with
them (a folder written by "neurotopics synth" works).`,
		Example: `  neurotopics topics --captions ../shared/data/msvd --k 100 --out out/topics-msvd
  neurotopics topics --captions data/synth --k 30 --stem --out out/topics-synth`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if len(captions) == 0 {
				return fmt.Errorf("topics: --captions is required (MSVD .tsv files, an MSR-VTT videodatainfo.json, or a folder)")
			}
			if out == "" {
				return fmt.Errorf("topics: --out is required (a folder for the outputs)")
			}
			if err := pipeline.CheckWritable(out, "--out"); err != nil {
				return fmt.Errorf("topics: %w", err)
			}
			caps, err := corpus.LoadCaptions(captions...)
			if err != nil {
				return fmt.Errorf("topics: %w", err)
			}
			for _, msg := range caps.Warnings {
				fmt.Fprintln(w, "warning:", msg)
			}
			// The stage `run` runs: LDA, labels, plots, the topics' match to
			// the ground truth's concepts or to the reference-derived one.
			in := topics.StageInput{Data: &dataset.Dataset{Name: strings.Join(captions, ", "), Captions: caps}, Log: w}
			if !quiet {
				bar := progressbar.NewOptions(cfg.Iterations,
					progressbar.OptionSetVisibility(term.IsTerminal(int(os.Stderr.Fd()))),
					progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionSetDescription("sampling"),
					progressbar.OptionShowCount(),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish())
				in.Progress = func(done, _ int) { _ = bar.Set(done) }
				defer func() { _ = bar.Finish() }()
			}
			r, err := topics.Stage(cmd.Context(), in, topics.StageConfig{LDA: cfg, Text: text, LabelK: labelK, LabelMinWeight: minWeight}, out)
			if err != nil {
				return fmt.Errorf("topics: %w", err)
			}
			m, q := r.Model, r.Quality
			fmt.Fprintln(w)
			if err := topics.WriteTable(w, m, q, words, rows); err != nil {
				return fmt.Errorf("topics: %w", err)
			}
			if rows > 0 && rows < m.K {
				fmt.Fprintf(w, "… %d more topics in %s\n", m.K-rows, filepath.Join(out, topics.TopicsFile))
			}
			fmt.Fprintf(w, "\nwrote %s (model, φ, θ, labels, topics.csv, topics.png/svg, the topics' concept maps)\n", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&captions, "captions", nil, "caption files or folders (MSVD .tsv, MSR-VTT videodatainfo.json); repeat or separate with commas")
	f.StringVar(&out, "out", "", "folder to write the model, labels, tables and plots into (created if missing)")
	f.IntVar(&cfg.K, "k", cfg.K, "number of topics")
	f.Float64Var(&cfg.Alpha, "alpha", cfg.Alpha, "Dirichlet prior on each clip's topic mix (smaller: fewer topics per clip)")
	f.Float64Var(&cfg.Beta, "beta", cfg.Beta, "Dirichlet prior on each topic's words")
	f.BoolVar(&cfg.OptimizeAlpha, "optimize-alpha", cfg.OptimizeAlpha, "learn an asymmetric prior α_k during training")
	f.IntVar(&cfg.Iterations, "iterations", cfg.Iterations, "Gibbs sweeps over all tokens")
	f.IntVar(&cfg.MHSteps, "mh-steps", cfg.MHSteps, "Metropolis-Hastings proposals per token and sweep")
	f.IntVar(&cfg.Shards, "shards", cfg.Shards, "groups of clips sampled in parallel (part of the model: changes results, unlike --workers)")
	f.IntVar(&cfg.AverageLast, "average-last", cfg.AverageLast, "average θ and φ over the last N sweeps")
	f.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; the same seed gives the same topics on any number of cores")
	f.IntVar(&cfg.Workers, "workers", 0, "goroutines to sample with (0: all cores); never changes the result")
	f.Float64Var(&cfg.HeldOut, "held-out", cfg.HeldOut, "fraction of each clip's tokens kept out of training to measure held-out perplexity")
	f.IntVar(&cfg.EvalEvery, "eval-every", cfg.EvalEvery, "record perplexity every N sweeps in model.json (0: never)")
	f.BoolVar(&text.Stem, "stem", text.Stem, "reduce words to their Snowball English stem (ride, rides, riding → one word)")
	f.BoolVar(&text.Damp, "damp", text.Damp, "keep a word repeated n times in a clip's captions only 1+⌊log2 n⌋ times (sublinear term frequency)")
	f.StringSliceVar(&text.StopWords, "stop-words", nil, "extra stop words, in addition to the built-in English list")
	f.BoolVar(&text.NoStopWords, "no-stop-words", false, "do not remove the built-in English stop words")
	f.IntVar(&text.MinDocFreq, "min-df", text.MinDocFreq, "drop words found in fewer clips")
	f.Float64Var(&text.MaxDocFrac, "max-df", text.MaxDocFrac, "drop words found in more than this fraction of clips (0: keep all)")
	f.IntVar(&text.MinWordLen, "min-word-len", text.MinWordLen, "drop shorter tokens")
	f.BoolVar(&text.KeepNumbers, "keep-numbers", false, "keep tokens made only of digits")
	f.IntVar(&labelK, "label-k", topics.DefaultLabelTopK, "label each clip with at most this many topics")
	f.Float64Var(&minWeight, "label-min-weight", topics.DefaultLabelMinWeight, "minimum θ weight of a label after the first")
	f.IntVar(&rows, "rows", 20, "topics shown in the table (0: all)")
	f.IntVar(&words, "words", 8, "top words shown per topic")
	f.BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}
