package synthexp

import (
	"fmt"

	"github.com/gomlx/compute"
	"gonum.org/v1/gonum/mat"

	"github.com/neurotopics/neurotopics/pkg/captioner/framenc"
	"github.com/neurotopics/neurotopics/pkg/synth"
)

// ProbeFamilies lists the concept families ProbeFrames reads, in order.
var ProbeFamilies = []string{"shape", "color", "size", "background", "count", "motion"}

// ProbeFrames measures what a frame encoder's features show of each concept
// family of the synthetic corpus c: it encodes frames 0, T/2 and T−1 of
// every clip with enc, fits a ridge-regression classifier (one-vs-all
// targets) for each family on the training clips and returns its accuracy on
// the test clips. Shape, colour and size are probed on one-object clips only,
// from frame 0 like background and count; motion from the three frames
// concatenated. (The numbers of docs/results.md, "Frame encoder";
// bench/framenc compares encoder variants with it.)
func ProbeFrames(b compute.Backend, enc *framenc.Encoder, c *synth.Corpus) (map[string]float64, error) {
	T, frameLen := c.Config.Frames, c.Config.Size*c.Config.Size*3
	sel := []int{0, T / 2, T - 1}
	frames := make([]float32, 0, len(c.Clips)*len(sel)*frameLen)
	for i := range c.Clips {
		fr := c.Frames(i)
		for _, f := range sel {
			frames = append(frames, fr[f*frameLen:(f+1)*frameLen]...)
		}
	}
	feats, err := enc.Encode(b, frames, len(c.Clips)*len(sel))
	if err != nil {
		return nil, fmt.Errorf("probing the frame encoder: %w", err)
	}
	D := enc.OutDim()
	row := func(i, f int) []float32 { return feats[(i*len(sel)+f)*D : (i*len(sel)+f+1)*D] }
	acc := map[string]float64{}
	for _, fam := range ProbeFamilies {
		var X [][]float32
		var y []string
		var isTrain []bool
		for i := range c.Clips {
			cl := &c.Clips[i]
			if cl.Split != synth.SplitTrain && cl.Split != synth.SplitTest {
				continue
			}
			if (fam == "shape" || fam == "color" || fam == "size") && len(cl.Objects) != 1 {
				continue
			}
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
			x := row(i, 0)
			if fam == "motion" {
				x = append(append(append([]float32{}, row(i, 0)...), row(i, 1)...), row(i, 2)...)
			}
			X, y, isTrain = append(X, x), append(y, label), append(isTrain, cl.Split == synth.SplitTrain)
		}
		a, err := ridgeProbe(X, y, isTrain)
		if err != nil {
			return nil, fmt.Errorf("probing %s: %w", fam, err)
		}
		acc[fam] = a
	}
	return acc, nil
}

// ridgeProbe fits a ridge-regression classifier (one-vs-all 0/1 targets,
// penalty 1% of the training rows) on the rows marked isTrain and returns
// its accuracy on the others.
func ridgeProbe(X [][]float32, y []string, isTrain []bool) (float64, error) {
	classes := map[string]int{}
	ntr := 0
	for i, l := range y {
		if _, ok := classes[l]; !ok {
			classes[l] = len(classes)
		}
		if isTrain[i] {
			ntr++
		}
	}
	if ntr == 0 || ntr == len(X) {
		return 0, fmt.Errorf("%d training and %d test rows; expected some of each", ntr, len(X)-ntr)
	}
	d, k := len(X[0])+1, len(classes)
	A, Y := mat.NewDense(ntr, d, nil), mat.NewDense(ntr, k, nil)
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
	var AtA, AtY, W mat.Dense
	AtA.Mul(A.T(), A)
	for j := range d {
		AtA.Set(j, j, AtA.At(j, j)+float64(ntr)/100)
	}
	AtY.Mul(A.T(), Y)
	if err := W.Solve(&AtA, &AtY); err != nil {
		return 0, fmt.Errorf("ridge solve: %w", err)
	}
	correct, total := 0, 0
	for i, x := range X {
		if isTrain[i] {
			continue
		}
		best, bk := 0.0, -1
		for c := range k {
			s := W.At(d-1, c)
			for j, v := range x {
				s += float64(v) * W.At(j, c)
			}
			if bk < 0 || s > best {
				best, bk = s, c
			}
		}
		total++
		if bk == classes[y[i]] {
			correct++
		}
	}
	return float64(correct) / float64(total), nil
}
