package revise

import (
	"fmt"
	"math"
)

// Op is what an edit does to a unit's activation.
type Op string

// Edit operations.
const (
	// OpSet sets a_i = Value (Value ≥ 0: a is the output of a ReLU).
	OpSet Op = "set"
	// OpScale sets a_i = a_i·Value (Value ≥ 0).
	OpScale Op = "scale"
	// OpAdd sets a_i = max(0, a_i + Value).
	OpAdd Op = "add"
)

// Edit changes one unit of the semantic layer.
type Edit struct {
	Unit  int     `json:"unit"`
	Op    Op      `json:"op"`
	Value float64 `json:"value"`
	// Reason says where the edit came from ("none of color:red",
	// "suppress", …); informational.
	Reason string `json:"reason,omitempty"`
}

// Set returns the edit a_unit = v.
func Set(unit int, v float64) Edit { return Edit{Unit: unit, Op: OpSet, Value: v, Reason: "set"} }

// String formats the edit as "unit 3 = 0", "unit 3 × 2", "unit 3 + 0.5".
func (e Edit) String() string {
	sym := map[Op]string{OpSet: "=", OpScale: "×", OpAdd: "+"}[e.Op]
	v := e.Value
	switch {
	case sym == "":
		sym = string(e.Op)
	case e.Op == OpAdd && v < 0:
		sym, v = "−", -v
	}
	return fmt.Sprintf("unit %d %s %.4g", e.Unit, sym, v)
}

// check verifies one edit against a layer of n units (n = math.MaxInt when
// the layer is not known yet: only the sign of the unit is checked).
func (e Edit) check(n int) error {
	if e.Unit < 0 {
		return fmt.Errorf("unit %d does not exist: units are numbered from 0", e.Unit)
	}
	if e.Unit >= n {
		return fmt.Errorf("unit %d does not exist: the semantic layer has units 0..%d", e.Unit, n-1)
	}
	if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
		return fmt.Errorf("unit %d: value %v; expected a finite number", e.Unit, e.Value)
	}
	switch e.Op {
	case OpSet, OpScale:
		if e.Value < 0 {
			return fmt.Errorf("unit %d: %s %v; expected ≥ 0 (a is the output of a ReLU; use 0 to suppress a unit)", e.Unit, e.Op, e.Value)
		}
	case OpAdd:
	default:
		return fmt.Errorf("unit %d: unknown op %q; expected %q, %q or %q", e.Unit, e.Op, OpSet, OpScale, OpAdd)
	}
	return nil
}

// CheckEdits verifies edits against a semantic layer of n units: every unit
// exists, every value is finite, every op is known.
func CheckEdits(edits []Edit, n int) error {
	for k, e := range edits {
		if err := e.check(n); err != nil {
			return fmt.Errorf("edit %d: %w", k, err)
		}
	}
	return nil
}

// ApplyEdits returns a copy of a with edits applied in order. It fails,
// without changing anything, if an edit is invalid.
func ApplyEdits(a []float32, edits []Edit) ([]float32, error) {
	if err := CheckEdits(edits, len(a)); err != nil {
		return nil, err
	}
	for i, v := range a {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("semantic layer: unit %d is %v; expected a finite value", i, v)
		}
	}
	out := append([]float32(nil), a...)
	for _, e := range edits {
		switch e.Op {
		case OpSet:
			out[e.Unit] = float32(e.Value)
		case OpScale:
			out[e.Unit] = float32(float64(out[e.Unit]) * e.Value)
		case OpAdd:
			out[e.Unit] = float32(math.Max(0, float64(out[e.Unit])+e.Value))
		}
	}
	return out, nil
}

// Request is what a person asks for: units by number, or topics mapped to
// units through their interpretation (see Reviser.Resolve).
type Request struct {
	// None lists topics to remove ("none of topic 2"): their units are set
	// to 0. A topic is named as in the model's target names ("topic 2",
	// "color:red") or by its index ("2").
	None []string `json:"none,omitempty"`
	// More lists topics to strengthen ("more of topic 7"): their units are
	// set to Strength × their high activation (Stats.High).
	More []string `json:"more,omitempty"`
	// Suppress sets these units to 0.
	Suppress []int `json:"suppress,omitempty"`
	// Boost sets these units to Strength × their high activation.
	Boost []int `json:"boost,omitempty"`
	// Edits are applied last, as given (e.g. slider values).
	Edits []Edit `json:"edits,omitempty"`
	// Strength scales boosts (0 = 1).
	Strength float64 `json:"strength,omitempty"`
	// Map says how None and More become edits: MapUnits (default) or
	// MapHead.
	Map string `json:"map,omitempty"`
}

// Empty reports whether the request asks for nothing.
func (q Request) Empty() bool {
	return len(q.None) == 0 && len(q.More) == 0 && len(q.Suppress) == 0 && len(q.Boost) == 0 && len(q.Edits) == 0
}

// strength returns the boost multiple, checking it.
func (q Request) strength() (float64, error) {
	s := q.Strength
	if s == 0 {
		s = 1
	}
	if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
		return 0, fmt.Errorf("strength %v; expected a finite number ≥ 0", q.Strength)
	}
	return s, nil
}
