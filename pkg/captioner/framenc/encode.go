package framenc

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// patchEpsilon is added to a patch's variance before dividing by its
// standard deviation, so that flat patches (plain background plus pixel
// noise) are not amplified into strong edges. Pixel values are in [0,1].
const patchEpsilon = 0.01

// Encode returns the features [n, OutDim] of n frames given as [n, H, W, 3]
// values in [0,1]. It is not safe for concurrent use.
//
// On the Go backend (the default) it runs the Go kernels of kernel.go on
// every core, SIMD (AVX-512 or AVX2) in a build with GOEXPERIMENT=simd; on
// other backends (XLA) it runs the encoder's GoMLX graphs (graph.go). Both
// compute the same features up to float rounding.
func (e *Encoder) Encode(backend compute.Backend, frames []float32, n int) (feats []float32, err error) {
	return e.encode(backend, frames, n, false)
}

// encode returns the raw features [n, RawDim] or the output ones [n, OutDim].
func (e *Encoder) encode(backend compute.Backend, frames []float32, n int, raw bool) (feats []float32, err error) {
	frameLen := e.Height * e.Width * 3
	if n < 0 || len(frames) != n*frameLen {
		return nil, fmt.Errorf("frame encoder: %d values for %d frames of %dx%dx3; expected %d", len(frames), n, e.Height, e.Width, n*frameLen)
	}
	defer func() {
		if r := recover(); r != nil {
			feats, err = nil, fmt.Errorf("frame encoder: %v", r)
		}
	}()
	if backend == nil || backend.String() == gobackend.BackendName {
		feats, err = e.encodeKernels(frames, n, raw)
	} else {
		feats, err = e.encodeGraph(backend, frames, n, raw)
	}
	if err != nil {
		return nil, fmt.Errorf("frame encoder: %w", err)
	}
	return feats, nil
}

// EncodeClips encodes n clips of T frames each. clip(i, dst) must fill dst
// with clip i's frames [T, H, W, 3]; it is called for i = 0, 1, … in order,
// one call at a time, from a goroutine of its own: the next group of clips
// is rendered while the current one is encoded. It returns [n, T, OutDim]
// row-major. progress, if not nil, is called after each group of clips with
// the clips done.
func (e *Encoder) EncodeClips(backend compute.Backend, n, T int, clip func(i int, dst []float32), progress func(done, total int)) ([]float32, error) {
	clipLen := T * e.Height * e.Width * 3
	per := max(1, chunkFrames/max(T, 1)) * 4 // clips per group: ≈ 512 frames
	dim := e.OutDim()
	out := make([]float32, 0, n*T*dim)
	type group struct {
		start, m int
		buf      []float32
		err      error
	}
	groups := make(chan group, 1)
	free := make(chan []float32, 2)
	free <- make([]float32, per*clipLen)
	free <- make([]float32, per*clipLen)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(groups)
		for start := 0; start < n; start += per {
			var buf []float32
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			g := group{start: start, m: min(per, n-start), buf: buf}
			func() {
				defer func() {
					if r := recover(); r != nil {
						g.err = fmt.Errorf("frame encoder: rendering clips %d..%d: %v", g.start, g.start+g.m-1, r)
					}
				}()
				for j := range g.m {
					clip(start+j, buf[j*clipLen:(j+1)*clipLen])
				}
			}()
			select {
			case groups <- g:
			case <-stop:
				return
			}
			if g.err != nil {
				return
			}
		}
	}()
	for g := range groups {
		if g.err != nil {
			return nil, g.err
		}
		f, err := e.Encode(backend, g.buf[:g.m*clipLen], g.m*T)
		if err != nil {
			return nil, err
		}
		free <- g.buf
		out = append(out, f...)
		if progress != nil {
			progress(g.start+g.m, n)
		}
	}
	return out, nil
}
