package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/neurotopics/neurotopics/pkg/synthexp"
)

func newSynthCmd() *cobra.Command {
	cfg := synthexp.DefaultSynthConfig()
	var out string
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Write the synthetic captioned-video corpus (frames, captions, ground truth)",
		Long: `synth generates the embedded default corpus, deterministically from --seed: short
RGB clips of one or two objects (shape, colour, size) moving on a background, ten
human-like captions per clip, and the ground truth (concepts, action label).

It writes into --out, in formats a real-data user also has:
  videodatainfo.json         captions, MSR-VTT style (split and category = action)
  frames_<split>.npy         uint8 [clips, T, H, W, 3] (pixel = value/255)
  ids_<split>.txt            the clip id of each row of frames_<split>.npy
  groundtruth.json, .csv     concepts, objects, motion, action label, noisy captions
The same seed and flags always give byte-identical files. See datasets/synthetic.md.`,
		Example: `  neurotopics synth --out data/synth
  neurotopics synth --out /tmp/tiny --train 100 --val 20 --test 20 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			c, err := synthexp.Generate(cfg)
			if err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return fmt.Errorf("synth: creating --out folder: %w", err)
			}
			bar := newBar(len(c.Clips), "rendering frames")
			err = c.Write(out, func(done, total int) { _ = bar.Set(done) })
			_ = bar.Finish()
			if err != nil {
				return fmt.Errorf("synth: %w", err)
			}
			size, files := dirSize(out)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d clips (%d train, %d val, %d test; %d captions each) to %s: %d files, %.1f MB in %.1fs\n",
				len(c.Clips), cfg.Train, cfg.Val, cfg.Test, cfg.CaptionsPerClip, out, files, float64(size)/1e6, time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "data/synth", "folder to write the corpus into (created if missing; existing corpus files are replaced)")
	f.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; everything generated follows from it")
	f.IntVar(&cfg.Frames, "frames", cfg.Frames, "frames T per clip")
	f.IntVar(&cfg.Size, "size", cfg.Size, "frame height and width in pixels")
	f.IntVar(&cfg.Train, "train", cfg.Train, "clips in the train split")
	f.IntVar(&cfg.Val, "val", cfg.Val, "clips in the validation split")
	f.IntVar(&cfg.Test, "test", cfg.Test, "clips in the test split")
	f.IntVar(&cfg.CaptionsPerClip, "captions", cfg.CaptionsPerClip, "captions per clip")
	f.Float64Var(&cfg.NoiseRate, "noise", cfg.NoiseRate, "fraction of captions that are off-topic or wrong in one concept, like real annotators'")
	f.Float64Var(&cfg.TwoObjectRate, "two-objects", cfg.TwoObjectRate, "fraction of clips with two objects (both do the clip's motion)")
	f.Float64Var(&cfg.PixelNoise, "pixel-noise", cfg.PixelNoise, "amplitude of per-pixel noise added to frames (0 = none)")
	return cmd
}

// isTerminal reports whether w is a terminal (progress bars are drawn only
// there: in a log file or a notebook they would print a line per update).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newBar returns a progress bar on stderr, shown only when stderr is a
// terminal (logs of CI and notebooks stay clean).
func newBar(total int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetVisibility(term.IsTerminal(int(os.Stderr.Fd()))),
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("clips"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func dirSize(dir string) (size int64, files int) {
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			size += info.Size()
			files++
		}
		return nil
	})
	return size, files
}
