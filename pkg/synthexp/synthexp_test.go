package synthexp

import (
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/synth"
)

func tinyConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.Synth.Train, cfg.Synth.Val, cfg.Synth.Test = 30, 8, 8
	cfg.Encoder.FitFrames, cfg.Encoder.Dim, cfg.Encoder.Filters = 120, 48, 16
	cfg.CacheDir = t.TempDir()
	return cfg
}

func TestPrepareCachesFeatures(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := tinyConfig(t)
	p, err := Prepare(b, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Cached || p.Data.Features.Dim != 48 || len(p.Data.Features.IDs) != 46 || p.Data.Features.NumFrames[0] != cfg.Synth.Frames {
		t.Fatalf("first Prepare: cached %v, dim %d, %d clips, %d frames", p.Cached, p.Data.Features.Dim, len(p.Data.Features.IDs), p.Data.Features.NumFrames[0])
	}
	q, err := Prepare(b, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !q.Cached || q.FeatureDir != p.FeatureDir {
		t.Fatalf("second Prepare: cached %v in %s; want the cache %s", q.Cached, q.FeatureDir, p.FeatureDir)
	}
	for i, d := range p.Data.Features.Data {
		for j, v := range d {
			if q.Data.Features.Data[i][j] != v {
				t.Fatalf("clip %d value %d: cached %v, computed %v", i, j, q.Data.Features.Data[i][j], v)
			}
		}
	}
	// A different encoder is a different cache entry.
	cfg2 := cfg
	cfg2.Encoder.Dim = 40
	if cfg2.Key() == cfg.Key() {
		t.Error("changing the encoder does not change the cache key")
	}
	// Targets are the clips' concepts.
	c := p.Corpus
	v := p.Data.Targets.ByClip[c.Clips[0].ID]
	var on []string
	for k, x := range v {
		if x == 1 {
			on = append(on, p.Data.Targets.Names[k])
		}
	}
	if strings.Join(on, " ") != strings.Join(c.Clips[0].Concepts(), " ") {
		t.Errorf("targets of clip 0: %v; concepts %v", on, c.Clips[0].Concepts())
	}
}

func TestFamilyAccuracy(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Train, cfg.Val, cfg.Test = 20, 0, 0
	c, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Each clip's first clean caption names only concepts it has.
	gen := map[string]string{}
	for _, cl := range c.Clips {
		for k, cap := range cl.Captions {
			if !cl.Noise[k].Noisy() {
				gen[cl.ID] = cap
				break
			}
		}
	}
	for _, f := range FamilyAccuracy(c, gen) {
		if f.Accuracy() != 1 || f.Clips != len(gen) {
			t.Errorf("%s: accuracy %v over %d captions; want 1 over %d", f.Family, f.Accuracy(), f.Clips, len(gen))
		}
	}
	// A caption naming a wrong colour is counted wrong.
	cl := c.Clips[0]
	wrong := "red"
	if cl.Objects[0].Color == "red" || (len(cl.Objects) > 1 && cl.Objects[1].Color == "red") {
		wrong = "blue"
		if cl.HasConcept("color:blue") {
			wrong = "green"
		}
	}
	fams := FamilyAccuracy(c, map[string]string{cl.ID: "a " + wrong + " thing " + cl.Motion})
	for _, f := range fams {
		if f.Family == synth.FamilyColor && (f.Named != 1 || f.Correct != 0 || f.MentionRate() != 1) {
			t.Errorf("wrong colour: %+v", f)
		}
		if f.Family == synth.FamilyShape && (f.Named != 0 || f.Accuracy() != 1) {
			t.Errorf("no shape named: %+v", f)
		}
	}
}

func TestFloorAndCeiling(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(b, tinyConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	text, floor, err := captioner.ConstantFloor(p.Data, "val", "test", 20)
	if err != nil {
		t.Fatal(err)
	}
	ceil, err := captioner.HumanCeiling(p.Data, "test")
	if err != nil {
		t.Fatal(err)
	}
	if text == "" || floor.CIDErD >= ceil.CIDErD || floor.CIDErD <= 0 {
		t.Errorf("constant %q scores CIDEr-D %.3f; human ceiling %.3f", text, floor.CIDErD, ceil.CIDErD)
	}
}
