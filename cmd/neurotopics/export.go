package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

func newExportCmd() *cobra.Command {
	var f runFlags
	var noTruth bool
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the synthetic corpus in the real-data formats (MSR-VTT captions, per-clip .npy features)",
		Long: `export writes the synthetic corpus as a researcher's data would come:

  videodatainfo.json       MSR-VTT's layout: videos (split, category = the action
                           class) and sentences (the captions)
  features/<clip>.npy      [frames, dim] float32 per clip: the frozen frame
                           encoder's features, the same values run trains on
  ` + dataset.GroundTruthFile + `  the ground truth (concepts per clip, their words,
                           the action classes), unless --without-truth

so that the real-data path can be tried without downloading anything:
neurotopics run --captions DIR/videodatainfo.json --features DIR/features
[--ground-truth DIR/` + dataset.GroundTruthFile + `]. The corpus and encoder flags are
run's (--quick, --synth-train, …), so the export of a run's flags is that run's data.`,
		Example: `  neurotopics export --out /tmp/synth-export
  neurotopics export --quick --without-truth --out /tmp/quick-export`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.out == "" {
				return fmt.Errorf("export: --out is required (the folder to write into)")
			}
			b, err := backend.New()
			if err != nil {
				return err
			}
			cfg, err := f.synthConfig()
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			bar := newBar(cfg.Synth.NumClips(), "encoding frames")
			d, p, err := synthexp.Dataset(b, cfg, func(done, _ int) { _ = bar.Set(done) })
			_ = bar.Finish()
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if err := p.Export(f.out, noTruth); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			abs, _ := filepath.Abs(f.out)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d clips to %s (videodatainfo.json, features/)\n", d.NumClips(), abs)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.out, "out", "", "folder to write into (required)")
	fs.BoolVar(&noTruth, "without-truth", false, "leave out the ground truth, as real data would come")
	f.registerSynth(fs)
	return cmd
}
