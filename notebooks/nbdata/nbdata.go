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

// SynthConfig is the synthetic corpus and frame encoder of setting s: the
// defaults with s's sizes and, when s.Cache is set, that feature cache —
// what `neurotopics run` builds from the flags s.RunArgs(nil) gives.
func SynthConfig(s nbui.Setting) synthexp.Config {
	cfg := synthexp.DefaultConfig()
	if s.Cache != "" {
		cfg.CacheDir = s.Cache
	}
	cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test = s.SynthTrain, s.SynthVal, s.SynthTest
	cfg.Encoder.FitFrames = s.FitFrames
	return cfg
}

// SynthSource describes the synthetic corpus of a run in its config.json,
// as `neurotopics run` does.
type SynthSource struct {
	Synth     synthexp.SynthConfig `json:"synth"`
	FitFrames int                  `json:"frame_fit_frames"`
}

// Synthetic generates the synthetic corpus of setting s and encodes its
// frames (or reads them from the cache), showing the progress and a line
// on the dataset. It returns the dataset and its source for
// nbui.Pipeline.
func Synthetic(b compute.Backend, s nbui.Setting) (*dataset.Dataset, any, error) {
	cfg := SynthConfig(s)
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
	return d, SynthSource{Synth: cfg.Synth, FitFrames: cfg.Encoder.FitFrames}, nil
}
