package topics

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
)

// toyTexts makes docs documents, each about one of the given word groups
// (document d is about group d mod len(groups)), with n words drawn from
// its group, each followed by a stop word.
func toyTexts(groups [][]string, docs, n int, seed uint64) (ids, texts []string) {
	r := rand.New(rand.NewPCG(seed, 7))
	for d := 0; d < docs; d++ {
		g := groups[d%len(groups)]
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(g[r.IntN(len(g))])
			b.WriteString(" the ")
		}
		ids = append(ids, fmt.Sprintf("clip%03d", d))
		texts = append(texts, b.String())
	}
	return ids, texts
}

var toyGroups = [][]string{
	{"cat", "kitten", "meow", "purr", "whiskers", "paw"},
	{"car", "engine", "road", "wheel", "driver", "tire"},
	{"guitar", "song", "music", "chord", "sing", "band"},
	{"onion", "knife", "slice", "chop", "kitchen", "cook"},
}

func toyCorpus(t testing.TB, groups [][]string, docs, n int) *Corpus {
	t.Helper()
	ids, texts := toyTexts(groups, docs, n, 1)
	c, err := NewCorpus(ids, texts, TextOptions{MinWordLen: 2, MinDocFreq: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func toyConfig(K int) Config {
	cfg := DefaultConfig()
	cfg.K = K
	cfg.Iterations = 60
	return cfg
}

func TestTwoTopicsSeparated(t *testing.T) {
	c := toyCorpus(t, toyGroups[:2], 40, 30)
	m, err := Train(c, toyConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	// Every document's top topic is its group's topic, and the two groups
	// get different topics.
	topicOf := map[int]int{}
	for d := range c.Docs {
		top := int(topIndices(m.ThetaRow(d), 1)[0])
		g := d % 2
		if want, ok := topicOf[g]; ok && want != top {
			t.Fatalf("document %d (group %d) has top topic %d, others of its group %d", d, g, top, want)
		}
		topicOf[g] = top
		if th := m.ThetaRow(d)[top]; th < 0.9 {
			t.Errorf("document %d: top topic weight %.2f, want ≥ 0.9", d, th)
		}
	}
	if topicOf[0] == topicOf[1] {
		t.Fatalf("both groups share topic %d", topicOf[0])
	}
	for g, k := range topicOf {
		words := m.TopWords(k, 6)
		for _, w := range words {
			if !slices.Contains(toyGroups[g], w) {
				t.Errorf("topic %d (group %d) top words %v include %q from elsewhere", k, g, words, w)
			}
		}
	}
	// Probabilities are normalized.
	for k := 0; k < m.K; k++ {
		sum := 0.0
		for _, p := range m.PhiRow(k) {
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Errorf("φ row %d sums to %g", k, sum)
		}
	}
	for d := range m.IDs {
		sum := 0.0
		for _, p := range m.ThetaRow(d) {
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Errorf("θ row %d sums to %g", d, sum)
		}
	}
}

func TestDeterministicBySeed(t *testing.T) {
	c := toyCorpus(t, toyGroups, 120, 25)
	cfg := toyConfig(6)
	cfg.Iterations = 30
	cfg.OptimizeAlpha = true
	cfg.HeldOut = 0.1
	var models []*Model
	for _, workers := range []int{1, 2, 5} {
		cfg.Workers = workers
		m, err := Train(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	for i, m := range models[1:] {
		if !slices.Equal(m.Phi, models[0].Phi) || !slices.Equal(m.Theta, models[0].Theta) || !slices.Equal(m.Alpha, models[0].Alpha) {
			t.Fatalf("run %d (different worker count) differs from run 0 with the same seed", i+1)
		}
		if m.HeldOutPerplexity != models[0].HeldOutPerplexity {
			t.Fatalf("held-out perplexity differs: %v vs %v", m.HeldOutPerplexity, models[0].HeldOutPerplexity)
		}
	}
	cfg.Seed = 2
	other, err := Train(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(other.Theta, models[0].Theta) {
		t.Fatal("a different seed gave the same θ")
	}
}

func TestPerplexityImproves(t *testing.T) {
	c := toyCorpus(t, toyGroups, 80, 30)
	cfg := toyConfig(4)
	cfg.Iterations = 40
	cfg.EvalEvery = 1
	cfg.HeldOut = 0.2
	m, err := Train(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Trace) != cfg.Iterations {
		t.Fatalf("trace has %d points, want %d", len(m.Trace), cfg.Iterations)
	}
	first, last := m.Trace[0], m.Trace[len(m.Trace)-1]
	t.Logf("perplexity %0.2f → %0.2f, held out %0.2f → %0.2f", first.Perplexity, last.Perplexity, first.HeldOutPerplexity, last.HeldOutPerplexity)
	if !(last.Perplexity < 0.6*first.Perplexity) || !(last.HeldOutPerplexity < 0.6*first.HeldOutPerplexity) {
		t.Fatalf("perplexity did not improve: train %.2f → %.2f, held out %.2f → %.2f",
			first.Perplexity, last.Perplexity, first.HeldOutPerplexity, last.HeldOutPerplexity)
	}
	// Each group has 6 equiprobable words: a perfect model reaches about 6,
	// one that merges two groups in a topic about 8.5, a uniform one 24.
	if last.HeldOutPerplexity > 10 {
		t.Errorf("held-out perplexity %.2f, want 6 to 8.5", last.HeldOutPerplexity)
	}
	// Document completion on new documents agrees.
	_, texts := toyTexts(toyGroups, 8, 30, 99)
	var docs [][]int32
	for _, s := range texts {
		ws, unknown := m.Encode(s)
		if unknown != 0 {
			t.Fatalf("%d unknown words in %q", unknown, s)
		}
		docs = append(docs, ws)
	}
	p, err := m.DocumentPerplexity(docs, 20, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p > 10 {
		t.Errorf("document-completion perplexity %.2f, want 6 to 8.5", p)
	}
}

func TestNPMIHandChecked(t *testing.T) {
	// Words: a=0 b=1 c=2 d=3. Documents: {a b} {a b} {a c} {d}.
	docs := [][]int32{{0, 1, 1}, {1, 0}, {0, 2}, {3}}
	co := NewCooccurrence(docs, 4)
	// P(a)=3/4, P(b)=1/2, P(a,b)=1/2: NPMI = ln((1/2)/(3/8)) / −ln(1/2) = ln(4/3)/ln 2.
	want := math.Log(4.0/3) / math.Log(2)
	if got := co.PairNPMI(0, 1); math.Abs(got-want) > 1e-12 {
		t.Errorf("NPMI(a,b) = %v, want %v", got, want)
	}
	// b and c never meet: −1.
	if got := co.PairNPMI(1, 2); got != -1 {
		t.Errorf("NPMI(b,c) = %v, want -1", got)
	}
	// P(a)=3/4, P(c)=1/4, P(a,c)=1/4: ln((1/4)/(3/16)) / ln 4 = ln(4/3)/ln 4.
	wantAC := math.Log(4.0/3) / math.Log(4)
	if got := co.PairNPMI(0, 2); math.Abs(got-wantAC) > 1e-12 {
		t.Errorf("NPMI(a,c) = %v, want %v", got, wantAC)
	}
	// Mean over the three pairs of {a b c}.
	if got, w := co.NPMI([]int32{0, 1, 2}), (want-1+wantAC)/3; math.Abs(got-w) > 1e-12 {
		t.Errorf("NPMI({a,b,c}) = %v, want %v", got, w)
	}
	// Words in every document: 1.
	all := NewCooccurrence([][]int32{{0, 1}, {1, 0}}, 2)
	if got := all.PairNPMI(0, 1); got != 1 {
		t.Errorf("NPMI of words always together = %v, want 1", got)
	}
	if got := co.NPMI([]int32{0}); got != 0 {
		t.Errorf("NPMI of one word = %v, want 0", got)
	}
	if got := Diversity([][]int32{{0, 1}, {1, 2}}); got != 0.75 {
		t.Errorf("Diversity = %v, want 0.75", got)
	}
}

func TestLabelTopWordsHandChecked(t *testing.T) {
	// Words a=0 b=1 c=2. N = 4 documents; D(a)=4, D(b)=2, D(c)=1.
	docs := [][]int32{{0, 1, 1, 1}, {0, 1}, {0, 2}, {0}}
	// Topic 0 labels documents 0 and 1: b is in both, a in both:
	// score(a) = 1·ln(4/4) = 0, score(b) = 1·ln(4/2) > 0, c absent.
	// Topic 1 labels document 2: score(c) = ln 4 > score(a) = 0.
	// Topic 2 labels nothing.
	got := LabelTopWords(docs, 3, [][]int{{0}, {0}, {1}, {}}, 3, 2)
	if !slices.Equal(got[0], []int32{1, 0}) || !slices.Equal(got[1], []int32{2, 0}) || got[2] != nil {
		t.Fatalf("LabelTopWords = %v", got)
	}
}

func TestLabels(t *testing.T) {
	m := &Model{K: 4, V: 4, IDs: []string{"x", "y", "z"}, DocTokens: []int{5, 5, 0},
		Theta: []float32{0.5, 0.3, 0.15, 0.05, 0.97, 0.01, 0.01, 0.01, 0.25, 0.25, 0.25, 0.25}}
	l := m.Labels(3, 0.1)
	if !slices.Equal(l.Topics[0], []int{0, 1, 2}) || !slices.Equal(l.Topics[1], []int{0}) || len(l.Topics[2]) != 0 {
		t.Fatalf("labels %v", l.Topics)
	}
	if !slices.Equal(l.Vector(0), []float32{1, 1, 1, 0}) {
		t.Errorf("vector %v", l.Vector(0))
	}
	if got := l.TopicClips(); !slices.Equal(got, []int{2, 1, 1, 0}) {
		t.Errorf("TopicClips %v", got)
	}
	if v := l.VectorsByID(); len(v) != 3 || !slices.Equal(v["y"], []float32{1, 0, 0, 0}) {
		t.Errorf("VectorsByID %v", v)
	}
	if l2 := m.Labels(2, 0); !slices.Equal(l2.Topics[0], []int{0, 1}) {
		t.Errorf("top-2 labels %v", l2.Topics[0])
	}
}

func TestPrepareAndBadInput(t *testing.T) {
	opts := DefaultTextOptions()
	opts.MinDocFreq = 1
	if _, err := NewCorpus(nil, nil, opts); err == nil || !strings.Contains(err.Error(), "empty corpus") {
		t.Errorf("empty corpus: %v", err)
	}
	if _, err := FromCaptions(corpus.NewCaptions(), opts); err == nil || !strings.Contains(err.Error(), "empty corpus") {
		t.Errorf("empty captions: %v", err)
	}
	if _, err := NewCorpus([]string{"a", "a"}, []string{"x", "y"}, opts); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate ids: %v", err)
	}
	_, err := NewCorpus([]string{"a", "b"}, []string{"the a of it", "is was 42 x"}, opts)
	if err == nil || !strings.Contains(err.Error(), "no words left") {
		t.Errorf("only stop words: %v", err)
	}
	// Invalid UTF-8 separates words and is counted; an empty document is kept.
	c, err := NewCorpus([]string{"a", "b", "c"}, []string{"red\xffcircle moves", "the and of", "Red circles"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if c.Prep.InvalidUTF8Docs != 1 || c.Prep.EmptyDocs != 1 || c.Prep.EmptyDocIDs[0] != "b" || len(c.Prep.Warnings) != 2 {
		t.Errorf("prep report %+v", c.Prep)
	}
	if got := strings.Join(c.Vocab, " "); got != "red circle circles moves" {
		t.Errorf("vocabulary %q", got)
	}
	// K larger than the vocabulary.
	if _, err := Train(c, toyConfig(10)); err == nil || !strings.Contains(err.Error(), "more than the 4 vocabulary words") {
		t.Errorf("K > V: %v", err)
	}
	m, err := Train(c, toyConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	if th := m.ThetaRow(1); th[0] != 0.5 || th[1] != 0.5 {
		t.Errorf("empty document θ %v, want uniform", th)
	}
	if l := m.Labels(3, 0); len(l.Topics[1]) != 0 {
		t.Errorf("empty document labelled %v", l.Topics[1])
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.K = 0 },
		func(c *Config) { c.Alpha = 0 },
		func(c *Config) { c.Beta = math.NaN() },
		func(c *Config) { c.Iterations = 0 },
		func(c *Config) { c.MHSteps = 0 },
		func(c *Config) { c.HeldOut = 1 },
	} {
		cfg := toyConfig(2)
		bad(&cfg)
		if _, err := Train(c, cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	if _, err := Train(nil, toyConfig(2)); err == nil {
		t.Error("nil corpus accepted")
	}
	// Stemming merges word forms and shows the most frequent one.
	opts.Stem = true
	c, err = NewCorpus([]string{"a", "b"}, []string{"riding rides riding horse", "ride horses"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Vocab, " "); got != "riding horse" {
		t.Errorf("stemmed vocabulary %q (terms %q)", got, c.Terms)
	}
	if ws, unknown := c.Encode("The horse rode; a cat rides"); len(ws) != 2 || unknown != 2 {
		t.Errorf("Encode = %v, %d unknown", ws, unknown)
	}
}

func TestFiltersAndStopWords(t *testing.T) {
	ids := []string{"a", "b", "c", "d"}
	texts := []string{"dog dog cat 42 x", "dog cat", "dog bird", "dog fish"}
	c, err := NewCorpus(ids, texts, TextOptions{MinWordLen: 2, MinDocFreq: 2, MaxDocFrac: 0.9, StopWords: []string{"fish"}})
	if err != nil {
		t.Fatal(err)
	}
	// dog is in all 4 documents (> 0.9·4 = 3), cat in 2, bird in 1; fish is a stop word.
	if got := strings.Join(c.Vocab, " "); got != "cat" {
		t.Errorf("vocabulary %q", got)
	}
	p := c.Prep
	if p.FrequentTokens != 5 || p.RareTokens != 1 || p.NumberTokens != 1 || p.ShortTokens != 1 || p.StopTokens != 1 || p.Tokens != 2 || p.EmptyDocs != 2 {
		t.Errorf("report %+v", p)
	}
	if !slices.Contains(StopWords(), "the") || slices.Contains(StopWords(), "man") {
		t.Error("stop-word list")
	}
	// Damping keeps 1 + ⌊log₂ n⌋ of n repeats: 1→1, 2→2, 3→2, 4→3, in order.
	c, err = NewCorpus([]string{"a"}, []string{"red red red red blue blue blue green cat cat"},
		TextOptions{Damp: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Docs[0] {
		got = append(got, c.Vocab[w])
	}
	if strings.Join(got, " ") != "red red red blue blue green cat cat" || c.Prep.DampedTokens != 2 {
		t.Errorf("damped document %q, %d damped", got, c.Prep.DampedTokens)
	}
	if ws, _ := c.Encode("cat cat cat cat cat"); len(ws) != 3 {
		t.Errorf("Encode damped %v", ws)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	c := toyCorpus(t, toyGroups, 40, 20)
	m, err := Train(c, toyConfig(4))
	if err != nil {
		t.Fatal(err)
	}
	l := m.Labels(DefaultLabelTopK, DefaultLabelMinWeight)
	q, err := Evaluate(m, c, l)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Save(dir, m, l, q); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m2.Phi, m.Phi) || !slices.Equal(m2.Theta, m.Theta) || !slices.Equal(m2.Vocab, m.Vocab) ||
		!slices.Equal(m2.IDs, m.IDs) || !slices.Equal(m2.Alpha, m.Alpha) || m2.Config.K != m.Config.K {
		t.Fatal("loaded model differs")
	}
	l2, err := LoadLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range l.IDs {
		if l2.IDs[i] != l.IDs[i] || !slices.Equal(l2.Topics[i], l.Topics[i]) {
			t.Fatalf("labels row %d: %v vs %v", i, l2.Topics[i], l.Topics[i])
		}
	}
	// The loaded model reads new text like the original.
	ws1, _ := m.Encode("cat engine the")
	ws2, _ := m2.Encode("cat engine the")
	if !slices.Equal(ws1, ws2) || len(ws1) != 2 {
		t.Errorf("Encode after load %v vs %v", ws2, ws1)
	}
	hot, err := corpus.ReadNPY(filepath.Join(dir, LabelsNPYFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hot.Data, l.MultiHot()) {
		t.Error("labels.npy differs")
	}
	for _, f := range []string{VocabFile, ClipsFile, TopicsFile, QualityFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	// A corrupt matrix is refused.
	if err := corpus.WriteNPY(filepath.Join(dir, ThetaFile), []int{2, 2}, []float32{1, 0, 0, 1}, corpus.DTypeFloat32); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("bad θ shape: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("empty folder loaded")
	}
}

func TestReportAndPlot(t *testing.T) {
	c := toyCorpus(t, toyGroups, 40, 20)
	m, err := Train(c, toyConfig(4))
	if err != nil {
		t.Fatal(err)
	}
	q, err := Evaluate(m, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.LabelTopicsUsed != 4 || q.Perplexity > 7 {
		t.Errorf("quality %+v", q)
	}
	var tops [][]int32
	for k := 0; k < m.K; k++ {
		tops = append(tops, m.TopWordIDs(k, 6))
	}
	if d := Diversity(tops); d != 1 {
		t.Errorf("diversity of the top 6 words %v, want 1 (one topic per group)", d)
	}
	if names := m.TopicNames(2); len(names) != 4 || !strings.HasPrefix(names[1], "topic 1: ") {
		t.Errorf("topic names %q", names)
	}
	var b bytes.Buffer
	if err := WriteTable(&b, m, q, 5, 0); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != 5 {
		t.Errorf("table has %d lines:\n%s", lines, b.String())
	}
	dir := t.TempDir()
	for _, name := range []string{"t.png", "t.svg"} {
		if err := WritePlot(filepath.Join(dir, name), m, q); err != nil {
			t.Fatal(err)
		}
	}
	png, _ := os.ReadFile(filepath.Join(dir, "t.png"))
	svg, _ := os.ReadFile(filepath.Join(dir, "t.svg"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || !bytes.Contains(svg, []byte("<svg")) {
		t.Error("plot files are not PNG / SVG")
	}
	if err := WritePlot(filepath.Join(dir, "t.gif"), m, q); err == nil {
		t.Error("unknown plot format accepted")
	}
	if _, err := Evaluate(m, toyCorpus(t, toyGroups, 8, 5), nil); err == nil {
		t.Error("evaluation on another corpus accepted")
	}
}

func TestEvaluateConcepts(t *testing.T) {
	// Topics 0, 1 are shapes and 2, 3 colours; clip i has shape i%2 and
	// colour (i/2)%2. θ puts 0.5 on the clip's shape topic, 0.3 on its
	// colour topic, 0.1 on the others — except clip 7, whose colour topic
	// is the wrong one. Clip 8 has no ground truth; clip 0 has two shapes.
	m := &Model{K: 4, V: 4}
	truth := map[string][]string{}
	shapes, colors := []string{"circle", "square"}, []string{"red", "blue"}
	for i := 0; i < 9; i++ {
		id := fmt.Sprint("c", i)
		m.IDs = append(m.IDs, id)
		m.DocTokens = append(m.DocTokens, 10)
		row := []float32{0.1, 0.1, 0.1, 0.1}
		s, c := i%2, (i/2)%2
		if i == 7 {
			c = 1 - c
		}
		row[s], row[2+c] = 0.5, 0.3
		m.Theta = append(m.Theta, row...)
		if i < 8 {
			truth[id] = []string{"shape:" + shapes[i%2], "color:" + colors[(i/2)%2]}
		}
	}
	truth["c0"] = append(truth["c0"], "shape:square")
	rep, err := EvaluateConcepts(m, m.Labels(2, 0), truth)
	if err != nil {
		t.Fatal(err)
	}
	wantMatch := []string{"shape:circle", "shape:square", "color:red", "color:blue"}
	for k, tc := range rep.Topics {
		if tc.Concept != wantMatch[k] || !slices.Equal(rep.ConceptsOf(k), []string{wantMatch[k]}) {
			t.Errorf("topic %d matched %q, want %q", k, tc.Concept, wantMatch[k])
		}
	}
	if rep.ConceptsOf(9) != nil {
		t.Error("concepts of a topic out of range")
	}
	// Topic 1 labels clips 1 3 5 7 (8 has no truth); square clips are
	// 0 1 3 5 7 (0 has both shapes): IoU 4/5.
	if tc := rep.Topics[1]; tc.IoU != 0.8 || tc.Precision != 1 || tc.Recall != 0.8 || tc.Clips != 4 {
		t.Errorf("topic 1: %+v", tc)
	}
	shape := rep.Family("shape")
	if shape.Clips != 7 || shape.Skipped != 1 || shape.Topics != 2 || math.Abs(shape.NMI-1) > 1e-12 || shape.Purity != 1 || shape.Accuracy != 1 {
		t.Errorf("shape %+v", shape)
	}
	// Colour: clips 0..7 → red red blue blue red red blue blue, predicted
	// red red blue blue red red blue red: 7 of 8 right.
	color := rep.Family("color")
	if color.Clips != 8 || color.Purity != 7.0/8 || color.Accuracy != 7.0/8 {
		t.Errorf("color %+v", color)
	}
	wantNMI, _ := nmiPurity([]int{2, 2, 3, 3, 2, 2, 3, 2}, []string{"r", "r", "b", "b", "r", "r", "b", "b"})
	if math.Abs(color.NMI-wantNMI) > 1e-12 {
		t.Errorf("color NMI %v, want %v", color.NMI, wantNMI)
	}
	if _, err := EvaluateConcepts(m, nil, map[string][]string{"zzz": {"shape:x"}}); err == nil {
		t.Error("ground truth for no clip accepted")
	}
	if _, err := EvaluateConcepts(m, nil, map[string][]string{"c1": {"nofamily"}}); err == nil {
		t.Error("concept without family accepted")
	}
}

func TestNMIPurityHandChecked(t *testing.T) {
	// Identical partitions: NMI 1, purity 1.
	nmi, pur := nmiPurity([]int{0, 0, 1, 1}, []string{"a", "a", "b", "b"})
	if math.Abs(nmi-1) > 1e-12 || pur != 1 {
		t.Errorf("identical: %v %v", nmi, pur)
	}
	// Independent: NMI 0, purity 1/2.
	nmi, pur = nmiPurity([]int{0, 0, 1, 1}, []string{"a", "b", "a", "b"})
	if math.Abs(nmi) > 1e-12 || pur != 0.5 {
		t.Errorf("independent: %v %v", nmi, pur)
	}
	// One class split over two clusters: I = ln 2·(1/2)… H(class)=ln2,
	// H(cluster)=ln 3/… checked against the definition by hand:
	// clusters {0,0,1,2}, classes {a,a,b,b}: I = H(class) = ln 2,
	// H(cluster) = 1.5 ln 2, NMI = 2 ln2 / 2.5 ln2 = 0.8.
	nmi, pur = nmiPurity([]int{0, 0, 1, 2}, []string{"a", "a", "b", "b"})
	if math.Abs(nmi-0.8) > 1e-12 || pur != 1 {
		t.Errorf("split class: %v %v", nmi, pur)
	}
}
