package framenc

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
)

// randomFrames returns n frames of h×w×3 values in [0,1]: a noisy
// background with a bright square at a random place.
func randomFrames(n, h, w int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 3))
	out := make([]float32, n*h*w*3)
	for f := range n {
		y0, x0 := r.IntN(h-3), r.IntN(w-3)
		col := [3]float32{r.Float32(), r.Float32(), r.Float32()}
		for y := range h {
			for x := range w {
				for c := range 3 {
					v := 0.2 + 0.05*r.Float32()
					if y >= y0 && y < y0+3 && x >= x0 && x < x0+3 {
						v = col[c]
					}
					out[((f*h+y)*w+x)*3+c] = v
				}
			}
		}
	}
	return out
}

func smallConfig() Config {
	c := DefaultConfig()
	c.Patch, c.Filters, c.ShapeFilters, c.Grid, c.Colors, c.ColorGrid, c.Dim = 3, 6, 4, 2, 3, 2, 0
	c.FitFrames, c.PatchesPerFrame, c.KMeansIters = 40, 10, 5
	return c
}

// referenceRaw computes the raw features of one frame directly, as the
// package documentation describes them.
func referenceRaw(e *Encoder, fr []float32) []float64 {
	c := e.Config
	K := c.Filters
	cell := func(grid, h, w int, val func(y, x, k int) float64, k int) []float64 {
		var res []float64
		for gy := range grid {
			for gx := range grid {
				for kk := range k {
					var s float64
					var n int
					for y := gy * h / grid; y < (gy+1)*h/grid; y++ {
						for x := gx * w / grid; x < (gx+1)*w/grid; x++ {
							s += val(y, x, kk)
							n++
						}
					}
					res = append(res, s/float64(n))
				}
			}
		}
		return res
	}
	var maxima, grids, satMaxima, satGrids []float64
	img, H, W := fr, e.Height, e.Width
	// bank computes the pooled responses of filters [P·P·C, k] on a C-channel
	// image of h×w.
	bank := func(im []float32, h, w, C int, filters, bias []float32, k int) (mx, gr []float64) {
		ho, wo := c.outSize(h, w)
		resp := make([][]float64, ho*wo)
		for oy := range ho {
			for ox := range wo {
				var p []float64
				for dy := range c.Patch {
					for dx := range c.Patch {
						for ch := range C {
							p = append(p, float64(im[((oy*c.Stride+dy)*w+ox*c.Stride+dx)*C+ch]))
						}
					}
				}
				p = normalizePatch(p)
				r := make([]float64, k)
				var mean float64
				for j := range k {
					r[j] = float64(bias[j])
					for i, x := range p {
						r[j] += x * float64(filters[i*k+j])
					}
					mean += r[j] / float64(k)
				}
				for j := range r {
					r[j] = math.Max(r[j]-mean, 0)
				}
				resp[oy*wo+ox] = r
			}
		}
		for j := range k {
			m := math.Inf(-1)
			for _, r := range resp {
				m = math.Max(m, r[j])
			}
			mx = append(mx, m)
		}
		gr = cell(c.Grid, ho, wo, func(y, x, j int) float64 { return resp[y*wo+x][j] }, k)
		return mx, gr
	}
	for sc := range c.Scales {
		if sc > 0 {
			img, H, W = halve(img, 1, H, W), H/2, W/2
		}
		mx, gr := bank(img, H, W, 3, e.Filters[sc], e.FilterBias[sc], K)
		maxima, grids = append(maxima, mx...), append(grids, gr...)
		if c.ShapeFilters > 0 {
			mx, gr := bank(saturation(img), H, W, 1, e.ShapeFilters[sc], e.ShapeBias[sc], c.ShapeFilters)
			satMaxima, satGrids = append(satMaxima, mx...), append(satGrids, gr...)
		}
	}
	maxima, grids = append(maxima, satMaxima...), append(grids, satGrids...)
	H, W = e.Height, e.Width
	var keypoints, colorGrid []float64
	if c.Colors > 0 {
		tri := func(y, x, k int) float64 {
			z := make([]float64, c.Colors)
			var mean float64
			for j := range c.Colors {
				var d2 float64
				for ch := range 3 {
					d := float64(fr[(y*W+x)*3+ch]) - float64(e.ColorCenters[j*3+ch])
					d2 += d * d
				}
				z[j] = math.Sqrt(d2)
				mean += z[j] / float64(c.Colors)
			}
			return math.Max(mean-z[k], 0)
		}
		colorGrid = cell(c.ColorGrid, H, W, tri, c.Colors)
		if c.Keypoints {
			kx, ky, ks := make([]float64, c.Colors), make([]float64, c.Colors), make([]float64, c.Colors)
			for k := range c.Colors {
				var m, sx, sy float64
				for y := range H {
					for x := range W {
						r := tri(y, x, k)
						m += r
						sx += r * ((float64(x)+0.5)/float64(W)*2 - 1)
						sy += r * ((float64(y)+0.5)/float64(H)*2 - 1)
					}
				}
				mx, my := sx/(m+1e-6), sy/(m+1e-6)
				var v float64
				for y := range H {
					for x := range W {
						dx := (float64(x)+0.5)/float64(W)*2 - 1 - mx
						dy := (float64(y)+0.5)/float64(H)*2 - 1 - my
						v += tri(y, x, k) * (dx*dx + dy*dy)
					}
				}
				conf := m / (m + keypointMass)
				kx[k], ky[k], ks[k] = mx*conf, my*conf, math.Sqrt(v/(m+1e-6)+1e-6)*conf
			}
			keypoints = append(append(kx, ky...), ks...)
		}
	}
	out := append(append(append(maxima, keypoints...), grids...), colorGrid...)
	return out
}

func TestEncodeMatchesReference(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const H, W = 14, 12
	for _, method := range []string{MethodKMeans, MethodRandom} {
		cfg := smallConfig()
		cfg.Method = method
		fit := randomFrames(60, H, W, 1)
		e, err := Fit(b, cfg, H, W, 60, func(i int, dst []float32) { copy(dst, fit[i*H*W*3:(i+1)*H*W*3]) })
		if err != nil {
			t.Fatal(err)
		}
		if e.OutDim() != e.RawDim || e.RawDim != 2*(6+4)*(1+4)+3*4+3*3 {
			t.Fatalf("dims: out %d raw %d", e.OutDim(), e.RawDim)
		}
		frames := randomFrames(3, H, W, 2)
		raw, err := e.encode(b, frames, 3, true)
		if err != nil {
			t.Fatal(err)
		}
		for f := range 3 {
			want := referenceRaw(e, frames[f*H*W*3:(f+1)*H*W*3])
			got := raw[f*e.RawDim : (f+1)*e.RawDim]
			for j := range want {
				if math.Abs(float64(got[j])-want[j]) > 1e-3*(1+math.Abs(want[j])) {
					t.Fatalf("%s frame %d feature %d: graph %v, reference %v", method, f, j, got[j], want[j])
				}
			}
		}
	}
}

func TestPCAWhitensAndSaveLoad(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const H, W = 10, 10
	cfg := smallConfig()
	cfg.Dim, cfg.Whiten = 8, true
	fit := randomFrames(200, H, W, 4)
	cfg.FitFrames = 200
	e, err := Fit(b, cfg, H, W, 200, func(i int, dst []float32) { copy(dst, fit[i*H*W*3:(i+1)*H*W*3]) })
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Encode(b, fit, 200)
	if err != nil {
		t.Fatal(err)
	}
	// On the fitting frames each output has mean 0 and variance 1.
	for j := range 8 {
		var s, s2 float64
		for i := range 200 {
			v := float64(out[i*8+j])
			s += v
			s2 += v * v
		}
		if m, v := s/200, s2/200-(s/200)*(s/200); math.Abs(m) > 1e-3 || (math.Abs(v-1) > 1e-2 && v != 0) {
			t.Errorf("component %d: mean %.4f variance %.4f; want 0 and 1", j, m, v)
		}
	}
	path := filepath.Join(t.TempDir(), "enc.json")
	if err := e.Save(path); err != nil {
		t.Fatal(err)
	}
	e2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out2, err := e2.Encode(b, fit[:5*H*W*3], 5)
	if err != nil {
		t.Fatal(err)
	}
	for i := range out2 {
		if out2[i] != out[i] {
			t.Fatalf("value %d after Save/Load: %v, before %v", i, out2[i], out[i])
		}
	}
}

func TestValidate(t *testing.T) {
	c := DefaultConfig()
	c.Method, c.Patch, c.Grid = "sift", 40, 0
	err := c.Validate(32, 32)
	for _, want := range []string{`method "sift"`, "patch 40 is larger"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to mention %q", err, want)
		}
	}
	if err := DefaultConfig().Validate(32, 32); err != nil {
		t.Errorf("default config: %v", err)
	}
	c = DefaultConfig()
	c.Scales = 3
	if err := c.Validate(30, 30); err == nil || !strings.Contains(err.Error(), "divisible by 4") {
		t.Errorf("3 scales on 30x30: got %v", err)
	}
}
