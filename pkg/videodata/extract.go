package videodata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/video"
)

// Shard is one of Count deterministic parts of a plan's clips: clip k (in
// id order) belongs to shard k mod Count + 1.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/n" (1 ≤ i ≤ n).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n || n > 1_000_000 {
		return Shard{}, fmt.Errorf("shard %q; expected i/n with 1 ≤ i ≤ n (e.g. 1/4; a Slurm array task gives $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT)", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ExtractConfig says how Extract decodes.
type ExtractConfig struct {
	Decode video.DecodeConfig
	// Shard selects the clips to decode; zero means all (1/1).
	Shard Shard
	// Jobs is the number of ffmpeg processes at once (each one thread);
	// 0 means the number of CPUs.
	Jobs int
	// Progress, if not nil, is called as clips are done.
	Progress func(done, total int)
}

// Files of an extraction folder.
const (
	FramesDir    = "frames"
	ManifestFile = "manifest.json"
)

// Manifest describes an extraction folder: what was decoded, from where and
// how, and what failed.
type Manifest struct {
	Decode video.DecodeConfig `json:"decode"`
	// Shard and Shards say which part of the plan this is.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// Planned and PlanHash identify the whole plan (every shard's clips):
	// its number of clips and a hash of their ids.
	Planned  int    `json:"planned"`
	PlanHash string `json:"plan_hash"`
	// FFmpeg is ffmpeg's version line.
	FFmpeg string `json:"ffmpeg"`
	// Clips are the decoded clips, Failed those that could not be read.
	Clips  []Decoded         `json:"clips"`
	Failed []dataset.Failure `json:"failed"`
	// Files, NoCaptions and NoVideo are the plan's counts (Plan).
	Files      int      `json:"files"`
	NoCaptions []string `json:"no_captions"`
	NoVideo    []string `json:"no_video"`
}

// Decoded is one decoded clip of a manifest.
type Decoded struct {
	ID string `json:"id"`
	// Video is the file's base name; Frames the frames file under frames/.
	Video  string `json:"video"`
	Frames string `json:"frames"`
	// Decoded is the number of frames in the video.
	Decoded int        `json:"decoded"`
	Info    video.Info `json:"info"`
}

// Extract decodes the clips of plan in cfg.Shard into dir/frames (one
// .npy a clip, uint8 [T, S, S, 3], written atomically) and writes
// dir/manifest.json. Clips already decoded from the same file with the same
// settings are kept, so a killed extraction resumes. A clip that cannot be
// read is recorded in the manifest with ffmpeg's reason; the others go on.
func Extract(ctx context.Context, tools video.Tools, plan *Plan, dir string, cfg ExtractConfig) (*Manifest, error) {
	if err := cfg.Decode.Validate(); err != nil {
		return nil, err
	}
	if cfg.Shard.Count == 0 {
		cfg.Shard = Shard{1, 1}
	}
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	version, err := tools.Version(ctx)
	if err != nil {
		return nil, err
	}
	fdir := filepath.Join(dir, FramesDir)
	if err := os.MkdirAll(fdir, 0o755); err != nil {
		return nil, fmt.Errorf("extraction folder: %w", err)
	}
	var mine []Clip
	for k, c := range plan.Clips {
		if k%cfg.Shard.Count == cfg.Shard.Index-1 {
			mine = append(mine, c)
		}
	}
	m := &Manifest{Decode: cfg.Decode, Shard: cfg.Shard.Index, Shards: cfg.Shard.Count, Planned: len(plan.Clips), PlanHash: planHash(plan.Clips),
		FFmpeg: version, Files: plan.Files, NoCaptions: plan.NoCaptions, NoVideo: plan.NoVideo}
	results := make([]*Decoded, len(mine))
	failures := make([]*dataset.Failure, len(mine))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	next := make(chan int)
	var firstErr error
	for range min(jobs, max(len(mine), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				d, fail, err := extractOne(ctx, tools, mine[k], fdir, cfg.Decode)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				results[k], failures[k] = d, fail
				done++
				if cfg.Progress != nil {
					cfg.Progress(done, len(mine))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for k := range mine {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	for k := range mine {
		if results[k] != nil {
			m.Clips = append(m.Clips, *results[k])
		} else {
			m.Failed = append(m.Failed, *failures[k])
		}
	}
	if err := writeJSON(filepath.Join(dir, ManifestFile), m); err != nil {
		return nil, err
	}
	return m, nil
}

// extractOne decodes clip c into fdir unless its frames are there. A video
// that cannot be read is a failure; an error is returned only for what
// stops the extraction (a folder that cannot be written, an interrupt).
func extractOne(ctx context.Context, tools video.Tools, c Clip, fdir string, dc video.DecodeConfig) (*Decoded, *dataset.Failure, error) {
	st, err := os.Stat(c.Path)
	if err != nil {
		return nil, &dataset.Failure{ID: c.ID, File: c.Path, Reason: err.Error()}, nil
	}
	name := c.ID + "." + stamp(dc, st) + ".npy"
	path := filepath.Join(fdir, name)
	d := &Decoded{ID: c.ID, Video: filepath.Base(c.Path), Frames: name}
	if side, err := readSidecar(path); err == nil {
		d.Decoded, d.Info = side.Decoded, side.Info
		return d, nil, nil
	}
	clip, err := tools.Decode(ctx, c.Path, dc)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		reason := err.Error()
		reason = strings.TrimPrefix(reason, c.Path+": ")
		return nil, &dataset.Failure{ID: c.ID, File: c.Path, Reason: reason}, nil
	}
	d.Decoded, d.Info = clip.Decoded, clip.Info
	vals := make([]float32, len(clip.Frames))
	for i, b := range clip.Frames {
		vals[i] = float32(b)
	}
	// The sidecar first, the frames last: frames present mean both are.
	if err := writeJSON(path+".json", sidecar{Decoded: clip.Decoded, Info: clip.Info}); err != nil {
		return nil, nil, err
	}
	if err := corpus.WriteNPY(path, []int{clip.T, clip.Size, clip.Size, 3}, vals, corpus.DTypeUint8); err != nil {
		return nil, nil, fmt.Errorf("writing the frames of %s: %w", c.ID, err)
	}
	return d, nil, nil
}

// sidecar keeps a decoded clip's facts beside its frames.
type sidecar struct {
	Decoded int        `json:"decoded"`
	Info    video.Info `json:"info"`
}

func readSidecar(framesPath string) (sidecar, error) {
	var s sidecar
	if _, err := os.Stat(framesPath); err != nil {
		return s, err
	}
	b, err := os.ReadFile(framesPath + ".json")
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, err
	}
	return s, nil
}

// stamp identifies a video file's version and the decoding settings.
func stamp(dc video.DecodeConfig, st os.FileInfo) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d %d|%s|%d|%d", dc.Frames, dc.Size, st.Name(), st.Size(), st.ModTime().UnixNano())
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// planHash identifies a plan by its clip ids.
func planHash(clips []Clip) string {
	h := sha256.New()
	for _, c := range clips {
		io.WriteString(h, c.ID+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func writeJSON(path string, v any) error { return corpus.WriteJSONFile(path, v) }

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	var m Manifest
	if err := corpus.ReadJSONFile(filepath.Join(dir, ManifestFile), &m); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: it is not a folder written by neurotopics features (or the extraction did not finish: run it again)", dir, ManifestFile)
		}
		return nil, err
	}
	path := filepath.Join(dir, ManifestFile)
	if err := m.Decode.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, c := range m.Clips {
		if !validID(c.ID) || c.Frames == "" || filepath.Base(c.Frames) != c.Frames || strings.HasPrefix(c.Frames, ".") {
			return nil, fmt.Errorf("%s: clips[%d]: id %q, frames file %q; expected a clip id and a file name in %s/", path, i, c.ID, c.Frames, FramesDir)
		}
	}
	return &m, nil
}
