// Package nbdata builds the notebooks' synthetic dataset: the corpus of a
// notebook setting (nbui.Setting), as `neurotopics run` builds it from the
// same sizes. It is the notebooks' door to pkg/synthexp, which pkg/nbui
// does not import; the notebooks and the test that compares a notebook run
// with `neurotopics run` (cmd/neurotopics/notebook_test.go) call it alike.
// (Data of one's own needs no such door: dataset.Load reads it.)
package nbdata

import (
	"fmt"
	"time"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/nbui"
	"github.com/neurotopics/neurotopics/pkg/synthexp"
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
