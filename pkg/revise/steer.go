package revise

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/neurotopics/neurotopics/pkg/interpret"
)

// Ways Request.Map maps topics to edits.
const (
	// MapUnits edits the units interpreted as the topics (UnitTopics): the
	// paper's revision through interpreted neurons. The default.
	MapUnits = "units"
	// MapHead steers a along the topic head: every active unit moves along
	// d = Σ_more W_a[:,k] − Σ_none W_a[:,k] (the direction in which the
	// requested topics' scores rise fastest against the removed ones'),
	// by Strength × the mean high activation of the active units, clamped
	// at 0. It reads the interpretation of the layer as a whole rather than
	// unit by unit, and edits every active unit.
	MapHead = "head"
)

// headWeights returns the affine topic head W_a [N][K] (probed once).
func (r *Reviser) headWeights() (*interpret.Affine, error) {
	if r.Head != nil {
		return r.Head, nil
	}
	n, err := r.units()
	if err != nil {
		return nil, err
	}
	aff, err := interpret.ProbeAffine(r.Model, n)
	if err != nil {
		return nil, fmt.Errorf("reading the topic head: %w", err)
	}
	return aff, nil
}

// errNoDirection says that the topics asked for are read by no active unit
// (with the "diagonal" head, when their units never fire).
var errNoDirection = errors.New("steering: the topic head gives no direction over the active units (the units that carry these topics never fire)")

// steerDirection returns d over the active units for topics more and none
// (topic indices), and the step length.
func (r *Reviser) steerDirection(more, none []int, strength float64) (d []float64, step float64, err error) {
	if r.Stats == nil {
		return nil, 0, fmt.Errorf("steering: no unit statistics")
	}
	aff, err := r.headWeights()
	if err != nil {
		return nil, 0, err
	}
	d = make([]float64, len(aff.W))
	var norm, high float64
	alive := 0
	for i, w := range aff.W {
		if r.Stats.High[i] <= 0 {
			continue
		}
		for _, k := range more {
			d[i] += float64(w[k])
		}
		for _, k := range none {
			d[i] -= float64(w[k])
		}
		norm += d[i] * d[i]
		high += float64(r.Stats.High[i])
		alive++
	}
	if norm == 0 || alive == 0 {
		return nil, 0, errNoDirection
	}
	norm = math.Sqrt(norm)
	for i := range d {
		d[i] /= norm
	}
	return d, strength * high / float64(alive), nil
}

// steerEdits turns a direction and step into add edits.
func steerEdits(d []float64, step float64, reason string) []Edit {
	var edits []Edit
	for i, v := range d {
		if v != 0 {
			edits = append(edits, Edit{Unit: i, Op: OpAdd, Value: step * v, Reason: reason})
		}
	}
	return edits
}

// randomDirection returns a direction of unit norm over the units where d
// is not zero, drawn from rng (Gaussian, normalised).
func randomDirection(d []float64, rng *rand.Rand) []float64 {
	out := make([]float64, len(d))
	var norm float64
	for i, v := range d {
		if v != 0 {
			out[i] = rng.NormFloat64()
			norm += out[i] * out[i]
		}
	}
	norm = math.Sqrt(norm)
	for i := range out {
		if norm > 0 {
			out[i] /= norm
		}
	}
	return out
}
