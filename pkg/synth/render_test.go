package synth

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// coverage returns the coverage mask (S×S, values in [0,1]) of p at time s,
// without jitter, on a canvas offset by off pixels and of side S+2·off, so
// that parts outside the frame can be counted too.
func coverage(p *path, s float64, S, off int) []float32 {
	q := *p
	q.x0, q.x1, q.y0, q.y1 = q.x0+float64(off), q.x1+float64(off), q.y0+float64(off), q.y1+float64(off)
	n := S + 2*off
	m := make([]float32, n*n)
	q.draw(s, 0, 0, n, func(x, y int, a float32) { m[y*n+x] = a })
	return m
}

// moments returns the area and the centroid of a mask of side n.
func moments(m []float32, n int) (area, cx, cy float64) {
	for i, a := range m {
		area += float64(a)
		cx += float64(a) * (float64(i%n) + 0.5)
		cy += float64(a) * (float64(i/n) + 0.5)
	}
	if area > 0 {
		cx, cy = cx/area, cy/area
	}
	return
}

// iou is the intersection over union of two masks thresholded at 0.5.
func iou(a, b []float32) float64 {
	inter, union := 0, 0
	for i := range a {
		x, y := a[i] >= 0.5, b[i] >= 0.5
		if x && y {
			inter++
		}
		if x || y {
			union++
		}
	}
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}

func TestFramesShapeAndRange(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Train, cfg.Val, cfg.Test = 40, 0, 0
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FrameShape(); !slices.Equal(got, []int{12, 32, 32, 3}) {
		t.Fatalf("FrameShape() = %v, want [12 32 32 3]", got)
	}
	for i := range c.Clips {
		f := c.Frames(i)
		if len(f) != 12*32*32*3 {
			t.Fatalf("clip %d: %d values", i, len(f))
		}
		for k, v := range f {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("clip %d: value %v at %d outside [0,1]", i, v, k)
			}
		}
		if !slices.Equal(f, c.Frames(i)) {
			t.Fatalf("clip %d: Frames is not deterministic", i)
		}
	}
	// Other sizes.
	cfg.Size, cfg.Frames, cfg.Train = 16, 5, 10
	c, err = Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Frames(9)); got != 5*16*16*3 {
		t.Fatalf("Size 16, Frames 5: %d values", got)
	}
}

// TestMotionsVisible checks every object of every clip of a small corpus, at
// two frame sizes: it stays in the frame, does not overlap its partner much,
// and its motion shows (travel, growth, rotation, bounce).
func TestMotionsVisible(t *testing.T) {
	for _, size := range []int{32, 16} {
		t.Run(fmt.Sprint("size", size), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Size, cfg.Train, cfg.Val, cfg.Test = size, 400, 0, 0
			c, err := Generate(cfg)
			if err != nil {
				t.Fatal(err)
			}
			S, T := cfg.Size, cfg.Frames
			minTravel := 0.25 * float64(S) // ≥ 8 px at 32 px
			const off = 16
			n := S + 2*off
			perMotion := map[string]int{}
			for i := range c.Clips {
				clip := &c.Clips[i]
				sc := &clip.scene
				masks := make([][][]float32, len(sc.paths)) // [object][t]
				for j := range sc.paths {
					p := &sc.paths[j]
					var area, cx, cy []float64
					for tt := range T {
						m := coverage(p, float64(tt)/float64(T-1), S, off)
						masks[j] = append(masks[j], m)
						a, x, y := moments(m, n)
						inFrame := 0.0
						for k, v := range m {
							if x, y := k%n-off, k/n-off; x >= 0 && x < S && y >= 0 && y < S {
								inFrame += float64(v)
							}
						}
						if inFrame < 0.9*a {
							t.Fatalf("%s object %d frame %d: only %.0f%% in the frame", clip.ID, j, tt, 100*inFrame/a)
						}
						area, cx, cy = append(area, a), append(cx, x), append(cy, y)
					}
					first, last := 0, T-1
					dx, dy := cx[last]-cx[first], cy[last]-cy[first]
					fail := func(what string) {
						t.Fatalf("%s object %d (%v, %s): %s; dx=%.1f dy=%.1f area %.0f→%.0f", clip.ID, j, clip.Objects[j], clip.Motion, what, dx, dy, area[first], area[last])
					}
					switch clip.Motion {
					case "left":
						if dx > -minTravel || math.Abs(dy) > 1 {
							fail("does not move left")
						}
					case "right":
						if dx < minTravel || math.Abs(dy) > 1 {
							fail("does not move right")
						}
					case "up":
						if dy > -minTravel || math.Abs(dx) > 1 {
							fail("does not move up")
						}
					case "down":
						if dy < minTravel || math.Abs(dx) > 1 {
							fail("does not move down")
						}
					case "grow":
						if area[last] < 2*area[first] {
							fail("does not grow")
						}
					case "shrink":
						if area[first] < 2*area[last] {
							fail("does not shrink")
						}
					case "rotate":
						// The largest change of the coverage mask, relative to the area.
						change := 0.0
						for tt := 1; tt < T; tt++ {
							d := 0.0
							for k, v := range masks[j][tt] {
								d += math.Abs(float64(v - masks[j][0][k]))
							}
							change = math.Max(change, d/area[0])
						}
						if change < 0.2 || math.Hypot(dx, dy) > 1 || math.Abs(area[last]/area[first]-1) > 0.25 {
							fail(fmt.Sprintf("does not rotate visibly in place (mask change %.2f of its area)", change))
						}
					case "bounce":
						lo, hi := slices.Min(cy), slices.Max(cy)
						if hi-lo < minTravel || math.Abs(dy) > 0.5 || math.Abs(dx) > 0.5 {
							fail(fmt.Sprintf("does not bounce (height %.1f)", hi-lo))
						}
					}
				}
				if len(masks) == 2 {
					for tt := range T {
						a0, _, _ := moments(masks[0][tt], n)
						a1, _, _ := moments(masks[1][tt], n)
						overlap := 0.0
						for k := range masks[0][tt] {
							overlap += math.Min(float64(masks[0][tt][k]), float64(masks[1][tt][k]))
						}
						if overlap > 0.1*math.Min(a0, a1) {
							t.Fatalf("%s (%s) frame %d: objects overlap by %.0f px of %.0f", clip.ID, clip.Motion, tt, overlap, math.Min(a0, a1))
						}
					}
				}
				perMotion[clip.Motion]++
			}
			for _, m := range Motions {
				if perMotion[m] == 0 {
					t.Errorf("no clip with motion %s", m)
				}
			}
		})
	}
}

// TestMotionInPixels checks on the rendered frames themselves (with pixel
// noise) that the colour mass of a single object moves or grows as its
// motion says.
func TestMotionInPixels(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Train, cfg.Val, cfg.Test = 300, 0, 0
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	S, T := cfg.Size, cfg.Frames
	// mass returns the area and centroid of the pixels of frame tt within
	// 0.2 (per channel) of colour col.
	mass := func(f []float32, tt int, col rgb) (area, cx, cy float64) {
		for y := range S {
			for x := range S {
				o := ((tt*S+y)*S + x) * 3
				if math.Abs(float64(f[o]-col[0])) < 0.2 && math.Abs(float64(f[o+1]-col[1])) < 0.2 && math.Abs(float64(f[o+2]-col[2])) < 0.2 {
					area++
					cx += float64(x)
					cy += float64(y)
				}
			}
		}
		if area > 0 {
			cx, cy = cx/area, cy/area
		}
		return
	}
	checked := map[string]int{}
	for i := range c.Clips {
		clip := &c.Clips[i]
		if len(clip.Objects) != 1 {
			continue
		}
		f := c.Frames(i)
		col := clip.scene.paths[0].color
		a0, x0, y0 := mass(f, 0, col)
		a1, x1, y1 := mass(f, T-1, col)
		if a0 < 10 || a1 < 3 {
			t.Fatalf("%s (%v): object hardly visible: %.0f and %.0f pixels of its colour", clip.ID, clip.Objects[0], a0, a1)
		}
		ok := true
		switch clip.Motion {
		case "left":
			ok = x1-x0 <= -6
		case "right":
			ok = x1-x0 >= 6
		case "up":
			ok = y1-y0 <= -6
		case "down":
			ok = y1-y0 >= 6
		case "grow":
			ok = a1 >= 2*a0
		case "shrink":
			ok = a0 >= 2*a1
		}
		if !ok {
			t.Errorf("%s (%s): colour mass %.0f px at (%.1f,%.1f) → %.0f px at (%.1f,%.1f)", clip.ID, clip.Motion, a0, x0, y0, a1, x1, y1)
		}
		checked[clip.Motion]++
	}
	for _, m := range []string{"left", "right", "up", "down", "grow", "shrink"} {
		if checked[m] == 0 {
			t.Errorf("no single-object %s clip checked", m)
		}
	}
}

// TestShapesDiffer checks that the shapes are told apart by their masks at
// both sizes, and that small shapes keep enough pixels.
func TestShapesDiffer(t *testing.T) {
	const S = 32
	for _, frac := range []float64{smallFrac, largeFrac} {
		masks := map[string][]float32{}
		for _, shape := range Shapes {
			p := path{shape: shape, x0: S / 2, x1: S / 2, y0: S / 2, y1: S / 2, r: frac * S / 2, scale1: 1}
			m := coverage(&p, 0, S, 0)
			area, _, _ := moments(m, S)
			d := 2 * p.r
			if area < 0.3*d*d || area > 0.9*d*d {
				t.Errorf("%s at %.1f px: area %.1f px², want between %.0f and %.0f", shape, d, area, 0.3*d*d, 0.9*d*d)
			}
			masks[shape] = m
		}
		for i, a := range Shapes {
			for _, b := range Shapes[i+1:] {
				if v := iou(masks[a], masks[b]); v > 0.8 {
					t.Errorf("%s and %s at size %.2f·S: IoU %.2f, too alike", a, b, frac, v)
				}
			}
		}
	}
	for _, s := range Shapes {
		if shapeFuncs[s] == nil {
			t.Errorf("shape %s has no renderer", s)
		}
		if !shapeFuncs[s](0, 0) {
			t.Errorf("shape %s does not contain its centre", s)
		}
	}
}

func TestColorsDistinct(t *testing.T) {
	greys := []float64{0.05, 0.11, 0.27, 0.53, 0.85, 0.91} // background extremes
	for i, a := range Colors {
		ca, ok := ColorRGB(a)
		if !ok {
			t.Fatalf("no RGB for %s", a)
		}
		for _, b := range Colors[i+1:] {
			cb, _ := ColorRGB(b)
			d := 0.0
			for ch := range 3 {
				d = math.Max(d, math.Abs(float64(ca[ch]-cb[ch])))
			}
			if d < 0.25 {
				t.Errorf("%s and %s differ by only %.2f in their most different channel", a, b, d)
			}
		}
		for _, g := range greys {
			d := 0.0
			for ch := range 3 {
				d = math.Max(d, math.Abs(float64(ca[ch])-g))
			}
			if d < 0.35 {
				t.Errorf("%s is within %.2f of background grey %.2f", a, d, g)
			}
		}
	}
}

// TestShapeRadii checks the discs the renderer uses to skip sampling: the
// inner disc lies inside each shape, and the shape inside the outer disc.
func TestShapeRadii(t *testing.T) {
	for _, shape := range Shapes {
		inside, radii := shapeFuncs[shape], shapeRadii[shape]
		if radii[1] > rotExtent+1e-9 {
			t.Errorf("%s: outer radius %.3f exceeds rotExtent %.2f", shape, radii[1], rotExtent)
		}
		for k := range 3600 {
			a := float64(k) * 2 * math.Pi / 3600
			su, sv := math.Sin(a), math.Cos(a)
			if r := radii[0] - 1e-9; !inside(r*su, r*sv) {
				t.Fatalf("%s: point at radius %.3f, angle %.1f° of the inner disc is outside", shape, radii[0], a*180/math.Pi)
			}
			if r := radii[1] + 1e-6; inside(r*su, r*sv) {
				t.Fatalf("%s: point at radius %.3f, angle %.1f° outside the outer disc is inside", shape, r, a*180/math.Pi)
			}
		}
	}
}
