package revise

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/dataset"
	"github.com/neurotopics/neurotopics/pkg/interpret"
)

func TestEditChangesCaptionInExpectedDirection(t *testing.T) {
	r := handReviser()
	for _, c := range []struct {
		name   string
		q      Request
		after  string
		marked string
	}{
		{"units", Request{Suppress: []int{0}, Boost: []int{1}}, "a blue square moves left", "a [-red-] {+blue+} square moves left"},
		{"topics", Request{None: []string{"color:red"}, More: []string{"color:blue"}}, "a blue square moves left", "a [-red-] {+blue+} square moves left"},
		{"topic by index", Request{More: []string{"5"}}, "a red square moves right", "a red square moves [-left-] {+right+}"},
		{"suppress only", Request{Suppress: []int{3}}, "a red circle moves left", "a red [-square-] {+circle+} moves left"},
		{"slider", Request{Edits: []Edit{Set(2, 0.95)}}, "a red circle moves left", "a red [-square-] {+circle+} moves left"},
		{"scale", Request{Edits: []Edit{{Unit: 0, Op: OpScale, Value: 0.1}}}, "a blue square moves left", "a [-red-] {+blue+} square moves left"},
		{"add clamps at 0", Request{Edits: []Edit{{Unit: 4, Op: OpAdd, Value: -5}}}, "a red square moves right", "a red square moves [-left-] {+right+}"},
		{"weak boost", Request{Boost: []int{1}, Strength: 0.5}, "a red square moves left", "a red square moves left"},
		{"steer along the head", Request{None: []string{"color:red"}, More: []string{"color:blue"}, Map: MapHead}, "a blue square moves left", "a [-red-] {+blue+} square moves left"},
	} {
		rev, err := r.Revise("clip1", redSquareLeft, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if rev.Before != "a red square moves left" || rev.After != c.after || rev.Marked() != c.marked {
			t.Errorf("%s: %q → %q (%s); want %q (%s)", c.name, rev.Before, rev.After, rev.Marked(), c.after, c.marked)
		}
		if rev.Changed() != (c.after != rev.Before) {
			t.Errorf("%s: Changed() = %v", c.name, rev.Changed())
		}
	}
	// The input is not modified, and topic scores follow the edit.
	rev, _ := r.Revise("clip1", redSquareLeft, Request{None: []string{"color:red"}})
	if redSquareLeft[0] != 0.9 {
		t.Error("Revise modified its input")
	}
	if rev.TopicsBefore[0].Topic != "color:red" || rev.TopicsAfter[0].Topic != "shape:square" {
		t.Errorf("topics before %v after %v", rev.TopicsBefore, rev.TopicsAfter)
	}
	if rev.Edits[0].Reason != "none of color:red" {
		t.Errorf("edit reason %q", rev.Edits[0].Reason)
	}
}

func TestBadEditsGetClearErrors(t *testing.T) {
	r := handReviser()
	r.Stats.High[5] = 0 // a dead unit
	r.Topics.Label[5] = -1
	for _, c := range []struct {
		name string
		q    Request
		want string
	}{
		{"unknown unit", Request{Suppress: []int{99}}, "unit 99 does not exist: the semantic layer has units 0..5"},
		{"negative unit", Request{Edits: []Edit{Set(-1, 1)}}, "unit -1 does not exist"},
		{"unknown boost unit", Request{Boost: []int{6}}, "boost: unit 6 does not exist"},
		{"NaN value", Request{Edits: []Edit{Set(2, math.NaN())}}, "unit 2: value NaN; expected a finite number"},
		{"infinite value", Request{Edits: []Edit{{Unit: 2, Op: OpAdd, Value: math.Inf(1)}}}, "value +Inf"},
		{"negative set", Request{Edits: []Edit{Set(2, -1)}}, "expected ≥ 0 (a is the output of a ReLU"},
		{"unknown op", Request{Edits: []Edit{{Unit: 2, Op: "explode", Value: 1}}}, `unknown op "explode"`},
		{"unknown topic", Request{More: []string{"color:teal"}}, `unknown topic "color:teal"`},
		{"topic hint", Request{None: []string{"red"}}, `did you mean "color:red"`},
		{"topic index", Request{None: []string{"17"}}, "topic 17 does not exist: there are topics 0..5"},
		{"topic without units", Request{More: []string{"motion:right"}}, `no unit is interpreted as topic "motion:right"`},
		{"dead unit", Request{Boost: []int{5}}, "boosting unit 5: the unit is never active on the training clips"},
		{"NaN strength", Request{Boost: []int{1}, Strength: math.NaN()}, "strength NaN"},
		{"unknown map", Request{More: []string{"color:red"}, Map: "magic"}, `map "magic"`},
		{"steer unknown topic", Request{More: []string{"color:teal"}, Map: MapHead}, `unknown topic "color:teal"`},
	} {
		_, err := r.Revise("clip1", redSquareLeft, c.q)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v; want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := r.Apply("clip1", []float32{1, 2}, nil); err == nil || !strings.Contains(err.Error(), "a has 2 units; the model has 6") {
		t.Errorf("short a: %v", err)
	}
	bad := append([]float32(nil), redSquareLeft...)
	bad[3] = float32(math.NaN())
	if _, err := r.Apply("clip1", bad, nil); err == nil || !strings.Contains(err.Error(), "unit 3 is NaN") {
		t.Errorf("NaN in a: %v", err)
	}
	noTopics := NewReviser(handModel{gain: 4}, nil, nil)
	if _, err := noTopics.Revise("c", redSquareLeft, Request{More: []string{"color:red"}}); err == nil || !strings.Contains(err.Error(), "no unit interpretations") {
		t.Errorf("topic request without interpretations: %v", err)
	}
	if _, err := noTopics.Revise("c", redSquareLeft, Request{Boost: []int{1}}); err == nil || !strings.Contains(err.Error(), "no unit statistics") {
		t.Errorf("boost without statistics: %v", err)
	}
}

func TestRevisionJSONRoundTripsAndReplays(t *testing.T) {
	r := handReviser()
	var f File
	f.Model = "runs/hand"
	for _, q := range []Request{
		{None: []string{"color:red"}, More: []string{"color:blue"}, Strength: 1.5},
		{Edits: []Edit{Set(2, 0.95), {Unit: 4, Op: OpAdd, Value: -0.5, Reason: "slider"}}},
		{},
	} {
		rev, err := r.Revise("clip1", redSquareLeft, q)
		if err != nil {
			t.Fatal(err)
		}
		f.Revisions = append(f.Revisions, *rev)
	}
	path := filepath.Join(t.TempDir(), "revisions.json")
	if err := SaveFile(path, &f); err != nil {
		t.Fatal(err)
	}
	got, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Version = FileVersion
	if !reflect.DeepEqual(got, &f) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, &f)
	}
	for k := range got.Revisions {
		v := &got.Revisions[k]
		re, same, err := r.Replay(v, redSquareLeft)
		if err != nil || !same || re.After != v.After {
			t.Errorf("replay %d: %v same=%v after %q; saved %q", k, err, same, re.After, v.After)
		}
	}
	// Replaying on another clip's layer reports the difference.
	other := []float32{0.1, 0.9, 0.1, 0.8, 0.7, 0.3}
	if _, same, err := r.Replay(&got.Revisions[2], other); err != nil || same {
		t.Errorf("replay on another clip: same=%v err=%v", same, err)
	}
	// A unit beyond the model's is caught at replay.
	v := got.Revisions[1]
	v.Edits = []Edit{Set(40, 1)}
	if _, _, err := r.Replay(&v, redSquareLeft); err == nil || !strings.Contains(err.Error(), "unit 40 does not exist") {
		t.Errorf("replay of a bad unit: %v", err)
	}
	// A request naming units, topics or a strength the model cannot have is
	// caught at replay too.
	for _, tc := range []struct {
		q    Request
		want string
	}{
		{Request{Suppress: []int{99999}}, "its request: suppress: unit 99999 does not exist: the semantic layer has units 0..5"},
		{Request{Boost: []int{-1}}, "its request: boost: unit -1 does not exist"},
		{Request{None: []string{"topic-nobody-has"}}, `unknown topic "topic-nobody-has"`},
		{Request{More: []string{"color:red"}, Strength: math.Inf(1)}, "strength +Inf"},
	} {
		v := got.Revisions[1]
		v.Request = &tc.q
		if _, _, err := r.Replay(&v, redSquareLeft); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("replay of %+v: %v; want %q", tc.q, err, tc.want)
		}
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, c := range []struct{ name, json, want string }{
		{"version", `{"version": 2, "revisions": []}`, "version 2"},
		{"unknown field", `{"version": 1, "revisions": [], "extra": 1}`, `unknown field "extra"`},
		{"no clip", `{"version": 1, "revisions": [{"edits": []}]}`, "revision 0 has no clip"},
		{"bad op", `{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": 1, "op": "zap", "value": 1}]}]}`, `unknown op "zap"`},
		{"NaN", `{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": 1, "op": "set", "value": NaN}]}]}`, "not a revisions file"},
		{"trailing data", "{\"version\": 1, \"revisions\": []}\n{\"version\": 1}", "x.json: line 2: data after the end"},
		{"negative unit", `{"version": 1, "revisions": [{"clip": "c", "edits": [{"unit": -3, "op": "set", "value": 0}]}]}`, "unit -3 does not exist: units are numbered from 0"},
		{"negative step", `{"version": 1, "step": -5, "revisions": []}`, "step -5; expected the training step"},
	} {
		_, err := ParseFile([]byte(c.json), "x.json")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "x.json") {
			t.Errorf("%s: got %v; want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "none.json")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

// TestFileCheckModel: a revisions file made with a model trained further than
// the one replaying it is refused with both steps and the fix; the same step,
// a later one and a file without a step replay.
func TestFileCheckModel(t *testing.T) {
	for _, c := range []struct {
		name      string
		fileStep  int64
		modelStep int64
		want      []string // nil: accepted
	}{
		{"same model", 1200, 1200, nil},
		{"retrained model", 1200, 2400, nil},
		{"no step in file", 0, 10, nil},
		{"far beyond", 1 << 50, 1200, []string{"r.json", "training step 1125899906842624 (ckpt-1125899906842624.ntc)", "at step 1200", "--model", `delete the file's "step"`}},
		{"one beyond", 1201, 1200, []string{"training step 1201", "at step 1200"}},
	} {
		f := &File{Step: c.fileStep}
		if c.fileStep > 0 {
			f.Model = fmt.Sprintf("ckpt-%d.ntc", c.fileStep)
		}
		err := f.CheckModel("r.json", c.modelStep)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted; want an error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestEditString(t *testing.T) {
	for _, c := range []struct {
		e    Edit
		want string
	}{
		{Set(3, 0), "unit 3 = 0"}, {Edit{Unit: 2, Op: OpScale, Value: 2}, "unit 2 × 2"},
		{Edit{Unit: 1, Op: OpAdd, Value: 0.5}, "unit 1 + 0.5"}, {Edit{Unit: 1, Op: OpAdd, Value: -0.25}, "unit 1 − 0.25"},
	} {
		if got := c.e.String(); got != c.want {
			t.Errorf("%+v: %q; want %q", c.e, got, c.want)
		}
	}
}

func TestDiffWords(t *testing.T) {
	for _, c := range []struct{ before, after, want string }{
		{"a red ball", "a red ball", "a red ball"},
		{"a red ball", "a blue ball", "a [-red-] {+blue+} ball"},
		{"a ball rolls", "a big ball rolls left", "a {+big+} ball rolls {+left+}"},
		{"two red balls", "balls", "[-two-] [-red-] balls"},
		{"", "a cat", "{+a+} {+cat+}"},
		{"A Red, ball.", "a red ball", "a red ball"},
	} {
		if got := MarkChanges(DiffWords(c.before, c.after)); got != c.want {
			t.Errorf("%q → %q: %q; want %q", c.before, c.after, got, c.want)
		}
	}
}

func TestStatsByHand(t *testing.T) {
	train := [][]float32{{0, 1}, {2, 3}, {4, 0}, {0, 5}}
	s, err := NewStats(train)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Mean, []float32{1.5, 2.25}) || !reflect.DeepEqual(s.Active, []float64{0.5, 0.75}) || !reflect.DeepEqual(s.High, []float32{4, 5}) {
		t.Errorf("stats %+v", s)
	}
	if _, err := NewStats(nil); err == nil {
		t.Error("no rows accepted")
	}
	if _, err := NewStats([][]float32{{1, 2}, {1}}); err == nil {
		t.Error("ragged rows accepted")
	}
}

func TestFromHeadWeightsAndInterpretation(t *testing.T) {
	stats := &Stats{High: []float32{1, 1, 1, 1, 1, 0}}
	ut, err := FromHeadWeights(handModel{gain: 4}, 6, handTopics, stats)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ut.Label, []int{0, 1, 2, 3, 4, -1}) || ut.LabelOf(1) != "color:blue" || ut.LabelOf(5) != "" {
		t.Errorf("head-weight labels %v", ut.Label)
	}
	if _, err := FromHeadWeights(handModel{gain: 4}, 6, handTopics[:3], nil); err == nil {
		t.Error("too few topic names accepted")
	}
	// PDM's interpretation of the hand model (ŝ = a) labels each unit with
	// its own topic.
	train := [][]float32{{1, 0, 1, 0, 1, 0}, {0, 1, 0, 1, 0, 1}, {1, 0, 0, 1, 1, 0}, {0, 1, 1, 0, 0, 1}}
	res, err := interpret.Run(interpret.Input{Head: handModel{gain: 4}, Train: train, A: train,
		Target: interpret.Target{Kind: interpret.TopicScores, Names: handTopics}}, interpret.Config{Options: interpret.Options{Engine: interpret.EngineRows}})
	if err != nil {
		t.Fatal(err)
	}
	ut, err = FromInterpretation(res.Units, handTopics, "pdm")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ut.Label, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("PDM labels %v", ut.Label)
	}
	if got := ut.UnitsFor(3); !reflect.DeepEqual(got, []int{3}) {
		t.Errorf("UnitsFor(3) = %v", got)
	}
}

func TestUnitsForTop(t *testing.T) {
	ut := &UnitTopics{Topics: []string{"a", "b", "c"}, Label: []int{0, 2, 1, -1}, Score: []float64{3, 2, 1, 0},
		Scores: [][]float64{{3, 1, 0}, {0, 1.5, 2}, {-1, 1, 0.5}, {0, 0, 0}}}
	for _, c := range []struct {
		k, per int
		want   []int
	}{
		{1, 1, []int{2}},
		{1, 2, []int{1, 0, 2}},
		{2, 2, []int{1, 2}},
		{0, 3, []int{0}},
		{0, 0, []int{0}},
	} {
		if got := ut.UnitsForTop(c.k, c.per); !reflect.DeepEqual(got, c.want) {
			t.Errorf("UnitsForTop(%d, %d) = %v; want %v", c.k, c.per, got, c.want)
		}
	}
	r := handReviser()
	r.Topics.Scores = [][]float64{{1, 0.5, 0, 0, 0, 0}, {0.2, 1, 0, 0, 0, 0}, {0, 0, 1, 0, 0, 0}, {0, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 1}}
	r.TopicsPerUnit = 2
	if _, us, err := r.TopicUnits("color:blue"); err != nil || !reflect.DeepEqual(us, []int{1, 0}) {
		t.Errorf("two topics per unit: units of color:blue %v (%v)", us, err)
	}
	r.MaxUnitsPerTopic = 1
	if _, us, _ := r.TopicUnits("color:blue"); !reflect.DeepEqual(us, []int{1}) {
		t.Errorf("at most one unit per topic: %v", us)
	}
}

func TestExplainFindsTheUnitsBehindEachWord(t *testing.T) {
	r := handReviser()
	train := [][]float32{{1, 0, 1, 0, 1, 0}, {0, 1, 0, 1, 0, 1}, {1, 0, 0, 1, 1, 0}, {0, 1, 1, 0, 0, 1}}
	var err error
	if r.Marginal, err = interpret.NewMarginal(train, 4, 1); err != nil {
		t.Fatal(err)
	}
	ex, err := r.Explain("clip1", redSquareLeft, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Caption != "a red square moves left" || len(ex.Words) != 6 {
		t.Fatalf("explanation %+v", ex)
	}
	// A slot's word is driven by its two units: the one that is high (its
	// own) and the one that is low (its rival, whose marginalisation raises
	// the rival word), and by no other unit.
	for _, c := range []struct {
		pos   int
		word  string
		units [2]int
	}{{1, "red", [2]int{0, 1}}, {2, "square", [2]int{2, 3}}, {4, "left", [2]int{4, 5}}} {
		w := ex.Words[c.pos]
		if w.Word != c.word || len(w.Units) != 2 {
			t.Errorf("word %d: %+v; want %q driven by units %v", c.pos, w, c.word, c.units)
			continue
		}
		got := [2]int{min(w.Units[0].Unit, w.Units[1].Unit), max(w.Units[0].Unit, w.Units[1].Unit)}
		if got != c.units || w.Units[0].Label != handTopics[w.Units[0].Unit] {
			t.Errorf("word %q: drivers %+v; want units %v", c.word, w.Units, c.units)
		}
	}
	if len(ex.Words[0].Units) != 0 {
		t.Errorf("the word %q, which no unit drives, has drivers %v", ex.Words[0].Word, ex.Words[0].Units)
	}
	if ex.TopUnits[0].Unit != 0 || !strings.Contains(ex.String(), "unit 0 (color:red") {
		t.Errorf("top units %v\n%s", ex.TopUnits, ex)
	}
	r.Marginal = nil
	if _, err := r.Explain("clip1", redSquareLeft, 2); err == nil || !strings.Contains(err.Error(), "no unit distributions") {
		t.Errorf("explain without marginal: %v", err)
	}
}

// handTruth is a hand-made ground truth of four clips in the synthetic
// corpus' families (in its order), with the words of the hand model's
// captions and a few more.
func handTruth() *dataset.GroundTruth {
	fams := []dataset.Family{
		{Name: "shape", Concepts: []string{"shape:circle", "shape:square"}},
		{Name: "color", Concepts: []string{"color:red", "color:blue"}},
		{Name: "size", Concepts: []string{"size:small"}},
		{Name: "motion", Concepts: []string{"motion:left", "motion:right", "motion:up"}},
		{Name: "count", Concepts: []string{"count:one"}},
		{Name: "background", Concepts: []string{"background:dark", "background:light"}},
	}
	lex := map[string]string{}
	for _, f := range fams {
		for _, c := range f.Concepts {
			lex[strings.TrimPrefix(c, f.Name+":")] = c
		}
	}
	clip := func(shape, color, motion, bg string) []string {
		return []string{"shape:" + shape, "color:" + color, "size:small", "motion:" + motion, "count:one", "background:" + bg}
	}
	return &dataset.GroundTruth{Families: fams, Lexicon: lex, ByClip: map[string][]string{
		"blue":  clip("square", "blue", "left", "dark"), // caption says red: wrong colour
		"right": clip("square", "red", "right", "dark"), // caption says left: wrong motion
		"good":  clip("square", "red", "left", "dark"),  // right caption
		"shape": clip("circle", "red", "left", "light"), // wrong shape
	}}
}

func TestFindCaseAndJudge(t *testing.T) {
	gt := handTruth()
	cs, ok := FindCase(gt, "blue", "a red square moves left", DefaultFamilies)
	if !ok || cs.Family != "color" || cs.Wrong != "color:red" || cs.Right != "color:blue" {
		t.Fatalf("case %+v ok=%v", cs, ok)
	}
	if _, ok := FindCase(gt, "good", "a red square moves left", DefaultFamilies); ok {
		t.Error("a right caption is a case")
	}
	for _, j := range []struct {
		after string
		want  Outcome
	}{
		{"a blue square moves left", Outcome{Changed: true, NamesRight: true, DropsWrong: true, Fixed: true}},
		{"a red blue square moves left", Outcome{Changed: true, NamesRight: true}},
		{"a square moves left", Outcome{Changed: true, DropsWrong: true}},
		{"a blue circle moves left", Outcome{Changed: true, NamesRight: true, DropsWrong: true, Fixed: true, Damaged: true, NewWrong: true}},
		{"a blue square moves up", Outcome{Changed: true, NamesRight: true, DropsWrong: true, Fixed: true, Damaged: true, NewWrong: true}},
		{"a blue square on a light background", Outcome{Changed: true, NamesRight: true, DropsWrong: true, Fixed: true, NewWrong: true}},
		{"a red square moves left", Outcome{}},
	} {
		if got := Judge(gt, cs, j.after); got != j.want {
			t.Errorf("%q: %+v; want %+v", j.after, got, j.want)
		}
	}
}

func TestMeasureOnHandModel(t *testing.T) {
	r := handReviser()
	gt := handTruth()
	ids := []string{"blue", "right", "good", "shape"}
	a := [][]float32{redSquareLeft, redSquareLeft, redSquareLeft, redSquareLeft}
	m, err := Measure(r, gt, ids, a, MeasureConfig{RandomDraws: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.All.Cases != 3 || m.All.FixRate != 1 || m.All.DamageRate != 0 || m.All.MeanUnits != 2 {
		t.Errorf("summary %+v", m.All)
	}
	for _, cs := range m.Cases {
		if !cs.Fixed || cs.Suppressed != 1 || cs.Boosted != 1 || len(cs.Edits) != 2 {
			t.Errorf("case %+v", cs)
		}
		if cs.Random.Fixed < 0 || cs.Random.Fixed > 1 {
			t.Errorf("random fix fraction %v", cs.Random.Fixed)
		}
		// Each slot's word follows its own two units only: random edits
		// of the other units never fix it.
		if cs.RandomOther.Fixed != 0 || cs.RandomOther.Changed == 0 {
			t.Errorf("%s: random units outside the rule's fix %v, change %v; want 0 and > 0", cs.Clip, cs.RandomOther.Fixed, cs.RandomOther.Changed)
		}
	}
	if m.All.RandomOtherFixRate != 0 || m.All.RandomFixRate == 0 {
		t.Errorf("random units fix %v, outside the rule's %v; want > 0 (they draw the rule's units at times) and 0",
			m.All.RandomFixRate, m.All.RandomOtherFixRate)
	}
	// Suppressing the wrong unit alone fixes a two-word slot; so does
	// boosting the right one.
	if m.All.SuppressOnlyFixRate != 1 || m.All.BoostOnlyFixRate != 1 {
		t.Errorf("halves: %+v", m.All)
	}
	// Steering along the head (ŝ = a: W_a = I) fixes them too, moving the
	// two units the head ties to the two concepts.
	if m.All.SteerFixRate != 1 || m.All.SteerDamageRate != 0 || m.All.SteerMeanUnits != 2 {
		t.Errorf("steering: %+v", m.All)
	}
	if md := m.Markdown(); !strings.Contains(md, "| color | 1 | 1.000 | 0.000 | 2.0 |") || !strings.Contains(md, "| all | 3 |") {
		t.Errorf("markdown:\n%s", md)
	}
	if steer := m.Revisions(true, r, MapHead); len(steer) != 3 || steer[0].Request.Map != MapHead || steer[0].After != "a blue square moves left" {
		t.Errorf("steering revisions %+v", steer)
	}
	revs := m.Revisions(true, r, MapUnits)
	if len(revs) != 3 || revs[0].Clip != "blue" || revs[0].After != "a blue square moves left" {
		t.Errorf("revisions %+v", revs)
	}
	// Replaying a measured revision gives the same caption.
	for k, v := range revs {
		if _, same, err := r.Replay(&v, a[k]); err != nil || !same {
			t.Errorf("replay of measured revision %d: same=%v err=%v", k, same, err)
		}
	}
	if _, err := Measure(r, gt, []string{"nope"}, a[:1], MeasureConfig{}); err == nil || !strings.Contains(err.Error(), `"nope" has no ground truth`) {
		t.Errorf("unknown clip: %v", err)
	}
}

// TestMeasureSteps checks the stepwise protocol against one measurement per
// strength: each case keeps the first strength whose rule fixes it (or the
// last), with that measurement's outcomes and random edits, and steering
// its own first fix.
func TestMeasureSteps(t *testing.T) {
	r := handReviser()
	gt := handTruth()
	ids := []string{"blue", "right", "good", "shape"}
	a := [][]float32{redSquareLeft, redSquareLeft, redSquareLeft, redSquareLeft}
	steps := []float64{0.01, 0.5, 2}
	var at []*Measurement
	for _, s := range steps {
		m, err := Measure(r, gt, ids, a, MeasureConfig{RandomDraws: 4, Seed: 1, Strength: s})
		if err != nil {
			t.Fatal(err)
		}
		at = append(at, m)
	}
	m, err := Measure(r, gt, ids, a, MeasureConfig{RandomDraws: 4, Seed: 1, Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) != len(at[0].Cases) || len(m.Cases) == 0 {
		t.Fatalf("%d cases stepwise, %d at one strength", len(m.Cases), len(at[0].Cases))
	}
	if len(m.AtSteps) != len(steps) {
		t.Fatalf("%d summaries at fixed steps; want %d", len(m.AtSteps), len(steps))
	}
	for i, st := range m.AtSteps {
		if st.Strength != steps[i] || st.All != at[i].All || len(st.ByFamily) != len(at[i].ByFamily) {
			t.Errorf("step %d: summary at %v %+v; want that of one measurement at %v, %+v", i, st.Strength, st.All, steps[i], at[i].All)
		}
	}
	var mean float64
	for k, cs := range m.Cases {
		j := len(steps) - 1
		for i := range at {
			if at[i].Cases[k].Fixed {
				j = i
				break
			}
		}
		want := at[j].Cases[k]
		if cs.Strength != steps[j] || cs.Outcome != want.Outcome || cs.After != want.After || cs.SuppressOnly != want.SuppressOnly || cs.BoostOnly != want.BoostOnly {
			t.Errorf("case %s: strength %v, outcome %+v; want %v, %+v", cs.Clip, cs.Strength, cs.Outcome, steps[j], want.Outcome)
		}
		// Each random draw is searched alike: judged at the first strength
		// that fixes that draw (or the last), whatever the rule did.
		for c, got := range []RandomOutcome{ctlRandom: cs.Random, ctlRandomOther: cs.RandomOther, ctlRandomSteer: cs.RandomSteer} {
			n := len(at[0].Cases[k].draws[c])
			var w RandomOutcome
			for d := range n {
				jd := len(steps) - 1
				for i := range at {
					if at[i].Cases[k].draws[c][d].outcome.Fixed {
						jd = i
						break
					}
				}
				w.add(at[jd].Cases[k].draws[c][d].outcome, 1/float64(n))
				w.Strength += steps[jd] / float64(n)
			}
			if n != 4 || !approxRandom(got, w) {
				t.Errorf("case %s, control %d: %d draws, searched %+v; want %+v", cs.Clip, c, n, got, w)
			}
		}
		// The draws' outcomes at each strength are those that strength's
		// measurement averages.
		for i := range at {
			var w RandomOutcome
			for _, d := range at[i].Cases[k].draws[ctlRandom] {
				w.add(d.outcome, 0.25)
			}
			if !approxRandom(w, at[i].Cases[k].Random) {
				t.Errorf("case %s at %v: draws average %+v; the measurement %+v", cs.Clip, steps[i], w, at[i].Cases[k].Random)
			}
		}
		mean += cs.Strength / float64(len(m.Cases))
	}
	if math.Abs(m.All.MeanStrength-mean) > 1e-12 || !strings.Contains(m.Markdown(), "Stepwise: the boost rose through strengths [0.01 0.5 2]") ||
		!strings.Contains(m.Markdown(), "Each random draw (the same units or direction at every strength) was searched alike") {
		t.Errorf("mean strength %v (want %v); markdown:\n%s", m.All.MeanStrength, mean, m.Markdown())
	}
	for k, rev := range m.Revisions(true, r, MapUnits) {
		if rev.Request.Strength != m.Cases[k].Strength {
			t.Errorf("revision %d saved strength %v; the case stopped at %v", k, rev.Request.Strength, m.Cases[k].Strength)
		}
	}
	for _, bad := range [][]float64{{0.5, 0.2}, {0, 1}, {1, math.Inf(1)}} {
		if _, err := Measure(r, gt, ids, a, MeasureConfig{Steps: bad}); err == nil || !strings.Contains(err.Error(), "ascending") {
			t.Errorf("steps %v: got %v; want an error", bad, err)
		}
	}
}

func TestInterpretationLabelsChecked(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"method":"pdm","outputs":["a","b"],"units":[{"unit":0,"label":"a","label_index":1,"label_score":0.5}]}`, `units.json: unit topics: unit 0: label "a" disagrees with its label_index 1 (topic "b")`},
		{`{"method":"pdm","outputs":["a","b"],"units":[{"unit":0,"label":"b","label_index":7}]}`, "unit 0 is labelled topic 7; there are 2 topics"},
	} {
		if _, err := parseInterpretation([]byte(tc.json), "units.json"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", tc.json, err, tc.want)
		}
	}
	if _, err := parseInterpretation([]byte(`{"method":"pdm","outputs":["a","b"],"units":[{"unit":0,"label":"b","label_index":1}]}`), "units.json"); err != nil {
		t.Errorf("an agreeing label: %v", err)
	}
}
