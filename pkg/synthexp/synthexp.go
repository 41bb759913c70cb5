// Package synthexp runs the captioner on the synthetic corpus, whose ground
// truth lets us measure what real data cannot show: it encodes the clips'
// frames once with the frozen frame encoder (cached on disk in the real-data
// feature layout), makes per-clip concept targets (the stand-in for LDA
// topic labels), and builds the dataset every stage reads, with the
// corpus' ground truth.
package synthexp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/synth"
)

// Config says which corpus to generate and how to encode its frames.
type Config struct {
	Synth   synth.Config   `json:"synth"`
	Encoder framenc.Config `json:"encoder"`
	// CacheDir holds encoded features, one sub-folder per (corpus, encoder)
	// pair; "" disables the cache.
	CacheDir string `json:"-"`
}

// DefaultConfig is the default synthetic corpus and frame encoder, cached
// under the user's cache folder.
func DefaultConfig() Config {
	cfg := Config{Synth: synth.DefaultConfig(), Encoder: framenc.DefaultConfig()}
	if dir, err := os.UserCacheDir(); err == nil {
		cfg.CacheDir = filepath.Join(dir, "neurotopics", "features")
	}
	return cfg
}

// Key identifies the features of cfg: a hash of the corpus and encoder
// configurations.
func (cfg Config) Key() string {
	b, _ := json.Marshal(struct {
		Synth   synth.Config
		Encoder framenc.Config
		Version int
		Output  int
	}{cfg.Synth, cfg.Encoder, framenc.Version, framenc.OutputVersion})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// Prepared is a generated corpus ready for the captioner.
type Prepared struct {
	Corpus  *synth.Corpus
	Data    *captioner.Data
	Encoder *framenc.Encoder
	// FeatureDir is the cache folder the features were read from or written
	// to ("" without a cache): features.npy [clips, T, D], ids.txt,
	// encoder.json.
	FeatureDir string
	// Cached says whether the features came from the cache.
	Cached bool
}

// Files in a feature folder (framenc.WriteDir).
const (
	FeaturesFile = framenc.FeaturesFile
	IDsFile      = framenc.IDsFile
	EncoderFile  = framenc.EncoderFile
)

// Prepare generates the corpus of cfg, fits the frame encoder on frames of
// its training split and encodes every clip, or reads all of that from the
// cache. progress, if not nil, is called as clips are encoded.
func Prepare(b compute.Backend, cfg Config, progress func(done, total int)) (*Prepared, error) {
	c, err := synth.Generate(cfg.Synth)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Corpus: c}
	if cfg.CacheDir != "" {
		p.FeatureDir = filepath.Join(cfg.CacheDir, cfg.Key())
	}
	var feats *corpus.Features
	if p.FeatureDir != "" {
		if feats, p.Encoder, err = framenc.ReadDir(p.FeatureDir); err == nil {
			p.Cached = true
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("feature cache %s: %w (delete the folder to recompute)", p.FeatureDir, err)
		}
	}
	if feats == nil {
		if feats, p.Encoder, err = encodeCorpus(b, c, cfg.Encoder, progress); err != nil {
			return nil, err
		}
		if p.FeatureDir != "" {
			if err := framenc.WriteDir(p.FeatureDir, feats, p.Encoder, cfg); err != nil {
				return nil, err
			}
		}
	}
	if len(feats.IDs) != len(c.Clips) {
		return nil, fmt.Errorf("features of %d clips for a corpus of %d", len(feats.IDs), len(c.Clips))
	}
	p.Data = &captioner.Data{Features: feats, Captions: c.Captions(), Targets: ConceptTargets(c)}
	return p, nil
}

// FitEncoder fits a frame encoder with ecfg on the frames of c's training
// clips.
func FitEncoder(b compute.Backend, c *synth.Corpus, ecfg framenc.Config) (*framenc.Encoder, error) {
	T, S := c.Config.Frames, c.Config.Size
	frameLen := S * S * 3
	train := c.SplitClips(synth.SplitTrain)
	if len(train) == 0 {
		return nil, fmt.Errorf("the corpus has no training clips to fit the frame encoder on")
	}
	buf := make([]float32, c.FrameLen())
	last := -1
	return framenc.Fit(b, ecfg, S, S, len(train)*T, func(i int, dst []float32) {
		if clip := train[i/T]; clip != last {
			c.FramesInto(clip, buf)
			last = clip
		}
		copy(dst, buf[(i%T)*frameLen:(i%T+1)*frameLen])
	})
}

// encodeCorpus fits the encoder on training frames and encodes all clips.
func encodeCorpus(b compute.Backend, c *synth.Corpus, ecfg framenc.Config, progress func(done, total int)) (*corpus.Features, *framenc.Encoder, error) {
	T := c.Config.Frames
	enc, err := FitEncoder(b, c, ecfg)
	if err != nil {
		return nil, nil, err
	}
	data, err := enc.EncodeClips(b, len(c.Clips), T, c.FramesInto, progress)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(c.Clips))
	for i := range c.Clips {
		ids[i] = c.Clips[i].ID
	}
	feats, err := corpus.FeaturesFromStacked(&corpus.Array{Shape: []int{len(ids), T, enc.OutDim()}, Data: data, DType: corpus.DTypeFloat32}, ids, "encoded frames")
	if err != nil {
		return nil, nil, err
	}
	return feats, enc, nil
}

// ConceptTargets returns every clip's multi-hot vector over synth.AllConcepts
// (30 concepts), the ground-truth stand-in for topic labels.
func ConceptTargets(c *synth.Corpus) *captioner.Targets {
	names := synth.AllConcepts()
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	t := &captioner.Targets{Names: names, ByClip: make(map[string][]float32, len(c.Clips))}
	for i := range c.Clips {
		v := make([]float32, len(names))
		for _, cc := range c.Clips[i].Concepts() {
			v[index[cc]] = 1
		}
		t.ByClip[c.Clips[i].ID] = v
	}
	return t
}

// FamilyScore says how a family of concepts is named by generated captions
// (dataset.FamilyScore).
type FamilyScore = dataset.FamilyScore

// FamilyAccuracy scores, for each concept family, the concepts that the
// generated captions (clip id → caption) name against the clips' ground
// truth: the corpus' GroundTruth(c).FamilyAccuracy.
func FamilyAccuracy(c *synth.Corpus, generated map[string]string) []FamilyScore {
	return GroundTruth(c).FamilyAccuracy(generated)
}
