package videodata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// FrameSet reads the decoded frames of a manifest.
type FrameSet struct {
	// Dir holds the frame files.
	Dir     string
	T, Size int
	files   map[string]string
}

// FrameSet returns the frames of m's clips, kept in dir/frames.
func (m *Manifest) FrameSet(dir string) *FrameSet {
	fs := &FrameSet{Dir: filepath.Join(dir, FramesDir), T: m.Decode.Frames, Size: m.Decode.Size, files: map[string]string{}}
	for _, c := range m.Clips {
		fs.files[c.ID] = c.Frames
	}
	return fs
}

// Has says whether clip id has frames.
func (fs *FrameSet) Has(id string) bool { _, ok := fs.files[id]; return ok }

// Values reads clip id's frames as byte values (float32 0..255), [T, S, S, 3].
func (fs *FrameSet) Values(id string) ([]float32, error) {
	name, ok := fs.files[id]
	if !ok {
		return nil, fmt.Errorf("clip %s has no decoded frames", id)
	}
	path := filepath.Join(fs.Dir, name)
	a, err := corpus.ReadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("frames of clip %s: %w (delete the file and run again to decode it anew)", id, err)
	}
	want := []int{fs.T, fs.Size, fs.Size, 3}
	if a.DType != corpus.DTypeUint8 || !slices.Equal(a.Shape, want) {
		return nil, fmt.Errorf("%s: uint8 %v frames expected, found %s %v (delete the file and run again to decode it anew)", path, want, a.DType, a.Shape)
	}
	return a.Data, nil
}

// Frames returns clip id's frames in [0, 1] for unit cards (dataset.Frames).
func (fs *FrameSet) Frames(id string) ([]float32, int, int, int, bool) {
	v, err := fs.Values(id)
	if err != nil {
		return nil, 0, 0, 0, false
	}
	for i := range v {
		v[i] /= 255
	}
	return v, fs.T, fs.Size, fs.Size, true
}

// BuildConfig says how Build encodes and checks a dataset.
type BuildConfig struct {
	// Encoder is the frozen frame encoder's configuration.
	Encoder framenc.Config
	// FeatureDir holds the encoded features (framenc.WriteDir): reused when
	// they were made from the same frames and encoder configuration,
	// written otherwise.
	FeatureDir string
	// GroundTruth, optional, is a ground-truth file (dataset.WriteGroundTruth).
	GroundTruth string
	// MaxMissing is the largest share of clips that may lack a video or
	// captions; 0 means dataset.DefaultMaxMissing.
	MaxMissing float64
	// Progress, if not nil, is called as clips are encoded.
	Progress func(done, total int)
}

// FeatureConfig is what a feature folder's config.json records.
type FeatureConfig struct {
	// Key hashes the decoded frames of every clip, the clip order, the
	// training clips and the encoder configuration.
	Key     string             `json:"key"`
	Decode  video.DecodeConfig `json:"decode"`
	Encoder framenc.Config     `json:"encoder"`
	Clips   int                `json:"clips"`
	Train   int                `json:"train"`
}

// Build joins the captions with the decoded clips of m (frames under dir),
// fits the frame encoder on the training clips' frames, encodes every clip
// (or reads the features from cfg.FeatureDir) and returns the dataset, whose
// unit cards show the decoded frames.
func Build(b compute.Backend, caps *corpus.Captions, m *Manifest, dir string, cfg BuildConfig) (*dataset.Dataset, error) {
	maxMissing := cfg.MaxMissing
	if maxMissing == 0 {
		maxMissing = dataset.DefaultMaxMissing
	}
	fs := m.FrameSet(dir)
	joined, j := dataset.JoinCaptions(caps, fs.Has)
	j.Source, j.Featured, j.NoCaptions, j.Failed = "videos", m.Files, m.NoCaptions, m.Failed
	if err := dataset.CheckMissing(j, maxMissing); err != nil {
		return nil, err
	}
	ids, train := joined.Clips, joined.Splits["train"]
	if len(train) == 0 {
		return nil, fmt.Errorf("no training clip has a decoded video (splits: %s): the frame encoder is fitted on training frames", strings.Join(joined.SplitNames(), ", "))
	}
	key, err := featureKey(fs, ids, train, cfg.Encoder)
	if err != nil {
		return nil, err
	}
	fc := FeatureConfig{Key: key, Decode: m.Decode, Encoder: cfg.Encoder, Clips: len(ids), Train: len(train)}
	feats, err := cachedFeatures(cfg.FeatureDir, key)
	if err != nil {
		return nil, err
	}
	if feats == nil {
		var enc *framenc.Encoder
		if feats, enc, err = encode(b, fs, ids, train, cfg.Encoder, cfg.Progress); err != nil {
			return nil, err
		}
		if cfg.FeatureDir != "" {
			if err := framenc.WriteDir(cfg.FeatureDir, feats, enc, fc); err != nil {
				return nil, fmt.Errorf("writing the features: %w", err)
			}
		}
	}
	d, err := dataset.Assemble(joined, j, feats, dataset.AssembleConfig{GroundTruth: cfg.GroundTruth, MaxMissing: maxMissing})
	if err != nil {
		return nil, err
	}
	d.Frames = fs.Frames
	if d.Key, err = datasetKey(caps.Files, key, cfg.GroundTruth, cfg.MaxMissing); err != nil {
		return nil, err
	}
	d.Name = fmt.Sprintf("%s: %d video clips (%d/%d/%d train/val/test), %d frames of %d×%d, features of dim %d",
		strings.Join(caps.Files, ", "), d.NumClips(), len(d.Captions.Splits["train"]), len(d.Captions.Splits["val"]), len(d.Captions.Splits["test"]),
		m.Decode.Frames, m.Decode.Size, m.Decode.Size, feats.Dim)
	return d, nil
}

// cachedFeatures reads dir's features if they were made with key (nil if
// absent or made otherwise).
func cachedFeatures(dir, key string) (*corpus.Features, error) {
	if dir == "" {
		return nil, nil
	}
	var fc FeatureConfig
	if err := corpus.ReadJSONFile(filepath.Join(dir, framenc.ConfigFile), &fc); err != nil || fc.Key != key {
		return nil, nil
	}
	feats, _, err := framenc.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cached features in %s: %w (delete %s to encode anew)", dir, err, filepath.Join(dir, framenc.FeaturesFile))
	}
	return feats, nil
}

// encode fits the encoder on the frames of the train clips and encodes ids.
func encode(b compute.Backend, fs *FrameSet, ids, train []string, ecfg framenc.Config, progress func(done, total int)) (*corpus.Features, *framenc.Encoder, error) {
	T, S := fs.T, fs.Size
	frameLen := S * S * 3
	var readErr error
	lastID, last := "", []float32(nil)
	load := func(id string) []float32 {
		if id == lastID {
			return last
		}
		v, err := fs.Values(id)
		if err != nil {
			if readErr == nil {
				readErr = err
			}
			v = make([]float32, T*frameLen)
		}
		for i := range v {
			v[i] /= 255
		}
		lastID, last = id, v
		return v
	}
	enc, err := framenc.Fit(b, ecfg, S, S, len(train)*T, func(i int, dst []float32) {
		v := load(train[i/T])
		copy(dst, v[(i%T)*frameLen:(i%T+1)*frameLen])
	})
	if err == nil && readErr != nil {
		err = readErr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fitting the frame encoder: %w", err)
	}
	data, err := enc.EncodeClips(b, len(ids), T, func(i int, dst []float32) { copy(dst, load(ids[i])) }, progress)
	if err == nil && readErr != nil {
		err = readErr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the frames: %w", err)
	}
	feats, err := corpus.FeaturesFromStacked(&corpus.Array{Shape: []int{len(ids), T, enc.OutDim()}, Data: data, DType: corpus.DTypeFloat32}, ids, "encoded frames")
	if err != nil {
		return nil, nil, err
	}
	return feats, enc, nil
}

// featureKey hashes what the features are made from.
func featureKey(fs *FrameSet, ids, train []string, ecfg framenc.Config) (string, error) {
	h := sha256.New()
	cfg, _ := json.Marshal(struct {
		Encoder framenc.Config
		Version int
		Output  int
		T, S    int
	}{ecfg, framenc.Version, framenc.OutputVersion, fs.T, fs.Size})
	h.Write(cfg)
	fmt.Fprintf(h, "\ntrain %d\n%s\nclips %d\n", len(train), strings.Join(train, "\n"), len(ids))
	for _, id := range ids {
		path := filepath.Join(fs.Dir, fs.files[id])
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("frames of clip %s: %w", id, err)
		}
		fmt.Fprintf(h, "%s\n", id)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", path, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// datasetKey hashes the captions, the features and the ground truth.
func datasetKey(captionFiles []string, featureKey, groundTruth string, maxMissing float64) (string, error) {
	return dataset.HashFiles(fmt.Sprintf("videos features=%s max_missing=%v\n", featureKey, maxMissing), append(slices.Clone(captionFiles), groundTruth))
}
