package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// Object is one object of a clip.
type Object struct {
	Shape string `json:"shape"` // one of Shapes
	Color string `json:"color"` // one of Colors
	Size  string `json:"size"`  // one of Sizes: the size at the start of the clip
}

// NoiseKind says whether and how a caption is deliberately noisy.
type NoiseKind string

// Noise kinds. A wrong caption's kind is NoiseWrong(family), e.g. "wrong:color".
const (
	// NoiseNone marks a clean caption: every concept it names is in the clip.
	NoiseNone NoiseKind = ""
	// NoiseOffTopic marks a caption that names no concept ("this video is short").
	NoiseOffTopic NoiseKind = "off-topic"
)

// NoiseWrong returns the kind of a caption in which one value of family was
// replaced by a value that is not in the clip.
func NoiseWrong(family string) NoiseKind { return NoiseKind("wrong:" + family) }

// Noisy reports whether k is not NoiseNone.
func (k NoiseKind) Noisy() bool { return k != NoiseNone }

// WrongFamily returns the family of a "wrong:<family>" kind, or "".
func (k NoiseKind) WrongFamily() string {
	if len(k) > 6 && k[:6] == "wrong:" {
		return string(k[6:])
	}
	return ""
}

// Clip is one generated clip: its ground truth, its captions and what is
// needed to render its frames (Corpus.Frames).
type Clip struct {
	// ID is the clip id, "synth00000", …, unique across splits.
	ID string
	// Split is SplitTrain, SplitVal or SplitTest.
	Split string
	// Index is the clip's position in its split (the row of frames_<split>.npy).
	Index int
	// Objects holds one or two objects.
	Objects []Object
	// Motion is the motion both objects perform (one of Motions).
	Motion string
	// Background is one of Backgrounds.
	Background string
	// Captions are the clip's captions, made from its concepts only.
	Captions []string
	// Noise[k] says whether Captions[k] is deliberately noisy and how.
	Noise []NoiseKind

	scene scene
}

// Count returns "one" or "two".
func (c *Clip) Count() string { return Counts[len(c.Objects)-1] }

// Action returns the action label: the index of Motion in Motions.
func (c *Clip) Action() int { return ActionIndex(c.Motion) }

// Concepts returns every concept present in the clip, in AllConcepts order:
// its shapes, colours and sizes, its motion, count and background.
func (c *Clip) Concepts() []string {
	set := map[string]bool{
		Concept(FamilyMotion, c.Motion):         true,
		Concept(FamilyCount, c.Count()):         true,
		Concept(FamilyBackground, c.Background): true,
	}
	for _, o := range c.Objects {
		set[Concept(FamilyShape, o.Shape)] = true
		set[Concept(FamilyColor, o.Color)] = true
		set[Concept(FamilySize, o.Size)] = true
	}
	return sortConcepts(set)
}

// HasConcept reports whether concept id is present in the clip.
func (c *Clip) HasConcept(id string) bool { return slices.Contains(c.Concepts(), id) }

// Corpus is a generated corpus: its config and its clips, train then val then
// test. It holds clip specs and captions only; Frames renders a clip's pixels
// on demand. Make it with Generate (a Corpus built by hand cannot render; to
// get a written corpus back, call Generate with its ground truth's Config).
type Corpus struct {
	Config Config
	Clips  []Clip
}

// clipID returns the id of the clip at global index i.
func clipID(i int) string { return fmt.Sprintf("synth%05d", i) }

// Generate draws the clips and captions of cfg. It renders no frames.
func Generate(cfg Config) (*Corpus, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Corpus{Config: cfg, Clips: make([]Clip, cfg.NumClips())}
	type job struct {
		split      string
		splitNo, k int
		global     int
	}
	var jobs []job
	g := 0
	for s, split := range Splits {
		for k := range cfg.splitSize(split) {
			jobs = append(jobs, job{split, s, k, g})
			g++
		}
	}
	parallelFor(len(jobs), func(j int) {
		jb := jobs[j]
		r := clipRand(cfg.Seed, jb.splitNo, jb.k)
		clip := sampleClip(cfg, r)
		clip.ID, clip.Split, clip.Index = clipID(jb.global), jb.split, jb.k
		clip.Captions, clip.Noise = makeCaptions(r, factsOf(&clip), cfg.CaptionsPerClip, cfg.NoiseRate)
		c.Clips[jb.global] = clip
	})
	return c, nil
}

// parallelFor runs f(0..n-1) on GOMAXPROCS goroutines. f must write only to
// its own index's outputs, so that results do not depend on scheduling.
func parallelFor(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// mix64 is the SplitMix64 finaliser, used to derive independent seeds.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// clipRand returns the random stream of clip k of split number s.
func clipRand(seed uint64, s, k int) *rand.Rand {
	hi := mix64(seed ^ mix64(uint64(s)+0x5157))
	lo := mix64(uint64(k) ^ mix64(seed+uint64(s)<<56))
	return rand.New(rand.NewPCG(hi, lo))
}

// SplitClips returns the global indices (into Clips) of the clips of split,
// in row order.
func (c *Corpus) SplitClips(split string) []int {
	var out []int
	for i := range c.Clips {
		if c.Clips[i].Split == split {
			out = append(out, i)
		}
	}
	return out
}

// --- Sampling of a clip's content and trajectory -----------------------------

// Object sizes as fractions of the frame size (diameter at the start).
const (
	smallFrac = 0.30
	largeFrac = 0.47
)

// scene holds everything needed to render a clip, drawn with its content.
type scene struct {
	paths     []path
	bg        string
	bgLevel   float32 // grey level of dark/light; darker stripe level of striped
	stripeDir float64 // +1 or -1: direction of the diagonal stripes
	stripeOff float64 // stripe phase in pixels
	noiseSeed uint64  // seed of the frame noise stream
}

// path is an object's trajectory over the clip, parameterised by s = t/(T-1).
type path struct {
	shape          string
	color          rgb     // jittered colour
	x0, y0, x1, y1 float64 // centre at s=0 and s=1 (bounce: y0 = y1 = the floor)
	r              float64 // radius (half the size) at s=0, in pixels
	scale1         float64 // radius multiplier at s=1 (grow, shrink), else 1
	angle0, angle1 float64 // orientation in radians at s=0 and s=1
	bounceAmp      float64 // bounce height in pixels
	bouncePhase    float64
}

// unif returns a uniform number in [lo, hi], or their midpoint if hi < lo.
func unif(r *rand.Rand, lo, hi float64) float64 {
	if hi <= lo {
		return (lo + hi) / 2
	}
	return lo + (hi-lo)*r.Float64()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// rotExtent is the radius (in units of r) of the disc that holds every shape
// at any angle; rotating objects are placed with it.
const rotExtent = 1.12

// sampleClip draws a clip's content and its scene.
func sampleClip(cfg Config, r *rand.Rand) Clip {
	S := float64(cfg.Size)
	motion := pick(r, Motions)
	background := pick(r, Backgrounds)
	two := r.Float64() < cfg.TwoObjectRate
	shapes := Shapes
	if motion == "rotate" {
		shapes = Shapes[1:] // a rotating circle looks still
	}
	drawObject := func() Object {
		return Object{Shape: pick(r, shapes), Color: pick(r, Colors), Size: pick(r, Sizes)}
	}
	objs := []Object{drawObject()}
	if two {
		o := drawObject()
		if r.Float64() < 1.0/3 {
			o = objs[0]
		}
		objs = append(objs, o)
		if motion == "grow" {
			// Two large growing objects do not fit: both start small.
			objs[0].Size, objs[1].Size = "small", "small"
		}
	}
	clip := Clip{Objects: objs, Motion: motion, Background: background}

	sc := scene{bg: background}
	switch background {
	case "dark":
		sc.bgLevel = float32(0.08 + unif(r, -0.03, 0.03))
	case "light":
		sc.bgLevel = float32(0.88 + unif(r, -0.03, 0.03))
	case "striped":
		sc.bgLevel = float32(0.30 + unif(r, -0.03, 0.03))
		sc.stripeDir = pick(r, []float64{-1, 1})
		sc.stripeOff = unif(r, 0, S)
	}
	sc.paths = make([]path, len(objs))
	for i, o := range objs {
		p := &sc.paths[i]
		p.shape = o.Shape
		base := colorRGB[o.Color]
		for ch := range 3 {
			p.color[ch] = float32(math.Min(1, math.Max(0, float64(base[ch])+unif(r, -0.05, 0.05))))
		}
		frac := smallFrac
		if o.Size == "large" {
			frac = largeFrac
		}
		p.r = frac * S / 2
		p.scale1 = 1
		p.angle0 = unif(r, -10, 10) * math.Pi / 180
		p.angle1 = p.angle0
	}
	placeScene(r, S, motion, sc.paths)
	sc.noiseSeed = r.Uint64()
	clip.scene = sc
	return clip
}

// placeScene draws the motion parameters and positions of the objects so that
// they stay in the frame and apart.
func placeScene(r *rand.Rand, S float64, motion string, ps []path) {
	// Motion parameters shared by the objects of a clip.
	dist := unif(r, 0.30, 0.42) * S // translation distance
	growth := unif(r, 1.7, 1.9)     // grow/shrink factor
	turn := unif(r, 100, 160) * math.Pi / 180 * pick(r, []float64{-1, 1})
	amp := unif(r, 0.30, 0.40) * S // bounce height
	phase := unif(r, 0, math.Pi/2) // bounce phase
	// extent returns the radius an object occupies at most during the clip.
	extent := func(p *path) float64 {
		switch motion {
		case "grow":
			return p.r * growth
		case "rotate":
			return p.r * rotExtent
		}
		return p.r
	}
	for i := range ps {
		p := &ps[i]
		switch motion {
		case "grow":
			p.scale1 = growth
		case "shrink":
			p.scale1 = 1 / growth
		case "rotate":
			p.angle0 = unif(r, 0, 2*math.Pi)
			p.angle1 = p.angle0 + turn
		case "bounce":
			p.bouncePhase = phase
		}
	}
	// The travel of the centre along x and y over the clip.
	var travelX, travelY float64
	switch motion {
	case "left", "right":
		for i := range ps {
			dist = math.Min(dist, S-2*extent(&ps[i]))
		}
		travelX = dist
	case "up", "down":
		for i := range ps {
			dist = math.Min(dist, S-2*extent(&ps[i]))
		}
		travelY = dist
	case "bounce":
		for i := range ps {
			amp = math.Min(amp, S-2*extent(&ps[i]))
		}
		travelY = amp
		for i := range ps {
			ps[i].bounceAmp = amp
		}
	}
	// lowX[i], lowY[i] are the smallest x and y of object i's centre over the clip.
	lowX := make([]float64, len(ps))
	lowY := make([]float64, len(ps))
	free := func(lo []float64, i int, travel float64) {
		e := extent(&ps[i])
		lo[i] = unif(r, e, S-e-travel)
	}
	switch {
	case len(ps) == 1:
		free(lowX, 0, travelX)
		free(lowY, 0, travelY)
	case motion == "grow":
		// Diagonal: one object near a corner, the other near the opposite one.
		e0, e1 := extent(&ps[0]), extent(&ps[1])
		need := 0.95 * (e0 + e1) / math.Sqrt2 // per-axis distance of the centres
		for _, lo := range [][]float64{lowX, lowY} {
			slack := math.Max(0, S-e0-e1-need)
			lo[0] = e0 + unif(r, 0, slack/2)
			lo[1] = S - e1 - unif(r, 0, slack/2)
		}
		if r.IntN(2) == 1 { // the other diagonal
			lowX[0], lowX[1] = S-lowX[0], S-lowX[1]
		}
	default:
		// Side by side along one axis, free along the other.
		alongX := r.IntN(2) == 0
		switch motion {
		case "left", "right":
			alongX = false // one above the other, both moving sideways
		case "up", "down", "bounce":
			alongX = true
		}
		// The separation axis never has travel (see above); the other may.
		sep, other, otherTravel := lowY, lowX, travelX
		if alongX {
			sep, other, otherTravel = lowX, lowY, travelY
		}
		first, second := 0, 1
		if r.IntN(2) == 1 {
			first, second = 1, 0
		}
		e0, e1 := extent(&ps[first]), extent(&ps[second])
		need := 0.95 * (e0 + e1)
		lo, hi := e0, S-e1
		if hi-lo < need {
			sep[first] = (lo + hi - need) / 2
			sep[second] = sep[first] + need
		} else {
			sep[first] = unif(r, lo, hi-need)
			sep[second] = unif(r, sep[first]+need, hi)
		}
		free(other, 0, otherTravel)
		free(other, 1, otherTravel)
	}
	for i := range ps {
		p := &ps[i]
		p.x0, p.y0, p.x1, p.y1 = lowX[i], lowY[i], lowX[i], lowY[i]
		switch motion {
		case "left":
			p.x0 += travelX
		case "right":
			p.x1 += travelX
		case "up":
			p.y0 += travelY
		case "down":
			p.y1 += travelY
		case "bounce":
			p.y0 += travelY // the floor; the object rises by up to amp above it
			p.y1 = p.y0
		}
	}
}
