package interpret

import (
	"context"
	"fmt"

	"github.com/gomlx/compute"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Engine chooses how marginalised copies are evaluated.
type Engine int

const (
	// EngineAuto uses the affine engine for topic targets when the head's
	// topic output is verified to be affine in a, and the rows engine
	// otherwise.
	EngineAuto Engine = iota
	// EngineRows builds every marginalised copy of a as a row and runs the
	// head on them (any head, any target). Exact: the head sees each copy.
	EngineRows
	// EngineAffine runs topic targets of an affine head (probed and verified,
	// see ProbeAffine) in one GoMLX graph execution per block of clips:
	// ŝ(copy) = ŝ(x) + W_a[i]·(v − a_i) for all units × values at once.
	EngineAffine
)

// String names the engine.
func (e Engine) String() string {
	switch e {
	case EngineAuto:
		return "auto"
	case EngineRows:
		return "rows"
	case EngineAffine:
		return "affine"
	}
	return fmt.Sprintf("Engine(%d)", int(e))
}

// Schedule says how the rows engine groups copies into head calls. Every
// schedule evaluates the same rows and combines them in the same order, so
// the scores are the same bit for bit when the head computes each row
// independently of the others (the hand-set heads of the tests); the
// captioner on GoMLX's Go backend rounds a row's outputs in the last bit
// differently depending on its position in a 128-row chunk, so there they
// agree to float32 rounding. Only the number of head calls differs.
type Schedule int

const (
	// Batched puts all units × values of a block of clips into one head call
	// (RowsPerCall rows at most).
	Batched Schedule = iota
	// PerUnit makes one head call per unit (with all clips, up to
	// RowsPerCall rows a call): the reference loop.
	PerUnit
	// PerUnitClip makes one head call per unit and clip, as a direct
	// implementation of the definition would: N_units × N_clips calls.
	PerUnitClip
)

// String names the schedule.
func (s Schedule) String() string {
	switch s {
	case Batched:
		return "batched"
	case PerUnit:
		return "per-unit"
	case PerUnitClip:
		return "per-unit-clip"
	}
	return fmt.Sprintf("Schedule(%d)", int(s))
}

// DefaultRowsPerCall bounds the rows of one head call of the rows engine
// (16384 rows of 128 units are 8 MiB).
const DefaultRowsPerCall = 1 << 14

// Options are the settings every method shares.
type Options struct {
	// Engine picks the engine (default EngineAuto).
	Engine Engine
	// Schedule groups the rows engine's copies into calls (default Batched).
	Schedule Schedule
	// RowsPerCall bounds the rows of a head call (0: DefaultRowsPerCall).
	RowsPerCall int
	// ActiveOnly explains only the (clip, unit) pairs where the unit is
	// active (a > 0); the others score 0. Unit interpretations read only
	// those pairs, so their labels do not change, at a fraction of the cost
	// for sparse layers.
	ActiveOnly bool
	// Backend runs the affine engine's graphs (nil: backend.New()).
	Backend compute.Backend
	// Progress, if not nil, is called with the (clip, unit) pairs done.
	Progress func(done, total int)
	// Context, if not nil, cancels the attribution between head calls (the
	// method then returns its error).
	Context context.Context
}

// canceled returns the context's error, if any.
func (o Options) canceled() error {
	if o.Context == nil {
		return nil
	}
	return o.Context.Err()
}

func (o Options) rowsPerCall() int {
	if o.RowsPerCall > 0 {
		return o.RowsPerCall
	}
	return DefaultRowsPerCall
}

// forward runs the head on rows; clipOf[r] is the clip of row r (for the
// caption of a words target). It returns each row's raw outputs.
func forward(h Head, t Target, rows [][]float32, clipOf []int) ([][]float64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	if t.topics() {
		s, err := h.TopicsFrom(rows)
		if err != nil {
			return nil, fmt.Errorf("head: %w", err)
		}
		if len(s) != len(rows) {
			return nil, fmt.Errorf("head: %d topic rows for %d inputs", len(s), len(rows))
		}
		out := make([][]float64, len(s))
		k := len(s[0])
		flat := make([]float64, len(s)*k)
		for r, row := range s {
			if len(row) != k {
				return nil, fmt.Errorf("head: topic row %d has %d values; expected %d", r, len(row), k)
			}
			out[r] = flat[r*k : (r+1)*k : (r+1)*k]
			for j, v := range row {
				out[r][j] = float64(v)
			}
		}
		return out, nil
	}
	caps := make([]string, len(rows))
	for r, c := range clipOf {
		caps[r] = t.Captions[c]
	}
	lp, err := h.WordLogProbs(rows, caps)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	if len(lp) != len(rows) {
		return nil, fmt.Errorf("head: %d word rows for %d inputs", len(lp), len(rows))
	}
	want := map[int]int{} // clip → words + EOS
	for r, c := range clipOf {
		n, ok := want[c]
		if !ok {
			n = len(corpus.Tokenize(t.Captions[c])) + 1
			want[c] = n
		}
		if len(lp[r]) != n {
			return nil, fmt.Errorf("head: %d log-probabilities for the caption %q of clip %d; expected %d (its words and EOS)", len(lp[r]), t.Captions[c], c, n)
		}
	}
	return lp, nil
}

// item is one (clip, unit) pair of the rows engine: the values that replace
// a[c][i] and, for each, the row of the current call holding its copy (-1:
// the value equals a[c][i], so the copy is the clip's own row).
type item struct {
	c, i  int
	vals  []float32
	rowOf []int
}

// reduceFunc receives, for clip c and unit i, the outputs of the unmodified
// clip (base) and of each copy (outs[r], with a[c][i] replaced by the r-th
// value; outs[r] is base itself when the value equals a[c][i]).
type reduceFunc func(c, i int, base []float64, outs [][]float64)

// valuesFunc appends to dst the values that replace a[c][i].
type valuesFunc func(c, i int, dst []float32) []float32

// runRows is the rows engine: it evaluates the head on the unmodified clips
// and on every copy, grouped into calls by opts.Schedule, and hands each
// (clip, unit) pair's outputs to reduce. maxVals bounds len(vals(c, i)).
// Pairs with no values (or skipped by ActiveOnly) are not reduced.
func runRows(h Head, t Target, a [][]float32, opts Options, maxVals int, vals valuesFunc, reduce reduceFunc) error {
	nClips := len(a)
	if nClips == 0 {
		return nil
	}
	N := len(a[0])
	clipIdx := make([]int, nClips)
	for c := range clipIdx {
		clipIdx[c] = c
	}
	// The unmodified clips first, in calls of RowsPerCall rows.
	base := make([][]float64, 0, nClips)
	for lo := 0; lo < nClips; lo += opts.rowsPerCall() {
		hi := min(nClips, lo+opts.rowsPerCall())
		out, err := forward(h, t, a[lo:hi], clipIdx[lo:hi])
		if err != nil {
			return err
		}
		base = append(base, out...)
	}
	total, done := nClips*N, 0
	// group evaluates the copies of a list of pairs in one head call.
	group := func(pairs [][2]int) error {
		if err := opts.canceled(); err != nil {
			return err
		}
		var items []item
		var rows [][]float32
		var clipOf []int
		nRows := 0
		for _, p := range pairs {
			c, i := p[0], p[1]
			if opts.ActiveOnly && a[c][i] <= 0 {
				continue
			}
			vs := vals(c, i, nil)
			if len(vs) == 0 {
				continue
			}
			it := item{c: c, i: i, vals: vs, rowOf: make([]int, len(vs))}
			for r, v := range vs {
				it.rowOf[r] = -1
				if v == a[c][i] {
					continue
				}
				for q := range r { // the same value twice: one row
					if vs[q] == v {
						it.rowOf[r] = it.rowOf[q]
						break
					}
				}
				if it.rowOf[r] < 0 {
					it.rowOf[r] = nRows
					nRows++
				}
			}
			items = append(items, it)
		}
		flat := make([]float32, nRows*N)
		rows = make([][]float32, nRows)
		clipOf = make([]int, nRows)
		for _, it := range items {
			for r, row := range it.rowOf {
				if row < 0 || rows[row] != nil {
					continue
				}
				rows[row] = flat[row*N : (row+1)*N : (row+1)*N]
				copy(rows[row], a[it.c])
				rows[row][it.i] = it.vals[r]
				clipOf[row] = it.c
			}
		}
		out, err := forward(h, t, rows, clipOf)
		if err != nil {
			return err
		}
		outs := make([][]float64, maxVals)
		for _, it := range items {
			outs = outs[:len(it.vals)]
			for r, row := range it.rowOf {
				if row < 0 {
					outs[r] = base[it.c]
				} else {
					outs[r] = out[row]
				}
			}
			reduce(it.c, it.i, base[it.c], outs)
		}
		done += len(pairs)
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
		return nil
	}
	perClip := max(1, N*max(1, maxVals))
	switch opts.Schedule {
	case Batched:
		step := max(1, opts.rowsPerCall()/perClip)
		for lo := 0; lo < nClips; lo += step {
			var pairs [][2]int
			for c := lo; c < min(nClips, lo+step); c++ {
				for i := range N {
					pairs = append(pairs, [2]int{c, i})
				}
			}
			if err := group(pairs); err != nil {
				return err
			}
		}
	case PerUnit:
		step := max(1, opts.rowsPerCall()/max(1, maxVals))
		for i := range N {
			for lo := 0; lo < nClips; lo += step {
				var pairs [][2]int
				for c := lo; c < min(nClips, lo+step); c++ {
					pairs = append(pairs, [2]int{c, i})
				}
				if err := group(pairs); err != nil {
					return err
				}
			}
		}
	case PerUnitClip:
		for i := range N {
			for c := range nClips {
				if err := group([][2]int{{c, i}}); err != nil {
					return err
				}
			}
		}
	default:
		return fmt.Errorf("unknown schedule %d", int(opts.Schedule))
	}
	return nil
}
