package transfer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// blobs draws n rows of dim features per class around well-separated class
// centres (class k: +sep on feature k).
func blobs(classes, n, dim int, sep float64, seed uint64) ([][]float32, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	var x [][]float32
	var y []int
	for i := range classes * n {
		k := i % classes
		row := make([]float32, dim)
		for d := range row {
			row[d] = float32(r.NormFloat64())
		}
		row[k%dim] += float32(sep)
		x, y = append(x, row), append(y, k)
	}
	return x, y
}

func TestClassifierLearnsSeparableClassesDeterministically(t *testing.T) {
	x, y := blobs(4, 40, 6, 5, 1)
	cfg := DefaultClassifierConfig()
	c1, err := TrainClassifier(x, y, 4, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := TrainClassifier(x, y, 4, cfg)
	if !reflect.DeepEqual(c1, c2) {
		t.Error("two trainings on the same data differ")
	}
	xt, yt := blobs(4, 50, 6, 5, 2)
	pred, err := c1.Predict(xt)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Evaluate(pred, yt, []string{"a", "b", "c", "d"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Accuracy < 0.97 {
		t.Errorf("accuracy %.3f on separable blobs; want ≥ 0.97", e.Accuracy)
	}
	p, _ := c1.Probabilities(xt[:1])
	var sum float64
	for _, v := range p[0] {
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("probabilities sum to %v", sum)
	}
}

func TestClassifierErrors(t *testing.T) {
	good := [][]float32{{1, 2}, {3, 4}}
	for _, c := range []struct {
		name    string
		x       [][]float32
		y       []int
		classes int
		cfg     ClassifierConfig
		want    string
	}{
		{"nan", [][]float32{{1, float32(math.NaN())}, {3, 4}}, []int{0, 1}, 2, DefaultClassifierConfig(), "feature 1 is NaN"},
		{"ragged", [][]float32{{1, 2}, {3}}, []int{0, 1}, 2, DefaultClassifierConfig(), "row 1 has 1 features"},
		{"class", good, []int{0, 2}, 2, DefaultClassifierConfig(), "row 1 has class 2"},
		{"labels", good, []int{0}, 2, DefaultClassifierConfig(), "2 rows and 1 labels"},
		{"one class", good, []int{0, 0}, 1, DefaultClassifierConfig(), "1 classes"},
		{"epochs", good, []int{0, 1}, 2, ClassifierConfig{LearningRate: 0.1}, "0 epochs"},
		{"lr", good, []int{0, 1}, 2, ClassifierConfig{Epochs: 1, LearningRate: math.NaN()}, "learning rate NaN"},
	} {
		_, err := TrainClassifier(c.x, c.y, c.classes, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestEvaluateByHand(t *testing.T) {
	e, err := Evaluate([]int{0, 1, 1, 2, 0}, []int{0, 1, 2, 2, 1}, []string{"x", "y", "z"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Accuracy != 3.0/5 {
		t.Errorf("accuracy %v; want 0.6", e.Accuracy)
	}
	want := [][]int{{1, 0, 0}, {1, 1, 0}, {0, 1, 1}}
	if !reflect.DeepEqual(e.Confusion, want) {
		t.Errorf("confusion %v; want %v", e.Confusion, want)
	}
	if !reflect.DeepEqual(e.PerClass, []float64{1, 0.5, 0.5}) || !reflect.DeepEqual(e.Support, []int{1, 2, 2}) {
		t.Errorf("per class %v support %v", e.PerClass, e.Support)
	}
	if _, err := Evaluate([]int{3}, []int{0}, []string{"x", "y"}); err == nil {
		t.Error("a prediction outside the classes was accepted")
	}
}

func TestSampleShots(t *testing.T) {
	y := []int{0, 1, 2, 0, 1, 2, 0, 1, 0, 0}
	all := SampleShots(y, 3, 0, 1)
	if len(all) != len(y) {
		t.Errorf("all shots: %d indices for %d examples", len(all), len(y))
	}
	for _, shots := range []int{1, 2, 5} {
		a := SampleShots(y, 3, shots, 7)
		if b := SampleShots(y, 3, shots, 7); !reflect.DeepEqual(a, b) {
			t.Errorf("%d shots: same seed, different samples %v %v", shots, a, b)
		}
		count := make([]int, 3)
		for _, i := range a {
			count[y[i]]++
		}
		want := []int{min(shots, 5), min(shots, 3), min(shots, 2)}
		if !reflect.DeepEqual(count, want) {
			t.Errorf("%d shots: per-class counts %v; want %v", shots, count, want)
		}
	}
	differ := false
	for seed := uint64(2); seed < 10; seed++ {
		differ = differ || !reflect.DeepEqual(SampleShots(y, 3, 1, 1), SampleShots(y, 3, 1, seed))
	}
	if !differ {
		t.Error("1-shot samples do not depend on the seed")
	}
}

func TestPooledFramesByHand(t *testing.T) {
	// One clip of 4 frames of dim 2.
	a := &corpus.Array{Shape: []int{1, 4, 2}, Data: []float32{1, 0, 2, 0, 3, 1, 6, 1}, DType: corpus.DTypeFloat32}
	f, err := corpus.FeaturesFromStacked(a, []string{"c"}, "hand")
	if err != nil {
		t.Fatal(err)
	}
	mean, err := PooledFrames(f, []string{"c"}, PoolMean)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mean[0], []float32{3, 0.5}) {
		t.Errorf("mean %v; want [3 0.5]", mean[0])
	}
	md, _ := PooledFrames(f, []string{"c"}, PoolMeanDelta)
	// Second half mean (4.5, 1) − first half mean (1.5, 0).
	if !reflect.DeepEqual(md[0], []float32{3, 0.5, 3, 1}) {
		t.Errorf("mean+delta %v; want [3 0.5 3 1]", md[0])
	}
	if _, err := PooledFrames(f, []string{"nope"}, PoolMean); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("missing clip: %v", err)
	}
	if p, err := ParsePool("mean+delta"); err != nil || p != PoolMeanDelta {
		t.Errorf("ParsePool: %v %v", p, err)
	}
}

func TestLabelsAndTask(t *testing.T) {
	l := LabelsFromStrings(map[string]string{"a": "music", "b": "sports", "c": "music", "d": "news"})
	if !reflect.DeepEqual(l.Classes, []string{"music", "news", "sports"}) || l.ByClip["b"] != 2 {
		t.Errorf("labels %+v", l)
	}
	lc := LabelsFromCategories(map[string]int{"a": 10, "b": 2, "c": 2})
	if !reflect.DeepEqual(lc.Classes, []string{"02", "10"}) || lc.ByClip["a"] != 1 {
		t.Errorf("categories %+v", lc)
	}
	task, err := NewTask(l, []string{"a", "b", "d", "x"}, []string{"c"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(task.TrainIDs, []string{"a", "b", "d"}) || !reflect.DeepEqual(task.AllIDs(), []string{"a", "b", "d", "c"}) {
		t.Errorf("task %+v", task)
	}
	for _, c := range []struct {
		train, test []string
		want        string
	}{
		{[]string{"a", "b"}, []string{"c"}, `class "news" has no training clip`},
		{[]string{"a", "b", "d"}, []string{"a"}, "both a training and a test clip"},
		{[]string{"a", "b", "d"}, []string{"x"}, "0 labelled test clips"},
	} {
		if _, err := NewTask(l, c.train, c.test); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewTask(%v, %v): %v; want %q", c.train, c.test, err, c.want)
		}
	}
}

// blobTask is the task of training clips "tr000"… with classes y and test
// clips "te000"… with classes yt.
func blobTask(t *testing.T, classes []string, y, yt []int) *Task {
	t.Helper()
	l := &dataset.Labels{Classes: classes, ByClip: map[string]int{}}
	var train, test []string
	for i := range y {
		id := fmt.Sprintf("tr%03d", i)
		train, l.ByClip[id] = append(train, id), y[i]
	}
	for i := range yt {
		id := fmt.Sprintf("te%03d", i)
		test, l.ByClip[id] = append(test, id), yt[i]
	}
	task, err := NewTask(l, train, test)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestRunProbesAndPlot(t *testing.T) {
	classes := []string{"left", "right", "up"}
	x, y := blobs(3, 30, 5, 4, 3)
	xt, yt := blobs(3, 20, 5, 4, 4)
	task := blobTask(t, classes, y, yt)
	good, err := NewProbe("good", task, append(x, xt...), DefaultClassifierConfig())
	if err != nil {
		t.Fatal(err)
	}
	noise, _ := blobs(3, 50, 5, 0, 9) // features unrelated to the classes
	bad, _ := NewProbe("noise", task, noise, DefaultClassifierConfig())
	if _, err := NewProbe("short", task, x, DefaultClassifierConfig()); err == nil {
		t.Error("a probe with too few rows was accepted")
	}
	if _, err := Run(context.Background(), task, []Method{good, good}, DefaultConfig(), nil); err == nil || !strings.Contains(err.Error(), `two methods are named "good"`) {
		t.Errorf("duplicate names: %v", err)
	}
	var lines []string
	res, err := Run(context.Background(), task, []Method{good, bad}, DefaultConfig(), func(s string) { lines = append(lines, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cells) != 8 || len(lines) != 24 {
		t.Fatalf("%d cells, %d progress lines; want 8 and 24", len(res.Cells), len(lines))
	}
	if c := res.Cell("good", 0); c.Mean < 0.9 || c.SD != 0 || c.TrainClips != 90 {
		t.Errorf("good probe, all shots: %+v", c)
	}
	if c := res.Cell("noise", 0); c.Mean > 0.6 {
		t.Errorf("noise probe scores %.3f; want near chance", c.Mean)
	}
	if c := res.Cell("good", 1); c.TrainClips != 3 || len(c.Accuracy) != 3 {
		t.Errorf("1-shot cell %+v", c)
	}
	md := res.Markdown()
	for _, want := range []string{"| features / method | 1-shot | 5-shot | 10-shot | all |", "| good |", "±"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if pc := res.PerClassMarkdown(0); !strings.Contains(pc, "| left | right | up |") {
		t.Errorf("per-class table:\n%s", pc)
	}
	base := filepath.Join(t.TempDir(), "confusion")
	png, svg, err := PlotConfusion(res.Cell("good", 0), classes, base)
	if err != nil {
		t.Fatal(err)
	}
	fpng, fsvg, err := PlotFewShot(res, filepath.Join(filepath.Dir(base), "fewshot"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{png, svg, fpng, fsvg} {
		if st, err := os.Stat(p); err != nil || st.Size() < 500 {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// tinyFeatures makes clips whose class k shows in the mean of feature k:
// frames × dim features, n clips per class.
func tinyFeatures(classes, n, frames, dim int, seed uint64) (*corpus.Features, *dataset.Labels, []string) {
	r := rand.New(rand.NewPCG(seed, 3))
	l := &dataset.Labels{ByClip: map[string]int{}}
	for k := range classes {
		l.Classes = append(l.Classes, fmt.Sprint("c", k))
	}
	var ids []string
	var data []float32
	for i := range classes * n {
		id := fmt.Sprintf("clip%03d", i)
		ids = append(ids, id)
		l.ByClip[id] = i % classes
		for range frames {
			for d := range dim {
				v := float32(r.NormFloat64() * 0.5)
				if d == i%classes {
					v += 2
				}
				data = append(data, v)
			}
		}
	}
	f, err := corpus.FeaturesFromStacked(&corpus.Array{Shape: []int{len(ids), frames, dim}, Data: data, DType: corpus.DTypeFloat32}, ids, "tiny")
	if err != nil {
		panic(err)
	}
	return f, l, ids
}

func TestEndToEndLearnsTinyTask(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny network (seconds)")
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	f, l, ids := tinyFeatures(3, 20, 8, 6, 1)
	task, err := NewTask(l, ids[:45], ids[45:])
	if err != nil {
		t.Fatal(err)
	}
	e := &EndToEnd{Label: "e2e", Backend: b, Features: f, Steps: 60,
		Settings: "frames=8;encoder_dim=16;semantic_units=8;batch_size=16;dropout=0;warmup_steps=0;lr_schedule=constant;learning_rate=0.01"}
	res, err := Run(context.Background(), task, []Method{e}, Config{Shots: []int{0}, Seeds: []uint64{1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acc := res.Cells[0].Mean; acc < 0.8 {
		t.Errorf("end to end accuracy %.3f on a separable tiny task; want ≥ 0.8", acc)
	}
	if _, err := (&EndToEnd{Label: "x"}).FitPredict(context.Background(), task, []int{0}, 1); err == nil {
		t.Error("EndToEnd without a backend was accepted")
	}
}

func TestSemanticFeaturesAndArchitectureSettings(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store, err := captioner.NewStore("frames=8;encoder_dim=16;semantic_units=8;decoder_dim=16;max_words=6;seed=2")
	if err != nil {
		t.Fatal(err)
	}
	caps := corpus.NewCaptions()
	caps.Add("train", "x", "a red ball")
	m, err := captioner.New(b, store, corpus.BuildVocab(caps, 1), []string{"t0", "t1"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	f, _, ids := tinyFeatures(2, 3, 8, 6, 2)
	a, err := SemanticFeatures(m, f, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(ids) || len(a[0]) != 8 {
		t.Errorf("features %d×%d; want %d×8", len(a), len(a[0]), len(ids))
	}
	s := ArchitectureSettings(m)
	for _, want := range []string{"frames=8", "encoder_dim=16", "semantic_units=8", fmt.Sprintf("encoder=%v", m.Param(captioner.ParamEncoder))} {
		if !strings.Contains(s, want) {
			t.Errorf("settings %q lack %q", s, want)
		}
	}
	if _, err := captioner.NewStore(s); err != nil {
		t.Errorf("settings do not parse: %v", err)
	}
}

// countingProbe wraps a probe and counts its fits; fail makes the fits with
// fewer than fail training clips return an error.
type countingProbe struct {
	*Probe
	mu   sync.Mutex
	fits int
	fail int
}

func (c *countingProbe) FitPredict(ctx context.Context, task *Task, train []int, seed uint64) ([]int, error) {
	c.mu.Lock()
	c.fits++
	c.mu.Unlock()
	if len(train) < c.fail {
		return nil, fmt.Errorf("too few clips (%d)", len(train))
	}
	return c.Probe.FitPredict(ctx, task, train, seed)
}

// impure is a method that is not Pure: Run must call it for every seed.
type impure struct {
	*countingProbe
}

func (impure) Pure() bool { return false }

func TestRunWorkersReuseAndErrors(t *testing.T) {
	classes := []string{"a", "b", "c"}
	x, y := blobs(3, 20, 4, 1.5, 5)
	xt, yt := blobs(3, 10, 4, 1.5, 6)
	task := blobTask(t, classes, y, yt)
	probe := func(label string) *Probe {
		p, err := NewProbe(label, task, append(x, xt...), ClassifierConfig{Epochs: 50, LearningRate: 0.05, L2: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := Config{Shots: []int{1, 5, 0}, Seeds: []uint64{1, 2, 3}}
	var results []*Result
	for _, workers := range []int{1, 4} {
		cfg.Workers = workers
		pure := &countingProbe{Probe: probe("pure")}
		imp := impure{&countingProbe{Probe: probe("impure")}}
		res, err := Run(context.Background(), task, []Method{pure, imp}, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		// 3 shot settings × 3 seeds, but the all-clips set is the same
		// for every seed: a pure method is fitted 7 times, the other 9.
		if pure.fits != 7 || imp.fits != 9 {
			t.Errorf("workers %d: %d pure and %d impure fits; want 7 and 9", workers, pure.fits, imp.fits)
		}
		if a, b := res.Cell("pure", 5), res.Cell("impure", 5); !reflect.DeepEqual(a.Accuracy, b.Accuracy) {
			t.Errorf("workers %d: the same probe scored %v pure and %v impure", workers, a.Accuracy, b.Accuracy)
		}
		results = append(results, res)
	}
	if !reflect.DeepEqual(results[0].Cells, results[1].Cells) {
		t.Errorf("results differ between 1 and 4 workers:\n%+v\n%+v", results[0].Cells, results[1].Cells)
	}

	failing := &countingProbe{Probe: probe("failing"), fail: 10}
	_, err := Run(context.Background(), task, []Method{probe("ok"), failing}, Config{Shots: []int{0, 1}, Seeds: []uint64{1, 2}, Workers: 2}, nil)
	if err == nil || !strings.Contains(err.Error(), "failing, 1-shot, seed") || !strings.Contains(err.Error(), "too few clips (3)") {
		t.Errorf("a failing fit gave %v; want the method, shots, seed and cause", err)
	}
}

// referenceFit is TrainClassifier's full-batch Adam written plainly, one
// product at a time, from the standardised rows xs [n][D]: the oracle its
// register-blocked loops must match bit for bit.
func referenceFit(xs [][]float64, y []int, C int, cfg ClassifierConfig) (w, b []float64, loss float64) {
	D, n := len(xs[0]), len(xs)
	w, b = make([]float64, D*C), make([]float64, C)
	gW, gB := make([]float64, D*C), make([]float64, C)
	ad := newAdam(D*C+C, cfg.LearningRate)
	for range cfg.Epochs {
		clear(gW)
		clear(gB)
		loss = 0
		for r, xr := range xs {
			logits := slices.Clone(b)
			for d, v := range xr {
				if v == 0 {
					continue
				}
				for k := range C {
					logits[k] += v * w[d*C+k]
				}
			}
			lse := logSumExp(logits)
			loss += lse - logits[y[r]]
			for k := range C {
				g := math.Exp(logits[k]-lse) / float64(n)
				if k == y[r] {
					g -= 1 / float64(n)
				}
				gB[k] += g
				for d, v := range xr {
					if v != 0 {
						gW[d*C+k] += v * g
					}
				}
			}
		}
		loss /= float64(n)
		var reg float64
		for j, wj := range w {
			gW[j] += cfg.L2 * wj
			reg += wj * wj
		}
		loss += cfg.L2 / 2 * reg
		ad.step(w, gW, 0)
		ad.step(b, gB, D*C)
		ad.t++
	}
	return w, b, loss
}

func TestClassifierMatchesReference(t *testing.T) {
	for _, classes := range []int{2, 3, 4, 6, 8, 9} {
		x, y := blobs(classes, 7, 10, 2, uint64(classes))
		for _, row := range x[:5] {
			row[3] = 0 // the same in every row: standardised to 0
		}
		for _, row := range x {
			row[7] = 1.5
		}
		cfg := ClassifierConfig{Epochs: 25, LearningRate: 0.05, L2: 1e-3}
		c, err := TrainClassifier(x, y, classes, cfg)
		if err != nil {
			t.Fatal(err)
		}
		xs := make([][]float64, len(x))
		for r, row := range x {
			xs[r] = make([]float64, len(row))
			for d, v := range row {
				xs[r][d] = (float64(v) - c.Mean[d]) * c.Scale[d]
			}
		}
		w, b, loss := referenceFit(xs, y, classes, cfg)
		if !slices.Equal(w, c.W) || !slices.Equal(b, c.B) || loss != c.Loss {
			t.Errorf("%d classes: weights, biases or loss differ from the plain loops (loss %v vs %v)", classes, c.Loss, loss)
		}
		p, _ := c.Probabilities(x[:1])
		logits := slices.Clone(b)
		for d, v := range xs[0] {
			for k := range classes {
				if v != 0 {
					logits[k] += v * w[d*classes+k]
				}
			}
		}
		lse := logSumExp(logits)
		for k := range classes {
			if want := math.Exp(logits[k] - lse); p[0][k] != want {
				t.Errorf("%d classes: p(%d) = %v; the plain loops give %v", classes, k, p[0][k], want)
			}
		}
	}
}

// BenchmarkTrainClassifier fits the probe of the transfer stage's largest
// feature (frame features, mean and delta) at a tenth of its rows and
// epochs: 500 clips × 768 features, 8 classes, 30 epochs.
func BenchmarkTrainClassifier(b *testing.B) {
	x, y := blobs(8, 63, 768, 1, 1)
	cfg := ClassifierConfig{Epochs: 30, LearningRate: 0.05, L2: 1e-3}
	for b.Loop() {
		if _, err := TrainClassifier(x, y, 8, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
