package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// FrameShape returns the shape of one clip's frames: [T, H, W, 3].
func (c *Corpus) FrameShape() []int {
	return []int{c.Config.Frames, c.Config.Size, c.Config.Size, 3}
}

// FrameLen returns the number of values of one clip's frames, T·H·W·3.
func (c *Corpus) FrameLen() int {
	return c.Config.Frames * c.Config.Size * c.Config.Size * 3
}

// Frames renders clip i (an index into Clips) as T·H·W·3 float32 values in
// [0,1], row-major [T,H,W,3] (RGB last). Rendering is deterministic and safe
// to call from several goroutines.
func (c *Corpus) Frames(i int) []float32 {
	dst := make([]float32, c.FrameLen())
	c.FramesInto(i, dst)
	return dst
}

// FramesInto renders clip i into dst, which must hold FrameLen values.
func (c *Corpus) FramesInto(i int, dst []float32) {
	if i < 0 || i >= len(c.Clips) {
		panic(fmt.Sprintf("synth: clip index %d out of range [0, %d)", i, len(c.Clips)))
	}
	if len(dst) != c.FrameLen() {
		panic(fmt.Sprintf("synth: FramesInto: dst holds %d values, expected %d", len(dst), c.FrameLen()))
	}
	renderScene(&c.Clips[i].scene, c.Config.Frames, c.Config.Size, float32(c.Config.PixelNoise), dst)
	if c.Config.FrameBits == 8 {
		for k, v := range dst {
			dst[k] = float32(Byte(v)) / 255
		}
	}
}

// Byte is a frame value in [0,1] as the byte a video stores: round(255·v),
// clamped to 0..255.
func Byte(v float32) byte {
	return byte(math.Round(float64(min(max(v, 0), 1)) * 255))
}

// stripeContrast is how much lighter the light stripes of the striped
// background are than its dark ones.
const stripeContrast = 0.20

// jitterPx bounds the per-frame random offset of each object, in pixels.
const jitterPx = 0.25

// renderScene draws T frames of S×S pixels of sc into dst.
func renderScene(sc *scene, T, S int, noise float32, dst []float32) {
	frame := S * S * 3
	// The background, the same in every frame.
	bg := dst[:frame]
	half := float64(S) / 8 // stripes of S/8 pixels: a period of S/4
	for y := range S {
		for x := range S {
			level := sc.bgLevel
			if sc.bg == "striped" {
				d := float64(x) + 0.5 + sc.stripeDir*(float64(y)+0.5) + sc.stripeOff
				if int(math.Floor(d/half))%2 != 0 {
					level += stripeContrast
				}
			}
			o := (y*S + x) * 3
			bg[o], bg[o+1], bg[o+2] = level, level, level
		}
	}
	for t := 1; t < T; t++ {
		copy(dst[t*frame:(t+1)*frame], bg)
	}
	src := rand.NewPCG(sc.noiseSeed, 0xda3e39cb94b95bdb)
	jit := func() float64 { return jitterPx * (2*float64(src.Uint64()>>11)/(1<<53) - 1) }
	for t := range T {
		s := float64(t) / float64(T-1)
		f := dst[t*frame : (t+1)*frame]
		for i := range sc.paths {
			p := &sc.paths[i]
			jx, jy := jit(), jit()
			col := p.color
			p.draw(s, jx, jy, S, func(x, y int, alpha float32) {
				o := (y*S + x) * 3
				for ch := range 3 {
					f[o+ch] += alpha * (col[ch] - f[o+ch])
				}
			})
		}
	}
	// Pixel noise, triangular on [-noise, noise], then clamp to [0,1].
	const inv16 = 1.0 / 65536
	for k := 0; k < len(dst); k += 2 {
		u := src.Uint64()
		n0 := float32(float64(u&0xffff)*inv16+float64(u>>16&0xffff)*inv16-1) * noise
		n1 := float32(float64(u>>32&0xffff)*inv16+float64(u>>48)*inv16-1) * noise
		dst[k] = clamp01(dst[k] + n0)
		if k+1 < len(dst) {
			dst[k+1] = clamp01(dst[k+1] + n1)
		}
	}
}

func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// state returns the centre, radius and angle of p at s in [0,1].
func (p *path) state(s float64) (cx, cy, rad, ang float64) {
	cx = p.x0 + (p.x1-p.x0)*s
	cy = p.y0 + (p.y1-p.y0)*s
	if p.bounceAmp > 0 {
		cy -= p.bounceAmp * math.Abs(math.Sin(2*math.Pi*s+p.bouncePhase))
	}
	rad = p.r * (1 + (p.scale1-1)*s)
	ang = p.angle0 + (p.angle1-p.angle0)*s
	return
}

// supersampling is the number of samples per pixel along each axis.
const supersampling = 3

// draw calls visit with the coverage alpha in (0,1] of every pixel the object
// covers at time s, offset by (jx, jy) pixels.
func (p *path) draw(s, jx, jy float64, S int, visit func(x, y int, alpha float32)) {
	cx, cy, rad, ang := p.state(s)
	cx, cy = cx+jx, cy+jy
	inside := shapeFuncs[p.shape]
	cos, sin := math.Cos(ang), math.Sin(ang)
	inv := 1 / rad
	ext := rad*rotExtent + 1
	x0, x1 := max(0, int(math.Floor(cx-ext))), min(S-1, int(math.Ceil(cx+ext)))
	y0, y1 := max(0, int(math.Floor(cy-ext))), min(S-1, int(math.Ceil(cy+ext)))
	const n = supersampling
	inner, outer := shapeRadii[p.shape][0], shapeRadii[p.shape][1]
	margin := math.Sqrt2 / 2 * inv // half a pixel diagonal, in shape units
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			// Whole pixels far outside or well inside the shape need no samples.
			ex, ey := float64(x)+0.5-cx, float64(y)+0.5-cy
			d := math.Sqrt(ex*ex+ey*ey) * inv
			if d-margin > outer {
				continue
			}
			if d+margin < inner {
				visit(x, y, 1)
				continue
			}
			hits := 0
			for sy := range n {
				dy := float64(y) + (float64(sy)+0.5)/n - cy
				for sx := range n {
					dx := float64(x) + (float64(sx)+0.5)/n - cx
					// Into the shape's frame: unrotate, scale to unit radius,
					// and turn the y axis up.
					u := (cos*dx + sin*dy) * inv
					v := -(-sin*dx + cos*dy) * inv
					if inside(u, v) {
						hits++
					}
				}
			}
			if hits > 0 {
				visit(x, y, float32(hits)/(n*n))
			}
		}
	}
}

// shapeRadii holds, for each shape, the radius of a disc inside it and of a
// disc that holds it (in units of the object radius, around its centre).
var shapeRadii = map[string][2]float64{
	"circle":   {1, 1},
	"square":   {0.78, 0.78 * math.Sqrt2},
	"triangle": {0.55, 1.12},
	"star":     {starInner * 0.8, starOuter},
	"cross":    {0.32, math.Hypot(0.98, 0.32)},
	"diamond":  {0.58, 1},
	"heart":    {0.3, rotExtent},
}

// shapeFuncs test whether (u, v) (unit radius, v up) is inside each shape.
var shapeFuncs = map[string]func(u, v float64) bool{
	"circle": func(u, v float64) bool { return u*u+v*v <= 1 },
	"square": func(u, v float64) bool { return math.Abs(u) <= 0.78 && math.Abs(v) <= 0.78 },
	"triangle": func(u, v float64) bool {
		// Apex (0, 1.12), base corners (±0.97, -0.56): centred on its centroid.
		return v >= -0.56 && math.Abs(u) <= 0.97*(1.12-v)/1.68
	},
	"star": insideStar,
	"cross": func(u, v float64) bool {
		au, av := math.Abs(u), math.Abs(v)
		return (au <= 0.32 && av <= 0.98) || (av <= 0.32 && au <= 0.98)
	},
	"diamond": func(u, v float64) bool { return math.Abs(u)/0.72+math.Abs(v) <= 1 },
	"heart": func(u, v float64) bool {
		// Two lobes and a point, shifted so that the centroid is the centre
		// (a rotating heart stays in place).
		v += 0.16
		const cr = 0.52
		if (u-0.45)*(u-0.45)+(v-0.33)*(v-0.33) <= cr*cr || (u+0.45)*(u+0.45)+(v-0.33)*(v-0.33) <= cr*cr {
			return true
		}
		return v <= 0.33 && v >= -0.95 && math.Abs(u) <= 0.97*(v+0.95)/1.28
	},
}

// Star geometry: five points of radius starOuter, inner corners at starInner.
const (
	starOuter = 1.05
	starInner = 0.45
)

// starPolygon holds the star's ten corners, (u, v) pairs, from the top point
// clockwise.
var starPolygon = func() [20]float64 {
	var p [20]float64
	for k := range 10 {
		r := starOuter
		if k%2 == 1 {
			r = starInner
		}
		a := float64(k) * math.Pi / 5
		p[2*k], p[2*k+1] = r*math.Sin(a), r*math.Cos(a)
	}
	return p
}()

// insideStar is the even-odd point-in-polygon test on the star's outline.
func insideStar(u, v float64) bool {
	in := false
	p := &starPolygon
	for i, j := 0, 9; i < 10; j, i = i, i+1 {
		ui, vi, uj, vj := p[2*i], p[2*i+1], p[2*j], p[2*j+1]
		if (vi > v) != (vj > v) && u < (uj-ui)*(v-vi)/(vj-vi)+ui {
			in = !in
		}
	}
	return in
}
