package revise

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
)

// The random controls of a measurement: their draws, how a draw is told
// apart from another at any strength, and their stepwise search.

// The random controls of a case, indices of Case.draws.
const (
	ctlRandom      = iota // random active units (Case.Random)
	ctlRandomOther        // random units outside the rule's (Case.RandomOther)
	ctlRandomSteer        // random directions (Case.RandomSteer)
	numControls
)

// draw is one random draw of a control at one strength: its outcome, and
// what makes it that draw whatever the strength: the units it edits (in
// order; their boost values scale with the strength), and for a random
// direction a hash of the direction (its step scales with the strength).
type draw struct {
	outcome Outcome
	units   []int
	dir     uint64
}

// same reports whether d and e are the same draw (at any strengths).
func (d draw) same(e draw) bool {
	return d.dir == e.dir && slices.Equal(d.units, e.units)
}

// editedUnits returns the units of edits, in order.
func editedUnits(edits []Edit) []int {
	us := make([]int, len(edits))
	for k, e := range edits {
		us[k] = e.Unit
	}
	return us
}

// hashDirection fingerprints a direction (FNV-1a over its bits).
func hashDirection(d []float64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range d {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return h.Sum64()
}

// searchDraws returns the outcome of control c's random draws of case k
// searched through the steps ms (one measurement per step, ascending) as the
// rule is: each draw stops at the first step whose caption it fixes, or at
// the last, and is judged there. It checks that every step drew the same
// draws.
func searchDraws(ms []*Measurement, k, c int) (RandomOutcome, error) {
	var out RandomOutcome
	ds := ms[0].Cases[k].draws[c]
	for _, m := range ms[1:] {
		if !slices.EqualFunc(m.Cases[k].draws[c], ds, draw.same) {
			return out, fmt.Errorf("measuring revisions: clip %s: the random draws differ between strengths %v and %v", ms[0].Cases[k].Clip, ms[0].Config.Strength, m.Config.Strength)
		}
	}
	w := 1 / float64(len(ds))
	for d := range ds {
		j := len(ms) - 1
		for i, m := range ms {
			if m.Cases[k].draws[c][d].outcome.Fixed {
				j = i
				break
			}
		}
		out.add(ms[j].Cases[k].draws[c][d].outcome, w)
		out.Strength += ms[j].Config.Strength * w
	}
	return out, nil
}

// randomEdits sets ns units drawn from pool to 0 and nb others to strength
// times their high activation (fewer if the pool is smaller).
func (r *Reviser) randomEdits(pool []int, ns, nb int, strength float64, rng *rand.Rand) []Edit {
	pick := slices.Clone(pool)
	rng.Shuffle(len(pick), func(i, j int) { pick[i], pick[j] = pick[j], pick[i] })
	ns = min(ns, len(pick))
	nb = min(nb, len(pick)-ns)
	var ed []Edit
	for _, i := range pick[:ns] {
		ed = append(ed, Edit{Unit: i, Op: OpSet, Value: 0})
	}
	for _, i := range pick[ns : ns+nb] {
		ed = append(ed, Edit{Unit: i, Op: OpSet, Value: strength * float64(r.Stats.High[i])})
	}
	return ed
}
