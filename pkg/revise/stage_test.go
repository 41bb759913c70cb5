package revise

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/backend"
	"github.com/neurotopics/neurotopics/pkg/corpus"
	"github.com/neurotopics/neurotopics/pkg/dataset"
)

func TestMeasureFamilies(t *testing.T) {
	fams := func(names ...string) *dataset.GroundTruth {
		g := &dataset.GroundTruth{}
		for _, n := range names {
			g.Families = append(g.Families, dataset.Family{Name: n, Concepts: []string{n + ":x"}})
		}
		return g
	}
	for _, c := range []struct {
		name string
		gt   *dataset.GroundTruth
		want []string
	}{
		{"synthetic", handTruth(), []string{"color", "shape", "motion"}},
		{"some defaults", fams("size", "motion", "color"), []string{"color", "motion"}},
		{"reference-derived", fams("t0", "t1", "t2"), []string{"t0", "t1", "t2"}},
	} {
		if got := MeasureFamilies(c.gt); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
}

// referenceTruth is handTruth as a reference-derived ground truth would
// have it: families are topics ("t0" of colours, "t1" of shapes, "t2" of
// motions), concepts their words, and a concept's topic is the hand
// model's topic of the same word (through ConceptTopics).
func referenceTruth() (*dataset.GroundTruth, map[string][]string) {
	hand := handTruth()
	rename := map[string]string{"color": "t0", "shape": "t1", "motion": "t2"}
	g := &dataset.GroundTruth{ByClip: map[string][]string{}, Lexicon: map[string]string{}}
	topics := map[string][]string{}
	id := func(c string) string {
		fam, word, _ := strings.Cut(c, ":")
		return rename[fam] + ":" + word
	}
	for _, fam := range []string{"color", "shape", "motion"} {
		f := dataset.Family{Name: rename[fam]}
		for _, c := range hand.Families[slices.IndexFunc(hand.Families, func(f dataset.Family) bool { return f.Name == fam })].Concepts {
			f.Concepts = append(f.Concepts, id(c))
			topics[id(c)] = []string{c}
		}
		g.Families = append(g.Families, f)
	}
	for w, c := range hand.Lexicon {
		if rename[dataset.FamilyOf(c)] != "" {
			g.Lexicon[w] = id(c)
		}
	}
	for clip, cs := range hand.ByClip {
		for _, c := range cs {
			if rename[dataset.FamilyOf(c)] != "" {
				g.ByClip[clip] = append(g.ByClip[clip], id(c))
			}
		}
	}
	return g, topics
}

// TestMeasureOnReferenceTruth measures on a ground truth with none of the
// synthetic families: every family is revised, a concept's units come from
// ConceptTopics, and the cases are the synthetic ones renamed.
func TestMeasureOnReferenceTruth(t *testing.T) {
	ids := []string{"blue", "right", "good", "shape"}
	a := [][]float32{redSquareLeft, redSquareLeft, redSquareLeft, redSquareLeft}
	want, err := Measure(handReviser(), handTruth(), ids, a, MeasureConfig{RandomDraws: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	gt, topics := referenceTruth()
	if err := gt.Validate("reference"); err != nil {
		t.Fatal(err)
	}
	r := handReviser()
	r.ConceptTopics = topics
	m, err := Measure(r, gt, ids, a, MeasureConfig{RandomDraws: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Config.Families, []string{"t0", "t1", "t2"}) || len(m.Cases) != len(want.Cases) {
		t.Fatalf("families %v, %d cases; want t0..t2, %d", m.Config.Families, len(m.Cases), len(want.Cases))
	}
	for k, c := range m.Cases {
		w := want.Cases[k]
		if c.Clip != w.Clip || c.Wrong != "t"+map[string]string{"color": "0", "shape": "1", "motion": "2"}[w.Family]+":"+strings.SplitN(w.Wrong, ":", 2)[1] ||
			c.Outcome != w.Outcome || c.Random != w.Random || c.Steer != w.Steer {
			t.Errorf("case %d: %+v; want %+v renamed", k, c, w)
		}
	}
	if m.All.FixRate != want.All.FixRate || m.All.Cases != want.All.Cases {
		t.Errorf("summary %+v; want %+v", m.All, want.All)
	}
	if _, err := Measure(r, gt, ids, a, MeasureConfig{Families: []string{"color"}}); err == nil || !strings.Contains(err.Error(), `no concept family "color"`) {
		t.Errorf("unknown family: %v", err)
	}
	if _, err := Measure(r, nil, ids, a, MeasureConfig{}); err == nil || !strings.Contains(err.Error(), "no ground truth") {
		t.Errorf("nil ground truth: %v", err)
	}
}

// TestWriteAndLoadMeasurement writes the stage's files of a measurement on
// the hand model and reads it back.
func TestWriteAndLoadMeasurement(t *testing.T) {
	r := handReviser()
	ids := []string{"blue", "right", "good", "shape"}
	a := [][]float32{redSquareLeft, redSquareLeft, redSquareLeft, redSquareLeft}
	m, err := Measure(r, handTruth(), ids, a, MeasureConfig{RandomDraws: 2, Seed: 1, Steps: []float64{0.5, 1}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := &File{Model: "hand", Revisions: m.Revisions(true, r, MapUnits)}
	if err := writeMeasurement(dir, m, r, "test", "neurotopics revise measure", file); err != nil {
		t.Fatal(err)
	}
	got, err := LoadMeasurement(dir)
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(m)
	j2, _ := json.Marshal(got)
	if !bytes.Equal(j1, j2) {
		t.Errorf("loaded measurement differs:\n%s\n%s", j1, j2)
	}
	md, err := os.ReadFile(filepath.Join(dir, MeasureMarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Revision rule on 4 test clips (3 with a wrong color/shape/motion), unit labels hand (1 topics per unit), strength stepwise through [0.5 1], 2 random draws per case, beam 1.",
		"- blue (color:red → color:blue, 2 units): a red square moves left → a [-red-] {+blue+} square moves left",
		"Command: `neurotopics revise measure`"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("measure.md lacks %q:\n%s", want, md)
		}
	}
	if f, err := LoadFile(filepath.Join(dir, RevisionsFile)); err != nil || len(f.Revisions) != 3 {
		t.Errorf("revisions.json: %v", err)
	}
	if _, err := LoadMeasurement(t.TempDir()); err == nil || !strings.Contains(err.Error(), "reading the revision measurement") {
		t.Errorf("missing measure.json: %v", err)
	}
}

// tinyDataset is a dataset of the hand truth's four clips with random
// features, all in the test split.
func tinyDataset(t *testing.T, gt *dataset.GroundTruth) *dataset.Dataset {
	t.Helper()
	ids := []string{"blue", "right", "good", "shape"}
	caps := corpus.NewCaptions()
	for _, id := range ids {
		caps.Add("test", id, "a red square moves left")
	}
	feats, err := corpus.FeaturesFromStacked(&corpus.Array{Shape: []int{4, 2, 3}, Data: make([]float32, 24), DType: corpus.DTypeFloat32}, ids, "tiny")
	if err != nil {
		t.Fatal(err)
	}
	return &dataset.Dataset{Name: "tiny", Captions: caps, Features: feats, GroundTruth: gt}
}

// TestMeasureStageErrors checks what the stage rejects before it loads the
// model.
func TestMeasureStageErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		gt   *dataset.GroundTruth
		cfg  MeasureStageConfig
		want string
	}{
		{"no ground truth", nil, DefaultMeasureStageConfig(), "measure needs a ground truth"},
		{"unknown family", handTruth(), MeasureStageConfig{Families: []string{"colour"}}, `no concept family "colour"`},
		{"bad save", handTruth(), MeasureStageConfig{Save: "both"}, `save "both"`},
		{"empty split", handTruth(), MeasureStageConfig{Split: "val"}, `split "val" has no clips`},
		{"no model", handTruth(), DefaultMeasureStageConfig(), "no model"},
	} {
		_, err := MeasureStage(context.Background(), MeasureStageInput{Data: tinyDataset(t, c.gt)}, c.cfg, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
	}
}

// TestMeasureStageOnTinyCaptioner runs the stage on a real (tiny, overfit)
// captioner whose clip 0 is, by a hand-made ground truth, blue: its caption
// "a red circle moves left" is one case.
// It trains for about a second, so it runs with -short too.
func TestMeasureStageOnTinyCaptioner(t *testing.T) {
	m, d, ids := tinyTrained(t)
	path := filepath.Join(t.TempDir(), "tiny.ntc")
	if err := m.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	colors := []string{"red", "blue", "green", "yellow"}
	gt := &dataset.GroundTruth{Families: []dataset.Family{{Name: "color"}}, ByClip: map[string][]string{}, Lexicon: map[string]string{}}
	topics := map[string][]string{}
	for k, c := range colors {
		id := "color:" + c
		gt.Families[0].Concepts = append(gt.Families[0].Concepts, id)
		gt.Lexicon[c] = id
		gt.ByClip[ids[k]] = []string{id}
		topics[id] = []string{m.TargetNames[k]}
	}
	gt.ByClip[ids[0]] = []string{"color:blue"}
	ds := &dataset.Dataset{Name: "tiny", Captions: d.Captions, Features: d.Features}
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultMeasureStageConfig()
	cfg.Split, cfg.Steps = "train", []float64{1, 2}
	dir := t.TempDir()
	res, err := MeasureStage(context.Background(), MeasureStageInput{Data: ds, GroundTruth: gt, Backend: b, Model: path, ConceptTopics: topics}, cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Clips != 4 || len(res.Cases) != 1 || res.Cases[0].Clip != ids[0] || res.Cases[0].Right != "color:blue" || len(res.AtSteps) != 2 {
		t.Errorf("measurement: %d clips, cases %+v, %d steps", res.Clips, res.Cases, len(res.AtSteps))
	}
	got, err := LoadMeasurement(dir)
	if err != nil {
		t.Fatal(err)
	}
	if j1, j2 := mustJSON(t, res), mustJSON(t, got); !bytes.Equal(j1, j2) {
		t.Errorf("loaded measurement differs:\n%s\n%s", j1, j2)
	}
	f, err := LoadFile(filepath.Join(dir, RevisionsFile))
	if err != nil || f.Model != path || f.Step != m.Step() {
		t.Errorf("revisions.json: %+v, %v", f, err)
	}
	if _, err := os.Stat(filepath.Join(dir, MeasureMarkdownFile)); err != nil {
		t.Error(err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
