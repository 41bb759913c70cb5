package synth

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

// defaultCorpus is the default corpus (no frames rendered), generated once.
var defaultCorpus = sync.OnceValues(func() (*Corpus, error) { return Generate(DefaultConfig()) })

func mustDefault(t testing.TB) *Corpus {
	t.Helper()
	c, err := defaultCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want []string // substrings of the error; none = valid
	}{
		{"default", func(*Config) {}, nil},
		{"tiny valid", func(c *Config) { c.Size, c.Frames, c.Train, c.Val, c.Test, c.CaptionsPerClip = 16, 4, 1, 0, 0, 1 }, nil},
		{"size too small", func(c *Config) { c.Size = 8 }, []string{"Size = 8", "16..256"}},
		{"size too large", func(c *Config) { c.Size = 1024 }, []string{"Size = 1024"}},
		{"too few frames", func(c *Config) { c.Frames = 2 }, []string{"Frames = 2", "4..256"}},
		{"negative train", func(c *Config) { c.Train = -1 }, []string{"Train = -1", "≥ 0"}},
		{"negative test", func(c *Config) { c.Test = -5 }, []string{"Test = -5"}},
		{"no clips", func(c *Config) { c.Train, c.Val, c.Test = 0, 0, 0 }, []string{"at least one clip"}},
		{"too many clips", func(c *Config) { c.Train = MaxClips }, []string{"at most"}},
		{"no captions", func(c *Config) { c.CaptionsPerClip = 0 }, []string{"CaptionsPerClip = 0"}},
		{"noise rate > 1", func(c *Config) { c.NoiseRate = 1.5 }, []string{"NoiseRate = 1.5", "[0, 1]"}},
		{"noise rate NaN", func(c *Config) { c.NoiseRate = math.NaN() }, []string{"NoiseRate = NaN"}},
		{"two-object rate < 0", func(c *Config) { c.TwoObjectRate = -0.1 }, []string{"TwoObjectRate = -0.1"}},
		{"pixel noise too big", func(c *Config) { c.PixelNoise = 0.7 }, []string{"PixelNoise = 0.7", "[0, 0.5]"}},
		{"several at once", func(c *Config) { c.Size, c.Frames = 4, 1 }, []string{"Size = 4", "Frames = 1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.edit(&cfg)
			err := cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			if _, gerr := Generate(cfg); gerr == nil {
				t.Errorf("Generate accepted an invalid config")
			}
		})
	}
}

// TestDefaultCorpusCoverage checks that the default corpus holds every
// concept, the requested split sizes and caption counts, and the clip rules.
func TestDefaultCorpusCoverage(t *testing.T) {
	c := mustDefault(t)
	cfg := c.Config
	if len(c.Clips) != cfg.Train+cfg.Val+cfg.Test {
		t.Fatalf("%d clips, want %d", len(c.Clips), cfg.NumClips())
	}
	for _, s := range Splits {
		if got, want := len(c.SplitClips(s)), cfg.splitSize(s); got != want {
			t.Errorf("split %s has %d clips, want %d", s, got, want)
		}
	}
	seen := map[string]int{}
	ids := map[string]bool{}
	two := 0
	for i := range c.Clips {
		clip := &c.Clips[i]
		if ids[clip.ID] {
			t.Fatalf("duplicate clip id %s", clip.ID)
		}
		ids[clip.ID] = true
		if n := len(clip.Captions); n < 10 || n != cfg.CaptionsPerClip || len(clip.Noise) != n {
			t.Fatalf("%s: %d captions and %d noise flags, want %d", clip.ID, n, len(clip.Noise), cfg.CaptionsPerClip)
		}
		for _, id := range clip.Concepts() {
			seen[id]++
		}
		if a := clip.Action(); a < 0 || a >= len(Motions) || Motions[a] != clip.Motion {
			t.Fatalf("%s: action %d does not name motion %s", clip.ID, a, clip.Motion)
		}
		if len(clip.Objects) == 2 {
			two++
			if clip.Motion == "grow" && (clip.Objects[0].Size != "small" || clip.Objects[1].Size != "small") {
				t.Errorf("%s: two growing objects must both be small: %v", clip.ID, clip.Objects)
			}
		}
		if clip.Motion == "rotate" {
			for _, o := range clip.Objects {
				if o.Shape == "circle" {
					t.Errorf("%s: a rotating circle (rotation would not show)", clip.ID)
				}
			}
		}
	}
	for _, id := range AllConcepts() {
		if seen[id] == 0 {
			t.Errorf("concept %s never occurs in the default corpus", id)
		}
	}
	if rate := float64(two) / float64(len(c.Clips)); math.Abs(rate-cfg.TwoObjectRate) > 0.03 {
		t.Errorf("two-object rate %.3f, want %.2f ± 0.03", rate, cfg.TwoObjectRate)
	}
	if len(AllConcepts()) != 30 {
		t.Errorf("%d concepts, want 30", len(AllConcepts()))
	}
}

// TestCaptionsMatchGroundTruth checks every caption of the default corpus
// against its clip through the lexicon, and the rate of noisy captions.
func TestCaptionsMatchGroundTruth(t *testing.T) {
	c := mustDefault(t)
	total, noisy, offTopics := 0, 0, 0
	wrongByFamily := map[string]int{}
	for i := range c.Clips {
		clip := &c.Clips[i]
		truth := clip.Concepts()
		motion := Concept(FamilyMotion, clip.Motion)
		for k, s := range clip.Captions {
			total++
			got := ConceptsInCaption(s)
			kind := clip.Noise[k]
			var extra []string
			for _, id := range got {
				if !slices.Contains(truth, id) {
					extra = append(extra, id)
				}
			}
			switch {
			case kind == NoiseNone:
				if len(extra) > 0 {
					t.Fatalf("%s: clean caption %q names %v, not in the clip (%v)", clip.ID, s, extra, truth)
				}
				if !slices.Contains(got, motion) {
					t.Fatalf("%s: clean caption %q does not name the motion %s", clip.ID, s, motion)
				}
			case kind == NoiseOffTopic:
				noisy++
				offTopics++
				if len(got) > 0 {
					t.Fatalf("%s: off-topic caption %q names concepts %v", clip.ID, s, got)
				}
			default:
				noisy++
				fam := kind.WrongFamily()
				wrongByFamily[fam]++
				ok := false
				for _, id := range extra {
					if strings.HasPrefix(id, fam+":") {
						ok = true
					}
				}
				if !ok {
					t.Fatalf("%s: caption %q marked %s names no wrong %s (names %v, clip has %v)", clip.ID, s, kind, fam, got, truth)
				}
				for _, id := range extra {
					if !strings.HasPrefix(id, fam+":") {
						t.Fatalf("%s: caption %q marked %s is also wrong in %s", clip.ID, s, kind, id)
					}
				}
			}
		}
	}
	if total < 10000 {
		t.Fatalf("only %d captions", total)
	}
	rate := float64(noisy) / float64(total)
	if want := c.Config.NoiseRate; math.Abs(rate-want) > 0.01 {
		t.Errorf("noisy caption rate %.4f over %d captions, want %.2f ± 0.01", rate, total, want)
	}
	if share := float64(offTopics) / float64(noisy); math.Abs(share-pOffTopic) > 0.05 {
		t.Errorf("off-topic share of noisy captions %.3f, want %.2f ± 0.05", share, pOffTopic)
	}
	for _, fam := range []string{FamilyShape, FamilyColor, FamilySize, FamilyMotion, FamilyCount, FamilyBackground} {
		if wrongByFamily[fam] == 0 {
			t.Errorf("no caption is wrong in family %s", fam)
		}
	}
	t.Logf("%d captions, %.4f noisy (%d off-topic), wrong by family %v", total, rate, offTopics, wrongByFamily)
}

// TestCaptionVariety checks that the grammar really varies: many distinct
// captions, omissions, both orders of background phrases, counts.
func TestCaptionVariety(t *testing.T) {
	c := mustDefault(t)
	distinct := map[string]bool{}
	has := map[string]int{}
	n := 0
	for i := range c.Clips[:2000] {
		clip := &c.Clips[i]
		for k, s := range clip.Captions {
			if clip.Noise[k].Noisy() {
				continue
			}
			n++
			distinct[s] = true
			got := ConceptsInCaption(s)
			fams := map[string]bool{}
			for _, id := range got {
				fam, _, _ := strings.Cut(id, ":")
				fams[fam] = true
			}
			for _, fam := range []string{FamilyColor, FamilySize, FamilyBackground, FamilyShape} {
				if !fams[fam] {
					has["no "+fam]++
				}
			}
			lower := strings.ToLower(s)
			for _, w := range []string{"two ", " and a ", "there is", "there are", " is ", "ing ", "the background is", "on a ", "against a "} {
				if strings.Contains(lower, w) {
					has[w]++
				}
			}
			if strings.Contains(lower, "background") || strings.Contains(lower, "backdrop") {
				if strings.HasPrefix(lower, "on ") || strings.HasPrefix(lower, "against ") ||
					strings.HasPrefix(lower, "over ") || strings.HasPrefix(lower, "in front of ") {
					has["background first"]++
				} else {
					has["background later"]++
				}
			}
		}
	}
	if float64(len(distinct)) < 0.8*float64(n) {
		t.Errorf("only %d distinct captions of %d", len(distinct), n)
	}
	for _, key := range []string{"no color", "no size", "no background", "no shape", "two ", " and a ", "there is", "there are",
		" is ", "the background is", "on a ", "against a ", "background first", "background later"} {
		if has[key] < 10 {
			t.Errorf("form %q occurs %d times in %d clean captions; want variety", key, has[key], n)
		}
	}
}

// TestSynonyms checks the grammar tables: ≥ 3 synonyms per concept, each
// read back by the lexicon as exactly its concept.
func TestSynonyms(t *testing.T) {
	for _, id := range AllConcepts() {
		syn := Synonyms(id)
		if len(syn) < 3 {
			t.Errorf("%s has %d synonyms %q, want ≥ 3", id, len(syn), syn)
		}
		for _, s := range syn {
			if got := ConceptsInCaption(s); !slices.Equal(got, []string{id}) {
				t.Errorf("synonym %q of %s reads back as %v", s, id, got)
			}
		}
	}
	for shape, ns := range shapeNouns {
		for _, n := range ns {
			for _, form := range []string{n.sg, n.pl} {
				if got := ConceptsInCaption(form); !slices.Equal(got, []string{Concept(FamilyShape, shape)}) {
					t.Errorf("noun %q of %s reads back as %v", form, shape, got)
				}
			}
		}
	}
	if Synonyms("shape:hexagon") != nil || Synonyms("nonsense") != nil {
		t.Error("Synonyms of an unknown concept should be nil")
	}
}

// TestLexicon checks that every lexicon word names a known concept, that
// every concept has words, and that the grammar's function words name none.
func TestLexicon(t *testing.T) {
	lex := Lexicon()
	known := map[string]bool{}
	for _, id := range AllConcepts() {
		known[id] = true
	}
	words := map[string]int{}
	for w, id := range lex {
		if !known[id] {
			t.Errorf("word %q names unknown concept %q", w, id)
		}
		if w != strings.ToLower(w) || strings.ContainsAny(w, " -") {
			t.Errorf("lexicon word %q is not a single lower-case token", w)
		}
		words[id]++
	}
	for id := range known {
		if words[id] == 0 {
			t.Errorf("concept %s has no word", id)
		}
	}
	function := []string{"a", "an", "the", "is", "are", "there", "that", "which", "we", "see", "you", "can", "be", "seen",
		"video", "shows", "clip", "this", "animation", "of", "and", "it", "they", "background", "backdrop", "on", "against",
		"in", "front", "over", "with", "to", "towards", "around", "about", "along", "place", "size", "just", "love", "sign"}
	for _, n := range genericNouns {
		function = append(function, n.sg, n.pl)
	}
	for _, v := range []verb{vMove, vSlide, vGo, vTravel, vDrift, vGlide, vHead, vFloat, vGet, vBecome} {
		function = append(function, v.base, v.third, v.ing, v.past)
	}
	for _, w := range function {
		if id := WordConcept(w); id != "" {
			t.Errorf("function word %q names %s", w, id)
		}
	}
	for _, s := range offTopic {
		if got := ConceptsInCaption(s); len(got) > 0 {
			t.Errorf("off-topic caption %q names %v", s, got)
		}
	}
	cases := map[string][]string{
		"Two CRIMSON boxes are sliding leftwards.":       {"shape:square", "color:red", "motion:left", "count:two"},
		"on a dark background a red ball moves left":     {"shape:circle", "color:red", "motion:left", "background:dark"},
		"a tiny teal love heart shrank, it's on stripes": {"shape:heart", "color:cyan", "size:small", "motion:shrink", "background:striped"},
		"something is happening":                         {},
	}
	for s, want := range cases {
		if got := ConceptsInCaption(s); !slices.Equal(got, want) {
			t.Errorf("ConceptsInCaption(%q) = %v, want %v", s, got, want)
		}
	}
	if WordConcept("Scarlet") != "color:red" || WordConcept("rose") != "motion:up" || WordConcept("pixel") != "" {
		t.Error("WordConcept mismatch")
	}
}

func TestCaptionsView(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Train, cfg.Val, cfg.Test = 7, 3, 2
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	caps := c.Captions()
	if caps.NumCaptions() != 12*cfg.CaptionsPerClip || len(caps.Clips) != 12 {
		t.Fatalf("%d captions of %d clips", caps.NumCaptions(), len(caps.Clips))
	}
	for split, n := range map[string]int{"train": 7, "val": 3, "test": 2} {
		if len(caps.Splits[split]) != n {
			t.Errorf("split %s: %d clips, want %d", split, len(caps.Splits[split]), n)
		}
	}
	for i := range c.Clips {
		clip := &c.Clips[i]
		if caps.Category[clip.ID] != clip.Action() || !slices.Equal(caps.ByClip[clip.ID], clip.Captions) {
			t.Errorf("%s: caption view disagrees with the clip", clip.ID)
		}
	}
}

// TestSplitsIndependent checks that a split's clips depend only on the seed
// and their index, not on the size of the other splits.
func TestSplitsIndependent(t *testing.T) {
	a := DefaultConfig()
	a.Train, a.Val, a.Test = 20, 5, 5
	b := a
	b.Train = 11
	ca, err := Generate(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := Generate(b)
	if err != nil {
		t.Fatal(err)
	}
	va, vb := ca.SplitClips(SplitVal), cb.SplitClips(SplitVal)
	for k := range va {
		x, y := &ca.Clips[va[k]], &cb.Clips[vb[k]]
		if !slices.Equal(x.Captions, y.Captions) || !slices.Equal(x.Concepts(), y.Concepts()) {
			t.Errorf("val clip %d differs when Train changes", k)
		}
	}
}
