package synth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// Values of each concept family, in inventory order. Do not modify them.
var (
	// Shapes are the object shapes.
	Shapes = []string{"circle", "square", "triangle", "star", "cross", "diamond", "heart"}
	// Colors are the object colours (saturated hues, all far from the
	// backgrounds' greys in RGB).
	Colors = []string{"red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink"}
	// Sizes are the object sizes at the start of a clip.
	Sizes = []string{"small", "large"}
	// Motions are the motions; a clip's action label is the index of its
	// motion in Motions.
	Motions = []string{"left", "right", "up", "down", "grow", "shrink", "rotate", "bounce"}
	// Counts are the numbers of objects in a clip.
	Counts = []string{"one", "two"}
	// Backgrounds are the backgrounds.
	Backgrounds = []string{"dark", "light", "striped"}
)

// Family names, the part of a concept id before the colon.
const (
	FamilyShape      = "shape"
	FamilyColor      = "color"
	FamilySize       = "size"
	FamilyMotion     = "motion"
	FamilyCount      = "count"
	FamilyBackground = "background"
)

// Family is one concept family and its values.
type Family struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// ConceptFamilies returns the six concept families in a fixed order: shape,
// color, size, motion, count, background.
func ConceptFamilies() []Family {
	return []Family{
		{FamilyShape, slices.Clone(Shapes)},
		{FamilyColor, slices.Clone(Colors)},
		{FamilySize, slices.Clone(Sizes)},
		{FamilyMotion, slices.Clone(Motions)},
		{FamilyCount, slices.Clone(Counts)},
		{FamilyBackground, slices.Clone(Backgrounds)},
	}
}

// Concept returns the concept id "family:value".
func Concept(family, value string) string { return family + ":" + value }

// AllConcepts returns every concept id, family by family in ConceptFamilies
// order, values in inventory order (7+8+2+8+2+3 = 30 concepts).
func AllConcepts() []string {
	var out []string
	for _, f := range ConceptFamilies() {
		for _, v := range f.Values {
			out = append(out, Concept(f.Name, v))
		}
	}
	return out
}

// ActionIndex returns the action label of motion (its index in Motions), or
// -1 if motion is not one.
func ActionIndex(motion string) int { return slices.Index(Motions, motion) }

// rgb is an object colour in [0,1].
type rgb [3]float32

// colorRGB holds the base RGB value of each colour, in Colors order.
var colorRGB = map[string]rgb{
	"red":    {0.88, 0.10, 0.10},
	"orange": {1.00, 0.55, 0.05},
	"yellow": {0.95, 0.90, 0.10},
	"green":  {0.10, 0.72, 0.18},
	"cyan":   {0.05, 0.80, 0.85},
	"blue":   {0.12, 0.25, 0.95},
	"purple": {0.55, 0.12, 0.75},
	"pink":   {1.00, 0.45, 0.75},
}

// ColorRGB returns the base RGB value (in [0,1]) of a colour of Colors; each
// clip jitters it by at most ±0.05 per channel.
func ColorRGB(color string) ([3]float32, bool) {
	c, ok := colorRGB[color]
	return c, ok
}

// --- Grammar tables -------------------------------------------------------

// noun is a shape word with its plural.
type noun struct{ sg, pl string }

// shapeNouns are the synonyms of each shape. The concept word of a
// multi-word noun is the word the lexicon knows ("spiky", "plus", "heart").
var shapeNouns = map[string][]noun{
	"circle":   {{"circle", "circles"}, {"ball", "balls"}, {"disc", "discs"}, {"disk", "disks"}, {"dot", "dots"}},
	"square":   {{"square", "squares"}, {"box", "boxes"}, {"block", "blocks"}, {"tile", "tiles"}},
	"triangle": {{"triangle", "triangles"}, {"pyramid", "pyramids"}, {"wedge", "wedges"}},
	"star":     {{"star", "stars"}, {"pentagram", "pentagrams"}, {"starburst", "starbursts"}, {"spiky shape", "spiky shapes"}},
	"cross":    {{"cross", "crosses"}, {"plus sign", "plus signs"}, {"crosshair", "crosshairs"}, {"plus shape", "plus shapes"}},
	"diamond":  {{"diamond", "diamonds"}, {"rhombus", "rhombuses"}, {"lozenge", "lozenges"}, {"kite", "kites"}},
	"heart":    {{"heart", "hearts"}, {"love heart", "love hearts"}, {"valentine", "valentines"}},
}

// genericNouns stand for an object whose shape a caption omits; they are
// not concept words.
var genericNouns = []noun{{"object", "objects"}, {"shape", "shapes"}, {"thing", "things"}, {"figure", "figures"}}

// colorWords are the synonyms of each colour (adjectives).
var colorWords = map[string][]string{
	"red":    {"red", "crimson", "scarlet"},
	"orange": {"orange", "tangerine", "amber"},
	"yellow": {"yellow", "golden", "lemon"},
	"green":  {"green", "emerald", "lime"},
	"cyan":   {"cyan", "turquoise", "aqua", "teal"},
	"blue":   {"blue", "cobalt", "azure", "sapphire"},
	"purple": {"purple", "violet", "plum"},
	"pink":   {"pink", "fuchsia", "magenta"},
}

// sizeWords are the synonyms of each size (adjectives).
var sizeWords = map[string][]string{
	"small": {"small", "little", "tiny"},
	"large": {"large", "big", "huge"},
}

// countWords are the determiners that state a count explicitly.
var countWords = map[string][]string{
	"one": {"one", "a single", "a lone", "just one"},
	"two": {"two", "a pair of", "a couple of"},
}

// bothWord marks two different objects doing the same thing ("a red ball and
// a blue box both rise"); it is a count:two word.
const bothWord = "both"

// backgroundWords are the adjectives of each background ("on a dark
// background", "the background is dark").
var backgroundWords = map[string][]string{
	"dark":    {"dark", "black", "dim"},
	"light":   {"light", "white", "pale"},
	"striped": {"striped", "stripy", "banded"},
}

// verb is an English verb with the forms the grammar uses.
type verb struct{ base, third, ing, past string }

var (
	vMove     = verb{"move", "moves", "moving", "moved"}
	vSlide    = verb{"slide", "slides", "sliding", "slid"}
	vGo       = verb{"go", "goes", "going", "went"}
	vTravel   = verb{"travel", "travels", "travelling", "travelled"}
	vDrift    = verb{"drift", "drifts", "drifting", "drifted"}
	vGlide    = verb{"glide", "glides", "gliding", "glided"}
	vHead     = verb{"head", "heads", "heading", "headed"}
	vFloat    = verb{"float", "floats", "floating", "floated"}
	vGet      = verb{"get", "gets", "getting", "got"}
	vBecome   = verb{"become", "becomes", "becoming", "became"}
	vRise     = verb{"rise", "rises", "rising", "rose"}
	vClimb    = verb{"climb", "climbs", "climbing", "climbed"}
	vAscend   = verb{"ascend", "ascends", "ascending", "ascended"}
	vFall     = verb{"fall", "falls", "falling", "fell"}
	vDrop     = verb{"drop", "drops", "dropping", "dropped"}
	vSink     = verb{"sink", "sinks", "sinking", "sank"}
	vDescend  = verb{"descend", "descends", "descending", "descended"}
	vGrow     = verb{"grow", "grows", "growing", "grew"}
	vExpand   = verb{"expand", "expands", "expanding", "expanded"}
	vEnlarge  = verb{"enlarge", "enlarges", "enlarging", "enlarged"}
	vSwell    = verb{"swell", "swells", "swelling", "swelled"}
	vShrink   = verb{"shrink", "shrinks", "shrinking", "shrank"}
	vContract = verb{"contract", "contracts", "contracting", "contracted"}
	vDwindle  = verb{"dwindle", "dwindles", "dwindling", "dwindled"}
	vRotate   = verb{"rotate", "rotates", "rotating", "rotated"}
	vSpin     = verb{"spin", "spins", "spinning", "spun"}
	vTurn     = verb{"turn", "turns", "turning", "turned"}
	vTwirl    = verb{"twirl", "twirls", "twirling", "twirled"}
	vBounce   = verb{"bounce", "bounces", "bouncing", "bounced"}
	vHop      = verb{"hop", "hops", "hopping", "hopped"}
	vJump     = verb{"jump", "jumps", "jumping", "jumped"}
	vBob      = verb{"bob", "bobs", "bobbing", "bobbed"}
)

// verbPhrase is a verb and its complement ("slide" + "to the left").
type verbPhrase struct {
	v    verb
	comp string
}

// motionPhrases are the synonyms of each motion.
var motionPhrases = map[string][]verbPhrase{
	"left": {{vMove, "left"}, {vMove, "to the left"}, {vSlide, "to the left"}, {vSlide, "left"}, {vGo, "leftwards"},
		{vTravel, "left"}, {vDrift, "leftward"}, {vGlide, "towards the left"}, {vHead, "left"}},
	"right": {{vMove, "right"}, {vMove, "to the right"}, {vSlide, "to the right"}, {vSlide, "right"}, {vGo, "rightwards"},
		{vTravel, "right"}, {vDrift, "rightward"}, {vGlide, "towards the right"}, {vHead, "right"}},
	"up": {{vMove, "up"}, {vGo, "upwards"}, {vRise, ""}, {vClimb, ""}, {vClimb, "upward"}, {vFloat, "up"},
		{vAscend, ""}, {vDrift, "upwards"}, {vTravel, "upward"}},
	"down": {{vMove, "down"}, {vGo, "downwards"}, {vFall, ""}, {vDrop, ""}, {vSink, ""}, {vDescend, ""},
		{vSlide, "down"}, {vFall, "downward"}, {vDrift, "downwards"}},
	"grow": {{vGrow, ""}, {vGet, "bigger"}, {vExpand, ""}, {vEnlarge, ""}, {vSwell, ""}, {vBecome, "larger"},
		{vGrow, "larger"}, {vGrow, "in size"}},
	"shrink": {{vShrink, ""}, {vGet, "smaller"}, {vContract, ""}, {vBecome, "smaller"}, {vDwindle, ""},
		{vShrink, "in size"}, {vGet, "smaller and smaller"}},
	"rotate": {{vRotate, ""}, {vSpin, ""}, {vTurn, "around"}, {vTwirl, ""}, {vSpin, "around"}, {vRotate, "in place"},
		{vTurn, "in place"}},
	"bounce": {{vBounce, ""}, {vHop, ""}, {vJump, "around"}, {vBounce, "around"}, {vBob, ""}, {vHop, "about"},
		{vBounce, "along"}},
}

// conceptVerbs are verbs that on their own name a motion; all their forms
// are concept words. Other verbs (move, slide, go, get, …) are not.
var conceptVerbs = map[string][]verb{
	"up":     {vRise, vClimb, vAscend},
	"down":   {vFall, vDrop, vSink, vDescend},
	"grow":   {vGrow, vExpand, vEnlarge, vSwell},
	"shrink": {vShrink, vContract, vDwindle},
	"rotate": {vRotate, vSpin, vTurn, vTwirl},
	"bounce": {vBounce, vHop, vJump, vBob},
}

// motionWords are the other words that name a motion (directions, comparatives).
var motionWords = map[string][]string{
	"left":   {"left", "leftward", "leftwards"},
	"right":  {"right", "rightward", "rightwards"},
	"up":     {"up", "upward", "upwards"},
	"down":   {"down", "downward", "downwards"},
	"grow":   {"bigger", "larger"},
	"shrink": {"smaller"},
}

// offTopic are captions that name no concept, as careless annotators write.
var offTopic = []string{
	"this video is short",
	"something is happening",
	"a short computer animation",
	"i am not sure what this is",
	"a simple animated clip",
	"nothing much happens in this video",
	"an abstract cartoon",
	"the video plays for a moment",
	"some kind of test pattern",
	"a clip made by a computer",
}

// --- Lexicon ---------------------------------------------------------------

// lexicon maps a word (a corpus.Tokenize token) to its concept id.
var lexicon = buildLexicon()

func buildLexicon() map[string]string {
	lex := map[string]string{}
	add := func(word, concept string) {
		if old, ok := lex[word]; ok && old != concept {
			panic(fmt.Sprintf("synth: lexicon word %q names both %s and %s", word, old, concept))
		}
		lex[word] = concept
	}
	for shape, ns := range shapeNouns {
		for _, n := range ns {
			// The concept word of a multi-word noun is its non-generic word.
			for _, form := range []string{n.sg, n.pl} {
				for _, w := range strings.Fields(form) {
					if !genericWord(w) && w != "love" && w != "sign" && w != "signs" {
						add(w, Concept(FamilyShape, shape))
					}
				}
			}
		}
	}
	for c, ws := range colorWords {
		for _, w := range ws {
			add(w, Concept(FamilyColor, c))
		}
	}
	for s, ws := range sizeWords {
		for _, w := range ws {
			add(w, Concept(FamilySize, s))
		}
	}
	for n, ws := range countWords {
		for _, phrase := range ws {
			// The last word is the count word: "a pair of" → "pair", "just one" → "one".
			for _, w := range strings.Fields(phrase) {
				if w != "a" && w != "of" && w != "just" {
					add(w, Concept(FamilyCount, n))
				}
			}
		}
	}
	add(bothWord, Concept(FamilyCount, "two"))
	for b, ws := range backgroundWords {
		for _, w := range ws {
			add(w, Concept(FamilyBackground, b))
		}
	}
	add("stripes", Concept(FamilyBackground, "striped"))
	for m, vs := range conceptVerbs {
		for _, v := range vs {
			for _, w := range []string{v.base, v.third, v.ing, v.past} {
				add(w, Concept(FamilyMotion, m))
			}
		}
	}
	for m, ws := range motionWords {
		for _, w := range ws {
			add(w, Concept(FamilyMotion, m))
		}
	}
	return lex
}

func genericWord(w string) bool {
	for _, n := range genericNouns {
		if w == n.sg || w == n.pl {
			return true
		}
	}
	return false
}

// WordConcept returns the concept id a single word names ("crimson" →
// "color:red", "shrank" → "motion:shrink", "boxes" → "shape:square"), or ""
// if the word names none. The word is matched as corpus.Tokenize would
// produce it (lower case, no punctuation).
func WordConcept(word string) string { return lexicon[strings.ToLower(word)] }

// Lexicon returns a copy of the whole word → concept map.
func Lexicon() map[string]string {
	out := make(map[string]string, len(lexicon))
	for w, c := range lexicon {
		out[w] = c
	}
	return out
}

// ConceptsInCaption returns the concept ids that the words of caption name,
// sorted in AllConcepts order, without duplicates. The caption is split with
// corpus.Tokenize, the tokenizer every stage uses.
func ConceptsInCaption(caption string) []string {
	seen := map[string]bool{}
	for _, tok := range corpus.Tokenize(caption) {
		if c := lexicon[tok]; c != "" {
			seen[c] = true
		}
	}
	return sortConcepts(seen)
}

// conceptRank orders concept ids as AllConcepts does.
var conceptRank = func() map[string]int {
	r := map[string]int{}
	for i, c := range AllConcepts() {
		r[c] = i
	}
	return r
}()

func sortConcepts(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b string) int { return conceptRank[a] - conceptRank[b] })
	return out
}

// Synonyms returns the surface forms the grammar uses for a concept id: the
// nouns of a shape ("circle", "ball", "disc", …), the adjectives of a colour,
// size or background, the verb phrases of a motion in the third person
// ("moves left", "slides to the left", …), the count determiners. It returns
// nil for an unknown concept.
func Synonyms(concept string) []string {
	family, value, _ := strings.Cut(concept, ":")
	var out []string
	switch family {
	case FamilyShape:
		for _, n := range shapeNouns[value] {
			out = append(out, n.sg)
		}
	case FamilyColor:
		out = slices.Clone(colorWords[value])
	case FamilySize:
		out = slices.Clone(sizeWords[value])
	case FamilyMotion:
		for _, p := range motionPhrases[value] {
			out = append(out, strings.TrimSpace(p.v.third+" "+p.comp))
		}
	case FamilyCount:
		out = slices.Clone(countWords[value])
		if value == "two" {
			out = append(out, bothWord)
		}
	case FamilyBackground:
		out = slices.Clone(backgroundWords[value])
		if value == "striped" {
			out = append(out, "with stripes")
		}
	}
	return out
}
