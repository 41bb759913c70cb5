package interpret

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// DefaultSamples is the number of samples of a unit's distribution PDM
// averages over.
const DefaultSamples = 10

// Marginal is the empirical distribution of each unit of the semantic layer
// over the training clips, as PDM marginalises a unit with it.
type Marginal struct {
	// Samples[i] are the values that replace unit i: drawn uniformly with
	// replacement from unit i's values over the training clips, from a PCG
	// stream seeded by (Seed, i), so the samples of a unit do not depend on
	// the number of units.
	Samples [][]float32
	// Mean and Std are each unit's mean and standard deviation over the
	// training clips (mean ablation, finite-difference steps).
	Mean, Std []float32
	// N is the number of training clips (Laplace's n).
	N int
	// Seed is the seed the samples were drawn from.
	Seed uint64
}

// NewMarginal draws samples values of each unit from train, the semantic
// layer of the training clips ([clips][N]).
func NewMarginal(train [][]float32, samples int, seed uint64) (*Marginal, error) {
	if len(train) == 0 {
		return nil, fmt.Errorf("marginal: no training rows")
	}
	if samples < 1 {
		return nil, fmt.Errorf("marginal: %d samples; expected ≥ 1", samples)
	}
	n, N := len(train), len(train[0])
	if err := checkRows("marginal", train, N); err != nil {
		return nil, err
	}
	m := &Marginal{Samples: make([][]float32, N), Mean: make([]float32, N), Std: make([]float32, N), N: n, Seed: seed}
	for i := range N {
		var sum, sq float64
		for _, r := range train {
			sum += float64(r[i])
		}
		mean := sum / float64(n)
		for _, r := range train {
			d := float64(r[i]) - mean
			sq += d * d
		}
		m.Mean[i], m.Std[i] = float32(mean), float32(math.Sqrt(sq/float64(n)))
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		m.Samples[i] = make([]float32, samples)
		for s := range samples {
			m.Samples[i][s] = train[rng.IntN(n)][i]
		}
	}
	return m, nil
}

// Units returns N.
func (m *Marginal) Units() int { return len(m.Samples) }

// checkRows verifies that a is a non-ragged matrix of width n of finite
// values.
func checkRows(what string, a [][]float32, n int) error {
	for c, r := range a {
		if len(r) != n {
			return fmt.Errorf("%s: row %d has %d values; expected %d", what, c, len(r), n)
		}
		for i, v := range r {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%s: row %d, unit %d is %v; expected a finite value", what, c, i, v)
			}
		}
	}
	return nil
}
