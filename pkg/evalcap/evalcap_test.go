package evalcap

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// cocoRefs and cocoCands are the example whose pycocoevalcap scores are
// listed in cocoWant.
var (
	cocoRefs = map[string][]string{
		"vid1": {"a man is slicing a tomato", "a man cuts a tomato with a knife", "someone is slicing tomatoes"},
		"vid2": {"a dog is running in a park", "a dog runs on the grass", "a puppy is playing outside"},
		"vid3": {"a woman is playing a guitar", "a girl plays the guitar", "a woman is singing and playing guitar"},
	}
	cocoCands = map[string]string{
		"vid1": "a man is cutting a tomato",
		"vid2": "a dog is playing in the grass",
		"vid3": "a woman is playing a piano",
	}
)

// cocoWant holds the pycocoevalcap values (rounded to 6 decimals) for the
// example: corpus value, then per clip vid1, vid2, vid3.
var cocoWant = []struct {
	metric Metric
	corpus float64
	clips  [3]float64
}{
	{MetricBleu1, 0.894737, [3]float64{0.833333, 1.0, 0.833333}},
	{MetricBleu2, 0.784303, [3]float64{0.707107, 0.816497, 0.816497}},
	{MetricBleu3, 0.618488, [3]float64{0.5, 0.510873, 0.793701}},
	{MetricBleu4, 0.466397, [3]float64{8e-05, 7.6e-05, 0.759836}},
	{MetricRougeL, 0.763569, [3]float64{0.833333, 0.624041, 0.833333}},
	{MetricCIDErD, 2.272476, [3]float64{1.937459, 1.796466, 3.083503}},
}

// close6 reports whether got rounds to want at 6 decimals (with slack for
// the rounding of want itself).
func close6(got, want float64) bool {
	return math.Abs(math.Round(got*1e6)/1e6-want) <= 1e-6+1e-12 && math.Abs(got-want) <= 1.5e-6
}

func TestCocoReference(t *testing.T) {
	s, err := Evaluate(cocoRefs, cocoCands)
	if err != nil {
		t.Fatal(err)
	}
	if s.NumClips != 3 {
		t.Errorf("NumClips = %d, want 3", s.NumClips)
	}
	ids := []string{"vid1", "vid2", "vid3"}
	for _, tc := range cocoWant {
		t.Run(tc.metric.String(), func(t *testing.T) {
			if got := s.Get(tc.metric); !close6(got, tc.corpus) {
				t.Errorf("corpus %v = %.9f, want %.6f", tc.metric, got, tc.corpus)
			}
			for i, id := range ids {
				if got := s.PerClip[id].Get(tc.metric); !close6(got, tc.clips[i]) {
					t.Errorf("%s %v = %.9g, want %.6f", id, tc.metric, got, tc.clips[i])
				}
			}
		})
	}
}

func TestSingleMetricFunctionsAgree(t *testing.T) {
	s, err := Evaluate(cocoRefs, cocoCands)
	if err != nil {
		t.Fatal(err)
	}
	b, bper, err := Bleu(cocoRefs, cocoCands)
	if err != nil || b != s.Bleu {
		t.Errorf("Bleu = %v, %v; want %v", b, err, s.Bleu)
	}
	for id, v := range bper {
		if v != s.PerClip[id].Bleu {
			t.Errorf("Bleu[%s] = %v, want %v", id, v, s.PerClip[id].Bleu)
		}
	}
	for _, tc := range []struct {
		m Metric
		f func(map[string][]string, map[string]string) (float64, map[string]float64, error)
	}{{MetricRougeL, RougeL}, {MetricCIDErD, CIDErD}, {MetricMETEORLite, METEORLite}} {
		c, per, err := tc.f(cocoRefs, cocoCands)
		if err != nil || c != s.Get(tc.m) {
			t.Errorf("%v = %v, %v; want %v", tc.m, c, err, s.Get(tc.m))
		}
		for id, v := range per {
			if v != s.PerClip[id].Get(tc.m) {
				t.Errorf("%v[%s] = %v, want %v", tc.m, id, v, s.PerClip[id].Get(tc.m))
			}
		}
	}
}

func TestIdenticalCandidate(t *testing.T) {
	const sent = "a man is slicing a tomato"
	// Extra white space is trimmed and collapsed.
	s, err := Evaluate(map[string][]string{"v": {sent}}, map[string]string{"v": "  a man  is slicing\ta tomato "})
	if err != nil {
		t.Fatal(err)
	}
	for k, b := range s.Bleu {
		if math.Abs(b-1) > 1e-6 {
			t.Errorf("corpus Bleu_%d = %v, want 1", k+1, b)
		}
		if pb := s.PerClip["v"].Bleu[k]; math.Abs(pb-1) > 1e-6 {
			t.Errorf("clip Bleu_%d = %v, want 1", k+1, pb)
		}
	}
	if math.Abs(s.RougeL-1) > 1e-12 {
		t.Errorf("ROUGE_L = %v, want 1", s.RougeL)
	}
	// One chunk of 6 matches: 1 - 0.5·(1/6)³.
	if want := 1 - 0.5/216; math.Abs(s.METEORLite-want) > 1e-12 {
		t.Errorf("METEOR-lite = %v, want %v", s.METEORLite, want)
	}
	// A single evaluated clip gives log(N) = 0, so every tf-idf weight and
	// CIDEr-D are 0, as in coco-caption.
	if s.CIDErD != 0 {
		t.Errorf("CIDEr-D on one clip = %v, want 0", s.CIDErD)
	}
}

func TestCIDErDIdenticalTwoClips(t *testing.T) {
	// Two clips with disjoint vocabularies, candidate == single reference:
	// every weight is log 2, cosine 1 for every n, no length penalty -> 10.
	refs := map[string][]string{"a": {"one two three four five"}, "b": {"six seven eight nine ten"}}
	cands := map[string]string{"a": "one two three four five", "b": "six seven eight nine ten"}
	c, per, err := CIDErD(refs, cands)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c-10) > 1e-12 || math.Abs(per["a"]-10) > 1e-12 || math.Abs(per["b"]-10) > 1e-12 {
		t.Errorf("CIDEr-D = %v %v, want 10", c, per)
	}
}

func TestCIDErDLengthPenaltyUsesBigrams(t *testing.T) {
	// Candidate "x y" vs reference "x y z w" on clip a: unigram and bigram
	// vectors; weights all log 2 (clip b makes N = 2). Lengths in bigrams are
	// 1 and 3, so the penalty is exp(-4/72).
	refs := map[string][]string{"a": {"x y z w"}, "b": {"p q"}}
	cands := map[string]string{"a": "x y", "b": "p q"}
	_, per, err := CIDErD(refs, cands)
	if err != nil {
		t.Fatal(err)
	}
	pen := math.Exp(-4.0 / 72)
	uni := 2 / (math.Sqrt(2) * 2) // cosine of (1,1,0,0) and (1,1,1,1)
	bi := 1 / (1 * math.Sqrt(3))  // cosine of (1,0,0) and (1,1,1)
	want := (uni + bi) * pen / 4 * 10
	if math.Abs(per["a"]-want) > 1e-12 {
		t.Errorf("CIDEr-D = %v, want %v", per["a"], want)
	}
}

func TestBleuClosestTieShorter(t *testing.T) {
	// Candidate length 5, references of length 4 and 6: the tie goes to 4,
	// so there is no brevity penalty and BLEU-1 = 4/5.
	b, _, err := Bleu(map[string][]string{"v": {"x y z w v u", "a b c d"}}, map[string]string{"v": "a b c d e"})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(b[0]-0.8) > 1e-9 {
		t.Errorf("Bleu_1 = %v, want 0.8", b[0])
	}
}

func TestBleuBrevityPenalty(t *testing.T) {
	// Candidate "a b" against "a b c d": precisions 1, brevity exp(1-4/2).
	b, per, err := Bleu(map[string][]string{"v": {"a b c d"}}, map[string]string{"v": "a b"})
	if err != nil {
		t.Fatal(err)
	}
	if want := math.Exp(-1); math.Abs(b[0]-want) > 1e-9 || math.Abs(b[1]-want) > 1e-9 {
		t.Errorf("Bleu = %v, want Bleu_1 = Bleu_2 = %v", b, want)
	}
	// No 3-grams: guess = 0, so the smoothed precision is 1e-15/1e-9 = 1e-6.
	if want := math.Exp(-1) * math.Cbrt(1e-6); math.Abs(per["v"][2]-want) > 1e-10 {
		t.Errorf("Bleu_3 = %v, want %v", per["v"][2], want)
	}
}

func TestRougeL(t *testing.T) {
	// LCS("a b c d", "a c d e") = 3; P = R = 3/4 -> F = 3/4.
	// Second reference "a" : P = 1/4, R = 1. Max P = 3/4, max R = 1:
	// F = (1+1.44)·0.75·1 / (1 + 1.44·0.75).
	_, per, err := RougeL(map[string][]string{"v": {"a c d e", "a"}}, map[string]string{"v": "a b c d"})
	if err != nil {
		t.Fatal(err)
	}
	if want := 2.44 * 0.75 / (1 + 1.44*0.75); math.Abs(per["v"]-want) > 1e-12 {
		t.Errorf("ROUGE_L = %v, want %v", per["v"], want)
	}
}

func TestMETEORLite(t *testing.T) {
	cases := []struct {
		name string
		cand string
		refs []string
		want float64
	}{
		// 6 matches in one chunk: 1 - 0.5·(1/6)³.
		{"identical", "a man is slicing a tomato", []string{"a man is slicing a tomato"}, 1 - 0.5/216},
		// Exact: a man a tomato; stem stage: slices~sliced (Porter2 "slice").
		// m = 5, one chunk: 1 - 0.5·(1/5)³ = 0.996.
		{"stem match", "a man slices a tomato", []string{"a man sliced a tomato"}, 0.996},
		// Same sentence reordered: "the cat sat" + "on the mat" are two
		// chunks, m = 6: 1 - 0.5·(2/6)³ = 1 - 1/54.
		{"two chunks", "the cat sat on the mat", []string{"on the mat the cat sat"}, 1 - 1.0/54},
		// cutting/slicing differ (stems cut/slice): m = 5 of 6 on both sides,
		// P = R = 5/6 so Fmean = 5/6; chunks "a man is" and "a tomato":
		// Penalty = 0.5·(2/5)³ = 0.032; score = 5/6·0.968.
		{"partial", "a man is cutting a tomato", []string{"a man is slicing a tomato"}, 5.0 / 6 * 0.968},
		// Short candidate: m = 2, P = 1, R = 1/3;
		// Fmean = (1/3)/(0.9 + 0.1/3) = 5/14; Penalty = 0.5·(1/2)³ = 1/16.
		{"recall weighted", "a dog", []string{"a dog runs in the park"}, 5.0 / 14 * 15 / 16},
		// Reverse: P = 1/3, R = 1; Fmean = (1/3)/(0.3 + 0.1) = 5/6.
		{"precision side", "a dog runs in the park", []string{"a dog"}, 5.0 / 6 * 15 / 16},
		// Max over references: the second reference is the identical one.
		{"max over refs", "a dog", []string{"a cat", "a dog"}, 1 - 0.5/8},
		{"no match", "x y z", []string{"a b c"}, 0},
		{"empty candidate", "", []string{"a b c"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, per, err := METEORLite(map[string][]string{"v": tc.refs}, map[string]string{"v": tc.cand})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(per["v"]-tc.want) > 1e-12 || c != per["v"] {
				t.Errorf("METEOR-lite = %v (corpus %v), want %v", per["v"], c, tc.want)
			}
		})
	}
}

func TestMeteorAlignChunks(t *testing.T) {
	// The stem stage joins the chunk of its neighbours: "dogs" (stem "dog")
	// sits between exact matches, so everything is one chunk.
	in := newInterner()
	c := in.tokenize("the dogs run fast")
	r := in.tokenize("the dog run fast")
	if got, want := in.meteorPair(c.ids, r.ids), 1-0.5/64.0; math.Abs(got-want) > 1e-12 {
		t.Errorf("meteorPair = %v, want %v", got, want)
	}
}

func TestEmptyCandidate(t *testing.T) {
	s, err := Evaluate(cocoRefs, map[string]string{"vid1": "", "vid2": "a dog is running in a park"})
	if err != nil {
		t.Fatal(err)
	}
	p := s.PerClip["vid1"]
	for _, m := range Metrics() {
		if v := p.Get(m); v != 0 {
			t.Errorf("empty candidate %v = %v, want 0", m, v)
		}
	}
	if s.NumClips != 2 {
		t.Errorf("NumClips = %d, want 2 (vid3 has no candidate and is ignored)", s.NumClips)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		refs  map[string][]string
		cands map[string]string
		want  error
	}{
		{"no candidates", cocoRefs, nil, ErrEmpty},
		{"empty refs", nil, map[string]string{"v": "a b"}, ErrMissingReferences},
		{"missing clip", cocoRefs, map[string]string{"vid9": "a b"}, ErrMissingReferences},
		{"empty ref list", map[string][]string{"v": {}}, map[string]string{"v": "a b"}, ErrMissingReferences},
		{"blank reference", map[string][]string{"v": {"a b", "  "}}, map[string]string{"v": "a b"}, ErrEmptyReference},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Evaluate(tc.refs, tc.cands); !errors.Is(err, tc.want) {
				t.Errorf("Evaluate error = %v, want %v", err, tc.want)
			}
			if _, _, err := Bleu(tc.refs, tc.cands); !errors.Is(err, tc.want) {
				t.Errorf("Bleu error = %v, want %v", err, tc.want)
			}
			if _, _, err := METEORLite(tc.refs, tc.cands); !errors.Is(err, tc.want) {
				t.Errorf("METEORLite error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := HumanCeiling(nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("HumanCeiling(nil) error = %v, want ErrEmpty", err)
	}
	if _, err := HumanCeiling(map[string][]string{"v": {"a b"}}); !errors.Is(err, ErrTooFewReferences) {
		t.Errorf("HumanCeiling(one ref) error = %v, want ErrTooFewReferences", err)
	}
	if _, err := HumanCeiling(map[string][]string{"v": {"a b", ""}}); !errors.Is(err, ErrEmptyReference) {
		t.Errorf("HumanCeiling(blank ref) error = %v, want ErrEmptyReference", err)
	}
}

func TestHumanCeiling(t *testing.T) {
	refs := map[string][]string{
		"a": {"a man is slicing a tomato", "a man cuts a tomato", "someone is slicing tomatoes"},
		"b": {"a dog runs on the grass", "a puppy is playing outside"},
		"c": {"only one reference here"}, // skipped
	}
	got, err := HumanCeiling(refs)
	if err != nil {
		t.Fatal(err)
	}
	if got.NumClips != 2 || len(got.PerClip) != 2 {
		t.Fatalf("NumClips = %d, PerClip has %d, want 2", got.NumClips, len(got.PerClip))
	}
	// Rebuild the rounds by hand with Evaluate: round 0 and 1 have clips a
	// and b, round 2 only clip a; weights 2, 2, 1.
	var rounds []*Scores
	for i := range 3 {
		r, c := map[string][]string{}, map[string]string{}
		for _, id := range []string{"a", "b"} {
			rs := refs[id]
			if i >= len(rs) {
				continue
			}
			c[id] = rs[i]
			r[id] = append(append([]string{}, rs[:i]...), rs[i+1:]...)
		}
		s, err := Evaluate(r, c)
		if err != nil {
			t.Fatal(err)
		}
		rounds = append(rounds, s)
	}
	for _, m := range Metrics() {
		want := (2*rounds[0].Get(m) + 2*rounds[1].Get(m) + rounds[2].Get(m)) / 5
		if math.Abs(got.Get(m)-want) > 1e-12 {
			t.Errorf("corpus %v = %v, want %v", m, got.Get(m), want)
		}
		wantA := (rounds[0].PerClip["a"].Get(m) + rounds[1].PerClip["a"].Get(m) + rounds[2].PerClip["a"].Get(m)) / 3
		if math.Abs(got.PerClip["a"].Get(m)-wantA) > 1e-12 {
			t.Errorf("clip a %v = %v, want %v", m, got.PerClip["a"].Get(m), wantA)
		}
		wantB := (rounds[0].PerClip["b"].Get(m) + rounds[1].PerClip["b"].Get(m)) / 2
		if math.Abs(got.PerClip["b"].Get(m)-wantB) > 1e-12 {
			t.Errorf("clip b %v = %v, want %v", m, got.PerClip["b"].Get(m), wantB)
		}
	}
}

func TestHumanCeilingIdenticalRefs(t *testing.T) {
	refs := map[string][]string{"v": {"a man is slicing a tomato", "a man is slicing a tomato"}}
	s, err := HumanCeiling(refs)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Bleu[3]-1) > 1e-6 || math.Abs(s.RougeL-1) > 1e-12 {
		t.Errorf("identical references: Bleu_4 = %v, ROUGE_L = %v, want 1", s.Bleu[3], s.RougeL)
	}
}

func TestMetricNames(t *testing.T) {
	want := []string{"Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR-lite", "ROUGE_L", "CIDEr-D"}
	for i, m := range Metrics() {
		if m.String() != want[i] {
			t.Errorf("Metric(%d) = %q, want %q", i, m, want[i])
		}
	}
	if got := Metric(99).String(); got != "Metric(99)" {
		t.Errorf("unknown metric = %q", got)
	}
	if !math.IsNaN(ClipScores{}.Get(Metric(99))) {
		t.Error("Get(unknown) is not NaN")
	}
}

func TestTable(t *testing.T) {
	s, err := Evaluate(cocoRefs, cocoCands)
	if err != nil {
		t.Fatal(err)
	}
	tab := s.Table()
	lines := strings.Split(strings.TrimSuffix(tab, "\n"), "\n")
	if len(lines) != 1+len(Metrics()) {
		t.Fatalf("Table has %d lines:\n%s", len(lines), tab)
	}
	for _, want := range []string{"(3 clips)", "Bleu_1       0.894737", "METEOR-lite", "ROUGE_L      0.763569", "CIDEr-D      2.272476"} {
		if !strings.Contains(tab, want) {
			t.Errorf("Table lacks %q:\n%s", want, tab)
		}
	}
}

func TestDeterministic(t *testing.T) {
	refs, cands := synthetic(200, 5, 1)
	a, err := Evaluate(refs, cands)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := Evaluate(refs, cands)
		if err != nil {
			t.Fatal(err)
		}
		if a.Bleu != b.Bleu || a.RougeL != b.RougeL || a.CIDErD != b.CIDErD || a.METEORLite != b.METEORLite {
			t.Fatalf("results differ between runs: %+v vs %+v", a, b)
		}
	}
}

// checkScores fails unless every score is finite and within its range.
func checkScores(t *testing.T, s *Scores) {
	t.Helper()
	check := func(what string, m Metric, v float64) {
		hi := 1 + 1e-9
		if m == MetricCIDErD {
			hi = 10 + 1e-9
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > hi {
			t.Fatalf("%s %v = %v out of range", what, m, v)
		}
	}
	for _, m := range Metrics() {
		check("corpus", m, s.Get(m))
		for id, c := range s.PerClip {
			check(fmt.Sprintf("clip %q", id), m, c.Get(m))
		}
	}
}

func FuzzEvaluate(f *testing.F) {
	f.Add("a man is cutting a tomato", "a man is slicing a tomato|someone cuts a tomato", "a dog|a dog runs")
	f.Add("", "x", "y")
	f.Add("  ", "a a a a a|a", "\x00 \xff é ß ǅ")
	f.Add("running runs ran", "run running|runner", "caresses ponies ties")
	f.Fuzz(func(t *testing.T, cand, refs1, refs2 string) {
		refs := map[string][]string{"c1": strings.Split(refs1, "|"), "c2": strings.Split(refs2, "|")}
		cands := map[string]string{"c1": cand, "c2": refs1}
		if s, err := Evaluate(refs, cands); err == nil {
			checkScores(t, s)
		}
		if s, err := HumanCeiling(refs); err == nil {
			checkScores(t, s)
		}
	})
}

// synthetic builds n clips with k references each from a small vocabulary.
func synthetic(n, k int, seed uint64) (map[string][]string, map[string]string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := strings.Fields("a the man woman dog cat is are running walking playing slicing cutting " +
		"tomato guitar piano park grass outside with on in and someone people car driving road " +
		"ball kitchen cooking food water swimming pool girl boy plays runs talks talking")
	sentence := func() string {
		l := 5 + rng.IntN(10)
		w := make([]string, l)
		for i := range w {
			w[i] = words[rng.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	refs := make(map[string][]string, n)
	cands := make(map[string]string, n)
	for i := range n {
		id := fmt.Sprintf("video%d", i)
		rs := make([]string, k)
		for j := range rs {
			rs[j] = sentence()
		}
		refs[id] = rs
		cands[id] = sentence()
	}
	return refs, cands
}

func BenchmarkEvaluate(b *testing.B) {
	refs, cands := synthetic(1000, 10, 42)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(refs, cands); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHumanCeiling(b *testing.B) {
	refs, _ := synthetic(1000, 10, 42)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HumanCeiling(refs); err != nil {
			b.Fatal(err)
		}
	}
}
