package videodata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/video"
)

// Config is a dataset of videos: where they are, how they are decoded and
// encoded, and where the work is cached.
type Config struct {
	Source
	Decode  video.DecodeConfig `json:"decode"`
	Encoder framenc.Config     `json:"encoder"`
	// GroundTruth, optional, is a ground-truth file (neurotopics export
	// writes one for the synthetic corpus).
	GroundTruth string `json:"ground_truth,omitempty"`
	// MaxMissing is the largest share of clips that may lack a readable video
	// or captions; 0 means dataset.DefaultMaxMissing.
	MaxMissing float64 `json:"max_missing,omitempty"`
	// CacheDir holds the decoded frames and the features, one folder per
	// video folder and decoding.
	CacheDir string `json:"-"`
	// Jobs is the number of ffmpeg processes at once (0: one per CPU).
	Jobs int `json:"-"`
	// Decoding and Encoding, if not nil, are called as clips are decoded and
	// encoded.
	Decoding, Encoding func(done, total int) `json:"-"`
}

// Load decodes the captioned videos of cfg (or reads them from the cache),
// encodes them and returns the dataset. Videos that cannot be read are
// counted in the dataset's Join with ffmpeg's reason; above cfg.MaxMissing
// of the clips, Load stops.
func Load(ctx context.Context, b compute.Backend, cfg Config) (*dataset.Dataset, error) {
	tools, err := video.FindTools()
	if err != nil {
		return nil, err
	}
	plan, err := NewPlan(cfg.Source)
	if err != nil {
		return nil, err
	}
	if cfg.CacheDir == "" {
		return nil, errors.New("videos: no cache folder for the decoded frames")
	}
	dir, err := ExtractionDir(cfg.CacheDir, cfg.Videos, cfg.Decode)
	if err != nil {
		return nil, err
	}
	m, err := Extract(ctx, tools, plan, dir, ExtractConfig{Decode: cfg.Decode, Jobs: cfg.Jobs, Progress: cfg.Decoding})
	if err != nil {
		return nil, err
	}
	return Build(b, plan.Captions, m, dir, BuildConfig{Encoder: cfg.Encoder, FeatureDir: filepath.Join(dir, "features"),
		GroundTruth: cfg.GroundTruth, MaxMissing: cfg.MaxMissing, Progress: cfg.Encoding})
}

// ExtractionDir is the cache folder of a video folder decoded with dc.
func ExtractionDir(cache, videos string, dc video.DecodeConfig) (string, error) {
	abs, err := filepath.Abs(videos)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d", abs, dc.Frames, dc.Size))
	return filepath.Join(cache, "videos", filepath.Base(abs)+"-"+hex.EncodeToString(h[:6])), nil
}

// Open reads a folder written by `neurotopics features` (Extract and Build,
// or Merge): its features, decoded frames and what failed, joined with the
// captions.
func Open(b compute.Backend, captions []string, dir, groundTruth string, maxMissing float64) (*dataset.Dataset, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	var fc FeatureConfig
	if err := corpus.ReadJSONFile(filepath.Join(dir, framenc.ConfigFile), &fc); err != nil {
		return nil, fmt.Errorf("%s has decoded frames but no features (%v): run neurotopics features merge on it", dir, err)
	}
	caps, err := corpus.LoadCaptions(captions...)
	if err != nil {
		return nil, err
	}
	return Build(b, caps, m, dir, BuildConfig{Encoder: fc.Encoder, FeatureDir: dir, GroundTruth: groundTruth, MaxMissing: maxMissing})
}

// IsFeatureFolder says whether dir was written by `neurotopics features`.
func IsFeatureFolder(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ManifestFile))
	return err == nil
}

// Merge joins the extraction folders of every shard of one plan into out:
// their frames (linked, or copied where links are not possible) and one
// manifest. It checks that the shards are 1..n of the same plan and decoding,
// each once, and that every clip of the plan is in exactly one shard.
func Merge(shardDirs []string, out string) (*Manifest, error) {
	if len(shardDirs) == 0 {
		return nil, errors.New("merge: no shard folders given")
	}
	var ms []*Manifest
	for _, d := range shardDirs {
		m, err := ReadManifest(d)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		ms = append(ms, m)
	}
	first := ms[0]
	n := first.Shards
	if len(ms) != n {
		return nil, fmt.Errorf("merge: %d folders given for %d shards (%s says shard %d/%d); give every shard's folder once", len(ms), n, shardDirs[0], first.Shard, n)
	}
	bySlot := map[int]string{}
	for i, m := range ms {
		switch {
		case m.Shards != n:
			return nil, fmt.Errorf("merge: %s is shard %d/%d, %s shard %d/%d: shards of different runs", shardDirs[i], m.Shard, m.Shards, shardDirs[0], first.Shard, n)
		case m.Decode != first.Decode:
			return nil, fmt.Errorf("merge: %s decoded %+v, %s %+v: every shard must decode alike", shardDirs[i], m.Decode, shardDirs[0], first.Decode)
		case m.PlanHash != first.PlanHash || m.Planned != first.Planned:
			return nil, fmt.Errorf("merge: %s planned %d clips (%s), %s %d (%s): shards of different video folders or captions", shardDirs[i], m.Planned, m.PlanHash, shardDirs[0], first.Planned, first.PlanHash)
		}
		if prev, ok := bySlot[m.Shard]; ok {
			return nil, fmt.Errorf("merge: %s and %s are both shard %d/%d", prev, shardDirs[i], m.Shard, n)
		}
		bySlot[m.Shard] = shardDirs[i]
	}
	merged := &Manifest{Decode: first.Decode, Shard: 0, Shards: n, Planned: first.Planned, PlanHash: first.PlanHash, FFmpeg: first.FFmpeg,
		Files: first.Files, NoCaptions: first.NoCaptions, NoVideo: first.NoVideo}
	where := map[string]string{}
	fdir := filepath.Join(out, FramesDir)
	if err := os.MkdirAll(fdir, 0o755); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	for i, m := range ms {
		for _, f := range m.Failed {
			if prev, ok := where[f.ID]; ok {
				return nil, fmt.Errorf("merge: clip %s is in %s and in %s", f.ID, prev, shardDirs[i])
			}
			where[f.ID] = shardDirs[i]
		}
		merged.Failed = append(merged.Failed, m.Failed...)
		for _, c := range m.Clips {
			if prev, ok := where[c.ID]; ok {
				return nil, fmt.Errorf("merge: clip %s is in %s and in %s", c.ID, prev, shardDirs[i])
			}
			where[c.ID] = shardDirs[i]
			for _, name := range []string{c.Frames, c.Frames + ".json"} {
				if err := linkOrCopy(filepath.Join(shardDirs[i], FramesDir, name), filepath.Join(fdir, name)); err != nil {
					return nil, fmt.Errorf("merge: %w", err)
				}
			}
		}
		merged.Clips = append(merged.Clips, m.Clips...)
	}
	if len(where) != merged.Planned {
		return nil, fmt.Errorf("merge: the shards hold %d clips of the %d planned", len(where), merged.Planned)
	}
	slices.SortFunc(merged.Clips, func(a, b Decoded) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(merged.Failed, func(a, b dataset.Failure) int { return strings.Compare(a.ID, b.ID) })
	if err := writeJSON(filepath.Join(out, ManifestFile), merged); err != nil {
		return nil, err
	}
	return merged, nil
}

// linkOrCopy makes dst the same file as src.
func linkOrCopy(src, dst string) error {
	if same(src, dst) {
		return nil
	}
	os.Remove(dst)
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	return corpus.CopyFileAtomic(src, dst)
}

func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
