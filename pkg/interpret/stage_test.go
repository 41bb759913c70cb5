package interpret

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/captioner"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

// stageConcepts are the concepts of the stage tests' hand-built dataset,
// also the names of its model's targets.
var stageConcepts = []string{"color:red", "color:blue", "shape:circle", "shape:square"}

// stageDataset builds a tiny dataset by hand: 24 training and 8 test clips
// of random features (8 frames of 6 values), captioned with handCaptions,
// with ground truth (the caption's concepts), action labels, targets (the
// concepts as 0/1) and frames; and an untrained model over it saved to a
// .ntc file.
func stageDataset(t *testing.T) (*dataset.Dataset, *captioner.Targets, string) {
	t.Helper()
	const frames, dim, nTrain, nTest = 8, 6, 24, 8
	r := rand.New(rand.NewPCG(4, 2))
	caps := corpus.NewCaptions()
	gt := &dataset.GroundTruth{
		Families: []dataset.Family{{Name: "color", Concepts: stageConcepts[:2]}, {Name: "shape", Concepts: stageConcepts[2:]}},
		ByClip:   map[string][]string{},
		Lexicon:  map[string]string{"red": "color:red", "blue": "color:blue", "circle": "shape:circle", "square": "shape:square"},
		Synonyms: map[string][]string{"color:red": {"red"}, "color:blue": {"blue"}, "shape:circle": {"circle", "ball"}, "shape:square": {"square"}},
	}
	labels := &dataset.Labels{Name: "action", Classes: []string{"rolling", "still"}, ByClip: map[string]int{}}
	targets := &captioner.Targets{Names: stageConcepts, ByClip: map[string][]float32{}}
	var ids []string
	for c := range nTrain + nTest {
		id := fmt.Sprintf("clip%02d", c)
		split := "train"
		if c >= nTrain {
			split = "test"
		}
		text := handCaptions[r.IntN(len(handCaptions))]
		caps.Add(split, id, text)
		gt.ByClip[id] = gt.ConceptsInCaption(text)
		labels.ByClip[id] = c % 2
		y := make([]float32, len(stageConcepts))
		for k, name := range stageConcepts {
			if slices.Contains(gt.ByClip[id], name) {
				y[k] = 1
			}
		}
		targets.ByClip[id] = y
		ids = append(ids, id)
	}
	arr := &corpus.Array{Shape: []int{len(ids), frames, dim}, Data: make([]float32, len(ids)*frames*dim), DType: "<f4"}
	for i := range arr.Data {
		arr.Data[i] = float32(r.NormFloat64())
	}
	feats, err := corpus.FeaturesFromStacked(arr, ids, "features")
	if err != nil {
		t.Fatal(err)
	}
	d := &dataset.Dataset{Name: "hand-built", Key: "hand", Captions: caps, Features: feats, GroundTruth: gt, Labels: labels,
		Frames: func(id string) ([]float32, int, int, int, bool) {
			return make([]float32, 2*4*4*3), 2, 4, 4, feats.Index(id) >= 0
		}}

	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store, err := captioner.NewStore("frames=8;encoder_dim=16;semantic_units=12;decoder_dim=16;max_words=8;seed=3")
	if err != nil {
		t.Fatal(err)
	}
	m, err := captioner.New(b, store, corpus.BuildVocab(caps, 1), stageConcepts, dim)
	if err != nil {
		t.Fatal(err)
	}
	// Run every graph once so that the checkpoint holds every variable.
	a, err := m.EncodeToSemantic(feats, ids[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.TopicsFrom(a); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DecodeFrom(a, captioner.Greedy()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.ntc")
	if err := m.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	return d, targets, path
}

// TestRunStage runs the stage on the hand-built dataset with and without
// ground truth: it writes every file `interpret --out` writes, its
// dissection equals Run's with the ground truth built by hand, and
// LoadResult reads back what it returned.
func TestRunStage(t *testing.T) {
	d, targets, model := stageDataset(t)
	real := *d
	real.GroundTruth, real.Frames = nil, nil
	for _, tc := range []struct {
		name     string
		data     *dataset.Dataset
		cfg      func(*StageConfig)
		concepts []string // the dissection's concepts
		files    []string
	}{
		{"topics", d, func(*StageConfig) {}, stageConcepts, []string{TopicScoresCSV, IoUCSV, AgreementCSV, BaseRatesCSV}},
		{"probe", d, func(c *StageConfig) { c.Head, c.Engine = "probe", "rows" }, stageConcepts, []string{TopicScoresCSV, IoUCSV}},
		{"words", d, func(c *StageConfig) { c.Target, c.CaptionsFrom, c.Clips = "words", "reference", 5 }, stageConcepts, []string{IoUCSV}},
		{"real", &real, func(c *StageConfig) { c.FigDir = "plots" }, append(slices.Clone(stageConcepts), "action:rolling", "action:still"), []string{TopicScoresCSV, IoUCSV}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultStageConfig()
			cfg.Samples = 3
			tc.cfg(&cfg)
			dir := t.TempDir()
			in := StageInput{Data: tc.data, Model: model, Targets: targets}
			r, err := RunStage(context.Background(), in, cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range append([]string{UnitsJSON, UnitsCSV, SectionFile, "index.html", StageMetricsFile, "config.json"}, tc.files...) {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
			figs, _ := os.ReadDir(filepath.Join(dir, cfg.withDefaults().FigDir))
			if len(figs) == 0 {
				t.Errorf("no figures in %s", cfg.withDefaults().FigDir)
			}
			if len(r.Units) != 12 || len(r.Agreement) != 2 {
				t.Fatalf("%d units, %d agreements", len(r.Units), len(r.Agreement))
			}
			if !slices.Equal(r.Dissection.Concepts, tc.concepts) {
				t.Errorf("concepts %v; want %v", r.Dissection.Concepts, tc.concepts)
			}
			back, err := LoadResult(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back.Agreement, r.Agreement) || !reflect.DeepEqual(back.Units, r.Units) || back.Seconds != r.Seconds {
				t.Errorf("LoadResult differs from RunStage's result")
			}
		})
	}
}

// TestRunStageMatchesRun: with ground truth, the stage's agreement equals
// Run's on the same activations with the ground truth built by hand from
// each clip's concepts (what the CLI computed before the stage).
func TestRunStageMatchesRun(t *testing.T) {
	d, targets, model := stageDataset(t)
	cfg := DefaultStageConfig()
	r, err := RunStage(context.Background(), StageInput{Data: d, Model: model, Targets: targets}, cfg, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := captioner.Load(b, model)
	if err != nil {
		t.Fatal(err)
	}
	ids, trainIDs := d.SplitIDs("test"), d.SplitIDs("train")
	train, err := m.EncodeToSemantic(d.Features, trainIDs)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.EncodeToSemantic(d.Features, ids)
	if err != nil {
		t.Fatal(err)
	}
	concepts := make([][]string, len(ids))
	for c, id := range ids {
		concepts[c] = d.GroundTruth.ByClip[id]
	}
	gt, err := NewGroundTruth([]string{"color:red", "color:blue", "shape:circle", "shape:square"}, concepts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Run(Input{Head: m, Train: train, A: a, IDs: ids, Target: TopicTarget(m, len(train)), GroundTruth: gt},
		Config{Method: MethodPDM, Samples: DefaultSamples, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Agreement, want.Agreement) || !reflect.DeepEqual(r.Units, want.Units) {
		t.Errorf("stage agreement %+v; Run's %+v", r.Agreement, want.Agreement)
	}
}

// TestDatasetGroundTruth: the dataset's ground truth when it has one;
// otherwise the targets above 0.5 and one concept per label class.
func TestDatasetGroundTruth(t *testing.T) {
	targets := &captioner.Targets{Names: []string{"topic 0", "topic 1"}, ByClip: map[string][]float32{"a": {1, 0}, "b": {0.4, 0.6}}}
	labels := &dataset.Labels{Name: "category", Classes: []string{"music", "sports"}, ByClip: map[string]int{"a": 1}}
	gt := &dataset.GroundTruth{Families: []dataset.Family{{Name: "shape", Concepts: []string{"shape:circle", "shape:square"}}},
		ByClip: map[string][]string{"a": {"shape:square"}, "b": nil}}
	for _, tc := range []struct {
		name     string
		d        *dataset.Dataset
		t        *captioner.Targets
		concepts []string
		present  [][]bool
		err      string
	}{
		{"truth", &dataset.Dataset{GroundTruth: gt, Labels: labels}, targets, []string{"shape:circle", "shape:square"}, [][]bool{{false, true}, {false, false}}, ""},
		{"targets", &dataset.Dataset{}, targets, []string{"topic 0", "topic 1"}, [][]bool{{true, false}, {false, true}}, ""},
		{"targets and labels", &dataset.Dataset{Labels: labels}, targets, []string{"topic 0", "topic 1", "category:music", "category:sports"},
			[][]bool{{true, false, false, true}, {false, true, false, false}}, ""},
		{"labels", &dataset.Dataset{Labels: labels}, nil, []string{"category:music", "category:sports"}, [][]bool{{false, true}, {false, false}}, ""},
		{"none", &dataset.Dataset{}, nil, nil, nil, ""},
		{"missing clip", &dataset.Dataset{GroundTruth: &dataset.GroundTruth{Families: gt.Families, ByClip: map[string][]string{"a": nil}}}, nil, nil, nil, `clip "b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := DatasetGroundTruth(tc.d, tc.t, []string{"a", "b"})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v; want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.concepts == nil {
				if g != nil {
					t.Fatalf("ground truth %+v; want none", g)
				}
				return
			}
			if !slices.Equal(g.Concepts, tc.concepts) || !reflect.DeepEqual(g.Present, tc.present) {
				t.Errorf("ground truth %v %v; want %v %v", g.Concepts, g.Present, tc.concepts, tc.present)
			}
		})
	}
}

// TestRunStageErrors: bad settings and a canceled context are errors.
func TestRunStageErrors(t *testing.T) {
	d, targets, model := stageDataset(t)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		in   StageInput
		cfg  StageConfig
		err  string
	}{
		{"engine", context.Background(), StageInput{Data: d, Model: model}, StageConfig{Engine: "gpu"}, `engine "gpu"`},
		{"method", context.Background(), StageInput{Data: d, Model: model}, StageConfig{Method: "lime"}, `method "lime"`},
		{"target", context.Background(), StageInput{Data: d, Model: model}, StageConfig{Target: "frames"}, `target "frames"`},
		{"head", context.Background(), StageInput{Data: d, Model: model}, StageConfig{Head: "linear"}, `head "linear"`},
		{"probe without targets", context.Background(), StageInput{Data: d, Model: model}, StageConfig{Head: "probe"}, "needs the targets"},
		{"no model", context.Background(), StageInput{Data: d}, StageConfig{}, "no model"},
		{"split", context.Background(), StageInput{Data: d, Model: model, Targets: targets}, StageConfig{Split: "val"}, `split "val"`},
		{"canceled", canceled, StageInput{Data: d, Model: model, Targets: targets}, StageConfig{}, context.Canceled.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunStage(tc.ctx, tc.in, tc.cfg, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v; want one with %q", err, tc.err)
			}
			if tc.name == "canceled" && !errors.Is(err, context.Canceled) {
				t.Errorf("error %v is not context.Canceled", err)
			}
		})
	}
}
