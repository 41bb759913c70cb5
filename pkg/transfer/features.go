package transfer

import (
	"fmt"
	"math"

	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// SemanticFeatures returns the semantic layer a of each clip of ids under a
// frozen captioner: [len(ids)][N].
func SemanticFeatures(m *captioner.Model, f *corpus.Features, ids []string) ([][]float32, error) {
	if m == nil {
		return nil, fmt.Errorf("semantic features: nil model")
	}
	a, err := m.EncodeToSemantic(f, ids)
	if err != nil {
		return nil, fmt.Errorf("semantic features: %w", err)
	}
	return a, nil
}

// Pool says how per-frame features are pooled over time.
type Pool int

const (
	// PoolMean is the mean over frames: [D]. It cannot tell a motion from
	// its reverse (left from right, grow from shrink).
	PoolMean Pool = iota
	// PoolMeanDelta is the mean over frames followed by the mean of the
	// second half of the frames minus the mean of the first half: [2D], the
	// cheapest pooling that keeps the direction of time.
	PoolMeanDelta
)

// String names the pooling.
func (p Pool) String() string {
	switch p {
	case PoolMean:
		return "mean"
	case PoolMeanDelta:
		return "mean+delta"
	}
	return fmt.Sprintf("Pool(%d)", int(p))
}

// ParsePool parses "mean" or "mean+delta".
func ParsePool(s string) (Pool, error) {
	for _, p := range []Pool{PoolMean, PoolMeanDelta} {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown pooling %q; expected mean or mean+delta", s)
}

// PooledFrames pools the frozen per-frame features of each clip of ids over
// its frames.
func PooledFrames(f *corpus.Features, ids []string, pool Pool) ([][]float32, error) {
	if f == nil {
		return nil, fmt.Errorf("pooled frames: nil features")
	}
	if pool != PoolMean && pool != PoolMeanDelta {
		return nil, fmt.Errorf("pooled frames: unknown pooling %d", int(pool))
	}
	D := f.Dim
	out := make([][]float32, len(ids))
	for r, id := range ids {
		i := f.Index(id)
		if i < 0 {
			return nil, fmt.Errorf("pooled frames: no features for clip %q", id)
		}
		T, data := f.NumFrames[i], f.Data[i]
		if T < 1 || len(data) != T*D {
			return nil, fmt.Errorf("pooled frames: clip %q has %d values for %d frames of dim %d", id, len(data), T, D)
		}
		width := D
		if pool == PoolMeanDelta {
			width = 2 * D
		}
		row := make([]float64, width)
		half := T / 2
		for t := range T {
			for d, v := range data[t*D : (t+1)*D] {
				row[d] += float64(v) / float64(T)
				if pool == PoolMeanDelta && half > 0 {
					switch {
					case t < half:
						row[D+d] -= float64(v) / float64(half)
					case t >= T-half:
						row[D+d] += float64(v) / float64(half)
					}
				}
			}
		}
		out[r] = make([]float32, width)
		for d, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("pooled frames: clip %q has a non-finite feature", id)
			}
			out[r][d] = float32(v)
		}
	}
	return out, nil
}
