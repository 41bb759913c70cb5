package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/video"
)

func newExportCmd() *cobra.Command {
	var f runFlags
	var (
		noTruth, videos bool
		codec           string
		scale           int
	)
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
run's (--quick, --synth-train, …), so the export of a run's flags is that run's data.

With --videos it writes the clips as video files instead of features
(videos/<clip>.mkv or .mp4, encoded by ffmpeg), to try the video path:
neurotopics run --videos DIR/videos --captions DIR/videodatainfo.json.
--codec ffv1 is lossless (the decoded frames are the corpus' frames rounded to
8 bits: run --synth-frame-bits 8 is the same data); --codec h264 is lossy, as
most real clips are, and enlarged --video-scale times (default 4) so that its
half-resolution colour keeps small objects.`,
		Example: `  neurotopics export --out /tmp/synth-export
  neurotopics export --quick --without-truth --out /tmp/quick-export
  neurotopics export --quick --videos --codec h264 --out /tmp/quick-videos`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.out == "" {
				return fmt.Errorf("export: --out is required (the folder to write into)")
			}
			cfg, err := f.synthConfig()
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if videos {
				return exportVideos(cmd, cfg.Synth, f.out, synthexp.VideoExport{Codec: codec, Scale: scale}, noTruth)
			}
			b, err := backend.New()
			if err != nil {
				return err
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
	fs.BoolVar(&videos, "videos", false, "write the clips as video files (videos/) instead of features")
	fs.StringVar(&codec, "codec", video.CodecFFV1, `with --videos: "ffv1" (lossless, .mkv) or "h264" (lossy, .mp4)`)
	fs.IntVar(&scale, "video-scale", 0, "with --videos: enlarge frames this many times before encoding (0: 1 for ffv1, 4 for h264)")
	f.registerSynth(fs)
	return cmd
}

// exportVideos writes the corpus of sc as video files.
func exportVideos(cmd *cobra.Command, sc synthexp.SynthConfig, out string, ve synthexp.VideoExport, noTruth bool) error {
	if ve.Codec != video.CodecFFV1 && ve.Codec != video.CodecH264 {
		return fmt.Errorf("export: --codec %q; expected %q or %q", ve.Codec, video.CodecFFV1, video.CodecH264)
	}
	if ve.Scale < 0 || ve.Scale > 16 {
		return fmt.Errorf("export: --video-scale %d; expected 0..16", ve.Scale)
	}
	tools, err := video.FindTools()
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	c, err := synthexp.Generate(sc)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	bar := newBar(len(c.Clips), "writing videos")
	ve.Progress = func(done, _ int) { _ = bar.Set(done) }
	err = synthexp.ExportVideosOf(ctx, tools, c, out, ve, noTruth)
	_ = bar.Finish()
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %d %s clips to %s (videodatainfo.json, %s/)\n", len(c.Clips), ve.Codec, abs, synthexp.ExportVideos)
	return nil
}
