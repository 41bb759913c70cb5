package nbui

import (
	"bytes"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/pipeline"
	"github.com/neurotopics/neurotopics/pkg/revise"
)

func TestRunArgs(t *testing.T) {
	full := FullSetting()
	full.Options.Settings = "train_steps=50;dropout=0.2"
	for _, c := range []struct {
		name string
		s    Setting
		data *dataset.Config
		want []string
	}{
		{"quick", QuickSetting(), nil, []string{"--frame-fit-frames", "200", "--quick", "--steps", "30", "--synth-test", "40",
			"--synth-train", "100", "--synth-val", "20", "--topics-k", "12", "--transfer-seeds", "1"}},
		{"full with settings", full, nil, []string{"--frame-fit-frames", "3000", "--set", "train_steps=50;dropout=0.2",
			"--synth-test", "1000", "--synth-train", "5000", "--synth-val", "500"}},
		{"own data", FullSetting(), &dataset.Config{Captions: []string{"a/train.tsv", "a/test.tsv"}, Features: "f", IDs: "ids.txt", MaxMissing: 0.2},
			[]string{"--captions", "a/train.tsv,a/test.tsv", "--features", "f", "--ids", "ids.txt", "--max-missing", "0.2"}},
	} {
		if got := c.s.RunArgs(c.data); !slices.Equal(got, c.want) {
			t.Errorf("%s: RunArgs\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
	if got, want := full.Command(nil), `neurotopics run --frame-fit-frames "3000" --set "train_steps=50;dropout=0.2"`; !strings.HasPrefix(got, want) {
		t.Errorf("Command %q; want it to start with %q", got, want)
	}
	if err := QuickSetting().Options.Validate(); err != nil {
		t.Errorf("the quick setting is not valid: %v", err)
	}
}

func TestNotebookSetting(t *testing.T) {
	t.Setenv(WorkDirEnv, "/nb")
	t.Setenv(QuickEnv, "1")
	if s := NotebookSetting(); !s.Options.Quick || s.Out != "/nb/run-quick" || s.SynthTrain != 100 {
		t.Errorf("quick mode: %+v", s)
	}
	t.Setenv(QuickEnv, "0")
	if s := NotebookSetting(); s.Options != pipeline.DefaultOptions() || s.Out != "/nb/run" || s.SynthTrain != 5000 || s.FitFrames != 3000 {
		t.Errorf("full mode: %+v", s)
	}
}

// handTruth is a ground truth of two families.
func handTruth() *dataset.GroundTruth {
	return &dataset.GroundTruth{
		Families: []dataset.Family{{Name: "color", Concepts: []string{"color:red", "color:blue"}}, {Name: "shape", Concepts: []string{"shape:ball"}}},
		ByClip:   map[string][]string{"c1": {"color:red", "shape:ball"}},
		Lexicon:  map[string]string{"red": "color:red", "blue": "color:blue", "ball": "shape:ball"},
	}
}

func TestTopicSwap(t *testing.T) {
	topics := &revise.UnitTopics{Topics: []string{"topic 0", "topic 1", "topic 2"}, Label: []int{0, 1, 2, -1}, Score: []float64{1, 1, 1, 0}}
	mapped := &revise.Reviser{Topics: topics, ConceptTopics: map[string][]string{"color:red": {"topic 0"}, "color:blue": {"topic 1"}, "shape:ball": {"topic 2"}}}
	named := &revise.Reviser{Topics: &revise.UnitTopics{Topics: []string{"color:red", "color:blue", "shape:ball"}, Label: []int{0, -1, 2}, Score: []float64{1, 0, 1}}}
	for _, c := range []struct {
		name    string
		r       *revise.Reviser
		caption string
		want    revise.Request
		ok      bool
	}{
		{"swap through the concept topics", mapped, "a red ball", revise.Request{None: []string{"topic 0"}, More: []string{"topic 1"}}, true},
		{"no other concept in the family", mapped, "a ball", revise.Request{None: []string{"topic 2"}}, true},
		{"nothing named", mapped, "a thing", revise.Request{}, false},
		{"topics named as concepts; blue has no unit", named, "the red ball", revise.Request{None: []string{"color:red"}}, true},
	} {
		q, ok := TopicSwap(c.r, handTruth(), c.caption)
		if ok != c.ok || !slices.Equal(q.None, c.want.None) || !slices.Equal(q.More, c.want.More) {
			t.Errorf("%s: TopicSwap(%q) = %+v, %v; want %+v, %v", c.name, c.caption, q, ok, c.want, c.ok)
		}
	}
	if _, ok := TopicSwap(mapped, nil, "a red ball"); ok {
		t.Error("a swap without ground truth")
	}
}

// handDataset is a two-clip dataset with frames, ground truth and labels.
func handDataset() *dataset.Dataset {
	caps := &corpus.Captions{Clips: []string{"c1", "c2"}, ByClip: map[string][]string{"c1": {"a red <ball>", "red ball"}, "c2": {"blue"}},
		Splits: map[string][]string{"train": {"c1"}, "test": {"c2"}}}
	feats := &corpus.Features{IDs: []string{"c1", "c2"}, Dim: 2, NumFrames: []int{1, 1}, Data: [][]float32{{0, 1}, {1, 0}}}
	return &dataset.Dataset{Name: "hand", Captions: caps, Features: feats, GroundTruth: handTruth(),
		Labels: &dataset.Labels{Name: "action", Classes: []string{"up", "down"}, ByClip: map[string]int{"c1": 1}},
		Frames: func(id string) ([]float32, int, int, int, bool) {
			return make([]float32, 2*4*4*3), 2, 4, 4, id == "c1"
		}}
}

func TestShowOutsideNotebook(t *testing.T) {
	d := handDataset()
	out := captureStdout(t, func() {
		ShowDataset(d, "note")
		if err := ShowClips(d, []string{"c1", "c2"}, 1); err != nil {
			t.Error(err)
		}
		if err := ShowCaptions(d, []*ModelCaptions{{Name: "m", Captions: map[string]string{"c1": "a ball"}}}, []string{"c1"}, 2); err != nil {
			t.Error(err)
		}
	})
	for _, want := range []string{"**hand**: 2 clips (1 train / 0 val / 1 test), per-frame features of dim 2; ground truth: 3 concepts in 2 families; class labels: action (2 classes). note",
		"c1 (train) color:red shape:ball action=down\n    a red <ball>\n", "c2 (test) \n", "c1 m: a ball", "c1 reference: red ball"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := ShowClips(d, []string{"nope"}, 1); err == nil {
		t.Error("an unknown clip gave no error")
	}
}

func TestRunDisplayLines(t *testing.T) {
	d := newRunDisplay()
	out := captureStdout(t, func() {
		w := d.logWriter()
		io.WriteString(w, "[1/2] topics …\n[1/2] top")
		io.WriteString(w, "ics: done in 0.1s\n")
		io.WriteString(d.progressWriter(), "\r 10% |██ | (3/30 steps)")
	})
	if want := []string{"[1/2] topics …", "[1/2] topics: done in 0.1s"}; !slices.Equal(d.lines, want) || d.partial != "" {
		t.Errorf("lines %q (partial %q); want %q", d.lines, d.partial, want)
	}
	if out != "[1/2] topics …\n[1/2] topics: done in 0.1s\n" {
		t.Errorf("printed %q", out)
	}
}

// captureStdout returns what f prints to stdout.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, r)
		done <- b.Bytes()
	}()
	defer func() { os.Stdout = old }()
	f()
	w.Close()
	os.Stdout = old
	return string(<-done)
}
