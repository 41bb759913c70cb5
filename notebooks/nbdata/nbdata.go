// Package nbdata builds the notebooks' synthetic dataset: the corpus of a
// notebook setting (nbui.Setting), as `neurotopics run` builds it from the
// same sizes. It is the notebooks' door to pkg/synthexp, which pkg/nbui
// does not import; the notebooks and the test that compares a notebook run
// with `neurotopics run` (cmd/neurotopics/notebook_test.go) call it alike.
// Videos is the door to pkg/videodata (decoding with ffmpeg, encoding),
// and DemoVideos writes a small synthetic corpus as videos to try it on.
// (Captions and features of one's own need no door: dataset.Load reads them.)
package nbdata

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
	"github.com/neurotopics/neurotopics/pkg/video"
	"github.com/neurotopics/neurotopics/pkg/videodata"
)

// SynthConfig is the synthetic corpus and frame encoder of setting s, as
// `neurotopics run` builds it from the flags s.RunArgs(nil) gives (the
// default feature cache unless s.Cache is set).
func SynthConfig(s nbui.Setting) (synthexp.Config, error) {
	cache := s.Cache
	if cache == "" {
		cache = synthexp.DefaultConfig().CacheDir
	}
	return synthexp.RunConfig(false, synthexp.Sizes{Train: s.SynthTrain, Val: s.SynthVal, Test: s.SynthTest, FitFrames: s.FitFrames}, cache)
}

// Synthetic generates the synthetic corpus of setting s and encodes its
// frames (or reads them from the cache), showing the progress and a line
// on the dataset. It returns the dataset and its source for
// nbui.Pipeline.
func Synthetic(b compute.Backend, s nbui.Setting) (*dataset.Dataset, any, error) {
	cfg, err := SynthConfig(s)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	update, done := nbui.Progress("encoding frames (clips)")
	d, p, err := synthexp.Dataset(b, cfg, update)
	done()
	if err != nil {
		return nil, nil, fmt.Errorf("the synthetic corpus: %w", err)
	}
	how := "encoded"
	if p.Cached {
		how = "read from the cache"
	}
	nbui.ShowDataset(d, fmt.Sprintf("Frame features %s in %.1f s.", how, time.Since(start).Seconds()))
	return d, cfg.Source(), nil
}

// DemoVideos writes a small synthetic corpus (40/10/10 clips) as H.264
// videos with MSR-VTT captions into dir, once (kept when dir already holds
// it), so that the video path can be tried without downloading anything:
// `neurotopics export --videos --codec h264 --without-truth` of the same
// corpus. The corpus is written into a folder beside dir and renamed to dir
// when complete, so an interrupted write is started again, never reused.
func DemoVideos(dir string) (videodata.Source, error) {
	src := videodata.Source{Videos: filepath.Join(dir, synthexp.ExportVideos), Captions: []string{filepath.Join(dir, synthexp.ExportCaptions)}}
	if _, err := os.Stat(src.Captions[0]); err == nil {
		return src, nil
	}
	tools, err := video.FindTools()
	if err != nil {
		return src, err
	}
	sc := synthexp.DefaultSynthConfig()
	sc.Train, sc.Val, sc.Test = 40, 10, 10
	c, err := synthexp.Generate(sc)
	if err != nil {
		return src, err
	}
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return src, err
	}
	update, done := nbui.Progress("writing demo videos (clips)")
	err = synthexp.ExportVideosOf(context.Background(), tools, c, tmp, synthexp.VideoExport{Codec: video.CodecH264, Progress: update}, true)
	done()
	if err != nil {
		return src, fmt.Errorf("the demo videos: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return src, fmt.Errorf("the demo videos: %w (remove %s and run again)", err, dir)
	}
	return src, nil
}

// Videos decodes the videos of src with ffmpeg and encodes their frames with
// the frame encoder of setting s (both cached), as `neurotopics run --videos`
// does, showing the progress (one line: decoding, then encoding) and a line
// on the dataset. It returns the dataset, its source for nbui.Pipeline and
// the `neurotopics run` command of the same run as nbui.Pipeline with s
// (without --out).
func Videos(ctx context.Context, b compute.Backend, s nbui.Setting, src videodata.Source, groundTruth string) (*dataset.Dataset, any, string, error) {
	scfg, err := SynthConfig(s)
	if err != nil {
		return nil, nil, "", err
	}
	// One progress line at a time: the encoding's is made when the encoding
	// starts (never, when the features are cached), and the decoding's is
	// removed then.
	decoding, doneDecoding := nbui.Progress("decoding videos (clips)")
	var encode func(done, total int)
	doneEncoding := func() {}
	encoding := func(done, total int) {
		if encode == nil {
			doneDecoding()
			encode, doneEncoding = nbui.Progress("encoding frames (clips)")
		}
		encode(done, total)
	}
	// MaxMissing as run's --max-missing default: the same dataset key, so
	// the same stage hashes as the command below.
	cfg := videodata.Config{Source: src, Decode: video.DefaultDecodeConfig(), Encoder: scfg.Encoder, GroundTruth: groundTruth,
		MaxMissing: dataset.DefaultMaxMissing, CacheDir: scfg.CacheDir, Decoding: decoding, Encoding: encoding}
	start := time.Now()
	d, err := videodata.Load(ctx, b, cfg)
	doneDecoding()
	doneEncoding()
	if err != nil {
		return nil, nil, "", fmt.Errorf("the videos: %w", err)
	}
	nbui.ShowDataset(d, fmt.Sprintf("Decoded and encoded in %.1f s (cached in %s).", time.Since(start).Seconds(), scfg.CacheDir))
	return d, cfg, videoCommand(s, src, groundTruth), nil
}

// videoCommand is the `neurotopics run --videos` command of setting s on
// src: s's flags (s.RunArgs) without the synthetic corpus' sizes, values
// quoted as Setting.Command quotes them.
func videoCommand(s nbui.Setting, src videodata.Source, groundTruth string) string {
	args := []string{"neurotopics", "run", "--videos", strconv.Quote(src.Videos), "--captions", strconv.Quote(strings.Join(src.Captions, ","))}
	if src.Mapping != "" {
		args = append(args, "--mapping", strconv.Quote(src.Mapping))
	}
	if groundTruth != "" {
		args = append(args, "--ground-truth", strconv.Quote(groundTruth))
	}
	run := s.RunArgs(nil)
	for k := 0; k < len(run); k++ {
		switch run[k] {
		case "--quick":
			args = append(args, run[k])
		case "--synth-train", "--synth-val", "--synth-test":
			k++
		default:
			if k+1 < len(run) {
				args = append(args, run[k], strconv.Quote(run[k+1]))
				k++
			}
		}
	}
	return strings.Join(args, " ")
}
