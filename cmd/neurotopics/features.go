package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/video"
	"github.com/neurotopics/neurotopics/pkg/videodata"
)

// videoFlags select a folder of videos and how they are decoded.
type videoFlags struct {
	videos, mapping string
	frames, size    int
}

func (v *videoFlags) register(fs *pflag.FlagSet) {
	dc := video.DefaultDecodeConfig()
	fs.StringVar(&v.videos, "videos", "", "a folder of video files (any format ffmpeg reads), one a clip, named by clip id (or by --mapping); needs --captions")
	fs.StringVar(&v.mapping, "mapping", "", `videos: a file of "<video name> <clip id>" lines mapping file names to the captions' ids (MSVD's youtube_mapping.txt: -4wsuPCjDBc_5_15 vid1)`)
	fs.IntVar(&v.frames, "video-frames", dc.Frames, "videos: frames sampled evenly over each clip")
	fs.IntVar(&v.size, "video-size", dc.Size, "videos: side in pixels the frames are resized to (the frame encoder is made for 32)")
}

func (v *videoFlags) decode() video.DecodeConfig {
	return video.DecodeConfig{Frames: v.frames, Size: v.size}
}

func newFeaturesCmd() *cobra.Command {
	var (
		v          videoFlags
		captions   []string
		out, shard string
		fitFrames  int
		jobs       int
		maxMissing float64
	)
	cmd := &cobra.Command{
		Use:   "features",
		Short: "Decode a folder of videos with ffmpeg and encode their frames into features (sharded for large datasets)",
		Long: `features decodes the captioned clips of --videos with ffmpeg (N frames sampled
evenly over each clip, resized to S×S), fits the frozen frame encoder on the
training clips' frames and encodes every clip. The folder it writes is what
neurotopics run --features reads (with the decoded frames for unit cards):

  manifest.json        what was decoded, from which file, and what could not be
                       read (with ffmpeg's message)
  frames/<clip>.….npy  uint8 [frames, S, S, 3] per clip (the unit cards' frames)
  features.npy, ids.txt, encoder.json, config.json
                       the features [clips, frames, dim] and how they were made

A kill at any point resumes: decoded clips are kept. With --shard i/n only the
i-th of n deterministic parts of the clips is decoded (no features yet); run
the n shards anywhere (Slurm array, Kubernetes Job, xargs -P), then join them
with neurotopics features merge, which checks that every clip is there once
and encodes: the merged features are byte-identical to an unsharded run's
(docs/scale.md). ffmpeg and ffprobe must be installed (scripts/install-ffmpeg.sh).`,
		Example: `  neurotopics features --videos msvd/YouTubeClips --mapping msvd/youtube_mapping.txt --captions msvd/ --out msvd-features
  neurotopics run --captions msvd/ --features msvd-features --out report-msvd
  # sharded: 2 shards side by side, then merge
  printf '1\n2\n' | xargs -P 2 -I{} neurotopics features --videos v/ --captions c.json --shard {}/2 --out shards/{}
  neurotopics features merge --captions c.json --out feats shards/1 shards/2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if v.videos == "" || len(captions) == 0 || out == "" {
				return fmt.Errorf("features: --videos, --captions and --out are required")
			}
			if err := pipeline.CheckWritable(out, "--out"); err != nil {
				return fmt.Errorf("features: %w", err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			tools, err := video.FindTools()
			if err != nil {
				return fmt.Errorf("features: %w", err)
			}
			sh := videodata.Shard{Index: 1, Count: 1}
			if shard != "" {
				if sh, err = videodata.ParseShard(shard); err != nil {
					return fmt.Errorf("features: %w", err)
				}
			}
			plan, err := videodata.NewPlan(videodata.Source{Videos: v.videos, Captions: captions, Mapping: v.mapping})
			if err != nil {
				return fmt.Errorf("features: %w", err)
			}
			log := cmd.ErrOrStderr()
			fmt.Fprintf(log, "videos: %d files, %d captioned clips with a video, %d captioned clips without, %d videos without captions, %d other files ignored\n",
				plan.Files, len(plan.Clips), len(plan.NoVideo), len(plan.NoCaptions), plan.Ignored)
			start := time.Now()
			bar := newBar((len(plan.Clips)+sh.Count-sh.Index)/sh.Count, "decoding videos")
			m, err := videodata.Extract(ctx, tools, plan, out, videodata.ExtractConfig{Decode: v.decode(), Shard: sh, Jobs: jobs,
				Progress: func(done, _ int) { _ = bar.Set(done) }})
			_ = bar.Finish()
			if err != nil {
				return fmt.Errorf("features: %w (run again to resume)", err)
			}
			fmt.Fprintf(log, "decoded %d clips of shard %s in %.1fs (%d could not be read)\n", len(m.Clips), sh, time.Since(start).Seconds(), len(m.Failed))
			for _, f := range m.Failed {
				fmt.Fprintf(log, "  %s (%s): %s\n", f.ID, f.File, f.Reason)
			}
			if sh.Count > 1 {
				fmt.Fprintf(cmd.OutOrStdout(), "shard %s: %s (join the shards with neurotopics features merge)\n", sh, out)
				return nil
			}
			return encodeFolder(cmd, plan.Captions, m, out, fitFrames, maxMissing)
		},
	}
	fs := cmd.Flags()
	v.register(fs)
	fs.StringSliceVar(&captions, "captions", nil, "caption files or folders (MSVD .tsv, MSR-VTT videodatainfo.json): which clips to decode, and the training split the encoder is fitted on")
	fs.StringVar(&out, "out", "", "folder to write (required); an interrupted run resumes in it")
	fs.StringVar(&shard, "shard", "", "decode only part i of n of the clips (i/n, 1-based); join the parts with features merge")
	fs.IntVar(&fitFrames, "frame-fit-frames", framenc.DefaultConfig().FitFrames, "training frames the frame encoder is fitted on")
	fs.IntVar(&jobs, "jobs", runtime.NumCPU(), "ffmpeg processes at once (one thread each)")
	fs.Float64Var(&maxMissing, "max-missing", dataset.DefaultMaxMissing, "the largest share of captioned clips that may lack a readable video (counted and listed); above it the command stops")
	merge := &cobra.Command{
		Use:   "merge SHARD_DIR...",
		Short: "Join the folders of every shard of neurotopics features --shard and encode the features",
		Long: `merge checks that the folders are shards 1..n of one plan (same videos,
captions and decoding), each given once, and that every clip is in exactly
one of them; it links (or copies) their frames into --out, fits the frame
encoder on the training clips' frames and encodes every clip. The result is
byte-identical to an unsharded neurotopics features run.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if len(captions) == 0 || out == "" {
				return fmt.Errorf("features merge: --captions and --out are required")
			}
			m, err := videodata.Merge(dirs, out)
			if err != nil {
				return err
			}
			caps, err := corpus.LoadCaptions(captions...)
			if err != nil {
				return fmt.Errorf("features merge: %w", err)
			}
			return encodeFolder(cmd, caps, m, out, fitFrames, maxMissing)
		},
	}
	mf := merge.Flags()
	mf.StringSliceVar(&captions, "captions", nil, "the caption files or folders the shards were made with")
	mf.StringVar(&out, "out", "", "folder to write the merged frames and the features into (required)")
	mf.IntVar(&fitFrames, "frame-fit-frames", framenc.DefaultConfig().FitFrames, "training frames the frame encoder is fitted on")
	mf.Float64Var(&maxMissing, "max-missing", dataset.DefaultMaxMissing, "the largest share of captioned clips that may lack a readable video")
	cmd.AddCommand(merge)
	return cmd
}

// encodeFolder fits the frame encoder on an extraction's training frames and
// writes the features into dir.
func encodeFolder(cmd *cobra.Command, caps *corpus.Captions, m *videodata.Manifest, dir string, fitFrames int, maxMissing float64) error {
	b, err := backend.New()
	if err != nil {
		return err
	}
	ecfg := framenc.DefaultConfig()
	ecfg.FitFrames = fitFrames
	start := time.Now()
	bar := newBar(len(m.Clips), "encoding frames")
	d, err := videodata.Build(b, caps, m, dir, videodata.BuildConfig{Encoder: ecfg, FeatureDir: dir, MaxMissing: maxMissing,
		Progress: func(done, _ int) { _ = bar.Set(done) }})
	_ = bar.Finish()
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	for _, line := range d.Join.Lines() {
		fmt.Fprintln(cmd.ErrOrStderr(), "data:", line)
	}
	abs, _ := filepath.Abs(dir)
	fmt.Fprintf(cmd.OutOrStdout(), "features of %d clips [%d frames, dim %d] in %s (%.1fs); use it with neurotopics run --features %s --captions …\n",
		d.NumClips(), m.Decode.Frames, d.Features.Dim, abs, time.Since(start).Seconds(), dir)
	return nil
}
