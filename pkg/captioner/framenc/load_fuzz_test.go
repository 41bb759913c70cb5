package framenc

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

// fuzzEncoders fits two small encoders (≈ 0.1 s): k-means with PCA, shape
// filters, colours and keypoints; and random filters without any of them.
func fuzzEncoders(tb testing.TB) []*Encoder {
	tb.Helper()
	b, err := backend.New()
	if err != nil {
		tb.Fatal(err)
	}
	const H, W, n = 8, 8, 40
	frames := randomFrames(n, H, W, 5)
	frame := func(i int, dst []float32) { copy(dst, frames[i*H*W*3:(i+1)*H*W*3]) }
	full := smallConfig()
	full.Dim, full.FitFrames = 6, n
	bare := smallConfig()
	bare.Method, bare.Scales, bare.ShapeFilters, bare.Colors, bare.Keypoints, bare.FitFrames = MethodRandom, 1, 0, 0, false, n
	var out []*Encoder
	for _, cfg := range []Config{full, bare} {
		e, err := Fit(b, cfg, H, W, n, frame)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// encoderJSON is what Save writes for e.
func encoderJSON(tb testing.TB, e *Encoder) []byte {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "enc.json")
	if err := e.Save(path); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzLoad checks that Load either returns an encoder whose arrays have the
// sizes its config implies (computed without overflow), or an error that
// names the file; it never panics.
func FuzzLoad(f *testing.F) {
	encs := fuzzEncoders(f)
	full, bare := encs[0], encs[1]
	f.Add(encoderJSON(f, full))
	f.Add(encoderJSON(f, bare))

	// Broken variants of the fitted encoders.
	variant := func(e *Encoder, edit func(e *Encoder)) {
		var c Encoder // a deep copy
		if err := json.Unmarshal(encoderJSON(f, e), &c); err != nil {
			f.Fatal(err)
		}
		edit(&c)
		f.Add(encoderJSON(f, &c))
	}
	variant(full, func(e *Encoder) { e.Version = Version - 1 })
	variant(full, func(e *Encoder) { e.Filters[1] = e.Filters[1][1:] })
	variant(full, func(e *Encoder) { e.FilterBias = e.FilterBias[:1] })
	variant(full, func(e *Encoder) { e.ShapeFilters = nil })
	variant(full, func(e *Encoder) { e.Projection = nil })
	variant(full, func(e *Encoder) { e.Config.Stride = -1 })
	variant(full, func(e *Encoder) { e.Config.Method = "sift" })
	variant(full, func(e *Encoder) { e.Height, e.Width = 0, 0 })
	// 1<<(scales−1) is 0 for scales ≥ 65.
	variant(full, func(e *Encoder) { e.Config.Scales = 65 })
	variant(bare, func(e *Encoder) { e.Config.Scales = 64 })
	// Sizes that overflow int and wrap around to the lengths present:
	// 3·colors = 2^64+2 and 9·colors = 3·2^64+6 …
	variant(bare, func(e *Encoder) {
		e.Config.Colors, e.Config.ColorGrid, e.Config.Keypoints = 6148914691236517206, 3, true
		e.ColorCenters = make([]float32, 2)
		e.RawDim = e.Config.rawDim()
		e.Mean, e.Scale = make([]float32, e.RawDim), make([]float32, e.RawDim)
	})
	// … and patch² · 3 = 3·2^64 on 2^32×2^32 frames.
	variant(bare, func(e *Encoder) {
		e.Height, e.Width, e.Config.Patch = 1<<32, 1<<32, 1<<32
		e.Config.Grid = 1
		e.Filters = [][]float32{{}}
		e.RawDim = e.Config.rawDim()
		e.Mean, e.Scale = make([]float32, e.RawDim), make([]float32, e.RawDim)
	})
	for _, s := range []string{"", "null", "{}", `{"version":5}`, `{"config":[]}`, `{"filters":[[1e400]]}`, "[]", "{"} {
		f.Add([]byte(s))
	}

	path := filepath.Join(f.TempDir(), "encoder.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e, err := Load(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkSizes(t, e)
	})
}

// checkSizes checks, in exact arithmetic, that e's arrays have the sizes
// its config implies.
func checkSizes(t *testing.T, e *Encoder) {
	t.Helper()
	c := e.Config
	n := func(xs ...int) *big.Int {
		p := big.NewInt(1)
		for _, x := range xs {
			p.Mul(p, big.NewInt(int64(x)))
		}
		return p
	}
	sum := func(xs ...*big.Int) *big.Int {
		s := new(big.Int)
		for _, x := range xs {
			s.Add(s, x)
		}
		return s
	}
	same := func(what string, got int, want *big.Int) {
		if !want.IsInt64() || want.Int64() != int64(got) {
			t.Fatalf("loaded, but %s has %d values; its config implies %s", what, got, want)
		}
	}
	keypoints := 0
	if c.Keypoints {
		keypoints = 3
	}
	raw := sum(n(c.Scales, c.Filters+c.ShapeFilters), n(keypoints, c.Colors),
		n(c.Scales, c.Filters+c.ShapeFilters, c.Grid, c.Grid), n(c.Colors, c.ColorGrid, c.ColorGrid))
	same("raw_dim", e.RawDim, raw)
	same("mean", len(e.Mean), raw)
	same("scale", len(e.Scale), raw)
	same("color_centers", len(e.ColorCenters), n(c.Colors, 3))
	same("filters", len(e.Filters), n(c.Scales))
	for i := range e.Filters {
		same("filters[i]", len(e.Filters[i]), n(c.Patch, c.Patch, 3, c.Filters))
		same("filter_bias[i]", len(e.FilterBias[i]), n(c.Filters))
	}
	for i := range e.ShapeFilters {
		same("shape_filters[i]", len(e.ShapeFilters[i]), n(c.Patch, c.Patch, c.ShapeFilters))
		same("shape_bias[i]", len(e.ShapeBias[i]), n(c.ShapeFilters))
	}
	if c.Dim > 0 && big.NewInt(int64(c.Dim)).Cmp(raw) < 0 {
		same("projection", len(e.Projection), new(big.Int).Mul(raw, n(c.Dim)))
	}
	if e.OutDim() < 1 {
		t.Fatalf("loaded, but the output dimension is %d", e.OutDim())
	}
	// The frame size fits an int, so that frames can be addressed.
	if s := n(e.Height, e.Width, 3); !s.IsInt64() {
		t.Fatalf("loaded, but a %dx%d frame has %s values", e.Height, e.Width, s)
	}
}
