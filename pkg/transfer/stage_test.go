package transfer

import (
	"bytes"
	"context"
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
	"github.com/neurotopics/neurotopics/pkg/report"
)

// stageData is a tiny dataset: 3 classes (in its labels) of 10 clips each,
// the first 21 clips in the train split and the others in test.
func stageData() *dataset.Dataset {
	f, l, ids := tinyFeatures(3, 10, 8, 6, 5)
	l.Name = "action"
	caps := corpus.NewCaptions()
	for i, id := range ids {
		split := "train"
		if i >= 21 {
			split = "test"
		}
		caps.Add(split, id, "a thing moves")
	}
	return &dataset.Dataset{Name: "tiny", Key: "tiny", Captions: caps, Features: f, Labels: l}
}

// untrainedCheckpoint saves a fresh captioner over stageData's features and
// returns its path.
func untrainedCheckpoint(t *testing.T, dir string) string {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	store, err := captioner.NewStore("frames=8;encoder_dim=16;semantic_units=8;decoder_dim=16;max_words=6;seed=2;interp_lambda=0.1")
	if err != nil {
		t.Fatal(err)
	}
	caps := corpus.NewCaptions()
	caps.Add("train", "x", "a thing moves")
	m, err := captioner.New(b, store, corpus.BuildVocab(caps, 1), []string{"t0", "t1"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	f, _, ids := tinyFeatures(2, 2, 8, 6, 1)
	a, err := m.EncodeToSemantic(f, ids) // the graphs create the variables
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.TopicsFrom(a); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DecodeFrom(a, captioner.Greedy()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "interp.ntc")
	if err := m.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunStage(t *testing.T) {
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	interp := untrainedCheckpoint(t, t.TempDir())
	other := &dataset.Labels{Name: "parity", Classes: []string{"even", "odd"}, ByClip: map[string]int{}}
	for i := range 30 {
		other.ByClip[stageData().Features.IDs[i]] = i % 2
	}
	cfg := DefaultStageConfig()
	cfg.Shots, cfg.Seeds, cfg.Classifier.Epochs = []int{1, 0}, []uint64{1, 2}, 50
	for _, c := range []struct {
		name    string
		in      StageInput
		cfg     func(StageConfig) StageConfig
		methods []string
		classes []string
		err     string
	}{
		{name: "pools", in: StageInput{Command: "neurotopics transfer --pool mean,mean+delta"},
			cfg:     func(c StageConfig) StageConfig { c.Pools = []string{"mean", "mean+delta"}; return c },
			methods: []string{"frame features (mean)", "frame features (mean+delta)"}, classes: []string{"c0", "c1", "c2"}},
		{name: "checkpoint", in: StageInput{Backend: b, Interp: interp},
			methods: []string{"interpretive a (λ=0.1)", "frame features (mean)"}, classes: []string{"c0", "c1", "c2"}},
		{name: "labels given", in: StageInput{Labels: other}, cfg: func(c StageConfig) StageConfig { c.TrainLimit, c.Workers = 10, 1; return c },
			methods: []string{"frame features (mean)"}, classes: []string{"even", "odd"}},
		{name: "no labels", in: StageInput{Data: &dataset.Dataset{Name: "unlabelled", Captions: corpus.NewCaptions(), Features: &corpus.Features{}}},
			err: "dataset unlabelled has no class labels"},
		{name: "nothing", cfg: func(c StageConfig) StageConfig { c.Pools = nil; return c }, err: "nothing to compare"},
		{name: "e2e without checkpoint", cfg: func(c StageConfig) StageConfig { c.E2ESteps = 5; return c }, err: "end-to-end training needs"},
		{name: "bad pool", cfg: func(c StageConfig) StageConfig { c.Pools = []string{"max"}; return c }, err: `unknown pooling "max"`},
		{name: "no dataset", in: StageInput{Data: &dataset.Dataset{}}, err: "no dataset"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, cc := c.in, cfg
			if in.Data == nil {
				in.Data = stageData()
			}
			if c.cfg != nil {
				cc = c.cfg(cc)
			}
			dir := t.TempDir()
			res, err := RunStage(context.Background(), in, cc, dir)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v; want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Methods(), c.methods) || !slices.Equal(res.Classes, c.classes) {
				t.Errorf("methods %q, classes %q; want %q, %q", res.Methods(), res.Classes, c.methods, c.classes)
			}
			if want := 21; cc.TrainLimit > 0 {
				want = cc.TrainLimit
				if res.TrainClips != want {
					t.Errorf("%d training clips; want %d", res.TrainClips, want)
				}
			} else if res.TrainClips != want || res.TestClips != 9 {
				t.Errorf("%d/%d training/test clips; want 21/9", res.TrainClips, res.TestClips)
			}
			loaded, err := LoadResult(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(loaded, res) {
				t.Errorf("LoadResult = %+v; want %+v", loaded, res)
			}
			files := []string{ResultFile, MarkdownFile, SectionFile, "index.html", "metrics.json", "config.json", "fewshot.png", "fewshot.svg"}
			for _, m := range c.methods {
				files = append(files, "confusion-"+slug(m)+".png")
			}
			for _, name := range files {
				if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
					t.Error(err)
				}
			}
			md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
			if !strings.Contains(string(md), res.Markdown()) || strings.Contains(string(md), "Command:") != (in.Command != "") {
				t.Errorf("transfer.md:\n%s", md)
			}
			sec, err := report.LoadSection(filepath.Join(dir, SectionFile))
			if err != nil || sec.ID != "transfer" || len(sec.Blocks) != 2+len(c.methods) {
				t.Errorf("section %+v, %v", sec, err)
			}
			// The same inputs give the same transfer.json.
			again := t.TempDir()
			if _, err := RunStage(context.Background(), in, cc, again); err != nil {
				t.Fatal(err)
			}
			a, _ := os.ReadFile(filepath.Join(dir, ResultFile))
			b, _ := os.ReadFile(filepath.Join(again, ResultFile))
			if !bytes.Equal(a, b) {
				t.Error("a second run wrote a different transfer.json")
			}
		})
	}
}
