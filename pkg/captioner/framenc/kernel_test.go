package framenc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

// fitNoPCA fits cfg on n random frames of h×w without its PCA (fast), then
// gives the encoder a random projection to dim outputs (0: none), so that
// every part of the encoding is exercised. With tb nil it panics on errors.
func fitNoPCA(tb testing.TB, cfg Config, h, w, n, dim int) *Encoder {
	fatal := func(err error) {
		if tb == nil {
			panic(err)
		}
		tb.Helper()
		tb.Fatal(err)
	}
	b, err := backend.New()
	if err != nil {
		fatal(err)
	}
	fit := randomFrames(n, h, w, 21)
	cfg.FitFrames, cfg.Dim = n, 0
	e, err := Fit(b, cfg, h, w, n, func(i int, dst []float32) { copy(dst, fit[i*h*w*3:(i+1)*h*w*3]) })
	if err != nil {
		fatal(err)
	}
	if dim > 0 {
		r := rand.New(rand.NewPCG(7, 8))
		e.Config.Dim = dim
		e.Projection = make([]float32, e.RawDim*dim)
		for i := range e.Projection {
			e.Projection[i] = float32(r.NormFloat64() / math.Sqrt(float64(e.RawDim)))
		}
		e.exec, e.kern = nil, nil
	}
	if err := e.check(); err != nil {
		fatal(err)
	}
	return e
}

// kernelTolerance is how far the kernels' features may be from the graphs',
// relative to each feature's scale (its root mean square over the frames,
// at least 1e-3 of all features'): float rounding, not a change of the
// encoding. Measured: the default build's raw features are the graphs', bit
// for bit (the outputs differ by ≤ 7e-6: the projection sums in another
// order); the SIMD build's differ in the last bits, ≤ 4e-5 of the scale
// (AVX-512 and AVX2), as do their outputs.
const kernelTolerance = 1e-4

// maxScaledDiff returns the largest |got − want| over [n, dim] values, each
// divided by its feature's scale, and where it is.
func maxScaledDiff(got, want []float32, n int) (worst float64, at int) {
	dim := len(want) / n
	var all float64
	for _, v := range want {
		all += float64(v) * float64(v)
	}
	floor := 1e-3 * math.Sqrt(all/float64(len(want)))
	for j := range dim {
		var s2 float64
		for f := range n {
			s2 += float64(want[f*dim+j]) * float64(want[f*dim+j])
		}
		scale := max(math.Sqrt(s2/float64(n)), floor, 1e-30)
		for f := range n {
			if d := math.Abs(float64(got[f*dim+j])-float64(want[f*dim+j])) / scale; d > worst {
				worst, at = d, f*dim+j
			}
		}
	}
	return worst, at
}

// kernelCase is an encoder, frames and the graphs' features of them.
type kernelCase struct {
	name          string
	e             *Encoder
	frames        []float32
	n             int
	wantRaw, want []float32
}

// kernelCases are the default encoder and small ones that exercise the
// remainders (filters and colours not a multiple of 16, stride 2, grids that
// do not divide the frame), with the features the GoMLX graphs (graph.go:
// what Encode runs on other backends, and ran on every backend before the
// kernels) compute; made once per test binary.
var kernelCases = sync.OnceValues(func() ([]kernelCase, error) {
	b, err := backend.New()
	if err != nil {
		return nil, err
	}
	small := smallConfig()
	strided := smallConfig()
	strided.Stride, strided.Keypoints, strided.ShapeFilters = 2, false, 0
	var out []kernelCase
	type tcase struct {
		name       string
		cfg        Config
		h, w, dim  int
		fit, check int
	}
	var cases []tcase
	for _, tc := range []tcase{
		{"default", DefaultConfig(), 32, 32, 384, 200, 70},
		{"small", small, 14, 12, 37, 60, 40},
		{"strided", strided, 16, 18, 0, 60, 40},
	} {
		cases = append(cases, tc)
	}
	// Random small configurations: odd sizes, filters and colours that are
	// and are not multiples of 16, rows too short for the SIMD blocks.
	r := rand.New(rand.NewPCG(12, 34))
	for len(cases) < 3+8 {
		cfg := smallConfig()
		cfg.Patch, cfg.Stride, cfg.Scales = 1+r.IntN(5), 1+r.IntN(3), 1+r.IntN(2)
		cfg.Filters, cfg.ShapeFilters = 1+r.IntN(40), r.IntN(36)
		cfg.Grid, cfg.Colors, cfg.ColorGrid, cfg.Keypoints = 1+r.IntN(3), r.IntN(20), 1+r.IntN(4), r.IntN(2) == 0
		h, w := 2*(4+r.IntN(9)), 2*(4+r.IntN(9))
		if cfg.Validate(h, w) != nil {
			continue
		}
		dim := 0
		if raw := cfg.rawDim(); raw > 2 {
			dim = 1 + r.IntN(raw-1)
		}
		if r.IntN(3) == 0 {
			cfg.Method = MethodRandom
		}
		name := fmt.Sprintf("random %d×%d patch %d stride %d scales %d filters %d+%d grid %d colours %d×%d² keypoints %v dim %d",
			h, w, cfg.Patch, cfg.Stride, cfg.Scales, cfg.Filters, cfg.ShapeFilters, cfg.Grid, cfg.Colors, cfg.ColorGrid, cfg.Keypoints, dim)
		cases = append(cases, tcase{name, cfg, h, w, dim, 30, 20})
	}
	for _, tc := range cases {
		kc := kernelCase{name: tc.name, e: fitNoPCA(nil, tc.cfg, tc.h, tc.w, tc.fit, tc.dim), frames: randomFrames(tc.check, tc.h, tc.w, 33), n: tc.check}
		if kc.wantRaw, err = kc.e.encodeGraph(b, kc.frames, kc.n, true); err != nil {
			return nil, err
		}
		if kc.want, err = kc.e.encodeGraph(b, kc.frames, kc.n, false); err != nil {
			return nil, err
		}
		out = append(out, kc)
	}
	return out, nil
})

// checkKernelsMatchGraph compares the Go kernels (what Encode runs on the Go
// backend) with the graphs on kernelCases.
func checkKernelsMatchGraph(t *testing.T) {
	cases, err := kernelCases()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		for _, raw := range []bool{true, false} {
			want := tc.want
			if raw {
				want = tc.wantRaw
			}
			got, err := tc.e.encodeKernels(tc.frames, tc.n, raw)
			if err != nil {
				t.Fatal(err)
			}
			worst, at := maxScaledDiff(got, want, tc.n)
			dim := len(want) / tc.n
			t.Logf("%s, raw %v: largest difference %.2g of the feature's scale (feature %d of %d: kernels %v, graph %v)",
				tc.name, raw, worst, at%dim, dim, got[at], want[at])
			if worst > kernelTolerance {
				t.Errorf("%s, raw %v: kernels and graph differ by %.2g of the feature's scale at feature %d of frame %d: %v vs %v",
					tc.name, raw, worst, at%dim, at/dim, got[at], want[at])
			}
		}
	}
}

// TestKernelsMatchGraph checks that the kernels compute the graphs' features
// up to float rounding (with the instruction set this CPU and build use;
// TestKernelsMatchGraphISAs tries the others).
func TestKernelsMatchGraph(t *testing.T) {
	t.Logf("kernels: %s", kernelISA())
	checkKernelsMatchGraph(t)
}

// TestEncodeClips checks that EncodeClips (groups of clips rendered while
// the previous group is encoded) returns Encode's features of all the frames
// in order, reports progress, and turns a panic of the clip function into
// an error.
func TestEncodeClips(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const H, W, T = 10, 10, 3
	e := fitNoPCA(t, smallConfig(), H, W, 40, 5)
	frameLen := H * W * 3
	for _, n := range []int{0, 1, 45, 100} {
		frames := randomFrames(n*T, H, W, 9)
		want, err := e.Encode(b, frames, n*T)
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		got, err := e.EncodeClips(b, n, T, func(i int, dst []float32) { copy(dst, frames[i*T*frameLen:(i+1)*T*frameLen]) },
			func(done, total int) {
				if done <= last || total != n {
					t.Errorf("progress %d of %d after %d", done, total, last)
				}
				last = done
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || last != n {
			t.Fatalf("%d clips: %d values, progress %d; want %d values", n, len(got), last, len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%d clips: value %d is %v, Encode gives %v", n, i, got[i], want[i])
			}
		}
	}
	_, err = e.EncodeClips(b, 100, T, func(i int, dst []float32) {
		if i == 77 {
			panic("no such clip")
		}
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "no such clip") {
		t.Errorf("a panicking clip function: got %v", err)
	}
}
