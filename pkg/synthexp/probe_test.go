package synthexp

import (
	"math/rand/v2"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/synth"
)

// TestProbeFrames fits the default frame encoder on a small corpus (400
// training clips, 600 fit frames) and checks that a linear probe reads every
// concept family from its features far above chance. The floors sit below
// what this setting gives (shape 0.74, colour 0.93, size 0.97, background
// 1.00, count 0.98, motion 0.81); at full size every family
// probes at ≥ 0.95 (docs/results.md, "Frame encoder"; go run ./bench/framenc).
func TestProbeFrames(t *testing.T) {
	if testing.Short() {
		t.Skip("fits and runs the frame encoder on 600 clips (≈ 20 s); scripts/test.sh runs it")
	}
	scfg := synth.DefaultConfig()
	scfg.Train, scfg.Val, scfg.Test = 400, 0, 200
	c, err := synth.Generate(scfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := framenc.DefaultConfig()
	cfg.FitFrames = 600
	enc, err := FitEncoder(b, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ProbeFrames(b, enc, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("probe accuracy: %v", acc)
	floors := map[string]float64{"shape": 0.6, "color": 0.8, "size": 0.85, "background": 0.9, "count": 0.9, "motion": 0.65}
	for _, fam := range ProbeFamilies {
		if acc[fam] < floors[fam] {
			t.Errorf("%s: probe accuracy %.3f, want ≥ %.2f", fam, acc[fam], floors[fam])
		}
	}
}

// TestRidgeProbe checks the probe itself: it reads a class that is a linear
// function of the features, and cannot read labels that are noise.
func TestRidgeProbe(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 600
	X := make([][]float32, n)
	sep, noise := make([]string, n), make([]string, n)
	isTrain := make([]bool, n)
	for i := range X {
		X[i] = []float32{float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())}
		best := 0 // the class is the largest feature
		for j := range X[i] {
			if X[i][j] > X[i][best] {
				best = j
			}
		}
		sep[i] = []string{"a", "b", "c"}[best]
		noise[i] = []string{"a", "b", "c"}[r.IntN(3)]
		isTrain[i] = i < 400
	}
	acc, err := ridgeProbe(X, sep, isTrain)
	t.Logf("linearly readable classes: %.3f", acc)
	if err != nil || acc < 0.8 {
		t.Errorf("linearly readable classes: accuracy %.3f (%v), want ≥ 0.8", acc, err)
	}
	acc, err = ridgeProbe(X, noise, isTrain)
	t.Logf("random labels: %.3f", acc)
	if err != nil || acc > 0.45 {
		t.Errorf("random labels: accuracy %.3f (%v), want near chance (1/3)", acc, err)
	}
	if _, err := ridgeProbe(X, sep, make([]bool, n)); err == nil {
		t.Error("no training rows: no error")
	}
}
