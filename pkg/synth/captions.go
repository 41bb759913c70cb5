package synth

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// facts is what a caption may say about a clip: its concepts and nothing
// else (no action label, no trajectory).
type facts struct {
	objs       []Object
	motion     string
	background string
}

func factsOf(c *Clip) facts {
	return facts{objs: slices.Clone(c.Objects), motion: c.Motion, background: c.Background}
}

// mention says which families a caption names. The motion is always named.
type mention struct {
	shape, color, size, count, background bool
}

// Probabilities of naming each family in a caption.
const (
	pMentionShape      = 0.90
	pMentionColor      = 0.75
	pMentionSize       = 0.45
	pMentionBackground = 0.30
	pCountOne          = 0.15 // "a single red ball" for one object
	pCountBoth         = 0.40 // "… both move up" for two different objects
	pOffTopic          = 0.40 // share of noisy captions that are off-topic
)

func sampleMention(r *rand.Rand, nObjs int) mention {
	m := mention{
		shape:      r.Float64() < pMentionShape,
		color:      r.Float64() < pMentionColor,
		size:       r.Float64() < pMentionSize,
		background: r.Float64() < pMentionBackground,
	}
	if nObjs == 1 {
		m.count = r.Float64() < pCountOne
	} else {
		m.count = r.Float64() < pCountBoth
	}
	return m
}

// makeCaptions writes n captions of f; a noiseRate fraction of them (on
// average) are off-topic or wrong in one family, as kinds records.
func makeCaptions(r *rand.Rand, f facts, n int, noiseRate float64) ([]string, []NoiseKind) {
	caps := make([]string, n)
	kinds := make([]NoiseKind, n)
	for k := range n {
		m := sampleMention(r, len(f.objs))
		g := f
		if r.Float64() < noiseRate {
			if r.Float64() < pOffTopic {
				caps[k], kinds[k] = finish(r, pick(r, offTopic)), NoiseOffTopic
				continue
			}
			family := pick(r, wrongFamilies(f))
			g, m = corrupt(r, f, family, m)
			kinds[k] = NoiseWrong(family)
		}
		caps[k] = finish(r, sentence(r, g, m))
	}
	return caps, kinds
}

// wrongFamilies lists the families in which a caption of f can be wrong: a
// family with a value that is not in the clip.
func wrongFamilies(f facts) []string {
	fams := []string{FamilyShape, FamilyColor, FamilyMotion, FamilyCount, FamilyBackground}
	if len(f.objs) == 1 || f.objs[0].Size == f.objs[1].Size {
		fams = append(fams, FamilySize)
	}
	return fams
}

// otherValue picks a value of values that is not in present.
func otherValue(r *rand.Rand, values []string, present ...string) string {
	var cand []string
	for _, v := range values {
		if !slices.Contains(present, v) {
			cand = append(cand, v)
		}
	}
	return pick(r, cand)
}

// corrupt returns f with one value of family replaced by a value not in the
// clip, and m forced to name that family.
func corrupt(r *rand.Rand, f facts, family string, m mention) (facts, mention) {
	g := facts{objs: slices.Clone(f.objs), motion: f.motion, background: f.background}
	var shapes, colors, sizes []string
	for _, o := range f.objs {
		shapes, colors, sizes = append(shapes, o.Shape), append(colors, o.Color), append(sizes, o.Size)
	}
	switch family {
	case FamilyShape:
		g.objs[0].Shape = otherValue(r, Shapes, shapes...)
		m.shape = true
	case FamilyColor:
		g.objs[0].Color = otherValue(r, Colors, colors...)
		m.color = true
	case FamilySize:
		g.objs[0].Size = otherValue(r, Sizes, sizes...)
		m.size = true
	case FamilyMotion:
		g.motion = otherValue(r, Motions, f.motion)
	case FamilyCount:
		if len(f.objs) == 1 {
			g.objs = []Object{f.objs[0], f.objs[0]}
		} else {
			g.objs = g.objs[:1]
		}
		m.count = true
	case FamilyBackground:
		g.background = otherValue(r, Backgrounds, f.background)
		m.background = true
	}
	return g, m
}

// finish capitalises a quarter of the captions and ends them with a full stop,
// as some annotators do.
func finish(r *rand.Rand, s string) string {
	if r.Float64() < 0.25 {
		return strings.ToUpper(s[:1]) + s[1:] + "."
	}
	return s
}

// words is a sentence under construction.
type words []string

func (w *words) add(ws ...string) {
	for _, x := range ws {
		if x != "" {
			*w = append(*w, x)
		}
	}
}

// text joins the words and fixes "a" before a vowel ("an orange ball").
func (w words) text() string {
	out := slices.Clone(w)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "a" && strings.ContainsRune("aeiou", rune(out[i+1][0])) {
			out[i] = "an"
		}
	}
	return strings.Join(out, " ")
}

// objectWords picks the adjectives and noun of one object.
type objectWords struct {
	size, color, sg, pl string
}

func chooseWords(r *rand.Rand, o Object, m mention) objectWords {
	var w objectWords
	if m.size {
		w.size = pick(r, sizeWords[o.Size])
	}
	if m.color {
		w.color = pick(r, colorWords[o.Color])
	}
	n := pick(r, genericNouns)
	if m.shape {
		n = pick(r, shapeNouns[o.Shape])
	}
	w.sg, w.pl = n.sg, n.pl
	return w
}

// sameDescription reports whether two objects look alike in what m names.
func sameDescription(a, b Object, m mention) bool {
	return (!m.shape || a.Shape == b.Shape) && (!m.color || a.Color == b.Color) && (!m.size || a.Size == b.Size)
}

// subject is the noun phrase of a caption and how the verb must agree.
type subject struct {
	np     string
	plural bool
	both   bool // two different objects: "… both move"
	// colorLater is the colour word moved to a final clause ("… and it is red").
	colorLater string
}

// makeSubject builds the noun phrase for the objects of f.
// indefinite forbids "the" ("there is a ball", not "there is the ball").
func makeSubject(r *rand.Rand, f facts, m mention, indefinite bool) subject {
	var s subject
	var w words
	// Sometimes the colour comes last: "a ball rises and it is red".
	moveColor := m.color && r.Float64() < 0.1
	// Sometimes after the noun: "a small ball in crimson".
	postColor := m.color && !moveColor && r.Float64() < 0.1
	np := func(det string, ow objectWords, plural bool) {
		n := ow.sg
		if plural {
			n = ow.pl
		}
		w.add(det, ow.size)
		if !moveColor && !postColor {
			w.add(ow.color)
		}
		w.add(n)
		if postColor {
			w.add("in", ow.color)
		}
	}
	article := func() string {
		if !indefinite && r.Float64() < 0.25 {
			return "the"
		}
		return "a"
	}
	switch {
	case len(f.objs) == 1:
		ow := chooseWords(r, f.objs[0], m)
		det := article()
		if m.count {
			det = pick(r, countWords["one"])
		}
		np(det, ow, false)
		if moveColor {
			s.colorLater = ow.color
		}
	case sameDescription(f.objs[0], f.objs[1], m):
		ow := chooseWords(r, f.objs[0], m)
		np(pick(r, countWords["two"]), ow, true)
		s.plural = true
		if moveColor {
			s.colorLater = ow.color
		}
	default:
		moveColor = false
		np(article(), chooseWords(r, f.objs[0], m), false)
		w.add("and")
		np(article(), chooseWords(r, f.objs[1], m), false)
		s.plural, s.both = true, m.count
	}
	s.np = w.text()
	return s
}

// sentence writes one caption naming the concepts of f that m selects.
func sentence(r *rand.Rand, f facts, m mention) string {
	form := pickWeighted(r, []float64{4, 2, 1, 1.5, 1.5, 0.4, 0.6})
	subj := makeSubject(r, f, m, form == 3)
	vp := pick(r, motionPhrases[f.motion])
	be, thereBe := "is", "there is"
	if subj.plural {
		be, thereBe = "are", "there are"
	}
	both := ""
	if subj.both {
		both = bothWord
	}
	present := vp.v.third
	if subj.plural {
		present = vp.v.base
	}
	var w words
	switch form {
	case 0: // a red circle moves to the left
		w.add(subj.np, both, present, vp.comp)
	case 1: // the crimson ball is sliding leftwards
		w.add(subj.np, be, both, vp.v.ing, vp.comp)
	case 2: // a red ball moved left
		w.add(subj.np, both, vp.v.past, vp.comp)
	case 3: // there is a small red disc that slides left
		w.add(thereBe, subj.np, pick(r, []string{"that", "which"}), both, present, vp.comp)
	case 4: // we see a red ball moving left
		w.add(pick(r, []string{"we see", "you can see", "the video shows", "this clip shows", "an animation of", "a video of"}),
			subj.np, both, vp.v.ing, vp.comp)
	case 5: // moving left is a red circle
		w.add(vp.v.ing, vp.comp, be, subj.np)
	case 6: // a red ball can be seen moving left
		w.add(subj.np, "can be seen", both, vp.v.ing, vp.comp)
	}
	main := w.text()
	if m.background {
		bg := backgroundPhrase(r, f.background)
		switch where := r.Float64(); {
		case where < 0.4:
			sep := " "
			if r.IntN(2) == 0 {
				sep = ", "
			}
			main = bg + sep + main
		case where < 0.8 || subj.colorLater != "":
			main += " " + bg
		default:
			adj := pick(r, backgroundWords[f.background])
			main += pick(r, []string{" and the background is ", ". the background is ", ", the background is "}) + adj
		}
	}
	if subj.colorLater != "" {
		pron := " and it is "
		if subj.plural {
			pron = " and they are "
		}
		main += pron + subj.colorLater
	}
	return main
}

// backgroundPhrase writes a prepositional phrase naming background b.
func backgroundPhrase(r *rand.Rand, b string) string {
	prep := pick(r, []string{"on", "against", "in front of", "over"})
	if b == "striped" && r.Float64() < 0.25 {
		return prep + " a background with stripes"
	}
	w := words{prep, "a", pick(r, backgroundWords[b]), pick(r, []string{"background", "backdrop"})}
	return w.text()
}

// pickWeighted returns an index drawn with the given weights.
func pickWeighted(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, x := range weights {
		total += x
	}
	u := r.Float64() * total
	for i, x := range weights {
		if u < x {
			return i
		}
		u -= x
	}
	return len(weights) - 1
}
