package captioner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/corpus"
)

func init() { debugPanics = true }

// testBackend returns the project's default backend.
func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tinyCaptions are the captions of the tiny test corpora, one per clip.
var tinyCaptions = []string{
	"a red circle moves to the left",
	"two blue squares slide right",
	"a small green star is growing",
	"the yellow heart shrinks on a dark background",
	"a big purple cross rotates",
	"one orange diamond bounces",
}

// tinyData makes n clips with random features (frames × dim), captions
// (capsPerClip per clip, cycling through tinyCaptions with the clip index)
// and one-hot targets of K = 4, split into train (all clips) and val (the
// same clips).
func tinyData(n, capsPerClip, frames, dim int, seed uint64) *Data {
	r := rand.New(rand.NewPCG(seed, 7))
	caps := corpus.NewCaptions()
	f := &corpus.Features{Dim: dim, DType: corpus.DTypeFloat32}
	var ids []string
	var data []float32
	targets := &Targets{Names: []string{"t0", "t1", "t2", "t3"}, ByClip: map[string][]float32{}}
	for i := range n {
		id := fmt.Sprintf("clip%03d", i)
		ids = append(ids, id)
		for c := range capsPerClip {
			caps.Add("train", id, tinyCaptions[(i+c)%len(tinyCaptions)])
			if c == 0 {
				caps.Add("val", id, tinyCaptions[(i+c)%len(tinyCaptions)])
			}
		}
		for range frames * dim {
			data = append(data, float32(r.NormFloat64()))
		}
		v := make([]float32, 4)
		v[i%4] = 1
		targets.ByClip[id] = v
	}
	a := &corpus.Array{Shape: []int{n, frames, dim}, Data: data, DType: corpus.DTypeFloat32}
	feats, err := corpus.FeaturesFromStacked(a, ids, "tiny")
	if err != nil {
		panic(err)
	}
	_ = f
	return &Data{Features: feats, Captions: caps, Targets: targets}
}

// tinySettings is a small, fast model.
const tinySettings = "frames=8;encoder_dim=32;semantic_units=16;decoder_dim=32;max_words=10;" +
	"batch_size=8;dropout=0;warmup_steps=0;lr_schedule=constant;learning_rate=0.01;eval_every=0;checkpoint_every=0"

func TestParamKeysMatchGoMLX(t *testing.T) {
	if ParamLearningRate != optimizer.ParamLearningRate {
		t.Errorf("ParamLearningRate = %q, GoMLX's is %q", ParamLearningRate, optimizer.ParamLearningRate)
	}
}

func TestApplySettings(t *testing.T) {
	store, err := NewStore("interp_lambda=0; seed=7;encoder=gru;train_steps=1_000")
	if err != nil {
		t.Fatal(err)
	}
	p, err := readParams(store)
	if err != nil {
		t.Fatal(err)
	}
	if p.Lambda != 0 || p.Seed != 7 || p.Encoder != "gru" || p.TrainSteps != 1000 {
		t.Errorf("settings not applied: %+v", p)
	}
	for _, c := range []struct{ settings, want string }{
		{"nope=1", `unknown hyperparameter "nope"`},
		{"seed=x", "seed is a int"},
		{"seed", "expected key=value"},
		{"dropout=1.5", "dropout = 1.5"},
		{"encoder=lstm", `encoder = "lstm"`},
		{"interp_loss=l1", `interp_loss = "l1"`},
	} {
		store, err := NewStore(c.settings)
		if err == nil {
			_, err = readParams(store)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.settings, err, c.want)
		}
	}
}

func TestResolveParams(t *testing.T) {
	got, err := ResolveParams("seed=3")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultParams()
	want[ParamSeed] = 3
	if len(got) != len(want) {
		t.Fatalf("got %d parameters, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v (%T), want %v (%T)", k, got[k], got[k], v, v)
		}
	}
	for _, bad := range []string{"nope=1", "dropout=1.5"} {
		if _, err := ResolveParams(bad); err == nil {
			t.Errorf("ResolveParams(%q): no error", bad)
		}
	}
}

func TestNewChecksUnitsAgainstTopics(t *testing.T) {
	store, _ := NewStore("semantic_units=3")
	v := corpus.VocabFromCounts(map[string]int{"a": 1}, 1)
	_, err := New(testBackend(t), store, v, []string{"a", "b", "c", "d"}, 5)
	if err == nil || !strings.Contains(err.Error(), "less than K = 4") {
		t.Errorf("got %v, want an error about N < K", err)
	}
}

// trainTiny trains a tiny model on d.
func trainTiny(t *testing.T, d *Data, settings, dir string) (*Model, *TrainResult) {
	t.Helper()
	m, res, err := Train(context.Background(), d, TrainConfig{Backend: testBackend(t), Dir: dir, Settings: tinySettings + ";" + settings})
	if err != nil {
		t.Fatal(err)
	}
	return m, res
}

func TestOverfitFourClips(t *testing.T) {
	d := tinyData(4, 1, 8, 12, 1)
	m, res := trainTiny(t, d, "train_steps=150", "")
	if res.Steps != 150 || m.Step() != 150 {
		t.Fatalf("ran %d steps, model at step %d; want 150", res.Steps, m.Step())
	}
	ids := d.SplitIDs("train")
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []DecodeOptions{Greedy(), BeamSearch(5)} {
		caps, err := m.DecodeFrom(a, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			want := strings.Join(corpus.Tokenize(d.Captions.ByClip[id][0]), " ")
			if caps[i].Text() != want {
				t.Errorf("beam %d, %s: got %q, want %q", opts.Beam, id, caps[i].Text(), want)
			}
		}
	}
	// The decoder's log-probability of its caption is what teacher forcing
	// gives for the same words.
	caps, _ := m.DecodeFrom(a, Greedy())
	lp, err := m.WordLogProbs(a, captionTexts(caps))
	if err != nil {
		t.Fatal(err)
	}
	for i := range caps {
		var sum float64
		for _, x := range lp[i] {
			sum += x
		}
		if len(lp[i]) != len(caps[i].Words)+1 || math.Abs(sum-caps[i].LogProb) > 1e-3 {
			t.Errorf("clip %d: teacher-forced log p %v (%d values), decoder %v (%d words)", i, sum, len(lp[i]), caps[i].LogProb, len(caps[i].Words))
		}
	}
	// Editing a changes the caption: the decoder reads the video only
	// through a.
	zero := make([][]float32, len(a))
	for i := range zero {
		zero[i] = make([]float32, len(a[i]))
	}
	zcaps, err := m.DecodeFrom(zero, Greedy())
	if err != nil {
		t.Fatal(err)
	}
	for _, beam := range []int{0, m.Vocab.Size() + 1, 1 << 40} {
		if _, err := m.DecodeFrom(zero, BeamSearch(beam)); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("beam %d; expected 1 (greedy) to %d", beam, m.Vocab.Size())) {
			t.Errorf("beam %d: err = %v, want one giving the allowed range", beam, err)
		}
	}
	for i := 1; i < len(zcaps); i++ {
		if zcaps[i].Text() != zcaps[0].Text() {
			t.Errorf("a = 0 gives different captions for clips 0 and %d: %q vs %q", i, zcaps[0].Text(), zcaps[i].Text())
		}
	}
	metrics, err := m.Evaluate(d, "train", Greedy(), 0)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := m.ProbeTopicMAP(d, "train", "train", 0)
	if err != nil {
		t.Fatal(err)
	}
	if probe < 0.99 {
		t.Errorf("topic probe mAP %.3f on the training clips; want ≈ 1", probe)
	}
	if metrics.Captions.Bleu[3] < 0.99 || metrics.TopicMAP < 0.99 {
		t.Errorf("overfit model scores BLEU-4 %.3f, topic mAP %.3f; want ≈ 1\n%s", metrics.Captions.Bleu[3], metrics.TopicMAP, metrics.Table())
	}
}

func TestCholeskySolve(t *testing.T) {
	// A = [[4,2],[2,3]], B = [[2],[1]] → x = [0.5, 0]
	x, err := choleskySolve([]float64{4, 2, 2, 3}, []float64{2, 1}, 2, 1)
	if err != nil || math.Abs(x[0]-0.5) > 1e-12 || math.Abs(x[1]) > 1e-12 {
		t.Errorf("got %v, %v; want [0.5 0]", x, err)
	}
	if _, err := choleskySolve([]float64{1, 2, 2, 1}, []float64{1, 1}, 2, 1); err == nil {
		t.Error("an indefinite matrix was accepted")
	}
}
