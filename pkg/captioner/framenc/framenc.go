// Package framenc is the frozen frame encoder of neurotopics: it turns the RGB
// frames of a clip into per-frame feature vectors once, before the captioner
// trains, the way the paper used frozen GoogLeNet features of sampled frames.
//
// Real data comes with pre-extracted features; the synthetic corpus comes
// with pixels. Encoding the pixels once and writing the result in the
// real-data layout (corpus.Features, a stacked [clips, frames, dim] .npy and
// an id list) lets both flow through the same training code, and keeps the
// trainable model small enough to train in minutes on the Go backend.
//
// # The encoder
//
// A single-layer unsupervised feature learner after Coates, Lee & Ng (2011,
// "An analysis of single-layer networks in unsupervised feature learning"),
// plus a colour pathway, plus PCA:
//
//  1. Patches. Every Patch×Patch RGB patch (stride Stride) is brightness and
//     contrast normalised (minus its mean, divided by its standard
//     deviation). With Scales > 1 the same is done on the frame averaged
//     down by 2, 4, … (each scale with its own filters), so that filters see
//     object parts at several sizes.
//  2. Filters. Method "kmeans" (default) learns Filters centroids by
//     spherical k-means on ZCA-whitened patches sampled from the fitting
//     frames (the whitening is folded into the filters, so encoding is one
//     matrix product). Method "random" uses random zero-mean Gaussian
//     filters instead (the baseline a throw-away prototype used).
//  3. Activation. "Triangle" encoding: a filter's output is its response
//     minus the mean response of all filters at that position, clipped at 0.
//     Filters on the saturation map max(R,G,B) − min(R,G,B) (ShapeFilters
//     a scale) see outlines whatever the colour: objects are saturated,
//     backgrounds grey.
//  4. Pooling. Per filter, the maximum over the frame (where the object is
//     does not matter: shape) and the mean over each cell of a Grid×Grid grid
//     (where it is: position, size, motion).
//  5. Colour. Colors colour prototypes (k-means over pixel RGB values), each
//     pixel triangle-encoded by its distances to them, averaged over a
//     ColorGrid×ColorGrid grid: which colours are where. With Keypoints, also
//     each prototype's "keypoint": the response-weighted mean x and y of the
//     frame (in [−1, 1]) and the spread around it, damped where the colour is
//     nearly absent — where each coloured thing is and how big, precisely
//     (the soft spatial argmax of Levine et al. 2016, on colour maps), which
//     makes motion, a change of these over frames, easy to learn.
//  6. Output. The concatenation is standardised and, if Dim > 0, reduced
//     to Dim values: the frame-wide maxima (Filters per scale) and the
//     keypoints pass through,
//     the rest is projected on its first principal components (optionally
//     whitened), fitted on the fitting frames. (PCA over everything lost
//     shape: the maxima have little variance next to the grids.)
//
// Fit learns everything from a sample of unlabelled training frames (no
// captions, no concepts). On the Go backend, Encode runs plain Go kernels
// (kernel.go): one worker a core, each encoding whole frames one row of
// patch positions at a time, with the filter products and the projection in
// SIMD (AVX-512 or AVX2) when built with GOEXPERIMENT=simd — ≈ 0.25 ms of
// CPU a frame, 14× the GoMLX graphs' speed, ≈ 10 s for the default corpus on
// 2 cores (docs/benchmarks.md, "Frame features"). On other backends (XLA) it
// runs the same computation as GoMLX graphs (graph.go), one per chunk of
// frames, written as patches + one matrix product ("im2col"); both give the
// same features up to float rounding (TestKernelsMatchGraph).
//
// Which variant sees shape, colour, size, count and position at 32×32 px,
// and at what speed, is measured in docs/results.md ("Frame encoder").
package framenc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Methods of learning the patch filters.
const (
	MethodKMeans = "kmeans" // spherical k-means on whitened patches (default)
	MethodRandom = "random" // random Gaussian filters, no whitening
)

// Config holds the encoder's hyperparameters. Start from DefaultConfig.
type Config struct {
	// Method is MethodKMeans or MethodRandom. Default "kmeans".
	Method string `json:"method"`
	// Patch is the side of the square patches in pixels. Default 5.
	Patch int `json:"patch"`
	// Stride is the step between patches in pixels. Default 1.
	Stride int `json:"stride"`
	// Filters is the number of patch filters K of each scale. Default 64.
	Filters int `json:"filters"`
	// Scales is the number of scales: scale s sees the frame averaged down
	// by 2^s. Default 2.
	Scales int `json:"scales"`
	// ShapeFilters is the number of filters per scale learned on the
	// saturation map max(R,G,B) − min(R,G,B) instead of RGB: objects are
	// saturated and backgrounds grey, so these see outlines whatever the
	// colour (0 disables them). Default 32.
	ShapeFilters int `json:"shape_filters"`
	// Grid is the side of the grid of cells filter outputs are averaged over
	// (besides the frame-wide maximum). Default 2.
	Grid int `json:"grid"`
	// Colors is the number of colour prototypes (0 disables the colour
	// pathway). Default 16.
	Colors int `json:"colors"`
	// ColorGrid is the side of the grid colour codes are averaged over.
	// Default 4.
	ColorGrid int `json:"color_grid"`
	// Keypoints adds each colour prototype's keypoint (mean x, mean y,
	// spread). Default true.
	Keypoints bool `json:"keypoints"`
	// Dim is the output dimension after PCA; 0 keeps all standardised raw
	// features. Default 384.
	Dim int `json:"dim"`
	// Whiten scales each principal component to unit variance; otherwise all
	// are divided by the same factor (the root of their mean variance), which
	// keeps low-variance, noise-dominated components small. Default false.
	Whiten bool `json:"whiten"`
	// FitFrames is the number of frames Fit samples its patches, pixels and
	// PCA from. Default 3000.
	FitFrames int `json:"fit_frames"`
	// PatchesPerFrame is the number of random patches taken from each fitting
	// frame for whitening and k-means. Default 30.
	PatchesPerFrame int `json:"patches_per_frame"`
	// KMeansIters is the number of k-means iterations. Default 15.
	KMeansIters int `json:"kmeans_iters"`
	// Seed makes fitting deterministic. Default 1.
	Seed uint64 `json:"seed"`
}

// DefaultConfig returns the default encoder: k-means filters on 5×5 patches
// at two scales (the frame and the frame halved), 64 filters a scale pooled
// by maximum and on a 2×2 grid, 16 colours on a 4×4 grid with their
// keypoints, 32 colour-blind shape filters a scale on the saturation map,
// reduced to 384 dimensions, fitted on 3000 frames.
func DefaultConfig() Config {
	return Config{
		Method:          MethodKMeans,
		Patch:           5,
		Stride:          1,
		Filters:         64,
		Scales:          2,
		ShapeFilters:    32,
		Grid:            2,
		Colors:          16,
		ColorGrid:       4,
		Keypoints:       true,
		Dim:             384,
		FitFrames:       3000,
		PatchesPerFrame: 30,
		KMeansIters:     15,
		Seed:            1,
	}
}

// Validate reports every invalid field of c for frames of height×width.
func (c Config) Validate(height, width int) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("frame encoder config: "+format, args...))
	}
	if c.Method != MethodKMeans && c.Method != MethodRandom {
		bad("method %q; expected %q or %q", c.Method, MethodKMeans, MethodRandom)
	}
	if c.Patch < 1 || c.Patch > min(height, width) {
		bad("patch %d; expected 1..%d (the frame size)", c.Patch, min(height, width))
	}
	if c.Stride < 1 {
		bad("stride %d; expected ≥ 1", c.Stride)
	}
	if c.Filters < 1 {
		bad("filters %d; expected ≥ 1", c.Filters)
	}
	if c.Scales < 1 {
		bad("scales %d; expected ≥ 1", c.Scales)
	} else if c.Scales > 63 { // 1<<(Scales−1) would overflow
		bad("scales %d: the frame size %dx%d must be divisible by 2^%d", c.Scales, height, width, c.Scales-1)
	} else if f := 1 << (c.Scales - 1); height%f != 0 || width%f != 0 {
		bad("scales %d: the frame size %dx%d must be divisible by %d", c.Scales, height, width, f)
	} else if c.Patch >= 1 && c.Stride >= 1 {
		h, w := height/f, width/f // the smallest scale
		if c.Patch > min(h, w) {
			bad("patch %d is larger than the smallest scale's %dx%d frame (use fewer scales)", c.Patch, h, w)
		} else {
			ho, wo := (h-c.Patch)/c.Stride+1, (w-c.Patch)/c.Stride+1
			if c.Grid < 1 || c.Grid > min(ho, wo) {
				bad("grid %d; expected 1..%d (the patch positions across the smallest scale)", c.Grid, min(ho, wo))
			}
		}
	}
	if c.ShapeFilters < 0 {
		bad("shape_filters %d; expected ≥ 0", c.ShapeFilters)
	}
	if c.Colors < 0 {
		bad("colors %d; expected ≥ 0", c.Colors)
	}
	if c.Colors > 0 && (c.ColorGrid < 1 || c.ColorGrid > min(height, width)) {
		bad("color_grid %d; expected 1..%d", c.ColorGrid, min(height, width))
	}
	if c.Dim < 0 {
		bad("dim %d; expected ≥ 0 (0 = no PCA)", c.Dim)
	}
	if c.FitFrames < 1 || c.PatchesPerFrame < 1 || c.KMeansIters < 1 {
		bad("fit_frames %d, patches_per_frame %d, kmeans_iters %d; expected each ≥ 1", c.FitFrames, c.PatchesPerFrame, c.KMeansIters)
	}
	return errors.Join(errs...)
}

// Encoder is a fitted frame encoder. Its fields are what Save writes; treat
// them as read-only.
type Encoder struct {
	Config Config `json:"config"`
	// Height and Width are the frame size the encoder was fitted for.
	Height int `json:"height"`
	Width  int `json:"width"`
	// Filters[s] is scale s's [Patch·Patch·3, K] row-major, applied to
	// normalised patches; FilterBias[s] is [K].
	Filters    [][]float32 `json:"filters"`
	FilterBias [][]float32 `json:"filter_bias"`
	// ShapeFilters[s] and ShapeBias[s] are scale s's saturation-map filters
	// [Patch·Patch, ShapeFilters] and biases.
	ShapeFilters [][]float32 `json:"shape_filters,omitempty"`
	ShapeBias    [][]float32 `json:"shape_bias,omitempty"`
	// ColorCenters is [Colors, 3].
	ColorCenters []float32 `json:"color_centers"`
	// RawDim is the length of the pooled feature vector before PCA.
	RawDim int `json:"raw_dim"`
	// Mean and Scale standardise the raw features: (x − Mean)·Scale.
	Mean  []float32 `json:"mean"`
	Scale []float32 `json:"scale"`
	// Projection is [RawDim, Dim] (nil when Dim is 0): identity on the
	// frame-wide maxima, then PCA directions of the rest divided by the
	// square root of their variance.
	Projection []float32 `json:"projection,omitempty"`
	// Version identifies the encoding algorithm.
	Version int `json:"version"`

	exec *encodeExec // GoMLX graphs (graph.go), for backends other than Go
	kern *kernelPlan // Go kernels (kernel.go)
}

// Version identifies the encoding algorithm; it changes whenever the
// meaning of the fitted fields changes, so caches keyed by it are refreshed.
const Version = 5

const encoderVersion = Version

// OutputVersion identifies the features an encoder computes, down to float
// rounding: it changes when the encoding code sums or rounds differently
// (the Go kernels replaced the graphs at 2), while Version stays when the
// fitted fields keep their meaning. Feature caches are keyed by both, so
// every machine encodes the same features whatever its cache held before.
const OutputVersion = 2

// OutDim returns the length of one frame's feature vector.
func (e *Encoder) OutDim() int {
	if e.Config.Dim > 0 && e.Config.Dim < e.RawDim {
		return e.Config.Dim
	}
	return e.RawDim
}

// patchDim is the length of a flattened patch.
func (c Config) patchDim() int { return c.Patch * c.Patch * 3 }

// outSize returns the number of patch positions down and across a frame of
// height×width.
func (c Config) outSize(height, width int) (int, int) {
	return (height-c.Patch)/c.Stride + 1, (width-c.Patch)/c.Stride + 1
}

// rawDim is the length of the pooled feature vector: per scale the filters'
// maxima, the colour keypoints, then per scale the filters' grid means, then
// the colour grid.
func (c Config) rawDim() int {
	return c.passThrough() + c.Scales*(c.Filters+c.ShapeFilters)*c.Grid*c.Grid + c.Colors*c.ColorGrid*c.ColorGrid
}

// passThrough is the number of leading raw features that the output keeps
// as they are (standardised): the maxima and the keypoints.
func (c Config) passThrough() int {
	n := c.Scales * (c.Filters + c.ShapeFilters)
	if c.Keypoints {
		n += 3 * c.Colors
	}
	return n
}

// sizesOverflow reports whether a size that c implies for frames of
// height×width (one frame, the filters, the colour centres, the raw
// features, the projection) overflows an int. check compares array lengths
// with these sizes, which must not wrap around to a length that is there.
// c must be valid (see Validate).
func (c Config) sizesOverflow(height, width int) bool {
	over := false
	mul := func(xs ...int) int {
		if slices.Contains(xs, 0) {
			return 0
		}
		p := 1
		for _, x := range xs {
			if x < 0 || p > math.MaxInt/x {
				over = true
				return 0
			}
			p *= x
		}
		return p
	}
	add := func(xs ...int) int {
		s := 0
		for _, x := range xs {
			if s > math.MaxInt-x {
				over = true
				return 0
			}
			s += x
		}
		return s
	}
	keypoints := 0
	if c.Keypoints {
		keypoints = 3
	}
	mul(height, width, 3)
	mul(c.Patch, c.Patch, 3, c.Filters)
	mul(c.Patch, c.Patch, c.ShapeFilters)
	mul(c.Colors, 3)
	filters := add(c.Filters, c.ShapeFilters)
	raw := add(mul(c.Scales, filters), mul(keypoints, c.Colors), mul(c.Scales, filters, c.Grid, c.Grid), mul(c.Colors, c.ColorGrid, c.ColorGrid))
	if c.Dim < raw { // a projection
		mul(raw, c.Dim)
	}
	return over
}

// Save writes the encoder as JSON, atomically.
func (e *Encoder) Save(path string) error {
	return corpus.WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		return enc.Encode(e)
	})
}

// Load reads an encoder written by Save and checks it.
func Load(path string) (*Encoder, error) {
	data, err := corpus.ReadJSONBytes(path, "a frame encoder (JSON)")
	if err != nil {
		return nil, fmt.Errorf("reading frame encoder: %w", err)
	}
	var e Encoder
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("reading frame encoder %s: %w", path, err)
	}
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("frame encoder %s: %w", path, err)
	}
	return &e, nil
}

// check verifies that the fitted arrays agree with the config.
func (e *Encoder) check() error {
	if e.Version != encoderVersion {
		return fmt.Errorf("version %d; this build reads version %d (re-fit the encoder)", e.Version, encoderVersion)
	}
	if err := e.Config.Validate(e.Height, e.Width); err != nil {
		return err
	}
	c := e.Config
	if c.sizesOverflow(e.Height, e.Width) {
		return fmt.Errorf("height %d, width %d, patch %d, filters %d, shape_filters %d, colors %d, grids %d and %d, dim %d: "+
			"the array sizes these imply overflow an int; expected a config fitted on real frames",
			e.Height, e.Width, c.Patch, c.Filters, c.ShapeFilters, c.Colors, c.Grid, c.ColorGrid, c.Dim)
	}
	shapeScales := 0
	if c.ShapeFilters > 0 {
		shapeScales = c.Scales
	}
	want := []struct {
		name string
		got  int
		want int
	}{
		{"filters (scales)", len(e.Filters), c.Scales},
		{"filter_bias (scales)", len(e.FilterBias), c.Scales},
		{"shape_filters (scales)", len(e.ShapeFilters), shapeScales},
		{"shape_bias (scales)", len(e.ShapeBias), shapeScales},
		{"color_centers", len(e.ColorCenters), c.Colors * 3},
		{"raw_dim", e.RawDim, c.rawDim()},
		{"mean", len(e.Mean), c.rawDim()},
		{"scale", len(e.Scale), c.rawDim()},
	}
	if c.Dim > 0 && c.Dim < c.rawDim() {
		want = append(want, struct {
			name      string
			got, want int
		}{"projection", len(e.Projection), c.rawDim() * c.Dim})
	}
	for i := range min(len(e.Filters), len(e.FilterBias)) {
		want = append(want, struct {
			name      string
			got, want int
		}{fmt.Sprintf("filters[%d]", i), len(e.Filters[i]), c.patchDim() * c.Filters},
			struct {
				name      string
				got, want int
			}{fmt.Sprintf("filter_bias[%d]", i), len(e.FilterBias[i]), c.Filters})
	}
	for i := range min(len(e.ShapeFilters), len(e.ShapeBias)) {
		want = append(want, struct {
			name      string
			got, want int
		}{fmt.Sprintf("shape_filters[%d]", i), len(e.ShapeFilters[i]), c.Patch * c.Patch * c.ShapeFilters},
			struct {
				name      string
				got, want int
			}{fmt.Sprintf("shape_bias[%d]", i), len(e.ShapeBias[i]), c.ShapeFilters})
	}
	for _, w := range want {
		if w.got != w.want {
			return fmt.Errorf("%s has %d values; expected %d for its config", w.name, w.got, w.want)
		}
	}
	return nil
}
