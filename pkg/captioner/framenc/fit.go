package framenc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/gomlx/compute"
	"gonum.org/v1/gonum/mat"
)

// zcaEpsilon regularises the ZCA whitening of normalised patches (whose
// values have unit variance per patch), as in Coates et al.
const zcaEpsilon = 0.1

// Fit learns an encoder from unlabelled frames of height×width pixels:
// frame(i, dst) must fill dst with frame i ([H, W, 3], values in [0,1]) for
// 0 ≤ i < n. It samples cfg.FitFrames of them (all of them if there are
// fewer). The result depends only on cfg (Seed included) and the frames.
func Fit(backend compute.Backend, cfg Config, height, width, n int, frame func(i int, dst []float32)) (enc *Encoder, err error) {
	if err := cfg.Validate(height, width); err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, fmt.Errorf("frame encoder: no frames to fit on")
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6672616d65))
	frameLen := height * width * 3
	m := min(cfg.FitFrames, n)
	idx := rng.Perm(n)[:m]
	frames := make([]float32, m*frameLen)
	for j, i := range idx {
		frame(i, frames[j*frameLen:(j+1)*frameLen])
	}

	e := &Encoder{Config: cfg, Height: height, Width: width, RawDim: cfg.rawDim(), Version: encoderVersion}
	scaled, h, w := frames, height, width
	for sc := range cfg.Scales {
		if sc > 0 {
			scaled, h, w = halve(scaled, m, h, w), h/2, w/2
		}
		f, b, err := learnFilters(rng, cfg, cfg.Filters, h, w, 3, scaled, m)
		if err != nil {
			return nil, err
		}
		e.Filters, e.FilterBias = append(e.Filters, f), append(e.FilterBias, b)
		if cfg.ShapeFilters > 0 {
			f, b, err := learnFilters(rng, cfg, cfg.ShapeFilters, h, w, 1, saturation(scaled), m)
			if err != nil {
				return nil, err
			}
			e.ShapeFilters, e.ShapeBias = append(e.ShapeFilters, f), append(e.ShapeBias, b)
		}
	}
	if cfg.Colors > 0 {
		e.ColorCenters = colorCenters(rng, cfg, frames, m)
	}

	// Standardisation and PCA from the raw features of the fitting frames.
	raw, err := e.encode(backend, frames, m, true)
	if err != nil {
		return nil, err
	}
	e.Mean, e.Scale = standardize(raw, m, e.RawDim)
	if cfg.Dim > 0 && cfg.Dim < e.RawDim {
		e.Projection, err = project(raw, m, e.RawDim, cfg.Dim, cfg.passThrough(), e.Mean, e.Scale, cfg.Whiten)
		if err != nil {
			return nil, err
		}
	}
	e.exec, e.kern = nil, nil // rebuild the graphs and kernels with the fitted constants
	return e, nil
}

// learnFilters returns K filters (and biases) for patches of C-channel
// frames of h×w, by the configured method.
func learnFilters(rng *rand.Rand, cfg Config, K, h, w, C int, frames []float32, m int) ([]float32, []float32, error) {
	d := cfg.Patch * cfg.Patch * C
	if cfg.Method == MethodRandom {
		f, b := randomFilters(rng, d, K)
		return f, b, nil
	}
	return kmeansFilters(rng, cfg, samplePatches(rng, cfg, h, w, C, frames, m), d, K)
}

// saturation maps RGB frames to max(R,G,B) − min(R,G,B), one channel.
func saturation(frames []float32) []float32 {
	out := make([]float32, len(frames)/3)
	for i := range out {
		r, g, b := frames[3*i], frames[3*i+1], frames[3*i+2]
		out[i] = max(r, g, b) - min(r, g, b)
	}
	return out
}

// halve averages the 2×2 blocks of m frames of h×w×3.
func halve(frames []float32, m, h, w int) []float32 {
	out := make([]float32, m*(h/2)*(w/2)*3)
	for f := range m {
		src := frames[f*h*w*3:]
		dst := out[f*(h/2)*(w/2)*3:]
		for y := range h / 2 {
			for x := range w / 2 {
				for c := range 3 {
					v := src[((2*y)*w+2*x)*3+c] + src[((2*y)*w+2*x+1)*3+c] + src[((2*y+1)*w+2*x)*3+c] + src[((2*y+1)*w+2*x+1)*3+c]
					dst[(y*(w/2)+x)*3+c] = v / 4
				}
			}
		}
	}
	return out
}

// samplePatches returns PatchesPerFrame random normalised patches of each
// frame as rows of a [m·PatchesPerFrame, patchDim] float64 matrix.
func samplePatches(rng *rand.Rand, cfg Config, height, width, C int, frames []float32, m int) [][]float64 {
	P, d := cfg.Patch, cfg.Patch*cfg.Patch*C
	frameLen := height * width * C
	out := make([][]float64, 0, m*cfg.PatchesPerFrame)
	for f := range m {
		fr := frames[f*frameLen : (f+1)*frameLen]
		for range cfg.PatchesPerFrame {
			y, x := rng.IntN(height-P+1), rng.IntN(width-P+1)
			p := make([]float64, 0, d)
			for dy := range P {
				row := fr[((y+dy)*width+x)*C:]
				for k := range P * C {
					p = append(p, float64(row[k]))
				}
			}
			out = append(out, normalizePatch(p))
		}
	}
	return out
}

// normalizePatch subtracts the patch's mean and divides by its standard
// deviation (with patchEpsilon added to the variance), in place.
func normalizePatch(p []float64) []float64 {
	var mean, v float64
	for _, x := range p {
		mean += x
	}
	mean /= float64(len(p))
	for i := range p {
		p[i] -= mean
		v += p[i] * p[i]
	}
	s := 1 / math.Sqrt(v/float64(len(p))+patchEpsilon)
	for i := range p {
		p[i] *= s
	}
	return p
}

// kmeansFilters whitens the patches (ZCA), runs spherical k-means and
// returns the filters W·C and biases −μ·W·C that compute the dot product of
// the whitened patch with each centroid from the normalised patch.
func kmeansFilters(rng *rand.Rand, cfg Config, patches [][]float64, d, K int) ([]float32, []float32, error) {
	mu := make([]float64, d)
	for _, p := range patches {
		for i, x := range p {
			mu[i] += x
		}
	}
	for i := range mu {
		mu[i] /= float64(len(patches))
	}
	cov := mat.NewSymDense(d, nil)
	X := mat.NewDense(len(patches), d, nil)
	for r, p := range patches {
		for i, x := range p {
			X.Set(r, i, x-mu[i])
		}
	}
	cov.SymOuterK(1/float64(len(patches)), X.T())
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil, nil, fmt.Errorf("frame encoder: eigen-decomposition of the patch covariance failed")
	}
	vals := eig.Values(nil)
	var U mat.Dense
	eig.VectorsTo(&U)
	// W = U diag(1/sqrt(λ+ε)) Uᵀ
	D := mat.NewDense(d, d, nil)
	for i, l := range vals {
		D.Set(i, i, 1/math.Sqrt(math.Max(l, 0)+zcaEpsilon))
	}
	var UD, Wm mat.Dense
	UD.Mul(&U, D)
	Wm.Mul(&UD, U.T())
	var Xw mat.Dense
	Xw.Mul(X, &Wm)

	C := sphericalKMeans(rng, &Xw, K, cfg.KMeansIters) // [d, K] columns unit norm
	var F mat.Dense
	F.Mul(&Wm, C)
	filters := make([]float32, d*K)
	bias := make([]float32, K)
	for i := range d {
		for k := range K {
			filters[i*K+k] = float32(F.At(i, k))
		}
	}
	for k := range K {
		var b float64
		for i := range d {
			b -= mu[i] * F.At(i, k)
		}
		bias[k] = float32(b)
	}
	return filters, bias, nil
}

// sphericalKMeans clusters the rows of X by cosine similarity and returns
// the unit-norm centroids as the columns of a [d, K] matrix.
func sphericalKMeans(rng *rand.Rand, X *mat.Dense, K, iters int) *mat.Dense {
	n, d := X.Dims()
	C := mat.NewDense(d, K, nil)
	setCol := func(k int, v []float64) {
		var s float64
		for _, x := range v {
			s += x * x
		}
		s = math.Sqrt(s)
		if s == 0 {
			s = 1
		}
		for i, x := range v {
			C.Set(i, k, x/s)
		}
	}
	for k := range K {
		setCol(k, mat.Row(nil, rng.IntN(n), X))
	}
	assign := make([]int, n)
	var S mat.Dense
	for range iters {
		S.Mul(X, C) // [n, K] similarities
		parallelRows(n, func(r int) {
			best, bk := math.Inf(-1), 0
			for k := range K {
				if v := S.At(r, k); v > best {
					best, bk = v, k
				}
			}
			assign[r] = bk
		})
		sums := make([][]float64, K)
		counts := make([]int, K)
		for k := range sums {
			sums[k] = make([]float64, d)
		}
		for r, k := range assign {
			counts[k]++
			row := X.RawRowView(r)
			for i, x := range row {
				sums[k][i] += x
			}
		}
		for k := range K {
			if counts[k] == 0 {
				setCol(k, mat.Row(nil, rng.IntN(n), X)) // re-seed an empty cluster
				continue
			}
			setCol(k, sums[k])
		}
	}
	return C
}

// randomFilters returns K random zero-mean Gaussian filters of unit norm.
func randomFilters(rng *rand.Rand, d, K int) ([]float32, []float32) {
	filters := make([]float32, d*K)
	for k := range K {
		col := make([]float64, d)
		var mean, s float64
		for i := range col {
			col[i] = rng.NormFloat64()
			mean += col[i]
		}
		mean /= float64(d)
		for i := range col {
			col[i] -= mean
			s += col[i] * col[i]
		}
		s = math.Sqrt(s)
		for i := range col {
			filters[i*K+k] = float32(col[i] / s)
		}
	}
	return filters, make([]float32, K)
}

// colorCenters runs k-means (k-means++ seeding) over a sample of pixels and
// returns [Colors, 3] centres.
func colorCenters(rng *rand.Rand, cfg Config, frames []float32, m int) []float32 {
	const pixelsPerFrame = 64
	npx := len(frames) / 3
	n := min(npx, m*pixelsPerFrame)
	px := make([][3]float64, n)
	for i := range px {
		j := rng.IntN(npx)
		px[i] = [3]float64{float64(frames[3*j]), float64(frames[3*j+1]), float64(frames[3*j+2])}
	}
	K := cfg.Colors
	dist := func(a, b [3]float64) float64 {
		return (a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2])
	}
	centers := [][3]float64{px[rng.IntN(n)]}
	d2 := make([]float64, n)
	for len(centers) < K {
		var total float64
		for i, p := range px {
			best := math.Inf(1)
			for _, c := range centers {
				best = math.Min(best, dist(p, c))
			}
			d2[i] = best
			total += best
		}
		if total == 0 {
			centers = append(centers, px[rng.IntN(n)])
			continue
		}
		r := rng.Float64() * total
		i := 0
		for ; i < n-1 && r > d2[i]; i++ {
			r -= d2[i]
		}
		centers = append(centers, px[i])
	}
	assign := make([]int, n)
	for range 20 {
		for i, p := range px {
			best, bk := math.Inf(1), 0
			for k, c := range centers {
				if v := dist(p, c); v < best {
					best, bk = v, k
				}
			}
			assign[i] = bk
		}
		sums := make([][4]float64, K)
		for i, k := range assign {
			sums[k][0] += px[i][0]
			sums[k][1] += px[i][1]
			sums[k][2] += px[i][2]
			sums[k][3]++
		}
		for k := range K {
			if sums[k][3] > 0 {
				centers[k] = [3]float64{sums[k][0] / sums[k][3], sums[k][1] / sums[k][3], sums[k][2] / sums[k][3]}
			}
		}
	}
	out := make([]float32, 0, 3*K)
	for _, c := range centers {
		out = append(out, float32(c[0]), float32(c[1]), float32(c[2]))
	}
	return out
}

// standardize returns the per-dimension mean and 1/std of raw [m, dim]
// (scale 0 for constant dimensions).
func standardize(raw []float32, m, dim int) (mean, scale []float32) {
	mean, scale = make([]float32, dim), make([]float32, dim)
	for j := range dim {
		var s, s2 float64
		for i := range m {
			v := float64(raw[i*dim+j])
			s += v
			s2 += v * v
		}
		mu := s / float64(m)
		v := s2/float64(m) - mu*mu
		mean[j] = float32(mu)
		if v > 1e-12 {
			scale[j] = float32(1 / math.Sqrt(v))
		}
	}
	return mean, scale
}

// project returns the [dim, k] output projection: the first keep raw
// features (the frame-wide maxima of the filters, which carry shape, and the
// colour keypoints) pass through standardised, the others are projected on their first k − keep
// principal components. If k ≤ keep, all features go through PCA.
func project(raw []float32, m, dim, k, keep int, mean, scale []float32, whiten bool) ([]float32, error) {
	if k <= keep || keep >= dim {
		return pca(raw, m, dim, k, mean, scale, whiten)
	}
	rest := dim - keep
	sub := make([]float32, m*rest)
	for i := range m {
		copy(sub[i*rest:(i+1)*rest], raw[i*dim+keep:(i+1)*dim])
	}
	p, err := pca(sub, m, rest, k-keep, mean[keep:], scale[keep:], whiten)
	if err != nil {
		return nil, err
	}
	proj := make([]float32, dim*k)
	for j := range keep {
		proj[j*k+j] = 1
	}
	for j := range rest {
		copy(proj[(keep+j)*k+keep:(keep+j+1)*k], p[j*(k-keep):(j+1)*(k-keep)])
	}
	return proj, nil
}

// pca returns the [dim, k] projection on the first k principal components
// of the standardised raw features, each divided by the square root of its
// variance if whiten (so the projected features have unit variance), or all
// by the root of their mean variance.
func pca(raw []float32, m, dim, k int, mean, scale []float32, whiten bool) ([]float32, error) {
	X := mat.NewDense(m, dim, nil)
	for i := range m {
		for j := range dim {
			X.Set(i, j, float64((raw[i*dim+j]-mean[j])*scale[j]))
		}
	}
	cov := mat.NewSymDense(dim, nil)
	cov.SymOuterK(1/float64(m), X.T())
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil, fmt.Errorf("frame encoder: eigen-decomposition of the feature covariance failed")
	}
	vals := eig.Values(nil) // ascending
	var U mat.Dense
	eig.VectorsTo(&U)
	proj := make([]float32, dim*k)
	floor := 1e-6 * math.Max(vals[len(vals)-1], 1e-12)
	var meanVar float64
	for c := range k {
		meanVar += math.Max(vals[dim-1-c], 0) / float64(k)
	}
	for c := range k {
		src := dim - 1 - c
		s := 1 / math.Sqrt(meanVar+floor)
		if whiten {
			s = 1 / math.Sqrt(math.Max(vals[src], 0)+floor)
		}
		// Fix the sign so that the result does not depend on the solver.
		sign := 1.0
		var big float64
		for j := range dim {
			if v := U.At(j, src); math.Abs(v) > math.Abs(big) {
				big = v
			}
		}
		if big < 0 {
			sign = -1
		}
		for j := range dim {
			proj[j*k+c] = float32(sign * s * U.At(j, src))
		}
	}
	return proj, nil
}

// parallelRows runs f(0..n-1) on GOMAXPROCS goroutines.
func parallelRows(n int, f func(r int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min(n, (w+1)*chunk)
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := lo; r < hi; r++ {
				f(r)
			}
		}()
	}
	wg.Wait()
}
