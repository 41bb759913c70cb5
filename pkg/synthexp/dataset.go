package synthexp

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/synth"
)

// SynthConfig is the synthetic corpus' configuration (pkg/synth's), named
// here so that callers outside the synthetic experiments need not import
// the generator.
type SynthConfig = synth.Config

// DefaultSynthConfig is the default synthetic corpus.
func DefaultSynthConfig() SynthConfig { return synth.DefaultConfig() }

// Dataset generates the corpus of cfg and encodes its frames (or reads them
// from the cache) into the dataset every stage reads, with the corpus'
// ground truth (concepts and their words), action labels and frames.
func Dataset(b compute.Backend, cfg Config, progress func(done, total int)) (*dataset.Dataset, *Prepared, error) {
	p, err := Prepare(b, cfg, progress)
	if err != nil {
		return nil, nil, err
	}
	return p.Dataset(cfg), p, nil
}

// Dataset returns the dataset of a prepared corpus; cfg is the configuration
// it was prepared with.
func (p *Prepared) Dataset(cfg Config) *dataset.Dataset {
	c := p.Corpus
	sc := c.Config
	return &dataset.Dataset{
		Name: fmt.Sprintf("synthetic corpus (seed %d): %d/%d/%d train/val/test clips of %d frames, %d×%d",
			sc.Seed, sc.Train, sc.Val, sc.Test, sc.Frames, sc.Size, sc.Size),
		Key:         "synth-" + cfg.Key(),
		Captions:    p.Data.Captions,
		Features:    p.Data.Features,
		Frames:      Frames(c),
		GroundTruth: GroundTruth(c),
		Labels:      Actions(c),
		Join:        &dataset.Join{Captioned: len(c.Clips), Featured: len(c.Clips), Joined: len(c.Clips)},
	}
}

// GroundTruth returns the synthetic corpus' concepts as a dataset ground
// truth: its six families, each clip's concepts, the grammar's lexicon and
// synonyms.
func GroundTruth(c *synth.Corpus) *dataset.GroundTruth {
	g := &dataset.GroundTruth{ByClip: make(map[string][]string, len(c.Clips)), Lexicon: synth.Lexicon(), Synonyms: map[string][]string{}}
	for _, f := range synth.ConceptFamilies() {
		fam := dataset.Family{Name: f.Name}
		for _, v := range f.Values {
			id := synth.Concept(f.Name, v)
			fam.Concepts = append(fam.Concepts, id)
			g.Synonyms[id] = synth.Synonyms(id)
		}
		g.Families = append(g.Families, fam)
	}
	for i := range c.Clips {
		g.ByClip[c.Clips[i].ID] = c.Clips[i].Concepts()
	}
	return g
}

// Actions returns the action labels of the corpus: each clip's motion,
// classes in synth.Motions order.
func Actions(c *synth.Corpus) *dataset.Labels {
	l := &dataset.Labels{Name: "action", Classes: slices.Clone(synth.Motions), ByClip: make(map[string]int, len(c.Clips))}
	for i := range c.Clips {
		l.ByClip[c.Clips[i].ID] = c.Clips[i].Action()
	}
	return l
}

// Frames returns the frames of the corpus' clips by id.
func Frames(c *synth.Corpus) func(id string) ([]float32, int, int, int, bool) {
	index := make(map[string]int, len(c.Clips))
	for i := range c.Clips {
		index[c.Clips[i].ID] = i
	}
	sh := c.FrameShape()
	return func(id string) ([]float32, int, int, int, bool) {
		i, ok := index[id]
		if !ok {
			return nil, 0, 0, 0, false
		}
		return c.Frames(i), sh[0], sh[1], sh[2], true
	}
}

// Export files of a folder written by Export.
const (
	ExportCaptions = "videodatainfo.json"
	ExportFeatures = "features"
)

// Export writes a prepared corpus in the real-data formats: its captions as
// MSR-VTT's videodatainfo.json (category = the action class), one
// features/<clip>.npy [frames, dim] float32 per clip from the frozen frame
// encoder, and, unless withoutTruth, the ground truth and action labels
// (dataset.GroundTruthFile), so that dataset.Load reads back the same data.
func (p *Prepared) Export(dir string, withoutTruth bool) error {
	fdir := filepath.Join(dir, ExportFeatures)
	if err := mkdirAll(fdir); err != nil {
		return err
	}
	if err := corpus.WriteMSRVTT(filepath.Join(dir, ExportCaptions), p.Corpus.VideoDataInfo()); err != nil {
		return err
	}
	f := p.Data.Features
	for i, id := range f.IDs {
		if err := corpus.WriteNPY(filepath.Join(fdir, id+".npy"), []int{f.NumFrames[i], f.Dim}, f.Data[i], corpus.DTypeFloat32); err != nil {
			return err
		}
	}
	if withoutTruth {
		return nil
	}
	return dataset.WriteGroundTruth(filepath.Join(dir, dataset.GroundTruthFile), GroundTruth(p.Corpus), Actions(p.Corpus))
}

func mkdirAll(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// Corpus is a generated synthetic corpus (pkg/synth's), named here so that
// callers outside the synthetic experiments need not import the generator.
type Corpus = synth.Corpus

// Generate generates the synthetic corpus of cfg (synth.Generate).
func Generate(cfg SynthConfig) (*Corpus, error) { return synth.Generate(cfg) }

// Sizes are a run's corpus sizes and the frames its frame encoder is fitted
// on; 0 keeps the default.
type Sizes struct {
	Train, Val, Test, FitFrames int
}

// RunConfig is the synthetic corpus and frame encoder of `neurotopics run`:
// the default corpus (5000/500/1000 clips, encoder fitted on 3000 frames),
// or with quick the small one (600/100/200, 1000 frames), with the sizes of
// s where they are set, its features cached in cache.
func RunConfig(quick bool, s Sizes, cache string) (Config, error) {
	cfg := DefaultConfig()
	cfg.CacheDir = cache
	cfg.Encoder.FitFrames = 3000
	if quick {
		cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test = 600, 100, 200
		cfg.Encoder.FitFrames = 1000
	}
	for _, o := range []struct {
		v   int
		dst *int
	}{{s.Train, &cfg.Synth.Train}, {s.Val, &cfg.Synth.Val}, {s.Test, &cfg.Synth.Test}, {s.FitFrames, &cfg.Encoder.FitFrames}} {
		if o.v < 0 {
			return cfg, fmt.Errorf("a corpus size is %d; expected ≥ 0 (0 = the default)", o.v)
		}
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	return cfg, nil
}

// Source describes a run's synthetic corpus in its config.json.
type Source struct {
	Synth     SynthConfig `json:"synth"`
	FitFrames int         `json:"frame_fit_frames"`
}

// Source returns the description of cfg's corpus for config.json.
func (cfg Config) Source() Source { return Source{Synth: cfg.Synth, FitFrames: cfg.Encoder.FitFrames} }
