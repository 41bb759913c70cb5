package transfer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Eval scores predictions against the truth.
type Eval struct {
	Classes []string `json:"classes"`
	// N is the number of examples; Accuracy the fraction predicted right.
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// PerClass[k] is the accuracy (recall) on the examples of class k, 0 when
	// Support[k] = 0.
	PerClass []float64 `json:"per_class"`
	Support  []int     `json:"support"`
	// Confusion[t][p] counts the examples of true class t predicted as p.
	Confusion [][]int `json:"confusion"`
}

// Evaluate scores predictions pred against truth for classes.
func Evaluate(pred, truth []int, classes []string) (*Eval, error) {
	if len(pred) != len(truth) {
		return nil, fmt.Errorf("evaluate: %d predictions for %d examples", len(pred), len(truth))
	}
	C := len(classes)
	e := &Eval{Classes: classes, N: len(pred), PerClass: make([]float64, C), Support: make([]int, C), Confusion: make([][]int, C)}
	for k := range e.Confusion {
		e.Confusion[k] = make([]int, C)
	}
	correct := 0
	for i, t := range truth {
		p := pred[i]
		if t < 0 || t >= C || p < 0 || p >= C {
			return nil, fmt.Errorf("evaluate: example %d has class %d predicted as %d; expected 0..%d", i, t, p, C-1)
		}
		e.Confusion[t][p]++
		e.Support[t]++
		if p == t {
			correct++
		}
	}
	if e.N > 0 {
		e.Accuracy = float64(correct) / float64(e.N)
	}
	for k := range C {
		if e.Support[k] > 0 {
			e.PerClass[k] = float64(e.Confusion[k][k]) / float64(e.Support[k])
		}
	}
	return e, nil
}

// SampleShots returns the indices of shots examples of each class of y (all
// of a class's examples if it has fewer), drawn without replacement from a
// PCG stream seeded by seed, in increasing order. shots ≤ 0 returns every
// index.
func SampleShots(y []int, classes, shots int, seed uint64) []int {
	if shots <= 0 {
		out := make([]int, len(y))
		for i := range out {
			out[i] = i
		}
		return out
	}
	byClass := make([][]int, classes)
	for i, c := range y {
		if c >= 0 && c < classes {
			byClass[c] = append(byClass[c], i)
		}
	}
	var out []int
	for c, idx := range byClass {
		// One stream per class, so a class's draw does not depend on the
		// other classes' sizes.
		r := rand.New(rand.NewPCG(seed, uint64(c)+0x5eed))
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		out = append(out, idx[:min(shots, len(idx))]...)
	}
	slices.Sort(out)
	return out
}

// MeanSD returns the mean and the sample standard deviation (n − 1) of xs;
// the deviation of one value is 0.
func MeanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}
