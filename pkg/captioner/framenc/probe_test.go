package framenc

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/synth"
)

// TestProbeEncoders measures how well a linear probe reads each concept
// family from the frame features of several encoder variants (the numbers
// behind docs/results.md, "Frame encoder"). It is slow: set
// NEUROTOPICS_PROBE=1 to run it.
func TestProbeEncoders(t *testing.T) {
	if os.Getenv("NEUROTOPICS_PROBE") == "" {
		t.Skip("set NEUROTOPICS_PROBE=1 to measure the frame encoder variants")
	}
	scfg := synth.DefaultConfig()
	scfg.Train, scfg.Val, scfg.Test = 2000, 0, 600
	c, err := synth.Generate(scfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string]func(*Config){
		"default":          func(c *Config) {},
		"no-shape-filters": func(c *Config) { c.ShapeFilters, c.Dim = 0, 320 },
		"no-keypoints":     func(c *Config) { c.Keypoints, c.Dim = false, 336 },
		"one-scale":        func(c *Config) { c.Scales, c.Dim = 1, 288 },
		"whitened":         func(c *Config) { c.Whiten = true },
		"random-filters":   func(c *Config) { c.Method = MethodRandom },
		"stride-2":         func(c *Config) { c.Stride = 2 },
	}
	if v := os.Getenv("NEUROTOPICS_PROBE_VARIANTS"); v != "" {
		keep := map[string]bool{}
		for _, s := range strings.Split(v, ",") {
			keep[s] = true
		}
		for k := range variants {
			if !keep[k] {
				delete(variants, k)
			}
		}
	}
	T, S := scfg.Frames, scfg.Size
	frameLen := S * S * 3
	for name, mod := range variants {
		cfg := DefaultConfig()
		cfg.FitFrames = 2000
		mod(&cfg)
		t0 := time.Now()
		trainIdx := c.SplitClips(synth.SplitTrain)
		enc, err := Fit(b, cfg, S, S, len(trainIdx)*T, func(i int, dst []float32) {
			fr := c.Frames(trainIdx[i/T])
			copy(dst, fr[(i%T)*frameLen:(i%T+1)*frameLen])
		})
		if err != nil {
			t.Fatal(err)
		}
		fitTime := time.Since(t0)
		// Encode frames 0, T/2 and T-1 of every clip.
		sel := []int{0, T / 2, T - 1}
		frames := make([]float32, 0, len(c.Clips)*len(sel)*frameLen)
		for i := range c.Clips {
			fr := c.Frames(i)
			for _, f := range sel {
				frames = append(frames, fr[f*frameLen:(f+1)*frameLen]...)
			}
		}
		t0 = time.Now()
		feats, err := enc.Encode(b, frames, len(c.Clips)*len(sel))
		if err != nil {
			t.Fatal(err)
		}
		encTime := time.Since(t0)
		D := enc.OutDim()
		perFrame := encTime / time.Duration(len(c.Clips)*len(sel))
		row := func(i, f int) []float32 { return feats[(i*len(sel)+f)*D : (i*len(sel)+f+1)*D] }
		res := []string{}
		for _, fam := range []string{"shape", "color", "size", "background", "count", "motion"} {
			var X [][]float32
			var y []string
			var isTrain []bool
			for i := range c.Clips {
				cl := &c.Clips[i]
				var label string
				switch fam {
				case "shape":
					label = cl.Objects[0].Shape
				case "color":
					label = cl.Objects[0].Color
				case "size":
					label = cl.Objects[0].Size
				case "background":
					label = cl.Background
				case "count":
					label = cl.Count()
				case "motion":
					label = cl.Motion
				}
				if (fam == "shape" || fam == "color" || fam == "size") && len(cl.Objects) != 1 {
					continue
				}
				x := row(i, 0)
				if fam == "motion" {
					x = append(append(append([]float32{}, row(i, 0)...), row(i, 1)...), row(i, 2)...)
				}
				X = append(X, x)
				y = append(y, label)
				isTrain = append(isTrain, cl.Split == synth.SplitTrain)
			}
			res = append(res, fmt.Sprintf("%s %.3f", fam, ridgeProbe(X, y, isTrain)))
		}
		t.Logf("%-20s dim %4d (raw %4d)  fit %5.1fs  encode %6.2f ms/frame  %s", name, D, enc.RawDim,
			fitTime.Seconds(), float64(perFrame.Microseconds())/1000, strings.Join(res, "  "))
	}
}

// ridgeProbe fits a ridge-regression classifier (one-vs-all targets) on the
// train rows and returns its accuracy on the others.
func ridgeProbe(X [][]float32, y []string, isTrain []bool) float64 {
	classes := map[string]int{}
	for _, l := range y {
		if _, ok := classes[l]; !ok {
			classes[l] = len(classes)
		}
	}
	d, k := len(X[0])+1, len(classes)
	var ntr int
	for _, tr := range isTrain {
		if tr {
			ntr++
		}
	}
	A := mat.NewDense(ntr, d, nil)
	Y := mat.NewDense(ntr, k, nil)
	r := 0
	for i, x := range X {
		if !isTrain[i] {
			continue
		}
		for j, v := range x {
			A.Set(r, j, float64(v))
		}
		A.Set(r, d-1, 1)
		Y.Set(r, classes[y[i]], 1)
		r++
	}
	var AtA, AtY mat.Dense
	AtA.Mul(A.T(), A)
	for j := range d {
		AtA.Set(j, j, AtA.At(j, j)+1.0*float64(ntr)/100)
	}
	AtY.Mul(A.T(), Y)
	var W mat.Dense
	if err := W.Solve(&AtA, &AtY); err != nil {
		return -1
	}
	var correct, total int
	for i, x := range X {
		if isTrain[i] {
			continue
		}
		best, bk := -1e300, -1
		for c := range k {
			s := W.At(d-1, c)
			for j, v := range x {
				s += float64(v) * W.At(j, c)
			}
			if s > best {
				best, bk = s, c
			}
		}
		total++
		if bk == classes[y[i]] {
			correct++
		}
	}
	return float64(correct) / float64(total)
}
