package synthexp

import (
	"context"
	"os"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
)

// TestExperiment trains and evaluates on the default synthetic corpus; set
// NEUROTOPICS_EXPERIMENT to the settings to run it (e.g. "train_steps=3000").
func TestExperiment(t *testing.T) {
	settings, ok := os.LookupEnv("NEUROTOPICS_EXPERIMENT")
	if !ok {
		t.Skip("set NEUROTOPICS_EXPERIMENT=<settings> to run")
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.CacheDir = "/tmp/ntcache"
	p, err := Prepare(b, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("features %s cached=%v dim %d", p.FeatureDir, p.Cached, p.Data.Features.Dim)
	m, res, err := captioner.Train(context.Background(), p.Data, captioner.TrainConfig{Backend: b, Settings: settings, Log: os.Stderr, Progress: true, ProgressOut: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("median step %v, %d steps", res.StepTime, res.Steps)
	for _, opts := range []captioner.DecodeOptions{captioner.Greedy(), captioner.BeamSearch(5)} {
		r, err := m.Evaluate(p.Data, "test", opts, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("beam %d\n%s", opts.Beam, r.Table())
		for _, f := range FamilyAccuracy(p.Corpus, r.Generated) {
			t.Logf("%-10s accuracy %.3f  mentioned %.3f", f.Family, f.Accuracy(), f.MentionRate())
		}
		n := 0
		for id, c := range r.Generated {
			if n++; n > 8 {
				break
			}
			t.Logf("%s: %s | %v", id, c, p.Data.Captions.ByClip[id][:2])
		}
	}
}
