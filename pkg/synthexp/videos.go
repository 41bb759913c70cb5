package synthexp

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/synth"
	"github.com/neurotopics/neurotopics/pkg/video"
)

// ExportVideos is the folder of video files ExportVideos writes.
const ExportVideos = "videos"

// VideoExport says how ExportVideosOf encodes the corpus' clips.
type VideoExport struct {
	// Codec is video.CodecFFV1 (lossless: the decoded frames are the
	// corpus' frames rounded to 8 bits) or video.CodecH264 (lossy).
	Codec string
	// Scale enlarges frames Scale times before encoding (nearest
	// neighbour); 0 means 1 for FFV1 and 4 for H.264, whose half-resolution
	// colour would blur a 32-pixel frame.
	Scale int
	// FPS is the frame rate; 0 means 12 (a clip of 12 frames lasts 1 s).
	FPS int
	// Jobs is the number of ffmpeg processes at once; 0 means one per CPU.
	Jobs int
	// Progress, if not nil, is called as clips are written.
	Progress func(done, total int)
}

// ExportVideosOf writes corpus c as a folder a researcher's videos would
// come in: videos/<clip>.mkv or .mp4 (one file a clip, its frames rounded to
// 8 bits), videodatainfo.json (MSR-VTT's layout, category = the action) and,
// unless withoutTruth, the ground truth (dataset.GroundTruthFile).
func ExportVideosOf(ctx context.Context, tools video.Tools, c *Corpus, dir string, cfg VideoExport, withoutTruth bool) error {
	if cfg.Scale == 0 {
		cfg.Scale = 1
		if cfg.Codec == video.CodecH264 {
			cfg.Scale = 4
		}
	}
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	vdir := filepath.Join(dir, ExportVideos)
	if err := mkdirAll(vdir); err != nil {
		return err
	}
	if err := corpus.WriteMSRVTT(filepath.Join(dir, ExportCaptions), c.VideoDataInfo()); err != nil {
		return err
	}
	sh := c.FrameShape()
	T, S := sh[0], sh[1]
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		done     int
	)
	next := make(chan int)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vals := make([]float32, c.FrameLen())
			frames := make([]byte, c.FrameLen())
			for i := range next {
				c.FramesInto(i, vals)
				for k, v := range vals {
					frames[k] = synth.Byte(v)
				}
				path := filepath.Join(vdir, c.Clips[i].ID+video.Ext(cfg.Codec))
				err := tools.Write(ctx, path, frames, T, S, S, video.WriteConfig{Codec: cfg.Codec, FPS: cfg.FPS, Scale: cfg.Scale})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				done++
				if cfg.Progress != nil {
					cfg.Progress(done, len(c.Clips))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for i := range c.Clips {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if firstErr != nil {
		return fmt.Errorf("export: %w", firstErr)
	}
	if withoutTruth {
		return nil
	}
	return dataset.WriteGroundTruth(filepath.Join(dir, dataset.GroundTruthFile), GroundTruth(c), Actions(c))
}
