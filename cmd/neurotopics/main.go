// Command neurotopics runs the stages of the neurotopics toolkit: it writes
// the synthetic captioned-video corpus, reports on caption corpora, and (as
// the pipeline grows) extracts topics, trains the interpretive captioner,
// interprets its units and writes the report.
//
// Run `neurotopics --help` or `neurotopics <command> --help` for the flags.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	var prof profiling
	root := newRootCmd()
	prof.addFlags(root)
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return prof.start() }
	err := root.Execute()
	if perr := prof.finish(); err == nil {
		err = perr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "neurotopics:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "neurotopics",
		Short: "Interpret the hidden units of a video captioner with the topics of human descriptions",
		Long: `neurotopics implements "Improving Interpretability of Deep Neural Networks with
Semantic Information" (Dong et al., CVPR 2017): topics from captions (LDA), a
captioner whose semantic layer is trained to predict them, interpretation of its
units, transfer to action recognition and revision of wrong captions.

Everything runs on a synthetic captioned-video corpus with ground truth that the
tool generates (neurotopics synth), or on real captions (MSVD .tsv, MSR-VTT
videodatainfo.json) and pre-extracted .npy features that you bring.

Computation uses GoMLX's pure-Go backend by default; set GOMLX_BACKEND to choose
another (e.g. GOMLX_BACKEND=xla:cuda in a binary built with -tags xla).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newSynthCmd(), newCorpusCmd(), newTopicsCmd(), newTrainCmd(), newCaptionCmd(), newEvalCmd(), newInterpretCmd(), newTransferCmd(), newReviseCmd(), newBackendCmd(), newRunCmd(), newExportCmd(), newFeaturesCmd(), newScoreCmd())
	return root
}
