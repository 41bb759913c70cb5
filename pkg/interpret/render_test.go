package interpret

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurotopics/neurotopics/pkg/report"
)

const evil = `<script>alert("x")</script>`

// handRun interprets the hand-set head with ground truth that matches its
// wiring: a clip has concept k when the unit wired to topic k is active.
func handRun(t *testing.T, names []string) *Result {
	t.Helper()
	train, test := handActivations(200, 1), handActivations(80, 2)
	wiring := map[int]int{0: 3, 1: 1, 3: 4}
	clipConcepts := make([][]string, len(test))
	ids := make([]string, len(test))
	for c, row := range test {
		ids[c] = fmt.Sprintf("clip%02d", c)
		for i, k := range wiring {
			if row[i] > 0 {
				clipConcepts[c] = append(clipConcepts[c], names[k])
			}
		}
	}
	gt, err := NewGroundTruth(names, clipConcepts)
	if err != nil {
		t.Fatal(err)
	}
	target := Topics(false)
	target.Names = names
	r, err := Run(Input{Head: newHandHead(), Train: train, A: test, IDs: ids, Target: target, GroundTruth: gt}, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunAgreesWithWiring: every live unit detects the concept of its
// topic and is labelled with it; the dead unit is neither.
func TestRunAgreesWithWiring(t *testing.T) {
	r := handRun(t, []string{"c0", "c1", "c2", "c3", "c4"})
	strict := r.Strict()
	if strict.Units != 4 || strict.Alive != 3 || strict.Detectors != 3 || strict.Both != 3 || strict.Concepts != 3 {
		t.Errorf("agreement %+v", strict)
	}
	if len(r.Agreement) != 2 || r.Agreement[0].Threshold != NetDissectThreshold {
		t.Errorf("thresholds %+v", r.Agreement)
	}
	for _, u := range r.Units {
		if u.Unit != 2 && (u.IoU != 1 || !u.Agrees) {
			t.Errorf("unit %d: concept %s IoU %g agrees %v label %s", u.Unit, u.Concept, u.IoU, u.Agrees, u.Label)
		}
	}
}

// TestSectionEscapesAndListsEveryUnit renders the neuron report with hostile
// topic names, captions and topic words: nothing is left unescaped, every
// unit has a card, and the CSV/JSON files read back.
func TestSectionEscapesAndListsEveryUnit(t *testing.T) {
	names := []string{"c0", "c1 " + evil, "c2", "c3 " + evil, "c4"}
	r := handRun(t, names)
	dir := t.TempDir()
	if d := os.Getenv("INTERPRET_RENDER_DIR"); d != "" {
		dir = d
	}
	frames := func(string) ([]float32, int, int, int, bool) {
		return make([]float32, 4*5*6*3), 4, 5, 6, true
	}
	sec, err := Section(r, RenderConfig{Dir: dir, Frames: frames,
		Captions:   func(id string) []string { return []string{"a caption " + evil + " of " + id} },
		TopicWords: func(k int) []string { return []string{"word" + evil} }})
	if err != nil {
		t.Fatal(err)
	}
	rep := &report.Report{Title: "test", Sections: []*report.Section{sec}}
	page, err := rep.HTML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(page)
	if strings.Contains(s, "<script") {
		t.Error("unescaped <script> in the neuron report")
	}
	if !strings.Contains(s, "&lt;script&gt;") {
		t.Error("the hostile text is missing altogether")
	}
	if n := strings.Count(s, `<div class="card">`); n != len(r.Units) {
		t.Errorf("%d cards for %d units", n, len(r.Units))
	}
	for _, u := range r.Units {
		title := "<h4>unit " + itoa(u.Unit) + " · "
		if !strings.Contains(s, title) {
			t.Errorf("no card titled %q", title)
		}
	}
	if !strings.Contains(s, "3 of 4 units detect 3 concepts") {
		t.Error("no summary line")
	}
	for _, f := range []string{"interpret/concepts.png", "interpret/concepts.svg", "interpret/unit_0000.png", "interpret/unit_0003.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The files.
	if err := WriteResult(dir, r); err != nil {
		t.Fatal(err)
	}
	var back Result
	b, _ := os.ReadFile(filepath.Join(dir, UnitsJSON))
	if err := json.Unmarshal(b, &back); err != nil || len(back.Units) != 4 || back.Units[0].Label != names[3] {
		t.Errorf("units.json: %v %+v", err, back.Units)
	}
	for file, rows := range map[string]int{UnitsCSV: 5, TopicScoresCSV: 5, IoUCSV: 5, AgreementCSV: 3, BaseRatesCSV: 6} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != rows {
			t.Errorf("%s: %d rows (%v); want %d", file, len(recs), err, rows)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestWordsSection interprets the hand-set head's words and renders them:
// the units are labelled with their words, which correspond to concepts
// through a lexicon.
func TestWordsSection(t *testing.T) {
	train, test := handActivations(100, 1), handActivations(40, 2)
	lexicon := map[string]string{"circle": "shape:circle", "red": "color:red", "square": "shape:square"}
	wiring := map[int]string{0: "shape:circle", 1: "color:red", 3: "shape:square"}
	clipConcepts := make([][]string, len(test))
	for c, row := range test {
		for i, concept := range wiring {
			if row[i] > 0 {
				clipConcepts[c] = append(clipConcepts[c], concept)
			}
		}
	}
	gt, err := NewGroundTruth([]string{"color:red", "shape:circle", "shape:square"}, clipConcepts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(Input{Head: newHandHead(), Train: train, A: test, Target: WordsOf(handCaptionsOf(len(test)), len(handVocab)),
		GroundTruth: gt, Correspond: WordConcepts(func(w string) string { return lexicon[w] })}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if g := r.Strict(); g.Both != 3 {
		t.Errorf("agreement %+v; units %+v", g, r.Units)
	}
	sec, err := Section(r, RenderConfig{Dir: t.TempDir(), ID: "words", Title: "Words"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := (&report.Report{Sections: []*report.Section{sec}}).HTML()
	if err != nil || !strings.Contains(string(page), "top words: circle=") || !strings.Contains(string(page), `<section id="words">`) {
		t.Errorf("words section: %v", err)
	}
}
